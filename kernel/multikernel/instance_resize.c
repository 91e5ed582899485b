// SPDX-License-Identifier: GPL-2.0
/*
 * Resize: a transaction that gives a running instance other CPUs, or more
 * or less memory, is carried out with it, one step at a time, before the
 * state changes.
 *
 * Release comes before acquire: the instance first gives up the CPUs it
 * loses, each offlined in its kernel, then stopped by the host and proven
 * stopped as at a kill, and only then onlined in the host; then the
 * memory it loses, which the host zeroes; then the host hands over the
 * memory and the CPUs it gains. Each step is a KMP_MSG_RESIZE call
 * (struct mk_resize_msg) with resize_timeout_ms for its answer. If a step
 * fails, the steps done are undone, in reverse, and the transaction is
 * refused with a finding for the step.
 *
 * A CPU can be given only if the instance's kernel learned of it at boot:
 * the boot info lists the pool's other CPUs after its own (state.c). The
 * boot CPU is never taken. A CPU the instance gave up that does not stop
 * stays the instance's: no CPU ever runs two kernels. Memory changes
 * above the control area, which does not move, in MK_RESIZE_MEM_ALIGN
 * blocks.
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
#include "machine.h"

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
static int mk_resize_plan_cpus(struct mk_inst *inst, const unsigned long *cpus,
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

/*
 * Memory grows and shrinks above the control area, which stays where the
 * boot put it, in blocks the instance's kernel can add and remove.
 */
static int mk_resize_plan_mem(struct mk_inst *inst, u64 bytes,
			      struct mk_report *rep)
{
	u64 boot_top = inst->lay.mem + inst->lay.mem_bytes;
	u64 top = inst->lay.mem + bytes;

	if (top == inst->mem_top)
		return 0;
	if (top < boot_top) {
		mk_report_add(rep, MK_RULE_RESIZE_MEMORY,
			      "%s: %llu MiB is less than the %llu MiB it booted with",
			      inst->name, bytes >> 20, inst->lay.mem_bytes >> 20);
		return -EINVAL;
	}
	if (!IS_ALIGNED(boot_top | top, MK_RESIZE_MEM_ALIGN)) {
		mk_report_add(rep, MK_RULE_RESIZE_MEMORY,
			      "%s: memory changes in blocks of %llu MiB, from a %llu MiB boundary; it booted with memory up to %#llx, and would have it up to %#llx",
			      inst->name, MK_RESIZE_MEM_ALIGN >> 20,
			      MK_RESIZE_MEM_ALIGN >> 20, boot_top, top);
		return -EINVAL;
	}
	return 0;
}

static const char * const mk_resize_op_names[] = {
	[MK_RESIZE_CPU_ADD] = "add",
	[MK_RESIZE_CPU_REMOVE] = "remove",
	[MK_RESIZE_MEM_ADD] = "add",
	[MK_RESIZE_MEM_REMOVE] = "remove",
};

/*
 * One step, over the channel: 0 once the instance says it is done. @what
 * names what it is about, for the finding.
 */
static int mk_resize_call(struct mk_inst *inst, struct mk_resize_msg *req,
			  const char *what, struct mk_report *rep)
{
	struct mk_resize_msg rsp = {};
	struct kmp_msg reply = { .payload = &rsp, .len = sizeof(rsp) };
	const char *op = mk_resize_op_names[le16_to_cpu(req->op)];
	int err;

	req->version = cpu_to_le16(MK_RESIZE_VERSION);
	req->seq = cpu_to_le32(++inst->resize_seq);
	err = kmp_call(kmp_channel_endpoint(inst->kmp, 0), KMP_MSG_RESIZE,
		       req, sizeof(*req), &reply,
		       msecs_to_jiffies(mk_resize_timeout_ms));
	if (err == -ETIMEDOUT || err == -EAGAIN) {
		mk_report_add(rep, MK_RULE_RESIZE_TIMEOUT,
			      "%s: %s: no answer to the %s step within %u ms",
			      inst->name, what, op, mk_resize_timeout_ms);
		return -ETIMEDOUT;
	}
	/* The answer is the instance's: only the step asked for counts. */
	if (!err && (reply.len < sizeof(rsp) || rsp.seq != req->seq ||
		     rsp.op != req->op))
		err = -EPROTO;
	else if (!err)
		err = -(int)min_t(u32, le32_to_cpu(rsp.result), MAX_ERRNO);
	if (err)
		mk_report_add(rep, MK_RULE_RESIZE_REFUSED,
			      "%s: %s: the %s step failed in the instance: error %d",
			      inst->name, what, op, err);
	return err ? -EIO : 0;
}

static int mk_resize_call_cpu(struct mk_inst *inst, u16 op, unsigned int i,
			      struct mk_report *rep)
{
	struct mk_resize_msg req = {
		.op = cpu_to_le16(op),
		.apic_id = cpu_to_le32(arch_kmp_cpu_phys_id(inst->run.cpus[i])),
	};
	char what[16];

	snprintf(what, sizeof(what), "CPU %u", inst->run.cpus[i]);
	return mk_resize_call(inst, &req, what, rep);
}

static int mk_resize_call_mem(struct mk_inst *inst, u16 op, u64 phys,
			      u64 bytes, struct mk_report *rep)
{
	struct mk_resize_msg req = {
		.op = cpu_to_le16(op),
		.phys = cpu_to_le64(phys),
		.bytes = cpu_to_le64(bytes),
	};
	char what[48];

	snprintf(what, sizeof(what), "%llu MiB at %#llx", bytes >> 20, phys);
	return mk_resize_call(inst, &req, what, rep);
}

/* The instance gives CPU @i up; the host stops it and has it back. */
static int mk_resize_cpu_out(struct mk_inst *inst, unsigned int i,
			     struct mk_report *rep)
{
	int err = mk_resize_call_cpu(inst, MK_RESIZE_CPU_REMOVE, i, rep);

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
	err = mk_resize_call_cpu(inst, MK_RESIZE_CPU_ADD, i, rep);
	if (!err)
		return 0;
	/* It may have started the CPU all the same: stop it first. */
	if (!mk_start_cpu_stop(inst, i))
		mk_start_cpu_give(inst, i);
	return err;
}

/*
 * The instance gives up its memory above @top; the host zeroes it and
 * has it back.
 */
static int mk_resize_mem_out(struct mk_inst *inst, u64 top,
			     struct mk_report *rep)
{
	u64 bytes = inst->mem_top - top;
	int err;

	err = mk_resize_call_mem(inst, MK_RESIZE_MEM_REMOVE, top, bytes, rep);
	if (err)
		return err;
	if (inst->mem_hidden)
		arch_mk_mem_show(top, bytes);
	mk_pool_scrub(inst->mem + (top - inst->lay.mem), bytes);
	inst->mem_top = top;
	return 0;
}

/*
 * The instance takes the memory up to @top. Free pool memory is zero.
 * Unless the instance says it did not take it, it keeps it: memory it may
 * still use is never given back on a guess.
 */
static int mk_resize_mem_in(struct mk_inst *inst, u64 top,
			    struct mk_report *rep)
{
	u64 from = inst->mem_top, bytes = top - from;
	int err;

	if (inst->mem_hidden && arch_mk_mem_hide(from, bytes))
		arch_mk_mem_show(from, bytes);
	inst->mem_top = top;
	err = mk_resize_call_mem(inst, MK_RESIZE_MEM_ADD, from, bytes, rep);
	if (err != -EIO)
		return err;
	if (inst->mem_hidden)
		arch_mk_mem_show(from, bytes);
	mk_pool_scrub(inst->mem + (from - inst->lay.mem), bytes);
	inst->mem_top = from;
	return err;
}

/* A kill stops a resize at its next step. */
static int mk_resize_go_on(struct mk_inst *inst)
{
	return READ_ONCE(inst->stop) ? -EINTR : 0;
}

/*
 * The steps from @inst->held to @want and from @inst->mem_top to @top:
 * what the instance gives up first, then what it gains. Returns with
 * both as far as it got.
 */
static int mk_resize_steps(struct mk_inst *inst, u64 want, u64 top,
			   struct mk_report *rep)
{
	u64 out = inst->held & ~want, in = want & ~inst->held;
	unsigned int i;
	int err = 0;

	for (i = 0; i < inst->run.npossible && !err; i++)
		if (out & BIT_ULL(i))
			err = mk_resize_go_on(inst) ?: mk_resize_cpu_out(inst, i, rep);
	if (!err && top < inst->mem_top)
		err = mk_resize_go_on(inst) ?: mk_resize_mem_out(inst, top, rep);
	if (!err && top > inst->mem_top)
		err = mk_resize_go_on(inst) ?: mk_resize_mem_in(inst, top, rep);
	for (i = 0; i < inst->run.npossible && !err; i++)
		if (in & BIT_ULL(i))
			err = mk_resize_go_on(inst) ?: mk_resize_cpu_in(inst, i, rep);
	mk_start_smt_update();
	if (err == -EINTR)
		mk_report_add(rep, MK_RULE_INSTANCE_BUSY,
			      "%s: killed while it resized", inst->name);
	return err;
}

/* Say what a resize did, in its transition. */
static void mk_resize_say(struct mk_inst *inst, char *buf, size_t size,
			  const char *how)
{
	snprintf(buf, size, "%s%u CPUs, %llu MiB", how,
		 (u32)hweight64(inst->held),
		 (inst->mem_top - inst->lay.mem) >> 20);
}

/* ... and what it is to do. */
static void mk_resize_say_plan(struct mk_inst *inst, char *buf, size_t size,
			       u64 want, u64 bytes)
{
	snprintf(buf, size, "from %u to %u CPUs, %llu to %llu MiB",
		 (u32)hweight64(inst->held), (u32)hweight64(want),
		 (inst->mem_top - inst->lay.mem) >> 20, bytes >> 20);
}

/* Undo what was done; memory the instance would not give back fails it. */
static void mk_resize_undo(struct mk_inst *inst, u64 held, u64 top)
{
	struct mk_report undo;

	mk_report_init(&undo);
	mk_resize_steps(inst, held, top, &undo);
	mk_report_free(&undo);
	if (inst->mem_top != top && !inst->deferred && !READ_ONCE(inst->stop)) {
		inst->deferred = true;
		inst->deferred_cause = MK_FAILED_RESIZE;
		snprintf(inst->deferred_why, sizeof(inst->deferred_why),
			 "resize: it neither took nor gave back memory at %#llx",
			 top);
	}
}

/**
 * mk_inst_resize - give a running instance other CPUs or memory
 * @inst: the instance
 * @cpus: the CPUs it is to have, host numbers, MK_MAX_CPUS bits
 * @mem_bytes: the memory it is to have, from the same base
 * @rep: why not
 *
 * Context: the state's lock held: the state changes only if this works.
 * Return: 0 once the instance runs on them; -EBUSY if it does not run;
 * -EINVAL for CPUs or memory it cannot have; -ETIMEDOUT or -EIO if a step
 * failed, after the steps done were undone. Memory it neither takes nor
 * gives back fails the instance once this returns.
 */
int mk_inst_resize(struct mk_inst *inst, const unsigned long *cpus,
		   u64 mem_bytes, struct mk_report *rep)
{
	u64 was, was_top, want, top;
	char why[MK_REASON_MAX];
	int err;

	mk_inst_lock(inst);
	if (inst->state != MK_RUN_RUNNING || inst->health.recovering) {
		mk_report_add(rep, MK_RULE_INSTANCE_BUSY,
			      "%s: it is %s; it is resized only while it runs",
			      inst->name, mk_run_state_name(inst->state));
		mk_inst_unlock(inst);
		return -EBUSY;
	}
	was = inst->held;
	was_top = inst->mem_top;
	top = inst->lay.mem + mem_bytes;
	err = mk_resize_plan_cpus(inst, cpus, &want, rep) ?:
	      mk_resize_plan_mem(inst, mem_bytes, rep);
	if (err || (want == was && top == was_top)) {
		mk_inst_unlock(inst);
		return err;
	}
	inst->deferred = false;
	mk_resize_say_plan(inst, why, sizeof(why), want, mem_bytes);
	mk_inst_event(inst, MK_EV_RESIZE, why);
	mk_inst_unlock(inst);

	err = mk_resize_steps(inst, want, top, rep);
	if (err)
		mk_resize_undo(inst, was, was_top);
	mk_resize_say(inst, why, sizeof(why), err ? "undone: " : "");

	mk_inst_lock(inst);
	inst->shape = inst->held;
	inst->run.mem_bytes = inst->mem_top - inst->lay.mem;
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
