/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * KMP, the Kernel Morphing Protocol: the messages kernel instances of a
 * multikernel host exchange, and the shared-memory ring they travel in.
 *
 * Everything here is little-endian with explicit sizes, whatever the
 * kernels on either side were built as; see
 * Documentation/core-api/multikernel-kmp.rst.
 */
#ifndef _UAPI_LINUX_MULTIKERNEL_KMP_H
#define _UAPI_LINUX_MULTIKERNEL_KMP_H

#include <linux/types.h>

#define KMP_MAGIC		0x4B4D5000	/* "KMP\0" */
#define KMP_VERSION		2

/*
 * Every message starts with this header. crc32 is CRC-32C (Castagnoli, as
 * the kernel's crc32c(~0, ...) ^ ~0) over the header, with crc32 itself
 * zero, and then the payload: x86 (SSE4.2) and arm64 compute it in
 * hardware, which the bulk path needs to keep up with memcpy.
 */
struct kmp_header {
	__le32 magic;
	__le16 version;
	__le16 msg_type;
	__le32 sequence;
	__le32 payload_len;
	__le64 timestamp;	/* ns, of the sender's clock */
	__le32 crc32;
	__le32 reserved;	/* zero */
};

/*
 * Message types. A reply carries KMP_REPLY in its type and the sequence
 * number of the request it answers.
 */
enum kmp_msg_type {
	KMP_MSG_HELLO		= 0x0001,	/* version negotiation */
	KMP_MSG_SHUTDOWN	= 0x0002,
	KMP_MSG_ERROR		= 0x0003,
	KMP_MSG_RETRY		= 0x0004,
	KMP_MSG_ECHO		= 0x0005,	/* payload back unchanged */

	KMP_MSG_HEARTBEAT_REQ	= 0x0010,
	KMP_MSG_HEARTBEAT_RSP	= 0x0011,
	KMP_MSG_HEALTH_STATUS	= 0x0012,

	KMP_MSG_RECOVER_PREPARE	= 0x0020,
	KMP_MSG_RECOVER_RECLAIM	= 0x0021,
	KMP_MSG_RECOVER_COMPLETE = 0x0022,

	KMP_MSG_VMCORE_START	= 0x0030,
	KMP_MSG_VMCORE_DATA	= 0x0031,
	KMP_MSG_VMCORE_COMPLETE	= 0x0032,

	KMP_MSG_MORPH_PREPARE	= 0x0040,
	KMP_MSG_MORPH_NEGOTIATE	= 0x0041,
	KMP_MSG_MORPH_TRANSFER_STATE = 0x0042,
	KMP_MSG_MORPH_VALIDATE	= 0x0043,
	KMP_MSG_MORPH_COMMIT	= 0x0044,
	KMP_MSG_MORPH_ROLLBACK	= 0x0045,

	/* a vsock packet: struct virtio_vsock_hdr, then its data */
	KMP_MSG_VSOCK		= 0x0050,

	KMP_MSG_RESIZE		= 0x0060,	/* a step; the reply says how it went */

	KMP_MSG_TYPE_MAX	= 0x0100,	/* types are below this */
	KMP_REPLY		= 0x8000,
};

/* Payloads below this travel inline in the ring; larger ones in bulk. */
#define KMP_FAST_MAX		256

/*
 * The ring: 64-byte slots. A record takes whole, consecutive slots and
 * never wraps round the end of the ring; the first of them starts with
 * this tag, then the header, then the inline payload or a bulk
 * descriptor. The sender writes the tag's seq last, with release
 * ordering, and the receiver polls it: a message costs the receiver only
 * the cache lines it fills.
 */
#define KMP_SLOT_SIZE		64

struct kmp_record {
	__le32 seq;		/* the first slot's free-running index, plus one */
	__le16 slots;		/* slots the record takes, this one included */
	__le16 flags;		/* KMP_RECORD_* */
};

/* Only fills the slots up to the ring's end; the next record is at 0. */
#define KMP_RECORD_PAD		0x0001

/*
 * Where a bulk message's bytes are: one chunk of it, in the sender's bulk
 * area. It follows the header in the record, whose payload_len is the
 * whole message's length; the chunks of a message come in order, and a
 * message of up to half the bulk area travels as one chunk.
 */
struct kmp_bulk_desc {
	__le32 pos;		/* where in the bulk area, free-running */
	__le32 len;		/* bytes in this chunk */
	__le32 offset;		/* of this chunk in the message */
	__le32 reserved;	/* zero */
};

/*
 * The control block of one direction of a channel, at the start of its
 * shared memory; the slots and the bulk area follow. The sender writes
 * the first cache line, the receiver the second. The receiver releases
 * slots and bulk bytes in batches, so that its progress costs the sender
 * a cache miss only when it runs short; tail and bulk_tail are
 * free-running counts, and neither side trusts the other's.
 */
struct kmp_ring_ctrl {
	__le32 want_space;	/* the sender waits for the receiver */
	__le32 pad0[15];
	__le32 tail;		/* slots released */
	__le32 bulk_tail;	/* bulk bytes released */
	__le32 polling;		/* the receiver is draining: no doorbell */
	__le32 doorbell;	/* a doorbell is on its way */
	__le32 pad1[12];
};

#endif /* _UAPI_LINUX_MULTIKERNEL_KMP_H */
