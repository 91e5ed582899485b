#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# Host tests of kerf console's escaping (kerf/escape.c): what an instance
# writes reaches the terminal with no control sequence in it, valid UTF-8
# passes, and the escaping is the same however the bytes are cut between
# reads. Prints "ok N - ..." / "not ok N - ..." and ends with
# "N passed, N failed".
#
#   test_console_escape.py BUILD_DIR

import os
import random
import subprocess
import sys

from tap import finish, test

OUT = os.path.abspath(sys.argv[1])


def esc(data, chunk=4096):
    return subprocess.run([os.path.join(OUT, "console_escape"), str(chunk)],
                          input=data, check=True, capture_output=True).stdout


def unescape(text):
    """The bytes the escaping stands for: \\xNN and \\\\ undone."""
    out, i = bytearray(), 0
    while i < len(text):
        if text[i:i + 2] == b"\\x":
            out.append(int(text[i + 2:i + 4], 16))
            i += 4
        elif text[i:i + 2] == b"\\\\":
            out.append(0x5c)
            i += 2
        else:
            out.append(text[i])
            i += 1
    return bytes(out)


def safe(text):
    """No C0 control but newline and tab, no DEL, no C1 in UTF-8."""
    assert all(b >= 0x20 or b in (9, 10) for b in text), text
    assert 0x7f not in text, text
    s = text.decode("utf-8")
    assert not any(0x80 <= ord(c) <= 0x9f for c in s), text


@test("text, newlines and tabs pass; CR LF becomes LF")
def plain():
    assert esc(b"hello\tworld\r\nnext\n") == b"hello\tworld\nnext\n"


@test("escape sequences are shown, not sent")
def sequences():
    out = esc(b"\x1b]0;owned\x07\x1b[2J\x1b[1;1H\x9b31m\x08\r")
    safe(out)
    assert out == (b"\\x1b]0;owned\\x07\\x1b[2J\\x1b[1;1H\\x9b31m\\x08\\x0d")


@test("valid UTF-8 passes; C1 controls, overlong forms and surrogates do not")
def utf8():
    good = "caf\u00e9 \u2603 \U0001f600".encode()
    assert esc(good) == good
    for bad in (b"\xc2\x9b", b"\xc0\xaf", b"\xe0\x80\xaf", b"\xed\xa0\x80",
                b"\xf4\x90\x80\x80", b"\xe2\x98", b"\xff"):
        out = esc(bad)
        safe(out)
        assert unescape(out) == bad, (bad, out)


@test("a backslash is escaped, so the escaping can be undone")
def backslash():
    assert esc(b"a\\x41") == b"a\\\\x41"
    assert unescape(esc(b"a\\x41")) == b"a\\x41"


@test("random bytes, cut anywhere: safe, reversible, the same in every cut")
def random_bytes():
    rnd = random.Random(12)
    for _ in range(20):
        data = bytes(rnd.randrange(256) for _ in range(3000))
        data += "\u00e9\u2603\U0001f600".encode() * 20
        whole = esc(data)
        safe(whole)
        assert unescape(whole) == data.replace(b"\r\n", b"\n")
        for chunk in (1, 2, 3, 7):
            assert esc(data, chunk) == whole, chunk


finish("console escape")
