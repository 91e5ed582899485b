#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The command lines of kmorphctl and kerf as an operator copies them
# from the project's introduction, verbatim but for names and paths,
# against the lean instance kernel on CPU 1 ("svc") and CPU 2 ("db"), and
# the effect of each: a load by id with --verbose after it; policy show,
# set (heartbeat-timeout in seconds, auto-heal), export of every
# instance and import of the file; a spawn with a heartbeat timeout of 1,
# which is one second: a hang is failed after it; its vmcore captured,
# analyzed, stamped with the wall-clock time; the recovery log since
# "10 min ago" and since a clock time; and the terminate that follows.

. "$(dirname "$0")/lib.sh"

D=$(cd "$(dirname "$0")" && pwd)
OUT=/tmp/seed_out.$$
ERR=/tmp/seed_err.$$
POL=/tmp/seed_policy.$$
. "$D/spawn_lib.sh"

setup() {
	rollback_all && kerf init --cpus=1-3 --apply && want_rc 0 || return 1
	kerf create svc --cpus=1 --memory=64M; want_rc 0 || return 1
	kerf create db --cpus=2 --memory=64M; want_rc 0
}

load_by_id() {
	local id

	id=$(cat "$I/svc/id")
	kerf load -k "$D/bzImage-instance" -i "$D/instance.cpio.gz" -c "$CMDLINE" \
		--id="$id" --verbose
	want_rc 0 && err_has "instances/svc/load" && status_is svc loaded || return 1
	kerf load -k "$D/bzImage-instance" -i "$D/instance.cpio.gz" -c "$CMDLINE" --id=999
	want_rc 1 || return 1
	kerf exec svc; want_rc 0 && wait_console svc "instance: init"
}

policy_show() {
	kmorphctl policy show --instance=svc; want_rc 0 &&
		out_has "^heartbeat_timeout_ms " && out_has "^on_failure " || return 1
	kmorphctl policy show; want_rc 0 && out_has "^\[instance svc\]$" || return 1
	# db has no kernel loaded, hence no policy yet.
	! grep -q "^\[instance db\]$" "$OUT" || { cat "$OUT"; return 1; }
}

policy_set() {
	kmorphctl policy set heartbeat-timeout svc 30; want_rc 0 &&
		grep -q "^heartbeat_timeout_ms 30000$" "$I/svc/policy" &&
		grep -q "^heartbeat_interval_ms 1000$" "$I/svc/policy" || return 1
	kmorphctl policy set heartbeat-timeout svc 1500ms; want_rc 0 &&
		grep -q "^heartbeat_timeout_ms 1500$" "$I/svc/policy" || return 1
	kmorphctl policy set auto-heal svc enabled; want_rc 0 &&
		grep -q "^on_failure restart$" "$I/svc/policy" || return 1
	kmorphctl policy set auto-heal svc disabled; want_rc 0 &&
		grep -q "^on_failure reclaim$" "$I/svc/policy" || return 1
	# Refused whole, and nothing changes.
	kmorphctl policy set auto-heal svc sometimes; want_rc 1 &&
		err_has "neither enabled nor disabled" || return 1
	kmorphctl policy set heartbeat-timeout svc soon; want_rc 1 &&
		err_has "no duration" &&
		grep -q "^heartbeat_timeout_ms 1500$" "$I/svc/policy" &&
		grep -q "^on_failure reclaim$" "$I/svc/policy" || { cat "$I/svc/policy"; return 1; }
	kmorphctl policy set heartbeat-timeout svc 20
}

# Every instance's policy in one file; import sets them back, all or
# nothing.
policy_export_import() {
	kerf load db -k "$D/bzImage-instance" -i "$D/instance.cpio.gz" -c "$CMDLINE"
	want_rc 0 || return 1
	kmorphctl policy set heartbeat-timeout db 40; want_rc 0 || return 1
	kmorphctl policy export --output="$POL"; want_rc 0 || return 1
	grep -q "^\[instance svc\]$" "$POL" && grep -q "^\[instance db\]$" "$POL" &&
		grep -q "^heartbeat_timeout_ms 40000$" "$POL" || { cat "$POL"; return 1; }
	kmorphctl policy set heartbeat-timeout svc 25; want_rc 0 || return 1
	kmorphctl policy set heartbeat-timeout db 45; want_rc 0 || return 1
	kmorphctl policy import "$POL"; want_rc 0 &&
		out_has "policy of 2 instances imported" || return 1
	grep -q "^heartbeat_timeout_ms 20000$" "$I/svc/policy" &&
		grep -q "^heartbeat_timeout_ms 40000$" "$I/db/policy" ||
		{ cat "$I/svc/policy" "$I/db/policy"; return 1; }
	# db's half is refused by the kernel: svc's, written first, goes back.
	printf '[instance svc]\nheartbeat-timeout = 33\n[instance db]\nmissed_max = 0\n' > "$POL"
	kmorphctl policy import "$POL"; want_rc 1 && err_has "db: policy refused" &&
		grep -q "^heartbeat_timeout_ms 20000$" "$I/svc/policy" ||
		{ cat "$ERR" "$I/svc/policy"; return 1; }
	printf '[instance svc]\nheartbeat_timeout_ms\n= 3\n' > "$POL"
	kmorphctl policy import "$POL"; want_rc 1 && err_has "$POL:3: want KEY = VALUE"
}

# The seed's spawn, with a heartbeat timeout of 1: a second.
spawn_monitor() {
	local mon

	kerf kill svc; want_rc 0 || return 1
	"$D/kmorphctl" spawn svc --kernel="$D/bzImage-instance" \
		--initramfs="$D/instance.cpio.gz" --kernel-cmdline="$CMDLINE" \
		--heartbeat-timeout=1 --monitor > "$OUT" 2> "$ERR" &
	mon=$!
	wait_console svc "instance: init" && sleep 2 || { kill $mon; return 1; }
	kill $mon
	wait $mon 2>/dev/null
	out_has "svc is running" && out_has "^NAME  *STATUS" && out_has "^svc  *running" ||
		return 1
	grep -q "^heartbeat_timeout_ms 1000$" "$I/svc/policy" &&
		grep -q "^heartbeat_interval_ms 250$" "$I/svc/policy" ||
		{ cat "$I/svc/policy"; return 1; }
}

terminate() {
	kmorphctl terminate svc; want_rc 0 && wait_status svc "^stopped" 5000
}

# The second's timeout holds: a hang with interrupts off fails the
# instance after it and an interval (250 ms), TCG's slowness aside.
one_second() {
	local n

	kerf exec svc; want_rc 0 && wait_console svc "instance: init" || return 1
	kmorphctl policy set svc heartbeat-timeout=1 vmcore=on on_failure=reclaim
	want_rc 0 &&
		grep -q "^heartbeat_timeout_ms 1000$" "$I/svc/policy" ||
		{ cat "$I/svc/policy"; return 1; }
	date +%s > /tmp/seed_t0.$$
	printf 'echo 1 > /sys/kernel/debug/multikernel_spin_irqs_off\n' > "$I/svc/console"
	wait_console svc "spinning with interrupts off" &&
		wait_trans svc " failed: heartbeat: no answer" 10000 &&
		wait_log " svc RECOVERY_COMPLETE " 20000 || return 1
	n=$(sed -n 's/.* failed: heartbeat: no answer for \([0-9]*\) ms.*/\1/p' \
		"$I/svc/transitions" | tail -n 1)
	[ "$n" -ge 1000 ] && [ "$n" -le 2500 ] || { cat "$I/svc/transitions"; return 1; }
	echo "a 1 s heartbeat timeout: failed after no answer for $n ms"
}

vmcore_seed() {
	local t0 t

	kmorphctl vmcore capture svc --output=/tmp/seed_vmcore.$$; want_rc 0 || return 1
	kmorphctl vmcore analyze /tmp/seed_vmcore.$$; want_rc 0 || return 1
	t0=$(cat /tmp/seed_t0.$$)
	t=$(sed -n 's/.*CRASHTIME=\([0-9]*\).*/\1/p' "$OUT")
	[ -n "$t" ] && [ "$t" -ge "$t0" ] && [ "$t" -le "$(date +%s)" ] ||
		{ echo "CRASHTIME $t, not from $t0 to now"; cat "$OUT"; return 1; }
	rm -f /tmp/seed_vmcore.$$
}

recovery_log_since() {
	kmorphctl recovery-log --instance=svc --since="10 min ago"; want_rc 0 &&
		out_has " svc DETECTING_FAILURE heartbeat: no answer" || return 1
	kmorphctl recovery-log --since="$(date -d @$(($(date +%s) + 120)) '+%Y-%m-%d %H:%M:%S')"
	want_rc 0 && [ ! -s "$OUT" ] || { echo "lines from the future:"; cat "$OUT"; return 1; }
	kmorphctl recovery-log --since="$(date -d @$(($(cat /tmp/seed_t0.$$) - 60)) '+%H:%M')"
	want_rc 0 && out_has " svc CAPTURING_VMCORE " || return 1
	kmorphctl recovery-log --since="a while back"; want_rc 2 && err_has "10 min ago"
}

spawn_begin 9
setup || ktap_exit_fail_msg "cannot create instances svc on CPU 1 and db on CPU 2"
mk_check "kerf load -k -i -c --id=N --verbose loads by id, says its writes" load_by_id
mk_check "policy show --instance=NAME, and every instance's without it" policy_show
mk_check "policy set heartbeat-timeout NAME SECONDS, set auto-heal NAME enabled" \
	policy_set
mk_check "policy export --output=FILE of every instance, import FILE, all or nothing" \
	policy_export_import
mk_check "spawn NAME --heartbeat-timeout=1 --monitor: a timeout of 1 s" spawn_monitor
mk_check "terminate NAME after that spawn" terminate
mk_check "a hang is failed after that second" one_second
mk_check "vmcore capture NAME --output=PATH, analyze FILE: CRASHTIME is the time" \
	vmcore_seed
mk_check "recovery-log --since=\"10 min ago\", a clock time, a bad one refused" \
	recovery_log_since
spawn_end
rm -f "$OUT" "$ERR" "$POL" /tmp/seed_t0.$$
ktap_finished
