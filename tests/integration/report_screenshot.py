# SPDX-License-Identifier: ISC
"""Makes docs/report.png: the HTML report of a simulated six-month diary,
rendered by headless Chromium, for the README. Run by hand:
    SIMMER_BUILD=build /usr/bin/python3 tests/integration/report_screenshot.py"""
import os
import subprocess
import sys

import browser
from harness import BUILD, ROOT, Context


def main():
    ctx = Context()
    try:
        diary = os.path.join(ctx.env.root, "diary.csv")
        with open(diary, "w") as f:
            subprocess.run([os.path.join(BUILD, "tools", "simdiary"), "--days", "180",
                            "--seed", "3"], stdout=f, check=True)
        ctx.daemon()
        ctx.simmer("import", diary, check=0)
        page = os.path.join(ctx.env.root, "report.html")
        ctx.simmer("report", "--days", "180", "--html", page, check=0)
        out = os.path.join(ROOT, "docs", "report.png")
        browser.screenshot(page, out, 900, 1250)
        print(out)
    finally:
        ctx.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
