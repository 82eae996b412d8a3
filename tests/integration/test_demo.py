# SPDX-License-Identifier: ISC
"""`make demo` (scripts/demo.sh) runs from start to end: a throwaway daemon,
a six-month diary, status, triggers, report and a notification, and leaves
no daemon and no temporary folder behind."""
import os
import re
import subprocess
import tempfile

from harness import BUILD, ROOT, run_tests


def test_demo_walks_through_and_cleans_up(ctx):
    tmp = tempfile.mkdtemp(prefix="simmer-demo-test-")
    env = dict(os.environ, SIMMER_BUILD=BUILD, TMPDIR=tmp, NO_COLOR="1")
    for k in ("DBUS_SESSION_BUS_ADDRESS", "DISPLAY", "SIMMER_SOCKET"):
        env.pop(k, None)
    p = subprocess.run(["sh", os.path.join(ROOT, "scripts", "demo.sh")], env=env,
                       capture_output=True, text=True, timeout=120)
    out = p.stdout
    assert p.returncode == 0, (p.returncode, out[-3000:], p.stderr[-3000:])
    for step in ("$ simmer import", "added, 0 already present, 0 rejected", "$ simmer status",
                 "alert threshold", "$ simmer triggers", "Warning signs", "$ simmer report",
                 "simmer report, ", "How the forecasts have done", "$ simmer notify-test",
                 "Please seek medical evaluation: you logged numbness", "$ simmer alerts"):
        assert step in out, (step, out[-3000:])
    assert "\x1b[" not in out, "no colour with NO_COLOR"
    made = re.search(r"Starting a throwaway simmerd in (\S+)", out).group(1)
    assert made.startswith(tmp) and not os.path.exists(made), made
    assert os.listdir(tmp) == [], os.listdir(tmp)
    report = os.path.join(BUILD, "demo-report.html")
    assert os.path.getsize(report) > 1000
    # No simmerd of the demo is left running.
    procs = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    assert made not in procs
    os.rmdir(tmp)


if __name__ == "__main__":
    run_tests(globals())
