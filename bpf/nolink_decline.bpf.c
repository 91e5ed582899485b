// SPDX-License-Identifier: GPL-2.0
/*
 * A policy for tests, in a ".struct_ops" section: it is attached by
 * updating its map, without a struct_ops link, as older loaders do. It
 * declines every placement. kerf policy unload must find and detach it
 * all the same.
 */
#include "mk_policy.bpf.h"
#include <bpf/bpf_tracing.h>

char _license[] SEC("license") = "GPL";

SEC("struct_ops/place_cpus")
int BPF_PROG(nolink_place_cpus, struct mk_policy_ctx *pc)
{
	return MK_DECLINE;
}

SEC(".struct_ops")
struct mk_policy_ops nolink_decline = {
	.place_cpus = (void *)nolink_place_cpus,
	.name = "nolink_decline",
};
