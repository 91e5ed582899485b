// SPDX-License-Identifier: GPL-2.0
/*
 * multikernel_pool=SIZE@BASE sets memory aside at boot for kernel
 * instances, as crashkernel= does for a crash kernel: the range is taken
 * out of memblock before the host kernel can allocate from it, and shows in
 * /proc/iomem as "Multikernel pool". A baseline's memory pool must lie
 * inside it, so the host never hands out memory it is using itself.
 *
 * What an earlier kernel left in the pool is nobody's to read: the pool
 * is zeroed once at boot, in the background, before its first lend, and
 * whatever an instance had is zeroed when it stops. Zeroing goes a chunk
 * at a time and reschedules in between, so that a large pool or instance
 * does not hold a CPU for long.
 */

#include <linux/completion.h>
#include <linux/init.h>
#include <linux/ioport.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/memblock.h>
#include <linux/minmax.h>
#include <linux/multikernel_boot.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/workqueue.h>

#include "machine.h"

static struct resource mk_pool_res = {
	.name	= "Multikernel pool",
	.flags	= IORESOURCE_MEM | IORESOURCE_BUSY,
};

static bool mk_pool_reserved __ro_after_init;
static DECLARE_COMPLETION(mk_pool_clean);

/* How long the boot-time zeroing may take before an exec gives up on it. */
#define MK_POOL_CLEAN_WAIT_MS	120000
#define MK_SCRUB_CHUNK		SZ_2M

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

/**
 * mk_pool_scrub - zero memory, a chunk at a time
 * @mem: where it is mapped
 * @bytes: how much
 *
 * Context: process context; reschedules between chunks.
 */
void mk_pool_scrub(void *mem, u64 bytes)
{
	u64 off, n;

	for (off = 0; off < bytes; off += n) {
		n = min_t(u64, bytes - off, MK_SCRUB_CHUNK);
		memset(mem + off, 0, n);
		cond_resched();
	}
}

/* The pool is RAM the host never uses: its direct map is ours to write. */
static void mk_pool_clean_fn(struct work_struct *work)
{
	u64 size = resource_size(&mk_pool_res), t0 = ktime_get_ns();

	mk_pool_scrub(__va(mk_pool_res.start), size);
	pr_info("multikernel: pool zeroed, %llu MiB in %llu ms\n", size >> 20,
		(ktime_get_ns() - t0) / NSEC_PER_MSEC);
	complete_all(&mk_pool_clean);
}

static DECLARE_WORK(mk_pool_clean_work, mk_pool_clean_fn);

/**
 * mk_pool_wait_clean - wait for the boot-time zeroing of the pool
 *
 * Context: process context; sleeps, MK_POOL_CLEAN_WAIT_MS at most.
 * Return: 0 once the pool is zeroed, -ETIMEDOUT if that takes too long.
 */
int mk_pool_wait_clean(void)
{
	if (!mk_pool_reserved)
		return 0;
	if (!wait_for_completion_timeout(&mk_pool_clean,
					 msecs_to_jiffies(MK_POOL_CLEAN_WAIT_MS)))
		return -ETIMEDOUT;
	return 0;
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
	queue_work(system_unbound_wq, &mk_pool_clean_work);
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
