// SPDX-License-Identifier: GPL-2.0
/*
 * Fixed-size bitmaps for CPU sets and VF/namespace ids, with cpulist
 * formatting ("4-7,12"). The kernel's bitmap API does the same, but this
 * file is shared with user space, where it does not exist.
 */

#include "model.h"

void mk_bit_set(unsigned long *bits, u32 n)
{
	bits[n / BITS_PER_LONG] |= BIT(n % BITS_PER_LONG);
}

bool mk_bit_test(const unsigned long *bits, u32 n)
{
	return bits[n / BITS_PER_LONG] & BIT(n % BITS_PER_LONG);
}

u32 mk_bits_weight(const unsigned long *bits, u32 nbits)
{
	u32 i, w = 0;

	for (i = 0; i < MK_BITMAP_LONGS(nbits); i++)
		w += hweight_long(bits[i]);
	return w;
}

/* The weight of @a & @b, without a temporary bitmap on the stack. */
u32 mk_bits_weight_and(const unsigned long *a, const unsigned long *b,
		       u32 nbits)
{
	u32 i, w = 0;

	for (i = 0; i < MK_BITMAP_LONGS(nbits); i++)
		w += hweight_long(a[i] & b[i]);
	return w;
}

/**
 * mk_bit_next - find the next set bit
 * @bits: the bitmap
 * @nbits: its size in bits; bits past it must be clear
 * @start: where to start looking
 *
 * Return: the index of the first set bit at or after @start, or @nbits.
 */
u32 mk_bit_next(const unsigned long *bits, u32 nbits, u32 start)
{
	u32 i;
	unsigned long w;

	if (start >= nbits)
		return nbits;
	i = start / BITS_PER_LONG;
	w = bits[i] & (~0UL << (start % BITS_PER_LONG));
	while (!w) {
		if (++i >= MK_BITMAP_LONGS(nbits))
			return nbits;
		w = bits[i];
	}
	return min_t(u32, i * BITS_PER_LONG + __ffs(w), nbits);
}

bool mk_bits_intersects(const unsigned long *a, const unsigned long *b,
			u32 nbits)
{
	u32 i;

	for (i = 0; i < MK_BITMAP_LONGS(nbits); i++)
		if (a[i] & b[i])
			return true;
	return false;
}

void mk_bits_and(unsigned long *dst, const unsigned long *a,
		 const unsigned long *b, u32 nbits)
{
	u32 i;

	for (i = 0; i < MK_BITMAP_LONGS(nbits); i++)
		dst[i] = a[i] & b[i];
}

void mk_bits_andnot(unsigned long *dst, const unsigned long *a,
		    const unsigned long *b, u32 nbits)
{
	u32 i;

	for (i = 0; i < MK_BITMAP_LONGS(nbits); i++)
		dst[i] = a[i] & ~b[i];
}

/**
 * mk_bits_format - print a bitmap as a list of ranges, "0-3,8,10-11"
 * @buf: where to print
 * @size: size of @buf; the output is always NUL-terminated
 * @bits: the bitmap
 * @nbits: its size in bits
 *
 * An empty bitmap prints as "none". Output that does not fit ends in "...",
 * so that a cut list is never mistaken for a whole one.
 *
 * Return: the length printed, as snprintf() counts it for a big enough
 * buffer: a result of @size or more means the list was cut.
 */
int mk_bits_format(char *buf, size_t size, const unsigned long *bits,
		   u32 nbits)
{
	u32 start, end;
	size_t len = 0;
	int n;

	if (!size)
		return 0;
	buf[0] = '\0';
	start = mk_bit_next(bits, nbits, 0);
	if (start >= nbits)
		return snprintf(buf, size, "none");

	while (start < nbits) {
		end = start;
		while (end + 1 < nbits && mk_bit_test(bits, end + 1))
			end++;
		if (end == start)
			n = snprintf(buf + min(len, size - 1), size - min(len, size - 1),
				     "%s%u", len ? "," : "", start);
		else
			n = snprintf(buf + min(len, size - 1), size - min(len, size - 1),
				     "%s%u-%u", len ? "," : "", start, end);
		len += n;
		start = mk_bit_next(bits, nbits, end + 1);
	}
	if (len >= size && size > 4)
		memcpy(buf + size - 4, "...", 4);
	return len;
}
