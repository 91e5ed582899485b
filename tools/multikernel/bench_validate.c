// SPDX-License-Identifier: GPL-2.0
/*
 * How the cost of one more transaction grows with the number of instances.
 *
 * Builds a 4096-CPU pool holding N instances (4 CPUs and 64 MiB each), then
 * times what a write to overlays/new does with one more: apply the overlay,
 * place it, parse and validate the whole state. Prints the median of
 * several runs for each N, and the ratio from 100 to 1000 instances.
 *
 *   make -C tools/multikernel bench && build/bench_validate
 */

#include "bench.h"

#define NCPUS		BENCH_CPUS
#define RESERVED	BENCH_RESERVED
#define MEM_EACH	(64ULL << 20)
#define POOL_BASE	BENCH_POOL_BASE
#define RUNS		15

/* The pool with @n instances, already placed, as an effective tree. */
static void *build_state(u32 n)
{
	size_t size = 1 << 22;
	void *fdt = malloc(size);
	char name[32];
	u32 i;

	bench_check(!fdt, "malloc");
	bench_pool(fdt, size, 2048 * MEM_EACH);
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "inst%u", i);
		bench_check(fdt_begin_node(fdt, name) ||
			    fdt_property_u32(fdt, "id", i + 1) ||
			    fdt_begin_node(fdt, "resources"), name);
		bench_cells(fdt, "cpus", RESERVED + 4 * i, 4);
		bench_check(fdt_property_u64(fdt, "memory-base", POOL_BASE + i * MEM_EACH) ||
			    fdt_property_u64(fdt, "memory-bytes", MEM_EACH) ||
			    fdt_end_node(fdt) || fdt_end_node(fdt), name);
	}
	bench_check(fdt_end_node(fdt) || fdt_end_node(fdt) || fdt_finish(fdt), "finish");
	return fdt;
}

/* One more instance that leaves its CPUs, memory and id to the kernel. */
static void *build_overlay(void)
{
	size_t size = 4096;
	void *fdt = malloc(size);

	bench_check(!fdt, "malloc");
	bench_check(fdt_create(fdt, size) || fdt_finish_reservemap(fdt) ||
		    fdt_begin_node(fdt, "") || fdt_begin_node(fdt, "fragment@0") ||
		    fdt_property_string(fdt, "target-path", "/instances") ||
		    fdt_begin_node(fdt, "__overlay__") || fdt_begin_node(fdt, "extra") ||
		    fdt_begin_node(fdt, "resources") ||
		    fdt_property_u32(fdt, "cpu-count", 4) ||
		    fdt_property_u64(fdt, "memory-bytes", MEM_EACH) ||
		    fdt_end_node(fdt) || fdt_end_node(fdt) || fdt_end_node(fdt) ||
		    fdt_end_node(fdt) || fdt_end_node(fdt) || fdt_finish(fdt), "overlay");
	return fdt;
}

/* Median seconds for one transaction on a state of @n instances. */
static double time_one(u32 n)
{
	void *state = build_state(n), *ovl = build_overlay();
	double t[RUNS];
	int r;

	for (r = 0; r < RUNS; r++) {
		struct mk_tx_result res;
		struct mk_report rep;
		double start = bench_now();

		mk_report_init(&rep);
		bench_check(mk_tx_compute(state, ovl, fdt_totalsize(ovl), NULL, 0, &res,
					  &rep), "transaction");
		t[r] = bench_now() - start;
		if (res.st.ninstances != n + 1)
			bench_check(1, "instance count");
		mk_tx_result_free(&res);
		mk_report_free(&rep);
	}
	free(state);
	free(ovl);
	return bench_median(t, RUNS);
}

int main(void)
{
	static const u32 sizes[] = { 10, 100, 1000 };
	double t[ARRAY_SIZE(sizes)];
	u32 i;

	printf("pool: %u CPUs; one transaction = apply + place + parse + validate\n",
	       NCPUS);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		t[i] = time_one(sizes[i]);
		printf("%5u instances: %9.1f us (median of %d)\n", sizes[i],
		       t[i] * 1e6, RUNS);
	}
	printf("100 -> 1000 instances: %.1fx (limit about 12x)\n", t[2] / t[1]);
	return t[2] / t[1] > 12.0;
}
