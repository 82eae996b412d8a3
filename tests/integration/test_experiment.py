# SPDX-License-Identifier: ISC
"""`simmer experiment` against a real simmerd on a real socket and SQLite
file: a trial is planned, stored (it survives a restart), shown with its
phase, stopped, listed; plans that would overlap, unknown factors and bad
numbers are refused with a clear message and a non-zero exit; entries that
break the elimination are counted and dated; and the evening reminder says
what the trial asks that day. The daemon's clock is SIMMER_NOW, so nothing
depends on today's date."""
import datetime
import json
import math
import os
import statistics
import subprocess

from harness import BUILD, run_tests, wait_until

SIMDIARY = os.path.join(BUILD, "tools", "simdiary")

NOW = "2026-05-20T12:00:00Z"
TODAY = datetime.date(2026, 5, 20)


def day(offset):
    return (TODAY + datetime.timedelta(days=offset)).isoformat()


def start(ctx, now=NOW):
    """A daemon, and every client after it, on the test clock."""
    ctx.env.vars["SIMMER_NOW"] = now
    return ctx.daemon()


def as_json(ctx, *args):
    return json.loads(ctx.simmer(*args, "--json", check=0).stdout)


def test_start_status_list_stop_and_restart(ctx):
    d = start(ctx)
    ctx.simmer("pain", 3, check=0)
    p = ctx.simmer("experiment", "start", "Dairy", check=0)
    assert "day 1 of 14 without dairy" in p.stdout, p.stdout
    st = as_json(ctx, "experiment", "status")["experiment"]
    # The documented defaults: two weeks without, four days with, three watching.
    assert (st["factor"], st["start"], st["end"]) == ("dairy", day(0), day(20)), st
    assert (st["eliminate_days"], st["reintroduce_days"], st["washout_days"]) == (14, 4, 3)
    assert (st["phase"], st["day_of_phase"], st["phase_days"]) == ("eliminate", 1, 14)
    assert st["phase_ends"] == day(13) and st["stopped_after"] is None
    assert st["verdict"] == "running" and st["breaks"] == 0 and st["break_days"] == []
    assert [o["name"] for o in st["outcomes"]] == ["pain", "flare onsets"], st["outcomes"]
    # It is stored: a new daemon on the same file still knows it.
    d.stop()
    start(ctx)
    listed = as_json(ctx, "experiment", "list")["experiments"]
    assert [x["factor"] for x in listed] == ["dairy"], listed
    text = ctx.simmer("experiment", "status", check=0).stdout
    assert "trial of dairy" in text and "without dairy" in text, text
    stop = ctx.simmer("experiment", "stop", check=0)
    assert "stopped" in stop.stdout, stop.stdout
    st = as_json(ctx, "experiment", "status")["experiment"]
    assert st["phase"] == "stopped" and st["stopped_after"] == day(-1), st
    # Stopped on its first day, it holds no day: another may start at once.
    ctx.simmer("experiment", "start", "gluten", "--eliminate", "10", "--reintroduce", "3",
               "--washout", "0", check=0)
    listed = as_json(ctx, "experiment", "list")["experiments"]
    assert [(x["factor"], x["phase"]) for x in listed] == [("dairy", "stopped"),
                                                            ("gluten", "eliminate")], listed
    assert listed[1]["end"] == day(12)


def test_bad_input_is_refused_with_a_clear_message(ctx):
    start(ctx)
    cases = [
        (("experiment",), 64, "start, status, stop or list"),
        (("experiment", "start"), 64, "which factor"),
        (("experiment", "start", "dairy", "--eliminate", "-3"), 64, "whole number of days"),
        (("experiment", "start", "dairy", "--reintroduce", "0"), 64, "from 1 to 60"),
        (("experiment", "start", "dairy", "--washout", "2.5"), 64, "whole number of days"),
        (("experiment", "start", "dairy", "gluten"), 64, "one factor at a time"),
        (("experiment", "start", "dairy", "--cycles", "0"), 64, "whole number from 1 to 6"),
        (("experiment", "start", "dairy", "--cycles", "7"), 64, "whole number from 1 to 6"),
        (("experiment", "start", "dairy", "--bogus", "1"), 64, "unknown option"),
        (("experiment", "start", "dairyy"), 65, "did you mean 'dairy'"),
        (("experiment", "start", "zzqqxx"), 65, "unknown factor 'zzqqxx'"),
        (("experiment", "start", "pain"), 65, "an experiment watches"),
        (("experiment", "start", "nsaid"), 65, "medicine"),
        (("experiment", "stop"), 65, "no experiment is running"),
        (("experiment", "frobnicate"), 64, "there is no 'frobnicate'"),
        (("experiment", "status", "extra"), 64, "takes no arguments"),
    ]
    for args, code, words in cases:
        p = ctx.simmer(*args)
        assert p.returncode == code, (args, p.returncode, p.stderr)
        assert words in p.stderr and p.stderr.startswith("simmer: "), (args, p.stderr)
    # Nothing of that was stored.
    assert as_json(ctx, "experiment", "list")["experiments"] == []


def test_experiments_never_overlap(ctx):
    start(ctx)
    ctx.simmer("experiment", "start", "dairy", "--start", day(-5), check=0)
    p = ctx.simmer("experiment", "start", "alcohol")
    assert p.returncode == 65, p
    assert "never overlap" in p.stderr and "dairy" in p.stderr and day(16) in p.stderr, p.stderr
    assert "experiment stop" in p.stderr, p.stderr
    # One that would begin inside the running one's days, or end inside
    # them, is refused too; one after it is not.
    assert ctx.simmer("experiment", "start", "alcohol", "--start", day(15)).returncode == 65
    assert ctx.simmer("experiment", "start", "alcohol", "--start", day(-30),
                      "--eliminate", "21").returncode == 65
    ctx.simmer("experiment", "start", "alcohol", "--start", day(16), check=0)
    # The same factor again, later still, is planned after the others.
    p = ctx.simmer("experiment", "start", "dairy", "--start", day(30))
    assert p.returncode == 65 and "alcohol" in p.stderr, p.stderr
    listed = as_json(ctx, "experiment", "list")["experiments"]
    assert [(x["factor"], x["phase"]) for x in listed] == [("dairy", "eliminate"),
                                                            ("alcohol", "planned")], listed


def test_cycles_repeat_the_plan_and_hold_all_their_days(ctx):
    """--cycles 3: without and with three times over, then the washout; the
    phase says its cycle, and the days it holds are all three cycles'."""
    start(ctx)
    ctx.simmer("experiment", "start", "dairy", "--eliminate", 5, "--reintroduce", 3,
               "--washout", 2, "--cycles", 3, "--start", day(-10), check=0)
    st = as_json(ctx, "experiment", "status")["experiment"]
    assert (st["cycles"], st["start"], st["end"], st["trial_days"]) == (3, day(-10), day(15), 26), st
    assert (st["phase"], st["cycle"], st["day_of_phase"]) == ("eliminate", 2, 3), st
    assert st["phase_text"].startswith("cycle 2 of 3, day 3 of 5 without dairy"), st
    assert st["phase_ends"] == day(2), st
    text = " ".join(ctx.simmer("experiment", "status", check=0).stdout.split())
    assert "5 days without it, 3 with it, 3 times over, 2 watching" in text, text
    # Its last day is the washout's, after all three cycles.
    p = ctx.simmer("experiment", "start", "alcohol", "--start", day(15))
    assert p.returncode == 65 and "dairy" in p.stderr, p.stderr
    ctx.simmer("experiment", "start", "alcohol", "--start", day(16), check=0)
    listed = as_json(ctx, "experiment", "list")["experiments"]
    assert [x["cycles"] for x in listed] == [3, 1], listed


def test_breaks_of_the_elimination_are_counted_and_dated(ctx):
    start(ctx)
    ctx.simmer("experiment", "start", "dairy", "--start", day(-8), check=0)
    for k in range(-8, 1):
        ctx.simmer("pain", 3, "--at", f"{day(k)} 20:00", check=0)
    ctx.simmer("dairy", "--at", f"{day(-6)} 12:00", check=0)
    ctx.simmer("dairy", "--at", f"{day(-2)} 13:00", check=0)
    ctx.simmer("dairy", "--at", f"{day(-2)} 19:00", check=0)   # one day, counted once
    ctx.simmer("dairy", "--at", f"{day(-12)} 12:00", check=0)  # before the trial
    st = as_json(ctx, "experiment", "status")["experiment"]
    assert st["phase_text"].startswith("day 9 of 14 without dairy"), st
    assert st["breaks"] == 2 and st["break_days"] == [day(-6), day(-2)], st
    text = ctx.simmer("experiment", "status", check=0).stdout
    assert "logged on 2 days of the elimination" in text and day(-6) in text, text
    # The everyday status says what the trial asks today, in words only.
    status = " ".join(ctx.simmer("status", check=0).stdout.split())
    assert "trial: day 9 of 14 without dairy: leave it out" in status, status
    assert "trial" not in ctx.simmer("status", "--format", "waybar", check=0).stdout
    assert "experiment" not in as_json(ctx, "status")


def test_the_evening_reminder_says_what_the_trial_asks(ctx):
    """The clock starts three seconds before the check-in; the day already
    has an entry, which would silence the ordinary reminder, but a trial's
    day is said every evening."""
    ctx.env.write_config("[schedule]\ncheckin = 21:00\n[analysis]\ndebounce_seconds = 3600\n")
    start(ctx, now=f"{day(0)}T20:59:57Z")
    ctx.simmer("experiment", "start", "dairy", "--start", day(-8), check=0)
    ctx.simmer("pain", 2, check=0)

    def checkin():
        got = [a for a in as_json(ctx, "alerts")["alerts"] if a["kind"] == "checkin"]
        return got[0] if got else None
    a = wait_until(checkin, timeout=20, what="the check-in reminder")
    assert a["summary"] == "Trial: day 9 of 14 without dairy: leave it out, and log as usual", a
    assert "Today is logged." in a["body"], a


def simulated(ctx, end, *args):
    """Imports a diary of the C simulator ending on `end`."""
    path = os.path.join(ctx.env.root, "diary.csv")
    with open(path, "w") as f:
        subprocess.run([SIMDIARY, "--end", str((end - datetime.date(1970, 1, 1)).days)] +
                       [str(a) for a in args], stdout=f, check=True)
    ctx.simmer("import", path, check=0)


def test_report_shows_the_experiments(ctx):
    start(ctx)
    simulated(ctx, TODAY - datetime.timedelta(days=1), "--days", 120, "--seed", 3,
              "--trial", "dairy:21:14:3:1")
    ctx.simmer("experiment", "start", "dairy", "--start", day(-38), "--eliminate", 21,
               "--reintroduce", 14, "--washout", 3, check=0)
    st = as_json(ctx, "experiment", "status")["experiment"]
    assert st["phase"] == "finished" and st["breaks"] == 1, st
    text = ctx.simmer("report", check=0).stdout
    assert "Experiments (your own trials)" in text, text
    flat = " ".join(text.split())
    assert f"dairy, {day(-38)} to {day(-1)} (21 days without, 14 with, 3 watching)" in flat, flat
    assert " ".join(st["verdict_text"].split()) in flat, (st["verdict_text"], flat)
    assert "dairy was logged on 1 day of the elimination" in flat, flat
    out = os.path.join(ctx.env.root, "report.html")
    ctx.simmer("report", "--html", out, check=0)
    with open(out) as f:
        page = f.read()
    assert '<section id="experiments">' in page and "personal trials" in page, page[-2000:]


def check_flare_cycles(f, trial):
    """The plan suggested under a finding: the cycles of 14 days without and
    14 with that would find its rate ratio in flare onsets 4 times in 5
    (a two-sample comparison of proportions at the trial's Bonferroni
    level), recomputed here from the numbers the suggestion gives."""
    p0, p1 = trial["rate"], trial["rate_with"]
    assert abs(p1 - min(0.95, p0 * f["relative_risk"])) < 1e-9, trial
    share, share_with = trial["at_risk_share"], trial["at_risk_share_with"]
    # Each onset takes as many days out of those at risk with the factor
    # as without it.
    taken = (1 / share - 1) / p0
    assert abs(share_with - 1 / (1 + p1 * taken)) < 1e-9, trial
    norm = statistics.NormalDist()
    z = norm.inv_cdf(1 - 0.025 / trial["comparisons"]) + norm.inv_cdf(0.8)
    with_needed = z * z * (p1 * (1 - p1) + p0 * (1 - p0) * share_with / share) / (p1 - p0) ** 2
    cycles = min(99, max(1, math.ceil(with_needed / (14 * share_with))))
    assert trial["flare_cycles"] == cycles, (trial, cycles)
    if cycles <= 6:
        assert trial["cycles"] == cycles and trial["days"] == cycles * 28 + 3, trial
        assert trial["text"].endswith(f"could settle it (simmer experiment start "
                                      f"{trial['factor']} --reintroduce 14" +
                                      (f" --cycles {cycles})" if cycles > 1 else ")")), trial
    else:
        assert trial["cycles"] == 1 and f"about {cycles} cycles" in trial["text"], trial


def test_triggers_suggest_a_trial_for_an_uncertain_finding(ctx):
    """Every harmful finding of one food or habit that is not quite certain
    gets the suggestion, in `triggers --json` (its "trial") and in the text,
    and no other finding does: not a pair, a dose, a warning sign (a
    symptom cannot be left out) or a protective one. The plan is sized for
    the finding's effect on flares, or says that a plan cannot hold it."""
    suggested = 0
    for seed in (1, 5):
        ctx.env.vars["SIMMER_NOW"] = NOW
        d = ctx.daemon()
        simulated(ctx, TODAY - datetime.timedelta(days=1), "--days", 365, "--seed", seed)
        got = as_json(ctx, "triggers")
        text = " ".join(ctx.simmer("triggers", check=0).stdout.split())
        wanted = 0
        for f in got["triggers"] + got.get("not_enough_data", []):
            certain = f["q"] <= 0.01 and f["ci95"][0] > 1.5 and f["exposed_onsets"] >= 8
            want = f["kind"] == "single" and f["effect"] == "harmful" and not certain
            if want:
                trial = f["trial"]
                assert trial["factor"] == f["factors"][0] and trial["text"] in text, (f, text)
                assert trial["text"].startswith("possible; a trial"), trial
                check_flare_cycles(f, trial)
            else:
                assert f["trial"] is None, f
            wanted += want
        for f in got["warning_signs"] + got["protective"]:
            assert f["trial"] is None, f
        # Pairs, doses and findings that are quite certain get none.
        assert text.count("possible; a trial") == wanted, text
        suggested += wanted
        report = " ".join(ctx.simmer("report", "--days", 365, check=0).stdout.split())
        assert report.count("possible; a trial") == \
            sum(f["trial"] is not None for f in got["triggers"]), report
        d.stop()
        os.remove(ctx.env.db)
    assert suggested >= 1, "no uncertain finding in these diaries: the test tests nothing"


if __name__ == "__main__":
    run_tests(globals())
