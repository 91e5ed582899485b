// SPDX-License-Identifier: GPL-2.0
/*
 * What the host does when an instance fails.
 *
 * A failure is a heartbeat timeout, a panic the instance reported, a
 * reboot it asked for under the restart policy, or an operator's
 * "recover". The instance is "failed" from that moment, still holding
 * its CPUs and memory, and a work item walks the steps:
 *
 *   DETECTING_FAILURE     the cause, as noticed
 *   PREPARING_RECOVERY    the heartbeat and the watch stop
 *   CAPTURING_VMCORE      if the policy says so (instance_vmcore.c)
 *   RECLAIMING_RESOURCES  its CPUs get INIT, its memory is zeroed, both go
 *                         back to the pool: unless the policy is "none"
 *   RESTARTING            the same loaded kernel, under the restart policy
 *                         and within its limit
 *   RECOVERY_COMPLETE     what was done, and how long it all took
 *
 * Each step goes to the recovery log (recovery_log.c) with how long it
 * took. A kill stops a recovery between two steps, and a restart in its
 * wait for HELLO.
 */

#include <linux/timekeeping.h>

#include "health.h"
#include "instance.h"

static u64 mk_ms_since(u64 t0)
{
	return div_u64(ktime_get_ns() - t0, NSEC_PER_MSEC);
}

/* Whether one more restart stays within restart_max per window. */
static bool mk_restart_allowed(struct mk_health *h,
			       const struct mk_health_policy *pol, u64 now)
{
	u64 window = (u64)pol->restart_window_s * NSEC_PER_SEC;
	u32 i, recent = 0;

	for (i = 0; i < min_t(u64, h->restarts, MK_RESTARTS_KEPT); i++)
		if (now - h->restart_ns[i] < window)
			recent++;
	return recent < pol->restart_max;
}

static void mk_recover_capture(struct mk_inst *inst)
{
	struct mk_health *h = &inst->health;
	u64 t0 = ktime_get_ns();
	bool hung = h->cause == MK_FAILED_HEARTBEAT ||
		    h->cause == MK_FAILED_MANUAL || h->cause == MK_FAILED_STORM ||
		    h->cause == MK_FAILED_RESIZE;
	struct mk_vmcore *core;
	char why[96];
	u64 credit;

	h->step = MK_REC_CAPTURING;
	/*
	 * The new core replaces the old one: what the old one takes counts as
	 * given back. A drop meanwhile may let the budget go over by that
	 * much, once.
	 */
	mk_inst_lock(inst);
	credit = mk_vmcore_charged(inst->vmcore);
	mk_inst_unlock(inst);
	/* The copy reads the memory the host otherwise keeps unmapped. */
	mk_start_mem_show(inst);
	core = mk_vmcore_capture(inst, hung, credit, why, sizeof(why));
	mk_start_mem_hide(inst);
	mk_recovery_log(inst->name, MK_REC_CAPTURING, "%s%s in %llu ms",
			IS_ERR(core) ? "no vmcore: " : "", why, mk_ms_since(t0));
	if (IS_ERR(core))
		return;
	mk_inst_lock(inst);
	swap(inst->vmcore, core);
	mk_inst_unlock(inst);
	mk_vmcore_free(core);
}

/* Start the same kernel again, if the limit allows; true if it runs. */
static bool mk_recover_restart(struct mk_inst *inst,
			       const struct mk_health_policy *pol)
{
	struct mk_health *h = &inst->health;
	u64 t0 = ktime_get_ns();
	struct mk_report rep;
	int err;

	if (!mk_restart_allowed(h, pol, t0)) {
		mk_inst_lock(inst);
		strlcat(inst->reason, " (restart limit reached)",
			sizeof(inst->reason));
		inst->notify |= MK_NOTIFY_STATUS;
		mk_inst_unlock(inst);
		mk_recovery_log(inst->name, MK_REC_RESTARTING,
				"restart limit reached: %u restarts within %u s; not restarted",
				pol->restart_max, pol->restart_window_s);
		return false;
	}
	h->step = MK_REC_RESTARTING;
	h->restart_ns[h->restarts % MK_RESTARTS_KEPT] = t0;
	h->restarts++;
	mk_report_init(&rep);
	err = mk_inst_restart(inst, &rep);
	mk_recovery_log(inst->name, MK_REC_RESTARTING,
			"restart %llu: %s%.*s in %llu ms", h->restarts,
			err == -EINTR ? "stopped by a kill" :
			err ? "failed: " : "running, said HELLO",
			err ? (int)strcspn(rep.buf ? rep.buf : "", "\n") : 0,
			rep.buf ? rep.buf : "", mk_ms_since(t0));
	mk_report_free(&rep);
	return !err;
}

static bool mk_recover_stopped(struct mk_inst *inst)
{
	return READ_ONCE(inst->stop);
}

/* One failure, from PREPARING_RECOVERY on. */
static const char *mk_recover_once(struct mk_inst *inst)
{
	struct mk_health *h = &inst->health;
	struct mk_health_policy pol;
	bool reclaim, restart;
	u64 t0 = ktime_get_ns();

	mk_health_policy_get(h, &pol);
	reclaim = h->manual || pol.on_failure != MK_FAIL_NONE;
	restart = h->manual || pol.on_failure == MK_FAIL_RESTART;
	h->step = MK_REC_PREPARING;
	mk_inst_quiesce(inst);
	mk_recovery_log(inst->name, MK_REC_PREPARING,
			"heartbeat and watch stopped in %llu ms", mk_ms_since(t0));
	if (pol.vmcore && !mk_recover_stopped(inst))
		mk_recover_capture(inst);
	if (mk_recover_stopped(inst))
		return "stopped by a kill";
	if (!reclaim)
		return "resources held (policy none): kill or recover the instance";
	h->step = MK_REC_RECLAIMING;
	t0 = ktime_get_ns();
	if (!mk_inst_reclaim(inst))
		return "quarantined: a CPU did not stop; not restarted";
	mk_recovery_log(inst->name, MK_REC_RECLAIMING,
			"CPUs stopped and returned, %llu MiB zeroed and returned in %llu ms",
			inst->lay.mem_bytes >> 20, mk_ms_since(t0));
	if (!restart)
		return "reclaimed";
	if (mk_recover_stopped(inst))
		return "reclaimed, not restarted: stopped by a kill";
	return mk_recover_restart(inst, &pol) ? "reclaimed and restarted" :
						"reclaimed, not restarted";
}

/**
 * mk_recover_work - the recovery of an instance; holds a reference
 * @work: its &mk_health.recover
 *
 * A restarted kernel that fails again before its restart returned is
 * recovered once more here, so that the limit holds.
 */
void mk_recover_work(struct work_struct *work)
{
	struct mk_health *h = container_of(work, struct mk_health, recover);
	struct mk_inst *inst = container_of(h, struct mk_inst, health);
	u64 t0 = ktime_get_ns();
	const char *done;
	bool again;

	do {
		done = mk_recover_once(inst);
		mk_inst_lock(inst);
		again = h->pending && !inst->stop;
		h->pending = false;
		if (!again) {
			h->recovering = false;
			h->step = inst->state == MK_RUN_RUNNING ?
				  MK_REC_MONITORING : MK_REC_COMPLETE;
			wake_up_all(&inst->wq);
		}
		inst->notify |= MK_NOTIFY_STATUS;
		mk_inst_unlock(inst);
		mk_recovery_log(inst->name, MK_REC_COMPLETE, "%s in %llu ms",
				done, mk_ms_since(t0));
		t0 = ktime_get_ns();
	} while (again);
	mk_inst_put(inst);
}

/**
 * mk_recover - an instance failed: say so, and recover it in the background
 * @inst: the instance, running, unresponsive or (for MK_FAILED_MANUAL)
 *	failed with its resources held; its lock held
 * @cause: why
 * @text: why, in words, for its status and the log
 *
 * Its status becomes "failed: @text" at once; during a resize, when the
 * resize ends.
 */
void mk_recover(struct mk_inst *inst, enum mk_failure cause, const char *text)
{
	struct mk_health *h = &inst->health;

	lockdep_assert_held(&inst->lock);
	if (inst->state == MK_RUN_RESIZING) {
		/* Its resize is bounded: the failure is taken up at its end. */
		if (!inst->deferred) {
			inst->deferred = true;
			inst->deferred_cause = cause;
			strscpy(inst->deferred_why, text,
				sizeof(inst->deferred_why));
		}
		return;
	}
	h->manual = cause == MK_FAILED_MANUAL;
	if (!h->manual)
		h->failures++;
	h->cause = cause;
	h->step = MK_REC_DETECTING;
	mk_inst_event(inst, MK_EV_FAIL, text);
	mk_recovery_log(inst->name, MK_REC_DETECTING, "%s", text);
	if (h->recovering) {
		h->pending = true;	/* failed again during its restart */
		return;
	}
	h->recovering = true;
	mk_inst_hold(inst);
	if (!queue_work(system_unbound_wq, &h->recover))
		mk_inst_put(inst);
}
