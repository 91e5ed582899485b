/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Multikernel: user-space ABI.
 *
 * The multikernel filesystem, mounted at /sys/fs/multikernel, is how user
 * space describes the resource pool and the kernel instances that share it.
 * See Documentation/filesystems/multikernel.rst.
 */
#ifndef _UAPI_LINUX_MULTIKERNEL_H
#define _UAPI_LINUX_MULTIKERNEL_H

/* statfs(2) f_type of a multikernel mount: "mkfs" */
#define MULTIKERNEL_SUPER_MAGIC	0x6d6b6673

#endif /* _UAPI_LINUX_MULTIKERNEL_H */
