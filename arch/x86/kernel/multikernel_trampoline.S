/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where a multikernel instance's boot CPU starts: after INIT and a
 * STARTUP IPI it runs this in real mode at the page the vector names. It
 * enters flat 32-bit protected mode and jumps to the instance kernel's
 * 32-bit entry as the boot protocol wants it (Documentation/arch/x86/
 * boot.rst): paging and interrupts off, %cs = __BOOT_CS, the data
 * segments __BOOT_DS, %esi = boot_params. The kernel builds its own page
 * tables and GDT from there; INIT has left CR0, CR4 and EFER at reset.
 *
 * It is data to the kernel that holds it, copied to a low page per start,
 * so it sits in .rodata and uses only offsets from its own start.
 */

#include <asm/processor-flags.h>
#include <asm/segment.h>
#include "multikernel_trampoline.h"

	.section .rodata, "a"
	.balign	16
	.globl	mk_trampoline
	.globl	mk_trampoline_end
mk_trampoline:
	.code16
	cli
	cld
	movw	%cs, %ax
	movw	%ax, %ds
	movzwl	%ax, %ebx
	shll	$4, %ebx		/* the page's physical address */
	movl	$MK_TRAMP_STAGE_REAL, MK_TRAMP_STAGE
	lgdtl	MK_TRAMP_GDT_DESC
	movl	%cr0, %eax
	orl	$X86_CR0_PE, %eax
	movl	%eax, %cr0
	ljmpl	*MK_TRAMP_FAR_PTR

	.code32
	.globl	mk_trampoline_prot
mk_trampoline_prot:
	movl	$__BOOT_DS, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %fs
	movl	%eax, %gs
	movl	%eax, %ss
	movl	$MK_TRAMP_STAGE_PROT, MK_TRAMP_STAGE(%ebx)
	movl	MK_TRAMP_BOOT_PARAMS(%ebx), %esi
	movl	MK_TRAMP_ENTRY(%ebx), %eax
	xorl	%ebx, %ebx
	xorl	%ebp, %ebp
	xorl	%edi, %edi
	jmpl	*%eax

	.org	mk_trampoline + MK_TRAMP_GDT
	.quad	0
	.quad	0
	.quad	0x00cf9a000000ffff	/* __BOOT_CS: flat 4 GiB code */
	.quad	0x00cf92000000ffff	/* __BOOT_DS: flat 4 GiB data */
	.org	mk_trampoline + MK_TRAMP_END
mk_trampoline_end:

/*
 * Where a CPU of a stopped instance checks in: INIT stopped it, and a
 * STARTUP IPI brings it here, to the start of the page, in real mode. It
 * writes its TSC, then its initial APIC ID (CPUID leaf 1) with a magic,
 * and halts with interrupts off until the host sends INIT again. A CPU
 * that INIT did not stop never gets here, which is what the host looks
 * for; a TSC that the instance moved shows against the host's clock.
 */
	.balign	16
	.globl	mk_park
	.globl	mk_park_end
mk_park:
	.code16
	cli
	cld
	movw	%cs, %ax
	movw	%ax, %ds
	movl	$1, %eax
	cpuid
	shrl	$24, %ebx
	orl	$MK_PARK_CHECKIN_MAGIC, %ebx
	rdtsc
	movl	%eax, MK_PARK_TSC
	movl	%edx, MK_PARK_TSC + 4
	movl	%ebx, MK_PARK_CHECKIN
1:	hlt
	jmp	1b
	.org	mk_park + MK_PARK_END
mk_park_end:
