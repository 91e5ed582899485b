/* SPDX-License-Identifier: GPL-2.0 */
/*
 * __ffs() as one instruction, as the kernel's x86 bitops have it, in place
 * of tools/include's generic shift-and-test version, which made the
 * user-space builds of find_next_bit(), and so of placement, a fifth
 * slower than the kernel's own. Included first, by mk_user.h and (with
 * -include) by tools/lib's files, so that it takes the generic header's
 * place.
 */
#if !defined(_TOOLS_LINUX_ASM_GENERIC_BITOPS___FFS_H_) && !defined(__ASSEMBLER__)
#define _TOOLS_LINUX_ASM_GENERIC_BITOPS___FFS_H_

/* Undefined for 0, as the kernel's is: callers test the word first. */
static inline unsigned int __ffs(unsigned long word)
{
	return __builtin_ctzl(word);
}

#endif
