#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run every test: KUnit under UML, the host tests of kerf and of the rule
# table, a short fuzzing run, the x86_64 guest build, the static checks and
# the selftests in the guest (which also report the KUnit suites that ran
# at boot there), and gdb on the vmcores they leave. Every result is
# printed as it happens; the last line is the count of test cases and
# checks, "N passed, N failed".
#
# No "set -e": a failing step must not stop the steps after it, so that
# one run reports every failure; each step's status is counted instead.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

passed=0
failed=0
skipped=0
logs=$MK_CACHE/check
mkdir -p "$logs"

count()
{
	passed=$((passed + $1))
	failed=$((failed + $2))
}

# run NAME CMD...: run a step, show its output and keep a copy to count.
run()
{
	local name=$1 rc
	shift
	echo
	echo "=== $name"
	mk_step "$name" "$@" 2>&1 | tee "$logs/$name.log"
	rc=${PIPESTATUS[0]}
	return "$rc"
}

"$REPO/harness/deps.sh" || { echo "dependencies could not be installed"; exit 1; }

# KUnit under UML: kunit.py ends with "Ran N tests: passed: P[, failed: F]...".
run kunit "$REPO/harness/kunit.sh"
rc=$?
line=$(grep -E 'Ran [0-9]+ tests?:' "$logs/kunit.log" | tail -n 1)
p=$(echo "$line" | sed -n 's/.*passed: \([0-9]*\).*/\1/p')
f=$(echo "$line" | sed -n 's/.*failed: \([0-9]*\).*/\1/p')
f=${f:-0}
[ -z "$p" ] && p=0 && f=$((f + 1))
[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
count "$p" "$f"

run tools "$REPO/harness/tools-test.sh"
count "$(grep -c '^ok [0-9]* - ' "$logs/tools.log")" "$(grep -c '^not ok [0-9]* - ' "$logs/tools.log")"
grep -q -E '^[0-9]+ passed, [0-9]+ failed$' "$logs/tools.log" || count 0 1

run fuzz "$REPO/harness/fuzz.sh" 30
count "$(grep -c '^ok - ' "$logs/fuzz.log")" "$(grep -c '^not ok - ' "$logs/fuzz.log")"
grep -q -E '^(not )?ok - ' "$logs/fuzz.log" || count 0 1

# The lean instance kernel first: the selftests boot it in 64 MiB.
if run build-instance "$REPO/harness/build-x86.sh" instance; then
	count 1 0
else
	count 0 1
fi
if run build "$REPO/harness/build-x86.sh"; then
	count 1 0
	run image "$REPO/harness/image-test.sh"
	count "$(grep -c '^ok - ' "$logs/image.log")" "$(grep -c '^not ok - ' "$logs/image.log")"
	grep -q -E '^(not )?ok - ' "$logs/image.log" || count 0 1
	run structure "$REPO/harness/structure.sh"
	count "$(grep -c '^ok - ' "$logs/structure.log")" "$(grep -c '^not ok - ' "$logs/structure.log")"
	grep -q -E '^(not )?ok - ' "$logs/structure.log" || count 0 1
	run static "$REPO/harness/static.sh"
	count "$(grep -c '^ok - ' "$logs/static.log")" "$(grep -c '^not ok - ' "$logs/static.log")"

	# Each selftest prints its cases as nested "# ok N ..." lines; a test
	# that dies before reporting shows only as a top-level "not ok".
	run selftests "$REPO/harness/selftests.sh"
	rc=$?
	log=$logs/selftests.log
	p=$(grep -E '^# ok [0-9]+ ' "$log" | grep -c -v '# SKIP')
	skipped=$(grep -E '^# ok [0-9]+ ' "$log" | grep -c '# SKIP')
	f=$(grep -c -E '^# not ok [0-9]+ ' "$log")
	top=$(grep -c -E '^not ok [0-9]+ ' "$log")
	[ "$top" -gt 0 ] && [ "$f" -eq 0 ] && f=$top
	[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
	count "$p" "$f"

	# The vmcores the health selftest left, read with gdb on this host.
	run vmcore "$REPO/harness/vmcore-check.sh"
	count "$(grep -c '^ok - ' "$logs/vmcore.log")" "$(grep -c '^not ok - ' "$logs/vmcore.log")"
	grep -q -E '^(not )?ok - ' "$logs/vmcore.log" || count 0 1
else
	count 0 1
fi

echo
echo "logs: $logs"
echo "check: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
