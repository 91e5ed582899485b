// SPDX-License-Identifier: GPL-2.0
/*
 * local, in BPF: every CPU on one NUMA node, the fullest that has room,
 * and the memory on that node, at the lowest free address there. When no
 * node has room for the CPUs it refuses (-ENOSPC) instead of declining:
 * the instance must not straddle nodes. When the node has no room for
 * the memory it declines, and the built-in policy places it.
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

SEC("struct_ops/place_memory")
int BPF_PROG(local_place_memory, struct mk_policy_ctx *pc)
{
	__u64 len = pc->mem_bytes, start, end, nstart, nend;
	__s64 home = -1;
	int cpu, i;

	/* The home node: the node of the instance's first CPU. */
	bpf_for(cpu, 0, MK_BPF_MAX_CPUS) {
		if (cpu >= pc->nr_cpus)
			break;
		if (bpf_mk_req_has_cpu(pc, cpu)) {
			home = bpf_mk_cpu_node(pc, cpu);
			break;
		}
	}
	if (home < 0)
		return MK_DECLINE;
	nstart = bpf_mk_node_mem_start(pc, home);
	nend = bpf_mk_node_mem_end(pc, home);
	bpf_for(i, 0, MK_BPF_MAX_CPUS) {
		if (i >= pc->nr_spans)
			break;
		start = bpf_mk_span_start(pc, i);
		end = bpf_mk_span_end(pc, i);
		if (start < nstart)
			start = nstart;
		if (end > nend)
			end = nend;
		if (start < end && end - start >= len) {
			bpf_mk_propose_memory(pc, start);
			return 0;
		}
	}
	return MK_DECLINE;
}

SEC(".struct_ops.link")
struct mk_policy_ops local = {
	.place_cpus = (void *)local_place_cpus,
	.place_memory = (void *)local_place_memory,
	.name = "bpf_local",
};
