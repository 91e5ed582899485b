#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A CPU that comes back from an instance with a TSC that disagrees with
# the host's stays offline, with its reason; the rest of the instance's
# resources come back. The test hook tsc_off_cpu makes the host take CPU
# 3's TSC for moved, as if the instance had written it. CPU 3 stays out
# of the host until it reboots, so this runs last.

. "$(dirname "$0")/lib.sh"

D=$(cd "$(dirname "$0")" && pwd)
OUT=/tmp/tsc_out.$$
ERR=/tmp/tsc_err.$$
. "$D/spawn_lib.sh"

# signed.sh, before, may have made signatures mandatory.
IMG=$D/bzImage-instance
[ -f "$IMG.signed" ] && IMG=$IMG.signed

kept_offline() {
	rollback_all && kerf init --cpus=1-3 --apply && want_rc 0 || return 1
	kerf create t --cpus=2-3 --memory=64M; want_rc 0 || return 1
	kerf load t -k "$IMG" -i "$D/instance.cpio.gz" -c "$CMDLINE"
	want_rc 0 || return 1
	kerf exec t; want_rc 0 && wait_console t "instance: init" || return 1
	echo 3 > "$DBG/tsc_off_cpu" || return 1
	kerf kill --force t; want_rc 0 || return 1
	echo -1 > "$DBG/tsc_off_cpu"
	status_is t "stopped: killed; CPU 3 kept offline: its TSC disagrees with the host's" ||
		return 1
	grep -q " stopped stopping stopped: killed; CPU 3 kept offline" "$I/t/transitions" &&
		grep -q " t MONITORING CPU 3 kept offline" "$MK_MNT/recovery_log" ||
		{ cat "$I/t/transitions" "$MK_MNT/recovery_log"; return 1; }
	grep -q "^0-2$" /sys/devices/system/cpu/online ||
		{ echo "online: $(cat /sys/devices/system/cpu/online)"; return 1; }
	echo 1 > /sys/devices/system/cpu/cpu3/online 2>/dev/null &&
		{ echo "CPU 3 went online"; return 1; }
	cat "$I/t/memory" > "$DBG/pool_nonzero" &&
		[ "$(cat "$DBG/pool_nonzero")" = 0 ] ||
		{ echo "$(cat "$DBG/pool_nonzero") bytes not zero"; return 1; }
	# The instance cannot have CPU 3 again; on CPU 2 alone it boots.
	kerf exec t; want_rc 1 && err_has "exec-cpus" || return 1
	kerf update t --cpus=2; want_rc 0 || return 1
	kerf exec t; want_rc 0 && wait_console t "instance: init on 1 CPUs" || return 1
	kerf kill --force t; want_rc 0 && status_is t "stopped: killed"
}

spawn_begin 1
mk_check "a CPU back from an instance with its TSC moved stays offline, with its reason" \
	kept_offline
echo -1 > "$DBG/tsc_off_cpu"
rollback_all
rm -f "$OUT" "$ERR"
umount "$MK_MNT" 2>/dev/null
ktap_finished
