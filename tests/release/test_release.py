# SPDX-License-Identifier: ISC
"""What a release is made of: one version everywhere (VERSION, both binaries,
the man pages, NEWS.md, debian/changelog), the licence, and `make dist`
archiving exactly the tracked files under simmer-VERSION/."""
import os
import re
import shutil
import subprocess
import sys
import tarfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "integration"))
from harness import ROOT, SIMMERD, Skip, run_tests  # noqa: E402


def version():
    with open(os.path.join(ROOT, "VERSION")) as f:
        v = f.read().strip()
    assert re.fullmatch(r"\d+\.\d+\.\d+", v), f"VERSION is {v!r}, not MAJOR.MINOR.PATCH"
    return v


def read(path):
    with open(os.path.join(ROOT, path)) as f:
        return f.read()


def test_binaries_print_the_version(ctx):
    v = version()
    p = ctx.simmer("version", check=0)
    assert p.stdout.startswith(f"simmer {v} "), p.stdout
    d = subprocess.run([SIMMERD, "--version"], capture_output=True, text=True, timeout=10)
    assert d.returncode == 0 and d.stdout.startswith(f"simmerd {v} "), d.stdout + d.stderr


def test_man_pages_name_the_version(ctx):
    v = version()
    pages = sorted(f for f in os.listdir(os.path.join(ROOT, "man")) if re.search(r"\.[1-8]$", f))
    assert pages, "no man pages in man/"
    for page in pages:
        th = [l for l in read(os.path.join("man", page)).splitlines() if l.startswith(".TH ")]
        assert th, f"{page} has no .TH line"
        assert f'"simmer {v}"' in th[0], f"{page}: {th[0]} does not name simmer {v}"


def news_top():
    """The newest NEWS.md heading: (version, date)."""
    m = re.search(r"^## simmer (\S+) \((\d{4}-\d{2}-\d{2})\)$", read("NEWS.md"), re.M)
    assert m, "NEWS.md has no '## simmer VERSION (YYYY-MM-DD)' heading"
    return m.group(1), m.group(2)


def test_news_starts_with_this_version(ctx):
    news_version, _ = news_top()
    assert news_version == version(), f"NEWS.md starts with {news_version}, VERSION is {version()}"


def test_debian_changelog_follows_news(ctx):
    top = read("debian/changelog").splitlines()[0]
    m = re.match(r"simmer \(([^)]+)\) \S+; urgency=\w+$", top)
    assert m, f"debian/changelog starts with {top!r}"
    upstream = m.group(1).rsplit("-", 1)[0] if "-" in m.group(1) else m.group(1)
    assert upstream == version(), f"debian/changelog is at {m.group(1)}, VERSION is {version()}"


def test_debian_changelog_is_dated_as_news(ctx):
    if shutil.which("dpkg-parsechangelog") is None:
        raise Skip("dpkg-parsechangelog (dpkg-dev) is missing: the changelog's date is not compared")
    p = subprocess.run(["dpkg-parsechangelog", "-S", "Date"], cwd=ROOT, capture_output=True,
                       text=True, timeout=30)
    assert p.returncode == 0, p.stderr
    iso = subprocess.run(["date", "-u", "-d", p.stdout.strip(), "+%Y-%m-%d"], capture_output=True,
                         text=True, timeout=10).stdout.strip()
    assert iso == news_top()[1], f"debian/changelog is dated {iso}, NEWS.md {news_top()[1]}"


def test_package_build_depends_on_every_build_package(ctx):
    """A library added to scripts/deps.sh's build group must reach
    debian/control too, or the package stops building."""
    m = re.search(r'^build="([^"]*)"', read("scripts/deps.sh"), re.M)
    assert m, "scripts/deps.sh has no build group"
    wanted = set(m.group(1).split()) - {"build-essential"}
    control = read("debian/control")
    bd = re.search(r"^Build-Depends:(.*?)^\S", control, re.M | re.S)
    assert bd, "debian/control has no Build-Depends"
    declared = {re.split(r"[\s(]", d.strip())[0] for d in bd.group(1).split(",") if d.strip()}
    assert wanted <= declared, f"missing from Build-Depends: {sorted(wanted - declared)}"


def test_licence_is_isc_and_named(ctx):
    text = read("LICENSE")
    assert "Permission to use, copy, modify, and distribute this software for any" in text
    assert "ISC" in read("README.md"), "the README does not name the licence"
    assert "License: ISC" in read("debian/copyright")


def test_make_dist_archives_the_tracked_files(ctx):
    if subprocess.run(["git", "rev-parse", "--is-inside-work-tree"], cwd=ROOT,
                      capture_output=True, timeout=10).returncode != 0:
        raise Skip("not a git checkout (an unpacked tarball): make dist archives a checkout")
    out = os.path.join(ctx.env.root, "dist")
    p = subprocess.run(["make", "--no-print-directory", "dist", f"DIST_OUT={out}"], cwd=ROOT,
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stdout + p.stderr
    v = version()
    path = os.path.join(out, f"simmer-{v}.tar.gz")
    assert os.path.isfile(path), os.listdir(out)
    tracked = subprocess.run(["git", "ls-tree", "-r", "--name-only", "HEAD"], cwd=ROOT,
                             capture_output=True, text=True, timeout=30, check=True).stdout.split()
    with tarfile.open(path) as t:
        names = [m.name for m in t.getmembers() if not m.isdir()]
    prefix = f"simmer-{v}/"
    assert all(n.startswith(prefix) for n in names), [n for n in names if not n.startswith(prefix)]
    assert sorted(n[len(prefix):] for n in names) == sorted(tracked)


# The sources the licence identifier is required in: every C, Python and
# shell file, wherever it is added.
SOURCE_SUFFIXES = (".c", ".h", ".py", ".sh")
SPDX = "SPDX-License-Identifier: ISC"


def sources():
    for top, dirs, files in os.walk(ROOT):
        rel = os.path.relpath(top, ROOT)
        # Hidden folders and build output (build/, build-san/, ...) hold no sources.
        dirs[:] = [d for d in dirs if not d.startswith(".")
                   and not (rel == "." and d.startswith("build"))
                   and not (rel == "debian" and d in ("simmer", "tmp"))]
        for f in files:
            if f.endswith(SOURCE_SUFFIXES):
                yield os.path.normpath(os.path.join(rel, f))


def test_every_source_carries_the_licence_identifier(ctx):
    found = list(sources())
    assert len(found) > 20, found
    missing = []
    for path in found:
        with open(os.path.join(ROOT, path), errors="replace") as f:
            head = [next(f, "") for _ in range(60)]
        if not any(SPDX in line for line in head):
            missing.append(path)
    assert not missing, f"no '{SPDX}' in the header comment of: {missing}"


if __name__ == "__main__":
    run_tests(globals())
