#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The instance life cycle against the real kernel, with the lean instance
# kernel: an instance whose memory moved after its load boots where it
# is now, beside another that took its old place and keeps running; a
# kill during an endless restart loop (a kernel that panics at every
# boot) returns within its bound; exec, kill, unload, recover and
# readers of every file race for 200 rounds, clean under KASAN and
# lockdep; and a CPU that does not stop (a test hook makes the host skip
# its INIT, as VMX root operation would hold INIT off) keeps its
# instance quarantined, with its memory, until a kill stops it after all.
# What happened is read from each instance's transitions file, never by
# catching a short-lived status.

. "$(dirname "$0")/lib.sh"

D=$(cd "$(dirname "$0")" && pwd)
OUT=/tmp/lifecycle_out.$$
ERR=/tmp/lifecycle_err.$$
# The figures, printed at the end whatever the checks say.
TIMES=/tmp/lifecycle_times.$$
. "$D/spawn_lib.sh"

# The bound a kill must keep, in seconds: a start it interrupts gives up
# within 20 ms, then INIT, 64 MiB zeroed and the CPUs back, under TCG.
KILL_BOUND_S=15

load_lean() {
	kerf load "$1" -k "$D/bzImage-instance" -i "$D/instance.cpio.gz" \
		-c "$CMDLINE $2"
}

# Each test starts from a baseline with no instances, whatever the one
# before it left, so that one failure does not make the next.
fresh() {
	local n

	echo -1 > "$DBG/stop_ignored_cpu"
	for n in $(ls "$I" 2>/dev/null); do
		grep -q -E "^(starting|running|unresponsive|failed|quarantined)" \
			"$I/$n/status" && echo force > "$I/$n/kill" 2>/dev/null
	done
	rollback_all && kerf init --cpus=1-3 --apply && want_rc 0
}

# The sequence that once wrote a's image into b's memory.
move_after_load() {
	local ram

	fresh || return 1
	kerf create a --cpus=2 --memory=64M --memory-base=0x30000000; want_rc 0 || return 1
	load_lean a; want_rc 0 || return 1
	kerf update a --memory-base=0x34000000; want_rc 0 || return 1
	kerf create b --cpus=3 --memory=64M --memory-base=0x30000000; want_rc 0 || return 1
	load_lean b; want_rc 0 || return 1
	kerf exec b; want_rc 0 && wait_console b "instance: init" || return 1
	kerf exec a; want_rc 0 && wait_console a "instance: init" || return 1
	# Only the ranges: kernel messages may come between the console's lines.
	ram=$(icmd a "grep 'System RAM' /proc/iomem" |
	      sed -n 's/^ *\([0-9a-f]*\)-\([0-9a-f]*\) : System RAM.*/\1 \2/p') || return 1
	[ -n "$ram" ] || { echo "a: no System RAM in /proc/iomem"; return 1; }
	echo "$ram" | while read -r s e; do
		[ $((0x$s)) -ge $((0x34000000)) ] && [ $((0x$e)) -lt $((0x38000000)) ] &&
			continue
		[ $((0x$e)) -lt $((0x100000)) ] && continue
		echo "a: System RAM outside its new memory: $s-$e"
		exit 1
	done || return 1
	[ "$(icmd b 'echo alive')" = alive ] && status_is b running || return 1
	kerf kill --force a; want_rc 0 || return 1
	kerf kill --force b; want_rc 0
}

# A memory that no longer holds the image: exec refuses and says why.
shrunk_after_load() {
	fresh || return 1
	kerf create c --cpus=2 --memory=64M; want_rc 0 || return 1
	load_lean c; want_rc 0 || return 1
	kerf update c --memory=4M; want_rc 0 || return 1
	kerf exec c
	want_rc 1 && err_has "image-size" && err_has "load it again" || return 1
	grep -q "^failed: " "$I/c/status" || grep -q "^loaded" "$I/c/status" ||
		{ cat "$I/c/status"; return 1; }
}

# rdinit= names no program: the kernel panics after HELLO, every boot.
kill_in_restart_loop() {
	local t0 t1 n

	fresh || return 1
	kerf create loop --cpus=2 --memory=64M; want_rc 0 || return 1
	load_lean loop "rdinit=/none init=/none"; want_rc 0 || return 1
	echo "on_failure restart restart_max 16 restart_window_s 600 vmcore off" \
		> "$I/loop/policy" || return 1
	kerf exec loop
	# Two boots that panicked, and a third under way.
	n=0
	while [ "$(grep -c ' exec failed starting' "$I/loop/transitions")" -lt 2 ]; do
		n=$((n + 1))
		[ $n -lt 1200 ] || { cat "$I/loop/transitions"; return 1; }
		sleep 0.1
	done
	t0=$(date +%s)
	echo force > "$I/loop/kill" || { echo "kill: $(cat "$I/loop/kill")"; return 1; }
	t1=$(date +%s)
	echo "kill during the restart loop returned in $((t1 - t0)) s" >> "$TIMES"
	[ $((t1 - t0)) -le $KILL_BOUND_S ] || return 1
	grep -q "^stopped" "$I/loop/status" ||
		{ cat "$I/loop/status" "$I/loop/transitions"; return 1; }
	# Nothing starts it again once the kill returned.
	n=$(tail -n 1 "$I/loop/transitions" | cut -d' ' -f1)
	sleep 2
	[ "$(tail -n 1 "$I/loop/transitions" | cut -d' ' -f1)" = "$n" ] ||
		{ echo "moved after the kill:"; cat "$I/loop/transitions"; return 1; }
	grep -q "^0-3$" /sys/devices/system/cpu/online ||
		{ echo "online: $(cat /sys/devices/system/cpu/online)"; return 1; }
	cat "$I/loop/memory" > "$DBG/pool_nonzero" &&
		[ "$(cat "$DBG/pool_nonzero")" = 0 ] ||
		{ echo "$(cat "$DBG/pool_nonzero") bytes not zero"; return 1; }
}

# One round: everything at once, on one instance.
race_round() {
	local d=$I/race

	[ -f "$d/image" ] && [ -s "$d/image" ] || load_lean race > /dev/null 2>&1
	echo 1 > "$d/exec" 2>/dev/null &
	echo force > "$d/kill" 2>/dev/null &
	echo recover > "$d/recover" 2>/dev/null &
	cat "$d/status" "$d/transitions" "$d/health" "$d/times" "$d/image" \
		"$d/policy" > /dev/null 2>&1 &
	head -c 4096 "$d/console" > /dev/null 2>&1 &
	[ $(($1 % 7)) -eq 0 ] && echo 1 > "$d/unload" 2>/dev/null &
	wait
}

race() {
	local i=0 t0

	fresh || return 1
	kerf create race --cpus=2-3 --memory=64M; want_rc 0 || return 1
	load_lean race; want_rc 0 || return 1
	t0=$(date +%s)
	while [ $i -lt 200 ]; do
		race_round $i
		i=$((i + 1))
	done
	echo "200 racing rounds in $(($(date +%s) - t0)) s" >> "$TIMES"
	echo force > "$I/race/kill" 2>/dev/null
	grep -q -v "^\(starting\|stopping\|running\)" "$I/race/status" ||
		{ cat "$I/race/status"; return 1; }
	grep -q "^0-3$" /sys/devices/system/cpu/online ||
		{ echo "online: $(cat /sys/devices/system/cpu/online)"; return 1; }
}

# CPU 3 ignores its stop: the instance is quarantined, and nothing of it
# goes back to the host, until a kill finds the CPU stopped after all.
quarantine() {
	local t0

	fresh || return 1
	kerf create q --cpus=2-3 --memory=64M; want_rc 0 || return 1
	load_lean q; want_rc 0 || return 1
	kerf exec q; want_rc 0 && wait_console q "instance: init" || return 1
	echo 3 > "$DBG/stop_ignored_cpu" || return 1
	t0=$(date +%s)
	kerf kill --force q; want_rc 1 && err_has "quarantined" || return 1
	echo "a kill that met a CPU that did not stop returned in $(($(date +%s) - t0)) s" \
		>> "$TIMES"
	status_has q "^quarantined: CPU 3 did not stop" || return 1
	grep -q " kill running stopping" "$I/q/transitions" &&
		grep -q " quarantine stopping quarantined" "$I/q/transitions" ||
		{ cat "$I/q/transitions"; return 1; }
	# CPU 2 stopped and came back; CPU 3 stays out, and cannot be onlined.
	grep -q "^0-2$" /sys/devices/system/cpu/online ||
		{ echo "online: $(cat /sys/devices/system/cpu/online)"; return 1; }
	echo 1 > /sys/devices/system/cpu/cpu3/online 2>/dev/null &&
		{ echo "CPU 3 went online"; return 1; }
	# Its memory is nobody else's, and nothing can take it from it.
	cat "$I/q/memory" > "$DBG/pool_nonzero" 2>/dev/null &&
		{ echo "its memory is free to read"; return 1; }
	kerf exec q; want_rc 1 && err_has "instance-busy" || return 1
	echo 1 > "$I/q/unload" 2>/dev/null && { echo "unloaded"; return 1; }
	kerf create r --cpus=1 --memory=64M --memory-base="$(cut -d' ' -f1 "$I/q/memory")"
	want_rc 1 || return 1
	kerf delete q; want_rc 1 && err_has "instance-busy" || return 1
	# The CPU stops after all: the next kill ends the quarantine.
	echo -1 > "$DBG/stop_ignored_cpu" || return 1
	t0=$(date +%s)
	kerf kill --force q; want_rc 0 || return 1
	echo "the kill that ended the quarantine returned in $(($(date +%s) - t0)) s" >> "$TIMES"
	status_is q "stopped: killed" || return 1
	grep -q "^0-3$" /sys/devices/system/cpu/online ||
		{ echo "online: $(cat /sys/devices/system/cpu/online)"; return 1; }
	cat "$I/q/memory" > "$DBG/pool_nonzero" &&
		[ "$(cat "$DBG/pool_nonzero")" = 0 ] ||
		{ echo "$(cat "$DBG/pool_nonzero") bytes not zero"; return 1; }
	kerf exec q; want_rc 0 && wait_console q "instance: init" || return 1
	kerf kill --force q; want_rc 0
}

spawn_begin 6
host_counter
mk_check "memory moved after load: it boots where it is now, the other runs on" \
	move_after_load
mk_check "memory shrunk after load: exec refused, load again" shrunk_after_load
mk_check "a kill during an endless restart loop returns within ${KILL_BOUND_S} s" \
	kill_in_restart_loop
mk_check "exec, kill, unload, recover and readers race for 200 rounds" race
mk_check "a CPU that does not stop is quarantined with its memory, until a kill stops it" \
	quarantine
mk_check "the host task counted all along" host_progressed
kill "$COUNTER"
fresh
rollback_all
[ -f "$TIMES" ] && sed 's/^/# /' "$TIMES"
rm -f "$OUT" "$ERR" "$TIMES" /tmp/spawn_count.$$
umount "$MK_MNT" 2>/dev/null
ktap_finished
