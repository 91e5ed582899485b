// SPDX-License-Identifier: GPL-2.0
/*
 * Parse a multikernel device tree into the resource model.
 *
 * The blob has been through mk_fdt_check() (fdt_util.c) first; the parser
 * still checks the length of every property it uses.
 */

#include "model.h"

#define MK_MALFORMED(rep, ...) \
	mk_report_add(rep, MK_RULE_MALFORMED, __VA_ARGS__)

/* Property readers: 0 if present and well-formed, -ENOENT if absent. */

static int mk_get_u32(const void *fdt, int node, const char *prop, u32 *val)
{
	const fdt32_t *p;
	int len;

	p = fdt_getprop(fdt, node, prop, &len);
	if (!p)
		return -ENOENT;
	if (len != sizeof(*p))
		return -EINVAL;
	*val = fdt32_to_cpu(*p);
	return 0;
}

/* A 64-bit quantity is two cells; a one-cell value is zero-extended. */
static int mk_get_u64(const void *fdt, int node, const char *prop, u64 *val)
{
	const fdt32_t *p;
	int len;

	p = fdt_getprop(fdt, node, prop, &len);
	if (!p)
		return -ENOENT;
	if (len == 4)
		*val = fdt32_to_cpu(p[0]);
	else if (len == 8)
		*val = (u64)fdt32_to_cpu(p[0]) << 32 | fdt32_to_cpu(p[1]);
	else
		return -EINVAL;
	return 0;
}

static const fdt32_t *mk_get_cells(const void *fdt, int node,
				   const char *prop, u32 *n, int *err)
{
	const fdt32_t *p;
	int len;

	p = fdt_getprop(fdt, node, prop, &len);
	if (!p) {
		*err = -ENOENT;
		return NULL;
	}
	if (len % 4) {
		*err = -EINVAL;
		return NULL;
	}
	*n = len / 4;
	*err = 0;
	return p;
}

static const char *mk_get_string(const void *fdt, int node, const char *prop,
				 int *err)
{
	const char *s;
	int len;

	s = fdt_getprop(fdt, node, prop, &len);
	if (!s) {
		*err = -ENOENT;
		return NULL;
	}
	if (len < 1 || s[len - 1] != '\0' || strlen(s) != (size_t)len - 1) {
		*err = -EINVAL;
		return NULL;
	}
	*err = 0;
	return s;
}

static const char *mk_node_name(const void *fdt, int node)
{
	const char *name = fdt_get_name(fdt, node, NULL);

	return name ? name : "?";
}

/* Report a property that is present but of the wrong size or shape. */
static int mk_bad_prop(struct mk_report *rep, const char *where,
		       const char *prop, const char *want)
{
	MK_MALFORMED(rep, "%s: property %s must be %s", where, prop, want);
	return -EINVAL;
}

/* Read a list of CPU ids into @cpus; ids must be below @limit. */
static int mk_get_cpus(const void *fdt, int node, const char *prop,
		       struct mk_cpus *cpus, u32 limit, const char *where,
		       struct mk_report *rep)
{
	const fdt32_t *p;
	u32 i, n, cpu;
	int err;

	p = mk_get_cells(fdt, node, prop, &n, &err);
	if (err == -EINVAL)
		return mk_bad_prop(rep, where, prop, "a list of CPU numbers");
	if (err)
		return err;
	for (i = 0; i < n; i++) {
		cpu = fdt32_to_cpu(p[i]);
		if (cpu >= limit) {
			mk_report_add(rep, MK_RULE_CPU_INVALID,
				      "%s: %s lists CPU %u, which does not exist (CPUs are 0-%u)",
				      where, prop, cpu, limit - 1);
			return -EINVAL;
		}
		__set_bit(cpu, cpus->bits);
	}
	return 0;
}

static int mk_get_parts(const void *fdt, int node, const char *prop,
			struct mk_parts *parts, const char *where,
			struct mk_report *rep)
{
	const fdt32_t *p;
	u32 i, n, id;
	int err;

	p = mk_get_cells(fdt, node, prop, &n, &err);
	if (err == -EINVAL)
		return mk_bad_prop(rep, where, prop, "a list of ids");
	if (err)
		return err == -ENOENT ? 0 : err;
	for (i = 0; i < n; i++) {
		id = fdt32_to_cpu(p[i]);
		if (id > MK_MAX_PARTS) {
			mk_report_add(rep, MK_RULE_BASELINE_DEVICE,
				      "%s: %s lists id %u; ids go up to %u",
				      where, prop, id, MK_MAX_PARTS);
			return -EINVAL;
		}
		__set_bit(id, parts->bits);
	}
	return 0;
}

static int mk_parse_pool_cpus(const void *fdt, struct mk_pool *pool,
			      struct mk_report *rep)
{
	int node, err;

	node = fdt_path_offset(fdt, "/resources/cpus");
	if (node < 0) {
		mk_report_add(rep, MK_RULE_BASELINE_MISSING,
			      "baseline: no /resources/cpus node");
		return -EINVAL;
	}
	err = mk_get_u32(fdt, node, "total", &pool->total_cpus);
	if (err || !pool->total_cpus || pool->total_cpus > MK_MAX_CPUS) {
		mk_report_add(rep, MK_RULE_BASELINE_CPUS,
			      "baseline: cpus/total must be one cell, 1 to %u",
			      MK_MAX_CPUS);
		return -EINVAL;
	}
	err = mk_get_cpus(fdt, node, "host-reserved", &pool->host_reserved,
			  pool->total_cpus, "baseline", rep);
	if (err && err != -ENOENT)
		return err;
	err = mk_get_cpus(fdt, node, "available", &pool->available,
			  pool->total_cpus, "baseline", rep);
	if (err == -ENOENT) {
		mk_report_add(rep, MK_RULE_BASELINE_MISSING,
			      "baseline: no cpus/available list");
		return -EINVAL;
	}
	return err;
}

static int mk_parse_pool_memory(const void *fdt, struct mk_pool *pool,
				struct mk_report *rep)
{
	static const char * const props[] = {
		"total-bytes", "host-reserved-bytes",
		"memory-pool-base", "memory-pool-bytes",
	};
	u64 *vals[] = {
		&pool->total_bytes, &pool->host_reserved_bytes,
		&pool->pool_base, &pool->pool_bytes,
	};
	int node, err;
	u32 i;

	node = fdt_path_offset(fdt, "/resources/memory");
	if (node < 0) {
		mk_report_add(rep, MK_RULE_BASELINE_MISSING,
			      "baseline: no /resources/memory node");
		return -EINVAL;
	}
	for (i = 0; i < ARRAY_SIZE(props); i++) {
		err = mk_get_u64(fdt, node, props[i], vals[i]);
		if (err == -ENOENT && i == 1)
			continue;	/* host-reserved-bytes is optional */
		if (err == -ENOENT) {
			mk_report_add(rep, MK_RULE_BASELINE_MISSING,
				      "baseline: no memory/%s", props[i]);
			return -EINVAL;
		}
		if (err)
			return mk_bad_prop(rep, "baseline", props[i],
					   "one or two cells");
	}
	return 0;
}

/* Attach the labels in /__symbols__ to the devices they name. */
static void mk_label_devices(const void *fdt, struct mk_pool *pool)
{
	int sym, poff, len, target;
	const char *label, *path;
	u32 i;

	sym = fdt_path_offset(fdt, "/__symbols__");
	if (sym < 0)
		return;
	fdt_for_each_property_offset(poff, fdt, sym) {
		path = fdt_getprop_by_offset(fdt, poff, &label, &len);
		if (!path || len < 2 || path[len - 1] != '\0' || path[0] != '/')
			continue;
		target = fdt_path_offset(fdt, path);
		if (target < 0)
			continue;
		for (i = 0; i < pool->ndevices; i++)
			if (pool->devices[i].offset == target &&
			    !pool->devices[i].label)
				pool->devices[i].label = label;
	}
}

static int mk_parse_device(const void *fdt, int node, struct mk_device *dev,
			   struct mk_report *rep)
{
	const char *where = mk_node_name(fdt, node);
	int err_vf, err_ns, err;
	u32 vfs, nss;

	dev->name = where;
	dev->offset = node;
	dev->phandle = fdt_get_phandle(fdt, node);

	err_vf = mk_get_u32(fdt, node, "sriov-vfs", &vfs);
	err_ns = mk_get_u32(fdt, node, "namespaces", &nss);
	if (err_vf == -EINVAL || err_ns == -EINVAL)
		return mk_bad_prop(rep, where, err_vf ? "namespaces" : "sriov-vfs",
				   "one cell");
	if (!err_vf && !err_ns) {
		mk_report_add(rep, MK_RULE_BASELINE_DEVICE,
			      "%s: has both sriov-vfs and namespaces", where);
		return -EINVAL;
	}
	if (!err_vf) {
		dev->part_kind = MK_PARTS_VF;
		dev->nparts = vfs;
		err = mk_get_parts(fdt, node, "host-reserved-vf", &dev->reserved,
				   where, rep);
		if (!err)
			err = mk_get_parts(fdt, node, "available-vfs",
					   &dev->available, where, rep);
	} else if (!err_ns) {
		dev->part_kind = MK_PARTS_NAMESPACE;
		dev->nparts = nss;
		err = mk_get_parts(fdt, node, "host-reserved-ns", &dev->reserved,
				   where, rep);
		if (!err)
			err = mk_get_parts(fdt, node, "available-ns",
					   &dev->available, where, rep);
	} else {
		return 0;
	}
	if (!err && dev->nparts > MK_MAX_PARTS) {
		mk_report_add(rep, MK_RULE_LIMIT_PARTS,
			      "%s: %u VFs or namespaces; at most %u are supported",
			      where, dev->nparts, MK_MAX_PARTS);
		err = -EINVAL;
	}
	return err;
}

/*
 * Allocate one @size-byte entry per child of @parent, refusing more than
 * @max children. Return: the array, or NULL when there are no children or
 * *@err is set.
 */
static void *mk_alloc_children(const void *fdt, int parent, u32 max,
			       size_t size, const char *what, u32 *n,
			       int *err, struct mk_report *rep)
{
	void *arr;
	int node;

	*n = 0;
	*err = 0;
	fdt_for_each_subnode(node, fdt, parent)
		(*n)++;
	if (*n > max) {
		mk_report_add(rep, MK_RULE_LIMIT,
			      "%u %s; at most %u are supported", *n, what, max);
		*err = -E2BIG;
		return NULL;
	}
	if (!*n)
		return NULL;
	arr = kvcalloc(*n, size, GFP_KERNEL);
	if (!arr)
		*err = -ENOMEM;
	return arr;
}

static int mk_parse_pool_devices(const void *fdt, struct mk_pool *pool,
				 struct mk_report *rep)
{
	int devs, node, err;
	u32 n;

	devs = fdt_path_offset(fdt, "/resources/devices");
	if (devs < 0)
		return 0;
	pool->devices = mk_alloc_children(fdt, devs, MK_MAX_DEVICES,
					  sizeof(*pool->devices), "devices",
					  &n, &err, rep);
	if (err)
		return err;
	fdt_for_each_subnode(node, fdt, devs) {
		err = mk_parse_device(fdt, node, &pool->devices[pool->ndevices],
				      rep);
		if (err)
			return err;
		pool->ndevices++;
	}
	mk_label_devices(fdt, pool);
	return 0;
}

static int mk_parse_numa_node(const void *fdt, int node,
			      struct mk_numa_node *nn, u32 total_cpus,
			      struct mk_report *rep)
{
	const char *where = mk_node_name(fdt, node);
	int err;

	nn->offset = node;
	if (mk_get_u32(fdt, node, "node-id", &nn->id))
		return mk_bad_prop(rep, where, "node-id", "present, one cell");
	err = mk_get_u64(fdt, node, "memory-base", &nn->mem_base);
	if (!err)
		err = mk_get_u64(fdt, node, "memory-size", &nn->mem_size);
	if (err == -EINVAL)
		return mk_bad_prop(rep, where, "memory-base/memory-size",
				   "one or two cells");
	err = mk_get_cpus(fdt, node, "cpus", &nn->cpus, total_cpus, where, rep);
	return err == -ENOENT ? 0 : err;
}

static int mk_parse_pool_numa(const void *fdt, struct mk_pool *pool,
			      struct mk_report *rep)
{
	int nodes, node, err;
	const fdt32_t *p;
	u32 i, n, ncells, have;

	nodes = fdt_path_offset(fdt, "/resources/topology/numa-nodes");
	if (nodes < 0)
		return 0;
	pool->numa = mk_alloc_children(fdt, nodes, MK_MAX_NUMA_NODES,
				       sizeof(*pool->numa), "NUMA nodes",
				       &n, &err, rep);
	if (err)
		return err;
	fdt_for_each_subnode(node, fdt, nodes) {
		err = mk_parse_numa_node(fdt, node, &pool->numa[pool->nnuma],
					 pool->total_cpus, rep);
		if (err)
			return err;
		pool->nnuma++;
	}

	/* The distance table is optional; if given, each node has a row. */
	for (i = 0, have = 0; i < pool->nnuma; i++)
		if (fdt_getprop(fdt, pool->numa[i].offset, "distance", NULL))
			have++;
	if (!have)
		return 0;
	pool->distance = kvcalloc(n * n, sizeof(u32), GFP_KERNEL);
	if (!pool->distance)
		return -ENOMEM;
	for (i = 0; i < pool->nnuma; i++) {
		p = mk_get_cells(fdt, pool->numa[i].offset, "distance",
				 &ncells, &err);
		if (err || ncells != n) {
			mk_report_add(rep, MK_RULE_BASELINE_NUMA,
				      "%s: distance must list %u values, one per NUMA node, on every node or none",
				      mk_node_name(fdt, pool->numa[i].offset), n);
			return -EINVAL;
		}
		while (ncells--)
			pool->distance[i * n + ncells] = fdt32_to_cpu(p[ncells]);
	}
	return 0;
}

/*
 * SMT: core-ids gives each CPU's physical core, one cell per CPU; CPUs with
 * the same value are siblings. Without it, every CPU is a core of its own.
 */
static int mk_parse_pool_cores(const void *fdt, struct mk_pool *pool,
			       struct mk_report *rep)
{
	const fdt32_t *p;
	int topo, err;
	u32 i, n;

	topo = fdt_path_offset(fdt, "/resources/topology");
	if (topo < 0 || !fdt_getprop(fdt, topo, "core-ids", NULL))
		return 0;
	p = mk_get_cells(fdt, topo, "core-ids", &n, &err);
	if (err || n != pool->total_cpus) {
		mk_report_add(rep, MK_RULE_BASELINE_CORES,
			      "topology: core-ids must list %u values, one per CPU",
			      pool->total_cpus);
		return -EINVAL;
	}
	pool->core = kvcalloc(n, sizeof(*pool->core), GFP_KERNEL);
	if (!pool->core)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		pool->core[i] = fdt32_to_cpu(p[i]);
	return 0;
}

/* phandle -> node offset, sorted for lookup by binary search. */
struct mk_phandle {
	u32 phandle;
	int offset;
};

static int mk_phandle_cmp(const void *a, const void *b)
{
	const struct mk_phandle *x = a, *y = b;

	/* Offsets break ties, so a duplicate phandle resolves one way. */
	if (x->phandle != y->phandle)
		return x->phandle < y->phandle ? -1 : 1;
	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

static struct mk_phandle *mk_phandle_index(const void *fdt, u32 *count)
{
	struct mk_phandle *idx;
	int node, depth = 0;
	u32 n = 0, ph;

	for (node = 0; node >= 0 && depth >= 0;
	     node = fdt_next_node(fdt, node, &depth))
		if (fdt_get_phandle(fdt, node))
			n++;
	idx = kvcalloc(n ? n : 1, sizeof(*idx), GFP_KERNEL);
	if (!idx)
		return NULL;
	n = 0;
	depth = 0;
	for (node = 0; node >= 0 && depth >= 0;
	     node = fdt_next_node(fdt, node, &depth)) {
		ph = fdt_get_phandle(fdt, node);
		if (ph) {
			idx[n].phandle = ph;
			idx[n++].offset = node;
		}
	}
	sort(idx, n, sizeof(*idx), mk_phandle_cmp, NULL);
	*count = n;
	return idx;
}

static int mk_phandle_lookup(const struct mk_phandle *idx, u32 n, u32 ph)
{
	u32 lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (idx[mid].phandle == ph)
			return idx[mid].offset;
		if (idx[mid].phandle < ph)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static int mk_device_by_offset(const struct mk_pool *pool, int offset)
{
	u32 i;

	for (i = 0; i < pool->ndevices; i++)
		if (pool->devices[i].offset == offset)
			return i;
	return -1;
}

/* Resolve one entry of an instance's devices list. */
/**
 * mk_is_devref_node - is @node a reference to a part of a device?
 * @fdt: a checked tree
 * @node: the node
 *
 * A reference has parent and one of vf-id or namespace-id, each one cell,
 * the phandle dtc gives a node that is referred to, and nothing else: no
 * other property and no subnode.
 *
 * Return: true if it is one.
 */
bool mk_is_devref_node(const void *fdt, int node)
{
	static const char * const ok[] = {
		"parent", "vf-id", "namespace-id", "phandle", "linux,phandle",
	};
	bool parent = false;
	int poff, len, ids = 0;
	const char *name;
	size_t i;

	if (fdt_first_subnode(fdt, node) >= 0)
		return false;
	fdt_for_each_property_offset(poff, fdt, node) {
		if (!fdt_getprop_by_offset(fdt, poff, &name, &len) ||
		    len != sizeof(fdt32_t))
			return false;
		for (i = 0; i < ARRAY_SIZE(ok) && strcmp(name, ok[i]); i++)
			;
		if (i == ARRAY_SIZE(ok))
			return false;
		parent |= i == 0;
		ids += i == 1 || i == 2;
	}
	return parent && ids == 1;
}

static int mk_parse_devref(const void *fdt, const struct mk_pool *pool,
			   const struct mk_phandle *idx, u32 nidx,
			   struct mk_instance *in, u32 ph, struct mk_report *rep)
{
	struct mk_devref *ref = &in->devs[in->ndevs];
	int node, parent, dev;
	const char *idprop;
	u32 pph, id;

	node = mk_phandle_lookup(idx, nidx, ph);
	if (node < 0) {
		mk_report_add(rep, MK_RULE_DEVICE_DANGLING,
			      "%s: devices lists phandle 0x%x, which no node has",
			      in->name, ph);
		return -EINVAL;
	}
	ref->node = node;
	dev = mk_device_by_offset(pool, node);
	if (dev >= 0) {
		ref->dev = dev;
		ref->part = -1;
		in->ndevs++;
		return 0;
	}

	/* Not a device: it must be a part node naming its device. */
	if (mk_get_u32(fdt, node, "parent", &pph)) {
		mk_report_add(rep, MK_RULE_DEVICE_UNKNOWN,
			      "%s: devices lists %s, which is neither a device of the baseline nor a part of one",
			      in->name, mk_node_name(fdt, node));
		return -EINVAL;
	}
	parent = mk_phandle_lookup(idx, nidx, pph);
	dev = parent < 0 ? -1 : mk_device_by_offset(pool, parent);
	if (dev < 0) {
		mk_report_add(rep, MK_RULE_DEVICE_UNKNOWN,
			      "%s: %s: parent is not a device of the baseline",
			      in->name, mk_node_name(fdt, node));
		return -EINVAL;
	}
	idprop = pool->devices[dev].part_kind == MK_PARTS_NAMESPACE ?
		 "namespace-id" : "vf-id";
	if (pool->devices[dev].part_kind == MK_PARTS_NONE ||
	    mk_get_u32(fdt, node, idprop, &id)) {
		mk_report_add(rep, MK_RULE_DEVICE_PART_RANGE,
			      "%s: %s: %s has no parts of this kind (needs %s)",
			      in->name, mk_node_name(fdt, node),
			      pool->devices[dev].name, idprop);
		return -EINVAL;
	}
	ref->dev = dev;
	ref->part = id > MK_MAX_PARTS ? MK_MAX_PARTS + 1 : id;
	in->ndevs++;
	return 0;
}

static int mk_parse_enum(const void *fdt, int node, const char *prop,
			 const char * const *names, u32 n, u32 *val,
			 const char *who, struct mk_report *rep)
{
	const char *s;
	int err;
	u32 i;

	s = mk_get_string(fdt, node, prop, &err);
	if (err == -ENOENT)
		return 0;
	for (i = 1; s && i < n; i++) {
		if (!strcmp(s, names[i])) {
			*val = i;
			return 0;
		}
	}
	mk_report_add(rep, MK_RULE_POLICY_UNKNOWN,
		      "%s: %s \"%s\" is not one of %s|%s|%s", who, prop,
		      s ? s : "(not a string)", names[1], names[2], names[3]);
	return -EINVAL;
}

static const char * const mk_affinity_names[] = {
	"first", "compact", "spread", "local",
};

static const char * const mk_mempolicy_names[] = {
	"first", "local", "interleave", "bind",
};

static int mk_parse_instance(const void *fdt, const struct mk_state *st,
			     const struct mk_phandle *idx, u32 nidx, int node,
			     struct mk_instance *in, struct mk_report *rep)
{
	u32 i, n, val = 0;
	const fdt32_t *p;
	int res, err;

	in->name = mk_node_name(fdt, node);
	in->offset = node;
	err = mk_get_u32(fdt, node, "id", &in->id);
	if (err == -EINVAL)
		return mk_bad_prop(rep, in->name, "id", "one cell");
	in->has_id = !err;

	res = fdt_subnode_offset(fdt, node, "resources");
	in->res_offset = res;
	if (res < 0) {
		mk_report_add(rep, MK_RULE_RESOURCES_MISSING,
			      "%s: no resources node", in->name);
		return -EINVAL;
	}

	err = mk_get_cpus(fdt, res, "cpus", &in->cpus, st->pool.total_cpus,
			  in->name, rep);
	if (err && err != -ENOENT)
		return err;
	in->has_cpus = !err;
	err = mk_get_u32(fdt, res, "cpu-count", &in->cpu_count);
	if (err == -EINVAL)
		return mk_bad_prop(rep, in->name, "cpu-count", "one cell");
	err = mk_get_u32(fdt, res, "doorbell-cpu", &in->doorbell_cpu);
	if (err == -EINVAL)
		return mk_bad_prop(rep, in->name, "doorbell-cpu", "one cell");
	in->has_doorbell_cpu = !err;

	err = mk_get_u64(fdt, res, "memory-bytes", &in->mem_bytes);
	if (err == -EINVAL)
		return mk_bad_prop(rep, in->name, "memory-bytes", "one or two cells");
	err = mk_get_u64(fdt, res, "memory-base", &in->mem_base);
	if (err == -EINVAL)
		return mk_bad_prop(rep, in->name, "memory-base", "one or two cells");
	in->has_mem_base = !err;

	p = mk_get_cells(fdt, res, "devices", &n, &err);
	if (err == -EINVAL)
		return mk_bad_prop(rep, in->name, "devices", "a list of phandles");
	if (!err && n > MK_MAX_INSTANCE_DEVICES) {
		mk_report_add(rep, MK_RULE_LIMIT,
			      "%s: %u devices; at most %u per instance",
			      in->name, n, MK_MAX_INSTANCE_DEVICES);
		return -E2BIG;
	}
	for (i = 0; !err && i < n; i++) {
		err = mk_parse_devref(fdt, &st->pool, idx, nidx, in,
				      fdt32_to_cpu(p[i]), rep);
		if (err)
			return err;
	}

	p = mk_get_cells(fdt, res, "numa-nodes", &n, &err);
	if (err == -EINVAL || (!err && n > MK_MAX_NUMA_NODES))
		return mk_bad_prop(rep, in->name, "numa-nodes",
				   "a list of at most 64 node ids");
	for (i = 0; !err && i < n; i++)
		in->numa_nodes[in->nnuma++] = fdt32_to_cpu(p[i]);

	err = mk_parse_enum(fdt, res, "cpu-affinity", mk_affinity_names,
			    ARRAY_SIZE(mk_affinity_names), &val, in->name, rep);
	if (err)
		return err;
	in->affinity = val;
	val = 0;
	err = mk_parse_enum(fdt, res, "memory-policy", mk_mempolicy_names,
			    ARRAY_SIZE(mk_mempolicy_names), &val, in->name, rep);
	in->mempolicy = val;
	return err;
}

static int mk_parse_instances(const void *fdt, struct mk_state *st,
			      struct mk_report *rep)
{
	struct mk_phandle *idx;
	int insts, node, err;
	u32 n, nidx = 0;

	insts = fdt_path_offset(fdt, "/instances");
	if (insts < 0)
		return 0;
	st->instances = mk_alloc_children(fdt, insts, MK_MAX_INSTANCES,
					  sizeof(*st->instances), "instances",
					  &n, &err, rep);
	if (err || !n)
		return err;
	idx = mk_phandle_index(fdt, &nidx);
	if (!idx) {
		kvfree(idx);
		return -ENOMEM;
	}
	fdt_for_each_subnode(node, fdt, insts) {
		err = mk_parse_instance(fdt, st, idx, nidx, node,
					&st->instances[st->ninstances], rep);
		if (err)
			break;
		st->ninstances++;
	}
	kvfree(idx);
	return err;
}

/**
 * mk_state_parse - parse a baseline or effective tree
 * @st: filled in; release with mk_state_free() whatever the result
 * @fdt: the blob, which must stay valid while @st is used
 * @size: its size in bytes
 * @rep: where to report what is malformed
 *
 * Parsing checks shapes: that the blob is sound, that properties have the
 * right sizes, that references resolve. The rules that relate values to
 * one another are mk_validate()'s.
 *
 * Return: 0, or a negative errno with findings in @rep.
 */
int mk_state_parse(struct mk_state *st, const void *fdt, size_t size,
		   struct mk_report *rep)
{
	int err;

	memset(st, 0, sizeof(*st));
	st->fdt = fdt;
	err = mk_fdt_check(fdt, size, rep);
	if (err)
		return err;
	if (fdt_path_offset(fdt, "/resources") < 0) {
		mk_report_add(rep, MK_RULE_BASELINE_MISSING,
			      "baseline: no /resources node");
		return -EINVAL;
	}
	err = mk_parse_pool_cpus(fdt, &st->pool, rep);
	if (!err)
		err = mk_parse_pool_memory(fdt, &st->pool, rep);
	if (!err)
		err = mk_parse_pool_devices(fdt, &st->pool, rep);
	if (!err)
		err = mk_parse_pool_numa(fdt, &st->pool, rep);
	if (!err)
		err = mk_parse_pool_cores(fdt, &st->pool, rep);
	if (!err)
		err = mk_parse_instances(fdt, st, rep);
	return err;
}

void mk_state_free(struct mk_state *st)
{
	kvfree(st->pool.devices);
	kvfree(st->pool.numa);
	kvfree(st->pool.distance);
	kvfree(st->pool.core);
	kvfree(st->instances);
	memset(st, 0, sizeof(*st));
}
