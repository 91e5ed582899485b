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
 * or already has one on the way.
 */

#include <linux/cpumask.h>
#include <linux/percpu.h>
#include <linux/rculist.h>
#include <linux/smp.h>

#include "kmp.h"

static DEFINE_PER_CPU(struct list_head, kmp_doorbell_eps);
static DEFINE_MUTEX(kmp_doorbell_mutex);
static bool kmp_doorbell_claimed;

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
		if (READ_ONCE(ep->rx.ctrl->doorbell) && !READ_ONCE(ep->yielding))
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
