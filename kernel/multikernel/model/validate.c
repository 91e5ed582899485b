// SPDX-License-Identifier: GPL-2.0
/*
 * The multikernel validator: the rules that a whole state, baseline and
 * instances together, must meet. It runs on the complete effective state at
 * every change, so it must stay well below quadratic in the number of
 * instances: CPU conflicts go through an owner table, memory ranges and
 * device references through sorting.
 */

#include "model.h"

/* CPU sets are 512 bytes each: they live here, on the heap, not on stack. */
struct mk_ctx {
	const struct mk_state *st;
	struct mk_report *rep;
	struct mk_cpus tmp[3];
	char free_cpus[128];
	bool nomem;
};

static const char *mk_dev_name(const struct mk_device *dev)
{
	return dev->label ? dev->label : dev->name;
}

static int mk_fmt_cpus(char *buf, size_t size, const struct mk_cpus *cpus)
{
	return mk_bits_format(buf, size, cpus->bits, MK_MAX_CPUS);
}

/* Baseline consistency. */

static void mk_check_pool_cpus(struct mk_ctx *c)
{
	const struct mk_pool *p = &c->st->pool;
	struct mk_cpus *both = &c->tmp[0];
	char buf[128];

	bitmap_and(both->bits, p->host_reserved.bits, p->available.bits,
		   MK_MAX_CPUS);
	if (bitmap_weight(both->bits, MK_MAX_CPUS)) {
		mk_fmt_cpus(buf, sizeof(buf), both);
		mk_report_add(c->rep, MK_RULE_BASELINE_CPUS,
			      "baseline: CPUs %s are both host-reserved and available; list each in one of them",
			      buf);
	}
}

static void mk_check_pool_memory(struct mk_ctx *c)
{
	const struct mk_pool *p = &c->st->pool;
	u64 end, need;

	if (!p->pool_bytes)
		mk_report_add(c->rep, MK_RULE_BASELINE_MEMORY,
			      "baseline: memory-pool-bytes is 0");
	if (!IS_ALIGNED(p->pool_base, MK_PAGE_SIZE) ||
	    !IS_ALIGNED(p->pool_bytes, MK_PAGE_SIZE))
		mk_report_add(c->rep, MK_RULE_BASELINE_MEMORY,
			      "baseline: memory pool 0x%llx+0x%llx is not 4 KiB aligned",
			      p->pool_base, p->pool_bytes);
	if (check_add_overflow(p->pool_base, p->pool_bytes, &end) ||
	    end > p->total_bytes)
		mk_report_add(c->rep, MK_RULE_BASELINE_MEMORY,
			      "baseline: memory pool 0x%llx+0x%llx lies outside total-bytes 0x%llx",
			      p->pool_base, p->pool_bytes, p->total_bytes);
	if (check_add_overflow(p->host_reserved_bytes, p->pool_bytes, &need) ||
	    need > p->total_bytes)
		mk_report_add(c->rep, MK_RULE_BASELINE_MEMORY,
			      "baseline: host-reserved-bytes 0x%llx plus the pool 0x%llx exceed total-bytes 0x%llx",
			      p->host_reserved_bytes, p->pool_bytes, p->total_bytes);
}

static void mk_check_pool_devices(struct mk_ctx *c)
{
	const struct mk_pool *p = &c->st->pool;
	const struct mk_device *d;
	struct mk_parts both;
	u32 i, id, first;

	for (i = 0; i < p->ndevices; i++) {
		d = &p->devices[i];
		if (d->part_kind == MK_PARTS_NONE)
			continue;
		first = d->part_kind == MK_PARTS_NAMESPACE ? 1 : 0;
		for_each_set_bit(id, d->reserved.bits, MK_MAX_PARTS + 1)
			if (id < first || id >= first + d->nparts)
				goto out_of_range;
		for_each_set_bit(id, d->available.bits, MK_MAX_PARTS + 1)
			if (id < first || id >= first + d->nparts)
				goto out_of_range;
		bitmap_and(both.bits, d->reserved.bits, d->available.bits,
			   MK_MAX_PARTS + 1);
		id = find_next_bit(both.bits, MK_MAX_PARTS + 1, 0);
		if (id <= MK_MAX_PARTS)
			mk_report_add(c->rep, MK_RULE_BASELINE_DEVICE,
				      "%s: id %u is both host-reserved and available",
				      mk_dev_name(d), id);
		continue;
out_of_range:
		mk_report_add(c->rep, MK_RULE_BASELINE_DEVICE,
			      "%s: id %u is outside %u-%u, the device's %u %s",
			      mk_dev_name(d), id, first, first + d->nparts - 1,
			      d->nparts,
			      first ? "namespaces" : "VFs");
	}
}

static void mk_check_pool_numa(struct mk_ctx *c)
{
	const struct mk_pool *p = &c->st->pool;
	const struct mk_numa_node *a, *b;
	u64 aend, bend;
	u32 i, j;

	/* At most 64 nodes: the pairwise checks cost nothing. */
	for (i = 0; i < p->nnuma; i++) {
		a = &p->numa[i];
		if (check_add_overflow(a->mem_base, a->mem_size, &aend)) {
			mk_report_add(c->rep, MK_RULE_BASELINE_NUMA,
				      "node %u: memory 0x%llx+0x%llx wraps around",
				      a->id, a->mem_base, a->mem_size);
			continue;
		}
		for (j = i + 1; j < p->nnuma; j++) {
			b = &p->numa[j];
			if (a->id == b->id)
				mk_report_add(c->rep, MK_RULE_BASELINE_NUMA,
					      "nodes %u and %u: same node-id", i, j);
			if (bitmap_intersects(a->cpus.bits, b->cpus.bits,
					      MK_MAX_CPUS))
				mk_report_add(c->rep, MK_RULE_BASELINE_NUMA,
					      "nodes %u and %u: share CPUs", a->id, b->id);
			if (!check_add_overflow(b->mem_base, b->mem_size, &bend) &&
			    a->mem_size && b->mem_size &&
			    a->mem_base < bend && b->mem_base < aend)
				mk_report_add(c->rep, MK_RULE_BASELINE_NUMA,
					      "nodes %u and %u: memory ranges overlap",
					      a->id, b->id);
		}
	}
}

/* Instances. */

static bool mk_name_valid(const char *name)
{
	size_t i, len = strlen(name);

	if (!len || len > MK_NAME_MAX)
		return false;
	for (i = 0; i < len; i++) {
		char ch = name[i];
		bool alpha = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');

		if (!alpha && (i == 0 || !((ch >= '0' && ch <= '9') ||
					   ch == '-' || ch == '_')))
			return false;
	}
	return true;
}

static int mk_u32_cmp(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;

	return x < y ? -1 : x > y;
}

static void mk_check_names_ids(struct mk_ctx *c)
{
	const struct mk_state *st = c->st;
	u32 i, n = 0, *ids;

	for (i = 0; i < st->ninstances; i++) {
		const struct mk_instance *in = &st->instances[i];

		if (!mk_name_valid(in->name))
			mk_report_add(c->rep, MK_RULE_NAME,
				      "%s: names are 1-%d letters, digits, '-' or '_', starting with a letter",
				      in->name, MK_NAME_MAX);
		if (in->has_id && (in->id < 1 || in->id > MK_MAX_INSTANCES))
			mk_report_add(c->rep, MK_RULE_ID_RANGE,
				      "%s: id %u is outside 1-%u (0 is the host)",
				      in->name, in->id, MK_MAX_INSTANCES);
	}

	/* Sorted ids make duplicates neighbours. */
	ids = kvcalloc(st->ninstances ? st->ninstances : 1, sizeof(*ids),
		       GFP_KERNEL);
	if (!ids) {
		c->nomem = true;
		return;
	}
	for (i = 0; i < st->ninstances; i++)
		if (st->instances[i].has_id)
			ids[n++] = st->instances[i].id;
	sort(ids, n, sizeof(*ids), mk_u32_cmp, NULL);
	for (i = 1; i < n; i++) {
		if (ids[i] != ids[i - 1] || (i > 1 && ids[i] == ids[i - 2]))
			continue;
		mk_report_add(c->rep, MK_RULE_DUPLICATE_ID,
			      "id %u is used by more than one instance; leave id out to have one assigned",
			      ids[i]);
	}
	kvfree(ids);
}

/* cpu-missing, cpu-count, cpu-host-reserved and cpu-unavailable. */
static void mk_check_instance_cpus(struct mk_ctx *c,
				   const struct mk_instance *in)
{
	const struct mk_pool *p = &c->st->pool;
	struct mk_cpus *bad = &c->tmp[0];
	char buf[128];

	if (!in->has_cpus) {
		if (!in->cpu_count)
			mk_report_add(c->rep, MK_RULE_CPU_MISSING,
				      "%s: no cpus and no cpu-count; give one", in->name);
		return;
	}
	if (in->cpu_count &&
	    in->cpu_count != bitmap_weight(in->cpus.bits, MK_MAX_CPUS))
		mk_report_add(c->rep, MK_RULE_CPU_COUNT,
			      "%s: cpu-count is %u but cpus lists %u; give one of them",
			      in->name, in->cpu_count,
			      bitmap_weight(in->cpus.bits, MK_MAX_CPUS));

	bitmap_and(bad->bits, in->cpus.bits, p->host_reserved.bits, MK_MAX_CPUS);
	if (bitmap_weight(bad->bits, MK_MAX_CPUS)) {
		mk_fmt_cpus(buf, sizeof(buf), bad);
		mk_report_add(c->rep, MK_RULE_CPU_HOST_RESERVED,
			      "%s: CPUs %s are reserved for the host; free: %s",
			      in->name, buf, c->free_cpus);
	}
	bitmap_andnot(bad->bits, in->cpus.bits, p->available.bits, MK_MAX_CPUS);
	bitmap_andnot(bad->bits, bad->bits, p->host_reserved.bits, MK_MAX_CPUS);
	if (bitmap_weight(bad->bits, MK_MAX_CPUS)) {
		mk_fmt_cpus(buf, sizeof(buf), bad);
		mk_report_add(c->rep, MK_RULE_CPU_UNAVAILABLE,
			      "%s: CPUs %s are not in the available pool; free: %s",
			      in->name, buf, c->free_cpus);
	}
}

/* doorbell-cpu: a CPU the host keeps, as a running instance rings it. */
static void mk_check_doorbell_cpu(struct mk_ctx *c,
				  const struct mk_instance *in)
{
	const struct mk_pool *p = &c->st->pool;

	if (in->has_doorbell_cpu &&
	    (in->doorbell_cpu >= MK_MAX_CPUS ||
	     !test_bit(in->doorbell_cpu, p->host_reserved.bits)))
		mk_report_add(c->rep, MK_RULE_DOORBELL_CPU,
			      "%s: doorbell-cpu %u is not a CPU the host keeps",
			      in->name, in->doorbell_cpu);
}

/*
 * cpu-overlap: claim each CPU of instance @i in @owner, and report each of
 * up to four earlier holders once, with the CPUs both hold.
 */
static void mk_check_cpu_overlap(struct mk_ctx *c, s32 *owner, u32 i)
{
	const struct mk_instance *in = &c->st->instances[i], *o;
	struct mk_cpus *both = &c->tmp[2];
	u32 j, cpu, others[4], nothers = 0;
	char buf[128];

	for_each_set_bit(cpu, in->cpus.bits, MK_MAX_CPUS) {
		s32 prev = owner[cpu];

		if (prev < 0) {
			owner[cpu] = i;
			continue;
		}
		for (j = 0; j < nothers && others[j] != (u32)prev; j++)
			;
		if (j == nothers && nothers < ARRAY_SIZE(others))
			others[nothers++] = prev;
	}
	for (j = 0; j < nothers; j++) {
		o = &c->st->instances[others[j]];
		bitmap_and(both->bits, in->cpus.bits, o->cpus.bits, MK_MAX_CPUS);
		mk_fmt_cpus(buf, sizeof(buf), both);
		mk_report_add(c->rep, MK_RULE_CPU_OVERLAP,
			      "%s %s: CPUs %s allocated to both; free: %s",
			      o->name, in->name, buf, c->free_cpus);
	}
}

static void mk_check_cpus(struct mk_ctx *c)
{
	const struct mk_state *st = c->st;
	struct mk_cpus *free_cpus = &c->tmp[1];
	s32 *owner;
	u32 i, cpu;

	owner = kvcalloc(MK_MAX_CPUS, sizeof(*owner), GFP_KERNEL);
	if (!owner) {
		c->nomem = true;
		return;
	}
	for (cpu = 0; cpu < MK_MAX_CPUS; cpu++)
		owner[cpu] = -1;

	mk_free_cpus(st, NULL, free_cpus);
	mk_fmt_cpus(c->free_cpus, sizeof(c->free_cpus), free_cpus);
	for (i = 0; i < st->ninstances; i++) {
		mk_check_instance_cpus(c, &st->instances[i]);
		mk_check_doorbell_cpu(c, &st->instances[i]);
		if (st->instances[i].has_cpus)
			mk_check_cpu_overlap(c, owner, i);
	}
	kvfree(owner);
}

struct mk_range {
	u64 base;
	u64 end;
	u32 inst;
};

static int mk_range_cmp(const void *a, const void *b)
{
	const struct mk_range *x = a, *y = b;

	/* A total order: the pairs reported never depend on the sort. */
	if (x->base != y->base)
		return x->base < y->base ? -1 : 1;
	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	return x->inst < y->inst ? -1 : x->inst > y->inst;
}

static void mk_check_memory(struct mk_ctx *c)
{
	const struct mk_state *st = c->st;
	const struct mk_pool *p = &st->pool;
	u64 pool_end = p->pool_base + p->pool_bytes, total = 0, end;
	struct mk_range *r;
	u32 i, n = 0, widest;
	bool total_ok = true;

	r = kvcalloc(st->ninstances ? st->ninstances : 1, sizeof(*r),
		     GFP_KERNEL);
	if (!r) {
		c->nomem = true;
		return;
	}
	for (i = 0; i < st->ninstances; i++) {
		const struct mk_instance *in = &st->instances[i];

		if (!in->mem_bytes) {
			mk_report_add(c->rep, MK_RULE_MEMORY_SIZE,
				      "%s: memory-bytes is missing or 0", in->name);
			continue;
		}
		if (!IS_ALIGNED(in->mem_bytes, MK_PAGE_SIZE) ||
		    (in->has_mem_base && !IS_ALIGNED(in->mem_base, MK_PAGE_SIZE))) {
			mk_report_add(c->rep, MK_RULE_MEMORY_ALIGNMENT,
				      "%s: memory 0x%llx+0x%llx is not 4 KiB aligned",
				      in->name, in->mem_base, in->mem_bytes);
			continue;
		}
		if (total_ok && check_add_overflow(total, in->mem_bytes, &total))
			total_ok = false;
		if (!in->has_mem_base)
			continue;
		if (check_add_overflow(in->mem_base, in->mem_bytes, &end) ||
		    in->mem_base < p->pool_base || end > pool_end) {
			mk_report_add(c->rep, MK_RULE_MEMORY_OUTSIDE_POOL,
				      "%s: memory 0x%llx+0x%llx lies outside the pool 0x%llx-0x%llx",
				      in->name, in->mem_base, in->mem_bytes,
				      p->pool_base, pool_end);
			continue;
		}
		r[n].base = in->mem_base;
		r[n].end = end;
		r[n++].inst = i;
	}
	if (!total_ok || total > p->pool_bytes)
		mk_report_add(c->rep, MK_RULE_MEMORY_EXHAUSTED,
			      "instances ask for more memory than the pool's 0x%llx bytes",
			      p->pool_bytes);

	/*
	 * Sorted by base, a range overlaps an earlier one exactly when it
	 * starts below the furthest end seen so far.
	 */
	sort(r, n, sizeof(*r), mk_range_cmp, NULL);
	for (i = 1, widest = 0; i < n; i++) {
		if (r[i].base < r[widest].end) {
			mk_report_add(c->rep, MK_RULE_MEMORY_OVERLAP,
				      "%s %s: memory 0x%llx-0x%llx held by both",
				      st->instances[r[widest].inst].name,
				      st->instances[r[i].inst].name, r[i].base,
				      min(r[i].end, r[widest].end));
		}
		if (r[i].end > r[widest].end)
			widest = i;
	}
	kvfree(r);
}

struct mk_use {
	u32 dev;
	s32 part;
	u32 inst;
};

static int mk_use_cmp(const void *a, const void *b)
{
	const struct mk_use *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->part != y->part)
		return x->part < y->part ? -1 : 1;
	return x->inst < y->inst ? -1 : x->inst > y->inst;
}

static void mk_use_name(const struct mk_pool *p, const struct mk_use *u,
			char *buf, size_t size)
{
	const struct mk_device *d = &p->devices[u->dev];

	if (u->part < 0)
		snprintf(buf, size, "%s", mk_dev_name(d));
	else
		snprintf(buf, size, "%s %s %d", mk_dev_name(d),
			 d->part_kind == MK_PARTS_NAMESPACE ? "namespace" : "VF",
			 u->part);
}

static void mk_check_devices(struct mk_ctx *c)
{
	const struct mk_state *st = c->st;
	const struct mk_pool *p = &st->pool;
	struct mk_use *u;
	u32 i, j, n = 0, whole;
	char what[96];

	for (i = 0; i < st->ninstances; i++)
		n += st->instances[i].ndevs;
	u = kvcalloc(n ? n : 1, sizeof(*u), GFP_KERNEL);
	if (!u) {
		c->nomem = true;
		return;
	}
	n = 0;
	for (i = 0; i < st->ninstances; i++) {
		const struct mk_instance *in = &st->instances[i];

		for (j = 0; j < in->ndevs; j++) {
			const struct mk_devref *ref = &in->devs[j];
			const struct mk_device *d = &p->devices[ref->dev];
			u32 first = d->part_kind == MK_PARTS_NAMESPACE ? 1 : 0;

			u[n].dev = ref->dev;
			u[n].part = ref->part;
			u[n++].inst = i;
			if (ref->part < 0)
				continue;
			mk_use_name(p, &u[n - 1], what, sizeof(what));
			if (ref->part < first || ref->part >= first + d->nparts)
				mk_report_add(c->rep, MK_RULE_DEVICE_PART_RANGE,
					      "%s: %s does not exist; %s has %u, %u-%u",
					      in->name, what, mk_dev_name(d), d->nparts,
					      first, first + d->nparts - 1);
			else if (test_bit(ref->part, d->reserved.bits))
				mk_report_add(c->rep, MK_RULE_DEVICE_PART_RESERVED,
					      "%s: %s is reserved for the host",
					      in->name, what);
			else if (!test_bit(ref->part, d->available.bits))
				mk_report_add(c->rep, MK_RULE_DEVICE_PART_UNAVAILABLE,
					      "%s: %s is not in the device's available list",
					      in->name, what);
		}
	}

	/*
	 * Sorted by device, then part with the whole device (-1) first: a
	 * conflict is two neighbours with the same part, or any part of a
	 * device that another instance holds whole.
	 */
	sort(u, n, sizeof(*u), mk_use_cmp, NULL);
	for (i = 0; i < n; i = j) {
		whole = u[i].part < 0 ? u[i].inst : U32_MAX;
		for (j = i + 1; j < n && u[j].dev == u[i].dev; j++) {
			bool same = u[j].part == u[j - 1].part;
			u32 other = same ? u[j - 1].inst : whole;

			if (!same && (whole == U32_MAX || other == u[j].inst))
				continue;
			mk_use_name(p, &u[j], what, sizeof(what));
			if (other == u[j].inst)
				mk_report_add(c->rep, MK_RULE_DEVICE_DUPLICATE,
					      "%s: lists %s twice",
					      st->instances[u[j].inst].name, what);
			else
				mk_report_add(c->rep, MK_RULE_DEVICE_CONFLICT,
					      "%s %s: %s%s assigned to both",
					      st->instances[other].name,
					      st->instances[u[j].inst].name, what,
					      same ? "" : " (a part of a device held whole)");
		}
	}
	kvfree(u);
}

static const struct mk_numa_node *mk_numa_find(const struct mk_pool *p, u32 id)
{
	u32 i;

	for (i = 0; i < p->nnuma; i++)
		if (p->numa[i].id == id)
			return &p->numa[i];
	return NULL;
}

/* Number of NUMA nodes that hold some of @cpus. */
static u32 mk_numa_span(const struct mk_pool *p, const struct mk_cpus *cpus)
{
	u32 i, n = 0;

	for (i = 0; i < p->nnuma; i++)
		n += bitmap_intersects(p->numa[i].cpus.bits, cpus->bits,
					MK_MAX_CPUS);
	return n;
}

/*
 * The union of the CPUs of the nodes @in names, in @chosen; false, with a
 * finding, if it names a node the baseline does not have.
 */
static bool mk_numa_chosen(struct mk_ctx *c, const struct mk_instance *in,
			   struct mk_cpus *chosen)
{
	const struct mk_numa_node *nn;
	bool known = true;
	u32 j;

	bitmap_zero(chosen->bits, MK_MAX_CPUS);
	for (j = 0; j < in->nnuma; j++) {
		nn = mk_numa_find(&c->st->pool, in->numa_nodes[j]);
		if (nn) {
			bitmap_or(chosen->bits, chosen->bits, nn->cpus.bits,
				  MK_MAX_CPUS);
			continue;
		}
		mk_report_add(c->rep, MK_RULE_NUMA_NODE_UNKNOWN,
			      "%s: numa-nodes lists node %u, which the baseline does not have",
			      in->name, in->numa_nodes[j]);
		known = false;
	}
	return known;
}

/* Whether @in's memory lies on a node that holds some of its CPUs. */
static bool mk_numa_memory_local(const struct mk_pool *p,
				 const struct mk_instance *in)
{
	const struct mk_numa_node *nn;
	u32 j;

	for (j = 0; j < p->nnuma; j++) {
		nn = &p->numa[j];
		if (bitmap_intersects(nn->cpus.bits, in->cpus.bits, MK_MAX_CPUS) &&
		    in->mem_base >= nn->mem_base &&
		    in->mem_base - nn->mem_base < nn->mem_size &&
		    in->mem_bytes <= nn->mem_size - (in->mem_base - nn->mem_base))
			return true;
	}
	return false;
}

/* The warnings about where an instance's CPUs and memory ended up. */
static void mk_check_numa_placed(struct mk_ctx *c, const struct mk_instance *in,
				 const struct mk_cpus *chosen, bool known)
{
	const struct mk_pool *p = &c->st->pool;
	struct mk_cpus *outside = &c->tmp[1];
	u32 span = mk_numa_span(p, &in->cpus);
	char buf[128];

	bitmap_andnot(outside->bits, in->cpus.bits, chosen->bits, MK_MAX_CPUS);
	if (in->nnuma && known && bitmap_weight(outside->bits, MK_MAX_CPUS)) {
		mk_fmt_cpus(buf, sizeof(buf), outside);
		mk_report_add(c->rep, MK_RULE_NUMA_CPUS_OUTSIDE,
			      "%s: CPUs %s lie outside the chosen numa-nodes",
			      in->name, buf);
	}
	if (in->affinity == MK_AFFINITY_COMPACT && span > 1)
		mk_report_add(c->rep, MK_RULE_NUMA_COMPACT_SPANS,
			      "%s: cpu-affinity \"compact\" but the CPUs span %u NUMA nodes",
			      in->name, span);
	if (in->affinity == MK_AFFINITY_SPREAD && p->nnuma > 1 && span == 1)
		mk_report_add(c->rep, MK_RULE_NUMA_SPREAD_SINGLE,
			      "%s: cpu-affinity \"spread\" but all CPUs are on one NUMA node",
			      in->name);
	/* cpu-affinity "local" implies local memory unless told otherwise. */
	if (((in->affinity == MK_AFFINITY_LOCAL &&
	      in->mempolicy == MK_MEMPOLICY_FIRST) ||
	     in->mempolicy == MK_MEMPOLICY_LOCAL) && in->has_mem_base &&
	    !mk_numa_memory_local(p, in))
		mk_report_add(c->rep, MK_RULE_NUMA_LOCAL_MEMORY,
			      "%s: \"local\" placement but the memory is not on a node of its CPUs",
			      in->name);
}

static void mk_check_numa(struct mk_ctx *c)
{
	const struct mk_state *st = c->st;
	struct mk_cpus *chosen = &c->tmp[0];
	u32 i;
	bool known;

	for (i = 0; i < st->ninstances; i++) {
		const struct mk_instance *in = &st->instances[i];

		known = mk_numa_chosen(c, in, chosen);
		if (in->mempolicy == MK_MEMPOLICY_BIND && !in->nnuma)
			mk_report_add(c->rep, MK_RULE_NUMA_BIND_EMPTY,
				      "%s: memory-policy \"bind\" needs numa-nodes", in->name);
		if (in->has_cpus && st->pool.nnuma)
			mk_check_numa_placed(c, in, chosen, known);
	}
}

/* Whether @node is in @refs, sorted. */
static bool mk_ref_listed(const u32 *refs, u32 n, u32 node)
{
	u32 lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (refs[mid] == node)
			return true;
		if (refs[mid] < node)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/*
 * Device references that an overlay put at the root, as older trees do,
 * and that no instance lists: harmless, but most likely a mistake. Those
 * an instance lists are checked with its devices.
 */
static void mk_check_root_refs(struct mk_ctx *c)
{
	const struct mk_state *st = c->st;
	u32 i, j, n = 0, *refs;
	int node;

	for (i = 0; i < st->ninstances; i++)
		n += st->instances[i].ndevs;
	refs = kvcalloc(n ? n : 1, sizeof(*refs), GFP_KERNEL);
	if (!refs) {
		c->nomem = true;
		return;
	}
	for (i = 0, n = 0; i < st->ninstances; i++)
		for (j = 0; j < st->instances[i].ndevs; j++)
			refs[n++] = st->instances[i].devs[j].node;
	sort(refs, n, sizeof(*refs), mk_u32_cmp, NULL);
	fdt_for_each_subnode(node, st->fdt, 0) {
		if (!mk_is_devref_node(st->fdt, node) ||
		    mk_ref_listed(refs, n, node))
			continue;
		mk_report_add(c->rep, MK_RULE_DEVICE_UNREFERENCED,
			      "/%s: a device reference that no instance lists",
			      fdt_get_name(st->fdt, node, NULL));
	}
	kvfree(refs);
}

/**
 * mk_validate - check every rule on a parsed state
 * @st: the state, from mk_state_parse()
 * @rep: where findings go; warnings alone do not fail a state
 *
 * Return: 0 if there is no error, or the negative errno of the first error.
 */
int mk_validate(const struct mk_state *st, struct mk_report *rep)
{
	u32 errors = rep->errors;
	struct mk_ctx *c;
	bool nomem;

	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;
	c->st = st;
	c->rep = rep;
	mk_check_pool_cpus(c);
	mk_check_pool_memory(c);
	mk_check_pool_devices(c);
	mk_check_pool_numa(c);
	mk_check_names_ids(c);
	mk_check_cpus(c);
	mk_check_memory(c);
	mk_check_devices(c);
	mk_check_root_refs(c);
	mk_check_numa(c);
	nomem = c->nomem;
	kfree(c);

	if (nomem)
		return -ENOMEM;
	return rep->errors > errors ? rep->err : 0;
}
