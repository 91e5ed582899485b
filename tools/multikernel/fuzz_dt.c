// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target over the multikernel code shared with the kernel. Each
 * input is tried two ways:
 *  - as a tree: parsed and validated, as a write to device_tree would be;
 *  - as an overlay on a fixed valid state: applied, placed, validated and
 *    its touched instances listed, as a write to overlays/new would be.
 * Sanitizers turn any out-of-bounds access or leak into a crash.
 *
 *   make -C tools/multikernel fuzz
 *   build/fuzz_dt -max_total_time=600 CORPUS_DIR
 */

#include "model.h"

/* The 32-CPU sample baseline, linked in by "dtc -O asm". */
extern const char dt_blob_start[];

static void mk_fuzz_tree(const void *data, size_t size)
{
	struct mk_report rep;
	struct mk_state st;

	mk_report_init(&rep);
	if (!mk_state_parse(&st, data, size, &rep))
		mk_validate(&st, &rep);
	mk_state_free(&st);
	mk_report_free(&rep);
}

static void mk_fuzz_overlay(const void *data, size_t size)
{
	struct mk_decisions dec;
	struct mk_report rep;
	struct mk_state st;
	char *names = malloc(size + 2);
	void *tree = NULL;

	mk_report_init(&rep);
	if (names && !mk_overlay_apply(dt_blob_start, data, size, &tree, &rep) &&
	    !mk_allocate(&tree, &dec, &rep)) {
		/* As fs.c sizes it: the names are in the blob. */
		if (mk_overlay_instances(dt_blob_start, data, names, size + 2) < 0)
			abort();
		if (!mk_state_parse(&st, tree, fdt_totalsize(tree), &rep))
			mk_validate(&st, &rep);
		mk_state_free(&st);
		mk_decisions_free(&dec);
	}
	free(tree);
	free(names);
	mk_report_free(&rep);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	/* libfdt needs its input aligned, as the kernel's copy is. */
	void *blob = malloc(size ? size : 1);

	if (!blob)
		return 0;
	memcpy(blob, data, size);
	mk_fuzz_tree(blob, size);
	mk_fuzz_overlay(blob, size);
	free(blob);
	return 0;
}
