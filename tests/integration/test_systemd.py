# SPDX-License-Identifier: ISC
"""The systemd side: units that verify, the hardening figure, socket
activation through systemd-socket-activate, readiness over NOTIFY_SOCKET,
and `make install` laying every file in its place."""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time

from harness import BUILD, ROOT, SIMMERD, run_tests, wait_until


def units_in(ctx):
    """The units with ExecStart pointing at the built simmerd."""
    d = os.path.join(ctx.env.root, "units")
    os.makedirs(d)
    with open(os.path.join(ROOT, "systemd", "simmerd.service")) as f:
        text = f.read().replace("@BINDIR@", os.path.dirname(SIMMERD))
    with open(os.path.join(d, "simmerd.service"), "w") as f:
        f.write(text)
    shutil.copy(os.path.join(ROOT, "systemd", "simmerd.socket"), d)
    return d


def test_units_verify(ctx):
    d = units_in(ctx)
    p = subprocess.run(["systemd-analyze", "verify", "--man=no", "--user",
                        "simmerd.socket", "simmerd.service"], cwd=d, env=ctx.env.vars,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "simmerd" not in p.stderr, p.stderr


def test_security_exposure_at_most_2(ctx):
    d = units_in(ctx)
    p = subprocess.run(["systemd-analyze", "security", "--offline=true", "--user",
                        "simmerd.service"], cwd=d, env=ctx.env.vars,
                       capture_output=True, text=True, timeout=60)
    m = re.search(r"Overall exposure level for simmerd.service: ([0-9.]+)", p.stdout)
    assert m, p.stdout[-2000:] + p.stderr
    level = float(m.group(1))
    print(f"# systemd-analyze security exposure: {level}")
    assert level <= 2.0, f"exposure {level} is over 2.0"


def test_socket_activation(ctx):
    sock = ctx.env.socket
    os.makedirs(os.path.dirname(sock), mode=0o700)
    env = ["-E", f"XDG_DATA_HOME={ctx.env.data}", "-E", f"XDG_STATE_HOME={ctx.env.state}",
           "-E", f"XDG_CONFIG_HOME={ctx.env.config}", "-E", f"XDG_RUNTIME_DIR={ctx.env.runtime}"]
    log = open(os.path.join(ctx.env.root, "activate.log"), "wb")
    proc = subprocess.Popen(["systemd-socket-activate", "-l", sock] + env + [SIMMERD],
                            env=ctx.env.vars, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 10
        while not os.path.exists(sock) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert os.path.exists(sock), "systemd-socket-activate did not listen"
        assert not os.path.exists(ctx.env.db), "the daemon starts only on the first connection"
        p = ctx.simmer("pain", "5", "--note", "activated")
        assert p.returncode == 0, (p.returncode, p.stderr, open(log.name).read())
        out = json.loads(ctx.simmer("list", "--json", check=0).stdout)
        assert [(e["factor"], e["note"]) for e in out["entries"]] == [("pain", "activated")]
        with open(log.name) as f:
            assert "passed by systemd" in f.read()
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(10)
        log.close()


def test_readiness_notification(ctx):
    path = os.path.join(ctx.env.root, "notify.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind(path)
    listener.settimeout(10)
    d = ctx.daemon(start=False, extra_env={"NOTIFY_SOCKET": path})
    d.start(wait=False)
    seen = []
    deadline = time.monotonic() + 10
    while not any("READY=1" in m for m in seen) and time.monotonic() < deadline:
        seen.append(listener.recv(4096).decode())
    assert any("READY=1" in m for m in seen), seen
    # Ready means ready: the socket answers at once.
    ctx.simmer("pain", "3", check=0)
    d.stop()
    deadline = time.monotonic() + 5
    while not any("STOPPING=1" in m for m in seen) and time.monotonic() < deadline:
        seen.append(listener.recv(4096).decode())
    assert any("STOPPING=1" in m for m in seen), seen
    assert any("STATUS=" in m for m in seen), seen


def test_idle_daemon_makes_no_system_calls(ctx):
    """No polling: once started, an idle simmerd sleeps until something is
    due. strace sees every thread blocked and nothing returning."""
    d = ctx.daemon()
    ctx.simmer("status", check=0)   # the start-up analysis is done

    def all_threads_sleeping():
        for task in os.listdir(f"/proc/{d.proc.pid}/task"):
            with open(f"/proc/{d.proc.pid}/task/{task}/stat") as f:
                if f.read().rsplit(")", 1)[1].split()[0] != "S":
                    return False
        return True
    wait_until(all_threads_sleeping, what="every simmerd thread to sleep")
    out = os.path.join(ctx.env.root, "idle.strace")
    subprocess.run(["timeout", "3", "strace", "-f", "-qq", "-p", str(d.proc.pid), "-o", out],
                   capture_output=True, timeout=20)
    with open(out) as f:
        lines = [l.strip() for l in f if l.strip()]
    assert lines, "strace saw nothing at all: it did not attach"
    busy = [l for l in lines if "<unfinished ...>" not in l and "<detached ...>" not in l
            and "+++" not in l and "---" not in l]
    assert not busy, busy[:10]


def test_make_install_lays_out_every_file(ctx):
    dest = os.path.join(ctx.env.root, "dest")
    p = subprocess.run(["make", "--no-print-directory", "install", f"DESTDIR={dest}", "PREFIX=/usr",
                        f"BUILD={os.path.relpath(BUILD, ROOT)}"], cwd=ROOT,
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    want = ["usr/bin/simmerd", "usr/bin/simmer", "usr/lib/systemd/user/simmerd.service",
            "usr/lib/systemd/user/simmerd.socket", "usr/share/man/man1/simmer.1",
            "usr/share/man/man8/simmerd.8", "usr/share/man/man5/simmer.conf.5",
            "usr/share/bash-completion/completions/simmer",
            "usr/share/zsh/vendor-completions/_simmer",
            "usr/share/fish/vendor_completions.d/simmer.fish",
            "usr/share/doc/simmer/simmer.conf.example"]
    for w in want:
        assert os.path.isfile(os.path.join(dest, w)), f"{w} missing"
    with open(os.path.join(dest, "usr/lib/systemd/user/simmerd.service")) as f:
        assert "ExecStart=/usr/bin/simmerd\n" in f.read()
    v = subprocess.run([os.path.join(dest, "usr/bin/simmerd"), "--version"], capture_output=True,
                       text=True, timeout=10)
    assert v.returncode == 0 and "simmerd" in v.stdout
    h = subprocess.run([os.path.join(dest, "usr/bin/simmer"), "--help"], capture_output=True,
                       text=True, timeout=10)
    assert h.returncode == 0 and "usage: simmer" in h.stdout
    p = subprocess.run(["make", "--no-print-directory", "uninstall", f"DESTDIR={dest}", "PREFIX=/usr"],
                       cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    left = [os.path.join(r, f) for r, _, fs in os.walk(dest) for f in fs]
    assert left == [], left


if __name__ == "__main__":
    run_tests(globals())
