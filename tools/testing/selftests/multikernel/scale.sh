#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Past the small-machine limits, in a guest with 8 CPUs, its pool above
# 4 GiB and low RAM for two instances (multikernel_low=2;
# harness/selftests.sh boots one for this test alone; any other guest
# skips it): seven instances of one CPU each, started at once through the
# one start area, all running and each answering a KMP echo, five of them
# without low RAM; each instance's RAM lies above 4 GiB but for its low
# RAM; all seven killed at once, their CPUs back; then, with host CPUs
# 0-2, two instances' doorbells ring host CPUs 2 and 1, and CPU 0 takes
# none; and with both low pieces taken, an instance of two CPUs gets
# ENOSPC.

. "$(dirname "$0")/lib.sh"

D=$(cd "$(dirname "$0")" && pwd)
OUT=/tmp/scale_out.$$
ERR=/tmp/scale_err.$$
TIMES=/tmp/scale_times.$$
. "$D/spawn_lib.sh"

FOUR_G=$((0x100000000))
SEVEN="1 2 3 4 5 6 7"

load() {
	kerf load "$1" -k "$D/bzImage-instance" -i "$D/instance.cpio.gz" -c "$CMDLINE"
	want_rc 0
}

# exec_all NAME...: exec each at once; every one must say HELLO.
exec_all() {
	local n t0 bad=""

	t0=$(now_ms)
	for n in "$@"; do
		"$D/kerf" exec "$n" > "$OUT.$n" 2>&1 &
	done
	wait
	for n in "$@"; do
		grep -q "$n is running: HELLO" "$OUT.$n" ||
			{ bad=1; echo "$n:"; cat "$OUT.$n"; }
		rm -f "$OUT.$n"
	done
	[ -z "$bad" ] && echo "$# execs at once: $(($(now_ms) - t0)) ms" >> "$TIMES"
}

seven_at_once() {
	local i low

	low=$(dmesg | sed -n 's/.*low memory for \([0-9]*\) instances.*/\1/p')
	[ "$low" = 2 ] || { dmesg | grep multikernel; return 1; }
	rollback_all && kerf init --cpus=1-7 --apply && want_rc 0 || return 1
	for i in $SEVEN; do
		kerf create "s$i" --cpus="$i" --memory=64M && want_rc 0 &&
			load "s$i" || return 1
	done
	exec_all s1 s2 s3 s4 s5 s6 s7 || return 1
	for i in $SEVEN; do
		status_is "s$i" running && wait_console "s$i" "instance: init" ||
			return 1
	done
}

each_echoes() {
	local i

	for i in $SEVEN; do
		kmp_echo "s$i" "echo to s$i" || return 1
	done
}

# Two got the low RAM; the other five run on their boot CPU alone.
five_without_low() {
	local i n=0

	for i in $SEVEN; do
		[ "$(icmd "s$i" "dmesg | grep -c 'boot CPU alone'")" = 1 ] && n=$((n + 1))
	done
	[ "$n" = 5 ] || { echo "$n instances without low RAM"; return 1; }
}

# Its memory in the host's view, and the RAM its kernel has: above 4 GiB
# but for the few low pages lent for its real-mode trampoline.
above_4g() {
	local i base ram

	for i in $SEVEN; do
		base=$(cut -d' ' -f1 "$I/s$i/memory")
		[ $((base)) -ge $FOUR_G ] || { echo "s$i at $base"; return 1; }
		ram=$(icmd "s$i" "grep 'System RAM' /proc/iomem") || return 1
		echo "$ram" | while read -r range rest; do
			s=$((0x${range%-*}))
			e=$((0x${range#*-}))
			[ $s -ge $((base)) ] && continue
			[ $e -lt $((0x100000)) ] && [ $((e - s)) -lt 32768 ] && continue
			echo "s$i: System RAM below its memory: $range"
			exit 1
		done || return 1
	done
}

kill_all() {
	local i

	for i in $SEVEN; do
		"$D/kerf" kill "s$i" > "$OUT.s$i" 2>&1 &
	done
	wait
	for i in $SEVEN; do
		status_is "s$i" "stopped: power off" ||
			{ cat "$OUT.s$i"; return 1; }
		rm -f "$OUT.s$i"
		grep -q "^1$" "/sys/devices/system/cpu/cpu$i/online" ||
			{ echo "CPU $i is not back online"; return 1; }
	done
}

start_beating() {
	load "$1" || return 1
	echo "heartbeat_interval_ms 200 heartbeat_timeout_ms 10000" > "$I/$1/policy"
}

# Host CPUs 0-2: the two channels on CPUs 2 and 1, none on CPU 0, which
# takes no doorbells while both heartbeats go on.
doorbells_off_cpu0() {
	local ha hb

	for i in $SEVEN; do
		kerf delete "s$i" || return 1
	done
	rollback_all && kerf init --cpus=3-7 --apply && want_rc 0 &&
		kerf create a --cpus=3 --memory=64M && want_rc 0 &&
		kerf create b --cpus=4 --memory=64M && want_rc 0 || return 1
	start_beating a && start_beating b && exec_all a b || return 1
	ha=$(health_of a host_cpu)
	hb=$(health_of b host_cpu)
	# The two execs race: either may come first and get CPU 2.
	[ "$ha$hb" = 21 ] || [ "$ha$hb" = 12 ] ||
		{ echo "host CPUs: a $ha, b $hb"; return 1; }
	beat_window 0 a b || return 1
	[ "$PLT" -le 2 ] || { echo "CPU 0 took $PLT doorbells"; return 1; }
	echo "host CPUs $ha and $hb; CPU 0: $PLT doorbells in 3 s" >> "$TIMES"
}

# a and b hold both pieces of low RAM: two CPUs cannot start without.
two_cpus_need_low() {
	kerf create c --cpus=5-6 --memory=64M && want_rc 0 && load c || return 1
	kerf exec c
	want_rc 1 && err_has "exec-window" && err_has "(ENOSPC)" &&
		! grep -q "^running" "$I/c/status" || return 1
	kerf kill a; want_rc 0 || return 1
	kerf exec c; want_rc 0 && wait_console c "instance: init on 2 CPUs"
}

mk_require_root
if [ "$(grep -c ^processor /proc/cpuinfo)" -lt 8 ] ||
	! grep -q "multikernel_pool=[0-9a-zA-Z]*@0x1[0-9a-f]\{8\}" /proc/cmdline; then
	ktap_print_header
	ktap_skip_all "needs 8 CPUs, a pool above 4 GiB, multikernel_low=2 (harness/selftests.sh)"
	exit "$KSFT_SKIP"
fi
spawn_begin 7
rm -f "$TIMES"

mk_check "7 instances of 1 CPU, started at once, all running" seven_at_once
mk_check "each of the 7 answers a KMP echo" each_echoes
mk_check "5 of them started without low RAM, on their boot CPU alone" five_without_low
mk_check "each one's RAM lies above 4 GiB, but for its low RAM" above_4g
mk_check "all 7 killed at once, every CPU back online" kill_all
mk_check "two channels on host CPUs 2 and 1, none on CPU 0" doorbells_off_cpu0
mk_check "both low pieces taken: 2 CPUs get ENOSPC, then start" two_cpus_need_low

[ -f "$TIMES" ] && sed 's/^/# /' "$TIMES"
rm -f "$OUT" "$ERR" "$TIMES"
spawn_end
ktap_finished
