// SPDX-License-Identifier: GPL-2.0
/*
 * The instance object: its registry, its references, its lock, and its
 * run state with the one table of the transitions it may make.
 *
 * An instance enters the registry at its first load and leaves it at
 * unload. Every caller resolves it once with mk_inst_get() and drops it
 * with mk_inst_put(); every queued work that uses it holds a reference
 * of its own, so that an unload that races with them frees nothing that
 * is still in use.
 *
 * The run state moves only by mk_inst_event(), under the instance's lock,
 * along mk_steps[]. Each move is kept in a ring of the latest transitions
 * (the instance's transitions file) and, when the lock is dropped, told
 * to poll() on its status and transitions files. A test or a tool that
 * must see a short-lived state reads it there instead of polling status.
 *
 * Locking: mk_insts_lock guards the registry and nests outside each
 * instance's lock. Nothing holding an instance's lock takes the registry
 * lock, the filesystem's locks, or waits for the instance's works.
 */

#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/vmalloc.h>

#include "instance.h"

static LIST_HEAD(mk_insts);
static DEFINE_MUTEX(mk_insts_lock);

static void (*mk_notify)(const char *name, const char *file);

static const char * const mk_run_names[] = {
	[MK_RUN_LOADED] = "loaded",
	[MK_RUN_STARTING] = "starting",
	[MK_RUN_RUNNING] = "running",
	[MK_RUN_UNRESPONSIVE] = "unresponsive",
	[MK_RUN_STOPPING] = "stopping",
	[MK_RUN_STOPPED] = "stopped",
	[MK_RUN_FAILED_HELD] = "failed",
	[MK_RUN_FAILED] = "failed",
	[MK_RUN_QUARANTINED] = "quarantined",
	[MK_RUN_RESIZING] = "resizing",
	[MK_RUN_UNLOADED] = "ready",
};

static_assert(ARRAY_SIZE(mk_run_names) == MK_RUN_NR);

static const char * const mk_event_names[] = {
	[MK_EV_LOAD] = "load",
	[MK_EV_EXEC] = "exec",
	[MK_EV_HELLO] = "hello",
	[MK_EV_NO_START] = "no-start",
	[MK_EV_KILL] = "kill",
	[MK_EV_PARK] = "park",
	[MK_EV_STOPPED] = "stopped",
	[MK_EV_LATE] = "late",
	[MK_EV_BACK] = "back",
	[MK_EV_FAIL] = "fail",
	[MK_EV_RECLAIM] = "reclaim",
	[MK_EV_UNLOAD] = "unload",
	[MK_EV_QUARANTINE] = "quarantine",
	[MK_EV_RESIZE] = "resize",
	[MK_EV_RESIZED] = "resized",
};

static_assert(ARRAY_SIZE(mk_event_names) == MK_EV_NR);

#define S(x)	BIT(MK_RUN_##x)

/*
 * The life cycle: each event, the states it may come in, and the state
 * it leads to. An event may have several rows. Morph adds its own here.
 * A resize is one state: a failure seen during it waits for its end
 * (instance_resize.c), and a kill waits for it as for a start.
 */
static const struct {
	u8 event;
	u16 from;
	u8 to;
} mk_steps[] = {
	{ MK_EV_LOAD, S(UNLOADED) | S(LOADED) | S(STOPPED) | S(FAILED),
	  MK_RUN_LOADED },
	{ MK_EV_EXEC, S(LOADED) | S(STOPPED) | S(FAILED), MK_RUN_STARTING },
	{ MK_EV_HELLO, S(STARTING), MK_RUN_RUNNING },
	{ MK_EV_NO_START, S(STARTING), MK_RUN_FAILED },
	{ MK_EV_KILL, S(RUNNING) | S(UNRESPONSIVE) | S(FAILED_HELD) |
	  S(QUARANTINED), MK_RUN_STOPPING },
	{ MK_EV_KILL, S(STARTING) | S(FAILED), MK_RUN_STOPPED },
	{ MK_EV_PARK, S(RUNNING) | S(UNRESPONSIVE), MK_RUN_STOPPING },
	{ MK_EV_STOPPED, S(STOPPING), MK_RUN_STOPPED },
	{ MK_EV_LATE, S(RUNNING), MK_RUN_UNRESPONSIVE },
	{ MK_EV_BACK, S(UNRESPONSIVE), MK_RUN_RUNNING },
	{ MK_EV_FAIL, S(RUNNING) | S(UNRESPONSIVE) | S(FAILED_HELD),
	  MK_RUN_FAILED_HELD },
	{ MK_EV_RECLAIM, S(FAILED_HELD), MK_RUN_FAILED },
	{ MK_EV_UNLOAD, S(LOADED) | S(STOPPED) | S(FAILED), MK_RUN_UNLOADED },
	{ MK_EV_QUARANTINE, S(STARTING) | S(STOPPING) | S(FAILED_HELD),
	  MK_RUN_QUARANTINED },
	{ MK_EV_RESIZE, S(RUNNING), MK_RUN_RESIZING },
	{ MK_EV_RESIZED, S(RESIZING), MK_RUN_RUNNING },
};

#undef S

/**
 * mk_run_state_name - a state as status shows it
 * @st: the state
 */
const char *mk_run_state_name(enum mk_run_state st)
{
	return st < MK_RUN_NR ? mk_run_names[st] : "?";
}

/**
 * mk_run_next - where an event leads, by the table
 * @st: the present state
 * @ev: what happened
 *
 * Return: the next state, or MK_RUN_NR if @ev cannot happen in @st.
 */
enum mk_run_state mk_run_next(enum mk_run_state st, enum mk_run_event ev)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(mk_steps); i++)
		if (mk_steps[i].event == ev && (mk_steps[i].from & BIT(st)))
			return mk_steps[i].to;
	return MK_RUN_NR;
}

/**
 * mk_run_event_name - an event as the transitions file names it
 * @ev: the event
 */
const char *mk_run_event_name(enum mk_run_event ev)
{
	return ev < MK_EV_NR ? mk_event_names[ev] : "?";
}

/**
 * mk_inst_event - move an instance along its life cycle
 * @inst: the instance; its lock held
 * @ev: what happened
 * @why: the reason status shows from now on; NULL keeps the one it has
 *
 * The only writer of the run state. The transition is logged, and told
 * to poll() when the lock is dropped. An event the table does not allow
 * in the present state is a bug of the caller's: it is refused, and warned
 * of once.
 *
 * Return: 0, or -EINVAL for a transition the table does not have.
 */
int mk_inst_event(struct mk_inst *inst, enum mk_run_event ev,
		  const char *why)
{
	enum mk_run_state to = mk_run_next(inst->state, ev);
	struct mk_transition *t;

	lockdep_assert_held(&inst->lock);
	if (WARN_ONCE(to == MK_RUN_NR,
		      "multikernel: %s: no transition for %s when %s\n",
		      inst->name, mk_run_event_name(ev),
		      mk_run_state_name(inst->state)))
		return -EINVAL;
	if (why)
		strscpy(inst->reason, why, sizeof(inst->reason));
	t = &inst->trans[inst->trans_seq++ % MK_TRANSITIONS_KEPT];
	t->ns = ktime_get_boottime_ns();
	t->event = ev;
	t->from = inst->state;
	t->to = to;
	strscpy(t->why, inst->reason, sizeof(t->why));
	/* What a resize did is the transition's to say; status says running. */
	if (to == MK_RUN_RUNNING)
		inst->reason[0] = '\0';
	inst->state = to;
	inst->notify |= MK_NOTIFY_STATUS;
	return 0;
}

/**
 * mk_inst_notify_fn - say who learns of changes, for poll()
 * @fn: called with the instance's name and the file that changed, with
 *	no lock of ours held
 */
void mk_inst_notify_fn(void (*fn)(const char *name, const char *file))
{
	mk_notify = fn;
}

/**
 * mk_inst_lock - take an instance's lock
 * @inst: the instance
 */
void mk_inst_lock(struct mk_inst *inst)
{
	mutex_lock(&inst->lock);
}

/**
 * mk_inst_unlock - drop an instance's lock, then tell poll() what changed
 * @inst: the instance
 */
void mk_inst_unlock(struct mk_inst *inst)
{
	u8 what = inst->notify;

	inst->notify = 0;
	mutex_unlock(&inst->lock);
	if (!mk_notify)
		return;
	if (what & MK_NOTIFY_STATUS) {
		mk_notify(inst->name, "status");
		mk_notify(inst->name, "transitions");
	}
	if (what & MK_NOTIFY_CONSOLE)
		mk_notify(inst->name, "console");
}

/* Find, under mk_insts_lock. */
static struct mk_inst *mk_inst_find(const char *name)
{
	struct mk_inst *inst;

	lockdep_assert_held(&mk_insts_lock);
	list_for_each_entry(inst, &mk_insts, node)
		if (!strcmp(inst->name, name))
			return inst;
	return NULL;
}

/**
 * mk_inst_get - the instance with a kernel loaded of this name
 * @name: the instance's name
 *
 * Return: a reference, for mk_inst_put(); or NULL if nothing is loaded.
 */
struct mk_inst *mk_inst_get(const char *name)
{
	struct mk_inst *inst;

	mutex_lock(&mk_insts_lock);
	inst = mk_inst_find(name);
	if (inst)
		kref_get(&inst->ref);
	mutex_unlock(&mk_insts_lock);
	return inst;
}

/**
 * mk_inst_hold - one more reference, for a work that will use @inst
 * @inst: an instance the caller holds a reference to
 *
 * Return: @inst.
 */
struct mk_inst *mk_inst_hold(struct mk_inst *inst)
{
	kref_get(&inst->ref);
	return inst;
}

static void mk_inst_release(struct kref *ref)
{
	struct mk_inst *inst = container_of(ref, struct mk_inst, ref);

	WARN_ON(!list_empty(&inst->node));
	mk_health_stop(&inst->health);
	vfree(inst->img.kernel);
	vfree(inst->img.initrd);
	kfree(inst->img.cmdline);
	vfree(inst->cons.buf);
	mk_vmcore_free(inst->vmcore);
	kfree(inst);
}

/**
 * mk_inst_put - drop a reference
 * @inst: the instance, or NULL
 *
 * Context: may sleep; the last reference frees the instance.
 */
void mk_inst_put(struct mk_inst *inst)
{
	if (inst)
		kref_put(&inst->ref, mk_inst_release);
}

static struct mk_inst *mk_inst_new(const char *name)
{
	struct mk_inst *inst = kzalloc(sizeof(*inst), GFP_KERNEL);

	if (!inst)
		return NULL;
	kref_init(&inst->ref);
	INIT_LIST_HEAD(&inst->node);
	strscpy(inst->name, name, sizeof(inst->name));
	mutex_init(&inst->lock);
	init_waitqueue_head(&inst->wq);
	inst->state = MK_RUN_UNLOADED;
	inst->host_cpu = -1;
	mk_health_init(&inst->health);
	INIT_WORK(&inst->health.recover, mk_recover_work);
	INIT_DELAYED_WORK(&inst->watch, mk_watch);
	return inst;
}

/**
 * mk_inst_enter - the instance of this name, put in the registry if new
 * @name: the instance's name
 *
 * Return: a reference, or NULL without memory.
 */
struct mk_inst *mk_inst_enter(const char *name)
{
	struct mk_inst *inst;

	mutex_lock(&mk_insts_lock);
	inst = mk_inst_find(name);
	if (!inst) {
		inst = mk_inst_new(name);
		if (inst)
			list_add_tail(&inst->node, &mk_insts);
	}
	if (inst)
		kref_get(&inst->ref);
	mutex_unlock(&mk_insts_lock);
	return inst;
}

/**
 * mk_inst_unload - drop what was loaded, and the instance from the registry
 * @name: the instance
 *
 * The object lives on until its last reference is dropped; those who
 * hold one see it "ready", as if nothing were loaded.
 *
 * Return: 0, -ENOENT if nothing was loaded, or -EBUSY while it runs.
 */
int mk_inst_unload(const char *name)
{
	struct mk_inst *inst;
	int err = 0;

	mutex_lock(&mk_insts_lock);
	inst = mk_inst_find(name);
	if (!inst) {
		mutex_unlock(&mk_insts_lock);
		return -ENOENT;
	}
	mk_inst_lock(inst);
	if (mk_inst_busy(inst))
		err = -EBUSY;
	else if (inst->state == MK_RUN_UNLOADED)
		err = -ENOENT;	/* a first load, not yet installed */
	else
		err = mk_inst_event(inst, MK_EV_UNLOAD, "");
	if (!err)
		list_del_init(&inst->node);
	mk_inst_unlock(inst);
	mutex_unlock(&mk_insts_lock);
	if (!err)
		mk_inst_put(inst);	/* the registry's */
	return err;
}

/**
 * mk_run_active - whether an instance in this state holds its resources
 * @st: the state
 */
bool mk_run_active(enum mk_run_state st)
{
	return st == MK_RUN_STARTING || st == MK_RUN_STOPPING ||
	       st == MK_RUN_FAILED_HELD || st == MK_RUN_QUARANTINED ||
	       mk_run_live(st);
}

/**
 * mk_run_live - whether an instance in this state runs its kernel, and has
 *	its KMP channel and console
 * @st: the state
 */
bool mk_run_live(enum mk_run_state st)
{
	return st == MK_RUN_RUNNING || st == MK_RUN_UNRESPONSIVE ||
	       st == MK_RUN_RESIZING;
}

/**
 * mk_inst_busy - whether an instance may not be reloaded or removed
 * @inst: the instance; its lock held, or a racy look
 *
 * It holds its resources, or a recovery works on it.
 */
bool mk_inst_busy(const struct mk_inst *inst)
{
	return mk_run_active(READ_ONCE(inst->state)) ||
	       READ_ONCE(inst->health.recovering);
}

/**
 * mk_inst_name_busy - whether the instance of this name starts, runs or
 *	stops, or is recovered
 * @name: the instance
 *
 * While it is, the instance holds its CPUs and memory: the transaction
 * that made it cannot be rolled back, nor the instance removed.
 */
bool mk_inst_name_busy(const char *name)
{
	struct mk_inst *inst = mk_inst_get(name);
	bool busy;

	if (!inst)
		return false;
	mk_inst_lock(inst);
	busy = mk_inst_busy(inst);
	mk_inst_unlock(inst);
	mk_inst_put(inst);
	return busy;
}

/**
 * mk_inst_range_busy - whether memory overlaps an instance that holds it
 * @base: the start
 * @bytes: the size
 */
bool mk_inst_range_busy(u64 base, u64 bytes)
{
	struct mk_inst *inst;
	bool busy = false;

	mutex_lock(&mk_insts_lock);
	list_for_each_entry(inst, &mk_insts, node) {
		mk_inst_lock(inst);
		if (mk_inst_busy(inst) && base < inst->mem_top &&
		    inst->lay.mem < base + bytes)
			busy = true;
		mk_inst_unlock(inst);
	}
	mutex_unlock(&mk_insts_lock);
	return busy;
}

/**
 * mk_inst_show_status - the status line: the state, and why
 * @inst: the instance
 * @sf: where to print it
 */
void mk_inst_show_status(struct mk_inst *inst, struct seq_file *sf)
{
	mk_inst_lock(inst);
	seq_puts(sf, mk_run_state_name(inst->state));
	if (inst->reason[0])
		seq_printf(sf, ": %s", inst->reason);
	if (inst->state == MK_RUN_FAILED_HELD)
		seq_puts(sf, " (resources held)");
	seq_putc(sf, '\n');
	mk_inst_unlock(inst);
}

/**
 * mk_inst_show_times - how long the last start took, and how long it runs
 * @inst: the instance
 * @sf: where to print "hello_ms N", the steps of the start in
 *	microseconds from its beginning, and while it runs "uptime_s N"
 */
void mk_inst_show_times(struct mk_inst *inst, struct seq_file *sf)
{
	const u64 *s = inst->step_ns;

	mk_inst_lock(inst);
	if (inst->hello_ns)
		seq_printf(sf, "hello_ms %llu\n",
			   div_u64(inst->hello_ns - inst->exec_ns, NSEC_PER_MSEC));
	if (inst->start_ns)
		seq_printf(sf, "start_us cpus %llu image %llu entry %llu setup %llu hello %llu\n",
			   div_u64(s[MK_STEP_CPUS], NSEC_PER_USEC),
			   div_u64(s[MK_STEP_IMAGE], NSEC_PER_USEC),
			   div_u64(s[MK_STEP_ENTRY], NSEC_PER_USEC),
			   div_u64(s[MK_STEP_SETUP], NSEC_PER_USEC),
			   div_u64(s[MK_STEP_HELLO], NSEC_PER_USEC));
	if (mk_run_live(inst->state))
		seq_printf(sf, "uptime_s %llu\n",
			   div_u64(ktime_get_ns() - inst->exec_ns, NSEC_PER_SEC));
	mk_inst_unlock(inst);
}

/**
 * mk_inst_show_transitions - the latest transitions, oldest first
 * @inst: the instance
 * @sf: where to print "SEQ SECONDS.USEC EVENT FROM TO[: WHY]" lines;
 *	SEQ counts from 1 since the first load, the time is CLOCK_BOOTTIME's
 */
void mk_inst_show_transitions(struct mk_inst *inst, struct seq_file *sf)
{
	const struct mk_transition *t;
	u64 i, first, ns;
	u32 us;

	mk_inst_lock(inst);
	first = inst->trans_seq > MK_TRANSITIONS_KEPT ?
		inst->trans_seq - MK_TRANSITIONS_KEPT : 0;
	for (i = first; i < inst->trans_seq; i++) {
		t = &inst->trans[i % MK_TRANSITIONS_KEPT];
		ns = t->ns;
		us = do_div(ns, NSEC_PER_SEC) / NSEC_PER_USEC;
		seq_printf(sf, "%llu %llu.%06u %s %s %s%s%s\n", i + 1, ns, us,
			   mk_run_event_name(t->event), mk_run_state_name(t->from),
			   mk_run_state_name(t->to), t->why[0] ? ": " : "",
			   t->why);
	}
	mk_inst_unlock(inst);
}

/**
 * mk_inst_show_health - the instance's health file
 * @inst: the instance
 * @sf: where to print
 */
void mk_inst_show_health(struct mk_inst *inst, struct seq_file *sf)
{
	mk_inst_lock(inst);
	mk_health_show(&inst->health, mk_run_live(inst->state), sf);
	if (inst->host_cpu >= 0)
		seq_printf(sf, "host_cpu %d\n", inst->host_cpu);
	mk_inst_unlock(inst);
	mk_vmcore_budget_show(sf);
}

/**
 * mk_inst_show_policy - the instance's policy file
 * @inst: the instance
 * @sf: where to print
 */
void mk_inst_show_policy(struct mk_inst *inst, struct seq_file *sf)
{
	mk_inst_lock(inst);
	mk_health_policy_show(&inst->health, sf);
	mk_inst_unlock(inst);
}

/**
 * mk_inst_policy_set - change an instance's health policy
 * @inst: the instance
 * @buf: the pairs, as mk_health_policy_set() takes them
 * @err: why it was refused
 * @err_size: its size
 *
 * Return: 0, -ENOENT once unloaded, or -EINVAL.
 */
int mk_inst_policy_set(struct mk_inst *inst, char *buf, char *err,
		       size_t err_size)
{
	int ret = -ENOENT;

	mk_inst_lock(inst);
	if (inst->state != MK_RUN_UNLOADED)
		ret = mk_health_policy_set(&inst->health, buf, err, err_size);
	else
		snprintf(err, err_size, "no kernel is loaded; load one first");
	mk_inst_unlock(inst);
	return ret;
}

/**
 * mk_inst_vmcore_read - read an instance's vmcore
 * @inst: the instance
 * @buf: where to
 * @len: how much at most
 * @off: from where
 *
 * Return: bytes read, 0 at the end, or -ENODATA with no core.
 */
ssize_t mk_inst_vmcore_read(struct mk_inst *inst, char *buf, size_t len,
			    loff_t off)
{
	ssize_t n;

	mk_inst_lock(inst);
	n = mk_vmcore_read(inst->vmcore, buf, len, off);
	mk_inst_unlock(inst);
	return n;
}

/**
 * mk_inst_vmcore_drop - free an instance's vmcore
 * @inst: the instance
 *
 * Return: 0, or -ENODATA with no core.
 */
int mk_inst_vmcore_drop(struct mk_inst *inst)
{
	struct mk_vmcore *core;

	mk_inst_lock(inst);
	core = inst->vmcore;
	inst->vmcore = NULL;
	mk_inst_unlock(inst);
	mk_vmcore_free(core);
	return core ? 0 : -ENODATA;
}
