# SPDX-License-Identifier: ISC
"""A trial's numbers against an independent implementation: a diary is made
here (numpy), imported into a real simmerd on the test clock, and an
experiment is planned over its last weeks; statsmodels (OLS with the HAC,
Newey-West, covariance and with the ordinary one) and scipy (Student's t)
then compute, from the same entries, what `experiment status --json` must
say: for each outcome the lag with the clearest difference, the difference
with and without the factor, its 95% interval, the days compared, whether
the rise holds after paying for every outcome and lag (Bonferroni), and the
verdict. Pain stays under the flare level, so no day leaves the levels.
One plan repeats its elimination and reintroduction four times (--cycles),
so that its days are pooled and Newey-West takes more lags (a tenth of the
days compared, 3 to 7).

Where flare onsets alone keep a verdict open, simmer says how many cycles
would find a rise of 0.1 in the daily chance of an onset 4 times in 5: on
a trial of the independent simulator (indep_sim.py) that says so, scipy's
normal quantiles recompute the cycles from the numbers it reports, and
numpy draws 4000 trials of that size, with onsets on independent days at
the person's rate and 0.1 above it, to see that the comparison at the
trial's Bonferroni level does find the rise about 4 times in 5."""
import datetime
import json
import math
import os
import sys

import numpy as np
from scipy import stats
from statsmodels.regression.linear_model import OLS

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tap  # noqa: E402
from tap import check  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import harness  # noqa: E402
import indep_sim  # noqa: E402

FIRST = datetime.date(2026, 3, 2)
DAYS = 70
TRIAL = (36, 14, 10, 3, 1)  # first day index, eliminate, reintroduce, washout, cycles
CYCLES = (6, 8, 6, 3, 4)
MIN_GROUP, MIN_DAYS, MAX_LAG = 3, 7, 3
TOL = 1e-6                  # closed-form quantities
TOL_T = 2e-3                # intervals: simmer's t quantile is an expansion



def trial_days(trial):
    start, e, r, w, cycles = trial
    return cycles * (e + r) + w


def hac_lags(n):
    return min(7, max(3, n // 10))


def make_diary(seed, effect_lag, effect, trial):
    """Daily pain (AR(1) around 3, under 7), bloating, and dairy; dairy
    raises pain `effect` points `effect_lag` days later. Three days inside
    the trial have no entry at all."""
    rng = np.random.default_rng(seed)
    start, e, r, w, cycles = trial
    dairy = (rng.uniform(size=DAYS) < 0.3).astype(float)
    dairy[start:] = 0
    for c in range(cycles):
        dairy[start + c * (e + r) + e:start + (c + 1) * (e + r)] = 1
    dairy[start + 4] = 1            # one break
    noise = np.zeros(DAYS)
    for d in range(1, DAYS):
        noise[d] = 0.5 * noise[d - 1] + rng.normal(0, 0.8)
    pain = np.array([3 + noise[d] + (effect * dairy[d - effect_lag] if d >= effect_lag else 0)
                     for d in range(DAYS)])
    pain = np.clip(np.round(pain), 0, 6)
    bloating = np.clip(np.round(2 + rng.normal(0, 1, DAYS)), 0, 10)
    logged = np.ones(DAYS, bool)
    logged[[start + 2, start + 9, start + 17]] = False
    rows = []
    for d in range(DAYS):
        if not logged[d]:
            continue
        day = FIRST + datetime.timedelta(days=d)
        if dairy[d]:
            rows.append(f"{day}T08:00:00Z,dairy,1")
        rows.append(f"{day}T20:00:00Z,pain,{int(pain[d])}")
        rows.append(f"{day}T20:05:00Z,bloating,{int(bloating[d])}")
    x = np.where(logged, dairy, np.nan)
    y = {"pain": np.where(logged, pain, np.nan), "bloating": np.where(logged, bloating, np.nan)}
    return rows, x, y


def reference_outcome(x, y, trial):
    """Every lag's fit for one outcome over the trial's days, as statsmodels
    and scipy compute it; the chosen lag's, and how many lags were fitted."""
    start = trial[0]
    fits = []
    for lag in range(MAX_LAG + 1):
        rows = [d for d in range(start, start + trial_days(trial))
                if d - lag >= 0 and not math.isnan(y[d]) and not math.isnan(x[d - lag])]
        xs = np.array([x[d - lag] for d in rows])
        ys = np.array([y[d] for d in rows])
        n, with_days = len(rows), int(xs.sum())
        if n < MIN_DAYS or with_days < MIN_GROUP or n - with_days < MIN_GROUP:
            continue
        design = np.column_stack([np.ones(n), xs])
        hac = OLS(ys, design).fit(cov_type="HAC",
                                  cov_kwds={"maxlags": hac_lags(n), "use_correction": True})
        plain = OLS(ys, design).fit()
        se = max(hac.bse[1], plain.bse[1])
        t = stats.t.ppf(0.975, n - 2)
        fits.append({"lag": lag, "effect": hac.params[1], "se": se, "lo": hac.params[1] - t * se,
                     "hi": hac.params[1] + t * se, "days": n, "with_days": with_days,
                     "with_mean": ys[xs > 0].mean(), "without_mean": ys[xs == 0].mean(),
                     "se_hac": hac.bse[1], "se_ols": plain.bse[1]})
    best = max(fits, key=lambda f: abs(f["effect"]) / f["se"]) if fits else None
    return best, len(fits)


def imported_status(env, path, factor, start, e, r, w, cycles):
    """Imports the diary into a fresh simmerd on env's clock, starts the
    experiment, and returns `experiment status --json`'s experiment."""
    d = harness.Daemon(env).start()
    try:
        harness.simmer(env, "import", path, check=0, timeout=120)
        harness.simmer(env, "experiment", "start", factor, "--start", str(start), "--eliminate",
                       e, "--reintroduce", r, "--washout", w, "--cycles", cycles, check=0)
        return json.loads(harness.simmer(env, "experiment", "status", "--json",
                                         check=0).stdout)["experiment"]
    finally:
        d.stop()


def run(seed, effect_lag, effect, trial=TRIAL):
    rows, x, y = make_diary(seed, effect_lag, effect, trial)
    env = harness.Env()
    last = FIRST + datetime.timedelta(days=DAYS - 1)
    env.vars["SIMMER_NOW"] = f"{last}T21:00:00Z"
    try:
        path = os.path.join(env.root, "diary.csv")
        with open(path, "w") as f:
            f.write("time,factor,value\n" + "\n".join(rows) + "\n")
        start, e, r, w, cycles = trial
        got = imported_status(env, path, "dairy", FIRST + datetime.timedelta(days=start), e, r,
                              w, cycles)
    finally:
        env.cleanup()
    refs = {name: reference_outcome(x, y[name], trial) for name in ("pain", "bloating")}
    family = sum(n for _, n in refs.values())
    tag = f"seed {seed}, planted {effect} points at lag {effect_lag}"
    if trial[4] > 1:
        tag += f", {trial[4]} cycles"
    outcomes = {o["name"]: o for o in got["outcomes"]}
    check(f"{tag}: the outcomes are pain, bloating and flare onsets",
          [o["name"] for o in got["outcomes"]] == ["pain", "bloating", "flare onsets"],
          str([o["name"] for o in got["outcomes"]]))
    any_harmful = False
    for name, (ref, _) in refs.items():
        o = outcomes.get(name, {})
        if ref is None:
            check(f"{tag}: {name} not compared, as in the reference", o.get("tested") is False)
            continue
        check(f"{tag}: {name}: the chosen lag matches", o.get("lag_days") == ref["lag"],
              f"simmer {o.get('lag_days')}, reference {ref['lag']}")
        check(f"{tag}: {name}: days and days with it match",
              (o.get("days"), o.get("with_days")) == (ref["days"], ref["with_days"]),
              f"simmer {o.get('days')}/{o.get('with_days')}, reference "
              f"{ref['days']}/{ref['with_days']}")
        err = max(abs(o.get(k, math.inf) - ref[k]) for k in ("effect", "with_mean", "without_mean"))
        check(f"{tag}: {name}: the difference and the two means match statsmodels' OLS",
              err < TOL, f"max error {err:.2e}")
        err = max(abs(o.get(k, math.inf) - ref[k]) for k in ("lo", "hi"))
        check(f"{tag}: {name}: the 95% interval (max of HAC and OLS errors, Student's t) matches",
              err < TOL_T, f"max error {err:.2e}; HAC se {ref['se_hac']:.4f}, OLS se "
              f"{ref['se_ols']:.4f}")
        t_adj = stats.t.ppf(1 - 0.025 / family, ref["days"] - 2)
        harmful = bool(ref["effect"] - t_adj * ref["se"] > 0)
        any_harmful |= harmful
        check(f"{tag}: {name}: the rise holds after paying for {family} lags and outcomes, "
              f"as in the reference", o.get("harmful") == harmful,
              f"simmer {o.get('harmful')}, reference {harmful}")
    check(f"{tag}: one break, dated", got["breaks"] == 1 and got["break_days"] ==
          [str(FIRST + datetime.timedelta(days=trial[0] + 4))], str(got["break_days"]))
    if any_harmful:
        check(f"{tag}: the verdict is likely a trigger", got["verdict"] == "likely_trigger",
              got["verdict"])
    else:
        check(f"{tag}: the verdict is not likely a trigger", got["verdict"] != "likely_trigger",
              got["verdict"])
    return any_harmful


def power_case():
    """The cycles that would settle flare onsets, against scipy and numpy."""
    work = harness.Env()
    try:
        path, truth = indep_sim.write(1, "planted", work.root, 0, "harmless:21:21:3:0:4")
        t = truth["trial"]
        last = datetime.date.fromisoformat(truth["last_date"])
        work.vars["SIMMER_NOW"] = f"{last + datetime.timedelta(days=1)}T12:00:00Z"
        got = imported_status(work, path, t["factor"], t["start"], 21, 21, 3, 4)
    finally:
        work.cleanup()
    need = got.get("onsets_need")
    check("power: this trial's verdict leaves flare onsets open (the case is a real test)",
          need is not None, got["verdict_text"])
    if need is None:
        return
    p0, p1, margin = need["rate"], need["rate"] + 0.1, 0.1
    with_days, without_days = need["with_days"], need["days"] - need["with_days"]
    ratio = with_days / without_days
    alpha = 0.025 / need["comparisons"]
    z = stats.norm.ppf(1 - alpha) + stats.norm.ppf(0.8)
    with_needed = z * z * (p1 * (1 - p1) + p0 * (1 - p0) * ratio) / margin ** 2
    cycles = min(99, math.ceil(with_needed / (with_days / need["cycles_done"])))
    check("power: the cycles needed match scipy's normal quantiles",
          need["cycles"] == cycles, f"simmer {need['cycles']}, reference {cycles}; {need}")
    check("power: the verdict says them", f"about {need['cycles']} cycles of 21 days without"
          in got["verdict_text"], got["verdict_text"])
    # Trials of the size asked for, on independent days at risk: the
    # difference's t test at the Bonferroni level finds the rise 4 times in 5.
    rng = np.random.default_rng(7)
    n1 = math.ceil(with_needed)
    n0 = math.ceil(n1 / ratio)
    sims = 4000
    y1 = rng.random((sims, n1)) < p1
    y0 = rng.random((sims, n0)) < p0
    m1, m0 = y1.mean(axis=1), y0.mean(axis=1)
    ssr = (y1.sum(axis=1) * (1 - m1) ** 2 + (n1 - y1.sum(axis=1)) * m1 ** 2 +
           y0.sum(axis=1) * (1 - m0) ** 2 + (n0 - y0.sum(axis=1)) * m0 ** 2)
    se = np.sqrt(ssr / (n1 + n0 - 2) * (1 / n1 + 1 / n0))
    found = float(np.mean(m1 - m0 - stats.t.ppf(1 - alpha, n1 + n0 - 2) * se > 0))
    check("power: simulated trials of that size find a rise of 0.1 about 4 times in 5",
          0.74 <= found <= 0.86, f"{found:.3f} of {sims} ({n1} days at risk with it, {n0} "
          f"without, rate {p0:.3f})")


def main():
    found = run(11, 2, 2.0)
    check("a rise of 2 points two days later holds in the reference (the case is a real test)",
          found)
    run(12, 0, 0.0)
    run(13, 1, 0.8)
    run(14, 1, 1.2, CYCLES)
    power_case()
    return tap.report()


if __name__ == "__main__":
    sys.exit(main())
