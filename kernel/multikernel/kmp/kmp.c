// SPDX-License-Identifier: GPL-2.0
/*
 * KMP channels: sending with back-pressure, receiving in a work item on
 * the endpoint's CPU, handlers per message type, and calls whose replies
 * are matched by sequence number.
 */

#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/sched/clock.h>
#include <linux/seq_file.h>
#include <linux/timekeeping.h>
#include <linux/vmalloc.h>

#include "kmp.h"

/* A kmp_call() waiting for its reply, and the caller's buffer for it. */
struct kmp_pending {
	struct list_head node;
	u32 seq;
	struct completion done;
	struct kmp_msg reply;
	int err;
};

static struct dentry *kmp_debugfs_root;

/* Copy a reply into its caller's buffer, which says how much it takes. */
static void kmp_reply_copy(struct kmp_pending *p, const struct kmp_msg *m)
{
	void *buf = p->reply.payload;

	if (m->len > p->reply.len)
		p->err = -EMSGSIZE;
	else if (m->len)
		memcpy(buf, m->payload, m->len);
	p->reply = *m;
	p->reply.payload = buf;
}

/*
 * A message nobody handles is dropped, and counted. The payload is the
 * ring's, and released when this returns.
 */
static void kmp_dispatch(struct kmp_endpoint *ep, struct kmp_msg *m)
{
	struct kmp_pending *p;
	kmp_handler_t fn = NULL;
	void *priv = NULL;
	u16 type = m->type & ~KMP_REPLY;

	spin_lock(&ep->lock);
	if (m->type & KMP_REPLY) {
		list_for_each_entry(p, &ep->calls, node) {
			if (p->seq != m->seq)
				continue;
			list_del_init(&p->node);
			kmp_reply_copy(p, m);
			complete(&p->done);
			spin_unlock(&ep->lock);
			return;
		}
	} else {
		fn = ep->handlers[type];
		priv = ep->priv[type];
	}
	spin_unlock(&ep->lock);
	if (fn) {
		fn(ep, m, priv);
		return;
	}
	if (m->type & KMP_REPLY)
		ep->stats.stale_replies++;
	else
		ep->stats.unhandled++;
}

/*
 * Drain the ring from the peer. While this runs, polling tells the peer
 * that no doorbell is needed; clearing it is ordered before the last look
 * at the ring with a full barrier, as kmp_doorbell_ring() orders its
 * record before its look at polling, so that no record is left behind.
 */
static void kmp_rx_work(struct work_struct *work)
{
	struct kmp_endpoint *ep = container_of(work, struct kmp_endpoint, rx_work);
	struct kmp_ring_ctrl *ctrl = ep->rx.ctrl;
	struct kmp_msg m;
	int ret, budget = 256;

	WRITE_ONCE(ctrl->polling, cpu_to_le32(1));
	xchg(&ctrl->doorbell, 0);
	/* Polling is seen before the ring is read: senders may skip us now. */
	smp_mb();

	while (budget--) {
		ret = kmp_ring_recv(&ep->rx, &m);
		if (ret == 1) {
			kmp_dispatch(ep, &m);
			kmp_ring_done(&ep->rx);
		} else if (ret != -EAGAIN && ret != -EBADMSG) {
			break;
		}
	}
	kmp_ring_flush(&ep->rx);
	/*
	 * A sender on the other side waits for the room just freed. The tail
	 * was published before want_space is read, as the sender sets
	 * want_space before its last look at the tail: one of the two sees
	 * the other.
	 */
	/* Pairs with the barrier after want_space in kmp_send_msg(). */
	smp_mb();
	if (READ_ONCE(ctrl->want_space)) {
		WRITE_ONCE(ctrl->want_space, 0);
		kmp_doorbell_ring(ep, true);
	}
	WRITE_ONCE(ctrl->polling, 0);
	/* Pairs with kmp_doorbell_ring(): then look at the ring once more. */
	smp_mb();
	if (ret == -EPIPE)
		return;
	/*
	 * The budget ran out: the receive work goes round again only once an
	 * ordinary work has run on this CPU after the tasks ahead of it, so a
	 * peer that keeps the ring full gets about an ordinary task's share
	 * of the CPU, not a high-priority worker's. Doorbells meanwhile queue
	 * nothing. The receive work itself stays on one workqueue, where it
	 * never runs twice at once.
	 */
	if (budget < 0) {
		ep->stats.yields++;
		WRITE_ONCE(ep->yielding, true);
		queue_work_on(ep->cpu, system_wq, &ep->yield_work);
		return;
	}
	/* More came, or memory ran out: go round again. */
	if (ret == -ENOMEM || !kmp_ring_empty(&ep->rx))
		queue_work_on(ep->cpu, system_highpri_wq, &ep->rx_work);
}

static void kmp_yield_work(struct work_struct *work)
{
	struct kmp_endpoint *ep = container_of(work, struct kmp_endpoint,
					       yield_work);

	WRITE_ONCE(ep->yielding, false);
	if (!READ_ONCE(ep->closing))
		queue_work_on(ep->cpu, system_highpri_wq, &ep->rx_work);
}

/* Send one framed message, waiting for room up to @timeout jiffies. */
static int kmp_send_msg(struct kmp_endpoint *ep, u16 type, u32 seq,
			const void *payload, u32 len, long timeout)
{
	struct kmp_ring_ctrl *ctrl = ep->tx.ctrl;
	struct kmp_header h;
	bool asked = false;
	u32 done = 0;
	int ret, gen;

	if (len > KMP_MAX_MSG || (len && !payload))
		return -EINVAL;
	kmp_header_fill(&h, type, seq, len, ktime_get_ns());
	mutex_lock(&ep->tx_lock);
	for (;;) {
		gen = atomic_read(&ep->room_gen);
		/* A bump seen here means room freed before the try below. */
		smp_rmb();
		ret = kmp_ring_send(&ep->tx, &h, payload, &done);
		if (!ret) {
			asked = false;
			kmp_doorbell_ring(ep, false);
			if (done == len)
				break;
			continue;
		}
		if (ret != -EAGAIN)
			break;
		/* Full: ask the receiver to ring back, and look once more. */
		if (!asked) {
			WRITE_ONCE(ctrl->want_space, cpu_to_le32(1));
			/* Pairs with the barrier before want_space in kmp_rx_work(). */
			smp_mb();
			asked = true;
			continue;
		}
		kmp_doorbell_ring(ep, false);
		if (!timeout) {
			ret = -EAGAIN;
			break;
		}
		timeout = wait_event_timeout(ep->room_wq,
					     atomic_read(&ep->room_gen) != gen ||
					     READ_ONCE(ep->closing), timeout);
		if (READ_ONCE(ep->closing)) {
			ret = -EPIPE;
			break;
		}
		if (!timeout) {
			ep->stats.wedged++;
			ret = -ETIMEDOUT;
			break;
		}
		/*
		 * The receiver cleared want_space when it rang, or this is
		 * another doorbell: ask again if the room is still short.
		 */
		asked = false;
	}
	mutex_unlock(&ep->tx_lock);
	return ret;
}

/**
 * kmp_send - send a message to the peer
 * @ep: the sending endpoint
 * @type: a KMP_MSG_* type
 * @payload: the payload, copied before this returns
 * @len: its length, at most KMP_MAX_MSG
 * @timeout: jiffies to wait for room in all; 0 never waits
 *
 * Context: process context; may sleep.
 * Return: 0 once the whole message is in the ring, -EAGAIN or -ETIMEDOUT
 * when the peer does not make room in time (a bulk message may then be
 * cut short, and the peer drops what it got of it), -EPIPE when the
 * channel is torn down while this waits. A broken ring shows as a peer
 * that makes no room.
 */
int kmp_send(struct kmp_endpoint *ep, u16 type, const void *payload, u32 len,
	     long timeout)
{
	return kmp_send_msg(ep, type, atomic_inc_return(&ep->next_seq), payload,
			    len, timeout);
}
EXPORT_SYMBOL_GPL(kmp_send);

/**
 * kmp_reply - answer a request
 * @ep: the endpoint the request came to
 * @req: the request
 * @type: the reply's type; KMP_REPLY is added
 * @payload: the reply's payload
 * @len: its length
 * @timeout: as for kmp_send()
 *
 * Return: as kmp_send().
 */
int kmp_reply(struct kmp_endpoint *ep, const struct kmp_msg *req, u16 type,
	      const void *payload, u32 len, long timeout)
{
	return kmp_send_msg(ep, type | KMP_REPLY, req->seq, payload, len, timeout);
}
EXPORT_SYMBOL_GPL(kmp_reply);

/**
 * kmp_call - send a request and wait for its reply
 * @ep: the sending endpoint
 * @type: the request's type
 * @payload: its payload
 * @len: its length
 * @reply: in, its payload is the caller's buffer for the reply's payload
 *	   and its len the buffer's size; out, the reply, its len the
 *	   reply's length
 * @timeout: jiffies to wait, for room and for the reply each
 *
 * The reply is copied into the caller's buffer: a call allocates nothing.
 *
 * Context: process context; may sleep.
 * Return: 0, an error from kmp_send(), -ETIMEDOUT when no reply came, or
 * -EMSGSIZE when it came larger than the buffer (nothing is copied; its
 * length is in @reply).
 */
int kmp_call(struct kmp_endpoint *ep, u16 type, const void *payload, u32 len,
	     struct kmp_msg *reply, long timeout)
{
	struct kmp_pending p = {
		.seq = atomic_inc_return(&ep->next_seq),
		.reply = { .payload = reply->payload, .len = reply->len },
	};
	int ret;

	init_completion(&p.done);
	spin_lock(&ep->lock);
	list_add_tail(&p.node, &ep->calls);
	spin_unlock(&ep->lock);

	ret = kmp_send_msg(ep, type, p.seq, payload, len, timeout);
	if (!ret && !wait_for_completion_timeout(&p.done, timeout))
		ret = -ETIMEDOUT;
	spin_lock(&ep->lock);
	if (list_empty(&p.node))
		ret = p.err;	/* the reply came, if only just */
	else
		list_del(&p.node);
	spin_unlock(&ep->lock);
	if (!ret || ret == -EMSGSIZE)
		*reply = p.reply;
	return ret;
}
EXPORT_SYMBOL_GPL(kmp_call);

/**
 * kmp_register_handler - handle messages of one type
 * @ep: the receiving endpoint
 * @type: a KMP_MSG_* type below KMP_MSG_TYPE_MAX
 * @fn: the handler, or NULL to drop the type again
 * @priv: passed to @fn
 *
 * Dropping a type waits for a message being handled, unless a handler
 * drops it: once this returns, nothing runs with the old @priv.
 *
 * Context: process context; may sleep when @fn is NULL.
 * Return: 0, or -EINVAL for a type out of range.
 */
int kmp_register_handler(struct kmp_endpoint *ep, u16 type, kmp_handler_t fn,
			 void *priv)
{
	if (type >= KMP_MSG_TYPE_MAX)
		return -EINVAL;
	spin_lock(&ep->lock);
	ep->handlers[type] = fn;
	ep->priv[type] = priv;
	spin_unlock(&ep->lock);
	if (!fn && ep->cpu >= 0 && current_work() != &ep->rx_work)
		flush_work(&ep->rx_work);
	return 0;
}
EXPORT_SYMBOL_GPL(kmp_register_handler);

/**
 * kmp_set_storm_fn - say who is told of a doorbell storm
 * @ep: the local endpoint
 * @fn: called from process context, or NULL
 * @priv: passed to @fn
 *
 * Set before the peer may ring, or while it cannot: the poll work reads
 * the two without a lock.
 */
void kmp_set_storm_fn(struct kmp_endpoint *ep, kmp_storm_fn_t fn, void *priv)
{
	WRITE_ONCE(ep->storm_priv, priv);
	/* Pairs with kmp_doorbell_poll(): priv before fn. */
	smp_store_release(&ep->on_storm, fn);
}
EXPORT_SYMBOL_GPL(kmp_set_storm_fn);

/*
 * What every endpoint answers: echo, version and heartbeat. Handlers run
 * in the receive work, which a teardown waits for: they never wait for
 * ring space, so a peer that stops reading loses its answers instead.
 *
 * An echo that fits one record is answered at once. A larger one may
 * need the peer to read before it all fits, so it is copied and answered
 * from a work of its own, which may wait for room until the channel
 * closes. One such echo waits at a time; others are dropped and counted.
 */
static void kmp_echo_work(struct work_struct *work)
{
	struct kmp_endpoint *ep = container_of(work, struct kmp_endpoint,
					       echo_work);
	struct kmp_msg req = {};
	void *buf;

	spin_lock(&ep->lock);
	buf = ep->echo_buf;
	req.seq = ep->echo_seq;
	req.type = ep->echo_type;
	req.len = ep->echo_len;
	spin_unlock(&ep->lock);
	if (buf)
		kmp_reply(ep, &req, req.type, buf, req.len, HZ);
	spin_lock(&ep->lock);
	ep->echo_buf = NULL;
	spin_unlock(&ep->lock);
	kvfree(buf);
}

static void kmp_handle_echo(struct kmp_endpoint *ep, struct kmp_msg *m, void *priv)
{
	void *buf;

	if (m->len <= KMP_FAST_MAX) {
		kmp_reply(ep, m, m->type, m->payload, m->len, 0);
		return;
	}
	buf = kvmemdup(m->payload, m->len, GFP_KERNEL);
	spin_lock(&ep->lock);
	if (buf && !ep->echo_buf && !ep->closing) {
		ep->echo_buf = buf;
		ep->echo_len = m->len;
		ep->echo_seq = m->seq;
		ep->echo_type = m->type;
		buf = NULL;
		queue_work(system_wq, &ep->echo_work);
	} else {
		ep->stats.echoes_dropped++;
	}
	spin_unlock(&ep->lock);
	kvfree(buf);
}

static void kmp_handle_hello(struct kmp_endpoint *ep, struct kmp_msg *m, void *priv)
{
	__le32 version = cpu_to_le32(KMP_VERSION);

	kmp_reply(ep, m, KMP_MSG_HELLO, &version, sizeof(version), 0);
}

static void kmp_handle_heartbeat(struct kmp_endpoint *ep, struct kmp_msg *m,
				 void *priv)
{
	kmp_reply(ep, m, KMP_MSG_HEARTBEAT_RSP, NULL, 0, 0);
}

static void kmp_endpoint_init(struct kmp_channel *ch, int i, int cpu)
{
	struct kmp_endpoint *ep = &ch->ep[i];

	ep->ch = ch;
	ep->cpu = cpu;
	ep->phys_id = arch_kmp_cpu_phys_id(cpu);
	mutex_init(&ep->tx_lock);
	init_waitqueue_head(&ep->room_wq);
	INIT_WORK(&ep->rx_work, kmp_rx_work);
	INIT_WORK(&ep->echo_work, kmp_echo_work);
	INIT_WORK(&ep->yield_work, kmp_yield_work);
	INIT_DELAYED_WORK(&ep->poll_work, kmp_doorbell_poll);
	ep->rate.window = jiffies;
	spin_lock_init(&ep->lock);
	INIT_LIST_HEAD(&ep->calls);
	kmp_register_handler(ep, KMP_MSG_ECHO, kmp_handle_echo, NULL);
	kmp_register_handler(ep, KMP_MSG_HELLO, kmp_handle_hello, NULL);
	kmp_register_handler(ep, KMP_MSG_HEARTBEAT_REQ, kmp_handle_heartbeat, NULL);
}

static int kmp_stats_show(struct seq_file *sf, void *unused)
{
	struct kmp_channel *ch = sf->private;
	int i;

	seq_printf(sf, "doorbell: %s\n", kmp_doorbell_kind());
	for (i = 0; i < (ch->remote ? 1 : 2); i++) {
		struct kmp_endpoint *ep = &ch->ep[i];
		struct kmp_ring_stats *tx = &ep->tx.stats, *rx = &ep->rx.stats;

		seq_printf(sf, "endpoint %d: cpu %d%s\n", i, ep->cpu,
			   ep->rx.broken ? ", ring from peer broken" : "");
		seq_printf(sf, "  tx: msgs %llu bytes %llu chunks %llu full %llu\n",
			   tx->msgs, tx->bytes, tx->chunks, tx->full);
		seq_printf(sf, "  rx: msgs %llu bytes %llu chunks %llu dropped %llu crc_errors %llu bad_magic %llu bad_index %llu\n",
			   rx->msgs, rx->bytes, rx->chunks, rx->dropped,
			   rx->crc_errors, rx->bad_magic, rx->bad_index);
		seq_printf(sf, "  ipis_sent %llu ipis_suppressed %llu wedged %llu unhandled %llu stale_replies %llu echoes_dropped %llu\n",
			   atomic64_read(&ep->stats.ipis_sent),
			   atomic64_read(&ep->stats.ipis_suppressed),
			   ep->stats.wedged, ep->stats.unhandled,
			   ep->stats.stale_replies, ep->stats.echoes_dropped);
		seq_printf(sf, "  doorbells %llu yields %llu throttles %llu polling %d\n",
			   ep->stats.doorbells, ep->stats.yields,
			   ep->stats.throttles, READ_ONCE(ep->rate.polling));
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(kmp_stats);

/* Let doorbells reach the channel's local endpoints; show it in debugfs. */
static struct kmp_channel *kmp_channel_publish(struct kmp_channel *ch)
{
	kmp_doorbell_add(&ch->ep[0]);
	if (!ch->remote)
		kmp_doorbell_add(&ch->ep[1]);
	if (kmp_debugfs_root)
		ch->debugfs = debugfs_create_file(ch->name, 0400,
						  kmp_debugfs_root, ch,
						  &kmp_stats_fops);
	return ch;
}

/**
 * kmp_loopback_create - a channel between two endpoints of this kernel
 * @name: its name in debugfs (multikernel/kmp/NAME)
 * @cpu_a: endpoint 0's CPU
 * @cpu_b: endpoint 1's CPU
 * @nslots: ring slots each way, a power of two of at least 8
 * @bulk_size: bulk bytes each way, a power of two of at least 4096, or 0
 *
 * The same code runs a channel across kernels; only here both ends are
 * in one kernel, for tests and benchmarks.
 *
 * Return: the channel, or an ERR_PTR().
 */
struct kmp_channel *kmp_loopback_create(const char *name, int cpu_a, int cpu_b,
					u32 nslots, u32 bulk_size)
{
	size_t one = ALIGN(kmp_ring_bytes(nslots, bulk_size), SMP_CACHE_BYTES);
	struct kmp_channel *ch;
	u8 *shm;
	int err;

	if (!cpu_online(cpu_a) || !cpu_online(cpu_b))
		return ERR_PTR(-EINVAL);
	ch = kzalloc(sizeof(*ch), GFP_KERNEL);
	shm = vzalloc(2 * one);
	if (!ch || !shm) {
		vfree(shm);
		kfree(ch);
		return ERR_PTR(-ENOMEM);
	}
	strscpy(ch->name, name, sizeof(ch->name));
	ch->shm = shm;
	ch->shm_size = 2 * one;
	/* Ring 0 carries endpoint 0's messages to 1, ring 1 the others. */
	err = kmp_ring_init(&ch->ep[0].tx, shm, one, nslots, bulk_size, true) ?:
	      kmp_ring_init(&ch->ep[1].rx, shm, one, nslots, bulk_size, false) ?:
	      kmp_ring_init(&ch->ep[1].tx, shm + one, one, nslots, bulk_size, true) ?:
	      kmp_ring_init(&ch->ep[0].rx, shm + one, one, nslots, bulk_size, false);
	if (err) {
		vfree(shm);
		kfree(ch);
		return ERR_PTR(err);
	}
	kmp_endpoint_init(ch, 0, cpu_a);
	kmp_endpoint_init(ch, 1, cpu_b);
	return kmp_channel_publish(ch);
}
EXPORT_SYMBOL_GPL(kmp_loopback_create);

/**
 * kmp_shared_create - a channel to another kernel, over memory both map
 * @name: its name, in debugfs
 * @shm: the shared memory, cache-line aligned, mapped by both kernels
 * @size: its size: room for two rings of @nslots and @bulk_size
 * @cpu: the local CPU that handles the channel's doorbells
 * @peer_phys_id: the peer kernel's CPU that handles them there, as the
 *		  architecture's doorbell names it (on x86, the APIC ID)
 * @owner: this side sets the rings up; the peer must not run yet
 * @nslots: ring slots, as kmp_ring_init() takes them
 * @bulk_size: bulk bytes, as kmp_ring_init() takes them
 *
 * Endpoint 0 is this kernel's; endpoint 1 stands for the peer, and only
 * its doorbell is used. Ring 0 carries the owner's messages, ring 1 the
 * other side's. Everything in @shm is the peer's to scribble on: the ring
 * code checks every index, length and CRC it reads from there, and
 * reassembles no message longer than the channel's shared memory, so that
 * what the peer makes this kernel allocate stays in proportion to what it
 * shares. Doorbells need the architecture's (arch_kmp_doorbell_send());
 * without it the peer sees a message at its next doorbell or poll.
 *
 * Return: the channel, or an ERR_PTR().
 */
struct kmp_channel *kmp_shared_create(const char *name, void *shm, size_t size,
				      int cpu, u32 peer_phys_id, bool owner,
				      u32 nslots, u32 bulk_size)
{
	size_t one = ALIGN(kmp_ring_bytes(nslots, bulk_size), SMP_CACHE_BYTES);
	struct kmp_channel *ch;
	u8 *mine, *theirs;
	int err;

	if (!cpu_online(cpu) || size < 2 * one)
		return ERR_PTR(-EINVAL);
	ch = kzalloc(sizeof(*ch), GFP_KERNEL);
	if (!ch)
		return ERR_PTR(-ENOMEM);
	strscpy(ch->name, name, sizeof(ch->name));
	ch->shm = shm;
	ch->shm_size = 2 * one;
	ch->remote = true;
	mine = owner ? shm : shm + one;
	theirs = owner ? shm + one : shm;
	err = kmp_ring_init(&ch->ep[0].tx, mine, one, nslots, bulk_size, owner) ?:
	      kmp_ring_init(&ch->ep[0].rx, theirs, one, nslots, bulk_size, owner);
	if (err) {
		kfree(ch);
		return ERR_PTR(err);
	}
	ch->ep[0].rx.max_msg = min_t(size_t, ch->shm_size, KMP_MAX_MSG);
	kmp_endpoint_init(ch, 0, cpu);
	ch->ep[1].ch = ch;
	ch->ep[1].cpu = -1;
	ch->ep[1].phys_id = peer_phys_id;
	return kmp_channel_publish(ch);
}
EXPORT_SYMBOL_GPL(kmp_shared_create);

/**
 * kmp_channel_destroy - tear a channel down
 * @ch: the channel; no sender may be using it
 */
void kmp_channel_destroy(struct kmp_channel *ch)
{
	int i, local = ch->remote ? 1 : 2;

	debugfs_remove(ch->debugfs);
	for (i = 0; i < local; i++) {
		kmp_doorbell_del(&ch->ep[i]);
		/* A sender still waiting for room gives up now. */
		WRITE_ONCE(ch->ep[i].closing, true);
		wake_up_all(&ch->ep[i].room_wq);
	}
	for (i = 0; i < local; i++) {
		/* Each of these may queue the receive work. */
		cancel_delayed_work_sync(&ch->ep[i].poll_work);
		cancel_work_sync(&ch->ep[i].yield_work);
		cancel_work_sync(&ch->ep[i].rx_work);
		cancel_work_sync(&ch->ep[i].yield_work);
		cancel_work_sync(&ch->ep[i].echo_work);
		kvfree(ch->ep[i].echo_buf);
		kmp_ring_release(&ch->ep[i].rx);
	}
	if (!ch->remote)
		vfree(ch->shm);
	kfree(ch);
}
EXPORT_SYMBOL_GPL(kmp_channel_destroy);

/**
 * kmp_channel_endpoint - one end of a channel
 * @ch: the channel
 * @i: 0 or 1, in the order the channel was created with
 *
 * Return: the endpoint, or NULL for any other @i.
 */
struct kmp_endpoint *kmp_channel_endpoint(struct kmp_channel *ch,
					  unsigned int i)
{
	return i < ARRAY_SIZE(ch->ep) ? &ch->ep[i] : NULL;
}
EXPORT_SYMBOL_GPL(kmp_channel_endpoint);

/**
 * kmp_endpoint_cpu - the CPU an endpoint's doorbells ring and its receive
 *	work runs on
 * @ep: the endpoint
 *
 * Return: the CPU, or -1 for the far end of a shared channel.
 */
int kmp_endpoint_cpu(const struct kmp_endpoint *ep)
{
	return ep->cpu;
}
EXPORT_SYMBOL_GPL(kmp_endpoint_cpu);

/* multikernel/kmp in debugfs: one file per channel, and the exercises. */
struct dentry *kmp_debugfs_dir(void)
{
	return kmp_debugfs_root;
}

static int __init kmp_init(void)
{
	struct dentry *mk = debugfs_create_dir("multikernel", NULL);

	kmp_debugfs_root = debugfs_create_dir("kmp", mk);
	if (IS_ERR(kmp_debugfs_root))
		kmp_debugfs_root = NULL;
	return 0;
}
fs_initcall(kmp_init);
