# SPDX-License-Identifier: ISC
"""Hostile input on the socket: each bad client gets an error reply or a
disconnect, and a second, well-behaved client is served throughout."""
import os
import socket
import struct
import subprocess
import time

import msgpack

from harness import SIMMER, Skip, run_tests
from rpc import Client, RpcError, entry


def assert_rejected(ctx, payload, code=None, close=True):
    """Sends payload on a fresh connection; checks the error reply that
    PROTOCOL.md promises before a disconnect (a bare disconnect fails), and
    that a bystander connection, open all along, is still served."""
    bystander = Client(ctx.env.socket)
    bystander.hello()
    c = Client(ctx.env.socket)
    try:
        c.send_raw(payload)
    except (ConnectionResetError, BrokenPipeError):
        pass  # the daemon stopped reading before we finished sending
    msg = c.read_message()
    assert msg[0] == 1 and msg[2] is not None, f"expected an error reply, got {msg!r}"
    if code is not None:
        assert msg[2]["code"] == code, msg
    assert msg[2]["message"], msg
    if close:
        assert c.closed_by_peer(), "the offending client must be disconnected"
    assert bystander.hello()["protocol"] == 1, "the bystander is still served"
    res = bystander.call("log", {"entries": [entry("pain", 1, note=str(time.monotonic()))]})
    assert res["added"] == 1, res
    return c


def test_truncated_message_then_close(ctx):
    ctx.daemon()
    full = msgpack.packb([0, 1, "log", [{"entries": [entry("pain", 2)]}]])
    for cut in (1, 5, len(full) // 2, len(full) - 1):
        c = Client(ctx.env.socket)
        c.send_raw(full[:cut])
        c.sock.shutdown(socket.SHUT_WR)
        assert c.closed_by_peer()
    b = Client(ctx.env.socket)
    assert b.call("list")["entries"] == [], "a truncated log stores nothing"


def test_message_over_the_size_limit(ctx):
    ctx.daemon()
    huge = [entry("pain", 1, note="x" * 1000) for _ in range(4900)]
    payload = msgpack.packb([0, 7, "log", [{"entries": huge}]])
    assert len(payload) > 4 * 1024 * 1024
    assert_rejected(ctx, payload, code=5)


def test_deep_nesting(ctx):
    ctx.daemon()
    assert_rejected(ctx, b"\x91" * 100000, code=5)


def test_headers_claiming_billions(ctx):
    ctx.daemon()
    assert_rejected(ctx, b"\xdd" + struct.pack(">I", 0xFFFFFFFF), code=5)   # array32
    assert_rejected(ctx, b"\xdf" + struct.pack(">I", 0xFFFFFFFF), code=5)   # map32
    assert_rejected(ctx, b"\xdb" + struct.pack(">I", 0xFFFFFFFF), code=5)   # str32
    assert_rejected(ctx, b"\xc6" + struct.pack(">I", 0xFFFFFFFF), code=5)   # bin32
    assert_rejected(ctx, b"\x94\x00\x01\xa3log\x91\x81\xa7entries\xdd\xff\xff\xff\xff", code=5)


def test_not_msgpack_at_all(ctx):
    ctx.daemon()
    assert_rejected(ctx, b"\xc1garbage", code=1)


def test_non_array_messages(ctx):
    ctx.daemon()
    for value in (42, "hello", {"a": 1}, None, 3.5, b"bin"):
        assert_rejected(ctx, msgpack.packb(value, use_bin_type=True), code=2)


def test_wrong_types_in_every_envelope_field(ctx):
    ctx.daemon()
    bad = [
        [0, 1, "hello"],                  # too short
        [0, 1, "hello", [], 5],           # too long
        ["0", 1, "hello", []],            # type not an int
        [7, 1, "hello", []],              # unknown type
        [0, "1", "hello", []],            # msgid a string
        [0, -1, "hello", []],             # msgid negative
        [0, 2 ** 40, "hello", []],        # msgid over 32 bits
        [0, 1, 5, []],                    # method an int
        [0, 1, "hello", {"x": 1}],        # params a map
        [0, 1, "x" * 100, []],            # method too long
    ]
    for msg in bad:
        assert_rejected(ctx, msgpack.packb(msg), code=2)


def test_wrong_types_in_params_get_an_error_and_the_connection_goes_on(ctx):
    ctx.daemon()
    c = Client(ctx.env.socket)
    cases = [
        ("log", {"entries": "nope"}),
        ("log", {"entries": [dict(entry("pain", 1), time="now")], "atomic": True}),
        ("log", {"entries": [dict(entry("pain", 1), value="high")], "atomic": True}),
        ("log", {"entries": [dict(entry("pain", 1), factor="DROP TABLE")], "atomic": True}),
        ("log", {"entries": [dict(entry("pain", 1), id="not-a-uuid")], "atomic": True}),
        ("log", {"entries": [dict(entry("pain", 1), note="n" * 2000)], "atomic": True}),
        ("list", {"limit": "ten"}),
        ("list", {"since": "yesterday"}),
        ("delete", {"id": 12}),
        ("hello", {"protocol": "one"}),
        ("log", ["not", "a", "map"]),
    ]
    for method, params in cases:
        try:
            c.call(method, params)
            raise AssertionError(f"{method} {params!r} was accepted")
        except RpcError as err:
            assert err.code in (4, 6), (method, err)
    # Without "atomic", a bad entry is refused on its own, with its reason.
    res = c.call("log", {"entries": [{"id": 5}, entry("pain", 3)]})
    assert (res["added"], res["rejected"]) == (1, 1), res
    assert res["results"][0]["status"] == "rejected" and "id" in res["results"][0]["message"]
    assert c.hello()["protocol"] == 1
    assert len(c.call("list")["entries"]) == 1


def test_client_that_stalls_mid_message(ctx):
    ctx.env.write_config("[connections]\nstall_timeout_s = 3\n")
    ctx.daemon()
    full = msgpack.packb([0, 1, "hello", [{"protocol": 1}]])
    staller = Client(ctx.env.socket)
    staller.send_raw(full[:4])
    other = Client(ctx.env.socket)
    t0 = time.monotonic()
    while time.monotonic() - t0 < 2:
        assert other.hello()["protocol"] == 1
    assert staller.closed_by_peer(timeout=10), "a stalled client is dropped after the stall timeout"


def test_other_uid_is_refused(ctx):
    if os.getuid() != 0:
        raise Skip("needs root to run a client as nobody")
    ctx.daemon()
    # Open the folder so that only SO_PEERCRED stands between nobody and us.
    os.chmod(os.path.dirname(ctx.env.socket), 0o755)
    os.chmod(ctx.env.socket, 0o666)
    os.chmod(ctx.env.root, 0o755)
    os.chmod(ctx.env.runtime, 0o755)
    # The refusal comes at once, before the client says anything.
    script = ("import socket,msgpack;s=socket.socket(socket.AF_UNIX);s.connect(%r);"
              "u=msgpack.Unpacker(raw=False);u.feed(s.recv(4096));print(next(u))" % ctx.env.socket)
    p = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                        "/usr/bin/python3", "-c", script], capture_output=True, text=True, timeout=20)
    assert p.returncode == 0, p.stderr
    assert "14" in p.stdout and "uid" in p.stdout, p.stdout
    assert Client(ctx.env.socket).hello()["protocol"] == 1


def test_random_garbage_never_kills_the_daemon(ctx):
    import random
    d = ctx.daemon()
    rng = random.Random(7)
    valid = msgpack.packb([0, 3, "log", [{"entries": [entry("pain", 2)]}]])
    for i in range(300):
        data = bytearray(valid)
        for _ in range(rng.randint(1, 6)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(ctx.env.socket)
        s.sendall(bytes(data[: rng.randint(1, len(data))]))
        s.close()
    assert d.proc.poll() is None, "simmerd died on garbage"
    # The daemon may still be closing the garbage connections (and answer
    # "busy" meanwhile): it must serve again within a few seconds.
    deadline = time.monotonic() + 10
    while True:
        try:
            assert Client(ctx.env.socket).hello()["protocol"] == 1
            break
        except (RpcError, OSError, Exception) as e:
            if time.monotonic() > deadline:
                raise AssertionError(f"not served after garbage: {e!r}")
            time.sleep(0.1)
    assert d.proc.poll() is None


if __name__ == "__main__":
    run_tests(globals())
