// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for KMP: the ring (framing, CRC, wrap-around, a full ring,
 * back-pressure, chunked bulk transfer, and what a hostile peer can write
 * into shared memory), and loopback channels (calls, timeouts, a sender
 * that waits for room).
 */

#include <kunit/test.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "kmp.h"

#define T_SLOTS		16
#define T_BULK		4096

/* One direction, with a sender's view and a receiver's view of it. */
struct kmp_t {
	void *shm;
	struct kmp_ring tx, rx;
};

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

static void kmp_t_fill(u8 *buf, u32 len, u32 salt)
{
	u32 i;

	for (i = 0; i < len; i++)
		buf[i] = (u8)(i * 13 + salt);
}

/* Send @len bytes as @seq, fast or in as many chunks as it takes. */
static int kmp_t_send(struct kmp_t *t, u32 seq, const void *p, u32 len, u32 *done)
{
	struct kmp_header h;

	kmp_header_fill(&h, KMP_MSG_ECHO, seq, len, 1234, p);
	if (len < KMP_FAST_MAX)
		return kmp_ring_send_fast(&t->tx, &h, p);
	return kmp_ring_send_chunk(&t->tx, &h, p, done);
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
	kvfree(m.payload);
}

/* The wire format is the documented one, byte for byte. */
static void kmp_framing(struct kunit *test)
{
	static const u8 payload[] = "kmp";
	struct kmp_header h;
	u8 *b = (u8 *)&h;

	KUNIT_EXPECT_EQ(test, sizeof(struct kmp_header), 32);
	KUNIT_EXPECT_EQ(test, sizeof(struct kmp_ring_ctrl), 128);
	kmp_header_fill(&h, KMP_MSG_HEARTBEAT_REQ, 0x01020304, 3, 0x1122334455667788ULL,
			payload);
	/* "KMP\0" as a little-endian u32, then version 1, type 0x10. */
	KUNIT_EXPECT_EQ(test, b[0], 0x00);
	KUNIT_EXPECT_EQ(test, b[3], 0x4b);
	KUNIT_EXPECT_EQ(test, b[4], 1);
	KUNIT_EXPECT_EQ(test, b[6], 0x10);
	KUNIT_EXPECT_EQ(test, b[8], 0x04);
	KUNIT_EXPECT_EQ(test, b[12], 3);
	KUNIT_EXPECT_EQ(test, b[16], 0x88);
	KUNIT_EXPECT_EQ(test, b[23], 0x11);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(h.reserved), 0);
}

/* CRC-32C of the standard check string is 0xe3069283. */
static void kmp_crc_known(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, ~crc32c(~0U, "123456789", 9), 0xe3069283);
}

static void kmp_crc_covers_all(struct kunit *test)
{
	u8 payload[40];
	struct kmp_header h, g;

	kmp_t_fill(payload, sizeof(payload), 1);
	kmp_header_fill(&h, KMP_MSG_ECHO, 7, sizeof(payload), 9, payload);
	KUNIT_EXPECT_EQ(test, kmp_crc(&h, payload, sizeof(payload)), le32_to_cpu(h.crc32));
	payload[39] ^= 1;
	KUNIT_EXPECT_NE(test, kmp_crc(&h, payload, sizeof(payload)), le32_to_cpu(h.crc32));
	payload[39] ^= 1;
	g = h;
	g.timestamp = cpu_to_le64(10);
	KUNIT_EXPECT_NE(test, kmp_crc(&g, payload, sizeof(payload)), le32_to_cpu(h.crc32));
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
	t->tx.head = U32_MAX - 5;
	t->tx.tail_seen = U32_MAX - 5;
	t->rx.tail = U32_MAX - 5;
	t->tx.ctrl->head = cpu_to_le32(U32_MAX - 5);
	t->tx.ctrl->tail = cpu_to_le32(U32_MAX - 5);
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
	/* 255 bytes inline take 5 slots: three fit in 16. */
	while (!kmp_t_send(t, sent, buf, sizeof(buf), NULL))
		sent++;
	KUNIT_EXPECT_EQ(test, sent, 3);
	memcpy(before, t->tx.slots, sizeof(before));
	KUNIT_EXPECT_EQ(test, kmp_t_send(t, sent, buf, sizeof(buf), NULL), -EAGAIN);
	KUNIT_EXPECT_EQ(test, memcmp(before, t->tx.slots, sizeof(before)), 0);
	KUNIT_EXPECT_EQ(test, t->tx.stats.full, 2);
	/* A one-slot message still fits; then nothing does. */
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
	struct kmp_header *h = (void *)t->tx.slots;
	u8 buf[100];

	kmp_t_fill(buf, sizeof(buf), 3);
	/* A flipped payload byte: dropped for its CRC; the next one is fine. */
	KUNIT_ASSERT_EQ(test, kmp_t_send(t, 1, buf, sizeof(buf), NULL), 0);
	t->tx.slots[KMP_SLOT_SIZE / 2 + 10] ^= 0x40;
	KUNIT_ASSERT_EQ(test, kmp_t_send(t, 2, buf, sizeof(buf), NULL), 0);
	kmp_expect_drop(test, t, -EBADMSG);
	KUNIT_EXPECT_EQ(test, t->rx.stats.crc_errors, 1);
	kmp_expect_msg(test, t, 2, sizeof(buf), 3);

	/* Bad magic, bad version: counted, skipped a slot at a time. */
	t = kmp_t_new(test, T_SLOTS, 0);
	h = (void *)t->tx.slots;
	KUNIT_ASSERT_EQ(test, kmp_t_send(t, 1, buf, 0, NULL), 0);
	h->magic = cpu_to_le32(0xdeadbeef);
	kmp_expect_drop(test, t, -EBADMSG);
	KUNIT_ASSERT_EQ(test, kmp_t_send(t, 2, buf, 0, NULL), 0);
	h = (void *)(t->tx.slots + KMP_SLOT_SIZE);
	h->version = cpu_to_le16(2);
	kmp_expect_drop(test, t, -EBADMSG);
	KUNIT_EXPECT_EQ(test, t->rx.stats.bad_magic, 2);
	/* A type out of range or a reserved field set: dropped. */
	KUNIT_ASSERT_EQ(test, kmp_t_send(t, 3, buf, 0, NULL), 0);
	h = (void *)(t->tx.slots + 2 * KMP_SLOT_SIZE);
	h->msg_type = cpu_to_le16(KMP_MSG_TYPE_MAX);
	kmp_expect_drop(test, t, -EBADMSG);
	KUNIT_ASSERT_EQ(test, kmp_t_send(t, 4, buf, 0, NULL), 0);
	h = (void *)(t->tx.slots + 3 * KMP_SLOT_SIZE);
	h->reserved = cpu_to_le32(1);
	kmp_expect_drop(test, t, -EBADMSG);
	KUNIT_EXPECT_EQ(test, t->rx.stats.dropped, 2);
	KUNIT_EXPECT_FALSE(test, t->rx.broken);
}

/* Indices no sound sender writes break the ring for good. */
static void kmp_bad_indices(struct kunit *test)
{
	struct kmp_t *t = kmp_t_new(test, T_SLOTS, 0);
	struct kmp_header *h = (void *)t->tx.slots;
	u8 buf[200];

	/* A head more than a ring ahead. */
	t->tx.ctrl->head = cpu_to_le32(T_SLOTS + 1);
	kmp_expect_drop(test, t, -EPIPE);
	kmp_expect_drop(test, t, -EPIPE);
	KUNIT_EXPECT_EQ(test, t->rx.stats.bad_index, 1);

	/* A head behind the tail reads as far ahead: the same. */
	t = kmp_t_new(test, T_SLOTS, 0);
	t->tx.ctrl->head = cpu_to_le32(-1);
	kmp_expect_drop(test, t, -EPIPE);

	/* A record that claims more slots than were published. */
	t = kmp_t_new(test, T_SLOTS, 0);
	h = (void *)t->tx.slots;
	KUNIT_ASSERT_EQ(test, kmp_t_send(t, 1, buf, 0, NULL), 0);
	h->payload_len = cpu_to_le32(sizeof(buf));
	kmp_expect_drop(test, t, -EPIPE);

	/* The sender does not trust the receiver's tail either. */
	t = kmp_t_new(test, T_SLOTS, 0);
	while (!kmp_t_send(t, 1, buf, 10, NULL))
		;
	t->rx.ctrl->tail = cpu_to_le32(-100);
	KUNIT_EXPECT_EQ(test, kmp_t_send(t, 1, buf, 10, NULL), -EAGAIN);
	t->rx.ctrl->tail = cpu_to_le32(t->tx.head + 1);
	KUNIT_EXPECT_EQ(test, kmp_t_send(t, 1, buf, 10, NULL), -EAGAIN);
}

/* Bulk descriptors that point anywhere but the published bulk area. */
static void kmp_bad_descriptors(struct kunit *test)
{
	static const struct { u32 pos, len, offset, published; } bad[] = {
		{ 0, 0, 0, 300 },			/* empty chunk */
		{ 0, T_BULK + 1, 0, T_BULK + 1 },	/* larger than the area */
		{ T_BULK - 10, 300, 0, T_BULK + 290 },	/* wraps the area's end */
		{ 0, 300, 0, 200 },			/* past what was published */
		{ T_BULK + 8, 300, 0, 2 * T_BULK },	/* more than the area ahead */
		{ 0, 300, 1, 300 },			/* past the message's end */
		{ -300, 300, 0, 300 },			/* behind the bulk tail */
	};
	struct kmp_bulk_desc *d;
	struct kmp_header *h;
	struct kmp_t *t;
	u8 buf[300];
	u32 i, done;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		t = kmp_t_new(test, T_SLOTS, T_BULK);
		done = 0;
		KUNIT_ASSERT_EQ(test, kmp_t_send(t, 1, buf, sizeof(buf), &done), 0);
		h = (void *)t->tx.slots;
		d = (void *)(t->tx.slots + sizeof(*h));
		d->pos = cpu_to_le32(bad[i].pos);
		d->len = cpu_to_le32(bad[i].len);
		d->offset = cpu_to_le32(bad[i].offset);
		t->tx.ctrl->bulk_head = cpu_to_le32(bad[i].published);
		kunit_info(test, "descriptor %u", i);
		kmp_expect_drop(test, t, -EPIPE);
	}
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
	kmp_header_fill(&h, KMP_MSG_ECHO, 3, len, 1234, buf);
	KUNIT_ASSERT_EQ(test, kmp_ring_send_chunk(&t->tx, &h, buf, &done), 0);
	KUNIT_EXPECT_EQ(test, kmp_ring_recv(&t->rx, &m), -EBADMSG);
	KUNIT_EXPECT_EQ(test, t->rx.stats.dropped, 2);
	/* A continuation with nothing begun: dropped too. */
	KUNIT_ASSERT_EQ(test, kmp_ring_send_chunk(&t->tx, &h, buf, &done), 0);
	KUNIT_EXPECT_EQ(test, kmp_ring_recv(&t->rx, &m), -EBADMSG);
	KUNIT_EXPECT_EQ(test, t->rx.stats.dropped, 3);
	/* And the ring still works. */
	KUNIT_ASSERT_EQ(test, kmp_t_send(t, 9, buf, 10, NULL), 0);
	KUNIT_ASSERT_EQ(test, kmp_t_recv(t, &m), 1);
	KUNIT_EXPECT_EQ(test, m.seq, 9);
	kvfree(m.payload);
	/* A bulk message whose CRC is wrong, found once it is whole. */
	done = 0;
	kmp_header_fill(&h, KMP_MSG_ECHO, 10, 1000, 1, buf);
	h.crc32 ^= cpu_to_le32(1);
	KUNIT_ASSERT_EQ(test, kmp_ring_send_chunk(&t->tx, &h, buf, &done), 0);
	KUNIT_EXPECT_EQ(test, kmp_ring_recv(&t->rx, &m), -EBADMSG);
	KUNIT_EXPECT_EQ(test, t->rx.stats.crc_errors, 1);
	kmp_ring_release(&t->rx);
}

/* Loopback channels on this CPU: calls, replies, timeouts. */
static void kmp_channel_call(struct kunit *test)
{
	int cpu = raw_smp_processor_id();
	struct kmp_channel *ch = kmp_loopback_create("kunit", cpu, cpu, 64, 8192);
	struct kmp_msg reply;
	u8 *big = kunit_kmalloc(test, 20000, GFP_KERNEL);
	__le32 *version;

	KUNIT_ASSERT_FALSE(test, IS_ERR(ch));
	KUNIT_ASSERT_NOT_NULL(test, big);
	KUNIT_ASSERT_EQ(test, kmp_call(&ch->ep[0], KMP_MSG_HELLO, NULL, 0, &reply, HZ), 0);
	KUNIT_EXPECT_EQ(test, reply.type, KMP_MSG_HELLO | KMP_REPLY);
	KUNIT_ASSERT_EQ(test, reply.len, 4);
	version = reply.payload;
	KUNIT_EXPECT_EQ(test, le32_to_cpu(*version), KMP_VERSION);
	kvfree(reply.payload);
	/* An echo larger than both bulk areas, there and back. */
	kmp_t_fill(big, 20000, 77);
	KUNIT_ASSERT_EQ(test, kmp_call(&ch->ep[1], KMP_MSG_ECHO, big, 20000, &reply,
				       5 * HZ), 0);
	KUNIT_ASSERT_EQ(test, reply.len, 20000);
	KUNIT_EXPECT_EQ(test, memcmp(reply.payload, big, 20000), 0);
	kvfree(reply.payload);
	/* Nobody answers a type without a handler: the call times out. */
	KUNIT_EXPECT_EQ(test, kmp_call(&ch->ep[0], KMP_MSG_MORPH_PREPARE, NULL, 0,
				       &reply, HZ / 10), -ETIMEDOUT);
	kmp_channel_destroy(ch);
}

static void kmp_no_drain(struct kmp_endpoint *ep, struct kmp_msg *m, void *priv)
{
	kvfree(m->payload);
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
	KUNIT_CASE(kmp_bad_indices),
	KUNIT_CASE(kmp_bad_descriptors),
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
