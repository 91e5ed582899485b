// SPDX-License-Identifier: GPL-2.0
/*
 * kerf check: validate a baseline, or a whole state, and overlays on top
 * of it, offline, with the validator the kernel runs. Only the checks
 * against the running machine are left out.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kerf.h"

/*
 * Load the first file. A baseline is checked as one and gets an /instances
 * node if it lacks one; a state with instances is checked as a whole next.
 */
static int check_load_base(struct kerf_blob *b, void **tree,
			   struct mk_report *rep)
{
	struct mk_report scratch;
	struct mk_state st;
	bool instances;
	int err;

	mk_report_init(&scratch);
	err = mk_state_parse(&st, b->data, b->size, &scratch);
	instances = !err && st.ninstances;
	mk_state_free(&st);
	mk_report_free(&scratch);
	if (instances)
		return mk_fdt_copy(b->data, 0, tree);
	return mk_baseline_load(b->data, b->size, tree, rep);
}

static void check_print_ok(const struct mk_state *st, int noverlays)
{
	struct mk_cpus free_cpus;
	char buf[256];

	mk_free_cpus(st, NULL, &free_cpus);
	mk_bits_format(buf, sizeof(buf), free_cpus.bits, MK_MAX_CPUS);
	if (kerf_structured()) {
		kerf_emit_str("result", "ok");
		kerf_emit_uint("instances", st->ninstances);
		kerf_emit_str("free_cpus", buf);
		return;
	}
	printf("OK: %u instance%s after %d overlay%s; free CPUs: %s\n",
	       st->ninstances, st->ninstances == 1 ? "" : "s", noverlays,
	       noverlays == 1 ? "" : "s", buf);
}

/*
 * Check the first file, then each overlay on top as one transaction, as a
 * write to overlays/new would be. @res ends with the last state computed,
 * parsed when it can explain the findings in @rep.
 */
static int check_run(struct kerf_blob *blobs, int n, struct mk_tx_result *res,
		     struct mk_report *rep)
{
	struct mk_tx_result next;
	int i, err;

	memset(res, 0, sizeof(*res));
	err = check_load_base(&blobs[0], &res->tree, rep);
	if (err)
		return err;
	err = mk_tree_check(res->tree, fdt_totalsize(res->tree), &res->st, rep);
	res->parsed = res->st.fdt;
	for (i = 1; !err && i < n; i++) {
		size_t before = rep->len;

		err = mk_tx_compute(res->tree, blobs[i].data, blobs[i].size, NULL,
				    MK_TX_EXPLAIN, &next, rep);
		/* What a write of this overlay would have read back. */
		kerf_info("%s: the findings, as the kernel answers them:\n%s",
			  blobs[i].path, rep->buf ? rep->buf + before : "");
		/* A refused overlay is explained against its own state. */
		if (err && !next.tree) {
			mk_state_free(&res->st);
			res->parsed = false;
			kvfree(res->instances);
			res->instances = NULL;
			mk_tx_result_free(&next);
			break;
		}
		mk_tx_result_free(res);
		*res = next;
	}
	return err;
}

static void check_print(int err, const struct mk_tx_result *res,
			const struct mk_report *rep, struct kerf_context *ctx,
			int noverlays)
{
	if (kerf_structured()) {
		kerf_emit_begin();
		if (!err) {
			check_print_ok(&res->st, noverlays);
		} else {
			kerf_emit_str("result", "refused");
			kerf_emit_str("errno", kerf_errno_name(err));
		}
		kerf_explain(rep, ctx);
		kerf_emit_close();
		return;
	}
	kerf_explain(rep, ctx);
	if (!err)
		check_print_ok(&res->st, noverlays);
	else
		fprintf(stderr, "refused (%s): %u error%s, %u warning%s\n",
			kerf_errno_name(err), rep->errors,
			rep->errors == 1 ? "" : "s", rep->warnings,
			rep->warnings == 1 ? "" : "s");
}

int do_check(int argc, char **argv)
{
	struct kerf_context ctx = {};
	struct mk_tx_result res;
	struct kerf_blob *blobs;
	struct mk_report rep;
	int i, n, err, ret = KERF_OK;

	if (argc < 2)
		return kerf_usage("want a FILE to check");
	n = argc - 1;
	blobs = calloc(n, sizeof(*blobs));
	if (!blobs)
		return KERF_INVALID;
	for (i = 0; i < n; i++) {
		if (kerf_blob_load(argv[i + 1], &blobs[i])) {
			ret = KERF_FILE;
			goto out;
		}
	}

	mk_report_init(&rep);
	err = check_run(blobs, n, &res, &rep);
	ctx.st = res.parsed ? &res.st : NULL;
	ctx.fresh = res.instances;
	ctx.sources = blobs;
	ctx.nsources = n;
	check_print(err, &res, &rep, &ctx, n - 1);
	ret = err ? KERF_INVALID : KERF_OK;
	mk_tx_result_free(&res);
	mk_report_free(&rep);
out:
	for (i = 0; i < n; i++)
		kerf_blob_free(&blobs[i]);
	free(blobs);
	return ret;
}
