# SPDX-License-Identifier: ISC
"""Makes docs/notification.png: a real simmer alert shown by dunst on an
Xvfb display, for the README. Run by hand:
    SIMMER_BUILD=build /usr/bin/python3 tests/integration/screenshot.py
(needs imagemagick's convert besides the test packages)."""
import os
import sys
import time

from desktop import Desktop
from harness import ROOT, Context
from test_notify import AT, NOW, climbing_diary


def main():
    ctx = Context()
    desk = Desktop(mark_urgency=False).start()
    try:
        ctx.daemon(extra_env=dict(desk.env, SIMMER_NOW=NOW))
        diary = os.path.join(ctx.env.root, "diary.csv")
        climbing_diary(diary)
        ctx.simmer("import", diary, check=0)
        ctx.simmer("analyze", check=0)
        desk.wait_for(1)
        time.sleep(1.5)
        out = os.path.join(ROOT, "docs", "notification.png")
        desk.screenshot(out)
        print(out)
    finally:
        desk.stop()
        ctx.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
