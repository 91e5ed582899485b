// SPDX-License-Identifier: GPL-2.0
/*
 * An instance's console, host side: the instance writes its console
 * output into a byte ring in its control area, and reads its input from a
 * second one (struct mk_cons_ring in <linux/multikernel_boot.h>). The host
 * drains the output into a log of its own while the instance runs, so
 * that the boot log of an instance that stopped or failed stays readable,
 * until the next exec or unload.
 *
 * The instance's ring head is untrusted: the host reads it once and
 * bounds what it copies by the ring's size, which the layout fixes
 * (model/ctrl_console.c, which the fuzzer runs too).
 */

#include <linux/minmax.h>
#include <linux/string.h>

#include "instance.h"

static struct mk_cons_ring *mk_ring(struct mk_inst *inst, u32 off)
{
	return inst->mem + (inst->lay.ctrl - inst->lay.mem) + off;
}

static const u8 *mk_ring_bytes(struct mk_inst *inst, u32 off)
{
	return inst->mem + (inst->lay.ctrl - inst->lay.mem) + off;
}

/**
 * mk_cons_drain - move what the instance wrote to its console to the log
 * @inst: a running instance, or one being stopped; its memory mapped
 *
 * The instance never waits for the host: a host that fell behind by more
 * than the ring skips to the newest bytes.
 *
 * Context: the instance's lock held.
 * Return: whether anything came.
 */
bool mk_cons_drain(struct mk_inst *inst)
{
	struct mk_cons_ring *r = mk_ring(inst, MK_CTRL_CONS_OUT);
	const u8 *bytes = mk_ring_bytes(inst, MK_CTRL_CONS_OUT_BUF);
	u32 head;

	lockdep_assert_held(&inst->lock);
	if (!inst->mem || !inst->cons.buf)
		return false;
	head = le32_to_cpu(READ_ONCE(r->head));
	smp_rmb();	/* the bytes before the head */
	if (!mk_cons_out_take(inst->cons.buf, &inst->cons.head,
			      &inst->cons.tail, bytes, head))
		return false;
	WRITE_ONCE(r->tail, cpu_to_le32(inst->cons.tail));
	return true;
}

/**
 * mk_cons_read - read an instance's console log
 * @inst: the instance
 * @buf: where to copy
 * @len: at most this much
 * @off: the position in the log: bytes since the instance's exec
 *
 * A reader more than the log's 128 KiB behind continues at the oldest
 * byte the log still has.
 *
 * Return: bytes copied, 0 at the end of the log, -ENOENT with no log.
 */
ssize_t mk_cons_read(struct mk_inst *inst, char *buf, size_t len, loff_t off)
{
	struct mk_console *c = &inst->cons;
	u64 oldest, pos = off;
	size_t n = 0, at, chunk;

	mk_inst_lock(inst);
	if (!c->buf) {
		mk_inst_unlock(inst);
		return -ENOENT;
	}
	if (mk_run_live(inst->state))
		mk_cons_drain(inst);
	oldest = c->head > MK_CONS_LOG_BYTES ? c->head - MK_CONS_LOG_BYTES : 0;
	pos = max(pos, oldest);
	while (n < len && pos < c->head) {
		at = pos % MK_CONS_LOG_BYTES;
		chunk = min3(len - n, (size_t)(MK_CONS_LOG_BYTES - at),
			     (size_t)(c->head - pos));
		memcpy(buf + n, c->buf + at, chunk);
		n += chunk;
		pos += chunk;
	}
	mk_inst_unlock(inst);
	return n;
}

/**
 * mk_cons_write - type into a running instance's console
 * @inst: the instance
 * @buf: the bytes
 * @len: how many
 *
 * Return: bytes taken, which may be fewer when the instance has not read
 * what came before; -ESRCH if it does not run.
 */
int mk_cons_write(struct mk_inst *inst, const char *buf, size_t len)
{
	struct mk_cons_ring *r;
	u32 head, tail, room, i;
	u8 *bytes;

	mk_inst_lock(inst);
	if (!mk_run_live(inst->state)) {
		mk_inst_unlock(inst);
		return -ESRCH;
	}
	r = mk_ring(inst, MK_CTRL_CONS_IN);
	bytes = (u8 *)mk_ring_bytes(inst, MK_CTRL_CONS_IN_BUF);
	head = le32_to_cpu(r->head);
	tail = le32_to_cpu(READ_ONCE(r->tail));
	room = mk_cons_in_room(head, tail);
	len = min_t(size_t, len, room);
	for (i = 0; i < len; i++)
		bytes[(head + i) % MK_CONS_IN_BYTES] = buf[i];
	smp_wmb();	/* the bytes before the head */
	WRITE_ONCE(r->head, cpu_to_le32(head + len));
	mk_inst_unlock(inst);
	return len;
}
