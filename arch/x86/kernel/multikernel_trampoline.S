/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where a multikernel instance's boot CPU starts: after INIT and a
 * STARTUP IPI it runs this in real mode at the page the vector names, the
 * host's one start page below 1 MiB. It goes through 32-bit protected
 * mode to long mode on the start area's stage-1 tables, which map only
 * the first 2 MiB, then loads the stage-2 tables the host built in the
 * instance's control area and jumps to the stub there, out of the start
 * area for good. The stub enters the kernel's 64-bit entry as the boot
 * protocol wants it (Documentation/arch/x86/boot.rst): paging on, the
 * kernel, its init_size, boot_params and the command line mapped 1:1, a
 * GDT with flat __BOOT_CS and __BOOT_DS, interrupts off, %rsi =
 * boot_params. So the kernel, and everything it is given, may lie
 * anywhere in memory, and the start page is free again once the stub
 * says it left.
 *
 * It is data to the kernel that holds it, copied per start, so it sits in
 * .rodata and uses only offsets from its own start.
 */

#include <asm/msr-index.h>
#include <asm/page_types.h>
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
	ljmpl	*MK_TRAMP_FAR32

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
	movl	$X86_CR4_PAE, %eax
	movl	%eax, %cr4
	movl	MK_TRAMP_PML4(%ebx), %eax
	movl	%eax, %cr3
	movl	$MSR_EFER, %ecx
	rdmsr
	btsl	$_EFER_LME, %eax
	wrmsr
	/* Paging on, and the caches that INIT left disabled on too. */
	movl	$CR0_STATE, %eax
	movl	%eax, %cr0
	ljmpl	*MK_TRAMP_FAR64(%ebx)

	.code64
	.globl	mk_trampoline_long
mk_trampoline_long:
	movl	%ebx, %ebx		/* the upper half is undefined */
	movl	$MK_TRAMP_STAGE_LONG, MK_TRAMP_STAGE(%rbx)
	movq	MK_TRAMP_ENTRY(%rbx), %rax
	movq	MK_TRAMP_BOOT_PARAMS(%rbx), %rsi
	movq	MK_TRAMP_STUB(%rbx), %rdx
	movq	MK_TRAMP_CR3(%rbx), %rcx
	leaq	MK_TRAMP_STAGE(%rbx), %rdi
	movq	%rcx, %cr3
	jmpq	*%rdx

	.org	mk_trampoline + MK_TRAMP_GDT
	.quad	0
	.quad	0x00cf9a000000ffff	/* MK_TRAMP_CS32: flat 4 GiB code */
	.quad	0x00af9a000000ffff	/* __BOOT_CS: 64-bit code */
	.quad	0x00cf92000000ffff	/* __BOOT_DS: flat 4 GiB data */
	.org	mk_trampoline + MK_TRAMP_END
mk_trampoline_end:

/*
 * The stub, in the instance's control area, on the stage-2 tables: %rax
 * is the kernel's entry, %rsi boot_params, %rdi the start page's stage
 * word. It loads a GDT of its own, so that nothing the CPU uses is left
 * in the start area, and only then says that it left.
 */
	.balign	16
	.globl	mk_stub
	.globl	mk_stub_end
mk_stub:
.Lstub:
	lgdt	.Lstub + MK_STUB_GDT_DESC(%rip)
	movl	$__BOOT_DS, %ecx
	movl	%ecx, %ds
	movl	%ecx, %es
	movl	%ecx, %fs
	movl	%ecx, %gs
	movl	%ecx, %ss
	leaq	.Lstub + PAGE_SIZE(%rip), %rsp
	pushq	$__BOOT_CS
	leaq	1f(%rip), %rcx
	pushq	%rcx
	lretq
1:	movl	$MK_TRAMP_STAGE_KERNEL, (%rdi)
	xorl	%ebx, %ebx
	xorl	%ecx, %ecx
	xorl	%edx, %edx
	xorl	%edi, %edi
	xorl	%ebp, %ebp
	jmpq	*%rax

	.org	mk_stub + MK_STUB_GDT
	.quad	0
	.quad	0
	.quad	0x00af9a000000ffff	/* __BOOT_CS: 64-bit code */
	.quad	0x00cf92000000ffff	/* __BOOT_DS: flat 4 GiB data */
	.org	mk_stub + MK_STUB_END
mk_stub_end:

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
