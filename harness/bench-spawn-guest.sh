#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The guest side of bench-spawn.sh: start an instance N times and time,
# from the exec, its HELLO (the kernel's own figure), its first console
# line and its init's first line: sh bench.sh RUNS IMAGE MEMORY. /root/mk
# holds kerf, the bzImages and instance.cpio.gz, as for the selftests.

set -e
N=${1:-5}
IMAGE=${2:-bzImage}
MEM=${3:-112M}
MK=/sys/fs/multikernel
I=$MK/instances/bench
cd /root/mk
mount -t multikernel none $MK
./kerf init --cpus=1-3 --apply > /dev/null
./kerf create bench --cpus=2-3 --memory="$MEM" > /dev/null
./kerf load bench -k "$IMAGE" -i instance.cpio.gz \
	-c "console=hvc0 kunit.enable=0 acpi=off pci=off no_ipi_broadcast=1 io_delay=none" > /dev/null

# Milliseconds since boot, at 10 ms resolution.
now() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }

# Wait for TEXT on the console; print the time it was seen, 60 s at most.
seen() {
	local i=0

	until grep -q -- "$1" $I/console; do
		i=$((i + 1))
		[ $i -lt 6000 ] || { echo "bench: no '$1'" >&2; exit 1; }
		sleep 0.01
	done
	now
}

i=0
while [ $i -lt "$N" ]; do
	( echo 1 > $I/exec ) &
	t0=$(now)
	first=$(seen "Linux version")
	init=$(seen "instance: init")
	wait
	hello=$(sed -n 's/^hello_ms //p' $I/times)
	steps=$(sed -n 's/^start_us //p' $I/times)
	echo "spawn: hello_ms $hello first_line_ms $((first - t0)) init_ms $((init - t0)) $steps"
	./kerf kill bench > /dev/null
	i=$((i + 1))
done
