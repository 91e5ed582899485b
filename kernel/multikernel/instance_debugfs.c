// SPDX-License-Identifier: GPL-2.0
/*
 * For tests, what only the kernel can do; built with
 * CONFIG_MULTIKERNEL_TEST_HOOKS only:
 *
 * How much of a range of pool memory is not zero. A stopped instance's
 * memory must read back as zero before any other instance can have it.
 * The range must lie in the pool and outside every instance whose kernel
 * runs (EINVAL, EBUSY).
 *
 *   echo "BASE BYTES" > /sys/kernel/debug/multikernel/pool_nonzero
 *   cat /sys/kernel/debug/multikernel/pool_nonzero     # nonzero bytes
 *
 * The pages of a range of pool memory that the host's direct map has,
 * found by reads that may fault; lent memory must have none but its
 * control area's:
 *
 *   echo "BASE BYTES" > /sys/kernel/debug/multikernel/pool_mapped
 *   cat /sys/kernel/debug/multikernel/pool_mapped      # present pages
 *
 * A KMP echo to a running instance, over its channel:
 *
 *   echo "NAME TEXT" > /sys/kernel/debug/multikernel/kmp_echo
 *   cat /sys/kernel/debug/multikernel/kmp_echo   # "NAME: N bytes back in U us"
 *
 * A CPU that does not stop when its instance is stopped, as one in VMX
 * root operation would ignore INIT: the host sends it nothing, so it goes
 * on running the instance's kernel, and the host must quarantine it. -1
 * (the default) lets every CPU stop again.
 *
 *   echo CPU > /sys/kernel/debug/multikernel/stop_ignored_cpu
 *
 * A CPU whose TSC is taken to disagree with the host's when it stops, as
 * if the instance had written it: the CPU must stay offline. -1 (the
 * default) trusts every CPU's TSC again; the CPU stays out until a reboot.
 *
 *   echo CPU > /sys/kernel/debug/multikernel/tsc_off_cpu
 */

#include <linux/debugfs.h>
#include <linux/init.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "machine.h"
#include "instance.h"

static u64 mk_nonzero, mk_mapped;
/* Guards the results the files keep for their readers. */
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

/* "BASE BYTES" in hex, a range of the pool. */
static int mk_pool_arg(const char __user *ubuf, size_t len, u64 *base,
		       u64 *bytes)
{
	u64 pool, pool_bytes;
	char buf[64];

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (sscanf(buf, "%llx %llx", base, bytes) != 2 || !*bytes)
		return -EINVAL;
	if (!mk_pool_mem_range(&pool, &pool_bytes) || *base < pool ||
	    *bytes > pool_bytes || *base - pool > pool_bytes - *bytes)
		return -EINVAL;
	return 0;
}

static ssize_t mk_nonzero_write(struct file *file, const char __user *ubuf,
				size_t len, loff_t *ppos)
{
	u64 base, bytes;
	int err = mk_pool_arg(ubuf, len, &base, &bytes);

	if (err)
		return err;
	if (mk_inst_range_busy(base, bytes))
		return -EBUSY;
	mutex_lock(&mk_nonzero_lock);
	mk_nonzero = mk_count_nonzero(__va(base), bytes);
	mutex_unlock(&mk_nonzero_lock);
	return len;
}

/* What the last write to pool_nonzero or pool_mapped found. */
static ssize_t mk_result_read(struct file *file, char __user *ubuf,
			      size_t len, loff_t *ppos)
{
	const u64 *result = file->private_data;
	char buf[32];
	int n;

	mutex_lock(&mk_nonzero_lock);
	n = scnprintf(buf, sizeof(buf), "%llu\n", *result);
	mutex_unlock(&mk_nonzero_lock);
	return simple_read_from_buffer(ubuf, len, ppos, buf, n);
}

static const struct file_operations mk_nonzero_fops = {
	.open	= simple_open,
	.write	= mk_nonzero_write,
	.read	= mk_result_read,
	.llseek	= default_llseek,
};

/* Pages of the range the host's direct map has: a read that may fault. */
static u64 mk_count_mapped(u64 base, u64 bytes)
{
	u64 off, n = 0;
	u8 b;

	for (off = 0; off < bytes; off += PAGE_SIZE) {
		if (!copy_from_kernel_nofault(&b, __va(base + off), 1))
			n++;
		if (!(off & (SZ_2M - 1)))
			cond_resched();
	}
	return n;
}

static ssize_t mk_mapped_write(struct file *file, const char __user *ubuf,
			       size_t len, loff_t *ppos)
{
	u64 base, bytes;
	int err = mk_pool_arg(ubuf, len, &base, &bytes);

	if (err)
		return err;
	mutex_lock(&mk_nonzero_lock);
	mk_mapped = mk_count_mapped(base, bytes);
	mutex_unlock(&mk_nonzero_lock);
	return len;
}

static const struct file_operations mk_mapped_fops = {
	.open	= simple_open,
	.write	= mk_mapped_write,
	.read	= mk_result_read,
	.llseek	= default_llseek,
};

static char mk_echo_result[96];

static ssize_t mk_echo_write(struct file *file, const char __user *ubuf,
			     size_t len, loff_t *ppos)
{
	char buf[MK_NAME_MAX + 256], *text;
	struct mk_inst *inst;
	u64 ns;
	int err = -ESRCH;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	strim(buf);
	text = strchr(buf, ' ');
	if (!text || text == buf)
		return -EINVAL;
	*text++ = '\0';
	inst = mk_inst_get(buf);
	if (inst)
		err = mk_inst_echo(inst, text, strlen(text), &ns);
	mk_inst_put(inst);
	mutex_lock(&mk_nonzero_lock);
	if (err)
		snprintf(mk_echo_result, sizeof(mk_echo_result),
			 "%s: error %d\n", buf, err);
	else
		snprintf(mk_echo_result, sizeof(mk_echo_result),
			 "%s: %zu bytes back in %llu us\n", buf, strlen(text),
			 div_u64(ns, NSEC_PER_USEC));
	mutex_unlock(&mk_nonzero_lock);
	return err ? err : len;
}

static ssize_t mk_echo_read(struct file *file, char __user *ubuf, size_t len,
			    loff_t *ppos)
{
	char buf[sizeof(mk_echo_result)];

	mutex_lock(&mk_nonzero_lock);
	strscpy(buf, mk_echo_result, sizeof(buf));
	mutex_unlock(&mk_nonzero_lock);
	return simple_read_from_buffer(ubuf, len, ppos, buf, strlen(buf));
}

static const struct file_operations mk_echo_fops = {
	.write	= mk_echo_write,
	.read	= mk_echo_read,
	.llseek	= default_llseek,
};

/* The CPU each knob names, or -1; the file's data points to it. */
static int mk_stop_ignored = -1;
static int mk_tsc_off = -1;

static int mk_cpu_knob_get(void *data, u64 *val)
{
	*val = (u64)(s64)READ_ONCE(*(int *)data);
	return 0;
}

static int mk_cpu_knob_set(void *data, u64 val)
{
	s64 cpu = (s64)val;

	if (cpu < -1 || cpu >= nr_cpu_ids)
		return -EINVAL;
	WRITE_ONCE(*(int *)data, cpu);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE_SIGNED(mk_cpu_knob_fops, mk_cpu_knob_get,
				mk_cpu_knob_set, "%lld\n");

/**
 * mk_test_stop_ignored - whether a test makes this CPU ignore its stop
 * @cpu: a host CPU number
 */
bool mk_test_stop_ignored(unsigned int cpu)
{
	return READ_ONCE(mk_stop_ignored) == (int)cpu;
}

/**
 * mk_test_tsc_off - whether a test makes this CPU's TSC disagree
 * @cpu: a host CPU number
 */
bool mk_test_tsc_off(unsigned int cpu)
{
	return READ_ONCE(mk_tsc_off) == (int)cpu;
}

static int __init mk_inst_debugfs(void)
{
	struct dentry *dir = debugfs_lookup("multikernel", NULL);

	if (!dir)
		dir = debugfs_create_dir("multikernel", NULL);
	debugfs_create_file("pool_nonzero", 0600, dir, &mk_nonzero, &mk_nonzero_fops);
	debugfs_create_file("pool_mapped", 0600, dir, &mk_mapped, &mk_mapped_fops);
	debugfs_create_file("kmp_echo", 0600, dir, NULL, &mk_echo_fops);
	debugfs_create_file_unsafe("stop_ignored_cpu", 0600, dir,
				   &mk_stop_ignored, &mk_cpu_knob_fops);
	debugfs_create_file_unsafe("tsc_off_cpu", 0600, dir, &mk_tsc_off,
				   &mk_cpu_knob_fops);
	dput(dir);
	return 0;
}
late_initcall(mk_inst_debugfs);
