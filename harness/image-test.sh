#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The bzImage check on real files: the guest kernel just built is accepted
# and placed in the test VM's pool; its vmlinux, a copy with the
# relocatable flag cleared and a truncated copy are refused with ENOEXEC;
# an instance too small for its init_size gets EFBIG with both sizes.
# Prints one "ok"/"not ok" line per case.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

out=$MK_CACHE/tools/
make -s -C "$REPO/tools/multikernel" OUTPUT="$out" srctree="$SRC" tests || exit 1
plan=$out/image_plan
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0

# expect NAME RC PATTERN FILE BASE BYTES
expect()
{
	local name=$1 want=$2 pattern=$3 got rc
	shift 3
	got=$("$plan" "$@")
	rc=$?
	if [ "$rc" -eq "$want" ] && echo "$got" | grep -q -- "$pattern"; then
		echo "ok - image: $name"
	else
		echo "$got" | sed 's/^/# /'
		echo "not ok - image: $name (exit $rc, want $want)"
		failed=1
	fi
}

pool=0x30000000
expect "the guest bzImage fits 96 MiB of the pool" 0 "^ok: " "$BZIMAGE" $pool $((96 << 20))
expect "vmlinux is no bzImage (ENOEXEC)" 8 "image-format: image: no x86 boot header" \
	"$BUILD_X86/vmlinux" $pool $((96 << 20))
cp "$BZIMAGE" "$tmp/norelocate"
printf '\0' | dd of="$tmp/norelocate" bs=1 seek=$((0x234)) conv=notrunc status=none
expect "a bzImage that is not relocatable (ENOEXEC)" 8 "not relocatable" \
	"$tmp/norelocate" $pool $((96 << 20))
head -c $(($(stat -c %s "$BZIMAGE") / 2)) "$BZIMAGE" > "$tmp/half"
expect "half a bzImage (ENOEXEC)" 8 "shorter than its header says" \
	"$tmp/half" $pool $((96 << 20))
expect "4 MiB is too small: both sizes said (EFBIG)" 27 \
	"image-size: image: needs 0x[0-9a-f]* bytes of memory (init_size 0x[0-9a-f]* at a 0x200000 boundary) but the instance has 0x400000" \
	"$BZIMAGE" $pool $((4 << 20))
exit $failed
