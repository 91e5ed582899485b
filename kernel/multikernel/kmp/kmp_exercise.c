// SPDX-License-Identifier: GPL-2.0
/*
 * Exercise and benchmark KMP over a loopback channel between two CPUs,
 * with real doorbells, from debugfs:
 *
 *   echo COUNT [SEED] > /sys/kernel/debug/multikernel/kmp/exercise
 *   cat /sys/kernel/debug/multikernel/kmp/exercise
 *   echo 1 > /sys/kernel/debug/multikernel/kmp/bench
 *   cat /sys/kernel/debug/multikernel/kmp/bench
 *
 * The exercise sends COUNT messages of pseudo-random sizes up to 1 MiB,
 * and every 1000th an echo call; the receiver rebuilds each expected
 * message from the same seed and checks it. The benchmark reports ratios
 * to a cache-line ping-pong and to memcpy() between the same two CPUs.
 */

#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "kmp.h"

static DEFINE_MUTEX(kmp_ex_lock);
static char kmp_ex_result[768] = "not run\n";
static char kmp_bench_result[768] = "not run\n";

/* The messages of a run: a size and a fill, both from a seed. */
struct kmp_ex_gen {
	u64 state;
};

static u32 kmp_ex_next(struct kmp_ex_gen *g)
{
	/* xorshift64*: deterministic on both ends of the channel */
	g->state ^= g->state >> 12;
	g->state ^= g->state << 25;
	g->state ^= g->state >> 27;
	return (g->state * 0x2545f4914f6cdd1dULL) >> 32;
}

/* Mostly small, some up to 64 KiB, now and then up to 1 MiB. */
static u32 kmp_ex_size(struct kmp_ex_gen *g)
{
	u32 kind = kmp_ex_next(g) % 1000, r = kmp_ex_next(g);

	if (kind < 900)
		return r % KMP_FAST_MAX;
	if (kind < 995)
		return r % (64 << 10) + 1;
	return r % (1 << 20) + 1;
}

static void kmp_ex_fill(u8 *buf, u32 len, u32 i)
{
	u32 k;

	for (k = 0; k < len; k++)
		buf[k] = (u8)(i * 131 + k * 7 + (k >> 8));
}

struct kmp_ex {
	struct kmp_channel *ch;
	struct kmp_ex_gen rx_gen;
	u8 *expect;
	u32 received;
	u32 bad;
	u64 bytes;
	wait_queue_head_t wq;
};

/* On endpoint 1's CPU: the next message must be the next one generated. */
static void kmp_ex_handle(struct kmp_endpoint *ep, struct kmp_msg *m, void *priv)
{
	struct kmp_ex *ex = priv;
	u32 len = kmp_ex_size(&ex->rx_gen);

	kmp_ex_fill(ex->expect, len, ex->received);
	if (m->len != len || (len && memcmp(m->payload, ex->expect, len)))
		ex->bad++;
	ex->bytes += m->len;
	WRITE_ONCE(ex->received, ex->received + 1);
	wake_up(&ex->wq);
}

static void kmp_ex_two_cpus(int *a, int *b)
{
	*a = cpumask_next(cpumask_first(cpu_online_mask), cpu_online_mask);
	*b = cpumask_next(*a, cpu_online_mask);
	/* Fewer than three CPUs: use what there is. */
	if (*a >= nr_cpu_ids)
		*a = cpumask_first(cpu_online_mask);
	if (*b >= nr_cpu_ids)
		*b = cpumask_first(cpu_online_mask);
}

static void kmp_ex_run(u32 count, u64 seed)
{
	struct kmp_ex_gen gen = { .state = seed ?: 1 };
	struct kmp_ex *ex;
	u32 i, len, calls = 0, call_bad = 0;
	int a, b, k, out, ret = 0;
	struct kmp_msg reply;
	u32 echoed;
	u64 t0;
	u8 *buf;

	kmp_ex_two_cpus(&a, &b);
	ex = kzalloc(sizeof(*ex), GFP_KERNEL);
	buf = vmalloc(1 << 20);
	if (ex)
		ex->expect = vmalloc(1 << 20);
	if (!ex || !buf || !ex->expect) {
		snprintf(kmp_ex_result, sizeof(kmp_ex_result), "error: out of memory\n");
		goto out;
	}
	/* A small bulk area, so that large messages go in many chunks. */
	ex->ch = kmp_loopback_create("loopback-exercise", a, b, 256, 64 << 10);
	if (IS_ERR(ex->ch)) {
		snprintf(kmp_ex_result, sizeof(kmp_ex_result), "error: %ld\n",
			 PTR_ERR(ex->ch));
		ex->ch = NULL;
		goto out;
	}
	ex->rx_gen.state = gen.state;
	init_waitqueue_head(&ex->wq);
	kmp_register_handler(&ex->ch->ep[1], KMP_MSG_VMCORE_DATA, kmp_ex_handle, ex);

	t0 = ktime_get_ns();
	for (i = 0; i < count && !ret; i++) {
		len = kmp_ex_size(&gen);
		kmp_ex_fill(buf, len, i);
		ret = kmp_send(&ex->ch->ep[0], KMP_MSG_VMCORE_DATA, buf, len, 10 * HZ);
		if (ret || i % 1000)
			continue;
		/* A call now and then, its reply matched among the stream. */
		reply.payload = &echoed;
		reply.len = sizeof(echoed);
		ret = kmp_call(&ex->ch->ep[0], KMP_MSG_ECHO, &i, sizeof(i), &reply,
			       10 * HZ);
		if (!ret) {
			calls++;
			call_bad += reply.len != sizeof(i) || echoed != i;
		}
	}
	wait_event_timeout(ex->wq, READ_ONCE(ex->received) >= i, 30 * HZ);
	out = scnprintf(kmp_ex_result, sizeof(kmp_ex_result),
			"cpus %d %d doorbell %s error %d\nsent %u received %u bad %u bytes %llu calls %u calls_bad %u ms %llu\n",
			a, b, kmp_doorbell_kind(), ret, i - !!ret, ex->received,
			ex->bad, ex->bytes, calls, call_bad,
			(ktime_get_ns() - t0) / NSEC_PER_MSEC);
	for (k = 0; k < 2; k++) {
		struct kmp_endpoint *ep = &ex->ch->ep[k];

		out += scnprintf(kmp_ex_result + out, sizeof(kmp_ex_result) - out,
				 "endpoint %d ipis_sent %lld ipis_suppressed %lld full %llu dropped %llu crc_errors %llu bad_magic %llu bad_index %llu\n",
				 k, atomic64_read(&ep->stats.ipis_sent),
				 atomic64_read(&ep->stats.ipis_suppressed),
				 ep->tx.stats.full, ep->rx.stats.dropped,
				 ep->rx.stats.crc_errors, ep->rx.stats.bad_magic,
				 ep->rx.stats.bad_index);
	}
out:
	if (ex && ex->ch)
		kmp_channel_destroy(ex->ch);
	if (ex)
		vfree(ex->expect);
	kfree(ex);
	vfree(buf);
}

static ssize_t kmp_ex_write(struct file *f, const char __user *ubuf, size_t n,
			    loff_t *pos)
{
	char buf[64];
	u32 count;
	u64 seed = 1;

	if (n >= sizeof(buf) || copy_from_user(buf, ubuf, n))
		return -EINVAL;
	buf[n] = '\0';
	if (sscanf(buf, "%u %llu", &count, &seed) < 1 || !count)
		return -EINVAL;
	mutex_lock(&kmp_ex_lock);
	kmp_ex_run(count, seed);
	mutex_unlock(&kmp_ex_lock);
	return n;
}

static ssize_t kmp_ex_read(struct file *f, char __user *ubuf, size_t n,
			   loff_t *pos)
{
	const char *text = file_inode(f)->i_private;

	return simple_read_from_buffer(ubuf, n, pos, text, strlen(text));
}

static const struct file_operations kmp_ex_fops = {
	.read = kmp_ex_read,
	.write = kmp_ex_write,
	.llseek = default_llseek,
};

/* The benchmark: floors and the channel, between the same two CPUs. */
struct kmp_pp {
	u32 ping ____cacheline_aligned;
	u32 pong ____cacheline_aligned;
	u32 iters;
	struct completion done;
};

static int kmp_pp_thread(void *arg)
{
	struct kmp_pp *pp = arg;
	u32 i;

	/* The floor: one acquire and one release each way, as a ring has. */
	for (i = 1; i <= pp->iters; i++) {
		/* Acquire: pairs with the release of ping. */
		while (smp_load_acquire(&pp->ping) != i)
			cpu_relax();
		/* Release: pairs with the acquire of pong. */
		smp_store_release(&pp->pong, i);
	}
	complete(&pp->done);
	return 0;
}

/* ns per round trip of a bare cache line between @a (here) and @b. */
static u64 kmp_bench_floor(int b, u32 iters)
{
	struct kmp_pp *pp = kzalloc(sizeof(*pp), GFP_KERNEL);
	struct task_struct *t;
	u64 t0, ns;
	u32 i;

	if (!pp)
		return 0;
	pp->iters = iters;
	init_completion(&pp->done);
	t = kthread_create(kmp_pp_thread, pp, "kmp-pingpong");
	if (IS_ERR(t)) {
		kfree(pp);
		return 0;
	}
	kthread_bind(t, b);
	wake_up_process(t);
	t0 = ktime_get_ns();
	for (i = 1; i <= iters; i++) {
		/* Release and acquire, as in kmp_pp_thread(). */
		smp_store_release(&pp->ping, i);
		/* Acquire: pairs with the release of pong. */
		while (smp_load_acquire(&pp->pong) != i)
			cpu_relax();
	}
	ns = (ktime_get_ns() - t0) / iters;
	wait_for_completion(&pp->done);
	kfree(pp);
	return ns;
}

struct kmp_sink {
	u32 received;
	wait_queue_head_t wq;
};

static void kmp_sink_handle(struct kmp_endpoint *ep, struct kmp_msg *m, void *priv)
{
	struct kmp_sink *s = priv;

	WRITE_ONCE(s->received, s->received + 1);
	wake_up(&s->wq);
}

/* MB/s of @count messages of @size bytes, endpoint 0 to endpoint 1. */
static u64 kmp_bench_bulk(struct kmp_channel *ch, u8 *buf, u32 size, u32 count)
{
	struct kmp_sink s = {};
	u64 t0, ns;
	u32 i;

	init_waitqueue_head(&s.wq);
	kmp_register_handler(&ch->ep[1], KMP_MSG_VMCORE_DATA, kmp_sink_handle, &s);
	t0 = ktime_get_ns();
	for (i = 0; i < count; i++)
		if (kmp_send(&ch->ep[0], KMP_MSG_VMCORE_DATA, buf, size, 10 * HZ))
			break;
	wait_event_timeout(s.wq, READ_ONCE(s.received) >= i, 30 * HZ);
	ns = ktime_get_ns() - t0;
	/* @s is on this stack: no handler may still be using it. */
	kmp_register_handler(&ch->ep[1], KMP_MSG_VMCORE_DATA, NULL, NULL);
	flush_work(&ch->ep[1].rx_work);
	return s.received == count ? (u64)size * count * 1000 / ns : 0;
}

static u64 kmp_bench_memcpy(u8 *dst, u8 *src, u32 size, u32 window)
{
	u64 t0, total = 256ULL << 20, n;
	u32 off = 0;

	t0 = ktime_get_ns();
	for (n = 0; n * size < total; n++) {
		memcpy(dst + off, src + off, size);
		off = (off + size) % window;
	}
	return n * size * 1000 / (ktime_get_ns() - t0);
}

static void kmp_bench_run(void)
{
	u32 window = 4 << 20, sizes[] = { 4096, 1 << 20 }, i, n = 0;
	u64 floor_ns, rtt_ns, t0, mbs, cp;
	struct kmp_channel *ch;
	u8 *src, *dst, payload[64] = {}, back[64];
	struct kmp_msg reply;
	int a, b, len = 0;

	kmp_ex_two_cpus(&a, &b);
	src = vzalloc(window);
	dst = vzalloc(window);
	ch = kmp_loopback_create("loopback-bench", a, b, 1024, window);
	if (!src || !dst || IS_ERR(ch)) {
		snprintf(kmp_bench_result, sizeof(kmp_bench_result), "error: no memory\n");
		goto out;
	}
	/* The sender runs where endpoint 0 is. */
	set_cpus_allowed_ptr(current, cpumask_of(a));
	floor_ns = kmp_bench_floor(b, 20000);
	t0 = ktime_get_ns();
	for (i = 0; i < 2000; i++) {
		reply.payload = back;
		reply.len = sizeof(back);
		if (kmp_call(&ch->ep[0], KMP_MSG_ECHO, payload, sizeof(payload),
			     &reply, 10 * HZ))
			break;
	}
	rtt_ns = i ? (ktime_get_ns() - t0) / i : 0;
	len += scnprintf(kmp_bench_result + len, sizeof(kmp_bench_result) - len,
			 "cpus %d %d doorbell %s\nfloor: ping-pong %llu ns\nfast: 64-byte call %llu ns, %llu.%02llu x floor\n",
			 a, b, kmp_doorbell_kind(), floor_ns, rtt_ns,
			 rtt_ns / max(floor_ns, 1ULL),
			 rtt_ns * 100 / max(floor_ns, 1ULL) % 100);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		n = (64U << 20) / sizes[i];
		mbs = kmp_bench_bulk(ch, src, sizes[i], n);
		cp = kmp_bench_memcpy(dst, src, sizes[i], window);
		len += scnprintf(kmp_bench_result + len, sizeof(kmp_bench_result) - len,
				 "bulk: %u KiB %llu MB/s, memcpy %llu MB/s, %llu.%02llu of memcpy\n",
				 sizes[i] >> 10, mbs, cp, mbs / max(cp, 1ULL),
				 mbs * 100 / max(cp, 1ULL) % 100);
	}
	set_cpus_allowed_ptr(current, cpu_possible_mask);
out:
	if (!IS_ERR_OR_NULL(ch))
		kmp_channel_destroy(ch);
	vfree(src);
	vfree(dst);
}

static ssize_t kmp_bench_write(struct file *f, const char __user *ubuf,
			       size_t n, loff_t *pos)
{
	mutex_lock(&kmp_ex_lock);
	kmp_bench_run();
	mutex_unlock(&kmp_ex_lock);
	return n;
}

static const struct file_operations kmp_bench_fops = {
	.read = kmp_ex_read,
	.write = kmp_bench_write,
	.llseek = default_llseek,
};

static int __init kmp_exercise_init(void)
{
	struct dentry *dir = kmp_debugfs_dir();

	if (!dir)
		return 0;
	debugfs_create_file("exercise", 0600, dir, kmp_ex_result, &kmp_ex_fops);
	debugfs_create_file("bench", 0600, dir, kmp_bench_result, &kmp_bench_fops);
	return 0;
}
late_initcall(kmp_exercise_init);
