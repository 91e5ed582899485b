/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the code shared with user space may use.
 *
 * The device-tree parser, the validator, the placement code and the KMP
 * ring build in the kernel and, for offline checks, fuzzing and
 * benchmarks, in user space (tools/multikernel). There they get the same
 * kernel names from the kernel tree's tools/include and tools/lib, as
 * bpftool does, and mk_user.h fills only the gaps: allocation, sort(),
 * crc32c() and a few bitmap helpers.
 *
 * Findings must read the same from both builds, so hex is printed as
 * "0x%llx", never "%#llx": glibc prints zero as "0", the kernel as "0x0".
 */
#ifndef _MULTIKERNEL_PORT_H
#define _MULTIKERNEL_PORT_H

#ifdef __KERNEL__
#include <asm/barrier.h>
#include <asm/byteorder.h>
#include <linux/bitmap.h>
#include <linux/bitops.h>
#include <linux/bsearch.h>
#include <linux/compiler.h>
#include <linux/crc32c.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/libfdt.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/types.h>

/*
 * Copy @len bytes and continue the CRC-32C @crc over them. The user-space
 * build does both in one pass; here crc32c() is the crypto API's, in
 * hardware with crc32c-intel, and memcpy() is the kernel's.
 */
static inline u32 mk_crc32c_copy(u32 crc, void *dst, const void *src,
				 size_t len)
{
	memcpy(dst, src, len);
	return crc32c(crc, src, len);
}
#else
#include "mk_user.h"
#endif

#endif /* _MULTIKERNEL_PORT_H */
