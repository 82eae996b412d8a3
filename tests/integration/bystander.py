# SPDX-License-Identifier: ISC
"""A well-behaved client that keeps using simmerd while hostile ones run.

It does what a quick entry does, over and over: connect, `hello`, `log` one
entry with a note of its own, close. It runs in its own process, so that the
hostile side's Python (and its lock) cannot slow it down, and times every
round trip: connect and `hello` (the loop's answer alone) apart from `log`
(which includes the commit to disk, so it also waits for the disk). Tests
start it with `Bystander(socket).start()`, run their scenario, and call
`finish()`, which returns those times in seconds, the notes that were
acknowledged and the failures met.

    python3 bystander.py SOCKET LABEL   (stops when its stdin closes)
"""
import json
import os
import select
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def percentile(values, q):
    """The q-th percentile (0-100) by the nearest rank."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[int(rank) - 1]


class Bystander:
    def __init__(self, socket_path, label):
        self.socket_path = socket_path
        self.label = label
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(
            ["/usr/bin/python3", os.path.join(HERE, "bystander.py"), self.socket_path, self.label],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        return self

    def finish(self, timeout=30):
        """Stops the client; returns {"hello": [...], "log": [...],
        "acked": [...], "failures": [...]}."""
        out, err = self.proc.communicate(input="", timeout=timeout)
        assert self.proc.returncode == 0, f"the bystander failed: {err}"
        return json.loads(out)


def report(scenario, result):
    """Prints the well-behaved client's p50 and p99 as a TAP comment; the
    README's reliability figures come from these lines."""
    hello = [x * 1000 for x in result["hello"]]
    log = [x * 1000 for x in result["log"]]
    print(f"# {scenario}: well-behaved client, connect+hello p50 {percentile(hello, 50):.1f} ms "
          f"p99 {percentile(hello, 99):.1f} ms, log p50 {percentile(log, 50):.1f} ms "
          f"p99 {percentile(log, 99):.1f} ms, over {len(hello)} round trips, "
          f"{len(result['failures'])} failed")
    sys.stdout.flush()


def main(socket_path, label):
    sys.path.insert(0, HERE)
    from rpc import Client, entry

    hello_times, log_times, acked, failures = [], [], [], []
    n = 0
    while True:
        # The parent closes our stdin to stop us.
        if select.select([sys.stdin], [], [], 0)[0]:
            break
        n += 1
        note = f"bystander {label} {n}"
        started = time.perf_counter()
        try:
            c = Client(socket_path, timeout=10.0)
            try:
                c.hello()
                greeted = time.perf_counter()
                res = c.call("log", {"entries": [entry("pain", 3, note=note)]})
                logged = time.perf_counter()
            finally:
                c.close()
        except Exception as e:  # every failure is reported, none is retried
            failures.append(repr(e))
            continue
        hello_times.append(greeted - started)
        log_times.append(logged - greeted)
        if res.get("added") == 1:
            acked.append(note)
        else:
            failures.append(f"not added: {res!r}")
        # A person's tools make a few calls a second at most, not a flood.
        select.select([sys.stdin], [], [], 0.01)
    json.dump({"hello": hello_times, "log": log_times, "acked": acked, "failures": failures},
              sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
