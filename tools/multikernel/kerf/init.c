// SPDX-License-Identifier: GPL-2.0
/*
 * kerf init --input=FILE [--apply]: check a baseline and write it.
 */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kerf.h"

static void init_usage(void)
{
	fprintf(stderr,
		"Usage: kerf init --input=FILE.dts|.dtb [--apply]\n\n"
		"Check FILE as a baseline, the resource pool, offline; with\n"
		"--apply, write it to the kernel, which also checks it against\n"
		"this machine. Without --apply nothing is written.\n");
}

/* Explain the kernel's answer @text about the tree @blob. */
void kerf_explain_text(char *text, const void *blob, size_t size,
		       struct kerf_blob *src, const char *fresh)
{
	struct mk_report rep = { .buf = text, .len = text ? strlen(text) : 0 };
	struct mk_report scratch;
	struct kerf_context ctx = { .sources = src, .nsources = src ? 1 : 0,
				    .fresh = fresh };
	struct mk_state st;

	mk_report_init(&scratch);
	if (blob && !mk_state_parse(&st, blob, size, &scratch))
		ctx.st = &st;
	mk_report_free(&scratch);
	kerf_explain(&rep, &ctx);
	if (ctx.st)
		mk_state_free(&st);
}

int do_init(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "input",	required_argument,	NULL, 'i' },
		{ "apply",	no_argument,		NULL, 'a' },
		{ "help",	no_argument,		NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *input = NULL;
	struct mk_report rep;
	struct kerf_blob b;
	bool apply = false;
	void *baseline;
	char *result;
	int opt, err;

	/* 0, not 1: glibc then forgets the parse of the global options. */
	optind = 0;
	while ((opt = getopt_long(argc, argv, "i:ah", opts, NULL)) != -1) {
		switch (opt) {
		case 'i':
			input = optarg;
			break;
		case 'a':
			apply = true;
			break;
		case 'h':
			init_usage();
			return KERF_OK;
		default:
			init_usage();
			return KERF_USAGE;
		}
	}
	if (!input || optind < argc) {
		init_usage();
		return KERF_USAGE;
	}
	err = kerf_blob_load(input, &b);
	if (err)
		return err;

	mk_report_init(&rep);
	err = mk_baseline_load(b.data, b.size, &baseline, &rep);
	if (err) {
		kerf_explain_text(rep.buf, b.data, b.size, &b, NULL);
		fprintf(stderr, "%s: refused offline (%s)\n", input,
			kerf_errno_name(err));
		goto out;
	}
	free(baseline);
	if (!apply) {
		printf("OK: %s is a valid baseline (not written: add --apply)\n",
		       input);
		goto out;
	}
	err = kerf_mount();
	if (err)
		goto out;
	err = kerf_write("device_tree", b.data, b.size, &result);
	if (err) {
		kerf_explain_text(result, b.data, b.size, &b, NULL);
		fprintf(stderr, "%s: refused by the kernel (%s)\n", input,
			kerf_errno_name(err));
	} else {
		printf("OK: %s is the baseline\n", input);
	}
	free(result);
out:
	mk_report_free(&rep);
	kerf_blob_free(&b);
	return err ? KERF_INVALID : KERF_OK;
}
