#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# vsock between the host and an instance, over their KMP channel, against
# the real kernel: the lean instance kernel runs on CPUs 1-2 ("vs") and
# mk_vsock runs on both sides. The instance's CID is its id plus 2. The
# host connects to a port the instance listens on and 100 MiB go each
# way, every byte checked and the checksums compared across the two; an
# instance that claims another CID is refused and reset, and the same
# connection from its own CID is accepted; a CID without an instance
# fails at once; the round trip is timed against KMP's echo underneath;
# and an instance killed mid-stream resets the host's connection, and
# nothing hangs.
#   vsock.sh [bench]    with "bench", only the figures

. "$(dirname "$0")/lib.sh"

D=$(cd "$(dirname "$0")" && pwd)
OUT=/tmp/vsock_out.$$
ERR=/tmp/vsock_err.$$
HOST=/tmp/vsock_host.$$
TIMES=/tmp/vsock_times.$$
. "$D/spawn_lib.sh"

BYTES=104857600
VS=$DBG/vsock

stat_of() {
	sed -n "s/^$2 //p" "$1"
}

# The instance's own figures, through its shell.
istat() {
	icmd vs "cat /sys/kernel/debug/multikernel/vsock" | tr -d '\r' | sed -n "s/^$1 //p"
}

# ibg CMD LOG: run CMD in the instance in the background, output to LOG
# there; wait until LOG has "listening".
ibg() {
	local i=0

	icmd vs "$1 > $2 2>&1 & :" || return 1
	until icmd vs "cat $2" | grep -q listening; do
		i=$((i + 1))
		[ $i -lt 50 ] ||
			{ echo "instance: '$1' does not listen:"; icmd vs "cat $2"; return 1; }
		sleep 0.2
	done
}

setup() {
	rollback_all && kerf init --cpus=1-3 --apply && want_rc 0 &&
		kerf create vs --cpus=1-2 --memory=64M && want_rc 0 &&
		kerf load vs -k "$D/bzImage-instance" -i "$D/instance.cpio.gz" -c "$CMDLINE" &&
		want_rc 0 && kerf exec vs && want_rc 0 && wait_console vs "instance: init" &&
		CID=$(($(cat "$I/vs/id") + 2))
}

cid_is_id_plus_2() {
	[ "$(istat local_cid)" = "$CID" ] ||
		{ echo "instance's local_cid $(istat local_cid), want $CID"; return 1; }
	[ "$(stat_of "$VS" local_cid)" = 2 ] ||
		{ echo "host's local_cid $(stat_of "$VS" local_cid), want 2"; return 1; }
}

# SIDE WHAT: the checksum SIDE ("host" or "vs") printed for WHAT.
sum_of() {
	if [ "$1" = host ]; then
		sed -n "s/^$2 $BYTES bytes .* sum //p" "$HOST"
	else
		icmd vs "cat /tmp/x.log" | tr -d '\r' | sed -n "s/^$2 $BYTES bytes .* sum //p"
	fi
}

exchange_100m() {
	local a b

	ibg "mk_vsock listen 5000 $BYTES" /tmp/x.log || return 1
	timeout 280 "$D/mk_vsock" connect "$CID" 5000 "$BYTES" > "$HOST" 2>&1 ||
		{ echo "host side failed:"; cat "$HOST"; icmd vs "cat /tmp/x.log"; return 1; }
	grep -E '^(sent|received)' "$HOST" | sed 's/^/vsock: host /' >> "$TIMES"
	a=$(sum_of host sent)
	b=$(sum_of vs received)
	[ -n "$a" ] && [ "$a" = "$b" ] ||
		{ echo "host sent sum '$a', instance got '$b'"; return 1; }
	a=$(sum_of vs sent)
	b=$(sum_of host received)
	[ -n "$a" ] && [ "$a" = "$b" ] ||
		{ echo "instance sent sum '$a', host got '$b'"; return 1; }
	[ "$(stat_of "$VS" malformed)" = 0 ] && [ "$(stat_of "$VS" lost)" = 0 ] ||
		{ echo "host counted bad packets:"; cat "$VS"; return 1; }
}

# The instance claims CID 99: refused with a reset, nothing accepted;
# then the same connect from its own CID is accepted.
wrong_cid_refused() {
	local before out pid cmd

	before=$(stat_of "$VS" refused)
	timeout 60 "$D/mk_vsock" listen 5001 8 > "$HOST" 2>&1 &
	pid=$!
	sleep 0.5
	cmd="echo 99 > $DBG/vsock_forge_cid; mk_vsock connect 2 5001 8"
	out=$(icmd vs "$cmd; echo 0 > $DBG/vsock_forge_cid")
	echo "$out" | grep -q "connect: Connection reset by peer" ||
		{ echo "forged connect: '$out'"; kill $pid; return 1; }
	[ "$(stat_of "$VS" refused)" -gt "$before" ] ||
		{ echo "host refused nothing:"; cat "$VS"; kill $pid; return 1; }
	grep -q accepted "$HOST" && { echo "host accepted the forged CID:"; cat "$HOST"; return 1; }
	out=$(icmd vs "mk_vsock connect 2 5001 8")
	wait $pid || { echo "host listener:"; cat "$HOST"; return 1; }
	grep -q "accepted from cid $CID " "$HOST" ||
		{ echo "want a connection from cid $CID:"; cat "$HOST"; return 1; }
	echo "$out" | grep -q "received 8 bytes" || { echo "instance: '$out'"; return 1; }
}

no_such_cid() {
	local t0 t1

	t0=$(date +%s)
	timeout 20 "$D/mk_vsock" connect 77 5000 8 > "$HOST" 2>&1 &&
		{ echo "connected to CID 77"; return 1; }
	t1=$(date +%s)
	grep -q "connect:" "$HOST" || { cat "$HOST"; return 1; }
	[ $((t1 - t0)) -lt 5 ] || { echo "took $((t1 - t0)) s to fail"; return 1; }
}

# Round trips of 64 bytes over vsock, and over KMP underneath (the
# median of 21 echoes), and the ratio.
figures() {
	local kmp vs i

	ibg "mk_vsock echo 5002" /tmp/e.log || return 1
	timeout 60 "$D/mk_vsock" ping "$CID" 5002 500 > "$HOST" 2>&1 || { cat "$HOST"; return 1; }
	vs=$(sed -n 's/.*, \([0-9.]*\) us each/\1/p' "$HOST")
	i=0
	while [ $i -lt 21 ]; do
		echo "vs 0123456789012345678901234567890123456789012345678901234567890123" \
			> "$DBG/kmp_echo" || return 1
		sed -n 's/.* back in \([0-9]*\) us.*/\1/p' "$DBG/kmp_echo"
		i=$((i + 1))
	done | sort -n | sed -n 11p > "$OUT"
	kmp=$(cat "$OUT")
	[ -n "$vs" ] && [ -n "$kmp" ] || { echo "no figures: vsock '$vs' kmp '$kmp'"; return 1; }
	echo "vsock: 64-byte round trip $vs us; KMP echo $kmp us; ratio" \
		"$(awk -v a="$vs" -v b="$kmp" 'BEGIN { printf "%.2f", a / (b ? b : 1) }')" \
		>> "$TIMES"
}

# The instance takes a stream and is killed: the host's writer learns of
# it with ECONNRESET, within seconds.
killed_mid_stream() {
	local pid i=0

	ibg "mk_vsock sink 5003" /tmp/k.log || return 1
	timeout 60 "$D/mk_vsock" stream "$CID" 5003 > "$HOST" 2>&1 &
	pid=$!
	until grep -q streaming "$HOST"; do
		i=$((i + 1))
		[ $i -lt 100 ] || { echo "no stream:"; cat "$HOST"; return 1; }
		sleep 0.1
	done
	sleep 1
	echo force > "$I/vs/kill" || return 1
	i=0
	while kill -0 $pid 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 100 ] ||
			{ echo "the host's writer still runs 10 s after the kill"; return 1; }
		sleep 0.1
	done
	grep -q "Connection reset by peer" "$HOST" || { cat "$HOST"; return 1; }
	echo "vsock: writer ended within $((i * 100 + 100)) ms of the kill:" \
		"$(grep 'stream ended' "$HOST")" >> "$TIMES"
	[ "$(stat_of "$VS" resets)" -ge 1 ] || { cat "$VS"; return 1; }
}

mk_require_root
mount -t multikernel none "$MK_MNT" 2>/dev/null
mount -t debugfs none /sys/kernel/debug 2>/dev/null
if [ "$1" = bench ]; then
	setup || { echo "cannot start the instance"; cat "$OUT" "$ERR"; exit 1; }
	exchange_100m && figures
	cat "$TIMES"
	echo force > "$I/vs/kill"
	rollback_all
	rm -f "$OUT" "$ERR" "$HOST" "$TIMES"
	exit 0
fi
ktap_print_header
ktap_set_plan 7
[ -f "$D/bzImage-instance" ] || { ktap_skip_all "no lean instance kernel"; exit "$KSFT_SKIP"; }
[ -f "$VS" ] || { ktap_skip_all "no vsock transport in this kernel"; exit "$KSFT_SKIP"; }
setup || { cat "$OUT" "$ERR" | sed "s/^/# /"
	ktap_exit_fail_msg "cannot start instance vs on CPUs 1-2"; }
host_counter
mk_check "the instance's CID is its id + 2, the host's 2" cid_is_id_plus_2
mk_check "100 MiB each way, every byte checked, checksums agree" exchange_100m
mk_check "a connection from the wrong CID is refused" wrong_cid_refused
mk_check "a CID without an instance fails at once" no_such_cid
mk_check "figures: vsock and KMP round trips" figures
mk_check "an instance killed mid-stream resets the host's connection" killed_mid_stream
mk_check "the host task counted all along" host_progressed
[ -f "$TIMES" ] && sed 's/^/# /' "$TIMES"
kill "$COUNTER"
rollback_all
rm -f "$OUT" "$ERR" "$HOST" "$TIMES" /tmp/spawn_count.$$
umount "$MK_MNT" 2>/dev/null
ktap_finished
