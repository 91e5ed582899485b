// SPDX-License-Identifier: GPL-2.0
/*
 * Starting and stopping a multikernel instance's CPUs, host side, x86.
 *
 * An instance's boot CPU is an ordinary CPU the host has taken offline.
 * The host starts it as it starts its own CPUs: INIT, then STARTUP IPIs
 * whose vector names a page below 1 MiB, where multikernel_trampoline.S
 * takes it to the kernel's 64-bit entry. INIT gives a CPU a defined state
 * whatever ran on it before, and INIT again stops it, even one spinning
 * with interrupts off; the host later onlines it with INIT and SIPI too.
 *
 * Memory below 1 MiB is all reserved once the host's own real-mode
 * trampoline is placed, so what instances need of it is set aside just
 * before that. One start area serves every instance, one CPU at a time:
 * a CPU leaves it within microseconds of its STARTUP, for good. Each
 * running instance also needs MK_LOW_RAM_BYTES of RAM below 1 MiB of its
 * own, for its kernel's real-mode trampoline, with which it brings up its
 * other CPUs the stock way; as many of those as fit below 640 KiB, which
 * every kernel takes for RAM, are set aside (or multikernel_low= of
 * them). They bound the number of instances of more than one CPU running
 * at once; an instance of one CPU can start without.
 */

#include <linux/bitmap.h>
#include <linux/cpuhotplug.h>
#include <linux/delay.h>
#include <linux/io.h>
#include <linux/jiffies.h>
#include <linux/kstrtox.h>
#include <linux/memblock.h>
#include <linux/minmax.h>
#include <linux/multikernel_boot.h>
#include <linux/mutex.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <linux/unaligned.h>

#include <asm/apic.h>
#include <asm/irq_vectors.h>
#include <asm/mpspec.h>
#include <asm/pgtable_types.h>
#include <asm/realmode.h>
#include <asm/msr.h>
#include <asm/segment.h>
#include <asm/set_memory.h>
#include <asm/smp.h>
#include <asm/tsc.h>
#include <asm/x86_init.h>

#include "multikernel_trampoline.h"

#define MK_LOW_MAX		64
#define MK_LOW_FLOOR		SZ_64K	/* kernels reserve what is below */
#define MK_LOW_CEILING		0x9f000	/* the EBDA and BIOS are above */
#define MK_START_BYTES		(MK_START_PAGES * PAGE_SIZE)

static phys_addr_t mk_start_base __ro_after_init;
static phys_addr_t mk_low_ram[MK_LOW_MAX] __ro_after_init;
static unsigned int mk_low_count __ro_after_init;
static DECLARE_BITMAP(mk_low_used, MK_LOW_MAX);
static DEFINE_MUTEX(mk_low_lock);
/* One CPU at a time starts, or checks in, through the start area. */
static DEFINE_MUTEX(mk_start_lock);
static void (*mk_realmode_reserve)(void) __initdata;
static unsigned int mk_low_want __initdata = MK_LOW_MAX;

/* multikernel_low=N: low RAM for N instances at most, not all that fits. */
static int __init mk_low_param(char *arg)
{
	if (!arg || kstrtouint(arg, 0, &mk_low_want))
		return -EINVAL;
	mk_low_want = min_t(unsigned int, mk_low_want, MK_LOW_MAX);
	return 0;
}
early_param("multikernel_low", mk_low_param);

static void __init mk_reserve_low(void)
{
	size_t host = real_mode_size_needed();
	phys_addr_t hold = 0, p;

	/* The host's own trampoline goes where this holds, after us. */
	if (host)
		hold = memblock_phys_alloc_range(host, PAGE_SIZE, 0, SZ_1M);
	mk_start_base = memblock_phys_alloc_range(MK_START_BYTES, PAGE_SIZE,
						  MK_LOW_FLOOR, MK_LOW_CEILING);
	while (mk_start_base && mk_low_count < mk_low_want) {
		p = memblock_phys_alloc_range(MK_LOW_RAM_BYTES, PAGE_SIZE,
					      MK_LOW_FLOOR, MK_LOW_CEILING);
		if (!p)
			break;
		mk_low_ram[mk_low_count++] = p;
	}
	if (hold)
		memblock_phys_free(hold, host);
	if (mk_start_base)
		pr_info("multikernel: start area at %pa; low memory for %u instances\n",
			&mk_start_base, mk_low_count);
	else
		pr_warn("multikernel: no memory below 640 KiB; instances cannot start\n");
	mk_realmode_reserve();
}

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

/**
 * arch_mk_pool_reserve - set low memory aside for starting instances
 *
 * Called from the multikernel_pool= parameter, before the kernel places
 * its own real-mode trampoline and reserves what is left below 1 MiB.
 */
void __init arch_mk_pool_reserve(void)
{
	if (mk_realmode_reserve)
		return;
	mk_realmode_reserve = x86_platform.realmode_reserve;
	x86_platform.realmode_reserve = mk_reserve_low;
}

/**
 * arch_mk_low_get - take RAM below 1 MiB for an instance
 * @phys: where it is: MK_LOW_RAM_BYTES
 *
 * Return: 0, or -ENOSPC when every piece is in use or none was set aside.
 */
int arch_mk_low_get(u64 *phys)
{
	unsigned int i;

	mutex_lock(&mk_low_lock);
	i = find_first_zero_bit(mk_low_used, mk_low_count);
	if (i < mk_low_count)
		__set_bit(i, mk_low_used);
	mutex_unlock(&mk_low_lock);
	if (i >= mk_low_count)
		return -ENOSPC;
	*phys = mk_low_ram[i];
	return 0;
}

/**
 * arch_mk_low_put - give low RAM back once its instance has stopped
 * @phys: what arch_mk_low_get() gave, or 0 for none
 *
 * It is zeroed, as the rest of the instance's memory is, before another
 * instance can have it.
 */
void arch_mk_low_put(u64 phys)
{
	unsigned int i;
	void *mem;

	if (!phys)
		return;
	for (i = 0; i < mk_low_count && mk_low_ram[i] != phys; i++)
		;
	if (WARN_ON_ONCE(i == mk_low_count))
		return;
	mem = memremap(phys, MK_LOW_RAM_BYTES, MEMREMAP_WB);
	if (mem) {
		memset(mem, 0, MK_LOW_RAM_BYTES);
		memunmap(mem);
	}
	mutex_lock(&mk_low_lock);
	__clear_bit(i, mk_low_used);
	mutex_unlock(&mk_low_lock);
}

static void mk_put32(u8 *page, unsigned int off, u32 v)
{
	put_unaligned_le32(v, page + off);
}

#define MK_PT_TABLE	(_PAGE_PRESENT | _PAGE_RW)
#define MK_PT_2M	(_PAGE_PRESENT | _PAGE_RW | _PAGE_PSE)

/* Page tables in consecutive pages, the first the PML4, all zeroed. */
struct mk_pt {
	u8 *va;
	u64 pa;
	unsigned int used;
	unsigned int max;
};

/* The table @entry points to, made if it has none yet. */
static u64 *mk_pt_next(struct mk_pt *pt, u64 *entry)
{
	u64 pa;

	if (!*entry) {
		if (pt->used == pt->max)
			return NULL;
		*entry = (pt->pa + pt->used++ * PAGE_SIZE) | MK_PT_TABLE;
	}
	pa = *entry & PTE_PFN_MASK;
	return (u64 *)(pt->va + (pa - pt->pa));
}

/* [start, end) mapped 1:1 in 2 MiB pages, in 4-level tables. */
static int mk_pt_map(struct mk_pt *pt, u64 start, u64 end)
{
	u64 a, *pdpt, *pd;

	for (a = ALIGN_DOWN(start, PMD_SIZE); a < end; a += PMD_SIZE) {
		pdpt = mk_pt_next(pt, (u64 *)pt->va + ((a >> 39) & 511));
		pd = pdpt ? mk_pt_next(pt, pdpt + ((a >> 30) & 511)) : NULL;
		if (!pd)
			return -E2BIG;
		pd[(a >> 21) & 511] = a | MK_PT_2M;
	}
	return 0;
}

/*
 * The stub and the stage-2 tables, in the instance's control area: the
 * start area, the kernel with its init_size, and the control area, 1:1.
 */
static int mk_stub_prepare(const struct mk_cpu_entry *e)
{
	u8 *stub = e->ctrl_va + MK_CTRL_START;
	struct mk_pt pt = {
		.va = stub + PAGE_SIZE,
		.pa = e->ctrl + MK_CTRL_START + PAGE_SIZE,
		.used = 1,
		.max = MK_STUB_PT_PAGES,
	};
	int err;

	memset(stub, 0, MK_CTRL_START_BYTES);
	memcpy(stub, mk_stub, mk_stub_end - mk_stub);
	put_unaligned_le16(4 * 8 - 1, stub + MK_STUB_GDT_DESC);
	put_unaligned_le64(e->ctrl + MK_CTRL_START + MK_STUB_GDT,
			   stub + MK_STUB_GDT_DESC + 2);
	err = mk_pt_map(&pt, mk_start_base, mk_start_base + MK_START_BYTES);
	if (!err)
		err = mk_pt_map(&pt, e->kernel, e->kernel + e->kernel_bytes);
	if (!err)
		err = mk_pt_map(&pt, e->ctrl, e->ctrl + MK_CTRL_BYTES);
	return err;
}

/* The start area for one start: the trampoline, its words, stage 1. */
static void mk_area_prepare(u8 *area, const struct mk_cpu_entry *e)
{
	u64 base = mk_start_base, *t;

	memset(area, 0, MK_START_BYTES);
	memcpy(area, mk_trampoline, mk_trampoline_end - mk_trampoline);
	put_unaligned_le16(4 * 8 - 1, area + MK_TRAMP_GDT_DESC);
	mk_put32(area, MK_TRAMP_GDT_DESC + 2, base + MK_TRAMP_GDT);
	mk_put32(area, MK_TRAMP_FAR32,
		 base + (mk_trampoline_prot - mk_trampoline));
	put_unaligned_le16(MK_TRAMP_CS32, area + MK_TRAMP_FAR32 + 4);
	mk_put32(area, MK_TRAMP_FAR64,
		 base + (mk_trampoline_long - mk_trampoline));
	put_unaligned_le16(__BOOT_CS, area + MK_TRAMP_FAR64 + 4);
	mk_put32(area, MK_TRAMP_PML4, base + MK_START_PML4 * PAGE_SIZE);
	put_unaligned_le64(e->ctrl + MK_CTRL_START + PAGE_SIZE,
			   area + MK_TRAMP_CR3);
	put_unaligned_le64(e->ctrl + MK_CTRL_START, area + MK_TRAMP_STUB);
	put_unaligned_le64(e->kernel + MK_KERNEL_ENTRY64, area + MK_TRAMP_ENTRY);
	put_unaligned_le64(e->ctrl + MK_CTRL_BOOT_PARAMS,
			   area + MK_TRAMP_BOOT_PARAMS);

	t = (u64 *)(area + MK_START_PML4 * PAGE_SIZE);
	*t = (base + MK_START_PDPT * PAGE_SIZE) | MK_PT_TABLE;
	t = (u64 *)(area + MK_START_PDPT * PAGE_SIZE);
	*t = (base + MK_START_PD * PAGE_SIZE) | MK_PT_TABLE;
	t = (u64 *)(area + MK_START_PD * PAGE_SIZE);
	*t = MK_PT_2M;
}

static enum mk_tramp_stage mk_area_stage(const u8 *area)
{
	switch (get_unaligned_le32(area + MK_TRAMP_STAGE)) {
	case MK_TRAMP_STAGE_REAL:
		return MK_TRAMP_REAL;
	case MK_TRAMP_STAGE_PROT:
		return MK_TRAMP_PROT;
	case MK_TRAMP_STAGE_LONG:
		return MK_TRAMP_LONG;
	case MK_TRAMP_STAGE_KERNEL:
		return MK_TRAMP_KERNEL;
	}
	return MK_TRAMP_NONE;
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

/*
 * How long a boot CPU has from its STARTUP to leaving the start area: a
 * few dozen instructions, but TCG may be slow to start a CPU.
 */
#define MK_TRAMP_WAIT_MS	2000

/* Wait for the CPU to leave the start area; how far it got. */
static enum mk_tramp_stage mk_area_wait(const u8 *area)
{
	unsigned long end = jiffies + msecs_to_jiffies(MK_TRAMP_WAIT_MS);
	enum mk_tramp_stage stage;

	do {
		stage = mk_area_stage(area);
		if (stage == MK_TRAMP_KERNEL)
			break;
		usleep_range(100, 200);
	} while (time_before(jiffies, end));
	return stage;
}

/**
 * arch_mk_cpu_start - start an instance's boot CPU at its kernel
 * @apic_id: the CPU, offline in the host and out of its present mask
 * @e: where its kernel is, and its control area, whose MK_CTRL_START
 *	part holds the stub and page tables the CPU goes through
 * @stage: how far the CPU got
 *
 * The CPU goes through the start area, which other starts wait for, and
 * the call returns once it left it for the kernel.
 *
 * Context: process context; sleeps, for MK_TRAMP_WAIT_MS at most.
 * Return: 0 once the CPU jumped to the kernel; -ETIMEDOUT if it did not,
 * and INIT stopped it again; -ENOSPC with no start area; -E2BIG for a
 * kernel that needs more page tables than the stub has room for; -ENOMEM.
 */
int arch_mk_cpu_start(u32 apic_id, const struct mk_cpu_entry *e,
		      enum mk_tramp_stage *stage)
{
	int i, err;
	u8 *area;

	*stage = MK_TRAMP_NONE;
	if (!mk_start_base)
		return -ENOSPC;
	err = mk_stub_prepare(e);
	if (err)
		return err;
	mutex_lock(&mk_start_lock);
	area = memremap(mk_start_base, MK_START_BYTES, MEMREMAP_WB);
	if (!area) {
		mutex_unlock(&mk_start_lock);
		return -ENOMEM;
	}
	mk_area_prepare(area, e);
	mk_send_init(apic_id);
	/* Two STARTUPs, as for any CPU: the first may be lost. */
	for (i = 0; i < 2; i++) {
		if (i && mk_area_stage(area) != MK_TRAMP_NONE)
			break;
		mk_send_startup(apic_id, mk_start_base);
		usleep_range(300, 400);
	}
	*stage = mk_area_wait(area);
	if (*stage != MK_TRAMP_KERNEL) {
		/* Whatever it runs, it must not run the next start's page. */
		mk_send_init(apic_id);
		err = -ETIMEDOUT;
	}
	memunmap(area);
	mutex_unlock(&mk_start_lock);
	return err;
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
 *
 * INIT stops a CPU, but not one in VMX root operation or SMX, where it is
 * held off: such a CPU would go on running in memory the host lends
 * again. So after INIT the CPU is sent, with STARTUP IPIs, to a page
 * of the start area where it writes a check-in word and halts; a CPU
 * that INIT stopped
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
int arch_mk_cpu_stop(u32 apic_id)
{
	u64 slack = (u64)tsc_khz * MK_TSC_SLACK_US / 1000, t0, t1, tsc;
	u64 phys = mk_start_base + MK_START_PARK * PAGE_SIZE;
	size_t len = mk_park_end - mk_park;
	u8 *page;
	bool in;

	if (!mk_start_base)
		return -ENOSPC;
	mk_send_init(apic_id);
	mutex_lock(&mk_start_lock);
	page = memremap(phys, PAGE_SIZE, MEMREMAP_WB);
	if (!page) {
		mutex_unlock(&mk_start_lock);
		return -ENOMEM;
	}
	memset(page, 0, PAGE_SIZE);
	memcpy(page, mk_park, len);
	t0 = rdtsc_ordered();
	/* Two STARTUPs, as for any CPU: the first may be lost. */
	mk_send_startup(apic_id, phys);
	in = mk_checked_in(page, apic_id, 1000);
	if (!in) {
		mk_send_startup(apic_id, phys);
		in = mk_checked_in(page, apic_id, MK_CHECKIN_WAIT_US);
	}
	t1 = rdtsc_ordered();
	tsc = get_unaligned_le64(page + MK_PARK_TSC);
	/* Halted there, but the page is the next start's: INIT before. */
	if (in)
		mk_send_init(apic_id);
	memunmap(page);
	mutex_unlock(&mk_start_lock);
	if (!in)
		return -ETIMEDOUT;
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
