// SPDX-License-Identifier: GPL-2.0
/*
 * Explain findings: the kernel's (or the offline validator's) one-line
 * findings, rendered as a report of what is configured, what it
 * conflicts with, a concrete suggestion computed from the free resources,
 * and where in the source it is; or as JSON.
 *
 * A suggestion moves the instance that the checked input added, and takes
 * what it suggests out of the free resources, so that applying every
 * suggestion of one report gives a state that passes.
 */

#include <errno.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kerf.h"

struct kerf_finding {
	bool error;
	char rule[48];
	const struct mk_rule_info *info;	/* NULL for a rule kerf lacks */
	char names[2][MK_NAME_MAX + 1];
	int nnames;
	const char *detail;	/* the rest of the line */
};

struct kerf_suggestion {
	char property[24];
	char value[512];
	char alternative[400];
	const char *file;
	int line;
};

#define KERF_FIXED_CPUS		BIT(0)
#define KERF_FIXED_MEMORY	BIT(1)

/* CPUs already handed out by earlier suggestions; what was explained. */
struct kerf_claims {
	struct mk_cpus cpus;
	u8 fixed[MK_MAX_INSTANCES + 1];	/* KERF_FIXED_* by instance index */
};

static struct mk_instance *kerf_instance(struct mk_state *st, const char *name)
{
	u32 i;

	for (i = 0; st && i < st->ninstances; i++)
		if (!strcmp(st->instances[i].name, name))
			return &st->instances[i];
	return NULL;
}

/* "error: RULE: NAME [NAME]: detail" into @f; false if not a finding. */
static bool kerf_parse_finding(struct mk_state *st, char *line,
			       struct kerf_finding *f)
{
	char *rule, *names, *rest, *tok, *save;

	memset(f, 0, sizeof(*f));
	if (!strncmp(line, "error: ", 7))
		f->error = true;
	else if (strncmp(line, "warning: ", 9))
		return false;
	rule = strchr(line, ' ') + 1;
	names = strstr(rule, ": ");
	if (!names)
		return false;
	*names = '\0';
	snprintf(f->rule, sizeof(f->rule), "%s", rule);
	f->info = mk_rule_find(rule, strlen(rule));
	names += 2;
	f->detail = names;

	/* The instances come first when there are any. */
	rest = strstr(names, ": ");
	if (!rest)
		return true;
	*rest = '\0';
	for (tok = strtok_r(names, " ", &save); tok && f->nnames < 2;
	     tok = strtok_r(NULL, " ", &save))
		if (kerf_instance(st, tok))
			snprintf(f->names[f->nnames++], MK_NAME_MAX + 1, "%s", tok);
	if (f->nnames) {
		f->detail = rest + 2;
	} else {
		*rest = ':';
		for (tok = names; tok < rest; tok++)
			if (!*tok)
				*tok = ' ';
	}
	return true;
}

static bool kerf_is_fresh(const struct kerf_context *ctx, const char *name)
{
	const char *p = ctx->fresh;
	size_t n = strlen(name);

	while (p && *p) {
		if (!strncmp(p, name, n) && (p[n] == '\n' || !p[n]))
			return true;
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	return false;
}

/* The instance a finding asks to change: the one the input added. */
static struct mk_instance *kerf_subject(struct kerf_context *ctx,
					const struct kerf_finding *f)
{
	int i;

	for (i = f->nnames - 1; i >= 0; i--)
		if (kerf_is_fresh(ctx, f->names[i]))
			return kerf_instance(ctx->st, f->names[i]);
	return f->nnames ? kerf_instance(ctx->st, f->names[f->nnames - 1]) : NULL;
}

/* Find "NAME {" and then "PROP" in a source; 0 if not found. */
static int kerf_find_line(const char *src, const char *name, const char *prop,
			  const char *value)
{
	const char *p = src, *start = NULL;
	char pat[96];
	regex_t re;
	int line = 1, at = 0;

	if (!src)
		return 0;
	/* "name {", or the label "name: node {" */
	snprintf(pat, sizeof(pat), "(^|[[:space:]:])%s([[:space:]]*\\{|:[[:space:]])",
		 name);
	if (regcomp(&re, pat, REG_EXTENDED | REG_NOSUB | REG_NEWLINE))
		return 0;
	for (; *p; line++) {
		const char *eol = strchrnul(p, '\n');
		char buf[512];

		snprintf(buf, sizeof(buf), "%.*s", (int)(eol - p), p);
		if (!start && !regexec(&re, buf, 0, NULL, 0)) {
			start = p;
			at = line;
			if (!prop)
				break;
		} else if (start && strstr(buf, prop) &&
			   (!value || strstr(buf, value))) {
			at = line;
			break;
		}
		p = *eol ? eol + 1 : eol;
	}
	regfree(&re);
	return start ? at : 0;
}

static void kerf_locate(struct kerf_context *ctx, const char *name,
			const char *prop, const char *value,
			struct kerf_suggestion *s)
{
	int i, line;

	for (i = ctx->nsources - 1; i >= 0; i--) {
		line = kerf_find_line(ctx->sources[i].source, name, prop, value);
		if (line) {
			s->file = ctx->sources[i].path;
			s->line = line;
			return;
		}
	}
}

/*
 * Findings about the pool name no instance. A device's or NUMA node's
 * findings start with its name; the others are found by their rule.
 */
static void kerf_locate_pool(struct kerf_context *ctx,
			     const struct kerf_finding *f,
			     struct kerf_suggestion *s)
{
	const struct mk_rule_info *info = f->info;
	const char *const *p;
	const char *prop = NULL;
	char node[MK_NAME_MAX + 1];
	size_t n;

	if (!info || info->res != MK_RES_POOL)
		return;
	for (p = info->props; p && *p && !prop; p++)
		if (strstr(f->detail, *p))
			prop = *p;
	n = strcspn(f->detail, ": ");
	if (n && n < sizeof(node) && f->detail[n] == ':' &&
	    strncmp(f->detail, "baseline", n)) {
		snprintf(node, sizeof(node), "%.*s", (int)n, f->detail);
		kerf_locate(ctx, node, prop, NULL, s);
	}
	if (!s->file && info->node)
		kerf_locate(ctx, info->node, prop ? prop : info->props[0], NULL, s);
}

static int kerf_cells(char *buf, size_t size, const unsigned long *bits,
		      u32 nbits, u32 max)
{
	size_t len = 0;
	u32 bit, n = 0;

	len += snprintf(buf, size, "<");
	for_each_set_bit(bit, bits, nbits) {
		if (n++ == max || len >= size)
			break;
		len += snprintf(buf + len, size - len, "%s%u", n > 1 ? " " : "", bit);
	}
	if (len < size)
		snprintf(buf + len, size - len, ">");
	return n;
}

static void kerf_suggest_cpus(struct kerf_context *ctx, struct kerf_claims *cl,
			      struct mk_instance *in, struct kerf_suggestion *s)
{
	struct mk_cpus *free_cpus = calloc(1, sizeof(*free_cpus));
	u32 want = in->has_cpus ? bitmap_weight(in->cpus.bits, MK_MAX_CPUS) :
				  in->cpu_count;
	u32 have, cpu, n = 0;
	char list[256];

	if (!free_cpus)
		return;
	/* Where @in could go if it gave its own CPUs up. */
	mk_free_cpus(ctx->st, in, free_cpus);
	bitmap_andnot(free_cpus->bits, free_cpus->bits, cl->cpus.bits, MK_MAX_CPUS);
	have = bitmap_weight(free_cpus->bits, MK_MAX_CPUS);
	mk_bits_format(list, sizeof(list), free_cpus->bits, MK_MAX_CPUS);

	if (have < want) {
		snprintf(s->alternative, sizeof(s->alternative),
			 "only %u CPU%s free (%s): ask for %u or fewer, or free some",
			 have, have == 1 ? " is" : "s are", list, have);
		free(free_cpus);
		return;
	}
	snprintf(s->property, sizeof(s->property), "cpus");
	kerf_cells(s->value, sizeof(s->value), free_cpus->bits, MK_MAX_CPUS, want);
	snprintf(s->alternative, sizeof(s->alternative),
		 "cpu-count = <%u>; instead of cpus, and the kernel chooses (free: %s)",
		 want, list);
	/* Claim the first @want free CPUs for the next suggestions. */
	for_each_set_bit(cpu, free_cpus->bits, MK_MAX_CPUS) {
		if (n++ == want)
			break;
		__set_bit(cpu, cl->cpus.bits);
	}
	free(free_cpus);
}

static void kerf_suggest_memory(struct kerf_context *ctx, struct mk_instance *in,
				struct kerf_suggestion *s)
{
	struct mk_span spans[64];
	int i, n;

	/* Where the memory could go if this instance gave its range up. */
	in->has_mem_base = false;
	n = mk_free_memory(ctx->st, spans, 64);
	for (i = 0; i < n && i < 64; i++) {
		if (spans[i].end - spans[i].start < in->mem_bytes)
			continue;
		in->mem_base = spans[i].start;
		in->has_mem_base = true;	/* later suggestions avoid it */
		snprintf(s->property, sizeof(s->property), "memory-base");
		snprintf(s->value, sizeof(s->value), "/bits/ 64 <%#llx>",
			 spans[i].start);
		snprintf(s->alternative, sizeof(s->alternative),
			 "leave memory-base out, and the kernel places it");
		return;
	}
	snprintf(s->alternative, sizeof(s->alternative),
		 "no free range of %#llx bytes: ask for less memory", in->mem_bytes);
}

static bool kerf_part_used(const struct mk_state *st, const struct mk_instance *in,
			   u32 dev, s32 part)
{
	u32 i, j;

	for (i = 0; i < st->ninstances; i++) {
		const struct mk_instance *o = &st->instances[i];

		for (j = 0; o != in && j < o->ndevs; j++)
			if (o->devs[j].dev == dev &&
			    (o->devs[j].part == part || o->devs[j].part < 0))
				return true;
	}
	return false;
}

static void kerf_suggest_device(struct kerf_context *ctx, struct mk_instance *in,
				struct kerf_suggestion *s)
{
	const struct mk_pool *p = &ctx->st->pool;
	char old[16];
	u32 i, id;

	for (i = 0; i < in->ndevs; i++) {
		struct mk_devref *ref = &in->devs[i];
		const struct mk_device *d = &p->devices[ref->dev];
		const char *prop = d->part_kind == MK_PARTS_NAMESPACE ?
				   "namespace-id" : "vf-id";

		if (ref->part < 0)
			continue;
		if (test_bit(ref->part, d->available.bits) &&
		    !test_bit(ref->part, d->reserved.bits) &&
		    !kerf_part_used(ctx->st, in, ref->dev, ref->part))
			continue;
		for_each_set_bit(id, d->available.bits, MK_MAX_PARTS + 1) {
			if (test_bit(id, d->reserved.bits) ||
			    kerf_part_used(ctx->st, in, ref->dev, id))
				continue;
			snprintf(old, sizeof(old), "<%d>", ref->part);
			snprintf(s->property, sizeof(s->property), "%s", prop);
			snprintf(s->value, sizeof(s->value), "<%u>", id);
			snprintf(s->alternative, sizeof(s->alternative),
				 "%s %u of %s is free", prop, id,
				 d->label ? d->label : d->name);
			kerf_locate(ctx, in->name, prop, old, s);
			ref->part = id;		/* later suggestions avoid it */
			return;
		}
		snprintf(s->alternative, sizeof(s->alternative),
			 "%s has no free VF or namespace left", d->label ? d->label : d->name);
		return;
	}
}

/* Work out one suggestion for @f, at most one per instance and resource. */
static void kerf_suggest(struct kerf_context *ctx, struct kerf_claims *cl,
			 const struct kerf_finding *f, struct mk_instance *in,
			 struct kerf_suggestion *s)
{
	enum mk_rule_res res;
	u32 idx;

	memset(s, 0, sizeof(*s));
	if (!in) {
		kerf_locate_pool(ctx, f, s);
		return;
	}
	idx = in - ctx->st->instances;
	kerf_locate(ctx, in->name, NULL, NULL, s);
	/* Only a rule with a property to change gets a suggestion. */
	if (!f->error || !f->info || !f->info->props)
		return;
	res = f->info->res;
	if (res == MK_RES_CPUS && !(cl->fixed[idx] & KERF_FIXED_CPUS)) {
		kerf_suggest_cpus(ctx, cl, in, s);
		kerf_locate(ctx, in->name, in->has_cpus ? "cpus" : "cpu-count", NULL, s);
		cl->fixed[idx] |= KERF_FIXED_CPUS;
	} else if (res == MK_RES_MEMORY && !(cl->fixed[idx] & KERF_FIXED_MEMORY)) {
		kerf_suggest_memory(ctx, in, s);
		kerf_locate(ctx, in->name, f->info->props[0], NULL, s);
		cl->fixed[idx] |= KERF_FIXED_MEMORY;
	} else if (res == MK_RES_DEVICE) {
		kerf_suggest_device(ctx, in, s);
	}
}

/*
 * What @in has of the resource @f is about, as "CPUs 4-7" or "memory
 * BASE+SIZE"; empty if the rule is about something else. @in is the
 * instance as the input has it, before any suggestion moved it.
 */
static void kerf_describe(const struct kerf_finding *f,
			  const struct mk_instance *in, char *buf, size_t size)
{
	buf[0] = '\0';
	if (!in || !f->info)
		return;
	if (f->info->res == MK_RES_CPUS && in->has_cpus) {
		int n = snprintf(buf, size, "CPUs ");

		mk_bits_format(buf + n, size - n, in->cpus.bits, MK_MAX_CPUS);
	} else if (f->info->res == MK_RES_MEMORY) {
		snprintf(buf, size, "memory %#llx+%#llx", in->mem_base,
			 in->mem_bytes);
	}
}

static void kerf_print_text(const struct kerf_finding *f,
			    const struct kerf_suggestion *s,
			    const struct mk_instance *subject,
			    const char *configured, const char *moved,
			    struct kerf_context *ctx)
{
	const struct mk_instance *other = NULL;
	char buf[256];
	int i;

	for (i = 0; subject && i < f->nnames; i++)
		if (strcmp(f->names[i], subject->name))
			other = kerf_instance(ctx->st, f->names[i]);
	/* Describe the other as the input has it, too. */
	if (other)
		other = &ctx->orig[other - ctx->st->instances];
	/* A finding about no instance already says what it is about. */
	if (subject)
		fprintf(stderr, "%s: %s: %s [%s]\n", f->error ? "ERROR" : "WARNING",
			subject->name, f->detail, f->rule);
	else
		fprintf(stderr, "%s: %s [%s]\n", f->error ? "ERROR" : "WARNING",
			f->detail, f->rule);
	if (configured[0])
		fprintf(stderr, "  Configured: %s\n", configured);
	if (moved[0])
		fprintf(stderr, "  After the suggestion above: %s\n", moved);
	if (other) {
		kerf_describe(f, other, buf, sizeof(buf));
		fprintf(stderr, "  Conflicts with: %s%s%s%s\n", other->name,
			buf[0] ? " (" : "", buf, buf[0] ? ")" : "");
	}
	if (s->property[0])
		fprintf(stderr, "  Suggestion: %s = %s;\n", s->property, s->value);
	if (s->alternative[0])
		fprintf(stderr, "  Alternative: %s\n", s->alternative);
	if (s->file)
		fprintf(stderr, "  In file %s: Line %d\n", s->file, s->line);
}

static void kerf_emit_finding(const struct kerf_finding *f,
			      const struct kerf_suggestion *s)
{
	int i;

	kerf_emit_object(NULL);
	kerf_emit_str("severity", f->error ? "error" : "warning");
	kerf_emit_str("rule", f->rule);
	kerf_emit_array("instances");
	for (i = 0; i < f->nnames; i++)
		kerf_emit_str(NULL, f->names[i]);
	kerf_emit_close();
	kerf_emit_str("message", f->detail);
	if (s->property[0]) {
		kerf_emit_object("suggestion");
		kerf_emit_str("property", s->property);
		kerf_emit_str("value", s->value);
		kerf_emit_close();
	}
	if (s->alternative[0])
		kerf_emit_str("alternative", s->alternative);
	if (s->file) {
		kerf_emit_str("file", s->file);
		kerf_emit_uint("line", s->line);
	}
	kerf_emit_close();
}

/**
 * kerf_explain - print the findings of a report, explained
 * @rep: the report
 * @ctx: the state they are about, and the sources to point into
 *
 * Text goes to stderr, as messages do; JSON or YAML is data and goes to
 * stdout, as the "findings" array of a document the caller began.
 */
/* One finding: what it is about as the input has it, and as suggested. */
static void kerf_explain_one(struct kerf_context *ctx, struct kerf_claims *cl,
			     struct kerf_finding *f)
{
	char configured[256] = "", now[256] = "";
	struct kerf_suggestion s;
	struct mk_instance *in;

	in = ctx->st ? kerf_subject(ctx, f) : NULL;
	if (in) {
		kerf_describe(f, &ctx->orig[in - ctx->st->instances], configured,
			      sizeof(configured));
		/* An earlier suggestion may have moved it in our copy. */
		kerf_describe(f, in, now, sizeof(now));
		if (!strcmp(now, configured))
			now[0] = '\0';
	}
	kerf_suggest(ctx, cl, f, in, &s);
	if (kerf_structured())
		kerf_emit_finding(f, &s);
	else
		kerf_print_text(f, &s, in, configured, now, ctx);
}

void kerf_explain(const struct mk_report *rep, struct kerf_context *ctx)
{
	struct kerf_claims *cl = calloc(1, sizeof(*cl));
	char *text = strdup(rep->buf ? rep->buf : ""), *line, *save;
	u32 n = ctx->st ? ctx->st->ninstances : 0;
	struct mk_instance *orig = calloc(n ? n : 1, sizeof(*orig));
	struct kerf_finding f;

	if (!cl || !text || !orig) {
		kerf_err("out of memory");
		goto out;
	}
	/* The instances as the input has them; suggestions move the others. */
	if (n)
		memcpy(orig, ctx->st->instances, n * sizeof(*orig));
	ctx->orig = orig;
	if (kerf_structured())
		kerf_emit_array("findings");
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		if (kerf_parse_finding(ctx->st, line, &f))
			kerf_explain_one(ctx, cl, &f);
	if (kerf_structured()) {
		kerf_emit_close();
		kerf_emit_uint("findings_not_shown", rep->dropped);
	} else if (rep->dropped) {
		fprintf(stderr, "... %u more findings not shown\n", rep->dropped);
	}
	ctx->orig = NULL;
out:
	free(orig);
	free(text);
	free(cl);
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

/**
 * kerf_refused - say that a change was refused, and explain why
 * @subject: what was refused: a file, an instance or a transaction
 * @offline: refused by kerf's own check, not by the kernel
 * @err: the errno it was refused with
 * @text: the findings, one per line; may be NULL
 * @blob: the tree the findings are about (@size bytes), or NULL
 * @size: its size
 * @src: the source to find line numbers in, or NULL
 * @fresh: the instances the change added, \n-separated, or NULL
 *
 * Text goes to stderr; JSON or YAML is one document on stdout.
 */
void kerf_refused(const char *subject, bool offline, int err, char *text,
		  const void *blob, size_t size, struct kerf_blob *src,
		  const char *fresh)
{
	if (kerf_structured()) {
		kerf_emit_begin();
		kerf_emit_str("result", "refused");
		kerf_emit_str("subject", subject);
		kerf_emit_str("by", offline ? "offline" : "kernel");
		kerf_emit_str("errno", kerf_errno_name(err));
	}
	kerf_explain_text(text, blob, size, src, fresh);
	if (kerf_structured())
		kerf_emit_close();
	else
		fprintf(stderr, "%s: refused %s (%s)\n", subject,
			offline ? "offline" : "by the kernel", kerf_errno_name(err));
}

/**
 * kerf_accepted - say that something succeeded
 * @fmt: what, as printf() takes it; one line, no newline
 *
 * Text goes to stdout; JSON or YAML is {result: ok, message: ...}.
 */
void kerf_accepted(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!kerf_structured()) {
		printf("%s\n", msg);
		return;
	}
	kerf_emit_begin();
	kerf_emit_str("result", "ok");
	kerf_emit_str("message", msg);
	kerf_emit_close();
}
