// SPDX-License-Identifier: GPL-2.0
/*
 * The recovery log: each step of every recovery, and the other things
 * the host saw an instance do, with how long they took. The log is the
 * host's, not the instance's: it outlives the instance, a bounded ring of
 * the latest MK_RECLOG_ENTRIES lines, shown by /sys/fs/multikernel/
 * recovery_log.
 */

#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/timekeeping.h>

#include "health.h"
#include "model/model.h"

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
static void (*mk_reclog_notify)(void);

/**
 * mk_recovery_log_notify_fn - who to tell of each new line
 * @fn: called after the line is in, from any context; the filesystem
 *	wakes poll() on recovery_log with it
 */
void mk_recovery_log_notify_fn(void (*fn)(void))
{
	WRITE_ONCE(mk_reclog_notify, fn);
}

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
	void (*notify)(void);
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
	notify = READ_ONCE(mk_reclog_notify);
	if (notify)
		notify();
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
