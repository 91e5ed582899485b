#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The multikernel KUnit suites that ran at boot, with this kernel's debug
# options (lockdep, KASAN), all passed. Each suite is reported as a test.

. "$(dirname "$0")/lib.sh"

results=/tmp/kunit_boot.$$
# Top-level KTAP suite results, without the printk timestamp.
dmesg | sed -n 's/^\[[^]]*\] //; /^\(not \)\{0,1\}ok [0-9][0-9]* multikernel/p' > "$results"

if [ ! -s "$results" ]; then
	rm -f "$results"
	ktap_skip_all "no multikernel KUnit results in the kernel log"
	exit "$KSFT_SKIP"
fi

ktap_print_header
ktap_set_plan "$(wc -l < "$results")"
while read -r line; do
	suite=${line##* }
	case "$line" in
	"not ok"*)
		dmesg | grep -B 8 "not ok" | sed 's/^/# /'
		ktap_test_fail "KUnit suite $suite"
		;;
	*)
		ktap_test_pass "KUnit suite $suite"
		;;
	esac
done < "$results"
rm -f "$results"
ktap_finished
