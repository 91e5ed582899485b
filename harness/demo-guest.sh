#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The walkthrough "make demo" runs in the guest: each step says what it
# shows, prints the command and runs it. Any failing step fails the demo.

set -e

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

say "A multikernel host kernel booted under QEMU"
run uname -sr
echo "vCPUs: $(grep -c ^processor /proc/cpuinfo)"

say "CONFIG_MULTIKERNEL registers the multikernel filesystem type"
run grep multikernel /proc/filesystems

say "and creates its mount point"
run ls -ld /sys/fs/multikernel

say "Mount it; every mount shows the one machine-wide state"
run mount -t multikernel none /sys/fs/multikernel
run grep multikernel /proc/mounts
run stat -f -c 'filesystem type 0x%t (MULTIKERNEL_SUPER_MAGIC)' /sys/fs/multikernel

say "The multikernel KUnit suites ran at boot, under lockdep and KASAN"
dmesg | sed -n 's/^\[[^]]*\] //; /^\(not \)\{0,1\}ok [0-9][0-9]* multikernel/p'

run umount /sys/fs/multikernel
say "Demo complete"
