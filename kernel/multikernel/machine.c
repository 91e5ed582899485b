// SPDX-License-Identifier: GPL-2.0
/*
 * Machine reality: what only the running kernel can check about a
 * baseline. Every pool CPU must be a present CPU and not the boot CPU, the
 * memory pool must lie inside the memory reserved at boot with
 * multikernel_pool=, a device that names its PCI function must exist
 * here, with at least as many SR-IOV VFs as it claims, and a present CPU
 * must be on the NUMA node the baseline puts it on.
 */

#include <linux/cpumask.h>
#include <linux/hex.h>
#include <linux/libfdt.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/topology.h>

#include "machine.h"
#include "model/model.h"

/*
 * "DDDD:BB:SS.F", as pci_name() writes it; sscanf() would also take "0x"
 * prefixes and short fields.
 */
static bool mk_parse_pci_id(const char *s, int len, unsigned int *domain,
			    unsigned int *bus, unsigned int *devfn)
{
	static const char shape[] = "xxxx:xx:xx.x";
	unsigned int v[4] = {}, i, k = 0;

	if (len != sizeof(shape) || s[len - 1])
		return false;
	for (i = 0; i < sizeof(shape) - 1; i++) {
		if (shape[i] != 'x') {
			if (s[i] != shape[i])
				return false;
			k++;
			continue;
		}
		if (hex_to_bin(s[i]) < 0)
			return false;
		v[k] = v[k] << 4 | hex_to_bin(s[i]);
	}
	if (v[2] > 0x1f || v[3] > 7)
		return false;
	*domain = v[0];
	*bus = v[1];
	*devfn = PCI_DEVFN(v[2], v[3]);
	return true;
}

/* A device without pci-id is a description only and is not checked. */
static void mk_check_device(const struct mk_state *st, const struct mk_device *d,
			    struct mk_report *rep)
{
	const char *name = d->label ? d->label : d->name;
	unsigned int domain, bus, devfn;
	struct pci_dev *pdev;
	const char *id;
	int len, vfs;

	id = fdt_getprop(st->fdt, d->offset, "pci-id", &len);
	if (!id)
		return;
	if (!mk_parse_pci_id(id, len, &domain, &bus, &devfn)) {
		mk_report_add(rep, MK_RULE_MACHINE_DEVICES,
			      "%s: pci-id must be a string such as \"0000:01:00.0\"",
			      name);
		return;
	}
	pdev = pci_get_domain_bus_and_slot(domain, bus, devfn);
	if (!pdev) {
		mk_report_add(rep, MK_RULE_MACHINE_DEVICES,
			      "%s: no PCI device %s on this machine", name, id);
		return;
	}
	vfs = pci_sriov_get_totalvfs(pdev);
	if (d->part_kind == MK_PARTS_VF && d->nparts > vfs)
		mk_report_add(rep, MK_RULE_MACHINE_DEVICES,
			      "%s: sriov-vfs is %u but %s supports %d VFs",
			      name, d->nparts, pci_name(pdev), vfs);
	pci_dev_put(pdev);
}

/*
 * The placement policies trust the NUMA description, so a present CPU must
 * be on the node the baseline says. A kernel without NUMA cannot tell.
 */
static void mk_check_machine_numa(const struct mk_pool *p,
				  struct mk_report *rep)
{
	u32 i, cpu;
	int here;

	if (!IS_ENABLED(CONFIG_NUMA))
		return;
	for (i = 0; i < p->nnuma; i++) {
		for_each_set_bit(cpu, p->numa[i].cpus.bits, MK_MAX_CPUS) {
			if (cpu >= nr_cpu_ids || !cpu_present(cpu))
				continue;
			here = cpu_to_node(cpu);
			if (here == p->numa[i].id)
				continue;
			mk_report_add(rep, MK_RULE_MACHINE_NUMA,
				      "baseline: node %u lists CPU %u, which is on node %d here",
				      p->numa[i].id, cpu, here);
			break;	/* one finding a node */
		}
	}
}

/**
 * mk_check_machine - check a baseline against this machine
 * @st: the parsed baseline
 * @rep: where findings go
 *
 * Return: 0, or -EINVAL with findings in @rep.
 */
int mk_check_machine(const struct mk_state *st, struct mk_report *rep)
{
	const struct mk_pool *p = &st->pool;
	u64 base, size, pool_end;
	u32 cpu, i, errors = rep->errors;
	struct mk_cpus *absent;
	char list[128];

	/* One finding for all the missing CPUs, not one each. */
	absent = kzalloc(sizeof(*absent), GFP_KERNEL);
	if (!absent)
		return -ENOMEM;
	for_each_set_bit(cpu, p->available.bits, MK_MAX_CPUS) {
		if (cpu >= nr_cpu_ids || !cpu_present(cpu))
			__set_bit(cpu, absent->bits);
		else if (cpu == get_boot_cpu_id())
			mk_report_add(rep, MK_RULE_MACHINE_CPUS,
				      "baseline: CPU %u is the boot CPU; keep it for the host",
				      cpu);
	}
	if (bitmap_weight(absent->bits, MK_MAX_CPUS)) {
		mk_bits_format(list, sizeof(list), absent->bits, MK_MAX_CPUS);
		mk_report_add(rep, MK_RULE_MACHINE_CPUS,
			      "baseline: pool CPUs %s are not present (present: %*pbl)",
			      list, cpumask_pr_args(cpu_present_mask));
	}
	kfree(absent);

	for (i = 0; i < p->ndevices; i++)
		mk_check_device(st, &p->devices[i], rep);
	mk_check_machine_numa(p, rep);

	if (!mk_pool_mem_range(&base, &size)) {
		mk_report_add(rep, MK_RULE_MACHINE_MEMORY,
			      "baseline: no memory is reserved; boot with multikernel_pool=SIZE@BASE");
		return -EINVAL;
	}
	if (check_add_overflow(p->pool_base, p->pool_bytes, &pool_end) ||
	    p->pool_base < base || pool_end > base + size)
		mk_report_add(rep, MK_RULE_MACHINE_MEMORY,
			      "baseline: memory pool %#llx+%#llx is not inside the reserved %#llx+%#llx",
			      p->pool_base, p->pool_bytes, base, size);
	return rep->errors > errors ? -EINVAL : 0;
}
