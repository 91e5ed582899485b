/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How a multikernel host starts a kernel in an instance: the boot protocol
 * between the two (version 1), and the arch hooks that start and stop an
 * instance's CPUs. See Documentation/admin-guide/multikernel.rst.
 *
 * Host and instance may be different builds of different versions, so
 * whatever one writes and the other reads is a fixed little-endian layout,
 * checked below with static_assert(); no native struct crosses. The
 * instance's kernel finds all of it from boot_params: hardware_subarch is
 * X86_SUBARCH_MULTIKERNEL, and a setup_data entry of type
 * SETUP_MULTIKERNEL holds struct mk_boot_info.
 *
 * The host puts what it writes in the instance's control area, the last
 * MK_CTRL_BYTES of the instance's memory, which the instance sees as
 * reserved memory rather than RAM:
 *
 *   +0x0000  struct setup_data, then struct mk_boot_info
 *   +0x1000  boot_params
 *   +0x2000  the kernel command line, NUL-terminated
 *   +0x3000  struct mk_boot_status, which the instance writes
 *   +0x4000  the console rings' heads (struct mk_cons_ring): output, input
 *   +0x8000  the console input bytes (4 KiB)
 *  +0x10000  the KMP channel between host and instance (64 KiB)
 *  +0x20000  the console output bytes (128 KiB), to the end
 */
#ifndef _LINUX_MULTIKERNEL_BOOT_H
#define _LINUX_MULTIKERNEL_BOOT_H

#include <linux/build_bug.h>
#include <linux/types.h>
#ifdef __KERNEL__
#include <linux/stddef.h>
#else
#include <stddef.h>
#endif

#define MK_BOOT_VERSION		1
#define MK_BOOT_MAGIC		0x49424b4d	/* "MKBI" */
#define MK_STATUS_MAGIC		0x53424b4d	/* "MKBS" */
#define MK_BOOT_MAX_CPUS	64
#define MK_BOOT_NAME_MAX	32

/* A setup_data type of our own; upstream numbers its types from 1 up. */
#define SETUP_MULTIKERNEL	0x4d4b0001
/* boot_params.hdr.hardware_subarch: X86_SUBARCH_MULTIKERNEL */
#define MK_X86_SUBARCH_MULTIKERNEL	5

/*
 * The low window an instance's boot CPU starts from: page 0 is the host's
 * trampoline, the rest is the instance's RAM below 1 MiB.
 */
#define MK_WINDOW_BYTES		0x8000

#define MK_CTRL_BYTES		0x40000
#define MK_CTRL_INFO		0x0000
#define MK_CTRL_BOOT_PARAMS	0x1000
#define MK_CTRL_CMDLINE		0x2000
#define MK_CTRL_CMDLINE_MAX	0x1000
#define MK_CTRL_STATUS		0x3000
#define MK_CTRL_CONS_OUT	0x4000
#define MK_CTRL_CONS_IN		0x4010
#define MK_CTRL_CONS_IN_BUF	0x8000
#define MK_CONS_IN_BYTES	0x1000
#define MK_CTRL_KMP		0x10000
#define MK_KMP_BYTES		0x10000
#define MK_KMP_SLOTS		128
#define MK_KMP_BULK		16384
#define MK_CTRL_CONS_OUT_BUF	0x20000
#define MK_CONS_OUT_BYTES	0x20000

/**
 * struct mk_boot_info - what the host tells an instance's kernel at boot
 * @magic: MK_BOOT_MAGIC
 * @version: MK_BOOT_VERSION; an instance refuses others
 * @size: bytes of this struct the host wrote; later versions append
 * @instance_id: the instance's id
 * @nr_cpus: entries of @apic_ids
 * @tsc_khz: the TSC frequency the host measured
 * @lapic_khz: the local APIC timer's input frequency the host measured
 * @host_bsp_apic_id: the machine's boot CPU, which the instance must never
 *	send INIT to
 * @host_apic_id: the host CPU that the instance's doorbells ring
 * @doorbell_vector: the vector doorbells use in both kernels
 * @ctrl_phys: the control area
 * @ctrl_bytes: its size
 * @mem_phys: the instance's memory, control area included
 * @mem_bytes: its size
 * @name: the instance's name, NUL-padded
 * @apic_ids: the APIC IDs of the instance's CPUs; the first boots
 */
struct mk_boot_info {
	__le32 magic;
	__le16 version;
	__le16 size;
	__le32 instance_id;
	__le32 nr_cpus;
	__le64 tsc_khz;
	__le64 lapic_khz;
	__le32 host_bsp_apic_id;
	__le32 host_apic_id;
	__le32 doorbell_vector;
	__le32 reserved;
	__le64 ctrl_phys;
	__le64 ctrl_bytes;
	__le64 mem_phys;
	__le64 mem_bytes;
	char name[MK_BOOT_NAME_MAX];
	__le32 apic_ids[MK_BOOT_MAX_CPUS];
};

static_assert(offsetof(struct mk_boot_info, tsc_khz) == 16);
static_assert(offsetof(struct mk_boot_info, host_bsp_apic_id) == 32);
static_assert(offsetof(struct mk_boot_info, ctrl_phys) == 48);
static_assert(offsetof(struct mk_boot_info, name) == 80);
static_assert(offsetof(struct mk_boot_info, apic_ids) == 112);
static_assert(sizeof(struct mk_boot_info) == 368);

/*
 * How far an instance got, in @stage of struct mk_boot_status. The host
 * reads it as untrusted: only the values below mean anything.
 */
enum mk_boot_stage {
	MK_STAGE_NONE = 0,
	MK_STAGE_SETUP = 1,	/* arch setup read the boot info */
	MK_STAGE_HELLO = 2,	/* its CPUs are up and it sent KMP HELLO */
	MK_STAGE_PARKED = 3,	/* it stopped: halt, power off or panic */
};

/**
 * struct mk_hello - the payload of KMP_MSG_HELLO between host and instance
 * @kmp_version: KMP_VERSION of the sender
 * @boot_version: MK_BOOT_VERSION of the sender
 *
 * The instance sends it on the KMP channel once its CPUs are up, and the
 * host answers with its own. Ring 0 of the channel (MK_CTRL_KMP, geometry
 * MK_KMP_SLOTS and MK_KMP_BULK) carries the host's messages, ring 1 the
 * instance's; the host rings the instance's first CPU, the instance
 * @host_apic_id of struct mk_boot_info.
 */
struct mk_hello {
	__le32 kmp_version;
	__le32 boot_version;
};

static_assert(sizeof(struct mk_hello) == 8);

/**
 * struct mk_boot_status - what an instance tells the host, and asks of it
 * @magic: MK_STATUS_MAGIC once the instance has written this
 * @version: the instance's MK_BOOT_VERSION, said with HELLO
 * @stage: an enum mk_boot_stage
 * @cpus_up: how many of its CPUs came up
 * @park_reason: at MK_STAGE_PARKED, why: an enum mk_park_reason
 * @reserved: zero
 * @kernel_release: the instance's utsname release, NUL-padded
 */
struct mk_boot_status {
	__le32 magic;
	__le32 version;
	__le32 stage;
	__le32 cpus_up;
	__le32 park_reason;
	__le32 reserved;
	char kernel_release[64];
};

static_assert(offsetof(struct mk_boot_status, kernel_release) == 24);
static_assert(sizeof(struct mk_boot_status) == 88);

enum mk_park_reason {
	MK_PARK_HALT = 1,
	MK_PARK_POWER_OFF = 2,
	MK_PARK_RESTART = 3,
	MK_PARK_PANIC = 4,
};

/**
 * struct mk_cons_ring - one direction of the console: a byte ring
 * @head: bytes the writer has written, ever; byte n is at n % size
 * @tail: bytes the reader has read, ever
 * @reserved: zero
 *
 * The ring's bytes and size are fixed by the layout above. A writer
 * stores bytes, then @head; a reader loads @head, then bytes, then stores
 * @tail. A full ring drops what does not fit rather than wait for a peer
 * that may be gone; a reader that fell behind skips to @head - size.
 */
struct mk_cons_ring {
	__le32 head;
	__le32 tail;
	__le32 reserved[2];
};

static_assert(sizeof(struct mk_cons_ring) == 16);

#ifdef __KERNEL__
/* The arch hooks the host's spawn code calls; x86 has them. */
int arch_mk_window_get(u64 *phys);
void arch_mk_window_put(u64 phys);
int arch_mk_cpu_start(u32 apic_id, u64 window, u32 entry, u32 boot_params);
void arch_mk_cpu_stop(u32 apic_id);
/* How far a boot CPU got in the trampoline: arch_mk_window_stage() */
enum mk_tramp_stage {
	MK_TRAMP_NONE,		/* it never ran */
	MK_TRAMP_REAL,		/* it ran in real mode, and went no further */
	MK_TRAMP_KERNEL,	/* it jumped to the kernel's entry */
};

enum mk_tramp_stage arch_mk_window_stage(u64 window);
void arch_mk_boot_info(struct mk_boot_info *bi);
void arch_mk_pool_reserve(void);

/* In a kernel started as an instance */
void mk_instance_early_setup(void);
void *mk_instance_ctrl(void);
#endif

#endif /* _LINUX_MULTIKERNEL_BOOT_H */
