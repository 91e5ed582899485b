#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the multikernel kselftests with the kernel's selftest Makefile and
# run them in the test guest with run_kselftest.sh. Extra arguments go to
# qemu-run (for example --log FILE).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$REPO/harness/tree.sh"
inst=$(mk_install_kselftests)
# run_kselftest.sh exits 0 whatever the results: judge them from the output.
log=$(mktemp)
out=$(mktemp)
trap 'rm -f "$log" "$out"' EXIT
rc=0
# The vmcores the health selftest leaves come back as a tar, for
# harness/vmcore-check.sh to read with gdb here.
rm -f "$inst"/multikernel/vmcore-*
"$REPO/harness/qemu-run" -t 2400 -f "$inst:/root/kselftest" -l "$log" -o "$out" "$@" -- \
	'cd /root/kselftest && ./run_kselftest.sh;' \
	'cd multikernel && if ls vmcore-* > /dev/null 2>&1; then tar c vmcore-* | mk_out; fi' ||
	rc=$?
[ -s "$out" ] && tar x -C "$inst/multikernel" -f "$out"
# scale.sh wants a bigger guest than the rest: 8 CPUs, 6 GiB with the
# pool above 4 GiB, and low RAM for 2 instances only. It skips itself in
# the run above.
MK_GUEST_SMP=8 MK_GUEST_MACHINE="-M q35 -cpu qemu64,vendor=GenuineIntel" \
	MK_GUEST_APPEND="multikernel_pool=1G@0x140000000 multikernel_low=2" \
	"$REPO/harness/qemu-run" -t 900 -m 6G -f "$inst:/root/kselftest" -l "$log.scale" "$@" -- \
	'cd /root/kselftest && ./run_kselftest.sh -t multikernel:scale.sh' || rc=$?
cat "$log.scale" >> "$log"
rm -f "$log.scale"
if [ "$rc" -eq 0 ] && grep -q -E '^(# )?not ok ' "$log"; then
	mk_log "some selftests failed"
	rc=1
fi
exit "$rc"
