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
 * for the initrd. They are read before any lock is taken; what runs
 * cannot be replaced or dropped: load and unload answer EBUSY while an
 * instance starts, runs, stops or is recovered.
 *
 * A load is checked against the memory the instance has at the time.
 * Exec lays the image out again for the memory it has then (instance_run.c).
 */

#include <linux/kernel_read_file.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "instance.h"

/* The largest image or initrd read: more than any instance needs. */
#define MK_LOAD_MAX	(512U << 20)

static void mk_image_free(struct mk_image *img)
{
	vfree(img->kernel);
	vfree(img->initrd);
	kfree(img->cmdline);
	memset(img, 0, sizeof(*img));
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

/* Read and check everything a load names, into @img. */
static int mk_image_read(struct mk_image *img, const struct mk_load_req *req,
			 struct mk_report *rep)
{
	struct mk_boot_layout lay;
	u32 max;
	int err;

	err = mk_load_file(req->kernel_fd, READING_KEXEC_IMAGE, &img->kernel,
			   &img->kernel_size, "kernel", rep);
	if (!err)
		err = mk_image_verify(img, rep);
	if (err)
		return err;
	err = mk_image_plan(img->kernel, img->kernel_size, req->mem_base,
			    req->mem_bytes, &img->plan, rep);
	if (err)
		return err;
	/*
	 * cmdline_size counts the bytes before the terminating NUL; the
	 * control area has room for MK_CTRL_CMDLINE_MAX with it.
	 */
	max = min_t(u32, img->plan.cmdline_max, MK_CTRL_CMDLINE_MAX - 1);
	if (strlen(req->cmdline) > max) {
		mk_report_add(rep, MK_RULE_IMAGE_CMDLINE,
			      "cmdline: %zu bytes; this kernel takes at most %u",
			      strlen(req->cmdline), max);
		return -E2BIG;
	}
	img->cmdline = kstrdup(req->cmdline, GFP_KERNEL);
	if (!img->cmdline)
		return -ENOMEM;
	if (req->initrd_fd >= 0) {
		err = mk_load_file(req->initrd_fd, READING_KEXEC_INITRAMFS,
				   &img->initrd, &img->initrd_size, "initrd",
				   rep);
		if (err)
			return err;
	}
	return mk_boot_layout(&img->plan, img->initrd_size, req->mem_base,
			      req->mem_bytes, &lay, rep);
}

/* Put @img in @inst, giving back what it had, unless @inst is busy. */
static int mk_image_install(struct mk_inst *inst, struct mk_image *img,
			    struct mk_report *rep)
{
	int err;

	mk_inst_lock(inst);
	if (mk_inst_busy(inst)) {
		mk_report_add(rep, MK_RULE_INSTANCE_BUSY,
			      "load: the instance is %s; kill it first",
			      inst->health.recovering ? "recovering" :
			      mk_run_state_name(inst->state));
		mk_inst_unlock(inst);
		return -EBUSY;
	}
	err = mk_inst_event(inst, MK_EV_LOAD, "");
	if (!err) {
		swap(inst->img, *img);
		/* A new kernel keeps the policy and the last vmcore. */
		vfree(inst->cons.buf);
		inst->cons.buf = NULL;
		inst->hello_ns = 0;
		inst->start_ns = 0;
	}
	mk_inst_unlock(inst);
	return err;
}

/**
 * mk_inst_load - read and keep the kernel an instance is to run
 * @name: the instance
 * @req: its memory now, and what to load into it
 * @rep: why it was refused
 *
 * A load replaces what was loaded before, only once the new one is whole.
 *
 * Return: 0; -ENOEXEC for a file that is no usable bzImage; -EFBIG for one
 * that does not fit the instance's memory with its initrd; -E2BIG for a
 * command line longer than the kernel takes; -EKEYREJECTED for a
 * signature that does not verify, or none where one is required; -EBUSY
 * while the instance runs; or the error of reading a file.
 */
int mk_inst_load(const char *name, const struct mk_load_req *req,
		 struct mk_report *rep)
{
	struct mk_image img = {};
	struct mk_inst *inst;
	int err;

	err = mk_image_read(&img, req, rep);
	if (err) {
		mk_image_free(&img);
		return err;
	}
	inst = mk_inst_enter(name);
	err = inst ? mk_image_install(inst, &img, rep) : -ENOMEM;
	mk_inst_put(inst);
	mk_image_free(&img);	/* what was loaded before, or what failed */
	return err;
}

/**
 * mk_inst_show_image - what is loaded, for the image file
 * @inst: the instance
 * @sf: where to print one line that says what and where, whole
 */
void mk_inst_show_image(struct mk_inst *inst, struct seq_file *sf)
{
	const struct mk_image *img = &inst->img;

	mk_inst_lock(inst);
	if (img->kernel)
		seq_printf(sf, "kernel %zu bytes at +0x%llx, needs 0x%llx; %s; initrd %zu bytes; cmdline %s\n",
			   img->kernel_size, img->plan.kernel_offset,
			   img->plan.reserve_bytes,
			   !IS_ENABLED(CONFIG_MULTIKERNEL_SIG) ? "signature not checked" :
			   img->signed_ok ? "signature verified" : "unsigned",
			   img->initrd_size, img->cmdline);
	mk_inst_unlock(inst);
}
