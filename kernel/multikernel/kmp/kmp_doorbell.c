// SPDX-License-Identifier: GPL-2.0
/*
 * The KMP doorbell: an interrupt on the receiving endpoint's CPU, which
 * queues that endpoint's receive work there.
 *
 * The architecture provides an interrupt that reaches a CPU by its
 * physical id (arch_kmp_doorbell_*(), on x86 the platform IPI vector), so
 * that another kernel on the same machine can ring it. Without one, or
 * when the vector is taken, it is smp_call_function_single(), which only
 * works within one kernel: enough for loopback channels.
 *
 * A doorbell is skipped while the receiver is polling (draining its ring)
 * or already has one on the way, so a sound sender rings at most once per
 * pass of the receiver. A peer that rings faster costs this CPU an
 * interrupt each time, which nothing here can prevent, but no more: past
 * KMP_DB_LIMIT doorbells in KMP_DB_WINDOW, its doorbells are ignored and
 * its ring is read every KMP_POLL_MS instead, until a window passes with
 * KMP_DB_QUIET at most: well under the limit, so that a peer that rings
 * at about the limit does not go in and out of it. A peer that keeps the
 * polling on for KMP_STORM_MS is reported to whoever set the endpoint's
 * storm function.
 */

#include <linux/cpumask.h>
#include <linux/jiffies.h>
#include <linux/percpu.h>
#include <linux/rculist.h>
#include <linux/smp.h>

#include "kmp.h"

#define KMP_DB_WINDOW_MS	100
#define KMP_DB_LIMIT		2000	/* per window: 20,000 a second */
#define KMP_DB_QUIET		(KMP_DB_LIMIT / 4)	/* ends the polling */
#define KMP_POLL_MS		10
#define KMP_STORM_MS		2000

static DEFINE_PER_CPU(struct list_head, kmp_doorbell_eps);
static DEFINE_MUTEX(kmp_doorbell_mutex);
static bool kmp_doorbell_claimed;

/*
 * Count a doorbell for @ep, in interrupt context on its CPU: whether to
 * act on it, or to leave the ring to the poll work.
 */
static bool kmp_doorbell_admit(struct kmp_endpoint *ep)
{
	struct kmp_db_rate *r = &ep->rate;

	ep->stats.doorbells++;
	r->count++;
	if (r->polling)
		return false;
	if (time_after(jiffies, r->window + msecs_to_jiffies(KMP_DB_WINDOW_MS))) {
		r->window = jiffies;
		r->count = 1;
	}
	if (r->count <= KMP_DB_LIMIT)
		return true;
	r->polling = true;
	r->storm = 0;
	ep->stats.throttles++;
	queue_delayed_work_on(ep->cpu, system_wq, &ep->poll_work,
			      msecs_to_jiffies(KMP_POLL_MS));
	return false;
}

/*
 * While doorbells come too fast: read the ring every KMP_POLL_MS, end
 * the polling once a window is quiet, and report a storm that keeps it
 * on for KMP_STORM_MS.
 */
void kmp_doorbell_poll(struct work_struct *work)
{
	struct kmp_endpoint *ep = container_of(to_delayed_work(work),
					       struct kmp_endpoint, poll_work);
	struct kmp_db_rate *r = &ep->rate;
	bool again = true, storm = false;
	kmp_storm_fn_t fn;
	unsigned long flags;
	char why[80];
	u32 n = 0;

	local_irq_save(flags);
	if (time_after(jiffies, r->window + msecs_to_jiffies(KMP_DB_WINDOW_MS))) {
		n = r->count;
		r->window = jiffies;
		r->count = 0;
		if (n <= KMP_DB_QUIET) {
			r->polling = false;
			again = false;
		} else if (++r->storm == KMP_STORM_MS / KMP_DB_WINDOW_MS) {
			storm = true;
		}
	}
	local_irq_restore(flags);
	if (READ_ONCE(ep->closing))
		return;
	queue_work_on(ep->cpu, system_highpri_wq, &ep->rx_work);
	/* Pairs with kmp_set_storm_fn(): its priv is set before it. */
	fn = smp_load_acquire(&ep->on_storm);
	if (storm && fn) {
		snprintf(why, sizeof(why),
			 "doorbell storm: over %u doorbells a second for %u ms",
			 KMP_DB_LIMIT * (1000 / KMP_DB_WINDOW_MS), KMP_STORM_MS);
		fn(READ_ONCE(ep->storm_priv), why);
	}
	if (again)
		queue_delayed_work_on(ep->cpu, system_wq, &ep->poll_work,
				      msecs_to_jiffies(KMP_POLL_MS));
}

/*
 * On the rung CPU, in interrupt context: queue the receive work of whoever
 * has a doorbell, and wake whoever waits for room to send.
 */
static void kmp_doorbell_handle(void)
{
	struct list_head *eps = this_cpu_ptr(&kmp_doorbell_eps);
	struct kmp_endpoint *ep;

	rcu_read_lock();
	list_for_each_entry_rcu(ep, eps, node) {
		if (READ_ONCE(ep->rx.ctrl->doorbell) && kmp_doorbell_admit(ep) &&
		    !READ_ONCE(ep->yielding))
			queue_work_on(ep->cpu, system_highpri_wq, &ep->rx_work);
		/*
		 * Bumped whether or not anyone sleeps yet: a sender about
		 * to sleep compares with what it read before its last try.
		 */
		atomic_inc(&ep->room_gen);
		if (wq_has_sleeper(&ep->room_wq))
			wake_up_all(&ep->room_wq);
	}
	rcu_read_unlock();
}

/* Another user can take the vector over after us (on x86, Hyper-V). */
static bool kmp_doorbell_uses_ipi(void)
{
	return kmp_doorbell_claimed && arch_kmp_doorbell_ready();
}

static void kmp_doorbell_call(void *unused)
{
	kmp_doorbell_handle();
}

/**
 * kmp_doorbell_ring - interrupt @ep's peer
 * @ep: the endpoint ringing
 * @room: to say that @ep freed room the peer's sender waits for, rather
 *	  than that @ep published a record
 *
 * A record's doorbell is skipped, and counted as suppressed, when the peer
 * is polling or a doorbell is already on its way. A room doorbell is
 * never skipped: the peer's sender may be the very handler that keeps its
 * receiver polling.
 */
void kmp_doorbell_ring(struct kmp_endpoint *ep, bool room)
{
	struct kmp_ring_ctrl *ctrl = ep->tx.ctrl;
	struct kmp_endpoint *peer = &ep->ch->ep[ep == &ep->ch->ep[0]];

	/* The record is published before polling is read; see kmp_rx_work(). */
	smp_mb();
	if (!room && (READ_ONCE(ctrl->polling) ||
		      xchg(&ctrl->doorbell, cpu_to_le32(1)))) {
		atomic64_inc(&ep->stats.ipis_suppressed);
		return;
	}
	if (kmp_doorbell_uses_ipi())
		arch_kmp_doorbell_send(peer->phys_id);
	else if (peer->cpu >= 0)
		smp_call_function_single(peer->cpu, kmp_doorbell_call, NULL, 0);
	else
		return;		/* another kernel's: it reads at its next poll */
	atomic64_inc(&ep->stats.ipis_sent);
}

void kmp_doorbell_add(struct kmp_endpoint *ep)
{
	mutex_lock(&kmp_doorbell_mutex);
	list_add_rcu(&ep->node, per_cpu_ptr(&kmp_doorbell_eps, ep->cpu));
	mutex_unlock(&kmp_doorbell_mutex);
}

void kmp_doorbell_del(struct kmp_endpoint *ep)
{
	mutex_lock(&kmp_doorbell_mutex);
	list_del_rcu(&ep->node);
	mutex_unlock(&kmp_doorbell_mutex);
	synchronize_rcu();
}

/* What rings doorbells here, for debugfs and the tests. */
const char *kmp_doorbell_kind(void)
{
	return kmp_doorbell_uses_ipi() ? arch_kmp_doorbell_name() :
					 "smp-call-function";
}

static int __init kmp_doorbell_init(void)
{
	int cpu;

	for_each_possible_cpu(cpu)
		INIT_LIST_HEAD(per_cpu_ptr(&kmp_doorbell_eps, cpu));
	kmp_doorbell_claimed = arch_kmp_doorbell_claim(kmp_doorbell_handle);
	return 0;
}
core_initcall(kmp_doorbell_init);
