// SPDX-License-Identifier: GPL-2.0
/*
 * Placement policies written in BPF: the struct_ops type mk_policy_ops and
 * the kfuncs its programs call. One policy is attached at a time. While
 * one is, it is asked first for every placement; when it declines (returns
 * non-zero), the built-in policy decides. Whatever it proposes is checked
 * like any placement (model/policy.c), so a buggy program can make a write fail
 * but never make the state invalid.
 *
 * The lock is held while a program runs and while a policy attaches or
 * detaches, so a program is never called after its struct_ops has gone.
 */

#include <linux/bpf.h>
#include <linux/bpf_verifier.h>
#include <linux/btf.h>
#include <linux/btf_ids.h>
#include <linux/filter.h>
#include <linux/init.h>
#include <linux/mutex.h>

#include "model/policy.h"
#include "policy_bpf.h"

/**
 * struct mk_policy_ctx - what a BPF policy is called with
 * @nr_cpus: CPU numbers of the pool are below this
 * @nr_nodes: NUMA nodes of the pool; bpf_mk_node_id() numbers them
 * @cpu_count: CPUs to propose (0 in place_memory)
 * @affinity: the instance's cpu-affinity: 0 none, 1 compact, 2 spread,
 *	3 local
 * @mempolicy: its memory-policy: 0 none, 1 local, 2 interleave, 3 bind
 * @nr_req_nodes: entries of its numa-nodes; see bpf_mk_req_node()
 * @mem_bytes: the memory to place
 * @nr_spans: free ranges of the pool; see bpf_mk_span_start()
 * @view: the kernel's, through the kfuncs only
 * @req: the kernel's, through the kfuncs only
 * @cpus: the kernel's, through the kfuncs only
 * @mem_base: the kernel's, through the kfuncs only
 * @placing_cpus: the kernel's, through the kfuncs only
 * @mem_proposed: the kernel's, through the kfuncs only
 *
 * A program may read every field; it writes none (the verifier refuses).
 */
struct mk_policy_ctx {
	u32 nr_cpus;
	u32 nr_nodes;
	u32 cpu_count;
	u32 affinity;
	u32 mempolicy;
	u32 nr_req_nodes;
	u64 mem_bytes;
	u32 nr_spans;
	const struct mk_view *view;
	const struct mk_request *req;
	struct mk_cpus *cpus;
	u64 mem_base;
	bool placing_cpus;
	bool mem_proposed;
};

/**
 * struct mk_policy_ops - a placement policy written in BPF
 * @place_cpus: propose @ctx->cpu_count CPUs with bpf_mk_propose_cpu();
 *	return 0 to have them checked and used, non-zero to decline
 * @place_memory: propose a base with bpf_mk_propose_memory(); return as
 *	for @place_cpus
 * @name: shown in /sys/fs/multikernel/policy and in placements
 *
 * Either operation may be left out; the built-in policy then decides.
 */
struct mk_policy_ops {
	int (*place_cpus)(struct mk_policy_ctx *ctx);
	int (*place_memory)(struct mk_policy_ctx *ctx);
	char name[MK_POLICY_NAME_MAX];
};

static DEFINE_MUTEX(mk_bpf_lock);
static struct mk_policy_ops *mk_bpf_ops;
static struct mk_policy mk_bpf_policy;
static void (*mk_bpf_changed)(void);

/*
 * Call one operation of the attached program. place_cpus proposes into
 * @out; place_memory reads the instance's CPUs from @req and sets @base.
 */
static int mk_bpf_call(const struct mk_view *v, const struct mk_request *req,
		       struct mk_cpus *out, u64 *base)
{
	struct mk_policy_ctx *ctx;
	int ret;

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	ctx->nr_cpus = v->pool->total_cpus;
	ctx->nr_nodes = v->pool->nnuma;
	ctx->cpu_count = req->cpu_count;
	ctx->affinity = req->affinity;
	ctx->mempolicy = req->mempolicy;
	ctx->nr_req_nodes = req->nnuma;
	ctx->mem_bytes = req->mem_bytes;
	ctx->nr_spans = v->nspans;
	ctx->view = v;
	ctx->req = req;
	ctx->placing_cpus = out;
	/* In place_memory the kfuncs only read it. */
	ctx->cpus = out ? out : (struct mk_cpus *)&req->cpus;
	if (out) {
		ret = mk_bpf_ops->place_cpus(ctx);
	} else {
		ret = mk_bpf_ops->place_memory(ctx);
		if (!ret && !ctx->mem_proposed)
			ret = -ENODATA;
		*base = ctx->mem_base;
	}
	kfree(ctx);
	return ret;
}

static int mk_bpf_place_cpus(const struct mk_policy *pol,
			     const struct mk_view *v,
			     const struct mk_request *req, struct mk_cpus *out,
			     struct mk_report *rep)
{
	return mk_bpf_call(v, req, out, NULL);
}

static int mk_bpf_place_memory(const struct mk_policy *pol,
			       const struct mk_view *v,
			       const struct mk_request *req, u64 *base,
			       struct mk_report *rep)
{
	return mk_bpf_call(v, req, NULL, base);
}

/**
 * mk_policy_bpf_get - the attached BPF policy, held until mk_policy_bpf_put()
 *
 * Return: the policy, or NULL when none is attached. Either way the caller
 * must call mk_policy_bpf_put().
 */
const struct mk_policy *mk_policy_bpf_get(void)
{
	mutex_lock(&mk_bpf_lock);
	if (!mk_bpf_ops)
		return NULL;
	/* What the program leaves out is the built-in policies' to decide. */
	mk_bpf_policy.name = mk_bpf_ops->name;
	mk_bpf_policy.place_cpus = mk_bpf_ops->place_cpus ? mk_bpf_place_cpus : NULL;
	mk_bpf_policy.place_memory = mk_bpf_ops->place_memory ?
				     mk_bpf_place_memory : NULL;
	return &mk_bpf_policy;
}

void mk_policy_bpf_put(void)
{
	mutex_unlock(&mk_bpf_lock);
}

/* "bpf NAME" or "builtin", for /sys/fs/multikernel/policy. */
int mk_policy_bpf_describe(char *buf, size_t size)
{
	int n;

	mutex_lock(&mk_bpf_lock);
	if (mk_bpf_ops)
		n = snprintf(buf, size, "bpf %s\n", mk_bpf_ops->name);
	else
		n = snprintf(buf, size, "builtin\n");
	mutex_unlock(&mk_bpf_lock);
	return n;
}

/* The filesystem's hook for poll notification when the policy changes. */
void mk_policy_bpf_set_notify(void (*changed)(void))
{
	mutex_lock(&mk_bpf_lock);
	mk_bpf_changed = changed;
	mutex_unlock(&mk_bpf_lock);
}

static void mk_bpf_notify(void)
{
	void (*changed)(void);

	mutex_lock(&mk_bpf_lock);
	changed = mk_bpf_changed;
	mutex_unlock(&mk_bpf_lock);
	if (changed)
		changed();
}

/* kfuncs */

__bpf_kfunc_start_defs();

/**
 * bpf_mk_cpu_free - whether a CPU is free for this placement
 * @ctx: the policy's context
 * @cpu: a CPU number
 *
 * Return: true if @cpu is in the pool, not host-reserved, held by no
 * instance and not proposed yet.
 */
__bpf_kfunc bool bpf_mk_cpu_free(struct mk_policy_ctx *ctx, u32 cpu)
{
	return cpu < MK_MAX_CPUS && test_bit(cpu, ctx->view->free_cpus.bits) &&
	       !(ctx->placing_cpus && test_bit(cpu, ctx->cpus->bits));
}

/**
 * bpf_mk_cpu_host - whether a CPU is reserved for the host
 * @ctx: the policy's context
 * @cpu: a CPU number
 *
 * Return: true if the baseline's host-reserved lists @cpu.
 */
__bpf_kfunc bool bpf_mk_cpu_host(struct mk_policy_ctx *ctx, u32 cpu)
{
	return cpu < MK_MAX_CPUS &&
	       test_bit(cpu, ctx->view->pool->host_reserved.bits);
}

/**
 * bpf_mk_cpu_node - the NUMA node of a CPU
 * @ctx: the policy's context
 * @cpu: a CPU number
 *
 * Return: the node's node-id, or -1 when the CPU is on no node.
 */
__bpf_kfunc s32 bpf_mk_cpu_node(struct mk_policy_ctx *ctx, u32 cpu)
{
	u32 node;

	if (cpu >= MK_MAX_CPUS)
		return -1;
	node = mk_view_cpu_node(ctx->view, cpu);
	return node == MK_NO_NODE ? -1 : ctx->view->pool->numa[node].id;
}

/**
 * bpf_mk_cpu_core - the physical core of a CPU
 * @ctx: the policy's context
 * @cpu: a CPU number
 *
 * Return: the core id from the baseline's core-ids (SMT siblings share
 * it), @cpu itself without core-ids, or -1 past the pool's CPUs.
 */
__bpf_kfunc s64 bpf_mk_cpu_core(struct mk_policy_ctx *ctx, u32 cpu)
{
	if (cpu >= ctx->view->pool->total_cpus)
		return -1;
	return mk_view_cpu_core(ctx->view, cpu);
}

/**
 * bpf_mk_node_id - the node-id of the @idx-th NUMA node
 * @ctx: the policy's context
 * @idx: from 0 to @ctx->nr_nodes - 1
 *
 * Return: the node-id, or -1 past the last node.
 */
__bpf_kfunc s64 bpf_mk_node_id(struct mk_policy_ctx *ctx, u32 idx)
{
	if (idx >= ctx->view->pool->nnuma)
		return -1;
	return ctx->view->pool->numa[idx].id;
}

static u32 mk_node_proposed(const struct mk_policy_ctx *ctx, u32 node)
{
	const struct mk_numa_node *nn = &ctx->view->pool->numa[node];
	u32 k, n = 0;

	for (k = 0; k < MK_BITMAP_LONGS(MK_MAX_CPUS); k++)
		n += hweight_long(ctx->cpus->bits[k] & nn->cpus.bits[k] &
				  ctx->view->free_cpus.bits[k]);
	return n;
}

/**
 * bpf_mk_node_free_cpus - how many CPUs of a node are free
 * @ctx: the policy's context
 * @node_id: a node-id
 *
 * Return: the count, not counting CPUs already proposed; 0 for an
 * unknown node.
 */
__bpf_kfunc u32 bpf_mk_node_free_cpus(struct mk_policy_ctx *ctx, u32 node_id)
{
	u32 node = mk_view_node_index(ctx->view, node_id), n;

	if (node == MK_NO_NODE)
		return 0;
	n = bitmap_weight_and(ctx->view->free_cpus.bits,
			      ctx->view->pool->numa[node].cpus.bits, MK_MAX_CPUS);
	if (ctx->placing_cpus)
		n -= mk_node_proposed(ctx, node);
	return n;
}

/**
 * bpf_mk_node_free_bytes - free pool memory on a node
 * @ctx: the policy's context
 * @node_id: a node-id
 *
 * Return: bytes, over all free ranges; 0 for an unknown node.
 */
__bpf_kfunc u64 bpf_mk_node_free_bytes(struct mk_policy_ctx *ctx, u32 node_id)
{
	u32 node = mk_view_node_index(ctx->view, node_id);

	return node == MK_NO_NODE ? 0 : mk_view_node_free_bytes(ctx->view, node);
}

/**
 * bpf_mk_node_mem_start - where a node's memory starts
 * @ctx: the policy's context
 * @node_id: a node-id
 *
 * Return: the address from the baseline's memory-base, or 0 for an
 * unknown node or one without memory.
 */
__bpf_kfunc u64 bpf_mk_node_mem_start(struct mk_policy_ctx *ctx, u32 node_id)
{
	u32 node = mk_view_node_index(ctx->view, node_id);

	return node == MK_NO_NODE ? 0 : ctx->view->pool->numa[node].mem_base;
}

/**
 * bpf_mk_node_mem_end - where a node's memory ends (exclusive)
 * @ctx: the policy's context
 * @node_id: a node-id
 *
 * Return: the address, or 0 for an unknown node or one without memory.
 */
__bpf_kfunc u64 bpf_mk_node_mem_end(struct mk_policy_ctx *ctx, u32 node_id)
{
	u32 node = mk_view_node_index(ctx->view, node_id);
	const struct mk_numa_node *nn;
	u64 end;

	if (node == MK_NO_NODE)
		return 0;
	nn = &ctx->view->pool->numa[node];
	if (!nn->mem_size || check_add_overflow(nn->mem_base, nn->mem_size, &end))
		return 0;
	return end;
}

/**
 * bpf_mk_distance - the NUMA distance from one node to another
 * @ctx: the policy's context
 * @from: a node-id
 * @to: a node-id
 *
 * Return: the baseline's distance (10 is local), capped at 255; 20
 * between different nodes without a table; 255 for an unknown node.
 */
__bpf_kfunc u32 bpf_mk_distance(struct mk_policy_ctx *ctx, u32 from, u32 to)
{
	return mk_view_distance(ctx->view, mk_view_node_index(ctx->view, from),
				mk_view_node_index(ctx->view, to));
}

/**
 * bpf_mk_req_node - an entry of the instance's numa-nodes
 * @ctx: the policy's context
 * @idx: from 0 to @ctx->nr_req_nodes - 1
 *
 * Return: the node-id, or -1 past the last entry.
 */
__bpf_kfunc s64 bpf_mk_req_node(struct mk_policy_ctx *ctx, u32 idx)
{
	if (idx >= ctx->req->nnuma)
		return -1;
	return ctx->req->numa_nodes[idx];
}

/**
 * bpf_mk_req_has_cpu - whether the instance has a CPU
 * @ctx: the policy's context
 * @cpu: a CPU number
 *
 * Return: in place_memory, whether @cpu is one of its CPUs, given or just
 * placed; in place_cpus, whether it was proposed so far.
 */
__bpf_kfunc bool bpf_mk_req_has_cpu(struct mk_policy_ctx *ctx, u32 cpu)
{
	return cpu < MK_MAX_CPUS && test_bit(cpu, ctx->cpus->bits);
}

/**
 * bpf_mk_span_start - the start of the @idx-th free range of the pool
 * @ctx: the policy's context
 * @idx: from 0 to @ctx->nr_spans - 1; ranges are in address order
 *
 * Return: the address, or 0 past the last range.
 */
__bpf_kfunc u64 bpf_mk_span_start(struct mk_policy_ctx *ctx, u32 idx)
{
	return idx < ctx->view->nspans ? ctx->view->spans[idx].start : 0;
}

/**
 * bpf_mk_span_end - the end (exclusive) of the @idx-th free range
 * @ctx: the policy's context
 * @idx: as for bpf_mk_span_start()
 *
 * Return: the address, or 0 past the last range.
 */
__bpf_kfunc u64 bpf_mk_span_end(struct mk_policy_ctx *ctx, u32 idx)
{
	return idx < ctx->view->nspans ? ctx->view->spans[idx].end : 0;
}

/**
 * bpf_mk_propose_cpu - add a CPU to the proposal
 * @ctx: the policy's context
 * @cpu: a CPU number
 *
 * The proposal is checked as a whole after the program returns: its CPUs
 * must be free and exactly @ctx->cpu_count.
 *
 * Return: 0; -EINVAL for a CPU number past the pool's limit; -EPERM in
 * place_memory.
 */
__bpf_kfunc int bpf_mk_propose_cpu(struct mk_policy_ctx *ctx, u32 cpu)
{
	if (!ctx->placing_cpus)
		return -EPERM;
	if (cpu >= MK_MAX_CPUS)
		return -EINVAL;
	__set_bit(cpu, ctx->cpus->bits);
	return 0;
}

/**
 * bpf_mk_propose_memory - propose the instance's memory base
 * @ctx: the policy's context
 * @base: the address; [@base, @base + @ctx->mem_bytes) must be free
 *
 * Checked after the program returns; a later call replaces an earlier.
 *
 * Return: 0, or -EPERM in place_cpus.
 */
__bpf_kfunc int bpf_mk_propose_memory(struct mk_policy_ctx *ctx, u64 base)
{
	if (ctx->placing_cpus)
		return -EPERM;
	ctx->mem_base = base;
	ctx->mem_proposed = true;
	return 0;
}

__bpf_kfunc_end_defs();

BTF_KFUNCS_START(mk_policy_kfunc_ids)
BTF_ID_FLAGS(func, bpf_mk_cpu_free, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, bpf_mk_cpu_host, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, bpf_mk_cpu_node, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, bpf_mk_cpu_core, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, bpf_mk_node_id, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, bpf_mk_node_free_cpus, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, bpf_mk_node_free_bytes, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, bpf_mk_node_mem_start, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, bpf_mk_node_mem_end, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, bpf_mk_distance, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, bpf_mk_req_node, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, bpf_mk_req_has_cpu, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, bpf_mk_span_start, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, bpf_mk_span_end, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, bpf_mk_propose_cpu, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, bpf_mk_propose_memory, KF_TRUSTED_ARGS)
BTF_KFUNCS_END(mk_policy_kfunc_ids)

BTF_ID_LIST_SINGLE(mk_policy_ops_btf_id, struct, mk_policy_ops)

/* The kfuncs are for mk_policy_ops programs only. */
static int mk_policy_kfunc_filter(const struct bpf_prog *prog, u32 kfunc_id)
{
	if (!btf_id_set8_contains(&mk_policy_kfunc_ids, kfunc_id))
		return 0;
	return prog->aux->attach_btf_id == mk_policy_ops_btf_id[0] ? 0 : -EACCES;
}

static const struct btf_kfunc_id_set mk_policy_kfunc_set = {
	.owner	= THIS_MODULE,
	.set	= &mk_policy_kfunc_ids,
	.filter	= mk_policy_kfunc_filter,
};

/* struct_ops */

static const struct bpf_func_proto *
mk_policy_func_proto(enum bpf_func_id func_id, const struct bpf_prog *prog)
{
	return bpf_base_func_proto(func_id, prog);
}

static bool mk_policy_valid_access(int off, int size, enum bpf_access_type type,
				   const struct bpf_prog *prog,
				   struct bpf_insn_access_aux *info)
{
	return bpf_tracing_btf_ctx_access(off, size, type, prog, info);
}

static const struct bpf_verifier_ops mk_policy_verifier_ops = {
	.get_func_proto		= mk_policy_func_proto,
	.is_valid_access	= mk_policy_valid_access,
};

static int mk_policy_init(struct btf *btf)
{
	return 0;
}

static int mk_policy_init_member(const struct btf_type *t,
				 const struct btf_member *member,
				 void *kdata, const void *udata)
{
	const struct mk_policy_ops *uops = udata;
	struct mk_policy_ops *ops = kdata;

	if (__btf_member_bit_offset(t, member) / 8 !=
	    offsetof(struct mk_policy_ops, name))
		return 0;
	if (bpf_obj_name_cpy(ops->name, uops->name, sizeof(ops->name)) <= 0)
		return -EINVAL;
	return 1;
}

static int mk_policy_validate(void *kdata)
{
	struct mk_policy_ops *ops = kdata;

	return ops->name[0] && (ops->place_cpus || ops->place_memory) ?
	       0 : -EINVAL;
}

static int mk_policy_reg(void *kdata, struct bpf_link *link)
{
	struct mk_policy_ops *ops = kdata;
	int err = 0;

	mutex_lock(&mk_bpf_lock);
	if (mk_bpf_ops)
		err = -EBUSY;
	else
		mk_bpf_ops = ops;
	mutex_unlock(&mk_bpf_lock);
	if (err)
		return err;
	pr_info("multikernel: placement policy %s attached\n", ops->name);
	mk_bpf_notify();
	return 0;
}

static void mk_policy_unreg(void *kdata, struct bpf_link *link)
{
	struct mk_policy_ops *ops = kdata;
	bool was;

	mutex_lock(&mk_bpf_lock);
	was = mk_bpf_ops == ops;
	if (was)
		mk_bpf_ops = NULL;
	mutex_unlock(&mk_bpf_lock);
	if (!was)
		return;
	pr_info("multikernel: placement policy %s detached; built-in policies decide\n",
		ops->name);
	mk_bpf_notify();
}

static int mk_policy_update(void *kdata, void *old_kdata, struct bpf_link *link)
{
	int err = 0;

	mutex_lock(&mk_bpf_lock);
	if (mk_bpf_ops != old_kdata)
		err = -ENOENT;
	else
		mk_bpf_ops = kdata;
	mutex_unlock(&mk_bpf_lock);
	if (!err)
		mk_bpf_notify();
	return err;
}

/* What the trampolines are built against; never called. */
static int mk_policy_place_cpus_stub(struct mk_policy_ctx *ctx)
{
	return -EOPNOTSUPP;
}

static int mk_policy_place_memory_stub(struct mk_policy_ctx *ctx)
{
	return -EOPNOTSUPP;
}

static struct mk_policy_ops mk_policy_stubs = {
	.place_cpus	= mk_policy_place_cpus_stub,
	.place_memory	= mk_policy_place_memory_stub,
};

static struct bpf_struct_ops mk_policy_struct_ops = {
	.verifier_ops	= &mk_policy_verifier_ops,
	.init		= mk_policy_init,
	.init_member	= mk_policy_init_member,
	.validate	= mk_policy_validate,
	.reg		= mk_policy_reg,
	.unreg		= mk_policy_unreg,
	.update		= mk_policy_update,
	.cfi_stubs	= &mk_policy_stubs,
	.name		= "mk_policy_ops",
	.owner		= THIS_MODULE,
};

static int __init mk_policy_bpf_init(void)
{
	int err;

	err = register_btf_kfunc_id_set(BPF_PROG_TYPE_STRUCT_OPS,
					&mk_policy_kfunc_set);
	return err ?: register_bpf_struct_ops(&mk_policy_struct_ops,
					      mk_policy_ops);
}
late_initcall(mk_policy_bpf_init);
