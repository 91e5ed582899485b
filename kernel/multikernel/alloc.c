// SPDX-License-Identifier: GPL-2.0
/*
 * Default placement for what an instance leaves to the kernel: its id, its
 * CPUs when it gives only cpu-count, and its memory base. The choice is
 * deterministic (lowest free id, lowest-numbered free CPUs, lowest address
 * that fits), is written into the tree as explicit values, and is kept as a
 * decision so that rebuilding a state replays it instead of choosing again.
 */

#include "model.h"

struct mk_alloc {
	const struct mk_state *st;
	struct mk_report *rep;
	unsigned long ids[MK_BITMAP_LONGS(MK_MAX_INSTANCES + 1)];
	struct mk_cpus free_cpus;
	u32 nranges;
	struct { u64 base, end; } *ranges;	/* sorted by base */
};

static int mk_alloc_range_cmp(const void *a, const void *b)
{
	const u64 *x = a, *y = b;

	return *x < *y ? -1 : *x > *y;
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

	mk_bits_andnot(out->bits, st->pool.available.bits,
		       st->pool.host_reserved.bits, MK_MAX_CPUS);
	for (i = 0; i < st->ninstances; i++)
		if (&st->instances[i] != except)
			mk_bits_andnot(out->bits, out->bits,
				       st->instances[i].cpus.bits, MK_MAX_CPUS);
}

static int mk_alloc_init(struct mk_alloc *a)
{
	const struct mk_state *st = a->st;
	u32 i, k;

	a->ranges = kvcalloc(st->ninstances + 1, sizeof(*a->ranges), GFP_KERNEL);
	if (!a->ranges)
		return -ENOMEM;
	mk_free_cpus(st, NULL, &a->free_cpus);
	for (i = 0; i < st->ninstances; i++) {
		const struct mk_instance *in = &st->instances[i];

		if (in->has_id && in->id <= MK_MAX_INSTANCES)
			mk_bit_set(a->ids, in->id);
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
	return 0;
}

static int mk_alloc_id(struct mk_alloc *a, const struct mk_instance *in,
		       struct mk_decision *d)
{
	u32 id;

	for (id = 1; id <= MK_MAX_INSTANCES; id++)
		if (!mk_bit_test(a->ids, id))
			break;
	if (id > MK_MAX_INSTANCES) {
		mk_report_add(a->rep, MK_ERROR, -ENOSPC, "id-exhausted",
			      "%s: all %u instance ids are taken",
			      in->name, MK_MAX_INSTANCES);
		return -ENOSPC;
	}
	mk_bit_set(a->ids, id);
	d->id = id;
	d->what |= MK_DECIDED_ID;
	return 0;
}

static int mk_alloc_cpus(struct mk_alloc *a, const struct mk_instance *in,
			 struct mk_decision *d)
{
	u32 cpu, n = 0;
	char buf[128];

	if (mk_bits_weight(a->free_cpus.bits, MK_MAX_CPUS) < in->cpu_count) {
		mk_bits_format(buf, sizeof(buf), a->free_cpus.bits, MK_MAX_CPUS);
		mk_report_add(a->rep, MK_ERROR, -ENOSPC, "cpu-exhausted",
			      "%s: cpu-count is %u but only %u CPUs are free: %s",
			      in->name, in->cpu_count,
			      mk_bits_weight(a->free_cpus.bits, MK_MAX_CPUS), buf);
		return -ENOSPC;
	}
	mk_for_each_bit(cpu, a->free_cpus.bits, MK_MAX_CPUS) {
		if (n++ == in->cpu_count)
			break;
		mk_bit_set(d->cpus.bits, cpu);
	}
	mk_bits_andnot(a->free_cpus.bits, a->free_cpus.bits, d->cpus.bits,
		       MK_MAX_CPUS);
	d->what |= MK_DECIDED_CPUS;
	return 0;
}

static int mk_alloc_memory(struct mk_alloc *a, const struct mk_instance *in,
			   struct mk_decision *d)
{
	const struct mk_pool *p = &a->st->pool;
	u64 base = p->pool_base, end, pool_end;
	u32 i;

	/* Sizes that the validator will refuse are not placed at all. */
	if (!in->mem_bytes || !IS_ALIGNED(in->mem_bytes, MK_PAGE_SIZE) ||
	    check_add_overflow(p->pool_base, p->pool_bytes, &pool_end))
		return 0;

	for (i = 0; i <= a->nranges; i++) {
		if (check_add_overflow(base, in->mem_bytes, &end))
			break;
		if (i == a->nranges || end <= a->ranges[i].base) {
			if (end > pool_end)
				break;
			memmove(&a->ranges[i + 1], &a->ranges[i],
				(a->nranges - i) * sizeof(*a->ranges));
			a->ranges[i].base = base;
			a->ranges[i].end = end;
			a->nranges++;
			d->mem_base = base;
			d->what |= MK_DECIDED_MEM_BASE;
			return 0;
		}
		base = max(base, a->ranges[i].end);
	}
	mk_report_add(a->rep, MK_ERROR, -ENOSPC, "memory-exhausted",
		      "%s: no free range of %#llx bytes in the pool %#llx-%#llx",
		      in->name, in->mem_bytes, p->pool_base, pool_end);
	return -ENOSPC;
}

static bool mk_needs_decision(const struct mk_instance *in)
{
	return !in->has_id || (!in->has_cpus && in->cpu_count) ||
	       !in->has_mem_base;
}

static int mk_decide(const struct mk_state *st, struct mk_decisions *dec,
		     struct mk_report *rep)
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
	a->rep = rep;
	err = mk_alloc_init(a);
	for (i = 0; !err && i < st->ninstances; i++) {
		const struct mk_instance *in = &st->instances[i];
		struct mk_decision *d = &dec->d[dec->n];

		/* A bad name is the validator's to report; nothing to place. */
		if (!mk_needs_decision(in) || strlen(in->name) > MK_NAME_MAX)
			continue;
		memcpy(d->name, in->name, strlen(in->name) + 1);
		if (!in->has_id)
			err = mk_alloc_id(a, in, d);
		if (!err && !in->has_cpus && in->cpu_count)
			err = mk_alloc_cpus(a, in, d);
		if (!err && !in->has_mem_base)
			err = mk_alloc_memory(a, in, d);
		if (d->what)
			dec->n++;
	}
	kvfree(a->ranges);
	kfree(a);
	return err;
}

static int mk_write_decision(void *fdt, const struct mk_decision *d,
			     fdt32_t *cells)
{
	char path[sizeof("/instances/") + MK_NAME_MAX];
	int node, res, err = 0;
	u32 cpu, n = 0;

	snprintf(path, sizeof(path), "/instances/%s", d->name);
	node = fdt_path_offset(fdt, path);
	if (node < 0)
		return 0;	/* the instance is gone; nothing to replay */
	if (d->what & MK_DECIDED_ID)
		err = fdt_setprop_u32(fdt, node, "id", d->id);
	res = fdt_subnode_offset(fdt, node, "resources");
	if (err || res < 0)
		return err;
	if (d->what & MK_DECIDED_CPUS) {
		mk_for_each_bit(cpu, d->cpus.bits, MK_MAX_CPUS)
			cells[n++] = cpu_to_fdt32(cpu);
		err = fdt_setprop(fdt, res, "cpus", cells, n * sizeof(*cells));
	}
	if (!err && (d->what & MK_DECIDED_MEM_BASE))
		err = fdt_setprop_u64(fdt, res, "memory-base", d->mem_base);
	return err;
}

/* Write decisions into a copy of *@fdt, which replaces it. */
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
		need += 128 + 4 * mk_bits_weight(dec->d[i].cpus.bits,
						 MK_MAX_CPUS);
	cells = kvcalloc(MK_MAX_CPUS, sizeof(*cells), GFP_KERNEL);
	if (!cells)
		return -ENOMEM;
	err = mk_fdt_copy(*fdt, need, &tree);
	if (err) {
		kvfree(cells);
		return err;
	}
	for (i = 0; !ferr && i < dec->n; i++)
		ferr = mk_write_decision(tree, &dec->d[i], cells);
	kvfree(cells);
	if (ferr) {
		kvfree(tree);
		mk_report_add(rep, MK_ERROR, -EINVAL, "malformed",
			      "cannot record placement: %s", fdt_strerror(ferr));
		return -EINVAL;
	}
	fdt_pack(tree);
	kvfree(*fdt);
	*fdt = tree;
	return 0;
}

/**
 * mk_allocate - place what the instances of a tree leave to the kernel
 * @fdt: a checked tree from kvmalloc(); replaced by one with the placement
 *	 written as explicit values
 * @dec: filled with what was decided; release with mk_decisions_free()
 * @rep: where to report a placement that does not exist
 *
 * Return: 0 or a negative errno (-ENOSPC when the pool is exhausted).
 */
int mk_allocate(void **fdt, struct mk_decisions *dec, struct mk_report *rep)
{
	struct mk_state st;
	int err;

	memset(dec, 0, sizeof(*dec));
	err = mk_state_parse(&st, *fdt, fdt_totalsize(*fdt), rep);
	if (!err)
		err = mk_decide(&st, dec, rep);
	mk_state_free(&st);
	if (!err)
		err = mk_write_decisions(fdt, dec, rep);
	if (err)
		mk_decisions_free(dec);
	return err;
}

/**
 * mk_decisions_replay - write recorded decisions into a rebuilt tree
 * @fdt: as for mk_allocate()
 * @dec: decisions from an earlier mk_allocate()
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
	const struct mk_pool *p = &st->pool;
	u64 at = p->pool_base, end;
	struct mk_alloc *a;
	u32 i, n = 0;

	if (check_add_overflow(p->pool_base, p->pool_bytes, &end))
		return 0;
	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return -ENOMEM;
	a->st = st;
	if (mk_alloc_init(a)) {
		kfree(a);
		return -ENOMEM;
	}
	for (i = 0; i <= a->nranges && at < end; i++) {
		u64 next = i < a->nranges ? min(a->ranges[i].base, end) : end;

		if (next > at) {
			if (n < max) {
				spans[n].start = at;
				spans[n].end = next;
			}
			n++;
		}
		if (i < a->nranges)
			at = max(at, a->ranges[i].end);
	}
	kvfree(a->ranges);
	kfree(a);
	return n;
}
