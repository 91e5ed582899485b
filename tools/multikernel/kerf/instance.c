// SPDX-License-Identifier: GPL-2.0
/*
 * kerf create NAME ... and kerf update NAME ...: build an overlay from the
 * command line, as dtc -@ would compile it from /plugin/ source, and apply
 * it as one transaction.
 */

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kerf.h"

#define KERF_MAX_REFS	MK_MAX_INSTANCE_DEVICES

struct kerf_ref {
	char label[MK_NAME_MAX + 1];
	const char *kind;	/* "vf", "ns", or NULL for the whole device */
	u32 id;
};

struct kerf_request {
	bool update;
	const char *name;
	const char *cpus;
	u32 cpu_count;
	bool count_follows;	/* update: keep cpu-count in step with cpus */
	bool has_memory;
	u64 memory;
	bool has_devices;
	bool has_base;
	u64 base;
	bool has_id;
	u32 id;
	bool dry;
	const char *numa;
	const char *affinity;
	const char *policy;
	struct kerf_ref refs[KERF_MAX_REFS];
	int nrefs;
};

/**
 * kerf_parse_size - parse 512M, 2G, 2GB, 2GiB, 0x1000 or 4096
 * @s: the text
 * @out: the size in bytes
 *
 * K, M, G and T are binary units, with or without B or iB after them.
 *
 * Return: 0, or -EINVAL.
 */
int kerf_parse_size(const char *s, u64 *out)
{
	static const char units[] = "KMGT";
	unsigned long long v;
	const char *u;
	char *end;
	int shift;

	if (!*s || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -EINVAL;
	if (*end) {
		u = strchr(units, toupper((unsigned char)*end));
		if (!u)
			return -EINVAL;
		end++;
		if (!strcasecmp(end, "ib") || !strcasecmp(end, "b"))
			end += strlen(end);
		if (*end)
			return -EINVAL;
		shift = 10 * (u - units + 1);
		if (v > (~0ULL >> shift))
			return -EINVAL;
		v <<= shift;
	}
	*out = v;
	return 0;
}

/* "eth0:vf1,nvme0:ns2,gpu0" */
static int kerf_parse_devices(char *s, struct kerf_request *r)
{
	char *tok, *save, *colon;
	struct kerf_ref *ref;

	for (tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (r->nrefs == KERF_MAX_REFS)
			return -E2BIG;
		ref = &r->refs[r->nrefs++];
		colon = strchr(tok, ':');
		if (colon) {
			*colon++ = '\0';
			if ((strncmp(colon, "vf", 2) && strncmp(colon, "ns", 2)) ||
			    !isdigit((unsigned char)colon[2]))
				return -EINVAL;
			ref->kind = colon[0] == 'v' ? "vf" : "ns";
			ref->id = strtoul(colon + 2, NULL, 10);
		}
		if (!*tok || strlen(tok) > MK_NAME_MAX)
			return -EINVAL;
		snprintf(ref->label, sizeof(ref->label), "%s", tok);
	}
	return 0;
}

static int kerf_fixup(void *fdt, const char *label, const char *path)
{
	return fdt_property_string(fdt, label, path);
}

/*
 * Write the overlay. Parts of devices are nodes of the instance, with
 * phandles local to the overlay (__local_fixups__); labels of the baseline
 * are resolved at apply time (__fixups__), as dtc -@ arranges.
 */
static void *kerf_build_overlay(const struct kerf_request *r, char *err,
				size_t errsize)
{
	size_t size = 8192 + 4 * MK_MAX_CPUS + 256 * r->nrefs;
	char res_path[128], path[192];
	fdt32_t cells[KERF_MAX_REFS];
	struct mk_cpus *set = calloc(1, sizeof(*set));
	void *fdt = malloc(size);
	int i, n, ret;

	if (!fdt || !set)
		goto fail;
	snprintf(res_path, sizeof(res_path), "/fragment@0/__overlay__/%s/resources",
		 r->name);
	ret = fdt_create(fdt, size) || fdt_finish_reservemap(fdt) ||
	      fdt_begin_node(fdt, "") || fdt_begin_node(fdt, "fragment@0") ||
	      fdt_property_string(fdt, "target-path", "/instances") ||
	      fdt_begin_node(fdt, "__overlay__") || fdt_begin_node(fdt, r->name);
	if (!ret && r->has_id)
		ret = fdt_property_u32(fdt, "id", r->id);
	ret = ret || fdt_begin_node(fdt, "resources");
	if (!ret && r->cpus) {
		if (kerf_parse_cpulist(r->cpus, set)) {
			snprintf(err, errsize, "--cpus=%s: want a list such as 4-7,12",
				 r->cpus);
			goto fail;
		}
		ret = kerf_fdt_cells(fdt, "cpus", set);
		if (!ret && r->count_follows)
			ret = fdt_property_u32(fdt, "cpu-count",
					       mk_bits_weight(set->bits, MK_MAX_CPUS));
	} else if (!ret && r->cpu_count) {
		ret = fdt_property_u32(fdt, "cpu-count", r->cpu_count);
	}
	if (!ret && r->has_memory)
		ret = fdt_property_u64(fdt, "memory-bytes", r->memory);
	if (!ret && r->has_base)
		ret = fdt_property_u64(fdt, "memory-base", r->base);
	if (!ret && r->numa) {
		memset(set, 0, sizeof(*set));
		if (kerf_parse_cpulist(r->numa, set)) {
			snprintf(err, errsize, "--numa-nodes=%s: want a list", r->numa);
			goto fail;
		}
		ret = kerf_fdt_cells(fdt, "numa-nodes", set);
	}
	if (!ret && r->affinity)
		ret = fdt_property_string(fdt, "cpu-affinity", r->affinity);
	if (!ret && r->policy)
		ret = fdt_property_string(fdt, "memory-policy", r->policy);
	if (!ret && r->has_devices) {
		/* Parts point at local nodes 1..n; whole devices are fixed up. */
		for (i = 0, n = 0; i < r->nrefs; i++)
			cells[i] = cpu_to_fdt32(r->refs[i].kind ? ++n : 0xffffffff);
		ret = fdt_property(fdt, "devices", cells, r->nrefs * sizeof(*cells));
	}
	for (i = 0, n = 0; !ret && i < r->nrefs; i++) {
		const struct kerf_ref *ref = &r->refs[i];
		char node[64];

		if (!ref->kind)
			continue;
		snprintf(node, sizeof(node), "%s-%s@%u", ref->label, ref->kind, ref->id);
		ret = fdt_begin_node(fdt, node) ||
		      fdt_property_u32(fdt, "parent", 0xffffffff) ||
		      fdt_property_u32(fdt, ref->kind[0] == 'v' ? "vf-id" : "namespace-id",
				       ref->id) ||
		      fdt_property_u32(fdt, "phandle", ++n) || fdt_end_node(fdt);
	}
	/* resources, NAME, __overlay__, fragment@0 */
	ret = ret || fdt_end_node(fdt) || fdt_end_node(fdt) ||
	      fdt_end_node(fdt) || fdt_end_node(fdt);

	if (!ret && r->nrefs) {
		ret = fdt_begin_node(fdt, "__fixups__");
		for (i = 0; !ret && i < r->nrefs; i++) {
			const struct kerf_ref *ref = &r->refs[i];

			if (ref->kind)
				snprintf(path, sizeof(path), "%s/%s-%s@%u:parent:0",
					 res_path, ref->label, ref->kind, ref->id);
			else
				snprintf(path, sizeof(path), "%s:devices:%d",
					 res_path, i * 4);
			ret = kerf_fixup(fdt, ref->label, path);
		}
		ret = ret || fdt_end_node(fdt);
	}
	if (!ret && r->nrefs) {
		for (i = 0, n = 0; i < r->nrefs; i++)
			if (r->refs[i].kind)
				cells[n++] = cpu_to_fdt32(i * 4);
		if (n)
			ret = fdt_begin_node(fdt, "__local_fixups__") ||
			      fdt_begin_node(fdt, "fragment@0") ||
			      fdt_begin_node(fdt, "__overlay__") ||
			      fdt_begin_node(fdt, r->name) ||
			      fdt_begin_node(fdt, "resources") ||
			      fdt_property(fdt, "devices", cells, n * sizeof(*cells)) ||
			      fdt_end_node(fdt) || fdt_end_node(fdt) ||
			      fdt_end_node(fdt) || fdt_end_node(fdt) ||
			      fdt_end_node(fdt);
	}
	ret = ret || fdt_end_node(fdt) || fdt_finish(fdt);
	free(set);
	if (!ret)
		return fdt;
	snprintf(err, errsize, "cannot build the overlay (too many devices?)");
	set = NULL;
fail:
	free(set);
	free(fdt);
	return NULL;
}

static void instance_usage(bool update)
{
	if (update)
		fprintf(stderr,
			"Usage: kerf update NAME [--cpus=LIST] [--memory=SIZE]\n"
			"\t[--memory-base=ADDR] [--devices=LIST] [--numa-nodes=LIST]\n"
			"\t[--cpu-affinity=POLICY] [--memory-policy=POLICY] [--dry-run]\n\n"
			"Change instance NAME, as one transaction that 'kerf rollback'\n"
			"undoes. Only what is given changes; --devices replaces the\n"
			"whole list ('--devices=' empties it). CPUs the kernel placed\n"
			"for a cpu-count are changed with --cpus, which keeps the\n"
			"cpu-count in step.\n");
	else
		fprintf(stderr,
			"Usage: kerf create NAME (--cpus=LIST | --cpu-count=N) --memory=SIZE\n"
			"\t[--memory-base=ADDR] [--devices=eth0:vf1,nvme0:ns2,gpu0]\n"
			"\t[--numa-nodes=LIST] [--cpu-affinity=compact|spread|local]\n"
			"\t[--memory-policy=local|interleave|bind] [--id=N] [--dry-run]\n\n"
			"Create instance NAME, as one transaction; NAME may come before or\n"
			"after the options. SIZE: 512M, 2G, 2GB, 2GiB, hex or bytes.\n");
	fprintf(stderr, "--dry-run checks against the current state and writes nothing.\n");
}

/* The state @ovl would make: placed and validated, as the kernel would. */
static int instance_dry_run(void *cur, void *ovl, void **tree,
			    struct mk_report *rep)
{
	struct mk_decisions dec;
	struct mk_state st;
	int err;

	err = mk_overlay_apply(cur, ovl, fdt_totalsize(ovl), tree, rep);
	if (!err)
		err = mk_allocate(tree, &dec, rep);
	if (!err)
		mk_decisions_free(&dec);
	if (!err) {
		err = mk_state_parse(&st, *tree, fdt_totalsize(*tree), rep);
		if (!err)
			err = mk_validate(&st, rep);
		mk_state_free(&st);
	}
	return err;
}

/* The kernel's answer: "tx N", then any warnings, which go to stderr. */
static void instance_accepted(const char *name, const char *done,
			      const char *result)
{
	const char *line;

	kerf_accepted("%s %s (%.*s)", done, name,
		      result ? (int)strcspn(result, "\n") : 1,
		      result ? result : "?");
	for (line = result ? strchr(result, '\n') : NULL; line && line[1];
	     line = strchr(line + 1, '\n'))
		if (!strncmp(line + 1, "warning: ", 9))
			fprintf(stderr, "%.*s\n", (int)strcspn(line + 1, "\n"),
				line + 1);
}

/*
 * Apply @ovl for @r, or with --dry-run check it offline against the
 * kernel's state; explain a refusal against the state it would have made.
 */
static int instance_submit(const struct kerf_request *r, void *ovl, void *cur,
			   size_t size, bool dry)
{
	const char *done = r->update ? "updated" : "created";
	struct mk_report rep;
	char *result = NULL;
	void *tree = NULL;
	int err;

	mk_report_init(&rep);
	if (dry) {
		err = instance_dry_run(cur, ovl, &tree, &rep);
		result = rep.buf;
	} else {
		err = kerf_write("overlays/new", ovl, fdt_totalsize(ovl), &result);
		if (err)
			mk_overlay_apply(cur, ovl, fdt_totalsize(ovl), &tree, &rep);
	}
	if (!err && dry)
		kerf_accepted("OK: %s would be %s (dry run: nothing written)",
			      r->name, done);
	else if (!err)
		instance_accepted(r->name, done, result);
	else
		kerf_refused(r->name, dry, err,
			     result, tree ? tree : cur,
			     tree ? fdt_totalsize(tree) : size, NULL, r->name);
	if (!dry)
		free(result);
	mk_report_free(&rep);
	free(tree);
	return err ? KERF_INVALID : KERF_OK;
}

/* Parse the options of create or update into @r; 0 or KERF_USAGE. */
static int instance_parse(int argc, char **argv, struct kerf_request *r)
{
	static const struct option opts[] = {
		{ "cpus",		required_argument,	NULL, 'c' },
		{ "cpu-count",		required_argument,	NULL, 'n' },
		{ "memory",		required_argument,	NULL, 'm' },
		{ "memory-base",	required_argument,	NULL, 'b' },
		{ "devices",		required_argument,	NULL, 'd' },
		{ "numa-nodes",		required_argument,	NULL, 'N' },
		{ "cpu-affinity",	required_argument,	NULL, 'a' },
		{ "memory-policy",	required_argument,	NULL, 'p' },
		{ "id",			required_argument,	NULL, 'i' },
		{ "dry-run",		no_argument,		NULL, 'D' },
		{ "help",		no_argument,		NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char err[200] = "", devs[1024], *end;
	const char *bad = NULL;
	int opt, opt_index = 0;
	u64 v;

	/* 0, not 1: glibc then forgets the parse of the global options. */
	optind = 0;
	while ((opt = getopt_long(argc, argv, "h", opts, &opt_index)) != -1) {
		switch (opt) {
		case 'c':
			r->cpus = optarg;
			break;
		case 'n':
			r->cpu_count = strtoul(optarg, &end, 0);
			if (*end || !r->cpu_count)
				bad = "a number";
			else if (r->update)
				bad = "--cpus: placed CPUs are not placed again";
			break;
		case 'm':
			r->has_memory = !kerf_parse_size(optarg, &r->memory) && r->memory;
			if (!r->has_memory)
				bad = "a size such as 512M";
			break;
		case 'b':
			r->has_base = !kerf_parse_size(optarg, &r->base);
			if (!r->has_base)
				bad = "an address";
			break;
		case 'd':
			/* Parsed in a copy, so that a complaint quotes it whole. */
			snprintf(devs, sizeof(devs), "%s", optarg);
			r->has_devices = true;
			if (strlen(optarg) >= sizeof(devs) ||
			    kerf_parse_devices(devs, r))
				bad = "LABEL, LABEL:vfN or LABEL:nsN, comma-separated";
			break;
		case 'N':
			r->numa = optarg;
			break;
		case 'a':
			r->affinity = optarg;
			break;
		case 'p':
			r->policy = optarg;
			break;
		case 'i':
			r->has_id = !kerf_parse_size(optarg, &v) && v &&
				    v <= MK_MAX_INSTANCES;
			r->id = v;
			if (!r->has_id)
				bad = "an id from 1 to 1024";
			else if (r->update)
				bad = "nothing: an instance keeps its id";
			break;
		case 'D':
			r->dry = true;
			break;
		case 'h':
			instance_usage(r->update);
			return -1;
		default:
			instance_usage(r->update);
			return KERF_USAGE;
		}
		/* Keep the first bad option's complaint. */
		if (bad && !err[0])
			snprintf(err, sizeof(err), "--%s=%s: want %s",
				 opts[opt_index].name, optarg, bad);
		bad = NULL;
	}
	if (optind == argc - 1)
		r->name = argv[optind];
	if (!err[0] && !r->name)
		snprintf(err, sizeof(err), "want one NAME");
	if (!err[0] && !r->update && (!r->has_memory || !r->cpus == !r->cpu_count))
		snprintf(err, sizeof(err),
			 "want --memory and one of --cpus or --cpu-count");
	if (!err[0] && r->update && !r->cpus && !r->has_memory && !r->has_base &&
	    !r->has_devices && !r->numa && !r->affinity && !r->policy)
		snprintf(err, sizeof(err), "nothing to change");
	if (err[0]) {
		kerf_err("%s", err);
		instance_usage(r->update);
		return KERF_USAGE;
	}
	return 0;
}

/* Shared by create and update: parse, build, submit. */
static int instance_cmd(int argc, char **argv, bool update)
{
	struct kerf_request r = { .update = update };
	char err[160] = "", path[sizeof("/instances/") + MK_NAME_MAX];
	void *ovl = NULL, *cur = NULL;
	size_t size = 0;
	int ret, node, res;

	ret = instance_parse(argc, argv, &r);
	if (ret)
		return ret < 0 ? KERF_OK : ret;
	ret = kerf_mount();
	if (ret)
		return ret;
	cur = kerf_read("device_tree", &size);
	if (!cur || !size) {
		kerf_err("no baseline yet: kerf init --input=FILE --apply");
		ret = KERF_INVALID;
		goto out;
	}
	snprintf(path, sizeof(path), "/instances/%s", r.name);
	node = fdt_path_offset(cur, path);
	if (update && node < 0) {
		kerf_err("no instance '%s'", r.name);
		ret = KERF_INVALID;
		goto out;
	}
	/* An overlay would merge into it: that is what update is for. */
	if (!update && node >= 0) {
		kerf_err("instance '%s' exists; change it with kerf update", r.name);
		ret = KERF_INVALID;
		goto out;
	}
	/* A cpu-count the kernel placed must keep matching the CPUs. */
	res = fdt_subnode_offset(cur, node, "resources");
	if (update && r.cpus && res >= 0)
		r.count_follows = fdt_getprop(cur, res, "cpu-count", NULL);
	ovl = kerf_build_overlay(&r, err, sizeof(err));
	if (!ovl) {
		kerf_err("%s", err[0] ? err : "out of memory");
		ret = err[0] ? KERF_USAGE : KERF_INVALID;
		goto out;
	}
	ret = instance_submit(&r, ovl, cur, size, r.dry);
out:
	free(ovl);
	free(cur);
	return ret;
}

int do_create(int argc, char **argv)
{
	return instance_cmd(argc, argv, false);
}

int do_update(int argc, char **argv)
{
	return instance_cmd(argc, argv, true);
}
