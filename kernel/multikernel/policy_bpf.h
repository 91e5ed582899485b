/* SPDX-License-Identifier: GPL-2.0 */
/* The BPF placement policy, as the filesystem sees it (policy_bpf.c). */
#ifndef _MULTIKERNEL_POLICY_BPF_H
#define _MULTIKERNEL_POLICY_BPF_H

#include <linux/kernel.h>
#include <linux/types.h>

struct mk_policy;

#ifdef CONFIG_MULTIKERNEL_BPF
struct mk_policy_ctx;

/* The kfuncs, which only BPF programs call; declared here for sparse. */
bool bpf_mk_cpu_free(struct mk_policy_ctx *ctx, u32 cpu);
bool bpf_mk_cpu_host(struct mk_policy_ctx *ctx, u32 cpu);
s32 bpf_mk_cpu_node(struct mk_policy_ctx *ctx, u32 cpu);
s64 bpf_mk_cpu_core(struct mk_policy_ctx *ctx, u32 cpu);
s64 bpf_mk_node_id(struct mk_policy_ctx *ctx, u32 idx);
u32 bpf_mk_node_free_cpus(struct mk_policy_ctx *ctx, u32 node_id);
u64 bpf_mk_node_free_bytes(struct mk_policy_ctx *ctx, u32 node_id);
u64 bpf_mk_node_mem_start(struct mk_policy_ctx *ctx, u32 node_id);
u64 bpf_mk_node_mem_end(struct mk_policy_ctx *ctx, u32 node_id);
u32 bpf_mk_distance(struct mk_policy_ctx *ctx, u32 from, u32 to);
s64 bpf_mk_req_node(struct mk_policy_ctx *ctx, u32 idx);
bool bpf_mk_req_has_cpu(struct mk_policy_ctx *ctx, u32 cpu);
u64 bpf_mk_span_start(struct mk_policy_ctx *ctx, u32 idx);
u64 bpf_mk_span_end(struct mk_policy_ctx *ctx, u32 idx);
int bpf_mk_propose_cpu(struct mk_policy_ctx *ctx, u32 cpu);
int bpf_mk_propose_memory(struct mk_policy_ctx *ctx, u64 base);

const struct mk_policy *mk_policy_bpf_get(void);
void mk_policy_bpf_put(void);
int mk_policy_bpf_describe(char *buf, size_t size);
void mk_policy_bpf_set_notify(void (*changed)(void));
#else
static inline const struct mk_policy *mk_policy_bpf_get(void)
{
	return NULL;
}

static inline void mk_policy_bpf_put(void)
{
}

static inline int mk_policy_bpf_describe(char *buf, size_t size)
{
	return snprintf(buf, size, "builtin\n");
}

static inline void mk_policy_bpf_set_notify(void (*changed)(void))
{
}
#endif

#endif /* _MULTIKERNEL_POLICY_BPF_H */
