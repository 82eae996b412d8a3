# SPDX-License-Identifier: ISC
"""The analysis on simulated diaries (tests/tools/diary_sim.h): planted
effects are found at the right lag and direction, null diaries give
(almost) nothing, and the backtest's forecasts beat the naive one. The
figures are printed as TAP comments."""
import os
import subprocess
import sys

BUILD = os.environ.get("SIMMER_BUILD", "build")
TOOL = os.path.join(BUILD, "tools", "simcheck")


def figures(*args):
    p = subprocess.run([TOOL] + [str(a) for a in args], capture_output=True, text=True,
                       timeout=600, check=True)
    return {k: float(v) for k, v in (l.split() for l in p.stdout.splitlines())}


def main():
    planted = figures(30, 730)
    null = figures("--null", 30, 730)
    checks = [
        ("delayed trigger (dairy, lag 2) found in most two-year diaries",
         planted["recall_dairy_lag2"] >= 0.5),
        ("combination harmless alone (alcohol + late meal) found in a third or more",
         planted["recall_alcohol_late_meal_combo"] >= 0.3),
        ("warning sign (stiffness rising before onsets) found in nearly every diary",
         planted["recall_stiffness_warning"] >= 0.9),
        ("dose thresholds (sleep < 6 h, activity > 100 min) found at least sometimes",
         planted["recall_sleep_lt_lag1"] + planted["recall_activity_ge_lag1"] > 0),
        ("the protective factor is found at least sometimes",
         planted["recall_omega3_protective"] > 0),
        ("no planted effect is ever reported in the wrong direction",
         planted["wrong_direction_per_diary"] == 0),
        ("findings in planted diaries are mostly true (false-discovery proportion <= 0.15)",
         planted["false_discovery_proportion"] <= 0.15),
        ("null diaries: at most one in ten has any finding",
         null["diaries_with_false_findings"] <= 0.10),
        ("backtest AUC beats the naive forecast 'yesterday's stiffness'",
         planted["auc_backtest"] > planted["auc_naive_stiffness"]),
        ("backtest AUC comes close to the simulator's own model (within 0.05, or above)",
         planted["auc_backtest"] >= planted["auc_true_model"] - 0.05),
        ("about one false alarm a month or fewer (<= 1.5 per 30 days)",
         planted["false_alarms_per_30d"] <= 1.5),
    ]
    print(f"1..{len(checks)}")
    for i, (name, ok) in enumerate(checks, 1):
        print(f"{'ok' if ok else 'not ok'} {i} - {name}")
    for label, f in (("planted", planted), ("null", null)):
        for k, v in f.items():
            print(f"# {label} {k} {v}")
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
