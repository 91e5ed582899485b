// SPDX-License-Identifier: GPL-2.0
/*
 * How the multikernel filesystem prints the state: the text of summary,
 * an instance's files and a transaction's placement. These lines are ABI
 * (Documentation/ABI/testing/sysfs-fs-multikernel). The caller holds the
 * lock that keeps the state still.
 */

#include <linux/seq_file.h>
#include <linux/slab.h>

#include "fs.h"

/**
 * mk_render_devices - print an instance's devices as "LABEL[:vfN|:nsN]"
 * @sf: where to print
 * @st: the state @in belongs to
 * @in: the instance
 * @sep: what goes between two devices
 */
void mk_render_devices(struct seq_file *sf, const struct mk_state *st,
		       const struct mk_instance *in, const char *sep)
{
	u32 i;

	for (i = 0; i < in->ndevs; i++) {
		const struct mk_device *d = &st->pool.devices[in->devs[i].dev];

		seq_printf(sf, "%s%s", i ? sep : "", d->label ? d->label : d->name);
		if (in->devs[i].part >= 0)
			seq_printf(sf, ":%s%d",
				   d->part_kind == MK_PARTS_NAMESPACE ? "ns" : "vf",
				   in->devs[i].part);
	}
}

/**
 * mk_render_cpus - print a CPU list, as "2-5,8", whole however long
 * @sf: where to print
 * @bits: the CPUs, MK_MAX_CPUS bits
 */
void mk_render_cpus(struct seq_file *sf, const unsigned long *bits)
{
	char buf[256];

	if (mk_bits_format(buf, sizeof(buf), bits, MK_MAX_CPUS) >= sizeof(buf)) {
		/* Long lists are printed whole, never cut. */
		u32 cpu, n = 0;

		for_each_set_bit(cpu, bits, MK_MAX_CPUS)
			seq_printf(sf, "%s%u", n++ ? "," : "", cpu);
		return;
	}
	seq_puts(sf, buf);
}

/**
 * mk_render_placement - what a transaction decided, and which policy did
 * @sf: where to print
 * @dec: the transaction's decisions
 */
void mk_render_placement(struct seq_file *sf, const struct mk_decisions *dec)
{
	const struct mk_decision *d;
	u32 i;

	for (i = 0; i < dec->n; i++) {
		d = &dec->d[i];
		if (d->what & MK_DECIDED_ID)
			seq_printf(sf, "%s id %u\n", d->name, d->id);
		if (d->what & MK_DECIDED_CPUS) {
			seq_printf(sf, "%s cpus ", d->name);
			mk_render_cpus(sf, d->cpus.bits);
			seq_printf(sf, " by %s\n", d->cpu_policy);
		}
		if (d->what & MK_DECIDED_MEM_BASE)
			seq_printf(sf, "%s memory-base %#llx by %s\n", d->name,
				   d->mem_base, d->mem_policy);
	}
}

/* The free ranges of the memory pool, or " none". */
static void mk_render_free_memory(struct seq_file *sf, const struct mk_state *st)
{
	struct mk_span *gaps = NULL;
	int i, n;

	n = mk_free_memory(st, NULL, 0);
	gaps = n > 0 ? kcalloc(n, sizeof(*gaps), GFP_KERNEL) : NULL;
	if (gaps)
		n = mk_free_memory(st, gaps, n);
	for (i = 0; gaps && i < n; i++)
		seq_printf(sf, " %#llx-%#llx", gaps[i].start, gaps[i].end);
	if (n <= 0)
		seq_puts(sf, " none");
	kfree(gaps);
}

static void mk_render_instance_line(struct seq_file *sf,
				    const struct mk_state *st,
				    const struct mk_instance *in)
{
	seq_printf(sf, "instance %s: id %u cpus ", in->name, in->id);
	mk_render_cpus(sf, in->cpus.bits);
	seq_printf(sf, " memory %#llx+%#llx devices ", in->mem_base,
		   in->mem_bytes);
	if (!in->ndevs)
		seq_puts(sf, "none");
	mk_render_devices(sf, st, in, ",");
	seq_putc(sf, '\n');
}

/**
 * mk_render_summary - the text of the summary file
 * @sf: where to print
 * @st: the effective state
 * @ntxs: how many transactions are applied
 */
void mk_render_summary(struct seq_file *sf, const struct mk_state *st,
		       u32 ntxs)
{
	const struct mk_pool *p = &st->pool;
	struct mk_cpus *cpus;
	u32 i;

	cpus = kzalloc(sizeof(*cpus), GFP_KERNEL);
	if (!cpus)
		return;
	seq_puts(sf, "pool cpus: ");
	mk_render_cpus(sf, p->available.bits);
	mk_free_cpus(st, NULL, cpus);
	seq_puts(sf, "\nfree cpus: ");
	mk_render_cpus(sf, cpus->bits);
	kfree(cpus);
	seq_printf(sf, "\npool memory: %#llx-%#llx\nfree memory:",
		   p->pool_base, p->pool_base + p->pool_bytes);
	mk_render_free_memory(sf, st);
	seq_puts(sf, "\ndevices:");
	for (i = 0; i < p->ndevices; i++)
		seq_printf(sf, " %s", p->devices[i].label ? p->devices[i].label :
							   p->devices[i].name);
	seq_printf(sf, "\ninstances: %u\n", st->ninstances);
	for (i = 0; i < st->ninstances; i++)
		mk_render_instance_line(sf, st, &st->instances[i]);
	seq_printf(sf, "transactions: %u\n", ntxs);
}
