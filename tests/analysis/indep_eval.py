#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""simmer's figures on diaries from the independent simulator (indep_sim.py).

Each diary goes through the real system: a real simmerd on temporary folders
with the test clock (SIMMER_NOW) at 21:00 on the diary's last day,
`simmer import` of its CSV, then `simmer triggers --json` and
`simmer backtest --json`. The figures are computed here, with numpy and
scipy, from the simulator's truth, not from the C code's own summary:

  recall              detectable planted effects found: right factor(s),
                      lag within +-1, right direction (a dose found as its
                      own side of a cut, or the other side as protective);
                      a combination counts only when the pair is reported
  false_per_null      findings (triggers + protective) per null diary
  nsaid_per_diary     findings naming nsaid, per diary where nsaid is taken
                      because of pain
  passenger_per_diary combinations of a planted single/dose factor with a
                      factor that is not its partner, per diary with a
                      single or dose effect
  window_per_diary    findings on a factor logged only in part of the diary
                      (or only before pain was logged), per diary with one
  level_false_per_null
                      daily-level findings (symptom_levels) per null diary:
                      all false, since nothing moves the levels there
  false_planted       other findings on unplanted factors, per planted diary
  auc / auc_simple / auc_true
                      pooled AUC (scipy.stats.mannwhitneyu) of the backtest's
                      evening risk, of the evening's stiffness (the simple
                      rule; a missing value counts as the diary's median) and
                      of the true model's probability, for "an onset on one
                      of the next two days", on the evenings the truth can
                      judge (logged, outcome known that day and the next two,
                      not a flare day) that the backtest also covers
  brier_skill         1 - sum (risk - y)^2 / sum (diary's own rate - y)^2
  calibration_ratio   mean predicted risk / observed rate
  false_alarms_null_evenings_30d
                      evenings at watch or warning with no onset in the next
                      48 h, per 30 evenings, on null diaries
  false_alarms_null_30d
                      the notifications a person would get: a run of
                      consecutive alarm evenings counts once, and is false
                      when no onset follows within 48 h of any of its
                      evenings; per 30 evenings, on null diaries. This is
                      the figure held to the 1-per-30-days target.
  share_warned        onsets with watch or warning on one of the two
                      evenings before, over all diaries
  share_warned_true   the same for the true model with its cut-off chosen
                      (pooled) to make no more false alarm EVENINGS per 30
                      evenings than the system did on the same evenings
                      (evenings, because counted in runs an alarm that never
                      ends would cost one notification and warn of all)
  warned_vs_true      share_warned / share_warned_true
  share_warned_simple the simple rule at the same budget

Command line, for a quick look while working on the analysis:
    python3 tests/analysis/indep_eval.py --diaries 24 --json
(--jobs 2 runs two diaries at once; SIMMER_BUILD names the build folder,
default build/.)
"""
import argparse
import concurrent.futures
import datetime
import json
import math
import os
import shutil
import sys
import tempfile

import numpy as np
from scipy.stats import mannwhitneyu

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "integration"))
import indep_sim  # noqa: E402
import harness  # noqa: E402

ALARM = ("watch", "warning")
LOW_OPS = ("<", "<=")
HIGH_OPS = (">=", ">", "present")


def plan(n):
    """The diaries for n: a third null, a sixth confounded, the rest planted."""
    n_null = round(n / 3)
    n_conf = max(1, round(n / 6)) if n >= 3 else 0
    n_planted = n - n_null - n_conf
    return ([(1000 + i, "planted", i) for i in range(n_planted)] +
            [(2000 + i, "null", i) for i in range(n_null)] +
            [(3000 + i, "confounded", i) for i in range(n_conf)])


def run_diary(seed, kind, index):
    work = tempfile.mkdtemp(prefix="simmer-indep-")
    env = harness.Env()
    try:
        csv_path, truth = indep_sim.write(seed, kind, work, index)
        now = f"{truth['last_date']}T21:00:00+00:00"
        daemon = harness.Daemon(env, extra_env={"SIMMER_NOW": now}).start()
        try:
            harness.simmer(env, "import", csv_path, check=0, timeout=120)
            trig = json.loads(harness.simmer(env, "triggers", "--json", check=0, timeout=120).stdout)
            back = json.loads(harness.simmer(env, "backtest", "--json", check=0, timeout=120).stdout)
        finally:
            daemon.stop()
        return {"seed": seed, "kind": kind, "truth": truth, "triggers": trig, "backtest": back}
    finally:
        env.cleanup()
        shutil.rmtree(work, ignore_errors=True)


def planted_factors(e):
    return e["factors"] if e["type"] == "combination" else [e["factor"]]


def direction_ok(effect, finding):
    harmful = finding.get("effect") == "harmful"
    if effect["type"] != "dose":
        return harmful
    ops = [c.get("op") for c in finding.get("conditions", []) if c.get("factor") == effect["factor"]]
    low = effect["op"] == "<"
    if not ops:
        return harmful and not low
    op = ops[0]
    same_side = (op in LOW_OPS) if low else (op in HIGH_OPS)
    return same_side if harmful else not same_side


def classify(truth, findings):
    """Each finding of one diary gets one label; returns (labels, found effect indexes)."""
    effects = truth["effects"]
    window = set(truth["early_only_factors"])
    if truth["window_factor"]:
        window.add(truth["window_factor"]["factor"])
    labels, found = [], set()
    for f in findings:
        fac = set(f.get("factors", []))
        lag = f.get("lag_days", 0)
        label = None
        for k, e in enumerate(effects):
            if fac == set(planted_factors(e)) and abs(lag - e["lag"]) <= 1 and direction_ok(e, f):
                label = "true"
                found.add(k)
                break
        if label is None:
            if "nsaid" in fac:
                label = "nsaid"
            elif fac & window:
                label = "window"
            elif len(fac) == 2 and any(e["type"] != "combination" and planted_factors(e)[0] in fac
                                       for e in effects):
                label = "passenger"
            elif any(fac == set(planted_factors(e)) for e in effects):
                label = "planted_off"   # the planted factor, at another lag or side
            elif any(fac <= set(planted_factors(e)) for e in effects if e["type"] == "combination"):
                label = "combination_member"
            elif any(fac & set(planted_factors(e)) for e in effects):
                label = "planted_partial"
            else:
                label = "false"
        labels.append(label)
    return labels, found


def auc(score, y):
    score, y = np.asarray(score, float), np.asarray(y, bool)
    pos, neg = score[y], score[~y]
    if len(pos) == 0 or len(neg) == 0:
        return float("nan")
    return float(mannwhitneyu(pos, neg, alternative="two-sided").statistic / (len(pos) * len(neg)))


def alarm_counts(diaries, alarm_of):
    """False notifications, false alarm evenings, evenings, onsets, warned
    onsets, pooled over diaries. alarm_of(dv) gives a bool array over the
    diary's evaluation evenings."""
    fa_runs = fa_evenings = evenings = onsets = warned = 0
    for dv in diaries:
        alarm = alarm_of(dv)
        days = dv["day_index"]
        onset_set = dv["onset_days"]
        evenings += len(days)
        alarm_days = set(days[alarm].tolist())
        for d in days[alarm]:
            if (d + 1) not in onset_set and (d + 2) not in onset_set:
                fa_evenings += 1
        i = 0
        while i < len(days):
            if not alarm[i]:
                i += 1
                continue
            j = i
            while j + 1 < len(days) and alarm[j + 1] and days[j + 1] == days[j] + 1:
                j += 1
            if not any(t in onset_set for t in range(days[i] + 1, days[j] + 3)):
                fa_runs += 1
            i = j + 1
        day_set = set(days.tolist())
        for t in onset_set:
            if (t - 1) in day_set or (t - 2) in day_set:
                onsets += 1
                if (t - 1) in alarm_days or (t - 2) in alarm_days:
                    warned += 1
    return {"false_runs": fa_runs, "false_evenings": fa_evenings, "evenings": evenings,
            "onsets": onsets, "warned": warned}


def per30(c, key):
    return 30.0 * c[key] / c["evenings"] if c["evenings"] else float("nan")


def best_at_budget(diaries, key, budget):
    """The highest share of onsets warned by a pooled cut-off on dv[key]
    whose false alarm evenings per 30 evenings stay within budget. Evenings,
    not runs: counted in runs, an alarm that never ends would be one
    notification and warn of everything."""
    values = np.concatenate([dv[key] for dv in diaries])
    cuts = np.unique(np.quantile(values, np.linspace(0.5, 1.0, 201)))
    best = (0.0, float("inf"))
    for cut in cuts:
        c = alarm_counts(diaries, lambda dv: dv[key] >= cut)
        if per30(c, "false_evenings") <= budget + 1e-12 and c["onsets"]:
            share = c["warned"] / c["onsets"]
            if share > best[0]:
                best = (share, float(cut))
    return best


def diary_view(r):
    """The evenings both the truth and the backtest judge, as arrays."""
    truth = r["truth"]
    start = datetime.date.fromisoformat(truth["start"])
    records = {b["date"]: b for b in r["backtest"].get("days", [])}
    stiff = [d["stiffness"] for d in truth["days"] if d["stiffness"] is not None]
    median = float(np.median(stiff)) if stiff else 0.0
    rows = []
    for i, d in enumerate(truth["days"]):
        b = records.get(d["date"])
        if d["evening"] and b is not None:
            rows.append((i, b["risk"], b["level"] in ALARM, d["true_p48"],
                         median if d["stiffness"] is None else d["stiffness"], d["label48"]))
    onset_days = {(datetime.date.fromisoformat(o) - start).days for o in truth["onsets"]}
    a = np.array(rows, dtype=float).reshape(-1, 6)
    return {"kind": r["kind"], "day_index": a[:, 0].astype(int), "risk": a[:, 1],
            "alarm": a[:, 2].astype(bool), "true": a[:, 3], "simple": a[:, 4],
            "y": a[:, 5].astype(bool), "onset_days": onset_days,
            "backtest_days": len(records)}


def figures(results):
    f = {}
    n_by = {k: sum(1 for r in results if r["kind"] == k) for k in ("planted", "null", "confounded")}
    f["diaries"] = len(results)
    f.update({f"diaries_{k}": v for k, v in n_by.items()})
    counts = {k: 0 for k in ("true", "nsaid", "window", "passenger", "planted_off", "combination_member",
                             "planted_partial", "false")}
    detectable = found_detectable = planted_total = found_total = 0
    false_null = 0
    nsaid_diaries = passenger_diaries = window_diaries = 0
    false_planted = 0
    by_type = {}
    for r in results:
        t = r["truth"]
        findings = (r["triggers"].get("triggers") or []) + (r["triggers"].get("protective") or [])
        labels, found = classify(t, findings)
        for lab in labels:
            counts[lab] += 1
        if r["kind"] == "null":
            false_null += len(findings)
        if r["kind"] == "planted":
            false_planted += labels.count("false")
        nsaid_diaries += bool(t["nsaid_by_indication"])
        passenger_diaries += any(e["type"] != "combination" for e in t["effects"])
        window_diaries += bool(t["window_factor"] or t["early_only_factors"])
        for k, e in enumerate(t["effects"]):
            planted_total += 1
            found_total += k in found
            bt = by_type.setdefault(e["type"], [0, 0])
            if e["detectable"]:
                detectable += 1
                found_detectable += k in found
                bt[0] += 1
                bt[1] += k in found
    f["planted_effects"] = planted_total
    f["detectable_effects"] = detectable
    f["detectable_found"] = found_detectable
    f["recall"] = found_detectable / detectable if detectable else float("nan")
    f["recall_all_planted"] = found_total / planted_total if planted_total else float("nan")
    for typ, (n, k) in sorted(by_type.items()):
        f[f"recall_{typ}"] = k / n if n else float("nan")
    f["false_per_null"] = false_null / n_by["null"] if n_by["null"] else float("nan")
    # Nothing moves pain or stiffness outside flares in a null diary, so
    # every daily-level finding there is false.
    f["level_false_per_null"] = (sum(len(r["triggers"].get("symptom_levels") or [])
                                     for r in results if r["kind"] == "null") / n_by["null"]
                                 if n_by["null"] else float("nan"))
    f["nsaid_per_diary"] = counts["nsaid"] / nsaid_diaries if nsaid_diaries else float("nan")
    f["passenger_per_diary"] = counts["passenger"] / passenger_diaries if passenger_diaries else float("nan")
    f["indication_or_passenger_per_diary"] = ((counts["nsaid"] + counts["passenger"]) / nsaid_diaries
                                              if nsaid_diaries else float("nan"))
    f["window_per_diary"] = counts["window"] / window_diaries if window_diaries else float("nan")
    f["false_planted"] = false_planted / n_by["planted"] if n_by["planted"] else float("nan")
    f["findings_by_label"] = counts

    views = [diary_view(r) for r in results]
    views = [v for v in views if len(v["y"])]
    risk = np.concatenate([v["risk"] for v in views])
    true = np.concatenate([v["true"] for v in views])
    simple = np.concatenate([v["simple"] for v in views])
    y = np.concatenate([v["y"] for v in views])
    f["evenings"] = int(len(y))
    f["evening_onsets"] = int(y.sum())
    f["auc"] = auc(risk, y)
    f["auc_simple"] = auc(simple, y)
    f["auc_true"] = auc(true, y)
    f["auc_vs_true"] = f["auc"] / f["auc_true"] if f["auc_true"] else float("nan")
    base = np.concatenate([np.full(len(v["y"]), v["y"].mean()) for v in views])
    ref = float(np.sum((base - y) ** 2))
    f["brier"] = float(np.mean((risk - y) ** 2))
    f["brier_reference"] = ref / len(y)
    f["brier_skill"] = 1 - float(np.sum((risk - y) ** 2)) / ref if ref else float("nan")
    f["brier_skill_true"] = 1 - float(np.sum((true - y) ** 2)) / ref if ref else float("nan")
    f["calibration_ratio"] = float(risk.mean() / y.mean()) if y.mean() else float("nan")
    f["calibration_ratio_true"] = float(true.mean() / y.mean()) if y.mean() else float("nan")

    nulls = [v for v in views if v["kind"] == "null"]
    if nulls:
        c = alarm_counts(nulls, lambda v: v["alarm"])
        f["false_alarms_null_30d"] = per30(c, "false_runs")
        f["false_alarms_null_evenings_30d"] = per30(c, "false_evenings")
    c = alarm_counts(views, lambda v: v["alarm"])
    f["false_alarms_all_30d"] = per30(c, "false_runs")
    f["false_alarms_all_evenings_30d"] = per30(c, "false_evenings")
    f["onsets_judged"] = c["onsets"]
    f["share_warned"] = c["warned"] / c["onsets"] if c["onsets"] else float("nan")
    budget = f["false_alarms_all_evenings_30d"]
    f["share_warned_true"], _ = best_at_budget(views, "true", budget)
    f["share_warned_simple"], _ = best_at_budget(views, "simple", budget)
    f["warned_vs_true"] = (f["share_warned"] / f["share_warned_true"]
                           if f["share_warned_true"] else float("nan"))
    # At the target budget of one false alarm evening per 30 evenings.
    f["share_warned_true_at_1"], _ = best_at_budget(views, "true", 1.0)
    f["share_warned_simple_at_1"], _ = best_at_budget(views, "simple", 1.0)
    f["system_summary_false_alarms_30d_mean"] = float(np.mean(
        [r["backtest"].get("summary", {}).get("false_alarms_per_30d", float("nan")) for r in results]))
    return f


def evaluate(n, jobs=1):
    diaries = plan(n)
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        results = list(pool.map(lambda a: run_diary(*a), diaries))
    return results, figures(results)


def main():
    ap = argparse.ArgumentParser(description="simmer's figures on independently simulated diaries")
    ap.add_argument("--diaries", type=int, default=24)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    a = ap.parse_args()
    _, f = evaluate(a.diaries, a.jobs)
    if a.json:
        print(json.dumps(f, indent=1, sort_keys=True))
    else:
        for k, v in f.items():
            print(f"{k:40s} {v:.4g}" if isinstance(v, float) else f"{k:40s} {v}")


if __name__ == "__main__":
    main()
