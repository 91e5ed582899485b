// SPDX-License-Identifier: GPL-2.0
/*
 * Starting and stopping a multikernel instance's CPUs, host side, x86.
 *
 * An instance's boot CPU is an ordinary CPU the host has taken offline.
 * The host starts it as it starts its own CPUs: INIT, then STARTUP IPIs
 * whose vector names a page below 1 MiB, where multikernel_trampoline.S
 * takes it to the kernel's 32-bit entry. INIT gives a CPU a defined state
 * whatever ran on it before, and INIT again stops it, even one spinning
 * with interrupts off; the host later onlines it with INIT and SIPI too.
 *
 * Memory below 1 MiB is all reserved once the host's own real-mode
 * trampoline is placed, so a few 32 KiB windows are set aside just before
 * that, one per running instance. Page 0 of a window is the trampoline;
 * the other pages are lent to the instance as RAM, so that its kernel has
 * low memory for its own real-mode trampoline and brings up its other
 * CPUs the stock way. The windows lie below 640 KiB, which every kernel
 * takes for RAM.
 */

#include <linux/bitmap.h>
#include <linux/cpuhotplug.h>
#include <linux/delay.h>
#include <linux/io.h>
#include <linux/memblock.h>
#include <linux/multikernel_boot.h>
#include <linux/mutex.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <linux/unaligned.h>

#include <asm/apic.h>
#include <asm/irq_vectors.h>
#include <asm/mpspec.h>
#include <asm/msr.h>
#include <asm/segment.h>
#include <asm/set_memory.h>
#include <asm/smp.h>
#include <asm/tsc.h>
#include <asm/x86_init.h>

#include "multikernel_trampoline.h"

#define MK_WINDOWS		4
#define MK_LOW_FLOOR		SZ_64K	/* kernels reserve what is below */
#define MK_LOW_CEILING		0x9f000	/* the EBDA and BIOS are above */

static phys_addr_t mk_low_base __ro_after_init;
static DECLARE_BITMAP(mk_low_used, MK_WINDOWS);
static DEFINE_MUTEX(mk_low_lock);
static void (*mk_realmode_reserve)(void) __initdata;

static void __init mk_reserve_low(void)
{
	mk_low_base = memblock_phys_alloc_range(MK_WINDOWS * MK_WINDOW_BYTES,
						PAGE_SIZE, MK_LOW_FLOOR,
						MK_LOW_CEILING);
	if (mk_low_base)
		pr_info("multikernel: %u low windows at %pa\n", MK_WINDOWS,
			&mk_low_base);
	else
		pr_warn("multikernel: no memory below 640 KiB; instances cannot start\n");
	mk_realmode_reserve();
}

/**
 * arch_mk_pool_reserve - set low memory aside for starting instances
 *
 * Called from the multikernel_pool= parameter, before the kernel places
 * its own real-mode trampoline and reserves what is left below 1 MiB.
 */
/* [phys, phys + bytes) of the direct map, as set_memory_*() take it. */
static int mk_direct_pages(u64 phys, u64 bytes, unsigned long *addr)
{
	if (!PAGE_ALIGNED(phys) || !PAGE_ALIGNED(bytes) ||
	    bytes >> PAGE_SHIFT > INT_MAX ||
	    PFN_DOWN(phys + bytes) > max_pfn_mapped)
		return -EINVAL;
	*addr = (unsigned long)__va(phys);
	return bytes >> PAGE_SHIFT;
}

/**
 * arch_mk_mem_hide - take memory lent to an instance out of the direct map
 * @phys: where it starts, page aligned
 * @bytes: its size, page aligned
 *
 * The pages are marked not present; large mappings are split. A host bug
 * that follows a stray pointer into them then faults.
 *
 * Return: 0, -EINVAL for a range the direct map does not cover, or the
 * error of set_memory_np().
 */
int arch_mk_mem_hide(u64 phys, u64 bytes)
{
	unsigned long addr;
	int pages = mk_direct_pages(phys, bytes, &addr);

	return pages < 0 ? pages : set_memory_np(addr, pages);
}

/**
 * arch_mk_mem_show - put memory an instance gave back into the direct map
 * @phys: as arch_mk_mem_hide() took it
 * @bytes: ... the same size
 *
 * Return: 0, or the error of set_memory_p().
 */
int arch_mk_mem_show(u64 phys, u64 bytes)
{
	unsigned long addr;
	int pages = mk_direct_pages(phys, bytes, &addr);

	return pages < 0 ? pages : set_memory_p(addr, pages);
}

/*
 * MSRs survive INIT. Linux's own bring-up of a CPU rewrites those it
 * depends on (PAT and the MTRRs, EFER, the syscall MSRs, SPEC_CTRL,
 * TSC_AUX; tsc_sync checks TSC_ADJUST; verify_cpu clears XD_DISABLE),
 * and the park stub has the TSC checked. Not the debug controls: branch
 * tracing or PEBS that an instance left on would have the CPU write
 * records, to an address the instance chose in IA32_DS_AREA, as soon as
 * the host runs on it. So a CPU that comes back from an instance has them
 * turned off as it comes online, before any host task runs there, and
 * what was found goes to the log. The host's own bits (bus-lock
 * detection, freeze in SMM) stay as bring-up set them.
 */
#define MK_DEBUGCTL_OFF	(DEBUGCTLMSR_LBR | DEBUGCTLMSR_BTF | DEBUGCTLMSR_TR | \
			 DEBUGCTLMSR_BTS | DEBUGCTLMSR_BTINT | \
			 DEBUGCTLMSR_FREEZE_LBRS_ON_PMI | \
			 DEBUGCTLMSR_FREEZE_PERFMON_ON_PMI)

static DEFINE_PER_CPU(bool, mk_cpu_from_instance);

/**
 * arch_mk_cpu_back - a CPU is about to come back from an instance
 * @cpu: the host's number for it
 *
 * Its debug controls are reset when it next comes online.
 */
void arch_mk_cpu_back(unsigned int cpu)
{
	per_cpu(mk_cpu_from_instance, cpu) = true;
}

/* Clear @off in @msr, if the CPU has it; say what was set. */
static void mk_msr_clear(unsigned int cpu, u32 msr, u64 off)
{
	u64 v;

	if (rdmsrl_safe(msr, &v) || !(v & off))
		return;
	if (wrmsrl_safe(msr, v & ~off))
		pr_err("multikernel: CPU %u: MSR %#x stays %#llx\n", cpu, msr, v);
	else
		pr_warn("multikernel: CPU %u came back with MSR %#x = %#llx; cleared %#llx\n",
			cpu, msr, v, v & off);
}

static int mk_cpu_online(unsigned int cpu)
{
	if (!this_cpu_read(mk_cpu_from_instance))
		return 0;
	this_cpu_write(mk_cpu_from_instance, false);
	mk_msr_clear(cpu, MSR_IA32_DEBUGCTLMSR, MK_DEBUGCTL_OFF);
	mk_msr_clear(cpu, MSR_IA32_PEBS_ENABLE, ~0ULL);
	return 0;
}

static int __init mk_cpu_back_init(void)
{
	int ret = cpuhp_setup_state_nocalls(CPUHP_AP_ONLINE_DYN,
					    "x86/multikernel:back",
					    mk_cpu_online, NULL);

	return ret < 0 ? ret : 0;
}
device_initcall(mk_cpu_back_init);

void __init arch_mk_pool_reserve(void)
{
	if (mk_realmode_reserve)
		return;
	mk_realmode_reserve = x86_platform.realmode_reserve;
	x86_platform.realmode_reserve = mk_reserve_low;
}

/**
 * arch_mk_window_get - take a low window for an instance to start from
 * @phys: its physical address
 *
 * Return: 0, or -ENOSPC when every window is in use or none was reserved.
 */
int arch_mk_window_get(u64 *phys)
{
	unsigned int i;

	if (!mk_low_base)
		return -ENOSPC;
	mutex_lock(&mk_low_lock);
	i = find_first_zero_bit(mk_low_used, MK_WINDOWS);
	if (i < MK_WINDOWS)
		__set_bit(i, mk_low_used);
	mutex_unlock(&mk_low_lock);
	if (i >= MK_WINDOWS)
		return -ENOSPC;
	*phys = mk_low_base + i * MK_WINDOW_BYTES;
	return 0;
}

/**
 * arch_mk_window_put - give a window back once its instance has stopped
 * @phys: what arch_mk_window_get() gave
 *
 * The instance had the window's pages as RAM: they are zeroed, as the
 * rest of its memory is, before another instance can have them.
 */
void arch_mk_window_put(u64 phys)
{
	unsigned int i = (phys - mk_low_base) / MK_WINDOW_BYTES;
	void *win;

	if (WARN_ON_ONCE(!mk_low_base || i >= MK_WINDOWS))
		return;
	win = memremap(phys, MK_WINDOW_BYTES, MEMREMAP_WB);
	if (win) {
		memset(win, 0, MK_WINDOW_BYTES);
		memunmap(win);
	}
	mutex_lock(&mk_low_lock);
	__clear_bit(i, mk_low_used);
	mutex_unlock(&mk_low_lock);
}

static void mk_put32(u8 *page, unsigned int off, u32 v)
{
	put_unaligned_le32(v, page + off);
}

/* The trampoline, with the words that depend on where it runs. */
static int mk_window_prepare(u64 window, u32 entry, u32 boot_params)
{
	size_t len = mk_trampoline_end - mk_trampoline;
	u8 *page;

	page = memremap(window, PAGE_SIZE, MEMREMAP_WB);
	if (!page)
		return -ENOMEM;
	memset(page, 0, PAGE_SIZE);
	memcpy(page, mk_trampoline, len);
	put_unaligned_le16(4 * 8 - 1, page + MK_TRAMP_GDT_DESC);
	mk_put32(page, MK_TRAMP_GDT_DESC + 2, window + MK_TRAMP_GDT);
	mk_put32(page, MK_TRAMP_FAR_PTR,
		 window + (mk_trampoline_prot - mk_trampoline));
	put_unaligned_le16(__BOOT_CS, page + MK_TRAMP_FAR_PTR + 4);
	mk_put32(page, MK_TRAMP_ENTRY, entry);
	mk_put32(page, MK_TRAMP_BOOT_PARAMS, boot_params);
	memunmap(page);
	return 0;
}

/*
 * INIT, assert then deassert, as the kernel's own bring-up sends it. The
 * ICR is written with interrupts off so that no IPI from an interrupt
 * handler lands between destination and command.
 */
static void mk_send_init(u32 apic_id)
{
	unsigned long flags;

	local_irq_save(flags);
	apic_icr_write(APIC_INT_LEVELTRIG | APIC_INT_ASSERT | APIC_DM_INIT,
		       apic_id);
	safe_apic_wait_icr_idle();
	local_irq_restore(flags);
	mdelay(10);
	local_irq_save(flags);
	apic_icr_write(APIC_INT_LEVELTRIG | APIC_DM_INIT, apic_id);
	safe_apic_wait_icr_idle();
	local_irq_restore(flags);
}

static void mk_send_startup(u32 apic_id, u64 page)
{
	unsigned long flags;

	local_irq_save(flags);
	apic_icr_write(APIC_DM_STARTUP | (page >> PAGE_SHIFT), apic_id);
	safe_apic_wait_icr_idle();
	local_irq_restore(flags);
}

/**
 * arch_mk_cpu_start - start an instance's boot CPU at its kernel
 * @apic_id: the CPU, offline in the host and out of its present mask
 * @window: the instance's low window, from arch_mk_window_get()
 * @entry: the kernel's 32-bit entry: where its protected-mode part is
 * @boot_params: the physical address of its boot_params
 *
 * Return: 0 once the STARTUP IPIs are sent; whether the CPU runs, the
 * caller learns from arch_mk_window_stage() and from the instance;
 * -EINVAL for a window that no STARTUP IPI can name.
 */
int arch_mk_cpu_start(u32 apic_id, u64 window, u32 entry, u32 boot_params)
{
	int i, err;

	if (window & ~PAGE_MASK || window >= SZ_1M)
		return -EINVAL;
	err = mk_window_prepare(window, entry, boot_params);
	if (err)
		return err;
	mk_send_init(apic_id);
	/* Two STARTUPs, as for any CPU: the first may be lost. */
	for (i = 0; i < 2; i++) {
		if (i && arch_mk_window_stage(window) != MK_TRAMP_NONE)
			break;
		mk_send_startup(apic_id, window);
		usleep_range(300, 400);
	}
	return 0;
}

/* How long a stopped CPU has to check in; TCG may be slow to start it. */
#define MK_CHECKIN_WAIT_US	200000
/* How far a stopped CPU's TSC may lie outside the host's reading, in us. */
#define MK_TSC_SLACK_US		1000

/* Whether the CPU wrote its check-in word within @us microseconds. */
static bool mk_checked_in(const u8 *page, u32 apic_id, unsigned int us)
{
	u32 want = MK_PARK_CHECKIN_MAGIC | (apic_id & 0xff);
	unsigned int t;

	for (t = 0; t < us; t += 100) {
		if (get_unaligned_le32(page + MK_PARK_CHECKIN) == want)
			return true;
		usleep_range(100, 200);
	}
	return get_unaligned_le32(page + MK_PARK_CHECKIN) == want;
}

/**
 * arch_mk_cpu_stop - stop a CPU of an instance, whatever it is doing, and
 *	see that it stopped
 * @apic_id: the CPU
 * @window: the instance's low window, from arch_mk_window_get(): its
 *	first page, the host's, is where the CPU checks in
 *
 * INIT stops a CPU, but not one in VMX root operation or SMX, where it is
 * held off: such a CPU would go on running in memory the host lends
 * again. So after INIT the CPU is sent, with STARTUP IPIs, to a page
 * where it writes a check-in word and halts; a CPU that INIT stopped
 * waits for exactly that, one that INIT did not stop ignores it. Once it
 * checked in, INIT again leaves it waiting for a STARTUP, as the host
 * wants its CPUs when it onlines them. The page is ordinary memory: a
 * hostile kernel that keeps running could write the word itself, which
 * no host without second-level page tables can prevent.
 *
 * INIT leaves the TSC as the instance left it, and a host that onlined a
 * CPU whose TSC disagrees would take its whole clock for unstable. The
 * CPU reads its TSC as it checks in, which must lie between the host's
 * readings before the STARTUP and after the check-in, give or take
 * MK_TSC_SLACK_US.
 *
 * Context: process context; sleeps, for about 200 ms at most.
 * Return: 0 once the CPU checked in; -ETIMEDOUT if it did not, and must be
 * taken for running still; -ERANGE if it stopped but its TSC disagrees,
 * so that it must not be onlined; -ENOMEM if the page cannot be mapped.
 */
int arch_mk_cpu_stop(u32 apic_id, u64 window)
{
	u64 slack = (u64)tsc_khz * MK_TSC_SLACK_US / 1000, t0, t1, tsc;
	size_t len = mk_park_end - mk_park;
	u8 *page;
	bool in;

	mk_send_init(apic_id);
	page = memremap(window, PAGE_SIZE, MEMREMAP_WB);
	if (!page)
		return -ENOMEM;
	memset(page, 0, PAGE_SIZE);
	memcpy(page, mk_park, len);
	t0 = rdtsc_ordered();
	/* Two STARTUPs, as for any CPU: the first may be lost. */
	mk_send_startup(apic_id, window);
	in = mk_checked_in(page, apic_id, 1000);
	if (!in) {
		mk_send_startup(apic_id, window);
		in = mk_checked_in(page, apic_id, MK_CHECKIN_WAIT_US);
	}
	t1 = rdtsc_ordered();
	tsc = get_unaligned_le64(page + MK_PARK_TSC);
	memunmap(page);
	if (!in)
		return -ETIMEDOUT;
	mk_send_init(apic_id);
	if (tsc + slack < t0 || tsc > t1 + slack) {
		pr_warn("multikernel: APIC %u: TSC %llu, the host's %llu to %llu\n",
			apic_id, tsc, t0, t1);
		return -ERANGE;
	}
	return 0;
}

/**
 * arch_mk_cpu_nmi - send an NMI to a CPU of an instance
 * @apic_id: the CPU
 *
 * The instance's handler saves the CPU's registers for its vmcore, even
 * with interrupts off; the CPU then goes on as before.
 */
void arch_mk_cpu_nmi(u32 apic_id)
{
	unsigned long flags;

	local_irq_save(flags);
	apic_icr_write(APIC_DM_NMI | APIC_DEST_PHYSICAL, apic_id);
	safe_apic_wait_icr_idle();
	local_irq_restore(flags);
}

/**
 * arch_mk_window_stage - how far a boot CPU got in its trampoline
 * @window: the instance's low window
 */
enum mk_tramp_stage arch_mk_window_stage(u64 window)
{
	u32 stage = 0;
	u8 *page;

	page = memremap(window, PAGE_SIZE, MEMREMAP_WB);
	if (page) {
		stage = get_unaligned_le32(page + MK_TRAMP_STAGE);
		memunmap(page);
	}
	if (stage == MK_TRAMP_STAGE_PROT)
		return MK_TRAMP_KERNEL;
	return stage == MK_TRAMP_STAGE_REAL ? MK_TRAMP_REAL : MK_TRAMP_NONE;
}

/**
 * arch_mk_boot_info - fill in what an instance learns from this machine
 * @bi: the boot info; the fields of the clocks, the APIC and doorbells
 * @host_cpu: the host CPU the instance's doorbells ring
 *
 * An instance has no timer of its own to calibrate against, and must not
 * touch the PIT or HPET to try: it takes the host's figures.
 */
void arch_mk_boot_info(struct mk_boot_info *bi, int host_cpu)
{
	bi->tsc_khz = cpu_to_le64(tsc_khz);
	bi->lapic_khz = cpu_to_le64((u64)lapic_timer_period * HZ / 1000);
	bi->host_bsp_apic_id = cpu_to_le32(boot_cpu_physical_apicid);
	bi->host_apic_id = cpu_to_le32(cpu_physical_id(host_cpu));
	bi->doorbell_vector = cpu_to_le32(X86_PLATFORM_IPI_VECTOR);
}
