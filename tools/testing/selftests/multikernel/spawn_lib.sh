# SPDX-License-Identifier: GPL-2.0
#
# What the selftests that run kernels in instances share: the instances'
# files, a shell in an instance through its console, and a host task that
# shows the host keeps running. Sourced after lib.sh.

I=$MK_MNT/instances
CMDLINE="console=hvc0 kunit.enable=0 acpi=off pci=off no_ipi_broadcast=1 io_delay=none"
PARAMS=/sys/module/multikernel/parameters
DBG=/sys/kernel/debug/multikernel

status_is() {
	[ "$(cat "$I/$1/status")" = "$2" ] ||
		{ echo "$1: status '$(cat "$I/$1/status")', want '$2'"; return 1; }
}

status_has() {
	grep -q -- "$2" "$I/$1/status" ||
		{ echo "$1: status '$(cat "$I/$1/status")' lacks '$2'"; return 1; }
}

# icmd NAME CMD: run CMD in the instance's shell, through its console, and
# print what it printed: the lines between two markers that the shell
# computes, so that the terminal's echo of the command line is no marker.
# The instance's kernel logs on the same console, between any two lines
# (a clocksource watchdog under TCG): its lines, which start with the log
# time, are no answer.
icmd() {
	local f=$I/$1/console start i=0 out

	start=$(wc -c < "$f")
	printf 'echo @@$((10+1)); %s; echo @@$((40+2))\n' "$2" > "$f" || return 1
	while [ $i -lt 300 ]; do
		out=$(tail -c +$((start + 1)) "$f" | tr -d '\r')
		case "$out" in *"@@42"*) break ;; esac
		sleep 0.1
		i=$((i + 1))
	done
	[ $i -lt 300 ] || { echo "$1: no answer to '$2'; console:"; echo "$out"; return 1; }
	echo "$out" | sed -n '/^@@11$/,/^@@42$/p' |
		sed -e '1d' -e '$d' -e '/^\[ *[0-9]*\.[0-9]*\] /d'
}

# wait_console NAME TEXT: until the instance's console has TEXT, 60 s at most.
wait_console() {
	local i=0

	while ! grep -q -- "$2" "$I/$1/console"; do
		[ $i -lt 600 ] || { echo "$1: no '$2' on the console"; return 1; }
		sleep 0.1
		i=$((i + 1))
	done
}

# A host task that counts; the file is replaced whole, never read half written.
host_counter() {
	( n=0; while :; do
		n=$((n + 1))
		echo $n > /tmp/spawn_count.$$.new
		mv /tmp/spawn_count.$$.new /tmp/spawn_count.$$
		sleep 0.2
	done ) &
	COUNTER=$!
}

host_progressed() {
	local a b

	a=$(cat /tmp/spawn_count.$$)
	sleep 1
	b=$(cat /tmp/spawn_count.$$)
	[ "$b" -gt "$a" ] || { echo "the host task stopped counting at $a"; return 1; }
}

rollback_all() {
	local tx

	for tx in $(ls "$MK_MNT/overlays" | sed -n 's/^tx_//p' | sort -rn); do
		rmdir "$MK_MNT/overlays/tx_$tx" || return 1
	done
}

# Milliseconds since boot, to 10 ms.
now_ms() {
	sed 's/^\([0-9]*\)\.\([0-9]*\) .*/\1\20/' /proc/uptime
}

# wait_status NAME PATTERN MS: until the status matches, MS at most.
wait_status() {
	local end=$(($(now_ms) + $3))

	while ! grep -q -- "$2" "$I/$1/status"; do
		[ "$(now_ms)" -lt $end ] ||
			{ echo "$1: '$(cat "$I/$1/status")' after $3 ms, want '$2'"; return 1; }
		sleep 0.05
	done
}

# trans_has NAME TEXT: a transition of the instance's, from its log.
trans_has() {
	grep -q -- "$2" "$I/$1/transitions" ||
		{ echo "$1: no transition '$2':"; cat "$I/$1/transitions"; return 1; }
}

# trans_ms NAME TEXT: when the last such transition was, ms since boot.
trans_ms() {
	grep -- "$2" "$I/$1/transitions" | tail -n 1 |
		sed 's/^[0-9]* \([0-9]*\)\.\([0-9][0-9][0-9]\).*/\1\2/'
}

# wait_in FILE TEXT MS: until FILE has TEXT, MS at most; else show it.
wait_in() {
	local end=$(($(now_ms) + $3))

	while ! grep -q -- "$2" "$1"; do
		[ "$(now_ms)" -lt $end ] ||
			{ echo "no '$2' after $3 ms in $1:"; cat "$1"; return 1; }
		sleep 0.05
	done
}

# wait_trans NAME TEXT MS: until the instance's log has such a transition.
wait_trans() {
	wait_in "$I/$1/transitions" "$2" "$3"
}

health_of() {
	sed -n "s/^$2 //p" "$I/$1/health"
}

# wait_log TEXT MS: until the recovery log has TEXT, MS at most; the
# steps after a failure run after the failure is in the transitions.
wait_log() {
	wait_in "$MK_MNT/recovery_log" "$1" "$2"
}

log_has() {
	grep -q -- "$1" "$MK_MNT/recovery_log" ||
		{ echo "recovery_log lacks '$1':"; cat "$MK_MNT/recovery_log"; return 1; }
}

# kmp_echo NAME TEXT: a KMP echo from the host to the instance's kernel.
kmp_echo() {
	echo "$1 $2" > "$DBG/kmp_echo" ||
		{ echo "$1: echo failed: $(cat "$DBG/kmp_echo")"; return 1; }
	grep -q "^$1: ${#2} bytes back in [0-9]* us$" "$DBG/kmp_echo" ||
		{ echo "$1: $(cat "$DBG/kmp_echo")"; return 1; }
}

# Platform interrupts (the doorbell vector) taken by host CPU $1 so far.
plt_on() {
	awk -v c=$(($1 + 2)) '$1 == "PLT:" { print $c }' /proc/interrupts
}

# beat_window CPU A B: 3 s of A's and B's heartbeats, each answering 5
# at least; PLT is then the doorbells host CPU CPU took, BEATS_A and
# BEATS_B the answers.
beat_window() {
	local p0 a0 b0

	p0=$(plt_on "$1")
	a0=$(health_of "$2" beats_answered)
	b0=$(health_of "$3" beats_answered)
	sleep 3
	PLT=$(($(plt_on "$1") - p0))
	BEATS_A=$(($(health_of "$2" beats_answered) - a0))
	BEATS_B=$(($(health_of "$3" beats_answered) - b0))
	[ "$BEATS_A" -ge 5 ] && [ "$BEATS_B" -ge 5 ] ||
		{ echo "answers in 3 s: $2 $BEATS_A, $3 $BEATS_B"; return 1; }
}

# spawn_begin PLAN: the KTAP header, the filesystems, and a skip where
# the lean instance kernel was not built.
spawn_begin() {
	mk_require_root
	ktap_print_header
	ktap_set_plan "$1"
	mount -t multikernel none "$MK_MNT" 2>/dev/null
	mount -t debugfs none /sys/kernel/debug 2>/dev/null
	[ -f "$D/bzImage-instance" ] ||
		{ ktap_skip_all "no lean instance kernel"; exit "$KSFT_SKIP"; }
}

# spawn_end: stop every instance that still runs, drop every transaction
# and unmount, for the next test.
spawn_end() {
	local n

	for n in $(ls "$I"); do
		grep -q -E "^(running|unresponsive)|resources held" "$I/$n/status" &&
			echo force > "$I/$n/kill"
	done
	rollback_all || grep . "$I"/*/status
	umount "$MK_MNT" 2>/dev/null
}
