# SPDX-License-Identifier: GPL-2.0
#
# The files that build unchanged in the kernel and in user space
# (tools/multikernel): plain C over libfdt and the primitives port.h names.
# Both Makefiles read this one list.

mk-shared := rules report fdt_util dt_parse overlay placement validate tx \
	     policy policy_cpu policy_mem kmp_ring spawn_image spawn_boot
