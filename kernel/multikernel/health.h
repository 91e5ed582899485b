/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host's watch over running instances: heartbeats, what is done when
 * one fails (recovery), and its vmcore. The health_*.c and crash_*.c
 * files share this.
 */
#ifndef _MULTIKERNEL_HEALTH_H
#define _MULTIKERNEL_HEALTH_H

#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>

struct kmp_endpoint;
struct mk_inst;
struct seq_file;

/* What is done when an instance fails. */
enum mk_on_failure {
	MK_FAIL_NONE,		/* nothing: it keeps its resources */
	MK_FAIL_RECLAIM,	/* stop it and give its resources back */
	MK_FAIL_RESTART,	/* ... then start the same kernel again */
};

/**
 * struct mk_health_policy - how an instance is watched, and healed
 * @interval_ms: between heartbeats while it answers
 * @timeout_ms: without an answer, it has failed
 * @missed_max: beats missed in a row before it counts as unresponsive
 * @on_failure: an enum mk_on_failure
 * @restart_max: restarts allowed within @restart_window_s
 * @restart_window_s: the window
 * @vmcore: capture a vmcore when it fails
 */
struct mk_health_policy {
	u32 interval_ms;
	u32 timeout_ms;
	u32 missed_max;
	u32 on_failure;
	u32 restart_max;
	u32 restart_window_s;
	bool vmcore;
};

/* The steps of a recovery, as the recovery log names them. */
enum mk_recovery_step {
	MK_REC_MONITORING,
	MK_REC_DETECTING,
	MK_REC_PREPARING,
	MK_REC_CAPTURING,
	MK_REC_RECLAIMING,
	MK_REC_RESTARTING,
	MK_REC_COMPLETE,
};

/* Why an instance is recovered. */
enum mk_failure {
	MK_FAILED_HEARTBEAT,	/* no answer within the timeout */
	MK_FAILED_PANIC,	/* its panic notifier said so */
	MK_FAILED_REBOOT,	/* it restarted itself */
	MK_FAILED_MANUAL,	/* an operator asked */
	MK_FAILED_STORM,	/* its doorbells would not slow down */
	MK_FAILED_RESIZE,	/* it kept memory a resize could not undo */
};

/* The latest answer, in host byte order. */
struct mk_beat_metrics {
	u64 uptime_ns;
	u64 mem_total;
	u64 mem_free;
	u64 work_delay_ns;
	u64 rtt_ns;
	u32 cpu_permille;
	u32 nr_cpus;
};

#define MK_RESTARTS_KEPT	16

/**
 * struct mk_health - the host's heartbeat and recovery state of an instance
 * @pol: its policy; @lock guards it, and the instance's lock its writers
 * @ops: whom the heartbeat tells what it sees
 * @priv: ... and what it gives them
 * @ep: where the heartbeat goes
 * @beat: the heartbeat's tick
 * @recover: the recovery, which sleeps and so runs apart
 * @lock: what the heartbeat handler writes: the fields down to @m
 * @seq: the beat sent last
 * @answered_seq: the beat answered last
 * @last_ok_ns: when an answer came last, or the instance started
 * @answered: answers counted
 * @m: the latest metrics
 * @sent: beats sent
 * @missed: beats missed, ever
 * @missed_run: ... in a row, now
 * @late: the tick said the instance is unresponsive
 * @backoff: the interval is doubled this many times, after missed beats
 * @failures: failures noticed
 * @restarts: restarts done
 * @restart_ns: when the last MK_RESTARTS_KEPT restarts were, a ring
 * @step: where a recovery is
 * @cause: why the running recovery runs
 * @cause_text: ... in words, for the log and status
 * @manual: the running recovery was asked for
 * @beating: the heartbeat runs; an answer may hurry its tick
 * @recovering: a recovery runs; the instance is busy until it ends
 * @pending: it failed again while the recovery restarted it
 */
struct mk_health {
	struct mk_health_policy pol;
	const struct mk_health_ops *ops;
	void *priv;
	struct kmp_endpoint *ep;
	int cpu;		/* @ep's: where the beat runs */
	struct delayed_work beat;
	struct work_struct recover;

	spinlock_t lock;	/* the fields down to @m */
	u32 seq;
	u32 answered_seq;
	u64 last_ok_ns;
	u64 answered;
	struct mk_beat_metrics m;

	u64 sent;
	u64 missed;
	u32 missed_run;
	bool late;
	u32 backoff;
	u64 failures;
	u64 restarts;
	u64 restart_ns[MK_RESTARTS_KEPT];
	enum mk_recovery_step step;
	enum mk_failure cause;
	char cause_text[96];
	bool manual;
	bool beating;
	bool recovering;
	bool pending;
};

/**
 * struct mk_health_ops - what the heartbeat reports, from its tick
 * @late: missed_max beats in a row went unanswered
 * @back: an answer came again after @late
 * @failed: no answer for the timeout; the heartbeat has stopped
 *
 * Each is called without locks, with the &mk_health.priv it was started
 * with and the reason in words. The owner of the instance decides what
 * becomes of its state.
 */
struct mk_health_ops {
	void (*late)(void *priv, const char *why);
	void (*back)(void *priv, const char *why);
	void (*failed)(void *priv, const char *why);
};

/* health_monitor.c */
void mk_health_init(struct mk_health *h);
void mk_health_start(struct mk_health *h, struct kmp_endpoint *ep,
		     const struct mk_health_ops *ops, void *priv);
void mk_health_stop(struct mk_health *h);
void mk_health_show(struct mk_health *h, bool live, struct seq_file *sf);
void mk_health_policy_get(struct mk_health *h, struct mk_health_policy *p);
void mk_health_policy_show(struct mk_health *h, struct seq_file *sf);
int mk_health_policy_set(struct mk_health *h, char *buf, char *err,
			 size_t err_size);

/* recovery_log.c */
const char *mk_recovery_step_name(enum mk_recovery_step step);
void mk_recovery_log(const char *name, enum mk_recovery_step step,
		     const char *fmt, ...) __printf(3, 4);
void mk_recovery_log_show(struct seq_file *sf);
void mk_recovery_log_notify_fn(void (*fn)(void));

/* instance_vmcore.c: a leaf, which takes no lock */
struct mk_vmcore;
struct mk_vmcore *mk_vmcore_capture(struct mk_inst *inst, bool hung,
				    u64 credit, char *why, size_t why_size);
u64 mk_vmcore_charged(const struct mk_vmcore *core);
void mk_vmcore_free(struct mk_vmcore *core);
void mk_vmcore_budget_show(struct seq_file *sf);
ssize_t mk_vmcore_read(const struct mk_vmcore *core, char *buf, size_t len,
		       loff_t off);

#endif /* _MULTIKERNEL_HEALTH_H */
