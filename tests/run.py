#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""Runs every simmer test and prints one closing line: `N passed, N failed, N skipped`.

Tests come in two shapes, and both speak TAP (`ok N - name` / `not ok N - name`):
  - cmocka binaries built from tests/unit/test_*.c into $SIMMER_BUILD/tests/,
    run with CMOCKA_MESSAGE_OUTPUT=TAP;
  - Python scripts tests/*/test_*.py, run with Debian's /usr/bin/python3 so
    that Debian's python3-msgpack and python3-scipy are the ones imported.
A program that dies without reporting counts as one failure. With
SIMMER_VALGRIND set (`make check-tools`), that command line runs every unit
binary and every simmerd the integration tests start. A line
`ok N - name # SKIP reason` counts as skipped, never as passed. Arguments are
substrings: only the test files whose path contains one of them run.

SIMMER_TEST_CLOCK moves the local hour for every test without touching the
clock: `HH:MM` picks a time zone (a POSIX TZ string with that offset, in
whole minutes) in which the run starts at that local time, give or take 30
seconds; `dst-spring` starts it about 30 seconds before a summer-time change
at 02:00 (clocks go to 03:00), `dst-fall` about 30 seconds before the change
back at 03:00 (clocks go back to 02:00). Every process, the daemon, the
client, SQLite and Python alike, sees the same shifted local time, and the
run goes on across the change. SIMMER_TEST_TZ
(a TZ value) is the plain form of the same; without either, tests run in UTC.
"""
import calendar
import concurrent.futures
import glob
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("SIMMER_BUILD", "build")
TIMEOUT = int(os.environ.get("SIMMER_TEST_TIMEOUT", "420"))
OK = re.compile(r"^ok \d+")
SKIP = re.compile(r"^ok \d+.*# ?SKIP", re.IGNORECASE)
NOT_OK = re.compile(r"^not ok \d+")


def posix_offset(name, east_s):
    """A POSIX TZ name and offset for `east_s` seconds east of UTC (POSIX
    counts west, so the sign is the other way round)."""
    sign = "-" if east_s > 0 else "+"
    a = abs(int(east_s))
    return f"{name}{sign}{a // 3600}:{a // 60 % 60:02d}:{a % 60:02d}"


def julian_day(t):
    """The POSIX `Jn` day (1-365, February 29 never counted) of UTC instant t."""
    tm = time.gmtime(t)
    n = tm.tm_yday
    if calendar.isleap(tm.tm_year) and tm.tm_mon > 2:
        n -= 1
    return n


def clock_tz(spec, now):
    """The TZ value that SIMMER_TEST_CLOCK=spec asks for at instant now."""
    def offset_for(local_s):
        # Whole minutes, as real zones have (an entry keeps its offset in
        # minutes): the run starts within 30 seconds of local_s.
        east = round(((local_s - int(now)) % 86400) / 60) * 60
        return east - 86400 if east > 43200 else east
    if spec == "dst-spring":
        east = offset_for(2 * 3600 - 30)
        n = julian_day(now + east + 30)
        return posix_offset("SIM", east) + f"SID,J{n}/2,J{(n + 180) % 365 or 1}/3"
    if spec == "dst-fall":
        east = offset_for(3 * 3600 - 30) - 3600   # the summer offset is an hour more
        n = julian_day(now + east + 3600 + 30)
        return posix_offset("SIM", east) + f"SID,J{(n + 185) % 365 or 1}/2,J{n}/3"
    m = re.fullmatch(r"(\d\d):(\d\d)", spec)
    if not m:
        sys.exit(f"SIMMER_TEST_CLOCK={spec!r}: wanted HH:MM, dst-spring or dst-fall")
    return posix_offset("SIM", offset_for(int(m[1]) * 3600 + int(m[2]) * 60))


def test_tz():
    spec = os.environ.get("SIMMER_TEST_CLOCK")
    if spec:
        return clock_tz(spec, time.time())
    return os.environ.get("SIMMER_TEST_TZ", "UTC")


def discover():
    units = sorted(glob.glob(os.path.join(ROOT, BUILD, "tests", "test_*")))
    units = [u for u in units if os.access(u, os.X_OK) and not u.endswith(".d")]
    # `make check-tools` runs the unit binaries under valgrind too.
    valgrind = os.environ.get("SIMMER_VALGRIND", "").split()
    scripts = sorted(glob.glob(os.path.join(ROOT, "tests", "*", "test_*.py")))
    return [valgrind + [u] for u in units] + [["/usr/bin/python3", s] for s in scripts]


def run_one(cmd, tz):
    env = dict(os.environ, CMOCKA_MESSAGE_OUTPUT="TAP", SIMMER_BUILD=os.path.join(ROOT, BUILD),
               PYTHONDONTWRITEBYTECODE="1", TZ=tz, SIMMER_TEST_TZ=tz)
    started = time.monotonic()
    try:
        proc = subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=TIMEOUT)
        out, rc = proc.stdout.decode(errors="replace"), proc.returncode
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode(errors="replace") + f"\nnot ok 999 - timed out after {TIMEOUT}s\n"
        rc = -1
    lines = out.splitlines()
    skipped = sum(1 for line in lines if SKIP.match(line))
    passed = sum(1 for line in lines if OK.match(line)) - skipped
    failed = sum(1 for line in lines if NOT_OK.match(line))
    if rc != 0 and failed == 0:
        failed = 1
        out += f"\nnot ok - {os.path.basename(cmd[-1])} exited with status {rc} without reporting a failure\n"
    return cmd, out, passed, failed, skipped, time.monotonic() - started


def main(filters):
    tests = discover()
    if filters:
        tests = [t for t in tests if any(f in t[-1] for f in filters)]
    total_passed = total_failed = total_skipped = 0
    jobs = int(os.environ.get("SIMMER_TEST_JOBS", "2"))
    tz = test_tz()
    if tz != "UTC":
        os.environ["TZ"] = tz
        time.tzset()
        print(f"TZ={tz}: the run starts at {time.strftime('%Y-%m-%d %H:%M:%S %Z')} local time")
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        for cmd, out, passed, failed, skipped, secs in pool.map(lambda c: run_one(c, tz), tests):
            name = os.path.relpath(cmd[-1], ROOT)
            print(f"== {name}: {passed} passed, {failed} failed, {skipped} skipped ({secs:.1f}s)")
            for line in out.splitlines():
                if failed or SKIP.match(line):
                    print("   " + line)
            total_passed += passed
            total_failed += failed
            total_skipped += skipped
    if not tests:
        print("no tests found")
    print(f"{total_passed} passed, {total_failed} failed, {total_skipped} skipped")
    return 1 if total_failed or not tests else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
