#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Seeds for fuzz_ctrl: a sound crash report of four CPUs, and console
heads that wrap, in the input format fuzz_ctrl.c describes.

    fuzz_ctrl_seed.py DIR
"""
import os
import struct
import sys

CRASH_MAGIC = 0x43424B4D
CPUS_AT = 0x1000          # MK_CTRL_CRASH_CPUS - MK_CTRL_CRASH
CPU_BYTES = 0x180
MEM_PAGE = 0x100          # the instance's memory: 1 MiB, 16 MiB long


def record(off, data):
    """Writes of at most 255 bytes each, at offsets from the crash info."""
    out = b""
    for at in range(0, len(data), 255):
        part = data[at:at + 255]
        out += struct.pack("<HB", off + at, len(part)) + part
    return out


def crash_seed():
    vmci = b"OSRELEASE=6.12.0\nPAGESIZE=4096\nCRASHTIME=1\n"
    info = struct.pack("<IIIIQQQQIIQ", CRASH_MAGIC, 1, 5, 1,
                       0xFFFFFFFF81000000, 0x200000, 0x100000,
                       0xFFFF888000000000, len(vmci), len(vmci), 0)
    body = record(0, info) + record(0x40, vmci)
    for cpu in range(4):
        stack = 0x400000 + cpu * 0x8000
        slot = struct.pack("<IIII", 1 if cpu == 1 else 2, 5, cpu * 100, cpu)
        slot += struct.pack("<27Q", *range(27))
        slot += struct.pack("<Q", 0xFFFFC90000000000 + cpu * 0x8000)
        slot += struct.pack("<8Q", *[stack + p * 0x1000 for p in range(8)])
        slot += bytes(CPU_BYTES - len(slot))
        body += record(CPUS_AT + cpu * CPU_BYTES, slot)
    return b"\x00" + struct.pack("<BIII", 4, 5, MEM_PAGE, 0x1000) + body


def console_seed():
    heads = [100, 5000, 0x20000 + 7, 0xFFFFFFF0, 3, 3, 0x40000, 0x40010]
    return b"\x01" + b"".join(struct.pack("<I", h) for h in heads)


def main():
    os.makedirs(sys.argv[1], exist_ok=True)
    for name, data in (("crash", crash_seed()), ("console", console_seed())):
        with open(os.path.join(sys.argv[1], "seed-" + name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
