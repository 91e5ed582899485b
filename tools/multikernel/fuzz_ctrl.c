// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the host's readers of an instance's control area, on
 * arbitrary bytes (model/ctrl_console.c, model/ctrl_crash.c).
 *
 * The first byte chooses the reader.
 *
 * Console: the rest, four bytes at a time, are output heads the instance
 * publishes, and one in eight is also a tail of its input ring. Each
 * drain must move at most the ring's size, advance the log by what it
 * moved, leave the log's newest bytes equal to the ring's newest, and
 * catch up with the head.
 *
 * Crash: the next bytes give the instance's CPU count, the dump
 * generation and its memory (an odd generation adds memory above the
 * control area, as a resize does); then records of an offset, a length and
 * bytes are written over the crash info, VMCOREINFO and CPU slots. The
 * core's headers must fit the size the plan gave, parse as ELF, hold a
 * note for each CPU that counts and PT_LOADs only within the instance's
 * memory. Scribbling over the control area after the plan is read must
 * not change the headers: nothing is read twice.
 */

#include <assert.h>
#include <sys/procfs.h>

#include "ctrl.h"

/* The ELF core's NT_PRSTATUS as this libc knows it: the shared offsets. */
static_assert(sizeof(struct elf_prstatus) == MK_PRSTATUS_BYTES, "prstatus");
static_assert(offsetof(struct elf_prstatus, pr_pid) == MK_PRSTATUS_PID, "pid");
static_assert(offsetof(struct elf_prstatus, pr_reg) == MK_PRSTATUS_REGS, "reg");

#define F_AREA	(MK_CTRL_CRASH_CPUS + MK_BOOT_MAX_CPUS * MK_CRASH_CPU_BYTES)

static u32 f_u32(const uint8_t **data, size_t *size)
{
	u32 v = 0;

	if (*size >= 4) {
		memcpy(&v, *data, 4);
		*data += 4;
		*size -= 4;
	}
	return v;
}

static void fuzz_console(const uint8_t *data, size_t size)
{
	static u8 log[MK_CONS_LOG_BYTES], ring[MK_CONS_OUT_BYTES];
	u64 log_head = 0, before;
	u32 tail = 0, head, n, i, k, room;

	if (!ring[1])
		for (i = 0; i < MK_CONS_OUT_BYTES; i++)
			ring[i] = i * 7 + (i >> 8);
	for (i = 0; size >= 4; i++) {
		head = f_u32(&data, &size);
		before = log_head;
		n = mk_cons_out_take(log, &log_head, &tail, ring, head);
		if (n > MK_CONS_OUT_BYTES || log_head != before + n || tail != head)
			abort();
		for (k = 1; k <= n && k <= 64; k++)
			if (log[(log_head - k) % MK_CONS_LOG_BYTES] !=
			    ring[(head - k) % MK_CONS_OUT_BYTES])
				abort();
		if (i % 8 == 7) {
			room = mk_cons_in_room(head, f_u32(&data, &size));
			if (room > MK_CONS_IN_BYTES)
				abort();
		}
	}
}

/* Records of a 16-bit offset, a length byte and that many bytes. */
static void f_scribble(u8 *area, const uint8_t *data, size_t size)
{
	u32 off, len;

	while (size >= 3) {
		off = MK_CTRL_CRASH + (data[0] | data[1] << 8) % (F_AREA - MK_CTRL_CRASH);
		len = min_t(u32, data[2], size - 3);
		len = min_t(u32, len, F_AREA - off);
		memcpy(area + off, data + 3, len);
		data += 3 + len;
		size -= 3 + len;
	}
}

static bool f_note_ok(const u8 *hdr, u64 off, u64 bytes, u32 *cores,
		      const struct mk_core_plan *p)
{
	const struct elf64_note *n;
	u64 end = off + bytes, name, desc;

	while (off < end) {
		if (end - off < sizeof(*n))
			return false;
		n = (const struct elf64_note *)(hdr + off);
		name = ALIGN((u64)n->n_namesz, 4);
		desc = ALIGN((u64)n->n_descsz, 4);
		if (end - off - sizeof(*n) < name + desc)
			return false;
		if (n->n_type == NT_PRSTATUS && n->n_descsz == MK_PRSTATUS_BYTES)
			(*cores)++;
		else if (n->n_descsz != p->vmci_bytes ||
			 memcmp(hdr + off + sizeof(*n) + name, p->vmci, p->vmci_bytes))
			return false;
		off += sizeof(*n) + name + desc;
	}
	return true;
}

/*
 * Whether a PT_LOAD lies in the memory [@phys, @phys + @bytes), which is
 * at @at in the core's memory, and its file offset says so.
 */
static bool f_load_in(const struct elf64_phdr *ph, size_t hdr_bytes, u64 phys,
		      u64 bytes, u64 at)
{
	return ph->p_paddr >= phys && ph->p_filesz <= bytes &&
	       ph->p_paddr - phys <= bytes - ph->p_filesz &&
	       ph->p_offset - hdr_bytes == at + (ph->p_paddr - phys);
}

/* Parse the headers back as a debugger would, and check every part. */
static void f_check_core(const u8 *hdr, size_t hdr_bytes,
			 const struct mk_core_plan *p, u32 phnum)
{
	const struct elf64_hdr *eh = (const struct elf64_hdr *)hdr;
	const struct elf64_phdr *ph = (const struct elf64_phdr *)(hdr + eh->e_phoff);
	u32 i, cores = 0, notes = 0;

	if (hdr_bytes % MK_CORE_PAGE || hdr_bytes > 16 * MK_CORE_PAGE ||
	    memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_phnum != phnum ||
	    eh->e_phoff + (u64)phnum * sizeof(*ph) > hdr_bytes)
		abort();
	for (i = 0; i < phnum; i++) {
		if (ph[i].p_type == PT_NOTE) {
			if (ph[i].p_offset + ph[i].p_filesz > hdr_bytes ||
			    !f_note_ok(hdr, ph[i].p_offset, ph[i].p_filesz, &cores, p))
				abort();
			notes++;
			continue;
		}
		if (ph[i].p_type != PT_LOAD || ph[i].p_offset < hdr_bytes ||
		    (!f_load_in(&ph[i], hdr_bytes, p->mem_phys, p->mem_bytes, 0) &&
		     !f_load_in(&ph[i], hdr_bytes, p->mem2_phys, p->mem2_bytes,
				p->mem_bytes)))
			abort();
	}
	if (notes != 1 || cores != p->nvalid || p->nvalid > p->ncpus)
		abort();
}

/* The host's CRASHTIME replaces the instance's, once, within the text. */
static void f_check_crashtime(struct mk_core_plan *p, u32 secs)
{
	u32 before = p->vmci_bytes, i, seen = 0;
	char want[32];

	mk_core_plan_crashtime(p, secs);
	snprintf(want, sizeof(want), "CRASHTIME=%u\n", secs);
	if (p->vmci_bytes > MK_VMCOREINFO_MAX || (!before && p->vmci_bytes))
		abort();
	for (i = 0; i + 10 <= p->vmci_bytes; i++) {
		if ((i && p->vmci[i - 1] != '\n') ||
		    memcmp(p->vmci + i, "CRASHTIME=", 10))
			continue;
		if (seen++ || i + strlen(want) != p->vmci_bytes ||
		    memcmp(p->vmci + i, want, strlen(want)))
			abort();
	}
}

static void fuzz_crash(const uint8_t *data, size_t size)
{
	struct mk_core_plan *p = calloc(1, sizeof(*p));
	u8 *area = calloc(1, F_AREA), *hdr = NULL, *again = NULL;
	size_t hdr_bytes;
	u32 gen, phnum;

	if (!p || !area)
		goto out;
	p->ncpus = (size ? data[0] : 0) % (MK_BOOT_MAX_CPUS + 2);
	if (size) {
		data++;
		size--;
	}
	gen = f_u32(&data, &size);
	p->mem_phys = (u64)f_u32(&data, &size) << 12;
	p->mem_bytes = (u64)f_u32(&data, &size) << 12;
	if (gen & 1) {
		/* Memory a resize added, above the control area. */
		p->mem2_phys = p->mem_phys + p->mem_bytes + (1 << 20);
		p->mem2_bytes = (u64)(gen >> 16) << 20;
	}
	f_scribble(area, data, size);

	mk_core_plan_read(p, area, gen);
	f_check_crashtime(p, gen);
	hdr_bytes = mk_core_hdr_bytes(p);
	hdr = malloc(hdr_bytes);
	again = malloc(hdr_bytes);
	if (!hdr || !again)
		goto out;
	phnum = mk_core_hdr_write(p, hdr, EM_X86_64);
	f_check_core(hdr, hdr_bytes, p, phnum);

	memset(area + MK_CTRL_CRASH, 0xa5, F_AREA - MK_CTRL_CRASH);
	if (mk_core_hdr_bytes(p) != hdr_bytes ||
	    mk_core_hdr_write(p, again, EM_X86_64) != phnum ||
	    memcmp(hdr, again, hdr_bytes))
		abort();
out:
	free(again);
	free(hdr);
	free(area);
	free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	if (data[0] & 1)
		fuzz_console(data + 1, size - 1);
	else
		fuzz_crash(data + 1, size - 1);
	return 0;
}
