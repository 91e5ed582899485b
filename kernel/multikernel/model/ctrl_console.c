// SPDX-License-Identifier: GPL-2.0
/*
 * The console rings of an instance's control area (struct mk_cons_ring):
 * the host's side of the arithmetic on the heads and tails the instance
 * writes. A head or tail is taken as a number the instance chose: it
 * bounds nothing that the ring's fixed size does not bound first.
 */

#include "ctrl.h"

/* Append @n bytes to the log, a ring that keeps the newest. */
static void mk_log_put(u8 *log, u64 *log_head, const u8 *src, u32 n)
{
	u32 at, chunk;

	while (n) {
		at = *log_head % MK_CONS_LOG_BYTES;
		chunk = min_t(u32, n, MK_CONS_LOG_BYTES - at);
		memcpy(log + at, src, chunk);
		*log_head += chunk;
		src += chunk;
		n -= chunk;
	}
}

/**
 * mk_cons_out_take - move an instance's console output into the host's log
 * @log: the host's log, MK_CONS_LOG_BYTES
 * @log_head: bytes ever logged; advanced
 * @tail: how far the host has read the instance's ring; advanced
 * @ring: the ring's MK_CONS_OUT_BYTES bytes, in the control area
 * @head: the instance's head, read once by the caller
 *
 * The instance never waits for the host: a host that fell behind by more
 * than the ring, or a head the instance moved anywhere, skips to the
 * newest MK_CONS_OUT_BYTES. The bytes themselves are only copied.
 *
 * Return: bytes moved, at most MK_CONS_OUT_BYTES.
 */
u32 mk_cons_out_take(u8 *log, u64 *log_head, u32 *tail, const u8 *ring,
		     u32 head)
{
	u32 n = head - *tail, done, at, chunk;

	if (n > MK_CONS_OUT_BYTES) {
		*tail = head - MK_CONS_OUT_BYTES;
		n = MK_CONS_OUT_BYTES;
	}
	done = n;
	while (n) {
		at = *tail % MK_CONS_OUT_BYTES;
		chunk = min_t(u32, n, MK_CONS_OUT_BYTES - at);
		mk_log_put(log, log_head, ring + at, chunk);
		*tail += chunk;
		n -= chunk;
	}
	return done;
}

/**
 * mk_cons_in_room - room in an instance's console input ring
 * @head: the host's head, its own copy
 * @tail: the instance's tail, read once
 *
 * Return: bytes the host may write; a tail the instance broke counts as
 * having read everything.
 */
u32 mk_cons_in_room(u32 head, u32 tail)
{
	return head - tail <= MK_CONS_IN_BYTES ?
	       MK_CONS_IN_BYTES - (head - tail) : MK_CONS_IN_BYTES;
}
