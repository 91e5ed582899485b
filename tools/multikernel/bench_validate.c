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

#include <time.h>

#include "model.h"

#define NCPUS		4096
#define RESERVED	4
#define MEM_EACH	(64ULL << 20)
#define POOL_BASE	BIT_ULL(32)
#define RUNS		15

static void check(int err, const char *what)
{
	if (err) {
		fprintf(stderr, "bench_validate: %s: %d\n", what, err);
		exit(1);
	}
}

static void cells(void *fdt, const char *name, u32 first, u32 n)
{
	fdt32_t v[NCPUS];
	u32 i;

	for (i = 0; i < n; i++)
		v[i] = cpu_to_fdt32(first + i);
	check(fdt_property(fdt, name, v, n * sizeof(*v)), name);
}

/* The pool with @n instances, already placed, as an effective tree. */
static void *build_state(u32 n)
{
	size_t size = 1 << 22;
	void *fdt = malloc(size);
	char name[32];
	u32 i;

	check(!fdt, "malloc");
	check(fdt_create(fdt, size) || fdt_finish_reservemap(fdt) ||
	      fdt_begin_node(fdt, "") ||
	      fdt_property_string(fdt, "compatible", "linux,multikernel-host") ||
	      fdt_begin_node(fdt, "resources") || fdt_begin_node(fdt, "cpus") ||
	      fdt_property_u32(fdt, "total", NCPUS), "pool");
	cells(fdt, "host-reserved", 0, RESERVED);
	cells(fdt, "available", RESERVED, NCPUS - RESERVED);
	check(fdt_end_node(fdt) || fdt_begin_node(fdt, "memory") ||
	      fdt_property_u64(fdt, "total-bytes", POOL_BASE + 2048 * MEM_EACH) ||
	      fdt_property_u64(fdt, "memory-pool-base", POOL_BASE) ||
	      fdt_property_u64(fdt, "memory-pool-bytes", 2048 * MEM_EACH) ||
	      fdt_end_node(fdt) || fdt_end_node(fdt) ||
	      fdt_begin_node(fdt, "instances"), "memory");
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "inst%u", i);
		check(fdt_begin_node(fdt, name) ||
		      fdt_property_u32(fdt, "id", i + 1) ||
		      fdt_begin_node(fdt, "resources"), name);
		cells(fdt, "cpus", RESERVED + 4 * i, 4);
		check(fdt_property_u64(fdt, "memory-base", POOL_BASE + i * MEM_EACH) ||
		      fdt_property_u64(fdt, "memory-bytes", MEM_EACH) ||
		      fdt_end_node(fdt) || fdt_end_node(fdt), name);
	}
	check(fdt_end_node(fdt) || fdt_end_node(fdt) || fdt_finish(fdt), "finish");
	return fdt;
}

/* One more instance that leaves its CPUs, memory and id to the kernel. */
static void *build_overlay(void)
{
	size_t size = 4096;
	void *fdt = malloc(size);

	check(!fdt, "malloc");
	check(fdt_create(fdt, size) || fdt_finish_reservemap(fdt) ||
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

/* Median seconds for one transaction on a state of @n instances. */
static double time_one(u32 n)
{
	void *state = build_state(n), *ovl = build_overlay();
	double t[RUNS];
	int r;

	for (r = 0; r < RUNS; r++) {
		struct mk_tx_result res;
		struct mk_report rep;
		double start = now();

		mk_report_init(&rep);
		check(mk_tx_compute(state, ovl, fdt_totalsize(ovl), NULL, 0, &res,
				    &rep), "transaction");
		t[r] = now() - start;
		if (res.st.ninstances != n + 1)
			check(1, "instance count");
		mk_tx_result_free(&res);
		mk_report_free(&rep);
	}
	free(state);
	free(ovl);
	qsort(t, RUNS, sizeof(t[0]), cmp_double);
	return t[RUNS / 2];
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
