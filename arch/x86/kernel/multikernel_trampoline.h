/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pages an instance's boot CPU starts in: the host's start area below
 * 1 MiB, one for all instances, and a stub page in the instance's own
 * control area. Host code on both sides, so one build; the offsets are
 * fixed all the same, as the assembly places its fields with .org.
 *
 * The start area, MK_START_BYTES:
 *   page 0  the trampoline and the words the host fills in per start
 *   page 1  the check-in page of a CPU being stopped
 *   page 2  stage-1 PML4, page 3 its PDPT, page 4 its PD: the first
 *           2 MiB mapped 1:1, all a CPU needs to reach long mode
 */
#ifndef _X86_MULTIKERNEL_TRAMPOLINE_H
#define _X86_MULTIKERNEL_TRAMPOLINE_H

#define MK_START_PAGES		5
#define MK_START_PARK		1	/* page numbers within the area */
#define MK_START_PML4		2
#define MK_START_PDPT		3
#define MK_START_PD		4

#define MK_TRAMP_GDT		0x100	/* null, CS32, __BOOT_CS (64), __BOOT_DS */
#define MK_TRAMP_GDT_DESC	0x120	/* u16 limit, u32 base: host writes */
#define MK_TRAMP_FAR32		0x128	/* u32 offset, u16 selector: host */
#define MK_TRAMP_FAR64		0x130	/* u32 offset, u16 selector: host */
#define MK_TRAMP_STAGE		0x138	/* u32: how far the CPU got */
#define MK_TRAMP_PML4		0x13c	/* u32: stage-1 CR3 */
#define MK_TRAMP_CR3		0x140	/* u64: stage-2 CR3, in the instance */
#define MK_TRAMP_STUB		0x148	/* u64: the stub, in the instance */
#define MK_TRAMP_ENTRY		0x150	/* u64: the kernel's 64-bit entry */
#define MK_TRAMP_BOOT_PARAMS	0x158	/* u64: boot_params for %rsi */
#define MK_TRAMP_END		0x160

#define MK_TRAMP_CS32		0x08

/*
 * The stub page, at MK_CTRL_START of the instance's control area: code
 * that leaves the start area for good, then its GDT and a small stack.
 * The stage-2 page tables follow it, MK_STUB_PT_PAGES at most.
 */
#define MK_STUB_GDT		0x80	/* null, null, __BOOT_CS, __BOOT_DS */
#define MK_STUB_GDT_DESC	0xa0	/* u16 limit, u64 base: host writes */
#define MK_STUB_END		0xb0
#define MK_STUB_PT_PAGES	11

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
#define MK_TRAMP_STAGE_PROT	0x4d4b0002	/* in 32-bit protected mode */
#define MK_TRAMP_STAGE_LONG	0x4d4b0003	/* in long mode, stage-1 tables */
#define MK_TRAMP_STAGE_KERNEL	0x4d4b0004	/* out of the area, to the kernel */

#ifndef __ASSEMBLER__
#include <linux/types.h>

/* The code and its parts, in .rodata: copied, never run in place. */
extern const u8 mk_trampoline[], mk_trampoline_prot[], mk_trampoline_long[];
extern const u8 mk_trampoline_end[];
extern const u8 mk_stub[], mk_stub_end[];
extern const u8 mk_park[], mk_park_end[];
#endif

#endif /* _X86_MULTIKERNEL_TRAMPOLINE_H */
