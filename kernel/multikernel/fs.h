/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal to the multikernel filesystem: fs.c owns the state and its
 * locks, fs_render.c prints it.
 */
#ifndef _MULTIKERNEL_FS_H
#define _MULTIKERNEL_FS_H

#include "model/model.h"

struct seq_file;

void mk_render_cpus(struct seq_file *sf, const unsigned long *bits);
void mk_render_devices(struct seq_file *sf, const struct mk_state *st,
		       const struct mk_instance *in, const char *sep);
void mk_render_placement(struct seq_file *sf, const struct mk_decisions *dec);
void mk_render_summary(struct seq_file *sf, const struct mk_state *st,
		       u32 ntxs);

#endif /* _MULTIKERNEL_FS_H */
