/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host's readers of an instance's control area: the console rings'
 * heads, and the crash info and crash CPUs a vmcore is made of.
 *
 * Everything in the control area is written by the instance and is
 * untrusted. These readers take it once into a local copy, bound every
 * size and address by what the layout and the instance's memory allow,
 * and act on the copy only. They are shared with user space (port.h), so
 * that tools/multikernel/fuzz_ctrl.c runs them on arbitrary bytes.
 */
#ifndef _MULTIKERNEL_CTRL_H
#define _MULTIKERNEL_CTRL_H

#include "port.h"

#include <linux/elf.h>
#include <linux/multikernel_boot.h>

/* The host's copy of an instance's console output: a ring of the newest. */
#define MK_CONS_LOG_BYTES	(128 * 1024)

u32 mk_cons_out_take(u8 *log, u64 *log_head, u32 *tail, const u8 *ring,
		     u32 head);
u32 mk_cons_in_room(u32 head, u32 tail);

/*
 * NT_PRSTATUS on x86_64 as an ELF core carries it (struct elf_prstatus):
 * the size, and where the pid and the registers go. Both builds check it
 * against their own struct elf_prstatus.
 */
#define MK_PRSTATUS_BYTES	336
#define MK_PRSTATUS_PID		32
#define MK_PRSTATUS_REGS	112
/* The instance's page size: of its stack pages, and the cores' alignment. */
#define MK_CORE_PAGE		4096

/**
 * struct mk_core_plan - what an instance's vmcore is made of, checked
 * @mem_phys: the instance's memory, below its control area: set by the
 *	caller
 * @mem_bytes: ... its size
 * @mem2_phys: what a resize added above the control area, whose bytes
 *	follow @mem_bytes in the core: set by the caller
 * @mem2_bytes: ... its size, or 0
 * @ncpus: the instance's CPUs as the host counts them: set by the caller
 * @info: the instance's crash info, as read once
 * @have_info: @info had MK_CRASH_MAGIC
 * @nvalid: CPUs whose registers go into the core
 * @order: their indexes, the panicking CPU first
 * @cpu: each CPU's slot, as read once
 * @vmci_bytes: bytes of VMCOREINFO text kept
 * @vmci: the text, as read once
 */
struct mk_core_plan {
	u64 mem_phys;
	u64 mem_bytes;
	u64 mem2_phys;
	u64 mem2_bytes;
	u32 ncpus;
	struct mk_crash_info info;
	bool have_info;
	u32 nvalid;
	u32 order[MK_BOOT_MAX_CPUS];
	struct mk_crash_cpu cpu[MK_BOOT_MAX_CPUS];
	u32 vmci_bytes;
	u8 vmci[MK_VMCOREINFO_MAX];
};

void mk_core_plan_read(struct mk_core_plan *p, const void *ctrl, u32 gen);
void mk_core_plan_crashtime(struct mk_core_plan *p, s64 secs);
size_t mk_core_hdr_bytes(const struct mk_core_plan *p);
u32 mk_core_hdr_write(const struct mk_core_plan *p, void *hdr, u16 machine);

#endif /* _MULTIKERNEL_CTRL_H */
