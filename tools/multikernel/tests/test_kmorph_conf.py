#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# Host tests of what kmorphctl checks before it needs the kernel: the
# example kmorph.conf is read whole, a wrong line is refused with its file
# and line (by start; status goes on), a heartbeat timeout that is no duration is refused before
# anything is loaded, and the daemon is said not to run when its pid file
# is not locked. Prints "ok N - ..." / "not ok N - ..." and ends with
# "N passed, N failed".
#
#   test_kmorph_conf.py BUILD_DIR REPO

import os
import subprocess
import sys
import tempfile

from tap import finish, test

OUT = os.path.abspath(sys.argv[1])
REPO = os.path.abspath(sys.argv[2])
TMP = tempfile.mkdtemp()


def kmorphctl(*args, env=None):
    return subprocess.run([os.path.join(OUT, "kmorphctl"), *args],
                          capture_output=True, text=True, env=env)


def conf(text):
    path = os.path.join(TMP, "kmorph.conf")
    with open(path, "w") as f:
        f.write(text)
    return path


def status(path):
    return kmorphctl("daemon", "status", f"--config={path}")


@test("the example configuration is read whole")
def example():
    r = status(os.path.join(REPO, "samples/multikernel/kmorph.conf"))
    assert r.returncode == 1, r.stderr
    assert r.stdout.startswith("kmorphd: not running\n"), r.stdout
    assert "(2 instances)" in r.stdout, r.stdout
    assert "metrics 127.0.0.1:9477" in r.stdout, r.stdout


@test("a wrong line is refused with its file and line")
def wrong_lines():
    cases = [
        ("[daemon]\nlisten = 127.0.0.1:1\nport = 9\n", ":3: [daemon] has no 'port'"),
        ("[instance a]\nauto-heal = maybe\n", "neither enabled nor disabled"),
        ("[instance a]\nheartbeat-timeout = soon\n", "no duration"),
        ("[instance a]\nheartbeat-timeout = 0.0001\n", "no duration"),
        ("[instance a]\nspawn = sometimes\n", ":2: spawn: yes or no"),
        ("[instance a]\ncolour = blue\n", ":2: [instance a] has no 'colour'"),
        ("heartbeat-timeout = 2\n", ":1: want a [daemon], [hooks]"),
        ("[hooks]\nexploded = /bin/true\n", ":2: [hooks] has no 'exploded'"),
        ("[instance a\n", ":1: want [SECTION] or [SECTION NAME]"),
        ("[daemon]\n= 3\n", ":2: want KEY = VALUE"),
        ("[daemon]\nhook-timeout = " + "9" * 5000 + "\n", "longer than"),
    ]
    for text, want in cases:
        r = kmorphctl("daemon", "start", f"--config={conf(text)}")
        assert r.returncode == 3, (text, r.returncode, r.stderr)
        assert want in r.stderr, (text, r.stderr)
    # status and stop go on, so that a daemon can be stopped whatever
    # its file says.
    r = status(conf("[daemon]\nstate-dir = /tmp/x\nport = 9\n"))
    assert r.returncode == 1 and "going on with the lines before" in r.stderr, r
    assert "state /tmp/x:" in r.stdout, r.stdout


@test("values run to the end of the line, and durations take s and ms")
def values():
    path = conf("[daemon]\nlisten = [::1]:9477\nhook-timeout = 1500ms\n"
                "[instance a]\nkernel-cmdline = console=hvc0 # kept\n"
                "heartbeat-timeout = 2s\nheartbeat-timeout 0.5\n")
    r = status(path)
    assert r.returncode == 1 and "metrics [::1]:9477" in r.stdout, r


@test("spawn refuses a heartbeat timeout that is no duration, before loading")
def spawn_timeout():
    r = kmorphctl("spawn", "a", "--kernel=/nonexistent", "--heartbeat-timeout=1x")
    assert r.returncode == 2, r
    assert "--heartbeat-timeout=1x" in r.stderr, r.stderr


@test("daemon stop and reload say when no daemon runs")
def not_running():
    path = conf(f"[daemon]\npid-file = {TMP}/pid\nstate-dir = {TMP}/state\n")
    for cmd in ("stop", "reload"):
        r = kmorphctl("daemon", cmd, f"--config={path}")
        assert r.returncode == 1 and "does not run" in r.stderr, r


@test("kmorphd --help, and an argument refused")
def kmorphd_help():
    exe = os.path.join(OUT, "kmorphd")
    r = subprocess.run([exe, "--help"], capture_output=True, text=True)
    assert r.returncode == 0 and "kmorph.conf" in r.stdout, r
    r = subprocess.run([exe, "now"], capture_output=True, text=True)
    assert r.returncode == 2, r


finish("kmorph")
