// SPDX-License-Identifier: GPL-2.0
/*
 * A hostile peer, for tests only (CONFIG_MULTIKERNEL_TEST_HOOKS): what an
 * instance can do to the host over its channel that costs the host the
 * most. An instance runs it against its own channel to the host, so that
 * the selftests can show the host keeps running through it (guest/
 * instance.c has the knob).
 *
 * Until the deadline, it keeps the ring full of the largest chunk the
 * bulk area takes, with one byte changed after sending so that the CRC
 * fails and the receiver checks all of it for nothing; it rings the
 * doorbell, with the flag set, past the suppression a sound sender keeps
 * to; and it lets the caller scribble over the rest of the control area.
 * At the end it forges a record whose length says more slots than the
 * ring has, which must break the ring on the receiver's side, not the
 * receiver.
 */

#include <linux/jiffies.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/vmalloc.h>

#include "kmp.h"

#define KMP_HOSTILE_RINGS	64	/* doorbells per round */
#define KMP_HOSTILE_CHUNK_EVERY	8	/* rounds per chunk: doorbells are cheaper */

struct kmp_hostile_stats {
	u64 msgs;
	u64 doorbells;
};

/* One chunk of half the bulk area, whose CRC the receiver will refute. */
static void kmp_hostile_chunk(struct kmp_endpoint *ep, const u8 *buf, u32 len,
			      u32 seq, struct kmp_hostile_stats *st)
{
	struct kmp_ring *r = &ep->tx;
	struct kmp_header h;
	u32 done = 0;

	kmp_header_fill(&h, KMP_MSG_MORPH_PREPARE, seq, len, 0);
	mutex_lock(&ep->tx_lock);
	if (!kmp_ring_send(r, &h, buf, &done)) {
		r->bulk[(r->bulk_head - 1) & (r->bulk_size - 1)] ^= 1;
		st->msgs++;
	}
	mutex_unlock(&ep->tx_lock);
}

static void kmp_hostile_ring(struct kmp_endpoint *ep,
			     struct kmp_hostile_stats *st)
{
	struct kmp_endpoint *peer = &ep->ch->ep[1];
	unsigned int i;

	for (i = 0; i < KMP_HOSTILE_RINGS; i++) {
		WRITE_ONCE(ep->tx.ctrl->doorbell, cpu_to_le32(1));
		arch_kmp_doorbell_send(peer->phys_id);
		st->doorbells++;
	}
}

/* A record at the head that claims more slots than the ring has. */
static void kmp_hostile_forge(struct kmp_endpoint *ep)
{
	struct kmp_ring *r = &ep->tx;
	struct kmp_record *rec;

	mutex_lock(&ep->tx_lock);
	rec = (void *)(r->slots + (size_t)(r->head & (r->nslots - 1)) *
		       KMP_SLOT_SIZE);
	rec->slots = cpu_to_le16(0xffff);
	rec->flags = 0;
	/* The tag's other fields before its seq, as a sound sender orders them. */
	smp_store_release(&rec->seq, cpu_to_le32(r->head + 1));
	WRITE_ONCE(r->ctrl->doorbell, cpu_to_le32(1));
	arch_kmp_doorbell_send(ep->ch->ep[1].phys_id);
	mutex_unlock(&ep->tx_lock);
}

/**
 * kmp_hostile_run - act as a hostile peer on a channel to another kernel
 * @ep: this kernel's endpoint of the channel
 * @until: when to stop, in jiffies
 * @scribble: called between messages, to do more harm elsewhere, or NULL
 * @arg: passed to @scribble
 * @what: what was done, for the log
 * @size: its size
 *
 * Context: process context; sleeps between rounds only by cond_resched().
 * Return: 0, or -EINVAL for a channel without a bulk area, -ENOMEM.
 */
int kmp_hostile_run(struct kmp_endpoint *ep, unsigned long until,
		    void (*scribble)(void *arg), void *arg, char *what,
		    size_t size)
{
	struct kmp_hostile_stats st = {};
	u32 len = ep->tx.bulk_size / 2, seq = 0;
	u8 *buf;

	if (!len || !ep->ch->remote)
		return -EINVAL;
	buf = vmalloc(len);
	if (!buf)
		return -ENOMEM;
	get_random_bytes(buf, len);
	while (time_before(jiffies, until)) {
		if (!(seq++ % KMP_HOSTILE_CHUNK_EVERY)) {
			kmp_hostile_chunk(ep, buf, len, seq, &st);
			if (scribble)
				scribble(arg);
		}
		kmp_hostile_ring(ep, &st);
		cond_resched();
	}
	kmp_hostile_forge(ep);
	vfree(buf);
	snprintf(what, size,
		 "%llu chunks of %u bytes with a bad CRC, %llu doorbells, then a forged record",
		 st.msgs, len, st.doorbells);
	return 0;
}
