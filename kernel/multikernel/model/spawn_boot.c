// SPDX-License-Identifier: GPL-2.0
/*
 * Where an instance's kernel, initrd and control area go in its memory,
 * and the boot_params ("zero page") the host writes for it.
 *
 * boot_params is the x86 boot protocol's own fixed little-endian layout
 * (Documentation/arch/x86/zero-page.rst); it is written here field by
 * field at its documented offsets, so the bytes do not depend on this
 * build's struct. The setup header comes from the image itself, as a boot
 * loader copies it, then the loader's fields are filled in: the memory
 * map holds only what the instance owns, and hardware_subarch tells the
 * kernel that it is an instance (<linux/multikernel_boot.h>).
 *
 * Shared with user space (see port.h), for offline checks and tests.
 */

#include "model.h"

/* boot_params offsets (zero-page.rst) */
#define MK_BP_EXT_RAMDISK_IMAGE	0x0c0
#define MK_BP_EXT_RAMDISK_SIZE	0x0c4
#define MK_BP_EXT_CMD_LINE_PTR	0x0c8
#define MK_BP_E820_ENTRIES	0x1e8
#define MK_BP_HDR		0x1f1
#define MK_BP_HDR_LEN		0x201	/* u8: the header ends at 0x202 + this */
#define MK_BP_TYPE_OF_LOADER	0x210
#define MK_BP_CODE32_START	0x214
#define MK_BP_RAMDISK_IMAGE	0x218
#define MK_BP_RAMDISK_SIZE	0x21c
#define MK_BP_CMD_LINE_PTR	0x228
#define MK_BP_HARDWARE_SUBARCH	0x23c
#define MK_BP_SETUP_DATA	0x250
#define MK_BP_HDR_MAX		0x290	/* where the setup header's room ends */
#define MK_BP_E820_TABLE	0x2d0
#define MK_BP_E820_ENTRY	20

#define MK_E820_RAM		1
#define MK_E820_RESERVED	2
#define MK_LOADER_UNKNOWN	0xff

static void mk_put32(u8 *p, u32 off, u32 v)
{
	p[off] = v;
	p[off + 1] = v >> 8;
	p[off + 2] = v >> 16;
	p[off + 3] = v >> 24;
}

static void mk_put64(u8 *p, u32 off, u64 v)
{
	mk_put32(p, off, v);
	mk_put32(p, off + 4, v >> 32);
}

/**
 * mk_boot_layout - place a loaded kernel's pieces in an instance's memory
 * @plan: the image's plan, from mk_image_plan()
 * @initrd_bytes: the initrd's size, 0 for none
 * @base: the instance's memory
 * @bytes: its size
 * @lay: filled with the physical addresses
 * @rep: why it does not fit
 *
 * The kernel goes where @plan says, the initrd after the memory the
 * kernel needs to decompress and run, and the control area at the end.
 * The kernel is entered at its 64-bit entry, so all of it may lie above
 * 4 GiB if the kernel says it can be loaded there.
 *
 * Return: 0, or -EFBIG with both sizes in the finding.
 */
int mk_boot_layout(const struct mk_image_plan *plan, u64 initrd_bytes,
		   u64 base, u64 bytes, struct mk_boot_layout *lay,
		   struct mk_report *rep)
{
	u64 need;

	lay->mem = base;
	lay->mem_bytes = bytes;
	lay->kernel = base + plan->kernel_offset;
	lay->initrd = ALIGN(base + plan->reserve_bytes, MK_PAGE_SIZE);
	lay->initrd_bytes = initrd_bytes;
	need = lay->initrd - base + ALIGN(initrd_bytes, MK_PAGE_SIZE) +
	       MK_CTRL_BYTES;
	if (need > bytes) {
		mk_report_add(rep, MK_RULE_IMAGE_SIZE,
			      "image: needs 0x%llx bytes of memory (kernel 0x%llx, initrd 0x%llx, control area 0x%x) but the instance has 0x%llx",
			      need, plan->reserve_bytes, initrd_bytes,
			      MK_CTRL_BYTES, bytes);
		return -EFBIG;
	}
	lay->ctrl = base + bytes - MK_CTRL_BYTES;
	if (lay->ctrl + MK_CTRL_BYTES > 1ULL << 32 && !plan->above_4g) {
		mk_report_add(rep, MK_RULE_IMAGE_SIZE,
			      "image: the instance's memory ends at 0x%llx, above 4 GiB, but the kernel cannot be loaded there (no XLF_CAN_BE_LOADED_ABOVE_4G)",
			      base + bytes);
		return -EFBIG;
	}
	return 0;
}

static void mk_e820_add(u8 *bp, u64 addr, u64 size, u32 type)
{
	u32 n = bp[MK_BP_E820_ENTRIES];
	u32 off = MK_BP_E820_TABLE + n * MK_BP_E820_ENTRY;

	mk_put64(bp, off, addr);
	mk_put64(bp, off + 8, size);
	mk_put32(bp, off + 16, type);
	bp[MK_BP_E820_ENTRIES] = n + 1;
}

/**
 * mk_boot_params - write the boot_params an instance's kernel starts with
 * @bp: MK_PAGE_SIZE bytes
 * @image: the bzImage, checked by mk_image_plan()
 * @lay: where things are, from mk_boot_layout()
 * @low: the instance's RAM below 1 MiB, MK_LOW_RAM_BYTES, or 0 for none
 *
 * The command line is expected at MK_CTRL_CMDLINE and the setup_data
 * entry with the boot info at MK_CTRL_INFO of the control area.
 */
void mk_boot_params(u8 *bp, const u8 *image, const struct mk_boot_layout *lay,
		    u64 low)
{
	u32 hdr_end = 0x202 + image[MK_BP_HDR_LEN];
	u64 cmdline = lay->ctrl + MK_CTRL_CMDLINE;

	memset(bp, 0, MK_PAGE_SIZE);
	if (hdr_end > MK_BP_HDR_MAX)
		hdr_end = MK_BP_HDR_MAX;
	memcpy(bp + MK_BP_HDR, image + MK_BP_HDR, hdr_end - MK_BP_HDR);

	bp[MK_BP_TYPE_OF_LOADER] = MK_LOADER_UNKNOWN;
	/* The 32-bit entry, unused: only where it can be said. */
	if (lay->kernel < 1ULL << 32)
		mk_put32(bp, MK_BP_CODE32_START, lay->kernel);
	mk_put32(bp, MK_BP_CMD_LINE_PTR, cmdline);
	mk_put32(bp, MK_BP_EXT_CMD_LINE_PTR, cmdline >> 32);
	if (lay->initrd_bytes) {
		mk_put32(bp, MK_BP_RAMDISK_IMAGE, lay->initrd);
		mk_put32(bp, MK_BP_EXT_RAMDISK_IMAGE, lay->initrd >> 32);
		mk_put32(bp, MK_BP_RAMDISK_SIZE, lay->initrd_bytes);
		mk_put32(bp, MK_BP_EXT_RAMDISK_SIZE, lay->initrd_bytes >> 32);
	}
	mk_put32(bp, MK_BP_HARDWARE_SUBARCH, MK_X86_SUBARCH_MULTIKERNEL);
	mk_put64(bp, MK_BP_SETUP_DATA, lay->ctrl + MK_CTRL_INFO);

	if (low)
		mk_e820_add(bp, low, MK_LOW_RAM_BYTES, MK_E820_RAM);
	mk_e820_add(bp, lay->mem, lay->ctrl - lay->mem, MK_E820_RAM);
	mk_e820_add(bp, lay->ctrl, MK_CTRL_BYTES, MK_E820_RESERVED);
}
