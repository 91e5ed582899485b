// SPDX-License-Identifier: GPL-2.0
/*
 * The instance's side of the heartbeat: answer the host's
 * KMP_MSG_HEARTBEAT_REQ with a KMP_MSG_HEARTBEAT_RSP that says how the
 * kernel is doing (<linux/multikernel_boot.h>, struct mk_beat_rsp).
 *
 * The answer is not sent from the KMP handler, which runs on a high
 * priority work queue and would answer even when ordinary work starves:
 * the handler queues an ordinary work item, and that item answers. How
 * long it waited is the responsiveness figure the host shows, and a
 * kernel too busy to run it misses its beats.
 */

#include <linux/kernel_stat.h>
#include <linux/mm.h>
#include <linux/multikernel_boot.h>
#include <linux/multikernel_kmp.h>
#include <linux/slab.h>
#include <linux/tick.h>
#include <linux/timekeeping.h>
#include <linux/workqueue.h>

struct mk_beat_state {
	struct kmp_endpoint *ep;
	struct work_struct work;
	spinlock_t lock;	/* the request waiting for the work */
	struct mk_beat_req req;
	u64 queued_ns;
	u64 last_ns;		/* the last answer's clock and idle sum */
	u64 last_idle_us;
};

static struct mk_beat_state mk_beat;

/* Idle time of the online CPUs, in us, as /proc/stat counts it. */
static u64 mk_beat_idle_us(void)
{
	u64 sum = 0, t;
	int cpu;

	for_each_online_cpu(cpu) {
		t = get_cpu_idle_time_us(cpu, NULL);
		if (t == -1ULL)
			t = div_u64(kcpustat_cpu(cpu).cpustat[CPUTIME_IDLE],
				    NSEC_PER_USEC);
		sum += t;
	}
	return sum;
}

/* Busy share of the CPUs since the last answer, in permille. */
static u32 mk_beat_cpu_permille(u64 now_ns)
{
	u64 idle = mk_beat_idle_us(), wall, busy;
	u32 permille = 0;

	wall = div_u64(now_ns - mk_beat.last_ns, NSEC_PER_USEC) *
	       num_online_cpus();
	if (mk_beat.last_ns && wall) {
		busy = wall - min(wall, idle - mk_beat.last_idle_us);
		permille = div64_u64(busy * 1000, wall);
	}
	mk_beat.last_ns = now_ns;
	mk_beat.last_idle_us = idle;
	return permille;
}

static void mk_beat_fn(struct work_struct *work)
{
	u64 now = ktime_get_ns(), queued;
	struct mk_beat_rsp rsp = {
		.version = cpu_to_le32(MK_BEAT_VERSION),
	};
	struct mk_beat_req req;

	spin_lock_bh(&mk_beat.lock);
	req = mk_beat.req;
	queued = mk_beat.queued_ns;
	spin_unlock_bh(&mk_beat.lock);

	rsp.seq = req.seq;
	rsp.host_ns = req.host_ns;
	rsp.uptime_ns = cpu_to_le64(ktime_get_boottime_ns());
	rsp.mem_total = cpu_to_le64((u64)totalram_pages() << PAGE_SHIFT);
	rsp.mem_free = cpu_to_le64((u64)global_zone_page_state(NR_FREE_PAGES)
				   << PAGE_SHIFT);
	rsp.work_delay_ns = cpu_to_le64(now - queued);
	rsp.cpu_permille = cpu_to_le32(mk_beat_cpu_permille(now));
	rsp.nr_cpus = cpu_to_le32(num_online_cpus());
	kmp_send(mk_beat.ep, KMP_MSG_HEARTBEAT_RSP, &rsp, sizeof(rsp), HZ);
}

/*
 * The host's request: keep the newest, and queue its answer. A request
 * that comes while the last one still waits only replaces it, so the
 * answer is for the newest beat.
 */
static void mk_beat_on_req(struct kmp_endpoint *ep, struct kmp_msg *m,
			   void *priv)
{
	struct mk_beat_req req;

	/* Copied once: the peer can still write where it came. */
	if (m->len < sizeof(req))
		return;
	memcpy(&req, m->payload, sizeof(req));
	if (le32_to_cpu(req.version) == MK_BEAT_VERSION) {
		spin_lock_bh(&mk_beat.lock);
		mk_beat.req = req;
		if (!work_pending(&mk_beat.work))
			mk_beat.queued_ns = ktime_get_ns();
		spin_unlock_bh(&mk_beat.lock);
		queue_work(system_wq, &mk_beat.work);
	}
}

/**
 * mk_health_beat_attach - answer the host's heartbeats on this endpoint
 * @ep: the instance's endpoint of its channel to the host
 */
void mk_health_beat_attach(struct kmp_endpoint *ep)
{
	mk_beat.ep = ep;
	spin_lock_init(&mk_beat.lock);
	INIT_WORK(&mk_beat.work, mk_beat_fn);
	kmp_register_handler(ep, KMP_MSG_HEARTBEAT_REQ, mk_beat_on_req, NULL);
}
