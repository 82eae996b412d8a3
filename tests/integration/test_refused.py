# SPDX-License-Identifier: ISC
"""Entries kept in the spool while simmerd was away, that its checks then
refuse, are not lost without a word: a real simmerd takes in a real spool
written by the real client, keeps each refused entry with why in its SQLite
file (across a kill -9), `status` says so, `simmer refused` lists them with
the command that logs each again, and `--clear` forgets them."""
import json
import os
import shlex
import sqlite3
import time

import msgpack

from harness import run_tests, wait_until
from rpc import entry

STATUS_LINE = "3 entries kept while simmerd was away were refused: see 'simmer refused'"


def refused(ctx):
    return json.loads(ctx.simmer("refused", "--json", check=0).stdout)


def spool_path(ctx):
    return os.path.join(ctx.env.spool_dir, "spool.msgpack")


def spool_good_and_bad(ctx):
    """With no daemon: one good entry and three that simmerd refuses."""
    ctx.simmer("pain", "6", "--note", "the good one", check=75)
    ctx.simmer("sleep", "--at", "-3h", check=75)
    ctx.simmer("pain", "15", "--at", "-2h", "--note", "it's bad", check=75)
    ctx.simmer("steps", "8500", "--at", "-1h", check=75)


def test_refused_spooled_entries_are_listed_said_and_cleared(ctx):
    spool_good_and_bad(ctx)
    ctx.daemon()
    got = wait_until(lambda: (r := refused(ctx))["total"] == 3 and r, what="3 refused rows")
    rows = {r["factor"]: r for r in got["refused"]}
    assert sorted(rows) == ["pain", "sleep", "steps"], rows
    assert rows["sleep"]["value"] is None and "needs a value" in rows["sleep"]["reason"], rows
    assert rows["pain"]["value"] == 15 and rows["pain"]["note"] == "it's bad", rows
    assert "between 0 and 10" in rows["pain"]["reason"], rows
    assert rows["steps"]["reason"].startswith("unknown factor 'steps'"), rows
    assert "simmer factor define steps --kind KIND --role ROLE" in rows["steps"]["reason"], rows
    assert [rows[f]["fix"] for f in ("sleep", "pain", "steps")] == ["value", "value", "factor"]
    for r in got["refused"]:
        assert r["spool"].startswith(spool_path(ctx)) and r["entry_id"] and r["time"], r
    # The good entry is stored, and only it.
    listed = json.loads(ctx.simmer("list", "--json", check=0).stdout)["entries"]
    assert [(e["factor"], e["value"], e["note"]) for e in listed] == \
        [("pain", 6.0, "the good one")], listed
    assert not os.path.exists(spool_path(ctx))
    assert not [f for f in os.listdir(ctx.env.spool_dir) if f.startswith("spool.msgpack")]

    status = ctx.simmer("status", check=0).stdout
    assert status.splitlines()[0] == STATUS_LINE, status
    assert json.loads(ctx.simmer("status", "--json", check=0).stdout)["refused_entries"] == 3
    bar = json.loads(ctx.simmer("status", "--format", "waybar", check=0).stdout)
    assert bar["tooltip"].endswith("\n" + STATUS_LINE), bar

    text = ctx.simmer("refused", check=0).stdout
    assert text.startswith("3 entries kept while simmerd was away were refused"), text
    for words in ("why: pain must be between 0 and 10", "log it again: simmer pain VALUE --at",
                  "--note 'it'\\''s bad'", "then log it again: simmer steps 8500 --at",
                  "simmer refused --clear"):
        assert words in text, (words, text)
    # The line for the bare sleep logs it again at the same minute, once
    # the person puts in the value.
    again = [l.strip() for l in text.splitlines() if "log it again: simmer sleep VALUE" in l]
    assert len(again) == 1, text
    words = shlex.split(again[0].split(": ", 1)[1].replace("VALUE", "7"))
    ctx.simmer(*words[1:], check=0)
    sleep = json.loads(ctx.simmer("list", "--json", "--factor", "sleep_hours",
                                  check=0).stdout)["entries"]
    assert len(sleep) == 1 and sleep[0]["value"] == 7.0, sleep
    assert sleep[0]["time"] // 60000 == rows["sleep"]["time"] // 60000, (sleep, rows["sleep"])

    assert ctx.simmer("refused", "--clear", check=0).stdout == "cleared 3 refused entries\n"
    assert refused(ctx) == {"refused": [], "total": 0}
    status = ctx.simmer("status", check=0).stdout
    assert "refused" not in status, status
    assert json.loads(ctx.simmer("status", "--json", check=0).stdout)["refused_entries"] == 0
    bar = json.loads(ctx.simmer("status", "--format", "waybar", check=0).stdout)
    assert "refused" not in bar["tooltip"], bar
    assert ctx.simmer("refused", check=0).stdout == \
        "nothing kept while simmerd was away was refused\n"
    assert ctx.simmer("refused", "--clear", check=0).stdout == \
        "there were no refused entries to clear\n"


def test_a_spooled_name_is_checked_as_log_checks_it(ctx):
    """A name simmer does not know becomes a factor from the spool only with
    --new, as it does when simmerd is there; a typo is refused with the name
    it looks like."""
    ctx.simmer("tomato", "--new", "--note", "on purpose", check=75)
    ctx.simmer("stifness", "3", check=75)
    ctx.simmer("tomato", "--note", "second time, known by then", check=75)
    ctx.daemon()
    got = wait_until(lambda: (r := refused(ctx))["total"] == 1 and r, what="1 refused row")
    row = got["refused"][0]
    assert row["factor"] == "stifness" and row["fix"] == "factor", row
    assert "did you mean 'stiffness'" in row["reason"], row
    notes = sorted(e["note"] for e in
                   json.loads(ctx.simmer("list", "--json", check=0).stdout)["entries"])
    assert notes == ["on purpose", "second time, known by then"], notes
    text = ctx.simmer("refused", check=0).stdout
    assert "then log it again: simmer stifness 3 --at '" in text, text


def test_refused_rows_survive_kill9_and_a_restart(ctx):
    spool_good_and_bad(ctx)
    d = ctx.daemon()
    wait_until(lambda: refused(ctx)["total"] == 3, what="3 refused rows")
    d.kill9()
    ctx.daemon()
    got = refused(ctx)
    assert got["total"] == 3 and len(got["refused"]) == 3, got
    assert sorted(r["factor"] for r in got["refused"]) == ["pain", "sleep", "steps"], got
    assert ctx.simmer("status", check=0).stdout.splitlines()[0] == STATUS_LINE
    db = sqlite3.connect(ctx.env.db)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute("SELECT count(*) FROM entries").fetchone()[0] == 1
    db.close()


def test_a_spool_left_by_a_crash_adds_no_second_row(ctx):
    """The taken-aside file of a run that died before removing it is taken
    in again: its refused rows are known by file and byte, and stay single."""
    spool_good_and_bad(ctx)
    with open(spool_path(ctx), "rb") as f:
        data = f.read()
    os.unlink(spool_path(ctx))
    left = spool_path(ctx) + ".taking-1"
    for run in range(2):
        with open(left, "wb") as f:
            f.write(data)
        d = ctx.daemon()
        wait_until(lambda: not os.path.exists(left), what="the left-over spool taken in")
        got = refused(ctx)
        assert got["total"] == 3, (run, got)
        listed = json.loads(ctx.simmer("list", "--json", check=0).stdout)["entries"]
        assert len(listed) == 1, listed
        d.stop()


def test_a_hostile_spool_is_kept_aside_past_the_cap(ctx):
    """Records that are not entries, and more refused entries than a person
    ever misses, neither stop simmerd nor make it hold them all: the first
    five hundred are listed, one row counts the rest, and the file is kept."""
    os.makedirs(ctx.env.spool_dir, exist_ok=True)
    now = int(time.time() * 1000)
    with open(spool_path(ctx), "wb") as f:
        f.write(msgpack.packb({"id": "not-a-uuid", "factor": 7, "value": "x"}))
        for i in range(1200):
            f.write(msgpack.packb(entry("pain", 15, time_ms=now - 1000 * i, source="spool",
                                        note="x" * 1000)))
        f.write(msgpack.packb(entry("pain", 4, time_ms=now - 5000, source="spool",
                                    note="the good one")))
    d = ctx.daemon()
    got = wait_until(lambda: (r := refused(ctx))["total"] > 0 and r, what="refused rows")
    assert got["total"] == 501 and len(got["refused"]) == 501, got["total"]
    # The journal gets the first refusals one by one and a summary, not
    # 1,201 lines.
    logs = wait_until(lambda: "took in the spool" in (t := d.logs()) and t, what="summary")
    one_by_one = [l for l in logs.splitlines() if "rejected:" in l or "skipping a record" in l]
    assert len(one_by_one) == 20, len(one_by_one)
    assert "1201 refused (only the first refusals were logged one by one" in logs, logs[-600:]
    first, last = got["refused"][0], got["refused"][-1]
    assert first["factor"] == "" and first["byte"] == 0, first
    assert "not an entry simmer can read" in first["reason"], first
    assert "701 more records of this spool were refused" in last["reason"], last
    kept = [f for f in os.listdir(ctx.env.spool_dir) if ".refused-" in f]
    assert len(kept) == 1 and kept[0] in last["reason"], (kept, last)
    assert os.path.getsize(os.path.join(ctx.env.spool_dir, kept[0])) > 1200 * 1000
    notes = [e["note"] for e in json.loads(ctx.simmer("list", "--json", check=0).stdout)["entries"]]
    assert notes == ["the good one"], notes
    text = ctx.simmer("refused", check=0).stdout
    assert "a record at byte 0 of" in text and "701 more records" in text, text[-2000:]
    # The daemon still serves and keeps the count.
    assert json.loads(ctx.simmer("status", "--json", check=0).stdout)["refused_entries"] == 501


if __name__ == "__main__":
    run_tests(globals())
