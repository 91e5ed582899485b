#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# Host tests of the rule table (kernel/multikernel/model/rules.c): the
# documentation lists the same rules with the same errnos, and kerf
# explains findings from the table, so a rule renamed there needs no
# change in kerf. Prints "ok N - ..." / "not ok N - ..." and ends with
# "N passed, N failed".
#
#   test_rules.py BUILD_DIR REPO

import os
import re
import shutil
import subprocess
import sys
import tempfile

from tap import finish, test

OUT, REPO = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
SAMPLES = os.path.join(REPO, "samples/multikernel")


def table_rules():
    """{name: {errno names}} from the rule table, via rules_dump."""
    out = subprocess.run([os.path.join(OUT, "rules_dump")], check=True,
                         capture_output=True, text=True).stdout
    rules = {}
    for line in out.splitlines():
        name, err = line.split()
        rules.setdefault(name, set()).add(err)
    return rules


def doc_rules():
    """{name: {errnos}} from the rules table of the filesystem document."""
    path = os.path.join(REPO, "Documentation/filesystems/multikernel.rst")
    lines = open(path).read().splitlines()
    start = next(i for i, l in enumerate(lines)
                 if re.match(r"rule\s+errno\s+meaning$", l))
    border = lines[start - 1]
    cols = [m.start() for m in re.finditer(r"=+", border)]
    rules, group, more_names = {}, None, False
    for line in lines[start + 2:]:
        if line.startswith("="):
            break
        names = line[:cols[1]].strip()
        errnos = line[cols[1]:cols[2]].strip()
        # A row goes on while its last name or errno ends with a comma.
        if names and not more_names:
            group = ([], [])
            rules[len(rules)] = group
        group[0].extend(n.strip() for n in names.split(",") if n.strip())
        group[1].extend(e.strip() for e in errnos.split(",") if e.strip())
        more_names = names.endswith(",")
    out = {}
    for names, errnos in rules.values():
        for name in names:
            assert name not in out, f"{name} listed twice"
            out[name] = set(errnos)
    return out


@test("the documentation lists every rule, with its errnos")
def doc_matches_table():
    table, doc = table_rules(), doc_rules()
    assert set(table) == set(doc), \
        f"only in rules.c: {sorted(set(table) - set(doc))}; " \
        f"only in the document: {sorted(set(doc) - set(table))}"
    wrong = {n: (table[n], doc[n]) for n in table if table[n] != doc[n]}
    assert not wrong, f"errnos differ (rules.c, document): {wrong}"


@test("rule names are unique but for one rule's errnos")
def names_unique():
    out = subprocess.run([os.path.join(OUT, "rules_dump")], check=True,
                         capture_output=True, text=True).stdout
    rows = [l.split() for l in out.splitlines()]
    assert len(rows) == len({tuple(r) for r in rows}), rows
    assert all(re.fullmatch(r"[a-z][a-z0-9-]*", n) for n, _ in rows), rows


@test("a rule renamed in the table needs no change in kerf")
def rename_needs_no_kerf_change():
    work = tempfile.mkdtemp()
    try:
        ksrc = os.path.join(work, "multikernel")
        shutil.copytree(os.path.join(REPO, "kernel/multikernel"), ksrc)
        rules_c = os.path.join(ksrc, "model", "rules.c")
        src = open(rules_c).read()
        for old, new in (("cpu-overlap", "shared-cpus"),
                         ("memory-overlap", "shared-memory"),
                         ("device-conflict", "shared-device")):
            assert f'"{old}"' in src, old
            src = src.replace(f'"{old}"', f'"{new}"')
        open(rules_c, "w").write(src)
        subprocess.run(["make", "-s", "-C", os.path.join(REPO, "tools/multikernel"),
                        f"KSRC={ksrc}", f"OUTPUT={work}/build/",
                        f"{work}/build/kerf"], check=True, capture_output=True)
        kerf = os.path.join(work, "build/kerf")
        files = ["baseline-32cpu-16g.dts", "web-server.dtso", "database.dtso",
                 "conflict-cpus-memory.dtso"]
        p = subprocess.run([kerf, "check", *files], cwd=SAMPLES,
                           capture_output=True, text=True)
        assert p.returncode == 1, p.stderr
        err = p.stderr
        # Same explanation as with the stock names, under new names that no
        # prefix of the old ones would match.
        assert "ERROR: analytics: CPUs 8-9 allocated to both; free: 16-31 [shared-cpus]" in err, err
        assert "  Suggestion: cpus = <16 17 18 19>;" in err, err
        assert "  In file conflict-cpus-memory.dtso: Line 13" in err, err
        assert "[shared-memory]" in err and "  Suggestion: memory-base = " in err, err
        assert "[shared-device]" in err and "  Suggestion: vf-id = " in err, err
        assert "cpu-overlap" not in err, err
    finally:
        shutil.rmtree(work)


finish("rules")
