#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# Host tests of "kerf check": every sample gets its documented verdict,
# the suggestions for a conflicting sample make it pass once applied, and
# the exit codes are as documented. Prints "ok N - ..." / "not ok N - ..."
# and ends with "N passed, N failed".
#
#   test_kerf_check.py KERF SAMPLES_DIR

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

from tap import finish, test

# The selftests' generator of unsound blobs, shared with them.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "../../testing/selftests/multikernel"))
from gen_unsound import unsound  # noqa: E402

import yaml

KERF, SAMPLES = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])


def kerf(*args, cwd=SAMPLES):
    p = subprocess.run([KERF, *args], cwd=cwd, capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def check_json(*files, cwd=SAMPLES):
    rc, out, err = kerf("--format=json", "check", *files, cwd=cwd)
    return rc, json.loads(out), err


def expect_verdict(files, rc_want, errno=None, rules=()):
    rc, doc, err = check_json(*files)
    assert rc == rc_want, f"exit {rc}, want {rc_want}: {err}{doc}"
    if errno:
        assert doc["result"] == "refused" and doc["errno"] == errno, doc
    else:
        assert doc["result"] == "ok", doc
    got = {f["rule"] for f in doc["findings"] if f["severity"] == "error"}
    assert got == set(rules), f"rules {sorted(got)}, want {sorted(rules)}"


# The table of samples/multikernel/README.rst.
VERDICTS = [
    (["baseline-32cpu-16g.dts", "web-server.dtso", "database.dtso"], 0, None, ()),
    (["baseline-32cpu-16g.dts", "web-server.dtso", "database.dtso",
      "conflict-cpus-memory.dtso"], 1, "EBUSY",
     ("cpu-overlap", "memory-overlap", "device-conflict")),
    (["baseline-32cpu-16g.dts", "conflict-devices.dtso"], 1, "EINVAL",
     ("device-part-range", "device-part-reserved")),
    (["baseline-minimal-8cpu.dts"], 0, None, ()),
    (["baseline-edge-gpu.dts", "edge-inference.dtso"], 0, None, ()),
    (["baseline-numa-4node.dts", "numa-local.dtso"], 0, None, ()),
    (["baseline-numa-4node.dts", "numa-placed.dtso"], 0, None, ()),
    (["baseline-32cpu-16g.dts", "seed-layout.dtso"], 0, None, ()),
    (["baseline-32cpu-16g.dts", "web-server.dtso", "database.dtso",
      "seed-layout.dtso"], 0, None, ()),
    (["baseline-qemu.dts", "qemu-web.dtso", "qemu-database.dtso"], 0, None, ()),
    (["baseline-qemu.dts", "qemu-web.dtso", "qemu-database.dtso",
      "qemu-conflict.dtso"], 1, "EBUSY",
     ("cpu-overlap", "memory-overlap", "device-conflict")),
]

for files, rc, errno, rules in VERDICTS:
    test("verdict: " + " + ".join(files))(
        lambda files=files, rc=rc, errno=errno, rules=rules:
            expect_verdict(files, rc, errno, rules))


@test("the built-in placement policies place as numa-placed.dtso says")
def numa_placed():
    rc, doc, err = check_json("baseline-numa-4node.dts", "numa-placed.dtso")
    assert rc == 0, err
    # hpc 5-9,17-31; frontend 4,16,40,48; cache 32-39.
    assert doc["free_cpus"] == "10-15,41-47,49-63", doc
    warned = {(f["rule"], f["instances"][0]) for f in doc["findings"]}
    assert warned == {("numa-compact-spans", "hpc")}, warned


@test("suggestions, once applied, make the conflicting sample pass")
def suggestions_apply():
    work = tempfile.mkdtemp()
    try:
        for f in os.listdir(SAMPLES):
            shutil.copy(os.path.join(SAMPLES, f), work)
        files = ["baseline-32cpu-16g.dts", "web-server.dtso", "database.dtso",
                 "conflict-cpus-memory.dtso"]
        rc, doc, _ = check_json(*files, cwd=work)
        assert rc == 1
        fixes = [f for f in doc["findings"] if "suggestion" in f]
        assert {f["suggestion"]["property"] for f in fixes} == \
            {"cpus", "memory-base", "vf-id"}, fixes
        for f in fixes:
            path = os.path.join(work, f["file"])
            lines = open(path).read().split("\n")
            prop, value = f["suggestion"]["property"], f["suggestion"]["value"]
            line = lines[f["line"] - 1]
            assert re.search(rf"\b{prop}\s*=", line), (f, line)
            lines[f["line"] - 1] = re.sub(rf"({prop}\s*=\s*)[^;]*;",
                                          lambda m: m.group(1) + value + ";", line)
            open(path, "w").write("\n".join(lines))
        rc, doc, err = check_json(*files, cwd=work)
        assert rc == 0 and doc["result"] == "ok", (err, doc)
    finally:
        shutil.rmtree(work)


@test("text report: ERROR lines, Suggestion and In file ... Line")
def text_report():
    rc, out, err = kerf("check", "baseline-32cpu-16g.dts", "web-server.dtso",
                        "database.dtso", "conflict-cpus-memory.dtso")
    assert rc == 1
    assert "ERROR: analytics: CPUs 8-9 allocated to both; free: 16-31 [cpu-overlap]" in err, err
    assert "  Suggestion: cpus = <16 17 18 19>;" in err, err
    assert "  In file conflict-cpus-memory.dtso: Line 13" in err, err
    assert out == "", out


@test("Configured: shows the input, and what an earlier suggestion moved")
def configured_is_the_input():
    rc, out, err = kerf("check", "baseline-qemu.dts", "qemu-web.dtso",
                        "qemu-database.dtso", "qemu-conflict.dtso")
    assert rc == 1, err
    assert err.count("  Configured: memory 0x31000000+0x2000000\n") == 2, err
    assert "0x36000000+0x2000000\n  Conflicts" in err and \
        "  After the suggestion above: memory 0x36000000+0x2000000\n" in err, err
    assert "Configured: memory 0x36" not in err, err
    assert "only 1 CPU is free (3)" in err, err


@test("a NUMA warning passes with a WARNING line")
def numa_warning():
    work = tempfile.mkdtemp()
    try:
        src = open(os.path.join(SAMPLES, "numa-local.dtso")).read()
        src = src.replace('cpu-affinity = "local"', 'cpu-affinity = "spread"')
        open(os.path.join(work, "spread.dtso"), "w").write(src)
        rc, out, err = kerf("check", os.path.join(SAMPLES, "baseline-numa-4node.dts"),
                            os.path.join(work, "spread.dtso"))
        assert rc == 0, err
        assert "WARNING: analytics:" in err and "[numa-spread-single]" in err, err
        assert out.startswith("OK: 1 instance"), out
    finally:
        shutil.rmtree(work)


@test("exit codes: usage 2, missing file 3, bad source 3, --version 0")
def exit_codes():
    assert kerf()[0] == 2
    assert kerf("frobnicate")[0] == 2
    assert kerf("check")[0] == 2
    assert kerf("--format=xml", "check")[0] == 2
    assert kerf("check", "no-such-file.dts")[0] == 3
    with tempfile.NamedTemporaryFile("w", suffix=".dts") as bad:
        bad.write("/dts-v1/;\n/ { broken\n")
        bad.flush()
        assert kerf("check", bad.name)[0] == 3
    rc, out, _ = kerf("--version")
    assert rc == 0 and out.startswith("kerf "), out
    assert kerf("check", "--help")[0] == 0
    assert kerf("--help")[0] == 0


def check_variant(src, *edits):
    """kerf check baseline-32cpu-16g.dts and seed-layout.dtso with edits."""
    work = tempfile.mkdtemp()
    try:
        text = open(os.path.join(SAMPLES, src)).read()
        for old, new in edits:
            assert old in text, old
            text = text.replace(old, new)
        path = os.path.join(work, src)
        open(path, "w").write(text)
        return check_json(os.path.join(SAMPLES, "baseline-32cpu-16g.dts"), path)
    finally:
        shutil.rmtree(work)


@test("root-level device references: only bare ones, each warned if unused")
def root_references():
    ref = "vf-id = <5>;"
    for edit, why in (((ref, ref + " status = \"okay\";"), "is not a device reference"),
                      (("&{/} {", "&{/} {\n\tchosen { };"), "adds /chosen"),
                      (("&{/} {", "&{/} {\n\tmodel = \"x\";"), "sets properties of /")):
        rc, doc, err = check_variant("seed-layout.dtso", edit)
        rules = [(f["rule"], f["message"]) for f in doc["findings"]]
        assert rc == 1 and doc["errno"] == "EINVAL", (edit, doc, err)
        assert rules[0][0] == "overlay-target" and why in rules[0][1], rules
    rc, doc, err = check_variant("seed-layout.dtso",
                                 ("<&eth0_vf5 &nvme0_ns4>", "<&eth0_vf5>"))
    assert rc == 0, (doc, err)
    assert [(f["severity"], f["rule"]) for f in doc["findings"]] == \
        [("warning", "device-unreferenced")], doc
    # A root-level reference is checked as one inside an instance is.
    rc, doc, err = check_variant("seed-layout.dtso",
                                 ("vf-id = <5>;", "vf-id = <0>;"),
                                 ("ethernet-vf@5", "ethernet-vf@0"))
    assert rc == 1 and {f["rule"] for f in doc["findings"]} == \
        {"device-part-reserved"}, doc


@test("unsound structure blocks are refused, as a baseline and as an overlay")
def unsound_blobs():
    work = tempfile.mkdtemp()
    try:
        base = os.path.join(work, "base.dtb")
        ovl = os.path.join(work, "web.dtbo")
        subprocess.run(["dtc", "-@", "-q", "-I", "dts", "-O", "dtb", "-o", base,
                        os.path.join(SAMPLES, "baseline-qemu.dts")], check=True)
        subprocess.run(["dtc", "-@", "-q", "-I", "dts", "-O", "dtb", "-o", ovl,
                        os.path.join(SAMPLES, "qemu-web.dtso")], check=True)
        for how, want in (("no-end", "no FDT_END"), ("after-root", "bad node at offset")):
            for name, args in (("base", [base]), ("ovl", [base, ovl])):
                path = os.path.join(work, f"{how}-{name}")
                blob = open(args[-1], "rb").read()
                open(path, "wb").write(unsound(blob, how))
                rc, doc, err = check_json(*args[:-1], path)
                msgs = [f["message"] for f in doc["findings"]]
                assert rc == 1 and doc["errno"] == "EINVAL", (how, name, doc)
                assert any(want in m for m in msgs), (how, name, msgs)
    finally:
        shutil.rmtree(work)


@test("commands by unique prefix; an ambiguous one is a usage error")
def command_prefixes():
    rc, doc, err = check_json("baseline-minimal-8cpu.dts")
    rc2, out, err2 = kerf("--format=json", "ch", "baseline-minimal-8cpu.dts")
    assert rc == rc2 == 0 and json.loads(out) == doc, (err, err2)
    rc, _, err = kerf("c", "baseline-minimal-8cpu.dts")
    assert rc == 2 and "ambiguous: check or create" in err, err
    rc, _, err = kerf("policy", "lo")
    assert rc == 2 and "Usage: kerf policy load FILE.bpf.o" in err, err
    rc, _, err = kerf("policy", "frob")
    assert rc == 2 and "unknown command 'frob'; see 'kerf policy --help'" in err, err


@test("one help path: every command takes --help and -h, anywhere")
def help_everywhere():
    rc, top, _ = kerf("--help")
    names = re.findall(r"^  (\w+) ", top.split("Commands")[1].split("Options")[0], re.M)
    assert len(names) >= 9, top
    for name in names:
        for flag in ("--help", "-h"):
            rc, out, err = kerf(name, flag)
            assert rc == 0 and out.startswith(f"Usage: kerf {name}"), (name, flag, out, err)
    rc, out, _ = kerf("create", "web", "--memory=1G", "-h")
    assert rc == 0 and "Create instance NAME" in out, out
    rc, out, _ = kerf("policy", "load", "--help")
    assert rc == 0 and out.startswith("Usage: kerf policy load FILE.bpf.o"), out
    rc, out, _ = kerf("help", "rollback")
    assert rc == 0 and out.startswith("Usage: kerf rollback TX"), out
    # The man page and the bash completion know every command.
    doc = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "kerf")
    man = open(os.path.join(doc, "Documentation/kerf.rst")).read()
    comp = open(os.path.join(doc, "bash-completion/kerf")).read()
    for name in names:
        assert re.search(rf"\*\*kerf\*\* .*\*\*{name}\*\*|^\*\*{name}\*\*|\b{name}\b", man, re.M), name
        assert re.search(rf"\b{name}\b", comp), name


@test("with --format, an error before any result is an object on stdout")
def json_errors():
    for args, code in ((["check", "no-such-file.dts"], 3), (["frobnicate"], 2),
                       (["create", "web", "--memory=1X", "--cpus=1"], 2),
                       (["rollback", "tx_x"], 2)):
        for fmt, load in (("json", json.loads), ("yaml", yaml.safe_load)):
            rc, out, err = kerf(f"--format={fmt}", *args)
            doc = load(out)
            assert rc == code and doc["result"] == "error" and doc["exit"] == code, \
                (args, fmt, out, err)
            assert doc["error"] and doc["error"] in err, (doc, err)


@test("create parses sizes and device lists before anything else")
def create_parsing():
    # A bad argument is a usage error (2); a good one gets past parsing and
    # fails later on a host without the multikernel filesystem (not 2).
    good = ["512M", "2G", "2GB", "2GiB", "0x1000", "4096", "1T"]
    bad = ["1X", "-1", "", "2GBB", "G", "99999999999T"]
    for size in good:
        rc, _, err = kerf("create", "web", "--cpus=1", f"--memory={size}",
                          "--devices=eth0:vf1,nvme0:ns2,gpu0")
        assert rc != 2, f"--memory={size} refused: {err}"
    for size in bad:
        rc, _, err = kerf("create", "web", "--cpus=1", f"--memory={size}")
        assert rc == 2 and "--memory" in err, f"--memory={size}: exit {rc} {err}"
    for devs in ["eth0:xx1", "eth0:vf", ":vf1"]:
        rc, _, err = kerf("create", "web", "--cpus=1", "--memory=1M",
                          f"--devices={devs}")
        assert rc == 2, f"--devices={devs}: exit {rc}"
    rc, _, err = kerf("create", "--memory=1M", "--cpus=1", "web", "--cpu-count=2")
    assert rc == 2 and "one of --cpus or --cpu-count" in err, err
    rc, _, err = kerf("create", "--memory=1M", "--cpus=1")
    assert rc == 2, err
    # update: something to change, and never a new cpu-count or id.
    for args, why in ((["web"], "nothing to change"),
                      (["web", "--cpu-count=2"], "not placed again"),
                      (["web", "--id=3"], "keeps its id"),
                      (["--memory=1M"], "want one NAME")):
        rc, _, err = kerf("update", *args)
        assert rc == 2 and why in err, f"update {args}: exit {rc} {err}"
    rc, _, err = kerf("update", "web", "--memory=2G", "--devices=")
    assert rc != 2, err


@test("init --report: the inventory, as text, JSON and YAML")
def init_report():
    rc, out, err = kerf("init", "--input=baseline-32cpu-16g.dts", "--report")
    assert rc == 0, err
    assert "CPUs:    32 in all; host 0-3; pool 4-31 (28, 87%)" in out, out
    assert "eth0 (ethernet@0): 8 VFs, host-reserved 0, available 1-7" in out, out
    docs = []
    for fmt, load in (("json", json.loads), ("yaml", yaml.safe_load)):
        rc, out, err = kerf(f"--format={fmt}", "init",
                            "--input=baseline-numa-4node.dts", "--report")
        assert rc == 0, err
        docs.append(load(out))
    rep = docs[0]["report"]
    assert rep["cpus"]["pool"] == "4-63" and len(rep["numa_nodes"]) == 4, rep
    assert rep["numa_nodes"][3] == {"id": 3, "cpus": "48-63",
                                    "memory_base": 3 << 34, "memory_bytes": 1 << 34}, rep
    assert docs[0] == docs[1], "JSON and YAML differ"
    rc, _, err = kerf("init", "--input=conflict-devices.dtso", "--report")
    assert rc == 1, err


@test("JSON and YAML give the same findings, empty lists included")
def yaml_matches_json():
    files = ["baseline-32cpu-16g.dts", "web-server.dtso", "database.dtso",
             "conflict-cpus-memory.dtso"]
    for args in (files, files[:3]):
        _, j, _ = kerf("--format=json", "check", *args)
        _, y, _ = kerf("--format=yaml", "check", *args)
        assert json.loads(j) == yaml.safe_load(y), f"{args}:\n{j}\n{y}"
    assert yaml.safe_load(kerf("--format=yaml", "check", *files[:3])[1])["findings"] == []


@test("init: a refused baseline points at its lines")
def init_lines():
    work = tempfile.mkdtemp()
    try:
        src = open(os.path.join(SAMPLES, "baseline-32cpu-16g.dts")).read()
        src = src.replace("host-reserved = <0 1 2 3>;", "host-reserved = <0 1 2 3 4>;")
        src = src.replace("host-reserved-vf = <0>;", "host-reserved-vf = <0 1>;")
        path = os.path.join(work, "bad.dts")
        open(path, "w").write(src)
        lines = src.splitlines()
        rc, out, err = kerf("--json", "init", f"--input={path}")
        assert rc == 1, err
        found = {f["rule"]: lines[f["line"] - 1].strip() for f in json.loads(out)["findings"]}
        assert found == {"baseline-cpus": "host-reserved = <0 1 2 3 4>;",
                         "baseline-device": "eth0: ethernet@0 {"}, found
        rc, _, err = kerf("init", f"--input={path}")
        assert "ERROR: baseline: CPUs 4 are both host-reserved and available" in err, err
        want = lines.index("\t\t\thost-reserved = <0 1 2 3 4>;") + 1
        assert f"In file {path}: Line {want}" in err, err
    finally:
        shutil.rmtree(work)


@test("init: --input or --cpus; --cpus needs the reserved pool")
def init_arguments():
    for args in (["init"], ["init", "--cpus=1", "--input=x.dts"],
                 ["init", "--input=x.dts", "--memory=1G"], ["init", "--cpus=1-x"],
                 ["init", "--cpus=1", "--memory=1X"]):
        rc, _, err = kerf(*args)
        assert rc == 2, f"{args}: exit {rc} {err}"
    iomem = open("/proc/iomem").read()
    if "Multikernel pool" not in iomem:
        rc, _, err = kerf("init", "--cpus=1")
        assert rc == 1 and "multikernel_pool=" in err, err


def kmorphctl(*args):
    """kerf run by the name kmorphctl, through a symlink."""
    link = os.path.join(tempfile.mkdtemp(), "kmorphctl")
    os.symlink(KERF, link)
    try:
        p = subprocess.run([link, *args], capture_output=True, text=True)
    finally:
        shutil.rmtree(os.path.dirname(link))
    return p.returncode, p.stdout, p.stderr


@test("kmorphctl: its own commands, each with help, man page and completion")
def kmorphctl_help():
    rc, top, _ = kmorphctl("--help")
    assert rc == 0 and top.startswith("Usage: kmorphctl"), top
    names = re.findall(r"^  ([\w-]+) ", top.split("Commands")[1].split("Options")[0], re.M)
    assert len(names) == 14, names
    doc = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "kerf")
    man = open(os.path.join(doc, "Documentation/kmorphctl.rst")).read()
    comp = open(os.path.join(doc, "bash-completion/kmorphctl")).read()
    for name in names:
        rc, out, err = kmorphctl(name, "--help")
        assert rc == 0 and out.startswith(f"Usage: kmorphctl {name}"), (name, out, err)
        assert f"**{name}**" in man, name
        assert re.search(rf"\b{name}\b", comp), name
    rc, out, _ = kmorphctl("vmcore", "capture", "--help")
    assert rc == 0 and out.startswith("Usage: kmorphctl vmcore capture NAME"), out
    rc, _, err = kmorphctl("spawn", "web")
    assert rc == 2 and "--kernel is needed" in err, err
    rc, _, err = kmorphctl("frobnicate")
    assert rc == 2 and err.startswith("kmorphctl: unknown command"), err


def elf_core(notes, loads=1):
    """A minimal x86_64 ELF core: one PT_NOTE and LOADS empty PT_LOADs."""
    import struct
    phnum = 1 + loads
    note_off = 64 + 56 * phnum
    eh = struct.pack("<4sBBBB8xHHIQQQIHHHHHH", b"\x7fELF", 2, 1, 1, 0, 4, 62, 1,
                     0, 64, 0, 0, 64, 56, phnum, 0, 0, 0)
    ph = struct.pack("<IIQQQQQQ", 4, 0, note_off, 0, 0, len(notes), len(notes), 0)
    for _ in range(loads):
        ph += struct.pack("<IIQQQQQQ", 1, 7, note_off, 0, 0, 0, 0, 4096)
    return eh + ph + notes


def note(name, ntype, desc):
    import struct
    n = name.encode() + b"\0"
    pad = lambda b: b + b"\0" * (-len(b) % 4)  # noqa: E731
    return struct.pack("<III", len(n), len(desc), ntype) + pad(n) + pad(desc)


@test("kmorphctl vmcore analyze: a core's CPUs and VMCOREINFO; junk refused")
def vmcore_analyze():
    import struct
    regs = [0] * 27
    regs[16], regs[19] = 0xffffffff81234567, 0xffffc90000123f00
    prs = bytearray(336)
    struct.pack_into("<I", prs, 32, 77)
    struct.pack_into("<27Q", prs, 112, *regs)
    vmci = b"OSRELEASE=6.12.0-test\nCRASHTIME=42\n"
    core = elf_core(note("CORE", 1, bytes(prs)) + note("VMCOREINFO", 0, vmci))
    d = tempfile.mkdtemp()
    try:
        good, bad, cut = (os.path.join(d, n) for n in ("good", "bad", "cut"))
        open(good, "wb").write(core)
        open(bad, "wb").write(b"\x7fELF" + b"\0" * 100)
        # A note that claims more than its segment holds.
        open(cut, "wb").write(core[:-40])
        rc, out, err = kmorphctl("vmcore", "analyze", good)
        assert rc == 0, (out, err)
        assert "CPU 0: pid 77, ip 0xffffffff81234567, sp 0xffffc90000123f00" in out, out
        assert "OSRELEASE=6.12.0-test" in out and "CRASHTIME=42" in out, out
        for f in (bad, cut):
            rc, out, err = kmorphctl("vmcore", "analyze", f)
            assert rc == 3 and "not an x86_64 ELF core" in err, (f, out, err)
    finally:
        shutil.rmtree(d)


@test("make install: kerf, its man page and bash completion")
def install():
    tools = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    dest, out = tempfile.mkdtemp(), tempfile.mkdtemp()
    try:
        subprocess.run(["make", "-s", "-C", tools, f"OUTPUT={out}/",
                        f"DESTDIR={dest}", "prefix=/usr", "install"],
                       check=True, capture_output=True, text=True)
        man = open(os.path.join(dest, "usr/share/man/man8/kerf.8")).read()
        for section in ("SYNOPSIS", "COMMANDS", "EXIT STATUS"):
            assert f'.SH {section}' in man, section
        comp = os.path.join(dest, "usr/share/bash-completion/completions/kerf")
        assert "complete -F _kerf kerf" in open(comp).read()
        rc = subprocess.run([os.path.join(dest, "usr/sbin/kerf"), "--version"],
                            capture_output=True).returncode
        assert rc == 0
        p = subprocess.run([os.path.join(dest, "usr/sbin/kmorphctl"), "--version"],
                           capture_output=True, text=True)
        assert p.returncode == 0 and p.stdout.startswith("kmorphctl "), p.stdout
        man = open(os.path.join(dest, "usr/share/man/man8/kmorphctl.8")).read()
        assert ".SH COMMANDS" in man
        comp = os.path.join(dest, "usr/share/bash-completion/completions/kmorphctl")
        assert "complete -F _kmorphctl kmorphctl" in open(comp).read()
    finally:
        shutil.rmtree(dest)
        shutil.rmtree(out)


finish("kerf check")
