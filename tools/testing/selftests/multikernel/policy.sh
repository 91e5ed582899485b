#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Placement policies on the test VM's two NUMA nodes (pool-numa.dts: CPU 1
# on node 0, sharing its core with the host's CPU 0; CPUs 2-3, one core, on
# node 1; the memory pool half on each node). Instances that give only
# cpu-count are placed by each built-in policy, then by each BPF sample
# policy in bpf/ (loaded with kerf and with bpftool), and the CPUs and
# memory base the kernel chose are checked. A policy that proposes the
# host's CPUs must be refused with the state unchanged.

. "$(dirname "$0")/lib.sh"

D=$(cd "$(dirname "$0")" && pwd)
K=$D/kerf
BPF=$D/bpf
OUT=/tmp/policy_out.$$
ERR=/tmp/policy_err.$$


# The transaction that created NAME.
tx_of() { grep -l "^$1$" "$MK_MNT"/overlays/tx_*/instances | sed 's|.*/\(tx_[0-9]*\)/.*|\1|'; }

# place NAME CPUS BASE CPU_BY/MEM_BY [kerf create options...]: create NAME,
# check its CPUs and memory base and the policies the placement names ("-"
# for what was given, not placed), then delete it.
place() {
	local name=$1 cpus=$2 base=$3 cpu_by=${4%/*} mem_by=${4#*/} got pl
	shift 4
	kerf create "$name" --memory=16M "$@" || { want_rc 0; return 1; }
	got=$(cat "$MK_MNT/instances/$name/cpus")
	[ "$got" = "$cpus" ] || { echo "$name $*: cpus $got, want $cpus"; return 1; }
	got=$(cut -d' ' -f1 "$MK_MNT/instances/$name/memory")
	[ "$got" = "$base" ] || { echo "$name $*: memory base $got, want $base"; return 1; }
	pl=$MK_MNT/overlays/$(tx_of "$name")/placement
	{ [ "$cpu_by" = - ] || grep -q "^$name cpus $cpus by $cpu_by$" "$pl"; } &&
	{ [ "$mem_by" = - ] || grep -q "^$name memory-base $base by $mem_by$" "$pl"; } ||
		{ echo "placement of $name:"; cat "$pl"; return 1; }
	kerf delete "$name" && want_rc 0
}

# Each check starts from the baseline alone and the built-in policies.
reset() {
	"$K" policy unload >/dev/null 2>&1
	for tx in $(ls "$MK_MNT/overlays" | sed -n 's/^tx_//p' | sort -rn); do
		rmdir "$MK_MNT/overlays/tx_$tx" || return 1
	done
}

policy_is() {
	[ "$(cat "$MK_MNT/policy")" = "$1" ] ||
		{ echo "policy: $(cat "$MK_MNT/policy"), want $1"; return 1; }
}

setup() {
	reset && "$D/mk_write" "$D/pool-numa.dtb" "$MK_MNT/device_tree" >/dev/null &&
		policy_is builtin
}

builtin_cpus() {
	reset &&
	place first 1-2 0x30000000 first/first --cpu-count=2 &&
	place c1 1 0x30000000 compact/first --cpu-count=1 --cpu-affinity=compact &&
	place c2 2-3 0x30000000 compact/first --cpu-count=2 --cpu-affinity=compact &&
	place c3 1-3 0x30000000 compact/first --cpu-count=3 --cpu-affinity=compact &&
	place s1 2 0x30000000 spread/first --cpu-count=1 --cpu-affinity=spread &&
	place s2 1-2 0x30000000 spread/first --cpu-count=2 --cpu-affinity=spread || return 1
	# local also puts the memory on the node: node 1 starts at 0x34000000.
	place l2 2-3 0x34000000 local/local --cpu-count=2 --cpu-affinity=local || return 1
	kerf create l3 --cpu-count=3 --memory=16M --cpu-affinity=local
	want_rc 1 &&
		err_has 'needs 3 CPUs on one NUMA node, but at most 2 are free on any one' &&
		[ ! -e "$MK_MNT/instances/l3" ]
}

builtin_memory() {
	reset &&
	place ml 2-3 0x34000000 -/local --cpus=2-3 --memory-policy=local &&
	place mi 1-2 0x33800000 first/interleave --cpu-count=2 --memory-policy=interleave &&
	place mb0 2-3 0x30000000 -/bind --cpus=2-3 --memory-policy=bind --numa-nodes=0 &&
	place mb1 1 0x34000000 -/bind --cpus=1 --memory-policy=bind --numa-nodes=1 || return 1
	kerf create big --cpus=1 --memory=96M --memory-policy=bind --numa-nodes=0
	want_rc 1 &&
		err_has 'no free range of 0x6000000 bytes on its numa-nodes (memory-policy "bind")'
}

have_bpf() { [ -f "$BPF/compact.bpf.o" ] && [ -x "$BPF/bpftool" ]; }

# load FILE NAME: kerf policy load, and the kernel names it.
load() {
	kerf policy load "$BPF/$1.bpf.o" && want_rc 0 && policy_is "bpf $2" &&
		kerf policy show && out_has "BPF policy $2"
}

unload() {
	kerf policy unload && want_rc 0 && policy_is builtin
}

bpf_samples() {
	reset && load compact bpf_compact &&
	place a 2-3 0x30000000 bpf_compact/first --cpu-count=2 &&
	place a 1 0x30000000 bpf_compact/first --cpu-count=1 || return 1
	# No node has 3 free: it declines, and the built-in policy places.
	kerf create a --cpu-count=3 --memory=16M && want_rc 0 &&
		err_has "policy-fallback: a: policy bpf_compact declined" &&
		grep -q "^a cpus 1-3 by first$" "$MK_MNT/overlays/$(tx_of a)/placement" &&
		kerf delete a && unload || return 1

	load spread bpf_spread &&
	place a 2 0x30000000 bpf_spread/first --cpu-count=1 &&
	place a 1-2 0x30000000 bpf_spread/first --cpu-count=2 && unload || return 1

	load local bpf_local &&
	# Its memory follows the CPUs to node 1; with CPUs given, to node 0.
	place a 2-3 0x34000000 bpf_local/bpf_local --cpu-count=2 &&
	place a 1 0x30000000 -/bpf_local --cpus=1 || return 1
	kerf create a --cpu-count=3 --memory=16M
	want_rc 1 &&
		err_has "ERROR: a: policy bpf_local finds no placement for its CPUs" &&
		unload || return 1

	load nohost_smt nohost_smt &&
	place a 2 0x30000000 nohost_smt/first --cpu-count=1 &&
	place a 2-3 0x30000000 nohost_smt/first --cpu-count=2 || return 1
	kerf create a --cpu-count=3 --memory=16M
	want_rc 1 && err_has "policy nohost_smt finds no placement" && unload
}

bpf_invalid_refused() {
	local before after

	reset && load bad_host_cpu bad_host_cpu || return 1
	before=$(md5sum < "$MK_MNT/device_tree")
	kerf create bad --cpu-count=1 --memory=16M
	want_rc 1 &&
		err_has "ERROR: bad: policy bad_host_cpu proposed CPUs 0, which are not free" &&
		err_has "which are not free; free: 1-3" &&
		err_has "\\[policy-invalid\\]" ||
		return 1
	after=$(md5sum < "$MK_MNT/device_tree")
	[ "$before" = "$after" ] && [ ! -e "$MK_MNT/instances/bad" ] && unload
}

# The context is read-only: the verifier refuses a program that writes it.
bpf_ctx_read_only() {
	reset || return 1
	kerf --verbose policy load "$BPF/bad_write_ctx.bpf.o"
	want_rc 1 && err_has "the kernel refused the program" &&
		err_has "only read is supported" && policy_is builtin
}

bpf_one_at_a_time() {
	reset && load compact bpf_compact || return 1
	kerf policy load "$BPF/spread.bpf.o"
	want_rc 1 && err_has "policy bpf_compact is attached; 'kerf policy unload' first" &&
		policy_is "bpf bpf_compact" && unload || return 1
	kerf policy unload
	want_rc 1 && err_has "no BPF placement policy is attached"
}

# What bpftool attaches, kerf sees and detaches; placement falls back.
bpf_bpftool() {
	local tx

	reset || return 1
	[ "$(awk '$2 == "/sys/fs/bpf" { print $3 }' /proc/mounts)" = bpf ] ||
		mount -t bpf none /sys/fs/bpf || return 1
	"$BPF/bpftool" struct_ops register "$BPF/compact.bpf.o" \
		/sys/fs/bpf/multikernel >/dev/null &&
		policy_is "bpf bpf_compact" && [ -e /sys/fs/bpf/multikernel/compact ] || return 1
	"$D/mk_poll" "$MK_MNT/policy" 10000 > "$OUT.poll" &
	sleep 1
	kerf create kept --cpu-count=2 --memory=16M && unload &&
		[ ! -e /sys/fs/bpf/multikernel/compact ] || return 1
	wait
	grep -q woken "$OUT.poll" || { echo "policy did not notify"; return 1; }
	# Rebuilding the state replays the decision: no policy runs again.
	kerf create other --cpu-count=1 --memory=16M && want_rc 0 || return 1
	tx=$(tx_of other)
	rmdir "$MK_MNT/overlays/$tx" || return 1
	[ "$(cat "$MK_MNT/instances/kept/cpus")" = 2-3 ] &&
		grep -q "^kept cpus 2-3 by bpf_compact$" \
			"$MK_MNT/overlays/$(tx_of kept)/placement" &&
		place after 1 0x31000000 first/first --cpu-count=1 && kerf delete kept
}

# A struct_ops registered without a link (a ".struct_ops" section) is
# attached as long as its map is; kerf finds and detaches it too.
bpf_without_link() {
	reset && "$BPF/bpftool" struct_ops register "$BPF/nolink_decline.bpf.o" >/dev/null &&
		policy_is "bpf nolink_decline" || return 1
	kerf create nl --cpu-count=1 --memory=16M && want_rc 0 &&
		err_has "policy nolink_decline declined to place CPUs (returned 1)" &&
		kerf delete nl && unload
}

# kerf init describes this machine's nodes, their memory and distances, and
# its SMT cores: placement then comes out as with pool-numa.dts.
init_topology() {
	reset && kerf init --cpus=1-3 --memory=128M@0x30000000 --apply &&
		want_rc 0 || return 1
	place t1 1 0x30000000 compact/first --cpu-count=1 --cpu-affinity=compact &&
	place t2 2-3 0x34000000 local/local --cpu-count=2 --cpu-affinity=local &&
	place t3 1-2 0x33800000 first/interleave --cpu-count=2 \
		--memory-policy=interleave || return 1
	# Only core-ids tell nohost_smt that CPU 1 shares the host's core.
	! have_bpf || { load nohost_smt nohost_smt &&
		place t4 2 0x30000000 nohost_smt/first --cpu-count=1 && unload; }
}

mk_require_root
ktap_print_header
ktap_set_plan 10
mount -t multikernel none "$MK_MNT" 2>/dev/null
mk_check "a baseline with two NUMA nodes and SMT cores" setup
mk_check "cpu-affinity: first, compact, spread, local; ENOSPC" builtin_cpus
mk_check "memory-policy: local, interleave, bind; ENOSPC" builtin_memory
if have_bpf; then
	mk_check "BPF samples place as they say; decline and refuse" bpf_samples
	mk_check "a BPF policy's invalid placement is refused, state unchanged" bpf_invalid_refused
	mk_check "a BPF policy cannot write its context" bpf_ctx_read_only
	mk_check "one BPF policy at a time" bpf_one_at_a_time
	mk_check "bpftool attaches, kerf detaches; decisions replay" bpf_bpftool
	mk_check "a policy attached without a link is detached too" bpf_without_link
else
	for t in samples invalid read-only one-at-a-time bpftool no-link; do
		ktap_test_skip "BPF $t: no policies in $BPF (harness/bpf.sh)"
	done
fi
mk_check "kerf init describes the NUMA nodes and SMT cores" init_topology
rm -f "$OUT" "$ERR" "$OUT.poll"
umount "$MK_MNT" 2>/dev/null
ktap_finished
