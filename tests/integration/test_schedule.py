# SPDX-License-Identifier: ISC
"""What the daemon does on its own, with nobody asking: the delayed analysis
after new entries, the morning run, alerts held through quiet hours and
shown when they end, and notifications turned off. The daemon's clock is set
with SIMMER_NOW a few seconds before the moment under test, and a real
notification server (dunst under Xvfb in a private session bus) shows what
a person would see."""
import json
import os

from desktop import Desktop
from harness import run_tests, wait_until
from test_notify import alerts, climbing_diary, settled_alerts


def start_on_desktop(ctx, desk, now, config):
    ctx.env.write_config(config)
    return ctx.daemon(extra_env=dict(desk.env, SIMMER_NOW=now))


def import_climbing_diary(ctx):
    diary = os.path.join(ctx.env.root, "diary.csv")
    climbing_diary(diary)
    ctx.simmer("import", diary, check=0)


def test_new_entries_start_a_delayed_analysis(ctx):
    """No schedule is due and nobody asks for an analysis: the entries alone
    start one after the debounce, and its alert reaches the desktop."""
    desk = Desktop().start()
    try:
        start_on_desktop(ctx, desk, "2026-03-20T14:00:00Z",
                         "[analysis]\ndebounce_seconds = 1\n")
        import_climbing_diary(ctx)
        assert desk.wait_for(1, timeout=20), "no analysis ran after the new entries"
        assert [a["kind"] for a in settled_alerts(ctx, 1)] == ["risk"]
    finally:
        desk.stop()


def test_morning_run_analyses_and_alerts(ctx):
    """The clock starts three seconds before the morning run; the debounce
    is an hour, so only the schedule can start the analysis."""
    desk = Desktop().start()
    try:
        start_on_desktop(ctx, desk, "2026-03-20T06:59:57Z",
                         "[analysis]\ndebounce_seconds = 3600\n"
                         "[schedule]\nmorning = 07:00\ncheckin_enabled = false\n"
                         "[alerts]\nquiet_start = 00:00\nquiet_end = 00:00\n")
        import_climbing_diary(ctx)
        assert desk.displayed() == 0
        assert desk.wait_for(1, timeout=20), "the morning run raised no notification"
        assert [a["kind"] for a in settled_alerts(ctx, 1)] == ["risk"]
    finally:
        desk.stop()


def test_quiet_hours_hold_an_alert_until_they_end(ctx):
    """Quiet hours end four seconds after the clock starts: the risk alert
    of an analysis inside them is held, then shown when they end."""
    desk = Desktop().start()
    try:
        start_on_desktop(ctx, desk, "2026-03-20T07:59:56Z",
                         "[analysis]\ndebounce_seconds = 3600\n"
                         "[schedule]\nmorning = 10:00\ncheckin_enabled = false\n"
                         "[alerts]\nquiet_start = 22:00\nquiet_end = 08:00\n")
        import_climbing_diary(ctx)
        ctx.simmer("analyze", check=0)
        status = json.loads(ctx.simmer("status", "--json", check=0).stdout)
        assert status["level"] in ("watch", "warning"), status
        assert desk.displayed() == 0, "an alert was shown inside quiet hours"
        assert desk.wait_for(1, timeout=20), "the held alert was not shown after quiet hours"
        assert [a["kind"] for a in settled_alerts(ctx, 1)] == ["risk"]
    finally:
        desk.stop()


def test_notifications_turned_off_show_nothing_but_red_flags(ctx):
    """With notify.enabled = false a risk alert is stored, not shown; a red
    flag is still shown, because it always is."""
    desk = Desktop().start()
    try:
        start_on_desktop(ctx, desk, "2026-03-20T14:00:00Z",
                         "[analysis]\ndebounce_seconds = 3600\n[notify]\nenabled = false\n")
        import_climbing_diary(ctx)
        ctx.simmer("analyze", check=0)
        ctx.simmer("fever", "--at", "2026-03-20T13:59:00Z", check=0)
        wait_until(lambda: any(a["kind"] == "red_flag" and a["outcome"] != "pending"
                               for a in alerts(ctx)), what="the red flag's outcome")
        stored = {a["kind"]: a for a in alerts(ctx)}
        assert stored["red_flag"]["shown"] is True, stored
        assert "risk" not in stored or stored["risk"]["shown"] is False, stored
        got = desk.history()
        assert len(got) == 1 and "medical" in got[0]["summary"], got
    finally:
        desk.stop()


if __name__ == "__main__":
    run_tests(globals())
