#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build kerf and the rest of tools/multikernel for the host, with ASan and
# UBSan so that a memory error or a leak fails the run, and run the host
# tests of kerf.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out=$MK_CACHE/tools-asan/
make -s -C "$REPO/tools/multikernel" OUTPUT="$out" \
	CC="gcc -fsanitize=address,undefined -fno-sanitize-recover=all" all
exec python3 "$REPO/tools/multikernel/tests/test_kerf_check.py" "$out/kerf" \
	"$REPO/samples/multikernel"
