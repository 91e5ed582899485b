/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a multikernel placement policy written in BPF sees: the context
 * it is called with, the kfuncs, and the struct_ops type it fills in.
 * Field offsets are relocated against the running kernel's BTF (CO-RE),
 * so this header does not have to match the kernel byte for byte.
 *
 * Documentation/filesystems/multikernel-policy.rst describes them.
 */
#ifndef _MK_POLICY_BPF_H
#define _MK_POLICY_BPF_H

#include <linux/types.h>
#include <stdbool.h>
#include <bpf/bpf_helpers.h>

#ifndef ENOSPC
#define ENOSPC		28	/* refuse: the placement fails */
#endif
#define MK_DECLINE	1	/* any other non-zero: the built-in decides */

/* The samples walk at most this many CPUs and nodes. */
#define MK_BPF_MAX_CPUS		256
#define MK_BPF_MAX_NODES	64

/* bpf_for()'s iterator state; vmlinux.h would define it. */
struct bpf_iter_num {
	__u64 __opaque[1];
} __attribute__((aligned(8)));

struct mk_policy_ctx {
	__u32 nr_cpus;
	__u32 nr_nodes;
	__u32 cpu_count;
	__u32 affinity;
	__u32 mempolicy;
	__u32 nr_req_nodes;
	__u64 mem_bytes;
	__u32 nr_spans;
} __attribute__((preserve_access_index));

struct mk_policy_ops {
	int (*place_cpus)(struct mk_policy_ctx *ctx);
	int (*place_memory)(struct mk_policy_ctx *ctx);
	char name[16];
};

extern bool bpf_mk_cpu_free(struct mk_policy_ctx *ctx, __u32 cpu) __ksym;
extern bool bpf_mk_cpu_host(struct mk_policy_ctx *ctx, __u32 cpu) __ksym;
extern __s32 bpf_mk_cpu_node(struct mk_policy_ctx *ctx, __u32 cpu) __ksym;
extern __s64 bpf_mk_cpu_core(struct mk_policy_ctx *ctx, __u32 cpu) __ksym;
extern __s64 bpf_mk_node_id(struct mk_policy_ctx *ctx, __u32 idx) __ksym;
extern __u32 bpf_mk_node_free_cpus(struct mk_policy_ctx *ctx,
				   __u32 node_id) __ksym;
extern __u64 bpf_mk_node_free_bytes(struct mk_policy_ctx *ctx,
				    __u32 node_id) __ksym;
extern __u64 bpf_mk_node_mem_start(struct mk_policy_ctx *ctx,
				   __u32 node_id) __ksym;
extern __u64 bpf_mk_node_mem_end(struct mk_policy_ctx *ctx,
				 __u32 node_id) __ksym;
extern __u32 bpf_mk_distance(struct mk_policy_ctx *ctx, __u32 from,
			     __u32 to) __ksym;
extern __s64 bpf_mk_req_node(struct mk_policy_ctx *ctx, __u32 idx) __ksym;
extern bool bpf_mk_req_has_cpu(struct mk_policy_ctx *ctx, __u32 cpu) __ksym;
extern __u64 bpf_mk_span_start(struct mk_policy_ctx *ctx, __u32 idx) __ksym;
extern __u64 bpf_mk_span_end(struct mk_policy_ctx *ctx, __u32 idx) __ksym;
extern int bpf_mk_propose_cpu(struct mk_policy_ctx *ctx, __u32 cpu) __ksym;
extern int bpf_mk_propose_memory(struct mk_policy_ctx *ctx, __u64 base) __ksym;

/* Propose the free CPUs of @node (-1: any node), lowest first. */
static __always_inline __u32 mk_take_node(struct mk_policy_ctx *ctx, __s64 node,
					  __u32 need)
{
	__u32 n = ctx->nr_cpus, taken = 0;
	int cpu;

	bpf_for(cpu, 0, MK_BPF_MAX_CPUS) {
		if (cpu >= n || taken == need)
			break;
		if (!bpf_mk_cpu_free(ctx, cpu))
			continue;
		if (node >= 0 && bpf_mk_cpu_node(ctx, cpu) != node)
			continue;
		bpf_mk_propose_cpu(ctx, cpu);
		taken++;
	}
	return taken;
}

/*
 * Whether a sibling of @cpu, a CPU of the same physical core, is the
 * host's (@host), or else is neither free nor the instance's.
 */
static __always_inline bool mk_sibling_taken(struct mk_policy_ctx *ctx, int cpu,
					     bool host)
{
	__s64 core = bpf_mk_cpu_core(ctx, cpu);
	__u32 n = ctx->nr_cpus;
	int j;

	bpf_for(j, 0, MK_BPF_MAX_CPUS) {
		if (j >= n)
			break;
		if (j == cpu || bpf_mk_cpu_core(ctx, j) != core)
			continue;
		if (host ? bpf_mk_cpu_host(ctx, j) :
		    !bpf_mk_cpu_free(ctx, j) && !bpf_mk_req_has_cpu(ctx, j))
			return true;
	}
	return false;
}

/* The node-id of the fullest node with @need free CPUs, or -1. */
static __always_inline __s64 mk_best_fit_node(struct mk_policy_ctx *ctx,
					      __u32 need)
{
	__u32 free, best_free = ~0U;
	__s64 node, best = -1;
	int i;

	bpf_for(i, 0, MK_BPF_MAX_NODES) {
		node = bpf_mk_node_id(ctx, i);
		if (node < 0)
			break;
		free = bpf_mk_node_free_cpus(ctx, node);
		if (free >= need && free < best_free) {
			best = node;
			best_free = free;
		}
	}
	return best;
}

#endif /* _MK_POLICY_BPF_H */
