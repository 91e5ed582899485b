// SPDX-License-Identifier: GPL-2.0
/*
 * For tests: how much of a range of pool memory is not zero. A stopped
 * instance's memory must read back as zero before any other instance can
 * have it, and only the kernel can read pool memory to show that it does.
 *
 *   echo "BASE BYTES" > /sys/kernel/debug/multikernel/pool_nonzero
 *   cat /sys/kernel/debug/multikernel/pool_nonzero     # nonzero bytes
 *
 * The range must lie in the pool and outside every instance whose kernel
 * runs (EINVAL, EBUSY).
 */

#include <linux/debugfs.h>
#include <linux/init.h>
#include <linux/mm.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "machine.h"
#include "spawn.h"

static u64 mk_nonzero;
static DEFINE_MUTEX(mk_nonzero_lock);

static u64 mk_count_nonzero(const u8 *p, u64 bytes)
{
	const u8 *end = p + bytes, *at;
	u64 n = 0;

	while (p < end) {
		at = memchr_inv(p, 0, end - p);
		if (!at)
			break;
		n++;
		p = at + 1;
		cond_resched();
	}
	return n;
}

static ssize_t mk_nonzero_write(struct file *file, const char __user *ubuf,
				size_t len, loff_t *ppos)
{
	u64 base, bytes, pool, pool_bytes;
	char buf[64];

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (sscanf(buf, "%llx %llx", &base, &bytes) != 2 || !bytes)
		return -EINVAL;
	if (!mk_pool_mem_range(&pool, &pool_bytes) || base < pool ||
	    bytes > pool_bytes || base - pool > pool_bytes - bytes)
		return -EINVAL;
	if (mk_spawn_range_busy(base, bytes))
		return -EBUSY;
	mutex_lock(&mk_nonzero_lock);
	mk_nonzero = mk_count_nonzero(__va(base), bytes);
	mutex_unlock(&mk_nonzero_lock);
	return len;
}

static ssize_t mk_nonzero_read(struct file *file, char __user *ubuf,
			       size_t len, loff_t *ppos)
{
	char buf[32];
	int n;

	mutex_lock(&mk_nonzero_lock);
	n = scnprintf(buf, sizeof(buf), "%llu\n", mk_nonzero);
	mutex_unlock(&mk_nonzero_lock);
	return simple_read_from_buffer(ubuf, len, ppos, buf, n);
}

static const struct file_operations mk_nonzero_fops = {
	.write	= mk_nonzero_write,
	.read	= mk_nonzero_read,
	.llseek	= default_llseek,
};

static int __init mk_spawn_debugfs(void)
{
	struct dentry *dir = debugfs_lookup("multikernel", NULL);

	if (!dir)
		dir = debugfs_create_dir("multikernel", NULL);
	debugfs_create_file("pool_nonzero", 0600, dir, NULL, &mk_nonzero_fops);
	dput(dir);
	return 0;
}
late_initcall(mk_spawn_debugfs);
