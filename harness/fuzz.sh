#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fuzz the shared parser, validator, overlay and placement code with
# libFuzzer, linked with the kernel tree's own libfdt:
#   harness/fuzz.sh [SECONDS]        (default 30; make check uses this)
# The corpus grows in $MK_CACHE/fuzz-corpus from run to run. A crash leaves
# its input in $MK_CACHE/fuzz-crashes; replay it with
#   $MK_CACHE/tools/fuzz_dt FILE
set -euo pipefail
. "$(dirname "$0")/lib.sh"

secs=${1:-30}
out=$MK_CACHE/tools/
corpus=$MK_CACHE/fuzz-corpus
crashes=$MK_CACHE/fuzz-crashes

"$REPO/harness/tree.sh"
make -s -C "$REPO/tools/multikernel" OUTPUT="$out" \
	LIBFDT_SRC="$SRC/scripts/dtc/libfdt" fuzz

# Seed with every sample and test tree, compiled by the real dtc.
mkdir -p "$corpus" "$crashes"
for f in "$REPO"/samples/multikernel/*.dts* "$REPO"/kernel/multikernel/kunit_*.dts*; do
	dtc -@ -q -I dts -O dtb -o "$corpus/seed-$(basename "$f").dtb" "$f"
done

mk_log "fuzzing for ${secs}s (corpus $corpus)"
cd "$crashes"
set +e
"$out/fuzz_dt" -max_total_time="$secs" -print_final_stats=1 \
	-artifact_prefix="$crashes/" "$corpus" > "$crashes/last.log" 2>&1
rc=$?
set -e
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$crashes/last.log")
if [ "$rc" -ne 0 ]; then
	grep -E 'ERROR|SUMMARY|runtime error|Test unit written' "$crashes/last.log" | sed 's/^/# /'
	echo "not ok - fuzz_dt found a crash (log: $crashes/last.log)"
	exit 1
fi
echo "ok - fuzz_dt: ${runs:-?} inputs in ${secs}s, no crash"
