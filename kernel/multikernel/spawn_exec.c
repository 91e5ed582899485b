// SPDX-License-Identifier: GPL-2.0
/*
 * Running a loaded kernel in an instance: exec, kill, and the watch the
 * host keeps while it runs.
 *
 * exec takes the instance's CPUs from the host: remove_cpu() moves the
 * host's tasks and interrupts off them, and clearing them from
 * cpu_present_mask keeps them lent: nothing onlines them and no broadcast
 * reaches them until they come back. It writes the kernel, the initrd and
 * the control area (<linux/multikernel_boot.h>) into the instance's
 * memory and starts the first CPU; the instance's kernel brings up the
 * others. The instance runs once it says HELLO in its status. If it does
 * not within multikernel.hello_timeout_ms, exec fails, and the instance is
 * stopped and its CPUs returned.
 *
 * Stopping, for kill or when the instance parked itself: every CPU gets
 * INIT, whatever it runs, the console is drained one last time, the
 * memory is zeroed before any other instance can have it, and the CPUs go
 * back to the host, online if they were.
 *
 * What the instance writes is untrusted: the host reads its status words
 * once, compares them with the few values they may take, and never
 * follows a pointer or a length from it.
 */

#include <linux/cpu.h>
#include <linux/delay.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/jiffies.h>
#include <linux/moduleparam.h>
#include <linux/multikernel_kmp.h>
#include <linux/multikernel_vsock.h>
#include <linux/sched/smt.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/unaligned.h>
#include <linux/vmalloc.h>

#include "spawn.h"

#undef MODULE_PARAM_PREFIX
#define MODULE_PARAM_PREFIX "multikernel."

static unsigned int mk_hello_timeout_ms = 60000;
module_param_named(hello_timeout_ms, mk_hello_timeout_ms, uint, 0644);
MODULE_PARM_DESC(hello_timeout_ms, "how long exec waits for HELLO");

static unsigned int mk_kill_timeout_ms = 10000;
module_param_named(kill_timeout_ms, mk_kill_timeout_ms, uint, 0644);
MODULE_PARM_DESC(kill_timeout_ms, "how long kill waits for a power off");

#define MK_WATCH_PERIOD		(HZ / 20)
#define MK_WAIT_STEP_MS		20

/* Architectures that cannot start instances yet. */
int __weak arch_mk_window_get(u64 *phys)
{
	return -EOPNOTSUPP;
}

void __weak arch_mk_window_put(u64 phys)
{
}

int __weak arch_mk_cpu_start(u32 apic_id, u64 window, u32 entry,
			     u32 boot_params)
{
	return -EOPNOTSUPP;
}

void __weak arch_mk_cpu_stop(u32 apic_id)
{
}

void __weak arch_mk_cpu_nmi(u32 apic_id)
{
}

enum mk_tramp_stage __weak arch_mk_window_stage(u64 window)
{
	return MK_TRAMP_NONE;
}

void __weak arch_mk_boot_info(struct mk_boot_info *bi)
{
}

void __weak arch_mk_pool_reserve(void)
{
}

static void (*mk_notify)(const char *name, const char *file);

/**
 * mk_spawn_notify_fn - say who learns of changes, for poll()
 * @fn: called with the instance's name and the file that changed
 *	("status" or "console"), without mk_load_lock
 */
void mk_spawn_notify_fn(void (*fn)(const char *name, const char *file))
{
	mk_notify = fn;
}

/**
 * mk_spawn_notify - tell poll() that an instance's file changed
 * @ld: the instance
 * @file: "status" or "console"; without mk_load_lock
 */
void mk_spawn_notify(struct mk_loaded *ld, const char *file)
{
	if (mk_notify)
		mk_notify(ld->name, file);
}

static void mk_run_notify(struct mk_loaded *ld)
{
	mk_spawn_notify(ld, "status");
}

/* Drain the console, and tell its readers. */
static void mk_run_drain(struct mk_loaded *ld)
{
	bool more;

	mutex_lock(&mk_load_lock);
	more = mk_cons_drain(ld);
	mutex_unlock(&mk_load_lock);
	if (more && mk_notify)
		mk_notify(ld->name, "console");
}

/**
 * mk_run_active - whether an instance in this state holds its resources
 * @st: the state
 */
bool mk_run_active(enum mk_run_state st)
{
	return st == MK_RUN_STARTING || st == MK_RUN_STOPPING ||
	       st == MK_RUN_FAILED_HELD || mk_run_live(st);
}

/**
 * mk_run_live - whether an instance in this state runs its kernel, and has
 *	its KMP channel and console
 * @st: the state
 */
bool mk_run_live(enum mk_run_state st)
{
	return st == MK_RUN_RUNNING || st == MK_RUN_UNRESPONSIVE;
}

/**
 * mk_loaded_busy - whether an instance may not be reloaded or removed
 * @ld: the instance; mk_load_lock held
 *
 * It holds its resources, or a recovery works on it.
 */
bool mk_loaded_busy(const struct mk_loaded *ld)
{
	return mk_run_active(ld->state) || ld->health.recovering;
}

static void *mk_ctrl_of(struct mk_loaded *ld)
{
	return ld->mem + (ld->lay.ctrl - ld->lay.mem);
}

static struct mk_boot_status *mk_status_of(struct mk_loaded *ld)
{
	return mk_ctrl_of(ld) + MK_CTRL_STATUS;
}

/* The instance's stage, read once; MK_STAGE_NONE unless well formed. */
static u32 mk_stage(struct mk_loaded *ld)
{
	struct mk_boot_status *st = mk_status_of(ld);
	u32 stage;

	if (le32_to_cpu(READ_ONCE(st->magic)) != MK_STATUS_MAGIC)
		return MK_STAGE_NONE;
	smp_rmb();	/* the instance wrote the stage last */
	stage = le32_to_cpu(READ_ONCE(st->stage));
	return stage <= MK_STAGE_PARKED ? stage : MK_STAGE_NONE;
}

static const char *mk_park_name(u32 reason)
{
	switch (reason) {
	case MK_PARK_HALT:
		return "halt";
	case MK_PARK_POWER_OFF:
		return "power off";
	case MK_PARK_RESTART:
		return "restart";
	case MK_PARK_PANIC:
		return "panic";
	}
	return "unknown reason";
}

static int mk_exec_check_cpus(struct mk_loaded *ld, struct mk_report *rep)
{
	unsigned int i, cpu;

	if (!ld->run.ncpus) {
		mk_report_add(rep, MK_RULE_EXEC_CPUS, "exec: the instance has no CPUs");
		return -EINVAL;
	}
	for (i = 0; i < ld->run.ncpus; i++) {
		cpu = ld->run.cpus[i];
		if (cpu && cpu < nr_cpu_ids && cpu_present(cpu))
			continue;
		mk_report_add(rep, MK_RULE_EXEC_CPUS,
			      "exec: CPU %u is %s", cpu,
			      cpu ? "not present (lent to another instance?)" :
				    "the boot CPU");
		return -EINVAL;
	}
	return 0;
}

/*
 * The architecture sends broadcast IPIs only while every present CPU has
 * booted in this kernel: tell it that the present mask changed.
 */
static void mk_smt_update(void)
{
	if (IS_ENABLED(CONFIG_HOTPLUG_CPU))
		arch_smt_update();
}

static void mk_cpu_set_present(unsigned int cpu, bool present)
{
	cpu_maps_update_begin();
	set_cpu_present(cpu, present);
	cpu_maps_update_done();
}

/* Give back the first @n CPUs, online again if they were. */
static void mk_cpus_return(struct mk_loaded *ld, unsigned int n)
{
	unsigned int i, cpu;
	int err;

	for (i = 0; i < n; i++) {
		cpu = ld->run.cpus[i];
		mk_cpu_set_present(cpu, true);
		if (!(ld->online_mask & BIT_ULL(i)))
			continue;
		err = add_cpu(cpu);
		if (err)
			pr_warn("multikernel: %s: CPU %u back, but not online: %d\n",
				ld->name, cpu, err);
	}
	mk_smt_update();
}

static int mk_cpus_take(struct mk_loaded *ld, struct mk_report *rep)
{
	unsigned int i, cpu;
	int err;

	ld->online_mask = 0;
	for (i = 0; i < ld->run.ncpus; i++) {
		cpu = ld->run.cpus[i];
		if (cpu_online(cpu)) {
			err = remove_cpu(cpu);
			if (err) {
				mk_report_add(rep, MK_RULE_EXEC_CPUS,
					      "exec: CPU %u cannot go offline: error %d",
					      cpu, err);
				mk_cpus_return(ld, i);
				return -EINVAL;
			}
			ld->online_mask |= BIT_ULL(i);
		}
		mk_cpu_set_present(cpu, false);
	}
	mk_smt_update();
	return 0;
}

static void mk_write_info(struct mk_loaded *ld, u8 *sd)
{
	struct mk_boot_info *bi = (struct mk_boot_info *)(sd + 16);
	unsigned int i;

	put_unaligned_le64(0, sd);			/* next */
	put_unaligned_le32(SETUP_MULTIKERNEL, sd + 8);	/* type */
	put_unaligned_le32(sizeof(*bi), sd + 12);	/* len */
	bi->magic = cpu_to_le32(MK_BOOT_MAGIC);
	bi->version = cpu_to_le16(MK_BOOT_VERSION);
	bi->size = cpu_to_le16(sizeof(*bi));
	bi->instance_id = cpu_to_le32(ld->run.id);
	bi->nr_cpus = cpu_to_le32(ld->run.ncpus);
	bi->ctrl_phys = cpu_to_le64(ld->lay.ctrl);
	bi->ctrl_bytes = cpu_to_le64(MK_CTRL_BYTES);
	bi->mem_phys = cpu_to_le64(ld->lay.mem);
	bi->mem_bytes = cpu_to_le64(ld->lay.mem_bytes);
	strscpy_pad(bi->name, ld->name, sizeof(bi->name));
	for (i = 0; i < ld->run.ncpus; i++)
		bi->apic_ids[i] = cpu_to_le32(arch_kmp_cpu_phys_id(ld->run.cpus[i]));
	arch_mk_boot_info(bi);
}

/* The kernel, initrd and control area, into the instance's memory. */
static void mk_write_image(struct mk_loaded *ld)
{
	const struct mk_boot_layout *lay = &ld->lay;
	u8 *ctrl = mk_ctrl_of(ld);

	memcpy(ld->mem + (lay->kernel - lay->mem),
	       ld->kernel + ld->plan.setup_bytes, ld->plan.kernel_bytes);
	if (ld->initrd)
		memcpy(ld->mem + (lay->initrd - lay->mem), ld->initrd,
		       ld->initrd_size);
	memset(ctrl, 0, MK_CTRL_BYTES);
	mk_write_info(ld, ctrl + MK_CTRL_INFO);
	mk_boot_params(ctrl + MK_CTRL_BOOT_PARAMS, ld->kernel, lay, ld->window);
	strscpy(ctrl + MK_CTRL_CMDLINE, ld->cmdline, MK_CTRL_CMDLINE_MAX);
}

/* Stop every CPU, keep the console, scrub the memory, return the CPUs. */
static void mk_run_teardown(struct mk_loaded *ld)
{
	unsigned int i;

	for (i = 0; i < ld->run.ncpus; i++)
		arch_mk_cpu_stop(arch_kmp_cpu_phys_id(ld->run.cpus[i]));
	/* Its CPUs run nothing now: no doorbell can come from them. */
	mk_vsock_host_detach(mk_vsock_cid(ld->run.id));
	if (ld->kmp)
		kmp_channel_destroy(ld->kmp);
	ld->kmp = NULL;
	mk_run_drain(ld);
	memset(ld->mem, 0, ld->lay.mem_bytes);
	ld->mem = NULL;
	mk_cpus_return(ld, ld->run.ncpus);
	arch_mk_window_put(ld->window);
}

static const char *mk_tramp_name(enum mk_tramp_stage stage)
{
	switch (stage) {
	case MK_TRAMP_NONE:
		break;
	case MK_TRAMP_REAL:
		return "stopped in real mode";
	case MK_TRAMP_KERNEL:
		return "jumped to the kernel";
	}
	return "never ran";
}

/* Sleep until HELLO, a park or the timeout, draining the console. */
static int mk_wait_hello(struct mk_loaded *ld, struct mk_report *rep)
{
	unsigned long end = jiffies + msecs_to_jiffies(mk_hello_timeout_ms);
	struct mk_boot_status *st = mk_status_of(ld);
	u32 stage;

	do {
		msleep(MK_WAIT_STEP_MS);
		mk_run_drain(ld);
		stage = mk_stage(ld);
		if (READ_ONCE(ld->hello))
			break;
		if (stage == MK_STAGE_PARKED) {
			mk_report_add(rep, MK_RULE_EXEC_HELLO,
				      "exec: the instance stopped before HELLO (%s)",
				      mk_park_name(le32_to_cpu(READ_ONCE(st->park_reason))));
			return -ETIMEDOUT;
		}
	} while (time_before(jiffies, end));
	if (!READ_ONCE(ld->hello)) {
		mk_report_add(rep, MK_RULE_EXEC_HELLO,
			      "exec: no HELLO within %u ms (boot CPU %s; kernel %s)",
			      mk_hello_timeout_ms,
			      mk_tramp_name(arch_mk_window_stage(ld->window)),
			      stage == MK_STAGE_SETUP ? "in its setup" :
			      stage == MK_STAGE_HELLO ? "sent it, KMP lost it" :
			      "silent");
		return -ETIMEDOUT;
	}
	smp_rmb();	/* the flag before the version */
	if (READ_ONCE(ld->hello_version) != MK_BOOT_VERSION) {
		mk_report_add(rep, MK_RULE_EXEC_PROTOCOL,
			      "exec: the instance speaks boot protocol %u, the host %u",
			      READ_ONCE(ld->hello_version), MK_BOOT_VERSION);
		return -EPROTO;
	}
	ld->hello_ns = ktime_get_ns();
	return 0;
}

/*
 * The instance's HELLO, from its KMP channel: untrusted, so only a
 * payload of the right size counts. The answer gives the host's versions.
 */
static void mk_on_hello(struct kmp_endpoint *ep, struct kmp_msg *m,
			void *priv)
{
	struct mk_hello mine = {
		.kmp_version = cpu_to_le32(KMP_VERSION),
		.boot_version = cpu_to_le32(MK_BOOT_VERSION),
	};
	struct mk_loaded *ld = priv;
	struct mk_hello *theirs = m->payload;

	if (m->len >= sizeof(*theirs)) {
		WRITE_ONCE(ld->hello_version, le32_to_cpu(theirs->boot_version));
		smp_wmb();	/* the version before the flag */
		WRITE_ONCE(ld->hello, true);
	}
	kmp_reply(ep, m, KMP_MSG_HELLO, &mine, sizeof(mine), HZ);
}

/* The KMP channel, in the control area, set up before the instance runs. */
static int mk_kmp_open(struct mk_loaded *ld, u32 boot_apic)
{
	struct kmp_channel *ch;

	ld->hello = false;
	ch = kmp_shared_create(ld->name, mk_ctrl_of(ld) + MK_CTRL_KMP,
			       MK_KMP_BYTES, 0, boot_apic, true, MK_KMP_SLOTS,
			       MK_KMP_BULK);
	if (IS_ERR(ch))
		return PTR_ERR(ch);
	kmp_register_handler(kmp_channel_endpoint(ch, 0), KMP_MSG_HELLO,
			     mk_on_hello, ld);
	ld->kmp = ch;
	return 0;
}

/* Everything between "starting" and "running" or "failed". */
static int mk_exec_start(struct mk_loaded *ld, struct mk_report *rep)
{
	u32 boot_apic = arch_kmp_cpu_phys_id(ld->run.cpus[0]);
	int err;

	err = mk_exec_check_cpus(ld, rep);
	if (err)
		return err;
	err = arch_mk_window_get(&ld->window);
	if (err == -EOPNOTSUPP)
		return err;
	if (err) {
		mk_report_add(rep, MK_RULE_EXEC_WINDOW,
			      "exec: no low-memory window free to start from; stop another instance");
		return -ENOSPC;
	}
	/* Pool memory is RAM the host never uses: its direct map is ours. */
	ld->mem = __va(ld->lay.mem);
	err = mk_cpus_take(ld, rep);
	if (err) {
		ld->mem = NULL;
		arch_mk_window_put(ld->window);
		return err;
	}
	mk_write_image(ld);
	err = mk_kmp_open(ld, boot_apic);
	if (err) {
		mk_report_add(rep, MK_RULE_EXEC_HELLO,
			      "exec: no KMP channel to the instance: error %d", err);
		mk_run_teardown(ld);
		return -ETIMEDOUT;
	}
	ld->exec_ns = ktime_get_ns();
	err = arch_mk_cpu_start(boot_apic, ld->window, ld->lay.kernel,
				ld->lay.ctrl + MK_CTRL_BOOT_PARAMS);
	if (!err)
		err = mk_wait_hello(ld, rep);
	if (err)
		mk_run_teardown(ld);
	return err;
}

static void mk_watch(struct work_struct *work);

/* A failed start's reason: its first finding, less "error: ". */
static void mk_reason_from(const struct mk_report *rep, char *buf,
			   size_t size)
{
	const char *line = rep->buf ? rep->buf : "";
	size_t n = strcspn(line, "\n");

	if (n >= 7 && !strncmp(line, "error: ", 7)) {
		line += 7;
		n -= 7;
	}
	snprintf(buf, size, "%.*s", (int)n, line);
}

static const char * const mk_run_names[] = {
	[MK_RUN_LOADED] = "loaded",
	[MK_RUN_STARTING] = "starting",
	[MK_RUN_RUNNING] = "running",
	[MK_RUN_UNRESPONSIVE] = "unresponsive",
	[MK_RUN_STOPPING] = "stopping",
	[MK_RUN_STOPPED] = "stopped",
	[MK_RUN_FAILED_HELD] = "failed",
	[MK_RUN_FAILED] = "failed",
};

/* Claim the loaded kernel for a start: loaded, stopped or failed. */
static struct mk_loaded *mk_exec_claim(const struct mk_exec_req *req,
				       struct mk_report *rep)
{
	struct mk_loaded *ld;

	lockdep_assert_held(&mk_load_lock);
	ld = mk_loaded_find(req->name);
	if (!ld) {
		mk_report_add(rep, MK_RULE_INSTANCE_NOT_LOADED,
			      "exec: no kernel is loaded; load one first");
		return ERR_PTR(-ENOENT);
	}
	/* Its recovery restarts it from its own work; nobody else may. */
	if (mk_run_active(ld->state) ||
	    (ld->health.recovering && current_work() != &ld->health.recover)) {
		mk_report_add(rep, MK_RULE_INSTANCE_BUSY,
			      "exec: the instance is already %s",
			      mk_run_names[ld->state]);
		return ERR_PTR(-EBUSY);
	}
	if (!ld->cons.buf) {
		ld->cons.buf = vmalloc(MK_CONS_LOG_BYTES);
		if (!ld->cons.buf)
			return ERR_PTR(-ENOMEM);
	}
	ld->cons.head = 0;
	ld->cons.tail = 0;
	ld->run = *req;
	ld->hello_ns = 0;
	ld->state = MK_RUN_STARTING;
	ld->reason[0] = '\0';
	INIT_DELAYED_WORK(&ld->monitor, mk_watch);
	return ld;
}

/**
 * mk_spawn_exec_claim - take the loaded kernel of an instance for a start
 * @req: the instance and what it runs on
 * @rep: why it cannot start
 *
 * From here the instance counts as holding its resources: the caller
 * claims it under the same lock as it read @req from the state, so that
 * no change of the state comes between, then calls mk_spawn_exec().
 *
 * Return: the entry, or an ERR_PTR(): -ENOENT if nothing is loaded,
 * -EBUSY if it already runs, -EINVAL for more CPUs than the boot protocol
 * carries.
 */
struct mk_loaded *mk_spawn_exec_claim(const struct mk_exec_req *req,
				      struct mk_report *rep)
{
	struct mk_loaded *ld;

	if (req->ncpus > MK_BOOT_MAX_CPUS) {
		mk_report_add(rep, MK_RULE_EXEC_CPUS,
			      "exec: more than %u CPUs", MK_BOOT_MAX_CPUS);
		return ERR_PTR(-EINVAL);
	}
	mutex_lock(&mk_load_lock);
	ld = mk_exec_claim(req, rep);
	mutex_unlock(&mk_load_lock);
	return ld;
}

/**
 * mk_spawn_exec - start a claimed kernel
 * @ld: what mk_spawn_exec_claim() gave
 * @rep: why it did not start
 *
 * Sleeps until the instance says HELLO, or for hello_timeout_ms at most.
 *
 * Return: 0 once it runs; -EINVAL for a CPU that cannot be lent; -ENOSPC
 * with no low window free; -ETIMEDOUT or -EPROTO when it does not say
 * HELLO, as status then says too.
 */
int mk_spawn_exec(struct mk_loaded *ld, struct mk_report *rep)
{
	int err;

	mk_run_notify(ld);	/* "starting" */
	err = mk_exec_start(ld, rep);

	mutex_lock(&mk_load_lock);
	if (err) {
		ld->state = MK_RUN_FAILED;
		mk_reason_from(rep, ld->reason, sizeof(ld->reason));
	} else {
		ld->state = MK_RUN_RUNNING;
		schedule_delayed_work(&ld->monitor, MK_WATCH_PERIOD);
		mk_health_start(ld);
		err = mk_vsock_host_attach(kmp_channel_endpoint(ld->kmp, 0),
					   mk_vsock_cid(ld->run.id));
		if (err)
			pr_warn("multikernel: %s: no vsock: %d\n", ld->name, err);
		err = 0;
	}
	mutex_unlock(&mk_load_lock);
	mk_run_notify(ld);
	return err;
}

/*
 * How an instance that parked itself ends. A panic is a failure, and so
 * is a reboot when the policy restarts it: its recovery takes over. A
 * power off or halt, or a reboot otherwise, stops it here.
 */
static void mk_watch_parked(struct mk_loaded *ld, u32 reason)
{
	bool restart = ld->health.pol.on_failure == MK_FAIL_RESTART;

	if (reason == MK_PARK_PANIC || (reason == MK_PARK_RESTART && restart)) {
		mk_recover(ld, reason == MK_PARK_PANIC ? MK_FAILED_PANIC :
			   MK_FAILED_REBOOT, mk_park_name(reason));
		mutex_unlock(&mk_load_lock);
		mk_run_notify(ld);
		return;
	}
	ld->state = MK_RUN_STOPPING;
	mutex_unlock(&mk_load_lock);

	mk_health_stop(ld);
	mk_run_teardown(ld);
	mutex_lock(&mk_load_lock);
	ld->state = MK_RUN_STOPPED;
	snprintf(ld->reason, sizeof(ld->reason), "%s", mk_park_name(reason));
	mutex_unlock(&mk_load_lock);
	mk_recovery_log(ld->name, MK_REC_MONITORING, "stopped itself: %s",
			mk_park_name(reason));
	mk_run_notify(ld);
}

/*
 * While it runs: drain the console, and notice when the instance parked
 * itself (power off, halt, reboot, panic) to take its CPUs back.
 */
static void mk_watch(struct work_struct *work)
{
	struct mk_loaded *ld = container_of(to_delayed_work(work),
					    struct mk_loaded, monitor);
	bool more;

	mutex_lock(&mk_load_lock);
	if (!mk_run_live(ld->state)) {
		mutex_unlock(&mk_load_lock);
		return;
	}
	more = mk_cons_drain(ld);
	if (mk_stage(ld) == MK_STAGE_PARKED) {
		mk_watch_parked(ld, le32_to_cpu(READ_ONCE(mk_status_of(ld)->park_reason)));
		return;
	}
	schedule_delayed_work(&ld->monitor, MK_WATCH_PERIOD);
	mutex_unlock(&mk_load_lock);
	if (more)
		mk_spawn_notify(ld, "console");
}

/**
 * mk_spawn_quiesce - stop the heartbeat and the watch of an instance
 * @ld: the instance; mk_load_lock not held, as both take it
 */
void mk_spawn_quiesce(struct mk_loaded *ld)
{
	mk_health_stop(ld);
	cancel_delayed_work_sync(&ld->monitor);
}

/**
 * mk_spawn_reclaim - stop a failed instance and take its resources back
 * @ld: the instance, failed with its resources held, quiesced
 *
 * Its status stays "failed", with the same reason.
 */
void mk_spawn_reclaim(struct mk_loaded *ld)
{
	mk_run_teardown(ld);
	mutex_lock(&mk_load_lock);
	ld->state = MK_RUN_FAILED;
	mutex_unlock(&mk_load_lock);
}

/* Ask for a power off (KMP SHUTDOWN); wait for the park, or the timeout. */
static bool mk_kill_graceful(struct mk_loaded *ld)
{
	unsigned long end = jiffies + msecs_to_jiffies(mk_kill_timeout_ms);

	if (kmp_send(kmp_channel_endpoint(ld->kmp, 0), KMP_MSG_SHUTDOWN, NULL,
		     0, HZ))
		return false;
	do {
		msleep(MK_WAIT_STEP_MS);
		if (mk_stage(ld) == MK_STAGE_PARKED)
			return true;
	} while (time_before(jiffies, end));
	return false;
}

/**
 * mk_spawn_kill - stop a running instance and take its resources back
 * @name: the instance
 * @force: stop its CPUs at once, without asking it to power off
 *
 * A graceful kill that gets no answer within kill_timeout_ms is forced.
 * Either way the CPUs come back to the host and the memory is zeroed.
 *
 * Return: 0, -ENOENT if nothing is loaded, -ESRCH if it does not run,
 * -EBUSY while a recovery works on it.
 */
int mk_spawn_kill(const char *name, bool force)
{
	struct mk_loaded *ld;
	bool parked = false;

	mutex_lock(&mk_load_lock);
	ld = mk_loaded_find(name);
	if (ld && ld->health.recovering) {
		mutex_unlock(&mk_load_lock);
		return -EBUSY;
	}
	if (!ld || (!mk_run_live(ld->state) && ld->state != MK_RUN_FAILED_HELD)) {
		mutex_unlock(&mk_load_lock);
		return ld ? -ESRCH : -ENOENT;
	}
	/* A failed kernel answers nothing: no graceful kill. */
	force = force || ld->state == MK_RUN_FAILED_HELD;
	ld->state = MK_RUN_STOPPING;
	mutex_unlock(&mk_load_lock);
	mk_run_notify(ld);
	mk_spawn_quiesce(ld);

	if (!force)
		parked = mk_kill_graceful(ld);
	mk_run_teardown(ld);

	mutex_lock(&mk_load_lock);
	ld->state = MK_RUN_STOPPED;
	snprintf(ld->reason, sizeof(ld->reason), "%s",
		 force ? "killed" : parked ? "power off" :
		 "killed: no power off within the timeout");
	mutex_unlock(&mk_load_lock);
	mk_run_notify(ld);
	return 0;
}

/**
 * mk_spawn_echo - a KMP echo to a running instance, for tests
 * @name: the instance
 * @buf: what to send
 * @len: its length
 * @ns: the round trip
 *
 * Return: 0 if the same bytes came back within a second; -ESRCH if it does
 * not run, -EIO for other bytes, or kmp_call()'s error.
 */
int mk_spawn_echo(const char *name, const void *buf, u32 len, u64 *ns)
{
	struct kmp_endpoint *ep = NULL;
	struct mk_loaded *ld;
	struct kmp_msg reply = { .len = len };
	u64 t0;
	int err;

	reply.payload = kvmalloc(len ?: 1, GFP_KERNEL);
	if (!reply.payload)
		return -ENOMEM;
	mutex_lock(&mk_load_lock);
	ld = mk_loaded_find(name);
	if (ld && mk_run_live(ld->state))
		ep = kmp_channel_endpoint(ld->kmp, 0);
	/* Held across the call, so that kill cannot tear the channel down. */
	if (!ep) {
		mutex_unlock(&mk_load_lock);
		kvfree(reply.payload);
		return -ESRCH;
	}
	t0 = ktime_get_ns();
	err = kmp_call(ep, KMP_MSG_ECHO, buf, len, &reply, HZ);
	*ns = ktime_get_ns() - t0;
	mutex_unlock(&mk_load_lock);
	if (!err && (reply.len != len || memcmp(reply.payload, buf, len)))
		err = -EIO;
	kvfree(reply.payload);
	return err == -EMSGSIZE ? -EIO : err;
}

/**
 * mk_spawn_status - the status line of an instance: its state, and why
 * @name: the instance
 * @sf: where to print it
 */
void mk_spawn_status(const char *name, struct seq_file *sf)
{
	struct mk_loaded *ld;

	mutex_lock(&mk_load_lock);
	ld = mk_loaded_find(name);
	if (!ld) {
		seq_puts(sf, "ready\n");
	} else {
		seq_puts(sf, mk_run_names[ld->state]);
		if (ld->reason[0])
			seq_printf(sf, ": %s", ld->reason);
		if (ld->state == MK_RUN_FAILED_HELD)
			seq_puts(sf, " (resources held)");
		seq_putc(sf, '\n');
	}
	mutex_unlock(&mk_load_lock);
}

/**
 * mk_spawn_times - how long the last start took, and how long it runs
 * @name: the instance
 * @sf: where to print "hello_ms N" and, while it runs, "uptime_s N"
 */
void mk_spawn_times(const char *name, struct seq_file *sf)
{
	struct mk_loaded *ld;

	mutex_lock(&mk_load_lock);
	ld = mk_loaded_find(name);
	if (ld && ld->hello_ns)
		seq_printf(sf, "hello_ms %llu\n",
			   div_u64(ld->hello_ns - ld->exec_ns, NSEC_PER_MSEC));
	if (ld && mk_run_live(ld->state))
		seq_printf(sf, "uptime_s %llu\n",
			   div_u64(ktime_get_ns() - ld->exec_ns, NSEC_PER_SEC));
	mutex_unlock(&mk_load_lock);
}
