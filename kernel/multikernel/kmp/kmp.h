/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside KMP: channels of two endpoints, a ring each way in shared memory,
 * and a doorbell. Code outside kernel/multikernel uses the API in
 * <linux/multikernel_kmp.h> only. See
 * Documentation/core-api/multikernel-kmp.rst.
 */
#ifndef _MULTIKERNEL_KMP_H
#define _MULTIKERNEL_KMP_H

#include <linux/completion.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include <linux/multikernel_kmp.h>

#include "kmp_ring.h"

struct kmp_ep_stats {
	atomic64_t ipis_sent;		/* rung by the sender and the receiver */
	atomic64_t ipis_suppressed;
	u64 wedged;		/* sends that timed out waiting for room */
	u64 unhandled;		/* messages of a type nobody handles */
	u64 stale_replies;	/* replies nobody waits for any more */
	u64 echoes_dropped;	/* echoes that came while one waited */
	u64 yields;		/* passes that used their budget up */
	u64 throttles;		/* times doorbells came too fast, and were ignored */
	u64 doorbells;		/* doorbells that found the flag set */
};

/*
 * Doorbells past KMP_DB_LIMIT in a KMP_DB_WINDOW are ignored, and the
 * ring is polled instead; the doorbell handler and the poll work, both on
 * the endpoint's CPU, share this with interrupts off.
 */
struct kmp_db_rate {
	unsigned long window;	/* when the present window began, jiffies */
	u32 count;		/* doorbells in it */
	u32 storm;		/* windows over the limit in a row, while polling */
	bool polling;
};

struct kmp_endpoint {
	struct kmp_channel *ch;
	int cpu;			/* its CPU, in the kernel that owns it */
	u32 phys_id;			/* the same CPU, as doorbells reach it */
	struct kmp_ring tx, rx;
	struct mutex tx_lock;		/* one sender at a time */
	atomic_t next_seq;
	wait_queue_head_t room_wq;	/* senders waiting for room */
	atomic_t room_gen;		/* bumped when room may have come */
	struct work_struct rx_work;
	struct work_struct yield_work;	/* requeues rx_work, at normal priority */
	bool yielding;			/* doorbells leave rx_work to the yield */
	struct kmp_db_rate rate;
	struct delayed_work poll_work;	/* reads the ring while throttled */
	kmp_storm_fn_t on_storm;	/* told of a storm that will not stop */
	void *storm_priv;
	struct list_head node;		/* in the per-CPU doorbell list */

	spinlock_t lock;		/* handlers, calls and the echo */
	kmp_handler_t handlers[KMP_MSG_TYPE_MAX];
	void *priv[KMP_MSG_TYPE_MAX];
	struct list_head calls;
	bool closing;			/* senders stop waiting for room */

	/* An echo too large to answer at once, answered from its own work. */
	struct work_struct echo_work;
	void *echo_buf;			/* NULL when no echo waits */
	u32 echo_len, echo_seq;
	u16 echo_type;

	struct kmp_ep_stats stats;
};

struct kmp_channel {
	char name[32];
	void *shm;		/* vmalloc()ed, unless @remote */
	size_t shm_size;
	bool remote;		/* ep[1] is another kernel's: only its phys_id */
	struct kmp_endpoint ep[2];
	struct dentry *debugfs;
};

struct dentry *kmp_debugfs_dir(void);

/* kmp_doorbell.c */
void kmp_doorbell_ring(struct kmp_endpoint *ep, bool room);
void kmp_doorbell_poll(struct work_struct *work);
void kmp_doorbell_add(struct kmp_endpoint *ep);
void kmp_doorbell_del(struct kmp_endpoint *ep);
const char *kmp_doorbell_kind(void);

#endif /* _MULTIKERNEL_KMP_H */
