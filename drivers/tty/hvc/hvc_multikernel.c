// SPDX-License-Identifier: GPL-2.0
/*
 * The console of a multikernel instance: hvc0, over two byte rings in the
 * control area the host shares with the instance (struct mk_cons_ring in
 * <linux/multikernel_boot.h>). The host keeps what the instance writes as
 * its console log and serves it, with input, to kerf console.
 *
 * Output never waits for the host, which may be busy or gone: the ring
 * keeps the newest bytes and a host that fell behind skips ahead. Input is
 * polled, as hvc does for backends without an interrupt.
 */

#include <linux/init.h>
#include <linux/minmax.h>
#include <linux/multikernel_boot.h>
#include <linux/spinlock.h>

#include "hvc_console.h"

#define MK_HVC_VTERM	0

static DEFINE_SPINLOCK(mk_hvc_lock);

static ssize_t mk_hvc_put(u32 vtermno, const u8 *buf, size_t count)
{
	u8 *ctrl = mk_instance_ctrl();
	struct mk_cons_ring *r = (void *)(ctrl + MK_CTRL_CONS_OUT);
	u8 *bytes = ctrl + MK_CTRL_CONS_OUT_BUF;
	unsigned long flags;
	u32 head;
	size_t i;

	spin_lock_irqsave(&mk_hvc_lock, flags);
	head = le32_to_cpu(r->head);
	for (i = 0; i < count; i++)
		bytes[(head + i) % MK_CONS_OUT_BYTES] = buf[i];
	smp_wmb();	/* the bytes before the head */
	WRITE_ONCE(r->head, cpu_to_le32(head + count));
	spin_unlock_irqrestore(&mk_hvc_lock, flags);
	return count;
}

static ssize_t mk_hvc_get(u32 vtermno, u8 *buf, size_t count)
{
	u8 *ctrl = mk_instance_ctrl();
	struct mk_cons_ring *r = (void *)(ctrl + MK_CTRL_CONS_IN);
	const u8 *bytes = ctrl + MK_CTRL_CONS_IN_BUF;
	u32 head, tail, n, i;

	head = le32_to_cpu(READ_ONCE(r->head));
	smp_rmb();	/* the bytes before the head */
	tail = le32_to_cpu(r->tail);
	n = head - tail;
	if (n > MK_CONS_IN_BYTES) {	/* a head the host broke */
		tail = head;
		n = 0;
	}
	n = min_t(size_t, n, count);
	for (i = 0; i < n; i++)
		buf[i] = bytes[(tail + i) % MK_CONS_IN_BYTES];
	WRITE_ONCE(r->tail, cpu_to_le32(tail + n));
	return n;
}

static const struct hv_ops mk_hvc_ops = {
	.get_chars = mk_hvc_get,
	.put_chars = mk_hvc_put,
};

/*
 * As a console from the first initcall on, which is when the instance
 * maps its control area; printk replays what came before.
 */
static int __init mk_hvc_console_init(void)
{
	if (!mk_instance_ctrl())
		return 0;
	return hvc_instantiate(MK_HVC_VTERM, 0, &mk_hvc_ops);
}
early_initcall(mk_hvc_console_init);

static int __init mk_hvc_init(void)
{
	struct hvc_struct *hp;

	if (!mk_instance_ctrl())
		return 0;
	hp = hvc_alloc(MK_HVC_VTERM, 0, &mk_hvc_ops, 256);
	return PTR_ERR_OR_ZERO(hp);
}
device_initcall(mk_hvc_init);
