// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the built-in placement policies, on pools built here:
 * one node with SMT, two nodes with SMT, four nodes with an asymmetric
 * distance table, and a pool whose free CPUs are scattered. Each case
 * names the CPUs or the memory base the documented rule gives.
 */

#include <kunit/test.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include "policy.h"

struct mk_topo {
	struct mk_pool pool;
	struct mk_view view;
	struct mk_request req;
	struct mk_cpus out;
	struct mk_report rep;
	struct mk_span span;
	u32 core[32];
	u32 distance[16];
	struct mk_numa_node numa[4];
};

static void mk_cpus_set(struct mk_cpus *cpus, u32 first, u32 last)
{
	for (; first <= last; first++)
		__set_bit(first, cpus->bits);
}

/*
 * @ncpus CPUs, @threads per core, split evenly over @nnodes nodes of
 * 1 GiB each from address 0; every CPU free and the pool all memory.
 */
static struct mk_topo *mk_topo_new(struct kunit *test, u32 ncpus,
				   u32 threads, u32 nnodes)
{
	struct mk_topo *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	u32 i, per = nnodes ? ncpus / nnodes : 0;

	KUNIT_ASSERT_NOT_NULL(test, t);
	t->pool.total_cpus = ncpus;
	t->pool.pool_base = 0;
	t->pool.pool_bytes = (u64)max(nnodes, 1U) << 30;
	for (i = 0; i < ncpus; i++)
		t->core[i] = i / threads;
	t->pool.core = t->core;
	t->pool.nnuma = nnodes;
	t->pool.numa = t->numa;
	for (i = 0; i < nnodes; i++) {
		t->numa[i].id = i;
		t->numa[i].mem_base = (u64)i << 30;
		t->numa[i].mem_size = 1ULL << 30;
		mk_cpus_set(&t->numa[i].cpus, i * per, (i + 1) * per - 1);
	}
	mk_cpus_set(&t->pool.available, 0, ncpus - 1);
	t->view.pool = &t->pool;
	t->view.free_cpus = t->pool.available;
	t->span.start = 0;
	t->span.end = t->pool.pool_bytes;
	t->view.spans = &t->span;
	t->view.nspans = 1;
	t->req.name = "test";
	mk_report_init(&t->rep);
	return t;
}

static void mk_topo_free(struct mk_topo *t)
{
	mk_report_free(&t->rep);
}

/* Place @count CPUs with @aff; expect @want as a cpulist, or an error. */
static void mk_expect_cpus(struct kunit *test, struct mk_topo *t,
			   enum mk_affinity aff, u32 count, const char *want)
{
	const char *by = NULL;
	char got[128];
	int err;

	t->req.affinity = aff;
	t->req.cpu_count = count;
	err = mk_place_cpus(NULL, &t->view, &t->req, &t->out, &by, &t->rep);
	KUNIT_ASSERT_EQ_MSG(test, err, 0, "%s", t->rep.buf ?: "");
	KUNIT_EXPECT_STREQ(test, by, mk_cpu_policy(aff)->name);
	mk_bits_format(got, sizeof(got), t->out.bits, MK_MAX_CPUS);
	KUNIT_EXPECT_STREQ_MSG(test, got, want, "%s of %u", by, count);
}

static void mk_expect_finding(struct kunit *test, struct mk_topo *t,
			      const char *want)
{
	KUNIT_EXPECT_NOT_NULL_MSG(test, t->rep.buf ? strstr(t->rep.buf, want) : NULL,
				  "want \"%s\" in:\n%s", want, t->rep.buf ?: "(none)");
}

static void mk_expect_no_cpus(struct kunit *test, struct mk_topo *t,
			      enum mk_affinity aff, u32 count, const char *want)
{
	const char *by = NULL;

	t->req.affinity = aff;
	t->req.cpu_count = count;
	KUNIT_EXPECT_EQ(test, mk_place_cpus(NULL, &t->view, &t->req, &t->out,
					    &by, &t->rep), -ENOSPC);
	mk_expect_finding(test, t, want);
}

static void mk_expect_mem(struct kunit *test, struct mk_topo *t,
			  enum mk_mempolicy pol, u64 bytes, u64 want)
{
	const char *by = NULL;
	u64 base = U64_MAX;
	int err;

	t->req.mempolicy = pol;
	t->req.mem_bytes = bytes;
	err = mk_place_memory(NULL, &t->view, &t->req, &base, &by, &t->rep);
	KUNIT_ASSERT_EQ_MSG(test, err, 0, "%s", t->rep.buf ?: "");
	KUNIT_EXPECT_EQ_MSG(test, base, want, "%s of %#llx", by, bytes);
}

static void mk_expect_no_mem(struct kunit *test, struct mk_topo *t,
			     enum mk_mempolicy pol, u64 bytes, const char *want)
{
	const char *by = NULL;
	u64 base;

	t->req.mempolicy = pol;
	t->req.mem_bytes = bytes;
	KUNIT_EXPECT_EQ(test, mk_place_memory(NULL, &t->view, &t->req, &base,
					      &by, &t->rep), -ENOSPC);
	mk_expect_finding(test, t, want);
}

/* One node, 8 CPUs in 4 two-thread cores. */
static void mk_policy_one_node(struct kunit *test)
{
	struct mk_topo *t = mk_topo_new(test, 8, 2, 0);

	mk_expect_cpus(test, t, MK_AFFINITY_FIRST, 3, "0-2");
	mk_expect_cpus(test, t, MK_AFFINITY_COMPACT, 3, "0-2");
	mk_expect_cpus(test, t, MK_AFFINITY_COMPACT, 4, "0-3");
	/* One thread of every core before a second of any. */
	mk_expect_cpus(test, t, MK_AFFINITY_SPREAD, 3, "0,2,4");
	mk_expect_cpus(test, t, MK_AFFINITY_SPREAD, 6, "0-4,6");
	/* Without NUMA nodes, the pool is the one node. */
	mk_expect_cpus(test, t, MK_AFFINITY_LOCAL, 8, "0-7");
	mk_expect_no_cpus(test, t, MK_AFFINITY_COMPACT, 9,
			  "error: cpu-exhausted: test: cpu-count is 9 but only 8 CPUs are free: 0-7");
	mk_expect_mem(test, t, MK_MEMPOLICY_FIRST, SZ_1M, 0);
	mk_topo_free(t);
}

/* Two nodes of 8 CPUs, two threads per core; CPU 0 is the host's. */
static void mk_policy_two_nodes_smt(struct kunit *test)
{
	struct mk_topo *t = mk_topo_new(test, 16, 2, 2);

	t->pool.host_reserved.bits[0] = 1;
	t->view.free_cpus.bits[0] &= ~1UL;

	/* compact: the fuller node that fits, whole cores first. */
	mk_expect_cpus(test, t, MK_AFFINITY_COMPACT, 4, "2-5");
	/* A single CPU goes where a core is already broken. */
	mk_expect_cpus(test, t, MK_AFFINITY_COMPACT, 1, "1");
	/* Too many for a node: the emptier node whole, then the other. */
	mk_expect_cpus(test, t, MK_AFFINITY_COMPACT, 9, "1,8-15");
	/* spread: the emptier node first, one thread per core. */
	mk_expect_cpus(test, t, MK_AFFINITY_SPREAD, 4, "1-2,8,10");
	mk_expect_cpus(test, t, MK_AFFINITY_LOCAL, 4, "2-5");
	mk_expect_cpus(test, t, MK_AFFINITY_LOCAL, 8, "8-15");
	mk_expect_no_cpus(test, t, MK_AFFINITY_LOCAL, 9,
			  "error: cpu-exhausted: test: cpu-affinity \"local\" needs 9 CPUs on one NUMA node, but at most 8 are free on any one");

	/* numa-nodes limits the CPUs. */
	t->req.nnuma = 1;
	t->req.numa_nodes = &t->numa[1].id;
	mk_expect_cpus(test, t, MK_AFFINITY_FIRST, 2, "8-9");
	mk_expect_no_cpus(test, t, MK_AFFINITY_SPREAD, 9,
			  "cpu-count is 9 but only 8 CPUs are free on its numa-nodes: 8-15");
	mk_topo_free(t);
}

/* Memory on two nodes; the pool straddles them, 512 MiB on each. */
static void mk_policy_two_nodes_memory(struct kunit *test)
{
	struct mk_topo *t = mk_topo_new(test, 16, 2, 2);
	u32 node0 = 0;

	t->span.start = SZ_512M;
	t->span.end = SZ_1G + SZ_512M;
	mk_cpus_set(&t->req.cpus, 8, 9);	/* home: node 1 */

	mk_expect_mem(test, t, MK_MEMPOLICY_FIRST, SZ_256M, SZ_512M);
	mk_expect_mem(test, t, MK_MEMPOLICY_LOCAL, SZ_256M, SZ_1G);
	/* cpu-affinity "local" implies local memory. */
	t->req.affinity = MK_AFFINITY_LOCAL;
	mk_expect_mem(test, t, MK_MEMPOLICY_FIRST, SZ_256M, SZ_1G);
	t->req.affinity = MK_AFFINITY_FIRST;
	/* Too big for node 1's half: as much as it can, the rest nearest. */
	mk_expect_mem(test, t, MK_MEMPOLICY_LOCAL, SZ_512M + SZ_256M, SZ_512M + SZ_256M);

	/* interleave over numa-nodes 0 and 1: half on each. */
	t->req.nnuma = 2;
	t->req.numa_nodes = (const u32[]){ 0, 1 };
	mk_expect_mem(test, t, MK_MEMPOLICY_INTERLEAVE, SZ_256M, SZ_1G - SZ_128M);
	/* Without numa-nodes, the nodes of the CPUs; here only node 1. */
	t->req.nnuma = 0;
	mk_expect_mem(test, t, MK_MEMPOLICY_INTERLEAVE, SZ_256M, SZ_1G);
	mk_cpus_set(&t->req.cpus, 2, 3);
	mk_expect_mem(test, t, MK_MEMPOLICY_INTERLEAVE, SZ_256M, SZ_1G - SZ_128M);

	/* bind: only on node 0, though the CPUs are on both. */
	t->req.nnuma = 1;
	t->req.numa_nodes = &node0;
	mk_expect_mem(test, t, MK_MEMPOLICY_BIND, SZ_512M, SZ_512M);
	mk_expect_no_mem(test, t, MK_MEMPOLICY_BIND, SZ_512M + SZ_4K,
			 "error: memory-exhausted: test: no free range of 0x20001000 bytes on its numa-nodes (memory-policy \"bind\")");
	mk_topo_free(t);
}

/*
 * Four nodes of 4 CPUs. The distance table is asymmetric: from node 3 the
 * nearest is node 0, while from node 0 node 3 is the farthest.
 */
static void mk_policy_four_nodes_asymmetric(struct kunit *test)
{
	static const u32 distance[16] = {
		10, 16, 22, 28,
		16, 10, 22, 28,
		22, 22, 10, 32,
		14, 28, 32, 10,
	};
	struct mk_topo *t = mk_topo_new(test, 16, 1, 4);

	memcpy(t->distance, distance, sizeof(distance));
	t->pool.distance = t->distance;
	/* The table is the baseline's to fill; costs stay in range. */
	t->distance[1] = U32_MAX;
	KUNIT_EXPECT_EQ(test, mk_view_distance(&t->view, 0, 1), 255);
	t->distance[1] = distance[1];
	/* Free: node 0 has 2, node 1 none, node 2 has 3, node 3 all 4. */
	memset(&t->view.free_cpus, 0, sizeof(t->view.free_cpus));
	mk_cpus_set(&t->view.free_cpus, 2, 3);
	mk_cpus_set(&t->view.free_cpus, 9, 15);

	/* From node 3, node 0 before the emptier but farther node 2. */
	mk_expect_cpus(test, t, MK_AFFINITY_COMPACT, 6, "2-3,12-15");
	mk_expect_cpus(test, t, MK_AFFINITY_COMPACT, 7, "2-3,9,12-15");
	mk_expect_cpus(test, t, MK_AFFINITY_SPREAD, 5, "2,9-10,12-13");
	mk_expect_cpus(test, t, MK_AFFINITY_LOCAL, 3, "9-11");
	mk_expect_cpus(test, t, MK_AFFINITY_LOCAL, 4, "12-15");

	/* Node 3's memory is taken: local memory goes to node 0, not 2. */
	t->span.start = 0;
	t->span.end = 3ULL << 30;
	mk_cpus_set(&t->req.cpus, 12, 12);
	mk_expect_mem(test, t, MK_MEMPOLICY_LOCAL, SZ_1G, 0);
	mk_topo_free(t);
}

/* 16 CPUs in two-thread cores, with scattered free CPUs. */
static void mk_policy_fragmented(struct kunit *test)
{
	struct mk_topo *t = mk_topo_new(test, 16, 2, 0);

	memset(&t->view.free_cpus, 0, sizeof(t->view.free_cpus));
	__set_bit(1, t->view.free_cpus.bits);
	mk_cpus_set(&t->view.free_cpus, 2, 3);
	__set_bit(5, t->view.free_cpus.bits);
	mk_cpus_set(&t->view.free_cpus, 6, 7);
	__set_bit(9, t->view.free_cpus.bits);
	mk_cpus_set(&t->view.free_cpus, 12, 13);

	mk_expect_cpus(test, t, MK_AFFINITY_FIRST, 3, "1-3");
	/* Whole free cores first, then a lone thread. */
	mk_expect_cpus(test, t, MK_AFFINITY_COMPACT, 4, "2-3,6-7");
	mk_expect_cpus(test, t, MK_AFFINITY_COMPACT, 3, "1-3");
	mk_expect_cpus(test, t, MK_AFFINITY_COMPACT, 1, "1");
	mk_expect_cpus(test, t, MK_AFFINITY_SPREAD, 4, "1-2,5-6");
	mk_expect_no_cpus(test, t, MK_AFFINITY_COMPACT, 10,
			  "cpu-count is 10 but only 9 CPUs are free: 1-3,5-7,9,12-13");

	/* Free memory in pieces: the lowest that fits. */
	t->span.start = SZ_16M;
	t->span.end = SZ_32M;
	mk_expect_mem(test, t, MK_MEMPOLICY_FIRST, SZ_16M, SZ_16M);
	mk_expect_no_mem(test, t, MK_MEMPOLICY_FIRST, SZ_32M,
			 "error: memory-exhausted: test: no free range of 0x2000000 bytes in the pool 0x0-0x40000000");
	mk_topo_free(t);
}

/* A custom policy: declining falls back; a bad proposal is refused. */
static int mk_test_decline(const struct mk_policy *pol, const struct mk_view *v,
			   const struct mk_request *req, struct mk_cpus *out,
			   struct mk_report *rep)
{
	return -EOPNOTSUPP;
}

static int mk_test_refuse(const struct mk_policy *pol, const struct mk_view *v,
			  const struct mk_request *req, struct mk_cpus *out,
			  struct mk_report *rep)
{
	return -ENOSPC;
}

static int mk_test_busy(const struct mk_policy *pol, const struct mk_view *v,
			const struct mk_request *req, struct mk_cpus *out,
			struct mk_report *rep)
{
	mk_cpus_set(out, 0, req->cpu_count - 1);	/* CPU 0 is busy */
	return 0;
}

static int mk_test_short(const struct mk_policy *pol, const struct mk_view *v,
			 const struct mk_request *req, struct mk_cpus *out,
			 struct mk_report *rep)
{
	__set_bit(4, out->bits);
	return 0;
}

static int mk_test_mem_outside(const struct mk_policy *pol,
			       const struct mk_view *v,
			       const struct mk_request *req, u64 *base,
			       struct mk_report *rep)
{
	*base = v->spans[0].end - SZ_4K;
	return 0;
}

static void mk_expect_custom(struct kunit *test, struct mk_policy *pol,
			     int want_err, const char *want)
{
	struct mk_topo *t = mk_topo_new(test, 8, 1, 0);
	const char *by = NULL;
	u64 base;
	int err;

	t->view.free_cpus.bits[0] &= ~1UL;
	t->req.cpu_count = 2;
	t->req.mem_bytes = SZ_1M;
	if (pol->place_cpus)
		err = mk_place_cpus(pol, &t->view, &t->req, &t->out, &by, &t->rep);
	else
		err = mk_place_memory(pol, &t->view, &t->req, &base, &by, &t->rep);
	KUNIT_EXPECT_EQ(test, err, want_err);
	mk_expect_finding(test, t, want);
	if (!err)
		KUNIT_EXPECT_EQ(test, t->out.bits[0], 0x6UL);
	mk_topo_free(t);
}

static void mk_policy_custom(struct kunit *test)
{
	struct mk_policy decline = { "decline", mk_test_decline };
	struct mk_policy refuse = { "refuse", mk_test_refuse };
	struct mk_policy busy = { "busy", mk_test_busy };
	struct mk_policy shortp = { "short", mk_test_short };
	struct mk_policy outside = { .name = "outside",
				     .place_memory = mk_test_mem_outside };

	mk_expect_custom(test, &decline, 0,
			 "warning: policy-fallback: test: policy decline declined to place CPUs (returned -95); the built-in policy first places them");
	mk_expect_custom(test, &refuse, -ENOSPC,
			 "error: policy-no-placement: test: policy refuse finds no placement for its CPUs");
	mk_expect_custom(test, &busy, -EINVAL,
			 "error: policy-invalid: test: policy busy proposed CPUs 0, which are not free; free: 1-7");
	mk_expect_custom(test, &shortp, -EINVAL,
			 "error: policy-invalid: test: policy short proposed 1 CPUs for cpu-count 2");
	mk_expect_custom(test, &outside, -EINVAL,
			 "error: policy-invalid: test: policy outside proposed memory 0x3ffff000+0x100000, which is not a free, 4 KiB aligned range of the pool");
}

static struct kunit_case mk_policy_cases[] = {
	KUNIT_CASE(mk_policy_one_node),
	KUNIT_CASE(mk_policy_two_nodes_smt),
	KUNIT_CASE(mk_policy_two_nodes_memory),
	KUNIT_CASE(mk_policy_four_nodes_asymmetric),
	KUNIT_CASE(mk_policy_fragmented),
	KUNIT_CASE(mk_policy_custom),
	{}
};

static struct kunit_suite mk_policy_suite = {
	.name = "multikernel-policy",
	.test_cases = mk_policy_cases,
};

kunit_test_suite(mk_policy_suite);
