// SPDX-License-Identifier: GPL-2.0
/*
 * An instance's vmcore, from what its control area says: the crash info
 * and the CPUs' register slots (struct mk_crash_info, struct mk_crash_cpu)
 * are read once into a plan, and the core's ELF headers and notes are
 * made from the plan alone. The memory behind the PT_LOADs is the
 * caller's to copy (instance_vmcore.c).
 *
 * The headers are those of the kernel's own crash dumps
 * (crash_prepare_elf64_headers(), fs/proc/vmcore.c), which gdb and crash
 * read:
 *  - one PT_NOTE: an NT_PRSTATUS for each CPU whose registers the
 *    instance saved (the panicking CPU first), and its VMCOREINFO; a CPU
 *    that ran its idle task, pid 0, has MK_IDLE_PID plus its index as
 *    pid, so that gdb shows each CPU as a thread of its own;
 *  - a PT_LOAD of its memory at its direct-map addresses (two, when a
 *    resize added memory above its control area), one of its
 *    kernel image at the image's addresses, and one for each page of the
 *    stacks the CPUs were on, which may be vmalloc()ed, so that gdb can
 *    unwind them.
 *
 * Every physical address must lie in the instance's memory, or its part
 * is left out; every size is bounded by the layout.
 */

#include "ctrl.h"

/* An idle CPU's pid in its note, plus its index: above any real pid (4M). */
#define MK_IDLE_PID	0x400001
#define MK_CORE_NAME	"CORE"
#define MK_VMCI_NAME	"VMCOREINFO"

#define MK_NOTE_BYTES(name, desc) \
	(sizeof(struct elf64_note) + ALIGN(name, 4) + ALIGN(desc, 4))
#define MK_LOADS_MAX(ncpus)	(3 + (ncpus) * MK_CRASH_STACK_PAGES)

/* The most headers and notes a core can have: what the caller reserves. */
static_assert(sizeof(struct elf64_hdr) +
	      (1 + MK_LOADS_MAX(MK_BOOT_MAX_CPUS)) * sizeof(struct elf64_phdr) +
	      MK_BOOT_MAX_CPUS * MK_NOTE_BYTES(sizeof(MK_CORE_NAME),
					       MK_PRSTATUS_BYTES) +
	      MK_NOTE_BYTES(sizeof(MK_VMCI_NAME), MK_VMCOREINFO_MAX) <=
	      16 * MK_CORE_PAGE, "a core's headers fit 16 pages");

static const struct mk_crash_cpu *mk_slot(const void *ctrl, u32 i)
{
	return ctrl + MK_CTRL_CRASH_CPUS + i * MK_CRASH_CPU_BYTES;
}

/* Which slots hold registers for this dump, the panicking CPU first. */
static void mk_plan_order(struct mk_core_plan *p, const bool *valid)
{
	u32 panic_cpu = le32_to_cpu(p->info.panic_cpu), i, n = 0;

	if (panic_cpu < p->ncpus && valid[panic_cpu])
		p->order[n++] = panic_cpu;
	for (i = 0; i < p->ncpus; i++)
		if (valid[i] && i != panic_cpu)
			p->order[n++] = i;
	p->nvalid = n;
}

/**
 * mk_core_plan_read - read what an instance left for its vmcore, once
 * @p: the plan; @p->mem_phys, @p->mem_bytes and @p->ncpus set
 * @ctrl: the instance's control area, MK_CTRL_BYTES
 * @gen: the dump generation the host asked CPUs by NMI to answer, or 0
 *
 * A CPU's registers count if it saved them at its panic, or by NMI for
 * @gen. Nothing in @ctrl is read again after this.
 */
void mk_core_plan_read(struct mk_core_plan *p, const void *ctrl, u32 gen)
{
	const struct mk_crash_info *ci = ctrl + MK_CTRL_CRASH;
	bool valid[MK_BOOT_MAX_CPUS];
	u32 i, state;

	p->ncpus = min_t(u32, p->ncpus, MK_BOOT_MAX_CPUS);
	p->nvalid = 0;
	p->vmci_bytes = 0;
	p->have_info = le32_to_cpu(READ_ONCE(ci->magic)) == MK_CRASH_MAGIC;
	if (!p->have_info)
		return;
	rmb();	/* the magic before the rest */
	memcpy(&p->info, ci, sizeof(p->info));
	p->vmci_bytes = min_t(u32, le32_to_cpu(p->info.vmcoreinfo_bytes),
			      MK_VMCOREINFO_MAX);
	memcpy(p->vmci, ctrl + MK_CTRL_VMCOREINFO, p->vmci_bytes);
	for (i = 0; i < p->ncpus; i++) {
		state = le32_to_cpu(READ_ONCE(mk_slot(ctrl, i)->state));
		rmb();	/* the state before the registers */
		memcpy(&p->cpu[i], mk_slot(ctrl, i), sizeof(p->cpu[i]));
		valid[i] = state == MK_CRASH_CPU_PANIC ||
			   (state == MK_CRASH_CPU_NMI &&
			    le32_to_cpu(p->cpu[i].gen) == gen);
	}
	mk_plan_order(p, valid);
}

/**
 * mk_core_plan_crashtime - say when the host found the crash
 * @p: a plan mk_core_plan_read() filled
 * @secs: the host's wall-clock time, in seconds since the epoch
 *
 * An instance has no clock the host can trust, and none set from a real
 * time clock: its CRASHTIME line reads about 1. Drop every CRASHTIME line
 * it wrote and add the host's, if the text has room for it.
 */
void mk_core_plan_crashtime(struct mk_core_plan *p, s64 secs)
{
	static const char key[] = "CRASHTIME=";
	u32 at = 0, end, n;
	char line[32];

	while (at < p->vmci_bytes) {
		end = at;
		while (end < p->vmci_bytes && p->vmci[end] != '\n')
			end++;
		end = min(end + 1, p->vmci_bytes);
		if (end - at >= sizeof(key) - 1 &&
		    !memcmp(p->vmci + at, key, sizeof(key) - 1)) {
			memmove(p->vmci + at, p->vmci + end, p->vmci_bytes - end);
			p->vmci_bytes -= end - at;
			continue;
		}
		at = end;
	}
	if (!p->vmci_bytes)
		return;	/* no VMCOREINFO note to put it in */
	n = snprintf(line, sizeof(line), "%s%lld\n", key, (long long)secs);
	if (n < sizeof(line) && p->vmci_bytes + n <= MK_VMCOREINFO_MAX) {
		memcpy(p->vmci + p->vmci_bytes, line, n);
		p->vmci_bytes += n;
	}
}

static void *mk_note(void *at, const char *name, u32 type, const void *desc,
		     size_t desc_bytes)
{
	struct elf64_note *n = at;

	n->n_namesz = strlen(name) + 1;
	n->n_descsz = desc_bytes;
	n->n_type = type;
	at += sizeof(*n);
	memcpy(at, name, n->n_namesz);
	at += ALIGN(n->n_namesz, 4);
	memcpy(at, desc, desc_bytes);
	return at + ALIGN(desc_bytes, 4);
}

static size_t mk_notes_bytes(const struct mk_core_plan *p)
{
	return p->nvalid * MK_NOTE_BYTES(sizeof(MK_CORE_NAME), MK_PRSTATUS_BYTES) +
	       (p->vmci_bytes ?
		MK_NOTE_BYTES(sizeof(MK_VMCI_NAME), p->vmci_bytes) : 0);
}

static size_t mk_note_off(const struct mk_core_plan *p)
{
	return sizeof(struct elf64_hdr) +
	       (1 + MK_LOADS_MAX(p->nvalid)) * sizeof(struct elf64_phdr);
}

/* One CPU's NT_PRSTATUS descriptor: its pid and its registers. */
static void mk_prstatus(u8 *prs, const struct mk_crash_cpu *c, u32 index)
{
	s32 pid = le32_to_cpu(c->pid);
	u64 reg;
	u32 r;

	memset(prs, 0, MK_PRSTATUS_BYTES);
	/* gdb makes one thread of all notes with pid 0. */
	if (pid <= 0)
		pid = MK_IDLE_PID + index;
	memcpy(prs + MK_PRSTATUS_PID, &pid, sizeof(pid));
	for (r = 0; r < MK_CRASH_NR_REGS; r++) {
		reg = le64_to_cpu(c->regs[r]);
		memcpy(prs + MK_PRSTATUS_REGS + r * sizeof(reg), &reg, sizeof(reg));
	}
}

static void mk_notes(const struct mk_core_plan *p, void *at)
{
	u8 prs[MK_PRSTATUS_BYTES];
	u32 i;

	for (i = 0; i < p->nvalid; i++) {
		mk_prstatus(prs, &p->cpu[p->order[i]], p->order[i]);
		at = mk_note(at, MK_CORE_NAME, NT_PRSTATUS, prs, sizeof(prs));
	}
	if (p->vmci_bytes)
		mk_note(at, MK_VMCI_NAME, 0, p->vmci, p->vmci_bytes);
}

/* Where [@phys, @phys + @bytes) is in the core's memory, if it is. */
static bool mk_phys_off(const struct mk_core_plan *p, u64 phys, u64 bytes,
			u64 *off)
{
	if (phys >= p->mem_phys && bytes <= p->mem_bytes &&
	    phys - p->mem_phys <= p->mem_bytes - bytes) {
		*off = phys - p->mem_phys;
		return true;
	}
	if (phys >= p->mem2_phys && bytes <= p->mem2_bytes &&
	    phys - p->mem2_phys <= p->mem2_bytes - bytes) {
		*off = p->mem_bytes + (phys - p->mem2_phys);
		return true;
	}
	return false;
}

/* One PT_LOAD of instance memory, or none if it lies outside. */
static u32 mk_load(const struct mk_core_plan *p, struct elf64_phdr *ph,
		   size_t mem_off, u64 vaddr, u64 phys, u64 bytes)
{
	u64 off;

	if (!bytes || !mk_phys_off(p, phys, bytes, &off))
		return 0;
	*ph = (struct elf64_phdr) {
		.p_type = PT_LOAD,
		.p_flags = PF_R | PF_W | PF_X,
		.p_offset = mem_off + off,
		.p_vaddr = vaddr,
		.p_paddr = phys,
		.p_filesz = bytes,
		.p_memsz = bytes,
		.p_align = MK_CORE_PAGE,
	};
	return 1;
}

/* The program headers after the note: memory, image, stacks. */
static u32 mk_loads(const struct mk_core_plan *p, struct elf64_phdr *ph,
		    size_t mem_off)
{
	const struct mk_crash_info *ci = &p->info;
	const struct mk_crash_cpu *c;
	u32 n, i, pg;
	u64 va;

	n = mk_load(p, ph, mem_off, le64_to_cpu(ci->page_offset) + p->mem_phys,
		    p->mem_phys, p->mem_bytes);
	n += mk_load(p, ph + n, mem_off,
		     le64_to_cpu(ci->page_offset) + p->mem2_phys, p->mem2_phys,
		     p->mem2_bytes);
	n += mk_load(p, ph + n, mem_off, le64_to_cpu(ci->text_virt),
		     le64_to_cpu(ci->text_phys), le64_to_cpu(ci->text_bytes));
	for (i = 0; i < p->nvalid; i++) {
		c = &p->cpu[p->order[i]];
		va = le64_to_cpu(c->stack_virt);
		for (pg = 0; pg < MK_CRASH_STACK_PAGES; pg++)
			n += mk_load(p, ph + n, mem_off, va + pg * MK_CORE_PAGE,
				     le64_to_cpu(c->stack_phys[pg]), MK_CORE_PAGE);
	}
	return n;
}

/**
 * mk_core_hdr_bytes - the size of a core's headers and notes
 * @p: the plan
 *
 * Return: a multiple of MK_CORE_PAGE, at most 16 of them: the instance's
 * memory follows at this offset in the core.
 */
size_t mk_core_hdr_bytes(const struct mk_core_plan *p)
{
	return ALIGN(mk_note_off(p) + mk_notes_bytes(p), MK_CORE_PAGE);
}

/**
 * mk_core_hdr_write - write a core's ELF header, program headers and notes
 * @p: the plan
 * @hdr: mk_core_hdr_bytes() bytes
 * @machine: the ELF machine of the instance's kernel
 *
 * Return: the number of program headers.
 */
u32 mk_core_hdr_write(const struct mk_core_plan *p, void *hdr, u16 machine)
{
	size_t hdr_bytes = mk_core_hdr_bytes(p), note_off = mk_note_off(p);
	size_t notes = mk_notes_bytes(p);
	struct elf64_hdr *eh = hdr;
	struct elf64_phdr *ph = hdr + sizeof(*eh);

	memset(hdr, 0, hdr_bytes);
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_ident[EI_OSABI] = ELFOSABI_NONE;
	eh->e_type = ET_CORE;
	eh->e_machine = machine;
	eh->e_version = EV_CURRENT;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);

	mk_notes(p, hdr + note_off);
	ph[0] = (struct elf64_phdr) {
		.p_type = PT_NOTE,
		.p_offset = note_off,
		.p_filesz = notes,
		.p_memsz = notes,
	};
	eh->e_phnum = 1 + mk_loads(p, ph + 1, hdr_bytes);
	return eh->e_phnum;
}
