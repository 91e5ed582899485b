// SPDX-License-Identifier: GPL-2.0
/*
 * A kernel running as a multikernel instance: what is not the
 * architecture's. The arch code (arch/x86/kernel/multikernel_instance.c)
 * finds the boot info, keeps the kernel off the machine's shared hardware
 * and parks its CPUs; this file maps the control area the host shares
 * with us, opens the KMP channel to the host, says HELLO over it, and
 * keeps the status word the host watches.
 *
 * Everything here is a no-op in a kernel that is no instance:
 * mk_instance_boot_info() is NULL there.
 */

#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/init.h>
#include <linux/io.h>
#include <linux/multikernel_boot.h>
#include <linux/multikernel_kmp.h>
#include <linux/multikernel_vsock.h>
#include <linux/random.h>
#include <linux/reboot.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/utsname.h>
#include <linux/workqueue.h>

static void *mk_ctrl;		/* the control area, once memremap() works */
static struct kmp_channel *mk_kmp;	/* to the host */
static struct kmp_endpoint *mk_ep;	/* ours, on it */

/**
 * mk_instance_status_write - tell the host how far this kernel got
 * @st: the status word in the control area, however it is mapped
 * @stage: an enum mk_boot_stage
 * @reason: an enum mk_park_reason, for MK_STAGE_PARKED
 *
 * The host reads the stage last, so it is written last, after a barrier.
 */
void mk_instance_status_write(struct mk_boot_status *st, u32 stage, u32 reason)
{
	st->version = cpu_to_le32(MK_BOOT_VERSION);
	st->park_reason = cpu_to_le32(reason);
	st->cpus_up = cpu_to_le32(num_online_cpus());
	WRITE_ONCE(st->magic, cpu_to_le32(MK_STATUS_MAGIC));
	smp_wmb();	/* the host reads the stage last */
	WRITE_ONCE(st->stage, cpu_to_le32(stage));
}

static void mk_status_set(u32 stage, u32 reason)
{
	if (mk_ctrl)
		mk_instance_status_write(mk_ctrl + MK_CTRL_STATUS, stage, reason);
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
 * mk_instance_ctrl - the control area the host shares with this instance
 *
 * Return: its mapping, or NULL when this kernel is no instance.
 */
void *mk_instance_ctrl(void)
{
	return mk_ctrl;
}

static int __init mk_instance_map(void)
{
	const struct mk_boot_info *bi = mk_instance_boot_info();

	if (!bi)
		return 0;
	mk_ctrl = memremap(le64_to_cpu(bi->ctrl_phys), MK_CTRL_BYTES,
			   MEMREMAP_WB);
	if (!mk_ctrl)
		panic("multikernel: cannot map the control area");
	return 0;
}
early_initcall(mk_instance_map);

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

/* The channel to the host, with what listens on it. */
static struct kmp_endpoint *__init mk_instance_channel(void)
{
	const struct mk_boot_info *bi = mk_instance_boot_info();
	struct kmp_endpoint *ep;
	int err;

	mk_kmp = kmp_shared_create("host", mk_ctrl + MK_CTRL_KMP, MK_KMP_BYTES,
				   0, le32_to_cpu(bi->host_apic_id), false,
				   MK_KMP_SLOTS, MK_KMP_BULK);
	if (IS_ERR(mk_kmp)) {
		pr_err("multikernel: no KMP channel to the host: %ld\n",
		       PTR_ERR(mk_kmp));
		mk_kmp = NULL;
		return NULL;
	}
	ep = kmp_channel_endpoint(mk_kmp, 0);
	mk_ep = ep;
	kmp_register_handler(ep, KMP_MSG_SHUTDOWN, mk_on_shutdown, NULL);
	mk_health_beat_attach(ep);
	mk_resize_attach(ep);
	err = mk_vsock_instance_attach(ep,
				       mk_vsock_cid(le32_to_cpu(bi->instance_id)));
	if (err)
		pr_err("multikernel: no vsock to the host: %d\n", err);
	return ep;
}

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
	ep = mk_instance_channel();
	if (!ep)
		return 0;
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

/* Random bytes over what the host reads of the control area, but HELLO's. */
static void mk_scribble(void *unused)
{
	static const struct {
		u32 off, len;
	} parts[] = {
		{ MK_CTRL_CONS_OUT, PAGE_SIZE },
		{ MK_CTRL_CRASH, MK_CTRL_CONS_OUT_BUF - MK_CTRL_CRASH },
		{ MK_CTRL_CONS_OUT_BUF, MK_CTRL_KMP - MK_CTRL_CONS_OUT_BUF },
	};
	unsigned int i = get_random_u32_below(ARRAY_SIZE(parts));
	u32 off = get_random_u32_below(parts[i].len / 64) * 64;

	get_random_bytes(mk_ctrl + parts[i].off + off, 64);
}

/*
 * For tests of the host's defences: act as a hostile instance for so many
 * seconds (kmp_hostile_run()), scribbling over the control area besides.
 * The write returns when it is over; the channel to the host is broken
 * from then on.
 */
static int mk_hostile_set(void *data, u64 s)
{
	char what[160];
	int err;

	if (!s || s > 600 || !mk_ep)
		return -EINVAL;
	pr_info("multikernel: hostile to the host for %llu s, as asked\n", s);
	err = kmp_hostile_run(mk_ep, jiffies + s * HZ, mk_scribble, NULL, what,
			      sizeof(what));
	if (!err)
		pr_info("multikernel: hostile: %s\n", what);
	return err;
}
DEFINE_DEBUGFS_ATTRIBUTE(mk_hostile_fops, NULL, mk_hostile_set, "%llu\n");

static int __init mk_instance_debugfs(void)
{
	if (!mk_ctrl)
		return 0;
	debugfs_create_file_unsafe("multikernel_hostile_s", 0200, NULL, NULL,
				   &mk_hostile_fops);
	debugfs_create_file_unsafe("multikernel_spin_irqs_off", 0200, NULL,
				   NULL, &mk_spin_fops);
	debugfs_create_file_unsafe("multikernel_stall_ms", 0200, NULL, NULL,
				   &mk_stall_fops);
	return 0;
}
device_initcall(mk_instance_debugfs);
#endif
