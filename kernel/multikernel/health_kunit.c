// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the health policy (health_monitor.c) and the vmcore
 * (instance_vmcore.c): policies set all or nothing, and a core built from a
 * control area that an instance filled in, honestly and not: the
 * panicking CPU first, VMCOREINFO bounded, and every address outside the
 * instance's memory left out. The instance here is a buffer: the capture
 * reads only the host's mapping of an instance's memory, never a
 * physical address.
 */

#include <kunit/test.h>
#include <linux/seq_file.h>
#include <linux/elf.h>
#include <linux/elfcore.h>
#include <linux/sizes.h>
#include <linux/timekeeping.h>
#include <linux/vmalloc.h>

#include "instance.h"

static struct mk_inst *mk_t_loaded(struct kunit *test)
{
	struct mk_inst *ld = kunit_kzalloc(test, sizeof(*ld), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ld);
	strscpy(ld->name, "t", sizeof(ld->name));
	mk_health_init(&ld->health);
	return ld;
}

static int mk_t_set(struct mk_inst *ld, const char *text, char *err)
{
	char buf[256];

	strscpy(buf, text, sizeof(buf));
	return mk_health_policy_set(&ld->health, buf, err, 160);
}

static void mk_policy_all_or_nothing(struct kunit *test)
{
	struct mk_inst *ld = mk_t_loaded(test);
	char err[160] = "";

	KUNIT_EXPECT_EQ(test, ld->health.pol.timeout_ms, 60000);
	KUNIT_EXPECT_EQ(test, ld->health.pol.on_failure, MK_FAIL_RECLAIM);
	KUNIT_EXPECT_EQ(test, mk_t_set(ld, "heartbeat_interval_ms 250\n"
				       "heartbeat_timeout_ms=1000 on_failure restart\n"
				       "vmcore off", err), 0);
	KUNIT_EXPECT_EQ(test, ld->health.pol.interval_ms, 250);
	KUNIT_EXPECT_EQ(test, ld->health.pol.timeout_ms, 1000);
	KUNIT_EXPECT_EQ(test, ld->health.pol.on_failure, MK_FAIL_RESTART);
	KUNIT_EXPECT_FALSE(test, ld->health.pol.vmcore);

	/* One bad pair: nothing of the write is taken. */
	KUNIT_EXPECT_EQ(test, mk_t_set(ld, "missed_max 5 on_failure sometimes", err),
			-EINVAL);
	KUNIT_EXPECT_STREQ(test, err, "on_failure: \"sometimes\" is none, reclaim or restart");
	KUNIT_EXPECT_EQ(test, ld->health.pol.missed_max, 3);
	KUNIT_EXPECT_EQ(test, mk_t_set(ld, "restart_max 17", err), -EINVAL);
	KUNIT_EXPECT_STREQ(test, err, "restart_max: \"17\" is not a number from 0 to 16");
	KUNIT_EXPECT_EQ(test, mk_t_set(ld, "heartbeat_interval_ms 600", err), -EINVAL);
	KUNIT_EXPECT_STREQ(test, err,
			   "heartbeat_interval_ms 600: at most half of heartbeat_timeout_ms 1000");
	KUNIT_EXPECT_EQ(test, mk_t_set(ld, "frequency 3", err), -EINVAL);
	KUNIT_EXPECT_STREQ(test, err, "\"frequency\" is no policy key");
	KUNIT_EXPECT_EQ(test, mk_t_set(ld, "missed_max", err), -EINVAL);
	KUNIT_EXPECT_STREQ(test, err, "missed_max: no value");
	KUNIT_EXPECT_EQ(test, ld->health.pol.interval_ms, 250);
}

#define MK_T_MEM	(SZ_1M + MK_CTRL_BYTES)
#define MK_T_BASE	0x40000000ULL
#define MK_T_POFF	0xffff888000000000ULL

/* An instance of 1 MiB at MK_T_BASE with two CPUs, as a buffer. */
static struct mk_inst *mk_t_instance(struct kunit *test)
{
	struct mk_inst *ld = mk_t_loaded(test);

	ld->mem = vzalloc(MK_T_MEM);
	KUNIT_ASSERT_NOT_NULL(test, ld->mem);
	ld->lay.mem = MK_T_BASE;
	ld->lay.mem_bytes = MK_T_MEM;
	ld->lay.ctrl = MK_T_BASE + SZ_1M;
	ld->mem_top = MK_T_BASE + MK_T_MEM;
	ld->run.ncpus = 2;
	ld->run.npossible = 2;
	ld->held = 3;
	return ld;
}

static void *mk_t_ctrl(struct mk_inst *ld, u32 off)
{
	return ld->mem + SZ_1M + off;
}

static void mk_t_cpu(struct mk_inst *ld, u32 i, u32 state, u32 pid,
		     u64 ip, u64 stack_page)
{
	struct mk_crash_cpu *c = mk_t_ctrl(ld, MK_CTRL_CRASH_CPUS +
					   i * MK_CRASH_CPU_BYTES);

	c->pid = cpu_to_le32(pid);
	c->regs[16] = cpu_to_le64(ip);
	c->stack_virt = cpu_to_le64(0xffffc90000010000ULL);
	c->stack_phys[0] = cpu_to_le64(stack_page);
	c->state = cpu_to_le32(state);
}

/* What the instance writes: image at +0 (64 KiB), CPU 1 panicked. */
static void mk_t_crash_info(struct mk_inst *ld, u32 vmci_bytes)
{
	struct mk_crash_info *ci = mk_t_ctrl(ld, MK_CTRL_CRASH);

	ci->magic = cpu_to_le32(MK_CRASH_MAGIC);
	ci->version = cpu_to_le32(MK_CRASH_VERSION);
	ci->panic_cpu = cpu_to_le32(1);
	ci->text_virt = cpu_to_le64(0xffffffff81000000ULL);
	ci->text_phys = cpu_to_le64(MK_T_BASE);
	ci->text_bytes = cpu_to_le64(SZ_64K);
	ci->page_offset = cpu_to_le64(MK_T_POFF);
	memcpy(mk_t_ctrl(ld, MK_CTRL_VMCOREINFO), "OSRELEASE=t\n", 12);
	ci->vmcoreinfo_bytes = cpu_to_le32(vmci_bytes);
	ci->vmcoreinfo_full = cpu_to_le32(vmci_bytes);
}

static u8 *mk_t_core(struct kunit *test, struct mk_inst *ld, size_t *size)
{
	u8 *core;
	char why[96];

	ld->vmcore = mk_vmcore_capture(ld, false, 0, why, sizeof(why));
	KUNIT_ASSERT_FALSE(test, IS_ERR(ld->vmcore));
	*size = PAGE_SIZE * 4 + SZ_1M;
	core = vzalloc(*size);
	KUNIT_ASSERT_NOT_NULL(test, core);
	*size = mk_vmcore_read(ld->vmcore, core, *size, 0);
	return core;
}

static void mk_t_free(struct mk_inst *ld, u8 *core)
{
	vfree(core);
	mk_vmcore_free(ld->vmcore);
	vfree(ld->mem);
}

/* The n-th note of the core's PT_NOTE, or NULL. */
static struct elf_note *mk_t_note(u8 *core, unsigned int n)
{
	struct elf64_phdr *ph = (void *)core + sizeof(struct elf64_hdr);
	u8 *p = core + ph[0].p_offset, *end = p + ph[0].p_filesz;
	struct elf_note *note;

	while (p < end) {
		note = (void *)p;
		if (!n--)
			return note;
		p += sizeof(*note) + ALIGN(note->n_namesz, 4) +
		     ALIGN(note->n_descsz, 4);
	}
	return NULL;
}

static struct elf_prstatus *mk_t_prstatus(struct elf_note *note)
{
	return (void *)(note + 1) + ALIGN(note->n_namesz, 4);
}

static void mk_vmcore_sound(struct kunit *test)
{
	struct mk_inst *ld = mk_t_instance(test);
	struct elf64_hdr *eh;
	struct elf64_phdr *ph;
	struct elf_note *note;
	size_t size;
	u8 *core;

	mk_t_crash_info(ld, 12);
	mk_t_cpu(ld, 0, MK_CRASH_CPU_NMI, 10, 0x1000, MK_T_BASE + SZ_512K);
	mk_t_cpu(ld, 1, MK_CRASH_CPU_PANIC, 20, 0x2000, MK_T_BASE + SZ_256K);
	memset(ld->mem + SZ_256K, 0xab, PAGE_SIZE);
	core = mk_t_core(test, ld, &size);
	eh = (void *)core;
	ph = (void *)core + sizeof(*eh);

	KUNIT_EXPECT_EQ(test, eh->e_type, ET_CORE);
	/* The note, the memory, the image, a stack page for each CPU. */
	KUNIT_ASSERT_EQ(test, eh->e_phnum, 5);
	KUNIT_EXPECT_EQ(test, ph[1].p_vaddr, MK_T_POFF + MK_T_BASE);
	KUNIT_EXPECT_EQ(test, ph[1].p_filesz, SZ_1M);
	KUNIT_EXPECT_EQ(test, ph[2].p_vaddr, 0xffffffff81000000ULL);
	KUNIT_EXPECT_EQ(test, ph[2].p_offset, ph[1].p_offset);
	/* The panicking CPU's stack first: its bytes are in the file. */
	KUNIT_EXPECT_EQ(test, ph[3].p_vaddr, 0xffffc90000010000ULL);
	KUNIT_ASSERT_LT(test, (size_t)ph[3].p_offset, size);
	KUNIT_EXPECT_EQ(test, core[ph[3].p_offset], 0xab);
	KUNIT_EXPECT_EQ(test, size, ph[1].p_offset + SZ_1M);

	note = mk_t_note(core, 0);
	KUNIT_ASSERT_NOT_NULL(test, note);
	KUNIT_EXPECT_EQ(test, note->n_type, NT_PRSTATUS);
	KUNIT_EXPECT_EQ(test, mk_t_prstatus(note)->common.pr_pid, 20);
	KUNIT_EXPECT_EQ(test, ((u64 *)&mk_t_prstatus(note)->pr_reg)[16], 0x2000);
	note = mk_t_note(core, 1);
	KUNIT_ASSERT_NOT_NULL(test, note);
	KUNIT_EXPECT_EQ(test, mk_t_prstatus(note)->common.pr_pid, 10);
	note = mk_t_note(core, 2);
	KUNIT_ASSERT_NOT_NULL(test, note);
	/* Its VMCOREINFO, and the host's CRASHTIME after it. */
	KUNIT_EXPECT_GT(test, note->n_descsz, 12 + strlen("CRASHTIME=\n"));
	KUNIT_EXPECT_MEMEQ(test, (char *)(note + 1), "VMCOREINFO", 11);
	KUNIT_EXPECT_MEMEQ(test, (char *)(note + 1) + 12, "OSRELEASE=t\nCRASHTIME=", 22);
	KUNIT_EXPECT_NULL(test, mk_t_note(core, 3));
	mk_t_free(ld, core);
}

/* The instance's CRASHTIME (it has no clock) gives way to the host's. */
static void mk_vmcore_crashtime(struct kunit *test)
{
	static const char vmci[] = "CRASHTIME=1\nOSRELEASE=t\nCRASHTIME=2";
	struct mk_inst *ld = mk_t_instance(test);
	time64_t t0 = ktime_get_real_seconds();
	struct elf_note *note;
	char *text, num[24];
	long long t;
	size_t size;
	u8 *core;

	mk_t_crash_info(ld, sizeof(vmci) - 1);
	memcpy(mk_t_ctrl(ld, MK_CTRL_VMCOREINFO), vmci, sizeof(vmci) - 1);
	mk_t_cpu(ld, 1, MK_CRASH_CPU_PANIC, 20, 0x2000, MK_T_BASE + SZ_256K);
	core = mk_t_core(test, ld, &size);
	note = mk_t_note(core, 1);
	KUNIT_ASSERT_NOT_NULL(test, note);
	text = (char *)(note + 1) + 12;
	KUNIT_ASSERT_GT(test, note->n_descsz, strlen("OSRELEASE=t\nCRASHTIME=\n"));
	KUNIT_EXPECT_MEMEQ(test, text, "OSRELEASE=t\nCRASHTIME=", 22);
	/* Nothing after the host's line: the instance's two are gone. */
	KUNIT_ASSERT_EQ(test, text[note->n_descsz - 1], '\n');
	KUNIT_ASSERT_LT(test, (size_t)note->n_descsz - 22, sizeof(num));
	memcpy(num, text + 22, note->n_descsz - 23);
	num[note->n_descsz - 23] = '\0';
	KUNIT_ASSERT_EQ(test, kstrtoll(num, 10, &t), 0);
	KUNIT_EXPECT_GE(test, t, t0);
	KUNIT_EXPECT_LE(test, t, ktime_get_real_seconds());
	mk_t_free(ld, core);
}

static void mk_vmcore_untrusted(struct kunit *test)
{
	struct mk_inst *ld = mk_t_instance(test);
	struct elf64_hdr *eh;
	struct elf_note *note;
	size_t size;
	u8 *core;

	/* An image and a stack outside its memory, VMCOREINFO too long. */
	mk_t_crash_info(ld, 0xffffffff);
	((struct mk_crash_info *)mk_t_ctrl(ld, MK_CTRL_CRASH))->text_phys =
		cpu_to_le64(MK_T_BASE + SZ_1M - SZ_4K);
	mk_t_cpu(ld, 0, 7, 10, 0x1000, MK_T_BASE);	/* unknown state */
	mk_t_cpu(ld, 1, MK_CRASH_CPU_PANIC, 20, 0x2000, 0x1000);
	core = mk_t_core(test, ld, &size);
	eh = (void *)core;

	KUNIT_EXPECT_EQ(test, eh->e_phnum, 2);	/* the note and the memory */
	note = mk_t_note(core, 0);
	KUNIT_ASSERT_NOT_NULL(test, note);
	KUNIT_EXPECT_EQ(test, mk_t_prstatus(note)->common.pr_pid, 20);
	note = mk_t_note(core, 1);
	KUNIT_ASSERT_NOT_NULL(test, note);
	KUNIT_EXPECT_EQ(test, note->n_descsz, MK_VMCOREINFO_MAX);
	KUNIT_EXPECT_NULL(test, mk_t_note(core, 2));
	mk_t_free(ld, core);

	/* No crash information at all: the memory, and no notes. */
	ld = mk_t_instance(test);
	core = mk_t_core(test, ld, &size);
	eh = (void *)core;
	KUNIT_EXPECT_EQ(test, eh->e_phnum, 2);
	KUNIT_EXPECT_NULL(test, mk_t_note(core, 0));
	mk_t_free(ld, core);
}

/* What "vmcore_held_mb N" says now. */
static u64 mk_t_held_mb(struct kunit *test)
{
	struct seq_file sf = { .size = 256 };
	char *p;
	u64 mb;

	sf.buf = kunit_kzalloc(test, sf.size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, sf.buf);
	mk_vmcore_budget_show(&sf);
	p = strstr(sf.buf, "vmcore_held_mb ");
	KUNIT_ASSERT_NOT_NULL(test, p);
	p += strlen("vmcore_held_mb ");
	*strchrnul(p, '\n') = '\0';
	KUNIT_ASSERT_EQ(test, kstrtou64(p, 10, &mb), 0);
	return mb;
}

/* Every kept core is charged to the machine's budget until it is freed. */
static void mk_vmcore_charged_to_budget(struct kunit *test)
{
	struct mk_inst *ld = mk_t_instance(test);
	u64 before = mk_t_held_mb(test);
	size_t size;
	u8 *core;

	mk_t_crash_info(ld, 12);
	core = mk_t_core(test, ld, &size);
	KUNIT_EXPECT_EQ(test, mk_vmcore_charged(ld->vmcore), SZ_1M + SZ_64K);
	KUNIT_EXPECT_EQ(test, mk_t_held_mb(test), before + 2);
	mk_t_free(ld, core);
	KUNIT_EXPECT_EQ(test, mk_t_held_mb(test), before);
}

static struct kunit_case mk_health_test_cases[] = {
	KUNIT_CASE(mk_policy_all_or_nothing),
	KUNIT_CASE(mk_vmcore_sound),
	KUNIT_CASE(mk_vmcore_untrusted),
	KUNIT_CASE(mk_vmcore_crashtime),
	KUNIT_CASE(mk_vmcore_charged_to_budget),
	{}
};

static struct kunit_suite mk_health_test_suite = {
	.name = "multikernel-health",
	.test_cases = mk_health_test_cases,
};

kunit_test_suites(&mk_health_test_suite);

MODULE_DESCRIPTION("KUnit tests for the multikernel health policy and vmcores");
MODULE_LICENSE("GPL");
