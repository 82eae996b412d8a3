#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""Runs each libFuzzer harness of tests/fuzz/ for FUZZ_SECONDS and prints one
line per harness: the executions reached, the time and the rate.

Each harness starts from its committed corpus (tests/fuzz/corpus/NAME/,
read only) and keeps what it finds in BUILD/fuzz-corpus/NAME/; a crash is
written to BUILD/fuzz-crashes/ and makes the run fail. A crash found becomes
a regression input by copying it into the committed corpus once fixed.

usage: fuzz.py BUILD NAME...
"""
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STAT = re.compile(r"^stat::(\w+):\s+(\d+)", re.M)


def run(build, name, seconds):
    binary = os.path.join(ROOT, build, "fuzz", f"fuzz_{name}")
    work = os.path.join(ROOT, build, "fuzz-corpus", name)
    crashes = os.path.join(ROOT, build, "fuzz-crashes")
    seeds = os.path.join(ROOT, "tests", "fuzz", "corpus", name)
    os.makedirs(work, exist_ok=True)
    os.makedirs(crashes, exist_ok=True)
    cmd = [binary, f"-max_total_time={seconds}", "-print_final_stats=1", "-timeout=10",
           "-rss_limit_mb=2048", f"-artifact_prefix={crashes}/{name}-", work, seeds]
    started = time.monotonic()
    proc = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True, errors="replace")
    secs = time.monotonic() - started
    stats = {k: int(v) for k, v in STAT.findall(proc.stderr)}
    execs = stats.get("number_of_executed_units", 0)
    ok = proc.returncode == 0
    print(f"{name}: {execs:,} executions in {secs:.0f} s ({execs / max(secs, 1e-9):,.0f}/s), "
          f"corpus {len(os.listdir(work)) + len(os.listdir(seeds))} inputs"
          + ("" if ok else f", FAILED (exit {proc.returncode})"), flush=True)
    if not ok:
        tail = proc.stderr.strip().splitlines()[-40:]
        print("\n".join("    " + line for line in tail))
    return ok


def main(argv):
    if len(argv) < 3:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 64
    seconds = int(os.environ.get("FUZZ_SECONDS", "60"))
    failed = [name for name in argv[2:] if not run(argv[1], name, seconds)]
    if failed:
        print(f"crashes in {', '.join(failed)}: see {argv[1]}/fuzz-crashes/", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
