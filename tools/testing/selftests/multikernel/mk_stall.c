// SPDX-License-Identifier: GPL-2.0
/*
 * A host task on one CPU that measures how much of that CPU it gets:
 *
 *   mk_stall CPU SECONDS
 *
 * pins itself to CPU, spins on CLOCK_MONOTONIC for SECONDS, and prints
 * "loops_per_ms N max_stall_us M": how fast it went round, and the
 * longest it went without running. Run once alone and once beside
 * something, the ratio of loops_per_ms is the share of the CPU that
 * something left it, and max_stall_us the longest it held the task off.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long long start, end, t, last, gap, max_gap = 0, loops = 0;
	cpu_set_t set;

	if (argc != 3) {
		fprintf(stderr, "usage: %s CPU SECONDS\n", argv[0]);
		return 2;
	}
	CPU_ZERO(&set);
	CPU_SET(atoi(argv[1]), &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		perror("sched_setaffinity");
		return 2;
	}
	start = now_ns();
	end = start + atoll(argv[2]) * 1000000000LL;
	for (last = start; last < end; last = t, loops++) {
		t = now_ns();
		gap = t - last;
		if (gap > max_gap)
			max_gap = gap;
	}
	printf("loops_per_ms %lld max_stall_us %lld\n",
	       loops * 1000000 / (last - start), max_gap / 1000);
	return 0;
}
