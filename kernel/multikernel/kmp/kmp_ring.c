// SPDX-License-Identifier: GPL-2.0
/*
 * The KMP ring: framing, CRC, and the sender's and receiver's halves of
 * one direction of a channel.
 *
 * The sender writes a record (tag, header, and an inline payload or a
 * bulk descriptor) into free slots, and last the tag's sequence word, with
 * a release store. The receiver polls the sequence word of the slot it
 * expects next with an acquire load, so that a message costs it only the
 * lines the record fills: no shared head index. It hands the payload out
 * in place, in the slots or the bulk area, and releases the record's
 * slots and bulk bytes when the caller is done with it, publishing them
 * in batches: the sender reads the receiver's line only when it runs
 * short of room.
 *
 * The peer is untrusted. Indices are kept locally; a record's tag, header
 * and descriptor are copied out once and checked on the copy; a record or
 * descriptor that no sound sender could write breaks the ring for good,
 * and a header with bad magic or CRC drops that message. Nothing the peer
 * writes makes this code touch memory outside the ring. A payload handed
 * out in place is memory the peer can still write: its CRC held when it
 * was checked, and a caller that acts on it reads each field once.
 */

#include "kmp_ring.h"

#define KMP_HDR_SIZE	sizeof(struct kmp_header)
#define KMP_HDR_OFF	sizeof(struct kmp_record)
#define KMP_BODY_OFF	(KMP_HDR_OFF + KMP_HDR_SIZE)
#define KMP_DESC_SLOTS	DIV_ROUND_UP(KMP_BODY_OFF + sizeof(struct kmp_bulk_desc), \
				     KMP_SLOT_SIZE)

/* What a receiver copies out of a record's first slot, once. */
struct kmp_record_copy {
	struct kmp_record rec;
	struct kmp_header h;
	struct kmp_bulk_desc d;
};

static_assert(sizeof(struct kmp_record) == 8, "a record is two words");
static_assert(sizeof(struct kmp_record_copy) <= KMP_SLOT_SIZE,
	      "what a receiver copies lies in a record's first slot");

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
	r->max_msg = KMP_MAX_MSG;
	if (clear)
		memset(r->ctrl, 0, sizeof(*r->ctrl));
	return 0;
}

/* Free a half-reassembled message, and a reassembled one still held. */
void kmp_ring_release(struct kmp_ring *r)
{
	kvfree(r->msg);
	r->msg = NULL;
	kvfree(r->held_buf);
	r->held_buf = NULL;
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
 *
 * The CRC is left to kmp_ring_send(), which computes it as it copies.
 */
void kmp_header_fill(struct kmp_header *h, u16 type, u32 seq, u32 len, u64 ts)
{
	h->magic = cpu_to_le32(KMP_MAGIC);
	h->version = cpu_to_le16(KMP_VERSION);
	h->msg_type = cpu_to_le16(type);
	h->sequence = cpu_to_le32(seq);
	h->payload_len = cpu_to_le32(len);
	h->timestamp = cpu_to_le64(ts);
	h->crc32 = 0;
	h->reserved = 0;
}

static u32 kmp_slots_for(u32 len)
{
	return len < KMP_FAST_MAX ? DIV_ROUND_UP(KMP_BODY_OFF + len, KMP_SLOT_SIZE) :
				    KMP_DESC_SLOTS;
}

static u8 *kmp_slot(struct kmp_ring *r, u32 idx)
{
	return r->slots + (size_t)(idx & (r->nslots - 1)) * KMP_SLOT_SIZE;
}

/* The CRC of @h with its crc32 field zero, not yet finished. */
static u32 kmp_crc_header(struct kmp_header *h)
{
	h->crc32 = 0;
	return crc32c(~0U, h, KMP_HDR_SIZE);
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
	/* Acquire: the receiver was done with the slots before it moved tail. */
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

/* Publish the record of @n slots that starts at head. */
static void kmp_publish(struct kmp_ring *r, u32 n, u16 flags)
{
	struct kmp_record *rec = (void *)kmp_slot(r, r->head);

	rec->slots = cpu_to_le16(n);
	rec->flags = cpu_to_le16(flags);
	r->head += n;
	/* Release: the record is written before the receiver sees its seq. */
	smp_store_release(&rec->seq, cpu_to_le32(r->head - n + 1));
}

/* Room for @n slots in a row at head; pad to the ring's start if need be. */
static int kmp_reserve(struct kmp_ring *r, u32 n)
{
	u32 idx = r->head & (r->nslots - 1);
	u32 pad = idx + n > r->nslots ? r->nslots - idx : 0;

	if (kmp_free_slots(r, pad + n) < pad + n)
		return -EAGAIN;
	if (pad)
		kmp_publish(r, pad, KMP_RECORD_PAD);
	return 0;
}

static int kmp_send_fast(struct kmp_ring *r, struct kmp_header *h,
			 const void *payload)
{
	u32 len = le32_to_cpu(h->payload_len), n = kmp_slots_for(len), crc;
	u8 *slot;

	if (kmp_reserve(r, n))
		return -EAGAIN;
	slot = kmp_slot(r, r->head);
	crc = kmp_crc_header(h);
	if (len)
		crc = mk_crc32c_copy(crc, slot + KMP_BODY_OFF, payload, len);
	h->crc32 = cpu_to_le32(~crc);
	memcpy(slot + KMP_HDR_OFF, h, KMP_HDR_SIZE);
	kmp_publish(r, n, 0);
	r->stats.msgs++;
	r->stats.bytes += len;
	return 0;
}

/*
 * The next chunk of a bulk message. A chunk is at most half the bulk area,
 * so that a message of any size goes through as the receiver frees space,
 * and a message that fits in one is copied once, its CRC computed in the
 * same pass. A longer one has its CRC computed first, for its header.
 */
static int kmp_send_chunk(struct kmp_ring *r, struct kmp_header *h,
			  const void *payload, u32 *done)
{
	u32 len = le32_to_cpu(h->payload_len), size = r->bulk_size;
	u32 pos, room, skip, want, crc;
	struct kmp_bulk_desc d;
	u8 *dst, *slot;

	if (!size)
		return -EMSGSIZE;
	want = min(len - *done, size / 2);
	pos = r->bulk_head;
	/* A chunk never wraps: skip the end of the area if it is too short. */
	room = size - (pos & (size - 1));
	skip = room < want ? room : 0;
	if (kmp_free_bulk(r, skip + want) < skip + want ||
	    kmp_reserve(r, KMP_DESC_SLOTS))
		return -EAGAIN;
	pos += skip;
	dst = r->bulk + (pos & (size - 1));
	if (want == len) {
		crc = mk_crc32c_copy(kmp_crc_header(h), dst, payload, len);
		h->crc32 = cpu_to_le32(~crc);
	} else {
		if (!*done)
			h->crc32 = cpu_to_le32(~crc32c(kmp_crc_header(h), payload, len));
		memcpy(dst, (const u8 *)payload + *done, want);
	}
	d.pos = cpu_to_le32(pos);
	d.len = cpu_to_le32(want);
	d.offset = cpu_to_le32(*done);
	d.reserved = 0;
	r->bulk_head = pos + want;
	slot = kmp_slot(r, r->head);
	memcpy(slot + KMP_HDR_OFF, h, KMP_HDR_SIZE);
	memcpy(slot + KMP_BODY_OFF, &d, sizeof(d));
	kmp_publish(r, KMP_DESC_SLOTS, 0);
	*done += want;
	r->stats.chunks++;
	if (*done == len) {
		r->stats.msgs++;
		r->stats.bytes += len;
	}
	return 0;
}

/**
 * kmp_ring_send - send a message, or the next chunk of a bulk one
 * @r: the sender's view
 * @h: the header, from kmp_header_fill(); its CRC is filled in here, and
 *     the caller keeps it unchanged until the whole message is sent
 * @payload: the whole payload
 * @done: bytes of it sent so far; 0 to begin, advanced
 *
 * A payload below KMP_FAST_MAX travels inline in the ring, a larger one
 * in the bulk area. Call until *@done reaches the payload's length; a
 * message without payload is sent by the first call that returns 0.
 *
 * Return: 0 when the message or a chunk went out, -EAGAIN when there is
 * no room yet (nothing is sent), -EMSGSIZE for a bulk message in a
 * direction without a bulk area.
 */
int kmp_ring_send(struct kmp_ring *r, struct kmp_header *h, const void *payload,
		  u32 *done)
{
	u32 len = le32_to_cpu(h->payload_len);
	int ret;

	if (len < KMP_FAST_MAX) {
		ret = kmp_send_fast(r, h, payload);
		if (!ret)
			*done = len;
	} else {
		ret = *done < len ? kmp_send_chunk(r, h, payload, done) : 0;
	}
	if (ret == -EAGAIN)
		r->stats.full++;
	return ret;
}

/* Let the sender have what was released: in batches, or @all of it. */
static void kmp_publish_release(struct kmp_ring *r, bool all)
{
	if (r->tail != r->tail_pub &&
	    (all || r->tail - r->tail_pub >= r->nslots / 4)) {
		r->tail_pub = r->tail;
		/* Release: done with the slots before the sender may reuse them. */
		smp_store_release(&r->ctrl->tail, cpu_to_le32(r->tail));
	}
	if (r->bulk_tail != r->bulk_tail_pub &&
	    (all || r->bulk_tail - r->bulk_tail_pub >= r->bulk_size / 4)) {
		r->bulk_tail_pub = r->bulk_tail;
		/* Release, as for tail. */
		smp_store_release(&r->ctrl->bulk_tail, cpu_to_le32(r->bulk_tail));
	}
}

/* Release everything read so far. */
static void kmp_release_read(struct kmp_ring *r)
{
	r->tail = r->rd;
	r->bulk_tail = r->bulk_rd;
	kmp_publish_release(r, false);
}

/* Skip @n slots that deliver nothing. */
static void kmp_skip(struct kmp_ring *r, u32 n)
{
	r->rd += n;
	kmp_release_read(r);
}

static int kmp_broken(struct kmp_ring *r)
{
	r->broken = true;
	r->stats.bad_index++;
	kvfree(r->msg);
	r->msg = NULL;
	return -EPIPE;
}

static int kmp_deliver(struct kmp_ring *r, const struct kmp_header *h,
		       void *payload, struct kmp_msg *m)
{
	m->type = le16_to_cpu(h->msg_type);
	m->seq = le32_to_cpu(h->sequence);
	m->len = le32_to_cpu(h->payload_len);
	m->timestamp = le64_to_cpu(h->timestamp);
	m->payload = m->len ? payload : NULL;
	r->held = true;
	r->stats.msgs++;
	r->stats.bytes += m->len;
	return 1;
}

static int kmp_crc_error(struct kmp_ring *r)
{
	r->stats.crc_errors++;
	kmp_release_read(r);
	return -EBADMSG;
}

/* A chunk that continues a message, or begins one: copy it, reassemble. */
static int kmp_recv_part(struct kmp_ring *r, const struct kmp_header *h,
			 const u8 *src, u32 off, u32 clen, struct kmp_msg *m)
{
	u32 len = le32_to_cpu(h->payload_len);
	struct kmp_header tmp;

	if (!off) {
		if (r->msg) {		/* the last one never finished */
			kvfree(r->msg);
			r->stats.dropped++;
		}
		r->msg = kvmalloc(len, GFP_KERNEL);
		if (!r->msg)
			return -ENOMEM;
		r->msg_hdr = *h;
		r->msg_have = 0;
		tmp = *h;
		r->msg_crc = kmp_crc_header(&tmp);
	} else if (!r->msg || off != r->msg_have ||
		   memcmp(&r->msg_hdr, h, sizeof(*h))) {
		kvfree(r->msg);
		r->msg = NULL;
		r->stats.dropped++;
		kmp_release_read(r);
		return -EBADMSG;
	}
	memcpy(r->msg + off, src, clen);
	/* Over the private copy, which the peer cannot change any more. */
	r->msg_crc = crc32c(r->msg_crc, r->msg + off, clen);
	r->msg_have += clen;
	kmp_release_read(r);
	if (r->msg_have < len)
		return -EAGAIN;
	r->held_buf = r->msg;
	r->msg = NULL;
	if (~r->msg_crc != le32_to_cpu(h->crc32)) {
		kvfree(r->held_buf);
		r->held_buf = NULL;
		return kmp_crc_error(r);
	}
	return kmp_deliver(r, h, r->held_buf, m);
}

/* A bulk chunk: check its descriptor; a whole message stays in place. */
static int kmp_recv_chunk(struct kmp_ring *r, const struct kmp_header *h,
			  const struct kmp_bulk_desc *d, struct kmp_msg *m)
{
	u32 len = le32_to_cpu(h->payload_len), size = r->bulk_size;
	u32 pos = le32_to_cpu(d->pos), clen = le32_to_cpu(d->len);
	u32 off = le32_to_cpu(d->offset);
	const u8 *src;
	int ret;

	/* Inside the area, not wrapping, ahead of what was read. */
	if (!size || !clen || clen > size / 2 || off > len || clen > len - off ||
	    pos - r->bulk_rd > size || pos + clen - r->bulk_rd > size ||
	    (pos & (size - 1)) + clen > size || d->reserved)
		return kmp_broken(r);
	src = r->bulk + (pos & (size - 1));
	r->rd += KMP_DESC_SLOTS;
	r->bulk_rd = pos + clen;
	if (len > r->max_msg) {
		r->stats.dropped++;
		kmp_release_read(r);
		return -EBADMSG;
	}
	if (clen < len) {
		ret = kmp_recv_part(r, h, src, off, clen, m);
		if (ret == -ENOMEM) {	/* nothing taken: tried again */
			r->rd -= KMP_DESC_SLOTS;
			r->bulk_rd = r->bulk_tail;
		}
		return ret;
	}
	if (r->msg) {
		kvfree(r->msg);
		r->msg = NULL;
		r->stats.dropped++;
	}
	if (kmp_crc(h, src, len) != le32_to_cpu(h->crc32))
		return kmp_crc_error(r);
	return kmp_deliver(r, h, (void *)src, m);
}

/* Has the sender published the record at rd? */
static bool kmp_record_ready(struct kmp_ring *r)
{
	/* Acquire: pairs with the release of seq in kmp_publish(). */
	return le32_to_cpu(smp_load_acquire((__le32 *)kmp_slot(r, r->rd))) == r->rd + 1;
}

/* The record at rd, whose sequence word says it is there. */
static noinline int kmp_ring_take(struct kmp_ring *r, struct kmp_msg *m)
{
	u8 *slot = kmp_slot(r, r->rd);
	struct kmp_record_copy c;
	u32 idx, len, n, type;

	memcpy(&c, slot, sizeof(c));
	idx = r->rd & (r->nslots - 1);
	n = le16_to_cpu(c.rec.slots);
	if (!n || n > r->nslots - idx)
		return kmp_broken(r);
	if (c.rec.flags) {
		/* Padding fills the ring to its end, and is all it does. */
		if (c.rec.flags != cpu_to_le16(KMP_RECORD_PAD) || idx + n != r->nslots)
			return kmp_broken(r);
		kmp_skip(r, n);
		return -EAGAIN;
	}
	if (le32_to_cpu(c.h.magic) != KMP_MAGIC ||
	    le16_to_cpu(c.h.version) != KMP_VERSION) {
		r->stats.bad_magic++;
		kmp_skip(r, n);
		return -EBADMSG;
	}
	len = le32_to_cpu(c.h.payload_len);
	type = le16_to_cpu(c.h.msg_type) & ~KMP_REPLY;
	if (n != kmp_slots_for(len))
		return kmp_broken(r);
	if (type >= KMP_MSG_TYPE_MAX || c.h.reserved) {
		r->stats.dropped++;
		kmp_skip(r, n);
		return -EBADMSG;
	}
	if (len >= KMP_FAST_MAX)
		return kmp_recv_chunk(r, &c.h, &c.d, m);
	r->rd += n;
	if (kmp_crc(&c.h, slot + KMP_BODY_OFF, len) != le32_to_cpu(c.h.crc32))
		return kmp_crc_error(r);
	return kmp_deliver(r, &c.h, slot + KMP_BODY_OFF, m);
}

/**
 * kmp_ring_recv - take the next record off the ring
 * @r: the receiver's view
 * @m: filled with a whole message when 1 is returned
 *
 * The message's payload is a view, in the ring or the bulk area (or, for
 * a message longer than half the bulk area, in the buffer it was
 * reassembled in), valid until kmp_ring_done(); the peer can still write
 * to it. One message is held at a time. An empty ring costs one load, of
 * a line the sender writes only when a record is there: this is the poll.
 *
 * Return: 1 with a message in @m; 0 when the ring is empty; -EAGAIN when
 * a record was taken that completes no message (a bulk chunk, padding);
 * -EBADMSG when a message was dropped (bad magic, version, CRC or
 * framing; counted); -ENOMEM when nothing could be taken for want of
 * memory; -EBUSY while a message is held; -EPIPE once the peer wrote what
 * no sound sender writes. Call again on -EAGAIN and -EBADMSG.
 */
int kmp_ring_recv(struct kmp_ring *r, struct kmp_msg *m)
{
	if (unlikely(r->broken))
		return -EPIPE;
	if (unlikely(r->held))
		return -EBUSY;
	if (kmp_record_ready(r))
		return kmp_ring_take(r, m);
	if (r->tail != r->tail_pub || r->bulk_tail != r->bulk_tail_pub)
		kmp_publish_release(r, true);
	return 0;
}

/**
 * kmp_ring_done - release the message kmp_ring_recv() delivered
 * @r: the receiver's view
 *
 * Its payload is gone after this. Its slots and bulk bytes go back to the
 * sender, in batches; kmp_ring_flush() and an empty ring publish them all.
 */
void kmp_ring_done(struct kmp_ring *r)
{
	if (!r->held)
		return;
	r->held = false;
	kvfree(r->held_buf);
	r->held_buf = NULL;
	kmp_release_read(r);
}

/* Publish every release now: the sender may be waiting for room. */
void kmp_ring_flush(struct kmp_ring *r)
{
	kmp_publish_release(r, true);
}

/* Is there nothing more to take? */
bool kmp_ring_empty(struct kmp_ring *r)
{
	return !kmp_record_ready(r);
}
