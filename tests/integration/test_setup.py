# SPDX-License-Identifier: ISC
"""The set-up script: with everything installed it is silent; without root
and with a package missing it prints the one apt-get line to run."""
import os
import shutil
import subprocess

from harness import ROOT, run_tests

DEPS = os.path.join(ROOT, "scripts", "deps.sh")


def test_installed_means_silent(ctx):
    p = subprocess.run(["sh", DEPS, "build", "test"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0 and p.stdout == "" and p.stderr == "", p


def test_missing_package_without_root_prints_the_apt_line(ctx):
    env = dict(os.environ, SIMMER_DEPS_EXTRA="simmer-no-such-package")
    # A copy nobody can read, wherever the checkout lives.
    os.chmod(ctx.env.root, 0o755)
    script = os.path.join(ctx.env.root, "deps.sh")
    shutil.copy(DEPS, script)
    os.chmod(script, 0o755)
    cmd = ["sh", script, "build"]
    if os.getuid() == 0:
        cmd = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"] + cmd
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=60, env=env)
    assert p.returncode == 69, p
    lines = [l for l in p.stderr.splitlines() if "apt-get install" in l]
    assert len(lines) == 1 and "simmer-no-such-package" in lines[0], p.stderr
    assert "libuv1-dev" not in lines[0], "only what is missing is named"


def test_unknown_group_is_a_usage_error(ctx):
    p = subprocess.run(["sh", DEPS, "everything"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 64 and "unknown group" in p.stderr, p


if __name__ == "__main__":
    run_tests(globals())
