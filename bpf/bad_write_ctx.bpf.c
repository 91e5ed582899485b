// SPDX-License-Identifier: GPL-2.0
/*
 * A deliberately wrong policy, for tests: it writes to its context to ask
 * for more CPUs. The verifier must refuse to load it; a policy reads the
 * pool and proposes through kfuncs, it never changes what it was given.
 */
#include "mk_policy.bpf.h"
#include <bpf/bpf_tracing.h>

char _license[] SEC("license") = "GPL";

SEC("struct_ops/place_cpus")
int BPF_PROG(bad_write_place_cpus, struct mk_policy_ctx *pc)
{
	pc->cpu_count = 1;
	return MK_DECLINE;
}

SEC(".struct_ops.link")
struct mk_policy_ops bad_write_ctx = {
	.place_cpus = (void *)bad_write_place_cpus,
	.name = "bad_write_ctx",
};
