# SPDX-License-Identifier: ISC
"""A real desktop for notification tests: Xvfb, a session bus started by
dbus-run-session, and dunst as the notification server, all from Debian's
packages. `dunstctl` reads what dunst received."""
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time

DUNSTRC = """
[global]
    font = DejaVu Sans 10
    width = 420
    height = 300
    origin = top-right
    offset = 16x16
    frame_width = 2
    frame_color = "#8a6d3b"
    padding = 10
    horizontal_padding = 12
    format = "<b>%s</b>\\n%b"
    word_wrap = yes
    history_length = 100
    sticky_history = yes
    show_age_threshold = -1
    idle_threshold = 0
[urgency_low]
    background = "#f4f1ea"
    foreground = "#333333"
    timeout = 0
[urgency_normal]
    background = "#fff8e6"
    foreground = "#222222"
    timeout = 0
[urgency_critical]
    background = "#fdecea"
    foreground = "#611a15"
    frame_color = "#c62828"
    timeout = 0
"""

# dunst's history does not keep the urgency; these rules write it into the
# formatted message, where the tests read it back.
URGENCY_MARKS = """
[mark_low]
    msg_urgency = low
    format = "LOW|<b>%s</b>\\n%b"
[mark_normal]
    msg_urgency = normal
    format = "NORMAL|<b>%s</b>\\n%b"
[mark_critical]
    msg_urgency = critical
    format = "CRITICAL|<b>%s</b>\\n%b"
"""


class Desktop:
    def __init__(self, mark_urgency=True):
        self.mark_urgency = mark_urgency
        self.dir = tempfile.mkdtemp(prefix="simmer-desktop-")
        # dunst's context menu runs "dmenu" with one line per action; this
        # one picks the line holding the text written by choose_action().
        self.pick = os.path.join(self.dir, "pick")
        self.procs = []
        self.display = None
        self.env = {}

    def start(self):
        # Xvfb picks a free display itself and writes its number to a pipe
        # (-displayfd): test files running side by side never race for one.
        rfd, wfd = os.pipe()
        xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(wfd), "-screen", "0", "1024x640x24",
                                 "-nolisten", "tcp"], pass_fds=(wfd,),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(wfd)
        self.procs.append(xvfb)
        with os.fdopen(rfd) as f:
            number = f.readline().strip()
        if not number:
            raise AssertionError("Xvfb did not start")
        self.display = f":{number}"
        addr_file = os.path.join(self.dir, "bus")
        # In a process group of its own: dbus-run-session does not stop the
        # dbus-daemon it started when it is terminated, so stop() ends the
        # whole group, or every test would leave a bus (and its inotify
        # instance) behind.
        bus = subprocess.Popen(["dbus-run-session", "--", "sh", "-c",
                                f"echo \"$DBUS_SESSION_BUS_ADDRESS\" > {addr_file}; exec sleep 600"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
        self.bus = bus
        self.procs.append(bus)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not (os.path.exists(addr_file) and open(addr_file).read().strip()):
            time.sleep(0.05)
        address = open(addr_file).read().strip()
        self.env = {"DISPLAY": self.display, "DBUS_SESSION_BUS_ADDRESS": address}
        rc = os.path.join(self.dir, "dunstrc")
        with open(rc, "w") as f:
            f.write(DUNSTRC.replace("[global]\n", f"[global]\n    dmenu = /bin/grep -m1 -F -f {self.pick}\n")
                    + (URGENCY_MARKS if self.mark_urgency else ""))
        env = dict(os.environ, **self.env)
        self.dunst = subprocess.Popen(["dunst", "-config", rc], env=env,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.procs.append(self.dunst)
        while time.monotonic() < deadline:
            if self.dunstctl("count", "displayed").returncode == 0:
                return self
            time.sleep(0.1)
        raise AssertionError("dunst did not come up")

    def dunstctl(self, *args):
        return subprocess.run(["dunstctl"] + list(args), env=dict(os.environ, **self.env),
                              capture_output=True, text=True, timeout=10)

    def choose_action(self, label):
        """Clicks the action labelled `label` of the newest notification,
        as a person does through dunst's context menu."""
        with open(self.pick, "w") as f:
            f.write(label + "\n")
        return self.dunstctl("context").returncode == 0

    def displayed(self):
        return int(self.dunstctl("count", "displayed").stdout.strip() or 0)

    def history(self):
        """Every notification dunst has received, oldest first (closing the
        ones on screen moves them to the history)."""
        self.dunstctl("close-all")
        time.sleep(0.2)
        data = json.loads(self.dunstctl("history").stdout)["data"][0]
        out = [{k: v["data"] for k, v in n.items()} for n in data]
        for n in out:
            mark = n.get("message", "").split("|", 1)[0]
            n["urgency"] = mark if mark in ("LOW", "NORMAL", "CRITICAL") else None
        return list(reversed(out))

    def wait_for(self, count, timeout=15):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            total = self.displayed() + int(self.dunstctl("count", "history").stdout.strip() or 0)
            if total >= count:
                return True
            time.sleep(0.1)
        return False

    def screenshot(self, path):
        xwd = os.path.join(self.dir, "screen.xwd")
        subprocess.run(["xwd", "-root", "-display", self.display, "-out", xwd], check=True, timeout=20)
        subprocess.run(["convert", xwd, path], check=True, timeout=60)

    def stop(self):
        for p in reversed(self.procs):
            if p is getattr(self, "bus", None):
                try:
                    os.killpg(p.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
            p.terminate()
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(self.dir, ignore_errors=True)
