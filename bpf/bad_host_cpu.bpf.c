// SPDX-License-Identifier: GPL-2.0
/*
 * A deliberately wrong policy, for tests: it proposes the host's CPUs.
 * The kernel must refuse the placement with policy-invalid and leave the
 * state as it was.
 */
#include "mk_policy.bpf.h"
#include <bpf/bpf_tracing.h>

char _license[] SEC("license") = "GPL";

SEC("struct_ops/place_cpus")
int BPF_PROG(bad_place_cpus, struct mk_policy_ctx *pc)
{
	__u32 need = pc->cpu_count, n = pc->nr_cpus;
	int cpu;

	bpf_for(cpu, 0, MK_BPF_MAX_CPUS) {
		if (cpu >= n || !need)
			break;
		if (!bpf_mk_cpu_host(pc, cpu))
			continue;
		bpf_mk_propose_cpu(pc, cpu);
		need--;
	}
	return 0;
}

SEC(".struct_ops.link")
struct mk_policy_ops bad_host_cpu = {
	.place_cpus = (void *)bad_place_cpus,
	.name = "bad_host_cpu",
};
