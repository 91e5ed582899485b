// SPDX-License-Identifier: GPL-2.0
/*
 * A kernel running as a multikernel instance, x86: it shares the machine
 * with the host kernel and other instances, and owns only its CPUs, its
 * memory and what the host lent it. What is not x86's (the control area,
 * the channel to the host, HELLO) is in kernel/multikernel/guest/.
 *
 * A kernel learns that it is an instance from boot_params alone, never
 * from its command line, which a user could give the host: the host sets
 * hardware_subarch to X86_SUBARCH_MULTIKERNEL and adds a SETUP_MULTIKERNEL
 * setup_data entry (<linux/multikernel_boot.h>). From there this file
 * keeps the kernel off the machine's shared hardware, as jailhouse.c does
 * for a Linux beside a hypervisor's root cell:
 *  - no ACPI, IOAPIC or 8259: the CPUs and their APIC IDs come from the
 *    boot info, interrupts are the local APICs' own;
 *  - no PIT, HPET or RTC: the TSC and local APIC timer frequencies are the
 *    host's measurements, the wall clock starts at zero;
 *  - no PCI configuration cycles, no firmware tables, no option ROMs;
 *  - no reset: restart, halt, power off and panic park the CPUs and tell
 *    the host (the test config's PANIC_TIMEOUT=-1 would otherwise reset
 *    the whole machine);
 *  - no broadcast IPIs: every IPI names its CPUs, so that none reaches a
 *    CPU of another kernel;
 *  - no INIT to the machine's boot CPU: it is enumerated first, which the
 *    topology code then takes for the "real BSP" that a kdump kernel must
 *    not touch, and rejects.
 */

#include <linux/cpu.h>
#include <linux/init.h>
#include <linux/io.h>
#include <linux/multikernel_boot.h>
#include <linux/panic.h>
#include <linux/reboot.h>
#include <linux/serial_8250.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/timekeeping.h>

#include <asm/acpi.h>
#include <asm/apic.h>
#include <asm/bootparam.h>
#include <asm/e820/api.h>
#include <asm/i8259.h>
#include <asm/mpspec.h>
#include <asm/pci_x86.h>
#include <asm/realmode.h>
#include <asm/reboot.h>
#include <asm/setup.h>
#include <asm/x86_init.h>

static struct mk_boot_info mk_info __ro_after_init;
static phys_addr_t mk_ctrl_phys __ro_after_init;

static u32 mk_u32(__le32 v)
{
	return le32_to_cpu(v);
}

static void __init mk_status_early(u32 stage)
{
	struct mk_boot_status *st;

	st = early_memremap(mk_ctrl_phys + MK_CTRL_STATUS, sizeof(*st));
	if (st) {
		mk_instance_status_write(st, stage, 0);
		early_memunmap(st, sizeof(*st));
	}
}

/**
 * mk_instance_boot_info - what the host told this kernel at boot
 *
 * Return: the boot info, checked, or NULL when this kernel is no instance.
 */
const struct mk_boot_info *mk_instance_boot_info(void)
{
	return mk_ctrl_phys ? &mk_info : NULL;
}

/* Entries of apic_ids: the CPUs it boots with, then those it may get. */
static u32 mk_nr_possible(void)
{
	return clamp(mk_u32(mk_info.nr_possible), mk_u32(mk_info.nr_cpus),
		     (u32)MK_BOOT_MAX_CPUS);
}

/**
 * mk_instance_cpu_index - where a CPU is in the boot info's list
 * @apic_id: the CPU's APIC ID
 *
 * Return: its index, which numbers its slot in the control area, or -1.
 */
int mk_instance_cpu_index(u32 apic_id)
{
	u32 i;

	for (i = 0; i < mk_nr_possible(); i++)
		if (mk_u32(mk_info.apic_ids[i]) == apic_id)
			return i;
	return -1;
}

/* This kernel's number for a CPU of the boot info's list, or -ENODEV. */
static int mk_cpu_of_apic(u32 apic_id)
{
	int cpu;

	if (mk_instance_cpu_index(apic_id) < 0)
		return -ENODEV;
	for_each_possible_cpu(cpu)
		if (per_cpu(x86_cpu_to_apicid, cpu) == apic_id)
			return cpu;
	return -ENODEV;
}

/**
 * mk_instance_cpu_add - bring up a CPU the host gives this instance
 * @apic_id: the CPU, one the boot info named as possible
 *
 * The CPU was enumerated at boot and kept absent; now it is present, and
 * comes up the stock way, by INIT and STARTUP from this kernel.
 *
 * Return: its number here, or -ENODEV for a CPU the boot info did not
 * name, or the error of add_cpu().
 */
int mk_instance_cpu_add(u32 apic_id)
{
	int cpu = mk_cpu_of_apic(apic_id), err;

	if (cpu <= 0)
		return cpu ? cpu : -EBUSY;
	if (cpu_online(cpu))
		return cpu;
	set_cpu_present(cpu, true);
	if (!get_cpu_device(cpu)) {
		err = arch_register_cpu(cpu);
		if (err)
			goto absent;
	}
	err = add_cpu(cpu);
	if (!err)
		return cpu;
absent:
	set_cpu_present(cpu, false);
	return err;
}

/**
 * mk_instance_cpu_remove - give a CPU back to the host
 * @apic_id: the CPU
 *
 * It goes offline the stock way and halts, with interrupts off, in the
 * dead-CPU loop, where the host's INIT finds it; then it is absent, so
 * that nothing here brings it up again.
 *
 * Return: 0, -EBUSY for the boot CPU, -ENODEV for a CPU the boot info did
 * not name, or the error of remove_cpu().
 */
int mk_instance_cpu_remove(u32 apic_id)
{
	int cpu = mk_cpu_of_apic(apic_id), err;

	if (cpu <= 0)
		return cpu ? cpu : -EBUSY;
	if (cpu_online(cpu)) {
		err = remove_cpu(cpu);
		if (err)
			return err;
	}
	set_cpu_present(cpu, false);
	return 0;
}

/*
 * The CPUs a resize may add were enumerated with the others, so that they
 * have numbers and per-CPU areas; until one is given, it is absent, and
 * neither the boot nor user space brings it up. This runs before
 * smp_init().
 */
static int __init mk_spares_absent(void)
{
	u32 i;
	int cpu;

	if (!mk_ctrl_phys)
		return 0;
	for (i = mk_u32(mk_info.nr_cpus); i < mk_nr_possible(); i++) {
		cpu = mk_cpu_of_apic(mk_u32(mk_info.apic_ids[i]));
		if (cpu > 0)
			set_cpu_present(cpu, false);
	}
	return 0;
}
early_initcall(mk_spares_absent);

/* Every way out of the kernel ends here: tell the host, then stop. */
static void __noreturn mk_park(u32 reason)
{
	local_irq_disable();
	if (num_online_cpus() > 1)
		smp_send_stop();
	mk_instance_report_park(reason);
	for (;;)
		native_halt();
}

static void mk_restart(char *cmd)
{
	mk_park(MK_PARK_RESTART);
}

static void mk_halt(void)
{
	mk_park(MK_PARK_HALT);
}

static void mk_power_off(void)
{
	mk_park(MK_PARK_POWER_OFF);
}

static void mk_emergency_restart(void)
{
	mk_park(panic_in_progress() ? MK_PARK_PANIC : MK_PARK_RESTART);
}

static void mk_shutdown(void)
{
}

static unsigned long mk_tsc_khz(void)
{
	return le64_to_cpu(mk_info.tsc_khz);
}

static void mk_get_wallclock(struct timespec64 *ts)
{
	ts->tv_sec = 0;
	ts->tv_nsec = 0;
}

static int mk_set_wallclock(const struct timespec64 *ts)
{
	return -ENODEV;
}

/* Port 0x61 is the machine's; an unknown NMI gets no reason from it. */
static unsigned char mk_nmi_reason(void)
{
	return 0;
}

static void __init mk_timer_init(void)
{
	lapic_timer_period = le64_to_cpu(mk_info.lapic_khz) * 1000 / HZ;
}

static int __init mk_pci_arch_init(void)
{
	return 0;
}

static int __init mk_pci_init(void)
{
	return 0;
}

static void mk_send_IPI_allbutself(int vector)
{
	__apic_send_IPI_mask_allbutself(cpu_online_mask, vector);
}

static void mk_send_IPI_all(int vector)
{
	__apic_send_IPI_mask(cpu_online_mask, vector);
}

static void __init mk_parse_smp_cfg(void)
{
	u32 i;

	register_lapic_address(APIC_DEFAULT_PHYS_BASE);
	/* Rejected as the real BSP, so never sent INIT. */
	topology_register_apic(mk_u32(mk_info.host_bsp_apic_id),
			       CPU_ACPIID_INVALID, true);
	for (i = 0; i < mk_nr_possible(); i++)
		topology_register_apic(mk_u32(mk_info.apic_ids[i]),
				       CPU_ACPIID_INVALID, true);
	smp_found_config = 1;
	apic_update_callback(send_IPI_allbutself, mk_send_IPI_allbutself);
	apic_update_callback(send_IPI_all, mk_send_IPI_all);
}

#ifdef CONFIG_SERIAL_8250
/* COM2 may serve as an early debug console; the other UARTs are not ours. */
static void mk_serial_fixup(int port, struct uart_port *up, u32 *caps)
{
	if (up->iobase != 0x2f8)
		up->iobase = 0;
	up->irq = 0;
}
#endif

/* Find SETUP_MULTIKERNEL in the setup_data list and copy it. */
static bool __init mk_read_boot_info(void)
{
	u64 pa = boot_params.hdr.setup_data;
	struct setup_data *sd;
	u32 type, len;
	u64 next;

	while (pa) {
		sd = early_memremap(pa, sizeof(*sd));
		if (!sd)
			return false;
		type = sd->type;
		len = sd->len;
		next = sd->next;
		early_memunmap(sd, sizeof(*sd));
		if (type == SETUP_MULTIKERNEL)
			break;
		pa = next;
	}
	if (!pa || len < sizeof(mk_info))
		return false;
	sd = early_memremap(pa, sizeof(*sd) + sizeof(mk_info));
	if (!sd)
		return false;
	memcpy(&mk_info, sd->data, sizeof(mk_info));
	early_memunmap(sd, sizeof(*sd) + sizeof(mk_info));
	return mk_u32(mk_info.magic) == MK_BOOT_MAGIC &&
	       le16_to_cpu(mk_info.version) == MK_BOOT_VERSION &&
	       mk_u32(mk_info.nr_cpus) >= 1 &&
	       mk_u32(mk_info.nr_cpus) <= MK_BOOT_MAX_CPUS &&
	       le64_to_cpu(mk_info.ctrl_bytes) >= MK_CTRL_BYTES;
}

/*
 * The real-mode trampoline starts a kernel's other CPUs, and must lie
 * below 1 MiB. The host lends an instance low RAM for it, but has only
 * so much: one that runs on a single CPU, and may never be given more,
 * can start without, and then needs no trampoline at all.
 */
static void __init mk_realmode_reserve(void)
{
	if (e820__mapped_any(0, SZ_1M, E820_TYPE_RAM)) {
		reserve_real_mode();
		return;
	}
	if (mk_nr_possible() > 1)
		panic("multikernel: %u CPUs possible, but no memory below 1 MiB to start them from",
		      mk_nr_possible());
	x86_platform.realmode_init = x86_init_noop;
	pr_info("multikernel: no memory below 1 MiB; this instance runs on its boot CPU alone\n");
}

static void __init mk_override_platform(void)
{
	x86_init.irqs.pre_vector_init = x86_init_noop;
	x86_init.timers.timer_init = mk_timer_init;
	x86_init.mpparse.find_mptable = x86_init_noop;
	x86_init.mpparse.early_parse_smp_cfg = x86_init_noop;
	x86_init.mpparse.parse_smp_cfg = mk_parse_smp_cfg;
	x86_init.pci.arch_init = mk_pci_arch_init;
	x86_init.pci.init = mk_pci_init;
	x86_init.resources.probe_roms = x86_init_noop;
	x86_init.resources.dmi_setup = x86_init_noop;

	x86_platform.calibrate_cpu = mk_tsc_khz;
	x86_platform.calibrate_tsc = mk_tsc_khz;
	x86_platform.get_wallclock = mk_get_wallclock;
	x86_platform.set_wallclock = mk_set_wallclock;
	x86_platform.get_nmi_reason = mk_nmi_reason;
	x86_platform.realmode_reserve = mk_realmode_reserve;
	setup_force_cpu_cap(X86_FEATURE_TSC_KNOWN_FREQ);

	legacy_pic = &null_legacy_pic;
#ifdef CONFIG_PCI
	pci_probe = 0;
#endif
	disable_acpi();
#ifdef CONFIG_SERIAL_8250
	serial8250_set_isa_configurator(mk_serial_fixup);
#endif
}

/*
 * x86_init.oem.arch_setup: the first hook with early_memremap(), before
 * the memory map, ACPI, the SMP configuration and the timers are read.
 */
static void __init mk_instance_arch_setup(void)
{
	if (!mk_read_boot_info())
		panic("multikernel: instance without valid boot info (version %u)",
		      le16_to_cpu(mk_info.version));
	mk_ctrl_phys = le64_to_cpu(mk_info.ctrl_phys);
	mk_override_platform();
	mk_status_early(MK_STAGE_SETUP);
	pr_info("multikernel: instance %u \"%.*s\" on %u CPUs, %u more possible\n",
		mk_u32(mk_info.instance_id), MK_BOOT_NAME_MAX, mk_info.name,
		mk_u32(mk_info.nr_cpus), mk_nr_possible() - mk_u32(mk_info.nr_cpus));
}

/**
 * mk_instance_early_setup - a kernel started as an instance: set it up
 *
 * Called for X86_SUBARCH_MULTIKERNEL from x86_early_init_platform_quirks(),
 * before start_kernel(); the rest waits for x86_init.oem.arch_setup.
 */
void __init mk_instance_early_setup(void)
{
	x86_platform.legacy.rtc = 0;
	x86_platform.legacy.warm_reset = 0;
	x86_platform.legacy.i8042 = X86_LEGACY_I8042_PLATFORM_ABSENT;
	x86_platform.legacy.reserve_bios_regions = 0;
	x86_platform.legacy.devices.pnpbios = 0;
	x86_init.oem.arch_setup = mk_instance_arch_setup;

	machine_ops.restart = mk_restart;
	machine_ops.halt = mk_halt;
	machine_ops.power_off = mk_power_off;
	machine_ops.shutdown = mk_shutdown;
	machine_ops.emergency_restart = mk_emergency_restart;
	pm_power_off = mk_power_off;
}
