// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: arbitrary shared memory under the KMP receiver.
 *
 * The input's first byte chooses how the shared memory of one direction
 * (control block, 8 slots, a 4 KiB bulk area) starts: as the next bytes,
 * raw; or as the real sender leaves it after sending messages whose sizes
 * and payloads come from the next bytes, so that well-formed records are
 * there to be corrupted. The rest, six bytes at a time, are stores a
 * hostile peer makes between two receives, or while the receiver holds a
 * message in place (a 16-bit offset and a 32-bit value). The receiver must
 * never read or write outside the ring, nor leak what it allocates, and
 * holds one message at a time; AddressSanitizer and UBSan judge.
 */

#include "kmp_ring.h"

#define F_SLOTS	8
#define F_BULK	4096

/* Messages from the input, sent as the kernel sends them, while they fit. */
static void kmp_fuzz_send(u8 *shm, size_t bytes, const uint8_t **data,
			  size_t *size)
{
	struct kmp_header h;
	struct kmp_ring tx;
	u32 len, done;
	int seq = 0;

	kmp_ring_init(&tx, shm, bytes, F_SLOTS, F_BULK, true);
	while (*size >= 2) {
		len = ((*data)[0] | (*data)[1] << 8) % 3000;
		*data += 2;
		*size -= 2;
		len = min_t(size_t, len, *size);
		kmp_header_fill(&h, KMP_MSG_ECHO, seq++, len, 0);
		done = 0;
		do {
			if (kmp_ring_send(&tx, &h, *data, &done))
				return;
		} while (done < len);
		*data += len;
		*size -= len;
	}
}

/* Where the bytes delivered end up, so that reading them is not elided. */
u32 kmp_fuzz_sink;

/* A store by the peer: a 16-bit offset and a 32-bit value from the input. */
static void kmp_fuzz_store(u8 *shm, size_t bytes, const uint8_t **data,
			   size_t *size)
{
	u32 off, v;

	if (*size < 6)
		return;
	off = ((*data)[0] | (*data)[1] << 8) % (bytes - 3);
	memcpy(&v, *data + 2, 4);
	memcpy(shm + off, &v, 4);
	*data += 6;
	*size -= 6;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t bytes = kmp_ring_bytes(F_SLOTS, F_BULK), n;
	struct kmp_ring r;
	struct kmp_msg m;
	u8 *shm;
	int i, ret;

	shm = aligned_alloc(64, bytes);
	if (!shm)
		return 0;
	memset(shm, 0, bytes);
	if (size && data[0] & 1) {
		data++;
		size--;
		kmp_fuzz_send(shm, bytes, &data, &size);
	} else {
		n = min(size, bytes);
		memcpy(shm, data, n);
		data += n;
		size -= n;
	}
	if (kmp_ring_init(&r, shm, bytes, F_SLOTS, F_BULK, false))
		abort();
	for (i = 0; i < 64; i++) {
		ret = kmp_ring_recv(&r, &m);
		if (ret == -EPIPE)
			break;
		/* The peer writes while the receiver works, a view held or not. */
		kmp_fuzz_store(shm, bytes, &data, &size);
		if (ret == 1) {
			/* A view: every byte is readable, and it is one at a time. */
			kmp_fuzz_sink ^= crc32c(0, m.payload, m.len);
			if (kmp_ring_recv(&r, &m) != -EBUSY)
				abort();
			kmp_ring_done(&r);
		}
	}
	kmp_ring_release(&r);
	free(shm);
	return 0;
}
