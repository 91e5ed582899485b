// SPDX-License-Identifier: GPL-2.0
/*
 * What the host does when an instance fails, and the log of it.
 *
 * A failure is a heartbeat timeout, a panic the instance reported, a
 * reboot it asked for under the restart policy, or an operator's
 * "recover". The instance is "failed" from that moment, still holding
 * its CPUs and memory, and a work item walks the steps:
 *
 *   DETECTING_FAILURE     the cause, as noticed
 *   PREPARING_RECOVERY    the heartbeat and the watch stop
 *   CAPTURING_VMCORE      if the policy says so (crash_vmcore.c)
 *   RECLAIMING_RESOURCES  its CPUs get INIT, its memory is zeroed, both go
 *                         back to the pool: unless the policy is "none"
 *   RESTARTING            the same loaded kernel, under the restart policy
 *                         and within its limit
 *   RECOVERY_COMPLETE     what was done, and how long it all took
 *
 * Each step goes to the recovery log with how long it took. The log is
 * the host's, not the instance's: it outlives the instance, a bounded
 * ring of the latest MK_RECLOG_ENTRIES lines.
 */

#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/timekeeping.h>

#include "health.h"
#include "spawn.h"

#define MK_RECLOG_ENTRIES	256
#define MK_RECLOG_TEXT		160

struct mk_reclog_entry {
	u64 ns;
	u8 step;
	char name[MK_NAME_MAX + 1];
	char text[MK_RECLOG_TEXT];
};

static struct mk_reclog_entry mk_reclog[MK_RECLOG_ENTRIES];
static u64 mk_reclog_next;	/* entries ever written */
static DEFINE_SPINLOCK(mk_reclog_lock);

static const char * const mk_step_names[] = {
	[MK_REC_MONITORING] = "MONITORING",
	[MK_REC_DETECTING] = "DETECTING_FAILURE",
	[MK_REC_PREPARING] = "PREPARING_RECOVERY",
	[MK_REC_CAPTURING] = "CAPTURING_VMCORE",
	[MK_REC_RECLAIMING] = "RECLAIMING_RESOURCES",
	[MK_REC_RESTARTING] = "RESTARTING",
	[MK_REC_COMPLETE] = "RECOVERY_COMPLETE",
};

/**
 * mk_recovery_step_name - a step as the log and the health file name it
 * @step: the step
 */
const char *mk_recovery_step_name(enum mk_recovery_step step)
{
	return step < ARRAY_SIZE(mk_step_names) ? mk_step_names[step] : "?";
}

/**
 * mk_recovery_log - add a line to the recovery log
 * @name: the instance
 * @step: the step it is about
 * @fmt: what happened
 *
 * A line longer than the log keeps ends in "...".
 */
void mk_recovery_log(const char *name, enum mk_recovery_step step,
		     const char *fmt, ...)
{
	struct mk_reclog_entry e = { .ns = ktime_get_boottime_ns(), .step = step };
	unsigned long flags;
	va_list args;
	int n;

	strscpy(e.name, name, sizeof(e.name));
	va_start(args, fmt);
	n = vsnprintf(e.text, sizeof(e.text), fmt, args);
	va_end(args);
	if (n >= sizeof(e.text))
		strscpy(e.text + sizeof(e.text) - 4, "...", 4);

	spin_lock_irqsave(&mk_reclog_lock, flags);
	mk_reclog[mk_reclog_next++ % MK_RECLOG_ENTRIES] = e;
	spin_unlock_irqrestore(&mk_reclog_lock, flags);
}

/**
 * mk_recovery_log_show - the recovery log, oldest first
 * @sf: where to print "SECONDS.USEC INSTANCE STEP TEXT" lines; the time
 *	is CLOCK_BOOTTIME's, as dmesg's
 */
void mk_recovery_log_show(struct seq_file *sf)
{
	struct mk_reclog_entry *e;
	u64 first, i, end;
	u32 us;

	e = kmalloc(sizeof(*e), GFP_KERNEL);
	if (!e)
		return;
	spin_lock_irq(&mk_reclog_lock);
	end = mk_reclog_next;
	spin_unlock_irq(&mk_reclog_lock);
	first = end > MK_RECLOG_ENTRIES ? end - MK_RECLOG_ENTRIES : 0;
	if (first)
		seq_printf(sf, "# %llu older lines dropped\n", first);
	for (i = first; i < end; i++) {
		spin_lock_irq(&mk_reclog_lock);
		if (mk_reclog_next - i > MK_RECLOG_ENTRIES) {
			spin_unlock_irq(&mk_reclog_lock);
			continue;	/* overwritten while we printed */
		}
		*e = mk_reclog[i % MK_RECLOG_ENTRIES];
		spin_unlock_irq(&mk_reclog_lock);
		us = do_div(e->ns, NSEC_PER_SEC) / NSEC_PER_USEC;
		seq_printf(sf, "%5llu.%06u %s %s %s\n", e->ns, us, e->name,
			   mk_recovery_step_name(e->step), e->text);
	}
	kfree(e);
}

static u64 mk_ms_since(u64 t0)
{
	return div_u64(ktime_get_ns() - t0, NSEC_PER_MSEC);
}

/* Whether one more restart stays within restart_max per window. */
static bool mk_restart_allowed(struct mk_health *h, u64 now)
{
	u64 window = (u64)h->pol.restart_window_s * NSEC_PER_SEC;
	u32 i, recent = 0;

	for (i = 0; i < min_t(u64, h->restarts, MK_RESTARTS_KEPT); i++)
		if (now - h->restart_ns[i] < window)
			recent++;
	return recent < h->pol.restart_max;
}

static void mk_recover_capture(struct mk_loaded *ld)
{
	struct mk_health *h = &ld->health;
	u64 t0 = ktime_get_ns();
	bool hung = h->cause == MK_FAILED_HEARTBEAT ||
		    h->cause == MK_FAILED_MANUAL;
	char why[96];
	int err;

	h->step = MK_REC_CAPTURING;
	err = mk_vmcore_capture(ld, hung, why, sizeof(why));
	mk_recovery_log(ld->name, MK_REC_CAPTURING, "%s%s in %llu ms",
			err ? "no vmcore: " : "", why, mk_ms_since(t0));
}

/* Start the same kernel again, if the limit allows; true if it runs. */
static bool mk_recover_restart(struct mk_loaded *ld)
{
	struct mk_health *h = &ld->health;
	u64 t0 = ktime_get_ns();
	struct mk_report rep;
	int err;

	if (!mk_restart_allowed(h, t0)) {
		mutex_lock(&mk_load_lock);
		strlcat(ld->reason, " (restart limit reached)", sizeof(ld->reason));
		mutex_unlock(&mk_load_lock);
		mk_recovery_log(ld->name, MK_REC_RESTARTING,
				"restart limit reached: %u restarts within %u s; not restarted",
				h->pol.restart_max, h->pol.restart_window_s);
		return false;
	}
	h->step = MK_REC_RESTARTING;
	h->restart_ns[h->restarts % MK_RESTARTS_KEPT] = t0;
	h->restarts++;
	mk_report_init(&rep);
	err = mk_fs_exec(ld->name, &rep);
	mk_recovery_log(ld->name, MK_REC_RESTARTING,
			"restart %llu: %s%.*s in %llu ms", h->restarts,
			err ? "failed: " : "running, said HELLO",
			err ? (int)strcspn(rep.buf ? rep.buf : "", "\n") : 0,
			rep.buf ? rep.buf : "", mk_ms_since(t0));
	mk_report_free(&rep);
	return !err;
}

/* One failure, from PREPARING_RECOVERY on. */
static const char *mk_recover_once(struct mk_loaded *ld)
{
	struct mk_health *h = &ld->health;
	bool reclaim = h->manual || h->pol.on_failure != MK_FAIL_NONE;
	bool restart = h->manual || h->pol.on_failure == MK_FAIL_RESTART;
	u64 t0 = ktime_get_ns();

	h->step = MK_REC_PREPARING;
	mk_spawn_quiesce(ld);
	mk_recovery_log(ld->name, MK_REC_PREPARING,
			"heartbeat and watch stopped in %llu ms", mk_ms_since(t0));
	if (h->pol.vmcore)
		mk_recover_capture(ld);
	if (!reclaim)
		return "resources held (policy none): kill or recover the instance";
	h->step = MK_REC_RECLAIMING;
	t0 = ktime_get_ns();
	mk_spawn_reclaim(ld);
	mk_recovery_log(ld->name, MK_REC_RECLAIMING,
			"CPUs stopped and returned, %llu MiB zeroed and returned in %llu ms",
			ld->lay.mem_bytes >> 20, mk_ms_since(t0));
	if (!restart)
		return "reclaimed";
	return mk_recover_restart(ld) ? "reclaimed and restarted" :
					"reclaimed, not restarted";
}

/*
 * The recovery work. A restarted kernel that fails again before its
 * restart returned is recovered once more here, so the limit holds.
 */
static void mk_recover_fn(struct work_struct *work)
{
	struct mk_health *h = container_of(work, struct mk_health, recover);
	struct mk_loaded *ld = container_of(h, struct mk_loaded, health);
	u64 t0 = ktime_get_ns();
	const char *done;
	bool again;

	do {
		done = mk_recover_once(ld);
		mutex_lock(&mk_load_lock);
		again = h->pending;
		h->pending = false;
		if (!again) {
			h->recovering = false;
			h->step = ld->state == MK_RUN_RUNNING ?
				  MK_REC_MONITORING : MK_REC_COMPLETE;
		}
		mutex_unlock(&mk_load_lock);
		mk_recovery_log(ld->name, MK_REC_COMPLETE, "%s in %llu ms", done,
				mk_ms_since(t0));
		mk_spawn_notify(ld, "status");
		t0 = ktime_get_ns();
	} while (again);
}

/**
 * mk_recover - an instance failed: say so, and recover it in the background
 * @ld: the instance, running, unresponsive or (for MK_FAILED_MANUAL)
 *	failed with its resources held; mk_load_lock held
 * @cause: why
 * @text: why, in words, for its status and the log
 *
 * Its status becomes "failed: @text" at once; the caller tells poll().
 */
void mk_recover(struct mk_loaded *ld, enum mk_failure cause, const char *text)
{
	struct mk_health *h = &ld->health;

	lockdep_assert_held(&mk_load_lock);
	h->manual = cause == MK_FAILED_MANUAL;
	if (!h->manual)
		h->failures++;
	h->cause = cause;
	h->step = MK_REC_DETECTING;
	ld->state = MK_RUN_FAILED_HELD;
	strscpy(ld->reason, text, sizeof(ld->reason));
	mk_recovery_log(ld->name, MK_REC_DETECTING, "%s", text);
	if (h->recovering) {
		h->pending = true;	/* failed again during its restart */
		return;
	}
	h->recovering = true;
	INIT_WORK(&h->recover, mk_recover_fn);
	queue_work(system_unbound_wq, &h->recover);
}

/**
 * mk_spawn_recover - recover an instance now, as if it had failed
 * @name: the instance, running, unresponsive or failed holding its
 *	resources
 *
 * Its registers are saved by NMI into a vmcore if the policy captures,
 * it is reclaimed and started again, whatever its policy says, and
 * counted against its restart limit.
 *
 * Return: 0 once the recovery is under way; -ENOENT if nothing is loaded,
 * -ESRCH if it does not run, -EBUSY while a recovery runs.
 */
int mk_spawn_recover(const char *name)
{
	struct mk_loaded *ld;
	int err = 0;

	mutex_lock(&mk_load_lock);
	ld = mk_loaded_find(name);
	if (!ld)
		err = -ENOENT;
	else if (ld->health.recovering)
		err = -EBUSY;
	else if (!mk_run_live(ld->state) && ld->state != MK_RUN_FAILED_HELD)
		err = -ESRCH;
	else
		mk_recover(ld, MK_FAILED_MANUAL, "recover: asked by the operator");
	mutex_unlock(&mk_load_lock);
	if (!err)
		mk_spawn_notify(ld, "status");
	return err;
}
