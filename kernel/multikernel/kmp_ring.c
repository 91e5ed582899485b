// SPDX-License-Identifier: GPL-2.0
/*
 * The KMP ring: framing, CRC, and the sender's and receiver's halves of
 * one direction of a channel.
 *
 * The sender copies a record (header, and an inline payload or a bulk
 * descriptor) into free slots and then publishes the new head with a
 * release store; the receiver reads head with an acquire load, copies the
 * record out, and publishes the new tail the same way. Bulk bytes work
 * alike, with bulk_head and bulk_tail.
 *
 * The peer is untrusted. Indices are kept locally and only compared with
 * what the peer publishes; a header is copied out once and checked on the
 * copy; an index or descriptor that no sound sender could write breaks the
 * ring for good, and a header with bad magic or CRC drops that message.
 * Nothing the peer writes makes this code touch memory outside the ring.
 */

#include "kmp_ring.h"

#define KMP_HDR_SIZE	sizeof(struct kmp_header)
#define KMP_DESC_SLOTS	DIV_ROUND_UP(KMP_HDR_SIZE + sizeof(struct kmp_bulk_desc), \
				     KMP_SLOT_SIZE)

static bool kmp_pow2(u32 n)
{
	return n && !(n & (n - 1));
}

/**
 * kmp_ring_bytes - shared memory one direction needs
 * @nslots: ring slots, a power of two
 * @bulk_size: bytes of bulk area, a power of two, or 0 for none
 *
 * Return: the size in bytes.
 */
size_t kmp_ring_bytes(u32 nslots, u32 bulk_size)
{
	return sizeof(struct kmp_ring_ctrl) + (size_t)nslots * KMP_SLOT_SIZE +
	       bulk_size;
}

/**
 * kmp_ring_init - set up the local view of one direction
 * @r: the view
 * @shm: the shared memory, cache-line aligned
 * @size: its size; at least kmp_ring_bytes()
 * @nslots: ring slots, a power of two, at least 8
 * @bulk_size: bulk bytes, a power of two of at least 4096, or 0
 * @clear: zero the control block (the side that creates the channel)
 *
 * Both sides must agree on the geometry; it is never read back from
 * shared memory.
 *
 * Return: 0, or -EINVAL for a geometry that does not fit.
 */
int kmp_ring_init(struct kmp_ring *r, void *shm, size_t size, u32 nslots,
		  u32 bulk_size, bool clear)
{
	memset(r, 0, sizeof(*r));
	if (!kmp_pow2(nslots) || nslots < 8 || nslots > (1U << 24) ||
	    (bulk_size && (!kmp_pow2(bulk_size) || bulk_size < 4096)) ||
	    size < kmp_ring_bytes(nslots, bulk_size))
		return -EINVAL;
	r->ctrl = shm;
	r->slots = (u8 *)shm + sizeof(struct kmp_ring_ctrl);
	r->bulk = bulk_size ? r->slots + (size_t)nslots * KMP_SLOT_SIZE : NULL;
	r->nslots = nslots;
	r->bulk_size = bulk_size;
	if (clear)
		memset(r->ctrl, 0, sizeof(*r->ctrl));
	return 0;
}

/* Free a half-reassembled message. */
void kmp_ring_release(struct kmp_ring *r)
{
	kvfree(r->msg);
	r->msg = NULL;
}

/**
 * kmp_crc - the CRC of a message
 * @h: its header; its crc32 field is taken as zero
 * @payload: its payload
 * @len: the payload's length
 *
 * Return: CRC-32C over the header and the payload.
 */
u32 kmp_crc(const struct kmp_header *h, const void *payload, u32 len)
{
	struct kmp_header tmp = *h;
	u32 crc;

	tmp.crc32 = 0;
	crc = crc32c(~0U, &tmp, sizeof(tmp));
	if (len)
		crc = crc32c(crc, payload, len);
	return ~crc;
}

/**
 * kmp_header_fill - frame a message
 * @h: the header to fill
 * @type: its type
 * @seq: its sequence number
 * @len: its payload's length
 * @ts: the time, in ns
 * @payload: the payload, for the CRC
 */
void kmp_header_fill(struct kmp_header *h, u16 type, u32 seq, u32 len,
		     u64 ts, const void *payload)
{
	h->magic = cpu_to_le32(KMP_MAGIC);
	h->version = cpu_to_le16(KMP_VERSION);
	h->msg_type = cpu_to_le16(type);
	h->sequence = cpu_to_le32(seq);
	h->payload_len = cpu_to_le32(len);
	h->timestamp = cpu_to_le64(ts);
	h->reserved = 0;
	h->crc32 = cpu_to_le32(kmp_crc(h, payload, len));
}

static u32 kmp_slots_for(u32 len)
{
	return len < KMP_FAST_MAX ? DIV_ROUND_UP(KMP_HDR_SIZE + len, KMP_SLOT_SIZE) :
				    KMP_DESC_SLOTS;
}

/* Copy to or from the ring at byte @off of slot @slot, wrapping. */
static void kmp_ring_copy(struct kmp_ring *r, u32 slot, u32 off, void *buf,
			  u32 len, bool to_ring)
{
	u32 ring = r->nslots * KMP_SLOT_SIZE;
	u32 pos = ((slot & (r->nslots - 1)) * KMP_SLOT_SIZE + off) & (ring - 1);
	u32 first = min(len, ring - pos);

	if (to_ring) {
		memcpy(r->slots + pos, buf, first);
		memcpy(r->slots, (u8 *)buf + first, len - first);
	} else {
		memcpy(buf, r->slots + pos, first);
		memcpy((u8 *)buf + first, r->slots, len - first);
	}
}

/*
 * Free slots as the sender sees them, reading the peer's tail only when
 * what it saw last is not enough: the tail's cache line is the receiver's.
 * An impossible tail leaves no room.
 */
static u32 kmp_free_slots(struct kmp_ring *r, u32 want)
{
	u32 used = r->head - r->tail_seen;

	if (used <= r->nslots && r->nslots - used >= want)
		return r->nslots - used;
	/* Acquire: the receiver copied the slots out before it moved tail. */
	r->tail_seen = le32_to_cpu(smp_load_acquire(&r->ctrl->tail));
	used = r->head - r->tail_seen;
	return used > r->nslots ? 0 : r->nslots - used;
}

/* Free bulk bytes as the sender sees them, as kmp_free_slots() does. */
static u32 kmp_free_bulk(struct kmp_ring *r, u32 want)
{
	u32 used = r->bulk_head - r->bulk_tail_seen;

	if (used <= r->bulk_size && r->bulk_size - used >= want)
		return r->bulk_size - used;
	/* Acquire: as for tail in kmp_free_slots(). */
	r->bulk_tail_seen = le32_to_cpu(smp_load_acquire(&r->ctrl->bulk_tail));
	used = r->bulk_head - r->bulk_tail_seen;
	return used > r->bulk_size ? 0 : r->bulk_size - used;
}

static void kmp_publish_head(struct kmp_ring *r, u32 n)
{
	r->head += n;
	/* Release: the record is written before the receiver can see it. */
	smp_store_release(&r->ctrl->head, cpu_to_le32(r->head));
}

/**
 * kmp_ring_send_fast - send a message whose payload travels inline
 * @r: the sender's view
 * @h: the framed header; its payload_len is below KMP_FAST_MAX
 * @payload: the payload
 *
 * Return: 0, -EAGAIN when the ring has no room (nothing is sent), or
 * -EMSGSIZE for a payload that must go in bulk.
 */
int kmp_ring_send_fast(struct kmp_ring *r, const struct kmp_header *h,
		       const void *payload)
{
	u32 len = le32_to_cpu(h->payload_len), n = kmp_slots_for(len);

	if (len >= KMP_FAST_MAX)
		return -EMSGSIZE;
	if (kmp_free_slots(r, n) < n) {
		r->stats.full++;
		return -EAGAIN;
	}
	kmp_ring_copy(r, r->head, 0, (void *)h, KMP_HDR_SIZE, true);
	if (len)
		kmp_ring_copy(r, r->head, KMP_HDR_SIZE, (void *)payload, len, true);
	kmp_publish_head(r, n);
	r->stats.msgs++;
	r->stats.bytes += len;
	return 0;
}

/**
 * kmp_ring_send_chunk - send the next chunk of a bulk message
 * @r: the sender's view
 * @h: the framed header; payload_len is the whole message's length
 * @payload: the whole payload
 * @done: bytes of it sent so far; advanced
 *
 * A chunk is at most half the bulk area, so that a message of any size
 * goes through as the receiver frees space. Call until *@done reaches the
 * payload's length.
 *
 * Return: 0 when a chunk went out, -EAGAIN when there is no room yet
 * (nothing is sent), -EMSGSIZE when this direction has no bulk area.
 */
int kmp_ring_send_chunk(struct kmp_ring *r, const struct kmp_header *h,
			const void *payload, u32 *done)
{
	u32 len = le32_to_cpu(h->payload_len), size = r->bulk_size;
	u32 pos, room, skip, want;
	struct kmp_bulk_desc d;

	if (!size || len < KMP_FAST_MAX)
		return -EMSGSIZE;
	if (*done >= len)
		return 0;
	want = min(len - *done, size / 2);
	pos = r->bulk_head;
	/* A chunk never wraps: skip the end of the area if it is too short. */
	room = size - (pos & (size - 1));
	skip = room < want ? room : 0;
	if (kmp_free_slots(r, KMP_DESC_SLOTS) < KMP_DESC_SLOTS ||
	    kmp_free_bulk(r, skip + want) < skip + want)
		goto full;
	pos += skip;

	memcpy(r->bulk + (pos & (size - 1)), (const u8 *)payload + *done, want);
	d.pos = cpu_to_le32(pos);
	d.len = cpu_to_le32(want);
	d.offset = cpu_to_le32(*done);
	d.reserved = 0;
	r->bulk_head = pos + want;
	/* Release: the chunk is written before its bytes are published. */
	smp_store_release(&r->ctrl->bulk_head, cpu_to_le32(r->bulk_head));
	kmp_ring_copy(r, r->head, 0, (void *)h, KMP_HDR_SIZE, true);
	kmp_ring_copy(r, r->head, KMP_HDR_SIZE, &d, sizeof(d), true);
	kmp_publish_head(r, KMP_DESC_SLOTS);
	*done += want;
	r->stats.chunks++;
	if (*done == len) {
		r->stats.msgs++;
		r->stats.bytes += len;
	}
	return 0;
full:
	r->stats.full++;
	return -EAGAIN;
}

static void kmp_consume(struct kmp_ring *r, u32 n)
{
	r->tail += n;
	/* Release: the record is copied out before the sender may reuse it. */
	smp_store_release(&r->ctrl->tail, cpu_to_le32(r->tail));
}

static int kmp_broken(struct kmp_ring *r)
{
	r->broken = true;
	r->stats.bad_index++;
	kmp_ring_release(r);
	return -EPIPE;
}

static void kmp_deliver(struct kmp_ring *r, const struct kmp_header *h,
			void *payload, struct kmp_msg *m)
{
	m->type = le16_to_cpu(h->msg_type);
	m->seq = le32_to_cpu(h->sequence);
	m->len = le32_to_cpu(h->payload_len);
	m->timestamp = le64_to_cpu(h->timestamp);
	m->payload = payload;
	r->stats.msgs++;
	r->stats.bytes += m->len;
}

static bool kmp_crc_ok(struct kmp_ring *r, const struct kmp_header *h,
		       const void *payload)
{
	if (kmp_crc(h, payload, le32_to_cpu(h->payload_len)) == le32_to_cpu(h->crc32))
		return true;
	r->stats.crc_errors++;
	return false;
}

/* A bulk chunk: check its descriptor, copy it, reassemble. */
static int kmp_recv_chunk(struct kmp_ring *r, const struct kmp_header *h,
			  struct kmp_msg *m)
{
	u32 len = le32_to_cpu(h->payload_len), size = r->bulk_size;
	u32 pos, clen, off, published;
	struct kmp_bulk_desc d;

	kmp_ring_copy(r, r->tail, KMP_HDR_SIZE, &d, sizeof(d), false);
	pos = le32_to_cpu(d.pos);
	clen = le32_to_cpu(d.len);
	off = le32_to_cpu(d.offset);
	/* Acquire: pairs with the release of bulk_head by the sender. */
	published = le32_to_cpu(smp_load_acquire(&r->ctrl->bulk_head));
	/* Inside the area, ahead of what was released, and published. */
	if (!size || !clen || clen > size || off > len || clen > len - off ||
	    pos - r->bulk_tail > size || (pos & (size - 1)) + clen > size ||
	    pos + clen - r->bulk_tail > published - r->bulk_tail ||
	    published - r->bulk_tail > size || d.reserved)
		return kmp_broken(r);

	if (len > KMP_MAX_MSG)
		goto drop;
	if (!off) {
		if (r->msg) {		/* the last one never finished */
			kmp_ring_release(r);
			r->stats.dropped++;
		}
		r->msg = kvmalloc(len, GFP_KERNEL);
		if (!r->msg)
			return -ENOMEM;	/* nothing consumed: retried */
		r->msg_hdr = *h;
		r->msg_have = 0;
	} else if (!r->msg || off != r->msg_have ||
		   memcmp(&r->msg_hdr, h, sizeof(*h))) {
		goto drop;
	}
	memcpy(r->msg + off, r->bulk + (pos & (size - 1)), clen);
	r->msg_have += clen;
	r->bulk_tail = pos + clen;
	/* Release: the chunk is copied out before the sender may reuse it. */
	smp_store_release(&r->ctrl->bulk_tail, cpu_to_le32(r->bulk_tail));
	kmp_consume(r, KMP_DESC_SLOTS);
	if (r->msg_have < len)
		return -EAGAIN;
	if (!kmp_crc_ok(r, h, r->msg)) {
		kmp_ring_release(r);
		return -EBADMSG;
	}
	kmp_deliver(r, h, r->msg, m);
	r->msg = NULL;
	return 1;
drop:
	if (r->msg)
		kmp_ring_release(r);
	r->stats.dropped++;
	r->bulk_tail = pos + clen;
	/* Release, as above, though nothing was copied. */
	smp_store_release(&r->ctrl->bulk_tail, cpu_to_le32(r->bulk_tail));
	kmp_consume(r, KMP_DESC_SLOTS);
	return -EBADMSG;
}

/**
 * kmp_ring_recv - take the next record off the ring
 * @r: the receiver's view
 * @m: filled with a whole message when 1 is returned
 *
 * Return: 1 with a message in @m, whose payload the caller kvfree()s; 0
 * when the ring is empty; -EAGAIN when a bulk chunk was taken but its
 * message is not whole yet; -EBADMSG when a message was dropped (bad
 * magic, version, CRC or framing; counted); -ENOMEM when nothing could be
 * taken for want of memory; -EPIPE once the peer wrote indices that no
 * sound sender writes. Call again on -EAGAIN and -EBADMSG.
 */
int kmp_ring_recv(struct kmp_ring *r, struct kmp_msg *m)
{
	u32 avail, len, n, type;
	struct kmp_header h;
	void *payload = NULL;

	if (r->broken)
		return -EPIPE;
	/* Acquire: pairs with the release of head in kmp_publish_head(). */
	avail = le32_to_cpu(smp_load_acquire(&r->ctrl->head)) - r->tail;
	if (!avail)
		return 0;
	if (avail > r->nslots)
		return kmp_broken(r);

	kmp_ring_copy(r, r->tail, 0, &h, sizeof(h), false);
	if (le32_to_cpu(h.magic) != KMP_MAGIC ||
	    le16_to_cpu(h.version) != KMP_VERSION) {
		/* Every record starts in a slot: look at the next one. */
		r->stats.bad_magic++;
		kmp_consume(r, 1);
		return -EBADMSG;
	}
	len = le32_to_cpu(h.payload_len);
	type = le16_to_cpu(h.msg_type) & ~KMP_REPLY;
	n = kmp_slots_for(len);
	if (n > avail)
		return kmp_broken(r);
	if (type >= KMP_MSG_TYPE_MAX || h.reserved) {
		r->stats.dropped++;
		kmp_consume(r, n);
		return -EBADMSG;
	}
	if (len >= KMP_FAST_MAX)
		return kmp_recv_chunk(r, &h, m);

	if (len) {
		payload = kvmalloc(len, GFP_KERNEL);
		if (!payload)
			return -ENOMEM;
		kmp_ring_copy(r, r->tail, KMP_HDR_SIZE, payload, len, false);
	}
	kmp_consume(r, n);
	if (!kmp_crc_ok(r, &h, payload)) {
		kvfree(payload);
		return -EBADMSG;
	}
	kmp_deliver(r, &h, payload, m);
	return 1;
}

/* Has the receiver taken everything the sender published? */
bool kmp_ring_empty(struct kmp_ring *r)
{
	/* Acquire, as in kmp_ring_recv(). */
	return le32_to_cpu(smp_load_acquire(&r->ctrl->head)) == r->tail;
}
