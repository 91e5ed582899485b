/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The user-space build of kernel/multikernel's shared files: the kernel
 * names come from the kernel tree's tools/include (the Makefile puts it
 * first on the include path); this header adds only what tools/include
 * lacks.
 */
#ifndef _MK_USER_H
#define _MK_USER_H

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mk_ffs.h"

#include <asm/barrier.h>
#include <linux/bitmap.h>
#include <linux/bitops.h>
#include <linux/compiler.h>
#include <linux/find.h>
#include <linux/kernel.h>
#include <linux/overflow.h>
#include <linux/types.h>

#include <libfdt.h>

/*
 * The kernel's u64 is unsigned long long on every architecture, and the
 * shared files print it with %llx; tools/include makes it uint64_t.
 */
#define u64	__u64
#define s64	__s64

#ifndef U32_MAX
#define U32_MAX		((u32)~0U)
#endif
#ifndef U64_MAX
#define U64_MAX		((u64)~0ULL)
#endif

/*
 * Allocation: malloc() underneath. The gfp flags (tools/include's gfp_t)
 * mean nothing here; the kernel names keep the shared files the same.
 */
static inline void *kvmalloc(size_t n, gfp_t gfp)
{
	return malloc(n);
}

static inline void *kzalloc(size_t n, gfp_t gfp)
{
	return calloc(1, n);
}

static inline void *kcalloc(size_t n, size_t size, gfp_t gfp)
{
	return calloc(n, size);
}

static inline void *krealloc(void *p, size_t n, gfp_t gfp)
{
	return realloc(p, n);
}

static inline void *kvmemdup(const void *src, size_t n, gfp_t gfp)
{
	void *p = malloc(n ? n : 1);

	return p ? memcpy(p, src, n) : NULL;
}

#define kvzalloc	kzalloc
#define kvcalloc	kcalloc
#define kfree(p)	free(p)
#define kvfree(p)	free(p)

/*
 * sort(): qsort() here, heapsort in the kernel. Every comparator the
 * shared files pass is a total order, so both give the same result.
 */
static inline void sort(void *base, size_t num, size_t size,
			int (*cmp)(const void *, const void *), void *swap)
{
	qsort(base, num, size, cmp);
}

/* Bitmap operations tools/include does not have. */
static inline void bitmap_andnot(unsigned long *dst, const unsigned long *a,
				 const unsigned long *b, unsigned int nbits)
{
	unsigned int i;

	for (i = 0; i < BITS_TO_LONGS(nbits); i++)
		dst[i] = a[i] & ~b[i];
}

static inline unsigned int bitmap_weight_and(const unsigned long *a,
					     const unsigned long *b,
					     unsigned int nbits)
{
	unsigned int i, w = 0;

	for (i = 0; i < BITS_TO_LONGS(nbits); i++)
		w += hweight_long(a[i] & b[i]);
	return w;
}

/*
 * crc32c.c: the kernel's crc32c(), no inversion on either end; and
 * port.h's copy that computes it in the same pass.
 */
u32 crc32c(u32 crc, const void *address, unsigned int length);
u32 mk_crc32c_copy(u32 crc, void *dst, const void *src, size_t len);

#endif /* _MK_USER_H */
