// SPDX-License-Identifier: GPL-2.0
/*
 * Starting and stopping an instance's kernel on its CPUs and memory: the
 * mechanics under the life cycle of instance_run.c, which calls these
 * with the instance claimed, so that nothing else touches its resources.
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
 * INIT, whatever it runs, and must show that it stopped (the arch code
 * sends it to a page where it checks in). The console is drained one last
 * time, the memory is zeroed before any other instance can have it, and
 * the CPUs go back to the host, online if they were. A CPU that does not
 * check in may still run in the instance's memory: it stays out of the
 * host, and so do that memory and its low RAM, quarantined until a
 * kill stops the CPU after all, or the host reboots.
 *
 * What the instance writes is untrusted: the host reads its status words
 * once, compares them with the few values they may take, and never
 * follows a pointer or a length from it.
 *
 * Every wait here is bounded, and gives up early once a kill asked
 * (mk_inst.stop): a kill never waits for an instance's cooperation.
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

#include "instance.h"
#include "machine.h"

#undef MODULE_PARAM_PREFIX
#define MODULE_PARAM_PREFIX "multikernel."

static unsigned int mk_hello_timeout_ms = 60000;
module_param_named(hello_timeout_ms, mk_hello_timeout_ms, uint, 0644);
MODULE_PARM_DESC(hello_timeout_ms, "how long exec waits for HELLO");

static unsigned int mk_kill_timeout_ms = 10000;
module_param_named(kill_timeout_ms, mk_kill_timeout_ms, uint, 0644);
MODULE_PARM_DESC(kill_timeout_ms, "how long kill waits for a power off");

#define MK_WAIT_STEP_MS		20

static void *mk_ctrl_of(struct mk_inst *inst)
{
	return inst->mem + (inst->lay.ctrl - inst->lay.mem);
}

static struct mk_boot_status *mk_status_of(struct mk_inst *inst)
{
	return mk_ctrl_of(inst) + MK_CTRL_STATUS;
}

/* The instance's stage, read once; MK_STAGE_NONE unless well formed. */
static u32 mk_stage(struct mk_inst *inst)
{
	struct mk_boot_status *st = mk_status_of(inst);
	u32 stage;

	if (le32_to_cpu(READ_ONCE(st->magic)) != MK_STATUS_MAGIC)
		return MK_STAGE_NONE;
	smp_rmb();	/* the instance wrote the stage last */
	stage = le32_to_cpu(READ_ONCE(st->stage));
	return stage <= MK_STAGE_PARKED ? stage : MK_STAGE_NONE;
}

/**
 * mk_park_name - why an instance parked itself, in words
 * @reason: its MK_PARK_* reason
 */
const char *mk_park_name(u32 reason)
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

static int mk_exec_check_cpus(struct mk_inst *inst, struct mk_report *rep)
{
	unsigned int i, cpu;

	if (!inst->run.ncpus) {
		mk_report_add(rep, MK_RULE_EXEC_CPUS, "exec: the instance has no CPUs");
		return -EINVAL;
	}
	for (i = 0; i < inst->run.ncpus; i++) {
		cpu = inst->run.cpus[i];
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

/**
 * mk_start_smt_update - the present CPUs changed: tell the architecture
 *
 * It sends broadcast IPIs only while every present CPU has booted in
 * this kernel.
 */
void mk_start_smt_update(void)
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

/**
 * mk_start_cpu_give - give CPU @i of an instance back to the host
 * @inst: the instance; the CPU stopped
 * @i: its index in @inst->run.cpus
 *
 * It comes back online if it was when the instance took it.
 */
void mk_start_cpu_give(struct mk_inst *inst, unsigned int i)
{
	unsigned int cpu = inst->run.cpus[i];
	int err;

	arch_mk_cpu_back(cpu);
	mk_cpu_set_present(cpu, true);
	if (inst->online_mask & BIT_ULL(i)) {
		err = add_cpu(cpu);
		if (err)
			pr_warn("multikernel: %s: CPU %u back, but not online: %d\n",
				inst->name, cpu, err);
	}
	inst->online_mask &= ~BIT_ULL(i);
	inst->held &= ~BIT_ULL(i);
}

/**
 * mk_start_cpu_take - take CPU @i of an instance's list from the host
 * @inst: the instance
 * @i: its index in @inst->run.cpus
 *
 * The CPU goes offline, if it was online, and absent, so that nothing of
 * the host brings it up again while the instance has it.
 *
 * Return: 0, or the error of remove_cpu(): the CPU stays the host's.
 */
int mk_start_cpu_take(struct mk_inst *inst, unsigned int i)
{
	unsigned int cpu = inst->run.cpus[i];
	int err;

	if (!cpu || cpu >= nr_cpu_ids || !cpu_present(cpu))
		return -EBUSY;
	if (cpu_online(cpu)) {
		err = remove_cpu(cpu);
		if (err)
			return err;
		inst->online_mask |= BIT_ULL(i);
	}
	mk_cpu_set_present(cpu, false);
	inst->held |= BIT_ULL(i);
	return 0;
}

/* Give back the first @n CPUs of those in @which. */
static void mk_cpus_return(struct mk_inst *inst, unsigned int n, u64 which)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (which & BIT_ULL(i))
			mk_start_cpu_give(inst, i);
	mk_start_smt_update();
}

static int mk_cpus_take(struct mk_inst *inst, struct mk_report *rep)
{
	unsigned int i;
	int err;

	inst->online_mask = 0;
	inst->held = 0;
	inst->shape = GENMASK_ULL(inst->run.ncpus - 1, 0);
	for (i = 0; i < inst->run.ncpus; i++) {
		err = mk_start_cpu_take(inst, i);
		if (err) {
			mk_report_add(rep, MK_RULE_EXEC_CPUS,
				      "exec: CPU %u cannot go offline: error %d",
				      inst->run.cpus[i], err);
			mk_cpus_return(inst, i, U64_MAX);
			return -EINVAL;
		}
	}
	mk_start_smt_update();
	return 0;
}

static void mk_write_info(struct mk_inst *inst, u8 *sd)
{
	struct mk_boot_info *bi = (struct mk_boot_info *)(sd + 16);
	unsigned int i;

	put_unaligned_le64(0, sd);			/* next */
	put_unaligned_le32(SETUP_MULTIKERNEL, sd + 8);	/* type */
	put_unaligned_le32(sizeof(*bi), sd + 12);	/* len */
	bi->magic = cpu_to_le32(MK_BOOT_MAGIC);
	bi->version = cpu_to_le16(MK_BOOT_VERSION);
	bi->size = cpu_to_le16(sizeof(*bi));
	bi->instance_id = cpu_to_le32(inst->run.id);
	bi->nr_cpus = cpu_to_le32(inst->run.ncpus);
	bi->nr_possible = cpu_to_le32(inst->run.npossible);
	bi->ctrl_phys = cpu_to_le64(inst->lay.ctrl);
	bi->ctrl_bytes = cpu_to_le64(MK_CTRL_BYTES);
	bi->mem_phys = cpu_to_le64(inst->lay.mem);
	bi->mem_bytes = cpu_to_le64(inst->lay.mem_bytes);
	strscpy_pad(bi->name, inst->name, sizeof(bi->name));
	for (i = 0; i < inst->run.npossible; i++)
		bi->apic_ids[i] = cpu_to_le32(arch_kmp_cpu_phys_id(inst->run.cpus[i]));
	arch_mk_boot_info(bi, inst->host_cpu);
}

/* The kernel, initrd and control area, into the instance's memory. */
static void mk_write_image(struct mk_inst *inst)
{
	const struct mk_boot_layout *lay = &inst->lay;
	u8 *ctrl = mk_ctrl_of(inst);

	memcpy(inst->mem + (lay->kernel - lay->mem),
	       inst->img.kernel + inst->plan.setup_bytes, inst->plan.kernel_bytes);
	if (inst->img.initrd)
		memcpy(inst->mem + (lay->initrd - lay->mem), inst->img.initrd,
		       inst->img.initrd_size);
	memset(ctrl, 0, MK_CTRL_BYTES);
	mk_write_info(inst, ctrl + MK_CTRL_INFO);
	mk_boot_params(ctrl + MK_CTRL_BOOT_PARAMS, inst->img.kernel, lay,
		       inst->low);
	strscpy(ctrl + MK_CTRL_CMDLINE, inst->img.cmdline, MK_CTRL_CMDLINE_MAX);
}

/* Drain the console, and tell its readers. */
static void mk_start_drain(struct mk_inst *inst)
{
	mk_inst_lock(inst);
	if (mk_cons_drain(inst))
		inst->notify |= MK_NOTIFY_CONSOLE;
	mk_inst_unlock(inst);
}

/**
 * mk_start_cpu_stop - stop CPU @i of an instance
 * @inst: the instance
 * @i: its index in @inst->run.cpus
 *
 * Return: 0 once it showed that it stopped; -ERANGE if it did, but must
 * stay out of the host; another errno if it did not.
 */
int mk_start_cpu_stop(struct mk_inst *inst, unsigned int i)
{
	unsigned int cpu = inst->run.cpus[i];
	int err;

	if (mk_test_stop_ignored(cpu))
		return -ETIMEDOUT;
	err = arch_mk_cpu_stop(arch_kmp_cpu_phys_id(cpu));
	if (!err && mk_test_tsc_off(cpu))
		err = -ERANGE;
	return err == -EOPNOTSUPP ? 0 : err;
}

/**
 * mk_stop_kept_why - what status adds for CPUs kept out of the host
 * @inst: the instance, with @inst->kept set
 * @buf: where to write it
 * @size: its size
 */
void mk_stop_kept_why(struct mk_inst *inst, char *buf, size_t size)
{
	snprintf(buf, size, "CPU %u kept offline: its TSC disagrees with the host's",
		 inst->run.cpus[__ffs64(inst->kept)]);
}

/**
 * mk_stop_quarantine_why - what status says of a quarantined instance
 * @inst: the instance, with CPUs that did not stop
 * @buf: where to write it
 * @size: its size
 */
void mk_stop_quarantine_why(struct mk_inst *inst, char *buf, size_t size)
{
	unsigned int i = __ffs64(inst->stuck);

	snprintf(buf, size,
		 "CPU %u did not stop; it and %llu MiB at %#llx stay out of the host until a kill stops it or the host reboots",
		 inst->run.cpus[i], inst->lay.mem_bytes >> 20, inst->lay.mem);
}

/**
 * mk_start_mem_each - call @fn on each part of an instance's memory but
 *	its control area: below it, and what a resize added above it
 * @inst: the instance
 * @fn: called with a range
 *
 * Return: 0, or the first error of @fn.
 */
int mk_start_mem_each(struct mk_inst *inst, int (*fn)(u64 phys, u64 bytes))
{
	u64 above = inst->lay.ctrl + MK_CTRL_BYTES;
	int err = fn(inst->lay.mem, inst->lay.ctrl - inst->lay.mem);

	if (!err && inst->mem_top > above)
		err = fn(above, inst->mem_top - above);
	return err;
}

/**
 * mk_start_mem_hide - take an instance's memory out of the host's direct map
 * @inst: the instance, its memory held; claimed
 *
 * All but the control area, which the host reads while the instance runs:
 * a host bug that follows a stray pointer into the rest then faults
 * instead of writing over the instance. Where the arch cannot, the memory
 * stays mapped, and the log says so.
 */
void mk_start_mem_hide(struct mk_inst *inst)
{
	int err;

	if (inst->mem_hidden)
		return;
	err = mk_start_mem_each(inst, arch_mk_mem_hide);
	if (err) {
		/* A part may be hidden: the host must be able to zero it all. */
		mk_start_mem_each(inst, arch_mk_mem_show);
		pr_warn("multikernel: %s: its memory stays in the host's direct map: error %d\n",
			inst->name, err);
		return;
	}
	inst->mem_hidden = true;
}

/**
 * mk_start_mem_show - put an instance's memory back in the direct map
 * @inst: the instance, its memory held; claimed
 *
 * For the host to copy it into a vmcore, or to zero it once stopped. The
 * pages were split to be hidden, so showing them allocates nothing and
 * cannot fail but for a bug.
 */
void mk_start_mem_show(struct mk_inst *inst)
{
	int err;

	if (!inst->mem_hidden)
		return;
	err = mk_start_mem_each(inst, arch_mk_mem_show);
	WARN(err, "multikernel: %s: memory not mapped back: error %d\n",
	     inst->name, err);
	inst->mem_hidden = false;
}

/**
 * mk_stop - stop the CPUs, keep the console, scrub the memory, return
 *	the CPUs
 * @inst: an instance that holds its resources, claimed for stopping: no
 *	heartbeat or watch runs; its lock not held. If it is quarantined,
 *	only its stuck CPUs are stopped again.
 *
 * Return: true once every CPU stopped and everything is back, but for
 * the CPUs @inst->kept names: they stopped with a TSC that disagrees, and
 * stay out of the host. False if a CPU did not stop: the CPUs that did
 * are back, and @inst->stuck says which did not; those, the memory and
 * its low RAM stay the instance's.
 */
bool mk_stop(struct mk_inst *inst)
{
	u64 todo = inst->stuck ? inst->stuck : inst->held;
	unsigned int i;
	int err;

	inst->stuck = 0;
	for (i = 0; i < inst->run.npossible; i++) {
		if (!(todo & BIT_ULL(i)))
			continue;
		err = mk_start_cpu_stop(inst, i);
		if (err == -ERANGE)
			inst->kept |= BIT_ULL(i);
		else if (err)
			inst->stuck |= BIT_ULL(i);
	}
	/* The rest runs nothing now: no doorbell can come from them. */
	mk_vsock_host_detach(mk_vsock_cid(inst->run.id));
	if (inst->kmp)
		kmp_channel_destroy(inst->kmp);
	inst->kmp = NULL;
	mk_host_cpu_put(inst->host_cpu);
	inst->host_cpu = -1;
	mk_start_drain(inst);
	mk_cpus_return(inst, inst->run.npossible,
		       todo & ~inst->stuck & ~inst->kept);
	if (inst->stuck) {
		pr_crit("multikernel: %s: CPU %u did not stop; it stays quarantined with the instance's memory\n",
			inst->name, inst->run.cpus[__ffs64(inst->stuck)]);
		return false;
	}
	mk_start_mem_show(inst);
	mk_pool_scrub(inst->mem, inst->mem_top - inst->lay.mem);
	inst->mem = NULL;
	arch_mk_low_put(inst->low);
	return true;
}

static const char *mk_tramp_name(enum mk_tramp_stage stage)
{
	switch (stage) {
	case MK_TRAMP_NONE:
		break;
	case MK_TRAMP_REAL:
		return "stopped in real mode";
	case MK_TRAMP_PROT:
		return "stopped in protected mode";
	case MK_TRAMP_LONG:
		return "stopped in long mode";
	case MK_TRAMP_KERNEL:
		return "jumped to the kernel";
	}
	return "never ran";
}

static void mk_start_step(struct mk_inst *inst, enum mk_start_step step)
{
	inst->step_ns[step] = ktime_get_ns() - inst->start_ns;
}

/* Sleep until HELLO, a park or the timeout, draining the console. */
static int mk_wait_hello(struct mk_inst *inst, struct mk_report *rep)
{
	unsigned long end = jiffies + msecs_to_jiffies(mk_hello_timeout_ms);
	struct mk_boot_status *st = mk_status_of(inst);
	u32 stage;

	do {
		msleep(MK_WAIT_STEP_MS);
		mk_start_drain(inst);
		stage = mk_stage(inst);
		if (stage != MK_STAGE_NONE && !inst->step_ns[MK_STEP_SETUP])
			mk_start_step(inst, MK_STEP_SETUP);
		if (READ_ONCE(inst->hello))
			break;
		if (READ_ONCE(inst->stop)) {
			mk_report_add(rep, MK_RULE_INSTANCE_BUSY,
				      "exec: killed while it started");
			return -EINTR;
		}
		if (stage == MK_STAGE_PARKED) {
			mk_report_add(rep, MK_RULE_EXEC_HELLO,
				      "exec: the instance stopped before HELLO (%s)",
				      mk_park_name(le32_to_cpu(READ_ONCE(st->park_reason))));
			return -ETIMEDOUT;
		}
	} while (time_before(jiffies, end));
	if (!READ_ONCE(inst->hello)) {
		mk_report_add(rep, MK_RULE_EXEC_HELLO,
			      "exec: no HELLO within %u ms (kernel %s)",
			      mk_hello_timeout_ms,
			      stage == MK_STAGE_SETUP ? "in its setup" :
			      stage == MK_STAGE_HELLO ? "sent it, KMP lost it" :
			      "silent");
		return -ETIMEDOUT;
	}
	smp_rmb();	/* the flag before the version */
	if (READ_ONCE(inst->hello_version) != MK_BOOT_VERSION) {
		mk_report_add(rep, MK_RULE_EXEC_PROTOCOL,
			      "exec: the instance speaks boot protocol %u, the host %u",
			      READ_ONCE(inst->hello_version), MK_BOOT_VERSION);
		return -EPROTO;
	}
	inst->hello_ns = ktime_get_ns();
	mk_start_step(inst, MK_STEP_HELLO);
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
	struct mk_inst *inst = priv;
	struct mk_hello *theirs = m->payload;

	if (m->len >= sizeof(*theirs)) {
		WRITE_ONCE(inst->hello_version, le32_to_cpu(theirs->boot_version));
		smp_wmb();	/* the version before the flag */
		WRITE_ONCE(inst->hello, true);
	}
	/* A handler never waits for room: a full ring loses the answer. */
	kmp_reply(ep, m, KMP_MSG_HELLO, &mine, sizeof(mine), 0);
}

/* The KMP channel, in the control area, set up before the instance runs. */
static int mk_kmp_open(struct mk_inst *inst, u32 boot_apic)
{
	struct kmp_channel *ch;

	inst->hello = false;
	ch = kmp_shared_create(inst->name, mk_ctrl_of(inst) + MK_CTRL_KMP,
			       MK_KMP_BYTES, inst->host_cpu, boot_apic, true,
			       MK_KMP_SLOTS, MK_KMP_BULK);
	if (IS_ERR(ch))
		return PTR_ERR(ch);
	kmp_register_handler(kmp_channel_endpoint(ch, 0), KMP_MSG_HELLO,
			     mk_on_hello, inst);
	inst->kmp = ch;
	return 0;
}

/**
 * mk_start_layout - lay the loaded image out in the memory the instance
 *	has now
 * @inst: the instance, claimed for a start; @inst->run says its memory
 * @rep: why it does not fit
 *
 * The memory may have moved or shrunk since the load: the start never
 * writes outside what the instance holds at exec.
 *
 * Return: 0, or -EFBIG (or -ENOEXEC) with a finding that says to load again.
 */
int mk_start_layout(struct mk_inst *inst, struct mk_report *rep)
{
	const struct mk_image *img = &inst->img;
	u64 base = inst->run.mem_base, bytes = inst->run.mem_bytes;
	int err;

	err = mk_image_plan(img->kernel, img->kernel_size, base, bytes,
			    &inst->plan, rep);
	if (!err)
		err = mk_boot_layout(&inst->plan, img->initrd_size, base,
				     bytes, &inst->lay, rep);
	if (err)
		mk_report_add(rep, MK_RULE_IMAGE_SIZE,
			      "exec: the loaded image does not fit the instance's memory now (%#llx bytes at %#llx); load it again",
			      bytes, base);
	inst->mem_top = inst->lay.mem + inst->lay.mem_bytes;
	return err;
}

/*
 * Low RAM for the instance's real-mode trampoline, which starts its other
 * CPUs. Without any free, an instance of one CPU starts all the same: it
 * is told of no CPU a resize could give it, and so needs none.
 */
static int mk_start_low(struct mk_inst *inst, struct mk_report *rep)
{
	int err = arch_mk_low_get(&inst->low);

	if (err == -EOPNOTSUPP)
		return err;
	if (!err)
		return 0;
	inst->low = 0;
	/* A restart keeps this shape; the next exec claims it anew. */
	if (inst->run.ncpus == 1) {
		inst->run.npossible = 1;
		return 0;
	}
	mk_report_add(rep, MK_RULE_EXEC_WINDOW,
		      "exec: no RAM below 1 MiB free for the real-mode trampoline that starts its other CPUs; stop another instance, or start it on one CPU");
	return -ENOSPC;
}

/* The boot CPU, to the kernel's 64-bit entry. */
static int mk_start_boot_cpu(struct mk_inst *inst, u32 apic_id,
			     struct mk_report *rep)
{
	struct mk_cpu_entry e = {
		.kernel = inst->lay.kernel,
		.kernel_bytes = inst->plan.init_size,
		.ctrl = inst->lay.ctrl,
		.ctrl_va = mk_ctrl_of(inst),
	};
	enum mk_tramp_stage stage;
	int err;

	err = arch_mk_cpu_start(apic_id, &e, &stage);
	if (err == -ETIMEDOUT)
		mk_report_add(rep, MK_RULE_EXEC_HELLO,
			      "exec: the boot CPU did not reach the kernel (%s)",
			      mk_tramp_name(stage));
	else if (err)
		mk_report_add(rep, MK_RULE_EXEC_HELLO,
			      "exec: the boot CPU cannot be started: error %d", err);
	return err;
}

/**
 * mk_start - everything between "starting" and "running" or "failed"
 * @inst: the instance, claimed for a start and laid out; its lock not held
 * @rep: why it did not start
 *
 * Sleeps until the instance says HELLO, for hello_timeout_ms at most, or
 * until a kill asks to stop.
 *
 * Return: 0 once it said HELLO; -EINVAL for a CPU that cannot be lent;
 * -ENOSPC with no low memory free; -ETIMEDOUT or -EPROTO when it does not
 * say HELLO; -EINTR when killed. On error, its resources are back.
 */
int mk_start(struct mk_inst *inst, struct mk_report *rep)
{
	u32 boot_apic = arch_kmp_cpu_phys_id(inst->run.cpus[0]);
	int err;

	err = mk_exec_check_cpus(inst, rep);
	if (err)
		return err;
	inst->start_ns = ktime_get_ns();
	memset(inst->step_ns, 0, sizeof(inst->step_ns));
	inst->kept = 0;
	if (mk_pool_wait_clean()) {
		mk_report_add(rep, MK_RULE_EXEC_MEMORY,
			      "exec: the pool is still being zeroed since boot; try again");
		return -EBUSY;
	}
	err = mk_start_low(inst, rep);
	if (err)
		return err;
	/* Pool memory is RAM the host never uses: its direct map is ours. */
	inst->mem = __va(inst->lay.mem);
	err = mk_cpus_take(inst, rep);
	if (err) {
		inst->mem = NULL;
		arch_mk_low_put(inst->low);
		return err;
	}
	mk_start_step(inst, MK_STEP_CPUS);
	inst->host_cpu = mk_host_cpu_get(&inst->run);
	mk_write_image(inst);
	err = mk_kmp_open(inst, boot_apic);
	if (err) {
		mk_report_add(rep, MK_RULE_EXEC_HELLO,
			      "exec: no KMP channel to the instance: error %d", err);
		mk_stop(inst);
		return -ETIMEDOUT;
	}
	mk_start_mem_hide(inst);
	mk_start_step(inst, MK_STEP_IMAGE);
	inst->exec_ns = ktime_get_ns();
	err = mk_start_boot_cpu(inst, boot_apic, rep);
	if (!err) {
		mk_start_step(inst, MK_STEP_ENTRY);
		err = mk_wait_hello(inst, rep);
	}
	if (err)
		mk_stop(inst);
	return err;
}

/**
 * mk_start_parked - whether a running instance parked itself
 * @inst: the instance, its memory held; its lock held
 * @reason: its MK_PARK_* reason, if it did
 */
bool mk_start_parked(struct mk_inst *inst, u32 *reason)
{
	if (mk_stage(inst) != MK_STAGE_PARKED)
		return false;
	*reason = le32_to_cpu(READ_ONCE(mk_status_of(inst)->park_reason));
	return true;
}

/**
 * mk_stop_graceful - ask for a power off (KMP SHUTDOWN), and wait for the
 *	park, kill_timeout_ms at most
 * @inst: the instance, claimed for stopping, its channel still open
 *
 * Return: whether it parked.
 */
bool mk_stop_graceful(struct mk_inst *inst)
{
	unsigned long end = jiffies + msecs_to_jiffies(mk_kill_timeout_ms);

	if (kmp_send(kmp_channel_endpoint(inst->kmp, 0), KMP_MSG_SHUTDOWN,
		     NULL, 0, HZ))
		return false;
	do {
		msleep(MK_WAIT_STEP_MS);
		if (mk_stage(inst) == MK_STAGE_PARKED)
			return true;
	} while (time_before(jiffies, end));
	return false;
}

/**
 * mk_start_echo - a KMP echo to a running instance, for tests
 * @inst: the instance; its lock held, so that its channel stays
 * @buf: what to send
 * @len: its length
 * @ns: the round trip
 *
 * Return: 0 if the same bytes came back within a second; -EIO for other
 * bytes, or kmp_call()'s error.
 */
int mk_start_echo(struct mk_inst *inst, const void *buf, u32 len, u64 *ns)
{
	struct kmp_msg reply = { .len = len };
	u64 t0;
	int err;

	lockdep_assert_held(&inst->lock);
	reply.payload = kvmalloc(len ?: 1, GFP_KERNEL);
	if (!reply.payload)
		return -ENOMEM;
	t0 = ktime_get_ns();
	err = kmp_call(kmp_channel_endpoint(inst->kmp, 0), KMP_MSG_ECHO, buf,
		       len, &reply, HZ);
	*ns = ktime_get_ns() - t0;
	if (!err && (reply.len != len || memcmp(reply.payload, buf, len)))
		err = -EIO;
	kvfree(reply.payload);
	return err == -EMSGSIZE ? -EIO : err;
}
