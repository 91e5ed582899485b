/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An instance as it runs: one reference-counted object for each instance
 * that has a kernel loaded, from its first load to its unload, in the
 * manner of struct rproc. The filesystem resolves it once per call with
 * mk_inst_get() and calls down; nothing here calls back up into the
 * filesystem, which learns of changes through the notifier it set.
 *
 * instance.c owns the object: the registry, the run state and its table
 * of transitions, load, exec, kill and the watch. instance_start.c starts
 * and stops the kernel, instance_recovery.c walks a recovery, and
 * instance_console.c and instance_vmcore.c are leaves that take the
 * object. health_monitor.c beats and reports what it sees through
 * callbacks; it never writes the state.
 */
#ifndef _MULTIKERNEL_INSTANCE_H
#define _MULTIKERNEL_INSTANCE_H

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "health.h"
#include "model/ctrl.h"
#include "model/model.h"

/* A load: the memory it is checked against, and the files by descriptor. */
struct mk_load_req {
	u64 mem_base;
	u64 mem_bytes;
	int kernel_fd;
	int initrd_fd;		/* or -1 */
	const char *cmdline;
};

/*
 * An exec: the instance as the state has it now. @cpus lists its own CPUs
 * (host numbers, the boot CPU first), then the pool's others that a
 * resize may give it while it runs, in the order of the boot info's APIC
 * IDs, whose indexes number the CPUs' crash slots. @host are the CPUs
 * the pool keeps for the host, one of which its channel lives on.
 */
/* The steps of a start that the times file says, in order. */
enum mk_start_step {
	MK_STEP_CPUS,
	MK_STEP_IMAGE,
	MK_STEP_ENTRY,
	MK_STEP_SETUP,
	MK_STEP_HELLO,
	MK_START_STEPS
};

struct mk_exec_req {
	u32 id;
	u64 mem_base;
	u64 mem_bytes;
	unsigned int cpus[MK_BOOT_MAX_CPUS];
	unsigned int ncpus;		/* its own: the first of @cpus */
	unsigned int npossible;		/* entries of @cpus */
	struct mk_cpus host;
	int doorbell_cpu;		/* the tree's doorbell-cpu, or -1 */
};

/*
 * Where an instance is in its life. mk_inst_event() is the only
 * writer, and its table (instance.c) says which step may follow which.
 * A failed instance holds its resources until its recovery takes them
 * back (MK_RUN_FAILED_HELD). A CPU that did not stop when it was told to
 * keeps its instance QUARANTINED: the CPU and the memory stay out of the
 * host's hands until a kill stops it after all, or the host reboots.
 */
enum mk_run_state {
	MK_RUN_LOADED,
	MK_RUN_STARTING,
	MK_RUN_RUNNING,
	MK_RUN_UNRESPONSIVE,
	MK_RUN_STOPPING,
	MK_RUN_STOPPED,
	MK_RUN_FAILED_HELD,
	MK_RUN_FAILED,
	MK_RUN_QUARANTINED,
	MK_RUN_RESIZING,
	MK_RUN_UNLOADED,	/* out of the registry, for the last readers */
	MK_RUN_NR
};

/*
 * What moves an instance from one state to the next. The table in
 * instance.c says from which states each may come and where it leads.
 */
enum mk_run_event {
	MK_EV_LOAD,		/* a kernel was loaded, or loaded again */
	MK_EV_EXEC,		/* its start was claimed */
	MK_EV_HELLO,		/* its kernel said HELLO: it runs */
	MK_EV_NO_START,		/* ... or did not, and its resources are back */
	MK_EV_KILL,		/* an operator stopped it */
	MK_EV_PARK,		/* it stopped itself */
	MK_EV_STOPPED,		/* its CPUs and memory are back */
	MK_EV_LATE,		/* it misses its heartbeats */
	MK_EV_BACK,		/* ... and answers again */
	MK_EV_FAIL,		/* it failed, holding its resources */
	MK_EV_RECLAIM,		/* its recovery took them back */
	MK_EV_UNLOAD,		/* its kernel was dropped */
	MK_EV_QUARANTINE,	/* ... or one of its CPUs did not stop */
	MK_EV_RESIZE,		/* a transaction changes what it runs on */
	MK_EV_RESIZED,		/* ... done, or undone */
	MK_EV_NR
};

#define MK_REASON_MAX	128

/* What was loaded: read and checked at load, kept until the next one. */
struct mk_image {
	void *kernel;
	size_t kernel_size;
	void *initrd;		/* or NULL */
	size_t initrd_size;
	char *cmdline;
	struct mk_image_plan plan;	/* for the memory it was loaded for */
	bool signed_ok;		/* its signature verified, and is cut off */
};

/* The host's side of a running instance's console: what it has said. */
struct mk_console {
	u8 *buf;		/* MK_CONS_LOG_BYTES, a ring */
	u64 head;		/* bytes ever logged */
	u32 tail;		/* the instance's output ring, read this far */
};

/* One step of the run state, as the transitions file shows it. */
struct mk_transition {
	u64 ns;			/* CLOCK_BOOTTIME */
	u8 event;
	u8 from;
	u8 to;
	char why[MK_REASON_MAX];
};

#define MK_TRANSITIONS_KEPT	64

/**
 * struct mk_inst - an instance with a kernel loaded
 * @ref: one for the registry, one for each caller and queued work
 * @node: in the registry
 * @name: the instance's name in the state
 * @lock: guards everything below that is not said otherwise
 * @wq: a start or a recovery ended
 * @img: what is loaded
 * @state: where it is in its life; only mk_inst_event() writes it
 * @reason: why it stopped or failed
 * @stop: a kill asked: a start and a recovery give up at their next step
 * @notify: a transition or console output to tell poll() of, at unlock
 * @trans_seq: transitions ever made
 * @trans: the latest MK_TRANSITIONS_KEPT, a ring
 * @run: what it runs on, once started
 * @plan: the image laid out for @run's memory
 * @lay: ... and where each part goes
 * @low: its RAM below 1 MiB, MK_LOW_RAM_BYTES
 * @exec_ns: ktime_get_ns() at exec, as its boot CPU is sent off
 * @hello_ns: ... and at HELLO
 * @start_ns: ... as the start began
 * @step_ns: each step of the start, from @start_ns: the CPUs taken, the
 *	image written, the boot CPU in the kernel, the kernel in its setup
 *	(seen at MK_WAIT_STEP_MS), HELLO
 * @online_mask: bit i: run.cpus[i] was online
 * @stuck: bit i: run.cpus[i] did not stop, and is quarantined
 * @kept: bit i: run.cpus[i] stopped, but stays out of the host (its TSC)
 * @mem: its memory, mapped, while it holds it
 * @kmp: the channel to it, while it runs
 * @hello: its HELLO came; the KMP handler writes it
 * @hello_version: with this boot protocol version
 * @watch: drains the console and notices a park; holds a reference
 * @cons: its console log
 * @health: the heartbeat and recovery state
 * @vmcore: its last capture, or NULL
 */
struct mk_inst {
	struct kref ref;
	struct list_head node;
	char name[MK_NAME_MAX + 1];
	struct mutex lock;	/* the state and what it runs on */
	wait_queue_head_t wq;
	struct mk_image img;

	enum mk_run_state state;
	char reason[MK_REASON_MAX];
	bool stop;
	u8 notify;
	u64 trans_seq;
	struct mk_transition trans[MK_TRANSITIONS_KEPT];

	struct mk_exec_req run;
	struct mk_image_plan plan;
	struct mk_boot_layout lay;
	u64 low;
	u64 exec_ns;
	u64 hello_ns;
	u64 start_ns;
	u64 step_ns[MK_START_STEPS];
	u64 online_mask;
	u64 held;		/* which of @run.cpus it has now */
	u64 shape;		/* ... and which the state gives it */
	u32 resize_seq;		/* the last resize step's number */
	bool deferred;		/* it failed while it resized: */
	enum mk_failure deferred_cause;
	char deferred_why[MK_REASON_MAX];
	u64 stuck;
	u64 kept;
	void *mem;
	u64 mem_top;		/* the end of its memory, a resize's included */
	bool mem_hidden;	/* all but the control area out of the direct map */
	struct kmp_channel *kmp;
	int host_cpu;		/* its doorbells', receive work's, heartbeat's */
	bool hello;
	u32 hello_version;
	struct delayed_work watch;
	struct mk_console cons;
	struct mk_health health;
	struct mk_vmcore *vmcore;
};

#define MK_NOTIFY_STATUS	BIT(0)
#define MK_NOTIFY_CONSOLE	BIT(1)

/* instance.c: the registry and the object */
struct mk_inst *mk_inst_enter(const char *name);
struct mk_inst *mk_inst_get(const char *name);
struct mk_inst *mk_inst_hold(struct mk_inst *inst);
void mk_inst_put(struct mk_inst *inst);
void mk_inst_lock(struct mk_inst *inst);
void mk_inst_unlock(struct mk_inst *inst);
void mk_inst_notify_fn(void (*fn)(const char *name, const char *file));
int mk_inst_event(struct mk_inst *inst, enum mk_run_event ev,
		  const char *why);
const char *mk_run_state_name(enum mk_run_state st);
const char *mk_run_event_name(enum mk_run_event ev);
enum mk_run_state mk_run_next(enum mk_run_state st, enum mk_run_event ev);
bool mk_run_active(enum mk_run_state st);
bool mk_run_live(enum mk_run_state st);
int mk_host_cpu_get(const struct mk_exec_req *req);
void mk_host_cpu_put(int cpu);
bool mk_inst_busy(const struct mk_inst *inst);
bool mk_inst_name_busy(const char *name);
bool mk_inst_range_busy(u64 base, u64 bytes);

/* instance.c and instance_load.c: what the filesystem asks */
int mk_inst_load(const char *name, const struct mk_load_req *req,
		 struct mk_report *rep);
int mk_inst_unload(const char *name);
int mk_inst_exec_claim(struct mk_inst *inst, const struct mk_exec_req *req,
		       struct mk_report *rep);
int mk_inst_exec(struct mk_inst *inst, struct mk_report *rep);
int mk_inst_kill(struct mk_inst *inst, bool force);
int mk_inst_recover(struct mk_inst *inst);
int mk_inst_policy_set(struct mk_inst *inst, char *buf, char *err,
		       size_t err_size);
ssize_t mk_inst_vmcore_read(struct mk_inst *inst, char *buf, size_t len,
			    loff_t off);
int mk_inst_vmcore_drop(struct mk_inst *inst);
int mk_inst_echo(struct mk_inst *inst, const void *buf, u32 len, u64 *ns);

struct seq_file;
void mk_inst_show_status(struct mk_inst *inst, struct seq_file *sf);
void mk_inst_show_times(struct mk_inst *inst, struct seq_file *sf);
void mk_inst_show_image(struct mk_inst *inst, struct seq_file *sf);
#ifdef CONFIG_MULTIKERNEL_SIG
int mk_image_verify(struct mk_image *img, struct mk_report *rep);
#else
static inline int mk_image_verify(struct mk_image *img, struct mk_report *rep)
{
	return 0;
}
#endif
void mk_inst_show_transitions(struct mk_inst *inst, struct seq_file *sf);
void mk_inst_show_health(struct mk_inst *inst, struct seq_file *sf);
void mk_inst_show_policy(struct mk_inst *inst, struct seq_file *sf);

/* instance_run.c */
void mk_watch(struct work_struct *work);

/* instance_run.c, for the recovery */
void mk_inst_quiesce(struct mk_inst *inst);
bool mk_inst_reclaim(struct mk_inst *inst);
int mk_inst_restart(struct mk_inst *inst, struct mk_report *rep);

/* instance_start.c: the kernel on the instance's CPUs and memory */
int mk_start_layout(struct mk_inst *inst, struct mk_report *rep);
int mk_start(struct mk_inst *inst, struct mk_report *rep);
bool mk_stop(struct mk_inst *inst);
void mk_stop_quarantine_why(struct mk_inst *inst, char *buf, size_t size);
void mk_stop_kept_why(struct mk_inst *inst, char *buf, size_t size);
bool mk_start_parked(struct mk_inst *inst, u32 *reason);
const char *mk_park_name(u32 reason);
bool mk_stop_graceful(struct mk_inst *inst);
void mk_start_smt_update(void);
int mk_start_cpu_take(struct mk_inst *inst, unsigned int i);
void mk_start_cpu_give(struct mk_inst *inst, unsigned int i);
int mk_start_cpu_stop(struct mk_inst *inst, unsigned int i);
void mk_start_mem_show(struct mk_inst *inst);
void mk_start_mem_hide(struct mk_inst *inst);
int mk_start_mem_each(struct mk_inst *inst, int (*fn)(u64 phys, u64 bytes));
int mk_start_echo(struct mk_inst *inst, const void *buf, u32 len, u64 *ns);

/* instance_resize.c */
int mk_inst_resize(struct mk_inst *inst, const unsigned long *cpus,
		   u64 mem_bytes, struct mk_report *rep);
void mk_run_compact(struct mk_exec_req *req, u64 held);

/* instance_recovery.c */
void mk_recover_work(struct work_struct *work);
void mk_recover(struct mk_inst *inst, enum mk_failure cause,
		const char *text);

/* instance_debugfs.c: a CPU whose stop is taken not to work, for tests */
#ifdef CONFIG_MULTIKERNEL_TEST_HOOKS
bool mk_test_stop_ignored(unsigned int cpu);
bool mk_test_tsc_off(unsigned int cpu);
#else
static inline bool mk_test_stop_ignored(unsigned int cpu)
{
	return false;
}

static inline bool mk_test_tsc_off(unsigned int cpu)
{
	return false;
}
#endif

/* instance_console.c */
bool mk_cons_drain(struct mk_inst *inst);
ssize_t mk_cons_read(struct mk_inst *inst, char *buf, size_t len,
		     loff_t off);
int mk_cons_write(struct mk_inst *inst, const char *buf, size_t len);

#endif /* _MULTIKERNEL_INSTANCE_H */
