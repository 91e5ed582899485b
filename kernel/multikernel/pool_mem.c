// SPDX-License-Identifier: GPL-2.0
/*
 * multikernel_pool=SIZE@BASE sets memory aside at boot for kernel
 * instances, as crashkernel= does for a crash kernel: the range is taken
 * out of memblock before the host kernel can allocate from it, and shows in
 * /proc/iomem as "Multikernel pool". A baseline's memory pool must lie
 * inside it, so the host never hands out memory it is using itself.
 */

#include <linux/init.h>
#include <linux/ioport.h>
#include <linux/kernel.h>
#include <linux/memblock.h>
#include <linux/multikernel_boot.h>
#include <linux/printk.h>

#include "machine.h"

static struct resource mk_pool_res = {
	.name	= "Multikernel pool",
	.flags	= IORESOURCE_MEM | IORESOURCE_BUSY,
};

static bool mk_pool_reserved __ro_after_init;

static int __init mk_pool_param(char *arg)
{
	phys_addr_t base, size, end;
	char *p = arg;

	if (!arg)
		return -EINVAL;
	size = memparse(p, &p);
	if (*p != '@' || !size) {
		pr_err("multikernel_pool=%s: want SIZE@BASE\n", arg);
		return -EINVAL;
	}
	base = memparse(p + 1, &p);
	if (*p || !PAGE_ALIGNED(base) || !PAGE_ALIGNED(size) ||
	    check_add_overflow(base, size, &end)) {
		pr_err("multikernel_pool=%s: want page-aligned SIZE@BASE\n", arg);
		return -EINVAL;
	}
	/* The kernel image, initrd and firmware data are reserved by now. */
	if (memblock_is_region_reserved(base, size)) {
		pr_err("multikernel_pool=%s: overlaps memory the kernel uses\n", arg);
		return -EBUSY;
	}
	if (memblock_reserve(base, size))
		return -ENOMEM;
	mk_pool_res.start = base;
	mk_pool_res.end = end - 1;
	mk_pool_reserved = true;
	arch_mk_pool_reserve();
	return 0;
}
early_param("multikernel_pool", mk_pool_param);

/*
 * Whether RAM covers [@base, @end) without a hole. memblock splits memory
 * at NUMA node boundaries, so a pool across two nodes spans two regions
 * and memblock_is_region_memory() would call it not RAM.
 */
static bool __init mk_pool_is_ram(phys_addr_t base, phys_addr_t end)
{
	phys_addr_t start, stop;
	u64 i;

	for_each_mem_range(i, &start, &stop) {
		if (start > base)
			break;
		base = max(base, stop);
		if (base >= end)
			return true;
	}
	return false;
}

static int __init mk_pool_publish(void)
{
	phys_addr_t size = resource_size(&mk_pool_res);

	if (!mk_pool_reserved)
		return 0;
	if (!mk_pool_is_ram(mk_pool_res.start, mk_pool_res.end + 1)) {
		pr_err("multikernel: pool %pR is not RAM; not using it\n",
		       &mk_pool_res);
		mk_pool_reserved = false;
		return 0;
	}
	if (insert_resource(&iomem_resource, &mk_pool_res))
		pr_warn("multikernel: cannot show %pR in /proc/iomem\n",
			&mk_pool_res);
	pr_info("multikernel: %pa bytes reserved at %pR\n", &size, &mk_pool_res);
	return 0;
}

/* memblock is still there for initcalls; it is freed after them. */
subsys_initcall(mk_pool_publish);

/**
 * mk_pool_mem_range - the memory reserved with multikernel_pool=
 * @base: its start
 * @size: its size
 *
 * Return: false if nothing was reserved.
 */
bool mk_pool_mem_range(u64 *base, u64 *size)
{
	if (!mk_pool_reserved)
		return false;
	*base = mk_pool_res.start;
	*size = resource_size(&mk_pool_res);
	return true;
}
