#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The walkthrough "make demo" runs in the guest: each step says what it
# shows, prints the command and runs it. /root/mk holds kerf, the compiled
# samples, and mk_write, which writes a blob in one write() and prints the
# kernel's answer as it is. Any unexpected outcome fails the demo.

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

say "multikernel_pool= set 256 MiB aside at boot, as crashkernel= does"
run grep -i multikernel /proc/iomem

say "kerf check validates offline with the kernel's own validator"
refused ./kerf check baseline-qemu.dtb qemu-web.dtbo qemu-database.dtbo qemu-conflict.dtbo

say "A baseline this machine cannot back is refused: it has 4 CPUs, not 32"
refused ./kerf init --input=baseline-32cpu-16g.dtb --apply

say "Describe the pool: CPUs 1-3 and the reserved memory, with eth0 and nvme0"
run ./kerf init --input=baseline-qemu.dtb --apply
run cat $MK/summary

say "Create an instance with explicit CPUs, memory and a VF"
run ./kerf create web --cpus=1 --memory=32M --memory-base=0x30000000 --devices=eth0:vf1
run ls $MK/instances/web
run cat $MK/instances/web/cpus $MK/instances/web/devices

say "Create one that asks for a CPU and 64 MiB; the kernel places it"
run ./kerf create db --cpu-count=1 --memory=64M --devices=nvme0:ns2
run ./kerf show db

say "What conflicts is refused whole; kerf explains with suggestions"
refused ./kerf create bad --cpus=1-2 --memory=16M --devices=eth0:vf1
say "The kernel's own answer, as it is"
refused ./mk_write qemu-conflict.dtbo $MK/overlays/new
run ls $MK/instances

say "Change an instance: db gets a second CPU, as one more transaction"
run ./kerf update db --cpus=2-3
run ./kerf --format=yaml show db

say "Transactions can be rolled back; the database keeps its placement"
run ./kerf show
run ./kerf delete web
run cat $MK/summary

say "Placement policies: a pool of two NUMA nodes; CPU 1 shares its core with the host's CPU 0"
run sh -c "./kerf delete db >/dev/null && ./kerf init --input=pool-numa.dtb --apply"
run ./kerf create near --cpu-count=2 --memory=16M --cpu-affinity=local
run cat $MK/overlays/tx_*/placement
run ./kerf delete near

say "A BPF policy that never shares a physical core with the host"
run ./kerf policy load bpf/nohost_smt.bpf.o
run ./kerf create apart --cpu-count=1 --memory=16M
run cat $MK/instances/apart/cpus
refused ./kerf create crowded --cpu-count=2 --memory=16M
run ./kerf policy unload
run ./kerf delete apart

say "Run a Linux kernel in an instance: this same bzImage, on CPUs 2-3 and 112 MiB"
run ./kerf init --cpus=1-3 --apply
run ./kerf create web --cpus=2-3 --memory=112M
run ./kerf load web -k bzImage -i instance.cpio.gz \
	-c "console=hvc0 kunit.enable=0 acpi=off pci=off no_ipi_broadcast=1 io_delay=none"
run ./kerf exec web
run cat $MK/instances/web/status /sys/devices/system/cpu/online

# wait_for FILE PATTERN WHAT: until FILE has PATTERN, 60 s at most.
wait_for()
{
	i=0
	until grep -q "$2" "$1"; do
		i=$((i + 1))
		[ $i -lt 600 ] || { echo "demo: $3" >&2; exit 1; }
		sleep 0.1
	done
}

say "Its console, kept by the host: the end of its boot, then commands typed into it"
wait_for $MK/instances/web/console "instance: init" "web's init did not start"
run sh -c "./kerf console --no-follow web | tail -n 6"
echo "nproc; grep MemTotal /proc/meminfo; cat /proc/cmdline" > /tmp/cmds
run sh -c "./kerf console web < /tmp/cmds | tail -n 5"

say "Stop it: it powers off, and the host has CPUs 2-3 back"
run ./kerf kill web
run cat /sys/devices/system/cpu/online

say "Its health: the host beats to it and keeps what it answers"
run ./kerf exec web
run sleep 3
run ./kmorphctl health web

say "A panic in it: noticed at once, a vmcore kept, its CPUs and memory back"
wait_for $MK/instances/web/console "instance: init" "web's init did not start"
echo "echo c > /proc/sysrq-trigger" > $MK/instances/web/console
wait_for $MK/instances/web/status "^failed: panic$" "web's panic went unnoticed"
run cat $MK/instances/web/status /sys/devices/system/cpu/online
run ./kmorphctl recovery-log --instance=web
run ./kmorphctl vmcore capture web --output=/tmp/web.vmcore
run ./kmorphctl vmcore analyze /tmp/web.vmcore

run umount $MK

say "KMP: 1000 messages up to 1 MiB between CPUs 1 and 2, with IPI doorbells"
run sh -c "echo 1000 > /sys/kernel/debug/multikernel/kmp/exercise"
run cat /sys/kernel/debug/multikernel/kmp/exercise
say "The multikernel KUnit suites ran at boot, under lockdep and KASAN"
dmesg | sed -n 's/^\[[^]]*\] //; /^\(not \)\{0,1\}ok [0-9][0-9]* multikernel/p'

say "Demo complete"
