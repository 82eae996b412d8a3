# SPDX-License-Identifier: ISC
"""cppcheck (Debian's) over every C file of daemon/, client/, proto/ and
common/: no warning, portability or performance finding may be left.
A false positive is suppressed inline next to its line, with a comment
that says why it is false (`/* cppcheck-suppress ID */`). Style findings
(the scope of a variable and the like) are left to review: they are not
defects. One TAP line per folder."""
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FOLDERS = ["daemon", "client", "proto", "common"]
CHECKS = "warning,portability,performance"


def main():
    print(f"1..{len(FOLDERS)}")
    if shutil.which("cppcheck") is None:
        for i, folder in enumerate(FOLDERS, 1):
            print(f"not ok {i} - {folder}: cppcheck is not installed (scripts/deps.sh test)")
        return 1
    failed = 0
    for i, folder in enumerate(FOLDERS, 1):
        p = subprocess.run(
            ["cppcheck", "--quiet", f"--enable={CHECKS}", "--std=c11", "--inline-suppr",
             "--error-exitcode=1", "-I.", "-D_GNU_SOURCE",
             "--template={file}:{line}: {severity}: {message} [{id}]", folder],
            cwd=ROOT, capture_output=True, text=True, timeout=300)
        findings = [l for l in p.stderr.splitlines() if "[" in l and ": " in l]
        if p.returncode == 0 and not findings:
            print(f"ok {i} - {folder}: no cppcheck findings")
        else:
            failed += 1
            print(f"not ok {i} - {folder}: {len(findings)} cppcheck findings")
            for line in (findings or p.stderr.splitlines())[:50]:
                print("# " + line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
