// SPDX-License-Identifier: GPL-2.0
/*
 * The built-in CPU placement policies, chosen by an instance's
 * cpu-affinity:
 *
 *  (none)   the lowest-numbered free CPUs;
 *  compact  one NUMA node if one has room (the fullest that does, so that
 *           emptier nodes stay whole), else the nodes nearest the first;
 *           whole SMT cores first;
 *  spread   round robin over the NUMA nodes, the emptiest first, and over
 *           the cores of each node, one thread per core before the next;
 *  local    one NUMA node, which must also have room for the memory when
 *           the kernel places that too; no placement if none has.
 *
 * Every choice is deterministic: the same pool and request give the same
 * CPUs, in the kernel and in kerf check.
 */

#include "policy.h"

/* A free CPU that the request may have, with what the policies sort by. */
struct mk_cand {
	u32 cpu;
	u32 core;
	u32 node;	/* index, or nnuma for CPUs on no node */
	u32 rank;	/* among the candidates of its core, from 0 */
};

struct mk_cpu_work {
	const struct mk_view *v;
	const struct mk_request *req;
	struct mk_report *rep;
	struct mk_cpus *out;
	struct mk_cpus cand;
	u32 n;
	struct mk_cand *c;
	u32 nnodes;	/* pool nodes, plus one for CPUs on none */
	u32 *free;	/* candidates per node */
};

#define MK_ANY_NODE	U32_MAX

static int mk_cand_by_core(const void *a, const void *b)
{
	const struct mk_cand *x = a, *y = b;

	if (x->core != y->core)
		return x->core < y->core ? -1 : 1;
	return x->cpu < y->cpu ? -1 : x->cpu > y->cpu;
}

/* Node, then one thread of each core before the second of any. */
static int mk_cand_by_node_rank(const void *a, const void *b)
{
	const struct mk_cand *x = a, *y = b;

	if (x->node != y->node)
		return x->node < y->node ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return x->cpu < y->cpu ? -1 : x->cpu > y->cpu;
}

static void mk_cpu_work_free(struct mk_cpu_work *w)
{
	if (!w)
		return;
	kvfree(w->c);
	kfree(w->free);
	kfree(w);
}

/*
 * Set each candidate's node, walking each node's CPUs: the candidates are
 * still in CPU order, so each is found by binary search, and a large pool
 * costs n log n rather than n times its nodes.
 */
static void mk_cand_nodes(struct mk_cpu_work *w)
{
	const struct mk_pool *p = w->v->pool;
	u32 node, cpu, lo, hi, mid;

	for (node = 0; node < p->nnuma; node++) {
		for_each_set_bit(cpu, p->numa[node].cpus.bits, MK_MAX_CPUS) {
			if (!test_bit(cpu, w->cand.bits))
				continue;
			for (lo = 0, hi = w->n; lo < hi;) {
				mid = lo + (hi - lo) / 2;
				if (w->c[mid].cpu < cpu)
					lo = mid + 1;
				else
					hi = mid;
			}
			w->c[lo].node = node;
		}
	}
}

/* Gather the candidates, sorted by core, and count them per node. */
static struct mk_cpu_work *mk_cpu_work_new(const struct mk_view *v,
					   const struct mk_request *req,
					   struct mk_cpus *out,
					   struct mk_report *rep, bool gather)
{
	struct mk_cpu_work *w;
	u32 cpu, i = 0;

	w = kzalloc(sizeof(*w), GFP_KERNEL);
	if (!w)
		return NULL;
	w->v = v;
	w->req = req;
	w->rep = rep;
	w->out = out;
	w->nnodes = v->pool->nnuma + 1;
	mk_view_candidates(v, req, &w->cand);
	w->n = bitmap_weight(w->cand.bits, MK_MAX_CPUS);
	if (!gather)		/* first needs only the candidate set */
		return w;
	w->c = kvcalloc(w->n ? w->n : 1, sizeof(*w->c), GFP_KERNEL);
	w->free = kcalloc(w->nnodes, sizeof(*w->free), GFP_KERNEL);
	if (!w->c || !w->free) {
		mk_cpu_work_free(w);
		return NULL;
	}
	for_each_set_bit(cpu, w->cand.bits, MK_MAX_CPUS) {
		w->c[i].cpu = cpu;
		w->c[i].core = mk_view_cpu_core(v, cpu);
		w->c[i++].node = v->pool->nnuma;
	}
	mk_cand_nodes(w);
	for (i = 0; i < w->n; i++)
		w->free[w->c[i].node]++;
	sort(w->c, w->n, sizeof(*w->c), mk_cand_by_core, NULL);
	for (i = 1; i < w->n; i++)
		if (w->c[i].core == w->c[i - 1].core)
			w->c[i].rank = w->c[i - 1].rank + 1;
	return w;
}

static int mk_cpu_exhausted(struct mk_cpu_work *w)
{
	const struct mk_request *req = w->req;
	char buf[128];

	mk_bits_format(buf, sizeof(buf), w->cand.bits, MK_MAX_CPUS);
	mk_report_add(w->rep, MK_RULE_CPU_EXHAUSTED,
		      "%s: cpu-count is %u but only %u CPUs are free%s: %s",
		      req->name, req->cpu_count, w->n,
		      req->nnuma ? " on its numa-nodes" : "", buf);
	return -ENOSPC;
}

static bool mk_cand_open(const struct mk_cpu_work *w, u32 i, u32 node)
{
	return (node == MK_ANY_NODE || w->c[i].node == node) &&
	       !test_bit(w->c[i].cpu, w->out->bits);
}

/* The open threads of one core: candidates c[start ...] on the node. */
struct mk_run {
	u32 start;
	u32 cnt;
	u32 core;
	bool taken;
};

/* Most open threads first; equal ones in core order. */
static int mk_run_cmp(const void *a, const void *b)
{
	const struct mk_run *x = a, *y = b;

	if (x->cnt != y->cnt)
		return x->cnt > y->cnt ? -1 : 1;
	return x->core < y->core ? -1 : x->core > y->core;
}

static void mk_take_run(struct mk_cpu_work *w, const struct mk_run *r,
			u32 node, u32 take)
{
	u32 j;

	for (j = r->start; take && j < w->n && w->c[j].core == r->core; j++) {
		if (!mk_cand_open(w, j, node))
			continue;
		__set_bit(w->c[j].cpu, w->out->bits);
		take--;
	}
}

/*
 * Take @need CPUs on @node, keeping SMT siblings together: each step takes
 * the core with the most open threads that still fit in what is needed,
 * and only when every core has more, part of the one with the fewest.
 * Equal cores go in core order, which keeps neighbours (and their caches)
 * together. With the cores sorted by open threads, one pass does it: what
 * is needed only shrinks, so a core skipped as too big stays too big.
 */
static int mk_take_cores(struct mk_cpu_work *w, u32 node, u32 need)
{
	struct mk_run *runs, *over = NULL;
	u32 i, j, n = 0, cnt;

	runs = kvcalloc(w->n ? w->n : 1, sizeof(*runs), GFP_KERNEL);
	if (!runs)
		return -ENOMEM;
	for (i = 0; i < w->n; i = j) {
		for (cnt = 0, j = i; j < w->n && w->c[j].core == w->c[i].core; j++)
			cnt += mk_cand_open(w, j, node);
		if (cnt)
			runs[n++] = (struct mk_run){ i, cnt, w->c[i].core };
	}
	sort(runs, n, sizeof(*runs), mk_run_cmp, NULL);
	for (i = 0; i < n && need; i++) {
		if (runs[i].cnt > need) {
			over = &runs[i];	/* the last is the smallest */
			continue;
		}
		mk_take_run(w, &runs[i], node, runs[i].cnt);
		runs[i].taken = true;
		need -= runs[i].cnt;
	}
	/* Of the smallest cores left, the first in core order. */
	for (j = 0; over && j < n; j++)
		if (runs[j].cnt == over->cnt && !runs[j].taken) {
			over = &runs[j];
			break;
		}
	if (need && over)
		mk_take_run(w, over, node, need);
	kvfree(runs);
	return 0;
}

/* The fullest pool node that still has @need candidates, or MK_NO_NODE. */
static u32 mk_best_fit_node(const struct mk_cpu_work *w, u32 need)
{
	u32 i, best = MK_NO_NODE;

	for (i = 0; i < w->v->pool->nnuma; i++)
		if (w->free[i] >= need &&
		    (best == MK_NO_NODE || w->free[i] < w->free[best]))
			best = i;
	return best;
}

static int mk_place_compact(struct mk_cpu_work *w)
{
	u32 need = w->req->cpu_count, first, node, i, take;
	bool *used;
	int err = 0;

	node = mk_best_fit_node(w, need);
	if (!w->v->pool->nnuma || node != MK_NO_NODE)
		return mk_take_cores(w, w->v->pool->nnuma ? node : MK_ANY_NODE,
				     need);

	/* No node has room: start at the emptiest, go on to the nearest. */
	used = kcalloc(w->nnodes, sizeof(*used), GFP_KERNEL);
	if (!used)
		return -ENOMEM;
	for (first = 0, i = 1; i < w->nnodes; i++)
		if (w->free[i] > w->free[first])
			first = i;
	for (node = first; !err && need && node != MK_NO_NODE;) {
		used[node] = true;
		take = min(need, w->free[node]);
		err = mk_take_cores(w, node, take);
		need -= take;
		for (node = MK_NO_NODE, i = 0; i < w->nnodes; i++) {
			u32 d, dbest;

			if (used[i] || !w->free[i])
				continue;
			d = mk_view_distance(w->v, first, i);
			dbest = node == MK_NO_NODE ? U32_MAX :
				mk_view_distance(w->v, first, node);
			if (d < dbest || (d == dbest && w->free[i] > w->free[node]))
				node = i;
		}
	}
	kfree(used);
	return err;
}

static int mk_place_spread(struct mk_cpu_work *w)
{
	u32 need = w->req->cpu_count, i, k, *pos, *end, *order;
	int err = -ENOMEM;

	pos = kcalloc(w->nnodes, sizeof(*pos), GFP_KERNEL);
	end = kcalloc(w->nnodes, sizeof(*end), GFP_KERNEL);
	order = kcalloc(w->nnodes, sizeof(*order), GFP_KERNEL);
	if (!pos || !end || !order)
		goto out;
	sort(w->c, w->n, sizeof(*w->c), mk_cand_by_node_rank, NULL);
	for (i = 0; i < w->nnodes; i++) {
		pos[i] = i ? end[i - 1] : 0;
		end[i] = pos[i] + w->free[i];
	}

	/* The emptiest node first; equal ones in node order. */
	for (i = 0; i < w->nnodes; i++) {
		for (k = i; k > 0 && w->free[order[k - 1]] < w->free[i]; k--)
			order[k] = order[k - 1];
		order[k] = i;
	}
	while (need) {
		for (i = 0; need && i < w->nnodes; i++) {
			k = order[i];
			if (pos[k] == end[k])
				continue;
			__set_bit(w->c[pos[k]++].cpu, w->out->bits);
			need--;
		}
	}
	err = 0;
out:
	kfree(pos);
	kfree(end);
	kfree(order);
	return err;
}

static int mk_place_local(struct mk_cpu_work *w)
{
	const struct mk_request *req = w->req;
	u32 need = req->cpu_count, i, best = MK_NO_NODE, most = 0;
	bool fits, best_fits = false;

	if (!w->v->pool->nnuma)
		return mk_take_cores(w, MK_ANY_NODE, need);
	/* The fullest node with room, preferring one with room for memory. */
	for (i = 0; i < w->v->pool->nnuma; i++) {
		most = max(most, w->free[i]);
		if (w->free[i] < need)
			continue;
		fits = !req->place_memory ||
		       mk_view_node_largest_free(w->v, i) >= req->mem_bytes;
		if (best == MK_NO_NODE || (fits && !best_fits) ||
		    (fits == best_fits && w->free[i] < w->free[best])) {
			best = i;
			best_fits = fits;
		}
	}
	if (best == MK_NO_NODE) {
		mk_report_add(w->rep, MK_RULE_CPU_EXHAUSTED,
			      "%s: cpu-affinity \"local\" needs %u CPUs on one NUMA node, but at most %u are free on any one",
			      req->name, need, most);
		return -ENOSPC;
	}
	return mk_take_cores(w, best, need);
}

static int mk_place_first(struct mk_cpu_work *w)
{
	u32 cpu, n = 0;

	for_each_set_bit(cpu, w->cand.bits, MK_MAX_CPUS) {
		if (n++ == w->req->cpu_count)
			break;
		__set_bit(cpu, w->out->bits);
	}
	return 0;
}

static int (* const mk_cpu_place[])(struct mk_cpu_work *w) = {
	[MK_AFFINITY_FIRST] = mk_place_first,
	[MK_AFFINITY_COMPACT] = mk_place_compact,
	[MK_AFFINITY_SPREAD] = mk_place_spread,
	[MK_AFFINITY_LOCAL] = mk_place_local,
};

static const struct mk_policy mk_cpu_policies[];

static int mk_cpu_builtin(const struct mk_policy *pol, const struct mk_view *v,
			  const struct mk_request *req, struct mk_cpus *out,
			  struct mk_report *rep)
{
	struct mk_cpu_work *w;
	int err;

	w = mk_cpu_work_new(v, req, out, rep,
			    pol != &mk_cpu_policies[MK_AFFINITY_FIRST]);
	if (!w)
		return -ENOMEM;
	if (w->n < req->cpu_count)
		err = mk_cpu_exhausted(w);
	else
		err = mk_cpu_place[pol - mk_cpu_policies](w);
	mk_cpu_work_free(w);
	return err;
}

static const struct mk_policy mk_cpu_policies[] = {
	[MK_AFFINITY_FIRST] = { .name = "first", .place_cpus = mk_cpu_builtin },
	[MK_AFFINITY_COMPACT] = { .name = "compact", .place_cpus = mk_cpu_builtin },
	[MK_AFFINITY_SPREAD] = { .name = "spread", .place_cpus = mk_cpu_builtin },
	[MK_AFFINITY_LOCAL] = { .name = "local", .place_cpus = mk_cpu_builtin },
};

/* The built-in CPU policy for a cpu-affinity. */
const struct mk_policy *mk_cpu_policy(enum mk_affinity affinity)
{
	if (affinity >= ARRAY_SIZE(mk_cpu_policies))
		affinity = MK_AFFINITY_FIRST;
	return &mk_cpu_policies[affinity];
}
