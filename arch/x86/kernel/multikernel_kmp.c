// SPDX-License-Identifier: GPL-2.0
/*
 * The x86 KMP doorbell: the platform IPI vector, sent by physical APIC ID.
 *
 * Every kernel on the machine installs the same handler on the same
 * vector, so a kernel can ring a CPU of another one by writing that CPU's
 * APIC ID to its own local APIC; the shared APIC bus carries it. Nothing
 * else uses the vector unless the kernel runs on Hyper-V or is a UV
 * system, and then the vector stays theirs and KMP falls back.
 */

#include <linux/irqflags.h>
#include <linux/multikernel_kmp.h>
#include <linux/smp.h>

#include <asm/apic.h>
#include <asm/irq.h>
#include <asm/irq_vectors.h>

static void (*kmp_ipi_handler)(void);

bool arch_kmp_doorbell_claim(void (*handler)(void))
{
	if (cmpxchg(&x86_platform_ipi_callback, NULL, handler))
		return false;
	kmp_ipi_handler = handler;
	return true;
}

/* Hyper-V's VMBus takes the vector over when it comes up after us. */
bool arch_kmp_doorbell_ready(void)
{
	return kmp_ipi_handler &&
	       READ_ONCE(x86_platform_ipi_callback) == kmp_ipi_handler;
}

/*
 * A fixed-delivery IPI to one physical destination. The ICR is written
 * with interrupts off, as the APIC's own senders do, so that an interrupt
 * handler's IPI cannot land between the destination and the command.
 */
void arch_kmp_doorbell_send(u32 apicid)
{
	unsigned long flags;

	local_irq_save(flags);
	apic_wait_icr_idle();
	apic_icr_write(APIC_DM_FIXED | APIC_DEST_PHYSICAL |
		       X86_PLATFORM_IPI_VECTOR, apicid);
	local_irq_restore(flags);
}

u32 arch_kmp_cpu_phys_id(int cpu)
{
	return cpu_physical_id(cpu);
}

const char *arch_kmp_doorbell_name(void)
{
	return "x86-platform-ipi";
}
