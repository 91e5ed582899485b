#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kmorphd's CPU time and wakeups over 60 s beside 4 running instances of
# the lean kernel, in a guest with 5 CPUs and room for them in its pool.
# The guest side is the selftest's own: kmorphd.sh bench.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ -f "$BZIMAGE" ] && [ -f "$BZIMAGE_INST" ] || mk_die "no kernels; run make kernel"
inst=$(mk_install_kselftests)
MK_GUEST_APPEND="multikernel_pool=320M@0x24000000" \
	"$REPO/harness/qemu-run" -t 600 -s 5 -f "$inst:/root/kselftest" -- \
	"cd /root/kselftest/multikernel && sh ./kmorphd.sh bench" | tr -d '\r' |
	grep '^kmorphd:'
