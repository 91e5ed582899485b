// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the machine-reality checks. They hold on any machine
 * with fewer than 15 CPUs and no PCI device at 0000:ff:1f.7, whether or not
 * multikernel_pool= was given: the test pool names CPUs up to 14 and a pool
 * that no reservation here covers.
 */

#include <kunit/test.h>
#include <linux/libfdt.h>
#include <linux/slab.h>
#include <linux/topology.h>

#include "kunit-data/kunit_data.h"
#include "machine.h"
#include "model/model.h"

static void mk_machine_expect(struct kunit *test, const void *fdt,
			      const char *want)
{
	struct mk_report rep;
	struct mk_state st;

	mk_report_init(&rep);
	KUNIT_ASSERT_EQ(test, mk_state_parse(&st, fdt, fdt_totalsize(fdt), &rep), 0);
	KUNIT_EXPECT_EQ(test, mk_check_machine(&st, &rep), -EINVAL);
	KUNIT_EXPECT_NOT_NULL_MSG(test, rep.buf ? strstr(rep.buf, want) : NULL,
				  "want \"%s\" in:\n%s", want, rep.buf ?: "(none)");
	mk_state_free(&st);
	mk_report_free(&rep);
}

static void mk_machine_cpu_not_present(struct kunit *test)
{
	mk_machine_expect(test, __dtb_kunit_pool_begin,
			  "-14 are not present");
}

static void mk_machine_memory_not_reserved(struct kunit *test)
{
	mk_machine_expect(test, __dtb_kunit_pool_begin, "error: machine-memory:");
}

static void mk_machine_boot_cpu(struct kunit *test)
{
	fdt32_t boot = cpu_to_fdt32(get_boot_cpu_id());
	char want[64];
	void *fdt;

	KUNIT_ASSERT_EQ(test, mk_fdt_copy(__dtb_kunit_pool_begin, 64, &fdt), 0);
	KUNIT_ASSERT_EQ(test, fdt_setprop(fdt, fdt_path_offset(fdt, "/resources/cpus"),
					  "available", &boot, sizeof(boot)), 0);
	snprintf(want, sizeof(want), "error: machine-cpus: baseline: CPU %d is the boot CPU",
		 get_boot_cpu_id());
	mk_machine_expect(test, fdt, want);
	kvfree(fdt);
}

/* Set pci-id on eth0 of the test pool. */
static void *mk_machine_pci_id(struct kunit *test, const char *id)
{
	void *fdt;
	int eth0;

	KUNIT_ASSERT_EQ(test, mk_fdt_copy(__dtb_kunit_pool_begin, 64, &fdt), 0);
	eth0 = fdt_path_offset(fdt, "/resources/devices/ethernet@0");
	KUNIT_ASSERT_EQ(test, fdt_setprop_string(fdt, eth0, "pci-id", id), 0);
	return fdt;
}

static void mk_machine_pci_absent(struct kunit *test)
{
	void *fdt = mk_machine_pci_id(test, "0000:ff:1f.7");

	mk_machine_expect(test, fdt,
			  "error: machine-devices: eth0: no PCI device 0000:ff:1f.7 on this machine");
	kvfree(fdt);
}

static void mk_machine_pci_malformed(struct kunit *test)
{
	static const char * const bad[] = {
		"01:00.0", "0000:01:00.8", "0000:100:00.0", "0000:01:00.0x", "",
		"0000:01:20.0", "0x00:01:00.0", "0000:01:00:0",
	};
	void *fdt;
	int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		fdt = mk_machine_pci_id(test, bad[i]);
		mk_machine_expect(test, fdt,
				  "error: machine-devices: eth0: pci-id must be a string");
		kvfree(fdt);
	}
}

/* A description without pci-id draws no device finding. */
static void mk_machine_no_pci_id(struct kunit *test)
{
	struct mk_report rep;
	struct mk_state st;

	mk_report_init(&rep);
	KUNIT_ASSERT_EQ(test, mk_state_parse(&st, __dtb_kunit_pool_begin,
					     fdt_totalsize(__dtb_kunit_pool_begin), &rep), 0);
	mk_check_machine(&st, &rep);
	KUNIT_EXPECT_NULL(test, rep.buf ? strstr(rep.buf, "machine-devices") : NULL);
	mk_state_free(&st);
	mk_report_free(&rep);
}

/* The boot CPU, moved to a node it is not on. */
static void mk_machine_numa_wrong_node(struct kunit *test)
{
	fdt32_t boot = cpu_to_fdt32(get_boot_cpu_id());
	char want[96];
	void *fdt;
	int node;

	if (!IS_ENABLED(CONFIG_NUMA))
		kunit_skip(test, "without CONFIG_NUMA the kernel cannot tell");
	KUNIT_ASSERT_EQ(test, mk_fdt_copy(__dtb_kunit_pool_begin, 64, &fdt), 0);
	node = fdt_path_offset(fdt, "/resources/topology/numa-nodes/node@1");
	KUNIT_ASSERT_GE(test, node, 0);
	KUNIT_ASSERT_EQ(test, fdt_setprop(fdt, node, "cpus", &boot, sizeof(boot)), 0);
	node = fdt_path_offset(fdt, "/resources/topology/numa-nodes/node@0");
	KUNIT_ASSERT_EQ(test, fdt_setprop(fdt, node, "cpus", NULL, 0), 0);
	snprintf(want, sizeof(want),
		 "error: machine-numa: baseline: node 1 lists CPU %d, which is on node %d here",
		 get_boot_cpu_id(), cpu_to_node(get_boot_cpu_id()));
	mk_machine_expect(test, fdt, want);
	kvfree(fdt);
}

static struct kunit_case mk_machine_test_cases[] = {
	KUNIT_CASE(mk_machine_cpu_not_present),
	KUNIT_CASE(mk_machine_memory_not_reserved),
	KUNIT_CASE(mk_machine_boot_cpu),
	KUNIT_CASE(mk_machine_pci_absent),
	KUNIT_CASE(mk_machine_pci_malformed),
	KUNIT_CASE(mk_machine_no_pci_id),
	KUNIT_CASE(mk_machine_numa_wrong_node),
	{}
};

static struct kunit_suite mk_machine_test_suite = {
	.name = "multikernel-machine",
	.test_cases = mk_machine_test_cases,
};

kunit_test_suite(mk_machine_test_suite);

MODULE_DESCRIPTION("KUnit tests for the multikernel machine-reality checks");
MODULE_LICENSE("GPL");
