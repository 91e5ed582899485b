// SPDX-License-Identifier: GPL-2.0
/*
 * One transaction, computed on copies: the only way a tree changes.
 *
 * A write to overlays/new, "kerf check", a dry run, the fuzzer, the
 * benchmark and the KUnit suites all go through mk_tx_compute(), so that
 * what the kernel accepts and what the tools say it will accept cannot
 * drift apart. A rollback or a new baseline goes through mk_tx_rebuild(),
 * which replays what earlier transactions decided instead of deciding
 * again. Neither touches its inputs: the caller swaps the result in, or
 * drops it.
 */

#include "model.h"

/**
 * mk_tree_check - parse and validate a whole tree
 * @tree: the tree; untrusted
 * @size: its size as written
 * @st: the parsed state; @st->fdt is NULL if @tree did not parse. Release
 *	it with mk_state_free() whatever the result.
 * @rep: the findings
 *
 * Return: 0, or the errno of the first error found.
 */
int mk_tree_check(const void *tree, size_t size, struct mk_state *st,
		  struct mk_report *rep)
{
	int err;

	err = mk_state_parse(st, tree, size, rep);
	if (err) {
		mk_state_free(st);
		return err;
	}
	return mk_validate(st, rep);
}

/* Parse what was built so far for a tool to explain @rep against. */
static void mk_tx_explain(struct mk_tx_result *res)
{
	struct mk_report scratch;

	mk_report_init(&scratch);
	res->parsed = !mk_state_parse(&res->st, res->tree,
				      fdt_totalsize(res->tree), &scratch);
	mk_report_free(&scratch);
}

/*
 * The names the overlay touches. They are in the overlay, so its size
 * bounds their length; -EOVERFLOW would mean a bug, and the fuzzer checks
 * that it never happens.
 */
static int mk_tx_names(const void *base, const void *dtbo, size_t size,
		       struct mk_tx_result *res)
{
	int n;

	res->instances = kvzalloc(size + 2, GFP_KERNEL);
	if (!res->instances)
		return -ENOMEM;
	n = mk_overlay_instances(base, dtbo, res->instances, size + 2);
	return n < 0 ? -EOVERFLOW : 0;
}

/**
 * mk_tx_compute - apply, place and validate one overlay
 * @base: the effective tree it applies to, already checked
 * @dtbo: the overlay; untrusted
 * @size: its size as written
 * @custom: a placement policy to ask before the built-in ones, or NULL
 * @flags: MK_TX_EXPLAIN to keep, on failure, the state as far as it was
 *	   built in @res->st for explaining the findings
 * @res: the result; release it with mk_tx_result_free() whatever the
 *	 return value
 * @rep: the findings, warnings included when it succeeds
 *
 * On success @res holds the new tree, its parsed and validated state, what
 * was decided, and the instances the overlay touches.
 *
 * Return: 0 or a negative errno.
 */
int mk_tx_compute(const void *base, const void *dtbo, size_t size,
		  const struct mk_policy *custom, unsigned int flags,
		  struct mk_tx_result *res, struct mk_report *rep)
{
	int err;

	memset(res, 0, sizeof(*res));
	err = mk_overlay_apply(base, dtbo, size, &res->tree, rep);
	if (err)
		return err;
	err = mk_tx_names(base, dtbo, size, res);
	if (!err)
		err = mk_place(&res->tree, custom, &res->dec, rep);
	if (err) {
		if (flags & MK_TX_EXPLAIN)
			mk_tx_explain(res);
		return err;
	}
	err = mk_tree_check(res->tree, fdt_totalsize(res->tree), &res->st, rep);
	res->parsed = res->st.fdt;
	if (err && !(flags & MK_TX_EXPLAIN)) {
		mk_state_free(&res->st);
		res->parsed = false;
	}
	return err;
}

/**
 * mk_tx_rebuild - rebuild and validate a state from its transactions
 * @baseline: the baseline tree, already checked
 * @txs: the transactions to apply, in order
 * @n: how many
 * @res: the result, as for mk_tx_compute() but without names or
 *	 decisions; release it with mk_tx_result_free()
 * @rep: why the state cannot be rebuilt, or does not validate
 *
 * Each overlay is applied again and its recorded decisions are replayed;
 * nothing is placed anew.
 *
 * Return: 0 or a negative errno.
 */
int mk_tx_rebuild(const void *baseline, struct mk_tx_rec *const *txs, u32 n,
		  struct mk_tx_result *res, struct mk_report *rep)
{
	void *next;
	int err;
	u32 i;

	memset(res, 0, sizeof(*res));
	err = mk_fdt_copy(baseline, 0, &res->tree);
	for (i = 0; !err && i < n; i++) {
		err = mk_overlay_apply(res->tree, txs[i]->dtbo, txs[i]->size,
				       &next, rep);
		if (err)
			break;
		kvfree(res->tree);
		res->tree = next;
		err = mk_decisions_replay(&res->tree, &txs[i]->dec, rep);
	}
	if (!err)
		err = mk_tree_check(res->tree, fdt_totalsize(res->tree),
				    &res->st, rep);
	if (err)
		mk_tx_result_free(res);
	else
		res->parsed = true;
	return err;
}

/**
 * mk_tx_result_free - release what mk_tx_compute() or mk_tx_rebuild() made
 * @res: the result; its members that a caller took over must be NULL
 */
void mk_tx_result_free(struct mk_tx_result *res)
{
	mk_state_free(&res->st);
	mk_decisions_free(&res->dec);
	kvfree(res->tree);
	kvfree(res->instances);
	memset(res, 0, sizeof(*res));
}
