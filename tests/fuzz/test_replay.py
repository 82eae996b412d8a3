# SPDX-License-Identifier: ISC
"""Replays each fuzz harness's committed corpus (tests/fuzz/corpus/NAME/)
through the harness linked with replay.c instead of libFuzzer, built by the
ordinary compiler in $SIMMER_BUILD/fuzz/ (and under ASan and UBSan with
`make test SAN=1`). The corpus holds the seeds and every input a fuzzer
found a crash with, so each crash fixed stays a regression test here.
One TAP line per harness."""
import glob
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("SIMMER_BUILD", os.path.join(ROOT, "build"))
# `make check-tools` replays under valgrind too, which also catches a read
# of uninitialised memory that the sanitizers of SAN=1 may miss.
VALGRIND = os.environ.get("SIMMER_VALGRIND", "").split()


def main():
    harnesses = sorted(os.path.basename(p)[len("fuzz_"):-2]
                       for p in glob.glob(os.path.join(ROOT, "tests", "fuzz", "fuzz_*.c")))
    print(f"1..{len(harnesses)}")
    failed = 0
    for i, name in enumerate(harnesses, 1):
        corpus = os.path.join(ROOT, "tests", "fuzz", "corpus", name)
        binary = os.path.join(BUILD, "fuzz", f"replay_{name}")
        problem = None
        if not os.path.isdir(corpus) or not os.listdir(corpus):
            problem = f"no committed corpus in {corpus}"
        elif not os.access(binary, os.X_OK):
            problem = f"{binary} is not built (make tests-bin)"
        else:
            p = subprocess.run(VALGRIND + [binary, corpus], capture_output=True, text=True,
                               timeout=1200 if VALGRIND else 120, errors="replace")
            inputs = len(os.listdir(corpus))
            if p.returncode != 0 or p.stdout.strip() != f"{inputs} inputs":
                problem = f"exit {p.returncode}: {p.stdout.strip()}\n{p.stderr[-3000:]}"
        if problem is None:
            print(f"ok {i} - {name}: {inputs} inputs replayed")
        else:
            failed += 1
            print(f"not ok {i} - {name}")
            for line in problem.splitlines():
                print("# " + line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
