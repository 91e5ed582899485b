#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Resizing a running instance, against the real kernel: "web" runs on
# CPU 2 with 128 MiB and, by transactions (kerf update), gets CPU 3 while
# it runs (its kernel brings the CPU up, nproc says 2, a busy loop runs
# there) and gives it back (the host runs a task on it again); it gets
# 128 MiB more (MemTotal grows, the host's direct map has none of it) and
# gives them back (zeroed, mapped again); rmdir of the transaction that
# grew it shrinks it. Refused, with the state as it was and a finding:
# taking its boot CPU, a step the instance never answers (a test knob in
# it drops the message), memory not in 128 MiB blocks, and memory it
# cannot offline (a test knob pins a page of it). Ten cycles of both
# follow. Throughout, one vsock connection between a client in the host
# and a server in the instance stays up, the heartbeat never finds the
# instance late, and a host task counts.
# The time of a grow and of a shrink is printed beside a KMP round trip.

. "$(dirname "$0")/lib.sh"

D=$(cd "$(dirname "$0")" && pwd)
OUT=/tmp/resize_out.$$
ERR=/tmp/resize_err.$$
TIMES=/tmp/resize_times.$$
HOST=/tmp/resize_vsock.$$
UP=/tmp/resize_up.$$
. "$D/spawn_lib.sh"

CYCLES=10

setup() {
	rollback_all && kerf init --cpus=1-3 --apply && want_rc 0 || return 1
	kerf create web --cpus=2 --memory=128M; want_rc 0 || return 1
	kerf load web -k "$D/bzImage" -i "$D/instance.cpio.gz" -c "$CMDLINE"
	want_rc 0 && kerf exec web && want_rc 0 &&
		wait_console web "instance: init on 1 CPUs" &&
		CID=$(($(cat "$I/web/id") + 2))
}

nproc_is() {
	local n

	n=$(icmd web nproc) && [ "$n" = "$1" ] || { echo "nproc in web: $n, want $1"; return 1; }
}

host_online_is() {
	grep -q "^$1$" /sys/devices/system/cpu/online ||
		{ echo "host online: $(cat /sys/devices/system/cpu/online), want $1"; return 1; }
}

# The heartbeat's answers say N CPUs, within 20 s.
health_cpus_is() {
	local i=0

	until grep -q "^nr_cpus $1$" "$I/web/health"; do
		i=$((i + 1))
		[ $i -lt 100 ] ||
			{ echo "health: $(grep nr_cpus "$I/web/health"), want $1"; return 1; }
		sleep 0.2
	done
}

# The newest transaction's directory.
last_tx() {
	ls -d "$MK_MNT"/overlays/tx_* | sort -t_ -k2 -n | tail -1
}

# A vsock connection that lasts through every resize: an echo server in
# the instance, and pings from the host that stop only when killed.
vsock_start() {
	local i=0

	icmd web "mk_vsock echo 5010 > /tmp/echo.log 2>&1 & :" || return 1
	until icmd web "cat /tmp/echo.log" | grep -q listening; do
		i=$((i + 1))
		[ $i -lt 50 ] || { echo "no vsock server in web"; return 1; }
		sleep 0.2
	done
	"$D/mk_vsock" ping "$CID" 5010 1000000000 > "$HOST" 2>&1 &
	PING=$!
}

# The connection is still up: the client would have exited on an error.
vsock_works() {
	sleep 0.5
	kill -0 "$PING" 2>/dev/null || { echo "the vsock client stopped:"; cat "$HOST"; return 1; }
}

grow() {
	local online new loop out

	vsock_start && vsock_works || return 1
	kerf update web --cpus=2-3; want_rc 0 &&
		out_has "^web: resized resizing running: 2 CPUs, 128 MiB$" || return 1
	resize_us > "$UP"
	kmorphctl status web; want_rc 0 && out_has "^cpus 2-3$" &&
		out_has "^memory 0x28000000 0x8000000$" || return 1
	nproc_is 2 && host_online_is 0-1 && status_is web running &&
		grep -q " resize running resizing: from 1 to 2 CPUs, 128 to 128 MiB$" \
			"$I/web/transitions" &&
		grep -q " resized resizing running: 2 CPUs, 128 MiB$" "$I/web/transitions" ||
		{ cat "$I/web/transitions"; return 1; }
	# Its number for the new CPU: the one online besides its boot CPU.
	online=$(icmd web "cat /sys/devices/system/cpu/online")
	new=${online#0,}
	loop='i=0; while [ $i -lt 2000 ]; do i=$((i+1)); done; cut -d" " -f39 /proc/self/stat'
	[ "$new" != "$online" ] && out=$(icmd web "taskset -c $new sh -c '$loop'") &&
		[ "$out" = "$new" ] ||
		{ echo "no busy loop ran on web's new CPU (online: $online): $out"; return 1; }
	health_cpus_is 2 && vsock_works
}

shrink() {
	kerf update web --cpus=2; want_rc 0 || return 1
	echo "add one CPU: $(cat "$UP") us; remove it: $(resize_us) us" >> "$TIMES"
	nproc_is 1 && host_online_is 0-1,3 || return 1
	[ "$(taskset -c 3 sh -c 'cut -d" " -f39 /proc/self/stat')" = 3 ] ||
		{ echo "a host task did not run on CPU 3"; return 1; }
	health_cpus_is 1 && vsock_works
}

boot_cpu_refused() {
	kerf update web --cpus=3
	want_rc 1 && err_has "resize-boot-cpu" && err_has "(EINVAL)" || return 1
	grep -q "^2$" "$I/web/cpus" && nproc_is 1 && host_online_is 0-1,3 &&
		status_is web running
}

# The instance drops the step: the transaction fails after the timeout,
# and CPU 3 is the host's again.
no_answer_refused() {
	local old

	old=$(cat "$PARAMS/resize_timeout_ms")
	echo 3000 > "$PARAMS/resize_timeout_ms"
	icmd web "echo 1 > /sys/kernel/debug/multikernel_resize_drop" || return 1
	kerf update web --cpus=2-3
	want_rc 1 && err_has "resize-timeout" && err_has "(ETIMEDOUT)" &&
		err_has "no answer to the add step within 3000 ms" || return 1
	echo "$old" > "$PARAMS/resize_timeout_ms"
	grep -q "^2$" "$I/web/cpus" && nproc_is 1 && host_online_is 0-1,3 &&
		status_is web running && vsock_works
}

mem_total_kb() {
	icmd web "sed -n 's/^MemTotal: *\([0-9]*\) kB/\1/p' /proc/meminfo"
}

# The 128 MiB above its first 128 MiB, "BASE BYTES" as the debugfs files take it.
upper_half() {
	set -- $(cat "$I/web/memory")
	printf '%#x 0x8000000\n' $(($1 + 0x8000000))
}

# +128 MiB while it runs: MemTotal grows by it; the host's direct map
# keeps none of it.
mem_grow() {
	local before after

	before=$(mem_total_kb)
	kerf update web --memory=256M; want_rc 0 || return 1
	resize_us > "$UP"
	after=$(mem_total_kb)
	[ $((after - before)) -ge $((120 * 1024)) ] ||
		{ echo "MemTotal: $before kB, then $after kB"; return 1; }
	grep -q " resized resizing running: 1 CPUs, 256 MiB$" "$I/web/transitions" ||
		{ cat "$I/web/transitions"; return 1; }
	upper_half > "$DBG/pool_mapped" && [ "$(cat "$DBG/pool_mapped")" = 0 ] ||
		{ echo "$(cat "$DBG/pool_mapped") pages of the new memory mapped"; return 1; }
	vsock_works
}

mem_misaligned_refused() {
	kerf update web --memory=192M
	want_rc 1 && err_has "resize-memory" && err_has "(EINVAL)" &&
		err_has "blocks of 128 MiB" || return 1
	grep -q " 0x10000000$" "$I/web/memory" && status_is web running
}

# A page it holds in the new memory: the removal fails, it keeps it all.
mem_pinned_refused() {
	local before

	before=$(mem_total_kb)
	icmd web "echo 1 > /sys/kernel/debug/multikernel_pin_movable" || return 1
	kerf update web --memory=128M
	want_rc 1 && err_has "resize-refused" && err_has "(EIO)" &&
		err_has "the remove step failed in the instance" || return 1
	icmd web "echo 0 > /sys/kernel/debug/multikernel_pin_movable" || return 1
	[ "$(mem_total_kb)" = "$before" ] && grep -q " 0x10000000$" "$I/web/memory" &&
		status_is web running && vsock_works
}

# -128 MiB: MemTotal shrinks; the host has the memory back, zeroed.
mem_shrink() {
	local before after down

	before=$(mem_total_kb)
	kerf update web --memory=128M; want_rc 0 || return 1
	down=$(resize_us)
	after=$(mem_total_kb)
	[ $((before - after)) -ge $((120 * 1024)) ] ||
		{ echo "MemTotal: $before kB, then $after kB"; return 1; }
	upper_half > "$DBG/pool_nonzero" && [ "$(cat "$DBG/pool_nonzero")" = 0 ] ||
		{ echo "$(cat "$DBG/pool_nonzero") bytes given back not zero"; return 1; }
	upper_half > "$DBG/pool_mapped" && [ "$(cat "$DBG/pool_mapped")" = 32768 ] ||
		{ echo "$(cat "$DBG/pool_mapped") pages of it mapped back"; return 1; }
	echo "add 128 MiB: $(cat "$UP") us; remove it: $down us" >> "$TIMES"
	vsock_works
}

rmdir_shrinks() {
	kerf update web --cpus=2-3; want_rc 0 && nproc_is 2 || return 1
	rmdir "$(last_tx)" || return 1
	grep -q "^2$" "$I/web/cpus" && nproc_is 1 && host_online_is 0-1,3
}

# The time between the two transitions of the newest resize, in us.
resize_us() {
	grep -E " (resize|resized) " "$I/web/transitions" | tail -2 |
		awk '{ t[NR] = $2 } END { printf "%d", (t[2] - t[1]) * 1000000 }'
}

cycles() {
	local i=0 up=0 down=0 kmp

	while [ $i -lt $CYCLES ]; do
		kerf update web --cpus=2-3 --memory=256M; want_rc 0 && nproc_is 2 ||
			{ echo "cycle $i: grow"; return 1; }
		up=$((up + $(resize_us)))
		kerf update web --cpus=2 --memory=128M; want_rc 0 && nproc_is 1 ||
			{ echo "cycle $i: shrink"; return 1; }
		down=$((down + $(resize_us)))
		i=$((i + 1))
	done
	echo "web 0123456789012345678901234567890123456789012345678901234567890123" \
		> "$DBG/kmp_echo" || return 1
	kmp=$(sed -n 's/.* back in \([0-9]*\) us.*/\1/p' "$DBG/kmp_echo")
	echo "add one CPU and 128 MiB: $((up / CYCLES)) us; remove them:" \
		"$((down / CYCLES)) us (mean of $CYCLES); KMP round trip of 64 bytes: $kmp us" \
		>> "$TIMES"
	host_online_is 0-1,3 && vsock_works
}

# The host still watches it: a power off from inside is noticed.
still_watched() {
	local i=0

	printf 'poweroff -f\n' > "$I/web/console" || return 1
	until grep -q "^stopped: power off$" "$I/web/status"; do
		i=$((i + 1))
		[ $i -lt 100 ] || { echo "status: $(cat "$I/web/status")"; return 1; }
		sleep 0.1
	done
	host_online_is 0-3
}

never_late() {
	! grep -q " late " "$I/web/transitions" || { cat "$I/web/transitions"; return 1; }
	grep -q "^beats_answered [1-9]" "$I/web/health" || { cat "$I/web/health"; return 1; }
	vsock_works
}

mk_require_root
ktap_print_header
ktap_set_plan 13
mount -t multikernel none "$MK_MNT" 2>/dev/null
mount -t debugfs none /sys/kernel/debug 2>/dev/null
: > "$TIMES"
setup || ktap_exit_fail_msg "cannot start an instance web on CPU 2"
host_counter
mk_check "grow: CPU 3 comes up in the running instance, a task runs there; kerf says so" \
	grow
mk_check "shrink: CPU 3 goes back, the host runs a task on it" shrink
mk_check "taking its boot CPU is refused: resize-boot-cpu, nothing changes" \
	boot_cpu_refused
mk_check "a step it never answers: resize-timeout, nothing changes" no_answer_refused
mk_check "memory: +128 MiB while it runs, MemTotal grows, the host unmaps it" mem_grow
mk_check "memory not in 128 MiB blocks is refused: resize-memory" mem_misaligned_refused
mk_check "memory it cannot offline (a pinned page): resize-refused, it keeps it" \
	mem_pinned_refused
mk_check "memory: -128 MiB, MemTotal shrinks, the host has it back zeroed" mem_shrink
mk_check "rmdir of the transaction that grew it shrinks it" rmdir_shrinks
mk_check "$CYCLES grow and shrink cycles" cycles
mk_check "the heartbeat never found it late; one vsock connection lasted throughout" \
	never_late
mk_check "after it all, a power off from inside is noticed, every CPU back" still_watched
mk_check "the host task counted all along" host_progressed
sed 's/^/# /' "$TIMES"
kill "$COUNTER" "$PING" 2>/dev/null
grep -q "^running" "$I/web/status" && echo force > "$I/web/kill"
rollback_all
rm -f "$OUT" "$ERR" "$TIMES" "$HOST" "$UP" /tmp/spawn_count.$$
umount "$MK_MNT" 2>/dev/null
ktap_finished
