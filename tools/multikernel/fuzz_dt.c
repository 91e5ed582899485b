// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target over the multikernel code shared with the kernel. Each
 * input is tried two ways:
 *  - as a tree: parsed and validated, as a write to device_tree would be;
 *  - as an overlay on a fixed valid state: one transaction, as a write to
 *    overlays/new computes it, and as kerf explains a refusal;
 *  - as a kernel image to place in an instance.
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
	mk_tree_check(data, size, &st, &rep);
	mk_state_free(&st);
	mk_report_free(&rep);
}

static void mk_fuzz_overlay(const void *data, size_t size)
{
	struct mk_tx_result res;
	struct mk_report rep;
	int err;

	mk_report_init(&rep);
	err = mk_tx_compute(dt_blob_start, data, size, NULL, MK_TX_EXPLAIN,
			    &res, &rep);
	/* Listing the names never runs out of room: they are in the blob. */
	if (err == -EOVERFLOW)
		abort();
	mk_tx_result_free(&res);
	mk_report_free(&rep);
}

static void mk_fuzz_image(const void *data, size_t size)
{
	struct mk_image_plan plan;
	struct mk_report rep;

	mk_report_init(&rep);
	mk_image_plan(data, size, 0x30000000, 64 << 20, &plan, &rep);
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
	mk_fuzz_image(blob, size);
	free(blob);
	return 0;
}
