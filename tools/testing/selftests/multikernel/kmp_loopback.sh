#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# KMP over a loopback channel between two CPUs, with real doorbells: a
# sustained exchange of messages of random sizes up to 1 MiB, every one
# checked by the receiver, then the benchmark's ratios to its floors
# (printed, not judged: the VM runs under emulation).

. "$(dirname "$0")/lib.sh"

KMP=/sys/kernel/debug/multikernel/kmp
COUNT=${KMP_COUNT:-100000}

# field NAME: the number after NAME in the exercise's result
field() {
	sed -n "s/.* $1 \([0-9-]*\).*/\1/p; s/^$1 \([0-9-]*\).*/\1/p" /tmp/kmp_ex.$$ |
		head -n 1
}

exchange() {
	echo "$COUNT 12345" > "$KMP/exercise" || return 1
	cat "$KMP/exercise" > /tmp/kmp_ex.$$
	[ "$(field error)" = 0 ] && [ "$(field sent)" = "$COUNT" ] &&
		[ "$(field received)" = "$COUNT" ] && [ "$(field bad)" = 0 ] &&
		[ "$(field calls_bad)" = 0 ] && [ "$(field calls)" -gt 0 ] &&
		! grep -q -E "(dropped|crc_errors|bad_magic|bad_index) [1-9]" /tmp/kmp_ex.$$
}

two_cpus() {
	grep -q "^cpus [0-9]* [0-9]* doorbell" /tmp/kmp_ex.$$ &&
		! grep -q "^cpus \([0-9]*\) \1 " /tmp/kmp_ex.$$
}

doorbell_is_ipi() {
	[ "$(uname -m)" != x86_64 ] || grep -q "doorbell x86-platform-ipi" /tmp/kmp_ex.$$
}

bench() {
	echo 1 > "$KMP/bench" && grep -q "^bulk: 1024 KiB" "$KMP/bench" &&
		! grep -q "error" "$KMP/bench"
}

mk_require_root
ktap_print_header
ktap_set_plan 4
mount -t debugfs none /sys/kernel/debug 2>/dev/null
[ -d "$KMP" ] || { ktap_skip_all "no $KMP (CONFIG_DEBUG_FS?)"; exit "$KSFT_SKIP"; }
mk_check "$COUNT messages up to 1 MiB, all verified, none lost" exchange
mk_check "the endpoints are on two CPUs" two_cpus
mk_check "doorbells are IPIs on x86" doorbell_is_ipi
mk_check "benchmark against a ping-pong and memcpy" bench
# The figures, for the log.
sed 's/^/# /' /tmp/kmp_ex.$$ "$KMP/bench"
rm -f /tmp/kmp_ex.$$
ktap_finished
