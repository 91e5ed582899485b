// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the bzImage check and the boot parameters (spawn_image.c
 * and spawn_boot.c): a header laid out as the boot protocol says, each
 * field that makes an image unusable, placement in an instance's memory
 * with its initrd and control area, and the boot_params an instance's
 * kernel starts with, read back at the protocol's offsets.
 */

#include <kunit/test.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include "model.h"

#define MK_T_IMAGE	(64 * 1024)

static void mk_t_put16(u8 *p, u32 off, u16 v)
{
	p[off] = v;
	p[off + 1] = v >> 8;
}

static void mk_t_put32(u8 *p, u32 off, u32 v)
{
	mk_t_put16(p, off, v);
	mk_t_put16(p, off + 2, v >> 16);
}

/* A 64 KiB relocatable 64-bit bzImage: 4 setup sectors, 2 MiB aligned. */
static u8 *mk_t_image(struct kunit *test)
{
	u8 *p = kunit_kzalloc(test, MK_T_IMAGE, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	p[0x1f1] = 4;
	mk_t_put32(p, 0x1f4, (MK_T_IMAGE - 5 * 512) / 16);
	mk_t_put16(p, 0x1fe, 0xaa55);
	memcpy(p + 0x202, "HdrS", 4);
	mk_t_put16(p, 0x206, 0x020f);
	p[0x211] = 1;				/* LOADED_HIGH */
	mk_t_put32(p, 0x230, SZ_2M);
	p[0x234] = 1;				/* relocatable */
	mk_t_put16(p, 0x236, 0x3);		/* 64-bit, loadable above 4G */
	mk_t_put32(p, 0x238, 2047);
	mk_t_put32(p, 0x260, 24 * SZ_1M);	/* init_size */
	return p;
}

static int mk_t_plan(struct kunit *test, const u8 *p, size_t size, u64 base,
		     u64 bytes, struct mk_image_plan *plan, const char *want)
{
	struct mk_report rep;
	int err;

	mk_report_init(&rep);
	err = mk_image_plan(p, size, base, bytes, plan, &rep);
	if (want)
		KUNIT_EXPECT_NOT_NULL_MSG(test, rep.buf ? strstr(rep.buf, want) : NULL,
					  "want \"%s\" in:\n%s", want, rep.buf ?: "");
	else
		KUNIT_EXPECT_EQ_MSG(test, rep.errors, 0, "%s", rep.buf ?: "");
	mk_report_free(&rep);
	return err;
}

static void mk_image_placed(struct kunit *test)
{
	struct mk_image_plan plan;
	u8 *p = mk_t_image(test);

	/* 1 MiB into a 2 MiB boundary: the kernel goes 1 MiB further up. */
	KUNIT_ASSERT_EQ(test, mk_t_plan(test, p, MK_T_IMAGE, 0x30100000, SZ_64M,
					&plan, NULL), 0);
	KUNIT_EXPECT_EQ(test, plan.setup_bytes, 5 * 512);
	KUNIT_EXPECT_EQ(test, plan.kernel_bytes, MK_T_IMAGE - 5 * 512);
	KUNIT_EXPECT_EQ(test, plan.kernel_offset, SZ_1M);
	KUNIT_EXPECT_EQ(test, plan.reserve_bytes, SZ_1M + 24 * SZ_1M);
	KUNIT_EXPECT_EQ(test, plan.cmdline_max, 2047);
	KUNIT_EXPECT_EQ(test, plan.version, 0x020f);
}

static void mk_image_too_big(struct kunit *test)
{
	struct mk_image_plan plan;
	u8 *p = mk_t_image(test);

	/* Both sizes are in the finding. */
	KUNIT_EXPECT_EQ(test, mk_t_plan(test, p, MK_T_IMAGE, 0x30000000, SZ_16M,
					&plan, "error: image-size: image: needs 0x1800000 bytes"),
			-EFBIG);
	KUNIT_EXPECT_EQ(test, mk_t_plan(test, p, MK_T_IMAGE, 0x30000000, SZ_16M,
					&plan, "(init_size 0x1800000 at a 0x200000 boundary)"),
			-EFBIG);
	KUNIT_EXPECT_EQ(test, mk_t_plan(test, p, MK_T_IMAGE, 0x30000000, SZ_16M,
					&plan, "but the instance has 0x1000000"),
			-EFBIG);
	/* The alignment counts: 25 MiB from 1 MiB below a boundary. */
	KUNIT_EXPECT_EQ(test, mk_t_plan(test, p, MK_T_IMAGE, 0x30100000,
					24 * SZ_1M, &plan, "needs 0x1900000"),
			-EFBIG);
}

/* Each field that makes a file no image an instance can run. */
static void mk_image_not_usable(struct kunit *test)
{
	static const struct {
		u32 off;
		u8 val;
		const char *want;
	} cases[] = {
		{ 0x1fe, 0, "no x86 boot header" },
		{ 0x202, 'h', "no x86 boot header" },
		{ 0x206, 0x0b, "boot protocol older than 2.12" },
		{ 0x211, 0, "a zImage, not a bzImage" },
		{ 0x236, 0x2, "not a 64-bit kernel" },
		{ 0x234, 0, "not relocatable" },
		{ 0x1f4, 0xff, "shorter than its header says" },
		{ 0x231, 0x30, "kernel_alignment is not a power of two" },
		{ 0x262, 0, "init_size is smaller than the kernel" },
	};
	struct mk_image_plan plan;
	size_t i;
	u8 *p;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		p = mk_t_image(test);
		if (cases[i].off == 0x1f4)
			p[0x1f6] = 0xff;	/* syssize far past the file */
		else if (cases[i].off == 0x262)
			mk_t_put32(p, 0x260, 4096);
		else
			p[cases[i].off] = cases[i].val;
		KUNIT_EXPECT_EQ_MSG(test, mk_t_plan(test, p, MK_T_IMAGE, 0, SZ_1G,
						    &plan, cases[i].want),
				    -ENOEXEC, "case %zu", i);
	}
	p = mk_t_image(test);
	KUNIT_EXPECT_EQ(test, mk_t_plan(test, p, 1000, 0, SZ_1G, &plan,
					"too short"), -ENOEXEC);
	KUNIT_EXPECT_EQ(test, mk_t_plan(test, p, 5 * 512, 0, SZ_1G, &plan,
					"no kernel after the setup code"), -ENOEXEC);
}

static u32 mk_t_get32(const u8 *p, u32 off)
{
	return p[off] | p[off + 1] << 8 | p[off + 2] << 16 | (u32)p[off + 3] << 24;
}

static u64 mk_t_get64(const u8 *p, u32 off)
{
	return mk_t_get32(p, off) | (u64)mk_t_get32(p, off + 4) << 32;
}

static int mk_t_layout(struct kunit *test, u64 initrd, u64 base, u64 bytes,
		       struct mk_boot_layout *lay, const char *want)
{
	struct mk_image_plan plan;
	struct mk_report rep;
	int err;

	KUNIT_ASSERT_EQ(test, mk_t_plan(test, mk_t_image(test), MK_T_IMAGE,
					base, bytes, &plan, NULL), 0);
	mk_report_init(&rep);
	err = mk_boot_layout(&plan, initrd, base, bytes, lay, &rep);
	if (want)
		KUNIT_EXPECT_NOT_NULL_MSG(test, rep.buf ? strstr(rep.buf, want) : NULL,
					  "want \"%s\" in:\n%s", want, rep.buf ?: "");
	mk_report_free(&rep);
	return err;
}

static void mk_boot_laid_out(struct kunit *test)
{
	struct mk_boot_layout lay;

	KUNIT_ASSERT_EQ(test, mk_t_layout(test, 5000, 0x30100000, SZ_64M, &lay,
					  NULL), 0);
	KUNIT_EXPECT_EQ(test, lay.kernel, 0x30200000);
	KUNIT_EXPECT_EQ(test, lay.initrd, 0x30200000 + 24 * SZ_1M);
	KUNIT_EXPECT_EQ(test, lay.initrd_bytes, 5000);
	KUNIT_EXPECT_EQ(test, lay.ctrl, 0x30100000 + SZ_64M - MK_CTRL_BYTES);
}

static void mk_boot_too_small(struct kunit *test)
{
	struct mk_boot_layout lay;

	/* 25 MiB for the kernel, 8 MiB of initrd, the control area: 33.25. */
	KUNIT_EXPECT_EQ(test, mk_t_layout(test, SZ_8M, 0x30100000, 32 * SZ_1M,
					  &lay, "needs 0x2200000 bytes of memory"),
			-EFBIG);
	KUNIT_EXPECT_EQ(test, mk_t_layout(test, SZ_8M, 0x30100000, 32 * SZ_1M,
					  &lay, "(kernel 0x1900000, initrd 0x800000,"),
			-EFBIG);
	KUNIT_EXPECT_EQ(test, mk_t_layout(test, SZ_8M, 0x30100000, 32 * SZ_1M,
					  &lay, "control area 0x100000)"), -EFBIG);
	KUNIT_EXPECT_EQ(test, mk_t_layout(test, SZ_8M, 0x30100000, 32 * SZ_1M,
					  &lay, "but the instance has 0x2000000"),
			-EFBIG);
}

/*
 * Above 4 GiB, for a kernel that says it can be loaded there, and not
 * for one that does not; boot_params then says where in 64 bits.
 */
static void mk_boot_above_4g(struct kunit *test)
{
	u8 *bp = kunit_kzalloc(test, MK_PAGE_SIZE, GFP_KERNEL);
	u64 base = 0x140000000ULL;
	struct mk_image_plan plan;
	struct mk_boot_layout lay;
	struct mk_report rep;
	u8 *image = mk_t_image(test);

	KUNIT_ASSERT_NOT_NULL(test, bp);
	KUNIT_ASSERT_EQ(test, mk_t_layout(test, 5000, base, SZ_64M, &lay, NULL), 0);
	KUNIT_EXPECT_EQ(test, lay.kernel, base);
	KUNIT_EXPECT_EQ(test, lay.ctrl, base + SZ_64M - MK_CTRL_BYTES);
	mk_boot_params(bp, image, &lay, 0x80000);
	KUNIT_EXPECT_EQ(test, mk_t_get32(bp, 0x214), 0);
	KUNIT_EXPECT_EQ(test, mk_t_get32(bp, 0x218), (u32)lay.initrd);
	KUNIT_EXPECT_EQ(test, mk_t_get32(bp, 0x0c0), 1);
	KUNIT_EXPECT_EQ(test, mk_t_get32(bp, 0x228), (u32)(lay.ctrl + MK_CTRL_CMDLINE));
	KUNIT_EXPECT_EQ(test, mk_t_get32(bp, 0x0c8), 1);
	KUNIT_EXPECT_EQ(test, mk_t_get64(bp, 0x250), lay.ctrl + MK_CTRL_INFO);
	KUNIT_EXPECT_EQ(test, bp[0x1e8], 3);
	/* Without low RAM, the map has only its own memory. */
	mk_boot_params(bp, image, &lay, 0);
	KUNIT_EXPECT_EQ(test, bp[0x1e8], 2);
	KUNIT_EXPECT_EQ(test, mk_t_get64(bp, 0x2d0), base);

	image[0x236] = 0x1;			/* 64-bit, but not above 4G */
	KUNIT_ASSERT_EQ(test, mk_t_plan(test, image, MK_T_IMAGE, base, SZ_64M,
					&plan, NULL), 0);
	mk_report_init(&rep);
	KUNIT_EXPECT_EQ(test, mk_boot_layout(&plan, 0, base, SZ_64M, &lay, &rep),
			-EFBIG);
	KUNIT_EXPECT_NOT_NULL(test, rep.buf ?
			      strstr(rep.buf, "no XLF_CAN_BE_LOADED_ABOVE_4G") :
			      NULL);
	mk_report_free(&rep);
	/* Below 4 GiB the flag does not matter. */
	mk_report_init(&rep);
	KUNIT_EXPECT_EQ(test, mk_boot_layout(&plan, 0, 0x30100000, SZ_64M, &lay,
					     &rep), 0);
	mk_report_free(&rep);
}

static void mk_boot_params_written(struct kunit *test)
{
	u8 *bp = kunit_kzalloc(test, MK_PAGE_SIZE, GFP_KERNEL);
	u8 *image = mk_t_image(test);
	struct mk_boot_layout lay;
	u32 e820 = 0x2d0;

	KUNIT_ASSERT_NOT_NULL(test, bp);
	memset(bp, 0xaa, MK_PAGE_SIZE);
	image[0x201] = 0x6a;			/* the header ends at 0x26c */
	KUNIT_ASSERT_EQ(test, mk_t_layout(test, 5000, 0x30000000, SZ_64M, &lay,
					  NULL), 0);
	mk_boot_params(bp, image, &lay, 0x80000);

	/* The header as the image has it, the loader's fields filled in. */
	KUNIT_EXPECT_EQ(test, bp[0x1f1], 4);
	KUNIT_EXPECT_EQ(test, memcmp(bp + 0x202, "HdrS", 4), 0);
	KUNIT_EXPECT_EQ(test, mk_t_get32(bp, 0x260), 24 * SZ_1M);
	KUNIT_EXPECT_EQ(test, bp[0x210], 0xff);
	KUNIT_EXPECT_EQ(test, mk_t_get32(bp, 0x214), 0x30000000);
	KUNIT_EXPECT_EQ(test, mk_t_get32(bp, 0x218), 0x30000000 + 24 * SZ_1M);
	KUNIT_EXPECT_EQ(test, mk_t_get32(bp, 0x21c), 5000);
	KUNIT_EXPECT_EQ(test, mk_t_get32(bp, 0x228), lay.ctrl + MK_CTRL_CMDLINE);
	KUNIT_EXPECT_EQ(test, mk_t_get32(bp, 0x23c), 5);
	KUNIT_EXPECT_EQ(test, mk_t_get64(bp, 0x250), lay.ctrl + MK_CTRL_INFO);
	/* Nothing of the host's: no screen, ACPI or EFI, no sentinel. */
	KUNIT_EXPECT_EQ(test, mk_t_get32(bp, 0x000), 0);
	KUNIT_EXPECT_EQ(test, mk_t_get64(bp, 0x070), 0);
	KUNIT_EXPECT_EQ(test, mk_t_get32(bp, 0x1c0), 0);
	KUNIT_EXPECT_EQ(test, bp[0x1ef], 0);
	KUNIT_EXPECT_EQ(test, bp[0x26c], 0);

	/* The map: its low RAM, the rest of its RAM, its control area. */
	KUNIT_ASSERT_EQ(test, bp[0x1e8], 3);
	KUNIT_EXPECT_EQ(test, mk_t_get64(bp, e820), 0x80000);
	KUNIT_EXPECT_EQ(test, mk_t_get64(bp, e820 + 8), MK_LOW_RAM_BYTES);
	KUNIT_EXPECT_EQ(test, mk_t_get32(bp, e820 + 16), 1);
	KUNIT_EXPECT_EQ(test, mk_t_get64(bp, e820 + 20), 0x30000000);
	KUNIT_EXPECT_EQ(test, mk_t_get64(bp, e820 + 28), SZ_64M - MK_CTRL_BYTES);
	KUNIT_EXPECT_EQ(test, mk_t_get32(bp, e820 + 36), 1);
	KUNIT_EXPECT_EQ(test, mk_t_get64(bp, e820 + 40), lay.ctrl);
	KUNIT_EXPECT_EQ(test, mk_t_get64(bp, e820 + 48), MK_CTRL_BYTES);
	KUNIT_EXPECT_EQ(test, mk_t_get32(bp, e820 + 56), 2);
	KUNIT_EXPECT_EQ(test, mk_t_get32(bp, e820 + 60), 0);
}

/* @data, a @msg_bytes message, the trailer with @id_type and @len, marker */
static u8 *mk_t_signed(struct kunit *test, size_t msg_bytes, u8 id_type,
		       u32 len, size_t *size)
{
	static const char marker[] = "~Module signature appended~\n";
	size_t n = 4 + msg_bytes + 12 + sizeof(marker) - 1;
	u8 *p = kunit_kzalloc(test, n, GFP_KERNEL), *t;

	KUNIT_ASSERT_NOT_NULL(test, p);
	memcpy(p, "DATA", 4);
	memset(p + 4, 0x30, msg_bytes);
	t = p + 4 + msg_bytes;
	t[2] = id_type;
	t[8] = len >> 24;
	t[9] = len >> 16;
	t[10] = len >> 8;
	t[11] = len;
	memcpy(t + 12, marker, sizeof(marker) - 1);
	*size = n;
	return p;
}

static void mk_image_sig_found(struct kunit *test)
{
	struct mk_image_sig sig;
	size_t n;
	u8 *p;

	KUNIT_EXPECT_EQ(test, mk_image_sig_split("DATA", 4, &sig), -ENODATA);
	p = mk_t_signed(test, 10, 2, 10, &n);
	KUNIT_ASSERT_EQ(test, mk_image_sig_split(p, n, &sig), 0);
	KUNIT_EXPECT_EQ(test, sig.data_bytes, 4);
	KUNIT_EXPECT_EQ(test, sig.msg_offset, 4);
	KUNIT_EXPECT_EQ(test, sig.msg_bytes, 10);
	/* A marker alone names nothing it could sign. */
	KUNIT_EXPECT_EQ(test, mk_image_sig_split(p + n - 28, 28, &sig), -EBADMSG);
}

static void mk_image_sig_malformed(struct kunit *test)
{
	struct mk_image_sig sig;
	size_t n;
	u8 *p;

	p = mk_t_signed(test, 10, 1, 10, &n);		/* not PKCS#7 */
	KUNIT_EXPECT_EQ(test, mk_image_sig_split(p, n, &sig), -EBADMSG);
	p = mk_t_signed(test, 10, 2, 0, &n);		/* an empty message */
	KUNIT_EXPECT_EQ(test, mk_image_sig_split(p, n, &sig), -EBADMSG);
	p = mk_t_signed(test, 10, 2, 14, &n);		/* the whole file, and more */
	KUNIT_EXPECT_EQ(test, mk_image_sig_split(p, n, &sig), -EBADMSG);
	p = mk_t_signed(test, 10, 2, 10, &n);
	p[4 + 10 + 5] = 1;				/* a pad byte set */
	KUNIT_EXPECT_EQ(test, mk_image_sig_split(p, n, &sig), -EBADMSG);
	KUNIT_EXPECT_EQ(test, sig.msg_bytes, 0);
}

static struct kunit_case mk_image_test_cases[] = {
	KUNIT_CASE(mk_image_placed),
	KUNIT_CASE(mk_image_too_big),
	KUNIT_CASE(mk_image_not_usable),
	KUNIT_CASE(mk_boot_laid_out),
	KUNIT_CASE(mk_boot_too_small),
	KUNIT_CASE(mk_boot_above_4g),
	KUNIT_CASE(mk_image_sig_found),
	KUNIT_CASE(mk_image_sig_malformed),
	KUNIT_CASE(mk_boot_params_written),
	{}
};

static struct kunit_suite mk_image_test_suite = {
	.name = "multikernel-image",
	.test_cases = mk_image_test_cases,
};

kunit_test_suites(&mk_image_test_suite);

MODULE_DESCRIPTION("KUnit tests for the multikernel bzImage check and boot parameters");
MODULE_LICENSE("GPL");
