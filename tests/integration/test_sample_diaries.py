# SPDX-License-Identifier: ISC
"""Small diaries in the shapes real trackers produce, each checked through a
real simmerd (import, analyze, `simmer triggers --json`) for the finding it
must NOT produce:

  - period dates logged for years before pain was logged: days without a
    pain entry are unknown, not flare-free, so "period: fewer flares" must
    not appear (and does, as it should, when those years are logged as
    pain-free);
  - a factor not logged for weeks while flares cluster, and weeks without
    any entry: outside its observation window a factor is unknown, not
    absent, so no "protective" finding comes from the gap;
  - pain that never reaches the flare level (a Bearable-style daily
    check-in): no flare findings, but the association with the daily
    level is found, in points, and a personal flare level is suggested;
  - a diary whose last entry is ten days old: status is as of that day,
    says so, and raises no risk alert (the same diary read on its last
    day does reach watch or warning);
  - the same diary with pain at the flare level on its last day: a flare
    is under way, so `why` names nothing as moving the risk, and says so;
  - medicines taken at the onset of a migraine (a treatment the person
    defined, the built-in nsaid, and one left as a plain exposure): none
    is reported as a trigger, their use is reported on its own, and the
    real trigger in the same diary is still found.

The diaries are written out day by day from fixed patterns; the dates are
relative to the test clock (SIMMER_NOW), so the year does not matter.
"""
import datetime
import json
import os
import random
import re

from harness import run_tests
from test_notify import climbing_diary

NOW = datetime.datetime(2026, 3, 1, 12, 0, tzinfo=datetime.timezone.utc)


def stamp(day, hour, minute=0):
    """The time of day `day` (0 = the diary's first day) at hour:minute."""
    return (NOW + datetime.timedelta(days=day) - datetime.timedelta(hours=12)
            + datetime.timedelta(hours=hour, minutes=minute)).strftime("%Y-%m-%dT%H:%M:00Z")


class Diary:
    """A diary of n_days ending yesterday; day 0 is its first day."""

    def __init__(self, n_days):
        self.offset = -n_days
        self.n_days = n_days
        self.rows = []

    def log(self, day, factor, value, hour=9, minute=0):
        self.rows.append((stamp(self.offset + day, hour, minute), factor, value))

    def write(self, path):
        with open(path, "w") as f:
            f.write("time,factor,value\n")
            for t, factor, value in self.rows:
                f.write(f"{t},{factor},{value}\n")


def flare_days(start, end, every):
    """Onset days from start to end, `every` days apart give or take two,
    on a fixed pattern unrelated to anything else in the diary."""
    wobble = [0, 2, -1, 1, -2, 0, 1, -1, 2, 0, -2, 1]
    days, d, i = [], start + every // 2, 0
    while d < end:
        days.append(d)
        d += every + wobble[i % len(wobble)]
        i += 1
    return days


def log_pain(diary, day, onsets, hour=20):
    """Pain for one day: 8 on an onset and the day after, 2-3 otherwise."""
    high = any(o <= day <= o + 1 for o in onsets)
    diary.log(day, "pain", 8 if high else 2 + day % 2, hour=hour)


def analyze(ctx, diary, before_import=()):
    path = os.path.join(ctx.env.root, "diary.csv")
    diary.write(path)
    now = {"SIMMER_NOW": NOW.strftime("%Y-%m-%dT%H:%M:%SZ")}
    if not ctx.daemons:
        ctx.daemon(extra_env=now)
    for args in before_import:
        ctx.simmer(*args, check=0, extra_env=now)
    ctx.simmer("import", path, check=0, extra_env=now)
    ctx.simmer("analyze", check=0, extra_env=now)
    return json.loads(ctx.simmer("triggers", "--json", check=0, extra_env=now).stdout)


def findings_about(triggers, factor):
    out = []
    for key in ("triggers", "protective", "warning_signs", "not_enough_data"):
        out += [(key, f) for f in triggers[key] if factor in f["factors"]]
    return out


def period_diary(early_pain_logged):
    """Five years of period dates (five days every 26-31 days); pain is
    logged every evening only in the last two years, with flares that have
    nothing to do with the cycle. With early_pain_logged, the period days
    of the first three years also carry a pain-free entry (pain 1)."""
    n = 5 * 365
    pain_from = 3 * 365
    diary = Diary(n)
    cycle = [28, 30, 27, 29, 31, 26, 28, 29]
    start, i = 3, 0
    while start < n:
        for d in range(start, min(start + 5, n)):
            diary.log(d, "period", 1, hour=8)
            if d < pain_from and early_pain_logged:
                diary.log(d, "pain", 1, hour=20)
        start += cycle[i % len(cycle)]
        i += 1
    onsets = flare_days(pain_from, n, 10)
    for d in range(pain_from, n):
        log_pain(diary, d, onsets)
    return diary


def test_period_dates_before_pain_was_logged_are_not_flare_free(ctx):
    t = analyze(ctx, period_diary(early_pain_logged=False))
    assert t["flares"] >= 60, t["flares"]
    found = findings_about(t, "period")
    assert not found, found


def test_period_days_alone_logged_pain_free_are_no_pattern(ctx):
    # The same dates, but in the first three years the period days, and
    # only they, also carry a pain-free entry. Those years then compare
    # period days with nothing: every day with a known outcome is a period
    # day. Period days look flare-free only because of when pain was
    # logged, and any series logged the same way would look the same, so
    # shifting the period dates against the outcomes finds it unremarkable
    # and simmer reports nothing, while the years with daily pain entries
    # are still used (the diary's flares are all counted).
    t = analyze(ctx, period_diary(early_pain_logged=True))
    assert t["flares"] >= 60, t["flares"]
    assert t["tested"] >= 4, t["tested"]
    found = findings_about(t, "period")
    assert not found, json.dumps(t)[:2000]


def test_a_factor_not_logged_for_weeks_is_unknown_not_absent(ctx):
    # Coffee is logged on most mornings, except for thirteen weeks in the
    # middle of the diary during which flares came about every six days; there
    # are also three holidays of three weeks without any entry. Coffee has
    # nothing to do with flares.
    n = 480
    gap = range(180, 270)
    holidays = [range(60, 81), range(320, 341), range(420, 441)]
    diary = Diary(n)
    onsets = flare_days(0, 180, 15) + flare_days(180, 270, 6) + flare_days(270, n, 15)
    for d in range(n):
        if any(d in h for h in holidays):
            continue
        log_pain(diary, d, onsets)
        diary.log(d, "sleep_hours", 7 + (d % 3) * 0.5, hour=7)
        if d not in gap and d % 7 != 4:
            diary.log(d, "coffee", 1, hour=8)
    t = analyze(ctx, diary)
    assert t["flares"] >= 20, t["flares"]
    found = findings_about(t, "coffee")
    assert not found, found


def test_medicines_taken_at_the_onset_are_not_triggers(ctx):
    # A migraine log: pain every evening, and on an attack day pain 8 at
    # 15:00, a triptan and naproxen twenty minutes later (paracetamol on
    # some attacks), a triptan and paracetamol again the next morning. Red wine the evening
    # before is the only real trigger.
    n = 420
    onsets = flare_days(0, n, 12)
    diary = Diary(n)
    rng = random.Random(5)
    for d in range(n):
        diary.log(d, "sleep_hours", 7 + (d % 4) * 0.5, hour=7)
        if d in onsets:
            diary.log(d, "pain", 8, hour=15)
            diary.log(d, "triptan", 1, hour=15, minute=20)
            diary.log(d, "nsaid", 1, hour=15, minute=20)
            if d % 2:
                diary.log(d, "paracetamol", 1, hour=15, minute=25)
        elif d - 1 in onsets:
            diary.log(d, "pain", 7, hour=10)
            diary.log(d, "triptan", 1, hour=10, minute=10)
            diary.log(d, "paracetamol", 1, hour=10, minute=15)
        else:
            diary.log(d, "pain", rng.choice((1, 2, 2, 3)), hour=21)
        if (d + 1 in onsets and d % 5 != 0) or d % 11 == 3:
            diary.log(d, "red_wine", 1, hour=19)
    t = analyze(ctx, diary, before_import=[
        ("factor", "define", "triptan", "--kind", "event", "--role", "treatment")])
    assert t["flares"] >= 30, t["flares"]
    for medicine in ("triptan", "nsaid", "paracetamol"):
        found = findings_about(t, medicine)
        found += [l for l in t["symptom_levels"] if l["factor"] == medicine]
        assert not found, (medicine, found)
    used = {u["factor"]: u for u in t["treatments"]}
    assert set(used) == {"triptan", "nsaid"}, t["treatments"]
    assert used["triptan"]["of_days"] == 30 and 2 <= used["triptan"]["days_used"] <= 8, used
    wine = [f for f in t["triggers"] if f["factors"] == ["red_wine"]]
    assert wine and wine[0]["lag_days"] == 1, json.dumps(t)[:3000]
    text = ctx.simmer("triggers", check=0,
                      extra_env={"SIMMER_NOW": NOW.strftime("%Y-%m-%dT%H:%M:%SZ")}).stdout
    assert "triptan on" in text and "of the last 30 days" in text, text


def test_pain_below_the_flare_level_gets_level_findings_and_a_personal_level(ctx):
    # A daily check-in: pain 1-6, never 7; gluten (on about a quarter of
    # days) raises the next day's pain by about 1.5 points; walks (on
    # about 40% of days) do nothing; each minute of activity (0-120 a
    # day) adds 0.015 points the same evening, 0.75 per 50 minutes. The
    # noise carries over from day to day, as real pain does.
    rng = random.Random(11)
    n = 240
    diary = Diary(n)
    gluten = [rng.random() < 0.25 for _ in range(n)]
    walk = [rng.random() < 0.4 for _ in range(n)]
    activity = [rng.randrange(0, 121) for _ in range(n)]
    noise = 0.0
    for d in range(n):
        noise = 0.5 * noise + rng.gauss(0, 0.8)
        level = 3 + (1.5 if d and gluten[d - 1] else 0) + 0.015 * (activity[d] - 60) + noise
        diary.log(d, "pain", min(6, max(1, round(level))), hour=21)
        diary.log(d, "activity_minutes", activity[d], hour=12)
        if gluten[d]:
            diary.log(d, "gluten", 1, hour=13)
        if walk[d]:
            diary.log(d, "walk", 1, hour=18)
    t = analyze(ctx, diary)
    assert t["flares"] == 0 and not t["triggers"], t
    levels = {(l["outcome"], l["factor"]): l for l in t["symptom_levels"]}
    g = levels.get(("pain", "gluten"))
    assert g is not None and g["lag_days"] == 1, t["symptom_levels"]
    assert g["ci95"][0] < 1.5 < g["ci95"][1] + 0.3 and g["ci95"][0] > 0.5, g
    assert g["per"] == "day_with_it" and g["q"] <= 0.1, g
    assert ("pain", "walk") not in levels, t["symptom_levels"]
    # A numeric factor's effect is per unit, and stated per a round step
    # near its spread (35 minutes here): per minute it would read 0.0.
    s = levels.get(("pain", "activity_minutes"))
    assert s is not None and s["lag_days"] == 0 and s["per"] == "unit", t["symptom_levels"]
    assert s["ci95"][0] < 0.015 < s["ci95"][1] + 0.004 and s["ci95"][0] > 0.005, s
    assert s["step"] == 50, s
    assert t["levels_tested"] >= 12, t["levels_tested"]
    personal = t["personal_flare_level"]
    assert personal and personal["current"] == 7 and 4 <= personal["suggested"] <= 6, personal
    text = ctx.simmer("triggers", check=0,
                      extra_env={"SIMMER_NOW": NOW.strftime("%Y-%m-%dT%H:%M:%SZ")}).stdout
    text = " ".join(text.split())  # wrapped to 80 columns
    assert "gluten" in text and "the next day" in text and "points on days with it" in text, text
    per_step = re.search(r"pain after activity_minutes, the same day: \+(\d\.\d) points for each 50 "
                         r"more activity_minutes", text)
    assert per_step and 0.4 <= float(per_step.group(1)) <= 1.1, text
    assert "has not reached the flare level (7)" in text, text
    # The report carries the same, for a clinician too.
    report = " ".join(ctx.simmer("report", "--days", "240", check=0,
                                 extra_env={"SIMMER_NOW": NOW.strftime("%Y-%m-%dT%H:%M:%SZ")}
                                 ).stdout.split())
    assert "Daily levels of pain and symptoms, between flares" in report, report
    m = re.search(r"pain a day after gluten: about (\d\.\d) points higher on days with it", report)
    assert m and 0.5 <= float(m.group(1)) <= 2.5, report
    assert re.search(r"pain the same day as activity_minutes: about \d\.\d points higher for "
                     r"each 50 more activity_minutes", report), report
    assert "a personal level from this diary would be" in report, report
    html = os.path.join(ctx.env.root, "levels.html")
    ctx.simmer("report", "--days", "240", "--html", html, check=0,
               extra_env={"SIMMER_NOW": NOW.strftime("%Y-%m-%dT%H:%M:%SZ")})
    page = open(html).read()
    assert "<h2>Daily levels of pain and symptoms, between flares</h2>" in page and \
        "pain a day after gluten" in page, page[:2000]


def stale_status(ctx, now):
    path = os.path.join(ctx.env.root, "climbing.csv")
    climbing_diary(path)  # its last entry is on 2026-03-20
    env = {"SIMMER_NOW": now}
    ctx.daemon(extra_env=env)
    ctx.simmer("import", path, check=0, extra_env=env)
    ctx.simmer("analyze", check=0, extra_env=env)
    # A risk alert is decided in the loop turn that answers `analyze`; a
    # second run makes sure any such decision has been stored.
    ctx.simmer("analyze", check=0, extra_env=env)
    status = json.loads(ctx.simmer("status", "--json", check=0, extra_env=env).stdout)
    stored = json.loads(ctx.simmer("alerts", "--json", check=0, extra_env=env).stdout)["alerts"]
    text = ctx.simmer("status", check=0, extra_env=env).stdout
    return status, [a for a in stored if a["kind"] == "risk"], text


def test_a_diary_gone_quiet_is_as_of_its_last_entry_and_raises_no_alert(ctx):
    status, risk, text = stale_status(ctx, "2026-03-30T14:00:00Z")
    assert status["stale"] is True and status["last_entry"] == "2026-03-20", status
    assert status["date"] == "2026-03-20", status
    assert status["trend"][-1]["date"] == "2026-03-20", status["trend"]
    assert status["risk_alerts"] is False and "No entries since 2026-03-20" in \
        status["risk_alerts_note"], status
    assert not risk, risk
    assert "No entries since 2026-03-20; this is as of 2026-03-20." in text, text
    # The bar's tooltip says it too, and the chance in status's words.
    bar = json.loads(ctx.simmer("status", "--format", "waybar", check=0,
                                extra_env={"SIMMER_NOW": "2026-03-30T14:00:00Z"}).stdout)
    assert "\nno entries since 2026-03-20; this is as of that day" in bar["tooltip"], bar
    chance = [l for l in text.splitlines() if "chance that a flare begins" in l][0].strip()
    assert chance in bar["tooltip"] and "%" not in bar["tooltip"], (chance, bar)


def test_the_same_diary_on_its_last_day_is_current(ctx):
    status, risk, text = stale_status(ctx, "2026-03-20T14:00:00Z")
    assert status["stale"] is False and status["date"] == "2026-03-20", status
    assert status["level"] in ("watch", "warning"), status
    assert "No entries since" not in text, text


def test_a_flare_under_way_has_no_contributors_and_says_why(ctx):
    env = {"SIMMER_NOW": "2026-03-20T21:00:00Z"}
    status, _, _ = stale_status(ctx, env["SIMMER_NOW"])
    assert status["open_days"] >= 1 and status["contributors"], status
    # Pain at the flare level today: no onset can be counted in the next 48
    # hours, so nothing is named as raising or lowering the risk.
    ctx.simmer("pain", "9", "--at", "2026-03-20T20:00:00Z", check=0, extra_env=env)
    ctx.simmer("analyze", check=0, extra_env=env)
    status = json.loads(ctx.simmer("status", "--json", check=0, extra_env=env).stdout)
    assert status["open_days"] == 0 and status["contributors"] == [], status
    why = " ".join(ctx.simmer("why", check=0, extra_env=env).stdout.split())
    assert "A flare is under way (pain at your flare level on 2026-03-20)" in why, why
    assert "raises your risk" not in why and "lowers your risk" not in why, why
    # status says the same, before its level "ok" can read as "no flare".
    text = " ".join(ctx.simmer("status", check=0, extra_env=env).stdout.split())
    assert text.startswith("A flare is under way (pain at your flare level on 2026-03-20)"), text


if __name__ == "__main__":
    run_tests(globals())
