#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Loading a kernel into an instance, against the real kernel: the guest's
# own bzImage is refused by an instance too small for it (EFBIG, both
# sizes said), loaded into one large enough, kept through a refused load
# of something that is no kernel (ENOEXEC) and of a command line too long
# (E2BIG), and unloaded; status follows and wakes pollers; rolling the
# instance back drops what was loaded.

. "$(dirname "$0")/lib.sh"

D=$(cd "$(dirname "$0")" && pwd)
OUT=/tmp/spawn_out.$$
ERR=/tmp/spawn_err.$$

status_is() {
	[ "$(cat "$MK_MNT/instances/$1/status")" = "$2" ] ||
		{ echo "$1: status $(cat "$MK_MNT/instances/$1/status"), want $2"; return 1; }
}

setup() {
	local tx

	for tx in $(ls "$MK_MNT/overlays" | sed -n 's/^tx_//p' | sort -rn); do
		rmdir "$MK_MNT/overlays/tx_$tx" || return 1
	done
	"$D/mk_write" "$D/baseline-qemu.dtb" "$MK_MNT/device_tree" | grep -q "^write: ok" &&
		"$D/mk_write" "$D/qemu-web.dtbo" "$MK_MNT/overlays/new" | grep -q "^write: ok" &&
		kerf create big --cpus=3 --memory=64M
}

too_small() {
	kerf load web-server --kernel="$D/bzImage"
	want_rc 1 && err_has "image-size" && err_has "but the instance has 0x2000000" &&
		err_has "refused by the kernel (EFBIG)" && status_is web-server ready
}

loads() {
	"$D/mk_poll" "$MK_MNT/instances/big/status" 20000 > /tmp/spawn_poll.$$ &
	sleep 1
	kerf load big -k "$D/bzImage" -c "console=hvc0 quiet" && want_rc 0 || return 1
	wait $! && grep -q woken /tmp/spawn_poll.$$ ||
		{ echo "status did not wake poll()"; return 1; }
	rm -f /tmp/spawn_poll.$$
	status_is big loaded &&
		grep -q "cmdline console=hvc0 quiet$" "$MK_MNT/instances/big/image"
}

# Through the file itself, with a descriptor of the shell's own.
not_a_kernel_keeps_the_old() {
	local before

	before=$(cat "$MK_MNT/instances/big/image")
	exec 3< "$D/baseline-qemu.dtb"
	echo "3 - console=hvc0" > "$MK_MNT/instances/big/load" 2>/dev/null && return 1
	exec 3<&-
	status_is big loaded && [ "$(cat "$MK_MNT/instances/big/image")" = "$before" ]
}

# A command line longer than the image's cmdline_size is refused whole.
long_cmdline() {
	local long

	long=$(head -c 3000 /dev/zero | tr '\0' 'x')
	kerf load big -k "$D/bzImage" -c "$long"
	want_rc 1 && err_has "image-cmdline" && err_has "cmdline: 3000 bytes" &&
		err_has "refused by the kernel (E2BIG)" &&
		grep -q "cmdline console=hvc0 quiet$" "$MK_MNT/instances/big/image"
}

unloads() {
	kerf unload big && want_rc 0 && status_is big ready || return 1
	[ -z "$(cat "$MK_MNT/instances/big/image")" ] || return 1
	kerf unload big
	want_rc 1 && err_has "nothing is loaded into 'big'"
}

rollback_drops() {
	kerf load big -k "$D/bzImage" && want_rc 0 && kerf delete big && want_rc 0 || return 1
	kerf create big --cpus=3 --memory=64M && want_rc 0 && status_is big ready
}

mk_require_root
ktap_print_header
ktap_set_plan 6
mount -t multikernel none "$MK_MNT" 2>/dev/null
setup || ktap_exit_fail_msg "cannot set up baseline-qemu, web-server and big"
mk_check "an instance too small for the image: EFBIG, both sizes" too_small
mk_check "load: status loaded, poll() woken, image says what" loads
mk_check "a file that is no kernel is refused; the old load stays" not_a_kernel_keeps_the_old
mk_check "a command line longer than the image takes: E2BIG" long_cmdline
mk_check "unload: status ready; unloading nothing fails" unloads
mk_check "rolling an instance back drops what was loaded" rollback_drops
rm -f "$OUT" "$ERR"
umount "$MK_MNT" 2>/dev/null
ktap_finished
