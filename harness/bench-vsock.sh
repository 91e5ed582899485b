#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vsock between the guest (the host kernel) and an instance of the lean
# kernel, under QEMU: 100 MiB each way, and the round trip of 64 bytes
# against KMP's echo over the same channel, measured in the same run
# (TCG, so only the ratio means much). The guest side is the selftest's
# own: vsock.sh bench.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ -f "$BZIMAGE" ] && [ -f "$BZIMAGE_INST" ] || mk_die "no kernels; run make kernel"
inst=$(mk_install_kselftests)
"$REPO/harness/qemu-run" -t 600 -f "$inst:/root/kselftest" -- \
	"cd /root/kselftest/multikernel && sh ./vsock.sh bench" | tr -d '\r' |
	grep '^vsock:'
