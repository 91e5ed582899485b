// SPDX-License-Identifier: GPL-2.0
/*
 * PCI devices of this machine, from sysfs, as devices of a baseline: the
 * function, its SR-IOV VFs, and for an NVMe controller its namespaces,
 * those the host has mounted or swaps on kept for the host.
 */

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kerf.h"

#define PCI_SYSFS	"/sys/bus/pci/devices"

static unsigned long probe_hex(const char *dir, const char *file)
{
	char path[PATH_MAX + 32], buf[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return strtoul(buf, NULL, 0);
}

/* The PCI function behind @dev: an address, a network interface or NVMe. */
static int probe_bdf(const char *dev, char *bdf, size_t size)
{
	static const char * const classes[] = { "net", "nvme" };
	char path[PATH_MAX], real[PATH_MAX];
	const char *base;
	size_t i;

	snprintf(path, sizeof(path), PCI_SYSFS "/%s", dev);
	if (!access(path, F_OK)) {
		snprintf(bdf, size, "%s", dev);
		return 0;
	}
	snprintf(path, sizeof(path), PCI_SYSFS "/0000:%s", dev);
	if (!access(path, F_OK)) {
		snprintf(bdf, size, "0000:%s", dev);
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(classes); i++) {
		snprintf(path, sizeof(path), "/sys/class/%s/%s/device", classes[i], dev);
		if (!realpath(path, real))
			continue;
		base = strrchr(real, '/') + 1;
		snprintf(path, sizeof(path), PCI_SYSFS "/%s", base);
		if (access(path, F_OK))
			continue;	/* not a PCI function */
		snprintf(bdf, size, "%s", base);
		return 0;
	}
	return -ENODEV;
}

static bool probe_label_ok(const char *s)
{
	if (!*s || strlen(s) > MK_NAME_MAX || !(isalpha((unsigned char)*s) || *s == '_'))
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

/* Does @file (/proc/mounts, /proc/swaps) use a block device of @disk? */
static bool probe_in_use(const char *file, const char *disk)
{
	char line[512], dev[300];
	size_t n = snprintf(dev, sizeof(dev), "/dev/%s", disk);
	bool hit = false;
	FILE *f = fopen(file, "r");

	while (f && !hit && fgets(line, sizeof(line), f))
		hit = !strncmp(line, dev, n) &&
		      (line[n] == ' ' || line[n] == '\t' || line[n] == 'p');
	if (f)
		fclose(f);
	return hit;
}

/* NVMe namespaces: nvmeXnY below the controller's nvme/nvmeX directory. */
static void probe_namespaces(const char *dir, struct kerf_pci *d)
{
	char path[PATH_MAX + 300], ns[300];
	struct dirent *ctl, *de;
	unsigned int c, id;
	DIR *cd, *nd;

	snprintf(path, sizeof(path), "%s/nvme", dir);
	cd = opendir(path);
	while (cd && (ctl = readdir(cd))) {
		if (sscanf(ctl->d_name, "nvme%u", &c) != 1)
			continue;
		snprintf(path, sizeof(path), "%s/nvme/%s", dir, ctl->d_name);
		nd = opendir(path);
		while (nd && (de = readdir(nd))) {
			snprintf(ns, sizeof(ns), "nvme%un%%u", c);
			if (sscanf(de->d_name, ns, &id) != 1 || !id ||
			    id > MK_MAX_PARTS)
				continue;
			d->nss = id > d->nss ? id : d->nss;
			__set_bit(id, d->ns_present.bits);
			if (probe_in_use("/proc/mounts", de->d_name) ||
			    probe_in_use("/proc/swaps", de->d_name))
				__set_bit(id, d->ns_host.bits);
		}
		if (nd)
			closedir(nd);
	}
	if (cd)
		closedir(cd);
}

/**
 * kerf_probe_pci - look up one device of this machine
 * @spec: [LABEL=]DEV, DEV being a PCI address (0000:01:00.0 or 01:00.0),
 *	  a network interface or an NVMe controller
 * @d: filled in
 *
 * The label defaults to DEV when DEV is a valid label, else to pci_ and the
 * address. A function with SR-IOV VFs is divided by VFs, else an NVMe
 * controller by namespaces; other devices are assigned whole.
 *
 * Return: 0, or a negative errno with the reason on stderr: -EINVAL when
 * what the user gave is wrong.
 */
int kerf_probe_pci(const char *spec, struct kerf_pci *d)
{
	const char *eq = strchr(spec, '='), *dev = eq ? eq + 1 : spec;
	char dir[PATH_MAX];
	size_t i;

	memset(d, 0, sizeof(*d));
	if (eq) {
		snprintf(d->label, sizeof(d->label), "%.*s", (int)(eq - spec), spec);
		if (eq - spec > MK_NAME_MAX || !probe_label_ok(d->label)) {
			kerf_err("--devices: '%.*s' is not a label: letters, digits and _",
				 (int)(eq - spec), spec);
			return -EINVAL;
		}
	}
	if (!*dev || probe_bdf(dev, d->bdf, sizeof(d->bdf))) {
		kerf_err("--devices: '%s' is no PCI device, network interface or NVMe controller here",
			 dev);
		return -ENODEV;
	}
	if (!eq && probe_label_ok(dev)) {
		snprintf(d->label, sizeof(d->label), "%s", dev);
	} else if (!eq) {
		snprintf(d->label, sizeof(d->label), "pci_%.*s",
			 (int)sizeof(d->label) - 5, d->bdf);
		for (i = 4; d->label[i]; i++)
			if (!isalnum((unsigned char)d->label[i]))
				d->label[i] = '_';
	}
	snprintf(dir, sizeof(dir), PCI_SYSFS "/%s", d->bdf);
	d->vendor = probe_hex(dir, "vendor");
	d->device = probe_hex(dir, "device");
	d->class = probe_hex(dir, "class");
	d->vfs = probe_hex(dir, "sriov_totalvfs");
	if (d->vfs > MK_MAX_PARTS)
		d->vfs = MK_MAX_PARTS;
	if (!d->vfs)
		probe_namespaces(dir, d);
	kerf_info("%s: %s, %04x:%04x class %06x, %u VFs, %u namespaces", d->label,
		  d->bdf, d->vendor, d->device, d->class, d->vfs, d->nss);
	return 0;
}

/* The device's node name: its class, as the samples name them, @index. */
void kerf_pci_node(const struct kerf_pci *d, int index, char *buf, size_t size)
{
	static const char * const names[] = {
		[0x01] = "storage", [0x02] = "ethernet", [0x03] = "display",
	};
	u32 class = d->class >> 16;

	snprintf(buf, size, "%s@%d", class < ARRAY_SIZE(names) && names[class] ?
		 names[class] : "device", index);
}

/**
 * kerf_fdt_pci - write a probed device as a node of /resources/devices
 * @fdt: a tree in sequential-write mode, inside the devices node
 * @d: the device
 * @index: its unit address, and its phandle less one
 *
 * Return: 0 or a libfdt error.
 */
int kerf_fdt_pci(void *fdt, const struct kerf_pci *d, int index)
{
	struct mk_parts avail = {};
	char name[48], compat[32];
	u32 i;
	int ret;

	kerf_pci_node(d, index, name, sizeof(name));
	snprintf(compat, sizeof(compat), "pci%04x,%04x", d->vendor, d->device);
	ret = fdt_begin_node(fdt, name) ||
	      fdt_property_string(fdt, "compatible", compat) ||
	      fdt_property_string(fdt, "pci-id", d->bdf) ||
	      fdt_property_u32(fdt, "phandle", index + 1);
	if (!ret && d->vfs) {
		for (i = 0; i < d->vfs; i++)
			__set_bit(i, avail.bits);
		ret = fdt_property_u32(fdt, "sriov-vfs", d->vfs) ||
		      kerf_fdt_bits(fdt, "available-vfs", avail.bits, MK_MAX_PARTS + 1);
	} else if (!ret && d->nss) {
		bitmap_andnot(avail.bits, d->ns_present.bits, d->ns_host.bits,
			      MK_MAX_PARTS + 1);
		ret = fdt_property_u32(fdt, "namespaces", d->nss) ||
		      kerf_fdt_bits(fdt, "available-ns", avail.bits, MK_MAX_PARTS + 1);
		if (!ret && bitmap_weight(d->ns_host.bits, MK_MAX_PARTS + 1))
			ret = kerf_fdt_bits(fdt, "host-reserved-ns", d->ns_host.bits,
					    MK_MAX_PARTS + 1);
	}
	return ret || fdt_end_node(fdt);
}
