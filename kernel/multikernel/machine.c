// SPDX-License-Identifier: GPL-2.0
/*
 * Machine reality: what only the running kernel can check about a
 * baseline. Every pool CPU must be a present CPU and not the boot CPU, and
 * the memory pool must lie inside the memory reserved at boot with
 * multikernel_pool=.
 */

#include <linux/cpumask.h>
#include <linux/slab.h>
#include <linux/smp.h>

#include "machine.h"
#include "model.h"

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
	u32 cpu, errors = rep->errors;
	struct mk_cpus *absent;
	char list[128];

	/* One finding for all the missing CPUs, not one each. */
	absent = kzalloc(sizeof(*absent), GFP_KERNEL);
	if (!absent)
		return -ENOMEM;
	mk_for_each_bit(cpu, p->available.bits, MK_MAX_CPUS) {
		if (cpu >= nr_cpu_ids || !cpu_present(cpu))
			mk_bit_set(absent->bits, cpu);
		else if (cpu == get_boot_cpu_id())
			mk_report_add(rep, MK_ERROR, -EINVAL, "machine-cpus",
				      "baseline: CPU %u is the boot CPU; keep it for the host",
				      cpu);
	}
	if (mk_bits_weight(absent->bits, MK_MAX_CPUS)) {
		mk_bits_format(list, sizeof(list), absent->bits, MK_MAX_CPUS);
		mk_report_add(rep, MK_ERROR, -EINVAL, "machine-cpus",
			      "baseline: pool CPUs %s are not present (present: %*pbl)",
			      list, cpumask_pr_args(cpu_present_mask));
	}
	kfree(absent);

	if (!mk_pool_mem_range(&base, &size)) {
		mk_report_add(rep, MK_ERROR, -EINVAL, "machine-memory",
			      "baseline: no memory is reserved; boot with multikernel_pool=SIZE@BASE");
		return -EINVAL;
	}
	if (check_add_overflow(p->pool_base, p->pool_bytes, &pool_end) ||
	    p->pool_base < base || pool_end > base + size)
		mk_report_add(rep, MK_ERROR, -EINVAL, "machine-memory",
			      "baseline: memory pool %#llx+%#llx is not inside the reserved %#llx+%#llx",
			      p->pool_base, p->pool_bytes, base, size);
	return rep->errors > errors ? -EINVAL : 0;
}
