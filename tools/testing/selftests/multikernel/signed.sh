#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Signed instance kernels: the lean kernel as harness/lib.sh signs it
# with the test key this guest's kernel trusts (CONFIG_SYSTEM_TRUSTED_KEYS),
# the same changed after signing, and one signed with a key the guest does
# not trust. While signatures are optional, an unsigned kernel loads; a
# signed one loads with its signature cut off, and runs; a bad signature
# is refused whatever the setting, and leaves what was loaded. Then
# multikernel.sig_enforce=1 refuses the unsigned kernel, and cannot be
# cleared: the tests after this one load signed kernels.

. "$(dirname "$0")/lib.sh"

D=$(cd "$(dirname "$0")" && pwd)
OUT=/tmp/signed_out.$$
ERR=/tmp/signed_err.$$
. "$D/spawn_lib.sh"

IMG=$D/bzImage-instance

image_has() {
	grep -q -- "$1" "$I/s/image" || { echo "image lacks '$1':"; cat "$I/s/image"; return 1; }
}

# refused FILE WHY: EKEYREJECTED with WHY, and what was loaded stays.
refused() {
	local before

	before=$(cat "$I/s/image")
	kerf load s -k "$1" -c "$CMDLINE"
	want_rc 1 && err_has "image-signature" && err_has "(EKEYREJECTED)" &&
		err_has "$2" && [ "$(cat "$I/s/image")" = "$before" ] ||
		{ cat "$I/s/image"; return 1; }
}

unsigned_optional() {
	rollback_all || return 1
	kerf init --cpus=1-3 --apply; want_rc 0 || return 1
	kerf create s --cpus=2 --memory=64M; want_rc 0 || return 1
	[ ! -s "$ERR" ] || { echo "create said:"; cat "$ERR"; return 1; }
	[ "$(cat "$PARAMS/sig_enforce")" = N ] || return 1
	kerf load s -k "$IMG" -i "$D/instance.cpio.gz" -c "$CMDLINE"
	want_rc 0 && image_has "; unsigned;"
}

signed_runs() {
	local size

	size=$(wc -c < "$IMG")
	kerf load s -k "$IMG.signed" -i "$D/instance.cpio.gz" -c "$CMDLINE"
	want_rc 0 && image_has "^kernel $size bytes" &&
		image_has "; signature verified;" || return 1
	kerf exec s; want_rc 0 && wait_console s "instance: init" || return 1
	kerf kill s; want_rc 0
}

changed_refused() {
	refused "$IMG.changed" "it does not match the image"
}

untrusted_refused() {
	refused "$IMG.untrusted" "no key the kernel trusts made it"
}

enforced() {
	echo 1 > "$PARAMS/sig_enforce" || return 1
	refused "$IMG" "unsigned, and multikernel.sig_enforce requires a signature" ||
		return 1
	kerf load s -k "$IMG.signed" -i "$D/instance.cpio.gz" -c "$CMDLINE"
	want_rc 0 && image_has "; signature verified;" || return 1
	echo 0 > "$PARAMS/sig_enforce" 2>/dev/null &&
		{ echo "sig_enforce was cleared"; return 1; }
	[ "$(cat "$PARAMS/sig_enforce")" = Y ]
}

mk_require_root
if [ ! -f "$IMG.signed" ] || [ ! -f "$PARAMS/sig_enforce" ]; then
	ktap_print_header
	ktap_skip_all "no signed instance kernel, or no CONFIG_MULTIKERNEL_SIG"
	exit "$KSFT_SKIP"
fi
spawn_begin 5

mk_check "signatures optional: an unsigned kernel loads, said unsigned" unsigned_optional
mk_check "a signed kernel: verified, cut off, and it runs" signed_runs
mk_check "changed after signing: EKEYREJECTED, the load before stays" changed_refused
mk_check "signed with a key the kernel does not trust: EKEYREJECTED" untrusted_refused
mk_check "sig_enforce=1: unsigned refused, signed loads; it stays set" enforced

rm -f "$OUT" "$ERR"
spawn_end
ktap_finished
