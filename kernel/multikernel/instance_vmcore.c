// SPDX-License-Identifier: GPL-2.0
/*
 * An instance's vmcore: an ELF64 core of its memory and CPUs, as the
 * kernel's own crash dumps are (crash_prepare_elf64_headers(),
 * fs/proc/vmcore.c), which gdb and crash read.
 *
 * The capture copies the instance's memory into the host, so that its
 * resources can go back to the pool at once and the core outlives it:
 * it stays readable at instances/NAME/vmcore until the next capture, a
 * drop, or the instance's removal. This file is a leaf: it takes no lock,
 * and its caller keeps the capture (instance_recovery.c).
 *
 * The core holds:
 *  - one PT_NOTE: an NT_PRSTATUS for each CPU whose registers the
 *    instance saved (the panicking CPU first), and its VMCOREINFO; a CPU
 *    that ran its idle task, pid 0, has MK_IDLE_PID plus its index as
 *    pid, so that gdb shows each CPU as a thread of its own;
 *  - a PT_LOAD of its memory at its direct-map addresses, one of its
 *    kernel image at the image's addresses, and one for each page of the
 *    stacks the CPUs were on, which may be vmalloc()ed, so that gdb can
 *    unwind them.
 *
 * All of it comes from the instance's control area (struct mk_crash_info
 * in <linux/multikernel_boot.h>) and is untrusted: sizes are bounded, and
 * every physical address must lie in the instance's memory, or its part
 * is left out.
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
#include <linux/vmalloc.h>

#include "health.h"
#include "instance.h"

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
/* An idle CPU's pid in its note, plus its index: above any real pid (4M). */
#define MK_IDLE_PID	0x400001
#define MK_CORE_NAME	"CORE"
#define MK_VMCI_NAME	"VMCOREINFO"

static_assert(sizeof(elf_gregset_t) == MK_CRASH_NR_REGS * sizeof(u64));

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

/* The parts of the instance the core is made of, read once and checked. */
struct mk_core_src {
	struct mk_inst *inst;
	u64 mem_phys;
	u64 mem_bytes;		/* its memory less the control area */
	struct mk_crash_info info;
	bool have_info;
	u32 ncpus;
	struct mk_crash_cpu cpu[MK_BOOT_MAX_CPUS];
	bool valid[MK_BOOT_MAX_CPUS];
	u32 nvalid;
	u32 order[MK_BOOT_MAX_CPUS];	/* the valid ones, the panicking first */
	u32 vmci_bytes;
};

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

	if (!gen)
		gen = 1;
	for (i = 0; i < inst->run.ncpus; i++)
		WRITE_ONCE(mk_slot(inst, i)->state, 0);
	WRITE_ONCE(ci->dump_gen, cpu_to_le32(gen));
	wmb();	/* the request before the NMIs */
	for (i = 0; i < inst->run.ncpus; i++)
		arch_mk_cpu_nmi(arch_kmp_cpu_phys_id(inst->run.cpus[i]));
	for (ms = 0; ms < MK_NMI_WAIT_MS && done < inst->run.ncpus; ms++) {
		usleep_range(1000, 2000);
		for (i = 0, done = 0; i < inst->run.ncpus; i++)
			done += READ_ONCE(mk_slot(inst, i)->state) != 0;
	}
	return gen;
}

static bool mk_phys_in(const struct mk_core_src *src, u64 phys, u64 bytes)
{
	return phys >= src->mem_phys && bytes <= src->mem_bytes &&
	       phys - src->mem_phys <= src->mem_bytes - bytes;
}

/* Read what the instance left, once; keep only what holds up. */
static void mk_core_read(struct mk_core_src *src, u32 gen)
{
	struct mk_inst *inst = src->inst;
	struct mk_crash_info *ci = mk_ctrl(inst) + MK_CTRL_CRASH;
	u32 i, state, panic_cpu, n = 0;

	src->have_info = le32_to_cpu(READ_ONCE(ci->magic)) == MK_CRASH_MAGIC;
	if (!src->have_info)
		return;
	rmb();	/* the magic before the rest */
	memcpy(&src->info, ci, sizeof(src->info));
	src->vmci_bytes = min_t(u32, le32_to_cpu(src->info.vmcoreinfo_bytes),
				MK_VMCOREINFO_MAX);
	panic_cpu = le32_to_cpu(src->info.panic_cpu);
	src->ncpus = min_t(u32, inst->run.ncpus, MK_BOOT_MAX_CPUS);
	for (i = 0; i < src->ncpus; i++) {
		state = le32_to_cpu(READ_ONCE(mk_slot(inst, i)->state));
		rmb();	/* the state before the registers */
		memcpy(&src->cpu[i], mk_slot(inst, i), sizeof(src->cpu[i]));
		src->valid[i] = state == MK_CRASH_CPU_PANIC ||
				(state == MK_CRASH_CPU_NMI &&
				 le32_to_cpu(src->cpu[i].gen) == gen);
	}
	if (panic_cpu < src->ncpus && src->valid[panic_cpu])
		src->order[n++] = panic_cpu;
	for (i = 0; i < src->ncpus; i++)
		if (src->valid[i] && i != panic_cpu)
			src->order[n++] = i;
	src->nvalid = n;
}

static size_t mk_note_bytes(size_t name_bytes, size_t desc_bytes)
{
	return sizeof(struct elf_note) + ALIGN(name_bytes, 4) +
	       ALIGN(desc_bytes, 4);
}

static void *mk_note(void *p, const char *name, u32 type, const void *desc,
		     size_t desc_bytes)
{
	struct elf_note *n = p;

	n->n_namesz = strlen(name) + 1;
	n->n_descsz = desc_bytes;
	n->n_type = type;
	p += sizeof(*n);
	memcpy(p, name, n->n_namesz);
	p += ALIGN(n->n_namesz, 4);
	memcpy(p, desc, desc_bytes);
	return p + ALIGN(desc_bytes, 4);
}

static size_t mk_notes_bytes(const struct mk_core_src *src)
{
	return src->nvalid * mk_note_bytes(sizeof(MK_CORE_NAME),
					    sizeof(struct elf_prstatus)) +
	       (src->vmci_bytes ? mk_note_bytes(sizeof(MK_VMCI_NAME),
						src->vmci_bytes) : 0);
}

static void *mk_notes(const struct mk_core_src *src, void *p)
{
	struct elf_prstatus prs;
	const struct mk_crash_cpu *c;
	u64 *regs = (u64 *)&prs.pr_reg;
	u32 i, r;

	for (i = 0; i < src->nvalid; i++) {
		c = &src->cpu[src->order[i]];
		memset(&prs, 0, sizeof(prs));
		/* gdb makes one thread of all notes with pid 0. */
		prs.common.pr_pid = le32_to_cpu(c->pid) ?:
				    MK_IDLE_PID + src->order[i];
		for (r = 0; r < MK_CRASH_NR_REGS; r++)
			regs[r] = le64_to_cpu(c->regs[r]);
		p = mk_note(p, MK_CORE_NAME, NT_PRSTATUS, &prs, sizeof(prs));
	}
	if (src->vmci_bytes)
		p = mk_note(p, MK_VMCI_NAME, 0,
			    mk_ctrl(src->inst) + MK_CTRL_VMCOREINFO,
			    src->vmci_bytes);
	return p;
}

/* One PT_LOAD of instance memory, or none if it lies outside. */
static u32 mk_load(const struct mk_core_src *src, struct elf64_phdr *ph,
		   size_t mem_off, u64 vaddr, u64 phys, u64 bytes)
{
	if (!bytes || !mk_phys_in(src, phys, bytes))
		return 0;
	*ph = (struct elf64_phdr) {
		.p_type = PT_LOAD,
		.p_flags = PF_R | PF_W | PF_X,
		.p_offset = mem_off + (phys - src->mem_phys),
		.p_vaddr = vaddr,
		.p_paddr = phys,
		.p_filesz = bytes,
		.p_memsz = bytes,
		.p_align = PAGE_SIZE,
	};
	return 1;
}

/* The program headers after the note: memory, image, stacks. */
static u32 mk_loads(const struct mk_core_src *src, struct elf64_phdr *ph,
		    size_t mem_off)
{
	const struct mk_crash_info *ci = &src->info;
	const struct mk_crash_cpu *c;
	u32 n, i, pg;
	u64 va;

	n = mk_load(src, ph, mem_off, le64_to_cpu(ci->page_offset) + src->mem_phys,
		    src->mem_phys, src->mem_bytes);
	n += mk_load(src, ph + n, mem_off, le64_to_cpu(ci->text_virt),
		     le64_to_cpu(ci->text_phys), le64_to_cpu(ci->text_bytes));
	for (i = 0; i < src->nvalid; i++) {
		c = &src->cpu[src->order[i]];
		va = le64_to_cpu(c->stack_virt);
		for (pg = 0; pg < MK_CRASH_STACK_PAGES; pg++)
			n += mk_load(src, ph + n, mem_off, va + pg * PAGE_SIZE,
				     le64_to_cpu(c->stack_phys[pg]), PAGE_SIZE);
	}
	return n;
}

static u32 mk_loads_max(const struct mk_core_src *src)
{
	return 2 + src->nvalid * MK_CRASH_STACK_PAGES;
}

/* The ELF header, the program headers and the notes, into one buffer. */
static int mk_core_headers(const struct mk_core_src *src,
			   struct mk_vmcore *core)
{
	size_t phdrs = 1 + mk_loads_max(src), notes = mk_notes_bytes(src);
	size_t note_off = sizeof(struct elf64_hdr) + phdrs * sizeof(struct elf64_phdr);
	struct elf64_hdr *eh;
	struct elf64_phdr *ph;
	u32 nloads;

	core->hdr_bytes = PAGE_ALIGN(note_off + notes);
	core->hdr = kvzalloc(core->hdr_bytes, GFP_KERNEL);
	if (!core->hdr)
		return -ENOMEM;
	eh = core->hdr;
	ph = core->hdr + sizeof(*eh);
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_ident[EI_OSABI] = ELFOSABI_NONE;
	eh->e_type = ET_CORE;
	eh->e_machine = ELF_ARCH;
	eh->e_version = EV_CURRENT;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);

	mk_notes(src, core->hdr + note_off);
	ph[0] = (struct elf64_phdr) {
		.p_type = PT_NOTE,
		.p_offset = note_off,
		.p_filesz = notes,
		.p_memsz = notes,
	};
	nloads = mk_loads(src, ph + 1, core->hdr_bytes);
	eh->e_phnum = 1 + nloads;
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
static void mk_core_say(const struct mk_core_src *src, char *why,
			size_t why_size)
{
	u32 full = le32_to_cpu(src->info.vmcoreinfo_full);

	snprintf(why, why_size, "%llu MiB, registers of %u of %u CPUs%s%s",
		 src->mem_bytes >> 20, src->nvalid, src->inst->run.ncpus,
		 src->vmci_bytes ? "" : ", no VMCOREINFO",
		 full > src->vmci_bytes && src->vmci_bytes ?
		 ", VMCOREINFO cut short" : "");
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
	u64 bytes = inst->lay.mem_bytes - MK_CTRL_BYTES + SZ_64K;
	struct mk_core_src *src;
	struct mk_vmcore *core;
	u32 gen = 0;

	if ((inst->lay.mem_bytes - MK_CTRL_BYTES) >> 20 > mk_vmcore_max_mb) {
		snprintf(why, why_size, "%llu MiB of memory, over vmcore_max_mb %u",
			 inst->lay.mem_bytes >> 20, mk_vmcore_max_mb);
		return ERR_PTR(-EFBIG);
	}
	/* The headers and notes are a few pages: 64 KiB covers them. */
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
	src->inst = inst;
	src->mem_phys = inst->lay.mem;
	src->mem_bytes = inst->lay.mem_bytes - MK_CTRL_BYTES;
	if (hung && le32_to_cpu(READ_ONCE(((struct mk_crash_info *)
			(mk_ctrl(inst) + MK_CTRL_CRASH))->magic)) == MK_CRASH_MAGIC)
		gen = mk_vmcore_nmi(inst);
	mk_core_read(src, gen);
	if (mk_core_headers(src, core))
		goto fail;
	core->mem_bytes = src->mem_bytes;
	core->mem = vmalloc(core->mem_bytes);
	if (!core->mem)
		goto fail;
	memcpy(core->mem, inst->mem, core->mem_bytes);
	mk_core_say(src, why, why_size);
	kvfree(src);
	return core;
fail:
	snprintf(why, why_size, "out of memory for %llu MiB",
		 (inst->lay.mem_bytes - MK_CTRL_BYTES) >> 20);
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
