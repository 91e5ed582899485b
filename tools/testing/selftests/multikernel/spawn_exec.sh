#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Running kernels in instances, against the real kernel: the guest's own
# bzImage boots on pool CPUs and memory with a busybox initramfs
# (instance-init), and the test talks to it through its console from the
# host. It checks what the instance sees (CPUs, memory, command line), a
# KMP echo over the channel between the kernels, that refused transitions
# change nothing, that the host's direct map keeps only the control area
# of a running instance's memory, graceful and forced kills (after which
# the CPUs run host tasks and the memory reads back zero and mapped), ten
# exec/kill cycles, an instance that never says HELLO, two instances at
# once, and the lean instance kernel in 64 MiB. The host stays healthy
# throughout: a host task keeps counting, and the harness fails the run on
# any splat.

. "$(dirname "$0")/lib.sh"

D=$(cd "$(dirname "$0")" && pwd)
OUT=/tmp/spawn_out.$$
ERR=/tmp/spawn_err.$$
. "$D/spawn_lib.sh"

setup() {
	rollback_all &&
		kerf init --cpus=1-3 --apply && want_rc 0 &&
		kerf create web --cpus=2-3 --memory=112M && want_rc 0 &&
		kerf load web -k "$D/bzImage" -i "$D/instance.cpio.gz" -c "$CMDLINE mkt=web" &&
		want_rc 0
}

# The instance's memory, "BASE BYTES" in hex, as the pool_nonzero file takes it.
mem_of() {
	cat "$I/$1/memory"
}

exec_not_loaded() {
	kerf create idle --cpus=1 --memory=4M; want_rc 0 || return 1
	kerf exec idle
	want_rc 1 && err_has "instance-not-loaded" && err_has "(ENOENT)" &&
		status_is idle ready || return 1
	kerf delete idle; want_rc 0
}

boots() {
	kerf exec web; want_rc 0 && out_has "web is running: HELLO" &&
		status_is web running && grep -q "^hello_ms [0-9]" "$I/web/times" &&
		grep -q "^uptime_s [0-9]" "$I/web/times" &&
		wait_console web "instance: init on 2 CPUs" || return 1
	kerf show web; want_rc 0 &&
		out_has "^web (id [0-9]*): running for [0-9]* s (HELLO [0-9]* ms after exec)$"
}

what_it_sees() {
	local n kb ram

	n=$(icmd web nproc) && [ "$n" = 2 ] || { echo "nproc: $n"; return 1; }
	kb=$(icmd web "sed -n 's/^MemTotal: *\([0-9]*\) kB/\1/p' /proc/meminfo") &&
		[ "$kb" -gt 0 ] && [ "$kb" -le $((112 * 1024)) ] ||
		{ echo "MemTotal: $kb kB"; return 1; }
	icmd web "cat /proc/cmdline" | grep -q "mkt=web$" ||
		{ echo "cmdline: $(icmd web 'cat /proc/cmdline')"; return 1; }
	# RAM inside its 112 MiB, but for the pages of low memory it was
	# lent to start its own CPUs from.
	ram=$(icmd web "grep 'System RAM' /proc/iomem") || return 1
	echo "$ram" | while read -r range rest; do
		s=$((0x${range%-*}))
		e=$((0x${range#*-}))
		[ $s -ge $((0x28000000)) ] && [ $e -lt $((0x2f000000)) ] && continue
		[ $e -lt $((0x100000)) ] && [ $((e - s)) -lt 32768 ] && continue
		echo "System RAM outside the instance: $range"
		exit 1
	done
}

kmp_channel() {
	kmp_echo web "hello over KMP" &&
		grep -q "rx: msgs [1-9]" "$DBG/kmp/web" ||
		{ cat "$DBG/kmp/web"; return 1; }
}

# mapped_pages NAME: the pages of its memory the host's direct map has.
mapped_pages() {
	mem_of "$1" > "$DBG/pool_mapped" && cat "$DBG/pool_mapped"
}

# While it runs, the host keeps only its control area (1 MiB) mapped.
direct_map_hidden() {
	local n

	n=$(mapped_pages web) && [ "$n" = 256 ] ||
		{ echo "$n pages of web's memory in the direct map, not 256"; return 1; }
}

lent_cpus_stay_lent() {
	echo 1 > /sys/devices/system/cpu/cpu2/online 2>/dev/null &&
		{ echo "CPU 2 went online while lent"; return 1; }
	grep -q "^0-1$" /sys/devices/system/cpu/online ||
		{ echo "online: $(cat /sys/devices/system/cpu/online)"; return 1; }
}

refusals_change_nothing() {
	kerf load web -k "$D/bzImage"
	want_rc 1 && err_has "instance-busy" && err_has "(EBUSY)" &&
		status_is web running || return 1
	kerf unload web
	want_rc 1 && err_has "Device or resource busy" &&
		status_is web running || return 1
	kerf exec web
	want_rc 1 && err_has "already running" && status_is web running ||
		return 1
	kerf delete web
	want_rc 1 && err_has "instance-busy" && err_has "kill it first" &&
		status_is web running || return 1
	[ -d "$I/web" ] && icmd web "echo still" | grep -q still
}

# After a kill: CPU 2 takes host tasks and the memory reads back zero.
given_back() {
	echo 1 > /sys/devices/system/cpu/cpu2/online || return 1
	[ "$(taskset -c 2 sh -c 'cut -d" " -f39 /proc/self/stat')" = 2 ] ||
		{ echo "a host task did not run on CPU 2"; return 1; }
	mem_of web > "$DBG/pool_nonzero" && [ "$(cat "$DBG/pool_nonzero")" = 0 ] ||
		{ echo "$(cat "$DBG/pool_nonzero") bytes of web's memory not zero"; return 1; }
	set -- $(mem_of web)
	[ "$(mapped_pages web)" = $(($2 / 4096)) ] ||
		{ echo "$(mapped_pages web) pages of web's memory mapped back"; return 1; }
}

graceful_kill() {
	kerf kill web; want_rc 0 && status_is web "stopped: power off" &&
		grep -q "reboot: Power down" "$I/web/console" && given_back &&
		host_progressed
}

forced_kill_of_a_spinning_instance() {
	kerf exec web; want_rc 0 && wait_console web "instance: init" || return 1
	printf 'echo 1 > /sys/kernel/debug/multikernel_spin_irqs_off\n' > "$I/web/console"
	wait_console web "spinning with interrupts off" || return 1
	kerf kill --force web; want_rc 0 && status_is web "stopped: killed" &&
		given_back && host_progressed
}

ten_cycles() {
	local i=0

	while [ $i -lt 10 ]; do
		kerf exec web
		want_rc 0 && wait_console web "instance: init" ||
			{ echo "cycle $i: $(cat "$I/web/status")"; return 1; }
		kerf kill web
		want_rc 0 || { echo "cycle $i: $(cat "$I/web/status")"; return 1; }
		i=$((i + 1))
	done
	status_is web "stopped: power off" && host_progressed
}

kill_when_stopped() {
	kerf kill web
	want_rc 1 && err_has "web does not run (stopped"
}

no_hello() {
	local old

	old=$(cat "$PARAMS/hello_timeout_ms")
	echo 20000 > "$PARAMS/hello_timeout_ms"
	kerf load --id="$(cat "$I/web/id")" -k "$D/bzImage" -i "$D/instance.cpio.gz" \
		-c "$CMDLINE initcall_blacklist=mk_instance_hello"
	want_rc 0 || return 1
	kerf exec web
	echo "$old" > "$PARAMS/hello_timeout_ms"
	want_rc 1 && err_has "exec-hello" && err_has "(ETIMEDOUT)" &&
		status_has web "failed: exec-hello: exec: no HELLO within 20000 ms" &&
		given_back
}

two_at_once() {
	local n

	rollback_all || return 1
	kerf create one --cpus=2 --memory=112M; want_rc 0 || return 1
	kerf create two --cpus=3 --memory=112M; want_rc 0 || return 1
	kerf load one -k "$D/bzImage" -i "$D/instance.cpio.gz" -c "$CMDLINE mkt=one"
	want_rc 0 || return 1
	kerf load two -k "$D/bzImage" -i "$D/instance.cpio.gz" -c "$CMDLINE mkt=two"
	want_rc 0 || return 1
	kerf exec one; want_rc 0 || return 1
	kerf exec two; want_rc 0 || return 1
	wait_console one "instance: init on 1 CPUs" &&
		wait_console two "instance: init on 1 CPUs" || return 1
	for n in one two; do
		[ "$(icmd $n nproc)" = 1 ] &&
			icmd $n "cat /proc/cmdline" | grep -q "mkt=$n$" ||
			{ echo "$n: $(icmd $n 'nproc; cat /proc/cmdline')"; return 1; }
	done
	! grep -q "mkt=two" "$I/one/console" && host_progressed || return 1
	kmp_echo one "to one" && kmp_echo two "to two" || return 1
	kerf kill one; want_rc 0 || return 1
	kerf kill two; want_rc 0 && grep -q "^0-3$" /sys/devices/system/cpu/online
}

# The lean instance kernel (kernel/configs/multikernel_instance.config)
# runs in 64 MiB: 2 CPUs, its memory, a KMP echo, a graceful kill.
lean_in_64m() {
	local kb

	rollback_all || return 1
	kerf create lean --cpus=2-3 --memory=64M; want_rc 0 || return 1
	kerf load lean -k "$D/bzImage-instance" -i "$D/instance.cpio.gz" -c "$CMDLINE"
	want_rc 0 || return 1
	kerf exec lean; want_rc 0 && wait_console lean "instance: init on 2 CPUs" ||
		return 1
	kb=$(icmd lean "sed -n 's/^MemTotal: *\([0-9]*\) kB/\1/p' /proc/meminfo") &&
		[ "$kb" -gt 0 ] && [ "$kb" -le $((64 * 1024)) ] ||
		{ echo "MemTotal: $kb kB"; return 1; }
	kmp_echo lean "lean" || return 1
	kerf kill lean; want_rc 0 && status_is lean "stopped: power off"
}

mk_require_root
ktap_print_header
ktap_set_plan 15
mount -t multikernel none "$MK_MNT" 2>/dev/null
mount -t debugfs none /sys/kernel/debug 2>/dev/null
[ -f "$D/instance.cpio.gz" ] || ktap_exit_fail_msg "no instance.cpio.gz"
setup || ktap_exit_fail_msg "cannot set up an instance web on CPUs 2-3"
host_counter
mk_check "exec of an instance with nothing loaded: ENOENT" exec_not_loaded
mk_check "exec: HELLO, status running, the console has the boot log" boots
mk_check "the instance sees 2 CPUs, its memory only, its command line" what_it_sees
mk_check "a KMP echo from the host to the instance" kmp_channel
mk_check "while it runs, the host's direct map has only its control area" \
	direct_map_hidden
mk_check "lent CPUs cannot be onlined by the host" lent_cpus_stay_lent
mk_check "load, unload, exec, rollback while running: refused, no change" \
	refusals_change_nothing
mk_check "graceful kill: powered off, CPU 2 back, memory zero" graceful_kill
mk_check "forced kill of an instance spinning with interrupts off" \
	forced_kill_of_a_spinning_instance
mk_check "exec then kill, ten times" ten_cycles
mk_check "kill of an instance that does not run: ESRCH" kill_when_stopped
mk_check "an instance that never says HELLO fails and gives its CPUs back" no_hello
mk_check "two instances at once, each with its own console and KMP echo" two_at_once
if [ -f "$D/bzImage-instance" ]; then
	mk_check "the lean instance kernel in 64 MiB" lean_in_64m
else
	ktap_test_skip "the lean instance kernel in 64 MiB: no bzImage-instance"
fi
mk_check "the host task counted all along" host_progressed
kill "$COUNTER"
for n in $(ls "$I"); do
	grep -q "^running$" "$I/$n/status" && echo force > "$I/$n/kill"
done
rollback_all
rm -f "$OUT" "$ERR" /tmp/spawn_count.$$
umount "$MK_MNT" 2>/dev/null
ktap_finished
