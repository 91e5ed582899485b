/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the code shared with user space may use.
 *
 * The device-tree parser, the validator and the KMP ring build in the
 * kernel and, for
 * offline checks, fuzzing and benchmarks, in user space (tools/multikernel),
 * where mk_user.h maps the same kernel names onto libc and Debian's libfdt.
 */
#ifndef _MULTIKERNEL_PORT_H
#define _MULTIKERNEL_PORT_H

#ifdef __KERNEL__
#include <asm/barrier.h>
#include <asm/byteorder.h>
#include <linux/bitops.h>
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
#else
#include "mk_user.h"
#endif

#endif /* _MULTIKERNEL_PORT_H */
