// SPDX-License-Identifier: GPL-2.0
/*
 * What a multikernel instance leaves for the host to build its vmcore
 * from, x86: the place of its kernel, its VMCOREINFO, and each CPU's
 * registers in the control area (<linux/multikernel_boot.h>).
 *
 * The host cannot read another kernel's CPU registers, and INIT, which
 * stops a CPU, loses them. So each CPU saves its own:
 *  - at a panic, the panicking CPU in a panic notifier, the last one, in
 *    which it parks so that its stack stays as the registers say, and
 *    the others from an NMI that it sends them before panic() stops them;
 *  - when the host finds the instance hung, from an NMI that the host
 *    sends each CPU after it wrote a new dump generation. An NMI is taken
 *    with interrupts off and in spinlocks, so this works for a kernel
 *    that no longer answers anything else.
 *
 * crash_save_cpu() would do this with CONFIG_CRASH_DUMP, which brings
 * kexec along; an instance needs neither, only VMCOREINFO.
 */

#include <linux/console.h>
#include <linux/delay.h>
#include <linux/init.h>
#include <linux/multikernel_boot.h>
#include <linux/notifier.h>
#include <linux/panic.h>
#include <linux/panic_notifier.h>
#include <linux/sched.h>
#include <linux/sched/task_stack.h>
#include <linux/vmcore_info.h>

#include <asm/apic.h>
#include <asm/irqflags.h>
#include <asm/segment.h>
#include <asm/nmi.h>
#include <asm/pgtable.h>
#include <asm/sections.h>
#include <asm/smp.h>

static struct mk_crash_info *mk_crash;	/* in the control area */
static void *mk_crash_cpus;
static bool mk_crash_panicking;
static DEFINE_PER_CPU(u32, mk_crash_gen);	/* the last dump answered */
static void (*mk_stop_other_cpus)(int wait);

#define MK_CRASH_NMI_WAIT_MS	100

static struct mk_crash_cpu *mk_crash_slot(void)
{
	int i = mk_instance_cpu_index(read_apic_id());

	return i < 0 ? NULL : mk_crash_cpus + i * MK_CRASH_CPU_BYTES;
}

/* The physical address of a kernel virtual address, 0 if unmapped. */
static u64 mk_crash_phys(unsigned long va)
{
	unsigned int level;
	pte_t *pte = lookup_address(va, &level);

	if (!pte || !pte_present(*pte))
		return 0;
	return ((u64)pte_pfn(*pte) << PAGE_SHIFT) |
	       (va & ~page_level_mask(level));
}

/* The pages of the stack @sp points into, so a debugger can unwind it. */
static void mk_crash_stack(struct mk_crash_cpu *slot, unsigned long sp)
{
	unsigned long base = sp & ~(THREAD_SIZE - 1);
	unsigned int i;

	slot->stack_virt = cpu_to_le64(base);
	for (i = 0; i < MK_CRASH_STACK_PAGES; i++)
		slot->stack_phys[i] = cpu_to_le64(i * PAGE_SIZE < THREAD_SIZE ?
				mk_crash_phys(base + i * PAGE_SIZE) : 0);
}

/* In the order of an ELF core's elf_gregset_t on x86_64. */
static void mk_crash_save(const struct pt_regs *r, u32 state, u32 gen)
{
	struct mk_crash_cpu *slot = mk_crash_slot();
	u64 regs[MK_CRASH_NR_REGS] = {
		r->r15, r->r14, r->r13, r->r12, r->bp, r->bx, r->r11, r->r10,
		r->r9, r->r8, r->ax, r->cx, r->dx, r->si, r->di, r->orig_ax,
		r->ip, r->cs, r->flags, r->sp, r->ss,
	};
	unsigned int i;

	if (!slot)
		return;
	for (i = 0; i < MK_CRASH_NR_REGS; i++)
		slot->regs[i] = cpu_to_le64(regs[i]);
	slot->pid = cpu_to_le32(task_pid_nr(current));
	slot->apic_id = cpu_to_le32(read_apic_id());
	slot->gen = cpu_to_le32(gen);
	mk_crash_stack(slot, r->sp);
	smp_wmb();	/* the host reads the state first */
	WRITE_ONCE(slot->state, cpu_to_le32(state));
}

/*
 * An NMI: save the registers if the host asked for a new dump, or if
 * this kernel panics; leave other NMIs to their handlers.
 */
static int mk_crash_nmi(unsigned int cmd, struct pt_regs *regs)
{
	u32 gen = le32_to_cpu(READ_ONCE(mk_crash->dump_gen));

	if (READ_ONCE(mk_crash_panicking)) {
		if (this_cpu_read(mk_crash_gen) == ~0U)
			return NMI_DONE;
		gen = ~0U;
	} else if (gen == this_cpu_read(mk_crash_gen)) {
		return NMI_DONE;
	}
	this_cpu_write(mk_crash_gen, gen);
	mk_crash_save(regs, MK_CRASH_CPU_NMI, gen == ~0U ? 0 : gen);
	return NMI_HANDLED;
}

static struct mk_crash_cpu *mk_crash_slot_of(int cpu)
{
	int i = mk_instance_cpu_index(cpu_physical_id(cpu));

	return i < 0 ? NULL : mk_crash_cpus + i * MK_CRASH_CPU_BYTES;
}

static bool mk_crash_saved(int cpu)
{
	struct mk_crash_cpu *slot = mk_crash_slot_of(cpu);

	return !slot || READ_ONCE(slot->state) != 0;
}

/*
 * panic() stops the other CPUs before it runs the notifiers: first make
 * each save its registers from an NMI, sent by mask as every IPI here.
 */
static void mk_crash_stop_other_cpus(int wait)
{
	unsigned int this_cpu = smp_processor_id(), cpu, ms;
	bool all;

	if (panic_in_progress() && !READ_ONCE(mk_crash_panicking)) {
		/* What an earlier dump of the host left is not this panic's. */
		for_each_online_cpu(cpu)
			if (cpu != this_cpu && mk_crash_slot_of(cpu))
				WRITE_ONCE(mk_crash_slot_of(cpu)->state, 0);
		WRITE_ONCE(mk_crash_panicking, true);
		for_each_online_cpu(cpu)
			if (cpu != this_cpu)
				__apic_send_IPI(cpu, NMI_VECTOR);
		for (ms = 0; ms < MK_CRASH_NMI_WAIT_MS; ms++) {
			all = true;
			for_each_online_cpu(cpu)
				all = all && (cpu == this_cpu || mk_crash_saved(cpu));
			if (all)
				break;
			mdelay(1);
		}
	}
	mk_stop_other_cpus(wait);
}

/* Write VMCOREINFO where the host reads it, saying if it was cut. */
static void mk_crash_vmcoreinfo(void)
{
	u32 n = min_t(size_t, vmcoreinfo_size, MK_VMCOREINFO_MAX);

	memcpy((void *)mk_crash + (MK_CTRL_VMCOREINFO - MK_CTRL_CRASH),
	       vmcoreinfo_data, n);
	mk_crash->vmcoreinfo_full = cpu_to_le32(vmcoreinfo_size);
	smp_wmb();	/* the text before its size */
	WRITE_ONCE(mk_crash->vmcoreinfo_bytes, cpu_to_le32(n));
}

/*
 * The registers of the caller as they are when this returns to it: a
 * point its unwind information describes, for a debugger to unwind from.
 * The callee-saved registers are read first thing, before this function
 * can change them; the others mean nothing after a call, and stay 0.
 * Only one CPU panics, so the registers can be static: objtool would take
 * stores of callee-saved registers into the frame for saves of its own.
 */
static noinline void mk_crash_caller(struct pt_regs *r)
{
	unsigned long *frame = __builtin_frame_address(0);

	asm volatile("movq %%rbx,%0" : "=m"(r->bx));
	asm volatile("movq %%r12,%0" : "=m"(r->r12));
	asm volatile("movq %%r13,%0" : "=m"(r->r13));
	asm volatile("movq %%r14,%0" : "=m"(r->r14));
	asm volatile("movq %%r15,%0" : "=m"(r->r15));
	/* The frame holds the caller's %rbp, then the return address. */
	r->bp = frame[0];
	r->ip = (unsigned long)__builtin_return_address(0);
	r->sp = (unsigned long)(frame + 2);
	r->ss = __KERNEL_DS;
	r->cs = __KERNEL_CS;
	r->flags = native_save_fl();
}

static struct pt_regs mk_crash_regs;

/*
 * The panicking CPU, after the other notifiers: its registers, the final
 * VMCOREINFO, the console, then park here. Returning would let panic()
 * call on into the stack below, where the frames the registers point to
 * are; the host stops this CPU with INIT once it has the vmcore.
 */
static int mk_crash_panic(struct notifier_block *nb, unsigned long ev,
			  void *buf)
{
	mk_crash_caller(&mk_crash_regs);
	mk_crash_save(&mk_crash_regs, MK_CRASH_CPU_PANIC, 0);
	mk_crash->panic_cpu = cpu_to_le32(mk_instance_cpu_index(read_apic_id()));
	crash_save_vmcoreinfo();
	mk_crash_vmcoreinfo();
	console_flush_on_panic(CONSOLE_FLUSH_PENDING);
	mk_instance_report_park(MK_PARK_PANIC);
	local_irq_disable();
	for (;;)
		native_halt();
	return NOTIFY_DONE;
}

static struct notifier_block mk_crash_panic_nb = {
	.notifier_call = mk_crash_panic,
	.priority = INT_MIN,	/* the last: it does not return */
};

/**
 * mk_instance_crash_init - publish what the host needs for a vmcore
 * @ctrl: the control area
 *
 * Called once the control area is mapped and VMCOREINFO is complete.
 */
void __init mk_instance_crash_init(void *ctrl)
{
	mk_crash = ctrl + MK_CTRL_CRASH;
	mk_crash_cpus = ctrl + MK_CTRL_CRASH_CPUS;
	mk_crash->version = cpu_to_le32(MK_CRASH_VERSION);
	mk_crash->panic_cpu = cpu_to_le32(~0U);
	mk_crash->text_virt = cpu_to_le64((unsigned long)_text);
	mk_crash->text_phys = cpu_to_le64(__pa_symbol(_text));
	mk_crash->text_bytes = cpu_to_le64(_end - _text);
	mk_crash->page_offset = cpu_to_le64(PAGE_OFFSET);
	mk_crash_vmcoreinfo();
	if (register_nmi_handler(NMI_LOCAL, mk_crash_nmi, 0, "multikernel"))
		pr_warn("multikernel: no NMI handler: no registers in a vmcore of a hang\n");
	mk_stop_other_cpus = smp_ops.stop_other_cpus;
	smp_ops.stop_other_cpus = mk_crash_stop_other_cpus;
	atomic_notifier_chain_register(&panic_notifier_list, &mk_crash_panic_nb);
	smp_wmb();	/* all of it before the magic */
	WRITE_ONCE(mk_crash->magic, cpu_to_le32(MK_CRASH_MAGIC));
}
