// SPDX-License-Identifier: GPL-2.0
/*
 * An instance's vmcore: an ELF64 core of its memory and CPUs, which gdb
 * and crash read. model/ctrl_crash.c makes its headers and notes from
 * what the instance left in its control area, read once and checked.
 *
 * The capture copies the instance's memory into the host, so that its
 * resources can go back to the pool at once and the core outlives it:
 * it stays readable at instances/NAME/vmcore until the next capture, a
 * drop, or the instance's removal. This file is a leaf: it takes no lock,
 * and its caller keeps the capture (instance_recovery.c). What all kept
 * cores take of host memory is bounded by one budget.
 */

#include <linux/delay.h>
#include <linux/elf.h>
#include <linux/elfcore.h>
#include <linux/moduleparam.h>
#include <linux/multikernel_boot.h>
#include <linux/multikernel_kmp.h>
#include <linux/math.h>
#include <linux/seq_file.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/timekeeping.h>
#include <linux/vmalloc.h>

#include "health.h"
#include "instance.h"
#include "model/ctrl.h"

#undef MODULE_PARAM_PREFIX
#define MODULE_PARAM_PREFIX "multikernel."

static unsigned int mk_vmcore_max_mb = 1024;
module_param_named(vmcore_max_mb, mk_vmcore_max_mb, uint, 0644);
MODULE_PARM_DESC(vmcore_max_mb, "the largest instance memory a vmcore copies");

/*
 * Every vmcore the host keeps is host memory that instances made it
 * spend: all of them together stay within this budget, whatever number of
 * instances fail, and however often.
 */
static unsigned int mk_vmcore_budget_mb = 2048;
module_param_named(vmcore_budget_mb, mk_vmcore_budget_mb, uint, 0644);
MODULE_PARM_DESC(vmcore_budget_mb, "the host memory all kept vmcores may take");

static DEFINE_SPINLOCK(mk_vmcore_lock);
static u64 mk_vmcore_held;	/* bytes of every kept core, and those on the way */

#define MK_NMI_WAIT_MS	100

/* The shared code writes NT_PRSTATUS by offsets: they must be this kernel's. */
static_assert(sizeof(elf_gregset_t) == MK_CRASH_NR_REGS * sizeof(u64));
static_assert(sizeof(struct elf_prstatus) == MK_PRSTATUS_BYTES);
static_assert(offsetof(struct elf_prstatus, common.pr_pid) == MK_PRSTATUS_PID);
static_assert(offsetof(struct elf_prstatus, pr_reg) == MK_PRSTATUS_REGS);
static_assert(PAGE_SIZE == MK_CORE_PAGE);

/* A capture: the ELF headers and notes, then the memory. */
struct mk_vmcore {
	void *hdr;
	size_t hdr_bytes;	/* page aligned: the memory starts here */
	void *mem;
	size_t mem_bytes;
	u64 charged;		/* against the budget */
};

/* Charge @bytes to the budget, counting @freed as about to be given back. */
static bool mk_vmcore_charge(u64 bytes, u64 freed)
{
	u64 budget = (u64)READ_ONCE(mk_vmcore_budget_mb) << 20;
	bool ok;

	spin_lock(&mk_vmcore_lock);
	ok = mk_vmcore_held + bytes <= budget + freed;
	if (ok)
		mk_vmcore_held += bytes;
	spin_unlock(&mk_vmcore_lock);
	return ok;
}

static void mk_vmcore_uncharge(u64 bytes)
{
	spin_lock(&mk_vmcore_lock);
	mk_vmcore_held -= bytes;
	spin_unlock(&mk_vmcore_lock);
}

/**
 * mk_vmcore_charged - what a core takes of the budget
 * @core: the core, or NULL
 */
u64 mk_vmcore_charged(const struct mk_vmcore *core)
{
	return core ? core->charged : 0;
}

/**
 * mk_vmcore_budget_show - the budget of all vmcores, and what they take
 * @sf: where to print "vmcore_budget_mb N" and "vmcore_held_mb N"
 */
void mk_vmcore_budget_show(struct seq_file *sf)
{
	u64 held;

	spin_lock(&mk_vmcore_lock);
	held = mk_vmcore_held;
	spin_unlock(&mk_vmcore_lock);
	seq_printf(sf, "vmcore_budget_mb %u\nvmcore_held_mb %llu\n",
		   READ_ONCE(mk_vmcore_budget_mb), DIV_ROUND_UP_ULL(held, SZ_1M));
}

static void *mk_ctrl(struct mk_inst *inst)
{
	return inst->mem + (inst->lay.ctrl - inst->lay.mem);
}

static struct mk_crash_cpu *mk_slot(struct mk_inst *inst, u32 i)
{
	return mk_ctrl(inst) + MK_CTRL_CRASH_CPUS + i * MK_CRASH_CPU_BYTES;
}

/*
 * A hung instance: ask each CPU for its registers with a new dump
 * generation and an NMI, and wait a little for them.
 */
static u32 mk_vmcore_nmi(struct mk_inst *inst)
{
	struct mk_crash_info *ci = mk_ctrl(inst) + MK_CTRL_CRASH;
	u32 gen = le32_to_cpu(READ_ONCE(ci->dump_gen)) + 1, i, ms, done = 0;
	u32 n = inst->run.npossible, want = hweight64(inst->held);

	if (!gen)
		gen = 1;
	for (i = 0; i < n; i++)
		WRITE_ONCE(mk_slot(inst, i)->state, 0);
	WRITE_ONCE(ci->dump_gen, cpu_to_le32(gen));
	wmb();	/* the request before the NMIs */
	for (i = 0; i < n; i++)
		if (inst->held & BIT_ULL(i))
			arch_mk_cpu_nmi(arch_kmp_cpu_phys_id(inst->run.cpus[i]));
	for (ms = 0; ms < MK_NMI_WAIT_MS && done < want; ms++) {
		usleep_range(1000, 2000);
		for (i = 0, done = 0; i < n; i++)
			done += READ_ONCE(mk_slot(inst, i)->state) != 0;
	}
	return gen;
}

/* The ELF headers and notes, into one buffer. */
static int mk_core_headers(const struct mk_core_plan *plan,
			   struct mk_vmcore *core)
{
	core->hdr_bytes = mk_core_hdr_bytes(plan);
	core->hdr = kvmalloc(core->hdr_bytes, GFP_KERNEL);
	if (!core->hdr)
		return -ENOMEM;
	mk_core_hdr_write(plan, core->hdr, ELF_ARCH);
	return 0;
}

static void mk_core_free(struct mk_vmcore *core)
{
	if (!core)
		return;
	kvfree(core->hdr);
	vfree(core->mem);
	mk_vmcore_uncharge(core->charged);
	kfree(core);
}

/* What was captured, for the log. */
static void mk_core_say(const struct mk_core_plan *src, u32 held,
			char *why, size_t why_size)
{
	u32 full = le32_to_cpu(src->info.vmcoreinfo_full);

	snprintf(why, why_size, "%llu MiB, registers of %u of %u CPUs%s%s",
		 (src->mem_bytes + src->mem2_bytes) >> 20, src->nvalid, held,
		 src->vmci_bytes ? "" : ", no VMCOREINFO",
		 full > src->vmci_bytes && src->vmci_bytes ?
		 ", VMCOREINFO cut short" : "");
}

/* Up to vmcore_max_mb: a chunk at a time, so as not to hold the CPU. */
static void mk_core_copy(void *dst, const void *src, u64 bytes)
{
	u64 off, n;

	for (off = 0; off < bytes; off += n) {
		n = min_t(u64, bytes - off, SZ_2M);
		memcpy(dst + off, src + off, n);
		cond_resched();
	}
}

/**
 * mk_vmcore_capture - copy a failed instance's memory and CPUs into a core
 * @inst: the instance, failed and quiesced, its resources still held
 * @hung: it did not panic: ask its CPUs for their registers by NMI first
 * @credit: the bytes of the core it is to replace, which count as given
 *	back to the budget (mk_vmcore_charged())
 * @why: what was captured, or why not
 * @why_size: its size
 *
 * Return: the core, or an ERR_PTR(): -EFBIG for memory over
 * multikernel.vmcore_max_mb; -ENOSPC when all kept vmcores and this one
 * would take more than multikernel.vmcore_budget_mb; -ENOMEM.
 */
struct mk_vmcore *mk_vmcore_capture(struct mk_inst *inst, bool hung,
				    u64 credit, char *why, size_t why_size)
{
	u64 above_at = inst->lay.ctrl + MK_CTRL_BYTES;
	u64 below = inst->lay.ctrl - inst->lay.mem;
	u64 above = inst->mem_top > above_at ? inst->mem_top - above_at : 0;
	u64 bytes = below + above + 16 * MK_CORE_PAGE;
	struct mk_core_plan *src;
	struct mk_vmcore *core;
	u32 gen = 0;

	if ((below + above) >> 20 > mk_vmcore_max_mb) {
		snprintf(why, why_size, "%llu MiB of memory, over vmcore_max_mb %u",
			 (below + above) >> 20, mk_vmcore_max_mb);
		return ERR_PTR(-EFBIG);
	}
	/* Headers and notes: at most 16 pages (mk_core_hdr_bytes()). */
	if (!mk_vmcore_charge(bytes, credit)) {
		snprintf(why, why_size,
			 "%llu MiB would pass vmcore_budget_mb %u; drop a vmcore",
			 bytes >> 20, READ_ONCE(mk_vmcore_budget_mb));
		return ERR_PTR(-ENOSPC);
	}
	src = kvzalloc(sizeof(*src), GFP_KERNEL);
	core = kzalloc(sizeof(*core), GFP_KERNEL);
	if (!src || !core) {
		mk_vmcore_uncharge(bytes);
		goto fail;
	}
	core->charged = bytes;
	src->ncpus = inst->run.npossible;
	src->mem_phys = inst->lay.mem;
	src->mem_bytes = below;
	src->mem2_phys = above_at;
	src->mem2_bytes = above;
	if (hung && le32_to_cpu(READ_ONCE(((struct mk_crash_info *)
			(mk_ctrl(inst) + MK_CTRL_CRASH))->magic)) == MK_CRASH_MAGIC)
		gen = mk_vmcore_nmi(inst);
	mk_core_plan_read(src, mk_ctrl(inst), gen);
	mk_core_plan_crashtime(src, ktime_get_real_seconds());
	if (mk_core_headers(src, core))
		goto fail;
	core->mem_bytes = below + above;
	core->mem = vmalloc(core->mem_bytes);
	if (!core->mem)
		goto fail;
	mk_core_copy(core->mem, inst->mem, below);
	mk_core_copy(core->mem + below, inst->mem + (above_at - inst->lay.mem),
		     above);
	mk_core_say(src, hweight64(inst->held), why, why_size);
	kvfree(src);
	return core;
fail:
	snprintf(why, why_size, "out of memory for %llu MiB",
		 (below + above) >> 20);
	kvfree(src);
	mk_core_free(core);
	return ERR_PTR(-ENOMEM);
}

/**
 * mk_vmcore_free - drop a vmcore
 * @core: what mk_vmcore_capture() made, or NULL
 */
void mk_vmcore_free(struct mk_vmcore *core)
{
	mk_core_free(core);
}

/**
 * mk_vmcore_read - read a vmcore
 * @core: the core, or NULL
 * @buf: where to
 * @len: how much at most
 * @off: from where in the core
 *
 * Return: bytes read, 0 at its end, or -ENODATA with no core.
 */
ssize_t mk_vmcore_read(const struct mk_vmcore *core, char *buf, size_t len,
		       loff_t off)
{
	size_t n, done = 0;

	if (!core)
		return -ENODATA;
	if (off < core->hdr_bytes) {
		n = min_t(size_t, len, core->hdr_bytes - off);
		memcpy(buf, core->hdr + off, n);
		done = n;
		off += n;
	}
	off -= core->hdr_bytes;
	if (done < len && off < core->mem_bytes) {
		n = min_t(size_t, len - done, core->mem_bytes - off);
		memcpy(buf + done, core->mem + off, n);
		done += n;
	}
	return done;
}
