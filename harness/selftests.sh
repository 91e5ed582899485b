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
trap 'rm -f "$log"' EXIT
rc=0
"$REPO/harness/qemu-run" -t 900 -f "$inst:/root/kselftest" -l "$log" "$@" -- \
	'cd /root/kselftest && ./run_kselftest.sh' || rc=$?
if [ "$rc" -eq 0 ] && grep -q -E '^(# )?not ok ' "$log"; then
	mk_log "some selftests failed"
	rc=1
fi
exit "$rc"
