#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot the patched kernel and run the scripted walkthrough in it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$REPO/harness/tree.sh"
inst=$(mk_install_kselftests)
exec "$REPO/harness/qemu-run" -t 300 -f "$inst/multikernel:/root/mk" \
	-f "$REPO/harness/demo-guest.sh:/root/demo.sh" -- sh /root/demo.sh
