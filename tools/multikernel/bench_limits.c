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

#include "bench.h"

#define RESERVED	BENCH_RESERVED
#define MEM_EACH	(16ULL << 20)
#define POOL_BASE	BENCH_POOL_BASE
#define RUNS		9

static void *build_pool(void)
{
	size_t size = 1 << 16;
	void *fdt = malloc(size);

	bench_check(!fdt, "malloc");
	bench_pool(fdt, size, 4096 * MEM_EACH);
	bench_check(fdt_end_node(fdt) || fdt_end_node(fdt) || fdt_finish(fdt),
		    "pool");
	return fdt;
}

/* @n instances of 4 CPUs and MEM_EACH, given explicitly or left to place. */
static void *build_overlay(u32 n, bool placed)
{
	size_t size = 256 * n + 4096;
	void *fdt = malloc(size);
	char name[32];
	u32 i;

	bench_check(!fdt, "malloc");
	bench_check(fdt_create(fdt, size) || fdt_finish_reservemap(fdt) ||
		    fdt_begin_node(fdt, "") || fdt_begin_node(fdt, "fragment@0") ||
		    fdt_property_string(fdt, "target-path", "/instances") ||
		    fdt_begin_node(fdt, "__overlay__"), "overlay");
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "inst%u", i);
		bench_check(fdt_begin_node(fdt, name) || fdt_begin_node(fdt, "resources"),
			    name);
		if (placed) {
			bench_check(fdt_property_u32(fdt, "cpu-count", 4), name);
		} else {
			bench_cells(fdt, "cpus", RESERVED + 4 * (i % 1000), 4);
			bench_check(fdt_property_u64(fdt, "memory-base",
						     POOL_BASE + (i % 1000) * MEM_EACH), name);
		}
		bench_check(fdt_property_u64(fdt, "memory-bytes", MEM_EACH) ||
			    fdt_end_node(fdt) || fdt_end_node(fdt), name);
	}
	bench_check(fdt_end_node(fdt) || fdt_end_node(fdt) || fdt_end_node(fdt) ||
		    fdt_finish(fdt), "overlay");
	return fdt;
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

		start = bench_now();
		for (i = 0; i < n; i++)
			sum += w[i];
		bench_limits_sum += sum;
		t[r] = bench_now() - start;
	}
	return bench_median(t, RUNS);
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
		start = bench_now();
		err = mk_tx_compute(base, ovl, fdt_totalsize(ovl), NULL, 0, &res,
				    &rep);
		t[r] = bench_now() - start;
		if (err != want) {
			fprintf(stderr, "%s", rep.buf ? rep.buf : "");
			bench_check(1, "unexpected result");
		}
		*ninst = res.st.ninstances;
		mk_tx_result_free(&res);
		mk_report_free(&rep);
	}
	return bench_median(t, RUNS);
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
