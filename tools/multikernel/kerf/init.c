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
		"Usage: kerf init (--input=FILE.dts|.dtb |\n"
		"\t\t  --cpus=LIST [--memory=SIZE] [--devices=DEV,...])\n"
		"\t[--apply] [--report]\n\n"
		"Check FILE as a baseline, the resource pool, offline; with\n"
		"--apply, write it to the kernel, which also checks it against\n"
		"this machine. Without --apply nothing is written. --report\n"
		"prints the hardware inventory and how much is in the pool.\n"
		"--cpus builds the baseline from this machine instead: its\n"
		"present CPUs, LIST in the pool, the memory reserved with\n"
		"multikernel_pool= (or SIZE of it), and the PCI devices DEV:\n"
		"[LABEL=]ADDRESS, a network interface or an NVMe controller,\n"
		"with their SR-IOV VFs or NVMe namespaces.\n");
}

static void report_text_parts(const struct mk_device *d)
{
	char res[128], avail[128];

	mk_bits_format(res, sizeof(res), d->reserved.bits, MK_MAX_PARTS + 1);
	mk_bits_format(avail, sizeof(avail), d->available.bits, MK_MAX_PARTS + 1);
	printf(" %u %s, host-reserved %s, available %s", d->nparts,
	       d->part_kind == MK_PARTS_VF ? "VFs" : "namespaces", res, avail);
}

/* The inventory of a checked baseline, and how much of it is the pool. */
static void init_report_text(const struct mk_state *st)
{
	const struct mk_pool *p = &st->pool;
	u32 avail = mk_bits_weight(p->available.bits, MK_MAX_CPUS), i;
	char res[256], pool[256];

	mk_bits_format(res, sizeof(res), p->host_reserved.bits, MK_MAX_CPUS);
	mk_bits_format(pool, sizeof(pool), p->available.bits, MK_MAX_CPUS);
	printf("CPUs:    %u in all; host %s; pool %s (%u, %u%%)\n",
	       p->total_cpus, res, pool, avail, avail * 100 / p->total_cpus);
	printf("Memory:  %llu MiB in all; host %llu MiB; pool %llu MiB at %#llx (%llu%%)\n",
	       p->total_bytes >> 20, p->host_reserved_bytes >> 20,
	       p->pool_bytes >> 20, p->pool_base,
	       p->total_bytes ? p->pool_bytes * 100 / p->total_bytes : 0);
	printf("Devices: %u\n", p->ndevices);
	for (i = 0; i < p->ndevices; i++) {
		const struct mk_device *d = &p->devices[i];

		printf("  %s (%s):", d->label ? d->label : d->name, d->name);
		if (d->part_kind != MK_PARTS_NONE)
			report_text_parts(d);
		else
			printf(" assigned whole");
		printf("\n");
	}
	printf("NUMA:    %u node%s\n", p->nnuma, p->nnuma == 1 ? "" : "s");
	for (i = 0; i < p->nnuma; i++) {
		mk_bits_format(pool, sizeof(pool), p->numa[i].cpus.bits, MK_MAX_CPUS);
		printf("  node %u: CPUs %s, memory %#llx+%#llx\n", p->numa[i].id,
		       pool, p->numa[i].mem_base, p->numa[i].mem_size);
	}
}

static void emit_cpus(const char *key, const unsigned long *bits, u32 nbits)
{
	char buf[1024];

	mk_bits_format(buf, sizeof(buf), bits, nbits);
	kerf_emit_str(key, buf);
}

/* The same inventory, as the "report" object of a document. */
static void init_report_emit(const struct mk_state *st)
{
	const struct mk_pool *p = &st->pool;
	u32 i;

	kerf_emit_object("report");
	kerf_emit_object("cpus");
	kerf_emit_uint("total", p->total_cpus);
	emit_cpus("host_reserved", p->host_reserved.bits, MK_MAX_CPUS);
	emit_cpus("pool", p->available.bits, MK_MAX_CPUS);
	kerf_emit_close();
	kerf_emit_object("memory");
	kerf_emit_uint("total", p->total_bytes);
	kerf_emit_uint("host_reserved", p->host_reserved_bytes);
	kerf_emit_uint("pool_base", p->pool_base);
	kerf_emit_uint("pool_bytes", p->pool_bytes);
	kerf_emit_close();
	kerf_emit_array("devices");
	for (i = 0; i < p->ndevices; i++) {
		const struct mk_device *d = &p->devices[i];

		kerf_emit_object(NULL);
		kerf_emit_str("name", d->label ? d->label : d->name);
		kerf_emit_str("node", d->name);
		if (d->part_kind != MK_PARTS_NONE) {
			kerf_emit_uint(d->part_kind == MK_PARTS_VF ? "vfs" :
				       "namespaces", d->nparts);
			emit_cpus("host_reserved", d->reserved.bits, MK_MAX_PARTS + 1);
			emit_cpus("available", d->available.bits, MK_MAX_PARTS + 1);
		}
		kerf_emit_close();
	}
	kerf_emit_close();
	kerf_emit_array("numa_nodes");
	for (i = 0; i < p->nnuma; i++) {
		kerf_emit_object(NULL);
		kerf_emit_uint("id", p->numa[i].id);
		emit_cpus("cpus", p->numa[i].cpus.bits, MK_MAX_CPUS);
		kerf_emit_uint("memory_base", p->numa[i].mem_base);
		kerf_emit_uint("memory_bytes", p->numa[i].mem_size);
		kerf_emit_close();
	}
	kerf_emit_close();
	kerf_emit_close();
}

int do_init(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "input",	required_argument,	NULL, 'i' },
		{ "apply",	no_argument,		NULL, 'a' },
		{ "report",	no_argument,		NULL, 'r' },
		{ "cpus",	required_argument,	NULL, 'c' },
		{ "memory",	required_argument,	NULL, 'm' },
		{ "devices",	required_argument,	NULL, 'd' },
		{ "help",	no_argument,		NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *input = NULL, *cpus = NULL, *devices = NULL;
	u64 memory = 0;
	struct mk_report rep;
	struct kerf_blob b;
	bool apply = false, report = false;
	struct mk_state st;
	char *result, msg[320];
	void *baseline;
	int opt, err;

	/* 0, not 1: glibc then forgets the parse of the global options. */
	optind = 0;
	while ((opt = getopt_long(argc, argv, "i:arc:m:d:h", opts, NULL)) != -1) {
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
		case 'd':
			devices = optarg;
			break;
		case 'h':
			init_usage();
			return KERF_OK;
		default:
			init_usage();
			return KERF_USAGE;
		}
	}
	if (!input == !cpus || ((memory || devices) && !cpus) || optind < argc) {
		init_usage();
		return KERF_USAGE;
	}
	if (cpus) {
		memset(&b, 0, sizeof(b));
		b.path = "this machine";
		input = b.path;
		err = kerf_probe_baseline(cpus, memory, devices, &b.data,
					  &b.size);
	} else {
		err = kerf_blob_load(input, &b);
	}
	if (err)
		return err;

	mk_report_init(&rep);
	err = mk_baseline_load(b.data, b.size, &baseline, &rep);
	if (err) {
		kerf_refused(input, true, err, rep.buf, b.data, b.size, &b, NULL);
		goto out;
	}
	if (apply) {
		err = kerf_mount();
		if (!err)
			err = kerf_write("device_tree", b.data, b.size, &result);
		if (err > 0)	/* kerf_mount() said why */
			goto out_baseline;
		if (err) {
			kerf_refused(input, false, err, result, b.data,
				     b.size, &b, NULL);
			free(result);
			goto out_baseline;
		}
		free(result);
	}
	if (report)
		err = mk_state_parse(&st, baseline, fdt_totalsize(baseline), &rep);
	snprintf(msg, sizeof(msg), apply ? "OK: %s is the baseline" :
		 "OK: %s is a valid baseline (not written: add --apply)", input);
	if (kerf_structured()) {
		kerf_emit_begin();
		kerf_emit_str("result", "ok");
		kerf_emit_str("message", msg);
		if (report && !err)
			init_report_emit(&st);
		kerf_emit_close();
	} else {
		if (report && !err)
			init_report_text(&st);
		if (apply || !report)
			printf("%s\n", msg);
	}
	if (report)
		mk_state_free(&st);
out_baseline:
	free(baseline);
out:
	mk_report_free(&rep);
	kerf_blob_free(&b);
	return err ? KERF_INVALID : KERF_OK;
}
