#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""Prints line and branch coverage per folder (proto/, client/, daemon/,
daemon/analysis/) from the counts an instrumented build left behind.

    scripts/coverage.py BUILD_DIR

gcovr (Debian's) reads the .gcda files; this script only adds them up by
folder and prints the aims beside the figures."""
import json
import os
import subprocess
import sys

FOLDERS = ["proto", "client", "daemon", "daemon/analysis"]
AIM_LINES, AIM_BRANCHES = 90.0, 80.0


def main(build):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = subprocess.run(["gcovr", "--root", root, "--object-directory", os.path.join(build, "obj"),
                          "--filter", r"(proto|client|daemon)/", "--json", "-"],
                         cwd=root, capture_output=True, text=True, check=True).stdout
    files = json.loads(out)["files"]
    totals = {f: [0, 0, 0, 0] for f in FOLDERS}   # lines hit, lines, branches hit, branches
    for f in files:
        folder = os.path.dirname(f["file"])
        if folder not in totals:
            continue
        t = totals[folder]
        for line in f["lines"]:
            if line.get("gcovr/noncode"):
                continue
            t[1] += 1
            t[0] += line["count"] > 0
            for b in line.get("branches", []):
                t[3] += 1
                t[2] += b["count"] > 0
    print(f"{'folder':<18}{'lines':>16}{'branches':>18}")
    all_t = [0, 0, 0, 0]
    for folder in FOLDERS:
        t = totals[folder]
        all_t = [a + b for a, b in zip(all_t, t)]
        pct = lambda hit, n: 100.0 * hit / n if n else 100.0
        print(f"{folder + '/':<18}{pct(t[0], t[1]):7.1f}% of {t[1]:>5}{pct(t[2], t[3]):9.1f}% of {t[3]:>5}")
    lines = 100.0 * all_t[0] / max(all_t[1], 1)
    branches = 100.0 * all_t[2] / max(all_t[3], 1)
    print(f"{'all':<18}{lines:7.1f}% of {all_t[1]:>5}{branches:9.1f}% of {all_t[3]:>5}")
    print(f"aim: {AIM_LINES:.0f}% of lines and {AIM_BRANCHES:.0f}% of branches")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "build-cov"))
