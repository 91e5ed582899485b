// SPDX-License-Identifier: GPL-2.0
/*
 * spread, in BPF: each CPU from the NUMA node with the most free CPUs at
 * that moment (the first such node on a tie), the lowest free CPU there.
 * The instance ends up balanced across the nodes.
 */
#include "mk_policy.bpf.h"
#include <bpf/bpf_tracing.h>

char _license[] SEC("license") = "GPL";

SEC("struct_ops/place_cpus")
int BPF_PROG(spread_place_cpus, struct mk_policy_ctx *pc)
{
	__u32 free, most;
	__s64 node, best;
	int k, i;

	if (!pc->nr_nodes)
		return MK_DECLINE;
	bpf_for(k, 0, MK_BPF_MAX_CPUS) {
		if (k >= pc->cpu_count)
			break;
		best = -1;
		most = 0;
		bpf_for(i, 0, MK_BPF_MAX_NODES) {
			node = bpf_mk_node_id(pc, i);
			if (node < 0)
				break;
			free = bpf_mk_node_free_cpus(pc, node);
			if (free > most) {
				best = node;
				most = free;
			}
		}
		if (best < 0 || mk_take_node(pc, best, 1) != 1)
			return MK_DECLINE;
	}
	return 0;
}

SEC(".struct_ops.link")
struct mk_policy_ops spread = {
	.place_cpus = (void *)spread_place_cpus,
	.name = "bpf_spread",
};
