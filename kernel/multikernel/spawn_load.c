// SPDX-License-Identifier: GPL-2.0
/*
 * Loading a kernel into an instance: the image, its initrd and command
 * line, read and checked now and kept until unloaded, so that the
 * instance can be started from them again and again (a kernel that has
 * run has dirtied its own image).
 *
 * Files are read by file descriptor through kernel_read_file_from_fd(),
 * as kexec_file_load() reads them, so the same IMA appraisal and lockdown
 * policy apply: READING_KEXEC_IMAGE for the kernel, READING_KEXEC_INITRAMFS
 * for the initrd.
 *
 * Locking: mk_load_lock guards the list and each entry's run state.
 * Files are read without it. What runs cannot be replaced or dropped:
 * load and unload answer EBUSY while an instance starts, runs or stops.
 */

#include <linux/kernel_read_file.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "spawn.h"

/* The largest image or initrd read: more than any instance needs. */
#define MK_LOAD_MAX	(512U << 20)

static LIST_HEAD(mk_loaded_list);
/* Guards mk_loaded_list and the run state of each entry (spawn.h). */
DEFINE_MUTEX(mk_load_lock);

static void mk_loaded_free(struct mk_loaded *ld)
{
	if (!ld)
		return;
	vfree(ld->kernel);
	vfree(ld->initrd);
	kfree(ld->cmdline);
	vfree(ld->cons.buf);
	mk_vmcore_free(ld);
	mk_health_stop(ld);
	kfree(ld);
}

/**
 * mk_loaded_find - what is loaded for an instance
 * @name: the instance
 *
 * Context: mk_load_lock held.
 * Return: the entry, or NULL.
 */
struct mk_loaded *mk_loaded_find(const char *name)
{
	struct mk_loaded *ld;

	lockdep_assert_held(&mk_load_lock);
	list_for_each_entry(ld, &mk_loaded_list, list)
		if (!strcmp(ld->name, name))
			return ld;
	return NULL;
}

/* Read file @fd whole; the buffer is vmalloc()ed. */
static int mk_load_file(int fd, enum kernel_read_file_id id, void **buf,
			size_t *size, const char *what, struct mk_report *rep)
{
	ssize_t n;

	*buf = NULL;
	n = kernel_read_file_from_fd(fd, 0, buf, MK_LOAD_MAX, NULL, id);
	if (n < 0) {
		mk_report_add(rep, MK_RULE_IMAGE_FILE,
			      "%s: cannot read file descriptor %d: error %zd",
			      what, fd, n);
		return n;
	}
	*size = n;
	return 0;
}

/* Read and check everything a load names, into @ld. */
static int mk_load_read(struct mk_loaded *ld, const struct mk_load_req *req,
			struct mk_report *rep)
{
	u32 max;
	int err;

	err = mk_load_file(req->kernel_fd, READING_KEXEC_IMAGE, &ld->kernel,
			   &ld->kernel_size, "kernel", rep);
	if (err)
		return err;
	err = mk_image_plan(ld->kernel, ld->kernel_size, req->mem_base,
			    req->mem_bytes, &ld->plan, rep);
	if (err)
		return err;
	/*
	 * cmdline_size counts the bytes before the terminating NUL; the
	 * control area has room for MK_CTRL_CMDLINE_MAX with it.
	 */
	max = min_t(u32, ld->plan.cmdline_max, MK_CTRL_CMDLINE_MAX - 1);
	if (strlen(req->cmdline) > max) {
		mk_report_add(rep, MK_RULE_IMAGE_CMDLINE,
			      "cmdline: %zu bytes; this kernel takes at most %u",
			      strlen(req->cmdline), max);
		return -E2BIG;
	}
	ld->cmdline = kstrdup(req->cmdline, GFP_KERNEL);
	if (!ld->cmdline)
		return -ENOMEM;
	if (req->initrd_fd >= 0) {
		err = mk_load_file(req->initrd_fd, READING_KEXEC_INITRAMFS,
				   &ld->initrd, &ld->initrd_size, "initrd",
				   rep);
		if (err)
			return err;
	}
	return mk_boot_layout(&ld->plan, ld->initrd_size, req->mem_base,
			      req->mem_bytes, &ld->lay, rep);
}

/**
 * mk_spawn_load - read and keep the kernel an instance is to run
 * @req: the instance, its memory, and what to load into it
 * @rep: why it was refused
 *
 * A load replaces what was loaded before, only once the new one is whole.
 *
 * Return: 0; -ENOEXEC for a file that is no usable bzImage; -EFBIG for one
 * that does not fit the instance's memory with its initrd; -E2BIG for a
 * command line longer than the kernel takes; -EBUSY while the instance
 * runs; or the error of reading a file.
 */
int mk_spawn_load(const struct mk_load_req *req, struct mk_report *rep)
{
	struct mk_loaded *ld, *old;
	int err;

	ld = kzalloc(sizeof(*ld), GFP_KERNEL);
	if (!ld)
		return -ENOMEM;
	strscpy(ld->name, req->name, sizeof(ld->name));
	mk_health_init(ld);
	err = mk_load_read(ld, req, rep);
	if (err) {
		mk_loaded_free(ld);
		return err;
	}
	mutex_lock(&mk_load_lock);
	old = mk_loaded_find(req->name);
	if (old && mk_loaded_busy(old)) {
		mutex_unlock(&mk_load_lock);
		mk_report_add(rep, MK_RULE_INSTANCE_BUSY,
			      "load: the instance is %s; kill it first",
			      old->state == MK_RUN_STARTING ? "starting" :
			      old->state == MK_RUN_STOPPING ? "stopping" :
			      old->health.recovering ? "recovering" :
			      "running");
		mk_loaded_free(ld);
		return -EBUSY;
	}
	if (old) {
		/* A new kernel keeps the policy, and the last vmcore. */
		list_del(&old->list);
		ld->health.pol = old->health.pol;
		ld->vmcore = old->vmcore;
		old->vmcore = NULL;
	}
	list_add_tail(&ld->list, &mk_loaded_list);
	mutex_unlock(&mk_load_lock);
	mk_loaded_free(old);
	return 0;
}

/**
 * mk_spawn_unload - drop what was loaded for an instance
 * @name: the instance
 *
 * Return: 0, -ENOENT if nothing was loaded, or -EBUSY while it runs.
 */
int mk_spawn_unload(const char *name)
{
	struct mk_loaded *ld;

	mutex_lock(&mk_load_lock);
	ld = mk_loaded_find(name);
	if (ld && mk_loaded_busy(ld)) {
		mutex_unlock(&mk_load_lock);
		return -EBUSY;
	}
	if (ld)
		list_del(&ld->list);
	mutex_unlock(&mk_load_lock);
	mk_loaded_free(ld);
	return ld ? 0 : -ENOENT;
}

/**
 * mk_spawn_busy - whether an instance's kernel starts, runs or stops
 * @name: the instance
 *
 * While it does, the instance holds its CPUs and memory: the transaction
 * that made it cannot be rolled back, nor the instance removed.
 */
bool mk_spawn_busy(const char *name)
{
	struct mk_loaded *ld;
	bool busy;

	mutex_lock(&mk_load_lock);
	ld = mk_loaded_find(name);
	busy = ld && mk_loaded_busy(ld);
	mutex_unlock(&mk_load_lock);
	return busy;
}

/**
 * mk_spawn_range_busy - whether memory overlaps an instance that runs
 * @base: the start
 * @bytes: the size
 */
bool mk_spawn_range_busy(u64 base, u64 bytes)
{
	struct mk_loaded *ld;
	bool busy = false;

	mutex_lock(&mk_load_lock);
	list_for_each_entry(ld, &mk_loaded_list, list)
		if (mk_loaded_busy(ld) &&
		    base < ld->lay.mem + ld->lay.mem_bytes &&
		    ld->lay.mem < base + bytes)
			busy = true;
	mutex_unlock(&mk_load_lock);
	return busy;
}

/**
 * mk_spawn_show - what is loaded for an instance, for its files
 * @name: the instance
 * @sf: where to print one line that says what and where, whole; or NULL
 *
 * Return: true if something is loaded.
 */
bool mk_spawn_show(const char *name, struct seq_file *sf)
{
	struct mk_loaded *ld;

	mutex_lock(&mk_load_lock);
	ld = mk_loaded_find(name);
	if (ld && sf)
		seq_printf(sf, "kernel %zu bytes at +0x%llx, needs 0x%llx; initrd %zu bytes; cmdline %s\n",
			   ld->kernel_size, ld->plan.kernel_offset,
			   ld->plan.reserve_bytes, ld->initrd_size, ld->cmdline);
	mutex_unlock(&mk_load_lock);
	return ld;
}
