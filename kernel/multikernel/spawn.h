/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Starting kernels in instances: what the filesystem asks of it.
 */
#ifndef _MULTIKERNEL_SPAWN_H
#define _MULTIKERNEL_SPAWN_H

#include "model.h"

/* A load: the instance, its memory, and the files to read by descriptor. */
struct mk_load_req {
	const char *name;
	u64 mem_base;
	u64 mem_bytes;
	int kernel_fd;
	int initrd_fd;		/* or -1 */
	const char *cmdline;
};

int mk_spawn_load(const struct mk_load_req *req, struct mk_report *rep);
int mk_spawn_unload(const char *name);
struct seq_file;

bool mk_spawn_show(const char *name, struct seq_file *sf);

#endif /* _MULTIKERNEL_SPAWN_H */
