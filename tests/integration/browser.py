# SPDX-License-Identifier: ISC
"""Headless Chromium from Debian, for the HTML report: screenshots and PDF
printouts of a local file, in a fresh profile with nothing from the network."""
import os
import shutil
import subprocess
import tempfile

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--disable-extensions", "--mute-audio"]


def run(page, *args, timeout=90):
    """Runs chromium on a local file with a fresh --user-data-dir."""
    profile = tempfile.mkdtemp(prefix="simmer-chromium-")
    try:
        cmd = [CHROMIUM] + FLAGS + [f"--user-data-dir={profile}"] + list(args) + \
              ["file://" + os.path.abspath(page)]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        return p
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def screenshot(page, png, width=900, height=1400):
    p = run(page, f"--window-size={width},{height}", f"--screenshot={png}")
    if not os.path.exists(png):
        raise AssertionError(f"chromium wrote no screenshot: {p.returncode}\n{p.stderr[-2000:]}")
    return png


def print_pdf(page, pdf):
    p = run(page, "--no-pdf-header-footer", f"--print-to-pdf={pdf}")
    if not os.path.exists(pdf):
        raise AssertionError(f"chromium wrote no PDF: {p.returncode}\n{p.stderr[-2000:]}")
    return pdf
