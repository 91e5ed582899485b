// SPDX-License-Identifier: GPL-2.0
/*
 * The life cycle of a loaded instance: exec, the watch while it runs,
 * what its heartbeat reports, kill, and the steps a recovery takes. Each
 * change of state goes through mk_inst_event() (instance.c); the work on
 * the instance's CPUs and memory is instance_start.c's.
 *
 * A kill always wins. It marks the instance (mk_inst.stop), and every
 * start and recovery gives up at its next step: a start within
 * MK_WAIT_STEP_MS of its HELLO wait, a recovery between its steps. The
 * kill waits for them, kill_wait_ms at most, and then stops whatever is
 * left holding CPUs or memory, by INIT, without the instance's help.
 */

#include <linux/moduleparam.h>
#include <linux/multikernel_kmp.h>
#include <linux/multikernel_vsock.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/timekeeping.h>
#include <linux/vmalloc.h>

#include "instance.h"

#undef MODULE_PARAM_PREFIX
#define MODULE_PARAM_PREFIX "multikernel."

static unsigned int mk_kill_wait_ms = 30000;
module_param_named(kill_wait_ms, mk_kill_wait_ms, uint, 0644);
MODULE_PARM_DESC(kill_wait_ms,
		 "how long a kill waits for a start or recovery to give up");

#define MK_WATCH_PERIOD		(HZ / 20)

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

/*
 * Claim the loaded kernel for a start: loaded, stopped or failed. A
 * recovery restarts it from its own work; nobody else may while it runs.
 */
static int mk_exec_claim(struct mk_inst *inst, const struct mk_exec_req *req,
			 bool restart, struct mk_report *rep)
{
	int err;

	lockdep_assert_held(&inst->lock);
	if (inst->state == MK_RUN_UNLOADED) {
		mk_report_add(rep, MK_RULE_INSTANCE_NOT_LOADED,
			      "exec: no kernel is loaded; load one first");
		return -ENOENT;
	}
	if (restart && inst->stop)
		return -EINTR;
	if (mk_run_active(inst->state) ||
	    (inst->health.recovering && !restart)) {
		mk_report_add(rep, MK_RULE_INSTANCE_BUSY,
			      "exec: the instance is already %s",
			      inst->health.recovering ? "recovering" :
			      mk_run_state_name(inst->state));
		return -EBUSY;
	}
	if (!inst->cons.buf) {
		inst->cons.buf = vmalloc(MK_CONS_LOG_BYTES);
		if (!inst->cons.buf)
			return -ENOMEM;
	}
	inst->run = *req;
	err = mk_start_layout(inst, rep);
	if (err)
		return err;
	inst->cons.head = 0;
	inst->cons.tail = 0;
	inst->hello_ns = 0;
	if (!restart)
		inst->stop = false;
	return mk_inst_event(inst, MK_EV_EXEC, "");
}

/**
 * mk_inst_exec_claim - take the loaded kernel of an instance for a start
 * @inst: the instance
 * @req: what it runs on
 * @rep: why it cannot start
 *
 * From here the instance counts as holding its resources: the caller
 * claims it under the same lock as it read @req from the state, so that
 * no change of the state comes between, then calls mk_inst_exec(). The
 * image is laid out again for @req's memory.
 *
 * Return: 0; -ENOENT if nothing is loaded, -EBUSY if it already runs,
 * -EINVAL for more CPUs than the boot protocol carries, -EFBIG if the
 * image no longer fits its memory.
 */
int mk_inst_exec_claim(struct mk_inst *inst, const struct mk_exec_req *req,
		       struct mk_report *rep)
{
	int err;

	if (req->ncpus > MK_BOOT_MAX_CPUS) {
		mk_report_add(rep, MK_RULE_EXEC_CPUS,
			      "exec: more than %u CPUs", MK_BOOT_MAX_CPUS);
		return -EINVAL;
	}
	mk_inst_lock(inst);
	err = mk_exec_claim(inst, req, false, rep);
	mk_inst_unlock(inst);
	return err;
}

static void mk_on_late(void *priv, const char *why);
static void mk_on_back(void *priv, const char *why);
static void mk_on_failed(void *priv, const char *why);
static void mk_on_storm(void *priv, const char *why);

static const struct mk_health_ops mk_inst_health_ops = {
	.late	= mk_on_late,
	.back	= mk_on_back,
	.failed	= mk_on_failed,
};

/* It said HELLO: watch it, beat to it, and give it vsock. */
static void mk_exec_running(struct mk_inst *inst)
{
	struct kmp_endpoint *ep = kmp_channel_endpoint(inst->kmp, 0);
	int err;

	lockdep_assert_held(&inst->lock);
	mk_inst_event(inst, MK_EV_HELLO, "");
	mk_inst_hold(inst);	/* the watch's */
	if (!schedule_delayed_work(&inst->watch, MK_WATCH_PERIOD))
		mk_inst_put(inst);
	mk_health_start(&inst->health, ep, &mk_inst_health_ops, inst);
	kmp_set_storm_fn(ep, mk_on_storm, inst);
	err = mk_vsock_host_attach(ep, mk_vsock_cid(inst->run.id));
	if (err)
		pr_warn("multikernel: %s: no vsock: %d\n", inst->name, err);
}

/*
 * After mk_stop(): @ev with @why if every CPU stopped; otherwise the
 * instance is quarantined, and says why.
 */
static void mk_stop_event(struct mk_inst *inst, bool stopped,
			  enum mk_run_event ev, const char *why)
{
	char q[MK_REASON_MAX], kept[MK_REASON_MAX];

	lockdep_assert_held(&inst->lock);
	if (stopped && inst->kept) {
		mk_stop_kept_why(inst, kept, sizeof(kept));
		mk_recovery_log(inst->name, MK_REC_MONITORING, "%s", kept);
		snprintf(q, sizeof(q), "%s; %s", why ? why : inst->reason, kept);
		why = q;
	}
	if (stopped) {
		mk_inst_event(inst, ev, why);
		return;
	}
	mk_stop_quarantine_why(inst, q, sizeof(q));
	mk_inst_event(inst, MK_EV_QUARANTINE, q);
	mk_recovery_log(inst->name, MK_REC_MONITORING, "quarantined: %s", q);
}

/**
 * mk_inst_exec - start a claimed kernel
 * @inst: the instance, claimed with mk_inst_exec_claim()
 * @rep: why it did not start
 *
 * Return: 0 once it runs, or mk_start()'s error, as status then says too.
 */
int mk_inst_exec(struct mk_inst *inst, struct mk_report *rep)
{
	char why[MK_REASON_MAX];
	int err;

	err = mk_start(inst, rep);
	mk_inst_lock(inst);
	if (!err) {
		mk_exec_running(inst);
	} else if (inst->stuck) {
		mk_stop_event(inst, false, MK_EV_NO_START, NULL);
	} else if (err == -EINTR) {
		mk_inst_event(inst, MK_EV_KILL, "killed while it started");
	} else {
		mk_reason_from(rep, why, sizeof(why));
		mk_inst_event(inst, MK_EV_NO_START, why);
	}
	wake_up_all(&inst->wq);
	mk_inst_unlock(inst);
	return err;
}

/**
 * mk_inst_restart - start the same kernel again, on what it ran on
 * @inst: the instance, reclaimed by its recovery
 * @rep: why it did not start
 *
 * The state cannot have moved its resources: they stay claimed while a
 * recovery runs.
 *
 * Return: as mk_inst_exec(); -EINTR if a kill came first.
 */
int mk_inst_restart(struct mk_inst *inst, struct mk_report *rep)
{
	struct mk_exec_req req;
	int err;

	mk_inst_lock(inst);
	req = inst->run;
	mk_run_compact(&req, inst->shape);
	err = mk_exec_claim(inst, &req, true, rep);
	mk_inst_unlock(inst);
	return err ? err : mk_inst_exec(inst, rep);
}

/*
 * How an instance that parked itself ends. A panic is a failure, and so
 * is a reboot when the policy restarts it: its recovery takes over. A
 * power off or halt, or a reboot otherwise, stops it here, from the
 * watch, which is not running any more for anyone to cancel.
 */
static void mk_watch_parked(struct mk_inst *inst, u32 reason)
{
	bool restart = READ_ONCE(inst->health.pol.on_failure) == MK_FAIL_RESTART;
	bool stopped;

	lockdep_assert_held(&inst->lock);
	if (reason == MK_PARK_PANIC || (reason == MK_PARK_RESTART && restart)) {
		mk_recover(inst, reason == MK_PARK_PANIC ? MK_FAILED_PANIC :
			   MK_FAILED_REBOOT, mk_park_name(reason));
		return;
	}
	mk_inst_event(inst, MK_EV_PARK, mk_park_name(reason));
	mk_inst_unlock(inst);

	mk_health_stop(&inst->health);
	stopped = mk_stop(inst);
	mk_recovery_log(inst->name, MK_REC_MONITORING, "stopped itself: %s",
			mk_park_name(reason));
	mk_inst_lock(inst);
	mk_stop_event(inst, stopped, MK_EV_STOPPED, NULL);
	wake_up_all(&inst->wq);
}

/**
 * mk_watch - while it runs: drain the console, and notice when the
 *	instance parked itself (power off, halt, reboot, panic)
 * @work: the instance's watch; it holds a reference
 */
void mk_watch(struct work_struct *work)
{
	struct mk_inst *inst = container_of(to_delayed_work(work),
					    struct mk_inst, watch);
	bool again = false;
	u32 reason;

	mk_inst_lock(inst);
	if (mk_run_live(inst->state)) {
		if (mk_cons_drain(inst))
			inst->notify |= MK_NOTIFY_CONSOLE;
		/* A park during a resize waits for the resize's end. */
		if (inst->state != MK_RUN_RESIZING &&
		    mk_start_parked(inst, &reason))
			mk_watch_parked(inst, reason);
		else
			again = schedule_delayed_work(&inst->watch,
						      MK_WATCH_PERIOD);
	}
	mk_inst_unlock(inst);
	if (!again)
		mk_inst_put(inst);
}

/**
 * mk_inst_quiesce - stop the heartbeat and the watch of an instance
 * @inst: the instance; its lock not held, as both take it
 */
void mk_inst_quiesce(struct mk_inst *inst)
{
	mk_health_stop(&inst->health);
	if (cancel_delayed_work_sync(&inst->watch))
		mk_inst_put(inst);	/* the watch's, as it will not run */
}

/**
 * mk_inst_reclaim - stop a failed instance and take its resources back
 * @inst: the instance, failed with its resources held, quiesced
 *
 * Its status stays "failed", with the same reason; or it is quarantined.
 *
 * Return: whether everything is back.
 */
bool mk_inst_reclaim(struct mk_inst *inst)
{
	bool stopped = mk_stop(inst);

	mk_inst_lock(inst);
	mk_stop_event(inst, stopped, MK_EV_RECLAIM, NULL);
	mk_inst_unlock(inst);
	return stopped;
}

static void mk_on_late(void *priv, const char *why)
{
	struct mk_inst *inst = priv;

	mk_inst_lock(inst);
	if (inst->state == MK_RUN_RUNNING) {
		mk_inst_event(inst, MK_EV_LATE, why);
		mk_recovery_log(inst->name, MK_REC_MONITORING,
				"unresponsive: %s", why);
	}
	mk_inst_unlock(inst);
}

static void mk_on_back(void *priv, const char *why)
{
	struct mk_inst *inst = priv;

	mk_inst_lock(inst);
	if (inst->state == MK_RUN_UNRESPONSIVE) {
		mk_inst_event(inst, MK_EV_BACK, "");
		mk_recovery_log(inst->name, MK_REC_MONITORING,
				"running again: %s", why);
	}
	mk_inst_unlock(inst);
}

static void mk_on_failed(void *priv, const char *why)
{
	struct mk_inst *inst = priv;

	mk_inst_lock(inst);
	if (mk_run_live(inst->state))
		mk_recover(inst, MK_FAILED_HEARTBEAT, why);
	mk_inst_unlock(inst);
}

/* Its doorbells came past the limit for seconds: it fails. */
static void mk_on_storm(void *priv, const char *why)
{
	struct mk_inst *inst = priv;

	mk_inst_lock(inst);
	if (mk_run_live(inst->state))
		mk_recover(inst, MK_FAILED_STORM, why);
	mk_inst_unlock(inst);
}

/**
 * mk_inst_recover - recover an instance now, as if it had failed
 * @inst: the instance, running, unresponsive or failed holding its
 *	resources
 *
 * Its registers are saved by NMI into a vmcore if the policy captures,
 * it is reclaimed and started again, whatever its policy says, and
 * counted against its restart limit.
 *
 * Return: 0 once the recovery is under way; -ENOENT if nothing is loaded,
 * -ESRCH if it does not run, -EBUSY while a recovery runs.
 */
int mk_inst_recover(struct mk_inst *inst)
{
	int err = 0;

	mk_inst_lock(inst);
	if (inst->state == MK_RUN_UNLOADED)
		err = -ENOENT;
	else if (inst->health.recovering)
		err = -EBUSY;
	else if (!mk_run_live(inst->state) &&
		 inst->state != MK_RUN_FAILED_HELD)
		err = -ESRCH;
	else
		mk_recover(inst, MK_FAILED_MANUAL,
			   "recover: asked by the operator");
	mk_inst_unlock(inst);
	return err;
}

/* Nothing is under way that a kill must wait for. */
static bool mk_kill_settled(struct mk_inst *inst)
{
	enum mk_run_state st = READ_ONCE(inst->state);

	return !READ_ONCE(inst->health.recovering) &&
	       st != MK_RUN_STARTING && st != MK_RUN_STOPPING &&
	       st != MK_RUN_RESIZING;
}

/*
 * Ask a start or recovery under way to give up, and wait for it.
 * Returns with the lock held, or -ETIMEDOUT without it.
 */
static int mk_kill_wait(struct mk_inst *inst, bool *waited)
{
	long left = msecs_to_jiffies(mk_kill_wait_ms);

	lockdep_assert_held(&inst->lock);
	*waited = false;
	while (!mk_kill_settled(inst)) {
		inst->stop = true;
		*waited = true;
		mk_inst_unlock(inst);
		left = wait_event_timeout(inst->wq, mk_kill_settled(inst), left);
		if (!left)
			return -ETIMEDOUT;
		mk_inst_lock(inst);
	}
	return 0;
}

/**
 * mk_inst_kill - stop an instance and take its resources back
 * @inst: the instance
 * @force: stop its CPUs at once, without asking it to power off
 *
 * A graceful kill that gets no answer within kill_timeout_ms is forced.
 * A start or recovery under way is stopped first. Either way the CPUs
 * come back to the host and the memory is zeroed.
 *
 * Return: 0; -ENOENT if nothing is loaded, -ESRCH if it does not run;
 * -ETIMEDOUT if a start or recovery did not give up within kill_wait_ms
 * (it stops at its next step); -EIO if a CPU did not stop, and the
 * instance is quarantined. A kill of a quarantined instance tries to stop
 * its stuck CPUs again.
 */
int mk_inst_kill(struct mk_inst *inst, bool force)
{
	bool parked = false, waited, stopped;
	int err;

	mk_inst_lock(inst);
	err = mk_kill_wait(inst, &waited);
	if (err)
		return err;
	if (inst->state == MK_RUN_UNLOADED)
		err = -ENOENT;
	else if (!waited && !mk_run_live(inst->state) &&
		 inst->state != MK_RUN_FAILED_HELD &&
		 inst->state != MK_RUN_QUARANTINED)
		err = -ESRCH;
	if (err) {
		mk_inst_unlock(inst);
		return err;
	}
	if (inst->state == MK_RUN_FAILED) {
		/* Its recovery gave its resources back, and gave up. */
		mk_inst_event(inst, MK_EV_KILL, "killed during its recovery");
	}
	if (!mk_run_active(inst->state)) {
		mk_inst_unlock(inst);
		return 0;
	}
	/* A failed kernel answers nothing, nor does a CPU that would not stop. */
	force = force || inst->state == MK_RUN_FAILED_HELD ||
		inst->state == MK_RUN_QUARANTINED;
	inst->stop = true;
	mk_inst_event(inst, MK_EV_KILL, "");
	mk_inst_unlock(inst);
	mk_inst_quiesce(inst);

	if (!force)
		parked = mk_stop_graceful(inst);
	stopped = mk_stop(inst);

	mk_inst_lock(inst);
	mk_stop_event(inst, stopped, MK_EV_STOPPED,
		      force ? "killed" : parked ? "power off" :
		      "killed: no power off within the timeout");
	wake_up_all(&inst->wq);
	mk_inst_unlock(inst);
	return stopped ? 0 : -EIO;
}

/**
 * mk_inst_echo - a KMP echo to a running instance, for tests
 * @inst: the instance
 * @buf: what to send
 * @len: its length
 * @ns: the round trip
 *
 * The instance's lock is held across the call, a second at most, so that
 * kill cannot tear the channel down under it.
 *
 * Return: as mk_start_echo(); -ESRCH if it does not run.
 */
int mk_inst_echo(struct mk_inst *inst, const void *buf, u32 len, u64 *ns)
{
	int err = -ESRCH;

	mk_inst_lock(inst);
	if (mk_run_live(inst->state))
		err = mk_start_echo(inst, buf, len, ns);
	mk_inst_unlock(inst);
	return err;
}
