// SPDX-License-Identifier: GPL-2.0
/*
 * Placement of what an instance leaves to the kernel: its id (the lowest
 * free one), its CPUs when it gives only cpu-count, and its memory base.
 * CPUs and memory are placed by a policy (policy.c); the result is written
 * into the tree as explicit values, and is kept as a decision so that
 * rebuilding a state replays it instead of choosing again.
 */

#include "policy.h"

struct mk_alloc {
	const struct mk_state *st;
	const struct mk_policy *custom;
	struct mk_report *rep;
	unsigned long ids[MK_BITMAP_LONGS(MK_MAX_INSTANCES + 1)];
	struct mk_view view;
	struct mk_request req;
	u32 nranges;
	struct { u64 base, end; } *ranges;	/* sorted by base */
};

static int mk_alloc_range_cmp(const void *a, const void *b)
{
	const u64 *x = a, *y = b;	/* base, then end */

	if (x[0] != y[0])
		return x[0] < y[0] ? -1 : 1;
	return x[1] < y[1] ? -1 : x[1] > y[1];
}

/**
 * mk_free_cpus - the pool's CPUs that no instance holds
 * @st: a parsed state
 * @except: an instance whose CPUs count as free, or NULL
 * @out: the free CPUs
 */
void mk_free_cpus(const struct mk_state *st, const struct mk_instance *except,
		  struct mk_cpus *out)
{
	u32 i;

	bitmap_andnot(out->bits, st->pool.available.bits,
		      st->pool.host_reserved.bits, MK_MAX_CPUS);
	for (i = 0; i < st->ninstances; i++)
		if (&st->instances[i] != except)
			bitmap_andnot(out->bits, out->bits,
				      st->instances[i].cpus.bits, MK_MAX_CPUS);
}

/* The free memory of the pool, from the held ranges, into the view. */
static void mk_alloc_spans(struct mk_alloc *a)
{
	const struct mk_pool *p = &a->st->pool;
	u64 at = p->pool_base, end, next;
	u32 i, n = 0;

	if (check_add_overflow(p->pool_base, p->pool_bytes, &end))
		end = at;
	for (i = 0; i <= a->nranges && at < end; i++) {
		next = i < a->nranges ? min(a->ranges[i].base, end) : end;
		if (next > at) {
			a->view.spans[n].start = at;
			a->view.spans[n++].end = next;
		}
		if (i < a->nranges)
			at = max(at, a->ranges[i].end);
	}
	a->view.nspans = n;
}

static int mk_alloc_init(struct mk_alloc *a)
{
	const struct mk_state *st = a->st;
	u32 i, k;

	/* Each placement adds a range; the free spans are one more. */
	a->ranges = kvcalloc(st->ninstances + 1, sizeof(*a->ranges), GFP_KERNEL);
	a->view.spans = kvcalloc(st->ninstances + 2, sizeof(*a->view.spans),
				 GFP_KERNEL);
	if (!a->ranges || !a->view.spans)
		return -ENOMEM;
	a->view.pool = &st->pool;
	mk_free_cpus(st, NULL, &a->view.free_cpus);
	for (i = 0; i < st->ninstances; i++) {
		const struct mk_instance *in = &st->instances[i];

		if (in->has_id && in->id <= MK_MAX_INSTANCES)
			__set_bit(in->id, a->ids);
		if (in->has_mem_base && in->mem_bytes) {
			k = a->nranges++;
			a->ranges[k].base = in->mem_base;
			if (check_add_overflow(in->mem_base, in->mem_bytes,
					       &a->ranges[k].end))
				a->ranges[k].end = U64_MAX;
		}
	}
	sort(a->ranges, a->nranges, sizeof(*a->ranges), mk_alloc_range_cmp,
	     NULL);
	mk_alloc_spans(a);
	return 0;
}

static void mk_alloc_fini(struct mk_alloc *a)
{
	kvfree(a->ranges);
	kvfree(a->view.spans);
	kfree(a);
}

static int mk_alloc_id(struct mk_alloc *a, const struct mk_instance *in,
		       struct mk_decision *d)
{
	u32 id;

	for (id = 1; id <= MK_MAX_INSTANCES; id++)
		if (!test_bit(id, a->ids))
			break;
	if (id > MK_MAX_INSTANCES) {
		mk_report_add(a->rep, MK_RULE_ID_EXHAUSTED,
			      "%s: all %u instance ids are taken",
			      in->name, MK_MAX_INSTANCES);
		return -ENOSPC;
	}
	__set_bit(id, a->ids);
	d->id = id;
	d->what |= MK_DECIDED_ID;
	return 0;
}

static void mk_alloc_request(struct mk_alloc *a, const struct mk_instance *in)
{
	struct mk_request *req = &a->req;

	memset(req, 0, sizeof(*req));
	req->name = in->name;
	req->cpu_count = in->has_cpus ? 0 : in->cpu_count;
	if (in->has_cpus)
		req->cpus = in->cpus;
	req->mem_bytes = in->mem_bytes;
	req->place_memory = !in->has_mem_base;
	req->affinity = in->affinity;
	req->mempolicy = in->mempolicy;
	req->nnuma = in->nnuma;
	req->numa_nodes = in->numa_nodes;
}

static void mk_policy_name(char *dst, const char *name)
{
	snprintf(dst, MK_POLICY_NAME_MAX, "%s", name);
}

static int mk_alloc_cpus(struct mk_alloc *a, struct mk_decision *d)
{
	const char *by = NULL;
	int err;

	err = mk_place_cpus(a->custom, &a->view, &a->req, &d->cpus, &by,
			    a->rep);
	if (err)
		return err;
	bitmap_andnot(a->view.free_cpus.bits, a->view.free_cpus.bits,
		      d->cpus.bits, MK_MAX_CPUS);
	a->req.cpus = d->cpus;
	mk_policy_name(d->cpu_policy, by);
	d->what |= MK_DECIDED_CPUS;
	return 0;
}

static int mk_alloc_memory(struct mk_alloc *a, struct mk_decision *d)
{
	const char *by = NULL;
	u64 base, end;
	u32 i;
	int err;

	/* Sizes that the validator will refuse are not placed at all. */
	if (!a->req.mem_bytes || !IS_ALIGNED(a->req.mem_bytes, MK_PAGE_SIZE))
		return 0;
	err = mk_place_memory(a->custom, &a->view, &a->req, &base, &by, a->rep);
	if (err)
		return err;
	end = base + a->req.mem_bytes;	/* inside a free span: no overflow */
	for (i = 0; i < a->nranges && a->ranges[i].base < base; i++)
		;
	memmove(&a->ranges[i + 1], &a->ranges[i],
		(a->nranges - i) * sizeof(*a->ranges));
	a->ranges[i].base = base;
	a->ranges[i].end = end;
	a->nranges++;
	mk_alloc_spans(a);
	d->mem_base = base;
	mk_policy_name(d->mem_policy, by);
	d->what |= MK_DECIDED_MEM_BASE;
	return 0;
}

static bool mk_needs_decision(const struct mk_instance *in)
{
	return !in->has_id || (!in->has_cpus && in->cpu_count) ||
	       !in->has_mem_base;
}

static int mk_decide(const struct mk_state *st, const struct mk_policy *custom,
		     struct mk_decisions *dec, struct mk_report *rep)
{
	struct mk_alloc *a;
	u32 i, n = 0;
	int err;

	for (i = 0; i < st->ninstances; i++)
		n += mk_needs_decision(&st->instances[i]);
	if (!n)
		return 0;
	dec->d = kvcalloc(n, sizeof(*dec->d), GFP_KERNEL);
	a = kzalloc(sizeof(*a), GFP_KERNEL);	/* too big for the stack */
	if (!dec->d || !a) {
		kfree(a);
		return -ENOMEM;
	}
	a->st = st;
	a->custom = custom;
	a->rep = rep;
	err = mk_alloc_init(a);
	for (i = 0; !err && i < st->ninstances; i++) {
		const struct mk_instance *in = &st->instances[i];
		struct mk_decision *d = &dec->d[dec->n];

		/* A bad name is the validator's to report; nothing to place. */
		if (!mk_needs_decision(in) || strlen(in->name) > MK_NAME_MAX)
			continue;
		memcpy(d->name, in->name, strlen(in->name) + 1);
		mk_alloc_request(a, in);
		if (!in->has_id)
			err = mk_alloc_id(a, in, d);
		if (!err && !in->has_cpus && in->cpu_count)
			err = mk_alloc_cpus(a, d);
		if (!err && !in->has_mem_base)
			err = mk_alloc_memory(a, d);
		if (d->what)
			dec->n++;
	}
	mk_alloc_fini(a);
	return err;
}

/* Write decision @d into instance @node of @fdt. */
static int mk_write_decision(void *fdt, int node, const struct mk_decision *d,
			     fdt32_t *cells)
{
	int res, err = 0;
	u32 cpu, n = 0;

	if (d->what & MK_DECIDED_ID)
		err = fdt_setprop_u32(fdt, node, "id", d->id);
	res = fdt_subnode_offset(fdt, node, "resources");
	if (err || res < 0)
		return err;
	if (d->what & MK_DECIDED_CPUS) {
		for_each_set_bit(cpu, d->cpus.bits, MK_MAX_CPUS)
			cells[n++] = cpu_to_fdt32(cpu);
		err = fdt_setprop(fdt, res, "cpus", cells, n * sizeof(*cells));
	}
	if (!err && (d->what & MK_DECIDED_MEM_BASE))
		err = fdt_setprop_u64(fdt, res, "memory-base", d->mem_base);
	return err;
}

/* Decisions by name, ties by address: a total order. */
static int mk_decision_cmp(const void *a, const void *b)
{
	const struct mk_decision *x = *(const struct mk_decision * const *)a;
	const struct mk_decision *y = *(const struct mk_decision * const *)b;
	int c = strcmp(x->name, y->name);

	return c ? c : (x < y ? -1 : x > y);
}

static int mk_decision_find(const void *key, const void *elt)
{
	return strcmp(key, (*(const struct mk_decision * const *)elt)->name);
}

/*
 * Write every decision into its instance, walking /instances once and
 * finding each instance's decision by name: looking each instance up by
 * path instead would make a transaction of n instances take n^2.
 * Decisions for instances that are gone are skipped.
 */
static int mk_write_all(void *tree, const struct mk_decisions *dec,
			fdt32_t *cells)
{
	const struct mk_decision **by_name, **d;
	int parent, node, err = 0;
	u32 i;

	by_name = kvcalloc(dec->n, sizeof(*by_name), GFP_KERNEL);
	if (!by_name)
		return -FDT_ERR_NOSPACE;
	for (i = 0; i < dec->n; i++)
		by_name[i] = &dec->d[i];
	sort(by_name, dec->n, sizeof(*by_name), mk_decision_cmp, NULL);
	parent = fdt_path_offset(tree, "/instances");
	fdt_for_each_subnode(node, tree, parent) {
		d = bsearch(fdt_get_name(tree, node, NULL), by_name, dec->n,
			    sizeof(*by_name), mk_decision_find);
		err = d ? mk_write_decision(tree, node, *d, cells) : 0;
		if (err)
			break;
	}
	kvfree(by_name);
	return err;
}

static int mk_write_decisions(void **fdt, const struct mk_decisions *dec,
			      struct mk_report *rep)
{
	size_t need = 0;
	fdt32_t *cells;
	int err, ferr = 0;
	void *tree;
	u32 i;

	if (!dec->n)
		return 0;
	for (i = 0; i < dec->n; i++)
		need += 128 + 4 * bitmap_weight(dec->d[i].cpus.bits,
						 MK_MAX_CPUS);
	cells = kvcalloc(MK_MAX_CPUS, sizeof(*cells), GFP_KERNEL);
	if (!cells)
		return -ENOMEM;
	err = mk_fdt_copy(*fdt, need, &tree);
	if (err) {
		kvfree(cells);
		return err;
	}
	ferr = mk_write_all(tree, dec, cells);
	kvfree(cells);
	if (ferr) {
		kvfree(tree);
		mk_report_add(rep, MK_RULE_MALFORMED,
			      "cannot record placement: %s", fdt_strerror(ferr));
		return -EINVAL;
	}
	fdt_pack(tree);
	kvfree(*fdt);
	*fdt = tree;
	return 0;
}

/**
 * mk_place - place what the instances of a tree leave to the kernel
 * @fdt: a checked tree from kvmalloc(); replaced by one with the placement
 *	 written as explicit values
 * @custom: a policy to ask before the built-in ones, or NULL
 * @dec: filled with what was decided; release with mk_decisions_free()
 * @rep: where to report a placement that does not exist
 *
 * Return: 0 or a negative errno (-ENOSPC when the pool is exhausted,
 * -EINVAL when a policy proposed an invalid placement).
 */
int mk_place(void **fdt, const struct mk_policy *custom,
	     struct mk_decisions *dec, struct mk_report *rep)
{
	struct mk_state st;
	int err;

	memset(dec, 0, sizeof(*dec));
	err = mk_state_parse(&st, *fdt, fdt_totalsize(*fdt), rep);
	if (!err)
		err = mk_decide(&st, custom, dec, rep);
	mk_state_free(&st);
	if (!err)
		err = mk_write_decisions(fdt, dec, rep);
	if (err)
		mk_decisions_free(dec);
	return err;
}

/**
 * mk_decisions_replay - write recorded decisions into a rebuilt tree
 * @fdt: as for mk_place()
 * @dec: decisions from an earlier mk_place()
 * @rep: where to report a failure
 *
 * Decisions for instances that are no longer in the tree are skipped; the
 * validator judges whatever the rebuilt state lacks.
 *
 * Return: 0 or a negative errno.
 */
int mk_decisions_replay(void **fdt, const struct mk_decisions *dec,
			struct mk_report *rep)
{
	return mk_write_decisions(fdt, dec, rep);
}

void mk_decisions_free(struct mk_decisions *dec)
{
	kvfree(dec->d);
	memset(dec, 0, sizeof(*dec));
}

/**
 * mk_free_memory - list the free ranges of the memory pool
 * @st: a parsed state
 * @spans: filled with the free ranges, in address order
 * @max: room in @spans
 *
 * Return: the number of free ranges (which may exceed @max; only @max are
 * written), or -ENOMEM.
 */
int mk_free_memory(const struct mk_state *st, struct mk_span *spans, u32 max)
{
	struct mk_alloc *a;
	int n;

	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return -ENOMEM;
	a->st = st;
	n = mk_alloc_init(a);
	if (!n) {
		n = a->view.nspans;
		if (max)
			memcpy(spans, a->view.spans,
			       min_t(u32, n, max) * sizeof(*spans));
	}
	mk_alloc_fini(a);
	return n;
}
