#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build kerf and the rest of tools/multikernel for the host, with ASan and
# UBSan so that a memory error or a leak fails the run, and run the host
# tests of kerf and of the rule table.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out=$MK_CACHE/tools-asan/
# The user-space build takes tools/include and tools/lib from the tree.
"$REPO/harness/tree.sh"
make -s -C "$REPO/tools/multikernel" OUTPUT="$out" srctree="$SRC" \
	CC="gcc -fsanitize=address,undefined -fno-sanitize-recover=all" all tests
rc=0
python3 -B "$REPO/tools/multikernel/tests/test_kerf_check.py" "$out/kerf" \
	"$REPO/samples/multikernel" || rc=1
python3 -B "$REPO/tools/multikernel/tests/test_rules.py" "$out" "$REPO" || rc=1
python3 -B "$REPO/tools/multikernel/tests/test_console_escape.py" "$out" || rc=1
python3 -B "$REPO/tools/multikernel/tests/test_kmorph_conf.py" "$out" "$REPO" || rc=1
exit $rc
