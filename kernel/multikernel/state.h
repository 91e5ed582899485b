/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pool state (state.c): the baseline, the applied transactions and
 * the effective state they make, under one lock. Below the filesystem,
 * above the instance life cycle: fs.c calls in, and this file calls only
 * down, into the shared model and into instance.c.
 */
#ifndef _MULTIKERNEL_STATE_H
#define _MULTIKERNEL_STATE_H

#include "model/model.h"

struct mk_inst;

/* What a transaction's files show; valid only inside the visitor. */
struct mk_pool_tx_view {
	u32 id;
	const struct mk_tx_rec *rec;
	const char *instances;		/* names it touched, one per line */
	const char *refusal;		/* why its last rollback was refused */
};

/*
 * Visitors run under the state's lock, so they must not sleep long or call
 * back into this file. @fdt is the effective tree, NULL before the first
 * baseline, and @ntxs the number of applied transactions.
 */
struct mk_pool_view {
	const void *fdt;
	const struct mk_state *st;
	u32 ntxs;
};

int mk_pool_set_baseline(const void *blob, size_t size, struct mk_report *rep);
int mk_pool_apply(const void *blob, size_t size, struct mk_report *rep,
		  u32 *id);
int mk_pool_rollback(u32 id, struct mk_report *rep);

int mk_pool_with_state(int (*fn)(const struct mk_pool_view *pv, void *arg),
		       void *arg);
int mk_pool_with_instance(const char *name,
			  int (*fn)(const struct mk_pool_view *pv,
				    const struct mk_instance *in, void *arg),
			  void *arg);
int mk_pool_with_tx(u32 id, int (*fn)(const struct mk_pool_tx_view *tv,
				      void *arg),
		    void *arg);

char (*mk_pool_instance_names(u32 *n))[MK_NAME_MAX + 1];
int mk_pool_instance_memory(const char *name, u64 *base, u64 *bytes);
int mk_pool_exec_claim(struct mk_inst *inst, const char *name,
		       struct mk_report *rep);

#endif /* _MULTIKERNEL_STATE_H */
