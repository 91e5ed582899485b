#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# Break the structure block of a compiled tree in one of two ways that a
# reader walking only the nodes it looks for would not notice:
#   no-end      the final FDT_END becomes an FDT_NOP;
#   after-root  a second node follows the closed root.
# The header stays consistent, so only a walk of the whole block tells.
#
#   gen_unsound.py HOW IN.dtb OUT.dtb

import struct
import sys

FDT_BEGIN_NODE, FDT_END_NODE, FDT_NOP, FDT_END = 1, 2, 4, 9


def unsound(blob, how):
    hdr = list(struct.unpack(">10I", blob[:40]))
    off, size = hdr[2], hdr[9]
    body = bytearray(blob[off:off + size])
    assert struct.unpack(">I", body[-4:])[0] == FDT_END
    if how == "no-end":
        body[-4:] = struct.pack(">I", FDT_NOP)
    elif how == "after-root":
        body[-4:] = struct.pack(">4I", FDT_BEGIN_NODE, 0, FDT_END_NODE, FDT_END)
    else:
        raise ValueError(how)
    grow = len(body) - size
    out = bytearray(blob[:off]) + body + blob[off + size:]
    hdr[1] += grow          # totalsize
    hdr[3] += grow          # off_dt_strings
    hdr[9] = len(body)      # size_dt_struct
    out[:40] = struct.pack(">10I", *hdr)
    return bytes(out)


if __name__ == "__main__":
    how, src, dst = sys.argv[1:4]
    with open(src, "rb") as f:
        data = unsound(f.read(), how)
    with open(dst, "wb") as f:
        f.write(data)
