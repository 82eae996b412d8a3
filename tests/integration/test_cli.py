# SPDX-License-Identifier: ISC
"""The command line as a person meets it, through the real client and a real
simmerd: forgiving entry (typos refused with a suggestion, command words never
stored, names case-insensitive, --new on purpose), doses with units, help
after every command, short ids that delete and undo take, config get/set, the
red-flag notice in the terminal, status with its four-week chart and its
waybar form, the evening reminder switch, and text that fits 80 columns with
colour only on a terminal. The clock (SIMMER_NOW), the time zone (UTC) and
the data are fixed, so the expected outputs below are exact."""
import json
import os
import pty
import re
import select
import subprocess
import sys

from harness import ROOT, SIMMER, run_tests, wait_until
from rpc import Client

NOW = "2026-03-20T14:00:00Z"   # a Friday afternoon, on both sides' clocks
DAY_MS = 86400000
NOW_MS = 1774015200000          # NOW in milliseconds
COMPLETIONS = os.path.join(ROOT, "completions")


def start(ctx):
    ctx.env.vars["SIMMER_NOW"] = NOW
    ctx.env.vars["TZ"] = "UTC"
    ctx.env.vars.pop("NO_COLOR", None)
    return ctx.daemon()


def live(ctx, factor=None):
    c = Client(ctx.env.socket)
    c.hello()
    params = {"limit": 5000}
    if factor:
        params["factor"] = factor
    got = c.call("list", params)["entries"]
    c.close()
    return got


def fits(text, width=80):
    wide = [l for l in text.splitlines() if len(l) > width]
    assert not wide, "lines wider than %d columns:\n%s" % (width, "\n".join(wide))


def words(text):
    return " ".join(text.split())


def test_typo_is_refused_with_a_suggestion_and_nothing_is_stored(ctx):
    start(ctx)
    p = ctx.simmer("stifness", "5")
    assert p.returncode == 65, p
    assert p.stderr == ("simmer: unknown factor 'stifness' \u2014 did you mean 'stiffness'? "
                        "(add it with --new)\n"), p.stderr
    p = ctx.simmer("pian", "5")
    assert p.returncode == 65 and "did you mean 'pain'?" in p.stderr, p
    # One bad name refuses the whole line.
    p = ctx.simmer("pain", "5", "slep", "7")
    assert p.returncode == 65 and "did you mean 'sleep'?" in p.stderr, p
    p = ctx.simmer("tomato")
    assert p.returncode == 65 and p.stderr == "simmer: unknown factor 'tomato' (add it with --new)\n", p
    # A mistyped command is named as one.
    p = ctx.simmer("stauts")
    assert p.returncode == 65 and p.stderr == (
        "simmer: unknown factor 'stauts'; did you mean the command 'simmer status'? (or add it "
        "as a factor with --new)\n"), p
    assert live(ctx) == []
    ctx.simmer("tomato", "--new", check=0)
    assert [e["factor"] for e in live(ctx)] == ["tomato"]
    # Once created on purpose, it is known.
    ctx.simmer("tomato", "2", check=0)


def test_command_words_are_never_factors_and_names_ignore_case(ctx):
    start(ctx)
    for word in ("report", "status", "help", "show", "Delete"):
        p = ctx.simmer("pain", "4", word, "--new")
        assert p.returncode == 64, (word, p)
        assert "is a command word, never a factor" in p.stderr, p.stderr
    p = ctx.simmer("report", check=0)
    assert "simmer report" in p.stdout, p
    assert live(ctx) == []
    p = ctx.simmer("Pain", "4", "STIFFNESS", "2", check=0)
    assert p.stdout == "logged pain 4, stiffness 2 (today)\n", p.stdout
    assert sorted(e["factor"] for e in live(ctx)) == ["pain", "stiffness"]


def test_mood_and_energy_are_scales(ctx):
    start(ctx)
    p = ctx.simmer("mood", "7", "energy", "3", check=0)
    assert p.stdout == "logged mood 7, energy 3 (today)\n", p.stdout
    p = ctx.simmer("mood", "12")
    assert p.returncode == 65 and "mood must be between 0 and 10" in p.stderr, p
    p = ctx.simmer("mood")
    assert p.returncode == 65 and "needs a value" in p.stderr, p


def test_doses_with_units_count_as_nsaid_doses(ctx):
    start(ctx)
    p = ctx.simmer("ibuprofen", "400mg", "--at", "09:00", check=0)
    assert p.stdout == "logged ibuprofen 400 mg (today 09:00)\n", p.stdout
    ctx.simmer("naproxen", "250mg", "--at", "10:00", check=0)
    ctx.simmer("nsaid", "2", "--at", "11:00", check=0)
    p = ctx.simmer("ibuprofen", "4g")
    assert p.returncode == 65 and p.stderr == "simmer: ibuprofen is logged in mg (got g)\n", p
    p = ctx.simmer("pain", "5kg")
    assert p.returncode == 65 and "pain takes a plain number, without a unit" in p.stderr, p
    p = ctx.simmer("nsaid", "400")
    assert p.returncode == 65 and "simmer ibuprofen 400mg" in p.stderr, p
    c = Client(ctx.env.socket)
    c.hello()
    factors = {f["name"]: f for f in c.call("factors")["factors"]}
    for drug in ("ibuprofen", "naproxen", "diclofenac"):
        assert factors[drug]["counts_as"] == "nsaid" and factors[drug]["unit"] == "mg", factors[drug]
        assert factors[drug]["role"] == factors["nsaid"]["role"] == "treatment", factors[drug]
    # The analysis sees one NSAID day, from three kinds of entry.
    t = c.call("triggers")
    used = {u["factor"]: u for u in t.get("treatments", [])}
    assert "ibuprofen" not in used and "naproxen" not in used, used
    assert used["nsaid"]["days_used"] == 1, used


def test_help_after_every_command(ctx):
    p = ctx.simmer("help", check=0)
    fits(p.stdout)
    listed = re.findall(r"^  (\S+) ", p.stdout, re.M)
    assert "status" in listed and "reminder" in listed and "import" in listed, listed
    for cmd in listed:
        h = ctx.simmer(cmd, "--help", check=0)
        assert h.stdout.startswith("simmer %s: " % cmd), h.stdout
        assert "\nusage: simmer " in h.stdout and "\nexamples:\n  simmer " in h.stdout, h.stdout
        fits(h.stdout)
        assert ctx.simmer("help", cmd, check=0).stdout == h.stdout
    p = ctx.simmer("pain", "--help", check=0)
    assert p.stdout.startswith("simmer log: ") and "--new" in p.stdout, p.stdout
    p = ctx.simmer("import", "-h", check=0)
    assert p.stdout.startswith("simmer import: "), p.stdout
    p = ctx.simmer("list", "--bogus")
    assert p.returncode == 64, p
    assert p.stderr == ("simmer: list: unknown option --bogus; it takes --since WHEN, --factor "
                        "NAME, --limit N, --json (see 'simmer list --help')\n"), p.stderr
    p = ctx.simmer("help", "nonsense")
    assert p.returncode == 64 and "no command 'nonsense'" in p.stderr, p


def test_list_help_exact(ctx):
    p = ctx.simmer("list", "--help", check=0)
    assert p.stdout == """simmer list: show recent entries with the ids that delete and undo take

usage: simmer list [--since WHEN] [--factor NAME] [--limit N]

options:
  --since WHEN     entries from then on: yesterday, -2d, 2026-11-01
  --factor NAME    only this factor
  --limit N        at most N entries, newest first (default 50)
  --json           print the reply as JSON (the wire contract)

examples:
  simmer list --since -2d
  simmer list --factor pain --limit 10
""", p.stdout


def write_diary(ctx, rows):
    path = os.path.join(ctx.env.root, "diary.csv")
    with open(path, "w") as f:
        f.write("time,factor,value,note,id\n")
        for r in rows:
            f.write(",".join(str(x) for x in r) + "\n")
    return path


def test_list_shows_short_ids_that_delete_and_undo_take(ctx):
    start(ctx)
    # Ids of one week share their time part; two share the first 8
    # characters of their random part too.
    ids = ["019d0000-0000-7000-8000-3f9c2a111111", "019d0000-0001-7000-8000-3f9c2a2b2222",
           "019d0000-0002-7000-8000-3f9c2a2c3333", "019d0000-0003-7000-8000-77aa00000000"]
    path = write_diary(ctx, [
        ("2026-03-18T08:00:00Z", "pain", 3, "", ids[0]),
        ("2026-03-18T21:30:00Z", "sleep_hours", 6.5, "", ids[1]),
        ("2026-03-19T12:15:00Z", "dairy", 2, "a long note about lunch at the office canteen "
         "with far too much cheese on everything", ids[2]),
        ("2026-03-20T09:00:00Z", "stiffness", 4, "", ids[3])])
    ctx.simmer("import", path, check=0)
    p = ctx.simmer("list", check=0, extra_env={"NO_COLOR": "1"})
    assert p.stdout == (
        "3f9c2a11  2026-03-18 08:00  pain                    3\n"
        "3f9c2a2b  2026-03-18 21:30  sleep_hours           6.5\n"
        "3f9c2a2c  2026-03-19 12:15  dairy                   2  a long note about lunch\n"
        "          at the office canteen with far too much cheese on everything\n"
        "77aa0000  2026-03-20 09:00  stiffness               4\n"), p.stdout
    p = ctx.simmer("list", "--since", "2026-03-20", check=0)
    assert p.stdout == "77aa00  2026-03-20 09:00  stiffness               4\n", p.stdout
    p = ctx.simmer("delete", "3f9c2a")
    assert p.returncode == 65 and "matches more than one entry" in p.stderr, p
    p = ctx.simmer("delete", "3f9c2a2b", check=0)
    assert p.stdout == "removed:\n3f9c2a  2026-03-18 21:30  sleep_hours           6.5\n", p.stdout
    ctx.simmer("undo", "77aa00", check=0)
    assert sorted(e["id"] for e in live(ctx)) == [ids[0], ids[2]]
    # A whole id and the start of one still work.
    ctx.simmer("delete", ids[0][:8] + "-0000", check=0)
    p = ctx.simmer("undo", check=0)
    assert p.stdout.startswith("removed:\n3f9c2a  2026-03-19 12:15  dairy"), p.stdout
    p = ctx.simmer("list", check=0)
    assert p.stdout == ("no entries yet; log how you are now, as in 'simmer pain 4 stress 3 "
                        "sleep 7'\n"), p.stdout


def test_undo_and_delete_refresh_the_analysis(ctx):
    start(ctx)
    ctx.env.write_config("[analysis]\ndebounce_seconds = 3600\n")
    p = ctx.simmer("reload", check=0)
    assert words(p.stdout) == "simmerd read its configuration again from %s" % os.path.join(
        ctx.env.config, "simmer", "simmer.conf"), p.stdout
    ctx.simmer("pain", "3", "--at", "yesterday 10:00", check=0)
    ctx.simmer("pain", "4", check=0)
    ctx.simmer("analyze", check=0)
    s = json.loads(ctx.simmer("status", "--json", check=0).stdout)
    assert s["coverage"]["days"] == 2, s["coverage"]
    ctx.simmer("undo", check=0)
    s = json.loads(ctx.simmer("status", "--json", check=0).stdout)
    assert s["coverage"]["days"] == 1, s["coverage"]
    short = ctx.simmer("list", check=0).stdout.split()[0]
    ctx.simmer("delete", short, check=0)
    s = json.loads(ctx.simmer("status", "--json", check=0).stdout)
    assert s["coverage"]["days"] == 0, s["coverage"]


def test_defaults_are_the_ones_the_readme_gives(ctx):
    """Without a configuration file, the settings are those README.md and
    simmer.conf(5) promise: the evening run at 20:00 and the morning run at
    08:00, the reminder at 21:00 and on, one alert per 12 hours, quiet hours
    22:00-08:00, the day starting at 04:00, flares from pain 7, q-values of
    0.10 at most, lags 0-3; connections idle 60 s, stalled 10 s, 64 MiB
    buffered."""
    start(ctx)
    want = {"schedule.evening": "20:00", "schedule.morning": "08:00",
            "schedule.checkin": "21:00", "schedule.checkin_enabled": "true",
            "alerts.cooldown_hours": "12", "alerts.quiet_start": "22:00",
            "alerts.quiet_end": "08:00", "day.start_hour": "4",
            "analysis.flare_pain_level": "7", "analysis.q_max": "0.1",
            "analysis.max_lag_days": "3", "connections.idle_timeout_s": "60",
            "connections.stall_timeout_s": "10", "connections.max_buffered_mib": "64"}
    got = json.loads(ctx.simmer("config", "get", "--json", check=0).stdout)["values"]
    assert {k: got.get(k) for k in want} == want, got


def test_backtest_text_says_what_its_json_says(ctx):
    """On a diary with eight flares the backtest can judge: the text names
    the same AUC, baseline, Brier scores, warned onsets and calibration
    rows as the JSON, says whether risk alerts are on, and fits 80
    columns."""
    from test_notify import climbing_diary
    start(ctx)
    diary = os.path.join(ctx.env.root, "diary.csv")
    climbing_diary(diary)
    ctx.simmer("import", diary, check=0)
    data = json.loads(ctx.simmer("backtest", "--json", check=0).stdout)
    s = data.get("summary", data)
    assert s["onsets"] >= s["onsets_needed"] and s["calibration"], s
    text = ctx.simmer("backtest", check=0).stdout
    fits(text)
    flat = words(text)
    assert f"ranking (AUC, 0.5 is chance): {s['auc']:.2f}" in flat, text
    assert f"warning signs): {s['baseline_auc']:.2f}" in flat, text
    assert f"Brier score (lower is better): {s['brier']:.3f}" in flat, text
    assert f"always saying your average risk: {s['brier_reference']:.3f}" in flat, text
    assert f"warned within 48 h: {s['onsets_warned']:.0f} of {s['onsets']:.0f} onsets" in flat, text
    assert f"false alarms per 30 days: {s['false_alarms_per_30d']:.1f}" in flat, text
    assert s["false_alarm_budget"] == 1, s
    assert "(cut-offs are chosen for at most 1 on the evenings before them)" in flat, text
    rows = text.split("share followed by an onset")[1].splitlines()[1:]
    table = [r for r in rows if re.match(r"^\s+\S.*\s\d+$", r) and "risk alerts" not in r]
    assert len(table) == len(s["calibration"]), (table, s["calibration"])
    assert ("risk alerts: watch from" in text) == bool(s["risk_alerts"]), text


def test_config_get_and_set_print_the_value(ctx):
    start(ctx)
    p = ctx.simmer("config", "get", "alerts.quiet_start", check=0)
    assert p.stdout == "alerts.quiet_start = 22:00\n", p.stdout
    p = ctx.simmer("config", "set", "schedule.checkin", "20:30", check=0)
    assert p.stdout == "schedule.checkin = 20:30\n", p.stdout
    p = ctx.simmer("config", "get", "schedule.checkin", "--json", check=0)
    assert json.loads(p.stdout) == {"schedule.checkin": "20:30"}, p.stdout
    p = ctx.simmer("config", "get", check=0)
    assert p.stdout.startswith("# ") and "\nschedule.checkin = 20:30\n" in p.stdout, p.stdout
    assert "{" not in p.stdout, p.stdout
    p = ctx.simmer("config", "get", "alerts.nonsense")
    assert p.returncode == 64 and "there is no setting 'alerts.nonsense'" in p.stderr, p
    assert "alerts.quiet_start" in p.stderr, p


def test_reminder_is_on_by_default_and_one_command_turns_it_off(ctx):
    start(ctx)
    p = ctx.simmer("reminder", check=0)
    assert p.stdout == (
        "the evening check-in reminder is on: a notification at the time below on days\n"
        "with no entry yet, once a day; 'simmer reminder off' turns it off\n"
        "schedule.checkin_enabled = true\n"
        "schedule.checkin = 21:00\n"), p.stdout
    p = ctx.simmer("reminder", "off", check=0)
    assert "reminder is off" in p.stdout and "checkin_enabled = false" in p.stdout, p.stdout
    with open(os.path.join(ctx.env.config, "simmer", "simmer.conf")) as f:
        assert re.search(r"checkin_enabled\s*=\s*false", f.read())
    ctx.simmer("reminder", "at", "20:15", check=0)
    p = ctx.simmer("reminder", "on", check=0)
    assert "schedule.checkin = 20:15" in p.stdout and "reminder is on" in p.stdout, p.stdout
    p = ctx.simmer("reminder", "at", "25:00")
    assert p.returncode != 0 and p.stderr, p


def checkins(ctx):
    got = json.loads(ctx.simmer("alerts", "--json", check=0).stdout)["alerts"]
    return [a for a in got if a["kind"] == "checkin"]


def test_evening_reminder_by_default_once_a_day_and_not_after_an_entry(ctx):
    # No configuration file at all: the reminder is on.
    ctx.env.vars["SIMMER_NOW"] = "2026-03-20T20:59:58Z"
    ctx.env.vars["TZ"] = "UTC"
    d = ctx.daemon()
    wait_until(lambda: checkins(ctx), timeout=20, what="the check-in reminder")
    d.stop()
    # A new time the same day, across a restart: still one reminder that day.
    ctx.env.write_config("[schedule]\ncheckin = 21:01\n")
    ctx.env.vars["SIMMER_NOW"] = "2026-03-20T21:00:58Z"
    ctx.env.vars["TZ"] = "UTC"
    d = ctx.daemon()
    wait_until(lambda: "no check-in reminder: there was one today" in d.logs(), timeout=20,
               what="the second due time that day")
    assert len(checkins(ctx)) == 1, checkins(ctx)
    d.stop()
    # The next evening, with an entry that day: none.
    ctx.env.write_config("[schedule]\ncheckin = 21:00\n")
    ctx.env.vars["SIMMER_NOW"] = "2026-03-21T20:59:57Z"
    ctx.env.vars["TZ"] = "UTC"
    d = ctx.daemon()
    ctx.simmer("pain", "2", check=0)
    wait_until(lambda: "no check-in reminder: there is an entry today" in d.logs(), timeout=20,
               what="the due time on a day with an entry")
    assert len(checkins(ctx)) == 1, checkins(ctx)


def test_red_flag_notice_goes_to_stderr_at_once(ctx):
    start(ctx)
    p = ctx.simmer("numbness", check=0)
    assert p.stdout == "logged numbness (today)\n", p.stdout
    assert p.stderr == (
        "Please seek medical evaluation: you logged numbness. This symptom needs to be\n"
        "assessed by a doctor, especially if it is new, getting worse, or comes with\n"
        "other symptoms. If it is severe or sudden, contact urgent care now.\n"), p.stderr
    p = ctx.simmer("pain", "3", check=0)
    assert p.stderr == "", p.stderr


def test_empty_diary_says_no_entries_yet(ctx):
    start(ctx)
    want = ("No entries yet, so there is nothing to show. Log how you are now, as in 'simmer\n"
            "pain 4 stress 3 sleep 7', and a few words each day; simmer learns your patterns\n"
            "from about four weeks and three flares.\n")
    for cmd in ("status", "triggers", "why", "forecast", "backtest"):
        p = ctx.simmer(cmd, check=0)
        assert p.stdout == want, (cmd, p.stdout)
    w = json.loads(ctx.simmer("status", "--format", "waybar", check=0).stdout)
    assert w["class"] == "empty" and "no entries yet" in w["text"], w


def flare_diary(ctx):
    """Four weeks of pain entries, ending today, with one flare beginning 10
    days ago (pain 8 for three days after calm days)."""
    rows = []
    for back in range(27, -1, -1):
        t = NOW_MS - back * DAY_MS - 2 * 3600000
        pain = 8 if back in (10, 9, 8) else 2
        rows.append((t, "pain", pain, "", ""))
        rows.append((t, "stress", 6 if back in (12, 11) else 2, "", ""))
    path = os.path.join(ctx.env.root, "flares.csv")
    with open(path, "w") as f:
        f.write("time,factor,value\n")
        for r in rows:
            f.write("%d,%s,%s\n" % r[:3])
    ctx.simmer("import", path, check=0)


def test_status_chart_marks_flares_and_fits_80_columns(ctx):
    start(ctx)
    flare_diary(ctx)
    p = ctx.simmer("status", check=0)
    out = p.stdout
    fits(out)
    assert "\x1b[" not in out, "colour without a terminal"
    assert "alert threshold" in out and "Load, last 7 days:" in out, out
    lines = out.splitlines()
    head = next(i for i, l in enumerate(lines) if l.startswith("Load, last 28 days (02-21 to 03-20)"))
    bars, marks = lines[head + 1], lines[head + 2]
    assert re.fullmatch(r"  [\u2581-\u2588]{28}", bars), bars
    # The flare began 10 days before today: column 27 - 10 of the chart.
    assert marks[2:].index("^") == 17 and marks[2 + 18] == "-", marks
    assert marks.endswith("^ a flare began, - flare days"), marks
    s = json.loads(ctx.simmer("status", "--json", check=0).stdout)
    assert len(s["trend"]) == 28 and s["trend"][17]["onset"] is True, s["trend"][17]
    assert all(d["entries"] for d in s["trend"]), s["trend"]
    assert "and 1 flare (from flare entries, and from pain reaching the flare level" in words(out), out


def test_waybar_format(ctx):
    start(ctx)
    flare_diary(ctx)
    p = ctx.simmer("status", "--format", "waybar", check=0)
    assert p.stdout.count("\n") == 1, p.stdout
    w = json.loads(p.stdout)
    s = json.loads(ctx.simmer("status", "--json", check=0).stdout)
    assert w["class"] == s["level"] and w["class"] in ("ok", "watch", "warning"), (w, s)
    assert w["text"] == w["full_text"] == "load %.0f/%.0f" % (s["load"], s["threshold"]), w
    assert "alert threshold" in w["tooltip"] and w["percentage"] == round(s["load"]), w
    # The chance in status's words, with no more precision than the history
    # supports, and nothing said of stale data on a current diary.
    status = ctx.simmer("status", check=0).stdout
    chance = [l for l in status.splitlines() if "chance that a flare begins" in l][0].strip()
    assert chance in w["tooltip"] and "%" not in w["tooltip"], (chance, w)
    assert "no entries since" not in w["tooltip"], w
    p = ctx.simmer("status", "--format", "svg")
    assert p.returncode == 64 and "text|waybar" in p.stderr, p


def on_terminal(ctx, args, extra=None):
    """Runs simmer with stdout and stderr on a pseudo-terminal; returns what
    it printed."""
    env = dict(ctx.env.vars, TERM="xterm", **(extra or {}))
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(SIMMER, [SIMMER] + list(args), env)
    out = b""
    while True:
        r, _, _ = select.select([fd], [], [], 10)
        if not r:
            break
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    os.waitpid(pid, 0)
    return out.decode()


def test_colour_only_on_a_terminal_and_never_with_no_color(ctx):
    start(ctx)
    flare_diary(ctx)
    tty = on_terminal(ctx, ["status"])
    assert "\x1b[" in tty, tty
    plain = on_terminal(ctx, ["status"], {"NO_COLOR": "1"})
    assert "\x1b[" not in plain and "alert threshold" in plain, plain
    assert "\x1b[" not in ctx.simmer("status", check=0).stdout
    flag = on_terminal(ctx, ["fever"])
    assert "\x1b[" in flag and "Please seek medical evaluation" in flag, flag
    flag = on_terminal(ctx, ["fever"], {"NO_COLOR": "1"})
    assert "\x1b[" not in flag, flag
    # On a terminal, errors wrap at 80 columns too.
    err = on_terminal(ctx, ["config", "get", "nonsense"])
    assert all(len(l) <= 80 for l in err.replace("\r", "").splitlines()), err


def test_text_outputs_fit_80_columns(ctx):
    start(ctx)
    flare_diary(ctx)
    ctx.simmer("ibuprofen", "400mg", "--note", "a note long enough to need wrapping at the edge "
               "of an eighty column terminal, and then some more words", check=0)
    for args in (("status",), ("forecast",), ("why",), ("triggers",), ("backtest",),
                 ("factors",), ("list",), ("alerts",), ("help",), ("config", "get"),
                 ("reminder",), ("analyze",)):
        p = ctx.simmer(*args, check=0)
        fits(p.stdout)


def completion_candidates_bash(line, path):
    script = ("source %s/simmer.bash; read -ra COMP_WORDS <<< \"$LINE\"; "
              "[[ $LINE == *' ' ]] && COMP_WORDS+=(''); COMP_CWORD=$((${#COMP_WORDS[@]}-1)); "
              "_simmer; printf '%%s\\n' \"${COMPREPLY[@]}\"") % COMPLETIONS
    p = subprocess.run(["bash", "--norc", "--noprofile", "-c", script], capture_output=True,
                       text=True, env=dict(os.environ, LINE=line, PATH=path), timeout=30)
    assert p.returncode == 0 and "command not found" not in p.stderr, p.stderr
    return set(p.stdout.split())


def test_bash_completion_without_the_bash_completion_package(ctx):
    start(ctx)
    ctx.simmer("tomato", "--new", check=0)
    path = os.path.dirname(SIMMER) + ":" + os.environ["PATH"]
    env_path = path
    os.environ.update({k: v for k, v in ctx.env.vars.items() if k.startswith("XDG_")})
    assert "list" in completion_candidates_bash("simmer li", env_path)
    opts = completion_candidates_bash("simmer list --", env_path)
    assert {"--since", "--factor", "--limit"} <= opts and "--at" not in opts, opts
    opts = completion_candidates_bash("simmer pain 5 --", env_path)
    assert {"--at", "--note", "--new"} <= opts and "--since" not in opts, opts
    # The person's own factor comes from simmerd.
    assert "tomato" in completion_candidates_bash("simmer tom", env_path)
    assert "stiffness" in completion_candidates_bash("simmer pain 4 sti", env_path)
    keys = completion_candidates_bash("simmer config get sched", env_path)
    assert "schedule.checkin" in keys and "schedule.checkin_enabled" in keys, keys
    assert completion_candidates_bash("simmer status --format ", env_path) == {"text", "waybar"}


def test_fish_and_zsh_completions(ctx):
    start(ctx)
    ctx.simmer("tomato", "--new", check=0)
    env = dict(ctx.env.vars, PATH=os.path.dirname(SIMMER) + ":" + os.environ["PATH"])

    def fish(line):
        p = subprocess.run(["fish", "--no-config", "-c", "source %s/simmer.fish; complete -C'%s'"
                            % (COMPLETIONS, line)], capture_output=True, text=True, env=env,
                           timeout=30)
        assert p.returncode == 0, p.stderr
        return {l.split("\t")[0] for l in p.stdout.splitlines()}
    assert "list" in fish("simmer li")
    opts = fish("simmer list --")
    assert {"--since", "--factor", "--limit"} <= opts and "--at" not in opts, opts
    assert {"--at", "--note", "--new"} <= fish("simmer pain 5 --")
    assert "tomato" in fish("simmer tom")
    assert "schedule.checkin_enabled" in fish("simmer config get sched")
    # zsh: the completion function, with the completion system's builtins
    # replaced by ones that print what they were given.
    script = r"""
_call_program() { shift; "$@" }
_describe() { local arr=${@[-1]}; print -l -- ${(P)arr} }
_arguments() { print -l -- "$@" }
_files() { }
source %s/_simmer >/dev/null 2>&1
words=(simmer li); CURRENT=2; _simmer
print -- ---
words=(simmer list --); CURRENT=3; _simmer
print -- ---
words=(simmer pain 5 --); CURRENT=4; _simmer
""" % COMPLETIONS
    p = subprocess.run(["zsh", "-f", "-c", script], capture_output=True, text=True, env=env,
                       timeout=30)
    assert p.returncode == 0, p.stderr
    first, lst, log = p.stdout.split("---\n")
    assert "list:show recent entries with their ids" in first and "tomato" in first, first
    assert "--since[from then on]:when:(yesterday -1d -2d -7d)" in lst and "--at" not in lst, lst
    assert "--new[create new factors on purpose]" in log, log


def test_completions_know_every_command_and_option(ctx):
    """The completions list what the help lists: a command or an option added
    to the client without them fails here."""
    listed = re.findall(r"^  (\S+) ", ctx.simmer("help", check=0).stdout, re.M)
    texts = {}
    for name in ("simmer.bash", "_simmer", "simmer.fish"):
        with open(os.path.join(COMPLETIONS, name)) as f:
            texts[name] = f.read()
    for cmd in listed:
        help_text = ctx.simmer(cmd, "--help", check=0).stdout
        opts = set(re.findall(r"^  (--[a-z-]+)", help_text, re.M)) - {"--json"}
        for name, text in texts.items():
            assert re.search(r"(^|[\s'(])%s([\s:)']|$)" % re.escape(cmd), text, re.M), (name, cmd)
            for o in opts:
                assert o in text or o[2:] in text, (name, cmd, o)


if __name__ == "__main__":
    run_tests(globals(), sys.argv[1:])
