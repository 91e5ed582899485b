#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kmorphd against the real kernel, with busybox's syslogd as the system
# log: /etc/kmorph/kmorph.conf spawns "a" on CPU 1 when the daemon starts
# and sets its policy; "b" on CPU 2 is started by hand. The daemon starts,
# says its status, and stops; a reload changes a policy; a panic of "a"
# reaches syslog, the history and a hook; the metrics pass promtool and
# show the failure; kill -9 of the daemon leaves the instances running
# and monitored by the kernel, and the restarted daemon records what
# failed meanwhile, once; the history outlives the daemon, and lines of
# an earlier boot show in recovery-log. The daemon's CPU time over the
# test is printed.

. "$(dirname "$0")/lib.sh"

D=$(cd "$(dirname "$0")" && pwd)
OUT=/tmp/kmorphd_out.$$
ERR=/tmp/kmorphd_err.$$
CONF=/etc/kmorph/kmorph.conf
STATE=/var/lib/kmorph
LOG=/tmp/kmorphd_syslog.$$
HOOKS=/tmp/kmorphd_hooks.$$
. "$D/spawn_lib.sh"

# conf TIMEOUT: the configuration, with a's heartbeat timeout in seconds.
conf() {
	mkdir -p /etc/kmorph
	cat > "$CONF" <<EOF
# kmorphd.sh
[daemon]
listen = 127.0.0.1:9477
hook-timeout = 5

[hooks]
failed = $D/kmorphd-hook
recovered = $D/kmorphd-hook

[instance a]
spawn = yes
kernel = $D/bzImage-instance
initramfs = $D/instance.cpio.gz
kernel-cmdline = $CMDLINE
heartbeat-timeout = $1
auto-heal = disabled
vmcore = off
EOF
}

# The metrics are served on 127.0.0.1.
lo_up() {
	ip link set lo up 2>/dev/null || ifconfig lo 127.0.0.1 up
}

daemon_pid() {
	cat /run/kmorphd.pid 2>/dev/null
}

syslog_has() {
	local i=0

	until grep -q -- "$1" "$LOG"; do
		i=$((i + 1))
		[ $i -lt 100 ] || { echo "syslog lacks '$1':"; cat "$LOG"; return 1; }
		sleep 0.1
	done
}

setup() {
	rollback_all && kerf init --cpus=1-3 --apply && want_rc 0 || return 1
	kerf create a --cpus=1 --memory=64M; want_rc 0 || return 1
	kerf create b --cpus=2 --memory=64M; want_rc 0 || return 1
	rm -rf "$STATE" "$LOG" "$HOOKS"
	printf '#!/bin/sh\necho "$1 $2 $KMORPH_INSTANCE: $KMORPH_TEXT" >> %s\n' "$HOOKS" \
		> "$D/kmorphd-hook"
	chmod +x "$D/kmorphd-hook"
	lo_up || return 1
	syslogd -n -O "$LOG" &
	SYSLOGD=$!
	sleep 0.5
	conf 30
}

start_status_stop() {
	kmorphctl daemon start; want_rc 0 && out_has "kmorphd started, pid [0-9]*" ||
		return 1
	wait_status a "^running$" 20000 && wait_console a "instance: init" || return 1
	grep -q "^heartbeat_timeout_ms 30000$" "$I/a/policy" &&
		grep -q "^on_failure reclaim$" "$I/a/policy" || { cat "$I/a/policy"; return 1; }
	kmorphctl daemon start; want_rc 1 && err_has "already runs" || return 1
	kmorphctl daemon status; want_rc 0 && out_has "^kmorphd: running, pid $(daemon_pid)" ||
		return 1
	syslog_has "kmorphd\[$(daemon_pid)\]: started" && syslog_has "a: spawned" ||
		return 1
	kmorphctl daemon stop; want_rc 0 || return 1
	kmorphctl daemon status; want_rc 1 && out_has "^kmorphd: not running" &&
		status_is a running || return 1
	kmorphctl daemon start; want_rc 0
}

reload_policy() {
	conf 45
	kmorphctl daemon reload; want_rc 0 &&
		grep -q "^heartbeat_timeout_ms 45000$" "$I/a/policy" ||
		{ cat "$ERR" "$I/a/policy"; return 1; }
	# A wrong line: the tool says where, and the daemon, told by SIGHUP
	# alone, keeps what it had.
	printf '[instance a]\nauto-heal = sometimes\n' >> "$CONF"
	kmorphctl daemon reload; want_rc 3 && err_has "kmorph.conf:19: see above" ||
		return 1
	kill -HUP "$(daemon_pid)"
	syslog_has "reload: $CONF refused" &&
		grep -q "^heartbeat_timeout_ms 45000$" "$I/a/policy" || return 1
	kmorphctl daemon status; want_rc 0 && err_has "going on with the lines before" ||
		return 1
	conf 45
}

# A panic: the kernel fails it; the daemon logs it and runs the hook.
failure_reported() {
	local i=0

	printf 'echo c > /proc/sysrq-trigger\n' > "$I/a/console"
	wait_status a "^failed: panic" 5000 || return 1
	syslog_has "kmorphd\[[0-9]*\]: a: fail: running -> failed: panic" &&
		syslog_has "a: recovery: DETECTING_FAILURE panic" || return 1
	until grep -q "^failed a a: panic" "$HOOKS" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 100 ] || { echo "no hook ran:"; cat "$HOOKS" "$LOG"; return 1; }
		sleep 0.1
	done
	grep -q " a fail running failed: panic$" "$STATE/events.log" &&
		grep -q " a DETECTING_FAILURE panic" "$STATE/recovery.log" ||
		{ cat "$STATE/events.log" "$STATE/recovery.log"; return 1; }
}

metrics() {
	local i=0

	# The hook's end is counted once the daemon has reaped it.
	until wget -q -O "$OUT" http://127.0.0.1:9477/metrics &&
		grep -q '^kmorphd_hook_runs_total{hook="failed",result="ok"} 1$' "$OUT"; do
		i=$((i + 1))
		[ $i -lt 50 ] || { echo "no metrics, or no hook counted:"; cat "$OUT"; return 1; }
		sleep 0.1
	done
	[ -x "$D/promtool/promtool" ] || { echo "no promtool in $D/promtool"; return 1; }
	"$D/promtool/ld-linux-x86-64.so.2" --library-path "$D/promtool" \
		"$D/promtool/promtool" check metrics < "$OUT" > "$ERR" 2>&1 ||
		{ echo "promtool:"; cat "$ERR"; return 1; }
	out_has '^kmorph_instance_failures_total{instance="a"} 1$' &&
		out_has '^kmorph_instance_state{instance="a",state="failed"} 1$' &&
		out_has '^kmorph_instance_state{instance="a",state="running"} 0$' &&
		out_has '^kmorph_instance_heartbeats_answered_total{instance="a"} [1-9]' &&
		out_has '^kmorphd_hook_runs_total{hook="failed",result="ok"} 1$'
}

# kill -9: the kernel goes on watching. b's panic meanwhile is in the
# history once the daemon is back, and a's is not there twice.
kill9() {
	local pid beats

	kerf load b -k "$D/bzImage-instance" -i "$D/instance.cpio.gz" -c "$CMDLINE"
	want_rc 0 || return 1
	kerf exec b; want_rc 0 && wait_console b "instance: init" || return 1
	pid=$(daemon_pid)
	kill -9 "$pid"
	sleep 1
	beats=$(health_of b beats_answered)
	sleep 3
	[ "$(health_of b beats_answered)" -gt "$beats" ] && status_is b running ||
		{ cat "$I/b/health"; return 1; }
	printf 'echo c > /proc/sysrq-trigger\n' > "$I/b/console"
	wait_status b "^failed: panic" 5000 || return 1
	kmorphctl daemon status; want_rc 1 || return 1
	kmorphctl daemon start; want_rc 0 || return 1
	syslog_has "b: fail: running -> failed: panic" || return 1
	[ "$(grep -c " a fail running failed: panic$" "$STATE/events.log")" = 1 ] &&
		[ "$(grep -c " b fail running failed: panic$" "$STATE/events.log")" = 1 ] &&
		[ "$(grep -c " a DETECTING_FAILURE panic" "$STATE/recovery.log")" = 1 ] ||
		{ cat "$STATE/events.log" "$STATE/recovery.log"; return 1; }
}

# What the daemon kept outlives it; lines of another boot id, as after a
# host reboot, show before this boot's in recovery-log.
history_kept() {
	local boot OLD

	kmorphctl daemon stop; want_rc 0 || return 1
	boot=$(cat /proc/sys/kernel/random/boot_id)
	OLD=00000000-0000-4000-8000-000000000001
	sed "s/ $boot / $OLD /" "$STATE/recovery.log" \
		> "$STATE/recovery.log.1"
	kmorphctl recovery-log --instance=a; want_rc 0 &&
		out_has "^-- boot $OLD, from kmorphd's history --$" &&
		out_has "^-- this boot, $boot --$" || return 1
	[ "$(grep -c " a DETECTING_FAILURE panic" "$OUT")" = 2 ] || { cat "$OUT"; return 1; }
	kmorphctl --format=json recovery-log --instance=b; want_rc 0 &&
		out_has '"wall": "[0-9]*-[0-9]*-[0-9]*T' || return 1
	rm -f "$STATE/recovery.log.1"
	kmorphctl daemon start; want_rc 0
}

# The daemon's CPU time with 4 running instances over 60 s, and how often
# it woke (voluntary context switches): a benchmark for a guest with 5
# CPUs (harness/bench-kmorphd.sh), not a test.
bench() {
	local n pid t0 t1 w0 w1 hz

	lo_up && rollback_all && kerf init --cpus=1-4 --apply && want_rc 0 || return 1
	printf '[daemon]\nlisten = 127.0.0.1:9477\n' > /tmp/kmorphd_bench.conf
	for n in 1 2 3 4; do
		kerf create "i$n" --cpus="$n" --memory=64M && want_rc 0 &&
			kerf load "i$n" -k "$D/bzImage-instance" -i "$D/instance.cpio.gz" \
				-c "$CMDLINE" && want_rc 0 && kerf exec "i$n" && want_rc 0 ||
			return 1
	done
	kmorphctl daemon start --config=/tmp/kmorphd_bench.conf; want_rc 0 || return 1
	pid=$(daemon_pid)
	sleep 5
	t0=$(cut -d' ' -f14,15 /proc/$pid/stat | tr ' ' +)
	w0=$(sed -n 's/^voluntary_ctxt_switches:\t*//p' /proc/$pid/status)
	sleep 60
	t1=$(cut -d' ' -f14,15 /proc/$pid/stat | tr ' ' +)
	w1=$(sed -n 's/^voluntary_ctxt_switches:\t*//p' /proc/$pid/status)
	hz=$(getconf CLK_TCK 2>/dev/null || echo 100)
	echo "kmorphd: $(($t1 - ($t0))) ticks of CPU ($hz/s) and $((w1 - w0)) wakeups" \
		"in 60 s, with $(ls "$I" | wc -l) instances running"
	# Awake and watching all four: one scrape, and what it took.
	t0=$(now_ms)
	wget -q -O "$OUT" http://127.0.0.1:9477/metrics || return 1
	n=$(grep -c '^kmorph_instance_state{.*,state="running"} 1$' "$OUT")
	echo "kmorphd: a scrape of $(wc -c < "$OUT") bytes in $(($(now_ms) - t0)) ms," \
		"$n instances running"
	kmorphctl daemon stop --config=/tmp/kmorphd_bench.conf
	for n in 1 2 3 4; do
		echo force > "$I/i$n/kill"
	done
	rollback_all
}

if [ "${1-}" = bench ]; then
	mount -t multikernel none "$MK_MNT" 2>/dev/null
	bench || { cat "$OUT" "$ERR"; exit 1; }
	exit 0
fi
spawn_begin 6
setup || ktap_exit_fail_msg "cannot create instances a on CPU 1 and b on CPU 2"
mk_check "daemon start spawns what kmorph.conf says; status; stop; start" \
	start_status_stop
mk_check "daemon reload changes a policy; a wrong file is refused, nothing changes" \
	reload_policy
mk_check "a panic reaches syslog, the history and the failed hook" failure_reported
mk_check "the metrics pass promtool check metrics and show the failure" metrics
mk_check "kill -9 of the daemon: the kernel monitors on; the restart catches up once" \
	kill9
mk_check "the history outlives the daemon; an earlier boot's lines in recovery-log" \
	history_kept
pid=$(daemon_pid)
[ -n "$pid" ] &&
	echo "# kmorphd's CPU time: $(cut -d' ' -f14,15 /proc/$pid/stat) ticks (user, system)"
"$D/kmorphctl" daemon stop > /dev/null 2>&1
kill "$SYSLOGD" 2>/dev/null
spawn_end
rm -rf "$OUT" "$ERR" "$LOG" "$HOOKS" "$CONF" "$STATE" "$D/kmorphd-hook"
ktap_finished
