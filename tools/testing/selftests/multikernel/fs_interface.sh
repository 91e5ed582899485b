#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Drive /sys/fs/multikernel end to end on the test VM's pool
# (samples/multikernel/baseline-qemu.dts, in multikernel_pool=256M@0x28000000):
# a baseline, overlays applied as transactions, the instances they create,
# refused changes that leave the state byte for byte as it was, rollbacks,
# and EPERM for non-root writers.

. "$(dirname "$0")/lib.sh"

D=$(cd "$(dirname "$0")" && pwd)
NEW=$MK_MNT/overlays/new
OUT=/tmp/mk_out.$$
SNAP=/tmp/mk_snap.$$

# write SRC DEST [BYTES]: one write(); the outcome and result go to $OUT.
write() { "$D/mk_write" "$@" > "$OUT" 2>&1; }
outcome() { sed -n 's/^write: //p' "$OUT"; }
want_outcome() { [ "$(outcome)" = "$1" ] || { cat "$OUT"; return 1; }; }
want_in_out() { grep -q -- "$1" "$OUT" || { cat "$OUT"; return 1; }; }
want_file() {
	[ "$(cat "$1")" = "$2" ] || { echo "$1: '$(cat "$1")', want '$2'"; return 1; }
}
snapshot() { cat "$MK_MNT/device_tree" > "$SNAP"; }
unchanged() { cmp -s "$SNAP" "$MK_MNT/device_tree" || { echo "device_tree changed"; return 1; }; }
as_nobody() { su -s /bin/sh nobody -c "$*"; }
is_dtb() { [ "$(od -A n -t x1 -N 4 "$1" | tr -d ' ')" = d00dfeed ]; }

pool_in_iomem() {
	grep -q '^ *28000000-37ffffff : Multikernel pool$' /proc/iomem ||
		{ grep -i multikernel /proc/iomem; return 1; }
}

overlay_needs_baseline() {
	write "$D/qemu-web.dtbo" "$NEW" &&
		return 1
	want_outcome EINVAL && want_in_out "error: baseline-missing:"
}

machine_reality() {
	snapshot
	write "$D/baseline-32cpu-16g.dtb" "$MK_MNT/device_tree" && return 1
	want_outcome EINVAL &&
		want_in_out "^error: machine-cpus: baseline: pool CPUs 4-31 are not present" &&
		want_in_out "^error: machine-memory: baseline: memory pool 0x80000000+" &&
		unchanged
}

baseline_applies() {
	write "$D/baseline-qemu.dtb" "$MK_MNT/device_tree" &&
		want_outcome ok && want_in_out '^ok$' &&
		grep -q '^pool cpus: 1-3$' "$MK_MNT/summary" &&
		grep -q '^instances: 0$' "$MK_MNT/summary" &&
		is_dtb "$MK_MNT/device_tree"
}

explicit_instance() {
	write "$D/qemu-web.dtbo" "$NEW" && want_in_out '^tx 1$' &&
		want_file "$MK_MNT/instances/web-server/id" 1 &&
		want_file "$MK_MNT/instances/web-server/status" ready &&
		want_file "$MK_MNT/instances/web-server/cpus" 1 &&
		want_file "$MK_MNT/instances/web-server/memory" \
			"0x30000000 0x2000000" &&
		want_file "$MK_MNT/instances/web-server/devices" eth0:vf1 &&
		want_file "$MK_MNT/overlays/tx_1/instances" web-server &&
		want_file "$MK_MNT/overlays/tx_1/status" applied &&
		cmp -s "$D/qemu-web.dtbo" "$MK_MNT/overlays/tx_1/dtbo" &&
		is_dtb "$MK_MNT/instances/web-server/device_tree"
}

placed_instance() {
	write "$D/qemu-database.dtbo" "$NEW" && want_in_out '^tx 2$' &&
		want_file "$MK_MNT/instances/database/id" 2 &&
		want_file "$MK_MNT/instances/database/cpus" 2 &&
		want_file "$MK_MNT/instances/database/memory" "0x32000000 0x4000000" &&
		want_file "$MK_MNT/instances/database/devices" nvme0:ns2 &&
		grep -q '^free cpus: 3$' "$MK_MNT/summary" &&
		grep -q '^free memory: 0x36000000-0x38000000$' "$MK_MNT/summary"
}

conflict_refused() {
	local both="allocated to both; free: 3$"

	snapshot
	write "$D/qemu-conflict.dtbo" "$NEW" && return 1
	want_outcome EBUSY &&
		want_in_out "^error: cpu-overlap: analytics database: CPUs 2 $both" &&
		want_in_out "^error: cpu-overlap: analytics web-server: CPUs 1 " &&
		want_in_out "^error: memory-overlap:" &&
		want_in_out "^error: device-conflict:" &&
		[ ! -e "$MK_MNT/instances/analytics" ] && [ ! -e "$MK_MNT/overlays/tx_3" ] &&
		unchanged
}

truncated_refused() {
	snapshot
	write "$D/qemu-database.dtbo" "$NEW" 100 && return 1
	want_outcome EINVAL && want_in_out "^error: malformed:" && unchanged
}

baseline_with_instances_refused() {
	snapshot
	cat "$MK_MNT/device_tree" > /tmp/mk_eff.$$
	write /tmp/mk_eff.$$ "$MK_MNT/device_tree" && return 1
	rm -f /tmp/mk_eff.$$
	want_outcome EINVAL && want_in_out "^error: baseline-instances:" && unchanged
}

baseline_that_does_not_fit() {
	snapshot
	write "$D/pool-1cpu.dtb" "$MK_MNT/device_tree" && return 1
	want_outcome EBUSY && want_in_out "^error: baseline-busy:" && unchanged
}

non_root_write_eperm() {
	snapshot
	chmod 666 "$NEW" "$MK_MNT/device_tree" || return 1
	as_nobody "'$D/mk_write' '$D/qemu-database.dtbo' '$NEW'" > "$OUT" 2>&1
	want_outcome EPERM || return 1
	as_nobody "'$D/mk_write' '$D/baseline-qemu.dtb' '$MK_MNT/device_tree'" > "$OUT" 2>&1
	want_outcome EPERM || return 1
	chmod 600 "$NEW" && chmod 644 "$MK_MNT/device_tree" && unchanged
}

non_root_rmdir_eperm() {
	chmod 777 "$MK_MNT/overlays" || return 1
	as_nobody "rmdir '$MK_MNT/overlays/tx_1'" 2>"$OUT" && return 1
	want_in_out "Operation not permitted" || return 1
	chmod 755 "$MK_MNT/overlays" && [ -d "$MK_MNT/overlays/tx_1" ]
}

# A change wakes poll() on summary; a refused one does not.
changes_wake_pollers() {
	local tx woken

	"$D/mk_poll" "$MK_MNT/summary" 3000 > "$OUT.poll" &
	sleep 1
	write "$D/qemu-conflict.dtbo" "$NEW"
	wait $! && { echo "a refused change woke the poller"; return 1; }
	"$D/mk_poll" "$MK_MNT/summary" 10000 > "$OUT.poll" &
	sleep 1
	write "$D/stress-a.dtbo" "$NEW" || return 1
	wait $!
	woken=$?
	# Undo the change whatever happened, so the next tests start clean.
	tx=$(sed -n 's/^tx //p' "$OUT")
	rmdir "$MK_MNT/overlays/tx_$tx" || return 1
	[ "$woken" -eq 0 ] || { echo "poll: $(cat "$OUT.poll")"; return 1; }
	rm -f "$OUT.poll"
}

rollback_keeps_decisions() {
	rmdir "$MK_MNT/overlays/tx_1" || return 1
	[ ! -e "$MK_MNT/instances/web-server" ] && [ ! -e "$MK_MNT/overlays/tx_1" ] &&
		want_file "$MK_MNT/instances/database/cpus" 2 &&
		want_file "$MK_MNT/instances/database/id" 2 &&
		grep -q '^free cpus: 1,3$' "$MK_MNT/summary"
}

rollback_all() {
	rmdir "$MK_MNT/overlays/tx_2" &&
		[ -z "$(ls "$MK_MNT/instances")" ] &&
		grep -q '^instances: 0$' "$MK_MNT/summary" &&
		grep -q '^transactions: 0$' "$MK_MNT/summary"
}

# Blobs of at least 1 MiB work; more than 2 MiB is E2BIG.
big_blobs() {
	local tx

	[ "$(wc -c < "$D/big-1m.dtbo")" -gt 1048576 ] || return 1
	write "$D/big-1m.dtbo" "$NEW" || { cat "$OUT"; return 1; }
	tx=$(sed -n 's/^tx //p' "$OUT")
	[ -d "$MK_MNT/instances/bulky" ] &&
		[ "$(wc -c < "$MK_MNT/device_tree")" -gt 1048576 ] || return 1
	rmdir "$MK_MNT/overlays/tx_$tx" || return 1
	snapshot
	head -c 3145728 /dev/zero > /tmp/mk_3m.$$
	write /tmp/mk_3m.$$ "$NEW"
	rm -f /tmp/mk_3m.$$
	want_outcome E2BIG && unchanged
}

rollback_of_unknown_tx() {
	! rmdir "$MK_MNT/overlays/tx_9" 2>/dev/null
}

mk_require_root
ktap_print_header
ktap_set_plan 17
mount -t multikernel none "$MK_MNT" || ktap_exit_fail_msg "cannot mount $MK_MNT"
mk_check "multikernel_pool= shows in /proc/iomem" pool_in_iomem
mk_check "an overlay needs a baseline (EINVAL)" overlay_needs_baseline
mk_check "a baseline this machine cannot back is refused (EINVAL)" machine_reality
mk_check "a baseline applies and reads back as a DTB" baseline_applies
mk_check "an explicit instance appears under instances/" explicit_instance
mk_check "cpu-count and memory are placed and recorded" placed_instance
mk_check "a conflicting overlay is refused whole (EBUSY)" conflict_refused
mk_check "a truncated overlay is refused (EINVAL)" truncated_refused
mk_check "a baseline with instances is refused (EINVAL)" baseline_with_instances_refused
mk_check "a baseline the instances do not fit is refused (EBUSY)" baseline_that_does_not_fit
mk_check "non-root writes get EPERM whatever the modes" non_root_write_eperm
mk_check "non-root rmdir gets EPERM whatever the modes" non_root_rmdir_eperm
mk_check "a change wakes poll() on summary; a refused one does not" changes_wake_pollers
mk_check "rollback removes an instance and keeps other decisions" rollback_keeps_decisions
mk_check "rolling back every transaction empties instances/" rollback_all
mk_check "a 1 MiB overlay applies; a 3 MiB write is E2BIG" big_blobs
mk_check "rolling back an unknown transaction fails" rollback_of_unknown_tx
rm -f "$OUT" "$SNAP"
umount "$MK_MNT"
ktap_finished
