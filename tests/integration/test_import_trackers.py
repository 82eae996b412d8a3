# SPDX-License-Identifier: ISC
"""`simmer import --from bearable|flaredown|sheet` against a real daemon, with
the sample exports and the spreadsheet diary in tests/samples/: what maps onto
simmer's catalog, which factors are created, lines that cannot be read,
duplicate rows, and that a second import adds nothing."""
import datetime
import json
import os
import random
import sqlite3

from harness import ROOT, run_tests

SAMPLES = os.path.join(ROOT, "tests", "samples")


def sample(name):
    return os.path.join(SAMPLES, name)


def entries(ctx):
    """(local time as the export wrote it, factor, value, note) per entry:
    the exports' times are local, and each entry keeps its UTC offset."""
    db = sqlite3.connect(ctx.env.db)
    rows = db.execute("SELECT strftime('%Y-%m-%d %H:%M', time_ms / 1000 + utc_offset_min * 60,"
                      " 'unixepoch'), factor, value, note FROM entries WHERE deleted = 0").fetchall()
    db.close()
    return rows


def has(rows, day, factor, value, note=None):
    for when, f, v, n in rows:
        if when.startswith(day) and f == factor and abs(v - value) < 1e-9 and \
                (note is None or note in (n or "")):
            return True
    raise AssertionError(f"no {factor} {value} on {day} (note {note!r}) in {sorted(rows)}")


def factor_kinds(ctx):
    got = json.loads(ctx.simmer("factors", "--json", check=0).stdout)["factors"]
    return {f["name"]: (f["kind"], f["role"], f["builtin"]) for f in got}


def import_json(ctx, *args, check=65):
    p = ctx.simmer("import", *args, "--json", check=check)
    return json.loads(p.stdout)


def write(ctx, name, text):
    """A file of the test's own, by name; returns its path."""
    path = os.path.join(ctx.env.root, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def test_bearable_export(ctx):
    ctx.daemon()
    r = import_json(ctx, "--from", "bearable", sample("bearable.csv"))
    # 22 entries read, one of them a duplicate row; a bad time of day and a
    # date that does not exist are named by line.
    assert (r["added"], r["present"], r["rejected"]) == (21, 1, 2), r
    assert sorted(x["line"] for x in r["rejections"]) == [18, 19], r
    rows = entries(ctx)
    has(rows, "2020-09-25 12:00", "pain", 5)            # Moderate: 2 of 4
    has(rows, "2020-09-25 12:00", "stiffness", 2.5)
    has(rows, "2020-09-25 12:00", "headache_left_side", 7.5)
    has(rows, "2020-09-25 12:00", "dairy", 1)           # Cheese
    has(rows, "2020-09-25 12:00", "late_meal", 1)
    has(rows, "2020-09-25 12:00", "sleep_hours", 7.5)   # 7:30
    has(rows, "2020-09-26 12:00", "sleep_hours", 5.75)
    has(rows, "2020-09-25 08:45", "mood", 7)
    has(rows, "2020-09-25 19:00", "energy", 3, "tired, after work")
    # An NSAID with its dose goes to the drug, in mg (it counts one NSAID dose).
    has(rows, "2020-09-25 09:00", "ibuprofen", 400, 'Ibuprofen 400mg; with food, "as usual"')
    has(rows, "2020-09-25 13:00", "amitriptyline", 1, "10mg")
    has(rows, "2020-09-26 21:15", "fatigue", 2.5)       # 9:15 pm
    has(rows, "2020-09-26 12:00", "stress", 6)
    has(rows, "2020-09-26 12:00", "stress_tag", 1)      # a tag is no 0-10 level
    has(rows, "2020-09-26 12:00", "skipped_meal", 1)
    has(rows, "2020-09-27 12:00", "night_pain", 1)
    assert not any(f == "numbness" for _, f, _, _ in rows), "a symptom marked None is no event"
    assert not any(f == "notes" for _, f, _, _ in rows)
    kinds = factor_kinds(ctx)
    assert kinds["headache_left_side"][:2] == ("scale", "symptom"), kinds
    assert kinds["coffee"][:2] == ("event", "exposure"), kinds
    assert kinds["amitriptyline"][0] == "event" and kinds["amitriptyline"][1] in (
        "treatment", "exposure"), kinds
    mapped = {(m["from"], m["to"]) for m in r["summary"]["mapped"]}
    assert ("Back (lower) pain", "pain") in mapped and ("Ibuprofen", "ibuprofen") in mapped, mapped
    assert any(s["what"].startswith("notes") for s in r["summary"]["skipped"]), r["summary"]
    # The text summary says what went where, within 80 columns.
    p = ctx.simmer("import", "--from", "bearable", sample("bearable.csv"), check=65)
    assert "0 added, 22 already present, 2 rejected" in p.stdout, p.stdout
    assert "Back (lower) pain (symptom)" in p.stdout and "-> pain" in p.stdout, p.stdout
    assert "New factors of your own" in p.stdout, p.stdout
    assert max(len(l) for l in p.stdout.splitlines()) <= 80, p.stdout
    assert "line 18: bad time of day 'sometime'" in p.stderr, p.stderr
    assert len(entries(ctx)) == 21


def test_bearable_date_formatted_variant(ctx):
    ctx.daemon()
    r = import_json(ctx, "--from", "bearable", sample("bearable_formatted.csv"))
    assert (r["added"], r["rejected"]) == (5, 1), r
    assert r["rejections"][0]["line"] == 5 and "number" in r["rejections"][0]["message"], r
    rows = entries(ctx)
    has(rows, "2020-09-28 09:00", "pain", 7.5)
    has(rows, "2020-09-28 12:00", "gluten", 1, "3 hours, no break")
    has(rows, "2020-09-28 12:00", "long_drive", 1)
    has(rows, "2020-09-29 12:00", "pain", 2.5)


def test_flaredown_per_person_export(ctx):
    ctx.daemon()
    r = import_json(ctx, "--from", "flaredown", sample("flaredown.csv"))
    # The 2024-03-02 row is there twice: its entries are present, not added
    # twice; two equal doses in one cell are two entries.
    assert (r["added"], r["present"], r["rejected"]) == (20, 3, 2), r
    msgs = {x["line"]: x["message"] for x in r["rejections"]}
    assert "outside 0-4" in msgs[5] and "bad date" in msgs[6], msgs
    rows = entries(ctx)
    has(rows, "2024-03-01", "pain", 5)                  # "Pain, lower back" 2
    has(rows, "2024-03-01", "fibromyalgia", 7.5)
    has(rows, "2024-03-01", "brain_fog", 5)
    has(rows, "2024-03-01", "ibuprofen", 400, "Ibuprofen 400.0 mg; dose 2 of 2")
    assert sum(1 for w, f, _, _ in rows if w.startswith("2024-03-01") and f == "ibuprofen") == 2
    has(rows, "2024-03-01", "duloxetine", 1, "60 mg")
    has(rows, "2024-03-01", "dairy", 1)
    has(rows, "2024-03-01", "gluten", 1)                # "bread, white"
    has(rows, "2024-03-01", "long_drive", 1)            # '"long" drive'
    has(rows, "2024-03-01", "stress_tag", 1)
    has(rows, "2024-03-04", "fermented", 1)
    has(rows, "2024-03-04", "nsaid", 1, "Ibuprofen")
    assert any(s["what"].startswith("weather") for s in r["summary"]["skipped"]), r
    again = import_json(ctx, "--from", "flaredown", sample("flaredown.csv"))
    assert again["added"] == 0 and again["present"] == 23, again


def test_flaredown_research_export(ctx):
    ctx.daemon()
    p = ctx.simmer("import", "--from", "flaredown", sample("flaredown_long.csv"))
    assert p.returncode == 65 and "--user" in p.stderr and "more than one person" in p.stderr, p
    assert entries(ctx) == [], "nothing is sent when the file cannot be read"
    r = import_json(ctx, "--from", "flaredown", "--user", "QEVuQwEA", sample("flaredown_long.csv"))
    assert (r["added"], r["present"], r["rejected"]) == (9, 1, 1), r
    assert r["rejections"][0]["line"] == 11, r
    rows = entries(ctx)
    assert not any(f in ("icon", "temperature_max", "general_wellbeing", "crohn_s_disease")
                   for _, f, _, _ in rows), rows
    has(rows, "2017-04-28", "fibromyalgia", 7.5)
    has(rows, "2017-04-28", "pain", 5)
    has(rows, "2017-04-28", "naproxen", 500, "Naproxen 500.0 mg")
    has(rows, "2017-04-28", "prednisone", 1, "8.0 mg")
    has(rows, "2017-04-28", "dairy", 1)
    has(rows, "2017-04-29", "blood_sugar", 1, "5.4")
    skipped = {s["what"]: s["rows"] for s in r["summary"]["skipped"]}
    assert skipped.get("weather") == 2 and skipped.get("other people's check-ins") == 2, skipped
    p = ctx.simmer("import", "--from", "flaredown", "--user", "nobody", sample("flaredown_long.csv"))
    assert p.returncode == 65 and "no check-ins of user nobody" in p.stderr, p


def test_wrong_header_names_what_it_found(ctx):
    ctx.daemon()
    p = ctx.simmer("import", "--from", "bearable", sample("flaredown.csv"))
    assert p.returncode == 65, p
    assert "Date,Fibromyalgia" in p.stderr and "flaredown (" in p.stderr and \
        "date formatted" in p.stderr, p.stderr
    p = ctx.simmer("import", "--from", "flaredown", sample("bearable.csv"))
    assert p.returncode == 65 and "date,weekday,time of day" in p.stderr, p.stderr
    p = ctx.simmer("import", "--from", "daylio", sample("bearable.csv"))
    assert p.returncode == 64 and "bearable, flaredown or sheet" in p.stderr, p
    empty = os.path.join(ctx.env.root, "empty.csv")
    open(empty, "w").close()
    p = ctx.simmer("import", "--from", "bearable", empty)
    assert p.returncode == 65 and "empty" in p.stderr, p
    assert entries(ctx) == []


def test_export_without_from_says_which_from_reads_it(ctx):
    """A tracker's export given to plain `simmer import` is named, with the
    option that reads it; a header that is no known tracker's gets the
    columns simmer's own files need. Nothing is stored either way."""
    ctx.daemon()
    for name, tracker in (("bearable.csv", "Bearable"), ("bearable_formatted.csv", "Bearable"),
                          ("flaredown.csv", "Flaredown"), ("flaredown_long.csv", "Flaredown")):
        p = ctx.simmer("import", sample(name))
        assert p.returncode == 65, p
        want = f"line 1: this looks like a {tracker} export: read it with " \
               f"'simmer import --from {tracker.lower()} FILE'"
        assert want in p.stderr, (name, p.stderr)
    other = write(ctx, "other.csv", "when,what,how much\n2024-01-01 08:00,coffee,1\n")
    p = ctx.simmer("import", other)
    assert p.returncode == 65 and "must name the columns time,factor,value" in p.stderr, p
    assert "looks like" not in p.stderr, p.stderr
    assert entries(ctx) == []


def daily_sums(ctx, factor):
    """{day number: (sum, entries)} of a factor, from the store's rollup."""
    db = sqlite3.connect(ctx.env.db)
    rows = db.execute("SELECT day, sum, count FROM daily WHERE factor = ?", (factor,)).fetchall()
    db.close()
    return {day: (total, n) for day, total, n in rows}


def test_spreadsheet_step_counts(ctx):
    """A Steps column (thousands a day) is left out until a count factor of
    that name is defined; then each row's steps are taken and summed per
    day, the analysis states their effect on pain per a round number of
    steps, and export then import into an empty store keeps them."""
    ctx.daemon()
    rng = random.Random(5)
    today = datetime.date.today()
    lines, totals = ["Date,Time,Steps,Pain"], {}
    for back in range(125, 5, -1):
        day = today - datetime.timedelta(days=back)
        total = min(14000, max(2000, round(rng.gauss(8000, 2000))))
        morning = rng.randrange(500, total - 500)
        pain = min(6.0, max(0.0, round(7.5 - 0.0006 * total + rng.gauss(0, 0.6), 1)))
        lines.append(f"{day},08:00,{morning},{pain}")
        lines.append(f"{day},20:00,{total - morning},")
        totals[(day - datetime.date(1970, 1, 1)).days] = total
    sheet = write(ctx, "steps.csv", "\n".join(lines) + "\n")
    r = import_json(ctx, "--from", "sheet", sheet, check=0)
    assert r["added"] == 120, r
    assert {s["what"]: s["rows"] for s in r["summary"]["skipped"]} == {
        "column 'Steps' (numbers: define it first)": 240}, r["summary"]
    assert daily_sums(ctx, "steps") == {}
    p = ctx.simmer("factor", "define", "steps", "--kind", "count", "--role", "exposure", check=0)
    r = import_json(ctx, "--from", "sheet", sheet, check=0)
    assert (r["added"], r["present"], r["rejected"]) == (240, 120, 0), r
    assert r["summary"]["skipped"] == [], r["summary"]
    assert daily_sums(ctx, "steps") == {d: (float(t), 2) for d, t in totals.items()}

    # The analysis reads the day's total as a number: pain falls with it,
    # said per a round step near the spread of the totals.
    triggers = json.loads(ctx.simmer("triggers", "--json", check=0).stdout)
    found = [l for l in triggers["symptom_levels"]
             if (l["outcome"], l["factor"]) == ("pain", "steps")]
    assert found and found[0]["per"] == "unit" and found[0]["step"] == 2000 and \
        found[0]["effect"] < 0, triggers["symptom_levels"]
    text = " ".join(ctx.simmer("triggers", check=0).stdout.split())
    assert "for each 2000 more steps" in text, text

    # Export, then import into an empty store: a new name would be an
    # event (0-100), so steps are refused until they are defined again.
    exported = write(ctx, "export.csv", ctx.simmer("export", check=0).stdout)
    before = sorted(entries(ctx))
    ctx.daemons[0].stop()
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(ctx.env.db + suffix):
            os.remove(ctx.env.db + suffix)
    ctx.daemon()
    r = import_json(ctx, exported, check=None)
    assert (r["added"], r["rejected"]) == (120, 240), r
    assert "steps must be between 0 and 100" in r["rejections"][0]["message"], r["rejections"][0]
    ctx.simmer("factor", "define", "steps", "--kind", "count", "--role", "exposure", check=0)
    r = import_json(ctx, exported, check=0)
    assert (r["added"], r["present"], r["rejected"]) == (240, 120, 0), r
    assert sorted(entries(ctx)) == before
    assert daily_sums(ctx, "steps") == {d: (float(t), 2) for d, t in totals.items()}


def test_spreadsheet_grouped_numbers(ctx):
    """Numbers a spreadsheet saved with thousands separators or a decimal
    comma are read as their column shows: steps of "8,500" and "12,000"
    are thousands, sleep of "7,5" a decimal comma (and "8.500" metres then
    a dot grouping), and a column of "1,500" alone is refused in each row,
    saying why."""
    ctx.daemon()
    for name in ("steps", "walk_metres", "water_ml"):
        ctx.simmer("factor", "define", name, "--kind", "count", "--role", "exposure", check=0)
    sheet = write(ctx, "grouped.csv",
                  'Date,Steps,Sleep hours,Walk metres,Water ml\n'
                  '2024-08-01,"8,500","7,5","1.250,5","1,500"\n'
                  '2024-08-02,"12,000",6,"8.500","2,250"\n'
                  '2024-08-03,950,"6,25",700,\n')
    r = import_json(ctx, "--from", "sheet", sheet)
    assert r["added"] == 9 and [x["line"] for x in r["rejections"]] == [2, 3], r
    for x in r["rejections"]:
        assert "Water ml: '" in x["message"] and "nothing else in the column shows whether " \
            "',' groups thousands or marks decimals" in x["message"], x
    assert "'1,500' could be 1500 or 1.5" in r["rejections"][0]["message"], r
    rows = entries(ctx)
    for day, steps, sleep, metres in (("2024-08-01", 8500, 7.5, 1250.5),
                                      ("2024-08-02", 12000, 6, 8500),
                                      ("2024-08-03", 950, 6.25, 700)):
        has(rows, day, "steps", steps)
        has(rows, day, "sleep_hours", sleep)
        has(rows, day, "walk_metres", metres)
    assert not any(f == "water_ml" for _, f, _, _ in rows), rows
    # Both ways in one column, or a comma that groups nothing: refused.
    mixed = write(ctx, "mixed.csv", 'Date,Steps\n2024-09-01,"1,234.5"\n2024-09-02,"7,5"\n'
                                    '2024-09-03,"4,000"\n')
    r = import_json(ctx, "--from", "sheet", mixed)
    assert r["added"] == 0 and [x["line"] for x in r["rejections"]] == [2, 3, 4], r
    assert "the column writes numbers both as 1,234.5 and as 1.234,5" in \
        r["rejections"][1]["message"], r


def test_spreadsheet_diary(ctx):
    """A diary kept as a spreadsheet: a date column, then a column per
    factor. simmer's own names take their values as they are, a column of
    yes/no marks becomes an event, one of 0-10 numbers a symptom scale, and
    a column of other numbers is left out and said so."""
    ctx.daemon()
    r = import_json(ctx, "--from", "sheet", sample("sheet.csv"))
    msgs = {x["line"]: x["message"] for x in r["rejections"]}
    # Line 5 (after a blank line) holds "high" as stress; line 6 a date that
    # does not exist.
    assert set(msgs) == {5, 6}, r
    assert "Stress: 'high' is neither a number nor yes/no" in msgs[5], msgs
    assert "bad date '2024-02-30'" in msgs[6], msgs
    rows = entries(ctx)
    has(rows, "2024-03-01 12:00", "pain", 3, "long day")
    has(rows, "2024-03-01 12:00", "sleep_hours", 6.5)
    has(rows, "2024-03-01 12:00", "stress", 4)
    has(rows, "2024-03-01 12:00", "dairy", 1)
    has(rows, "2024-03-02 12:00", "dairy", 0)           # "no": logged without it
    has(rows, "2024-03-02 12:00", "pain", 7, "flare, stayed in")
    has(rows, "2024-03-02 12:00", "ibuprofen", 1)
    has(rows, "2024-03-03 12:00", "ibuprofen", 2)
    has(rows, "2024-03-03 12:00", "walk", 1)
    has(rows, "2024-03-05 12:00", "dairy", 1)           # "YES"
    has(rows, "2024-03-06 12:00", "pain", 4)            # " 4 "
    has(rows, "2024-03-06 12:00", "brain_fog", 0)
    assert not any(w.startswith("2024-03-03") and f == "stress" for w, f, _, _ in rows), rows
    assert not any(w.startswith("2024-03-03") and f == "brain_fog" for w, f, _, _ in rows), rows
    assert not any(f in ("steps", "notes", "date") for _, f, _, _ in rows), rows
    assert not any(w.startswith("2024-02") for w, _, _, _ in rows), rows
    # Five rows with entries: 6 + 6 + 5 (without the refused stress) + 6 + 4.
    assert r["added"] == len(rows) == 27, (r, rows)
    kinds = factor_kinds(ctx)
    assert kinds["brain_fog"][:2] == ("scale", "symptom"), kinds
    assert kinds["walk"][:2] == ("event", "exposure"), kinds
    assert "steps" not in kinds, kinds
    skipped = {s["what"]: s["rows"] for s in r["summary"]["skipped"]}
    # Step counts are no 0-10 scale: without a factor of that name defined
    # first, simmer cannot tell what they measure, and they stay out.
    assert skipped.get("column 'Steps' (numbers: define it first)") == 5, skipped
    assert not any(m["from"] == "Steps" for m in r["summary"]["mapped"]), r["summary"]
    assert skipped.get("notes without an entry") == 1, skipped
    again = import_json(ctx, "--from", "sheet", sample("sheet.csv"))
    assert again["added"] == 0 and again["present"] == 27, again
    # Given to plain `simmer import`, it is named and nothing is stored.
    p = ctx.simmer("import", sample("sheet.csv"))
    assert p.returncode == 65 and "looks like a spreadsheet diary" in p.stderr and \
        "--from sheet" in p.stderr, p.stderr
    assert len(entries(ctx)) == 27
    # A sheet without a date column is refused, naming what it found.
    nodate = write(ctx, "nodate.csv", "when,pain\n2024-03-01,3\n")
    p = ctx.simmer("import", "--from", "sheet", nodate)
    assert p.returncode == 65 and "not a spreadsheet diary" in p.stderr and \
        "'when,pain'" in p.stderr, p.stderr
    # Dates with slashes or dots: the column tells which number is the day.
    def sheet_days(name, text, value):
        path = write(ctx, name, text.replace("V", str(value)))
        got = import_json(ctx, "--from", "sheet", path, check=None)
        return got, sorted(w[:10] for w, f, v, _ in entries(ctx) if f == "fatigue" and v == value)
    r, days = sheet_days("us.csv", "Date,Fatigue\n3/14/2024,V\n3/15/2024,V\n4/1/2024,V\n", 6)
    assert r["added"] == 3 and days == ["2024-03-14", "2024-03-15", "2024-04-01"], (r, days)
    r, days = sheet_days("europe.csv", "Date,Fatigue\n14.03.2024,V\n01.04.2024,V\n", 7)
    assert r["added"] == 2 and days == ["2024-03-14", "2024-04-01"], (r, days)
    r, days = sheet_days("unclear.csv", "Date,Fatigue\n01/02/2024,V\n02/03/2024,V\n", 8)
    assert r["added"] == 0 and days == [] and len(r["rejections"]) == 2, r
    assert "does not tell whether the day or the month comes first" in \
        r["rejections"][0]["message"], r
    # A factor defined before the import keeps its definition: cups of
    # coffee (0-3) are an exposure, not the symptom scale the cells alone
    # would make.
    ctx.simmer("factor", "define", "coffee", "--kind", "event", "--role", "exposure", check=0)
    cups = write(ctx, "cups.csv", "Date,Coffee\n2024-06-01,2\n2024-06-02,0\n2024-06-03,3\n")
    r = import_json(ctx, "--from", "sheet", cups, check=0)
    assert r["added"] == 3 and factor_kinds(ctx)["coffee"][:2] == ("event", "exposure"), r
    has(entries(ctx), "2024-06-03 12:00", "coffee", 3)
    # Minutes of walking (20-90) are sent only once a factor of that name is
    # defined; before, the column is named as left out and nothing is sent.
    walks = write(ctx, "walks.csv", "Date,Walk minutes\n2024-06-01,20\n2024-06-02,90\n")
    r = import_json(ctx, "--from", "sheet", walks, check=0)
    assert r["added"] == 0, r
    assert {s["what"]: s["rows"] for s in r["summary"]["skipped"]} == {
        "column 'Walk minutes' (numbers: define it first)": 2}, r["summary"]
    ctx.simmer("factor", "define", "walk_minutes", "--kind", "minutes", "--role", "exposure",
               check=0)
    r = import_json(ctx, "--from", "sheet", walks, check=0)
    assert r["added"] == 2 and r["summary"]["skipped"] == [], r
    has(entries(ctx), "2024-06-02 12:00", "walk_minutes", 90)
    # Names simmer knows in other words go onto its own factors, and a
    # date column may go by another name (PMData's wellness file).
    other = write(ctx, "other-words.csv",
                  "effective_time_frame,Lower back pain,Tiredness,Cheese,Advil,Sleep duration,"
                  "Exercise minutes,soreness_area,Drinking water\n"
                  "2024-07-01T00:00:00.000Z,6,4,yes,x,7.5,30,\"[1, 2]\",yes\n"
                  "2024-07-02T00:00:00.000Z,3,2,no,,6,45,[],\n")
    r = import_json(ctx, "--from", "sheet", other, check=0)
    mapped = {m["from"]: (m["to"], m["new"]) for m in r["summary"]["mapped"]}
    assert mapped == {"Lower back pain": ("pain", False), "Tiredness": ("fatigue", False),
                      "Cheese": ("dairy", False), "Advil": ("nsaid", False),
                      "Sleep duration": ("sleep_hours", False),
                      "Exercise minutes": ("activity_minutes", False),
                      "Drinking water": ("drinking_water", True)}, r["summary"]
    assert r["added"] == 12 and r["rejections"] == [], r
    rows = entries(ctx)
    has(rows, "2024-07-01 12:00", "pain", 6)
    has(rows, "2024-07-01 12:00", "sleep_hours", 7.5)
    has(rows, "2024-07-02 12:00", "activity_minutes", 45)
    has(rows, "2024-07-01 12:00", "nsaid", 1)
    assert {s["what"] for s in r["summary"]["skipped"]} == {
        "column 'soreness_area' (no number or yes/no)"}, r["summary"]
    # A time column puts a row's entries at its time; a bad time refuses the row.
    timed = write(ctx, "timed.csv",
                  "Day,Time,Bloating\n2024-05-01,08:30,3\n2024-05-01, 21:05 ,6\n"
                  "2024-05-02,,2\n2024-05-03,25:00,4\n2024-05-04,13:15:00,5\n"
                  "2024-05-05,8:45 PM,1\n2024-05-06,12:10 am,7\n2024-05-07,14:00 PM,8\n")
    r = import_json(ctx, "--from", "sheet", timed)
    assert r["added"] == 6 and [x["line"] for x in r["rejections"]] == [5, 9], r
    assert "time '25:00': write it as HH:MM (24-hour, or with AM/PM)" in \
        r["rejections"][0]["message"], r
    rows = entries(ctx)
    has(rows, "2024-05-01 08:30", "bloating", 3)
    has(rows, "2024-05-01 21:05", "bloating", 6)
    has(rows, "2024-05-02 12:00", "bloating", 2)
    has(rows, "2024-05-04 13:15", "bloating", 5)
    has(rows, "2024-05-05 20:45", "bloating", 1)
    has(rows, "2024-05-06 00:10", "bloating", 7)
    assert "time" not in factor_kinds(ctx)
    # More fields than the header names: that row is refused, by line.
    wide = write(ctx, "wide.csv", "day,pain\n2024-04-01,3\n2024-04-02,4,5\n")
    r = import_json(ctx, "--from", "sheet", wide)
    assert r["added"] == 1 and [x["line"] for x in r["rejections"]] == [3], r
    assert "3 fields, but the header names 2 columns" in r["rejections"][0]["message"], r


if __name__ == "__main__":
    run_tests(globals())
