// SPDX-License-Identifier: GPL-2.0
/*
 * Build a baseline from the machine kerf runs on: the present CPUs from
 * sysfs, the memory set aside with multikernel_pool= from /proc/iomem,
 * the topology (probe_topo.c), and the PCI devices asked for.
 */

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kerf.h"

/* Read a cpulist file of sysfs into @cpus; 0 or -errno. */
int kerf_probe_cpulist(const char *path, struct mk_cpus *cpus)
{
	char buf[4096], *p;
	FILE *f = fopen(path, "r");

	if (!f)
		return -errno;
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	return p ? kerf_parse_cpulist(p, cpus) : -EINVAL;
}

/*
 * The reserved pool and the end of RAM, from the top-level lines of
 * /proc/iomem; "Multikernel pool" sits below a "System RAM" line.
 */
static int probe_iomem(u64 *pool_base, u64 *pool_end, u64 *ram_end)
{
	unsigned long long start, end;
	char line[256];
	bool found = false;
	FILE *f = fopen("/proc/iomem", "r");

	if (!f)
		return -errno;
	*ram_end = 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, " %llx-%llx", &start, &end) != 2)
			continue;
		if (strstr(line, ": System RAM") && line[0] != ' ' &&
		    end + 1 > *ram_end)
			*ram_end = end + 1;
		if (strstr(line, ": Multikernel pool")) {
			*pool_base = start;
			*pool_end = end + 1;
			found = true;
		}
	}
	fclose(f);
	return found && *pool_end > *pool_base ? 0 : -ENOENT;
}

/* Write a set as a property of cells, in sequential-write mode. */
int kerf_fdt_bits(void *fdt, const char *name, const unsigned long *bits,
		  u32 nbits)
{
	fdt32_t cells[MK_MAX_CPUS];
	u32 bit, n = 0;

	for_each_set_bit(bit, bits, min_t(u32, nbits, MK_MAX_CPUS))
		cells[n++] = cpu_to_fdt32(bit);
	return fdt_property(fdt, name, cells, n * sizeof(*cells));
}

int kerf_fdt_cells(void *fdt, const char *name, const struct mk_cpus *cpus)
{
	return kerf_fdt_bits(fdt, name, cpus->bits, MK_MAX_CPUS);
}

/* Look up each device of "DEV,DEV,..."; the number found, or -KERF_*. */
static int probe_devices(const char *list, struct kerf_pci *devs)
{
	char *copy = strdup(list), *tok, *save;
	int n = 0, i, ret = 0;

	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, ",", &save); tok && !ret;
	     tok = strtok_r(NULL, ",", &save)) {
		if (n == MK_MAX_DEVICES) {
			kerf_err("--devices: at most %u devices", MK_MAX_DEVICES);
			ret = -EINVAL;
			break;
		}
		ret = kerf_probe_pci(tok, &devs[n]);
		for (i = 0; !ret && i < n; i++) {
			if (!strcmp(devs[i].label, devs[n].label) ||
			    !strcmp(devs[i].bdf, devs[n].bdf)) {
				kerf_err("--devices: %s (%s) is listed twice",
					 devs[n].label, devs[n].bdf);
				ret = -EINVAL;
			}
		}
		n++;
	}
	free(copy);
	return ret ? ret : n;
}

static int probe_fdt_devices(void *fdt, const struct kerf_pci *devs, int n)
{
	int i, ret;

	ret = fdt_begin_node(fdt, "devices");
	for (i = 0; !ret && i < n; i++)
		ret = kerf_fdt_pci(fdt, &devs[i], i);
	return ret || fdt_end_node(fdt);
}

/* Labels for the devices, as dtc -@ writes them, for overlays to use. */
static int probe_fdt_symbols(void *fdt, const struct kerf_pci *devs, int n)
{
	char node[48], path[96];
	int i, ret;

	ret = fdt_begin_node(fdt, "__symbols__");
	for (i = 0; !ret && i < n; i++) {
		kerf_pci_node(&devs[i], i, node, sizeof(node));
		snprintf(path, sizeof(path), "/resources/devices/%s", node);
		ret = fdt_property_string(fdt, devs[i].label, path);
	}
	return ret || fdt_end_node(fdt);
}

/**
 * kerf_probe_baseline - describe this machine as a baseline
 * @pool: the CPUs to put in the pool
 * @memory: how much of the reserved memory to put in the pool; 0 for all
 * @memory_base: where in it the pool starts; 0 for its start
 * @devices: the PCI devices to describe, as kerf_probe_pci() takes them,
 *	     comma-separated; or NULL
 * @out: the baseline; free() it
 * @size: its size
 *
 * Return: 0, or a negative errno with the reason on stderr: -EINVAL when
 * what the user gave is wrong.
 */
int kerf_probe_baseline(const struct mk_cpus *pool, u64 memory,
			u64 memory_base, const char *devices, void **out,
			size_t *size)
{
	struct kerf_pci *devs = calloc(MK_MAX_DEVICES, sizeof(*devs));
	struct mk_cpus *present = calloc(1, sizeof(*present));
	struct mk_cpus *host = calloc(1, sizeof(*host));
	u64 base, end, ram_end;
	size_t cap = 1 << 20;
	void *fdt = malloc(cap);
	int ret = -ENOMEM, ndevs = 0;
	u32 total, cpu;

	if (!present || !host || !fdt || !devs)
		goto out;
	ret = kerf_probe_cpulist("/sys/devices/system/cpu/present", present);
	if (ret) {
		kerf_err("cannot read the present CPUs from sysfs");
		goto out;
	}
	if (devices && *devices) {
		ndevs = probe_devices(devices, devs);
		ret = min(ndevs, 0);
		if (ret)
			goto out;
	}
	ret = probe_iomem(&base, &end, &ram_end);
	if (ret) {
		kerf_err("no \"Multikernel pool\" in /proc/iomem: boot with multikernel_pool=SIZE@BASE");
		goto out;
	}
	if (memory_base && (memory_base < base || memory_base >= end)) {
		kerf_err("--memory: 0x%llx is not in the multikernel_pool= reserve 0x%llx-0x%llx",
			 memory_base, base, end);
		ret = -EINVAL;
		goto out;
	}
	if (memory_base)
		base = memory_base;
	if (memory && memory < end - base)
		end = base + memory;
	for (total = 0, cpu = 0; cpu < MK_MAX_CPUS; cpu++)
		if (test_bit(cpu, present->bits))
			total = cpu + 1;
	bitmap_andnot(host->bits, present->bits, pool->bits, MK_MAX_CPUS);

	if (fdt_create(fdt, cap) || fdt_finish_reservemap(fdt) ||
	    fdt_begin_node(fdt, "") ||
	    fdt_property_string(fdt, "compatible", "linux,multikernel-host") ||
	    fdt_begin_node(fdt, "resources") || fdt_begin_node(fdt, "cpus") ||
	    fdt_property_u32(fdt, "total", total) ||
	    kerf_fdt_cells(fdt, "host-reserved", host) ||
	    kerf_fdt_cells(fdt, "available", pool) || fdt_end_node(fdt) ||
	    fdt_begin_node(fdt, "memory") ||
	    fdt_property_u64(fdt, "total-bytes", ram_end > end ? ram_end : end) ||
	    fdt_property_u64(fdt, "memory-pool-base", base) ||
	    fdt_property_u64(fdt, "memory-pool-bytes", end - base) ||
	    fdt_end_node(fdt) || probe_fdt_devices(fdt, devs, ndevs) ||
	    kerf_probe_topology(fdt, total) || fdt_end_node(fdt) ||
	    fdt_begin_node(fdt, "instances") || fdt_end_node(fdt) ||
	    probe_fdt_symbols(fdt, devs, ndevs) ||
	    fdt_end_node(fdt) || fdt_finish(fdt)) {
		kerf_err("cannot build the baseline");
		ret = -EIO;
		goto out;
	}
	*out = fdt;
	*size = fdt_totalsize(fdt);
	fdt = NULL;
	ret = 0;
out:
	free(devs);
	free(present);
	free(host);
	free(fdt);
	return ret;
}
