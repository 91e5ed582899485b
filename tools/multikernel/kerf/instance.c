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
	bool has_cpus;
	struct mk_cpus cpus;
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
	bool has_numa;
	struct mk_cpus numa;	/* node ids */
	const char *affinity;
	const char *policy;
	bool has_doorbell;
	u32 doorbell_cpu;
	struct kerf_ref refs[KERF_MAX_REFS];
	int nrefs;
};

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

/* The properties of the instance's resources node that @r sets. */
static int overlay_resources(void *fdt, const struct kerf_request *r)
{
	fdt32_t cells[KERF_MAX_REFS];
	int ret = 0, i, n;

	if (r->has_cpus) {
		ret = kerf_fdt_cells(fdt, "cpus", &r->cpus);
		if (!ret && r->count_follows)
			ret = fdt_property_u32(fdt, "cpu-count",
					       bitmap_weight(r->cpus.bits, MK_MAX_CPUS));
	} else if (r->cpu_count) {
		ret = fdt_property_u32(fdt, "cpu-count", r->cpu_count);
	}
	if (!ret && r->has_memory)
		ret = fdt_property_u64(fdt, "memory-bytes", r->memory);
	if (!ret && r->has_base)
		ret = fdt_property_u64(fdt, "memory-base", r->base);
	if (!ret && r->has_numa)
		ret = kerf_fdt_cells(fdt, "numa-nodes", &r->numa);
	if (!ret && r->affinity)
		ret = fdt_property_string(fdt, "cpu-affinity", r->affinity);
	if (!ret && r->policy)
		ret = fdt_property_string(fdt, "memory-policy", r->policy);
	if (!ret && r->has_doorbell)
		ret = fdt_property_u32(fdt, "doorbell-cpu", r->doorbell_cpu);
	if (!ret && r->has_devices) {
		/* Parts point at local nodes 1..n; whole devices are fixed up. */
		for (i = 0, n = 0; i < r->nrefs; i++)
			cells[i] = cpu_to_fdt32(r->refs[i].kind ? ++n : 0xffffffff);
		ret = fdt_property(fdt, "devices", cells, r->nrefs * sizeof(*cells));
	}
	return ret;
}

/* A node for each VF or namespace, with a phandle local to the overlay. */
static int overlay_part_nodes(void *fdt, const struct kerf_request *r)
{
	int i, n = 0, ret = 0;
	char node[64];

	for (i = 0; !ret && i < r->nrefs; i++) {
		const struct kerf_ref *ref = &r->refs[i];

		if (!ref->kind)
			continue;
		snprintf(node, sizeof(node), "%s-%s@%u", ref->label, ref->kind, ref->id);
		ret = fdt_begin_node(fdt, node) ||
		      fdt_property_u32(fdt, "parent", 0xffffffff) ||
		      fdt_property_u32(fdt, ref->kind[0] == 'v' ? "vf-id" : "namespace-id",
				       ref->id) ||
		      fdt_property_u32(fdt, "phandle", ++n) || fdt_end_node(fdt);
	}
	return ret;
}

/* Where the baseline's labels go, resolved when the overlay applies. */
static int overlay_fixups(void *fdt, const struct kerf_request *r,
			  const char *res_path)
{
	char path[192];
	int i, ret;

	ret = fdt_begin_node(fdt, "__fixups__");
	for (i = 0; !ret && i < r->nrefs; i++) {
		const struct kerf_ref *ref = &r->refs[i];

		if (ref->kind)
			snprintf(path, sizeof(path), "%s/%s-%s@%u:parent:0",
				 res_path, ref->label, ref->kind, ref->id);
		else
			snprintf(path, sizeof(path), "%s:devices:%d",
				 res_path, i * 4);
		ret = fdt_property_string(fdt, ref->label, path);
	}
	return ret || fdt_end_node(fdt);
}

/* Where the overlay's own phandles are used, for the apply to renumber. */
static int overlay_local_fixups(void *fdt, const struct kerf_request *r)
{
	fdt32_t cells[KERF_MAX_REFS];
	int i, n = 0;

	for (i = 0; i < r->nrefs; i++)
		if (r->refs[i].kind)
			cells[n++] = cpu_to_fdt32(i * 4);
	if (!n)
		return 0;
	return fdt_begin_node(fdt, "__local_fixups__") ||
	       fdt_begin_node(fdt, "fragment@0") ||
	       fdt_begin_node(fdt, "__overlay__") ||
	       fdt_begin_node(fdt, r->name) ||
	       fdt_begin_node(fdt, "resources") ||
	       fdt_property(fdt, "devices", cells, n * sizeof(*cells)) ||
	       fdt_end_node(fdt) || fdt_end_node(fdt) ||
	       fdt_end_node(fdt) || fdt_end_node(fdt) ||
	       fdt_end_node(fdt);
}

/*
 * Write the overlay. Parts of devices are nodes of the instance, with
 * phandles local to the overlay (__local_fixups__); labels of the baseline
 * are resolved at apply time (__fixups__), as dtc -@ arranges.
 *
 * Return: the overlay, to free(); or NULL if it does not fit.
 */
static void *kerf_build_overlay(const struct kerf_request *r)
{
	size_t size = 8192 + 4 * MK_MAX_CPUS + 256 * r->nrefs;
	void *fdt = malloc(size);
	char res_path[128];
	int ret;

	if (!fdt)
		return NULL;
	snprintf(res_path, sizeof(res_path), "/fragment@0/__overlay__/%s/resources",
		 r->name);
	ret = fdt_create(fdt, size) || fdt_finish_reservemap(fdt) ||
	      fdt_begin_node(fdt, "") || fdt_begin_node(fdt, "fragment@0") ||
	      fdt_property_string(fdt, "target-path", "/instances") ||
	      fdt_begin_node(fdt, "__overlay__") || fdt_begin_node(fdt, r->name);
	if (!ret && r->has_id)
		ret = fdt_property_u32(fdt, "id", r->id);
	ret = ret || fdt_begin_node(fdt, "resources") ||
	      overlay_resources(fdt, r) || overlay_part_nodes(fdt, r);
	/* resources, NAME, __overlay__, fragment@0 */
	ret = ret || fdt_end_node(fdt) || fdt_end_node(fdt) ||
	      fdt_end_node(fdt) || fdt_end_node(fdt);
	if (!ret && r->nrefs)
		ret = overlay_fixups(fdt, r, res_path) ||
		      overlay_local_fixups(fdt, r);
	ret = ret || fdt_end_node(fdt) || fdt_finish(fdt);
	if (!ret)
		return fdt;
	free(fdt);
	return NULL;
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

/* An instance's transitions, or NULL when it has none (not loaded). */
static char *instance_transitions(const char *name)
{
	char rel[128];
	size_t n;

	snprintf(rel, sizeof(rel), "instances/%s/transitions", name);
	return kerf_read(rel, &n);
}

/* The number of the newest transition, or 0. */
static unsigned long instance_last_seq(const char *name)
{
	char *t = instance_transitions(name), *line;
	unsigned long seq = 0;

	for (line = t; line && *line; line = strchr(line, '\n')) {
		line += *line == '\n';
		if (*line)
			seq = strtoul(line, NULL, 10);
	}
	free(t);
	return seq;
}

/*
 * What the kernel did to a running instance, from its transitions after
 * @seq: "resize running resizing: from 1 to 2 CPUs" becomes a line.
 */
static void instance_say_resize(const char *name, unsigned long seq)
{
	char *t = instance_transitions(name), *line, *ev;
	int len;

	for (line = t; line && *line; line += len + (line[len] == '\n')) {
		len = strcspn(line, "\n");
		if (strtoul(line, NULL, 10) <= seq)
			continue;
		ev = strstr(line, " resize");
		if (ev && ev < line + len && strchr(ev, ':'))
			printf("%s: %.*s\n", name, len - (int)(ev + 1 - line),
			       ev + 1);
	}
	free(t);
}

/*
 * Apply @ovl for @r, or with --dry-run check it offline against the
 * kernel's state; explain a refusal against the state it would have made.
 * An update of a running instance is a resize: what it did is said too.
 */
static int instance_submit(const struct kerf_request *r, void *ovl, void *cur,
			   size_t size, bool dry)
{
	const char *done = r->update ? "updated" : "created";
	struct mk_tx_result res = {};
	unsigned long seq;
	struct mk_report rep;
	char *result = NULL;
	void *tree;
	int err;

	mk_report_init(&rep);
	seq = r->update && !dry ? instance_last_seq(r->name) : 0;
	if (dry) {
		err = mk_tx_compute(cur, ovl, fdt_totalsize(ovl), NULL, 0, &res,
				    &rep);
		result = rep.buf;
	} else {
		err = kerf_write("overlays/new", ovl, fdt_totalsize(ovl), &result);
		if (err)
			mk_overlay_apply(cur, ovl, fdt_totalsize(ovl), &res.tree,
					 &rep);
	}
	tree = res.tree;
	if (err)
		kerf_refused(r->name, dry, err,
			     result, tree ? tree : cur,
			     tree ? fdt_totalsize(tree) : size, NULL, r->name);
	else if (dry)
		kerf_accepted("OK: %s would be %s (dry run: nothing written)",
			      r->name, done);
	else
		instance_accepted(r->name, done, result);
	if (!err && r->update && !dry && !kerf_structured())
		instance_say_resize(r->name, seq);
	if (!dry)
		free(result);
	mk_report_free(&rep);
	mk_tx_result_free(&res);
	return err ? KERF_INVALID : KERF_OK;
}

static const struct option instance_opts[] = {
	{ "cpus",		required_argument,	NULL, 'c' },
	{ "cpu-count",		required_argument,	NULL, 'n' },
	{ "memory",		required_argument,	NULL, 'm' },
	{ "memory-base",	required_argument,	NULL, 'b' },
	{ "devices",		required_argument,	NULL, 'd' },
	{ "numa-nodes",		required_argument,	NULL, 'N' },
	{ "cpu-affinity",	required_argument,	NULL, 'a' },
	{ "memory-policy",	required_argument,	NULL, 'p' },
	{ "id",			required_argument,	NULL, 'i' },
	{ "doorbell-cpu",	required_argument,	NULL, 'B' },
	{ "dry-run",		no_argument,		NULL, 'D' },
	{ NULL, 0, NULL, 0 },
};

/* Take one option into @r; what its value should have been, or NULL. */
static const char *instance_option(struct kerf_request *r, int opt,
				   const char *arg)
{
	char devs[1024], *end;
	u64 v;

	switch (opt) {
	case 'c':
		r->has_cpus = !kerf_parse_cpulist(arg, &r->cpus);
		return r->has_cpus ? NULL : "a list such as 4-7,12";
	case 'n':
		r->cpu_count = strtoul(arg, &end, 0);
		if (*end || !r->cpu_count)
			return "a number";
		return r->update ? "--cpus: placed CPUs are not placed again" : NULL;
	case 'm':
		r->has_memory = !kerf_parse_size(arg, &r->memory) && r->memory;
		return r->has_memory ? NULL : "a size such as 512M";
	case 'b':
		r->has_base = !kerf_parse_size(arg, &r->base);
		return r->has_base ? NULL : "an address";
	case 'd':
		/* Parsed in a copy, so that a complaint quotes it whole. */
		snprintf(devs, sizeof(devs), "%s", arg);
		r->has_devices = true;
		if (strlen(arg) >= sizeof(devs) || kerf_parse_devices(devs, r))
			return "LABEL, LABEL:vfN or LABEL:nsN, comma-separated";
		return NULL;
	case 'N':
		r->has_numa = !kerf_parse_cpulist(arg, &r->numa);
		return r->has_numa ? NULL : "a list of node ids";
	case 'a':
		r->affinity = arg;
		return NULL;
	case 'p':
		r->policy = arg;
		return NULL;
	case 'i':
		r->has_id = !kerf_parse_size(arg, &v) && v && v <= MK_MAX_INSTANCES;
		r->id = v;
		if (!r->has_id)
			return "an id from 1 to 1024";
		return r->update ? "nothing: an instance keeps its id" : NULL;
	case 'B':
		r->doorbell_cpu = strtoul(arg, &end, 10);
		r->has_doorbell = *arg && !*end && r->doorbell_cpu < MK_MAX_CPUS;
		if (!r->has_doorbell)
			return "a CPU number";
		return r->update ? "nothing: a running kernel's doorbells cannot move" : NULL;
	case 'D':
		r->dry = true;
		return NULL;
	}
	return "";
}

/* What is missing from, or wrong with, the request as a whole; or NULL. */
static const char *instance_incomplete(const struct kerf_request *r)
{
	if (!r->name)
		return "want one NAME";
	if (!r->update && (!r->has_memory || r->has_cpus == !!r->cpu_count))
		return "want --memory and one of --cpus or --cpu-count";
	if (r->update && !r->has_cpus && !r->has_memory && !r->has_base &&
	    !r->has_devices && !r->has_numa && !r->affinity && !r->policy)
		return "nothing to change";
	return NULL;
}

/* Parse the options of create or update into @r; KERF_OK or KERF_USAGE. */
static int instance_parse(int argc, char **argv, struct kerf_request *r)
{
	char first[200] = "";
	int opt, at = 0;
	const char *bad;

	/* 0, not 1: glibc then forgets the parse of the global options. */
	optind = 0;
	while ((opt = getopt_long(argc, argv, "", instance_opts, &at)) != -1) {
		if (opt == '?')
			return kerf_usage(NULL);
		bad = instance_option(r, opt, optarg);
		/* Keep the first bad option's complaint. */
		if (bad && !first[0])
			snprintf(first, sizeof(first), "--%s=%s: want %s",
				 instance_opts[at].name, optarg, bad);
	}
	if (optind == argc - 1)
		r->name = argv[optind];
	if (!first[0] && instance_incomplete(r))
		snprintf(first, sizeof(first), "%s", instance_incomplete(r));
	return first[0] ? kerf_usage("%s", first) : KERF_OK;
}

/*
 * The current tree, and whether @r fits what it holds: update needs the
 * instance, create needs it absent. Sets @r->count_follows.
 */
static int instance_current(struct kerf_request *r, void **cur, size_t *size)
{
	char path[sizeof("/instances/") + MK_NAME_MAX];
	int node, res;

	*cur = kerf_read("device_tree", size);
	if (!*cur || !*size) {
		kerf_err("no baseline yet: kerf init --input=FILE --apply");
		return KERF_INVALID;
	}
	snprintf(path, sizeof(path), "/instances/%s", r->name);
	node = fdt_path_offset(*cur, path);
	if (r->update && node < 0) {
		kerf_err("no instance '%s'", r->name);
		return KERF_INVALID;
	}
	/* An overlay would merge into it: that is what update is for. */
	if (!r->update && node >= 0) {
		kerf_err("instance '%s' exists; change it with kerf update", r->name);
		return KERF_INVALID;
	}
	/* A cpu-count the kernel placed must keep matching the CPUs. */
	res = fdt_subnode_offset(*cur, node, "resources");
	if (r->update && r->has_cpus && res >= 0)
		r->count_follows = fdt_getprop(*cur, res, "cpu-count", NULL);
	return KERF_OK;
}

/* Shared by create and update: parse, build, submit. */
static int instance_cmd(int argc, char **argv, bool update)
{
	struct kerf_request *r = calloc(1, sizeof(*r));
	void *ovl = NULL, *cur = NULL;
	size_t size = 0;
	int ret;

	if (!r)
		return KERF_INVALID;
	r->update = update;
	ret = instance_parse(argc, argv, r);
	if (!ret && kerf_mount())
		ret = KERF_INVALID;
	if (!ret)
		ret = instance_current(r, &cur, &size);
	if (!ret) {
		ovl = kerf_build_overlay(r);
		if (!ovl) {
			kerf_err("cannot build the overlay (too many devices?)");
			ret = KERF_INVALID;
		}
	}
	if (!ret)
		ret = instance_submit(r, ovl, cur, size, r->dry);
	free(ovl);
	free(cur);
	free(r);
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
