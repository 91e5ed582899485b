// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for KMP: the ring (framing, CRC, wrap-around, a full ring,
 * back-pressure, chunked bulk transfer, payloads in place and releases in
 * batches, and what a hostile peer can write into shared memory), and
 * loopback channels (calls, timeouts, a sender that waits for room).
 */

#include <kunit/test.h>
#include <linux/slab.h>
#include <linux/unaligned.h>
#include <linux/vmalloc.h>

#include "kmp.h"

#define T_SLOTS		16
#define T_BULK		4096

/* One direction, with a sender's view and a receiver's view of it. */
struct kmp_t {
	void *shm;
	struct kmp_ring tx, rx;
	struct kmp_header h;	/* of the message being sent */
};

/* Where a record's header and body are in its first slot. */
#define T_HDR	sizeof(struct kmp_record)
#define T_BODY	(T_HDR + sizeof(struct kmp_header))

static struct kmp_t *kmp_t_new(struct kunit *test, u32 nslots, u32 bulk)
{
	struct kmp_t *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	size_t size = kmp_ring_bytes(nslots, bulk);

	KUNIT_ASSERT_NOT_NULL(test, t);
	t->shm = kunit_kzalloc(test, size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t->shm);
	KUNIT_ASSERT_EQ(test, kmp_ring_init(&t->tx, t->shm, size, nslots, bulk, true), 0);
	KUNIT_ASSERT_EQ(test, kmp_ring_init(&t->rx, t->shm, size, nslots, bulk, false), 0);
	return t;
}

/* Start an empty ring at slot index @pos, as if @pos slots had gone by. */
static void kmp_t_at(struct kmp_t *t, u32 pos)
{
	t->tx.head = pos;
	t->tx.tail_seen = pos;
	t->rx.rd = pos;
	t->rx.tail = pos;
	t->rx.tail_pub = pos;
	t->tx.ctrl->tail = cpu_to_le32(pos);
}

static void kmp_t_fill(u8 *buf, u32 len, u32 salt)
{
	u32 i;

	for (i = 0; i < len; i++)
		buf[i] = (u8)(i * 13 + salt);
}

/* Send @len bytes as @seq: the whole message, or its next chunk. */
static int kmp_t_send(struct kmp_t *t, u32 seq, const void *p, u32 len, u32 *done)
{
	u32 none = 0;

	if (!done)
		done = &none;
	if (!*done)
		kmp_header_fill(&t->h, KMP_MSG_ECHO, seq, len, 1234);
	return kmp_ring_send(&t->tx, &t->h, p, done);
}

/* Receive until a message, an error or an empty ring. */
static int kmp_t_recv(struct kmp_t *t, struct kmp_msg *m)
{
	int ret;

	do {
		ret = kmp_ring_recv(&t->rx, m);
	} while (ret == -EAGAIN);
	return ret;
}

static void kmp_expect_msg(struct kunit *test, struct kmp_t *t, u32 seq,
			   u32 len, u32 salt)
{
	struct kmp_msg m;
	u8 *want;

	KUNIT_ASSERT_EQ(test, kmp_t_recv(t, &m), 1);
	KUNIT_EXPECT_EQ(test, m.seq, seq);
	KUNIT_EXPECT_EQ(test, m.type, KMP_MSG_ECHO);
	KUNIT_EXPECT_EQ(test, m.timestamp, 1234);
	KUNIT_ASSERT_EQ(test, m.len, len);
	if (len) {
		want = kvmalloc(len, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, want);
		kmp_t_fill(want, len, salt);
		KUNIT_EXPECT_EQ(test, memcmp(m.payload, want, len), 0);
		kvfree(want);
	}
	kmp_ring_done(&t->rx);
}

/* The header of the record in slot @i. */
static struct kmp_header *kmp_t_hdr(struct kmp_t *t, u32 i)
{
	return (void *)(t->tx.slots + i * KMP_SLOT_SIZE + T_HDR);
}

/* The wire format is the documented one, byte for byte. */
static void kmp_framing(struct kunit *test)
{
	struct kmp_t *t = kmp_t_new(test, T_SLOTS, 0);
	static const u8 payload[] = "kmp";
	struct kmp_header h;
	u8 *b = t->tx.slots;

	KUNIT_EXPECT_EQ(test, sizeof(struct kmp_header), 32);
	KUNIT_EXPECT_EQ(test, sizeof(struct kmp_record), 8);
	KUNIT_EXPECT_EQ(test, sizeof(struct kmp_ring_ctrl), 128);
	kmp_header_fill(&h, KMP_MSG_HEARTBEAT_REQ, 0x01020304, 3, 0x1122334455667788ULL);
	h.crc32 = cpu_to_le32(0xdeadbeef);	/* the ring computes it */
	KUNIT_ASSERT_EQ(test, kmp_ring_send(&t->tx, &h, payload, &(u32){ 0 }), 0);
	/* The tag: seq 1 (slot 0, plus one), one slot, no flags. */
	KUNIT_EXPECT_EQ(test, b[0], 1);
	KUNIT_EXPECT_EQ(test, b[4], 1);
	KUNIT_EXPECT_EQ(test, b[6], 0);
	/* "KMP\0" as a little-endian u32, then version 2, type 0x10. */
	b += T_HDR;
	KUNIT_EXPECT_EQ(test, b[0], 0x00);
	KUNIT_EXPECT_EQ(test, b[3], 0x4b);
	KUNIT_EXPECT_EQ(test, b[4], 2);
	KUNIT_EXPECT_EQ(test, b[6], 0x10);
	KUNIT_EXPECT_EQ(test, b[8], 0x04);
	KUNIT_EXPECT_EQ(test, b[12], 3);
	KUNIT_EXPECT_EQ(test, b[16], 0x88);
	KUNIT_EXPECT_EQ(test, b[23], 0x11);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(b + 24),
			kmp_crc((void *)b, payload, 3));
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(b + 28), 0);
	KUNIT_EXPECT_EQ(test, memcmp(b + 32, "kmp", 3), 0);
}

/* CRC-32C of the standard check string is 0xe3069283. */
static void kmp_crc_known(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, ~crc32c(~0U, "123456789", 9), 0xe3069283);
}

/* The CRC the ring computes as it copies is the header's and payload's. */
static void kmp_crc_covers_all(struct kunit *test)
{
	struct kmp_t *t = kmp_t_new(test, T_SLOTS, 8192);
	u8 *payload = kunit_kmalloc(test, 3000, GFP_KERNEL);
	struct kmp_header h, g;
	u32 len, done, at;

	KUNIT_ASSERT_NOT_NULL(test, payload);
	kmp_t_fill(payload, 3000, 1);
	/* Inline, in one bulk chunk, and in two. */
	for (len = 40; len <= 3000; len += 2960) {
		done = 0;
		at = t->tx.head % T_SLOTS;
		KUNIT_ASSERT_EQ(test, kmp_t_send(t, 7, payload, len, &done), 0);
		memcpy(&h, kmp_t_hdr(t, at), sizeof(h));
		KUNIT_EXPECT_EQ(test, kmp_crc(&h, payload, len), le32_to_cpu(h.crc32));
		payload[len - 1] ^= 1;
		KUNIT_EXPECT_NE(test, kmp_crc(&h, payload, len), le32_to_cpu(h.crc32));
		payload[len - 1] ^= 1;
		g = h;
		g.timestamp = cpu_to_le64(10);
		KUNIT_EXPECT_NE(test, kmp_crc(&g, payload, len), le32_to_cpu(h.crc32));
		kmp_expect_msg(test, t, 7, len, 1);
	}
	/* A message of two chunks has its CRC, over all of it, in both. */
	t = kmp_t_new(test, T_SLOTS, 4096);
	done = 0;
	KUNIT_ASSERT_EQ(test, kmp_t_send(t, 8, payload, 3000, &done), 0);
	KUNIT_ASSERT_EQ(test, done, 2048);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(t->h.crc32), kmp_crc(&t->h, payload, 3000));
}

/* Many more messages than slots, of every inline size: indices wrap. */
static void kmp_wrap_around(struct kunit *test)
{
	struct kmp_t *t = kmp_t_new(test, T_SLOTS, 0);
	u8 buf[KMP_FAST_MAX];
	u32 i;

	for (i = 0; i < 1000; i++) {
		kmp_t_fill(buf, i % KMP_FAST_MAX, i);
		KUNIT_ASSERT_EQ(test, kmp_t_send(t, i, buf, i % KMP_FAST_MAX, NULL), 0);
		kmp_expect_msg(test, t, i, i % KMP_FAST_MAX, i);
	}
	KUNIT_EXPECT_EQ(test, t->rx.stats.msgs, 1000);
	KUNIT_EXPECT_TRUE(test, kmp_ring_empty(&t->rx));
	/* And indices that wrap around 2^32 work the same. */
	t = kmp_t_new(test, T_SLOTS, 0);
	kmp_t_at(t, U32_MAX - 5);
	for (i = 0; i < 20; i++) {
		kmp_t_fill(buf, 100, i);
		KUNIT_ASSERT_EQ(test, kmp_t_send(t, i, buf, 100, NULL), 0);
		kmp_expect_msg(test, t, i, 100, i);
	}
}

/* A full ring refuses, changes nothing, and takes again once drained. */
static void kmp_full_ring(struct kunit *test)
{
	struct kmp_t *t = kmp_t_new(test, T_SLOTS, 0);
	u8 buf[KMP_FAST_MAX - 1], before[T_SLOTS * KMP_SLOT_SIZE];
	u32 i, sent = 0;

	kmp_t_fill(buf, sizeof(buf), 0);
	/* 255 bytes inline take 5 slots: three fit in 16, a fourth would wrap. */
	while (!kmp_t_send(t, sent, buf, sizeof(buf), NULL))
		sent++;
	KUNIT_EXPECT_EQ(test, sent, 3);
	memcpy(before, t->tx.slots, sizeof(before));
	KUNIT_EXPECT_EQ(test, kmp_t_send(t, sent, buf, sizeof(buf), NULL), -EAGAIN);
	KUNIT_EXPECT_EQ(test, memcmp(before, t->tx.slots, sizeof(before)), 0);
	KUNIT_EXPECT_EQ(test, t->tx.stats.full, 2);
	/* A one-slot message still fits before the end; then nothing does. */
	KUNIT_EXPECT_EQ(test, kmp_t_send(t, sent, buf, 0, NULL), 0);
	KUNIT_EXPECT_EQ(test, kmp_t_send(t, sent + 1, buf, 0, NULL), -EAGAIN);
	kmp_expect_msg(test, t, 0, sizeof(buf), 0);
	KUNIT_EXPECT_EQ(test, kmp_t_send(t, 9, buf, sizeof(buf), NULL), 0);
	for (i = 1; i < 3; i++)
		kmp_expect_msg(test, t, i, sizeof(buf), 0);
	kmp_expect_msg(test, t, 3, 0, 0);
	kmp_expect_msg(test, t, 9, sizeof(buf), 0);
}

/* A message four times the bulk area goes through as room is freed. */
static void kmp_chunked_bulk(struct kunit *test)
{
	struct kmp_t *t = kmp_t_new(test, T_SLOTS, T_BULK);
	u32 len = 4 * T_BULK + 123, done = 0, stalls = 0;
	struct kmp_msg m;
	u8 *buf = kunit_kmalloc(test, len, GFP_KERNEL);
	int ret;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	kmp_t_fill(buf, len, 5);
	while (done < len) {
		ret = kmp_t_send(t, 42, buf, len, &done);
		if (ret == -EAGAIN) {
			/* Back-pressure: only the receiver makes room. */
			stalls++;
			KUNIT_ASSERT_EQ(test, kmp_ring_recv(&t->rx, &m), -EAGAIN);
			continue;
		}
		KUNIT_ASSERT_EQ(test, ret, 0);
	}
	KUNIT_EXPECT_GT(test, stalls, 0);
	KUNIT_EXPECT_GE(test, t->tx.stats.chunks, 9);
	kmp_expect_msg(test, t, 42, len, 5);
	KUNIT_EXPECT_EQ(test, kmp_ring_recv(&t->rx, &m), 0);
	/* Sizes around the fast/bulk border, and chunks at the area's end. */
	for (len = KMP_FAST_MAX - 2; len < KMP_FAST_MAX + 2; len++) {
		done = 0;
		KUNIT_ASSERT_EQ(test, kmp_t_send(t, len, buf, len, &done), 0);
		kmp_expect_msg(test, t, len, len, 5);
	}
	for (len = 1000; len < 3 * T_BULK; len += 777) {
		for (done = 0; done < len;) {
			ret = kmp_t_send(t, len, buf, len, &done);
			if (ret == -EAGAIN)
				KUNIT_ASSERT_EQ(test, kmp_ring_recv(&t->rx, &m), -EAGAIN);
			else
				KUNIT_ASSERT_EQ(test, ret, 0);
		}
		kmp_expect_msg(test, t, len, len, 5);
	}
}

/* A receiver with a broken or dropped message must say so, not guess. */
static void kmp_expect_drop(struct kunit *test, struct kmp_t *t, int want)
{
	struct kmp_msg m = {};

	KUNIT_EXPECT_EQ(test, kmp_t_recv(t, &m), want);
	KUNIT_EXPECT_NULL(test, m.payload);
}

static void kmp_bad_magic_crc(struct kunit *test)
{
	struct kmp_t *t = kmp_t_new(test, T_SLOTS, 0);
	struct kmp_header *h;
	u8 buf[100];

	kmp_t_fill(buf, sizeof(buf), 3);
	/* A flipped payload byte: dropped for its CRC; the next one is fine. */
	KUNIT_ASSERT_EQ(test, kmp_t_send(t, 1, buf, sizeof(buf), NULL), 0);
	t->tx.slots[T_BODY + 70] ^= 0x40;
	KUNIT_ASSERT_EQ(test, kmp_t_send(t, 2, buf, sizeof(buf), NULL), 0);
	kmp_expect_drop(test, t, -EBADMSG);
	KUNIT_EXPECT_EQ(test, t->rx.stats.crc_errors, 1);
	kmp_expect_msg(test, t, 2, sizeof(buf), 3);

	/* Bad magic, bad version: counted, skipped a slot at a time. */
	t = kmp_t_new(test, T_SLOTS, 0);
	KUNIT_ASSERT_EQ(test, kmp_t_send(t, 1, buf, 0, NULL), 0);
	kmp_t_hdr(t, 0)->magic = cpu_to_le32(0xdeadbeef);
	kmp_expect_drop(test, t, -EBADMSG);
	KUNIT_ASSERT_EQ(test, kmp_t_send(t, 2, buf, 0, NULL), 0);
	kmp_t_hdr(t, 1)->version = cpu_to_le16(KMP_VERSION - 1);
	kmp_expect_drop(test, t, -EBADMSG);
	KUNIT_EXPECT_EQ(test, t->rx.stats.bad_magic, 2);
	/* A type out of range or a reserved field set: dropped. */
	KUNIT_ASSERT_EQ(test, kmp_t_send(t, 3, buf, 0, NULL), 0);
	kmp_t_hdr(t, 2)->msg_type = cpu_to_le16(KMP_MSG_TYPE_MAX);
	kmp_expect_drop(test, t, -EBADMSG);
	KUNIT_ASSERT_EQ(test, kmp_t_send(t, 4, buf, 0, NULL), 0);
	h = kmp_t_hdr(t, 3);
	h->reserved = cpu_to_le32(1);
	kmp_expect_drop(test, t, -EBADMSG);
	KUNIT_EXPECT_EQ(test, t->rx.stats.dropped, 2);
	KUNIT_EXPECT_FALSE(test, t->rx.broken);
}

/* Records no sound sender writes break the ring for good. */
static void kmp_bad_records(struct kunit *test)
{
	struct kmp_t *t = kmp_t_new(test, T_SLOTS, 0);
	struct kmp_record *rec = (void *)t->tx.slots;
	struct kmp_msg m;
	u8 buf[200];

	/* A record past the ring's end, or of no slots at all. */
	KUNIT_ASSERT_EQ(test, kmp_t_send(t, 1, buf, 0, NULL), 0);
	rec->slots = cpu_to_le16(T_SLOTS + 1);
	kmp_expect_drop(test, t, -EPIPE);
	kmp_expect_drop(test, t, -EPIPE);
	KUNIT_EXPECT_EQ(test, t->rx.stats.bad_index, 1);
	t = kmp_t_new(test, T_SLOTS, 0);
	rec = (void *)t->tx.slots;
	KUNIT_ASSERT_EQ(test, kmp_t_send(t, 1, buf, 0, NULL), 0);
	rec->slots = 0;
	kmp_expect_drop(test, t, -EPIPE);

	/* A record that claims more slots than its length takes. */
	t = kmp_t_new(test, T_SLOTS, 0);
	KUNIT_ASSERT_EQ(test, kmp_t_send(t, 1, buf, 0, NULL), 0);
	kmp_t_hdr(t, 0)->payload_len = cpu_to_le32(sizeof(buf));
	kmp_expect_drop(test, t, -EPIPE);

	/* Padding short of the ring's end, and flags nobody defined. */
	t = kmp_t_new(test, T_SLOTS, 0);
	rec = (void *)t->tx.slots;
	KUNIT_ASSERT_EQ(test, kmp_t_send(t, 1, buf, 0, NULL), 0);
	rec->flags = cpu_to_le16(KMP_RECORD_PAD);
	kmp_expect_drop(test, t, -EPIPE);
	t = kmp_t_new(test, T_SLOTS, 0);
	rec = (void *)t->tx.slots;
	KUNIT_ASSERT_EQ(test, kmp_t_send(t, 1, buf, 0, NULL), 0);
	rec->flags = cpu_to_le16(4);
	kmp_expect_drop(test, t, -EPIPE);

	/* A sequence word of another lap is no record: the ring is empty. */
	t = kmp_t_new(test, T_SLOTS, 0);
	rec = (void *)t->tx.slots;
	KUNIT_ASSERT_EQ(test, kmp_t_send(t, 1, buf, 0, NULL), 0);
	rec->seq = cpu_to_le32(1 - T_SLOTS);
	KUNIT_EXPECT_EQ(test, kmp_ring_recv(&t->rx, &m), 0);
	KUNIT_EXPECT_FALSE(test, t->rx.broken);

	/* The sender does not trust the receiver's tail either. */
	t = kmp_t_new(test, T_SLOTS, 0);
	while (!kmp_t_send(t, 1, buf, 10, NULL))
		;
	t->rx.ctrl->tail = cpu_to_le32(-100);
	KUNIT_EXPECT_EQ(test, kmp_t_send(t, 1, buf, 10, NULL), -EAGAIN);
	t->rx.ctrl->tail = cpu_to_le32(t->tx.head + 1);
	KUNIT_EXPECT_EQ(test, kmp_t_send(t, 1, buf, 10, NULL), -EAGAIN);
}

/* Bulk descriptors that point anywhere but the sender's free bulk area. */
static void kmp_bad_descriptors(struct kunit *test)
{
	static const struct { u32 pos, len, offset; } bad[] = {
		{ 0, 0, 0 },			/* empty chunk */
		{ 0, T_BULK / 2 + 1, 0 },	/* larger than a chunk may be */
		{ T_BULK - 10, 300, 0 },	/* wraps the area's end */
		{ T_BULK + 8, 300, 0 },		/* more than the area ahead */
		{ 0, 300, 1 },			/* past the message's end */
		{ -300, 300, 0 },		/* behind what was read */
	};
	struct kmp_bulk_desc *d;
	struct kmp_t *t;
	u8 buf[300];
	u32 i, done;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		t = kmp_t_new(test, T_SLOTS, T_BULK);
		done = 0;
		KUNIT_ASSERT_EQ(test, kmp_t_send(t, 1, buf, sizeof(buf), &done), 0);
		d = (void *)(t->tx.slots + T_BODY);
		d->pos = cpu_to_le32(bad[i].pos);
		d->len = cpu_to_le32(bad[i].len);
		d->offset = cpu_to_le32(bad[i].offset);
		kunit_info(test, "descriptor %u", i);
		kmp_expect_drop(test, t, -EPIPE);
	}
}

/*
 * Payloads are delivered where they are, one message held at a time, and
 * their room goes back to the sender in batches, or all of it once the
 * ring is empty.
 */
static void kmp_views_and_batches(struct kunit *test)
{
	struct kmp_t *t = kmp_t_new(test, T_SLOTS, T_BULK);
	u8 buf[1000];
	struct kmp_msg m;
	u32 done = 0;

	kmp_t_fill(buf, sizeof(buf), 2);
	KUNIT_ASSERT_EQ(test, kmp_t_send(t, 1, buf, 10, NULL), 0);
	KUNIT_ASSERT_EQ(test, kmp_t_send(t, 2, buf, sizeof(buf), &done), 0);
	KUNIT_ASSERT_EQ(test, kmp_t_send(t, 3, buf, 10, NULL), 0);
	KUNIT_ASSERT_EQ(test, kmp_ring_recv(&t->rx, &m), 1);
	KUNIT_EXPECT_PTR_EQ(test, m.payload, (void *)(t->rx.slots + T_BODY));
	/* Held: nothing more until it is released. */
	KUNIT_EXPECT_EQ(test, kmp_ring_recv(&t->rx, &m), -EBUSY);
	kmp_ring_done(&t->rx);
	/* One slot of sixteen released: too few to publish yet. */
	KUNIT_EXPECT_EQ(test, le32_to_cpu(t->rx.ctrl->tail), 0);
	KUNIT_ASSERT_EQ(test, kmp_ring_recv(&t->rx, &m), 1);
	KUNIT_EXPECT_EQ(test, m.seq, 2);
	KUNIT_EXPECT_PTR_EQ(test, m.payload, (void *)t->rx.bulk);
	KUNIT_EXPECT_EQ(test, memcmp(m.payload, buf, sizeof(buf)), 0);
	kmp_ring_done(&t->rx);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(t->rx.ctrl->bulk_tail), 0);
	kmp_expect_msg(test, t, 3, 10, 2);
	/* Empty: everything released is published. */
	KUNIT_EXPECT_EQ(test, kmp_ring_recv(&t->rx, &m), 0);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(t->rx.ctrl->tail), 3);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(t->rx.ctrl->bulk_tail), sizeof(buf));
	/* A record that would wrap pads the ring to its end instead. */
	t = kmp_t_new(test, T_SLOTS, 0);
	kmp_t_at(t, T_SLOTS - 1);
	KUNIT_ASSERT_EQ(test, kmp_t_send(t, 5, buf, 100, NULL), 0);
	KUNIT_EXPECT_EQ(test, t->tx.head, T_SLOTS + 3);
	KUNIT_EXPECT_EQ(test, kmp_ring_recv(&t->rx, &m), -EAGAIN);
	kmp_expect_msg(test, t, 5, 100, 2);
}

/* Chunks out of order, or of another message: the message is dropped. */
static void kmp_bad_reassembly(struct kunit *test)
{
	struct kmp_t *t = kmp_t_new(test, T_SLOTS, T_BULK);
	struct kmp_msg m;
	u32 len = 3 * T_BULK, done = 0;
	u8 *buf = kunit_kzalloc(test, len, GFP_KERNEL);
	struct kmp_header h;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	/* The first chunk of one message, then the first of another. */
	KUNIT_ASSERT_EQ(test, kmp_t_send(t, 1, buf, len, &done), 0);
	KUNIT_ASSERT_EQ(test, kmp_ring_recv(&t->rx, &m), -EAGAIN);
	done = 0;
	KUNIT_ASSERT_EQ(test, kmp_t_send(t, 2, buf, len, &done), 0);
	KUNIT_ASSERT_EQ(test, kmp_ring_recv(&t->rx, &m), -EAGAIN);
	KUNIT_EXPECT_EQ(test, t->rx.stats.dropped, 1);
	/* A second chunk whose header differs from the first's. */
	kmp_header_fill(&h, KMP_MSG_ECHO, 3, len, 1234);
	KUNIT_ASSERT_EQ(test, kmp_ring_send(&t->tx, &h, buf, &done), 0);
	KUNIT_EXPECT_EQ(test, kmp_ring_recv(&t->rx, &m), -EBADMSG);
	KUNIT_EXPECT_EQ(test, t->rx.stats.dropped, 2);
	/* A continuation with nothing begun: dropped too. */
	KUNIT_ASSERT_EQ(test, kmp_ring_send(&t->tx, &h, buf, &done), 0);
	KUNIT_EXPECT_EQ(test, kmp_ring_recv(&t->rx, &m), -EBADMSG);
	KUNIT_EXPECT_EQ(test, t->rx.stats.dropped, 3);
	/*
	 * Longer than the receiver reassembles: each chunk is dropped, and
	 * nothing is allocated for it.
	 */
	t->rx.max_msg = T_BULK / 2;
	done = 0;
	KUNIT_ASSERT_EQ(test, kmp_t_send(t, 4, buf, T_BULK, &done), 0);
	KUNIT_ASSERT_EQ(test, kmp_t_send(t, 4, buf, T_BULK, &done), 0);
	KUNIT_ASSERT_EQ(test, done, T_BULK);
	KUNIT_EXPECT_EQ(test, kmp_ring_recv(&t->rx, &m), -EBADMSG);
	KUNIT_EXPECT_NULL(test, t->rx.msg);
	KUNIT_EXPECT_EQ(test, kmp_ring_recv(&t->rx, &m), -EBADMSG);
	KUNIT_EXPECT_EQ(test, kmp_ring_recv(&t->rx, &m), 0);	/* empty */
	KUNIT_EXPECT_EQ(test, t->rx.stats.dropped, 5);
	KUNIT_EXPECT_NULL(test, t->rx.msg);
	t->rx.max_msg = KMP_MAX_MSG;
	/* And the ring still works. */
	KUNIT_ASSERT_EQ(test, kmp_t_send(t, 9, buf, 10, NULL), 0);
	KUNIT_ASSERT_EQ(test, kmp_t_recv(t, &m), 1);
	KUNIT_EXPECT_EQ(test, m.seq, 9);
	kmp_ring_done(&t->rx);
	/* Bytes changed in the bulk area after sending: the CRC finds them. */
	done = 0;
	KUNIT_ASSERT_EQ(test, kmp_t_send(t, 10, buf, 1000, &done), 0);
	t->tx.bulk[(t->tx.bulk_head - 1) % T_BULK] ^= 1;
	KUNIT_EXPECT_EQ(test, kmp_ring_recv(&t->rx, &m), -EBADMSG);
	KUNIT_EXPECT_EQ(test, t->rx.stats.crc_errors, 1);
	/* In a message of two chunks, once it is whole. */
	done = 0;
	KUNIT_ASSERT_EQ(test, kmp_t_send(t, 11, buf, 3000, &done), 0);
	t->tx.bulk[(t->tx.bulk_head - 1) % T_BULK] ^= 1;
	KUNIT_EXPECT_EQ(test, kmp_ring_recv(&t->rx, &m), -EAGAIN);
	KUNIT_ASSERT_EQ(test, kmp_t_send(t, 11, buf, 3000, &done), 0);
	KUNIT_EXPECT_EQ(test, kmp_ring_recv(&t->rx, &m), -EBADMSG);
	KUNIT_EXPECT_EQ(test, t->rx.stats.crc_errors, 2);
	kmp_ring_release(&t->rx);
}

/* Loopback channels on this CPU: calls, replies, timeouts. */
static void kmp_channel_call(struct kunit *test)
{
	int cpu = raw_smp_processor_id();
	struct kmp_channel *ch = kmp_loopback_create("kunit", cpu, cpu, 64, 8192);
	u8 *big = kunit_kmalloc(test, 20000, GFP_KERNEL);
	u8 *back = kunit_kzalloc(test, 20000, GFP_KERNEL);
	struct kmp_msg reply;
	__le32 version;

	KUNIT_ASSERT_FALSE(test, IS_ERR(ch));
	KUNIT_ASSERT_NOT_NULL(test, big);
	KUNIT_ASSERT_NOT_NULL(test, back);
	reply.payload = &version;
	reply.len = sizeof(version);
	KUNIT_ASSERT_EQ(test, kmp_call(&ch->ep[0], KMP_MSG_HELLO, NULL, 0, &reply, HZ), 0);
	KUNIT_EXPECT_EQ(test, reply.type, KMP_MSG_HELLO | KMP_REPLY);
	KUNIT_ASSERT_EQ(test, reply.len, 4);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(version), KMP_VERSION);
	/* An echo larger than both bulk areas, there and back. */
	kmp_t_fill(big, 20000, 77);
	reply.payload = back;
	reply.len = 20000;
	KUNIT_ASSERT_EQ(test, kmp_call(&ch->ep[1], KMP_MSG_ECHO, big, 20000, &reply,
				       5 * HZ), 0);
	KUNIT_ASSERT_EQ(test, reply.len, 20000);
	KUNIT_EXPECT_EQ(test, memcmp(back, big, 20000), 0);
	/* A reply larger than the caller's buffer is refused, not cut. */
	reply.payload = back;
	reply.len = 100;
	KUNIT_EXPECT_EQ(test, kmp_call(&ch->ep[1], KMP_MSG_ECHO, big, 200, &reply, HZ),
			-EMSGSIZE);
	KUNIT_EXPECT_EQ(test, reply.len, 200);
	/* Nobody answers a type without a handler: the call times out. */
	KUNIT_EXPECT_EQ(test, kmp_call(&ch->ep[0], KMP_MSG_MORPH_PREPARE, NULL, 0,
				       &reply, HZ / 10), -ETIMEDOUT);
	kmp_channel_destroy(ch);
}

static void kmp_no_drain(struct kmp_endpoint *ep, struct kmp_msg *m, void *priv)
{
}

/* A peer that never drains: the sender waits, then reports it wedged. */
static void kmp_channel_wedged(struct kunit *test)
{
	int cpu = raw_smp_processor_id();
	struct kmp_channel *ch = kmp_loopback_create("kunit", cpu, cpu, 8, 0);
	u8 buf[100] = {};
	int i, ret = 0;

	KUNIT_ASSERT_FALSE(test, IS_ERR(ch));
	kmp_register_handler(&ch->ep[1], KMP_MSG_ECHO, kmp_no_drain, NULL);
	/* Stop endpoint 1 from draining: its doorbell goes nowhere. */
	kmp_doorbell_del(&ch->ep[1]);
	cancel_work_sync(&ch->ep[1].rx_work);
	WRITE_ONCE(ch->ep[1].rx.ctrl->polling, cpu_to_le32(1));
	for (i = 0; i < 10 && !ret; i++)
		ret = kmp_send(&ch->ep[0], KMP_MSG_ECHO, buf, sizeof(buf), HZ / 10);
	KUNIT_EXPECT_EQ(test, ret, -ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, ch->ep[0].stats.wedged, 1);
	/* Nothing was lost: what went in is all there. */
	KUNIT_EXPECT_EQ(test, ch->ep[0].tx.stats.msgs, i - 1);
	kmp_doorbell_add(&ch->ep[1]);
	kmp_channel_destroy(ch);
}

static struct kunit_case kmp_test_cases[] = {
	KUNIT_CASE(kmp_framing),
	KUNIT_CASE(kmp_crc_known),
	KUNIT_CASE(kmp_crc_covers_all),
	KUNIT_CASE(kmp_wrap_around),
	KUNIT_CASE(kmp_full_ring),
	KUNIT_CASE(kmp_chunked_bulk),
	KUNIT_CASE(kmp_bad_magic_crc),
	KUNIT_CASE(kmp_bad_records),
	KUNIT_CASE(kmp_bad_descriptors),
	KUNIT_CASE(kmp_views_and_batches),
	KUNIT_CASE(kmp_bad_reassembly),
	KUNIT_CASE(kmp_channel_call),
	KUNIT_CASE(kmp_channel_wedged),
	{}
};

static struct kunit_suite kmp_test_suite = {
	.name = "multikernel-kmp",
	.test_cases = kmp_test_cases,
};

kunit_test_suite(kmp_test_suite);
