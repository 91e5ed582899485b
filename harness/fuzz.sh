#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fuzz the shared parser, validator, overlay and placement code with
# libFuzzer, linked with the kernel tree's own libfdt (fuzz_dt), the KMP
# receiver on arbitrary shared memory (fuzz_kmp), and the host's readers
# of an instance's control area (fuzz_ctrl), each for SECONDS:
#   harness/fuzz.sh [SECONDS]        (default 30; make check uses this)
# The corpora grow in $MK_CACHE/fuzz-corpus{,-kmp,-ctrl} from run to run.
# A crash leaves its input in $MK_CACHE/fuzz-crashes; replay it with
#   $MK_CACHE/tools/fuzz_dt FILE     (or fuzz_kmp, fuzz_ctrl)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

secs=${1:-30}
out=$MK_CACHE/tools/
corpus=$MK_CACHE/fuzz-corpus
crashes=$MK_CACHE/fuzz-crashes

"$REPO/harness/tree.sh"
make -s -C "$REPO/tools/multikernel" OUTPUT="$out" srctree="$SRC" \
	LIBFDT_SRC="$SRC/scripts/dtc/libfdt" fuzz

# Seed with every sample and test tree, compiled by the real dtc.
mkdir -p "$corpus" "$crashes"
for f in "$REPO"/samples/multikernel/*.dts* "$REPO"/kernel/multikernel/kunit-data/*.dts*; do
	dtc -@ -q -I dts -O dtb -o "$corpus/seed-$(basename "$f").dtb" "$f"
done
# And the unsound shapes that were once accepted, as regression seeds.
for how in no-end after-root; do
	for f in baseline-qemu.dts qemu-web.dtso; do
		python3 "$REPO/tools/testing/selftests/multikernel/gen_unsound.py" "$how" \
			"$corpus/seed-$f.dtb" "$corpus/seed-$how-$f.dtb"
	done
done

# fuzz NAME CORPUS: run one target; say how it went.
fuzz()
{
	local rc runs

	mk_log "$1: fuzzing for ${secs}s (corpus $2)"
	cd "$crashes"
	set +e
	"$out/$1" -max_total_time="$secs" -print_final_stats=1 \
		-artifact_prefix="$crashes/" "$2" > "$crashes/$1.log" 2>&1
	rc=$?
	set -e
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$crashes/$1.log")
	if [ "$rc" -ne 0 ]; then
		grep -E 'ERROR|SUMMARY|runtime error|Test unit written' "$crashes/$1.log" |
			sed 's/^/# /'
		echo "not ok - $1 found a crash (log: $crashes/$1.log)"
		return 1
	fi
	echo "ok - $1: ${runs:-?} inputs in ${secs}s, no crash"
}

mkdir -p "$corpus-kmp"
python3 "$REPO/tools/multikernel/fuzz_ctrl_seed.py" "$corpus-ctrl"
rc=0
fuzz fuzz_dt "$corpus" || rc=1
fuzz fuzz_kmp "$corpus-kmp" || rc=1
fuzz fuzz_ctrl "$corpus-ctrl" || rc=1
exit "$rc"
