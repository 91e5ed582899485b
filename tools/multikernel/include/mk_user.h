/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel primitives that kernel/multikernel's shared files use, for a
 * user-space build of those same files. Only what they use is here.
 */
#ifndef _MK_USER_H
#define _MK_USER_H

#include <endian.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libfdt.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef unsigned long long u64;
typedef int32_t s32;
typedef long long s64;

#define U32_MAX		UINT32_MAX
#define U64_MAX		UINT64_MAX

#define BITS_PER_LONG		(CHAR_BIT * sizeof(long))
#define BIT(n)			(1UL << (n))
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define DIV_ROUND_UP(n, d)	(((n) + (d) - 1) / (d))
#define IS_ALIGNED(x, a)	(((x) & ((typeof(x))(a) - 1)) == 0)
#define min(a, b)		((a) < (b) ? (a) : (b))
#define max(a, b)		((a) > (b) ? (a) : (b))
#define min_t(t, a, b)		min((t)(a), (t)(b))
#define max_t(t, a, b)		max((t)(a), (t)(b))
#define clamp(v, lo, hi)	min(max(v, lo), hi)
#define ALIGN_DOWN(x, a)	((x) & ~((typeof(x))(a) - 1))
/* The definition itself: user space has no kernel compiler headers. */
#define __printf(a, b)		__attribute__((format(printf, a, b)))
#define BIT_ULL(n)		(1ULL << (n))
#define __aligned(x)		__attribute__((aligned(x)))

#define check_add_overflow(a, b, d)	__builtin_add_overflow(a, b, d)
#define check_mul_overflow(a, b, d)	__builtin_mul_overflow(a, b, d)

/* User space allocates one way; the kernel's gfp flags mean nothing here. */
#define GFP_KERNEL	0

static inline void *kzalloc(size_t n, int gfp)
{
	return calloc(1, n);
}

static inline void *kvcalloc(size_t n, size_t size, int gfp)
{
	return calloc(n, size);
}

static inline void *kvmalloc(size_t n, int gfp)
{
	return malloc(n);
}

static inline void *krealloc(void *p, size_t n, int gfp)
{
	return realloc(p, n);
}

#define kfree(p)		free(p)
#define kvfree(p)		free(p)

static inline int hweight_long(unsigned long w)
{
	return __builtin_popcountl(w);
}

static inline int hweight64(unsigned long long w)
{
	return __builtin_popcountll(w);
}

static inline void *kcalloc(size_t n, size_t size, int gfp)
{
	return calloc(n, size);
}

static inline unsigned long __ffs(unsigned long w)
{
	return __builtin_ctzl(w);
}

static inline void sort(void *base, size_t num, size_t size,
			int (*cmp)(const void *, const void *), void *swap)
{
	(void)swap;
	qsort(base, num, size, cmp);
}

/* Shared memory between two threads, as between two kernels: C11 atomics. */
#define smp_load_acquire(p)	__atomic_load_n(p, __ATOMIC_ACQUIRE)
/* The release that pairs with it. */
#define smp_store_release(p, v)	__atomic_store_n(p, v, __ATOMIC_RELEASE)

#define cpu_to_le16(x)		htole16(x)
#define cpu_to_le32(x)		htole32(x)
#define cpu_to_le64(x)		htole64(x)
#define le16_to_cpu(x)		le16toh(x)
#define le32_to_cpu(x)		le32toh(x)
#define le64_to_cpu(x)		le64toh(x)

/* crc32c.c: the kernel's crc32c(), no inversion on either end. */
u32 crc32c(u32 crc, const void *address, unsigned int length);

#endif /* _MK_USER_H */
