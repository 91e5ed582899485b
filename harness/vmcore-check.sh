#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Read the vmcores that the health selftest copied out of the guest with
# gdb and the lean instance kernel's vmlinux, on this host: the panic's
# must show the panicking CPU in sysrq_handle_crash, and the hang's must
# show both CPUs where the NMI found them, spinning in mk_spin_set. Prints
# "ok - ..." or "not ok - ..." per check. Debian's crash utility is tried
# too, and what it says is printed, not judged.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

dir=$MK_CACHE/kselftest/multikernel
vmlinux=$BUILD_INST/vmlinux
rc=0

check() {
	local what=$1 core=$2 want=$3 min=$4 out n

	if [ ! -s "$dir/$core" ]; then
		echo "not ok - $what: no $core from the selftest"
		rc=1
		return
	fi
	out=$(gdb -batch -nx -ex "thread apply all bt" "$vmlinux" "$dir/$core" 2>&1)
	# Threads, one per CPU, with a frame in the function.
	n=$(awk -v f="$want" '/^Thread [0-9]/ { t = $2 }
		$0 ~ "^#[0-9]+ +(0x[0-9a-f]+ in )?" f " \\(" { hit[t] = 1 }
		END { print length(hit) }' <<< "$out")
	if [ "$n" -ge "$min" ]; then
		echo "ok - $what"
	else
		echo "not ok - $what: $n threads in $want, want $min"
		sed 's/^/# /' <<< "$out" | head -60
		rc=1
	fi
}

command -v gdb > /dev/null || { echo "not ok - gdb is not installed"; exit 1; }
check "gdb: the panic's vmcore shows the panicking CPU in sysrq_handle_crash" \
	vmcore-panic sysrq_handle_crash 1
check "gdb: the hang's vmcore shows both CPUs in mk_spin_set, as the NMI found them" \
	vmcore-hang mk_spin_set 2
if command -v crash > /dev/null && [ -s "$dir/vmcore-panic" ]; then
	echo "# crash $(crash --version | sed -n 's/^crash \([0-9.]*\).*/\1/p'):"
	printf 'bt\nquit\n' | timeout 120 crash -s "$vmlinux" "$dir/vmcore-panic" 2>&1 |
		head -20 | sed 's/^/#   /'
fi
exit $rc
