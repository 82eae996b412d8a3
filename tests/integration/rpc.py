# SPDX-License-Identifier: ISC
"""An independent msgpack-RPC client for simmerd, written from proto/PROTOCOL.md
alone with Debian's python3-msgpack. The tests use it to speak to the daemon
without the C client, and to send it bytes no well-behaved client would."""
import socket
import time

import msgpack


class RpcError(Exception):
    def __init__(self, code, message):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class Closed(Exception):
    pass


class Client:
    def __init__(self, path, timeout=10.0):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        # A full listen backlog answers EAGAIN; the daemon catches up.
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock.connect(path)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.01)
        self.unpacker = msgpack.Unpacker(raw=False, strict_map_key=False)
        self.next_id = 1
        self.pending = {}
        self.notifications = []

    def close(self):
        self.sock.close()

    def send_raw(self, data):
        self.sock.sendall(data)

    def request(self, method, params=None):
        """Sends a request without waiting; returns its msgid."""
        msgid = self.next_id
        self.next_id += 1
        body = [] if params is None else [params]
        self.sock.sendall(msgpack.packb([0, msgid, method, body], use_bin_type=True))
        return msgid

    def read_message(self):
        """The next message from the daemon; Closed when it hung up."""
        while True:
            for msg in self.unpacker:
                return msg
            data = self.sock.recv(65536)
            if not data:
                raise Closed("the daemon closed the connection")
            self.unpacker.feed(data)

    def wait(self, msgid):
        while msgid not in self.pending:
            msg = self.read_message()
            assert isinstance(msg, list), f"not a msgpack-RPC message: {msg!r}"
            if msg[0] == 2:
                self.notifications.append(msg)
                continue
            assert msg[0] == 1 and len(msg) == 4, f"not a response: {msg!r}"
            self.pending[msg[1]] = msg
        _, _, error, result = self.pending.pop(msgid)
        if error is not None:
            raise RpcError(error["code"], error["message"])
        return result

    def call(self, method, params=None):
        return self.wait(self.request(method, params))

    def hello(self):
        return self.call("hello", {"client": "python-test", "protocol": 1})

    def closed_by_peer(self, timeout=5.0):
        """True when the daemon closes this connection within timeout;
        messages that arrive first are kept in self.pending/notifications."""
        deadline = time.monotonic() + timeout
        self.sock.settimeout(0.2)
        try:
            while time.monotonic() < deadline:
                try:
                    msg = self.read_message()
                    if isinstance(msg, list) and msg and msg[0] == 1:
                        self.pending[msg[1]] = msg
                except socket.timeout:
                    continue
                except (Closed, ConnectionResetError, BrokenPipeError):
                    return True
            return False
        finally:
            self.sock.settimeout(10.0)


def entry(factor, value=1.0, time_ms=None, offset=0, note=None, source="cli", id=None):
    import uuid
    e = {"id": id or str(uuid.uuid4()),
         "time": int(time.time() * 1000) if time_ms is None else time_ms,
         "utc_offset": offset, "factor": factor, "value": float(value), "source": source}
    if note is not None:
        e["note"] = note
    return e
