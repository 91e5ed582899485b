/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How a multikernel host starts a kernel in an instance: the boot protocol
 * between the two, and the arch hooks that start and stop an instance's
 * CPUs. The protocol, its layout and its version are described in
 * Documentation/filesystems/multikernel.rst, "The boot protocol".
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
 *   +0x9000  struct mk_crash_info, then the instance's VMCOREINFO text
 *   +0xa000  struct mk_crash_cpu for each of its CPUs (MK_BOOT_MAX_CPUS)
 *  +0x10000  what the boot CPU starts through: a stub page, then the
 *            page tables that map the kernel for its 64-bit entry
 *  +0x20000  the console output bytes (128 KiB)
 *  +0x40000  the KMP channel between host and instance (768 KiB), to
 *            the end: 512 slots and 256 KiB of bulk each way, so that a
 *            64 KiB vsock packet travels as one chunk, in place
 */
#ifndef _LINUX_MULTIKERNEL_BOOT_H
#define _LINUX_MULTIKERNEL_BOOT_H

#include <linux/build_bug.h>
#include <linux/types.h>
#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/stddef.h>
#else
#include <stddef.h>
#endif

#define MK_BOOT_VERSION		3
#define MK_BOOT_MAGIC		0x49424b4d	/* "MKBI" */
#define MK_STATUS_MAGIC		0x53424b4d	/* "MKBS" */
#define MK_BOOT_MAX_CPUS	64
#define MK_BOOT_NAME_MAX	32

/* A setup_data type of our own; upstream numbers its types from 1 up. */
#define SETUP_MULTIKERNEL	0x4d4b0001
/* boot_params.hdr.hardware_subarch: X86_SUBARCH_MULTIKERNEL */
#define MK_X86_SUBARCH_MULTIKERNEL	5

/*
 * An instance's RAM below 1 MiB, for its kernel's real-mode trampoline
 * (24 KiB in 6.12), with a page to spare.
 */
#define MK_LOW_RAM_BYTES	0x7000
/* The 64-bit entry, from the start of the protected-mode part (boot.rst) */
#define MK_KERNEL_ENTRY64	0x200

#define MK_CTRL_BYTES		0x100000
#define MK_CTRL_INFO		0x0000
#define MK_CTRL_BOOT_PARAMS	0x1000
#define MK_CTRL_CMDLINE		0x2000
#define MK_CTRL_CMDLINE_MAX	0x1000
#define MK_CTRL_STATUS		0x3000
#define MK_CTRL_CONS_OUT	0x4000
#define MK_CTRL_CONS_IN		0x4010
#define MK_CTRL_CONS_IN_BUF	0x8000
#define MK_CONS_IN_BYTES	0x1000
#define MK_CTRL_CRASH		0x9000
#define MK_CTRL_VMCOREINFO	0x9040
#define MK_VMCOREINFO_MAX	0x0fc0
#define MK_CTRL_CRASH_CPUS	0xa000
#define MK_CRASH_CPU_BYTES	0x180
#define MK_CTRL_START		0x10000
#define MK_CTRL_START_BYTES	0xc000
#define MK_CTRL_CONS_OUT_BUF	0x20000
#define MK_CONS_OUT_BYTES	0x20000
#define MK_CTRL_KMP		0x40000
#define MK_KMP_BYTES		0xc0000
#define MK_KMP_SLOTS		512
#define MK_KMP_BULK		0x40000

static_assert(MK_CTRL_CONS_OUT_BUF + MK_CONS_OUT_BYTES <= MK_CTRL_KMP);
static_assert(MK_CTRL_KMP + MK_KMP_BYTES <= MK_CTRL_BYTES);

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
 * @nr_possible: entries of @apic_ids: the first @nr_cpus are the CPUs it
 *	boots with, the rest those a resize may give it later (version 3)
 * @ctrl_phys: the control area
 * @ctrl_bytes: its size
 * @mem_phys: the instance's memory, control area included
 * @mem_bytes: its size
 * @name: the instance's name, NUL-padded
 * @apic_ids: the APIC IDs of the instance's CPUs, the boot CPU first,
 *	then of those it may be given; an index here numbers a CPU's crash
 *	slot
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
	__le32 nr_possible;
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

/**
 * struct mk_beat_req - the payload of KMP_MSG_HEARTBEAT_REQ, host to instance
 * @version: MK_BEAT_VERSION
 * @seq: the host's beat number, which the answer repeats
 * @host_ns: the host's clock when it asked
 */
struct mk_beat_req {
	__le32 version;
	__le32 seq;
	__le64 host_ns;
};

static_assert(sizeof(struct mk_beat_req) == 16);

/**
 * struct mk_beat_rsp - the payload of KMP_MSG_HEARTBEAT_RSP, the answer
 * @version: MK_BEAT_VERSION
 * @seq: @seq of the request answered
 * @host_ns: @host_ns of the request, so the host times the round trip
 * @uptime_ns: how long the instance's kernel has run
 * @mem_total: bytes of RAM the instance's kernel manages
 * @mem_free: of which free
 * @work_delay_ns: how long a work item the instance queued when the
 *	request came waited before it ran: how responsive the kernel is
 * @cpu_permille: how busy its CPUs were since the last answer, 0 to 1000
 * @nr_cpus: its online CPUs
 *
 * The instance sends it as a message of its own, not as a KMP reply, so
 * that the host never blocks on it: an answer that does not come is a
 * missed beat.
 */
struct mk_beat_rsp {
	__le32 version;
	__le32 seq;
	__le64 host_ns;
	__le64 uptime_ns;
	__le64 mem_total;
	__le64 mem_free;
	__le64 work_delay_ns;
	__le32 cpu_permille;
	__le32 nr_cpus;
};

static_assert(offsetof(struct mk_beat_rsp, uptime_ns) == 16);
static_assert(offsetof(struct mk_beat_rsp, cpu_permille) == 48);
static_assert(sizeof(struct mk_beat_rsp) == 56);

#define MK_BEAT_VERSION		1

#define MK_RESIZE_VERSION	1

/* &mk_resize_msg.op: one step of a resize, from the host */
enum mk_resize_op {
	MK_RESIZE_CPU_ADD = 1,		/* bring up the CPU at @apic_id */
	MK_RESIZE_CPU_REMOVE = 2,	/* offline it and give it back */
	MK_RESIZE_MEM_ADD = 3,		/* add [@phys, @phys + @bytes) */
	MK_RESIZE_MEM_REMOVE = 4,	/* offline and remove it */
};

/*
 * Memory is added and removed in units of this size, at addresses it
 * divides: the x86_64 kernel's memory block (its sparsemem section).
 */
#define MK_RESIZE_MEM_ALIGN	(128ULL << 20)

/**
 * struct mk_resize_msg - one step of a resize, and its answer
 * @version: MK_RESIZE_VERSION
 * @op: an enum mk_resize_op
 * @seq: the host's number for the step; the answer repeats it
 * @apic_id: the CPU, for the CPU steps
 * @result: in the answer: 0, or the positive errno of why not
 * @reserved: zero
 * @phys: the memory, for the memory steps
 * @bytes: ... its size
 *
 * The host sends it as KMP_MSG_RESIZE; the instance carries the step out
 * and sends it back, with @result, as the reply. The host reads the reply
 * as untrusted: only one that repeats the step it waits for counts, and
 * a result it does not know is a refusal.
 */
struct mk_resize_msg {
	__le16 version;
	__le16 op;
	__le32 seq;
	__le32 apic_id;
	__le32 result;
	__le64 phys;
	__le64 bytes;
	__le64 reserved;
};

static_assert(offsetof(struct mk_resize_msg, apic_id) == 8);
static_assert(offsetof(struct mk_resize_msg, phys) == 16);
static_assert(sizeof(struct mk_resize_msg) == 40);

#define MK_CRASH_MAGIC		0x43424b4d	/* "MKBC" */
#define MK_CRASH_VERSION	1
#define MK_CRASH_NR_REGS	27
#define MK_CRASH_STACK_PAGES	8

/**
 * struct mk_crash_info - what the host needs for an instance's vmcore
 * @magic: MK_CRASH_MAGIC once the instance has written this
 * @version: MK_CRASH_VERSION
 * @dump_gen: written by the host: a new value asks each CPU that gets an
 *	NMI to save its registers, tagged with this value
 * @panic_cpu: the index in &mk_boot_info.apic_ids of the CPU that
 *	panicked, or ~0
 * @text_virt: the virtual address of the instance kernel's _text
 * @text_phys: ... its physical address
 * @text_bytes: _end - _text
 * @page_offset: the virtual address of physical 0 in its direct map
 * @vmcoreinfo_bytes: bytes of VMCOREINFO text at MK_CTRL_VMCOREINFO; the
 *	instance writes at most MK_VMCOREINFO_MAX and says so here
 * @vmcoreinfo_full: the size of its whole VMCOREINFO, which may be more
 * @reserved: zero
 *
 * The instance writes it at boot, and its VMCOREINFO again (with
 * CRASHTIME) when it panics. The host reads all of it as untrusted:
 * every address is checked to lie in the instance's own memory.
 */
struct mk_crash_info {
	__le32 magic;
	__le32 version;
	__le32 dump_gen;
	__le32 panic_cpu;
	__le64 text_virt;
	__le64 text_phys;
	__le64 text_bytes;
	__le64 page_offset;
	__le32 vmcoreinfo_bytes;
	__le32 vmcoreinfo_full;
	__le64 reserved;
};

static_assert(offsetof(struct mk_crash_info, text_virt) == 16);
static_assert(offsetof(struct mk_crash_info, vmcoreinfo_bytes) == 48);
static_assert(sizeof(struct mk_crash_info) == 64);

/* &mk_crash_cpu.state: whose registers the slot holds */
enum mk_crash_cpu_state {
	MK_CRASH_CPU_NONE = 0,
	MK_CRASH_CPU_PANIC = 1,	/* the CPU that panicked, in its notifier */
	MK_CRASH_CPU_NMI = 2,	/* stopped by an NMI, from the host or panic */
};

/**
 * struct mk_crash_cpu - one CPU's registers, for the vmcore's NT_PRSTATUS
 * @state: an enum mk_crash_cpu_state, written last
 * @gen: &mk_crash_info.dump_gen the registers answer, or 0 at a panic
 * @pid: the task it ran
 * @apic_id: the CPU's APIC ID
 * @regs: the general registers in the order of an ELF core's
 *	elf_gregset_t on x86_64 (r15 first, gs last)
 * @stack_virt: the stack the registers point into, THREAD_SIZE aligned
 * @stack_phys: the physical address of each of its pages, 0 if unknown;
 *	the host maps them into the core so that a debugger can unwind
 * @reserved: zero
 */
struct mk_crash_cpu {
	__le32 state;
	__le32 gen;
	__le32 pid;
	__le32 apic_id;
	__le64 regs[MK_CRASH_NR_REGS];
	__le64 stack_virt;
	__le64 stack_phys[MK_CRASH_STACK_PAGES];
	__le64 reserved[10];
};

static_assert(offsetof(struct mk_crash_cpu, regs) == 16);
static_assert(offsetof(struct mk_crash_cpu, stack_virt) == 232);
static_assert(sizeof(struct mk_crash_cpu) == MK_CRASH_CPU_BYTES);
static_assert(MK_CTRL_CRASH_CPUS + MK_BOOT_MAX_CPUS * MK_CRASH_CPU_BYTES <=
	      MK_CTRL_START);
static_assert(MK_CTRL_START + MK_CTRL_START_BYTES <= MK_CTRL_CONS_OUT_BUF);
static_assert(MK_CTRL_VMCOREINFO + MK_VMCOREINFO_MAX == MK_CTRL_CRASH_CPUS);

#ifdef __KERNEL__
/* How far a boot CPU got on its way to the kernel: arch_mk_cpu_start() */
enum mk_tramp_stage {
	MK_TRAMP_NONE,		/* it never ran */
	MK_TRAMP_REAL,		/* it ran in real mode, and went no further */
	MK_TRAMP_PROT,		/* ... in 32-bit protected mode */
	MK_TRAMP_LONG,		/* ... in long mode, in the start area */
	MK_TRAMP_KERNEL,	/* it jumped to the kernel's entry */
};

/**
 * struct mk_cpu_entry - where an instance's boot CPU goes
 * @kernel: the protected-mode part of its kernel, loaded
 * @kernel_bytes: what that needs to run: init_size
 * @ctrl: the instance's control area, with boot_params
 * @ctrl_va: the same, mapped in the host
 */
struct mk_cpu_entry {
	u64 kernel;
	u64 kernel_bytes;
	u64 ctrl;
	u8 *ctrl_va;
};

/*
 * The arch hooks the host's instance code calls, in
 * arch/x86/kernel/multikernel_start.c. Elsewhere (UML, for KUnit) an
 * instance cannot start: the stubs say so.
 */
#ifdef CONFIG_X86
int arch_mk_low_get(u64 *phys);
void arch_mk_low_put(u64 phys);
int arch_mk_cpu_start(u32 apic_id, const struct mk_cpu_entry *e,
		      enum mk_tramp_stage *stage);
int arch_mk_cpu_stop(u32 apic_id);
void arch_mk_cpu_nmi(u32 apic_id);
void arch_mk_boot_info(struct mk_boot_info *bi, int host_cpu);
void arch_mk_pool_reserve(void);
int arch_mk_mem_hide(u64 phys, u64 bytes);
int arch_mk_mem_show(u64 phys, u64 bytes);
void arch_mk_cpu_back(unsigned int cpu);
#else
static inline int arch_mk_low_get(u64 *phys)
{
	return -EOPNOTSUPP;
}

static inline void arch_mk_low_put(u64 phys) {}

static inline int arch_mk_cpu_start(u32 apic_id, const struct mk_cpu_entry *e,
				    enum mk_tramp_stage *stage)
{
	*stage = MK_TRAMP_NONE;
	return -EOPNOTSUPP;
}

static inline int arch_mk_cpu_stop(u32 apic_id)
{
	return -EOPNOTSUPP;
}

static inline void arch_mk_cpu_nmi(u32 apic_id) {}
static inline void arch_mk_boot_info(struct mk_boot_info *bi, int host_cpu) {}
static inline void arch_mk_pool_reserve(void) {}
static inline int arch_mk_mem_hide(u64 phys, u64 bytes) { return 0; }
static inline int arch_mk_mem_show(u64 phys, u64 bytes) { return 0; }
static inline void arch_mk_cpu_back(unsigned int cpu) {}
#endif

/*
 * In a kernel started as an instance: the arch side (boot info, platform,
 * parking) and the rest (kernel/multikernel/guest/).
 */
#ifdef CONFIG_X86
const struct mk_boot_info *mk_instance_boot_info(void);
int mk_instance_cpu_add(u32 apic_id);
int mk_instance_cpu_remove(u32 apic_id);
#else
static inline const struct mk_boot_info *mk_instance_boot_info(void)
{
	return NULL;
}

static inline int mk_instance_cpu_add(u32 apic_id)
{
	return -ENODEV;
}

static inline int mk_instance_cpu_remove(u32 apic_id)
{
	return -ENODEV;
}
#endif
void mk_instance_early_setup(void);
int mk_instance_cpu_index(u32 apic_id);
void *mk_instance_ctrl(void);
void mk_instance_status_write(struct mk_boot_status *st, u32 stage,
			      u32 reason);
void mk_instance_report_park(u32 reason);
void mk_instance_crash_init(void *ctrl);
struct kmp_endpoint;
void mk_health_beat_attach(struct kmp_endpoint *ep);
void mk_resize_attach(struct kmp_endpoint *ep);
#endif

#endif /* _LINUX_MULTIKERNEL_BOOT_H */
