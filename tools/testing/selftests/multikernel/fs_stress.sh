#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Two processes apply and roll back transactions at once (the test VM's
# pool has CPUs for two more instances) while another reads and one keeps
# writing an overlay that must be refused. After every
# step each checks the invariants on one atomic snapshot (summary): no CPU
# held twice, unique ids, the instance count right, and its own
# acknowledged transaction still there. Run it under lockdep and KASAN.

. "$(dirname "$0")/lib.sh"

D=$(cd "$(dirname "$0")" && pwd)
NEW=$MK_MNT/overlays/new
ROUNDS=${MK_STRESS_ROUNDS:-25}
RES=/tmp/mk_stress.$$

# Check the invariants on one read of summary; print what is wrong.
invariants()
{
	awk '
	/^instance / {
		n++
		if (ids[$4]++)
			bad = "id " $4 " twice"
		k = split($6, parts, ",")
		for (i = 1; i <= k; i++) {
			m = split(parts[i], r, "-")
			for (c = r[1] + 0; c <= (m > 1 ? r[2] : r[1]) + 0; c++)
				if (cpu[c]++)
					bad = "CPU " c " held twice"
		}
	}
	/^instances: / { want = $2 }
	END {
		if (n != want)
			bad = n " instance lines, summary says " want
		if (bad != "") {
			print bad
			exit 1
		}
	}' "$MK_MNT/summary"
}

# worker LETTER: create stress-LETTER and roll it back, ROUNDS times.
worker()
{
	local i=0 out tx

	while [ "$i" -lt "$ROUNDS" ]; do
		out=$("$D/mk_write" "$D/stress-$1.dtbo" "$NEW")
		tx=$(echo "$out" | sed -n 's/^tx //p')
		if [ -z "$tx" ]; then
			echo "worker $1: apply refused: $out"
			return 1
		fi
		[ -d "$MK_MNT/overlays/tx_$tx" ] ||
			{ echo "worker $1: acknowledged tx_$tx is gone"; return 1; }
		invariants || return 1
		rmdir "$MK_MNT/overlays/tx_$tx" ||
			{ echo "worker $1: rmdir tx_$tx failed"; return 1; }
		invariants || return 1
		i=$((i + 1))
	done
}

# Writes an overlay that conflicts with web-server; it must always be EBUSY.
refuser()
{
	local i=0

	while [ "$i" -lt "$ROUNDS" ]; do
		"$D/mk_write" "$D/qemu-conflict.dtbo" "$NEW" > "$RES.out" 2>&1
		grep -q '^write: EBUSY$' "$RES.out" ||
			{ echo "refuser: $(cat "$RES.out")"; return 1; }
		invariants || return 1
		i=$((i + 1))
	done
}

reader()
{
	local i=0

	while [ "$i" -lt "$((ROUNDS * 4))" ]; do
		cat "$MK_MNT/device_tree" "$MK_MNT/summary" > /dev/null || return 1
		cat "$MK_MNT"/instances/*/cpus "$MK_MNT"/overlays/tx_*/instances \
			> /dev/null 2>&1
		i=$((i + 1))
	done
}

setup()
{
	mount -t multikernel none "$MK_MNT" &&
		"$D/mk_write" "$D/baseline-qemu.dtb" "$MK_MNT/device_tree" > /dev/null &&
		"$D/mk_write" "$D/qemu-web.dtbo" "$NEW" > /dev/null
}

run_all()
{
	local who pids="" rc=0

	for who in a b; do
		(worker "$who" > "$RES.$who" 2>&1; echo $? >> "$RES.$who") &
		pids="$pids $!"
	done
	(refuser > "$RES.r" 2>&1; echo $? >> "$RES.r") &
	pids="$pids $!"
	(reader > "$RES.x" 2>&1; echo $? >> "$RES.x") &
	pids="$pids $!"
	wait $pids
	for who in a b r x; do
		[ "$(tail -n 1 "$RES.$who")" = 0 ] || { cat "$RES.$who"; rc=1; }
	done
	return "$rc"
}

settled()
{
	[ "$(ls "$MK_MNT/instances")" = web-server ] &&
		grep -q '^transactions: 1$' "$MK_MNT/summary" && invariants
}

mk_require_root
ktap_print_header
ktap_set_plan 3
mk_check "set up a baseline and one instance" setup
mk_check "2 writers, a refused writer and a reader, $ROUNDS rounds each" run_all
mk_check "everything rolled back: only web-server is left" settled
rm -f "$RES".*
umount "$MK_MNT"
ktap_finished
