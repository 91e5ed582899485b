/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The page an instance's boot CPU starts in, below 1 MiB: the trampoline
 * code of multikernel_trampoline.S and the words the host fills in before
 * the STARTUP IPI. Host code on both sides, so one build; the offsets are
 * fixed all the same, as the assembly places its fields with .org.
 */
#ifndef _X86_MULTIKERNEL_TRAMPOLINE_H
#define _X86_MULTIKERNEL_TRAMPOLINE_H

#define MK_TRAMP_GDT		0x100	/* 4 descriptors: null, null, CS, DS */
#define MK_TRAMP_GDT_DESC	0x120	/* u16 limit, u32 base: host writes */
#define MK_TRAMP_FAR_PTR	0x128	/* u32 offset, u16 selector: host */
#define MK_TRAMP_ENTRY		0x130	/* u32: the kernel's 32-bit entry */
#define MK_TRAMP_BOOT_PARAMS	0x134	/* u32: boot_params for %esi */
#define MK_TRAMP_STAGE		0x138	/* u32: how far the CPU got */
#define MK_TRAMP_END		0x140

/*
 * The check-in page: after INIT, a stopped CPU is sent here, writes that
 * it came, and halts, so that the host sees it stopped.
 */
#define MK_PARK_CHECKIN		0x40	/* u32: MK_PARK_CHECKIN_MAGIC | APIC ID */
#define MK_PARK_TSC		0x48	/* u64: its TSC, read before the check-in */
#define MK_PARK_END		0x50
#define MK_PARK_CHECKIN_MAGIC	0x4d4b0000	/* low byte: initial APIC ID */

/* MK_TRAMP_STAGE values, as the CPU writes them. */
#define MK_TRAMP_STAGE_REAL	0x4d4b0001	/* running in real mode */
#define MK_TRAMP_STAGE_PROT	0x4d4b0002	/* jumping to the kernel */

#ifndef __ASSEMBLER__
#include <linux/types.h>

/* The code and its parts, in .rodata: copied, never run in place. */
extern const u8 mk_trampoline[], mk_trampoline_prot[], mk_trampoline_end[];
extern const u8 mk_park[], mk_park_end[];
#endif

#endif /* _X86_MULTIKERNEL_TRAMPOLINE_H */
