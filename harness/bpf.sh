#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the BPF side: libbpf and bpftool from the patched kernel tree
# (Debian's libbpf 1.1 predates struct_ops links), both static so that they
# run in the guest, and the policies in bpf/. Prints nothing on success but
# progress; the results are in $MK_CACHE/bpf:
#   libbpf/libbpf.a, include/bpf/*.h, bpftool, policies/*.bpf.o
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$REPO/harness/tree.sh"
out=$MK_CACHE/bpf
mkdir -p "$out/libbpf" "$out/bpftool-build" "$out/include"

mk_step "building libbpf from the kernel tree" mk_make "$out/libbpf.log" \
	make -C "$SRC/tools/lib/bpf" OUTPUT="$out/libbpf/" CC="ccache gcc" \
	-j"$MK_JOBS" BUILD_STATIC_ONLY=1 all
make -s -C "$SRC/tools/lib/bpf" OUTPUT="$out/libbpf/" DESTDIR="$out" \
	prefix= install_headers >/dev/null
# The BPF uapi that this libbpf knows; Debian's linux-libc-dev is older.
mkdir -p "$out/include/linux"
cp "$SRC/tools/include/uapi/linux/bpf.h" "$SRC/tools/include/uapi/linux/bpf_common.h" \
	"$out/include/linux/"

# No LLVM or libbfd disassembler: bpftool must link statically.
mk_step "building bpftool from the kernel tree" mk_make "$out/bpftool.log" \
	make -C "$SRC/tools/bpf/bpftool" OUTPUT="$out/bpftool-build/" \
	-j"$MK_JOBS" EXTRA_LDFLAGS=-static feature-llvm=0 feature-libbfd=0 \
	feature-libcap=0
cp "$out/bpftool-build/bpftool" "$out/bpftool"

mk_step "building the BPF policies" make -s -C "$REPO/bpf" \
	LIBBPF_INCLUDE="$out/include" OUTPUT="$out/policies/"
