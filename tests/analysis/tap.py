# SPDX-License-Identifier: ISC
"""The checks of one analysis test script, reported as TAP: each script
records `check(name, ok, detail)` as it goes and ends with `sys.exit(report())`."""

results = []


def check(name, ok, detail=""):
    results.append((name, ok, detail))


def report(detail_prefix="#   "):
    """Prints the plan and one line per check; 0 when every check held."""
    print(f"1..{len(results)}")
    for i, (name, ok, detail) in enumerate(results, 1):
        print(f"{'ok' if ok else 'not ok'} {i} - {name}")
        if detail:
            print(f"{detail_prefix}{detail}")
    return 0 if all(ok for _, ok, _ in results) else 1
