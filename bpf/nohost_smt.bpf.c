// SPDX-License-Identifier: GPL-2.0
/*
 * nohost_smt: never give an instance a CPU whose physical core it would
 * share with the host. SMT siblings share caches and execution units, so
 * an instance on a host core's sibling can disturb the host and be
 * disturbed by it; the built-in policies happily use such CPUs. Among the
 * CPUs that remain it takes the lowest. Refuses (-ENOSPC) when there are
 * not enough.
 */
#include "mk_policy.bpf.h"
#include <bpf/bpf_tracing.h>

char _license[] SEC("license") = "GPL";

SEC("struct_ops/place_cpus")
int BPF_PROG(nohost_place_cpus, struct mk_policy_ctx *pc)
{
	__u32 need = pc->cpu_count, n = pc->nr_cpus;
	int cpu;

	bpf_for(cpu, 0, MK_BPF_MAX_CPUS) {
		if (cpu >= n || !need)
			break;
		if (!bpf_mk_cpu_free(pc, cpu) || mk_sibling_taken(pc, cpu, true))
			continue;
		bpf_mk_propose_cpu(pc, cpu);
		need--;
	}
	return need ? -ENOSPC : 0;
}

SEC(".struct_ops.link")
struct mk_policy_ops nohost_smt = {
	.place_cpus = (void *)nohost_place_cpus,
	.name = "nohost_smt",
};
