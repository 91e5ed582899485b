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
		"Usage: kerf init (--input=FILE.dts|.dtb | --cpus=LIST [--memory=SIZE])\n"
		"\t[--apply] [--report]\n\n"
		"Check FILE as a baseline, the resource pool, offline; with\n"
		"--apply, write it to the kernel, which also checks it against\n"
		"this machine. Without --apply nothing is written. --report\n"
		"prints the hardware inventory and how much is in the pool.\n"
		"--cpus builds the baseline from this machine instead: its\n"
		"present CPUs, LIST in the pool, and the memory reserved with\n"
		"multikernel_pool= (or SIZE of it).\n");
}

static void report_parts(const struct mk_device *d)
{
	char res[128], avail[128];

	mk_bits_format(res, sizeof(res), d->reserved.bits, MK_MAX_PARTS + 1);
	mk_bits_format(avail, sizeof(avail), d->available.bits, MK_MAX_PARTS + 1);
	if (kerf_format == KERF_JSON)
		printf(", \"%s\": %u, \"host_reserved\": \"%s\", \"available\": \"%s\"",
		       d->part_kind == MK_PARTS_VF ? "vfs" : "namespaces",
		       d->nparts, res, avail);
	else
		printf(" %u %s, host-reserved %s, available %s",
		       d->nparts, d->part_kind == MK_PARTS_VF ? "VFs" : "namespaces",
		       res, avail);
}

/* The inventory of a checked baseline, and how much of it is the pool. */
static void init_report(const struct mk_state *st)
{
	const struct mk_pool *p = &st->pool;
	u32 avail = mk_bits_weight(p->available.bits, MK_MAX_CPUS), i;
	char res[256], pool[256];

	mk_bits_format(res, sizeof(res), p->host_reserved.bits, MK_MAX_CPUS);
	mk_bits_format(pool, sizeof(pool), p->available.bits, MK_MAX_CPUS);
	if (kerf_format == KERF_JSON) {
		printf("{\"cpus\": {\"total\": %u, ", p->total_cpus);
		printf("\"host_reserved\": \"%s\", \"pool\": \"%s\"}, ", res, pool);
		printf("\"memory\": {\"total\": %llu, ", p->total_bytes);
		printf("\"host_reserved\": %llu, ", p->host_reserved_bytes);
		printf("\"pool_base\": %llu, \"pool_bytes\": %llu}, \"devices\": [",
		       p->pool_base, p->pool_bytes);
	} else {
		printf("CPUs:    %u in all; host %s; pool %s (%u, %u%%)\n",
		       p->total_cpus, res, pool, avail, avail * 100 / p->total_cpus);
		printf("Memory:  %llu MiB in all; host %llu MiB; pool %llu MiB at %#llx (%llu%%)\n",
		       p->total_bytes >> 20, p->host_reserved_bytes >> 20,
		       p->pool_bytes >> 20, p->pool_base,
		       p->total_bytes ? p->pool_bytes * 100 / p->total_bytes : 0);
		printf("Devices: %u\n", p->ndevices);
	}
	for (i = 0; i < p->ndevices; i++) {
		const struct mk_device *d = &p->devices[i];

		if (kerf_format == KERF_JSON)
			printf("%s{\"name\": \"%s\"", i ? ", " : "",
			       d->label ? d->label : d->name);
		else
			printf("  %s (%s):", d->label ? d->label : d->name, d->name);
		if (d->part_kind != MK_PARTS_NONE)
			report_parts(d);
		else if (kerf_format == KERF_TEXT)
			printf(" assigned whole");
		printf(kerf_format == KERF_JSON ? "}" : "\n");
	}
	if (kerf_format == KERF_JSON) {
		printf("], \"numa_nodes\": %u}\n", p->nnuma);
		return;
	}
	printf("NUMA:    %u node%s\n", p->nnuma, p->nnuma == 1 ? "" : "s");
	for (i = 0; i < p->nnuma; i++) {
		mk_bits_format(pool, sizeof(pool), p->numa[i].cpus.bits, MK_MAX_CPUS);
		printf("  node %u: CPUs %s, memory %#llx+%#llx\n", p->numa[i].id,
		       pool, p->numa[i].mem_base, p->numa[i].mem_size);
	}
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
		{ "report",	no_argument,		NULL, 'r' },
		{ "cpus",	required_argument,	NULL, 'c' },
		{ "memory",	required_argument,	NULL, 'm' },
		{ "help",	no_argument,		NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *input = NULL, *cpus = NULL;
	u64 memory = 0;
	struct mk_report rep;
	struct kerf_blob b;
	bool apply = false, report = false;
	void *baseline;
	char *result;
	int opt, err;

	/* 0, not 1: glibc then forgets the parse of the global options. */
	optind = 0;
	while ((opt = getopt_long(argc, argv, "i:arc:m:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'i':
			input = optarg;
			break;
		case 'a':
			apply = true;
			break;
		case 'r':
			report = true;
			break;
		case 'c':
			cpus = optarg;
			break;
		case 'm':
			if (kerf_parse_size(optarg, &memory) || !memory) {
				kerf_err("--memory=%s: want a size such as 512M", optarg);
				return KERF_USAGE;
			}
			break;
		case 'h':
			init_usage();
			return KERF_OK;
		default:
			init_usage();
			return KERF_USAGE;
		}
	}
	if (!input == !cpus || (memory && !cpus) || optind < argc) {
		init_usage();
		return KERF_USAGE;
	}
	if (cpus) {
		memset(&b, 0, sizeof(b));
		b.path = "this machine";
		input = b.path;
		err = kerf_probe_baseline(cpus, memory, &b.data, &b.size);
	} else {
		err = kerf_blob_load(input, &b);
	}
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
	if (report) {
		struct mk_state st;

		if (!mk_state_parse(&st, baseline, fdt_totalsize(baseline), &rep))
			init_report(&st);
		mk_state_free(&st);
	}
	free(baseline);
	if (!apply && report)
		goto out;
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
