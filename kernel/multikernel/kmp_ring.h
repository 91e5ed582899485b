/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One direction of a KMP channel: a single-producer, single-consumer ring
 * of 64-byte slots and a bulk area, in memory shared with another kernel.
 * This is plain C over port.h; it never sleeps or locks, and builds in
 * user space too, for fuzzing and benchmarks.
 */
#ifndef _MULTIKERNEL_KMP_RING_H
#define _MULTIKERNEL_KMP_RING_H

#include "port.h"
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
	u64 bad_index;		/* peer indices out of bounds: ring broken */
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

	/* sender; the peer's indices as last read, to read them only when short */
	u32 head;
	u32 bulk_head;
	u32 tail_seen;
	u32 bulk_tail_seen;

	/* receiver */
	u32 tail;
	u32 bulk_tail;
	bool broken;		/* the peer wrote impossible indices */
	u8 *msg;		/* a bulk message being reassembled */
	struct kmp_header msg_hdr;
	u32 msg_have;

	struct kmp_ring_stats stats;
};

size_t kmp_ring_bytes(u32 nslots, u32 bulk_size);
int kmp_ring_init(struct kmp_ring *r, void *shm, size_t size, u32 nslots,
		  u32 bulk_size, bool clear);
void kmp_ring_release(struct kmp_ring *r);

u32 kmp_crc(const struct kmp_header *h, const void *payload, u32 len);
void kmp_header_fill(struct kmp_header *h, u16 type, u32 seq, u32 len,
		     u64 ts, const void *payload);

int kmp_ring_send_fast(struct kmp_ring *r, const struct kmp_header *h,
		       const void *payload);
int kmp_ring_send_chunk(struct kmp_ring *r, const struct kmp_header *h,
			const void *payload, u32 *done);
int kmp_ring_recv(struct kmp_ring *r, struct kmp_msg *m);
bool kmp_ring_empty(struct kmp_ring *r);

#endif /* _MULTIKERNEL_KMP_RING_H */
