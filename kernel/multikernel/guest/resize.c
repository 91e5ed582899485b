// SPDX-License-Identifier: GPL-2.0
/*
 * The instance's side of a resize: the host asks for one step at a time
 * over the channel (KMP_MSG_RESIZE, struct mk_resize_msg in
 * <linux/multikernel_boot.h>), this kernel carries it out the stock way
 * and replies with the step's number and its result.
 *
 * Memory comes as driver-managed RAM, onlined movable, and goes by
 * offline_and_remove_memory(), given five seconds: memory with a page
 * that will not migrate stays, and the step fails.
 *
 * A step sleeps (a CPU comes up or goes down), so the handler only takes
 * the request and queues a work item, which answers. One step is under
 * way at a time: the host waits for each answer before it sends the next,
 * and a request that comes while one is under way is answered EBUSY.
 */

#include <linux/completion.h>
#include <linux/debugfs.h>
#include <linux/ioport.h>
#include <linux/kthread.h>
#include <linux/memory.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/multikernel_boot.h>
#include <linux/multikernel_kmp.h>
#include <linux/mutex.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
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

#ifdef CONFIG_MEMORY_HOTREMOVE
/*
 * Offlining retries for as long as a page will not migrate, until a
 * signal: it runs in a thread of its own, which gets SIGKILL past this.
 */
#define MK_OFFLINE_MS	5000

struct mk_offline {
	u64 phys;
	u64 bytes;
	int ret;
	struct completion done;
};

static int mk_offline_fn(void *arg)
{
	struct mk_offline *o = arg;

	allow_signal(SIGKILL);
	o->ret = offline_and_remove_memory(o->phys, o->bytes);
	complete(&o->done);
	return 0;
}

static int mk_offline(u64 phys, u64 bytes)
{
	struct mk_offline o = { .phys = phys, .bytes = bytes };
	struct task_struct *t;

	init_completion(&o.done);
	t = kthread_create(mk_offline_fn, &o, "mk_offline");
	if (IS_ERR(t))
		return PTR_ERR(t);
	/* It may end as soon as the wait gives up: keep it for the signal. */
	get_task_struct(t);
	wake_up_process(t);
	if (!wait_for_completion_timeout(&o.done, msecs_to_jiffies(MK_OFFLINE_MS))) {
		send_sig(SIGKILL, t, 1);
		wait_for_completion(&o.done);
	}
	put_task_struct(t);
	return o.ret;
}

/*
 * Memory the host adds is driver-managed RAM, onlined movable, so that
 * the same range can be offlined and removed again when the host asks.
 */
static int mk_resize_mem(bool add, u64 phys, u64 bytes)
{
	int ret;

	if (!bytes || !IS_ALIGNED(phys | bytes, memory_block_size_bytes()))
		return -EINVAL;
	/* Nothing to give back: a step the host undoes may never have come. */
	if (!add && region_intersects(phys, bytes, IORESOURCE_SYSTEM_RAM,
				      IORES_DESC_NONE) == REGION_DISJOINT)
		return 0;
	if (add)
		ret = add_memory_driver_managed(0, phys, bytes,
						"System RAM (multikernel)",
						MHP_NONE);
	else
		ret = mk_offline(phys, bytes);
	pr_info("multikernel: resize: %llu MiB at %#llx %s: %d\n", bytes >> 20,
		phys, add ? "added" : "removed", ret);
	return ret;
}

static void mk_resize_mem_init(void)
{
	mhp_set_default_online_type(MMOP_ONLINE_MOVABLE);
}
#else
static int mk_resize_mem(bool add, u64 phys, u64 bytes)
{
	return -EOPNOTSUPP;
}

static void mk_resize_mem_init(void)
{
}
#endif

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
	case MK_RESIZE_MEM_ADD:
	case MK_RESIZE_MEM_REMOVE:
		return mk_resize_mem(le16_to_cpu(req->op) == MK_RESIZE_MEM_ADD,
				     le64_to_cpu(req->phys),
				     le64_to_cpu(req->bytes));
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
	mk_resize_mem_init();
	kmp_register_handler(ep, KMP_MSG_RESIZE, mk_on_resize, NULL);
}

#ifdef CONFIG_MULTIKERNEL_TEST_HOOKS
#ifdef CONFIG_MEMORY_HOTREMOVE
static struct page *mk_pinned;
static DEFINE_MUTEX(mk_pin_lock);

/*
 * For tests of a removal that cannot be: hold a page of ZONE_MOVABLE, the
 * memory a resize added, so that it will not migrate (1); let it go (0).
 */
static int mk_pin_set(void *data, u64 on)
{
	struct page *p, *tried[64];
	int n = 0;

	if (on > 1)
		return -EINVAL;
	guard(mutex)(&mk_pin_lock);
	if (!on && mk_pinned) {
		__free_page(mk_pinned);
		mk_pinned = NULL;
	}
	while (on && !mk_pinned && n < ARRAY_SIZE(tried)) {
		p = alloc_page(GFP_HIGHUSER_MOVABLE);
		if (!p)
			break;
		if (page_zonenum(p) == ZONE_MOVABLE)
			mk_pinned = p;
		else
			tried[n++] = p;
	}
	while (n--)
		__free_page(tried[n]);
	return on && !mk_pinned ? -ENOMEM : 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(mk_pin_fops, NULL, mk_pin_set, "%llu\n");
#endif

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
#ifdef CONFIG_MEMORY_HOTREMOVE
	debugfs_create_file_unsafe("multikernel_pin_movable", 0200, NULL, NULL,
				   &mk_pin_fops);
#endif
	return 0;
}
device_initcall(mk_resize_debugfs);
#endif
