// SPDX-License-Identifier: GPL-2.0
/*
 * local, in BPF: every CPU on one NUMA node, the fullest that has room.
 * When no node has room it refuses (-ENOSPC) instead of declining: the
 * instance must not straddle nodes. Memory is left to the built-in
 * policies (memory-policy "local" puts it on the same node).
 */
#include "mk_policy.bpf.h"
#include <bpf/bpf_tracing.h>

char _license[] SEC("license") = "GPL";

SEC("struct_ops/place_cpus")
int BPF_PROG(local_place_cpus, struct mk_policy_ctx *pc)
{
	__u32 need = pc->cpu_count;
	__s64 best = mk_best_fit_node(pc, need);

	if (best < 0)
		return -ENOSPC;
	return mk_take_node(pc, best, need) == need ? 0 : MK_DECLINE;
}

SEC(".struct_ops.link")
struct mk_policy_ops local = {
	.place_cpus = (void *)local_place_cpus,
	.name = "bpf_local",
};
