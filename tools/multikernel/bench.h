/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the transaction benchmarks share: failing loudly, writing a CPU
 * list, the 4096-CPU pool, a clock and the median of a run.
 */
#ifndef _MK_BENCH_H
#define _MK_BENCH_H

#include <time.h>

#include "model.h"

static inline void bench_check(int err, const char *what)
{
	if (err) {
		fprintf(stderr, "bench: %s: %d\n", what, err);
		exit(1);
	}
}

/* Property @name: the @n cells @first, @first + 1, ... */
static inline void bench_cells(void *fdt, const char *name, u32 first, u32 n)
{
	static fdt32_t v[MK_MAX_CPUS];
	u32 i;

	for (i = 0; i < n; i++)
		v[i] = cpu_to_fdt32(first + i);
	bench_check(fdt_property(fdt, name, v, n * sizeof(*v)), name);
}

#define BENCH_CPUS	4096
#define BENCH_RESERVED	4	/* CPUs the host keeps */
#define BENCH_POOL_BASE	BIT_ULL(32)

/*
 * Begin a tree in @fdt (@size bytes): the root and the 4096-CPU pool with
 * @pool_bytes of memory, and /instances left open for the caller.
 */
static inline void bench_pool(void *fdt, size_t size, u64 pool_bytes)
{
	bench_check(fdt_create(fdt, size) || fdt_finish_reservemap(fdt) ||
		    fdt_begin_node(fdt, "") ||
		    fdt_property_string(fdt, "compatible", "linux,multikernel-host") ||
		    fdt_begin_node(fdt, "resources") || fdt_begin_node(fdt, "cpus") ||
		    fdt_property_u32(fdt, "total", BENCH_CPUS), "pool");
	bench_cells(fdt, "host-reserved", 0, BENCH_RESERVED);
	bench_cells(fdt, "available", BENCH_RESERVED, BENCH_CPUS - BENCH_RESERVED);
	bench_check(fdt_end_node(fdt) || fdt_begin_node(fdt, "memory") ||
		    fdt_property_u64(fdt, "total-bytes", BENCH_POOL_BASE + pool_bytes) ||
		    fdt_property_u64(fdt, "memory-pool-base", BENCH_POOL_BASE) ||
		    fdt_property_u64(fdt, "memory-pool-bytes", pool_bytes) ||
		    fdt_end_node(fdt) || fdt_end_node(fdt) ||
		    fdt_begin_node(fdt, "instances"), "pool");
}

static inline double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The median of @n times; sorts them. */
static inline double bench_median(double *t, int n)
{
	qsort(t, n, sizeof(*t), bench_cmp_double);
	return t[n / 2];
}

#endif /* _MK_BENCH_H */
