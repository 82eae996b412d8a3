# SPDX-License-Identifier: ISC
"""Simulated trials with both diary simulators, each through a real simmerd
on a real socket with the test clock (SIMMER_NOW) at the diary's end: the
diary's last weeks follow an experiment's plan, the diary is imported, the
experiment is started on the plan's first day, and `experiment status
--json` must say

  - a planted trigger, reintroduced, is likely a trigger (and never likely
    not, unless the verdict says that flare onsets, where the independent
    simulator's triggers act, could not be ruled out);
  - a harmless food is cleared (likely not) at least sometimes, and is
    never called a trigger;
  - a trial too short to compare anything says it cannot tell, with how
    many more days would;
  - an elimination broken on three days is compromised.

The C simulator (tests/tools/diary_sim.h, whose dairy raises bloating the
same day and flare onsets two days later) is also run in process over 40
diaries per plan by tests/tools/simtrial, and its verdict counts are held
to bounds and printed. The independent simulator (indep_sim.py) plants
effects on flare onsets only, with odds ratios of 3-7, which a trial of
weeks sees few of: its verdicts over 8 diaries each are printed, and held
to what they are today."""
import datetime
import json
import os
import subprocess
import sys
import tempfile
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import harness  # noqa: E402
import indep_sim  # noqa: E402
import tap  # noqa: E402
from tap import check  # noqa: E402

BUILD = os.environ.get("SIMMER_BUILD", "build")
SIMTRIAL = os.path.join(BUILD, "tools", "simtrial")
SIMDIARY = os.path.join(BUILD, "tools", "simdiary")
END = datetime.date(2026, 6, 30)
EPOCH = datetime.date(1970, 1, 1)



def through_daemon(csv_path, last_date, factor, start, e, r, w, cycles=1):
    """Imports the diary into a fresh simmerd whose clock is the evening
    after its last day, starts the experiment, returns its status."""
    env = harness.Env()
    env.vars["SIMMER_NOW"] = f"{last_date + datetime.timedelta(days=1)}T12:00:00Z"
    try:
        d = harness.Daemon(env).start()
        try:
            harness.simmer(env, "import", csv_path, check=0, timeout=120)
            harness.simmer(env, "experiment", "start", factor, "--start", start, "--eliminate", e,
                           "--reintroduce", r, "--washout", w, "--cycles", cycles, check=0)
            return json.loads(harness.simmer(env, "experiment", "status", "--json",
                                             check=0).stdout)["experiment"]
        finally:
            d.stop()
    finally:
        env.cleanup()


def c_trial(seed, factor, e, r, w, breaks=0, days=150, cycles=1):
    work = tempfile.mkdtemp(prefix="simmer-trial-")
    try:
        path = os.path.join(work, "diary.csv")
        with open(path, "w") as f:
            subprocess.run([SIMDIARY, "--days", str(days), "--seed", str(seed), "--end",
                            str((END - EPOCH).days), "--trial", f"{factor}:{e}:{r}:{w}:{breaks}:{cycles}"],
                           stdout=f, check=True)
        start = END - datetime.timedelta(days=cycles * (e + r) + w - 1)
        return through_daemon(path, END, factor, str(start), e, r, w, cycles)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def indep_trial(seed, which, e, r, w, breaks=0, cycles=1):
    work = tempfile.mkdtemp(prefix="simmer-trial-")
    try:
        path, truth = indep_sim.write(seed, "planted", work, 0,
                                      f"{which}:{e}:{r}:{w}:{breaks}:{cycles}")
        t = truth["trial"]
        got = through_daemon(path, datetime.date.fromisoformat(truth["last_date"]), t["factor"],
                             t["start"], e, r, w, cycles)
        return got, truth
    finally:
        shutil.rmtree(work, ignore_errors=True)


def simtrial(factor, e, r, w, breaks, seeds=40):
    p = subprocess.run([SIMTRIAL, factor, str(e), str(r), str(w), str(breaks), str(seeds)],
                       capture_output=True, text=True, check=True, timeout=300)
    last = p.stdout.splitlines()[-1].split()
    return {last[i]: int(last[i + 1]) for i in range(1, len(last), 2)}


def main():
    # In process, 40 diaries a plan (C simulator).
    rates = {}
    for name, args in (("dairy, 21/14/3", ("dairy", 21, 14, 3, 0)),
                       ("dairy, 14/4/3 (the default)", ("dairy", 14, 4, 3, 0)),
                       ("tomato, 21/14/3", ("tomato", 21, 14, 3, 0)),
                       ("tomato, 14/4/3 (the default)", ("tomato", 14, 4, 3, 0)),
                       ("dairy, 3/1/0", ("dairy", 3, 1, 0, 0)),
                       ("dairy, 14/4/3 broken 3 times", ("dairy", 14, 4, 3, 3))):
        rates[name] = simtrial(*args)
        print(f"# C simulator, {name}: {rates[name]}")
    check("C simulator: dairy is likely a trigger in at least 30 of 40 trials of 21/14/3",
          rates["dairy, 21/14/3"]["likely_trigger"] >= 30, str(rates["dairy, 21/14/3"]))
    check("C simulator: dairy is never likely not (21/14/3, and the default plan at most 1 in 40)",
          rates["dairy, 21/14/3"]["likely_not"] == 0 and
          rates["dairy, 14/4/3 (the default)"]["likely_not"] <= 1)
    check("C simulator: tomato is cleared in at least 10 of 40 trials of 21/14/3",
          rates["tomato, 21/14/3"]["likely_not"] >= 10, str(rates["tomato, 21/14/3"]))
    check("C simulator: tomato is called a trigger in at most 3 of 40 trials (each plan)",
          rates["tomato, 21/14/3"]["likely_trigger"] <= 3 and
          rates["tomato, 14/4/3 (the default)"]["likely_trigger"] <= 3)
    check("C simulator: a 3/1/0 trial never tells", rates["dairy, 3/1/0"]["not_enough_data"] == 40)
    check("C simulator: three breaks always compromise",
          rates["dairy, 14/4/3 broken 3 times"]["compromised"] == 40)

    # Through a real simmerd (C simulator).
    found = [c_trial(seed, "dairy", 21, 14, 3) for seed in (1, 2, 3)]
    print("# C simulator through simmerd, dairy: " + ", ".join(g["verdict"] for g in found))
    check("C simulator through simmerd: dairy is likely a trigger in 2 of 3 diaries or more, "
          "never likely not", sum(g["verdict"] == "likely_trigger" for g in found) >= 2 and
          all(g["verdict"] != "likely_not" for g in found),
          "; ".join(g["verdict_text"] for g in found))
    hit = [g for g in found if g["verdict"] == "likely_trigger"]
    # Bloating rises the same day; over 14 days in a row with dairy, the day
    # after shows it as well.
    check("C simulator through simmerd: the rise is in bloating, the same day or the next",
          all(any(o["name"] == "bloating" and o.get("harmful") and o["lag_days"] <= 1
                  for o in g["outcomes"]) for g in hit))
    cleared = [c_trial(seed, "tomato", 21, 14, 3) for seed in (1, 2, 3)]
    print("# C simulator through simmerd, tomato: " + ", ".join(g["verdict"] for g in cleared))
    check("C simulator through simmerd: tomato is cleared in 1 of 3 diaries or more, never a "
          "trigger", any(g["verdict"] == "likely_not" for g in cleared) and
          all(g["verdict"] != "likely_trigger" for g in cleared),
          "; ".join(g["verdict_text"] for g in cleared))
    short = c_trial(4, "dairy", 3, 1, 0)
    check("C simulator through simmerd: a 3/1/0 trial cannot tell, and says how many more days",
          short["verdict"] == "not_enough_data" and short["more_days"] >= 7 and
          "more days" in short["verdict_text"], short["verdict_text"])
    broken = c_trial(5, "dairy", 14, 4, 3, breaks=3)
    check("C simulator through simmerd: three breaks are dated and compromise the trial",
          broken["verdict"] == "compromised" and broken["breaks"] == 3 and
          len(broken["break_days"]) == 3 and "compromised" in broken["verdict_text"],
          f"{broken['verdict']}, {broken['break_days']}")

    # Through a real simmerd (independent simulator): its effects act on
    # flare onsets only (odds ratios 3-7), which weeks of a trial hold few
    # of; two months (28 days without, 28 with, 3 watching) are planned.
    seeds = range(1, 9)
    planted = [indep_trial(seed, "planted", 28, 28, 3) for seed in seeds]
    harmless = [indep_trial(seed, "harmless", 28, 28, 3) for seed in seeds]
    for kind, runs in (("planted", planted), ("harmless", harmless)):
        counts = {}
        for got, truth in runs:
            counts[got["verdict"]] = counts.get(got["verdict"], 0) + 1
            print(f"# independent simulator, {kind} {truth['trial']['factor']}: {got['verdict']}: "
                  f"{got['verdict_text']}")
        print(f"# independent simulator, {kind}, 28/28/3, {len(runs)} diaries: {counts}")
    check("independent simulator: a planted trigger is likely a trigger in 1 of 8 diaries or more",
          any(g["verdict"] == "likely_trigger" for g, _ in planted),
          ", ".join(g["verdict"] for g, _ in planted))
    check("independent simulator: a planted trigger called likely not is never so without saying "
          "that flare onsets, where it acts, could not be ruled out",
          all("Flare onsets were too few" in g["verdict_text"] for g, _ in planted
              if g["verdict"] == "likely_not"))
    check("independent simulator: a harmless food is cleared in 1 of 8 or more, never a trigger",
          any(g["verdict"] == "likely_not" for g, _ in harmless) and
          all(g["verdict"] != "likely_trigger" for g, _ in harmless),
          ", ".join(g["verdict"] for g, _ in harmless))
    got, _ = indep_trial(9, "planted", 3, 1, 0)
    check("independent simulator: a 3/1/0 trial cannot tell",
          got["verdict"] == "not_enough_data" and got["more_days"] >= 7, got["verdict_text"])
    got, truth = indep_trial(10, "harmless", 14, 4, 3, breaks=3)
    check("independent simulator: three breaks compromise the trial",
          got["verdict"] == "compromised" and got["breaks"] == 3,
          f"{got['verdict']} {got['breaks']}")

    return tap.report()


if __name__ == "__main__":
    sys.exit(main())
