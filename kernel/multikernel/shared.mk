# SPDX-License-Identifier: GPL-2.0
#
# The files that build unchanged in the kernel and in user space
# (tools/multikernel): plain C over libfdt and the primitives
# model/port.h names. All of model/ is shared; of the transport, only the
# ring is. The kernel's Makefiles and the user-space one read this one
# list.

mk-shared-model := rules report fdt_util dt_parse overlay placement validate \
		   tx policy policy_cpu policy_mem spawn_image spawn_sig spawn_boot \
		   ctrl_console ctrl_crash
mk-shared-kmp := kmp_ring
mk-shared := $(addprefix model/,$(mk-shared-model)) \
	     $(addprefix kmp/,$(mk-shared-kmp))
