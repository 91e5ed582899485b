#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Each instance's channel on a host CPU of its own: with CPUs 2-3 in the
# pool and 0-1 kept by the host, "a" (CPU 2) gets host CPU 1 and "b"
# (CPU 3) host CPU 0; a's doorbells ring CPU 1 (the platform interrupts
# count there); CPU 1 cannot go offline while a rings it, and can once a
# is killed; with CPU 1 offline, a started again shares CPU 0, as it
# must; an instance whose tree names CPU 0 gets it though CPU 1 is free.
# Both heartbeats go on throughout.

. "$(dirname "$0")/lib.sh"

D=$(cd "$(dirname "$0")" && pwd)
OUT=/tmp/doorbell_out.$$
ERR=/tmp/doorbell_err.$$
TIMES=/tmp/doorbell_times.$$
. "$D/spawn_lib.sh"

start() {
	kerf load "$1" -k "$D/bzImage-instance" -i "$D/instance.cpio.gz" -c "$CMDLINE"
	want_rc 0 || return 1
	echo "heartbeat_interval_ms 200 heartbeat_timeout_ms 10000" > "$I/$1/policy" &&
		kerf exec "$1" && want_rc 0 && wait_console "$1" "instance: init"
}

setup() {
	rollback_all && kerf init --cpus=2-3 --apply && want_rc 0 || return 1
	kerf create a --cpus=2 --memory=64M; want_rc 0 || return 1
	kerf create b --cpus=3 --memory=64M; want_rc 0
}

# A CPU of its own each, CPU 0 last.
apart() {
	start a && [ "$(health_of a host_cpu)" = 1 ] ||
		{ echo "a:"; cat "$I/a/health"; return 1; }
	start b && [ "$(health_of b host_cpu)" = 0 ] ||
		{ echo "b:"; cat "$I/b/health"; return 1; }
}

# a's heartbeat answers ring CPU 1: its platform interrupts grow with
# them, and both instances keep answering.
rings_there() {
	beat_window 1 a b || return 1
	[ "$PLT" -ge $((BEATS_A / 2)) ] ||
		{ echo "CPU 1 took $PLT doorbells for $BEATS_A answers"; return 1; }
	echo "CPU 1: $PLT doorbells for a's $BEATS_A answers in 3 s" > "$TIMES"
}

stays_online() {
	echo 0 > /sys/devices/system/cpu/cpu1/online 2>/dev/null &&
		{ echo "CPU 1 went offline under a's doorbells"; return 1; }
	grep -q "^1$" /sys/devices/system/cpu/cpu1/online &&
		dmesg | grep -q "CPU 1 stays online: 1 instance rings its doorbells" ||
		{ dmesg | tail -5; return 1; }
	status_is a running
}

# Killed, a lets CPU 1 go; started again without it, a shares CPU 0.
shares_when_it_must() {
	kerf kill a; want_rc 0 || return 1
	echo 0 > /sys/devices/system/cpu/cpu1/online || return 1
	kerf exec a; want_rc 0 && wait_console a "instance: init" || return 1
	[ "$(health_of a host_cpu)" = 0 ] || { cat "$I/a/health"; return 1; }
	sleep 2
	status_is a running && status_is b running || return 1
	kerf kill a; want_rc 0 || return 1
	echo 1 > /sys/devices/system/cpu/cpu1/online
}

# The tree names the CPU: a pool CPU is refused; CPU 0, named, is taken
# though CPU 1 is free.
named_in_tree() {
	kerf delete a; want_rc 0 || return 1
	kerf create a --cpus=2 --memory=64M --doorbell-cpu=3
	want_rc 1 && err_has "doorbell-cpu" && err_has "(EINVAL)" || return 1
	kerf create a --cpus=2 --memory=64M --doorbell-cpu=0; want_rc 0 || return 1
	start a && [ "$(health_of a host_cpu)" = 0 ] || { cat "$I/a/health"; return 1; }
	kerf kill a; want_rc 0
}

spawn_begin 5
setup || ktap_exit_fail_msg "cannot create instances a on CPU 2 and b on CPU 3"
mk_check "each instance's doorbells on a host CPU of its own, CPU 0 last" apart
mk_check "a's doorbells ring its CPU; both heartbeats go on" rings_there
mk_check "a CPU that an instance's doorbells ring stays online" stays_online
mk_check "with one host CPU left, two instances share it" shares_when_it_must
mk_check "doorbell-cpu in the tree: a pool CPU refused, CPU 0 taken" named_in_tree
[ -f "$TIMES" ] && sed 's/^/# /' "$TIMES"
spawn_end
rm -f "$OUT" "$ERR" "$TIMES"
ktap_finished
