// SPDX-License-Identifier: GPL-2.0
/*
 * The built-in memory placement policies, chosen by an instance's
 * memory-policy (or, without one, by cpu-affinity "local"):
 *
 *  (none)      the lowest free address that fits;
 *  local       nearest the instance's home node, the node that holds most
 *              of its CPUs: on it if it has room, else on the nodes at the
 *              smallest NUMA distance from it;
 *  interleave  split as evenly as the free memory allows across the
 *              chosen nodes (numa-nodes, else the nodes of the CPUs); an
 *              instance has one contiguous range, so this means straddling
 *              the boundary between neighbouring nodes;
 *  bind        wholly on the nodes that numa-nodes lists, nearest the home
 *              node; no placement otherwise.
 *
 * A placement is chosen among a few candidate bases in each free range: its
 * ends, and the node boundaries and their midpoints within it.
 */

#include "policy.h"

struct mk_mem_pick {
	const struct mk_view *v;
	const struct mk_request *req;
	u32 home;			/* node index, or MK_NO_NODE */
	u64 chosen;			/* bit per node index */
	bool found;
	u64 base;
	u64 key[3];			/* smaller is better, in order */
};

/* Node indices as a mask: a pool has at most MK_MAX_NUMA_NODES (64). */
static u64 mk_node_mask(const struct mk_view *v, const struct mk_request *req,
			bool from_cpus)
{
	u64 mask = 0;
	u32 i, node;

	if (!from_cpus) {
		for (i = 0; i < req->nnuma; i++) {
			node = mk_view_node_index(v, req->numa_nodes[i]);
			if (node != MK_NO_NODE)
				mask |= BIT_ULL(node);
		}
		return mask;
	}
	for (i = 0; i < v->pool->nnuma; i++)
		if (bitmap_intersects(v->pool->numa[i].cpus.bits,
				      req->cpus.bits, MK_MAX_CPUS))
			mask |= BIT_ULL(i);
	return mask;
}

/* Cost of [base, base + len) seen from the home node: bytes x distance. */
static u64 mk_mem_cost(const struct mk_mem_pick *p, u64 base)
{
	u64 len = p->req->mem_bytes, on, rest = len, cost = 0;
	u32 i;

	for (i = 0; i < p->v->pool->nnuma; i++) {
		on = mk_view_node_bytes(p->v, i, base, len);
		cost += on * mk_view_distance(p->v, p->home, i);
		rest -= on;
	}
	return cost + rest * 255;
}

typedef bool (*mk_mem_score_fn)(struct mk_mem_pick *p, u64 base, u64 *key);

static bool mk_score_first(struct mk_mem_pick *p, u64 base, u64 *key)
{
	key[0] = 0;
	key[1] = 0;
	return true;
}

static bool mk_score_local(struct mk_mem_pick *p, u64 base, u64 *key)
{
	key[0] = p->home == MK_NO_NODE ? 0 : mk_mem_cost(p, base);
	key[1] = 0;
	return true;
}

static bool mk_score_bind(struct mk_mem_pick *p, u64 base, u64 *key)
{
	u64 on = 0;
	u32 i;

	for (i = 0; i < p->v->pool->nnuma; i++)
		if (p->chosen & BIT_ULL(i))
			on += mk_view_node_bytes(p->v, i, base, p->req->mem_bytes);
	if (on != p->req->mem_bytes)
		return false;
	return mk_score_local(p, base, key);
}

static bool mk_score_interleave(struct mk_mem_pick *p, u64 base, u64 *key)
{
	u64 on, least = U64_MAX, inside = 0;
	u32 i;

	for (i = 0; i < p->v->pool->nnuma; i++) {
		if (!(p->chosen & BIT_ULL(i)))
			continue;
		on = mk_view_node_bytes(p->v, i, base, p->req->mem_bytes);
		least = min(least, on);
		inside += on;
	}
	key[0] = U64_MAX - least;		/* the largest smallest share */
	key[1] = p->req->mem_bytes - inside;	/* then the least outside */
	return true;
}

static void mk_mem_try(struct mk_mem_pick *p, mk_mem_score_fn score,
		       const struct mk_span *s, u64 at)
{
	u64 key[3];

	at = ALIGN_DOWN(at, MK_PAGE_SIZE);
	at = clamp(at, s->start, s->end - p->req->mem_bytes);
	if (!score(p, at, key))
		return;
	key[2] = at;
	if (p->found && (key[0] > p->key[0] ||
			 (key[0] == p->key[0] && (key[1] > p->key[1] ||
			  (key[1] == p->key[1] && key[2] >= p->key[2])))))
		return;
	p->found = true;
	p->base = at;
	memcpy(p->key, key, sizeof(key));
}

static void mk_mem_search(struct mk_mem_pick *p, mk_mem_score_fn score)
{
	const struct mk_view *v = p->v;
	u64 len = p->req->mem_bytes, ns, ne;
	u32 i, k;

	for (i = 0; i < v->nspans; i++) {
		const struct mk_span *s = &v->spans[i];

		if (s->end - s->start < len)
			continue;
		mk_mem_try(p, score, s, s->start);
		mk_mem_try(p, score, s, s->end - len);
		for (k = 0; k < v->pool->nnuma; k++) {
			ns = v->pool->numa[k].mem_base;
			if (check_add_overflow(ns, v->pool->numa[k].mem_size, &ne))
				ne = U64_MAX;
			if (ns > s->start && ns < s->end) {
				mk_mem_try(p, score, s, ns);
				mk_mem_try(p, score, s, ns - min(ns, len / 2));
			}
			if (ne > s->start && ne < s->end) {
				mk_mem_try(p, score, s, ne - min(ne, len));
				mk_mem_try(p, score, s, ne - min(ne, len / 2));
			}
		}
	}
}

static int mk_mem_none(const struct mk_view *v, const struct mk_request *req,
		       const char *where, struct mk_report *rep)
{
	const struct mk_pool *pool = v->pool;

	mk_report_add(rep, MK_RULE_MEMORY_EXHAUSTED,
		      "%s: no free range of 0x%llx bytes %s 0x%llx-0x%llx",
		      req->name, req->mem_bytes, where, pool->pool_base,
		      pool->pool_base + pool->pool_bytes);
	return -ENOSPC;
}

static int mk_mem_builtin(const struct mk_policy *pol, const struct mk_view *v,
			  const struct mk_request *req, u64 *base,
			  struct mk_report *rep);

enum mk_mem_kind { MK_MEM_FIRST, MK_MEM_LOCAL, MK_MEM_INTERLEAVE, MK_MEM_BIND };

static const struct mk_policy mk_mem_policies[] = {
	[MK_MEM_FIRST] = { .name = "first", .place_memory = mk_mem_builtin },
	[MK_MEM_LOCAL] = { .name = "local", .place_memory = mk_mem_builtin },
	[MK_MEM_INTERLEAVE] = { .name = "interleave", .place_memory = mk_mem_builtin },
	[MK_MEM_BIND] = { .name = "bind", .place_memory = mk_mem_builtin },
};

static int mk_mem_builtin(const struct mk_policy *pol, const struct mk_view *v,
			  const struct mk_request *req, u64 *base,
			  struct mk_report *rep)
{
	struct mk_mem_pick p = { .v = v, .req = req };
	enum mk_mem_kind kind = pol - mk_mem_policies;
	mk_mem_score_fn score = mk_score_first;

	p.home = mk_view_home_node(v, &req->cpus);
	if (kind == MK_MEM_INTERLEAVE) {
		p.chosen = mk_node_mask(v, req, !req->nnuma);
		score = hweight64(p.chosen) > 1 ? mk_score_interleave :
						  mk_score_local;
	} else if (kind == MK_MEM_BIND) {
		p.chosen = mk_node_mask(v, req, false);
		score = mk_score_bind;
	} else if (kind == MK_MEM_LOCAL) {
		score = mk_score_local;
	}
	mk_mem_search(&p, score);
	if (!p.found)
		return mk_mem_none(v, req, kind == MK_MEM_BIND ?
				   "on its numa-nodes (memory-policy \"bind\") in the pool" :
				   "in the pool", rep);
	*base = p.base;
	return 0;
}

/* The built-in memory policy for a request. */
const struct mk_policy *mk_mem_policy(const struct mk_request *req)
{
	switch (req->mempolicy) {
	case MK_MEMPOLICY_LOCAL:
		return &mk_mem_policies[MK_MEM_LOCAL];
	case MK_MEMPOLICY_INTERLEAVE:
		return &mk_mem_policies[MK_MEM_INTERLEAVE];
	case MK_MEMPOLICY_BIND:
		return &mk_mem_policies[MK_MEM_BIND];
	default:
		break;
	}
	return &mk_mem_policies[req->affinity == MK_AFFINITY_LOCAL ?
				MK_MEM_LOCAL : MK_MEM_FIRST];
}
