// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark of the KMP ring, the kernel's own kmp_ring.c built in user
 * space, between two threads pinned to two CPUs, against two floors
 * measured in the same run: a bare cache-line ping-pong between the same
 * CPUs, and memcpy() bandwidth.
 *
 *   bench_kmp [CPU_A CPU_B]
 *
 * Prints the fast-path round trip of 64-byte messages and the bulk
 * throughput of 4 KiB and 1 MiB messages, each with its ratio to its floor.
 * The machine's other load (a virtual machine's CPUs are shared) moves
 * both alike, so each figure is measured in short rounds that alternate
 * with its floor's, and the median of the rounds is reported.
 */

#include <pthread.h>
#include <sched.h>
#include <time.h>

#include "kmp_ring.h"

#define NSLOTS		1024
#define BULK		(4U << 20)
#define ROUNDS		15

static int cpu_a, cpu_b = 1;

static u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set)) {
		fprintf(stderr, "bench_kmp: cannot run on CPU %d\n", cpu);
		exit(1);
	}
}

/* Two threads, a barrier, and the function each runs. */
struct job {
	void (*fn)(struct job *j, bool first);
	pthread_barrier_t start;
	u64 iters;
	u32 size;
	/* the floor */
	u32 ping __aligned(64);
	u32 pong __aligned(64);
	/* the channel: a to b, and b to a */
	void *shm_ab, *shm_ba;
	u64 ns;
};

static void *second(void *arg)
{
	struct job *j = arg;

	pin(cpu_b);
	pthread_barrier_wait(&j->start);
	j->fn(j, false);
	return NULL;
}

static u64 run(struct job *j)
{
	size_t bytes = kmp_ring_bytes(NSLOTS, BULK);
	pthread_t t;
	u64 t0;

	/* Each run starts a channel afresh. */
	memset(j->shm_ab, 0, bytes);
	memset(j->shm_ba, 0, bytes);
	pthread_barrier_init(&j->start, NULL, 2);
	pthread_create(&t, NULL, second, j);
	pin(cpu_a);
	pthread_barrier_wait(&j->start);
	t0 = now_ns();
	j->fn(j, true);
	j->ns = now_ns() - t0;
	pthread_join(t, NULL);
	pthread_barrier_destroy(&j->start);
	return j->ns;
}

static void pingpong(struct job *j, bool first)
{
	u32 i;

	for (i = 1; i <= j->iters; i++) {
		if (first) {
			__atomic_store_n(&j->ping, i, __ATOMIC_RELEASE);
			while (__atomic_load_n(&j->pong, __ATOMIC_ACQUIRE) != i)
				;
		} else {
			while (__atomic_load_n(&j->ping, __ATOMIC_ACQUIRE) != i)
				;
			__atomic_store_n(&j->pong, i, __ATOMIC_RELEASE);
		}
	}
}

static void ring_views(struct job *j, bool first, struct kmp_ring *tx,
		       struct kmp_ring *rx)
{
	size_t bytes = kmp_ring_bytes(NSLOTS, BULK);

	kmp_ring_init(tx, first ? j->shm_ab : j->shm_ba, bytes, NSLOTS, BULK, false);
	kmp_ring_init(rx, first ? j->shm_ba : j->shm_ab, bytes, NSLOTS, BULK, false);
}

static void send_spin(struct kmp_ring *tx, struct kmp_header *h, const void *p)
{
	u32 done = 0, len = le32_to_cpu(h->payload_len);

	do {
		while (kmp_ring_send(tx, h, p, &done) == -EAGAIN)
			;
	} while (done < len);
}

static struct kmp_msg recv_spin(struct kmp_ring *rx)
{
	struct kmp_msg m;
	int ret;

	while ((ret = kmp_ring_recv(rx, &m)) != 1) {
		if (ret == -EPIPE || ret == -EBADMSG || ret == -EBUSY) {
			fprintf(stderr, "bench_kmp: receive failed: %d\n", ret);
			exit(1);
		}
	}
	return m;
}

/* a sends a message, b sends it back from where it arrived. */
static void fast_rtt(struct job *j, bool first)
{
	struct kmp_ring tx, rx;
	struct kmp_header h;
	struct kmp_msg m;
	u8 buf[64] = { 1 };
	u32 i;

	ring_views(j, first, &tx, &rx);
	for (i = 0; i < j->iters; i++) {
		if (first) {
			kmp_header_fill(&h, KMP_MSG_ECHO, i, sizeof(buf), 0);
			send_spin(&tx, &h, buf);
			m = recv_spin(&rx);
		} else {
			m = recv_spin(&rx);
			kmp_header_fill(&h, KMP_MSG_ECHO | KMP_REPLY, m.seq, m.len, 0);
			send_spin(&tx, &h, m.payload);
		}
		kmp_ring_done(&rx);
	}
}

/* a streams messages of j->size bytes, b takes them in place. */
static void bulk_stream(struct job *j, bool first)
{
	struct kmp_ring tx, rx;
	struct kmp_header h;
	struct kmp_msg m;
	u8 *buf = malloc(j->size);
	u32 i;

	memset(buf, 0x5a, j->size);
	ring_views(j, first, &tx, &rx);
	for (i = 0; i < j->iters; i++) {
		if (first) {
			kmp_header_fill(&h, KMP_MSG_VMCORE_DATA, i, j->size, 0);
			send_spin(&tx, &h, buf);
		} else {
			m = recv_spin(&rx);
			if (m.len != j->size || m.seq != i) {
				fprintf(stderr, "bench_kmp: got %u bytes, seq %u\n", m.len, m.seq);
				exit(1);
			}
			kmp_ring_done(&rx);
		}
	}
	/* The sender's clock stops when the receiver has released everything. */
	if (first)
		while (__atomic_load_n(&tx.ctrl->tail, __ATOMIC_ACQUIRE) != tx.head)
			;
	else
		kmp_ring_flush(&rx);
	free(buf);
}

/*
 * memcpy() of messages of @size bytes through source and destination
 * windows as large as the bulk area, so that the floor works on as much
 * memory as the channel does rather than on one cache-hot buffer.
 */
static double memcpy_gbs(u32 size, u64 total)
{
	u8 *src = malloc(BULK), *dst = malloc(BULK);
	u64 t0, n;
	u32 off = 0;

	memset(src, 1, BULK);
	memset(dst, 2, BULK);
	t0 = now_ns();
	for (n = 0; n * size < total; n++) {
		memcpy(dst + off, src + off, size);
		__asm__ volatile("" : : "r"(dst) : "memory");
		off = (off + size) & (BULK - 1);
	}
	t0 = now_ns() - t0;
	free(src);
	free(dst);
	return (double)n * size / t0;
}

static void *new_shm(void)
{
	size_t bytes = kmp_ring_bytes(NSLOTS, BULK);
	void *p = aligned_alloc(4096, bytes);

	if (!p)
		exit(1);
	memset(p, 0, bytes);
	return p;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v)
{
	qsort(v, ROUNDS, sizeof(*v), cmp_double);
	return v[ROUNDS / 2];
}

static void fast_path(struct job *j)
{
	double floor_ns[ROUNDS], rtt_ns[ROUNDS], ratio[ROUNDS];
	int i;

	for (i = 0; i < ROUNDS; i++) {
		j->fn = pingpong;
		j->iters = 100000;
		floor_ns[i] = (double)run(j) / j->iters;
		j->fn = fast_rtt;
		rtt_ns[i] = (double)run(j) / j->iters;
		ratio[i] = rtt_ns[i] / floor_ns[i];
	}
	printf("floor: cache-line ping-pong, CPUs %d and %d: %.0f ns round trip\n",
	       cpu_a, cpu_b, median(floor_ns));
	printf("fast path: 64-byte message and reply: %.0f ns round trip, %.2fx the floor",
	       median(rtt_ns), median(ratio));
	printf(" (goal: at most 2x)\n");
}

static void bulk_path(struct job *j, u32 size)
{
	double gbs[ROUNDS], cp[ROUNDS], ratio[ROUNDS];
	u64 total = 256ULL << 20;
	int i;

	for (i = 0; i < ROUNDS; i++) {
		j->fn = bulk_stream;
		j->size = size;
		j->iters = total / size;
		gbs[i] = (double)total / run(j);
		cp[i] = memcpy_gbs(size, total);
		ratio[i] = gbs[i] / cp[i];
	}
	printf("bulk: %u KiB messages: %.2f GB/s; memcpy %.2f GB/s; %.2f of memcpy",
	       size >> 10, median(gbs), median(cp), median(ratio));
	printf(" (goal: at least 0.5)\n");
}

int main(int argc, char **argv)
{
	static struct job j;

	if (argc == 3) {
		cpu_a = atoi(argv[1]);
		cpu_b = atoi(argv[2]);
	}
	j.shm_ab = new_shm();
	j.shm_ba = new_shm();
	fast_path(&j);
	bulk_path(&j, 4096);
	bulk_path(&j, 1U << 20);
	return 0;
}
