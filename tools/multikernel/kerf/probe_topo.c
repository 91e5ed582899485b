// SPDX-License-Identifier: GPL-2.0
/*
 * The machine's topology for kerf init, as the placement policies use it:
 * NUMA nodes (their CPUs from sysfs, their memory from the zones in
 * /proc/zoneinfo, the distance table from sysfs) and SMT siblings (each
 * CPU's thread_siblings_list; the first sibling names the core).
 */

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kerf.h"

struct topo_node {
	unsigned int id;
	u64 start;		/* first byte of its zones, or U64_MAX */
	u64 end;
};

static int node_cmp(const void *a, const void *b)
{
	const struct topo_node *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* Each node's span, from the start_pfn and spanned of its zones. */
static void probe_zones(struct topo_node *nodes, int n)
{
	unsigned long long pfn = 0, spanned = 0, page = sysconf(_SC_PAGESIZE);
	unsigned int id;
	char line[256];
	int i, cur = -1;
	FILE *f;

	f = fopen("/proc/zoneinfo", "r");
	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Node %u, zone", &id) == 1) {
			for (cur = -1, i = 0; i < n; i++)
				if (nodes[i].id == id)
					cur = i;
			spanned = 0;
		} else if (sscanf(line, " spanned %llu", &spanned) == 1) {
			continue;
		} else if (cur >= 0 && spanned &&
			   sscanf(line, " start_pfn: %llu", &pfn) == 1) {
			nodes[cur].start = min(nodes[cur].start, (u64)(pfn * page));
			nodes[cur].end = max(nodes[cur].end,
					     (u64)((pfn + spanned) * page));
		}
	}
	if (f)
		fclose(f);
}

/* Node @id's row of the distance table: 0, or -1 if it is not whole. */
static int read_distance(unsigned int id, int n, fdt32_t *row)
{
	char path[64], buf[1024], *p, *end;
	unsigned long d;
	int k = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/devices/system/node/node%u/distance", id);
	f = fopen(path, "r");
	p = f ? fgets(buf, sizeof(buf), f) : NULL;
	if (f)
		fclose(f);
	while (p && k < n) {
		d = strtoul(p, &end, 10);
		if (end == p)
			break;
		row[k++] = cpu_to_fdt32(d);
		p = end;
	}
	return k == n ? 0 : -1;
}

static int probe_nodes(void *fdt)
{
	struct topo_node nodes[MK_MAX_NUMA_NODES];
	struct mk_cpus *cpus = calloc(1, sizeof(*cpus));
	fdt32_t *dist = calloc(MK_MAX_NUMA_NODES * MK_MAX_NUMA_NODES,
			       sizeof(*dist));
	char path[300], name[32];
	bool table = true;
	struct dirent *de;
	unsigned int id;
	int ret = 0, n = 0, i;
	DIR *dir;

	dir = opendir("/sys/devices/system/node");
	while (dir && (de = readdir(dir)) && n < MK_MAX_NUMA_NODES)
		if (sscanf(de->d_name, "node%u", &id) == 1)
			nodes[n++] = (struct topo_node){ id, U64_MAX, 0 };
	if (dir)
		closedir(dir);
	if (!n || !cpus || !dist)
		goto out;	/* no NUMA: nothing to describe */
	/* sysfs lists distances in node-id order; so do we. */
	qsort(nodes, n, sizeof(*nodes), node_cmp);
	probe_zones(nodes, n);
	/* The table is all or nothing: without a whole one, the default. */
	for (i = 0; i < n && table; i++)
		table = !read_distance(nodes[i].id, n, dist + i * n);

	ret = fdt_begin_node(fdt, "numa-nodes");
	for (i = 0; !ret && i < n; i++) {
		memset(cpus, 0, sizeof(*cpus));
		snprintf(path, sizeof(path), "/sys/devices/system/node/node%u/cpulist",
			 nodes[i].id);
		snprintf(name, sizeof(name), "node@%u", nodes[i].id);
		ret = kerf_probe_cpulist(path, cpus) || fdt_begin_node(fdt, name) ||
		      fdt_property_u32(fdt, "node-id", nodes[i].id) ||
		      kerf_fdt_cells(fdt, "cpus", cpus);
		if (!ret && nodes[i].start < nodes[i].end)
			ret = fdt_property_u64(fdt, "memory-base", nodes[i].start) ||
			      fdt_property_u64(fdt, "memory-size",
					       nodes[i].end - nodes[i].start);
		if (!ret && table)
			ret = fdt_property(fdt, "distance", dist + i * n,
					   n * sizeof(*dist));
		ret = ret || fdt_end_node(fdt);
		kerf_info("NUMA node %u: memory %#llx-%#llx%s",
			  nodes[i].id, nodes[i].start, nodes[i].end,
			  table ? "" : "; no whole distance table");
	}
	ret = ret || fdt_end_node(fdt);
out:
	free(cpus);
	free(dist);
	return ret;
}

/* core-ids: each CPU's first SMT sibling; absent CPUs are cores of their own. */
static int probe_cores(void *fdt, u32 total)
{
	fdt32_t *ids = calloc(total ? total : 1, sizeof(*ids));
	unsigned long first;
	char path[96], buf[64], *end;
	int ret, found = 0;
	FILE *f;
	u32 cpu;

	if (!ids)
		return -1;
	for (cpu = 0; cpu < total; cpu++) {
		snprintf(path, sizeof(path),
			 "/sys/devices/system/cpu/cpu%u/topology/thread_siblings_list", cpu);
		f = fopen(path, "r");
		first = cpu;
		if (f && fgets(buf, sizeof(buf), f)) {
			first = strtoul(buf, &end, 10);
			if (end == buf)
				first = cpu;
			else
				found++;
		}
		if (f)
			fclose(f);
		ids[cpu] = cpu_to_fdt32(first);
	}
	/* Without topology in sysfs, say nothing rather than "no SMT". */
	ret = found ? fdt_property(fdt, "core-ids", ids, total * sizeof(*ids)) : 0;
	free(ids);
	return ret;
}

/**
 * kerf_probe_topology - describe this machine's NUMA nodes and SMT cores
 * @fdt: a tree being built with the sequential-write API, inside /resources
 * @total: CPUs 0 .. @total - 1 are described
 *
 * Return: 0, or non-zero if the tree could not be written.
 */
int kerf_probe_topology(void *fdt, u32 total)
{
	return fdt_begin_node(fdt, "topology") || probe_cores(fdt, total) ||
	       probe_nodes(fdt) || fdt_end_node(fdt);
}
