/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The rules a multikernel state is checked against.
 *
 * Code reports a finding by its rule; the table gives the rule's stable
 * name (the ABI of the finding lines), the errno a write fails with, and
 * what the finding is about, so that tools explain findings from the
 * table and never from the spelling of a name.
 *
 * Shared with user space (see port.h).
 */
#ifndef _MULTIKERNEL_RULES_H
#define _MULTIKERNEL_RULES_H

#include "port.h"

enum mk_rule {
	MK_RULE_MALFORMED,
	MK_RULE_LIMIT,
	MK_RULE_LIMIT_SIZE,
	MK_RULE_LIMIT_PARTS,
	MK_RULE_BASELINE_MISSING,
	MK_RULE_BASELINE_INSTANCES,
	MK_RULE_BASELINE_BUSY,
	MK_RULE_BASELINE_CPUS,
	MK_RULE_BASELINE_MEMORY,
	MK_RULE_BASELINE_DEVICE,
	MK_RULE_BASELINE_NUMA,
	MK_RULE_BASELINE_CORES,
	MK_RULE_MACHINE_CPUS,
	MK_RULE_MACHINE_MEMORY,
	MK_RULE_MACHINE_DEVICES,
	MK_RULE_MACHINE_NUMA,
	MK_RULE_OVERLAY_TARGET,
	MK_RULE_OVERLAY_EMPTY,
	MK_RULE_OVERLAY_APPLY,
	MK_RULE_NAME,
	MK_RULE_ID_RANGE,
	MK_RULE_RESOURCES_MISSING,
	MK_RULE_DUPLICATE_ID,
	MK_RULE_ID_EXHAUSTED,
	MK_RULE_CPU_MISSING,
	MK_RULE_CPU_COUNT,
	MK_RULE_CPU_INVALID,
	MK_RULE_CPU_HOST_RESERVED,
	MK_RULE_CPU_UNAVAILABLE,
	MK_RULE_CPU_OVERLAP,
	MK_RULE_CPU_EXHAUSTED,
	MK_RULE_DOORBELL_CPU,
	MK_RULE_MEMORY_SIZE,
	MK_RULE_MEMORY_ALIGNMENT,
	MK_RULE_MEMORY_OUTSIDE_POOL,
	MK_RULE_MEMORY_OVERLAP,
	MK_RULE_MEMORY_EXHAUSTED,
	MK_RULE_DEVICE_DANGLING,
	MK_RULE_DEVICE_UNKNOWN,
	MK_RULE_DEVICE_DUPLICATE,
	MK_RULE_DEVICE_PART_RANGE,
	MK_RULE_DEVICE_PART_RESERVED,
	MK_RULE_DEVICE_PART_UNAVAILABLE,
	MK_RULE_DEVICE_CONFLICT,
	MK_RULE_DEVICE_UNREFERENCED,
	MK_RULE_NUMA_NODE_UNKNOWN,
	MK_RULE_NUMA_BIND_EMPTY,
	MK_RULE_POLICY_UNKNOWN,
	MK_RULE_POLICY_INVALID,
	MK_RULE_POLICY_NO_PLACEMENT,
	MK_RULE_NUMA_CPUS_OUTSIDE,
	MK_RULE_NUMA_COMPACT_SPANS,
	MK_RULE_NUMA_SPREAD_SINGLE,
	MK_RULE_NUMA_LOCAL_MEMORY,
	MK_RULE_POLICY_FALLBACK,
	MK_RULE_IMAGE_FORMAT,
	MK_RULE_IMAGE_SIZE,
	MK_RULE_IMAGE_CMDLINE,
	MK_RULE_IMAGE_FILE,
	MK_RULE_IMAGE_SIGNATURE,
	MK_RULE_INSTANCE_BUSY,
	MK_RULE_INSTANCE_NOT_LOADED,
	MK_RULE_EXEC_CPUS,
	MK_RULE_EXEC_WINDOW,
	MK_RULE_EXEC_MEMORY,
	MK_RULE_EXEC_HELLO,
	MK_RULE_EXEC_PROTOCOL,
	MK_RULE_HEALTH_POLICY,
	MK_RULE_RESIZE_BOOT_CPU,
	MK_RULE_RESIZE_CPUS,
	MK_RULE_RESIZE_MEMORY,
	MK_RULE_RESIZE_TIMEOUT,
	MK_RULE_RESIZE_REFUSED,
	MK_NR_RULES,
};

/* What a finding is about, for a tool that explains it. */
enum mk_rule_res {
	MK_RES_NONE,		/* the input, or the state as a whole */
	MK_RES_POOL,		/* the baseline: node and props locate it */
	MK_RES_CPUS,		/* an instance's CPUs */
	MK_RES_MEMORY,		/* an instance's memory */
	MK_RES_DEVICE,		/* an instance's devices */
};

/**
 * struct mk_rule_info - one row of the rule table
 * @name: the stable name that finding lines carry
 * @err: the negative errno an error makes a write fail with; 0 for a rule
 *	 that only warns
 * @res: what the finding is about
 * @node: for MK_RES_POOL, the baseline node it is about, when the finding
 *	  does not name one itself; else NULL
 * @props: NULL-terminated; the properties the finding can be about. For an
 *	   instance's resource, the first is what a suggestion changes, and a
 *	   rule without props has no suggestion. NULL if none.
 */
struct mk_rule_info {
	const char *name;
	int err;
	enum mk_rule_res res;
	const char *node;
	const char *const *props;
};

extern const struct mk_rule_info mk_rules[MK_NR_RULES];

const struct mk_rule_info *mk_rule_find(const char *name, size_t len);

#endif /* _MULTIKERNEL_RULES_H */
