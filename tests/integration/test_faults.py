# SPDX-License-Identifier: ISC
"""Fault loops against a real simmerd: kill -9 at random moments under
concurrent writers, round after round, and a database on a read-only
filesystem. After each, every entry that was acknowledged (or kept in the
spool) must be in the database exactly once, and the file must pass
`PRAGMA integrity_check`.

The moments come from a seeded generator, so a failing round can be
replayed: SIMMER_FAULT_SEED picks another seed, SIMMER_FAULT_ROUNDS another
number of rounds. Each round lasts well under a second here.
"""
import os
import random
import shutil
import sqlite3
import subprocess
import threading
import time

from harness import SIMMERD, Skip, run_tests, wait_until
from rpc import Client, entry

SEED = int(os.environ.get("SIMMER_FAULT_SEED", "20261123"))
ROUNDS = int(os.environ.get("SIMMER_FAULT_ROUNDS", "20"))
WRITERS = 6


def integrity(db_path):
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        return db.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        db.close()


def note_counts(db_path):
    """note -> number of live entries carrying it."""
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        return dict(db.execute(
            "SELECT note, count(*) FROM entries WHERE deleted = 0 GROUP BY note").fetchall())
    finally:
        db.close()


def writer(socket_path, name, rng_seed, acked, lock, stop):
    """Logs batches of one to three entries until the daemon dies or stop
    is set; a batch's notes count as acknowledged only once its reply came."""
    rng = random.Random(rng_seed)
    try:
        c = Client(socket_path)
    except OSError:
        return
    i = 0
    try:
        while not stop.is_set():
            batch = []
            for _ in range(rng.randint(1, 3)):
                i += 1
                batch.append(entry("stress", rng.randint(0, 10), note=f"{name}/{i}"))
            res = c.call("log", {"entries": batch})
            assert res["added"] == len(batch), res
            with lock:
                acked.extend(e["note"] for e in batch)
    except Exception:
        pass  # the daemon was killed under us: what was not answered is not counted
    finally:
        c.close()


def test_kill_9_rounds_under_concurrent_writers(ctx):
    """ROUNDS rounds: a daemon starts on the same database, WRITERS clients
    log concurrently, and after a seeded number of acknowledgements the
    daemon is killed with SIGKILL. integrity_check after every kill; at the
    end every acknowledged note is stored exactly once."""
    rng = random.Random(SEED)
    acked, lock = [], threading.Lock()
    started = time.monotonic()
    for r in range(ROUNDS):
        d = ctx.daemon()
        stop = threading.Event()
        before = len(acked)
        kill_after = rng.randint(1, 400)
        threads = [threading.Thread(target=writer, args=(ctx.env.socket, f"r{r}w{w}",
                                                         rng.getrandbits(32), acked, lock, stop))
                   for w in range(WRITERS)]
        for t in threads:
            t.start()
        wait_until(lambda: len(acked) - before >= kill_after, timeout=60,
                   what=f"{kill_after} acknowledgements in round {r}")
        d.kill9()
        stop.set()
        for t in threads:
            t.join(30)
        check = integrity(ctx.env.db)
        assert check == "ok", f"round {r}: integrity_check says {check}"
    ctx.daemon()  # a last start after the last kill, as a person would
    got = note_counts(ctx.env.db)
    missing = [n for n in acked if n not in got]
    doubled = [n for n in acked if got.get(n, 0) > 1]
    assert not missing and not doubled, \
        f"{len(missing)} lost ({missing[:5]}), {len(doubled)} doubled ({doubled[:5]})"
    print(f"# {ROUNDS} kill -9 rounds, {WRITERS} writers, seed {SEED}: {len(acked)} acknowledged "
          f"entries checked, 0 lost, 0 doubled, integrity_check ok after every kill "
          f"({time.monotonic() - started:.1f}s)")


# A data folder that is read-only for simmerd: a read-only bind mount of it
# in a mount namespace of simmerd's own, which holds for root as well (a
# chmod does not stop root).
READ_ONLY = 'mount --bind "$DIR" "$DIR" && mount -o remount,bind,ro "$DIR" && exec "$SIMMERD"'


def test_read_only_database(ctx):
    """simmerd on a database it cannot write refuses to start with a message
    that names the file and the reason; nothing stored is lost, the entries
    logged meanwhile stay in the spool, and the next start on a writable
    folder stores each of them once."""
    if os.getuid() != 0 or shutil.which("unshare") is None:
        raise Skip("needs root and unshare for a read-only mount")
    env = ctx.env
    d = ctx.daemon()
    for i in range(3):
        ctx.simmer("pain", str(i + 3), "--note", f"before-ro-{i}", check=0)
    d.stop()
    folder = os.path.dirname(env.db)
    e = dict(env.vars, DIR=folder, SIMMERD=SIMMERD)
    p = subprocess.run(["unshare", "-m", "sh", "-c", READ_ONLY], env=e, capture_output=True,
                       text=True, timeout=30)
    assert p.returncode != 0, p
    # The file exists: the message says it could not be opened for writing
    # (not that it could not be created), and why.
    assert f"cannot open {env.db} for writing: Read-only file system" in p.stderr, p.stderr
    assert "cannot create" not in p.stderr, p.stderr
    spooled = [f"during-ro-{i}" for i in range(3)]
    for n in spooled:
        c = ctx.simmer("stress", "4", "--note", n)
        assert c.returncode == 75 and "kept 1 entry" in c.stderr, c
    spool = os.path.join(env.spool_dir, "spool.msgpack")
    assert os.path.getsize(spool) > 0
    assert integrity(env.db) == "ok"
    assert all(note_counts(env.db).get(f"before-ro-{i}") == 1 for i in range(3))
    ctx.daemon()
    want = [f"before-ro-{i}" for i in range(3)] + spooled
    got = wait_until(lambda: (lambda g: g if all(n in g for n in want) else None)(
        note_counts(env.db)), timeout=20, what="the spooled entries")
    assert all(got[n] == 1 for n in want), got


if __name__ == "__main__":
    import sys
    sys.exit(run_tests(globals()))
