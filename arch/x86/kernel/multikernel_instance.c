// SPDX-License-Identifier: GPL-2.0
/*
 * A kernel running as a multikernel instance, x86: it shares the machine
 * with the host kernel and other instances, and owns only its CPUs, its
 * memory and what the host lent it.
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

#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/init.h>
#include <linux/panic.h>
#include <linux/io.h>
#include <linux/multikernel_boot.h>
#include <linux/multikernel_kmp.h>
#include <linux/multikernel_vsock.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/reboot.h>
#include <linux/serial_8250.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/utsname.h>
#include <linux/workqueue.h>

#include <asm/acpi.h>
#include <asm/apic.h>
#include <asm/bootparam.h>
#include <asm/i8259.h>
#include <asm/mpspec.h>
#include <asm/pci_x86.h>
#include <asm/reboot.h>
#include <asm/setup.h>
#include <asm/x86_init.h>

static struct mk_boot_info mk_info __ro_after_init;
static phys_addr_t mk_ctrl_phys __ro_after_init;
static void *mk_ctrl;		/* the control area, once memremap() works */
static struct kmp_channel *mk_kmp;	/* to the host */

static u32 mk_u32(__le32 v)
{
	return le32_to_cpu(v);
}

static void mk_status_write(struct mk_boot_status *st, u32 stage, u32 reason)
{
	st->version = cpu_to_le32(MK_BOOT_VERSION);
	st->park_reason = cpu_to_le32(reason);
	st->cpus_up = cpu_to_le32(num_online_cpus());
	WRITE_ONCE(st->magic, cpu_to_le32(MK_STATUS_MAGIC));
	smp_wmb();	/* the host reads the stage last */
	WRITE_ONCE(st->stage, cpu_to_le32(stage));
}

/* Tell the host how far we got, once the control area is mapped. */
static void mk_status_set(u32 stage, u32 reason)
{
	if (mk_ctrl)
		mk_status_write(mk_ctrl + MK_CTRL_STATUS, stage, reason);
}

static void __init mk_status_early(u32 stage)
{
	struct mk_boot_status *st;

	st = early_memremap(mk_ctrl_phys + MK_CTRL_STATUS, sizeof(*st));
	if (st) {
		mk_status_write(st, stage, 0);
		early_memunmap(st, sizeof(*st));
	}
}

/**
 * mk_instance_report_park - tell the host that this kernel stops, and why
 * @reason: an enum mk_park_reason
 *
 * For a panic, the notifier says so before panic() ends, so that the host
 * learns of it at once, whatever panic_timeout says.
 */
void mk_instance_report_park(u32 reason)
{
	mk_status_set(MK_STAGE_PARKED, reason);
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

	for (i = 0; i < mk_u32(mk_info.nr_cpus); i++)
		if (mk_u32(mk_info.apic_ids[i]) == apic_id)
			return i;
	return -1;
}

/* Every way out of the kernel ends here: tell the host, then stop. */
static void __noreturn mk_park(u32 reason)
{
	local_irq_disable();
	if (num_online_cpus() > 1)
		smp_send_stop();
	mk_status_set(MK_STAGE_PARKED, reason);
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
	for (i = 0; i < mk_u32(mk_info.nr_cpus); i++)
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
	pr_info("multikernel: instance %u \"%.*s\" on %u CPUs\n",
		mk_u32(mk_info.instance_id), MK_BOOT_NAME_MAX, mk_info.name,
		mk_u32(mk_info.nr_cpus));
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

/**
 * mk_instance_ctrl - the control area the host shares with this instance
 *
 * Return: its mapping, or NULL when this kernel is no instance.
 */
void *mk_instance_ctrl(void)
{
	return mk_ctrl;
}

static void mk_poweroff_fn(struct work_struct *work)
{
	orderly_poweroff(true);
}

static DECLARE_WORK(mk_poweroff_work, mk_poweroff_fn);

/* The host's KMP_MSG_SHUTDOWN: power off as the power button would. */
static void mk_on_shutdown(struct kmp_endpoint *ep, struct kmp_msg *m,
			   void *priv)
{
	pr_info("multikernel: the host asks for a power off\n");
	schedule_work(&mk_poweroff_work);
}

static int __init mk_instance_map(void)
{
	if (!mk_ctrl_phys)
		return 0;
	mk_ctrl = memremap(mk_ctrl_phys, MK_CTRL_BYTES, MEMREMAP_WB);
	if (!mk_ctrl)
		panic("multikernel: cannot map the control area");
	return 0;
}
early_initcall(mk_instance_map);

/*
 * Its CPUs are up, KMP has its doorbell (a core_initcall) and CRC-32C
 * (libcrc32c, a module_init): open the channel to the host and say HELLO,
 * with the protocol versions.
 */
static int __init mk_instance_hello(void)
{
	struct mk_hello hello = {
		.kmp_version = cpu_to_le32(KMP_VERSION),
		.boot_version = cpu_to_le32(MK_BOOT_VERSION),
	};
	struct mk_boot_status *st;
	struct kmp_endpoint *ep;
	int err;

	if (!mk_ctrl)
		return 0;
	st = mk_ctrl + MK_CTRL_STATUS;
	strscpy_pad(st->kernel_release, init_utsname()->release,
		    sizeof(st->kernel_release));
	mk_kmp = kmp_shared_create("host", mk_ctrl + MK_CTRL_KMP, MK_KMP_BYTES,
				   0, mk_u32(mk_info.host_apic_id), false,
				   MK_KMP_SLOTS, MK_KMP_BULK);
	if (IS_ERR(mk_kmp)) {
		pr_err("multikernel: no KMP channel to the host: %ld\n",
		       PTR_ERR(mk_kmp));
		mk_kmp = NULL;
		return 0;
	}
	ep = kmp_channel_endpoint(mk_kmp, 0);
	kmp_register_handler(ep, KMP_MSG_SHUTDOWN, mk_on_shutdown, NULL);
	mk_health_beat_attach(ep);
	err = mk_vsock_instance_attach(ep, mk_vsock_cid(mk_u32(mk_info.instance_id)));
	if (err)
		pr_err("multikernel: no vsock to the host: %d\n", err);
	mk_instance_crash_init(mk_ctrl);
	mk_status_set(MK_STAGE_HELLO, 0);
	err = kmp_send(ep, KMP_MSG_HELLO, &hello, sizeof(hello), HZ);
	if (err)
		pr_err("multikernel: HELLO not sent: %d\n", err);
	return 0;
}
late_initcall(mk_instance_hello);

#ifdef CONFIG_MULTIKERNEL_TEST_HOOKS
/*
 * For tests of the host's forced kill: spin with interrupts off, so that
 * nothing short of INIT stops this CPU.
 */
static int mk_spin_set(void *data, u64 val)
{
	if (val != 1)
		return -EINVAL;
	pr_emerg("multikernel: spinning with interrupts off, as asked\n");
	local_irq_disable();
	for (;;)
		cpu_relax();
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(mk_spin_fops, NULL, mk_spin_set, "%llu\n");

static void mk_stall(void *ms)
{
	mdelay(*(u64 *)ms);
}

/*
 * For tests of the host's heartbeat: stall CPU 0, where the host's
 * messages land, with interrupts off for a while, then go on.
 */
static int mk_stall_set(void *data, u64 ms)
{
	if (!ms || ms > 60000)
		return -EINVAL;
	pr_info("multikernel: stalling CPU 0 for %llu ms, as asked\n", ms);
	return smp_call_function_single(0, mk_stall, &ms, 1);
}
DEFINE_DEBUGFS_ATTRIBUTE(mk_stall_fops, NULL, mk_stall_set, "%llu\n");

static int __init mk_instance_debugfs(void)
{
	if (!mk_ctrl)
		return 0;
	debugfs_create_file_unsafe("multikernel_spin_irqs_off", 0200, NULL,
				   NULL, &mk_spin_fops);
	debugfs_create_file_unsafe("multikernel_stall_ms", 0200, NULL, NULL,
				   &mk_stall_fops);
	return 0;
}
device_initcall(mk_instance_debugfs);
#endif
