# SPDX-License-Identifier: ISC
"""`simmer report` against a real daemon holding a simulated six-month
diary: the text fits 80 columns and says what the daemon's replies say; the
HTML file is self-contained, and headless Chromium renders it with its
chart and prints it on A4 and Letter."""
import datetime
import html.parser
import json
import os
import re
import subprocess
import tempfile

import browser
from harness import BUILD, run_tests

SIMDIARY = os.path.join(BUILD, "tools", "simdiary")


def diary(ctx, days=180, seed=3):
    path = os.path.join(ctx.env.root, "diary.csv")
    with open(path, "w") as f:
        subprocess.run([SIMDIARY, "--days", str(days), "--seed", str(seed)], stdout=f, check=True)
    ctx.daemon()
    ctx.simmer("import", path, check=0)
    return path


def replies(ctx):
    get = lambda *a: json.loads(ctx.simmer(*a, "--json", check=0).stdout)
    return get("status"), get("triggers"), get("backtest")


def period(status, days):
    last = datetime.date.fromisoformat(status["date"])
    first = max(last - datetime.timedelta(days=days - 1),
                datetime.date.fromisoformat(status["coverage"]["first_day"]))
    return first, last


def nsaid_days(ctx, first, last):
    """Days with an NSAID entry, counted from the export (day start 04:00, UTC)."""
    out = ctx.simmer("export", "--format", "jsonl", check=0).stdout.splitlines()
    days = set()
    for line in out:
        e = json.loads(line)
        if e["factor"] != "nsaid":
            continue
        t = datetime.datetime.fromisoformat(e["time"]) - datetime.timedelta(hours=4)
        if first <= t.date() <= last:
            days.add(t.date())
    return len(days)


def test_text_report_says_what_the_replies_say(ctx):
    diary(ctx)
    status, triggers, backtest = replies(ctx)
    p = ctx.simmer("report", check=0)
    out = p.stdout
    lines = out.splitlines()
    assert max(len(l) for l in lines) <= 80, [l for l in lines if len(l) > 80]
    first, last = period(status, 90)
    onsets = sum(1 for d in backtest["onset_days"]
                 if first <= datetime.date.fromisoformat(d) <= last)
    assert f"simmer report, {first} to {last}: {(last - first).days + 1} days" in out, out
    assert f"{onsets} flares began" in " ".join(lines[:2]) or \
        f"{onsets} flare began" in " ".join(lines[:2]), (onsets, out)
    # The chart: one row per eighth of the scale, the threshold marked, a
    # flare mark for each onset (two days a column).
    th = round(status["threshold"])
    assert re.search(rf"^\s*{th} ┤", out, re.M), out
    axis = [l for l in lines if l.startswith("   0 └")][0]
    assert 0 < axis.count("▲") <= onsets, (axis, onsets)
    # Every finding and warning sign, in words, with its flares.
    text = " ".join(out.split())
    for f in triggers["triggers"] + triggers["warning_signs"] + triggers["protective"]:
        factor = f["factors"][0]
        n = f["exposed_onsets"]
        assert re.search(rf"{factor}[^.]*; (quite certain|fairly certain|uncertain), {n:g} "
                         rf"flares?", text), (f, text)
    assert "not causes" in text and "does not replace a medical evaluation" in text, text
    n_nsaid = nsaid_days(ctx, first, last)
    assert f"NSAIDs on {n_nsaid} of {(last - first).days + 1} days" in text, (n_nsaid, text)
    s = backtest["summary"]
    assert f"Tested on {s['days']} past evenings with {s['onsets']} flare" in text, text
    if s["auc"] is not None and s["onsets"] >= s["onsets_needed"]:
        assert f"AUC {s['auc']:.2f}; 0.50 is chance" in text, text
        assert f"scores {s['baseline_auc']:.2f} on the same evenings" in text, text
    else:
        assert "not worth trusting yet" in text, text
    assert "What simmer cannot tell yet" in out


def test_report_arguments_and_an_empty_diary(ctx):
    ctx.daemon()
    p = ctx.simmer("report", check=0)
    assert "No entries in this period yet" in p.stdout, p.stdout
    p = ctx.simmer("report", "--days", "3")
    assert p.returncode == 64 and "--days takes a number from 7" in p.stderr, p
    p = ctx.simmer("report", "--colour")
    assert p.returncode == 64 and "--html FILE" in p.stderr, p
    p = ctx.simmer("report", "--html", "/nonexistent/dir/report.html")
    assert p.returncode == 73 and "cannot write" in p.stderr, p


def test_load_line_covers_the_whole_diary(ctx):
    """The chart's load begins on the diary's first day, not where the
    backtest starts judging evenings, and is the series status shows."""
    diary(ctx)
    status, _, backtest = replies(ctx)
    first_logged = datetime.date.fromisoformat(status["coverage"]["first_day"])
    judged = datetime.date.fromisoformat(backtest["days"][0]["date"])
    assert (judged - first_logged).days > 14, "the backtest has a warm-up to look past"
    loads = backtest["loads"]
    start = datetime.date.fromisoformat(loads["first"])
    assert abs((start - first_logged).days) <= 2, (loads["first"], first_logged)
    last = datetime.date.fromisoformat(status["date"])
    assert len(loads["values"]) == (last - start).days + 1, (len(loads["values"]), start, last)
    assert loads["values"][-1] == status["load"], (loads["values"][-1], status["load"])
    for t in status["trend"]:
        d = (datetime.date.fromisoformat(t["date"]) - start).days
        assert loads["values"][d] == t["load"], (t, loads["values"][d])

    page = os.path.join(ctx.env.root, "report.html")
    ctx.simmer("report", "--days", "180", "--html", page, check=0)
    with open(page, encoding="utf-8") as f:
        source = f.read()
    path = re.search(r'<path class="load"[^>]* d="([^"]*)"', source).group(1)
    points = [(float(x), float(y)) for x, y in re.findall(r"[ML]([\d.]+) ([\d.]+)", path)]
    first, last = period(status, 180)
    n_days = (last - first).days + 1
    # x runs from 40 to 660 over the period's days (report_html.c).
    day_of = lambda x: round((x - 40) / 620 * (n_days - 1))
    assert day_of(points[0][0]) <= 2, (points[0], first)
    assert path.count("M") == 1, "one unbroken line"
    assert len(points) >= n_days - 2, (len(points), n_days)

    # Every day of a flare is shaded, before the backtest's first evening
    # too, not only the days flares began.
    flare_days = {datetime.date.fromisoformat(d) for d in backtest["flare_days"]}
    assert {datetime.date.fromisoformat(d) for d in backtest["onset_days"]} <= flare_days
    for d in backtest["days"] + status["trend"]:
        assert d["in_flare"] == (datetime.date.fromisoformat(d["date"]) in flare_days), d
    early = [d for d in flare_days if first <= d < judged]
    assert len(early) > len([d for d in backtest["onset_days"]
                             if first <= datetime.date.fromisoformat(d) < judged]), \
        "flares of more than a day before the backtest begins"
    shaded = {day_of(float(x) + 620 / (n_days - 1) / 2) for x in
              re.findall(r'<rect class="flare-day" x="([\d.-]+)"', source)}
    assert shaded == {(d - first).days for d in flare_days if first <= d <= last}, shaded


class PageCheck(html.parser.HTMLParser):
    """Collects what a self-contained page must not have, and its parts."""

    def __init__(self):
        super().__init__()
        self.tags = []
        self.external = []
        self.ids = set()
        self.classes = []
        self.text = []
        self.style = ""
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for k, v in attrs:
            v = v or ""
            if k in ("src", "href", "xlink:href", "srcset", "action", "data") or \
                    re.search(r"(https?:|//|url\()", v):
                self.external.append((tag, k, v))
            if k == "id":
                self.ids.add(v)
            if k == "class":
                self.classes.append(v)
            if k.startswith("on"):
                self.external.append((tag, k, v))
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.style += data
        else:
            self.text.append(data)


def pixels(png):
    from PIL import Image
    return Image.open(png).convert("RGB")


def count_near(img, rgb, box=None, tol=40):
    region = img.crop(box) if box else img
    n = 0
    for p in region.getdata():
        if all(abs(a - b) <= tol for a, b in zip(p, rgb)):
            n += 1
    return n


def test_html_report_renders_in_chromium(ctx):
    diary(ctx)
    status, _, backtest = replies(ctx)
    page = os.path.join(ctx.env.root, "report.html")
    p = ctx.simmer("report", "--days", "180", "--html", page, check=0)
    assert "wrote" in p.stdout, p
    with open(page, encoding="utf-8") as f:
        source = f.read()
    check = PageCheck()
    check.feed(source)
    assert "script" not in check.tags and "link" not in check.tags and "img" not in check.tags \
        and "iframe" not in check.tags, check.tags
    assert check.external == [], check.external
    assert "@import" not in check.style and "url(" not in check.style
    assert "@page" in check.style, "print margins for A4 and Letter"
    assert {"load-chart", "nsaid-chart"} <= check.ids, check.ids
    first, last = period(status, 180)
    onsets = sum(1 for d in backtest["onset_days"]
                 if first <= datetime.date.fromisoformat(d) <= last)
    assert check.classes.count("onset") == onsets and onsets > 0, (check.classes, onsets)
    assert "threshold" in check.classes and "load" in check.classes
    text = " ".join(" ".join(check.text).split())
    assert f"Period covered: {first} to {last}" in text, text[:300]
    assert "An association is not a cause" in text and \
        "does not replace a medical evaluation" in text, text
    for part in ("Warning signs", "Medication days", "NSAIDs on", "Forecast track record",
                 "What simmer cannot tell yet"):
        assert part in text, part

    png = browser.screenshot(page, os.path.join(ctx.env.root, "report.png"), 900, 1100)
    img = pixels(png)
    w, h = img.size
    white = count_near(img, (255, 255, 255), tol=8)
    assert white < 0.97 * w * h, "the page is not blank"
    # The chart sits in the upper half: the load line (blue), the threshold
    # and the flare marks (red) are drawn there.
    upper = (0, 0, w, h // 2)
    assert count_near(img, (0x1f, 0x5f, 0xa8), upper) > 200, "the load line is drawn"
    assert count_near(img, (0xc0, 0x39, 0x2b), upper) > 100, "threshold and flares are drawn"

    for size, (pw, ph) in (("A4", (595, 842)), ("letter", (612, 792))):
        sized = os.path.join(ctx.env.root, f"report-{size}.html")
        with open(sized, "w", encoding="utf-8") as f:
            f.write(source.replace("<style>", f"<style>@page {{ size: {size}; }}\n", 1))
        pdf = browser.print_pdf(sized, os.path.join(ctx.env.root, f"report-{size}.pdf"))
        data = open(pdf, "rb").read()
        boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
        assert boxes, "the PDF has pages"
        assert all(abs(float(a) - pw) < 2 and abs(float(b) - ph) < 2 for a, b in boxes), boxes
        assert 1 <= len(boxes) <= 4, f"{len(boxes)} {size} pages"


if __name__ == "__main__":
    run_tests(globals())
