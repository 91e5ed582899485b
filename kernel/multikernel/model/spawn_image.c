// SPDX-License-Identifier: GPL-2.0
/*
 * Check an x86 bzImage and plan where it goes in an instance's memory.
 *
 * The image comes from user space, so every field is read at a fixed
 * little-endian offset of the boot protocol's setup header (see
 * Documentation/arch/x86/boot.rst) after checking that the file holds it;
 * no native struct of this kernel is laid over the bytes, as the image may
 * come from another build. Only a relocatable 64-bit bzImage of protocol
 * 2.12 or later can run at the instance's address. Its protected-mode
 * part goes at the first kernel_alignment boundary of the instance's
 * memory, and needs init_size bytes from there to decompress and run.
 *
 * Shared with user space (see port.h), for offline checks and tests.
 */

#include "model.h"

/* Setup header fields: offsets into the image, which is boot_params. */
#define MK_BZ_SETUP_SECTS	0x1f1	/* u8; 0 means 4 */
#define MK_BZ_SYSSIZE		0x1f4	/* u32, 16-byte units */
#define MK_BZ_BOOT_FLAG		0x1fe	/* u16, 0xaa55 */
#define MK_BZ_HEADER		0x202	/* "HdrS" */
#define MK_BZ_VERSION		0x206	/* u16 */
#define MK_BZ_LOADFLAGS		0x211	/* u8 */
#define MK_BZ_ALIGNMENT		0x230	/* u32 */
#define MK_BZ_RELOCATABLE	0x234	/* u8 */
#define MK_BZ_XLOADFLAGS	0x236	/* u16 */
#define MK_BZ_CMDLINE_SIZE	0x238	/* u32 */
#define MK_BZ_INIT_SIZE		0x260	/* u32 */
#define MK_BZ_HEADER_END	0x264

#define MK_BZ_LOADED_HIGH	BIT(0)
#define MK_BZ_XLF_KERNEL_64	BIT(0)
#define MK_BZ_XLF_ABOVE_4G	BIT(1)
#define MK_BZ_MIN_VERSION	0x020c

static u32 mk_bz_u32(const u8 *p, u32 off)
{
	return p[off] | p[off + 1] << 8 | p[off + 2] << 16 | (u32)p[off + 3] << 24;
}

static u16 mk_bz_u16(const u8 *p, u32 off)
{
	return p[off] | p[off + 1] << 8;
}

/* Why @p of @size bytes is no image we can start; NULL if it is one. */
static const char *mk_bz_refusal(const u8 *p, size_t size)
{
	if (size < MK_BZ_HEADER_END || size < 2 * 512)
		return "too short for an x86 boot header";
	if (mk_bz_u16(p, MK_BZ_BOOT_FLAG) != 0xaa55 ||
	    memcmp(p + MK_BZ_HEADER, "HdrS", 4))
		return "no x86 boot header";
	if (mk_bz_u16(p, MK_BZ_VERSION) < MK_BZ_MIN_VERSION)
		return "boot protocol older than 2.12";
	if (!(p[MK_BZ_LOADFLAGS] & MK_BZ_LOADED_HIGH))
		return "a zImage, not a bzImage";
	if (!(mk_bz_u16(p, MK_BZ_XLOADFLAGS) & MK_BZ_XLF_KERNEL_64))
		return "not a 64-bit kernel";
	if (p[MK_BZ_RELOCATABLE] != 1)
		return "not relocatable (CONFIG_RELOCATABLE)";
	return NULL;
}

/* The image's own sizes; a refusal if they contradict the file. */
static const char *mk_bz_sizes(const u8 *p, size_t size,
			       struct mk_image_plan *plan)
{
	u32 sects = p[MK_BZ_SETUP_SECTS] ? p[MK_BZ_SETUP_SECTS] : 4;
	u64 sys = (u64)mk_bz_u32(p, MK_BZ_SYSSIZE) * 16;

	plan->setup_bytes = (sects + 1) * 512;
	plan->alignment = mk_bz_u32(p, MK_BZ_ALIGNMENT);
	plan->init_size = mk_bz_u32(p, MK_BZ_INIT_SIZE);
	plan->cmdline_max = mk_bz_u32(p, MK_BZ_CMDLINE_SIZE);
	plan->version = mk_bz_u16(p, MK_BZ_VERSION);
	plan->above_4g = mk_bz_u16(p, MK_BZ_XLOADFLAGS) & MK_BZ_XLF_ABOVE_4G;
	if (plan->setup_bytes >= size)
		return "no kernel after the setup code";
	plan->kernel_bytes = size - plan->setup_bytes;
	if (sys > plan->kernel_bytes)
		return "shorter than its header says (truncated?)";
	if (plan->alignment < MK_PAGE_SIZE ||
	    plan->alignment & (plan->alignment - 1))
		return "kernel_alignment is not a power of two of 4 KiB or more";
	if (plan->init_size < plan->kernel_bytes)
		return "init_size is smaller than the kernel";
	return NULL;
}

/**
 * mk_image_plan - check a bzImage and place it in an instance's memory
 * @image: the file's bytes; untrusted
 * @size: how many
 * @base: the start of the instance's memory
 * @bytes: how much memory it has
 * @plan: filled with the image's sizes and where it goes
 * @rep: why it was refused
 *
 * Return: 0; -ENOEXEC for a file that is not a relocatable 64-bit
 * bzImage; -EFBIG for one whose init_size does not fit the instance's
 * memory, with both sizes in the finding.
 */
int mk_image_plan(const void *image, size_t size, u64 base, u64 bytes,
		  struct mk_image_plan *plan, struct mk_report *rep)
{
	const char *why;
	u64 start, need;

	memset(plan, 0, sizeof(*plan));
	why = mk_bz_refusal(image, size);
	if (!why)
		why = mk_bz_sizes(image, size, plan);
	if (why) {
		mk_report_add(rep, MK_RULE_IMAGE_FORMAT,
			      "image: %s; an instance runs a relocatable 64-bit bzImage",
			      why);
		return -ENOEXEC;
	}
	start = ALIGN(base, (u64)plan->alignment);
	need = start - base + ALIGN((u64)plan->init_size, MK_PAGE_SIZE);
	if (start < base || need > bytes) {
		mk_report_add(rep, MK_RULE_IMAGE_SIZE,
			      "image: needs 0x%llx bytes of memory (init_size 0x%x at a 0x%x boundary) but the instance has 0x%llx",
			      need, plan->init_size, plan->alignment, bytes);
		return -EFBIG;
	}
	plan->kernel_offset = start - base;
	plan->reserve_bytes = need;
	return 0;
}
