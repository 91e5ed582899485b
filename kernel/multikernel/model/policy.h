/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Placement policies: what decides the CPUs of an instance that gives only
 * cpu-count, and the memory base of one that leaves memory-base out.
 *
 * A policy sees a read-only view of the pool and one request, and proposes
 * a placement. It decides nothing on its own: the proposal is checked here
 * and then the whole state goes through the validator, like any explicit
 * allocation. Shared with user space (see port.h).
 */
#ifndef _MULTIKERNEL_POLICY_H
#define _MULTIKERNEL_POLICY_H

#include "model.h"

/* What a policy may look at; nothing in it is the policy's to change. */
struct mk_view {
	const struct mk_pool *pool;
	struct mk_cpus free_cpus;	/* neither host-reserved nor held */
	u32 nspans;
	struct mk_span *spans;		/* free pool memory, in address order */
};

/* One instance's request. */
struct mk_request {
	const char *name;
	u32 cpu_count;			/* CPUs to place; 0 if they are given */
	struct mk_cpus cpus;		/* the CPUs, given or just placed */
	u64 mem_bytes;
	bool place_memory;		/* memory-base is the kernel's to choose */
	enum mk_affinity affinity;
	enum mk_mempolicy mempolicy;
	u32 nnuma;
	const u32 *numa_nodes;		/* node-id values */
};

/**
 * struct mk_policy - a placement policy
 * @name: shown in reports and in a transaction's placement file
 * @place_cpus: fill @out with exactly @req->cpu_count free CPUs
 * @place_memory: set @base to the start of a free range of
 *	@req->mem_bytes
 * @priv: the policy's own
 *
 * Either callback may be NULL. A custom policy returns -ENOSPC to refuse:
 * the placement then fails. Any other non-zero value declines, and the
 * built-in policy decides instead. A built-in policy fails only when no
 * placement exists, with -ENOSPC and a finding in @rep.
 */
struct mk_policy {
	const char *name;
	int (*place_cpus)(const struct mk_policy *pol, const struct mk_view *v,
			  const struct mk_request *req, struct mk_cpus *out,
			  struct mk_report *rep);
	int (*place_memory)(const struct mk_policy *pol,
			    const struct mk_view *v,
			    const struct mk_request *req, u64 *base,
			    struct mk_report *rep);
	void *priv;
};

/* policy.c: the view, and what the built-in policies share. */
#define MK_NO_NODE	U32_MAX

u32 mk_view_cpu_node(const struct mk_view *v, u32 cpu);
u32 mk_view_cpu_core(const struct mk_view *v, u32 cpu);
u32 mk_view_distance(const struct mk_view *v, u32 a, u32 b);
u32 mk_view_node_index(const struct mk_view *v, u32 node_id);
u64 mk_view_node_bytes(const struct mk_view *v, u32 node, u64 base, u64 len);
u64 mk_view_node_free_bytes(const struct mk_view *v, u32 node);
u64 mk_view_node_largest_free(const struct mk_view *v, u32 node);
void mk_view_candidates(const struct mk_view *v, const struct mk_request *req,
			struct mk_cpus *out);
u32 mk_view_home_node(const struct mk_view *v, const struct mk_cpus *cpus);
int mk_place_cpus(const struct mk_policy *custom, const struct mk_view *v,
		  const struct mk_request *req, struct mk_cpus *out,
		  const char **by, struct mk_report *rep);
int mk_place_memory(const struct mk_policy *custom, const struct mk_view *v,
		    const struct mk_request *req, u64 *base, const char **by,
		    struct mk_report *rep);

/* policy_cpu.c, policy_mem.c: the built-in policies. */
const struct mk_policy *mk_cpu_policy(enum mk_affinity affinity);
const struct mk_policy *mk_mem_policy(const struct mk_request *req);

#endif /* _MULTIKERNEL_POLICY_H */
