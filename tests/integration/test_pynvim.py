# SPDX-License-Identifier: ISC
"""A third-party msgpack-RPC client: Debian's python3-pynvim, whose session
announces itself with a notification whose method name is a msgpack bin
(`nvim_set_client_info`). simmerd accepts bin method names as Neovim does,
ignores notifications it does not know, and answers `hello` and `log` on
the same connection."""
import time
import uuid

import msgpack

from pynvim.msgpack_rpc import ErrorResponse, socket_session

from harness import run_tests
from rpc import Client


def text(v):
    return v.decode() if isinstance(v, bytes) else v


def plain(obj):
    """pynvim may hand back str keys as bytes: compare as text."""
    if isinstance(obj, dict):
        return {text(k): plain(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [plain(v) for v in obj]
    return text(obj)


def test_pynvim_session_calls_hello_and_log(ctx):
    ctx.daemon()
    session = socket_session(ctx.env.socket)
    # What an error response becomes (pynvim's Nvim class sets its own).
    session.error_wrapper = lambda e: ErrorResponse(plain(e))
    try:
        hello = plain(session.request("hello", {"client": "pynvim", "protocol": 1}))
        assert hello["protocol"] == 1, hello
        assert hello["limits"]["page_size"] >= 1000, hello
        # A method name sent as bin, as pynvim sends its own.
        hello = plain(session.request(b"hello", {"client": "pynvim"}))
        assert hello["protocol"] == 1, hello
        now = int(time.time() * 1000)
        e = {"id": str(uuid.uuid4()), "time": now, "utc_offset": 0, "factor": "pain",
             "value": 4, "source": "cli"}
        got = plain(session.request("log", {"entries": [e]}))
        assert got["added"] == 1 and got["results"][0]["status"] == "added", got
        again = plain(session.request("log", {"entries": [e]}))
        assert again["present"] == 1 and again["added"] == 0, again
        # An error is an error response, and the connection stays usable.
        try:
            session.request("no_such_method", {})
            raise AssertionError("an unknown method must fail")
        except ErrorResponse as err:
            error = err.args[0]
            assert error["code"] == 3 and "no_such_method" in error["message"], error
        listed = plain(session.request("list", {"factor": "pain"}))
        assert [x["id"] for x in listed["entries"]] == [e["id"]], listed
    finally:
        session.close()


def test_unknown_notification_is_ignored(ctx):
    ctx.daemon()
    c = Client(ctx.env.socket)
    c.send_raw(msgpack.packb([2, b"nvim_set_client_info", ["x", {}, "remote", {}, {}]],
                             use_bin_type=True))
    c.send_raw(msgpack.packb([2, "something_else", []]))
    assert c.hello()["protocol"] == 1


if __name__ == "__main__":
    run_tests(globals())
