// SPDX-License-Identifier: GPL-2.0
/*
 * CRC-32C (Castagnoli, reflected polynomial 0x82f63b78) with the kernel's
 * crc32c() calling convention, no inversion on either end, for the
 * user-space build of the KMP ring. The SSE4.2 crc32 instruction when the
 * CPU has it, as the kernel's crc32c-intel does; else a table, by bytes.
 */

#include <pthread.h>

#include "mk_user.h"

static u32 crc_table[256];
static bool crc_hw;

static void crc32c_init(void)
{
	u32 i, j, c;

	for (i = 0; i < 256; i++) {
		c = i;
		for (j = 0; j < 8; j++)
			c = c & 1 ? (c >> 1) ^ 0x82f63b78 : c >> 1;
		crc_table[i] = c;
	}
#ifdef __x86_64__
	crc_hw = __builtin_cpu_supports("sse4.2");
#endif
}

#ifdef __x86_64__
__attribute__((target("sse4.2")))
static u32 crc32c_hw(u32 crc, const unsigned char *p, size_t len)
{
	u64 c = crc, w;

	for (; len >= 8; len -= 8, p += 8) {
		memcpy(&w, p, 8);
		c = __builtin_ia32_crc32di(c, w);
	}
	crc = c;
	while (len--)
		crc = __builtin_ia32_crc32qi(crc, *p++);
	return crc;
}
#endif

u32 crc32c(u32 crc, const void *address, unsigned int length)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	const unsigned char *p = address;

	pthread_once(&once, crc32c_init);
#ifdef __x86_64__
	if (crc_hw)
		return crc32c_hw(crc, p, length);
#endif
	while (length--)
		crc = (crc >> 8) ^ crc_table[(crc ^ *p++) & 0xff];
	return crc;
}
