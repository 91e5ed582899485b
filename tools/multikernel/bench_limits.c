// SPDX-License-Identifier: GPL-2.0
/*
 * How fast an over-limit overlay is refused, and a large valid one applied.
 *
 * On a 4096-CPU pool: an overlay of 5,000 small instances, 1,024 over the
 * limit, must be refused in time proportional to its size: the figure is
 * its ratio to reading the blob once (summing it word by word), and the
 * goal is at most 10. Then one transaction that adds 1,000 instances,
 * with their CPUs and memory given, and one that leaves both to the
 * kernel.
 *
 *   make -C tools/multikernel bench && build/bench_limits
 */

#include <time.h>

#include "model.h"

#define NCPUS		4096
#define RESERVED	4
#define MEM_EACH	(16ULL << 20)
#define POOL_BASE	BIT_ULL(32)
#define RUNS		9

static void check(int err, const char *what)
{
	if (err) {
		fprintf(stderr, "bench_limits: %s: %d\n", what, err);
		exit(1);
	}
}

static void cells(void *fdt, const char *name, u32 first, u32 n)
{
	static fdt32_t v[NCPUS];
	u32 i;

	for (i = 0; i < n; i++)
		v[i] = cpu_to_fdt32(first + i);
	check(fdt_property(fdt, name, v, n * sizeof(*v)), name);
}

static void *build_pool(void)
{
	size_t size = 1 << 16;
	void *fdt = malloc(size);

	check(!fdt, "malloc");
	check(fdt_create(fdt, size) || fdt_finish_reservemap(fdt) ||
	      fdt_begin_node(fdt, "") ||
	      fdt_property_string(fdt, "compatible", "linux,multikernel-host") ||
	      fdt_begin_node(fdt, "resources") || fdt_begin_node(fdt, "cpus") ||
	      fdt_property_u32(fdt, "total", NCPUS), "pool");
	cells(fdt, "host-reserved", 0, RESERVED);
	cells(fdt, "available", RESERVED, NCPUS - RESERVED);
	check(fdt_end_node(fdt) || fdt_begin_node(fdt, "memory") ||
	      fdt_property_u64(fdt, "total-bytes", POOL_BASE + 4096 * MEM_EACH) ||
	      fdt_property_u64(fdt, "memory-pool-base", POOL_BASE) ||
	      fdt_property_u64(fdt, "memory-pool-bytes", 4096 * MEM_EACH) ||
	      fdt_end_node(fdt) || fdt_end_node(fdt) ||
	      fdt_begin_node(fdt, "instances") || fdt_end_node(fdt) ||
	      fdt_end_node(fdt) || fdt_finish(fdt), "pool");
	return fdt;
}

/* @n instances of 4 CPUs and MEM_EACH, given explicitly or left to place. */
static void *build_overlay(u32 n, bool placed)
{
	size_t size = 256 * n + 4096;
	void *fdt = malloc(size);
	char name[32];
	u32 i;

	check(!fdt, "malloc");
	check(fdt_create(fdt, size) || fdt_finish_reservemap(fdt) ||
	      fdt_begin_node(fdt, "") || fdt_begin_node(fdt, "fragment@0") ||
	      fdt_property_string(fdt, "target-path", "/instances") ||
	      fdt_begin_node(fdt, "__overlay__"), "overlay");
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "inst%u", i);
		check(fdt_begin_node(fdt, name) || fdt_begin_node(fdt, "resources"),
		      name);
		if (placed) {
			check(fdt_property_u32(fdt, "cpu-count", 4), name);
		} else {
			cells(fdt, "cpus", RESERVED + 4 * (i % 1000), 4);
			check(fdt_property_u64(fdt, "memory-base",
					       POOL_BASE + (i % 1000) * MEM_EACH), name);
		}
		check(fdt_property_u64(fdt, "memory-bytes", MEM_EACH) ||
		      fdt_end_node(fdt) || fdt_end_node(fdt), name);
	}
	check(fdt_end_node(fdt) || fdt_end_node(fdt) || fdt_end_node(fdt) ||
	      fdt_finish(fdt), "overlay");
	return fdt;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *t)
{
	qsort(t, RUNS, sizeof(*t), cmp_double);
	return t[RUNS / 2];
}

/* Where time_read() leaves its sum, so that the reads are not dropped. */
u32 bench_limits_sum;

/* Reading the blob once: every word, summed. */
static double time_read(const void *blob)
{
	const u32 *w = blob;
	size_t i, n = fdt_totalsize(blob) / 4;
	double t[RUNS], start;
	int r;

	for (r = 0; r < RUNS; r++) {
		u32 sum = 0;

		start = now();
		for (i = 0; i < n; i++)
			sum += w[i];
		bench_limits_sum += sum;
		t[r] = now() - start;
	}
	return median(t);
}

/* Median seconds for one transaction; @want is its expected result. */
static double time_tx(const void *base, const void *ovl, int want, u32 *ninst)
{
	struct mk_tx_result res;
	struct mk_report rep;
	double t[RUNS], start;
	int r, err;

	for (r = 0; r < RUNS; r++) {
		mk_report_init(&rep);
		start = now();
		err = mk_tx_compute(base, ovl, fdt_totalsize(ovl), NULL, 0, &res,
				    &rep);
		t[r] = now() - start;
		if (err != want) {
			fprintf(stderr, "%s", rep.buf ? rep.buf : "");
			check(1, "unexpected result");
		}
		*ninst = res.st.ninstances;
		mk_tx_result_free(&res);
		mk_report_free(&rep);
	}
	return median(t);
}

int main(void)
{
	void *pool = build_pool(), *big = build_overlay(5000, false);
	void *given = build_overlay(1000, false), *placed = build_overlay(1000, true);
	double read, refuse, t;
	u32 n;

	read = time_read(big);
	refuse = time_tx(pool, big, -E2BIG, &n);
	printf("refuse 5000 instances (%u KiB): %.1f us; reading it once: %.1f us\n",
	       fdt_totalsize(big) >> 10, refuse * 1e6, read * 1e6);
	printf("refusing takes %.1fx reading once (goal: at most 10x)\n",
	       refuse / read);
	t = time_tx(pool, given, 0, &n);
	printf("apply 1000 instances, CPUs and memory given (%u KiB): %.1f ms, %u instances\n",
	       fdt_totalsize(given) >> 10, t * 1e3, n);
	t = time_tx(pool, placed, 0, &n);
	printf("apply 1000 instances, placed by the kernel (%u KiB): %.1f ms, %u instances\n",
	       fdt_totalsize(placed) >> 10, t * 1e3, n);
	free(pool);
	free(big);
	free(given);
	free(placed);
	return refuse / read > 10.0;
}
