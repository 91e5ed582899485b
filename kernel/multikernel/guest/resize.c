// SPDX-License-Identifier: GPL-2.0
/*
 * The instance's side of a resize: the host asks for one step at a time
 * over the channel (KMP_MSG_RESIZE, struct mk_resize_msg in
 * <linux/multikernel_boot.h>), this kernel carries it out the stock way
 * and replies with the step's number and its result.
 *
 * A step sleeps (a CPU comes up or goes down), so the handler only takes
 * the request and queues a work item, which answers. One step is under
 * way at a time: the host waits for each answer before it sends the next,
 * and a request that comes while one is under way is answered EBUSY.
 */

#include <linux/debugfs.h>
#include <linux/multikernel_boot.h>
#include <linux/multikernel_kmp.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

struct mk_resize_state {
	struct kmp_endpoint *ep;
	struct work_struct work;
	spinlock_t lock;		/* @busy, @req and @seq */
	bool busy;
	struct mk_resize_msg req;
	u32 seq;			/* the request's, for the reply */
	u32 drop;			/* test hook: requests to ignore */
};

static struct mk_resize_state mk_resize = {
	.lock = __SPIN_LOCK_UNLOCKED(mk_resize.lock),
};

static void mk_resize_answer(const struct mk_resize_msg *req, u32 seq,
			     int err)
{
	struct mk_resize_msg done = *req;
	struct kmp_msg m = { .seq = seq };
	int ret;

	done.result = cpu_to_le32(-err);
	ret = kmp_reply(mk_resize.ep, &m, KMP_MSG_RESIZE, &done, sizeof(done),
			HZ);
	if (ret)
		pr_err("multikernel: resize step %u not answered: %d\n",
		       le32_to_cpu(req->seq), ret);
}

static int mk_resize_step(const struct mk_resize_msg *req)
{
	u32 apic_id = le32_to_cpu(req->apic_id);
	int ret;

	if (le16_to_cpu(req->version) != MK_RESIZE_VERSION)
		return -EPROTO;
	switch (le16_to_cpu(req->op)) {
	case MK_RESIZE_CPU_ADD:
		ret = mk_instance_cpu_add(apic_id);
		pr_info("multikernel: resize: CPU at APIC %u %s%d\n", apic_id,
			ret < 0 ? "not added: " : "added as CPU ", ret);
		return ret < 0 ? ret : 0;
	case MK_RESIZE_CPU_REMOVE:
		ret = mk_instance_cpu_remove(apic_id);
		pr_info("multikernel: resize: CPU at APIC %u %s%d\n", apic_id,
			ret ? "not given back: " : "given back ", ret);
		return ret;
	}
	return -EOPNOTSUPP;
}

static void mk_resize_fn(struct work_struct *work)
{
	struct mk_resize_msg req;
	u32 seq;

	spin_lock_bh(&mk_resize.lock);
	req = mk_resize.req;
	seq = mk_resize.seq;
	spin_unlock_bh(&mk_resize.lock);
	mk_resize_answer(&req, seq, mk_resize_step(&req));
	spin_lock_bh(&mk_resize.lock);
	mk_resize.busy = false;
	spin_unlock_bh(&mk_resize.lock);
}

static void mk_on_resize(struct kmp_endpoint *ep, struct kmp_msg *m,
			 void *priv)
{
	struct mk_resize_msg req;
	bool busy;

	if (m->len < sizeof(req))
		return;
	memcpy(&req, m->payload, sizeof(req));
	spin_lock_bh(&mk_resize.lock);
	if (mk_resize.drop) {
		mk_resize.drop--;
		spin_unlock_bh(&mk_resize.lock);
		pr_info("multikernel: resize step %u dropped, as asked\n",
			le32_to_cpu(req.seq));
		return;
	}
	busy = mk_resize.busy;
	if (!busy) {
		mk_resize.busy = true;
		mk_resize.req = req;
		mk_resize.seq = m->seq;
	}
	spin_unlock_bh(&mk_resize.lock);
	/* A handler never waits for room: a full ring loses the answer. */
	if (busy) {
		req.result = cpu_to_le32(EBUSY);
		kmp_reply(ep, m, KMP_MSG_RESIZE, &req, sizeof(req), 0);
		return;
	}
	schedule_work(&mk_resize.work);
}

/**
 * mk_resize_attach - carry out the host's resize steps
 * @ep: this instance's endpoint on its channel to the host
 */
void mk_resize_attach(struct kmp_endpoint *ep)
{
	mk_resize.ep = ep;
	INIT_WORK(&mk_resize.work, mk_resize_fn);
	kmp_register_handler(ep, KMP_MSG_RESIZE, mk_on_resize, NULL);
}

#ifdef CONFIG_MULTIKERNEL_TEST_HOOKS
/* For tests of the host's timeout: ignore the next so many steps. */
static int mk_resize_drop_set(void *data, u64 n)
{
	if (n > 1000)
		return -EINVAL;
	spin_lock_bh(&mk_resize.lock);
	mk_resize.drop = n;
	spin_unlock_bh(&mk_resize.lock);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(mk_resize_drop_fops, NULL, mk_resize_drop_set,
			 "%llu\n");

static int __init mk_resize_debugfs(void)
{
	if (!mk_instance_ctrl())
		return 0;
	debugfs_create_file_unsafe("multikernel_resize_drop", 0200, NULL, NULL,
				   &mk_resize_drop_fops);
	return 0;
}
device_initcall(mk_resize_debugfs);
#endif
