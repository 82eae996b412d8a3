#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""A second diary simulator, written apart from tests/tools/diary_sim.h, to
judge simmer's analysis on diaries it was not tuned to.

It shares no code and no modelling choices with the C simulator. What it
makes, per diary (deterministic from the seed):

  - about 540 days starting on a fixed calendar date (the evaluation sets the
    test clock from the diary, so nothing depends on today's date);
  - flares: an onset starts a flare of 3 to 7 days with pain >= 7 on every
    flare day (every pain entry of the day), then 2 recovery days (pain 4-6)
    in which no new flare can begin;
  - the daily onset hazard on an at-risk day is logistic:
        logit h(d) = b0 + sum_k log(OR_k) * I_k(d)
    where I_k(d) says whether planted effect k's exposure condition held on
    day d - lag_k. Three kinds of effect, OR 3-7, lag 0-3:
        single       a food present (any amount);
        dose         sleep_hours under a cut (e.g. < 6 h), or a food's count
                     of servings at or over k;
        combination  two foods on the same day; each alone does nothing;
  - a prodrome before only some onsets (a diary-specific share, 30-60%):
    stiffness 2 points higher two days before the onset and 3.5 points
    higher the day before; otherwise stiffness does not move before onsets;
  - exposures: each food on 5-30% of days, independent across days and
    foods; sleep_hours, stress and activity every day;
  - nsaid taken BECAUSE of pain: on most onset days and many flare days,
    always logged after the day's first pain entry, rarely on other days;
    it has no effect on anything;
  - logging gaps of 2-6 weeks with no entries at all;
  - a null food logged only during part of the diary (its window);
  - in "confounded" diaries: a single trigger (alcohol) plus a common food
    with no effect (the passenger), nsaid by indication, and a first stretch
    of weeks in which only `period` (and sleep) was logged, pain not yet;
  - "null" diaries: no effect, no nsaid, no prodrome; flares come at a
    constant hazard.

Times of day: a day's entries fall between 06:30 and 22:00 (simmer's day
starts at 04:00). On an onset day the first pain entry comes at 09:00-19:00,
and the exposures that act at lag 0 are logged before it (an exposure after
the onset cannot have caused it).

Truth, per diary (JSON): the planted effects with the exposure share, the
exposed onsets and whether the effect is DETECTABLE in this diary:
    at least 5 onsets on observed at-risk days with the condition observed
    at the effect's lag, and a one-sided Fisher exact p <= 0.001 for "onset
    more likely when exposed" over the observed at-risk days.
That is a fair bar for one diary: an effect that the diary's own 2x2 table
cannot show at p <= 0.001 is not one an analysis that searches ~100
hypotheses can be blamed for missing.

The TRUE MODEL's evening probability: for an evening d that is not a flare
day, P(an onset on d+1 or d+2 | what was logged by that evening), from this
generating process: the hazards of d+1 and d+2 from the logged exposures
(unlogged ones, including every exposure of d+1 and d+2, integrated out by
Monte Carlo over the exposure distribution, 2048 draws), the flare/recovery
state of day d (known to the model), and the likelihood of the evening's and
previous evening's logged stiffness under "onset tomorrow", "onset the day
after" and "neither" (with and without a prodrome). It does not use the past
onsets' information about unlogged exposures (a small approximation near
gaps).

A TRIAL (--trial FOOD:E:R:W[:B[:C]]): the diary's last C*(E+R)+W days
follow an elimination experiment's plan for one food: none of it for E
days (except on B days spread over them, the breaks), at least one serving
every day for R days, those two C times over (1 unless given), then none
for W days; every day of it is logged. FOOD is a food's
name, `planted` (the first planted single trigger's food) or `harmless` (a
food of the person's with no planted effect). The truth's "trial" says
which food and when. The planted effects act as always, on onsets only.

Usage: python3 indep_sim.py --seed 7 --kind planted --out DIR
writes DIR/diary-7.csv (time,factor,value,note: `simmer import` reads it)
and DIR/truth-7.json.
"""
import argparse
import datetime
import json
import math
import os

import numpy as np

START = datetime.date(2023, 3, 6)
FOODS = ["dairy", "gluten", "sugar", "processed_food", "late_meal", "skipped_meal", "omega3",
         "fermented", "coffee", "tomato", "chocolate", "citrus", "red_meat", "spicy_food",
         "onion", "peanuts", "eggs", "soy"]
RECOVERY_DAYS = 2
MC_DRAWS = 2048
PRODROME_DAY2 = 2.0   # stiffness rise two days before an onset
PRODROME_DAY1 = 3.5   # and the day before
STIFF_SD = 1.2
DETECT_MIN_ONSETS = 5
DETECT_MAX_P = 0.001


def logit(p):
    return math.log(p / (1 - p))


def minutes_to_clock(m):
    m = int(m)
    return f"{m // 60:02d}:{m % 60:02d}:00"


class Person:
    """The diary's habits: which foods, how often, how much; sleep, stress."""

    def __init__(self, rng, kind):
        self.kind = kind
        n_foods = int(rng.integers(8, 12))
        self.foods = [str(f) for f in rng.choice(FOODS, size=n_foods, replace=False)]
        # Share of days with the food, and extra servings on those days.
        self.p = {f: float(rng.uniform(0.05, 0.30)) for f in self.foods}
        self.extra = {f: float(rng.uniform(0.2, 1.2)) for f in self.foods}
        self.sleep_mu = float(rng.uniform(6.6, 7.6))
        self.sleep_sd = float(rng.uniform(0.8, 1.2))
        self.stress_mu = float(rng.uniform(2.5, 5.0))
        self.activity_p = float(rng.uniform(0.3, 0.6))
        self.stiff_mu = float(rng.uniform(1.5, 3.0))
        self.pain_mu = float(rng.uniform(2.0, 3.5))
        self.prodrome_share = 0.0 if kind == "null" else float(rng.uniform(0.3, 0.6))

    def draw(self, rng, n):
        """n independent days of exposures: dict factor -> array."""
        x = {}
        for f in self.foods:
            on = rng.random(n) < self.p[f]
            x[f] = np.where(on, 1 + rng.poisson(self.extra[f], n), 0).astype(float)
        x["sleep_hours"] = np.clip(np.round(rng.normal(self.sleep_mu, self.sleep_sd, n) * 4) / 4, 3, 11)
        x["stress"] = np.clip(np.round(rng.normal(self.stress_mu, 1.8, n)), 0, 10)
        act = rng.random(n) < self.activity_p
        x["activity_minutes"] = np.where(act, np.round(rng.gamma(2.0, 25.0, n)) + 5, 0)
        return x


def indicator(effect, x):
    """Whether the effect's condition holds, per element of the arrays in x."""
    t = effect["type"]
    if t == "single":
        return x[effect["factor"]] > 0
    if t == "dose":
        v = x[effect["factor"]]
        return v < effect["threshold"] if effect["op"] == "<" else v >= effect["threshold"]
    a, b = effect["factors"]
    return (x[a] > 0) & (x[b] > 0)


def effect_factors(effect):
    return effect["factors"] if effect["type"] == "combination" else [effect["factor"]]


def plant_effects(rng, person, kind, index):
    """The diary's planted effects; each type in turn leads, so a set of
    diaries covers all three."""
    if kind == "null":
        return []
    free = list(person.foods)
    rng.shuffle(free)
    effects = []

    def take():
        return free.pop()

    def odds_ratio():
        return float(rng.uniform(3.0, 7.0))

    if kind == "confounded":
        person.foods.append("alcohol")
        person.p["alcohol"] = float(rng.uniform(0.18, 0.28))
        person.extra["alcohol"] = float(rng.uniform(0.3, 1.5))
        effects.append({"type": "single", "factor": "alcohol", "lag": int(rng.integers(0, 3)),
                        "or": float(rng.uniform(4.5, 7.0))})
        return effects
    order = ["single", "dose", "combination"]
    order = order[index % 3:] + order[:index % 3]
    n_effects = int(rng.integers(2, 4))
    for t in order[:n_effects]:
        lag = int(rng.integers(0, 4))
        if t == "single":
            f = take()
            person.p[f] = float(rng.uniform(0.10, 0.30))
            effects.append({"type": "single", "factor": f, "lag": lag, "or": odds_ratio()})
        elif t == "dose":
            if rng.random() < 0.5:
                cut = float(rng.choice([5.5, 6.0, 6.5]))
                person.sleep_mu = max(person.sleep_mu, cut + 0.8)
                effects.append({"type": "dose", "factor": "sleep_hours", "op": "<", "threshold": cut,
                                "lag": int(rng.integers(0, 2)), "or": odds_ratio()})
            else:
                f = take()
                person.p[f] = float(rng.uniform(0.2, 0.35))
                person.extra[f] = float(rng.uniform(0.8, 1.6))
                k = int(rng.integers(2, 4))
                effects.append({"type": "dose", "factor": f, "op": ">=", "threshold": float(k),
                                "lag": lag, "or": odds_ratio()})
        else:
            a, b = take(), take()
            person.p[a] = float(rng.uniform(0.2, 0.35))
            person.p[b] = float(rng.uniform(0.2, 0.35))
            effects.append({"type": "combination", "factors": [a, b], "lag": lag, "or": odds_ratio()})
    return effects


def fisher_greater(a, exposed, onsets, total):
    """One-sided Fisher exact p: P(X >= a) for X ~ hypergeometric."""
    if exposed == 0 or onsets == 0:
        return 1.0
    lo, hi = max(0, onsets + exposed - total), min(onsets, exposed)

    def logpmf(k):
        return (math.lgamma(onsets + 1) - math.lgamma(k + 1) - math.lgamma(onsets - k + 1)
                + math.lgamma(total - onsets + 1) - math.lgamma(exposed - k + 1)
                - math.lgamma(total - onsets - exposed + k + 1)
                - (math.lgamma(total + 1) - math.lgamma(exposed + 1) - math.lgamma(total - exposed + 1)))
    return float(min(1.0, sum(math.exp(logpmf(k)) for k in range(max(a, lo), hi + 1))))


def norm_cdf(z):
    return 0.5 * (1 + math.erf(z / math.sqrt(2)))


def stiff_lik(value, mean):
    """P(logged stiffness == value) when it is round(clip(N(mean, sd), 0, 10))."""
    lo = -math.inf if value <= 0 else (value - 0.5 - mean) / STIFF_SD
    hi = math.inf if value >= 10 else (value + 0.5 - mean) / STIFF_SD
    return max(1e-300, norm_cdf(hi) - norm_cdf(lo))


def plan_trial(rng, spec, person, effects, x, n, logged, window_food):
    """Applies a trial (see the top) to the exposures and the logging;
    returns its description for the truth."""
    name, e, r, w, *rest = spec.split(":")
    e, r, w = int(e), int(r), int(w)
    breaks = int(rest[0]) if rest else 0
    cycles = int(rest[1]) if len(rest) > 1 else 1
    if name == "planted":
        singles = [f["factor"] for f in effects if f["type"] == "single"]
        if not singles:
            raise SystemExit("indep_sim: --trial planted needs a diary with a single trigger")
        name = singles[0]
    elif name == "harmless":
        used = {f for eff in effects for f in effect_factors(eff)}
        free = [f for f in person.foods if f not in used and f != window_food]
        name = free[int(rng.integers(0, len(free)))]
    if name not in person.foods:
        person.foods.append(name)
        x[name] = np.zeros(n)
    t0 = n - (cycles * (e + r) + w)
    days = np.zeros(cycles * (e + r) + w)
    for c in range(cycles):
        c0 = c * (e + r)
        for b in range(breaks):
            days[c0 + (2 * b + 1) * e // (2 * breaks)] = 1
        days[c0 + e:c0 + e + r] = 1 + rng.poisson(person.extra.get(name, 0.5), r)
    x[name][t0:] = days
    logged[t0:] = True
    out = {"factor": name, "start": (START + datetime.timedelta(days=t0)).isoformat(),
           "eliminate": e, "reintroduce": r, "washout": w, "breaks": breaks}
    if cycles > 1:
        out["cycles"] = cycles
    return out


def simulate(seed, kind, index=0, trial=None):
    rng = np.random.default_rng(seed)
    person = Person(rng, kind)
    effects = plant_effects(rng, person, kind, index)
    n = int(rng.integers(520, 561))
    x = person.draw(rng, n)

    # Logging: gaps with no entries, a late start for pain, a windowed food.
    logged = np.ones(n, bool)
    for _ in range(int(rng.integers(1, 4))):
        length = int(rng.integers(14, 43))
        start = int(rng.integers(60, n - 30 - length))
        logged[start:start + length] = False
    pain_from = int(rng.integers(50, 90)) if kind == "confounded" else 0
    window_food = None
    null_foods = [f for f in person.foods if all(f not in effect_factors(e) for e in effects)]
    if null_foods and rng.random() < 0.7:
        window_food = null_foods[int(rng.integers(0, len(null_foods)))]
        w0 = int(rng.integers(0, n // 3))
        window = (w0, int(min(n, w0 + rng.integers(n // 3, 2 * n // 3))))
    if kind == "confounded":
        passenger = max(null_foods, key=lambda f: person.p[f])
        person.p[passenger] = 0.3
        x[passenger] = np.where(rng.random(n) < 0.3, 1 + rng.poisson(person.extra[passenger], n), 0).astype(float)
        x["alcohol"] = np.where(rng.random(n) < person.p["alcohol"],
                                1 + rng.poisson(person.extra["alcohol"], n), 0).astype(float)
        # The menstrual cycle: about 5 days in 28, logged from day 0 on.
        phase = int(rng.integers(0, 28))
        x["period"] = (((np.arange(n) + phase) % 28) < 5).astype(float)
    else:
        passenger = None
    trial_truth = None
    if trial:
        trial_truth = plan_trial(rng, trial, person, effects, x, n, logged, window_food)

    # Hazard per day from the planted effects.
    b0 = logit(float(rng.uniform(0.06, 0.09)))
    lin = np.full(n, b0)
    ind = {}
    for k, e in enumerate(effects):
        i_now = indicator(e, x).astype(bool)
        shifted = np.zeros(n, bool)
        shifted[e["lag"]:] = i_now[:n - e["lag"]]
        ind[k] = shifted
        lin += math.log(e["or"]) * shifted
    hazard = 1 / (1 + np.exp(-lin))

    # Flares: at-risk -> onset -> flare of 3-8 days -> recovery -> at risk.
    onset = np.zeros(n, bool)
    in_flare = np.zeros(n, bool)
    recovery = np.zeros(n, bool)
    d = 0
    while d < n:
        if rng.random() < hazard[d]:
            length = 3 + min(4, int(rng.poisson(1.2)))
            onset[d] = True
            in_flare[d:d + length] = True
            recovery[d + length:d + length + RECOVERY_DAYS] = True
            d += length + RECOVERY_DAYS
        else:
            d += 1
    prodrome = np.zeros(n, bool)
    stiff_mean = np.where(in_flare, 6.8, np.where(recovery, person.stiff_mu + 1.5, person.stiff_mu))
    for t in np.flatnonzero(onset):
        if rng.random() < person.prodrome_share:
            prodrome[t] = True
            if t >= 1:
                stiff_mean[t - 1] += PRODROME_DAY1
            if t >= 2:
                stiff_mean[t - 2] += PRODROME_DAY2
    stiffness = np.clip(np.round(rng.normal(stiff_mean, STIFF_SD)), 0, 10)

    pain_logged = logged & (np.arange(n) >= pain_from)
    entries = []
    day0 = START

    def add(day, minute, factor, value, note=""):
        date = day0 + datetime.timedelta(days=int(day))
        entries.append((int(day), int(minute), f"{date.isoformat()}T{minutes_to_clock(minute)}+00:00",
                        factor, value, note))

    stiff_known = np.zeros(n, bool)
    planted_lag0 = {f for e in effects if e["lag"] == 0 for f in effect_factors(e)}
    nsaid_user = kind != "null"
    for day in range(n):
        if not logged[day]:
            continue
        early = day < pain_from
        first_pain = None
        if pain_logged[day]:
            if in_flare[day]:
                first_pain = int(rng.integers(9 * 60, 19 * 60)) if onset[day] else int(rng.integers(7 * 60, 12 * 60))
                add(day, first_pain, "pain", int(rng.integers(7, 11)))
                if rng.random() < 0.6:
                    add(day, int(rng.integers(first_pain + 60, 22 * 60)), "pain", int(rng.integers(7, 11)))
            elif rng.random() < 0.9:
                level = rng.normal(5.0 if recovery[day] else person.pain_mu, 1.0)
                add(day, int(rng.integers(8 * 60, 21 * 60)), "pain", int(np.clip(np.round(level), 0, 6)))
            if rng.random() < 0.85:
                stiff_known[day] = True
                add(day, int(rng.integers(17 * 60, 19 * 60 + 45)), "stiffness", int(stiffness[day]))
        if rng.random() < 0.95:
            add(day, int(rng.integers(6 * 60 + 30, 9 * 60)), "sleep_hours", float(x["sleep_hours"][day]))
        if kind == "confounded" and x["period"][day] > 0:
            add(day, int(rng.integers(7 * 60, 10 * 60)), "period", 1)
        if early:
            continue
        if rng.random() < 0.9:
            add(day, int(rng.integers(18 * 60, 21 * 60)), "stress", int(x["stress"][day]))
        if x["activity_minutes"][day] > 0:
            add(day, int(rng.integers(7 * 60, 20 * 60)), "activity_minutes", float(x["activity_minutes"][day]))
        foods = list(person.foods)
        for f in foods:
            if x[f][day] <= 0:
                continue
            if f == window_food and not (window[0] <= day < window[1]):
                continue
            if onset[day] and f in planted_lag0 and first_pain is not None:
                minute = int(rng.integers(6 * 60 + 30, max(6 * 60 + 31, first_pain - 20)))
            else:
                minute = int(rng.integers(6 * 60 + 30, 22 * 60))
            add(day, minute, f, int(x[f][day]))
        if nsaid_user and first_pain is not None:
            p_take = 0.85 if onset[day] else 0.55
            if rng.random() < p_take:
                add(day, min(22 * 60 + 30, first_pain + int(rng.integers(15, 180))), "nsaid", int(rng.integers(1, 3)))
        elif nsaid_user and rng.random() < 0.03:
            add(day, int(rng.integers(8 * 60, 22 * 60)), "nsaid", 1)
    entries.sort(key=lambda e: (e[0], e[1]))

    # Which cells the diary shows: a factor on a day is known when the day
    # was logged (and, for the windowed food, inside its window).
    def known(f):
        k = logged.copy() & (np.arange(n) >= pain_from)
        if f == "sleep_hours":
            k = logged.copy()
        if f == window_food:
            k &= (np.arange(n) >= window[0]) & (np.arange(n) < window[1])
        return k

    # Evaluation evenings: logged, outcome observed, not a flare day, and
    # the next two days' outcome observed.
    outcome_known = pain_logged
    evening = np.zeros(n, bool)
    evening[:n - 2] = outcome_known[:n - 2] & ~in_flare[:n - 2] & outcome_known[1:n - 1] & outcome_known[2:n]
    label = np.zeros(n, bool)
    label[:n - 2] = onset[1:n - 1] | onset[2:n]

    # Detectability, on observed at-risk days.
    at_risk = outcome_known & (~in_flare | onset) & ~recovery
    for k, e in enumerate(effects):
        cond_known = np.ones(n, bool)
        for f in effect_factors(e):
            kn = known(f)
            shifted = np.zeros(n, bool)
            shifted[e["lag"]:] = kn[:n - e["lag"]]
            cond_known &= shifted
        rows = at_risk & cond_known
        exposed = rows & ind[k]
        a = int((exposed & onset).sum())
        p = fisher_greater(a, int(exposed.sum()), int((rows & onset).sum()), int(rows.sum()))
        e["exposed_onsets"] = a
        e["exposed_days"] = int(exposed.sum())
        e["exposure_share"] = round(float(ind[k][rows].mean()) if rows.any() else 0.0, 4)
        e["fisher_p"] = p
        e["detectable"] = bool(a >= DETECT_MIN_ONSETS and p <= DETECT_MAX_P)

    true_p = true_model(rng, person, effects, x, known, n, in_flare, recovery, stiffness,
                        stiff_known, b0, evening)
    stiff_logged = {e[0]: e[4] for e in entries if e[3] == "stiffness"}
    days = []
    for day in range(n):
        days.append({
            "date": (START + datetime.timedelta(days=day)).isoformat(),
            "logged": bool(logged[day]),
            "outcome_known": bool(outcome_known[day]),
            "onset": bool(onset[day]),
            "in_flare": bool(in_flare[day]),
            "evening": bool(evening[day]),
            "label48": bool(label[day]) if evening[day] else None,
            "true_p48": round(float(true_p[day]), 6) if evening[day] else None,
            "stiffness": stiff_logged.get(day),
        })
    truth = {
        "seed": seed, "kind": kind, "start": START.isoformat(), "n_days": n,
        "last_date": (START + datetime.timedelta(days=n - 1)).isoformat(),
        "effects": effects,
        "nsaid_by_indication": nsaid_user,
        "passenger": passenger,
        "window_factor": None if window_food is None else {
            "factor": window_food,
            "from": (START + datetime.timedelta(days=window[0])).isoformat(),
            "to": (START + datetime.timedelta(days=window[1] - 1)).isoformat()},
        "pain_from": (START + datetime.timedelta(days=pain_from)).isoformat(),
        "early_only_factors": ["period"] if kind == "confounded" else [],
        "prodrome_share": person.prodrome_share,
        "onsets": [(START + datetime.timedelta(days=int(t))).isoformat() for t in np.flatnonzero(onset)],
        "observed_onsets": int((onset & outcome_known).sum()),
        "days": days,
    }
    if trial_truth:
        truth["trial"] = trial_truth
    return entries, truth


def true_model(rng, person, effects, x, known, n, in_flare, recovery, stiffness, stiff_known,
               b0, evening):
    """P(onset on d+1 or d+2 | the evening of d), for every evaluation evening."""
    out = np.full(n, np.nan)
    known_cells = {f: known(f) for e in effects for f in effect_factors(e)}
    max_lag = max([e["lag"] for e in effects], default=0)
    # One pool of draws per day position relative to the evening (d-2 ..
    # d+2), shared by all evenings: within an evening the days stay
    # independent, and each evening's estimate is unbiased.
    pools = {j: person.draw(rng, MC_DRAWS) for j in range(1 - max_lag, 3)}
    for d in np.flatnonzero(evening):
        h = {}
        for target in (d + 1, d + 2):
            z = np.full(MC_DRAWS, b0)
            for e in effects:
                src = target - e["lag"]
                cell = {}
                for f in effect_factors(e):
                    if 0 <= src <= d and known_cells[f][src]:
                        cell[f] = np.full(MC_DRAWS, x[f][src])
                    elif src < 0:
                        cell[f] = np.zeros(MC_DRAWS)
                    else:
                        cell[f] = pools[src - d][f]
                z = z + math.log(e["or"]) * indicator(e, cell)
            h[target] = 1 / (1 + np.exp(-z))
        # At risk: d+1 unless recovering; d+2 if d+1 at risk and no onset,
        # or d+1 ends the recovery.
        rec_left = 0
        t = d
        while t >= 0 and recovery[t]:
            t -= 1
        if recovery[d]:
            # Recovery days run RECOVERY_DAYS after the flare; days left after d:
            start = t + 1
            rec_left = RECOVERY_DAYS - (d - start + 1)
        a1 = 1.0 if rec_left == 0 else 0.0
        a2 = 1.0 if rec_left <= 1 else 0.0
        pA = float(np.mean(a1 * h[d + 1]))
        pB = float(np.mean((1 - a1 * h[d + 1]) * a2 * h[d + 2]))
        pC = max(0.0, 1 - pA - pB)
        out[d] = posterior(pA, pB, pC, person, d, stiffness, in_flare, recovery, stiff_known)
    return out


def posterior(pA, pB, pC, person, d, stiffness, in_flare, recovery, stiff_known):
    """Bayes over "onset tomorrow" (A), "the day after" (B) and "neither"
    (C), given the stiffness logged on the evening and the one before."""
    share = person.prodrome_share

    def base_mean(t):
        return 6.8 if in_flare[t] else (person.stiff_mu + 1.5 if recovery[t] else person.stiff_mu)

    def lik(shift_d, shift_prev):
        v = 1.0
        if stiff_known[d]:
            v *= stiff_lik(stiffness[d], base_mean(d) + shift_d)
        if d >= 1 and stiff_known[d - 1]:
            v *= stiff_lik(stiffness[d - 1], base_mean(d - 1) + shift_prev)
        return v
    lC = lik(0, 0)
    lA = share * lik(PRODROME_DAY1, PRODROME_DAY2) + (1 - share) * lC
    lB = share * lik(PRODROME_DAY2, 0) + (1 - share) * lC
    num = pA * lA + pB * lB
    den = num + pC * lC
    return num / den if den > 0 else 0.0


def write(seed, kind, out_dir, index=0, trial=None):
    entries, truth = simulate(seed, kind, index, trial)
    csv_path = os.path.join(out_dir, f"diary-{seed}.csv")
    with open(csv_path, "w") as f:
        f.write("time,factor,value,note\n")
        for _, _, t, factor, value, note in entries:
            f.write(f"{t},{factor},{value},{note}\n")
    truth_path = os.path.join(out_dir, f"truth-{seed}.json")
    with open(truth_path, "w") as f:
        json.dump(truth, f, indent=1)
    return csv_path, truth


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--kind", choices=["planted", "null", "confounded"], default="planted")
    ap.add_argument("--index", type=int, default=0, help="which effect type leads (0-2)")
    ap.add_argument("--out", default=".")
    ap.add_argument("--trial", help="FOOD:ELIMINATE:REINTRODUCE:WASHOUT[:BREAKS[:CYCLES]] over the "
                    "last days")
    a = ap.parse_args()
    path, truth = write(a.seed, a.kind, a.out, a.index, a.trial)
    print(path, len(truth["onsets"]), "onsets;",
          ", ".join(f"{e['type']} {e.get('factor') or '+'.join(e['factors'])} lag {e['lag']} "
                    f"OR {e['or']:.1f} detectable={e['detectable']}" for e in truth["effects"]))


if __name__ == "__main__":
    main()
