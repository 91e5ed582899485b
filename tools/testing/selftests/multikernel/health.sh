#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The host's heartbeat, recovery and crash capture, against the real
# kernel: the lean instance kernel runs on CPUs 1-2 ("sick") beside a
# second instance on CPU 3 ("peer"). A healthy instance stays running and
# its metrics move; a stall shorter than the timeout does not fail it; one
# that hangs with interrupts off is unresponsive, then failed within the
# timeout and an interval, its vmcore holds both CPUs' registers, and the
# restart policy boots it again; a panic is noticed at once, through its
# notifier, and its vmcore copied out; a reboot it asks for restarts it;
# an instance that panics at every boot stops being restarted at the
# limit; all kept vmcores stay within the machine's budget; kmorphctl
# spawns, lists, monitors and terminates one over the same files. The
# peer and the host keep running throughout. The vmcores are left in
# this directory for harness/vmcore-check.sh, which reads them with gdb
# on the build host.

. "$(dirname "$0")/lib.sh"

D=$(cd "$(dirname "$0")" && pwd)
OUT=/tmp/health_out.$$
ERR=/tmp/health_err.$$
TIMES=$D/health-times
. "$D/spawn_lib.sh"

# start NAME CPUS [CMDLINE...]: the lean kernel in 64 MiB, beating every
# 200 ms with a 3 s timeout.
start() {
	local name=$1 cpus=$2

	shift 2
	kerf create "$name" --cpus="$cpus" --memory=64M; want_rc 0 || return 1
	kerf load "$name" -k "$D/bzImage-instance" -i "$D/instance.cpio.gz" \
		-c "$CMDLINE $*"
	want_rc 0 || return 1
	echo "heartbeat_interval_ms 200 heartbeat_timeout_ms 3000" > "$I/$name/policy" ||
		return 1
	kerf exec "$name"; want_rc 0 && wait_console "$name" "instance: init"
}

setup() {
	rollback_all && kerf init --cpus=1-3 --apply && want_rc 0 &&
		start sick 1-2 && start peer 3 &&
		echo "heartbeat_interval_ms 1000 heartbeat_timeout_ms 10000" > "$I/peer/policy"
}

healthy() {
	local a b up1 up2

	sleep 1
	a=$(health_of sick beats_answered)
	up1=$(health_of sick uptime_ms)
	sleep 3
	b=$(health_of sick beats_answered)
	up2=$(health_of sick uptime_ms)
	status_is sick running || return 1
	[ "$b" -ge $((a + 8)) ] || { echo "answers $a then $b in 3 s"; return 1; }
	[ "$up2" -gt "$up1" ] || { echo "uptime $up1 then $up2"; return 1; }
	[ "$(health_of sick failures)" = 0 ] && [ "$(health_of sick nr_cpus)" = 2 ] &&
		[ "$(health_of sick mem_total_kb)" -le 65536 ] &&
		[ "$(health_of sick mem_free_kb)" -gt 0 ] ||
		{ cat "$I/sick/health"; return 1; }
	kmorphctl health sick; want_rc 0 && out_has "^cpu_permille " &&
		out_has "^mem_free_kb " && out_has "^work_delay_us " || return 1
	kmorphctl --format=json health sick --metrics=memory; want_rc 0 &&
		out_has '"mem_total_kb":' || return 1
	kmorphctl ping sick --count=2; want_rc 0 && out_has "round trip [0-9]* us"
}

# 2 s of CPU 0 with interrupts off: 3 beats missed after 1.4 s (200, 400
# and 800 ms apart), well within a timeout of 6 s, which leaves room for
# TCG's slowness.
transient_stall() {
	echo "heartbeat_timeout_ms 6000" > "$I/sick/policy" || return 1
	icmd sick "echo 2000 > /sys/kernel/debug/multikernel_stall_ms" > /dev/null ||
		return 1
	sleep 1
	status_is sick running && [ "$(health_of sick failures)" = 0 ] &&
		[ "$(health_of sick beats_missed)" -gt 0 ] ||
		{ cat "$I/sick/status" "$I/sick/health"; return 1; }
	log_has "sick MONITORING unresponsive: " &&
		log_has "sick MONITORING running again: answered after"
}

# A hang with interrupts off, on both CPUs: unresponsive after 2 missed
# beats (0.5 and 1.5 s), failed within 3 s and an interval of 500 ms, its
# registers saved by NMI, then restarted. TCG delays the host's ticks by
# up to ~200 ms, hence an interval of 500 ms here; on a loaded machine by
# more, so a tick may find both the second miss and the timeout, and the
# failure may come one more interval late.
hang_fails_and_restarts() {
	local t0 t1 t2 n line missed

	kmorphctl policy set sick heartbeat_timeout_ms=3000 heartbeat_interval_ms=500 \
		missed_max=2 on_failure=restart restart_max=2 vmcore=on
	want_rc 0 || return 1
	# One line, as the shell reads no more once CPU 0 spins.
	printf '%s & %s &\n' \
		'taskset -c 1 sh -c "echo 1 > /sys/kernel/debug/multikernel_spin_irqs_off"' \
		'taskset -c 0 sh -c "echo 1 > /sys/kernel/debug/multikernel_spin_irqs_off"' \
		> "$I/sick/console"
	wait_console sick "spinning with interrupts off" || return 1
	t0=$(now_ms)
	wait_trans sick " failed: heartbeat: no answer" 7000 || return 1
	t2=$(now_ms)
	# Two beats missed make it unresponsive first, however briefly, even
	# when one late tick counts the second miss and the timeout: the
	# transitions say so.
	line=$(grep " fail [a-z]* failed: heartbeat: no answer" "$I/sick/transitions" |
	       tail -n 1)
	missed=$(echo "$line" | sed -n 's/.*, \([0-9]*\) beats missed.*/\1/p')
	[ "${missed:-0}" -lt 2 ] || echo "$line" | grep -q " fail unresponsive failed: " ||
		{ cat "$I/sick/transitions"; return 1; }
	t1=$(trans_ms sick " late running unresponsive: ")
	# The kernel's own count, from the last answer: timeout plus an interval.
	n=$(sed -n 's/.* failed: heartbeat: no answer for \([0-9]*\) ms.*/\1/p' \
		"$I/sick/transitions" | tail -n 1)
	printf '%s %s\n' "hang: unresponsive at $t1 ms since boot, failed $((t2 - t0)) ms" \
		"after a CPU said it spins; no answer for $n ms when failed" >> "$TIMES"
	[ "$n" -ge 3000 ] && [ "$n" -le 4000 ] || { cat "$I/sick/transitions"; return 1; }
	wait_status sick "^running" 20000 && wait_console sick "instance: init" ||
		return 1
	log_has "sick DETECTING_FAILURE heartbeat: no answer for" &&
		log_has "sick CAPTURING_VMCORE 63 MiB, registers of 2 of 2 CPUs" &&
		log_has "sick RECLAIMING_RESOURCES CPUs stopped and returned" &&
		log_has "sick RESTARTING restart 1: running, said HELLO" &&
		log_has "sick RECOVERY_COMPLETE reclaimed and restarted" || return 1
	kmorphctl vmcore capture sick --output="$D/vmcore-hang"; want_rc 0 || return 1
	kmorphctl vmcore analyze "$D/vmcore-hang"; want_rc 0 &&
		[ "$(grep -c '^CPU [0-9]: pid [0-9]*,' "$OUT")" = 2 ] && out_has "OSRELEASE=" ||
		{ cat "$OUT"; return 1; }
}

# A panic: failed at once, not after the 60 s timeout; its vmcore copied.
panic_at_once() {
	local t0 t1

	kmorphctl policy set sick heartbeat-timeout=60 on_failure=reclaim
	want_rc 0 || return 1
	t0=$(now_ms)
	printf 'echo c > /proc/sysrq-trigger\n' > "$I/sick/console"
	wait_status sick "^failed: panic$" 5000 || return 1
	t1=$(now_ms)
	echo "panic: failed $((t1 - t0)) ms after the write to its console" >> "$TIMES"
	log_has "sick DETECTING_FAILURE panic" || return 1
	kmorphctl vmcore capture sick --output="$D/vmcore-panic"; want_rc 0 || return 1
	kmorphctl vmcore analyze "$D/vmcore-panic"; want_rc 0 &&
		out_has "^CPU 0: pid" && out_has "CRASHTIME=" || { cat "$OUT"; return 1; }
	grep -q "sysrq: Trigger a crash" "$I/sick/console" || return 1
	grep -q "^0-2$" /sys/devices/system/cpu/online ||
		{ echo "online: $(cat /sys/devices/system/cpu/online)"; return 1; }
	cat "$I/sick/memory" > "$DBG/pool_nonzero" &&
		[ "$(cat "$DBG/pool_nonzero")" = 0 ] ||
		{ echo "$(cat "$DBG/pool_nonzero") bytes not zero"; return 1; }
}

# A reboot the instance asks for is a failure under the restart policy:
# the same kernel comes back.
reboot_restarts() {
	kmorphctl policy set sick on_failure=restart restart_max=3 vmcore=off
	want_rc 0 || return 1
	kerf exec sick; want_rc 0 && wait_console sick "instance: init" || return 1
	printf 'reboot -f\n' > "$I/sick/console"
	wait_trans sick " fail running failed: restart" 10000 &&
		wait_status sick "^running$" 20000 && wait_console sick "instance: init" ||
		return 1
	log_has "sick DETECTING_FAILURE restart" &&
		log_has "sick RECOVERY_COMPLETE reclaimed and restarted" || return 1
	kerf kill sick; want_rc 0
}

# rdinit= names no program: the kernel panics after HELLO, every boot.
restart_limit() {
	kerf load sick -k "$D/bzImage-instance" -i "$D/instance.cpio.gz" \
		-c "$CMDLINE rdinit=/none init=/none"
	want_rc 0 || return 1
	kmorphctl policy set sick on_failure=restart restart_max=2 \
		restart_window_s=600 vmcore=off
	want_rc 0 || return 1
	kerf exec sick
	wait_status sick "restart limit reached" 60000 || return 1
	status_is sick "failed: panic (restart limit reached)" &&
		[ "$(health_of sick restarts)" = 2 ] || { cat "$I/sick/health"; return 1; }
	log_has "sick RESTARTING restart limit reached: 2 restarts within 600 s"
}

# All kept vmcores stay within the machine's budget: with the budget below
# what sick's own core takes, its next panic keeps no core, and says why.
vmcore_budget() {
	local held end

	held=$(health_of peer vmcore_held_mb)
	[ "$(health_of peer vmcore_budget_mb)" = 2048 ] && [ "$held" -ge 64 ] &&
		[ "$(health_of sick vmcore_held_mb)" = "$held" ] ||
		{ cat "$I/peer/health"; return 1; }
	echo 1 > "$PARAMS/vmcore_budget_mb" || return 1
	kerf load sick -k "$D/bzImage-instance" -i "$D/instance.cpio.gz" -c "$CMDLINE"
	want_rc 0 || return 1
	kmorphctl policy set sick on_failure=reclaim vmcore=on; want_rc 0 || return 1
	kerf exec sick; want_rc 0 && wait_console sick "instance: init" || return 1
	printf 'echo c > /proc/sysrq-trigger\n' > "$I/sick/console"
	wait_status sick "^failed: panic$" 5000 || return 1
	end=$(($(now_ms) + 10000))
	while ! grep -q "sick CAPTURING_VMCORE no vmcore: .* would pass vmcore_budget_mb 1;" \
			"$MK_MNT/recovery_log"; do
		[ "$(now_ms)" -lt $end ] || { log_has "would pass"; return 1; }
		sleep 0.05
	done
	[ "$(health_of peer vmcore_held_mb)" = "$held" ] || { cat "$I/peer/health"; return 1; }
}

# A late answer now and then is TCG's; unresponsive or failed would not be.
# kmorphctl over the same files: spawn, list, status, monitor, terminate.
kmorphctl_runtime() {
	kmorphctl spawn sick --kernel="$D/bzImage-instance" \
		--initramfs="$D/instance.cpio.gz" --kernel-cmdline="$CMDLINE" \
		--heartbeat-timeout=5
	want_rc 0 && out_has "sick is running" || return 1
	grep -q "^heartbeat_interval_ms 1000$" "$I/sick/policy" &&
		grep -q "^heartbeat_timeout_ms 5000$" "$I/sick/policy" ||
		{ cat "$I/sick/policy"; return 1; }
	kmorphctl list; want_rc 0 && out_has "^sick  *running" &&
		out_has "^peer  *running" || return 1
	kmorphctl --format=json status sick; want_rc 0 &&
		out_has '"status": "running"' && out_has '"hello_ms": [0-9]' || return 1
	sleep 2
	kmorphctl monitor --instance=sick --count=1; want_rc 0 &&
		out_has "^sick  *running  *MONITORING" || return 1
	kmorphctl heartbeat sick; want_rc 0 && out_has "^heartbeat_timeout_ms *5000" ||
		return 1
	kmorphctl recovery-log --instance=peer; want_rc 0 && [ ! -s "$OUT" ] || return 1
	kmorphctl terminate sick; want_rc 0 && status_is sick "stopped: power off"
}

peer_unharmed() {
	status_is peer running && [ "$(health_of peer failures)" = 0 ] &&
		[ "$(health_of peer beats_answered)" -gt 10 ] &&
		! grep -q " peer " "$MK_MNT/recovery_log" ||
		{ cat "$I/peer/health" "$MK_MNT/recovery_log"; return 1; }
	[ "$(icmd peer 'echo alive')" = alive ] && host_progressed
}

policy_refusals() {
	echo "heartbeat_timeout_ms 5" > "$I/peer/policy" 2>/dev/null &&
		{ echo "a 5 ms timeout was taken"; return 1; }
	kmorphctl policy set peer on_failure=sometimes
	want_rc 1 && err_has "health-policy" && err_has "none, reclaim or restart" ||
		return 1
	kmorphctl policy export peer --output=/tmp/health_policy.$$; want_rc 0 || return 1
	kmorphctl policy import peer /tmp/health_policy.$$; want_rc 0 &&
		grep -q "^heartbeat_interval_ms 1000$" "$I/peer/policy"
}

spawn_begin 11
rm -f "$TIMES" "$D"/vmcore-*
setup || ktap_exit_fail_msg "cannot start instances sick on CPUs 1-2 and peer on 3"
host_counter
mk_check "a healthy instance stays running, its metrics move" healthy
mk_check "a stall shorter than the timeout: unresponsive, not failed" transient_stall
mk_check "a hang: failed within the timeout, vmcore by NMI, restarted" \
	hang_fails_and_restarts
mk_check "a panic is noticed at once, its vmcore captured, resources back" \
	panic_at_once
mk_check "a reboot it asks for under the restart policy: it comes back" \
	reboot_restarts
mk_check "an instance that panics at every boot: restarts stop at the limit" \
	restart_limit
mk_check "all kept vmcores stay within the machine's budget" vmcore_budget
echo 2048 > "$PARAMS/vmcore_budget_mb"
mk_check "policy: bad values refused, export and import" policy_refusals
mk_check "kmorphctl: spawn, list, status, monitor, heartbeat, terminate" \
	kmorphctl_runtime
mk_check "the other instance kept running, never unresponsive" peer_unharmed
mk_check "the host task counted all along" host_progressed
# How long each step of the recoveries took, for the figures.
grep -E " sick (CAPTURING_VMCORE|RECLAIMING_RESOURCES|RESTARTING|RECOVERY_COMPLETE) " \
	"$MK_MNT/recovery_log" >> "$TIMES"
[ -f "$TIMES" ] && sed 's/^/# /' "$TIMES"
kill "$COUNTER"
spawn_end
rm -f "$OUT" "$ERR" /tmp/spawn_count.$$ /tmp/health_policy.$$
ktap_finished
