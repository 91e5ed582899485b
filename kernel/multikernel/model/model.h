/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The multikernel resource model: the pool that a baseline device tree
 * describes, the instances that an effective tree holds, and the report of
 * findings from parsing and validating them.
 *
 * Shared with user space (see port.h): no kernel-only services here.
 */
#ifndef _MULTIKERNEL_MODEL_H
#define _MULTIKERNEL_MODEL_H

#include "port.h"
#include "rules.h"

#include <linux/multikernel_boot.h>

/* Limits; Documentation/filesystems/multikernel.rst lists them as ABI. */
#define MK_MAX_CPUS		4096
#define MK_MAX_INSTANCES	1024	/* ids 1..MK_MAX_INSTANCES; 0 is the host */
#define MK_MAX_DEVICES		256	/* devices in the baseline */
#define MK_MAX_INSTANCE_DEVICES	64	/* device references of one instance */
#define MK_MAX_PARTS		256	/* VFs or namespaces of one device */
#define MK_MAX_NUMA_NODES	64
#define MK_MAX_BLOB_SIZE	(2U << 20)	/* kernfs kmallocs a write whole */
#define MK_MAX_DEPTH		16	/* node nesting in any blob */
#define MK_MAX_NODES		65536	/* nodes in any blob */
#define MK_NAME_MAX		31	/* instance name length */
#define MK_REPORT_MAX		65536	/* bytes of findings kept */
#define MK_PAGE_SIZE		4096ULL
#define MK_POLICY_NAME_MAX	16	/* with the NUL */

#define MK_BITMAP_LONGS(n)	DIV_ROUND_UP(n, BITS_PER_LONG)

struct mk_cpus {
	unsigned long bits[MK_BITMAP_LONGS(MK_MAX_CPUS)];
};

/* VF or namespace ids; bit n is id n. */
struct mk_parts {
	unsigned long bits[MK_BITMAP_LONGS(MK_MAX_PARTS + 1)];
};

enum mk_part_kind {
	MK_PARTS_NONE,		/* only assignable whole */
	MK_PARTS_VF,		/* sriov-vfs: VF ids 0 .. sriov-vfs - 1 */
	MK_PARTS_NAMESPACE,	/* namespaces: ids 1 .. namespaces */
};

struct mk_device {
	const char *name;	/* node name, e.g. "ethernet@0" */
	const char *label;	/* from /__symbols__, e.g. "eth0"; or NULL */
	int offset;
	u32 phandle;		/* 0 if the node has none */
	enum mk_part_kind part_kind;
	u32 nparts;
	struct mk_parts reserved;
	struct mk_parts available;
};

struct mk_numa_node {
	u32 id;
	u64 mem_base;
	u64 mem_size;
	struct mk_cpus cpus;
	int offset;
};

struct mk_pool {
	u32 total_cpus;
	struct mk_cpus host_reserved;
	struct mk_cpus available;
	u64 total_bytes;
	u64 host_reserved_bytes;
	u64 pool_base;
	u64 pool_bytes;
	u32 ndevices;
	struct mk_device *devices;
	u32 nnuma;
	struct mk_numa_node *numa;
	u32 *distance;		/* nnuma x nnuma, row-major; or NULL */
	u32 *core;		/* total_cpus core ids (SMT siblings); or NULL */
};

/* Without the property, "first": the lowest-numbered free CPUs. */
enum mk_affinity {
	MK_AFFINITY_FIRST,
	MK_AFFINITY_COMPACT,
	MK_AFFINITY_SPREAD,
	MK_AFFINITY_LOCAL,
};

/* Without the property, "first": the lowest free range that fits. */
enum mk_mempolicy {
	MK_MEMPOLICY_FIRST,
	MK_MEMPOLICY_LOCAL,
	MK_MEMPOLICY_INTERLEAVE,
	MK_MEMPOLICY_BIND,
};

struct mk_devref {
	u32 dev;		/* index into mk_pool.devices */
	s32 part;		/* VF or namespace id; -1 for the whole device */
	int node;		/* the node the phandle names */
};

struct mk_instance {
	const char *name;
	int offset;		/* of the instance node */
	int res_offset;		/* of its resources node */
	bool has_id;
	u32 id;
	bool has_cpus;
	struct mk_cpus cpus;
	u32 cpu_count;		/* cpu-count, 0 if absent */
	bool has_doorbell_cpu;
	u32 doorbell_cpu;	/* the host CPU its doorbells ring */
	bool has_mem_base;
	u64 mem_base;
	u64 mem_bytes;
	u32 ndevs;
	struct mk_devref devs[MK_MAX_INSTANCE_DEVICES];
	u32 nnuma;
	u32 numa_nodes[MK_MAX_NUMA_NODES];	/* node-id values */
	enum mk_affinity affinity;
	enum mk_mempolicy mempolicy;
};

/* A parsed tree: the pool from /resources, the instances from /instances. */
struct mk_state {
	const void *fdt;
	struct mk_pool pool;
	u32 ninstances;
	struct mk_instance *instances;
};

/*
 * Findings, one per line: "error: RULE: INSTANCES: WHAT; HINT". The errno
 * of the first error is what a failed write returns. RULE and the errno
 * come from the rule table (rules.h).
 */
struct mk_report {
	char *buf;
	size_t len;
	size_t size;
	u32 errors;
	u32 warnings;
	u32 dropped;		/* findings past MK_REPORT_MAX, counted */
	int err;		/* negative errno of the first error, or 0 */
};

/*
 * What the kernel decided for one instance when its transaction was
 * applied; replayed, never re-decided, when the state is rebuilt.
 */
#define MK_DECIDED_ID		BIT(0)
#define MK_DECIDED_CPUS		BIT(1)
#define MK_DECIDED_MEM_BASE	BIT(2)

struct mk_decision {
	char name[MK_NAME_MAX + 1];
	u32 what;
	u32 id;
	u64 mem_base;
	struct mk_cpus cpus;
	char cpu_policy[MK_POLICY_NAME_MAX];	/* which policy decided */
	char mem_policy[MK_POLICY_NAME_MAX];
};

struct mk_decisions {
	u32 n;
	struct mk_decision *d;
};

/* report.c */
int mk_bits_format(char *buf, size_t size, const unsigned long *bits,
		   u32 nbits);
void mk_report_init(struct mk_report *rep);
void mk_report_free(struct mk_report *rep);
__printf(3, 4)
void mk_report_add(struct mk_report *rep, enum mk_rule rule,
		   const char *fmt, ...);

/* fdt_util.c */
int mk_fdt_check(const void *fdt, size_t size, struct mk_report *rep);
int mk_fdt_copy(const void *fdt, size_t extra, void **out);
void *mk_fdt_subtree(const void *fdt, int node);

/* dt_parse.c */
bool mk_is_devref_node(const void *fdt, int node);
int mk_state_parse(struct mk_state *st, const void *fdt, size_t size,
		   struct mk_report *rep);
void mk_state_free(struct mk_state *st);

/* A range of addresses, [start, end). */
struct mk_span {
	u64 start;
	u64 end;
};

/* A transaction as the rebuild needs it: the overlay and what was decided. */
struct mk_tx_rec {
	const void *dtbo;
	size_t size;
	struct mk_decisions dec;
};

/* overlay.c */
int mk_overlay_apply(const void *base, const void *dtbo, size_t dtbo_size,
		     void **out, struct mk_report *rep);
int mk_overlay_instances(const void *base, const void *dtbo, char *buf,
			 size_t size);
int mk_baseline_load(const void *blob, size_t size, void **out,
		     struct mk_report *rep);

/* placement.c: what the kernel decides for instances, and its replay */
struct mk_policy;
int mk_place(void **fdt, const struct mk_policy *custom,
	     struct mk_decisions *dec, struct mk_report *rep);
int mk_decisions_replay(void **fdt, const struct mk_decisions *dec,
			struct mk_report *rep);
void mk_decisions_free(struct mk_decisions *dec);
int mk_free_memory(const struct mk_state *st, struct mk_span *spans, u32 max);
void mk_free_cpus(const struct mk_state *st, const struct mk_instance *except,
		  struct mk_cpus *out);

/* validate.c */
int mk_validate(const struct mk_state *st, struct mk_report *rep);

/* spawn_image.c: a bzImage, checked and placed in an instance */
struct mk_image_plan {
	u32 setup_bytes;	/* the real-mode part in front, not loaded */
	u64 kernel_bytes;	/* the protected-mode part that follows */
	u64 kernel_offset;	/* where it goes, from the instance's base */
	u64 reserve_bytes;	/* memory it needs from the base, in all */
	u32 alignment;		/* kernel_alignment */
	u32 init_size;
	u32 cmdline_max;	/* cmdline_size: the longest command line */
	u16 version;		/* of the boot protocol */
	bool above_4g;		/* XLF_CAN_BE_LOADED_ABOVE_4G */
};

int mk_image_plan(const void *image, size_t size, u64 base, u64 bytes,
		  struct mk_image_plan *plan, struct mk_report *rep);

/* spawn_sig.c: a signature appended to an image, as sign-file writes it */
struct mk_image_sig {
	size_t data_bytes;	/* what it signs: the image before it */
	size_t msg_offset;	/* the PKCS#7 message */
	size_t msg_bytes;
};

int mk_image_sig_split(const void *image, size_t size, struct mk_image_sig *sig);

/* spawn_boot.c: physical addresses of what the host writes for a start */
struct mk_boot_layout {
	u64 mem;		/* the instance's memory */
	u64 mem_bytes;
	u64 kernel;		/* the protected-mode part */
	u64 initrd;
	u64 initrd_bytes;
	u64 ctrl;		/* the control area, MK_CTRL_BYTES */
};

int mk_boot_layout(const struct mk_image_plan *plan, u64 initrd_bytes,
		   u64 base, u64 bytes, struct mk_boot_layout *lay,
		   struct mk_report *rep);
void mk_boot_params(u8 *bp, const u8 *image, const struct mk_boot_layout *lay,
		    u64 low);

/* tx.c: the one path by which a tree changes */
#define MK_TX_EXPLAIN	BIT(0)	/* on failure, keep what was built, parsed */

struct mk_tx_result {
	void *tree;		/* the new tree; on failure, as far as it got */
	struct mk_state st;	/* @tree parsed, when @parsed */
	bool parsed;
	struct mk_decisions dec;	/* what was placed */
	char *instances;	/* the instances it touches, one per line */
};

int mk_tree_check(const void *tree, size_t size, struct mk_state *st,
		  struct mk_report *rep);
int mk_tx_compute(const void *base, const void *dtbo, size_t size,
		  const struct mk_policy *custom, unsigned int flags,
		  struct mk_tx_result *res, struct mk_report *rep);
int mk_tx_rebuild(const void *baseline, struct mk_tx_rec *const *txs, u32 n,
		  struct mk_tx_result *res, struct mk_report *rep);
void mk_tx_result_free(struct mk_tx_result *res);

#endif /* _MULTIKERNEL_MODEL_H */
