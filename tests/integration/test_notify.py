# SPDX-License-Identifier: ISC
"""Alerts through a real notification server: Xvfb, dbus-run-session and
dunst. A diary whose warning signs rise as they did before earlier flares
raises exactly one notification with the chance in coarse words; a second run
within the cooldown raises none; a red-flag entry raises a critical one at
once, even in quiet hours. Without a session bus the daemon keeps serving,
stores the alert, and `simmer notify-test` explains in one line."""
import json
import os
import time

from desktop import Desktop
from harness import run_tests, wait_until

NOW = "2026-03-20T14:00:00Z"
AT = "2026-03-20T13:59:00Z"   # entries "now" on the daemon's clock
DAY_MS = 86400000


def climbing_diary(path, days=220):
    """Calm days, eight bursts of short sleep, stress, stiffness, drinks and
    late meals each followed by a flare (enough onsets for the backtest to
    judge the forecasts and set the alert cut-offs), and a ninth burst in
    the last days."""
    end = 1773964800000 // DAY_MS  # 2026-03-20
    lines = ["time,factor,value"]
    bursts = {b: True for b in range(20, days - 20, 25)}
    bursts[days - 4] = False
    for d in range(days):
        t = (end - days + 1 + d) * DAY_MS + 12 * 3600000
        burst = any(b <= d < b + 4 for b in bursts)
        flare = any(bursts[b] and d == b + 4 for b in bursts)
        lines.append(f"{t},sleep_hours,{4.5 if burst else 7.5}")
        lines.append(f"{t + 1},stress,{8 if burst else 2}")
        lines.append(f"{t + 2},pain,{8 if flare else 3}")
        lines.append(f"{t + 3},stiffness,{5 if burst else 2}")
        if burst:
            lines.append(f"{t + 4},alcohol,2")
            lines.append(f"{t + 5},late_meal,1")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def start(ctx, desktop=None, now=NOW):
    extra = {"SIMMER_NOW": now}
    if desktop:
        extra.update(desktop.env)
    return ctx.daemon(extra_env=extra)


def alerts(ctx):
    return json.loads(ctx.simmer("alerts", "--json", check=0).stdout)["alerts"]


def settled_alerts(ctx, count):
    """The stored alerts once `count` of them exist and none is still waiting
    for the notification server's answer."""
    def done():
        got = alerts(ctx)
        return got if len(got) >= count and all(a["outcome"] != "pending" for a in got) else None
    return wait_until(done, what=f"{count} alerts with their outcome stored")


def test_rising_load_notifies_once_then_cooldown_then_red_flag(ctx):
    desk = Desktop().start()
    try:
        diary = os.path.join(ctx.env.root, "diary.csv")
        climbing_diary(diary)
        start(ctx, desk)
        ctx.simmer("import", diary, check=0)
        ctx.simmer("analyze", check=0)
        status = json.loads(ctx.simmer("status", "--json", check=0).stdout)
        assert status["level"] in ("watch", "warning"), status
        assert desk.wait_for(1), "no notification arrived"
        risk = [a for a in settled_alerts(ctx, 1) if a["kind"] == "risk"]
        assert len(risk) == 1, risk
        # A second analysis inside the cooldown raises nothing new. The alert
        # policy decides in the loop turn that answers `analyze`, so an alert
        # from it would be queued before the red flag logged below: the
        # history and the stored alerts checked after the red flag must still
        # hold exactly one risk alert.
        ctx.simmer("analyze", check=0)
        got = desk.history()
        assert len(got) == 1, got
        n = got[0]
        assert n["appname"] == "simmer", n
        assert "within 48 hours" in n["summary"] and "%" not in n["summary"], n
        want = "CRITICAL" if status["level"] == "warning" else "NORMAL"
        assert n["urgency"] == want, (n, status)
        assert "not a diagnosis" in n["body"], n
        assert len([a for a in alerts(ctx) if a["kind"] == "risk"]) == 1
        # Quiet all day now; a red flag still gets through, critical, at once.
        ctx.simmer("config", "set", "alerts.quiet_start", "00:00", check=0)
        ctx.simmer("config", "set", "alerts.quiet_end", "23:59", check=0)
        ctx.simmer("fever", "--at", AT, check=0)
        assert desk.wait_for(2), "the red flag was not shown"
        settled_alerts(ctx, 2)
        got = desk.history()
        flag = [x for x in got if "medical" in x["summary"]]
        assert len(flag) == 1 and flag[0]["urgency"] == "CRITICAL", got
        assert "cannot assess" in flag[0]["body"]
        stored = alerts(ctx)
        assert [a["kind"] for a in stored] == ["risk", "red_flag"], stored
        deadline = time.monotonic() + 5
        while not all(a["shown"] for a in stored) and time.monotonic() < deadline:
            time.sleep(0.1)
            stored = alerts(ctx)
        assert all(a["shown"] for a in stored), stored
        p = ctx.simmer("notify-test", check=0)
        assert "test notification shown" in p.stdout, p.stdout
        assert "Risk alerts are on" in " ".join(p.stdout.split()), p.stdout
        if os.environ.get("SIMMER_SCREENSHOT"):
            ctx.simmer("fever", "--at", AT, check=0)
            time.sleep(1)
            desk.screenshot(os.environ["SIMMER_SCREENSHOT"])
    finally:
        desk.stop()


def test_cooldown_holds_across_a_restart(ctx):
    """A risk alert, then a restart inside the cooldown: the restarted daemon
    remembers when it last alerted and raises nothing new."""
    desk = Desktop().start()
    try:
        diary = os.path.join(ctx.env.root, "diary.csv")
        climbing_diary(diary)
        d = start(ctx, desk)
        ctx.simmer("import", diary, check=0)
        ctx.simmer("analyze", check=0)
        assert desk.wait_for(1), "no notification arrived"
        assert [a["kind"] for a in settled_alerts(ctx, 1)] == ["risk"]
        assert d.stop() == 0
        start(ctx, desk)
        ctx.simmer("analyze", check=0)
        status = json.loads(ctx.simmer("status", "--json", check=0).stdout)
        assert status["level"] in ("watch", "warning"), status
        # A red flag after the analysis: once it is stored and shown, any risk
        # alert from the analysis before it would be stored too.
        ctx.simmer("fever", "--at", AT, check=0)
        assert desk.wait_for(2), "the red flag was not shown"
        kinds = [a["kind"] for a in settled_alerts(ctx, 2)]
        assert kinds == ["risk", "red_flag"], kinds
    finally:
        desk.stop()


def test_evening_schedule_runs_the_analysis_and_alerts(ctx):
    """The daemon's clock starts at 19:59:57: the 20:00 forecast is due three
    seconds later, with nothing but the schedule to start it."""
    desk = Desktop().start()
    try:
        ctx.env.write_config("[analysis]\ndebounce_seconds = 3600\n")
        diary = os.path.join(ctx.env.root, "diary.csv")
        climbing_diary(diary)
        start(ctx, desk, now="2026-03-20T19:59:57Z")
        ctx.simmer("import", diary, check=0)
        assert desk.displayed() == 0
        assert desk.wait_for(1, timeout=20), "the evening forecast raised no notification"
        got = desk.history()
        assert len(got) == 1 and "within 48 hours" in got[0]["summary"], got
    finally:
        desk.stop()


def test_checkin_reminder_when_nothing_logged(ctx):
    desk = Desktop().start()
    try:
        ctx.env.write_config("[schedule]\ncheckin = 21:00\ncheckin_enabled = true\n")
        start(ctx, desk, now="2026-03-20T20:59:58Z")
        assert desk.wait_for(1, timeout=20), "no check-in reminder"
        got = desk.history()
        assert got[0]["summary"] == "How was today?" and got[0]["urgency"] == "LOW", got
        assert [a["kind"] for a in alerts(ctx)] == ["checkin"]
    finally:
        desk.stop()


def test_snooze_and_open_report_buttons(ctx):
    """A risk alert carries two buttons. "Open report" writes the alert's
    whole text to a file (no viewer opens it here, and simmerd says where it
    is); "Snooze today" holds risk alerts for the rest of the day, while a
    red flag is still shown at once."""
    desk = Desktop().start()
    try:
        ctx.env.write_config("[analysis]\ndebounce_seconds = 3600\n")
        d = start(ctx, desk)
        diary = os.path.join(ctx.env.root, "diary.csv")
        climbing_diary(diary)
        ctx.simmer("import", diary, check=0)
        ctx.simmer("analyze", check=0)
        assert desk.wait_for(1, timeout=20), "no risk alert"
        risk = settled_alerts(ctx, 1)[0]
        assert risk["kind"] == "risk", risk

        assert desk.choose_action("Open report")
        line = wait_until(lambda: next((l for l in d.logs().splitlines()
                                        if "the report is in " in l or "opened the report " in l),
                                       None), timeout=20, what="the report button's outcome")
        path = line.split("the report is in " if "the report is in " in line
                          else "opened the report ", 1)[1].split(" (", 1)[0]
        with open(path) as f:
            text = f.read()
        assert risk["summary"] in text and "not a diagnosis" in text, text

        assert desk.choose_action("Snooze today")
        wait_until(lambda: "risk alerts snoozed for today" in d.logs(), timeout=20,
                   what="the snooze button")
        ctx.simmer("fever", "--at", AT, check=0)
        flag = wait_until(lambda: next((a for a in alerts(ctx) if a["kind"] == "red_flag"
                                        and a["outcome"] != "pending"), None),
                          timeout=20, what="the red flag's outcome")
        assert flag["shown"] is True, flag
        assert any("medical" in n["summary"] for n in desk.history()), desk.history()
    finally:
        desk.stop()


def test_simmerd_outlives_the_session_bus(ctx):
    """The desktop session ends (its bus goes away) after a notification:
    simmerd keeps serving, and says there is no notification server, where
    GLib's default would have ended it with SIGTERM."""
    desk = Desktop().start()
    try:
        d = start(ctx, desk)
        assert "shown" in ctx.simmer("notify-test", check=0).stdout
    finally:
        desk.stop()
    p = ctx.simmer("notify-test")
    assert d.proc.poll() is None, "simmerd stopped when the session bus went away:\n" + d.logs()
    assert "no notification server" in p.stdout + p.stderr, p
    assert "SIGTERM" not in d.logs(), d.logs()
    ctx.simmer("pain", "3", "--at", AT, check=0)


def test_replacement_not_stacking(ctx):
    desk = Desktop().start()
    try:
        start(ctx, desk)
        ctx.simmer("notify-test", check=0)
        ctx.simmer("notify-test", check=0)
        ctx.simmer("fever", "--at", AT, check=0)
        settled_alerts(ctx, 1)
        assert desk.displayed() == 1, "a newer notification replaces the one on screen"
    finally:
        desk.stop()


def test_no_session_bus(ctx):
    d = start(ctx)
    p = ctx.simmer("notify-test")
    assert p.returncode == 69, p
    # One message, wrapped to 80 columns.
    said = " ".join(p.stdout.split())
    assert p.stdout.startswith("not shown") and "no notification server" in said, p.stdout
    # Nothing analysed yet: no risk alerts, and it says so; red flags always alert.
    assert "Risk alerts are off" in said, p.stdout
    assert "Red-flag symptoms always raise an alert" in said, p.stdout
    ctx.simmer("numbness", "--at", AT, check=0)
    deadline = time.monotonic() + 5
    stored = []
    while time.monotonic() < deadline:
        stored = alerts(ctx)
        if stored and stored[0]["outcome"] != "pending":
            break
        time.sleep(0.1)
    assert [a["kind"] for a in stored] == ["red_flag"], stored
    assert stored[0]["shown"] is False and "no notification server" in stored[0]["outcome"], stored
    # Still serving.
    ctx.simmer("pain", "3", "--at", AT, check=0)
    assert d.proc.poll() is None


def test_watch_prints_alerts_as_they_happen(ctx):
    import subprocess
    from harness import SIMMER
    start(ctx)
    watcher = subprocess.Popen([SIMMER, "watch"], env=ctx.env.vars, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    try:
        import select
        fd = watcher.stdout.fileno()
        text = ""
        # Log only once the watcher has subscribed.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and "watching for alerts" not in text:
            r, _, _ = select.select([fd], [], [], 0.5)
            if r:
                text += os.read(fd, 4096).decode()
        ctx.simmer("weakness", "--at", AT, check=0)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and "weakness" not in text:
            r, _, _ = select.select([fd], [], [], 0.5)
            if r:
                text += os.read(fd, 4096).decode()
        assert "watching for alerts" in text, text
        assert "critical" in text and "medical evaluation" in text and "weakness" in text, text
    finally:
        watcher.terminate()
        watcher.wait(5)


def test_red_flag_kept_in_the_spool_still_alerts(ctx):
    p = ctx.simmer("fever", "--at", AT)
    assert p.returncode == 75, p
    start(ctx)
    deadline = time.monotonic() + 10
    stored = []
    while time.monotonic() < deadline and not stored:
        stored = alerts(ctx)
        time.sleep(0.1)
    assert [a["kind"] for a in stored] == ["red_flag"], stored


def test_config_file_and_reload(ctx):
    ctx.env.write_config("[alerts]\ncooldown_hours = 6\n[day]\nstart_hour = 5\n")
    d = start(ctx)
    got = json.loads(ctx.simmer("config", "get", "--json", check=0).stdout)["values"]
    assert got["alerts.cooldown_hours"] == "6" and got["day.start_hour"] == "5", got
    ctx.env.write_config("[alerts]\ncooldown_hours = 3\n")
    import signal
    d.proc.send_signal(signal.SIGHUP)
    wait_until(lambda: json.loads(ctx.simmer("config", "get", "--json", check=0).stdout)
               ["values"]["alerts.cooldown_hours"] == "3", what="the reloaded configuration")
    ctx.env.write_config("[alerts]\ncooldown_hours = lots\n")
    p = ctx.simmer("reload")
    assert p.returncode == 65 and "line 2" in p.stderr, p
    p = ctx.simmer("config", "set", "schedule.evening", "25:00")
    assert p.returncode == 65 and "HH:MM" in p.stderr, p


def wait_for_alert_kinds(ctx, summary_word, timeout=10):
    """Polls `simmer alerts` until an alert whose summary names summary_word
    is stored; returns every stored alert."""
    deadline = time.monotonic() + timeout
    stored = []
    while time.monotonic() < deadline:
        stored = alerts(ctx)
        if any(summary_word in a["summary"] for a in stored):
            return stored
        time.sleep(0.1)
    raise AssertionError(f"no alert naming {summary_word}: {stored}")


def test_the_same_red_flag_sent_twice_alerts_once(ctx):
    """An entry re-sent with the same id (a client retry) is stored once and
    raises one alert: side effects follow what the writer added. A second,
    different red flag afterwards marks the point by which a duplicate
    alert would have been stored and shown."""
    from rpc import Client, entry
    desk = Desktop().start()
    try:
        start(ctx, desk)
        c = Client(ctx.env.socket)
        c.hello()
        at = calendar_ms(AT)
        fever = entry("fever", 1, time_ms=at)
        first = c.call("log", {"entries": [fever]})
        assert first["added"] == 1, first
        assert desk.wait_for(1), "the red flag was not shown"
        wait_until_shown(ctx)
        got = [n["summary"] for n in desk.history()]
        assert len(got) == 1 and "fever" in got[0], got
        again = c.call("log", {"entries": [fever]})
        assert again["present"] == 1 and again["added"] == 0, again
        both = c.call("log", {"entries": [fever, fever]})
        assert both["present"] == 2, both
        c.call("log", {"entries": [entry("weakness", 1, time_ms=at)]})
        stored = wait_for_alert_kinds(ctx, "weakness")
        assert ["fever" in a["summary"] for a in stored] == [True, False], stored
        wait_until_shown(ctx)
        # The newer notification replaces the one dunst holds: only the
        # stored alerts can say that no second fever alert was raised.
        got = [n["summary"] for n in desk.history()]
        assert any("weakness" in g for g in got), got
    finally:
        desk.stop()


def wait_until_shown(ctx, timeout=10):
    """Polls until every stored alert has its outcome from dunst."""
    deadline = time.monotonic() + timeout
    stored = alerts(ctx)
    while any(a["outcome"] == "pending" for a in stored) and time.monotonic() < deadline:
        time.sleep(0.1)
        stored = alerts(ctx)
    assert all(a["shown"] for a in stored), stored


def test_a_spool_replayed_twice_alerts_once(ctx):
    """A spool left behind by a crash is taken in again at the next start:
    its entries are already present, so its red flag does not alert again."""
    desk = Desktop().start()
    try:
        p = ctx.simmer("fever", "--at", AT)
        assert p.returncode == 75, p
        spool = os.path.join(ctx.env.spool_dir, "spool.msgpack")
        with open(spool, "rb") as f:
            kept = f.read()
        d = start(ctx, desk)
        wait_for_alert_kinds(ctx, "fever")
        wait_until_shown(ctx)
        d.stop()
        # As if the first take-in had crashed before removing its file.
        with open(spool + ".taking-1", "wb") as f:
            f.write(kept)
        start(ctx, desk)
        deadline = time.monotonic() + 10
        while os.path.exists(spool + ".taking-1") and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not os.path.exists(spool + ".taking-1"), "the replayed spool was not taken in"
        ctx.simmer("weakness", "--at", AT, check=0)
        stored = wait_for_alert_kinds(ctx, "weakness")
        assert ["fever" in a["summary"] for a in stored] == [True, False], stored
        assert desk.wait_for(2), "the two red flags were not both shown"
        wait_until_shown(ctx)
        # Each daemon's notifier shows its first alert as a new notification:
        # a second fever alert would have made this three.
        shown = desk.displayed() + int(desk.dunstctl("count", "history").stdout.strip() or 0)
        assert shown == 2, shown
    finally:
        desk.stop()


def calendar_ms(iso):
    import calendar
    return calendar.timegm(time.strptime(iso, "%Y-%m-%dT%H:%M:%SZ")) * 1000


if __name__ == "__main__":
    run_tests(globals())
