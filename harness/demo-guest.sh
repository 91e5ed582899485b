#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The walkthrough "make demo" runs in the guest: each step says what it
# shows, prints the command and runs it. /root/mk holds the compiled
# samples and mk_write, which writes a blob in one write() and prints the
# kernel's answer. Any unexpected outcome fails the demo.

set -e
MK=/sys/fs/multikernel
cd /root/mk

say()
{
	echo
	echo "== $*"
}

run()
{
	echo "# $*"
	"$@"
}

# A step that must be refused: show the kernel's findings.
refused()
{
	echo "# $*"
	if "$@"; then
		echo "demo: that should have been refused" >&2
		exit 1
	fi
}

say "A multikernel host kernel booted under QEMU"
run uname -sr
echo "vCPUs: $(grep -c ^processor /proc/cpuinfo)"

say "CONFIG_MULTIKERNEL registers the multikernel filesystem; mount it"
run grep multikernel /proc/filesystems
run mount -t multikernel none $MK
run ls $MK

say "multikernel_pool= set 128 MiB aside at boot, as crashkernel= does"
run grep -i multikernel /proc/iomem

say "A baseline this machine cannot back is refused: it has 4 CPUs, not 32"
refused ./mk_write baseline-32cpu-16g.dtb $MK/device_tree

say "Describe the pool: CPUs 1-3 and the reserved memory, with eth0 and nvme0"
run ./mk_write baseline-qemu.dtb $MK/device_tree
run cat $MK/summary

say "Create an instance with explicit CPUs, memory and a VF"
run ./mk_write qemu-web.dtbo $MK/overlays/new
run ls $MK/instances/web-server
run cat $MK/instances/web-server/cpus $MK/instances/web-server/devices

say "Create one that asks for a CPU and 64 MiB; the kernel places it"
run ./mk_write qemu-database.dtbo $MK/overlays/new
run cat $MK/instances/database/id $MK/instances/database/cpus \
	$MK/instances/database/memory

say "An overlay that conflicts is refused whole, with every finding"
refused ./mk_write qemu-conflict.dtbo $MK/overlays/new
run ls $MK/instances

say "Transactions can be rolled back; the database keeps its placement"
run ls $MK/overlays
run rmdir $MK/overlays/tx_1
run cat $MK/summary

run umount $MK
say "The multikernel KUnit suites ran at boot, under lockdep and KASAN"
dmesg | sed -n 's/^\[[^]]*\] //; /^\(not \)\{0,1\}ok [0-9][0-9]* multikernel/p'

say "Demo complete"
