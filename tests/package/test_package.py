# SPDX-License-Identifier: ISC
"""The Debian package, end to end on this machine: `make deb` builds it,
lintian accepts it, `apt install` lays it out and enables the user socket,
simmerd starts as the installed units say, the installed simmer logs an
entry, and `apt purge` leaves nothing of the package while the person's
diary stays exactly as it was.

Building, installing and purging take a few minutes, so this runs from
`make test-pkg` (SIMMER_TEST_PKG=1), not from `make test`. It needs root
(it installs and purges a package) and the tools of scripts/deps.sh's
`pkg` group; without them it skips and says why. Runs on one machine take
turns through a lock, since the package is installed system-wide.
"""
import fcntl
import hashlib
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import traceback

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "integration"))
from harness import Context, ROOT  # noqa: E402

LOCK = "/run/lock/simmer-package-test.lock"
UNITS = "/usr/lib/systemd/user"
WANTS = "/etc/systemd/user/sockets.target.wants/simmerd.socket"
HELPER_STATE = "/var/lib/systemd/deb-systemd-user-helper-enabled"
APT_OPTS = ["-y", "-q", "-o", "DPkg::Lock::Timeout=300"]


def skip_reason():
    if os.environ.get("SIMMER_TEST_PKG") != "1":
        return "the package test runs from `make test-pkg` (building, installing and purging the .deb takes minutes)"
    if os.geteuid() != 0:
        return "installing and purging a package needs root"
    for tool in ("dpkg-buildpackage", "dh", "lintian", "apt-get", "systemd-socket-activate"):
        if shutil.which(tool) is None:
            return f"{tool} is missing (scripts/deps.sh pkg test installs it)"
    if installed_version() is not None:
        return "a simmer package is already installed here; the test will not replace and purge it"
    return None


def installed_version():
    p = subprocess.run(["dpkg-query", "-W", "-f", "${Status} ${Version}", "simmer"],
                       capture_output=True, text=True, timeout=30)
    if p.returncode != 0 or not p.stdout.startswith("install ok installed"):
        return None
    return p.stdout.split()[-1]


def run(cmd, timeout=600, **kw):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)
    assert p.returncode == 0, f"{' '.join(cmd)}: exit {p.returncode}\n{p.stdout[-3000:]}\n{p.stderr[-3000:]}"
    return p


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class Flow:
    """The steps share what they made: the .deb, the file list, the diary."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.env = ctx.env
        self.version = open(os.path.join(ROOT, "VERSION")).read().strip()
        self.work = os.path.join(self.env.root, "deb")
        self.out = os.path.join(self.env.root, "out")
        self.deb = None
        self.files = []
        self.diary_hash = None

    def step_make_deb_builds_the_package(self):
        run(["make", "--no-print-directory", "deb", f"DEB_WORK={self.work}", f"DEB_OUT={self.out}"],
            cwd=ROOT, timeout=900)
        debs = [f for f in os.listdir(self.out) if re.fullmatch(r"simmer_.*\.deb", f)]
        assert len(debs) == 1, debs
        self.deb = os.path.join(self.out, debs[0])
        fields = run(["dpkg-deb", "-f", self.deb, "Package", "Version", "Depends"]).stdout
        assert f"Version: {self.version}\n" in fields, fields
        # ${shlibs:Depends} filled in from the libraries the binaries link.
        for lib in ("libuv1", "libsqlite3-0", "libmsgpackc2", "libnotify4", "libsystemd0"):
            assert lib in fields, f"{lib} missing from Depends:\n{fields}"

    def step_lintian_has_no_errors_or_warnings(self):
        changes = [f for f in os.listdir(self.work) if f.endswith(".changes")]
        assert len(changes) == 1, os.listdir(self.work)
        # Warnings that must stay are overridden with their reason in
        # debian/simmer.lintian-overrides; anything else fails here.
        p = subprocess.run(["lintian", "--fail-on", "error,warning", "--info",
                            os.path.join(self.work, changes[0])],
                           capture_output=True, text=True, timeout=600)
        tags = [l for l in p.stdout.splitlines() if re.match(r"^[EWIPX]: ", l)]
        for line in tags:
            print("# lintian: " + line)
        assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]

    def step_package_holds_every_file(self):
        listing = run(["dpkg-deb", "-c", self.deb]).stdout
        names = {l.split()[-1].lstrip(".") for l in listing.splitlines()}
        want = ["/usr/bin/simmer", "/usr/bin/simmerd", f"{UNITS}/simmerd.service",
                f"{UNITS}/simmerd.socket", "/usr/share/bash-completion/completions/simmer",
                "/usr/share/doc/simmer/simmer.conf.example", "/usr/share/doc/simmer/copyright",
                "/usr/share/doc/simmer/changelog.gz"]
        for page in os.listdir(os.path.join(ROOT, "man")):
            if not re.search(r"\.[1-8]$", page):
                continue
            section = page.rsplit(".", 1)[-1]
            want.append(f"/usr/share/man/man{section}/{page}.gz")
        # Every completion in completions/ is packaged, including ones added later.
        for f in os.listdir(os.path.join(ROOT, "completions")):
            if f.endswith(".bash"):
                want.append("/usr/share/bash-completion/completions/" + f[:-5])
            elif f.endswith(".zsh") or f.startswith("_"):
                name = f[:-4] if f.endswith(".zsh") else f
                want.append("/usr/share/zsh/vendor-completions/" + (name if name.startswith("_") else "_" + name))
            elif f.endswith(".fish"):
                want.append("/usr/share/fish/vendor_completions.d/" + f)
        missing = [w for w in want if w not in names]
        assert not missing, f"missing from the package: {missing}\n{listing}"

    def step_apt_install_enables_the_user_socket(self):
        run(["apt-get", *APT_OPTS, "install", self.deb])
        assert installed_version() == self.version, installed_version()
        # A login's user manager starts sockets.target, which now wants simmerd.socket.
        assert os.path.islink(WANTS), f"{WANTS} is not a link: the socket is not enabled"
        assert os.readlink(WANTS) == f"{UNITS}/simmerd.socket", os.readlink(WANTS)
        # The installed units load, and name programs that exist.
        run(["systemd-analyze", "verify", "--man=no", "--user",
             f"{UNITS}/simmerd.socket", f"{UNITS}/simmerd.service"], env=self.env.vars)
        self.files = run(["dpkg-query", "-L", "simmer"]).stdout.splitlines()
        assert "/usr/bin/simmerd" in self.files, self.files
        run(["man", "-w", "simmerd"])

    def unit_value(self, unit, key):
        with open(os.path.join(UNITS, unit)) as f:
            values = [l.split("=", 1)[1].strip() for l in f if l.startswith(key + "=")]
        assert len(values) == 1, f"{unit} has {len(values)} {key}= lines"
        return values[0]

    def step_installed_service_logs_an_entry(self):
        """No user manager runs here, so the installed units are read and
        systemd-socket-activate plays their part: it holds the socket the
        .socket unit names and starts the .service's ExecStart on the first
        connection."""
        exec_start = self.unit_value("simmerd.service", "ExecStart")
        assert exec_start == "/usr/bin/simmerd", exec_start
        sock = self.unit_value("simmerd.socket", "ListenStream").replace("%t", self.env.runtime)
        assert sock == self.env.socket, sock
        os.makedirs(os.path.dirname(sock), mode=0o700)
        # A new user starts from the example configuration.
        os.makedirs(os.path.join(self.env.config, "simmer"))
        shutil.copy("/usr/share/doc/simmer/simmer.conf.example",
                    os.path.join(self.env.config, "simmer", "simmer.conf"))
        passed = []
        for k in ("XDG_RUNTIME_DIR", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME", "TZ"):
            passed += ["-E", f"{k}={self.env.vars[k]}"]
        log_path = os.path.join(self.env.root, "activate.log")
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(["systemd-socket-activate", "-l", sock] + passed + exec_start.split(),
                                    env=self.env.vars, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 10
            while not os.path.exists(sock) and time.monotonic() < deadline:
                time.sleep(0.02)
            assert os.path.exists(sock), "systemd-socket-activate did not listen"
            assert not os.path.exists(self.env.db), "simmerd starts only on the first connection"
            simmer = ["/usr/bin/simmer"]
            p = subprocess.run(simmer + ["pain", "6", "--note", "from the package"], env=self.env.vars,
                               capture_output=True, text=True, timeout=30)
            assert p.returncode == 0, (p.returncode, p.stdout, p.stderr, open(log_path).read())
            p = subprocess.run(simmer + ["list", "--json"], env=self.env.vars,
                               capture_output=True, text=True, timeout=30)
            entries = json.loads(p.stdout)["entries"]
            assert [(e["factor"], e["value"], e["note"]) for e in entries] == [("pain", 6, "from the package")]
            p = subprocess.run(simmer + ["version"], env=self.env.vars, capture_output=True,
                               text=True, timeout=30)
            assert p.stdout.startswith(f"simmer {self.version} "), p.stdout
            assert f"simmerd {self.version} on {sock}" in p.stdout, p.stdout
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(30)
        with open(log_path) as f:
            assert "passed by systemd" in f.read()
        self.diary_hash = sha256(self.env.db)

    def step_apt_purge_leaves_nothing_but_the_diary(self):
        purge()
        assert installed_version() is None
        left = [f for f in self.files if os.path.lexists(f) and not os.path.isdir(f)]
        assert not left, f"left after purge: {left}"
        for d in ("/usr/share/doc/simmer",):
            assert not os.path.exists(d), f"{d} is left after purge"
        assert not os.path.lexists(WANTS), f"{WANTS} is left after purge"
        state = [os.path.join(r, f) for r, _, fs in os.walk(HELPER_STATE) for f in fs if "simmerd" in f]
        assert not state, f"deb-systemd-helper state left after purge: {state}"
        assert self.diary_hash is not None, "the diary was never written"
        assert sha256(self.env.db) == self.diary_hash, "purge changed the diary"
        with sqlite3.connect(f"file:{self.env.db}?mode=ro", uri=True) as db:
            notes = [r[0] for r in db.execute("SELECT note FROM entries WHERE deleted = 0")]
        assert notes == ["from the package"], notes
        assert os.path.isfile(os.path.join(self.env.config, "simmer", "simmer.conf"))


def purge():
    """Purges simmer if dpkg knows it in any state (installed, or only its
    configuration left)."""
    if subprocess.run(["dpkg-query", "-W", "simmer"], capture_output=True).returncode == 0:
        run(["apt-get", *APT_OPTS, "purge", "simmer"])


def main():
    reason = skip_reason()
    if reason:
        print(f"1..1\nok 1 - package # SKIP {reason}")
        return 0
    steps = [n for n in Flow.__dict__ if n.startswith("step_")]
    with open(LOCK, "w") as lock:
        deadline = time.monotonic() + 1200
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                assert time.monotonic() < deadline, "another package test held the lock for 20 minutes"
                time.sleep(1)
        if installed_version() is not None:
            print(f"1..1\nok 1 - package # SKIP {skip_reason()}")
            return 0
        print(f"1..{len(steps)}")
        ctx = Context()
        flow = Flow(ctx)
        failed = 0
        try:
            for i, name in enumerate(steps, 1):
                label = name[len("step_"):]
                if failed:
                    print(f"not ok {i} - {label} # not reached")
                    continue
                started = time.monotonic()
                try:
                    getattr(flow, name)()
                    print(f"ok {i} - {label} ({time.monotonic() - started:.0f} s)")
                except Exception:
                    failed += 1
                    print(f"not ok {i} - {label}")
                    for line in traceback.format_exc().splitlines():
                        print("# " + line)
                sys.stdout.flush()
        finally:
            # Never leave the package installed on this machine.
            try:
                purge()
            finally:
                ctx.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
