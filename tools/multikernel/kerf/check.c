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

static void check_usage(void)
{
	fprintf(stderr,
		"Usage: kerf check FILE.dts|.dtb [OVERLAY.dtso|.dtbo ...]\n\n"
		"Validate FILE, a baseline or a whole state with instances, then\n"
		"apply each OVERLAY in order as the kernel would, placing what\n"
		"they leave to it. Source is compiled with dtc -@.\n");
}

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

/* Parse and validate; *@parsed says whether @st can explain findings. */
static int check_state(const void *tree, struct mk_state *st, bool *parsed,
		       struct mk_report *rep)
{
	int err;

	mk_state_free(st);
	err = mk_state_parse(st, tree, fdt_totalsize(tree), rep);
	*parsed = !err;
	return err ? err : mk_validate(st, rep);
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

int do_check(int argc, char **argv)
{
	struct kerf_context ctx = {};
	struct mk_report rep, scratch;
	struct mk_state st = {};
	struct mk_decisions dec;
	struct kerf_blob *blobs;
	void *tree = NULL, *next;
	bool parsed = false;
	char *fresh = NULL;
	int i, n, err, ret = KERF_OK;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		check_usage();
		return argc < 2 ? KERF_USAGE : KERF_OK;
	}
	n = argc - 1;
	blobs = calloc(n, sizeof(*blobs));
	if (!blobs)
		return KERF_INVALID;
	for (i = 0; i < n; i++) {
		ret = kerf_blob_load(argv[i + 1], &blobs[i]);
		if (ret)
			goto out;
	}

	/* Each overlay is applied, placed and validated, as one write is. */
	mk_report_init(&rep);
	err = check_load_base(&blobs[0], &tree, &rep);
	if (!err)
		err = check_state(tree, &st, &parsed, &rep);
	for (i = 1; !err && i < n; i++) {
		free(fresh);
		fresh = malloc(blobs[i].size + 2);
		if (!fresh)
			err = -ENOMEM;
		if (!err)
			err = mk_overlay_apply(tree, blobs[i].data, blobs[i].size,
					       &next, &rep);
		if (err) {
			parsed = false;
			break;
		}
		mk_overlay_instances(tree, blobs[i].data, fresh, blobs[i].size + 2);
		free(tree);
		tree = next;
		err = mk_allocate(&tree, &dec, &rep);
		if (err) {
			/* Explain against the state as asked, before placement. */
			mk_report_init(&scratch);
			check_state(tree, &st, &parsed, &scratch);
			mk_report_free(&scratch);
			break;
		}
		mk_decisions_free(&dec);
		err = check_state(tree, &st, &parsed, &rep);
	}

	ctx.st = parsed ? &st : NULL;
	ctx.fresh = fresh;
	ctx.sources = blobs;
	ctx.nsources = n;
	if (kerf_structured()) {
		kerf_emit_begin();
		if (!err) {
			check_print_ok(&st, n - 1);
		} else {
			kerf_emit_str("result", "refused");
			kerf_emit_str("errno", kerf_errno_name(err));
		}
		kerf_explain(&rep, &ctx);
		kerf_emit_close();
	} else {
		kerf_explain(&rep, &ctx);
		if (!err)
			check_print_ok(&st, n - 1);
		else
			fprintf(stderr, "refused (%s): %u error%s, %u warning%s\n",
				kerf_errno_name(err), rep.errors,
				rep.errors == 1 ? "" : "s", rep.warnings,
				rep.warnings == 1 ? "" : "s");
	}
	ret = err ? KERF_INVALID : KERF_OK;
	mk_state_free(&st);
	mk_report_free(&rep);
out:
	free(tree);
	free(fresh);
	for (i = 0; i < n; i++)
		kerf_blob_free(&blobs[i]);
	free(blobs);
	return ret;
}
