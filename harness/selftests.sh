#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the multikernel kselftests with the kernel's selftest Makefile and
# run them in the test guest with run_kselftest.sh. Extra arguments go to
# qemu-run (for example --log FILE).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$REPO/harness/tree.sh"
inst=$MK_CACHE/kselftest
rm -rf "$inst"
make -s -C "$SRC/tools/testing/selftests" TARGETS=multikernel \
	KSFT_INSTALL_PATH="$inst" install >/dev/null
exec "$REPO/harness/qemu-run" -t 900 -f "$inst:/root/kselftest" "$@" -- \
	'cd /root/kselftest && ./run_kselftest.sh'
