# SPDX-License-Identifier: ISC
"""Import and export against a real daemon: round trips, idempotence,
rejections with line numbers."""
import csv
import io
import json
import os
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


if __name__ == "__main__":
    run_tests(globals())
