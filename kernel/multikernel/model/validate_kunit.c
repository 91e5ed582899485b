// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the multikernel parser, validator, overlay application
 * and default placement.
 *
 * Most rule tests start from one valid state (kunit_pool.dts with the
 * kunit_web and kunit_db overlays applied), change one property, and check
 * the finding and the errno. The valid state itself is the passing case of
 * every rule; edge cases that must pass are in the table too.
 */

#include <kunit/test.h>
#include <linux/libfdt.h>
#include <linux/slab.h>

#include "../kunit-data/kunit_data.h"
#include "model.h"

#define WEB	"/instances/web"
#define WEB_RES	"/instances/web/resources"
#define DB	"/instances/database"
#define DB_RES	"/instances/database/resources"

KUNIT_DEFINE_ACTION_WRAPPER(mk_t_kvfree, kvfree, const void *);

/* Keep @p until the test ends. */
static void *mk_t_keep(struct kunit *test, void *p)
{
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, mk_t_kvfree, p), 0);
	return p;
}

/* Apply an overlay to *@tree as one transaction, or fail the test. */
static void mk_t_apply(struct kunit *test, void **tree, struct mk_t_blob dtbo)
{
	struct mk_tx_result res;
	struct mk_report rep;
	int err;

	mk_report_init(&rep);
	err = mk_tx_compute(*tree, dtbo.data, dtbo.size, NULL, 0, &res, &rep);
	KUNIT_ASSERT_EQ_MSG(test, err, 0, "%s", rep.buf ?: "");
	kvfree(*tree);
	*tree = res.tree;
	res.tree = NULL;
	mk_tx_result_free(&res);
	mk_report_free(&rep);
}

/* The valid state, with room for a few changes. */
static void *mk_t_state(struct kunit *test)
{
	void *tree, *roomy;

	KUNIT_ASSERT_EQ(test, mk_fdt_copy(__dtb_kunit_pool_begin, 0, &tree), 0);
	mk_t_apply(test, &tree, MK_T_BLOB(dtbo_kunit_web));
	mk_t_apply(test, &tree, MK_T_BLOB(dtbo_kunit_db));
	KUNIT_ASSERT_EQ(test, mk_fdt_copy(tree, 4096, &roomy), 0);
	kvfree(tree);
	return mk_t_keep(test, roomy);
}

static int mk_t_node(struct kunit *test, void *fdt, const char *path)
{
	int node = fdt_path_offset(fdt, path);

	KUNIT_ASSERT_GE_MSG(test, node, 0, "no node %s", path);
	return node;
}

static void mk_t_cells(struct kunit *test, void *fdt, const char *path,
		       const char *prop, const u32 *vals, int n)
{
	fdt32_t cells[16];
	int i;

	KUNIT_ASSERT_LE(test, n, (int)ARRAY_SIZE(cells));
	for (i = 0; i < n; i++)
		cells[i] = cpu_to_fdt32(vals[i]);
	KUNIT_ASSERT_EQ(test, fdt_setprop(fdt, mk_t_node(test, fdt, path), prop,
					  cells, n * sizeof(*cells)), 0);
}

static u32 mk_t_phandle(struct kunit *test, void *fdt, const char *path)
{
	u32 ph = fdt_get_phandle(fdt, mk_t_node(test, fdt, path));

	KUNIT_ASSERT_NE(test, ph, 0);
	return ph;
}

/* Expect @want among the findings in @rep. */
static void mk_t_expect_finding(struct kunit *test, const struct mk_report *rep,
				const char *want)
{
	KUNIT_EXPECT_NOT_NULL_MSG(test, rep->buf ? strstr(rep->buf, want) : NULL,
				  "want \"%s\" in:\n%s", want, rep->buf ?: "(none)");
}

/*
 * Parse and validate @fdt; expect result @err, and @want ("error: RULE:"
 * or "warning: RULE:") among the findings, or no finding if @want is NULL.
 */
static void mk_t_expect(struct kunit *test, const void *fdt, size_t size,
			const char *want, int err)
{
	struct mk_report rep;
	struct mk_state st;
	int ret;

	mk_report_init(&rep);
	ret = mk_tree_check(fdt, size, &st, &rep);
	mk_state_free(&st);

	KUNIT_EXPECT_EQ_MSG(test, ret, err, "findings:\n%s", rep.buf ?: "");
	if (want)
		mk_t_expect_finding(test, &rep, want);
	else
		KUNIT_EXPECT_EQ_MSG(test, rep.errors + rep.warnings, 0,
				    "findings:\n%s", rep.buf ?: "");
	mk_report_free(&rep);
}

static void mk_t_expect_tree(struct kunit *test, void *fdt, const char *want,
			     int err)
{
	fdt_pack(fdt);
	mk_t_expect(test, fdt, fdt_totalsize(fdt), want, err);
}

static void mk_valid_state_has_no_findings(struct kunit *test)
{
	mk_t_expect_tree(test, mk_t_state(test), NULL, 0);
}

struct mk_rule_case {
	const char *desc;
	const char *path;
	const char *prop;
	const char *str;	/* a string value, or NULL for cells */
	int ncells;		/* -1 deletes the property */
	u32 cells[16];
	const char *want;	/* NULL: the change must pass */
	int err;
};

static const struct mk_rule_case mk_rule_cases[] = {
	/* CPUs */
	{ "a CPU that does not exist", WEB_RES, "cpus", NULL, 3, { 2, 3, 99 },
	  "error: cpu-invalid:", -EINVAL },
	{ "a host-reserved CPU", WEB_RES, "cpus", NULL, 3, { 1, 2, 3 },
	  "error: cpu-host-reserved:", -EINVAL },
	{ "a CPU outside the available pool", WEB_RES, "cpus", NULL, 1, { 15 },
	  "error: cpu-unavailable:", -EINVAL },
	{ "CPU overlap", DB_RES, "cpus", NULL, 4, { 5, 6, 7, 8 },
	  "error: cpu-overlap: database web: CPUs 5 allocated to both; free: 9-14", -EBUSY },
	{ "doorbell-cpu on a CPU the host keeps", WEB_RES, "doorbell-cpu", NULL,
	  1, { 1 }, NULL, 0 },
	{ "doorbell-cpu on a pool CPU", WEB_RES, "doorbell-cpu", NULL, 1, { 9 },
	  "error: doorbell-cpu: web: doorbell-cpu 9 is not a CPU the host keeps",
	  -EINVAL },
	{ "neither cpus nor cpu-count", WEB_RES, "cpus", NULL, -1, {},
	  "error: cpu-missing:", -EINVAL },
	{ "cpu-count that disagrees with cpus", DB_RES, "cpu-count", NULL, 1, { 3 },
	  "error: cpu-count:", -EINVAL },
	{ "CPUs next to another instance's", WEB_RES, "cpus", NULL, 3, { 3, 4, 5 },
	  NULL, 0 },
	/* Memory */
	{ "memory outside the pool", WEB_RES, "memory-base", NULL, 2, { 0, 0x10000000 },
	  "error: memory-outside-pool:", -EINVAL },
	{ "memory that wraps around 64 bits", WEB_RES, "memory-base", NULL, 2,
	  { 0xffffffff, 0xfffff000 }, "error: memory-outside-pool:", -EINVAL },
	{ "memory overlap", DB_RES, "memory-base", NULL, 2, { 0, 0x48000000 },
	  "error: memory-overlap: web database: memory 0x48000000-0x50000000", -EBUSY },
	{ "total memory over the pool", WEB_RES, "memory-bytes", NULL, 2,
	  { 0, 0x78000000 }, "error: memory-exhausted:", -ENOSPC },
	{ "a misaligned size", WEB_RES, "memory-bytes", NULL, 2, { 0, 0x10000800 },
	  "error: memory-alignment:", -EINVAL },
	{ "a misaligned base", WEB_RES, "memory-base", NULL, 2, { 0, 0x40000800 },
	  "error: memory-alignment:", -EINVAL },
	{ "a zero size", WEB_RES, "memory-bytes", NULL, 2, { 0, 0 },
	  "error: memory-size:", -EINVAL },
	{ "a one-cell size, zero-extended", WEB_RES, "memory-bytes", NULL, 1,
	  { 0x10000000 }, NULL, 0 },
	{ "memory that ends where the pool ends", DB_RES, "memory-base", NULL, 2,
	  { 0, 0xa0000000 }, NULL, 0 },
	{ "a three-cell size", WEB_RES, "memory-bytes", NULL, 3, { 0, 0, 0x1000 },
	  "error: malformed:", -EINVAL },
	/* Devices */
	{ "a dangling phandle", WEB_RES, "devices", NULL, 1, { 0xdead },
	  "error: device-dangling:", -EINVAL },
	{ "a VF out of range", WEB_RES "/ethernet-vf@1", "vf-id", NULL, 1, { 7 },
	  "error: device-part-range:", -EINVAL },
	{ "a host-reserved namespace", DB_RES "/nvme-ns@2", "namespace-id", NULL, 1,
	  { 1 }, "error: device-part-reserved:", -EINVAL },
	{ "a VF that is not available", WEB_RES "/ethernet-vf@1", "vf-id", NULL, 1,
	  { 3 }, "error: device-part-unavailable:", -EINVAL },
	{ "another available VF", WEB_RES "/ethernet-vf@1", "vf-id", NULL, 1, { 2 },
	  NULL, 0 },
	/* Ids */
	{ "a duplicate id", DB, "id", NULL, 1, { 1 },
	  "error: duplicate-id: id 1", -EEXIST },
	{ "an id out of range", WEB, "id", NULL, 1, { 2000 },
	  "error: id-range:", -EINVAL },
	{ "id 0, which is the host's", WEB, "id", NULL, 1, { 0 },
	  "error: id-range:", -EINVAL },
	{ "the highest id", WEB, "id", NULL, 1, { MK_MAX_INSTANCES }, NULL, 0 },
	/* NUMA and policies */
	{ "an unknown NUMA node", WEB_RES, "numa-nodes", NULL, 1, { 5 },
	  "error: numa-node-unknown:", -EINVAL },
	{ "bind with no nodes", DB_RES, "memory-policy", "bind", 0, {},
	  "error: numa-bind-empty:", -EINVAL },
	{ "bind with nodes", WEB_RES, "memory-policy", "bind", 0, {}, NULL, 0 },
	{ "an unknown cpu-affinity", WEB_RES, "cpu-affinity", "tight", 0, {},
	  "error: policy-unknown:", -EINVAL },
	{ "an unknown memory-policy", DB_RES, "memory-policy", "nearest", 0, {},
	  "error: policy-unknown:", -EINVAL },
	{ "CPUs outside the chosen nodes", WEB_RES, "numa-nodes", NULL, 1, { 1 },
	  "warning: numa-cpus-outside:", 0 },
	{ "compact across two nodes", DB_RES, "cpu-affinity", "compact", 0, {},
	  "warning: numa-compact-spans:", 0 },
	{ "spread inside one node", WEB_RES, "cpu-affinity", "spread", 0, {},
	  "warning: numa-spread-single:", 0 },
	{ "local with memory on another node", WEB_RES, "memory-base", NULL, 2,
	  { 0, 0x80000000 }, "warning: numa-local-memory:", 0 },
	/* Baseline consistency */
	{ "a CPU both host-reserved and available", "/resources/cpus", "available",
	  NULL, 14, { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14 },
	  "error: baseline-cpus:", -EINVAL },
	{ "no CPUs at all", "/resources/cpus", "total", NULL, 1, { 0 },
	  "error: baseline-cpus:", -EINVAL },
	{ "a pool past total memory", "/resources/memory", "memory-pool-bytes",
	  NULL, 2, { 1, 0 }, "error: baseline-memory:", -EINVAL },
	{ "host-reserved plus pool over total", "/resources/memory",
	  "host-reserved-bytes", NULL, 2, { 0, 0xd0000000 },
	  "error: baseline-memory:", -EINVAL },
	{ "a VF list past the VF count", "/resources/devices/ethernet@0",
	  "available-vfs", NULL, 3, { 1, 2, 9 }, "error: baseline-device:", -EINVAL },
	{ "a VF both host-reserved and available", "/resources/devices/ethernet@0",
	  "available-vfs", NULL, 2, { 0, 1 }, "error: baseline-device:", -EINVAL },
	{ "NUMA nodes sharing a CPU", "/resources/topology/numa-nodes/node@1",
	  "cpus", NULL, 2, { 7, 8 }, "error: baseline-numa:", -EINVAL },
	{ "a distance table of the wrong shape",
	  "/resources/topology/numa-nodes/node@0", "distance", NULL, 1, { 10 },
	  "error: baseline-numa:", -EINVAL },
};

static void mk_rule_case_desc(const struct mk_rule_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(mk_rule, mk_rule_cases, mk_rule_case_desc);

static void mk_rule_test(struct kunit *test)
{
	const struct mk_rule_case *c = test->param_value;
	void *fdt = mk_t_state(test);
	int node = mk_t_node(test, fdt, c->path);

	if (c->ncells < 0)
		KUNIT_ASSERT_EQ(test, fdt_delprop(fdt, node, c->prop), 0);
	else if (c->str)
		KUNIT_ASSERT_EQ(test, fdt_setprop_string(fdt, node, c->prop,
							 c->str), 0);
	else
		mk_t_cells(test, fdt, c->path, c->prop, c->cells, c->ncells);
	mk_t_expect_tree(test, fdt, c->want, c->err);
}

static void mk_device_not_a_device(struct kunit *test)
{
	void *fdt = mk_t_state(test);
	u32 cells[2];

	/* /resources/cpus, even with a phandle, is no device. */
	cells[0] = mk_t_phandle(test, fdt, WEB_RES "/ethernet-vf@1");
	KUNIT_ASSERT_EQ(test, fdt_setprop_u32(fdt, mk_t_node(test, fdt, "/resources/cpus"),
					      "phandle", 0x4242), 0);
	cells[1] = 0x4242;
	mk_t_cells(test, fdt, WEB_RES, "devices", cells, 2);
	mk_t_expect_tree(test, fdt, "error: device-unknown:", -EINVAL);
}

static void mk_device_part_conflict(struct kunit *test)
{
	void *fdt = mk_t_state(test);
	u32 cells[2];

	cells[0] = mk_t_phandle(test, fdt, DB_RES "/nvme-ns@2");
	cells[1] = mk_t_phandle(test, fdt, WEB_RES "/ethernet-vf@1");
	mk_t_cells(test, fdt, DB_RES, "devices", cells, 2);
	mk_t_expect_tree(test, fdt,
			 "error: device-conflict: database web: eth0 VF 1 assigned to both",
			 -EBUSY);
}

static void mk_device_whole_vs_part(struct kunit *test)
{
	void *fdt = mk_t_state(test);
	u32 cells[2];

	/* web holds eth0 VF 1; the database asks for all of eth0. */
	cells[0] = mk_t_phandle(test, fdt, DB_RES "/nvme-ns@2");
	cells[1] = mk_t_phandle(test, fdt, "/resources/devices/ethernet@0");
	mk_t_cells(test, fdt, DB_RES, "devices", cells, 2);
	mk_t_expect_tree(test, fdt, "error: device-conflict:", -EBUSY);
}

static void mk_device_whole_twice(struct kunit *test)
{
	void *fdt = mk_t_state(test);
	u32 cells[1];

	cells[0] = mk_t_phandle(test, fdt, "/resources/devices/gpu@0");
	mk_t_cells(test, fdt, DB_RES, "devices", cells, 1);
	mk_t_expect_tree(test, fdt,
			 "error: device-conflict: database web: gpu0 assigned to both",
			 -EBUSY);
}

/* A part whose parent is itself: references must end at a device. */
static void mk_device_cyclic_parent(struct kunit *test)
{
	void *fdt = mk_t_state(test);
	u32 self = mk_t_phandle(test, fdt, WEB_RES "/ethernet-vf@1");

	mk_t_cells(test, fdt, WEB_RES "/ethernet-vf@1", "parent", &self, 1);
	mk_t_expect_tree(test, fdt, "error: device-unknown: web: ethernet-vf@1: parent",
			 -EINVAL);
}

static void mk_device_limit_per_instance(struct kunit *test)
{
	fdt32_t cells[MK_MAX_INSTANCE_DEVICES + 1];
	void *fdt = mk_t_state(test);
	u32 gpu = mk_t_phandle(test, fdt, "/resources/devices/gpu@0");
	int i;

	for (i = 0; i < ARRAY_SIZE(cells); i++)
		cells[i] = cpu_to_fdt32(gpu);
	KUNIT_ASSERT_EQ(test, fdt_setprop(fdt, mk_t_node(test, fdt, WEB_RES),
					  "devices", cells, sizeof(cells)), 0);
	mk_t_expect_tree(test, fdt, "error: limit: web: 65 devices", -E2BIG);
}

static void mk_name_syntax(struct kunit *test)
{
	void *fdt = mk_t_state(test);

	KUNIT_ASSERT_EQ(test, fdt_set_name(fdt, mk_t_node(test, fdt, WEB), "9web"), 0);
	mk_t_expect_tree(test, fdt, "error: name: 9web:", -EINVAL);
}

static void mk_baseline_missing_memory(struct kunit *test)
{
	void *fdt = mk_t_state(test);

	KUNIT_ASSERT_EQ(test, fdt_del_node(fdt, mk_t_node(test, fdt,
							  "/resources/memory")), 0);
	mk_t_expect_tree(test, fdt, "error: baseline-missing:", -EINVAL);
}

static struct kunit_case mk_validate_test_cases[] = {
	KUNIT_CASE(mk_valid_state_has_no_findings),
	KUNIT_CASE_PARAM(mk_rule_test, mk_rule_gen_params),
	KUNIT_CASE(mk_device_not_a_device),
	KUNIT_CASE(mk_device_part_conflict),
	KUNIT_CASE(mk_device_whole_vs_part),
	KUNIT_CASE(mk_device_whole_twice),
	KUNIT_CASE(mk_device_cyclic_parent),
	KUNIT_CASE(mk_device_limit_per_instance),
	KUNIT_CASE(mk_name_syntax),
	KUNIT_CASE(mk_baseline_missing_memory),
	{}
};

static struct kunit_suite mk_validate_test_suite = {
	.name = "multikernel-validate",
	.test_cases = mk_validate_test_cases,
};

/* Untrusted blobs: each must be refused with a finding, never read past. */

static void *mk_t_pool_copy(struct kunit *test, size_t extra)
{
	void *fdt;

	KUNIT_ASSERT_EQ(test, mk_fdt_copy(__dtb_kunit_pool_begin, extra, &fdt), 0);
	return mk_t_keep(test, fdt);
}

static void mk_blob_valid_pool(struct kunit *test)
{
	struct mk_t_blob pool = MK_T_BLOB(dtb_kunit_pool);

	mk_t_expect(test, pool.data, pool.size, NULL, 0);
}

static void mk_blob_truncated(struct kunit *test)
{
	size_t size = __dtb_kunit_pool_end - __dtb_kunit_pool_begin;
	char want[64];

	snprintf(want, sizeof(want),
		 "error: malformed: blob: %zu bytes written, header says %zu",
		 size - 1, size);
	mk_t_expect(test, __dtb_kunit_pool_begin, size - 1, want, -EINVAL);
	mk_t_expect(test, __dtb_kunit_pool_begin, 16,
		    "error: malformed: blob: not a flattened device tree", -EINVAL);
}

static void mk_blob_bad_magic(struct kunit *test)
{
	void *fdt = mk_t_pool_copy(test, 0);

	fdt_set_magic(fdt, 0xd00dfeee);
	mk_t_expect(test, fdt, fdt_totalsize(fdt), "error: malformed:", -EINVAL);
}

static void mk_blob_offsets_out_of_range(struct kunit *test)
{
	void *fdt = mk_t_pool_copy(test, 0);

	fdt_set_off_dt_strings(fdt, fdt_totalsize(fdt) - 4);
	mk_t_expect(test, fdt, fdt_totalsize(fdt), "error: malformed:", -EINVAL);
}

static void mk_blob_huge_property_length(struct kunit *test)
{
	void *fdt = mk_t_pool_copy(test, 0);
	int node = mk_t_node(test, fdt, "/resources/cpus");
	int poff = fdt_first_property_offset(fdt, node);
	struct fdt_property *prop;

	KUNIT_ASSERT_GE(test, poff, 0);
	prop = (struct fdt_property *)((char *)fdt + fdt_off_dt_struct(fdt) + poff);
	prop->len = cpu_to_fdt32(0x7ffffff0);
	mk_t_expect(test, fdt, fdt_totalsize(fdt), "error: malformed:", -EINVAL);
}

static void mk_blob_unterminated_string(struct kunit *test)
{
	void *fdt = mk_t_state(test);

	KUNIT_ASSERT_EQ(test, fdt_setprop(fdt, mk_t_node(test, fdt, WEB_RES),
					  "cpu-affinity", "compact", 7), 0);
	mk_t_expect_tree(test, fdt, "error: policy-unknown:", -EINVAL);
}

static void mk_blob_too_deep(struct kunit *test)
{
	size_t size = 4096;
	void *fdt = mk_t_keep(test, kvzalloc(size, GFP_KERNEL));
	int i;

	KUNIT_ASSERT_EQ(test, fdt_create(fdt, size), 0);
	KUNIT_ASSERT_EQ(test, fdt_finish_reservemap(fdt), 0);
	KUNIT_ASSERT_EQ(test, fdt_begin_node(fdt, ""), 0);
	for (i = 0; i < MK_MAX_DEPTH + 2; i++)
		KUNIT_ASSERT_EQ(test, fdt_begin_node(fdt, "n"), 0);
	for (i = 0; i < MK_MAX_DEPTH + 3; i++)
		KUNIT_ASSERT_EQ(test, fdt_end_node(fdt), 0);
	KUNIT_ASSERT_EQ(test, fdt_finish(fdt), 0);
	mk_t_expect(test, fdt, fdt_totalsize(fdt),
		    "error: malformed: blob: nested deeper", -EINVAL);
}

/* Found by fuzzing: libfdt derives negative copy sizes from such headers. */
static void mk_blob_blocks_out_of_order(struct kunit *test)
{
	void *fdt = mk_t_pool_copy(test, 0);

	fdt_set_off_mem_rsvmap(fdt, fdt_off_dt_strings(fdt));
	mk_t_expect(test, fdt, fdt_totalsize(fdt),
		    "error: malformed: blob: blocks misordered", -EINVAL);
}

static void mk_blob_misaligned_reservation_map(struct kunit *test)
{
	void *fdt = mk_t_pool_copy(test, 0);

	fdt_set_off_mem_rsvmap(fdt, fdt_off_mem_rsvmap(fdt) + 4);
	mk_t_expect(test, fdt, fdt_totalsize(fdt),
		    "error: malformed: blob: blocks misordered", -EINVAL);
}

static void mk_blob_too_big(struct kunit *test)
{
	mk_t_expect(test, __dtb_kunit_pool_begin, MK_MAX_BLOB_SIZE + 1,
		    "error: limit:", -EFBIG);
}

/*
 * A structure block that closes the root and carries on, and one that
 * never ends with FDT_END: refused as a tree and as an overlay.
 */
static void mk_t_expect_unsound(struct kunit *test, void *fdt, const char *want)
{
	void *base = mk_t_pool_copy(test, 0), *next = NULL;
	struct mk_report rep;

	mk_t_expect(test, fdt, fdt_totalsize(fdt), want, -EINVAL);
	mk_report_init(&rep);
	KUNIT_EXPECT_EQ(test, mk_overlay_apply(base, fdt, fdt_totalsize(fdt),
					       &next, &rep), -EINVAL);
	KUNIT_EXPECT_NULL(test, next);
	mk_t_expect_finding(test, &rep, want);
	mk_report_free(&rep);
}

static void mk_blob_after_the_root(struct kunit *test)
{
	size_t size = 4096;
	void *fdt = mk_t_keep(test, kvzalloc(size, GFP_KERNEL));

	KUNIT_ASSERT_EQ(test, fdt_create(fdt, size), 0);
	KUNIT_ASSERT_EQ(test, fdt_finish_reservemap(fdt), 0);
	KUNIT_ASSERT_EQ(test, fdt_begin_node(fdt, ""), 0);
	KUNIT_ASSERT_EQ(test, fdt_begin_node(fdt, "fragment@0"), 0);
	KUNIT_ASSERT_EQ(test, fdt_end_node(fdt), 0);
	KUNIT_ASSERT_EQ(test, fdt_end_node(fdt), 0);
	/* A second top-level node, after the root has closed. */
	KUNIT_ASSERT_EQ(test, fdt_begin_node(fdt, "resources"), 0);
	KUNIT_ASSERT_EQ(test, fdt_end_node(fdt), 0);
	KUNIT_ASSERT_EQ(test, fdt_finish(fdt), 0);
	mk_t_expect_unsound(test, fdt,
			    "error: malformed: blob: bad node at offset");
}

static void mk_blob_without_end(struct kunit *test)
{
	void *fdt = mk_t_pool_copy(test, 0);
	fdt32_t *end = (fdt32_t *)((char *)fdt + fdt_off_dt_struct(fdt) +
				   fdt_size_dt_struct(fdt)) - 1;

	KUNIT_ASSERT_EQ(test, fdt32_to_cpu(*end), FDT_END);
	*end = cpu_to_fdt32(FDT_NOP);
	mk_t_expect_unsound(test, fdt,
			    "error: malformed: blob: bad structure block at offset");
}

/* An overlay of more instances than the limit is refused by counting. */
static void mk_blob_too_many_instances(struct kunit *test)
{
	size_t size = 64 * (MK_MAX_INSTANCES + 8);
	void *fdt = mk_t_keep(test, kvzalloc(size, GFP_KERNEL));
	void *base = mk_t_pool_copy(test, 0), *next = NULL;
	struct mk_report rep;
	char name[16];
	int i;

	KUNIT_ASSERT_EQ(test, fdt_create(fdt, size), 0);
	KUNIT_ASSERT_EQ(test, fdt_finish_reservemap(fdt), 0);
	KUNIT_ASSERT_EQ(test, fdt_begin_node(fdt, ""), 0);
	KUNIT_ASSERT_EQ(test, fdt_begin_node(fdt, "fragment@0"), 0);
	KUNIT_ASSERT_EQ(test, fdt_property_string(fdt, "target-path", "/instances"), 0);
	KUNIT_ASSERT_EQ(test, fdt_begin_node(fdt, "__overlay__"), 0);
	for (i = 0; i <= MK_MAX_INSTANCES; i++) {
		snprintf(name, sizeof(name), "i%d", i);
		KUNIT_ASSERT_EQ(test, fdt_begin_node(fdt, name), 0);
		KUNIT_ASSERT_EQ(test, fdt_end_node(fdt), 0);
	}
	for (i = 0; i < 3; i++)
		KUNIT_ASSERT_EQ(test, fdt_end_node(fdt), 0);
	KUNIT_ASSERT_EQ(test, fdt_finish(fdt), 0);
	mk_report_init(&rep);
	KUNIT_EXPECT_EQ(test, mk_overlay_apply(base, fdt, fdt_totalsize(fdt),
					       &next, &rep), -E2BIG);
	mk_t_expect_finding(test, &rep, "error: limit: blob: 1025 instances");
	mk_report_free(&rep);
}

static struct kunit_case mk_blob_test_cases[] = {
	KUNIT_CASE(mk_blob_valid_pool),
	KUNIT_CASE(mk_blob_truncated),
	KUNIT_CASE(mk_blob_bad_magic),
	KUNIT_CASE(mk_blob_offsets_out_of_range),
	KUNIT_CASE(mk_blob_huge_property_length),
	KUNIT_CASE(mk_blob_unterminated_string),
	KUNIT_CASE(mk_blob_too_deep),
	KUNIT_CASE(mk_blob_too_big),
	KUNIT_CASE(mk_blob_blocks_out_of_order),
	KUNIT_CASE(mk_blob_misaligned_reservation_map),
	KUNIT_CASE(mk_blob_after_the_root),
	KUNIT_CASE(mk_blob_without_end),
	KUNIT_CASE(mk_blob_too_many_instances),
	{}
};

static struct kunit_suite mk_blob_test_suite = {
	.name = "multikernel-blob",
	.test_cases = mk_blob_test_cases,
};

/* Overlays and the default placement. */

static void mk_t_expect_refused(struct kunit *test, struct mk_t_blob dtbo,
				const char *want, int err)
{
	void *tree = mk_t_pool_copy(test, 0), *next = NULL;
	struct mk_report rep;

	mk_report_init(&rep);
	KUNIT_EXPECT_EQ(test, mk_overlay_apply(tree, dtbo.data, dtbo.size, &next,
					       &rep), err);
	KUNIT_EXPECT_NULL(test, next);
	mk_t_expect_finding(test, &rep, want);
	mk_report_free(&rep);
}

static void mk_overlay_outside_instances(struct kunit *test)
{
	mk_t_expect_refused(test, MK_T_BLOB(dtbo_kunit_bad_target),
			    "error: overlay-target: fragment@0: targets /resources/cpus",
			    -EINVAL);
}

static void mk_overlay_unknown_label(struct kunit *test)
{
	mk_t_expect_refused(test, MK_T_BLOB(dtbo_kunit_bad_label),
			    "error: overlay-apply:", -EINVAL);
}

static void mk_overlay_truncated(struct kunit *test)
{
	struct mk_t_blob web = MK_T_BLOB(dtbo_kunit_web);

	web.size -= 8;
	mk_t_expect_refused(test, web, "error: malformed:", -EINVAL);
}

/*
 * Found by fuzzing: fdt_overlay_apply() would adjust a "phandle" at an
 * offset of __local_fixups__ far outside the property it names.
 */
static void mk_overlay_local_fixup_out_of_bounds(struct kunit *test)
{
	struct mk_t_blob web = MK_T_BLOB(dtbo_kunit_web);
	const u32 far[] = { 0x10000 };
	void *dtbo;

	KUNIT_ASSERT_EQ(test, mk_fdt_copy(web.data, 64, &dtbo), 0);
	mk_t_keep(test, dtbo);
	mk_t_cells(test, dtbo, "/__local_fixups__/fragment@0/__overlay__/web/resources",
		   "devices", far, 1);
	fdt_pack(dtbo);
	web.data = dtbo;
	web.size = fdt_totalsize(dtbo);
	mk_t_expect_refused(test, web,
			    "error: malformed: overlay: __local_fixups__ points outside",
			    -EINVAL);
}

static void mk_overlay_leaves_inputs_alone(struct kunit *test)
{
	size_t size = __dtbo_kunit_web_end - __dtbo_kunit_web_begin;
	void *tree = mk_t_pool_copy(test, 0), *next = NULL;
	void *before = mk_t_keep(test, kvmalloc(fdt_totalsize(tree), GFP_KERNEL));
	void *dtbo = mk_t_keep(test, kvmalloc(size, GFP_KERNEL));
	struct mk_report rep;

	memcpy(before, tree, fdt_totalsize(tree));
	memcpy(dtbo, __dtbo_kunit_web_begin, size);
	mk_report_init(&rep);
	KUNIT_ASSERT_EQ(test, mk_overlay_apply(tree, dtbo, size, &next, &rep), 0);
	mk_t_keep(test, next);
	KUNIT_EXPECT_EQ(test, memcmp(before, tree, fdt_totalsize(before)), 0);
	KUNIT_EXPECT_EQ(test, memcmp(dtbo, __dtbo_kunit_web_begin, size), 0);
	KUNIT_EXPECT_GE(test, fdt_path_offset(next, WEB_RES), 0);
	mk_report_free(&rep);
}

/*
 * Device references at the root, added by a fragment on /: they apply,
 * an instance lists one, and the one nothing lists is a warning.
 */
static void mk_overlay_root_references(struct kunit *test)
{
	struct mk_t_blob seed = MK_T_BLOB(dtbo_kunit_seed);
	void *tree = mk_t_pool_copy(test, 0);
	struct mk_tx_result res;
	struct mk_report rep;

	mk_report_init(&rep);
	KUNIT_ASSERT_EQ_MSG(test, mk_tx_compute(tree, seed.data, seed.size, NULL,
						0, &res, &rep), 0,
			    "%s", rep.buf ?: "");
	KUNIT_ASSERT_EQ(test, res.st.ninstances, 1);
	KUNIT_EXPECT_EQ(test, res.st.instances[0].ndevs, 1);
	KUNIT_EXPECT_EQ(test, res.st.instances[0].devs[0].part, 2);
	KUNIT_EXPECT_GE(test, fdt_path_offset(res.tree, "/ethernet-vf@2"), 0);
	KUNIT_EXPECT_EQ(test, rep.errors, 0);
	KUNIT_EXPECT_EQ(test, rep.warnings, 1);
	mk_t_expect_finding(test, &rep,
			    "warning: device-unreferenced: /namespace@3: a device reference that no instance lists");
	mk_report_free(&rep);

	/* A second time, the references would merge into the first ones. */
	mk_report_init(&rep);
	tree = NULL;
	KUNIT_EXPECT_EQ(test, mk_overlay_apply(res.tree, seed.data, seed.size,
					       &tree, &rep), -EINVAL);
	mk_t_expect_finding(test, &rep,
			    "error: overlay-target: fragment@0: /ethernet-vf@2 exists already");
	mk_tx_result_free(&res);
	mk_report_free(&rep);
}

/* Apply the seed overlay with @edit made to it; expect overlay-target. */
static void mk_t_seed_refused(struct kunit *test, const char *path,
			      const char *node, const char *prop,
			      const char *want)
{
	void *tree = mk_t_pool_copy(test, 0), *next = NULL, *dtbo;
	struct mk_report rep;
	int off;

	KUNIT_ASSERT_EQ(test, mk_fdt_copy(__dtbo_kunit_seed_begin, 256, &dtbo), 0);
	mk_t_keep(test, dtbo);
	off = mk_t_node(test, dtbo, path);
	if (node)
		KUNIT_ASSERT_GE(test, fdt_add_subnode(dtbo, off, node), 0);
	if (prop)
		KUNIT_ASSERT_EQ(test, fdt_setprop_u32(dtbo, off, prop, 1), 0);
	fdt_pack(dtbo);
	mk_report_init(&rep);
	KUNIT_EXPECT_EQ(test, mk_overlay_apply(tree, dtbo, fdt_totalsize(dtbo),
					       &next, &rep), -EINVAL);
	KUNIT_EXPECT_NULL(test, next);
	mk_t_expect_finding(test, &rep, want);
	mk_report_free(&rep);
}

/* Anything but a bare reference at the root stays refused. */
static void mk_overlay_root_only_references(struct kunit *test)
{
	const char *ovl = "/fragment@0/__overlay__";

	mk_t_seed_refused(test, "/fragment@0/__overlay__/ethernet-vf@2", NULL,
			  "status",
			  "error: overlay-target: fragment@0: adds /ethernet-vf@2, which is not");
	mk_t_seed_refused(test, ovl, "chosen", NULL,
			  "error: overlay-target: fragment@0: adds /chosen, which is not");
	mk_t_seed_refused(test, ovl, NULL, "model",
			  "error: overlay-target: fragment@0: sets properties of /");
	mk_t_seed_refused(test, "/fragment@0/__overlay__/namespace@3", "sub",
			  NULL,
			  "error: overlay-target: fragment@0: adds /namespace@3, which is not");
}

/* The pool with web applied, kept until the test ends. */
static void *mk_t_pool_web(struct kunit *test)
{
	void *tree;

	KUNIT_ASSERT_EQ(test, mk_fdt_copy(__dtb_kunit_pool_begin, 0, &tree), 0);
	mk_t_apply(test, &tree, MK_T_BLOB(dtbo_kunit_web));
	return mk_t_keep(test, tree);
}

/*
 * One fragment sets a property below /instances/web, another names web at
 * /instances: web is listed once.
 */
static void mk_overlay_lists_touched_instances(struct kunit *test)
{
	void *base = mk_t_pool_web(test), *dtbo;
	size_t size = 1024;
	char names[64];

	dtbo = mk_t_keep(test, kvzalloc(size, GFP_KERNEL));
	KUNIT_ASSERT_EQ(test, fdt_create(dtbo, size) || fdt_finish_reservemap(dtbo) ||
			fdt_begin_node(dtbo, "") || fdt_begin_node(dtbo, "fragment@0") ||
			fdt_property_string(dtbo, "target-path", WEB_RES) ||
			fdt_begin_node(dtbo, "__overlay__") ||
			fdt_property_u32(dtbo, "cpu-count", 4) ||
			fdt_end_node(dtbo) || fdt_end_node(dtbo) ||
			fdt_begin_node(dtbo, "fragment@1") ||
			fdt_property_string(dtbo, "target-path", "/instances") ||
			fdt_begin_node(dtbo, "__overlay__") || fdt_begin_node(dtbo, "web") ||
			fdt_end_node(dtbo) || fdt_end_node(dtbo) || fdt_end_node(dtbo) ||
			fdt_end_node(dtbo) || fdt_finish(dtbo), 0);
	KUNIT_EXPECT_EQ(test, mk_overlay_instances(base, dtbo, names, sizeof(names)), 4);
	KUNIT_EXPECT_STREQ(test, names, "web\n");
}

/* What the kernel placed for the database in the valid state. */
static void mk_alloc_first_placement(struct kunit *test)
{
	void *fdt = mk_t_state(test);
	struct mk_report rep;
	struct mk_state st;
	const struct mk_instance *db;
	char cpus[32];

	mk_report_init(&rep);
	fdt_pack(fdt);
	KUNIT_ASSERT_EQ(test, mk_state_parse(&st, fdt, fdt_totalsize(fdt), &rep), 0);
	KUNIT_ASSERT_EQ(test, st.ninstances, 2);
	db = !strcmp(st.instances[0].name, "database") ? &st.instances[0] :
							 &st.instances[1];
	KUNIT_EXPECT_STREQ(test, db->name, "database");
	/* Lowest free id, lowest free CPUs, first fit after web's memory. */
	KUNIT_EXPECT_TRUE(test, db->has_id);
	KUNIT_EXPECT_EQ(test, db->id, 2);
	mk_bits_format(cpus, sizeof(cpus), db->cpus.bits, MK_MAX_CPUS);
	KUNIT_EXPECT_STREQ(test, cpus, "6-9");
	KUNIT_EXPECT_TRUE(test, db->has_mem_base);
	KUNIT_EXPECT_EQ(test, db->mem_base, 0x50000000ULL);
	mk_state_free(&st);
	mk_report_free(&rep);
}

/* Apply kunit_db, with @prop of its resources set to @vals, to pool+web. */
static int mk_t_alloc_db(struct kunit *test, const char *prop, const u32 *vals,
			 int n, struct mk_report *rep)
{
	void *tree = mk_t_pool_web(test), *dtbo;
	const char *path = "/fragment@0/__overlay__/database/resources";
	struct mk_tx_result res;
	int err;

	KUNIT_ASSERT_EQ(test, mk_fdt_copy(__dtbo_kunit_db_begin, 256, &dtbo), 0);
	mk_t_keep(test, dtbo);
	mk_t_cells(test, dtbo, path, prop, vals, n);
	fdt_pack(dtbo);
	err = mk_tx_compute(tree, dtbo, fdt_totalsize(dtbo), NULL, 0, &res, rep);
	/* The overlay applies: what fails, if anything, is placement. */
	KUNIT_EXPECT_NOT_NULL(test, res.tree);
	mk_tx_result_free(&res);
	return err;
}

static void mk_alloc_no_cpus_left(struct kunit *test)
{
	const u32 count[] = { 10 };
	struct mk_report rep;

	mk_report_init(&rep);
	KUNIT_EXPECT_EQ(test, mk_t_alloc_db(test, "cpu-count", count, 1, &rep),
			-ENOSPC);
	mk_t_expect_finding(test, &rep,
			    "error: cpu-exhausted: database: cpu-count is 10 but only 9 CPUs are free: 6-14");
	mk_report_free(&rep);
}

static void mk_alloc_no_memory_left(struct kunit *test)
{
	const u32 bytes[] = { 0, 0x78000000 };
	struct mk_report rep;

	mk_report_init(&rep);
	KUNIT_EXPECT_EQ(test, mk_t_alloc_db(test, "memory-bytes", bytes, 2, &rep),
			-ENOSPC);
	mk_t_expect_finding(test, &rep, "error: memory-exhausted: database:");
	mk_report_free(&rep);
}

/*
 * A rebuilt state replays what was decided: with web gone, the database
 * keeps CPUs 6-9 although 2-5 are now free.
 */
static void mk_alloc_replay_never_redecides(struct kunit *test)
{
	struct mk_t_blob db = MK_T_BLOB(dtbo_kunit_db);
	void *tree = mk_t_pool_web(test);
	struct mk_tx_result *res, *rebuilt;
	struct mk_tx_rec rec;
	struct mk_tx_rec *recs[] = { &rec };
	struct mk_report rep;
	struct mk_state *st;
	char cpus[32];

	/* Two results are too big for the stack together. */
	res = kunit_kzalloc(test, sizeof(*res), GFP_KERNEL);
	rebuilt = kunit_kzalloc(test, sizeof(*rebuilt), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, res);
	KUNIT_ASSERT_NOT_NULL(test, rebuilt);
	st = &rebuilt->st;
	mk_report_init(&rep);
	KUNIT_ASSERT_EQ(test, mk_tx_compute(tree, db.data, db.size, NULL, 0,
					    res, &rep), 0);
	rec = (struct mk_tx_rec){ db.data, db.size, res->dec };

	/* The baseline without web, then the database's transaction again. */
	KUNIT_ASSERT_EQ(test, mk_tx_rebuild(__dtb_kunit_pool_begin, recs, 1,
					    rebuilt, &rep), 0);
	mk_tx_result_free(res);
	KUNIT_ASSERT_EQ(test, st->ninstances, 1);
	mk_bits_format(cpus, sizeof(cpus), st->instances[0].cpus.bits, MK_MAX_CPUS);
	KUNIT_EXPECT_STREQ(test, cpus, "6-9");
	KUNIT_EXPECT_EQ(test, st->instances[0].id, 2);
	KUNIT_EXPECT_EQ(test, st->instances[0].mem_base, 0x50000000ULL);
	mk_tx_result_free(rebuilt);
	mk_report_free(&rep);
}

static struct kunit_case mk_apply_test_cases[] = {
	KUNIT_CASE(mk_overlay_outside_instances),
	KUNIT_CASE(mk_overlay_unknown_label),
	KUNIT_CASE(mk_overlay_truncated),
	KUNIT_CASE(mk_overlay_local_fixup_out_of_bounds),
	KUNIT_CASE(mk_overlay_leaves_inputs_alone),
	KUNIT_CASE(mk_overlay_lists_touched_instances),
	KUNIT_CASE(mk_alloc_first_placement),
	KUNIT_CASE(mk_alloc_no_cpus_left),
	KUNIT_CASE(mk_alloc_no_memory_left),
	KUNIT_CASE(mk_alloc_replay_never_redecides),
	KUNIT_CASE(mk_overlay_root_references),
	KUNIT_CASE(mk_overlay_root_only_references),
	{}
};

static struct kunit_suite mk_apply_test_suite = {
	.name = "multikernel-apply",
	.test_cases = mk_apply_test_cases,
};

kunit_test_suites(&mk_validate_test_suite, &mk_blob_test_suite,
		  &mk_apply_test_suite);

MODULE_DESCRIPTION("KUnit tests for the multikernel parser and validator");
MODULE_LICENSE("GPL");
