# SPDX-License-Identifier: ISC
"""What the daemon does on its own, with nobody asking: the delayed analysis
after new entries, the morning run, alerts held through quiet hours and
shown when they end, notifications turned off, and a new time zone that
moves the morning run and the day it is. The daemon's clock is set
with SIMMER_NOW a few seconds before the moment under test, and a real
notification server (dunst under Xvfb in a private session bus) shows what
a person would see."""
import calendar
import json
import os
import shutil
import subprocess

from desktop import Desktop
from harness import SIMMER, Skip, run_tests, wait_until
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


def private_etc(ctx):
    """A wrapper that runs simmerd in a mount namespace of its own, whose
    /etc is an overlay of the machine's with /etc/localtime pointing at UTC:
    the test can replace /etc/localtime there, as timedatectl does, without
    touching the machine's. Needs root."""
    if os.geteuid() != 0:
        raise Skip("a private /etc (a mount namespace) needs root")
    if not (shutil.which("unshare") and shutil.which("nsenter")):
        raise Skip("unshare and nsenter (util-linux) are missing")
    upper, work = os.path.join(ctx.env.root, "etc-upper"), os.path.join(ctx.env.root, "etc-work")
    os.makedirs(upper)
    os.makedirs(work)
    mount = (f"mount -t overlay overlay -o lowerdir=/etc,upperdir={upper},workdir={work} /etc && "
             "ln -sfn /usr/share/zoneinfo/Etc/UTC /etc/localtime")
    probe = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", mount],
                           capture_output=True, text=True)
    if probe.returncode != 0:
        raise Skip(f"no overlay mount here: {probe.stderr.strip()}")
    shutil.rmtree(work)
    os.makedirs(work)
    for name in os.listdir(upper):
        os.unlink(os.path.join(upper, name))
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c",
            mount + ' && exec "$@"', "sh"]


def test_a_new_time_zone_moves_the_morning_run_and_the_day(ctx):
    """simmerd runs without TZ, so /etc/localtime is its zone: UTC at first.
    At 22:59:50 UTC the next morning run (05:00) is six hours away and it is
    still March 20. Then /etc/localtime is replaced by UTC+6: it is now 04:59
    on March 21 there, so the morning run comes ten seconds later, without a
    restart, and the analysis speaks of March 21."""
    prefix = private_etc(ctx)
    ctx.env.write_config("[analysis]\ndebounce_seconds = 3600\n"
                         "[schedule]\nmorning = 05:00\nevening = 20:00\ncheckin_enabled = false\n")
    now = "2026-03-20T22:59:50Z"
    no_zone = {"SIMMER_NOW": now, "TZ": None}
    d = ctx.daemon("--verbose", prefix=prefix, extra_env=no_zone)

    def inside(*args):
        """A command in simmerd's mount namespace, so it sees the same /etc."""
        env = {k: v for k, v in ctx.env.vars.items() if k != "TZ"}
        env["SIMMER_NOW"] = now
        return subprocess.run(["nsenter", "-t", str(d.proc.pid), "-m", "--"] + list(args),
                              env=env, capture_output=True, text=True, timeout=30, check=True)

    def status():
        return json.loads(inside(SIMMER, "status", "--json").stdout)

    inside(SIMMER, "pain", "3", "stress", "4")
    before = status()
    assert before["date"] == "2026-03-20" and before["last_entry"] == "2026-03-20", before
    first_run = before["coverage"]["computed_at"]
    morning_utc6 = calendar.timegm((2026, 3, 20, 23, 0, 0)) * 1000  # 05:00 at UTC+6
    assert first_run < morning_utc6, before

    if "cannot watch /etc" in d.logs():
        raise Skip("simmerd could not watch /etc here (no inotify instance left for this user)")
    inside("ln", "-sfn", "/usr/share/zoneinfo/Etc/GMT-6", "/etc/localtime")
    wait_until(lambda: "the time zone changed" in d.logs(), what="the daemon to see the new zone")
    after = wait_until(lambda: (lambda s: s if s["coverage"]["computed_at"] > first_run else None)(
        status()), timeout=25, what="the morning run at 05:00 in the new zone")
    # The timer may fire a millisecond before the daemon's clock reads 05:00.
    assert after["coverage"]["computed_at"] >= morning_utc6 - 1000, after["coverage"]
    assert "scheduled morning analysis" in d.logs(), d.logs()
    # The day the analysis speaks of is the new zone's; the entry keeps the
    # day it was logged on, by its own offset.
    assert after["date"] == "2026-03-21", after
    assert after["last_entry"] == "2026-03-20", after
    # An entry at 05:30 in the new zone is March 21 (the day starts at 04:00).
    inside(SIMMER, "pain", "2", "--at", "2026-03-21T05:30:00+06:00")
    assert status()["last_entry"] == "2026-03-21"


if __name__ == "__main__":
    run_tests(globals())
