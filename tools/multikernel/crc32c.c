// SPDX-License-Identifier: GPL-2.0
/*
 * CRC-32C (Castagnoli, reflected polynomial 0x82f63b78) with the kernel's
 * crc32c() calling convention, no inversion on either end, for the
 * user-space build of the KMP ring.
 *
 * With SSE4.2 and PCLMULQDQ, as the kernel's crc32c-intel does for long
 * buffers: the crc32 instruction has a latency of three cycles and a
 * throughput of one, so three lanes run over three blocks at once, and
 * carry-less multiplication shifts each lane's CRC past the blocks that
 * follow it to combine them. Else a table, by bytes.
 */

#include "mk_user.h"

#define CRC_POLY	0x82f63b78

/* Lane lengths, longest first; each has its shift constant. */
static const u32 crc_lanes[] = { 4096, 1024, 256, 64 };

static u32 crc_table[256];
static u32 crc_shift_k[ARRAY_SIZE(crc_lanes)];
static bool crc_hw;

/* x^n mod P, bit-reflected: bit 31 is x^0. */
static u32 crc_xpow(u32 n)
{
	u32 v = 0x80000000;

	while (n--)
		v = v & 1 ? (v >> 1) ^ CRC_POLY : v >> 1;
	return v;
}

/* At load time: a check per call would cost as much as a short CRC. */
__attribute__((constructor))
static void crc32c_init(void)
{
	u32 i, j, c;

	for (i = 0; i < 256; i++) {
		c = i;
		for (j = 0; j < 8; j++)
			c = c & 1 ? (c >> 1) ^ CRC_POLY : c >> 1;
		crc_table[i] = c;
	}
	/*
	 * Multiplying a CRC by x^(8n - 33) and reducing the 64-bit product
	 * with the crc32 instruction (which multiplies by x^32, and the
	 * reflected product carries one more x) advances it past n zero
	 * bytes.
	 */
	for (i = 0; i < ARRAY_SIZE(crc_lanes); i++)
		crc_shift_k[i] = crc_xpow(8 * crc_lanes[i] - 33);
#ifdef __x86_64__
	crc_hw = __builtin_cpu_supports("sse4.2") &&
		 __builtin_cpu_supports("pclmul");
#endif
}

#ifdef __x86_64__
#include <immintrin.h>

static __always_inline __attribute__((target("sse4.2,pclmul")))
u64 crc_load(const u8 *p)
{
	u64 w;

	memcpy(&w, p, 8);
	return w;
}

static __always_inline __attribute__((target("sse4.2,pclmul")))
u32 crc_shift(u32 crc, u32 k)
{
	__m128i a = _mm_cvtsi32_si128(crc), b = _mm_cvtsi32_si128(k);

	return __builtin_ia32_crc32di(0, _mm_cvtsi128_si64(_mm_clmulepi64_si128(a, b, 0)));
}

/* Three lanes of @lane bytes each; copied to @dst as well when it is set. */
static __always_inline __attribute__((target("sse4.2,pclmul")))
u32 crc_three(u32 crc, u8 *dst, const u8 *p, u32 lane, u32 k)
{
	u64 a = crc, b = 0, c = 0, w;
	u32 i;

	for (i = 0; i < lane; i += 8) {
		w = crc_load(p + i);
		a = __builtin_ia32_crc32di(a, w);
		if (dst)
			memcpy(dst + i, &w, 8);
		w = crc_load(p + lane + i);
		b = __builtin_ia32_crc32di(b, w);
		if (dst)
			memcpy(dst + lane + i, &w, 8);
		w = crc_load(p + 2 * lane + i);
		c = __builtin_ia32_crc32di(c, w);
		if (dst)
			memcpy(dst + 2 * lane + i, &w, 8);
	}
	return crc_shift(crc_shift(a, k) ^ b, k) ^ c;
}

static __always_inline __attribute__((target("sse4.2,pclmul")))
u32 crc_hw_run(u32 crc, u8 *dst, const u8 *p, size_t len)
{
	u64 c;
	u32 i, lane;

	for (i = 0; i < ARRAY_SIZE(crc_lanes); i++) {
		lane = crc_lanes[i];
		for (; len >= 3 * lane; len -= 3 * lane, p += 3 * lane) {
			crc = crc_three(crc, dst, p, lane, crc_shift_k[i]);
			if (dst)
				dst += 3 * lane;
		}
	}
	for (c = crc; len >= 8; len -= 8, p += 8) {
		c = __builtin_ia32_crc32di(c, crc_load(p));
		if (dst) {
			memcpy(dst, p, 8);
			dst += 8;
		}
	}
	for (crc = c; len--; p++) {
		crc = __builtin_ia32_crc32qi(crc, *p);
		if (dst)
			*dst++ = *p;
	}
	return crc;
}

/* Two copies, so that the one without @dst tests nothing per word. */
__attribute__((target("sse4.2,pclmul")))
static u32 crc32c_hw(u32 crc, const u8 *p, size_t len)
{
	return crc_hw_run(crc, NULL, p, len);
}

__attribute__((target("sse4.2,pclmul")))
static u32 crc32c_hw_copy(u32 crc, u8 *dst, const u8 *p, size_t len)
{
	return crc_hw_run(crc, dst, p, len);
}
#endif

static u32 crc32c_sw(u32 crc, const u8 *p, size_t len)
{
	while (len--)
		crc = (crc >> 8) ^ crc_table[(crc ^ *p++) & 0xff];
	return crc;
}

u32 crc32c(u32 crc, const void *address, unsigned int length)
{
#ifdef __x86_64__
	if (crc_hw)
		return crc32c_hw(crc, address, length);
#endif
	return crc32c_sw(crc, address, length);
}

u32 mk_crc32c_copy(u32 crc, void *dst, const void *src, size_t len)
{
#ifdef __x86_64__
	if (crc_hw)
		return crc32c_hw_copy(crc, dst, src, len);
#endif
	memcpy(dst, src, len);
	return crc32c_sw(crc, src, len);
}
