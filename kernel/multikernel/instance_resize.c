// SPDX-License-Identifier: GPL-2.0
/*
 * Resize: a transaction that gives a running instance other CPUs is
 * carried out with it, one step at a time, before the state changes.
 *
 * Release comes before acquire: the instance first gives up the CPUs it
 * loses, each offlined in its kernel, then stopped by the host and proven
 * stopped as at a kill, and only then onlined in the host; then the host
 * takes the CPUs it gains and the instance brings each up. Each step is a
 * KMP_MSG_RESIZE call (struct mk_resize_msg) with resize_timeout_ms for
 * its answer. If a step fails, the steps done are undone, in reverse,
 * and the transaction is refused with a finding for the step.
 *
 * A CPU can be given only if the instance's kernel learned of it at boot:
 * the boot info lists the pool's other CPUs after its own (state.c). The
 * boot CPU is never taken. A CPU the instance gave up that does not stop
 * stays the instance's: no CPU ever runs two kernels.
 *
 * The instance is RESIZING meanwhile. A kill waits for the resize, which
 * stops at its next step; a failure seen meanwhile is taken up at its end.
 */

#include <linux/err.h>
#include <linux/jiffies.h>
#include <linux/moduleparam.h>
#include <linux/multikernel_boot.h>
#include <linux/multikernel_kmp.h>

#include "instance.h"

#undef MODULE_PARAM_PREFIX
#define MODULE_PARAM_PREFIX "multikernel."

static unsigned int mk_resize_timeout_ms = 10000;
module_param_named(resize_timeout_ms, mk_resize_timeout_ms, uint, 0644);
MODULE_PARM_DESC(resize_timeout_ms,
		 "how long a running instance has to answer a resize step");

/* Where host CPU @cpu is in the instance's list, or -1. */
static int mk_resize_index(const struct mk_inst *inst, unsigned int cpu)
{
	unsigned int i;

	for (i = 0; i < inst->run.npossible; i++)
		if (inst->run.cpus[i] == cpu)
			return i;
	return -1;
}

/* The indexes of @cpus in the instance's list, or a finding. */
static int mk_resize_plan(struct mk_inst *inst, const unsigned long *cpus,
			  u64 *want, struct mk_report *rep)
{
	unsigned int cpu;
	int i;

	*want = 0;
	for_each_set_bit(cpu, cpus, MK_MAX_CPUS) {
		i = mk_resize_index(inst, cpu);
		if (i < 0 || (inst->kept & BIT_ULL(i))) {
			mk_report_add(rep, MK_RULE_RESIZE_CPUS,
				      "%s: CPU %u %s; kill and exec it to give it this CPU",
				      inst->name, cpu, i < 0 ?
				      "was not in the pool when its kernel booted" :
				      "is kept offline");
			return -EINVAL;
		}
		*want |= BIT_ULL(i);
	}
	if (!(*want & BIT_ULL(0))) {
		mk_report_add(rep, MK_RULE_RESIZE_BOOT_CPU,
			      "%s: CPU %u is its boot CPU, which it keeps",
			      inst->name, inst->run.cpus[0]);
		return -EINVAL;
	}
	return 0;
}

static const char *mk_resize_op_name(u16 op)
{
	return op == MK_RESIZE_CPU_ADD ? "add" : "remove";
}

/* One step, over the channel: 0 once the instance says it is done. */
static int mk_resize_call(struct mk_inst *inst, u16 op, unsigned int i,
			  struct mk_report *rep)
{
	struct mk_resize_msg req = {
		.version = cpu_to_le16(MK_RESIZE_VERSION),
		.op = cpu_to_le16(op),
		.seq = cpu_to_le32(++inst->resize_seq),
		.apic_id = cpu_to_le32(arch_kmp_cpu_phys_id(inst->run.cpus[i])),
	};
	struct mk_resize_msg rsp = {};
	struct kmp_msg reply = { .payload = &rsp, .len = sizeof(rsp) };
	unsigned int cpu = inst->run.cpus[i];
	int err;

	err = kmp_call(kmp_channel_endpoint(inst->kmp, 0), KMP_MSG_RESIZE,
		       &req, sizeof(req), &reply,
		       msecs_to_jiffies(mk_resize_timeout_ms));
	if (err == -ETIMEDOUT || err == -EAGAIN) {
		mk_report_add(rep, MK_RULE_RESIZE_TIMEOUT,
			      "%s: CPU %u: no answer to the %s step within %u ms",
			      inst->name, cpu, mk_resize_op_name(op),
			      mk_resize_timeout_ms);
		return -ETIMEDOUT;
	}
	/* The answer is the instance's: only the step asked for counts. */
	if (!err && (reply.len < sizeof(rsp) || rsp.seq != req.seq ||
		     rsp.op != req.op))
		err = -EPROTO;
	else if (!err)
		err = -(int)min_t(u32, le32_to_cpu(rsp.result), MAX_ERRNO);
	if (err)
		mk_report_add(rep, MK_RULE_RESIZE_REFUSED,
			      "%s: CPU %u: the %s step failed in the instance: error %d",
			      inst->name, cpu, mk_resize_op_name(op), err);
	return err ? -EIO : 0;
}

/* The instance gives CPU @i up; the host stops it and has it back. */
static int mk_resize_cpu_out(struct mk_inst *inst, unsigned int i,
			     struct mk_report *rep)
{
	int err = mk_resize_call(inst, MK_RESIZE_CPU_REMOVE, i, rep);

	if (err)
		return err;
	err = mk_start_cpu_stop(inst, i);
	if (err == -ERANGE) {
		/* Stopped, but its TSC moved: it stays out, as at a kill. */
		inst->held &= ~BIT_ULL(i);
		inst->kept |= BIT_ULL(i);
		return 0;
	}
	if (err) {
		mk_report_add(rep, MK_RULE_RESIZE_REFUSED,
			      "%s: CPU %u was given up but did not stop; it stays the instance's",
			      inst->name, inst->run.cpus[i]);
		return -EIO;
	}
	mk_start_cpu_give(inst, i);
	return 0;
}

/* The host gives CPU @i up; the instance brings it up. */
static int mk_resize_cpu_in(struct mk_inst *inst, unsigned int i,
			    struct mk_report *rep)
{
	int err = mk_start_cpu_take(inst, i);

	if (err) {
		mk_report_add(rep, MK_RULE_RESIZE_CPUS,
			      "%s: CPU %u cannot be taken from the host: error %d",
			      inst->name, inst->run.cpus[i], err);
		return -EINVAL;
	}
	err = mk_resize_call(inst, MK_RESIZE_CPU_ADD, i, rep);
	if (!err)
		return 0;
	/* It may have started the CPU all the same: stop it first. */
	if (!mk_start_cpu_stop(inst, i))
		mk_start_cpu_give(inst, i);
	return err;
}

/*
 * The steps from @inst->held to @want, removals first. Returns with
 * @inst->held as far as it got.
 */
static int mk_resize_steps(struct mk_inst *inst, u64 want,
			   struct mk_report *rep)
{
	u64 out = inst->held & ~want, in = want & ~inst->held;
	unsigned int i;
	int err = 0;

	for (i = 0; i < inst->run.npossible && !err; i++) {
		if (READ_ONCE(inst->stop))
			err = -EINTR;
		else if (out & BIT_ULL(i))
			err = mk_resize_cpu_out(inst, i, rep);
	}
	for (i = 0; i < inst->run.npossible && !err; i++) {
		if (READ_ONCE(inst->stop))
			err = -EINTR;
		else if (in & BIT_ULL(i))
			err = mk_resize_cpu_in(inst, i, rep);
	}
	mk_start_smt_update();
	if (err == -EINTR)
		mk_report_add(rep, MK_RULE_INSTANCE_BUSY,
			      "%s: killed while it resized", inst->name);
	return err;
}

/**
 * mk_inst_resize - give a running instance other CPUs
 * @inst: the instance
 * @cpus: the CPUs it is to have, host numbers, MK_MAX_CPUS bits
 * @rep: why not
 *
 * Context: the state's lock held: the state changes only if this works.
 * Return: 0 once the instance runs on @cpus; -EBUSY if it does not run;
 * -EINVAL for CPUs it cannot have; -ETIMEDOUT or -EIO if a step failed,
 * after the steps done were undone, as far as they could be.
 */
int mk_inst_resize(struct mk_inst *inst, const unsigned long *cpus,
		   struct mk_report *rep)
{
	struct mk_report undo;
	char why[MK_REASON_MAX];
	u64 was, want;
	int err;

	mk_inst_lock(inst);
	if (inst->state != MK_RUN_RUNNING || inst->health.recovering) {
		mk_report_add(rep, MK_RULE_INSTANCE_BUSY,
			      "%s: it is %s; its CPUs change only while it runs",
			      inst->name, mk_run_state_name(inst->state));
		mk_inst_unlock(inst);
		return -EBUSY;
	}
	was = inst->held;
	err = mk_resize_plan(inst, cpus, &want, rep);
	if (err || want == was) {
		mk_inst_unlock(inst);
		return err;
	}
	inst->deferred = false;
	snprintf(why, sizeof(why), "from %u to %u CPUs", (u32)hweight64(was),
		 (u32)hweight64(want));
	mk_inst_event(inst, MK_EV_RESIZE, why);
	mk_inst_unlock(inst);

	err = mk_resize_steps(inst, want, rep);
	if (err) {
		mk_report_init(&undo);
		mk_resize_steps(inst, was, &undo);
		mk_report_free(&undo);
		snprintf(why, sizeof(why), "undone: %u CPUs",
			 (u32)hweight64(inst->held));
	} else {
		snprintf(why, sizeof(why), "%u CPUs", (u32)hweight64(inst->held));
	}

	mk_inst_lock(inst);
	inst->shape = inst->held;
	mk_inst_event(inst, MK_EV_RESIZED, why);
	if (inst->deferred) {
		inst->deferred = false;
		mk_recover(inst, inst->deferred_cause, inst->deferred_why);
	}
	wake_up_all(&inst->wq);
	mk_inst_unlock(inst);
	return err;
}

/**
 * mk_run_compact - what an instance runs on, for its next boot
 * @req: its CPU list as it last booted; rewritten
 * @held: which of them the state gives it now
 *
 * The CPUs it has come first, the boot CPU still at the head; those it
 * may be given follow.
 */
void mk_run_compact(struct mk_exec_req *req, u64 held)
{
	unsigned int cpus[MK_BOOT_MAX_CPUS], i, n = 0;

	for (i = 0; i < req->npossible; i++)
		if (held & BIT_ULL(i))
			cpus[n++] = req->cpus[i];
	req->ncpus = n;
	for (i = 0; i < req->npossible; i++)
		if (!(held & BIT_ULL(i)))
			cpus[n++] = req->cpus[i];
	memcpy(req->cpus, cpus, n * sizeof(cpus[0]));
}
