// SPDX-License-Identifier: GPL-2.0
/*
 * compact, in BPF: the fullest NUMA node that has room, so that emptier
 * nodes stay whole for larger instances; there, whole SMT cores first,
 * then single threads. When no node has room it declines, and the
 * built-in compact policy spills over to the nearest nodes.
 */
#include "mk_policy.bpf.h"
#include <bpf/bpf_tracing.h>

char _license[] SEC("license") = "GPL";

SEC("struct_ops/place_cpus")
int BPF_PROG(compact_place_cpus, struct mk_policy_ctx *pc)
{
	__u32 need = pc->cpu_count, n = pc->nr_cpus;
	__s64 best = mk_best_fit_node(pc, need);
	int cpu, pass;

	if (best < 0 && pc->nr_nodes)
		return MK_DECLINE;

	bpf_for(pass, 0, 2) {
		bpf_for(cpu, 0, MK_BPF_MAX_CPUS) {
			if (cpu >= n || !need)
				break;
			if (!bpf_mk_cpu_free(pc, cpu))
				continue;
			/*
			 * Not "best >= 0 &&": the 6.12 verifier took best for
			 * its initial -1 here and removed the check as dead
			 * code. With nodes, best is set (or we declined).
			 */
			if (pc->nr_nodes && bpf_mk_cpu_node(pc, cpu) != best)
				continue;
			if (pass == 0 && mk_sibling_taken(pc, cpu, false))
				continue;
			bpf_mk_propose_cpu(pc, cpu);
			need--;
		}
	}
	return need ? MK_DECLINE : 0;
}

SEC(".struct_ops.link")
struct mk_policy_ops compact = {
	.place_cpus = (void *)compact_place_cpus,
	.name = "bpf_compact",
};
