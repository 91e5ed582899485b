/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One direction of a KMP channel: a single-producer, single-consumer ring
 * of 64-byte slots and a bulk area, in memory shared with another kernel.
 * This is plain C over port.h; it never sleeps or locks, and builds in
 * user space too, for fuzzing and benchmarks.
 */
#ifndef _MULTIKERNEL_KMP_RING_H
#define _MULTIKERNEL_KMP_RING_H

#include "../model/port.h"
#include <linux/multikernel_kmp.h>

/* Largest message a receiver reassembles; a longer one is dropped. */
#define KMP_MAX_MSG		(16U << 20)

struct kmp_ring_stats {
	u64 msgs;		/* whole messages sent, or delivered */
	u64 bytes;		/* their payload bytes */
	u64 chunks;		/* bulk chunks */
	u64 full;		/* sends that found no room */
	u64 dropped;		/* received and dropped: malformed */
	u64 crc_errors;		/* received and dropped: bad CRC */
	u64 bad_magic;		/* received and dropped: bad magic or version */
	u64 bad_index;		/* records or descriptors out of bounds: broken */
};

/*
 * A local view of one direction. The geometry is agreed when the channel
 * is set up and kept here: what the peer writes to shared memory never
 * changes it. Each side uses only its own half of the fields.
 */
struct kmp_ring {
	struct kmp_ring_ctrl *ctrl;
	u8 *slots;
	u8 *bulk;
	u32 nslots;		/* a power of two */
	u32 bulk_size;		/* a power of two, or 0 */

	/* sender; the peer's releases as last read, to read them only when short */
	u32 head;
	u32 bulk_head;
	u32 tail_seen;
	u32 bulk_tail_seen;

	/* receiver: read up to rd; released up to tail, published up to tail_pub */
	u32 rd;
	u32 tail;
	u32 tail_pub;
	u32 bulk_rd;
	u32 bulk_tail;
	u32 bulk_tail_pub;
	u32 max_msg;		/* longest message it reassembles */
	bool broken;		/* the peer wrote what no sound sender writes */
	bool held;		/* a delivered message is not released yet */
	u8 *held_buf;		/* its reassembly buffer, if it has one */
	u8 *msg;		/* a bulk message being reassembled */
	struct kmp_header msg_hdr;
	u32 msg_have;
	u32 msg_crc;

	struct kmp_ring_stats stats;
};

size_t kmp_ring_bytes(u32 nslots, u32 bulk_size);
int kmp_ring_init(struct kmp_ring *r, void *shm, size_t size, u32 nslots,
		  u32 bulk_size, bool clear);
void kmp_ring_release(struct kmp_ring *r);

u32 kmp_crc(const struct kmp_header *h, const void *payload, u32 len);
void kmp_header_fill(struct kmp_header *h, u16 type, u32 seq, u32 len, u64 ts);

int kmp_ring_send(struct kmp_ring *r, struct kmp_header *h, const void *payload,
		  u32 *done);
int kmp_ring_recv(struct kmp_ring *r, struct kmp_msg *m);
void kmp_ring_done(struct kmp_ring *r);
void kmp_ring_flush(struct kmp_ring *r);
bool kmp_ring_empty(struct kmp_ring *r);

#endif /* _MULTIKERNEL_KMP_RING_H */
