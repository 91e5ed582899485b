#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Untrusted blobs against the real kernel: structure blocks that are
# unsound only past the nodes a reader looks for, as a baseline and as an
# overlay, and an overlay far over the instance limit, are refused with
# the documented errno and leave device_tree byte for byte as it was; the
# over-limit one is refused in time proportional to its size.

. "$(dirname "$0")/lib.sh"

D=$(cd "$(dirname "$0")" && pwd)
OUT=/tmp/limits_out.$$

tree_sum() { md5sum "$MK_MNT/device_tree" | cut -d' ' -f1; }

# refused FILE DEST ERRNO WANT: the write fails with ERRNO, WANT among
# the findings, and device_tree is unchanged.
refused() {
	local before

	before=$(tree_sum)
	"$D/mk_write" "$1" "$MK_MNT/$2" > "$OUT"
	grep -q "^write: $3$" "$OUT" && grep -q -- "$4" "$OUT" &&
		[ "$(tree_sum)" = "$before" ] || { cat "$OUT"; return 1; }
}

clean() {
	local tx

	for tx in $(ls "$MK_MNT/overlays" | sed -n 's/^tx_//p' | sort -rn); do
		rmdir "$MK_MNT/overlays/tx_$tx" || return 1
	done
	"$D/mk_write" "$D/baseline-qemu.dtb" "$MK_MNT/device_tree" | grep -q "^write: ok"
}

baseline_no_end() { refused "$D/unsound-no-end.dtb" device_tree EINVAL "no FDT_END"; }
baseline_after_root() {
	refused "$D/unsound-after-root.dtb" device_tree EINVAL "bad node at offset"
}
overlay_no_end() { refused "$D/unsound-no-end.dtbo" overlays/new EINVAL "no FDT_END"; }
overlay_after_root() {
	refused "$D/unsound-after-root.dtbo" overlays/new EINVAL "bad node at offset"
}

# Refused by counting. The time it takes, and the time to read the blob
# once, are printed, not judged: TCG's timing varies too much.
over_limit() {
	local bytes

	MK_WRITE_TIME=1 refused "$D/many-5000.dtbo" overlays/new E2BIG \
		"limit: blob: 5000 instances; at most 1024" || return 1
	bytes=$(wc -c < "$D/many-5000.dtbo")
	echo "5000 instances ($bytes bytes): $(sed -n 's/^time: //p' "$OUT")"
}

mk_require_root
ktap_print_header
ktap_set_plan 5
mount -t multikernel none "$MK_MNT" 2>/dev/null
clean || ktap_exit_fail_msg "cannot start from baseline-qemu alone"
mk_check "a baseline without FDT_END is refused" baseline_no_end
mk_check "a baseline with a node after the root is refused" baseline_after_root
mk_check "an overlay without FDT_END is refused" overlay_no_end
mk_check "an overlay with a node after the root is refused" overlay_after_root
# mk_check keeps the output of failures only; print the figures as well.
over_limit | sed 's/^/# /'
mk_check "5000 instances are refused by counting (E2BIG)" over_limit
rm -f "$OUT"
umount "$MK_MNT" 2>/dev/null
ktap_finished
