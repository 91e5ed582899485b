// SPDX-License-Identifier: GPL-2.0
/*
 * The host's heartbeat to each running instance, and its policy.
 *
 * Every interval the host sends KMP_MSG_HEARTBEAT_REQ; the instance
 * answers with KMP_MSG_HEARTBEAT_RSP and its metrics (guest/health_beat.c). A
 * request still unanswered at the next tick is a missed beat. After
 * missed_max in a row the instance is "unresponsive"; without any answer
 * for timeout_ms it has failed, and its owner recovers it
 * (instance_recovery.c).
 *
 * While beats are missed, the interval doubles with each one (up to
 * MK_BEAT_MAX_BACKOFF doublings), so that a stalled kernel that comes
 * back is not flooded with stale requests; the tick never sleeps past the
 * timeout, so a failure is declared within the timeout and one interval.
 *
 * The answer's handler runs in the KMP receive work, which kmp_call()s of
 * other users may be waiting on while they hold the instance's lock: it
 * takes only the health spinlock. The tick takes no lock of the
 * instance's either: it reports lateness and failure through the
 * callbacks it was started with (struct mk_health_ops), and the owner of
 * the instance changes its state.
 */

#include <linux/jiffies.h>
#include <linux/moduleparam.h>
#include <linux/multikernel_boot.h>
#include <linux/multikernel_kmp.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>

#include "health.h"

#undef MODULE_PARAM_PREFIX
#define MODULE_PARAM_PREFIX "multikernel."

static unsigned int mk_heartbeat_timeout_ms = 60000;
module_param_named(heartbeat_timeout_ms, mk_heartbeat_timeout_ms, uint, 0644);
MODULE_PARM_DESC(heartbeat_timeout_ms,
		 "an instance's heartbeat timeout when it is loaded");

#define MK_BEAT_INTERVAL_MS	1000
#define MK_BEAT_MISSED_MAX	3
#define MK_BEAT_MAX_BACKOFF	3
#define MK_BEAT_MIN_MS		10

static const char * const mk_on_failure_names[] = {
	[MK_FAIL_NONE] = "none",
	[MK_FAIL_RECLAIM] = "reclaim",
	[MK_FAIL_RESTART] = "restart",
};

/**
 * mk_health_init - the defaults of a newly loaded instance
 * @h: its health state
 */
void mk_health_init(struct mk_health *h)
{
	h->pol = (struct mk_health_policy) {
		.interval_ms = min(MK_BEAT_INTERVAL_MS,
				   max(mk_heartbeat_timeout_ms / 4, MK_BEAT_MIN_MS)),
		.timeout_ms = max(mk_heartbeat_timeout_ms, 2 * MK_BEAT_MIN_MS),
		.missed_max = MK_BEAT_MISSED_MAX,
		.on_failure = MK_FAIL_RECLAIM,
		.restart_max = 3,
		.restart_window_s = 300,
		.vmcore = true,
	};
	spin_lock_init(&h->lock);
	h->step = MK_REC_MONITORING;
}

/* An answer: untrusted, so only a well-formed one for our last beat counts. */
static void mk_beat_on_rsp(struct kmp_endpoint *ep, struct kmp_msg *m,
			   void *priv)
{
	struct mk_health *h = priv;
	struct mk_beat_rsp copy, *rsp = &copy;
	u64 now = ktime_get_ns();

	/* Copied once: the peer can still write where it came. */
	if (m->len < sizeof(copy))
		return;
	memcpy(&copy, m->payload, sizeof(copy));
	if (le32_to_cpu(rsp->version) != MK_BEAT_VERSION)
		return;
	spin_lock_bh(&h->lock);
	if (le32_to_cpu(rsp->seq) != h->seq ||
	    le64_to_cpu(rsp->host_ns) > now) {
		spin_unlock_bh(&h->lock);
		return;
	}
	h->answered_seq = h->seq;
	h->last_ok_ns = now;
	h->answered++;
	h->m = (struct mk_beat_metrics) {
		.uptime_ns = le64_to_cpu(rsp->uptime_ns),
		.mem_total = le64_to_cpu(rsp->mem_total),
		.mem_free = le64_to_cpu(rsp->mem_free),
		.work_delay_ns = le64_to_cpu(rsp->work_delay_ns),
		.rtt_ns = now - le64_to_cpu(rsp->host_ns),
		.cpu_permille = min(le32_to_cpu(rsp->cpu_permille), 1000U),
		.nr_cpus = le32_to_cpu(rsp->nr_cpus),
	};
	spin_unlock_bh(&h->lock);
	/* Back from a stall: let the tick say so now, not after the backoff. */
	if (READ_ONCE(h->missed_run) && READ_ONCE(h->beating))
		mod_delayed_work(system_wq, &h->beat, 0);
}

static void mk_beat_send(struct mk_health *h, u64 now)
{
	struct mk_beat_req req = {
		.version = cpu_to_le32(MK_BEAT_VERSION),
		.host_ns = cpu_to_le64(now),
	};

	spin_lock_bh(&h->lock);
	req.seq = cpu_to_le32(++h->seq);
	spin_unlock_bh(&h->lock);
	h->sent++;
	/* A full ring is a peer that does not read: a missed beat, no wait. */
	kmp_send(h->ep, KMP_MSG_HEARTBEAT_REQ, &req, sizeof(req), 0);
}

/* When to look again: the interval, backed off, but never past the timeout. */
static unsigned long mk_beat_next(const struct mk_health_policy *pol,
				  u32 backoff, u64 now, u64 last_ok)
{
	u64 deadline = last_ok + (u64)pol->timeout_ms * NSEC_PER_MSEC;
	u64 next_ms = (u64)pol->interval_ms << backoff;
	u64 left_ms = 1;

	if (deadline > now)
		left_ms += div_u64(deadline - now, NSEC_PER_MSEC);
	return msecs_to_jiffies(min(next_ms, left_ms));
}

/* Count a missed beat, or a run of them ended; say if lateness changed. */
static void mk_beat_count(struct mk_health *h, bool missed, u32 missed_max,
			  u64 since_ok_ms)
{
	char why[96];

	if (missed) {
		h->missed++;
		WRITE_ONCE(h->missed_run, h->missed_run + 1);
		h->backoff = min(h->backoff + 1, MK_BEAT_MAX_BACKOFF);
	} else {
		WRITE_ONCE(h->missed_run, 0);
		h->backoff = 0;
	}
	if (missed && !h->late && h->missed_run >= missed_max) {
		h->late = true;
		snprintf(why, sizeof(why),
			 "%u heartbeats missed, last answer %llu ms ago",
			 h->missed_run, since_ok_ms);
		h->ops->late(h->priv, why);
	} else if (!missed && h->late) {
		h->late = false;
		snprintf(why, sizeof(why), "answered after %llu ms",
			 since_ok_ms);
		h->ops->back(h->priv, why);
	}
}

/* One tick: count a missed beat, report what changed, beat again. */
static void mk_beat_tick(struct work_struct *work)
{
	struct mk_health *h = container_of(to_delayed_work(work),
					   struct mk_health, beat);
	u64 now = ktime_get_ns(), last_ok, since_ok_ms;
	struct mk_health_policy pol;
	char why[96];
	bool missed;

	if (!READ_ONCE(h->beating))
		return;
	spin_lock_bh(&h->lock);
	missed = h->answered_seq != h->seq;
	last_ok = h->last_ok_ns;
	pol = h->pol;
	spin_unlock_bh(&h->lock);
	since_ok_ms = div_u64(now - last_ok, NSEC_PER_MSEC);

	/*
	 * The miss first: an instance that missed missed_max beats was
	 * unresponsive before it failed, even when a late tick finds both.
	 */
	mk_beat_count(h, missed, pol.missed_max, since_ok_ms);
	if (now - last_ok >= (u64)pol.timeout_ms * NSEC_PER_MSEC) {
		snprintf(why, sizeof(why),
			 "heartbeat: no answer for %llu ms, %u beats missed",
			 since_ok_ms, h->missed_run);
		WRITE_ONCE(h->beating, false);
		h->ops->failed(h->priv, why);
		return;
	}
	mk_beat_send(h, now);
	queue_delayed_work_on(h->cpu, system_wq, &h->beat,
			      mk_beat_next(&pol, h->backoff, now, last_ok));
}

/**
 * mk_health_start - beat to an instance that just said HELLO
 * @h: its health state
 * @ep: the host's end of its KMP channel
 * @ops: whom to tell what the heartbeat sees
 * @priv: what to give them
 */
void mk_health_start(struct mk_health *h, struct kmp_endpoint *ep,
		     const struct mk_health_ops *ops, void *priv)
{
	spin_lock_bh(&h->lock);
	h->seq = 0;
	h->answered_seq = 0;
	h->last_ok_ns = ktime_get_ns();
	memset(&h->m, 0, sizeof(h->m));
	spin_unlock_bh(&h->lock);
	h->ops = ops;
	h->priv = priv;
	h->ep = ep;
	/* The channel's CPU; a loopback's far end has none. */
	h->cpu = kmp_endpoint_cpu(ep) >= 0 ? kmp_endpoint_cpu(ep) : WORK_CPU_UNBOUND;
	h->missed_run = 0;
	h->late = false;
	h->backoff = 0;
	h->step = MK_REC_MONITORING;
	INIT_DELAYED_WORK(&h->beat, mk_beat_tick);
	WRITE_ONCE(h->beating, true);
	kmp_register_handler(ep, KMP_MSG_HEARTBEAT_RSP, mk_beat_on_rsp, h);
	queue_delayed_work_on(h->cpu, system_wq, &h->beat, 0);
}

/**
 * mk_health_stop - stop beating, before the channel goes
 * @h: the health state; no lock held that a report callback takes
 */
void mk_health_stop(struct mk_health *h)
{
	WRITE_ONCE(h->beating, false);
	if (h->beat.work.func)
		cancel_delayed_work_sync(&h->beat);
}

/**
 * mk_health_show - the instance's health file: a "key value" line each
 * @h: its health state
 * @live: its kernel runs, so that the age of the last beat means something
 * @sf: where to print
 */
void mk_health_show(struct mk_health *h, bool live, struct seq_file *sf)
{
	struct mk_beat_metrics m;
	u64 last_ok, answered;

	spin_lock_bh(&h->lock);
	m = h->m;
	last_ok = h->last_ok_ns;
	answered = h->answered;
	spin_unlock_bh(&h->lock);

	seq_printf(sf, "recovery %s\n", mk_recovery_step_name(h->step));
	if (live)
		seq_printf(sf, "last_beat_ms %llu\n",
			   div_u64(ktime_get_ns() - last_ok, NSEC_PER_MSEC));
	seq_printf(sf, "beats_sent %llu\nbeats_answered %llu\nbeats_missed %llu\n",
		   h->sent, answered, h->missed);
	seq_printf(sf, "missed_in_row %u\nfailures %llu\nrestarts %llu\n",
		   READ_ONCE(h->missed_run), h->failures, h->restarts);
	if (!m.uptime_ns)
		return;
	seq_printf(sf, "uptime_ms %llu\ncpu_permille %u\nnr_cpus %u\n",
		   div_u64(m.uptime_ns, NSEC_PER_MSEC), m.cpu_permille,
		   m.nr_cpus);
	seq_printf(sf, "mem_total_kb %llu\nmem_free_kb %llu\n",
		   m.mem_total >> 10, m.mem_free >> 10);
	seq_printf(sf, "work_delay_us %llu\nrtt_us %llu\n",
		   div_u64(m.work_delay_ns, NSEC_PER_USEC),
		   div_u64(m.rtt_ns, NSEC_PER_USEC));
}

/**
 * mk_health_policy_get - a copy of the policy, whole
 * @h: the health state
 * @p: where to copy it
 */
void mk_health_policy_get(struct mk_health *h, struct mk_health_policy *p)
{
	spin_lock_bh(&h->lock);
	*p = h->pol;
	spin_unlock_bh(&h->lock);
}

/**
 * mk_health_policy_show - the instance's policy file
 * @h: its health state; its writers excluded
 * @sf: where to print
 */
void mk_health_policy_show(struct mk_health *h, struct seq_file *sf)
{
	const struct mk_health_policy *p = &h->pol;

	seq_printf(sf, "heartbeat_interval_ms %u\nheartbeat_timeout_ms %u\n",
		   p->interval_ms, p->timeout_ms);
	seq_printf(sf, "missed_max %u\non_failure %s\n", p->missed_max,
		   mk_on_failure_names[p->on_failure]);
	seq_printf(sf, "restart_max %u\nrestart_window_s %u\nvmcore %s\n",
		   p->restart_max, p->restart_window_s,
		   p->vmcore ? "on" : "off");
}

/* One "key value" pair into @p; false, with @err said, if it is wrong. */
static bool mk_policy_pair(struct mk_health_policy *p, const char *key,
			   char *val, char *err, size_t err_size)
{
	struct {
		const char *key;
		u32 *field;
		u32 min, max;
	} nums[] = {
		{ "heartbeat_interval_ms", &p->interval_ms, MK_BEAT_MIN_MS, 3600000 },
		{ "heartbeat_timeout_ms", &p->timeout_ms, 2 * MK_BEAT_MIN_MS, 86400000 },
		{ "missed_max", &p->missed_max, 1, 1000 },
		{ "restart_max", &p->restart_max, 0, MK_RESTARTS_KEPT },
		{ "restart_window_s", &p->restart_window_s, 1, 86400 },
	};
	unsigned int i;
	u32 v;
	int n;

	for (i = 0; i < ARRAY_SIZE(nums); i++) {
		if (strcmp(key, nums[i].key))
			continue;
		if (kstrtou32(val, 0, &v) || v < nums[i].min || v > nums[i].max) {
			snprintf(err, err_size, "%s: \"%s\" is not a number from %u to %u",
				 key, val, nums[i].min, nums[i].max);
			return false;
		}
		*nums[i].field = v;
		return true;
	}
	if (!strcmp(key, "on_failure")) {
		n = match_string(mk_on_failure_names,
				 ARRAY_SIZE(mk_on_failure_names), val);
		if (n < 0) {
			snprintf(err, err_size,
				 "on_failure: \"%s\" is none, reclaim or restart", val);
			return false;
		}
		p->on_failure = n;
		return true;
	}
	if (!strcmp(key, "vmcore")) {
		if (kstrtobool(val, &p->vmcore)) {
			snprintf(err, err_size, "vmcore: \"%s\" is on or off", val);
			return false;
		}
		return true;
	}
	snprintf(err, err_size, "\"%s\" is no policy key", key);
	return false;
}

/**
 * mk_health_policy_set - change an instance's policy
 * @h: its health state; other writers excluded
 * @buf: "key value" or "key=value" pairs, by blanks or lines
 * @err: why it was refused
 * @err_size: its size
 *
 * All or nothing: one wrong pair changes nothing. A running heartbeat
 * takes the new interval and timeout at its next tick.
 *
 * Return: 0, or -EINVAL.
 */
int mk_health_policy_set(struct mk_health *h, char *buf, char *err,
			 size_t err_size)
{
	struct mk_health_policy p = h->pol;
	char *tok, *key = NULL, *eq;

	while ((tok = strsep(&buf, " \t\n")) != NULL) {
		if (!*tok)
			continue;
		eq = strchr(tok, '=');
		if (eq) {
			*eq = '\0';
			if (!mk_policy_pair(&p, tok, eq + 1, err, err_size))
				return -EINVAL;
		} else if (!key) {
			key = tok;
		} else {
			if (!mk_policy_pair(&p, key, tok, err, err_size))
				return -EINVAL;
			key = NULL;
		}
	}
	if (key) {
		snprintf(err, err_size, "%s: no value", key);
		return -EINVAL;
	}
	if (p.interval_ms * 2ULL > p.timeout_ms) {
		snprintf(err, err_size,
			 "heartbeat_interval_ms %u: at most half of heartbeat_timeout_ms %u",
			 p.interval_ms, p.timeout_ms);
		return -EINVAL;
	}
	spin_lock_bh(&h->lock);
	h->pol = p;
	spin_unlock_bh(&h->lock);
	return 0;
}
