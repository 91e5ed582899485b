// SPDX-License-Identifier: GPL-2.0
/*
 * kerf init --input=FILE [--apply]: check a baseline and write it.
 */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kerf.h"

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
	u32 avail = bitmap_weight(p->available.bits, MK_MAX_CPUS), i;
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

struct init_args {
	const char *input;	/* a file, or NULL for this machine */
	struct mk_cpus pool;	/* with --cpus */
	bool probe;
	u64 memory;
	u64 memory_base;	/* --memory=SIZE@BASE; 0: where the reserve starts */
	const char *devices;
	bool apply;
	bool report;
};

/* SIZE or SIZE@BASE: how much of the reserved memory, and from where. */
static int init_parse_memory(const char *arg, struct init_args *a)
{
	char size[64];
	const char *at = strchr(arg, '@');
	size_t n = at ? (size_t)(at - arg) : strlen(arg);

	if (n >= sizeof(size))
		return -EINVAL;
	memcpy(size, arg, n);
	size[n] = '\0';
	if (kerf_parse_size(size, &a->memory) || !a->memory)
		return -EINVAL;
	a->memory_base = 0;
	return at && (kerf_parse_size(at + 1, &a->memory_base) ||
		      !a->memory_base) ? -EINVAL : 0;
}

static int init_parse(int argc, char **argv, struct init_args *a)
{
	static const struct option opts[] = {
		{ "input",	required_argument,	NULL, 'i' },
		{ "apply",	no_argument,		NULL, 'a' },
		{ "report",	no_argument,		NULL, 'r' },
		{ "cpus",	required_argument,	NULL, 'c' },
		{ "memory",	required_argument,	NULL, 'm' },
		{ "devices",	required_argument,	NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	/* 0, not 1: glibc then forgets the parse of the global options. */
	optind = 0;
	while ((opt = getopt_long(argc, argv, "i:arc:m:d:", opts, NULL)) != -1) {
		switch (opt) {
		case 'i':
			a->input = optarg;
			break;
		case 'a':
			a->apply = true;
			break;
		case 'r':
			a->report = true;
			break;
		case 'c':
			a->probe = true;
			if (kerf_parse_cpulist(optarg, &a->pool))
				return kerf_usage("--cpus=%s: want a list such as 1-3",
						  optarg);
			break;
		case 'm':
			if (init_parse_memory(optarg, a))
				return kerf_usage("--memory=%s: want SIZE[@BASE], such as 512M",
						  optarg);
			break;
		case 'd':
			a->devices = optarg;
			break;
		default:
			return kerf_usage(NULL);
		}
	}
	if (!a->input == !a->probe)
		return kerf_usage("want one of --input and --cpus");
	if ((a->memory || a->devices) && !a->probe)
		return kerf_usage("--memory and --devices go with --cpus");
	if (optind < argc)
		return kerf_usage("unexpected '%s'", argv[optind]);
	return KERF_OK;
}

/* The baseline as a blob, from the file or from this machine. */
static int init_load(const struct init_args *a, struct kerf_blob *b)
{
	int err;

	if (!a->probe)
		return kerf_blob_load(a->input, b) ? KERF_FILE : KERF_OK;
	memset(b, 0, sizeof(*b));
	b->path = "this machine";
	err = kerf_probe_baseline(&a->pool, a->memory, a->memory_base,
				  a->devices, &b->data, &b->size);
	if (err == -EINVAL)
		return kerf_usage(NULL);
	return err ? KERF_INVALID : KERF_OK;
}

/* Write the baseline; explain a refusal. */
static int init_apply(struct kerf_blob *b)
{
	char *result = NULL;
	int err;

	if (kerf_mount())
		return KERF_INVALID;
	err = kerf_write("device_tree", b->data, b->size, &result);
	if (err)
		kerf_refused(b->path, false, err, result, b->data, b->size, b,
			     NULL);
	free(result);
	return err ? KERF_INVALID : KERF_OK;
}

static void init_print(const struct init_args *a, const char *what,
		       const struct mk_state *st)
{
	char msg[320];

	snprintf(msg, sizeof(msg), a->apply ? "OK: %s is the baseline" :
		 "OK: %s is a valid baseline (not written: add --apply)", what);
	if (kerf_structured()) {
		kerf_emit_begin();
		kerf_emit_str("result", "ok");
		kerf_emit_str("message", msg);
		if (st)
			init_report_emit(st);
		kerf_emit_close();
		return;
	}
	if (st)
		init_report_text(st);
	if (a->apply || !a->report)
		printf("%s\n", msg);
}

int do_init(int argc, char **argv)
{
	struct init_args a = {};
	struct mk_report rep;
	struct mk_state st = {};
	struct kerf_blob b;
	void *baseline;
	int ret, err;

	ret = init_parse(argc, argv, &a);
	if (!ret)
		ret = init_load(&a, &b);
	if (ret)
		return ret;

	mk_report_init(&rep);
	err = mk_baseline_load(b.data, b.size, &baseline, &rep);
	if (err) {
		kerf_refused(b.path, true, err, rep.buf, b.data, b.size, &b, NULL);
		ret = KERF_INVALID;
		goto out;
	}
	if (a.apply)
		ret = init_apply(&b);
	if (!ret && a.report)
		ret = mk_state_parse(&st, baseline, fdt_totalsize(baseline), &rep) ?
		      KERF_INVALID : KERF_OK;
	if (!ret)
		init_print(&a, b.path, a.report ? &st : NULL);
	if (a.report)
		mk_state_free(&st);
	free(baseline);
out:
	mk_report_free(&rep);
	kerf_blob_free(&b);
	return ret;
}
