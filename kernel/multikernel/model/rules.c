// SPDX-License-Identifier: GPL-2.0
/*
 * The rule table. A rule renamed here is renamed everywhere: in the
 * kernel's findings and in what kerf explains, which reads this table.
 * Documentation/filesystems/multikernel.rst lists the same names and
 * errnos, and a host test holds the two together.
 */

#include "rules.h"

#define MK_PROPS(...)	((const char *const []){ __VA_ARGS__, NULL })

/* A part of a device is a VF or a namespace, as the device says. */
static const char *const mk_part_props[] = { "vf-id", "namespace-id", NULL };

const struct mk_rule_info mk_rules[MK_NR_RULES] = {
	[MK_RULE_MALFORMED] = { "malformed", -EINVAL, MK_RES_NONE },
	[MK_RULE_LIMIT] = { "limit", -E2BIG, MK_RES_NONE },
	[MK_RULE_LIMIT_SIZE] = { "limit", -EFBIG, MK_RES_NONE },
	[MK_RULE_LIMIT_PARTS] = { "limit", -EINVAL, MK_RES_NONE },
	[MK_RULE_BASELINE_MISSING] = {
		"baseline-missing", -EINVAL, MK_RES_NONE },
	[MK_RULE_BASELINE_INSTANCES] = {
		"baseline-instances", -EINVAL, MK_RES_NONE },
	[MK_RULE_BASELINE_BUSY] = { "baseline-busy", -EBUSY, MK_RES_NONE },
	[MK_RULE_BASELINE_CPUS] = {
		"baseline-cpus", -EINVAL, MK_RES_POOL, "cpus",
		MK_PROPS("host-reserved", "available", "total") },
	[MK_RULE_BASELINE_MEMORY] = {
		"baseline-memory", -EINVAL, MK_RES_POOL, "memory",
		MK_PROPS("memory-pool-bytes", "host-reserved-bytes", "memory-pool-base") },
	[MK_RULE_BASELINE_DEVICE] = {
		"baseline-device", -EINVAL, MK_RES_POOL, NULL,
		MK_PROPS("host-reserved-vf", "host-reserved-ns", "available-vfs", "available-ns") },
	[MK_RULE_BASELINE_NUMA] = {
		"baseline-numa", -EINVAL, MK_RES_POOL, "numa-nodes",
		MK_PROPS("distance") },
	[MK_RULE_BASELINE_CORES] = {
		"baseline-cores", -EINVAL, MK_RES_POOL, "topology",
		MK_PROPS("core-ids") },
	[MK_RULE_MACHINE_CPUS] = {
		"machine-cpus", -EINVAL, MK_RES_POOL, "cpus",
		MK_PROPS("available") },
	[MK_RULE_MACHINE_MEMORY] = {
		"machine-memory", -EINVAL, MK_RES_POOL, "memory",
		MK_PROPS("memory-pool-base") },
	[MK_RULE_MACHINE_DEVICES] = { "machine-devices", -EINVAL, MK_RES_NONE },
	[MK_RULE_MACHINE_NUMA] = {
		"machine-numa", -EINVAL, MK_RES_POOL, "numa-nodes",
		MK_PROPS("cpus") },
	[MK_RULE_OVERLAY_TARGET] = { "overlay-target", -EINVAL, MK_RES_NONE },
	[MK_RULE_OVERLAY_EMPTY] = { "overlay-empty", -EINVAL, MK_RES_NONE },
	[MK_RULE_OVERLAY_APPLY] = { "overlay-apply", -EINVAL, MK_RES_NONE },
	[MK_RULE_NAME] = { "name", -EINVAL, MK_RES_NONE },
	[MK_RULE_ID_RANGE] = { "id-range", -EINVAL, MK_RES_NONE },
	[MK_RULE_RESOURCES_MISSING] = {
		"resources-missing", -EINVAL, MK_RES_NONE },
	[MK_RULE_DUPLICATE_ID] = { "duplicate-id", -EEXIST, MK_RES_NONE },
	[MK_RULE_ID_EXHAUSTED] = { "id-exhausted", -ENOSPC, MK_RES_NONE },
	[MK_RULE_CPU_MISSING] = {
		"cpu-missing", -EINVAL, MK_RES_CPUS, NULL, MK_PROPS("cpus") },
	[MK_RULE_CPU_COUNT] = { "cpu-count", -EINVAL, MK_RES_CPUS },
	[MK_RULE_CPU_INVALID] = {
		"cpu-invalid", -EINVAL, MK_RES_CPUS, NULL, MK_PROPS("cpus") },
	[MK_RULE_CPU_HOST_RESERVED] = {
		"cpu-host-reserved", -EINVAL, MK_RES_CPUS, NULL,
		MK_PROPS("cpus") },
	[MK_RULE_CPU_UNAVAILABLE] = {
		"cpu-unavailable", -EINVAL, MK_RES_CPUS, NULL,
		MK_PROPS("cpus") },
	[MK_RULE_CPU_OVERLAP] = {
		"cpu-overlap", -EBUSY, MK_RES_CPUS, NULL, MK_PROPS("cpus") },
	[MK_RULE_CPU_EXHAUSTED] = {
		"cpu-exhausted", -ENOSPC, MK_RES_CPUS, NULL, MK_PROPS("cpus") },
	[MK_RULE_DOORBELL_CPU] = {
		"doorbell-cpu", -EINVAL, MK_RES_CPUS, NULL,
		MK_PROPS("doorbell-cpu") },
	[MK_RULE_MEMORY_SIZE] = { "memory-size", -EINVAL, MK_RES_MEMORY },
	[MK_RULE_MEMORY_ALIGNMENT] = {
		"memory-alignment", -EINVAL, MK_RES_MEMORY },
	[MK_RULE_MEMORY_OUTSIDE_POOL] = {
		"memory-outside-pool", -EINVAL, MK_RES_MEMORY, NULL,
		MK_PROPS("memory-base") },
	[MK_RULE_MEMORY_OVERLAP] = {
		"memory-overlap", -EBUSY, MK_RES_MEMORY, NULL,
		MK_PROPS("memory-base") },
	[MK_RULE_MEMORY_EXHAUSTED] = {
		"memory-exhausted", -ENOSPC, MK_RES_MEMORY, NULL,
		MK_PROPS("memory-base") },
	[MK_RULE_DEVICE_DANGLING] = {
		"device-dangling", -EINVAL, MK_RES_DEVICE },
	[MK_RULE_DEVICE_UNKNOWN] = { "device-unknown", -EINVAL, MK_RES_DEVICE },
	[MK_RULE_DEVICE_DUPLICATE] = {
		"device-duplicate", -EINVAL, MK_RES_DEVICE },
	[MK_RULE_DEVICE_PART_RANGE] = {
		"device-part-range", -EINVAL, MK_RES_DEVICE, NULL,
		mk_part_props },
	[MK_RULE_DEVICE_PART_RESERVED] = {
		"device-part-reserved", -EINVAL, MK_RES_DEVICE, NULL,
		mk_part_props },
	[MK_RULE_DEVICE_PART_UNAVAILABLE] = {
		"device-part-unavailable", -EINVAL, MK_RES_DEVICE, NULL,
		mk_part_props },
	[MK_RULE_DEVICE_CONFLICT] = {
		"device-conflict", -EBUSY, MK_RES_DEVICE, NULL, mk_part_props },
	[MK_RULE_DEVICE_UNREFERENCED] = {
		"device-unreferenced", 0, MK_RES_NONE },
	[MK_RULE_NUMA_NODE_UNKNOWN] = {
		"numa-node-unknown", -EINVAL, MK_RES_NONE },
	[MK_RULE_NUMA_BIND_EMPTY] = { "numa-bind-empty", -EINVAL, MK_RES_NONE },
	[MK_RULE_POLICY_UNKNOWN] = { "policy-unknown", -EINVAL, MK_RES_NONE },
	[MK_RULE_POLICY_INVALID] = { "policy-invalid", -EINVAL, MK_RES_NONE },
	[MK_RULE_POLICY_NO_PLACEMENT] = {
		"policy-no-placement", -ENOSPC, MK_RES_NONE },
	[MK_RULE_NUMA_CPUS_OUTSIDE] = { "numa-cpus-outside", 0, MK_RES_NONE },
	[MK_RULE_NUMA_COMPACT_SPANS] = { "numa-compact-spans", 0, MK_RES_NONE },
	[MK_RULE_NUMA_SPREAD_SINGLE] = { "numa-spread-single", 0, MK_RES_NONE },
	[MK_RULE_NUMA_LOCAL_MEMORY] = { "numa-local-memory", 0, MK_RES_NONE },
	[MK_RULE_POLICY_FALLBACK] = { "policy-fallback", 0, MK_RES_NONE },
	[MK_RULE_IMAGE_FORMAT] = { "image-format", -ENOEXEC, MK_RES_NONE },
	[MK_RULE_IMAGE_SIZE] = { "image-size", -EFBIG, MK_RES_NONE },
	[MK_RULE_IMAGE_CMDLINE] = { "image-cmdline", -E2BIG, MK_RES_NONE },
	[MK_RULE_IMAGE_FILE] = { "image-file", -EBADF, MK_RES_NONE },
	[MK_RULE_IMAGE_SIGNATURE] = { "image-signature", -EKEYREJECTED,
				      MK_RES_NONE },
	[MK_RULE_INSTANCE_BUSY] = { "instance-busy", -EBUSY, MK_RES_NONE },
	[MK_RULE_INSTANCE_NOT_LOADED] = {
		"instance-not-loaded", -ENOENT, MK_RES_NONE },
	[MK_RULE_EXEC_CPUS] = { "exec-cpus", -EINVAL, MK_RES_NONE },
	[MK_RULE_EXEC_WINDOW] = { "exec-window", -ENOSPC, MK_RES_NONE },
	[MK_RULE_EXEC_MEMORY] = { "exec-memory", -EBUSY, MK_RES_NONE },
	[MK_RULE_EXEC_HELLO] = { "exec-hello", -ETIMEDOUT, MK_RES_NONE },
	[MK_RULE_EXEC_PROTOCOL] = { "exec-protocol", -EPROTO, MK_RES_NONE },
	[MK_RULE_HEALTH_POLICY] = { "health-policy", -EINVAL, MK_RES_NONE },
	[MK_RULE_RESIZE_BOOT_CPU] = { "resize-boot-cpu", -EINVAL, MK_RES_CPUS },
	[MK_RULE_RESIZE_CPUS] = { "resize-cpus", -EINVAL, MK_RES_CPUS },
	[MK_RULE_RESIZE_MEMORY] = { "resize-memory", -EINVAL, MK_RES_MEMORY },
	[MK_RULE_RESIZE_TIMEOUT] = { "resize-timeout", -ETIMEDOUT, MK_RES_NONE },
	[MK_RULE_RESIZE_REFUSED] = { "resize-refused", -EIO, MK_RES_NONE },
};

/**
 * mk_rule_find - look a rule up by its name
 * @name: the name, as a finding line carries it; need not be terminated
 * @len: its length
 *
 * Several rows may share a name when one rule fails writes with different
 * errnos (limit); the first is returned, and they differ only in errno.
 *
 * Return: the row, or NULL for a name the table does not have.
 */
const struct mk_rule_info *mk_rule_find(const char *name, size_t len)
{
	u32 i;

	for (i = 0; i < MK_NR_RULES; i++)
		if (strlen(mk_rules[i].name) == len &&
		    !memcmp(mk_rules[i].name, name, len))
			return &mk_rules[i];
	return NULL;
}
