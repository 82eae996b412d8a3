# SPDX-License-Identifier: ISC
"""Nothing acknowledged or spooled is lost, and nobody else can catch an entry.

Each test makes a fault for real (a symlinked or squatted runtime folder, a
socket served by another uid, a file-size limit, a daemon that is stopped
or busy, a spool that simmerd moves aside while clients wait for its lock)
and then checks that every entry the client called logged or kept is in the
database exactly once. Tests that need a second uid need root and say
`skipped` otherwise.
"""
import errno
import fcntl
import os
import resource
import shutil
import signal
import socket
import sqlite3
import subprocess
import tempfile
import threading
import time

from harness import ROOT, SIMMER, SIMMERD, VALGRIND, Skip, run_tests, wait_until
from rpc import Client, RpcError, entry


def notes_in_db(env):
    """note -> number of live entries carrying it."""
    db = sqlite3.connect(f"file:{env.db}?mode=ro", uri=True)
    try:
        rows = db.execute("SELECT note, count(*) FROM entries WHERE deleted = 0 GROUP BY note")
        return dict(rows.fetchall())
    except sqlite3.OperationalError:
        return {}  # not created yet
    finally:
        db.close()


def wait_for_notes(env, notes, timeout=20.0):
    """Polls until every note is stored; returns the counts."""
    deadline = time.monotonic() + timeout
    while True:
        got = notes_in_db(env) if os.path.exists(env.db) else {}
        if all(n in got for n in notes) or time.monotonic() > deadline:
            return got
        time.sleep(0.05)


def assert_exactly_once(env, notes):
    got = wait_for_notes(env, notes)
    missing = [n for n in notes if n not in got]
    doubled = {n: got[n] for n in notes if got.get(n, 0) > 1}
    assert not missing and not doubled, f"missing {missing[:10]}, doubled {doubled}"


def run_simmer(env, *args, timeout=30, preexec=None, extra=None, user=None):
    e = dict(env.vars, **(extra or {}))
    cmd = [SIMMER] + [str(a) for a in args]
    if user is not None:
        cmd = as_user(user) + cmd
    return subprocess.run(cmd, env=e, capture_output=True, text=True, timeout=timeout,
                          preexec_fn=preexec)


def as_user(uid):
    """The command prefix that runs a program as uid, with no groups."""
    return ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups"]


def spool_path(env):
    return os.path.join(env.spool_dir, "spool.msgpack")


def spare_uid():
    """A uid with no account and no fallback folder in /tmp yet."""
    import pwd
    for uid in range(61000 + os.getpid() % 1000 * 3, 64999):
        try:
            pwd.getpwuid(uid)
            continue
        except KeyError:
            pass
        if not os.path.lexists(f"/tmp/simmer-{uid}"):
            return uid
    raise AssertionError("no spare uid")


def give_to(env, uid):
    """Hands the test's folders to uid, so that a process running as uid
    can use them."""
    for dirpath, dirnames, filenames in os.walk(env.root):
        for name in dirnames + filenames:
            os.lchown(os.path.join(dirpath, name), uid, uid)
    os.chown(env.root, uid, uid)


# -- the runtime folder ------------------------------------------------------

def test_symlinked_runtime_folder_is_refused(ctx):
    env = ctx.env
    elsewhere = os.path.join(env.root, "elsewhere")
    os.mkdir(elsewhere, 0o700)
    os.symlink(elsewhere, os.path.join(env.runtime, "simmer"))
    p = subprocess.run([SIMMERD], env=env.vars, capture_output=True, text=True, timeout=10)
    assert p.returncode != 0, p
    assert "symbolic link" in p.stderr and os.path.join(env.runtime, "simmer") in p.stderr, p.stderr
    assert os.listdir(elsewhere) == [], "nothing was created through the link"
    # The client will not send through it either; it keeps the entry.
    c = run_simmer(env, "pain", "4", "--note", "via-link")
    assert c.returncode == 75 and "symbolic link" in c.stderr and "kept 1 entry" in c.stderr, c
    os.unlink(os.path.join(env.runtime, "simmer"))
    ctx.daemon()
    assert_exactly_once(env, ["via-link"])


def test_runtime_folder_with_open_mode_is_refused(ctx):
    env = ctx.env
    os.mkdir(os.path.join(env.runtime, "simmer"), 0o700)
    os.chmod(os.path.join(env.runtime, "simmer"), 0o755)
    p = subprocess.run([SIMMERD], env=env.vars, capture_output=True, text=True, timeout=10)
    assert p.returncode != 0 and "0755" in p.stderr and "chmod 700" in p.stderr, p.stderr


def test_squatted_fallback_folder_is_refused(ctx):
    if os.getuid() != 0:
        raise Skip("needs root to act as two users")
    victim, squatter = spare_uid(), spare_uid() + 1
    env = ctx.env
    give_to(env, victim)
    env.vars.pop("XDG_RUNTIME_DIR")
    fallback = f"/tmp/simmer-{victim}"
    os.mkdir(fallback, 0o700)
    try:
        os.chown(fallback, squatter, squatter)
        # The squatter listens where the victim's client would connect.
        trap = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        trap.bind(os.path.join(fallback, "simmer.sock"))
        trap.listen(8)
        os.chown(os.path.join(fallback, "simmer.sock"), squatter, squatter)
        os.chmod(fallback, 0o777)
        os.chmod(os.path.join(fallback, "simmer.sock"), 0o777)
        p = subprocess.run(as_user(victim) + [SIMMERD], env=env.vars, capture_output=True, text=True, timeout=10)
        assert p.returncode != 0 and fallback in p.stderr and f"uid {squatter}" in p.stderr, p.stderr
        c = run_simmer(env, "pain", "7", "--note", "secret", user=victim)
        assert c.returncode == 75, c
        assert f"belongs to uid {squatter}" in c.stderr and "kept 1 entry" in c.stderr, c.stderr
        trap.setblocking(False)
        try:
            conn, _ = trap.accept()
            conn.close()
            raise AssertionError("the client connected to the squatter's socket")
        except BlockingIOError:
            pass
        trap.close()
    finally:
        shutil.rmtree(fallback, ignore_errors=True)
    # Once the folder is gone, the victim's own daemon makes it and takes
    # the kept entry in.
    log = tempfile.TemporaryFile(mode="w+")
    d = subprocess.Popen(as_user(victim) + [SIMMERD], env=env.vars, stdout=subprocess.DEVNULL, stderr=log)
    try:
        try:
            assert_exactly_once(env, ["secret"])
        except AssertionError as e:
            log.seek(0)
            raise AssertionError(f"{e}; simmerd said:\n{log.read()}") from None
        st = os.lstat(fallback)
        assert st.st_uid == victim and (st.st_mode & 0o777) == 0o700
    finally:
        d.terminate()
        d.wait(10)
        log.close()
        shutil.rmtree(fallback, ignore_errors=True)


def test_socket_served_by_another_uid_gets_nothing(ctx):
    if os.getuid() != 0:
        raise Skip("needs root to act as two users")
    victim, other = spare_uid(), spare_uid() + 1
    env = ctx.env
    give_to(env, victim)
    public = tempfile.mkdtemp(prefix="simmer-trap-")
    os.chmod(public, 0o1777)
    path = os.path.join(public, "trap.sock")
    received = []

    def listen_as_other():
        os.setgid(other)
        os.setuid(other)

    script = ("import socket,sys\n"
              "s=socket.socket(socket.AF_UNIX);s.bind(sys.argv[1]);__import__('os').chmod(sys.argv[1],0o777)\n"
              "s.listen(4);print('up',flush=True);c,_=s.accept();c.settimeout(3)\n"
              "data=b''\n"
              "try:\n"
              "  while True:\n"
              "    d=c.recv(65536)\n"
              "    if not d: break\n"
              "    data+=d\n"
              "except Exception: pass\n"
              "print(len(data),flush=True)\n")
    trap = subprocess.Popen(["/usr/bin/python3", "-c", script, path], stdout=subprocess.PIPE,
                            text=True, preexec_fn=listen_as_other)
    try:
        assert trap.stdout.readline().strip() == "up"
        c = run_simmer(env, "pain", "6", "--note", "not-for-you", user=victim,
                       extra={"SIMMER_SOCKET": path})
        assert c.returncode == 75, c
        assert f"served by uid {other}" in c.stderr and "kept 1 entry" in c.stderr, c.stderr
        received.append(trap.stdout.readline().strip())
        assert received == ["0"], f"the other uid received {received} bytes"
    finally:
        trap.kill()
        trap.wait()
        shutil.rmtree(public, ignore_errors=True)


# -- the spool ---------------------------------------------------------------

def test_spool_at_its_size_limit_rolls_back(ctx):
    """RLIMIT_FSIZE stands in for a full disk: the write that does not fit
    is taken back out, the client says the entry was not kept, and what was
    kept before and after is stored exactly once."""
    env = ctx.env
    p = run_simmer(env, "pain", "3", "--note", "first")
    assert p.returncode == 75, p
    size = os.path.getsize(spool_path(env))
    limit = size + size // 2  # room for part of a second record, not all of it

    def small_files():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    p = run_simmer(env, "pain", "4", "--note", "does-not-fit", preexec=small_files)
    assert p.returncode not in (0, 75), p
    assert "NOT saved" in p.stderr, p.stderr
    assert os.path.getsize(spool_path(env)) == size, "the torn record was rolled back"
    p = run_simmer(env, "pain", "5", "--note", "after")
    assert p.returncode == 75, p
    ctx.daemon()
    assert_exactly_once(env, ["first", "after"])
    assert "does-not-fit" not in notes_in_db(env)


def test_spool_hand_over_race(ctx):
    """Clients that opened the spool and wait for its lock while simmerd
    takes it in must write to the new spool, not to the file taken aside."""
    env = ctx.env
    os.makedirs(env.spool_dir, exist_ok=True)
    notes = []
    for rnd in range(4):
        # Hold the lock as a slow writer would, so every client queues on it.
        holder = open(spool_path(env), "ab")
        fcntl.flock(holder, fcntl.LOCK_EX)
        run = [f"race-{rnd}-{i}" for i in range(12)]
        notes += run
        procs = [subprocess.Popen([SIMMER, "stress", str(i % 10), "--note", n], env=env.vars,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                 for i, n in enumerate(run)]
        # A record of our own, so that simmerd has something to take in.
        import msgpack
        holder.write(msgpack.packb({"id": "0190f000-0000-7000-8000-%012d" % rnd,
                                    "time": int(time.time() * 1000) - 60000, "utc_offset": 0,
                                    "factor": "stress", "value": 1.0, "note": f"held-{rnd}",
                                    "source": "spool"}))
        holder.flush()
        notes.append(f"held-{rnd}")
        d = ctx.daemon(start=False)
        d.start(wait=False)
        time.sleep(0.05 * (rnd % 3))
        fcntl.flock(holder, fcntl.LOCK_UN)
        holder.close()
        d.wait_ready()
        for pr in procs:
            out, err = pr.communicate(timeout=30)
            assert pr.returncode in (0, 75), err
        d.stop()
    ctx.daemon()
    assert_exactly_once(env, notes)


# -- a daemon that cannot store ------------------------------------------------

def test_busy_daemon_spools(ctx):
    env = ctx.env
    env.write_config("[connections]\nstall_timeout_s = 60\n")
    ctx.daemon()
    held = []
    try:
        # Fill every slot (limits.h: 256) with connections in the middle of
        # a message (a silent one would be closed to make room), until one
        # more is refused.
        msg = None
        while msg is None and len(held) < 300:
            c = Client(env.socket)
            held.append(c)
            try:
                c.request("hello", {"protocol": 1})
            except (BrokenPipeError, ConnectionResetError):
                pass   # refused and closed already; the refusal is still readable
            reply = c.read_message()
            if reply[2] is not None:
                msg = reply
            else:
                c.send_raw(b"\x94\x00")
        assert msg is not None and msg[2]["code"] == 9, msg
        p = run_simmer(env, "pain", "2", "--note", "while-busy")
        assert p.returncode == 75, p
        assert "too many connections" in p.stderr and "kept 1 entry" in p.stderr, p.stderr
    finally:
        for c in held:
            c.close()
    ctx.daemons[-1].stop()
    ctx.daemon()
    assert_exactly_once(env, ["while-busy"])


def test_stopped_daemon_times_out_and_spools(ctx):
    env = ctx.env
    d = ctx.daemon()
    d.proc.send_signal(signal.SIGSTOP)
    try:
        started = time.monotonic()
        notes = [f"stopped-{i}" for i in range(3)]
        for n in notes:
            p = run_simmer(env, "pain", "3", "--note", n, extra={"SIMMER_TIMEOUT": "0.5"},
                           timeout=20)
            assert p.returncode == 75, p
            assert "did not answer" in p.stderr, p.stderr
        print(f"# three clients against a stopped daemon took {time.monotonic() - started:.2f}s")
    finally:
        d.proc.send_signal(signal.SIGCONT)
    # The stopped daemon may also store what was waiting in its socket;
    # the ids make the spool's copy a no-op.
    d.stop()
    ctx.daemon()
    assert_exactly_once(env, notes)


def test_full_disk_for_the_daemon_spools(ctx):
    """simmerd under a file-size limit cannot commit: the client gets a
    storage error and keeps the entry; a later start stores it once."""
    env = ctx.env
    d = ctx.daemon()
    for i in range(5):
        run_simmer(env, "stress", str(i), "--note", f"before-{i}")
    d.stop()
    size = os.path.getsize(env.db)

    def tight():
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

    log = open(os.path.join(env.root, "tight.log"), "wb")
    proc = subprocess.Popen([SIMMERD], env=env.vars, stdout=log, stderr=subprocess.STDOUT,
                            preexec_fn=tight)
    try:
        deadline = time.monotonic() + 10
        while not os.path.exists(env.socket) and time.monotonic() < deadline:
            if proc.poll() is not None:
                break
            time.sleep(0.02)
        notes = [f"full-{i}" for i in range(20)]
        kept = []
        spooled = 0
        for n in notes:
            p = run_simmer(env, "pain", "5", "--note", "x" * 900 + n)
            assert p.returncode in (0, 75), p
            kept.append("x" * 900 + n)
            if p.returncode == 75:
                assert "kept 1 entry" in p.stderr, p.stderr
                spooled += 1
        print(f"# {len(notes) - spooled} stored, {spooled} spooled on storage errors")
        assert spooled > 0, "the file-size limit was never reached"
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()
    ctx.daemon()
    assert_exactly_once(env, kept + [f"before-{i}" for i in range(5)])


class FullDisk:
    """Makes the daemon's disk full, and frees it again. As root the data
    folder is a small tmpfs, filled up by a file of zeros; otherwise a
    file-size limit on the running daemon (prlimit), no larger than its
    files already are, stands in for it."""

    def __init__(self, env):
        self.env = env
        self.mounted = os.geteuid() == 0 and subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=4m,mode=0700", "tmpfs", env.data]).returncode == 0
        self.filler = os.path.join(env.data, "filler")
        self.pid = None

    def fill(self, pid):
        self.pid = pid
        if not self.mounted:
            biggest = max(os.path.getsize(p) for p in (self.env.db, self.env.db + "-wal")
                          if os.path.exists(p))
            resource.prlimit(pid, resource.RLIMIT_FSIZE, (biggest, resource.RLIM_INFINITY))
            return
        fd = os.open(self.filler, os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            for chunk in (1 << 16, 4096, 1):
                try:
                    while True:
                        os.write(fd, b"\0" * chunk)
                except OSError as e:
                    assert e.errno == errno.ENOSPC, e
        finally:
            os.close(fd)

    def free(self):
        if self.mounted:
            os.unlink(self.filler)
        else:
            resource.prlimit(self.pid, resource.RLIMIT_FSIZE,
                             (resource.RLIM_INFINITY, resource.RLIM_INFINITY))

    def close(self):
        if self.mounted:
            subprocess.run(["umount", "-l", self.env.data])


def daily_matches_entries(env):
    """The daily roll-up holds exactly the sums of the live entries."""
    db = sqlite3.connect(f"file:{env.db}?mode=ro", uri=True)
    try:
        rollup = sorted(db.execute("SELECT day, factor, count, sum FROM daily").fetchall())
        entries = sorted(db.execute("SELECT day, factor, count(*), sum(value) FROM entries "
                                    "WHERE deleted = 0 GROUP BY day, factor").fetchall())
    finally:
        db.close()
    assert rollup == entries, f"daily roll-up {rollup} != entries {entries}"


def test_failed_group_commit_answers_every_waiting_client(ctx):
    """Eight clients wait on one group commit when the disk is full: each
    gets a storage error, nothing of the batch is kept (not even the daily
    roll-up), the daemon goes on serving, and once space is freed the same
    entries are stored exactly once, as new, beside everything acknowledged
    before."""
    env = ctx.env
    disk = FullDisk(env)
    try:
        d = ctx.daemon()
        first = Client(env.socket)
        first.hello()
        before = [entry("stress", 3, note=f"before-{i}") for i in range(5)]
        assert first.call("log", {"entries": before})["added"] == 5
        disk.fill(d.proc.pid)

        # Hold the write lock, so that the requests queue up behind the one
        # the store thread is waiting with, then go as one group.
        lock = sqlite3.connect(env.db, isolation_level=None, timeout=10)
        lock.execute("BEGIN IMMEDIATE")
        clients, asked = [], []
        for c in range(8):
            cl = Client(env.socket)
            cl.hello()
            batch = [entry("pain", 4, note=f"group-{c}-{i}-" + "x" * 1000) for i in range(40)]
            asked.append((cl, batch, cl.request("log", {"entries": batch})))
            clients.append(cl)
        assert first.hello()["protocol"] == 1, "the loop answers while the store waits"
        lock.execute("ROLLBACK")
        lock.close()
        for cl, batch, msgid in asked:
            try:
                got = cl.wait(msgid)
            except RpcError as e:
                assert e.code == 8 and "full" in e.message, (e.code, e.message)
            else:
                raise AssertionError(f"a log on a full disk was acknowledged: {got}")
        failed_commits = d.logs().count("commit failed")
        assert 1 <= failed_commits < len(asked), \
            f"{failed_commits} failed commits for {len(asked)} waiting requests: no group"

        # Still serving: reads answer, and nothing of the batches is stored.
        listed = first.call("list", {"limit": 1000})["entries"]
        assert sorted(e["note"] for e in listed) == sorted(e["note"] for e in before), listed
        assert d.proc.poll() is None

        disk.free()
        for cl, batch, _ in asked:
            res = cl.call("log", {"entries": batch})
            assert (res["added"], res["present"]) == (len(batch), 0), res
        for cl in clients:
            cl.close()
        first.close()
        d.stop()
        assert_exactly_once(env, [e["note"] for e in before] +
                            [e["note"] for _, batch, _ in asked for e in batch])
        daily_matches_entries(env)
    finally:
        for dd in ctx.daemons:
            dd.stop()
        disk.close()


# -- strict CSV ----------------------------------------------------------------

def test_an_import_survives_kill9_and_its_wal_is_emptied_when_idle(ctx):
    """The writer checkpoints the WAL when it is idle rather than inside a
    commit, so an import leaves a WAL of many MiB behind its acknowledgements:
    all of it survives kill -9, and once the writer is idle the WAL is copied
    into the database and cut to nothing."""
    n = 30000
    path = os.path.join(ctx.env.root, "long.csv")
    with open(path, "w") as f:
        f.write("time,factor,value,note\n")
        for i in range(n):
            f.write(f"{1500000000000 + i * 60000},{['pain', 'stress', 'dairy'][i % 3]},{i % 10},\n")
    d = ctx.daemon()
    p = ctx.simmer("import", path, check=0)
    assert f"{n} added" in p.stdout, p.stdout
    d.kill9()

    def stored():
        db = sqlite3.connect(ctx.env.db)
        try:
            return (db.execute("SELECT count(*) FROM entries WHERE deleted = 0").fetchone()[0],
                    db.execute("SELECT sum(count) FROM daily").fetchone()[0])
        finally:
            db.close()

    ctx.daemon()
    assert stored() == (n, n)
    # The next commit reports the WAL's length; the idle writer empties it.
    ctx.simmer("pain", "3", check=0)
    wal = ctx.env.db + "-wal"
    wait_until(lambda: os.path.exists(wal) and os.path.getsize(wal) == 0, timeout=20,
               what="the WAL to be emptied once the writer is idle")
    assert stored() == (n + 1, n + 1)
    p = ctx.simmer("import", path, check=0)
    assert f"0 added, {n} already present" in p.stdout, p.stdout


def test_csv_bad_quote_is_an_error_on_its_line(ctx):
    ctx.daemon()
    path = os.path.join(ctx.env.root, "quotes.csv")
    with open(path, "w") as f:
        f.write("time,factor,value,note\n"
                "2026-01-01T10:00:00Z,pain,3,\"bad \"quote\" here\"\n"
                "2026-01-01T11:00:00Z,pain,4,ok\n"
                "2026-01-01T12:00:00Z,pain,5,\"fine \"\"q\"\"\"\n")
    p = ctx.simmer("import", path)
    assert p.returncode == 65, p
    assert "2 added" in p.stdout and "1 rejected" in p.stdout, p.stdout
    assert "line 2" in p.stderr and "malformed CSV" in p.stderr, p.stderr
    got = notes_in_db(ctx.env)
    assert got.get("ok") == 1 and got.get('fine "q"') == 1, got


# -- its own file or nothing -------------------------------------------------

def file_state(path):
    """The bytes of path and which of its -wal/-shm companions exist."""
    import hashlib
    with open(path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    return digest, [os.path.exists(path + x) for x in ("-wal", "-shm", "-journal")]


def start_fails(env, extra_env=None, preexec=None):
    p = subprocess.run([SIMMERD], env=dict(env.vars, **(extra_env or {})), capture_output=True,
                       text=True, timeout=20, preexec_fn=preexec)
    assert p.returncode != 0, p
    return p.stderr


def test_foreign_database_is_refused_unchanged(ctx):
    env = ctx.env
    os.makedirs(os.path.dirname(env.db), exist_ok=True)
    db = sqlite3.connect(env.db)
    db.execute("CREATE TABLE notes (body TEXT)")
    db.execute("INSERT INTO notes VALUES ('someone else''s')")
    db.commit()
    db.close()
    before = file_state(env.db)
    err = start_fails(env)
    assert env.db in err and "not a simmer database" in err and "move it aside" in err, err
    assert file_state(env.db) == before, "the foreign file was changed"
    # A quick entry meanwhile is kept, not lost.
    p = run_simmer(env, "pain", "2", "--note", "during-foreign")
    assert p.returncode == 75, p
    os.rename(env.db, env.db + ".theirs")
    ctx.daemon()
    assert_exactly_once(env, ["during-foreign"])
    db = sqlite3.connect(env.db)
    assert db.execute("PRAGMA application_id").fetchone()[0] == 0x53694D72
    db.close()


def test_newer_database_is_refused_unchanged(ctx):
    env = ctx.env
    d = ctx.daemon()
    run_simmer(env, "pain", "3", "--note", "kept-safe")
    d.stop()
    db = sqlite3.connect(env.db)
    db.execute("PRAGMA user_version = 99")
    db.execute("PRAGMA journal_mode = DELETE")
    db.close()
    before = file_state(env.db)
    err = start_fails(env)
    assert "newer simmer" in err and "schema 99" in err and env.db in err, err
    assert file_state(env.db) == before, "the newer file was changed"


def test_database_from_before_the_application_id_is_adopted(ctx):
    """Files of schema 2 and before were made without the id: such a file
    (the tables of schema 2, no id) is taken in, migrated and marked."""
    env = ctx.env
    d = ctx.daemon()
    run_simmer(env, "pain", "3", "--note", "old-file")
    d.stop()
    db = sqlite3.connect(env.db)
    newest = db.execute("PRAGMA user_version").fetchone()[0]
    db.execute("DROP TABLE experiments")
    db.execute("DROP TABLE refused")
    db.execute("PRAGMA user_version = 2")
    db.execute("PRAGMA application_id = 0")
    db.commit()
    db.close()
    ctx.daemon()
    assert_exactly_once(env, ["old-file"])
    db = sqlite3.connect(env.db)
    assert db.execute("PRAGMA application_id").fetchone()[0] == 0x53694D72
    assert db.execute("PRAGMA user_version").fetchone()[0] == newest
    assert db.execute("SELECT count(*) FROM experiments").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM refused").fetchone()[0] == 0
    db.close()


def test_full_disk_at_start_says_so(ctx):
    def tiny():
        resource.setrlimit(resource.RLIMIT_FSIZE, (2048, 2048))
    err = start_fails(ctx.env, preexec=tiny)
    assert "disk may be full" in err and ctx.env.db in err, err


# -- backups ---------------------------------------------------------------------

def backups_dir(env):
    return os.path.join(os.path.dirname(env.db), "backups")


def notes_in_file(path):
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return dict(db.execute("SELECT note, count(*) FROM entries WHERE deleted = 0 "
                               "GROUP BY note").fetchall())
    finally:
        db.close()


def test_daily_backup_keeps_the_last_seven(ctx):
    import datetime
    env = ctx.env
    today = datetime.date.today()
    os.makedirs(backups_dir(env), mode=0o700)
    # Nine older daily copies (empty files stand in for them), and a file
    # of the person's own that pruning must leave alone.
    old = [(today - datetime.timedelta(days=d)).isoformat() for d in range(1, 10)]
    for day in old:
        open(os.path.join(backups_dir(env), f"simmer-daily-{day}.db"), "w").close()
    open(os.path.join(backups_dir(env), "mine.db"), "w").close()
    noon = f"{today.isoformat()}T12:00:00Z"
    ctx.daemon(extra_env={"SIMMER_NOW": noon})
    daily = os.path.join(backups_dir(env), f"simmer-daily-{today.isoformat()}.db")
    deadline = time.monotonic() + 20
    while not os.path.exists(daily) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert os.path.exists(daily), os.listdir(backups_dir(env))
    # Pruning follows the copy; poll until it has run.
    want = sorted([f"simmer-daily-{d}.db" for d in [today.isoformat()] + old[:6]] + ["mine.db"])
    deadline = time.monotonic() + 10
    while sorted(os.listdir(backups_dir(env))) != want and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sorted(os.listdir(backups_dir(env))) == want, os.listdir(backups_dir(env))
    assert not os.path.exists(daily + "-wal")
    db = sqlite3.connect(daily)
    assert db.execute("PRAGMA application_id").fetchone()[0] == 0x53694D72
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    db.close()


def test_backup_while_running_and_restore_after_corruption(ctx):
    env = ctx.env
    ctx.daemon()
    early = [f"early-{i}" for i in range(5)]
    for i, n in enumerate(early):
        assert run_simmer(env, "stress", str(i), "--note", n).returncode == 0
    copy = os.path.join(env.root, "copy.db")
    p = run_simmer(env, "backup", copy)
    assert p.returncode == 0 and copy in p.stdout, p
    assert notes_in_file(copy) == {n: 1 for n in early}
    for i in range(3):
        assert run_simmer(env, "stress", str(i), "--note", f"late-{i}").returncode == 0
    # A restore under a running daemon is refused, and changes nothing.
    p = run_simmer(env, "restore", copy)
    assert p.returncode == 75 and "stop it first" in p.stderr, p
    ctx.daemons[-1].stop()
    # Deliberate corruption: garbage over every page after the first.
    size = os.path.getsize(env.db)
    with open(env.db, "r+b") as f:
        f.seek(4096)
        f.write(os.urandom(max(size - 4096, 4096)))
    for extra in ("-wal", "-shm"):
        if os.path.exists(env.db + extra):
            os.unlink(env.db + extra)
    broken = sqlite3.connect(env.db)
    try:
        verdict = broken.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.DatabaseError as e:
        verdict = str(e)
    broken.close()
    assert verdict != "ok", "the corruption did not take"
    # A damaged or foreign file is not restored.
    junk = os.path.join(env.root, "junk.db")
    with open(junk, "wb") as f:
        f.write(b"not a database" * 100)
    p = run_simmer(env, "restore", junk)
    assert p.returncode == 65 and "cannot be restored" in p.stderr, p
    p = run_simmer(env, "restore", copy)
    assert p.returncode == 0 and "kept as" in p.stdout, p
    aside = p.stdout.split("kept as ")[1].strip()
    assert os.path.exists(aside), "the replaced database is kept"
    ctx.daemon()
    assert_exactly_once(env, early)
    assert notes_in_file(env.db).keys() == set(early)
    assert run_simmer(env, "pain", "2", "--note", "after-restore").returncode == 0
    assert_exactly_once(env, early + ["after-restore"])


# -- the unit: first start in its sandbox, and the watchdog ----------------------

SANDBOX = """
set -e
mount --make-rprivate /
mount --bind "$HOME" "$HOME"
mount -o remount,bind,ro "$HOME"
for p in "$HOME/.local/share/simmer" "$HOME/.local/state/simmer" "$HOME/.config/simmer"; do
    if [ -d "$p" ]; then mount --bind "$p" "$p"; mount -o remount,bind,rw "$p"; fi
done
exec "$SIMMERD"
"""


def test_first_start_in_the_units_sandbox(ctx):
    """ProtectHome=read-only with ReadWritePaths=-... emulated in a mount
    namespace, on a fresh home: without ExecStartPre=+simmerd --prepare the
    start fails; with it, simmerd starts and stores."""
    if os.getuid() != 0 or shutil.which("unshare") is None:
        raise Skip("needs root and unshare to emulate the unit's sandbox")
    with open(os.path.join(ROOT, "systemd", "simmerd.service")) as f:
        unit = f.read()
    assert "ExecStartPre=+@BINDIR@/simmerd --prepare" in unit
    env = ctx.env
    home = os.path.join(env.root, "home")
    os.mkdir(home, 0o700)
    e = {k: v for k, v in env.vars.items() if not k.startswith("XDG_") or k == "XDG_RUNTIME_DIR"}
    e.update(HOME=home, SIMMERD=SIMMERD)
    p = subprocess.run(["unshare", "-m", "sh", "-c", SANDBOX], env=e, capture_output=True,
                       text=True, timeout=20)
    assert p.returncode != 0 and "Read-only" in p.stderr, p
    subprocess.run([SIMMERD, "--prepare"], env=e, check=True, timeout=20)
    for sub in (".local/share/simmer", ".local/state/simmer", ".config/simmer"):
        st = os.stat(os.path.join(home, sub))
        assert (st.st_mode & 0o777) == 0o700, sub
    d = subprocess.Popen(["unshare", "-m", "sh", "-c", SANDBOX], env=e,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 10
        while not os.path.exists(env.socket) and time.monotonic() < deadline:
            assert d.poll() is None, d.stdout.read().decode()
            time.sleep(0.02)
        c = subprocess.run([SIMMER, "pain", "4", "--note", "first-start"], env=e,
                           capture_output=True, text=True, timeout=20)
        assert c.returncode == 0, c
        assert os.path.exists(os.path.join(home, ".local/share/simmer/simmer.db"))
    finally:
        d.terminate()
        d.wait(10)


def test_watchdog_pings_come_from_the_loop(ctx):
    path = os.path.join(ctx.env.root, "notify.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind(path)
    listener.settimeout(5)
    d = ctx.daemon(start=False, extra_env={"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "200000"})
    d.start(wait=False)
    d.wait_ready()

    def pings(seconds):
        n, end = 0, time.monotonic() + seconds
        listener.settimeout(0.05)
        while time.monotonic() < end:
            try:
                n += listener.recv(4096).decode().count("WATCHDOG=1")
            except socket.timeout:
                pass
        return n
    pings(0.3)
    # Under valgrind (make check-tools) on a busy machine the loop can
    # stall for a second: count over a longer window there.
    window = 5.0 if VALGRIND else 1.0
    running = pings(window)
    assert running >= 4, f"{running} pings in {window:.0f} s with a 200 ms watchdog"
    d.proc.send_signal(signal.SIGSTOP)
    try:
        pings(0.1)
        stopped = pings(0.6)
    finally:
        d.proc.send_signal(signal.SIGCONT)
    assert stopped == 0, "a stopped loop must not ping"
    listener.close()


if __name__ == "__main__":
    run_tests(globals())
