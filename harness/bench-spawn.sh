#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# How fast an instance starts, against a cold QEMU boot of the same kernel
# and initramfs measured in the same run (TCG, so only the ratio means
# much): the time to the first console line and to init's first line, and
# for the instance the time from exec to HELLO.
#   harness/bench-spawn.sh [RUNS [guest|instance]]   (default: 5 guest)
# "guest" runs the test kernel (KASAN, lockdep) in 112 MiB, "instance" the
# lean instance kernel in 64 MiB; the cold boot gets the same memory.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

runs=${1:-5}
kind=${2:-guest}
inst=$(mk_install_kselftests)
initrd=$inst/multikernel/instance.cpio.gz
case "$kind" in
guest) kernel=$BZIMAGE image=bzImage mem=112M ;;
instance) kernel=$BZIMAGE_INST image=bzImage-instance mem=64M ;;
*) mk_die "want guest or instance, not $kind" ;;
esac
[ -f "$kernel" ] || mk_die "no $kernel; run make kernel"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# One cold boot: milliseconds to "Linux version" and to init's line.
cold_boot()
{
	local start line first="" t

	start=$EPOCHREALTIME
	coproc QEMU { exec qemu-system-x86_64 -accel tcg,thread=multi -M q35 \
		-cpu qemu64,vendor=GenuineIntel -smp 2 -m "$mem" -nographic \
		-no-reboot -kernel "$kernel" -initrd "$initrd" \
		-append "console=ttyS0 kunit.enable=0" 2>&1; }
	while IFS= read -r -t 120 line <&"${QEMU[0]}"; do
		t=$(( (${EPOCHREALTIME/./} - ${start/./}) / 1000 ))
		[[ -z $first && $line == *"Linux version"* ]] && first=$t
		[[ $line == *"instance: init"* ]] && break
	done
	kill "$QEMU_PID" 2>/dev/null || true
	wait "$QEMU_PID" 2>/dev/null || true
	echo "cold: first_line_ms $first init_ms $t"
}

median()
{
	sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

for ((i = 0; i < runs; i++)); do
	cold_boot
done | tee "$work/cold"
"$REPO/harness/qemu-run" -t 600 -f "$inst/multikernel:/root/mk" \
	-f "$REPO/harness/bench-spawn-guest.sh:/root/bench.sh" -- \
	sh /root/bench.sh "$runs" "$image" "$mem" | tr -d '\r' | grep '^spawn:' |
	tee "$work/spawn"

c_first=$(awk '{ print $3 }' "$work/cold" | median)
c_init=$(awk '{ print $5 }' "$work/cold" | median)
s_hello=$(awk '{ print $3 }' "$work/spawn" | median)
s_first=$(awk '{ print $5 }' "$work/spawn" | median)
s_init=$(awk '{ print $7 }' "$work/spawn" | median)
echo "$kind kernel in $mem:"
echo "median of $runs: cold boot: first line $c_first ms, init $c_init ms"
echo "median of $runs: instance: HELLO $s_hello ms, first line $s_first ms, init $s_init ms"
# HELLO comes after the instance's initcalls, where a cold boot is about to
# run init: the nearest point to compare it with.
awk -v a="$s_first" -v b="$c_first" -v c="$s_init" -v d="$c_init" -v h="$s_hello" 'BEGIN {
	printf "instance / cold boot: first line %.2f, init %.2f, HELLO / init %.2f\n",
	       a / b, c / d, h / d }'
# The start's steps, from the exec's beginning (the kernel's times file).
step() { awk -v f="$1" '{ print int($f / 1000) }' "$work/spawn" | median; }
echo "median of $runs: start steps, ms from exec: CPUs taken $(step 9)," \
	"image written $(step 11), boot CPU in the kernel $(step 13)," \
	"setup seen $(step 15), HELLO $(step 17)"
