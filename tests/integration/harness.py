# SPDX-License-Identifier: ISC
"""Shared helpers for simmer's integration tests.

Every test talks to real processes: a real simmerd on a real Unix socket with
a real SQLite file, in temporary XDG folders made for that test. Tests print
TAP through `run_tests`, which tests/run.py counts.
"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("SIMMER_BUILD", os.path.join(ROOT, "build"))
SIMMERD = os.path.join(BUILD, "simmerd")
SIMMER = os.path.join(BUILD, "simmer")
# `make check-tools` sets SIMMER_VALGRIND to a valgrind command line; every
# simmerd a test starts then runs under it, and a memory error or leak makes
# simmerd's exit status (checked at SIGTERM) that of the errors.
VALGRIND = os.environ.get("SIMMER_VALGRIND", "").split()
# What a daemon may take to answer its socket: valgrind starts slowly.
READY_TIMEOUT = 60.0 if VALGRIND else 10.0

# The binaries and this process agree on local time: tests/run.py sets
# SIMMER_TEST_TZ (a shifted hour or a summer-time change with
# SIMMER_TEST_CLOCK), and Python's own local time follows it.
TEST_TZ = os.environ.get("SIMMER_TEST_TZ", "UTC")
os.environ["TZ"] = TEST_TZ
time.tzset()


class Env:
    """Temporary XDG folders, and the environment both binaries see."""

    def __init__(self):
        self.root = tempfile.mkdtemp(prefix="simmer-test-")
        self.runtime = os.path.join(self.root, "run")
        self.data = os.path.join(self.root, "data")
        self.state = os.path.join(self.root, "state")
        self.config = os.path.join(self.root, "config")
        for d in (self.runtime, self.data, self.state, self.config):
            os.makedirs(d, mode=0o700)
        self.socket = os.path.join(self.runtime, "simmer", "simmer.sock")
        self.db = os.path.join(self.data, "simmer", "simmer.db")
        self.spool_dir = os.path.join(self.state, "simmer")
        self.vars = dict(os.environ)
        for k in ("SIMMER_SOCKET", "SIMMER_DB", "DBUS_SESSION_BUS_ADDRESS", "DISPLAY"):
            self.vars.pop(k, None)
        self.vars.update(XDG_RUNTIME_DIR=self.runtime, XDG_DATA_HOME=self.data,
                         XDG_STATE_HOME=self.state, XDG_CONFIG_HOME=self.config, TZ=TEST_TZ)
        if VALGRIND:
            # simmerd under valgrind answers tens of times slower: the
            # client's own timeouts must not turn that into spooling.
            self.vars.setdefault("SIMMER_TIMEOUT", "60")

    def write_config(self, text):
        d = os.path.join(self.config, "simmer")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "simmer.conf"), "w") as f:
            f.write(text)

    def cleanup(self):
        shutil.rmtree(self.root, ignore_errors=True)


def process_env(env, extra=None):
    """The environment of a simmerd or simmer process on env. A test that
    fixes the instant (SIMMER_NOW) writes its instants, diaries and expected
    outputs in UTC, so from then on every process of that test runs in UTC,
    unless the test names a zone itself; every other test runs in the zone
    of the run (SIMMER_TEST_TZ)."""
    e = dict(env.vars, **(extra or {}))
    for k in [k for k, v in e.items() if v is None]:
        del e[k]  # None in extra removes a variable
    if e.get("SIMMER_NOW") and "TZ" not in (extra or {}) and env.vars.get("TZ") == TEST_TZ:
        env.vars["TZ"] = e["TZ"] = "UTC"
    return e


class Daemon:
    """A simmerd process on an Env. start() returns once the socket answers."""

    def __init__(self, env, args=(), extra_env=None, prefix=()):
        self.env = env
        self.args = list(args)
        self.prefix = list(prefix)  # a wrapper that execs simmerd in the same process
        self.extra_env = extra_env or {}
        self.proc = None
        self.log_path = os.path.join(env.root, "simmerd.log")

    def start(self, wait=True, timeout=None):
        e = process_env(self.env, self.extra_env)
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.prefix + VALGRIND + [SIMMERD] + self.args, env=e,
                                     stdout=self.log,
                                     stderr=subprocess.STDOUT)
        if wait:
            self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout=None):
        timeout = timeout or READY_TIMEOUT
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"simmerd exited with {self.proc.returncode}:\n{self.logs()}")
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(self.env.socket)
                s.close()
                return
            except OSError:
                time.sleep(0.02)
        raise AssertionError(f"simmerd did not answer within {timeout}s:\n{self.logs()}")

    def logs(self):
        try:
            with open(self.log_path, "rb") as f:
                self.last_logs = f.read().decode(errors="replace")
        except OSError:
            pass  # the test's folders are gone: what was read before they went
        return getattr(self, "last_logs", "")

    def stop(self, sig=signal.SIGTERM, timeout=10.0):
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(sig)
        if VALGRIND:
            timeout = max(timeout, 60.0)  # the leak check runs at exit
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("simmerd did not stop on signal %d" % sig)
        finally:
            self.log.close()

    def kill9(self):
        self.proc.kill()
        self.proc.wait()
        self.log.close()


def simmer(env, *args, input=None, timeout=30, check=None, extra_env=None):
    """Runs the client; returns CompletedProcess with text stdout/stderr.
    check=N asserts the exit status is N."""
    e = process_env(env, extra_env)
    p = subprocess.run([SIMMER] + [str(a) for a in args], env=e, input=input,
                       capture_output=True, text=True, timeout=timeout)
    if check is not None and p.returncode != check:
        raise AssertionError(f"simmer {' '.join(map(str, args))}: exit {p.returncode}, "
                             f"wanted {check}\nstdout: {p.stdout}\nstderr: {p.stderr}")
    return p


class Context:
    """One test's Env and the daemons it started, cleaned up afterwards."""

    def __init__(self):
        self.env = Env()
        self.daemons = []

    def daemon(self, *args, start=True, **kw):
        d = Daemon(self.env, args, **kw)
        self.daemons.append(d)
        return d.start() if start else d

    def simmer(self, *args, **kw):
        return simmer(self.env, *args, **kw)

    def close(self):
        """Stops every daemon still running with SIGTERM and checks that it
        exited cleanly: a crash or a hang at shutdown is a failure. Returns
        the list of problems (empty when all is well)."""
        problems = []
        for d in self.daemons:
            if d.proc is None or d.proc.poll() is not None:
                continue
            try:
                rc = d.stop(signal.SIGTERM, timeout=15.0)
            except AssertionError as e:
                problems.append(str(e))
                continue
            if rc != 0:
                problems.append(f"simmerd exited with status {rc} on SIGTERM:\n"
                                + "\n".join(d.logs().splitlines()[-20:]))
        for d in self.daemons:
            d.logs()  # kept for the report of a failed test
        self.env.cleanup()
        return problems


class Skip(Exception):
    """Raised by a test that cannot run here; reported as skipped, never as
    passed."""


def wait_until(predicate, timeout=10.0, interval=0.02, what="the condition"):
    """Polls predicate() until it returns something true, and returns that;
    fails after timeout seconds. Tests poll with a deadline instead of
    sleeping a fixed time. Under valgrind every deadline is five times as
    long: the daemon runs tens of times slower there."""
    if VALGRIND:
        timeout *= 5
    deadline = time.monotonic() + timeout
    while True:
        got = predicate()
        if got:
            return got
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def run_tests(namespace, names=None):
    """Runs every function test_* in namespace (each gets a fresh Context)
    and prints TAP: `ok`, `not ok`, or `ok N - name # SKIP reason`, which
    tests/run.py counts as skipped. A daemon that does not exit cleanly on
    SIGTERM after its test fails that test. Exits 0 when none failed."""
    tests = [(n, f) for n, f in sorted(namespace.items())
             if n.startswith("test_") and callable(f) and (not names or n in names)]
    print(f"1..{len(tests)}")
    failed = 0
    for i, (name, fn) in enumerate(tests, 1):
        ctx = Context()
        error = skipped = None
        try:
            fn(ctx)
        except Skip as e:
            skipped = str(e)
        except Exception:
            error = traceback.format_exc()
        problems = ctx.close()
        if error is None and problems:
            error = "the daemon did not shut down cleanly:\n" + "\n".join(problems)
        if error is not None:
            failed += 1
            print(f"not ok {i} - {name}")
            for line in error.splitlines():
                print("# " + line)
            for d in ctx.daemons:
                for line in d.logs().splitlines()[-40:]:
                    print("# simmerd: " + line)
        elif skipped is not None:
            print(f"ok {i} - {name} # SKIP {skipped}")
        else:
            print(f"ok {i} - {name}")
        sys.stdout.flush()
    sys.exit(1 if failed else 0)
