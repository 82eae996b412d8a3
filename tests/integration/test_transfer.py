# SPDX-License-Identifier: ISC
"""Import and export against a real daemon: round trips, idempotence,
rejections with line numbers."""
import csv
import datetime
import io
import json
import os
import random
import sqlite3

from harness import run_tests


def rows_of(ctx):
    db = sqlite3.connect(ctx.env.db)
    rows = sorted(db.execute("SELECT id, time_ms, utc_offset_min, factor, value, note FROM entries"
                             " WHERE deleted = 0"))
    db.close()
    return rows


def write(ctx, name, text):
    path = os.path.join(ctx.env.root, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def test_csv_import_export_round_trip(ctx):
    ctx.daemon()
    lines = ["time,factor,value,note"]
    for i in range(1200):
        note = ["", "after dinner, late", 'said "ouch"', "café ☕"][i % 4]
        q = '"' + note.replace('"', '""') + '"' if note else ""
        day, minute = divmod(i * 97, 1440)
        lines.append(f"2026-0{1 + day // 28}-{1 + day % 28:02d}T{minute // 60:02d}:{minute % 60:02d}:00+01:00,"
                     f"{['pain', 'stress', 'sleep', 'dairy'][i % 4]},{(i % 10) * 0.5},{q}")
    path = write(ctx, "diary.csv", "\n".join(lines) + "\n")
    p = ctx.simmer("import", path, check=0)
    assert "1200 added, 0 already present, 0 rejected" in p.stdout, p.stdout
    p = ctx.simmer("import", path, check=0)
    assert "0 added, 1200 already present, 0 rejected" in p.stdout, p.stdout
    first = rows_of(ctx)
    assert len(first) == 1200
    out = ctx.simmer("export", check=0).stdout
    exported = write(ctx, "export.csv", out)
    # The JSON Lines export holds the same entries as the CSV one.
    jsonl = [json.loads(l) for l in
             ctx.simmer("export", "--format", "jsonl", check=0).stdout.splitlines()]
    csv_rows = list(csv.DictReader(io.StringIO(out)))
    assert len(jsonl) == len(csv_rows) == 1200, (len(jsonl), len(csv_rows))
    for j, c in zip(jsonl, csv_rows):
        assert (j["id"], j["time"], j["factor"]) == (c["id"], c["time"], c["factor"]), (j, c)
        assert j["value"] == float(c["value"]) and j.get("note", "") == c["note"], (j, c)
    # Into an empty store: the same data.
    ctx.daemons[0].stop()
    other = ctx.env
    os.remove(other.db)
    for suffix in ("-wal", "-shm"):
        if os.path.exists(other.db + suffix):
            os.remove(other.db + suffix)
    ctx.daemon()
    p = ctx.simmer("import", exported, check=0)
    assert "1200 added" in p.stdout, p.stdout
    assert rows_of(ctx) == first
    again = ctx.simmer("export", check=0).stdout
    assert again == out, "export, import, export gives the same file"


def test_jsonl_import_and_export(ctx):
    ctx.daemon()
    recs = [{"time": "2026-05-01T08:00:00Z", "factor": "sleep_hours", "value": 6.5},
            {"time": 1777626000000, "factor": "dairy", "note": "pizza"},
            {"time": "2026-05-02 21:30", "factor": "pain", "value": 7,
             "id": "0b7c2e6a-8a43-4c1e-9d55-1f0b2d9a7e11"}]
    path = write(ctx, "diary.jsonl", "\n".join(json.dumps(r) for r in recs) + "\n")
    p = ctx.simmer("import", path, check=0)
    assert "3 added" in p.stdout, p.stdout
    out = ctx.simmer("export", "--format", "jsonl", check=0).stdout.splitlines()
    got = [json.loads(l) for l in out]
    assert [g["factor"] for g in got] == ["sleep_hours", "dairy", "pain"]
    assert got[1]["value"] == 1 and got[1]["note"] == "pizza"
    assert got[2]["id"] == "0b7c2e6a-8a43-4c1e-9d55-1f0b2d9a7e11"
    # Through stdin, JSON Lines detected by content.
    p = ctx.simmer("import", "-", input="\n".join(json.dumps(r) for r in recs) + "\n", check=0)
    assert "0 added, 3 already present" in p.stdout, p.stdout
    # A file without definition lines says nothing of definitions.
    assert p.stdout == "0 added, 3 already present, 0 rejected\n", p.stdout
    j = json.loads(ctx.simmer("import", path, "--json", check=0).stdout)
    assert set(j) == {"added", "present", "rejected", "rejections"}, j


def test_rejections_name_their_lines(ctx):
    ctx.daemon()
    text = ("time,factor,value\n"
            "2026-05-01T08:00:00Z,pain,3\n"
            "yesterday-ish,pain,3\n"
            "2026-05-01T09:00:00Z,Pain!,3\n"
            "2026-05-01T10:00:00Z,pain,eleven\n"
            "2026-05-01T11:00:00Z,pain,11\n"
            "\n"
            "2026-05-01T12:00:00Z,stress,4\n")
    path = write(ctx, "bad.csv", text)
    p = ctx.simmer("import", path)
    assert p.returncode == 65, p
    assert "2 added, 0 already present, 4 rejected" in p.stdout, p.stdout
    err = p.stderr
    for line, word in ((3, "time"), (4, "factor"), (5, "value"), (6, "between 0 and 10")):
        assert f"line {line}:" in err and word in err, err
    p = ctx.simmer("import", path, "--json")
    j = json.loads(p.stdout)
    assert [r["line"] for r in j["rejections"]] == [3, 4, 5, 6], j


def test_long_notes_on_every_line(ctx):
    """5000 lines with 1000-byte notes pack to more than one message may
    hold: the client sends smaller batches."""
    ctx.daemon()
    note = "n" * 1000
    lines = ["time,factor,value,note"] + [f"{1700000000000 + i * 60000},stress,{i % 10},{note}{i}"
                                           for i in range(6000)]
    path = write(ctx, "notes.csv", "\n".join(lines) + "\n")
    p = ctx.simmer("import", path, check=0)
    assert "6000 added" in p.stdout, p
    # And they come back out, a page of 5000 long entries at a time.
    out = ctx.simmer("export", check=0).stdout.splitlines()
    assert len(out) == 6001, len(out)
    listed = json.loads(ctx.simmer("list", "--json", "--limit", "5000", check=0).stdout)["entries"]
    assert len(listed) == 5000

def test_bad_files_get_clear_errors(ctx):
    ctx.daemon()
    p = ctx.simmer("import", "/nonexistent/file.csv")
    assert p.returncode == 66 and "cannot open" in p.stderr, p
    path = write(ctx, "noheader.csv", "2026-05-01,pain,3\n")
    p = ctx.simmer("import", path)
    assert p.returncode == 65 and "time,factor,value" in p.stderr, p
    path = write(ctx, "broken.jsonl", '{"time": "2026-05-01", "factor": "pain"\n{]\n')
    p = ctx.simmer("import", path)
    assert p.returncode == 65 and "line 1" in p.stderr and "line 2" in p.stderr, p


def empty_store(ctx):
    """Stops the daemon, removes its store and starts another on none."""
    ctx.daemons[-1].stop()
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(ctx.env.db + suffix):
            os.remove(ctx.env.db + suffix)
    ctx.daemon()


def own_factors(ctx):
    got = json.loads(ctx.simmer("factors", "--json", check=0).stdout)["factors"]
    return {f["name"]: (f["kind"], f["role"], f["unit"], f["min"], f["max"])
            for f in got if not f["builtin"]}


def daily(ctx):
    db = sqlite3.connect(ctx.env.db)
    rows = sorted(db.execute("SELECT factor, day, sum, count FROM daily"))
    db.close()
    return rows


def triggers_of(ctx):
    """Every factor named by a finding of any list, and the treatments."""
    t = json.loads(ctx.simmer("triggers", "--json", check=0).stdout)
    named = {f for key in ("triggers", "warning_signs", "protective", "not_enough_data")
             for finding in t[key] for f in finding["factors"]}
    return named, {x["factor"] for x in t["treatments"]}


def diary_with_own_factors(ctx):
    """A store with a count, a minutes factor and a treatment of the
    person's own, and 150 days of entries: a triptan (and, logged at the
    same moments, an ordinary exposure) on the mornings of flare days."""
    for name, kind, role, unit in (("steps", "count", "exposure", "steps"),
                                   ("yoga", "minutes", "exposure", "min"),
                                   ("triptan", "event", "treatment", "")):
        args = ["factor", "define", name, "--kind", kind, "--role", role]
        ctx.simmer(*args, *(["--unit", unit] if unit else []), check=0)
    rng = random.Random(8)
    lines = ["time,factor,value"]
    start = datetime.date.today() - datetime.timedelta(days=155)
    for k in range(150):
        day = start + datetime.timedelta(days=k)
        flare = rng.random() < 0.18
        lines.append(f"{day}T07:00:00,steps,{rng.randrange(2000, 14000)}")
        lines.append(f"{day}T18:00:00,steps,{rng.randrange(100, 3000)}")
        if rng.random() < 0.5:
            lines.append(f"{day}T19:00:00,yoga,{rng.choice([20, 30, 45])}")
        if flare:
            lines.append(f"{day}T07:30:00,triptan,1")
            lines.append(f"{day}T07:30:00,coffee,1")
        lines.append(f"{day}T09:00:00,pain,{8 if flare else rng.choice([1, 2, 3])}")
    path = write(ctx, "diary.csv", "\n".join(lines) + "\n")
    p = ctx.simmer("import", path, check=0)
    assert "0 rejected" in p.stdout, p.stdout


def test_jsonl_export_carries_own_definitions(ctx):
    """A person's own factors go with a JSON Lines export: into an empty
    store they come back defined as they were, before any of their
    entries, so that step counts are not refused as events over 100 and a
    medicine is not tested as a trigger."""
    ctx.daemon()
    diary_with_own_factors(ctx)
    before = (rows_of(ctx), daily(ctx), own_factors(ctx))
    named, treatments = triggers_of(ctx)
    # The ordinary exposure logged with the triptan is found; the triptan
    # is a treatment, reported as such and never as a trigger.
    assert "coffee" in named and "triptan" not in named and "triptan" in treatments, \
        (named, treatments)
    out = ctx.simmer("export", "--format", "jsonl", check=0).stdout.splitlines()
    heads = [json.loads(l) for l in out[:3]]
    assert heads == [{"factor": "steps", "kind": "count", "role": "exposure", "unit": "steps"},
                     {"factor": "triptan", "kind": "event", "role": "treatment"},
                     {"factor": "yoga", "kind": "minutes", "role": "exposure", "unit": "min"}], \
        heads
    # coffee was added on first use: a new name gets that definition anyway.
    assert all("time" in json.loads(l) for l in out[3:]), out[3]
    backup = write(ctx, "backup.jsonl", "\n".join(out) + "\n")
    # CSV holds entries only.
    assert not any("kind" in l for l in ctx.simmer("export", check=0).stdout.splitlines())

    empty_store(ctx)
    p = ctx.simmer("import", backup, check=0)
    assert f"{len(before[0])} added, 0 already present, 0 rejected" in p.stdout, p.stdout
    assert "3 factor definitions: 3 added, 0 already present, 0 kept as you had them" in \
        p.stdout, p.stdout
    assert (rows_of(ctx), daily(ctx), own_factors(ctx)) == before
    named, treatments = triggers_of(ctx)
    assert "coffee" in named and "triptan" not in named and "triptan" in treatments, \
        (named, treatments)
    # Again: every definition and entry is there already.
    j = json.loads(ctx.simmer("import", backup, "--json", check=0).stdout)
    assert (j["added"], j["rejected"]) == (0, 0), j
    assert j["definitions"] == {"added": 0, "present": 3, "kept": 0, "kept_messages": []}, j
    # The same export, with the definitions written from the store that now
    # holds them.
    assert ctx.simmer("export", "--format", "jsonl", check=0).stdout.splitlines() == out


def test_existing_definition_is_kept_and_said(ctx):
    ctx.daemon()
    ctx.simmer("factor", "define", "steps", "--kind", "minutes", "--role", "exposure",
               "--unit", "steps", check=0)
    ctx.simmer("factor", "define", "triptan", "--kind", "event", "--role", "exposure", check=0)
    text = "\n".join(json.dumps(r) for r in [
        {"factor": "steps", "kind": "count", "role": "exposure", "unit": "steps"},
        {"factor": "triptan", "kind": "event", "role": "treatment"},
        {"factor": "nsaid", "kind": "event", "role": "exposure", "unit": "doses"},
        {"factor": "yoga", "kind": "minutes", "role": "exposure", "unit": "min"},
        {"time": "2026-05-01T08:00:00Z", "factor": "steps", "value": 900},
        {"time": "2026-05-01T09:00:00Z", "factor": "steps", "value": 8500},
        {"time": "2026-05-01T10:00:00Z", "factor": "yoga", "value": 30}]) + "\n"
    path = write(ctx, "other.jsonl", text)
    p = ctx.simmer("import", path)
    assert p.returncode == 65, p
    assert "4 factor definitions: 1 added, 0 already present, 3 kept as you had them" in \
        p.stdout, p.stdout
    assert "steps: kept your definition (kind minutes), the file's was kind count" in \
        p.stdout, p.stdout
    assert "triptan: kept your definition (role exposure), the file's was role treatment" in \
        p.stdout, p.stdout
    assert "nsaid: kept simmer's built-in definition (role treatment), the file's was " \
        "role exposure" in p.stdout, p.stdout
    # Under the person's own definition, 8500 minutes of steps are refused.
    assert "2 added, 0 already present, 1 rejected" in p.stdout, p.stdout
    assert "line 6: steps must be between 0 and 1440" in p.stderr, p.stderr
    mine = own_factors(ctx)
    assert mine["steps"][:3] == ("minutes", "exposure", "steps"), mine
    assert mine["triptan"][:3] == ("event", "exposure", ""), mine
    assert mine["yoga"][:3] == ("minutes", "exposure", "min"), mine


def test_definition_after_the_files_own_entries(ctx):
    """A definition that comes after entries of its name in the same file
    (files joined or edited by hand) still applies to them: the entries
    brought the name in as a new event, not the person. A kind that cannot
    hold them is refused on its line."""
    ctx.daemon()
    ctx.simmer("factor", "define", "yoga", "--kind", "minutes", "--role", "exposure", check=0)
    text = "\n".join(json.dumps(r) for r in [
        {"time": "2026-05-01T08:00:00Z", "factor": "triptan", "value": 1},
        {"time": "2026-05-01T09:00:00Z", "factor": "walks", "value": 40},
        {"time": "2026-05-01T10:00:00Z", "factor": "yoga", "value": 30},
        {"factor": "triptan", "kind": "event", "role": "treatment"},
        {"factor": "walks", "kind": "scale", "role": "exposure"},
        {"factor": "yoga", "kind": "minutes", "role": "symptom"}]) + "\n"
    p = ctx.simmer("import", write(ctx, "joined.jsonl", text))
    assert p.returncode == 65, p
    assert "3 added, 0 already present, 1 rejected" in p.stdout, p.stdout
    assert "2 factor definitions: 1 added, 0 already present, 1 kept as you had them" in \
        p.stdout, p.stdout
    # The person's own yoga stays theirs.
    assert "yoga: kept your definition (role exposure), the file's was role symptom" in \
        p.stdout, p.stdout
    assert "line 5: walks has 1 entry at 40, outside what kind scale holds (0 to 10)" in \
        p.stderr, p.stderr
    mine = own_factors(ctx)
    assert mine["triptan"][:2] == ("event", "treatment"), mine
    assert mine["walks"][:2] == ("event", "exposure"), mine
    assert mine["yoga"][:2] == ("minutes", "exposure"), mine


def test_bad_definition_lines_are_refused_by_line(ctx):
    ctx.daemon()
    lines = ['{"factor": "steps", "kind": "pedometer", "role": "exposure"}',
             '{"factor": "Steps!", "kind": "count", "role": "exposure"}',
             '{"factor": "walks", "kind": "count"}',
             '{"factor": "walks", "kind": "count", "role": "sideways"}',
             '{"factor": "walks", "kind": "count", "role": "exposure", "unit": 5}',
             '{"factor": "walks", "kind": "count", "role": "exposure", "unit": "a very long unit"}',
             '{"kind": "count", "role": "exposure"}',
             '{"factor": "walks", "kind": "count", "role": "exposure"',
             '{"factor": "walks", "kind": "count", "role": "exposure", "unit": "walks"}',
             '{"time": "2026-05-01T08:00:00Z", "factor": "walks", "value": 2500}']
    path = write(ctx, "bad.jsonl", "\n".join(lines) + "\n")
    p = ctx.simmer("import", path)
    assert p.returncode == 65, p
    assert "1 added, 0 already present, 8 rejected" in p.stdout, p.stdout
    assert "1 factor definition: 1 added" in p.stdout, p.stdout
    err = p.stderr
    for want in ("line 1: definition of steps: unknown kind 'pedometer' (one of scale, hours, "
                 "minutes, event, flare, count)",
                 "line 2: definition: bad factor name 'Steps!'",
                 "line 3: definition of walks: no role (one of exposure, symptom, outcome, "
                 "red_flag, treatment)",
                 "line 4: definition of walks: unknown role 'sideways'",
                 "line 5: definition of walks: the unit is text of at most 15 bytes",
                 "line 6: definition of walks: the unit is text",
                 "line 7: definition: bad factor name ''",
                 "line 8: not a JSON object"):
        assert want in err, (want, err)
    assert own_factors(ctx)["walks"][:3] == ("count", "exposure", "walks")
    j = json.loads(ctx.simmer("import", path, "--json").stdout)
    assert [r["line"] for r in j["rejections"]] == [1, 2, 3, 4, 5, 6, 7, 8], j


if __name__ == "__main__":
    run_tests(globals())
