// SPDX-License-Identifier: GPL-2.0
/*
 * Running a placement policy: the pool view that every policy reads, the
 * choice between a custom policy and the built-in one, and the check of
 * what a policy proposes. A proposal is checked before it is written, so
 * that a bad one is reported against the policy that made it, and the
 * validator then checks the whole state again.
 */

#include "policy.h"

/**
 * mk_view_cpu_node - the NUMA node of a CPU
 * @v: the view
 * @cpu: a CPU number
 *
 * Return: an index into the pool's NUMA nodes, or MK_NO_NODE.
 */
u32 mk_view_cpu_node(const struct mk_view *v, u32 cpu)
{
	u32 i;

	for (i = 0; i < v->pool->nnuma; i++)
		if (test_bit(cpu, v->pool->numa[i].cpus.bits))
			return i;
	return MK_NO_NODE;
}

/* SMT siblings share a core id; without core-ids each CPU is its own core. */
u32 mk_view_cpu_core(const struct mk_view *v, u32 cpu)
{
	if (!v->pool->core || cpu >= v->pool->total_cpus)
		return cpu;
	return v->pool->core[cpu];
}

/**
 * mk_view_distance - the NUMA distance between two nodes
 * @v: the view
 * @a: a node index, or MK_NO_NODE
 * @b: a node index, or MK_NO_NODE
 *
 * Without a distance table, a node is 10 from itself and 20 from others,
 * as ACPI SLIT defaults are. Memory or CPUs on no node are farthest.
 *
 * The table comes from the baseline and may hold any u32; it is capped at
 * 255, ACPI SLIT's "unreachable", so that bytes x distance stays in range.
 *
 * Return: the distance from @a to @b; 255 if either is MK_NO_NODE.
 */
u32 mk_view_distance(const struct mk_view *v, u32 a, u32 b)
{
	const struct mk_pool *p = v->pool;

	if (a >= p->nnuma || b >= p->nnuma)
		return 255;
	if (p->distance)
		return min(p->distance[a * p->nnuma + b], 255U);
	return a == b ? 10 : 20;
}

/* The index of the node with node-id @node_id, or MK_NO_NODE. */
u32 mk_view_node_index(const struct mk_view *v, u32 node_id)
{
	u32 i;

	for (i = 0; i < v->pool->nnuma; i++)
		if (v->pool->numa[i].id == node_id)
			return i;
	return MK_NO_NODE;
}

/* How many bytes of [@base, @base + @len) lie on node index @node. */
u64 mk_view_node_bytes(const struct mk_view *v, u32 node, u64 base, u64 len)
{
	const struct mk_numa_node *nn;
	u64 s, e, ne;

	if (node >= v->pool->nnuma)
		return 0;
	nn = &v->pool->numa[node];
	if (check_add_overflow(nn->mem_base, nn->mem_size, &ne))
		ne = U64_MAX;
	s = max(base, nn->mem_base);
	e = min(base + len, ne);
	return e > s ? e - s : 0;
}

u64 mk_view_node_free_bytes(const struct mk_view *v, u32 node)
{
	u64 n = 0;
	u32 i;

	for (i = 0; i < v->nspans; i++)
		n += mk_view_node_bytes(v, node, v->spans[i].start,
					v->spans[i].end - v->spans[i].start);
	return n;
}

/* The largest free range that lies wholly on node index @node. */
u64 mk_view_node_largest_free(const struct mk_view *v, u32 node)
{
	u64 n = 0;
	u32 i;

	for (i = 0; i < v->nspans; i++)
		n = max(n, mk_view_node_bytes(v, node, v->spans[i].start,
					      v->spans[i].end - v->spans[i].start));
	return n;
}

/* The free CPUs a request may have: those of its numa-nodes, if it lists any. */
void mk_view_candidates(const struct mk_view *v, const struct mk_request *req,
			struct mk_cpus *out)
{
	u32 i, node, k;

	if (!req->nnuma) {
		*out = v->free_cpus;
		return;
	}
	memset(out, 0, sizeof(*out));
	for (i = 0; i < req->nnuma; i++) {
		node = mk_view_node_index(v, req->numa_nodes[i]);
		if (node == MK_NO_NODE)
			continue;
		for (k = 0; k < MK_BITMAP_LONGS(MK_MAX_CPUS); k++)
			out->bits[k] |= v->pool->numa[node].cpus.bits[k] &
					v->free_cpus.bits[k];
	}
}

/* The node holding most of @cpus (the lowest on a tie), or MK_NO_NODE. */
u32 mk_view_home_node(const struct mk_view *v, const struct mk_cpus *cpus)
{
	u32 i, n, best = MK_NO_NODE, most = 0;

	for (i = 0; i < v->pool->nnuma; i++) {
		n = bitmap_weight_and(cpus->bits, v->pool->numa[i].cpus.bits,
				      MK_MAX_CPUS);
		if (n > most) {
			most = n;
			best = i;
		}
	}
	return best;
}

static int mk_check_cpus_proposal(const char *by, const struct mk_view *v,
				  const struct mk_request *req,
				  const struct mk_cpus *cpus,
				  struct mk_report *rep)
{
	struct mk_cpus *bad;
	char buf[128], free_buf[128];
	u32 n = bitmap_weight(cpus->bits, MK_MAX_CPUS);

	if (n != req->cpu_count) {
		mk_report_add(rep, MK_RULE_POLICY_INVALID,
			      "%s: policy %s proposed %u CPUs for cpu-count %u",
			      req->name, by, n, req->cpu_count);
		return -EINVAL;
	}
	if (bitmap_weight_and(cpus->bits, v->free_cpus.bits, MK_MAX_CPUS) == n)
		return 0;
	bad = kzalloc(sizeof(*bad), GFP_KERNEL);
	if (!bad)
		return -ENOMEM;
	bitmap_andnot(bad->bits, cpus->bits, v->free_cpus.bits, MK_MAX_CPUS);
	mk_bits_format(buf, sizeof(buf), bad->bits, MK_MAX_CPUS);
	mk_bits_format(free_buf, sizeof(free_buf), v->free_cpus.bits,
		       MK_MAX_CPUS);
	kfree(bad);
	mk_report_add(rep, MK_RULE_POLICY_INVALID,
		      "%s: policy %s proposed CPUs %s, which are not free; free: %s",
		      req->name, by, buf, free_buf);
	return -EINVAL;
}

static int mk_check_memory_proposal(const char *by, const struct mk_view *v,
				    const struct mk_request *req, u64 base,
				    struct mk_report *rep)
{
	u64 end;
	u32 i;

	if (IS_ALIGNED(base, MK_PAGE_SIZE) &&
	    !check_add_overflow(base, req->mem_bytes, &end))
		for (i = 0; i < v->nspans; i++)
			if (base >= v->spans[i].start && end <= v->spans[i].end)
				return 0;
	mk_report_add(rep, MK_RULE_POLICY_INVALID,
		      "%s: policy %s proposed memory 0x%llx+0x%llx, which is not a free, 4 KiB aligned range of the pool",
		      req->name, by, base, req->mem_bytes);
	return -EINVAL;
}

/* -ENOSPC from a custom policy is its verdict, not a reason to fall back. */
static int mk_custom_refused(const struct mk_policy *custom,
			     const struct mk_request *req, const char *what,
			     struct mk_report *rep)
{
	mk_report_add(rep, MK_RULE_POLICY_NO_PLACEMENT,
		      "%s: policy %s finds no placement for its %s",
		      req->name, custom->name, what);
	return -ENOSPC;
}

/**
 * mk_place_cpus - choose the CPUs of one instance
 * @custom: a policy to ask first, or NULL for the built-in ones only
 * @v: the pool as it stands
 * @req: the request, with @req->cpu_count CPUs to place
 * @out: the CPUs chosen
 * @by: set to the name of the policy that chose them
 * @rep: where findings go
 *
 * A custom policy that returns -ENOSPC refuses the placement; any other
 * non-zero value declines it, and the built-in policy decides instead.
 *
 * Return: 0, -ENOSPC when no placement exists, or -EINVAL when a policy
 * proposed CPUs that are not free or not as many as asked.
 */
int mk_place_cpus(const struct mk_policy *custom, const struct mk_view *v,
		  const struct mk_request *req, struct mk_cpus *out,
		  const char **by, struct mk_report *rep)
{
	const struct mk_policy *pol = mk_cpu_policy(req->affinity);
	int err;

	if (custom && custom->place_cpus) {
		memset(out, 0, sizeof(*out));
		err = custom->place_cpus(custom, v, req, out, rep);
		if (!err) {
			*by = custom->name;
			return mk_check_cpus_proposal(*by, v, req, out, rep);
		}
		if (err == -ENOSPC)
			return mk_custom_refused(custom, req, "CPUs", rep);
		mk_report_add(rep, MK_RULE_POLICY_FALLBACK,
			      "%s: policy %s declined to place CPUs (returned %d); the built-in policy %s places them",
			      req->name, custom->name, err, pol->name);
	}
	memset(out, 0, sizeof(*out));
	*by = pol->name;
	err = pol->place_cpus(pol, v, req, out, rep);
	return err ?: mk_check_cpus_proposal(*by, v, req, out, rep);
}

/**
 * mk_place_memory - choose the memory base of one instance
 * @custom: as for mk_place_cpus()
 * @v: the pool as it stands
 * @req: the request; @req->cpus holds its CPUs, given or just placed
 * @base: the base chosen
 * @by: set to the name of the policy that chose it
 * @rep: where findings go
 *
 * Return: as for mk_place_cpus().
 */
int mk_place_memory(const struct mk_policy *custom, const struct mk_view *v,
		    const struct mk_request *req, u64 *base, const char **by,
		    struct mk_report *rep)
{
	const struct mk_policy *pol = mk_mem_policy(req);
	int err;

	if (custom && custom->place_memory) {
		err = custom->place_memory(custom, v, req, base, rep);
		if (!err) {
			*by = custom->name;
			return mk_check_memory_proposal(*by, v, req, *base, rep);
		}
		if (err == -ENOSPC)
			return mk_custom_refused(custom, req, "memory", rep);
		mk_report_add(rep, MK_RULE_POLICY_FALLBACK,
			      "%s: policy %s declined to place memory (returned %d); the built-in policy %s places it",
			      req->name, custom->name, err, pol->name);
	}
	*by = pol->name;
	err = pol->place_memory(pol, v, req, base, rep);
	return err ?: mk_check_memory_proposal(*by, v, req, *base, rep);
}
