/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KMP channels: two endpoints, a ring each way in shared memory, and a
 * doorbell. See Documentation/core-api/multikernel-kmp.rst.
 */
#ifndef _MULTIKERNEL_KMP_H
#define _MULTIKERNEL_KMP_H

#include <linux/completion.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "kmp_ring.h"

struct kmp_endpoint;

/*
 * A handler runs in process context on the endpoint's CPU, one message at
 * a time. @m->payload is the handler's to keep: it kvfree()s it.
 */
typedef void (*kmp_handler_t)(struct kmp_endpoint *ep, struct kmp_msg *m,
			      void *priv);

struct kmp_ep_stats {
	atomic64_t ipis_sent;		/* rung by the sender and the receiver */
	atomic64_t ipis_suppressed;
	u64 wedged;		/* sends that timed out waiting for room */
	u64 unhandled;		/* messages of a type nobody handles */
	u64 stale_replies;	/* replies nobody waits for any more */
};

struct kmp_endpoint {
	struct kmp_channel *ch;
	int cpu;			/* where the doorbell rings */
	struct kmp_ring tx, rx;
	struct mutex tx_lock;		/* one sender at a time */
	atomic_t next_seq;
	wait_queue_head_t room_wq;	/* senders waiting for room */
	atomic_t room_gen;		/* bumped when room may have come */
	struct work_struct rx_work;
	struct list_head node;		/* in the per-CPU doorbell list */

	spinlock_t lock;		/* handlers and calls */
	kmp_handler_t handlers[KMP_MSG_TYPE_MAX];
	void *priv[KMP_MSG_TYPE_MAX];
	struct list_head calls;

	struct kmp_ep_stats stats;
};

struct kmp_channel {
	char name[32];
	void *shm;
	size_t shm_size;
	struct kmp_endpoint ep[2];
	struct dentry *debugfs;
};

struct kmp_channel *kmp_loopback_create(const char *name, int cpu_a, int cpu_b,
					u32 nslots, u32 bulk_size);
void kmp_channel_destroy(struct kmp_channel *ch);

int kmp_register_handler(struct kmp_endpoint *ep, u16 type, kmp_handler_t fn,
			 void *priv);
int kmp_send(struct kmp_endpoint *ep, u16 type, const void *payload, u32 len,
	     long timeout);
int kmp_reply(struct kmp_endpoint *ep, const struct kmp_msg *req, u16 type,
	      const void *payload, u32 len, long timeout);
int kmp_call(struct kmp_endpoint *ep, u16 type, const void *payload, u32 len,
	     struct kmp_msg *reply, long timeout);
struct dentry *kmp_debugfs_dir(void);

/* kmp_doorbell.c */
void kmp_doorbell_ring(struct kmp_endpoint *ep, bool room);
void kmp_doorbell_add(struct kmp_endpoint *ep);
void kmp_doorbell_del(struct kmp_endpoint *ep);
const char *kmp_doorbell_kind(void);

#endif /* _MULTIKERNEL_KMP_H */
