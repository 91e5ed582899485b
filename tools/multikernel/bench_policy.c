// SPDX-License-Identifier: GPL-2.0
/*
 * What one placement costs with the built-in CPU policies on the largest
 * pool: 4096 CPUs in 64 NUMA nodes of 32 two-thread cores, with the free
 * CPUs whole or scattered (one in three held). A transaction pays this
 * once per instance it places, under the filesystem's lock.
 *
 *   make -C tools/multikernel bench && build/bench_policy
 */

#include <time.h>

#include "policy.h"

#define NCPUS	4096
#define NNODES	64
#define RUNS	9

static struct mk_numa_node numa[NNODES];
static u32 core[NCPUS], distance[NNODES * NNODES];
static struct mk_pool pool;
static struct mk_view view;
static struct mk_span span;

static void build(bool scattered)
{
	u32 i, j, per = NCPUS / NNODES;

	memset(&pool, 0, sizeof(pool));
	memset(numa, 0, sizeof(numa));
	pool.total_cpus = NCPUS;
	pool.pool_bytes = 1ULL << 40;
	pool.nnuma = NNODES;
	pool.numa = numa;
	pool.distance = distance;
	pool.core = core;
	for (i = 0; i < NCPUS; i++) {
		core[i] = i / 2;
		__set_bit(i, pool.available.bits);
		__set_bit(i, numa[i / per].cpus.bits);
	}
	for (i = 0; i < NNODES; i++) {
		numa[i].id = i;
		numa[i].mem_base = (u64)i << 34;
		numa[i].mem_size = 1ULL << 34;
		for (j = 0; j < NNODES; j++)	/* a ring of nodes */
			distance[i * NNODES + j] = i == j ? 10 :
				12 + 2 * min((i - j + NNODES) % NNODES,
					     (j - i + NNODES) % NNODES);
	}
	memset(&view, 0, sizeof(view));
	view.pool = &pool;
	view.free_cpus = pool.available;
	for (i = 0; scattered && i < NCPUS; i += 3)
		view.free_cpus.bits[i / BITS_PER_LONG] &= ~BIT(i % BITS_PER_LONG);
	span.start = 0;
	span.end = pool.pool_bytes;
	view.spans = &span;
	view.nspans = 1;
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double place_us(enum mk_affinity aff, u32 count)
{
	struct mk_request req = { .name = "bench", .cpu_count = count,
				  .affinity = aff };
	static struct mk_cpus out;
	struct mk_report rep;
	double t[RUNS], t0;
	const char *by;
	int i;

	for (i = 0; i < RUNS; i++) {
		mk_report_init(&rep);
		t0 = now_us();
		if (mk_place_cpus(NULL, &view, &req, &out, &by, &rep)) {
			fprintf(stderr, "bench_policy: %s of %u failed:\n%s",
				mk_cpu_policy(aff)->name, count, rep.buf);
			exit(1);
		}
		t[i] = now_us() - t0;
		mk_report_free(&rep);
	}
	qsort(t, RUNS, sizeof(*t), cmp_double);
	return t[RUNS / 2];
}

int main(void)
{
	static const u32 counts[] = { 8, 32, 512, 2048 };
	static const char * const pools[] = { "whole", "scattered" };
	enum mk_affinity aff;
	u32 p, k;

	printf("median us per placement, %d CPUs, %d nodes, SMT 2 (%d runs)\n",
	       NCPUS, NNODES, RUNS);
	printf("%-10s %-8s %10s %10s %10s %10s\n", "pool", "policy",
	       "8", "32", "512", "2048");
	for (p = 0; p < ARRAY_SIZE(pools); p++) {
		build(p);
		for (aff = MK_AFFINITY_FIRST; aff <= MK_AFFINITY_LOCAL; aff++) {
			printf("%-10s %-8s", pools[p], mk_cpu_policy(aff)->name);
			for (k = 0; k < ARRAY_SIZE(counts); k++) {
				/* local keeps to one node, which has 42 free. */
				if (aff == MK_AFFINITY_LOCAL && counts[k] > 32) {
					printf(" %10s", "-");
					continue;
				}
				printf(" %10.1f", place_us(aff, counts[k]));
			}
			printf("\n");
		}
	}
	return 0;
}
