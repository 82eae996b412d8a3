# SPDX-License-Identifier: ISC
"""Integration tests of the core: a real simmerd on a real socket and SQLite
file, driven by the real simmer client and by an independent Python client."""
import calendar
import datetime
import json
import os
import signal
import socket
import sqlite3
import stat
import subprocess
import threading
import time

from harness import SIMMERD, run_tests, wait_until
from rpc import Client, RpcError, entry


def live_entries(ctx, factor=None):
    """Entries as `simmer list --json` reports them."""
    args = ["list", "--json", "--limit", "5000"]
    if factor:
        args += ["--factor", factor]
    out = ctx.simmer(*args, check=0).stdout
    return json.loads(out)["entries"]


def test_quick_entries_round_trip(ctx):
    ctx.daemon()
    p = ctx.simmer("sleep", "5.5", "sleep_quality", "2", check=0)
    lines = p.stdout.splitlines()
    assert len(lines) == 1, p.stdout
    assert "sleep_hours 5.5" in lines[0] and "sleep_quality 2" in lines[0], lines
    ctx.simmer("dairy", "alcohol", "2", check=0)
    before = datetime.date.fromtimestamp(time.time())
    ctx.simmer("pain", "6", "--at", "yesterday 21:30", "--note", "after the drive", check=0)
    after = datetime.date.fromtimestamp(time.time())
    got = {(e["factor"], e["value"]) for e in live_entries(ctx)}
    assert got == {("sleep_hours", 5.5), ("sleep_quality", 2.0), ("dairy", 1.0),
                   ("alcohol", 2.0), ("pain", 6.0)}, got
    pain = [e for e in live_entries(ctx) if e["factor"] == "pain"][0]
    assert pain["note"] == "after the drive"
    assert pain["source"] == "cli"
    # "yesterday 21:30" is 21:30 local on the day before the day the client
    # ran (either side of midnight, should the test straddle it). Local time
    # is the TZ that the harness gives this process and the binaries alike.
    wanted = set()
    for d in (before, after):
        y = d - datetime.timedelta(days=1)
        wanted.add(int(time.mktime((y.year, y.month, y.day, 21, 30, 0, 0, 0, -1)) * 1000))
    assert pain["time"] in wanted, (pain["time"], wanted)


def test_out_of_range_is_refused_with_the_range(ctx):
    ctx.daemon()
    p = ctx.simmer("pain", "12")
    assert p.returncode == 65, (p.returncode, p.stderr)
    assert "0" in p.stderr and "10" in p.stderr, p.stderr
    p = ctx.simmer("pain", "5", "sleep", "30")
    assert p.returncode == 65, (p.returncode, p.stderr)
    p = ctx.simmer("pain")
    assert p.returncode == 65 and "needs a value" in p.stderr, (p.returncode, p.stderr)
    assert "as in 'pain 5'" in p.stderr, p.stderr
    p = ctx.simmer("sleep")
    assert p.returncode == 65 and "as in 'sleep_hours 7'" in p.stderr, p.stderr
    future = (datetime.date.fromtimestamp(time.time()) + datetime.timedelta(days=3)).isoformat()
    p = ctx.simmer("pain", "5", "--at", f"{future} 10:00")
    assert p.returncode == 65 and "future" in p.stderr, (p.returncode, p.stderr)
    assert live_entries(ctx) == [], "a refused quick entry stores nothing of its line"


def test_unknown_name_becomes_event_exposure_and_can_be_redefined(ctx):
    ctx.daemon()
    ctx.simmer("tomato", "--new", check=0)
    c = Client(ctx.env.socket)
    c.hello()
    factors = {f["name"]: f for f in c.call("factors")["factors"]}
    assert factors["tomato"]["kind"] == "event" and factors["tomato"]["role"] == "exposure"
    assert factors["sleep_hours"]["builtin"] is True
    p = ctx.simmer("factor", "define", "tomato", "--kind", "scale", "--role", "symptom", check=0)
    # A name first logged had a definition: what changed is said.
    assert p.stdout == "redefined tomato: kind event -> scale, role exposure -> symptom\n", \
        p.stdout
    p = ctx.simmer("factor", "define", "tomato", "--kind", "scale", "--role", "symptom", check=0)
    assert p.stdout == "tomato is already kind scale, role symptom\n", p.stdout
    factors = {f["name"]: f for f in c.call("factors")["factors"]}
    assert factors["tomato"]["kind"] == "scale" and factors["tomato"]["role"] == "symptom"
    p = ctx.simmer("Bad-Name")
    assert p.returncode == 64 and "'Bad-Name'" in p.stderr and "not a factor name" in p.stderr, p
    p = ctx.simmer("factor", "define", "pain", "--kind", "event", "--role", "exposure")
    assert p.returncode == 65 and "built in" in p.stderr, p
    p = ctx.simmer("factor", "define", "tomato", "--kind", "sometimes", "--role", "exposure")
    assert p.returncode == 65 and "kind" in p.stderr, p


def test_count_kind_for_step_counts(ctx):
    """A factor of kind count takes a day's steps: defined, logged, summed
    over the day, refused past a million with the range, and still a count
    after a restart."""
    d = ctx.daemon()
    p = ctx.simmer("steps", "8500")
    assert p.returncode == 65 and "unknown factor 'steps'" in p.stderr, p
    # --new would make it an event, which stops at 100: the hint is the
    # definition the number needs, not --new.
    assert "define its kind first: 'simmer factor define steps --kind count --role " \
        "exposure'" in p.stderr and "--new" not in p.stderr, p.stderr
    assert "did you mean" not in p.stderr, p.stderr
    p = ctx.simmer("walk", "45", "steps", "300")
    assert p.returncode == 65 and "unknown factor 'walk' (add it with --new)" in p.stderr, p
    p = ctx.simmer("factor", "define", "steps", "--kind", "count", "--role", "exposure", check=0)
    assert p.stdout == "defined steps: kind count, role exposure\n", p.stdout
    p = ctx.simmer("factor", "define", "steps", "--kind", "counts", "--role", "exposure")
    assert p.returncode == 65 and \
        "kinds are scale, hours, minutes, event, flare, count" in p.stderr, p
    ctx.simmer("steps", "8500", check=0)
    ctx.simmer("steps", "4000", "--at", "-1h", check=0)
    p = ctx.simmer("steps", "2000000")
    assert p.returncode == 65 and \
        "steps must be between 0 and 1000000 (got 2000000)" in p.stderr, p
    p = ctx.simmer("steps")
    assert p.returncode == 65 and \
        "steps needs a value between 0 and 1000000, as in 'steps 5000'" in p.stderr, p
    assert sorted(e["value"] for e in live_entries(ctx, "steps")) == [4000, 8500]
    db = sqlite3.connect(ctx.env.db)
    sums = db.execute("SELECT sum(sum), sum(count) FROM daily WHERE factor = 'steps'").fetchone()
    db.close()
    assert sums == (12500.0, 2), sums
    line = [l for l in ctx.simmer("factors", check=0).stdout.splitlines()
            if l.startswith("steps ")]
    assert line and line[0].split()[1:4] == ["count", "exposure", "0-1000000"], line
    for start in (False, True):
        if start:
            d.stop()
            d = ctx.daemon()
        got = {f["name"]: f for f in json.loads(
            ctx.simmer("factors", "--json", check=0).stdout)["factors"]}
        assert (got["steps"]["kind"], got["steps"]["role"], got["steps"]["max"]) == \
            ("count", "exposure", 1000000), got["steps"]
    ctx.simmer("steps", "12000", check=0)
    assert len(live_entries(ctx, "steps")) == 3


def test_redefinition_must_hold_the_entries(ctx):
    """A kind whose range leaves out what was logged is refused with how
    many entries and their range; the definition stays as it was. A kind
    that holds them, or a new role or unit, is taken and said."""
    ctx.daemon()
    ctx.simmer("factor", "define", "steps", "--kind", "count", "--role", "exposure", check=0)
    ctx.simmer("steps", "8500", check=0)
    ctx.simmer("steps", "120", "--at", "-2h", check=0)
    ctx.simmer("steps", "40", "--at", "-3h", check=0)

    def steps():
        got = {f["name"]: f for f in json.loads(
            ctx.simmer("factors", "--json", check=0).stdout)["factors"]}
        return got["steps"]["kind"], got["steps"]["role"], got["steps"]["unit"]

    p = ctx.simmer("factor", "define", "steps", "--kind", "event", "--role", "exposure")
    assert p.returncode == 65 and "steps has 2 entries from 120 to 8500, outside what kind " \
        "event holds (0 to 100)" in p.stderr, p
    p = ctx.simmer("factor", "define", "steps", "--kind", "minutes", "--role", "exposure")
    assert p.returncode == 65 and "steps has 1 entry at 8500, outside what kind minutes " \
        "holds (0 to 1440)" in p.stderr, p
    assert steps() == ("count", "exposure", "")
    p = ctx.simmer("factor", "define", "steps", "--kind", "count", "--role", "exposure",
                   "--unit", "steps", check=0)
    assert p.stdout == "redefined steps: unit none -> steps\n", p.stdout
    assert steps() == ("count", "exposure", "steps")
    # Once the large entries are deleted, the narrower kind holds the rest.
    for e in live_entries(ctx, "steps"):
        if e["value"] > 100:
            ctx.simmer("delete", e["id"], check=0)
    # Not naming a unit keeps the one it had; an empty one clears it.
    p = ctx.simmer("factor", "define", "steps", "--kind", "event", "--role", "exposure", check=0)
    assert p.stdout == "redefined steps: kind count -> event\n", p.stdout
    assert steps() == ("event", "exposure", "steps")
    p = ctx.simmer("factor", "define", "steps", "--kind", "event", "--role", "exposure",
                   "--unit", "", check=0)
    assert p.stdout == "redefined steps: unit steps -> none\n", p.stdout
    assert steps() == ("event", "exposure", "")


def test_python_client_speaks_protocol(ctx):
    ctx.daemon()
    c = Client(ctx.env.socket)
    hello = c.hello()
    assert hello["protocol"] == 1
    assert hello["limits"]["max_entries_per_request"] >= 1000
    e = entry("stress", 7)
    res = c.call("log", {"entries": [e]})
    assert res["added"] == 1 and res["results"][0]["status"] == "added"
    res = c.call("log", {"entries": [e]})
    assert res["present"] == 1, "a retry with the same id never duplicates"
    # Pipelining: several requests in flight, answered by msgid.
    ids = [c.request("log", {"entries": [entry("stress", i)]}) for i in range(5)]
    for msgid in reversed(ids):
        assert c.wait(msgid)["added"] == 1
    listed = c.call("list", {"factor": "stress"})["entries"]
    assert len(listed) == 6 and all("day" in x for x in listed)
    try:
        c.call("no_such_method")
        raise AssertionError("an unknown method must fail")
    except RpcError as err:
        assert err.code == 3
    try:
        c.call("hello", {"protocol": 99})
        raise AssertionError("another protocol version must fail")
    except RpcError as err:
        assert err.code == 11
    # A notification from the client is ignored, and the connection goes on.
    import msgpack
    c.send_raw(msgpack.packb([2, "whatever", []]))
    assert c.hello()["protocol"] == 1


def test_a_request_with_thousands_of_new_names(ctx):
    """One log request may bring as many new names as it has entries: each
    becomes a factor, also across a restart, and names it repeats are not
    made twice."""
    d = ctx.daemon()
    c = Client(ctx.env.socket)
    limit = c.hello()["limits"]["max_entries_per_request"]
    # The names in a shuffled order, so that none comes in sorted order.
    names = [f"new{(i * 4099) % limit:05d}" for i in range(limit)]
    res = c.call("log", {"entries": [entry(n, 1) for n in names]})
    assert (res["added"], res["rejected"]) == (limit, 0), {k: res[k] for k in ("added", "rejected")}
    # Half the names again, next to as many new ones, in one request.
    more = [f"more{i:05d}" for i in range(limit // 2)]
    res = c.call("log", {"entries": [entry(n, 2) for n in names[::2] + more]})
    assert res["added"] == len(names[::2]) + len(more), res["added"]
    c.close()
    for start in (False, True):
        if start:
            d.stop()
            d = ctx.daemon()
        c = Client(ctx.env.socket)
        c.hello()
        listed = [f["name"] for f in c.call("factors")["factors"] if not f["builtin"]]
        c.close()
        assert listed == sorted(names + more), (len(listed), listed[:3])


def test_log_can_answer_with_the_rejected_entries_only(ctx):
    ctx.daemon()
    c = Client(ctx.env.socket)
    # Only the rejected ones, each with its place in the request, as an
    # import asks; an entry already present is counted, not listed.
    kept = entry("stress", 3)
    res = c.call("log", {"entries": [entry("pain", 41), kept, entry("stress", 11), kept],
                         "results": "rejected"})
    assert (res["added"], res["present"], res["rejected"]) == (1, 1, 2), res
    assert [r["index"] for r in res["results"]] == [0, 2], res["results"]
    assert all(r["status"] == "rejected" and "between" in r["message"] for r in res["results"])
    try:
        c.call("log", {"entries": [entry("pain", 4)], "results": "some"})
        raise AssertionError("an unknown kind of results must fail")
    except RpcError as err:
        assert err.code == 4 and '"results"' in err.message, (err.code, err.message)


def test_non_atomic_log_reports_each_entry(ctx):
    ctx.daemon()
    c = Client(ctx.env.socket)
    res = c.call("log", {"entries": [entry("pain", 4), entry("pain", 40), entry("sleep", 7)]})
    assert (res["added"], res["rejected"]) == (2, 1), res
    assert "between" in res["results"][1]["message"]
    try:
        c.call("log", {"entries": [entry("pain", 4), entry("pain", 40)], "atomic": True})
        raise AssertionError("atomic log with a bad entry must fail")
    except RpcError as err:
        assert err.code == 6 and "entry 2" in err.message, err.message
    assert len(c.call("list")["entries"]) == 2


def test_local_day_counts_late_night_to_the_day_before(ctx):
    ctx.daemon()
    c = Client(ctx.env.socket)
    # 2026-03-10 02:30 at UTC+1 is 01:30 UTC: before 04:00 local, so March 9.
    t = calendar.timegm(time.strptime("2026-03-10 01:30", "%Y-%m-%d %H:%M")) * 1000
    c.call("log", {"entries": [entry("pain", 3, time_ms=t, offset=60)]})
    c.call("log", {"entries": [entry("pain", 3, time_ms=t + 3 * 3600 * 1000, offset=60)]})
    days = [e["day"] for e in c.call("list")["entries"]]
    assert days == ["2026-03-09", "2026-03-10"], days


def test_undo_and_delete(ctx):
    ctx.daemon()
    ctx.simmer("pain", "3", check=0)
    ctx.simmer("stress", "4", check=0)
    p = ctx.simmer("undo", check=0)
    assert "stress" in p.stdout, p.stdout
    assert [e["factor"] for e in live_entries(ctx)] == ["pain"]
    pid = live_entries(ctx)[0]["id"]
    ctx.simmer("delete", pid[:8], check=0)
    assert live_entries(ctx) == []
    p = ctx.simmer("undo")
    assert p.returncode != 0 and p.stderr.strip()
    p = ctx.simmer("delete", "00000000-0000-4000-8000-000000000000")
    assert p.returncode != 0 and "no" in p.stderr.lower(), p.stderr


def test_files_are_private(ctx):
    ctx.daemon()
    ctx.simmer("pain", "2", check=0)
    sock_dir = os.path.dirname(ctx.env.socket)
    assert stat.S_IMODE(os.stat(sock_dir).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(ctx.env.socket).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(ctx.env.db).st_mode) == 0o600
    db = sqlite3.connect(ctx.env.db)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_an_acknowledgement_follows_an_fsync_of_the_wal(ctx):
    """kill -9 cannot tell a missing fsync (the page cache survives it), so
    count them: between sending an entry and its acknowledgement the writer
    must fsync the write-ahead log (synchronous=FULL), on every commit."""
    d = ctx.daemon()
    ctx.simmer("pain", "1", check=0)     # the writer opened the database
    out = os.path.join(ctx.env.root, "sync.strace")
    tracer = subprocess.Popen(["strace", "-f", "-y", "-qq", "-e", "trace=fsync,fdatasync",
                               "-o", out, "-p", str(d.proc.pid)],
                              stderr=subprocess.PIPE, text=True)
    try:
        # strace is attached once every thread is traced (TracerPid set).
        def traced():
            tasks = os.listdir(f"/proc/{d.proc.pid}/task")
            for t in tasks:
                with open(f"/proc/{d.proc.pid}/task/{t}/status") as f:
                    if "TracerPid:\t0\n" in f.read():
                        return False
            return True
        wait_until(traced, what="strace to attach to every simmerd thread")
        for i in range(3):
            c = Client(ctx.env.socket)
            c.hello()
            res = c.call("log", {"entries": [entry("stress", i)]})
            assert res["added"] == 1, res
            c.close()
    finally:
        tracer.terminate()
        tracer.wait(10)
    with open(out) as f:
        syncs = [l for l in f if "simmer.db-wal" in l and ("fsync(" in l or "fdatasync(" in l)]
    assert len(syncs) >= 3, f"{len(syncs)} fsyncs of the WAL for 3 acknowledged commits"


def test_acknowledged_entries_survive_kill_9(ctx):
    d = ctx.daemon()
    acked = []
    stop = threading.Event()

    def writer(n):
        c = Client(ctx.env.socket)
        try:
            i = 0
            while not stop.is_set():
                i += 1
                e = entry("stress", n % 10, note=f"{n}/{i}")
                c.call("log", {"entries": [e]})
                acked.append(e["id"])
        except Exception:
            pass

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    # Kill in the middle of the stream, once a good number was acknowledged.
    wait_until(lambda: len(acked) >= 200, timeout=60, what="200 acknowledged entries")
    d.kill9()
    stop.set()
    for t in threads:
        t.join()
    db = sqlite3.connect(ctx.env.db)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()
    ctx.daemon()
    ctx.simmer("pain", "1", check=0)  # the restarted daemon serves
    db = sqlite3.connect(ctx.env.db)
    stored = {row[0] for row in db.execute("SELECT id FROM entries WHERE deleted = 0")}
    db.close()
    missing = [i for i in acked if i not in stored]
    assert not missing, f"{len(missing)} acknowledged entries were lost"


def test_spool_when_daemon_is_away(ctx):
    p = ctx.simmer("pain", "5", "--note", "no daemon yet")
    assert p.returncode == 75, (p.returncode, p.stderr)
    assert ctx.env.socket in p.stderr, p.stderr
    spool = os.path.join(ctx.env.spool_dir, "spool.msgpack")
    assert os.path.getsize(spool) > 0
    assert stat.S_IMODE(os.stat(spool).st_mode) == 0o600
    ctx.simmer("stiffness", "3", check=75)
    ctx.daemon()
    deadline = time.time() + 10
    while time.time() < deadline:
        got = live_entries(ctx)
        if len(got) == 2:
            break
        time.sleep(0.1)
    assert sorted((e["factor"], e["source"]) for e in got) == [("pain", "spool"), ("stiffness", "spool")], got
    assert [e["note"] for e in got if e["factor"] == "pain"] == ["no daemon yet"]
    assert not [f for f in os.listdir(ctx.env.spool_dir) if f.startswith("spool.msgpack")], \
        "the spool is removed once taken in"


def test_second_daemon_refuses_and_stale_socket_is_replaced(ctx):
    ctx.daemon()
    p = subprocess.run([SIMMERD], env=ctx.env.vars, capture_output=True, text=True, timeout=10)
    assert p.returncode != 0
    assert "already running" in p.stderr, p.stderr
    # The first one still serves.
    ctx.simmer("pain", "1", check=0)
    ctx.daemons[0].kill9()
    # kill -9 left the socket file behind: the next start replaces it.
    assert os.path.exists(ctx.env.socket)
    ctx.daemon()
    assert len(live_entries(ctx)) == 1


def test_sigterm_exits_zero(ctx):
    d = ctx.daemon()
    ctx.simmer("pain", "2", check=0)
    assert d.stop(signal.SIGTERM) == 0
    assert not os.path.exists(ctx.env.socket)
    d2 = ctx.daemon()
    assert d2.stop(signal.SIGINT) == 0


def test_many_concurrent_clients(ctx):
    ctx.daemon()
    errors = []

    def worker(n):
        try:
            c = Client(ctx.env.socket)
            c.hello()
            for i in range(25):
                r = c.call("log", {"entries": [entry("activity_minutes", i + n, note=f"{n}/{i}")]})
                assert r["added"] == 1, r
            c.close()
        except Exception as e:
            errors.append(repr(e))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(48)]
    for t in threads:
        t.start()
    procs = [subprocess.Popen([os.path.join(os.path.dirname(SIMMERD), "simmer"), "stress", str(i % 10),
                               "--note", str(i)],
                              env=ctx.env.vars, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
             for i in range(16)]
    for t in threads:
        t.join()
    for p in procs:
        assert p.wait(30) == 0, p.stderr.read()
    assert not errors, errors[:3]
    c = Client(ctx.env.socket)
    assert len(c.call("list", {"limit": 5000, "factor": "activity_minutes"})["entries"]) == 48 * 25
    assert len(c.call("list", {"limit": 5000, "factor": "stress"})["entries"]) == 16


def test_analysis_replies_follow_the_contract(ctx):
    ctx.daemon()
    ctx.simmer("sleep", "5", "stress", "7", "dairy", check=0)
    ctx.simmer("analyze", check=0)
    t = json.loads(ctx.simmer("triggers", "--json", check=0).stdout)
    for key in ("days", "flares", "tested", "triggers", "warning_signs", "protective",
                "not_enough_data", "enough_data", "message", "coverage"):
        assert key in t, (key, t)
    assert t["enough_data"] is False and "Not enough data yet" in t["message"]
    text = " ".join(ctx.simmer("triggers", check=0).stdout.split())
    assert "No pattern was tested yet." in text and "0 patterns" not in text, text
    assert "No level pattern could be tested yet" in text, text
    f = json.loads(ctx.simmer("forecast", "--json", check=0).stdout)
    assert set(("date", "risk", "level", "load", "threshold", "contributors")) <= set(f), f
    assert f["level"] in ("ok", "watch", "warning") and 0 <= f["risk"] <= 1
    b = json.loads(ctx.simmer("backtest", "--json", check=0).stdout)
    assert "days" in b and "summary" in b, b
    for key in ("model", "auc", "baseline_auc", "brier", "brier_reference", "calibration",
                "risk_alerts"):
        assert key in b["summary"], (key, b["summary"])
    text = ctx.simmer("backtest", check=0).stdout
    assert "not enough onsets to judge yet (0 of the 5 needed)" in text, text
    assert "nan" not in text.lower(), text
    status = ctx.simmer("status", check=0).stdout
    assert "Risk alerts are off" in status and "%" not in status, status
    s = json.loads(ctx.simmer("status", "--json", check=0).stdout)
    assert s["threshold_source"] == "prior" and s["coverage"]["days"] == 1, s
    why = ctx.simmer("why", check=0).stdout
    assert "not causes" in why, why
    # No symptom scale is logged yet: the warning-signs forecaster is the
    # average rate, and says so.
    assert s["model"] == "warning signs" and s["warning_signs_logged"] is False, s
    assert b["summary"]["warning_signs_logged"] is False, b["summary"]
    assert "your average rate, as no symptom scale is logged" in " ".join(
        ctx.simmer("backtest", check=0).stdout.split())
    # Nothing is calibrated on one day: today's chance is the starting curve
    # of the load, and status says that, not the name of a forecaster.
    assert s["calibrated"] is False, s
    assert "forecast by: starting values (your load against the alert threshold), until " \
        "your own history can calibrate a forecast" in " ".join(status.split()), status
    ctx.simmer("stiffness", "3", check=0)
    ctx.simmer("analyze", check=0)
    s = json.loads(ctx.simmer("status", "--json", check=0).stdout)
    assert s["warning_signs_logged"] is True, s


def test_forecast_says_what_made_it(ctx):
    """On a calibrated diary the forecaster is named; without any symptom
    scale the warning signs are the average rate, and are called that."""
    ctx.daemon()
    symptoms = {f["name"] for f in json.loads(ctx.simmer("factors", "--json").stdout)["factors"]
                if f["role"] == "symptom"}
    rows = subprocess.run([os.path.join(os.path.dirname(SIMMERD), "tools", "simdiary"),
                           "--days", "240", "--seed", "5"], capture_output=True, text=True,
                          check=True).stdout.splitlines()
    path = os.path.join(ctx.env.root, "no-symptoms.csv")
    with open(path, "w") as f:
        f.write("\n".join(r for r in rows if r.split(",")[1] not in symptoms) + "\n")
    ctx.simmer("import", path, check=0)
    s = json.loads(ctx.simmer("status", "--json", check=0).stdout)
    assert s["calibrated"] is True and s["warning_signs_logged"] is False, s
    status = " ".join(ctx.simmer("status", check=0).stdout.split())
    if s["model"] == "warning signs":
        assert "forecast by: your average rate, as no symptom scale is logged (see simmer " \
            "backtest for its record)" in status, status
    elif s["model"] == "warning signs and full model":
        assert "forecast by: the full model, taken halfway to your average rate, as no symptom " \
            "scale is logged (see simmer backtest for its record)" in status, status
    else:
        assert f"forecast by: {s['model']} (see simmer backtest for its record)" in status, status
    why = " ".join(ctx.simmer("why", check=0).stdout.split())
    assert "forecast by: " in why and "starting values" not in why, why


def test_verbose_logs_have_priorities(ctx):
    d = ctx.daemon("--verbose")
    ctx.simmer("pain", "2", check=0)
    d.stop()
    lines = [l for l in d.logs().splitlines() if l.strip()]
    assert lines and all(l[:3] in ("<3>", "<4>", "<6>", "<7>") for l in lines), lines[:5]
    assert any(l.startswith("<7>") for l in lines)


if __name__ == "__main__":
    run_tests(globals())
