// SPDX-License-Identifier: GPL-2.0
/*
 * Structured output, as JSON or as YAML, from one sequence of calls.
 *
 * JSON is written on one line. YAML is written in block style; a container
 * is only opened on paper when its first member comes, so that an empty
 * one can still be written as [] or {}.
 */

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "kerf.h"

#define KERF_EMIT_DEPTH	8

struct kerf_frame {
	bool array;
	int members;
	int indent;		/* YAML: where this container's lines start */
	bool dash;		/* YAML: an object in an array; "- " comes first */
	char header[80];	/* YAML: "key:" still to be written, or empty */
};

static struct kerf_frame kerf_stack[KERF_EMIT_DEPTH];
static int kerf_depth;
static bool kerf_begun;		/* a document was started */

static void kerf_quoted(const char *v)
{
	putchar('"');
	for (; v && *v; v++) {
		if (*v == '"' || *v == '\\')
			printf("\\%c", *v);
		else if ((unsigned char)*v < 0x20)
			printf("\\u%04x", *v);
		else
			putchar(*v);
	}
	putchar('"');
}

static void kerf_flush(struct kerf_frame *f)
{
	if (f->header[0]) {
		printf("%s\n", f->header);
		f->header[0] = '\0';
	}
}

/* YAML: the start of a line for a new member of @f. */
static void kerf_prefix(const struct kerf_frame *f, char *buf, size_t size)
{
	if (f->array || (f->dash && !f->members))
		snprintf(buf, size, "%*s- ", f->array ? f->indent : f->indent - 2, "");
	else
		snprintf(buf, size, "%*s", f->indent, "");
}

/* Write what must precede a new member of the innermost container. */
static void kerf_member(const char *key)
{
	struct kerf_frame *f = &kerf_stack[kerf_depth - 1];
	char prefix[KERF_EMIT_DEPTH * 2 + 4];

	if (kerf_format == KERF_JSON) {
		if (f->members)
			fputs(", ", stdout);
	} else {
		kerf_flush(f);
		kerf_prefix(f, prefix, sizeof(prefix));
		fputs(prefix, stdout);
	}
	if (key)
		printf(kerf_format == KERF_JSON ? "\"%s\": " : "%s: ", key);
	f->members++;
}

static void kerf_open(const char *key, bool array)
{
	struct kerf_frame *parent = &kerf_stack[kerf_depth - 1];
	struct kerf_frame *f = &kerf_stack[kerf_depth];
	char prefix[KERF_EMIT_DEPTH * 2 + 4];

	assert(kerf_depth < KERF_EMIT_DEPTH);
	memset(f, 0, sizeof(*f));
	f->array = array;
	f->indent = parent->indent + 2;
	if (kerf_format == KERF_JSON) {
		kerf_member(key);
		putchar(array ? '[' : '{');
	} else {
		/* "key:" waits for the first member; a keyless object's first
		 * key carries the "- " of its array.
		 */
		kerf_flush(parent);
		kerf_prefix(parent, prefix, sizeof(prefix));
		if (key)
			snprintf(f->header, sizeof(f->header), "%s%s:", prefix, key);
		f->dash = !key;
		parent->members++;
	}
	kerf_depth++;
}

/**
 * kerf_emit_begin - start the document: a top-level object
 *
 * Only for --format=json or yaml; text output is written directly.
 */
void kerf_emit_begin(void)
{
	memset(kerf_stack, 0, sizeof(kerf_stack));
	kerf_depth = 1;
	kerf_begun = true;
	if (kerf_format == KERF_JSON)
		putchar('{');
}

void kerf_emit_object(const char *key)
{
	kerf_open(key, false);
}

void kerf_emit_array(const char *key)
{
	kerf_open(key, true);
}

/* Close the innermost container, or, at the top, the document. */
void kerf_emit_close(void)
{
	struct kerf_frame *f;

	assert(kerf_depth > 0);
	f = &kerf_stack[--kerf_depth];
	if (kerf_format == KERF_JSON) {
		putchar(f->array ? ']' : '}');
		if (!kerf_depth)
			putchar('\n');
		return;
	}
	if (f->members)
		return;
	if (f->header[0])
		printf("%s %s\n", f->header, f->array ? "[]" : "{}");
	else if (f->dash)
		printf("%*s- {}\n", f->indent - 2, "");
	else if (!kerf_depth)
		printf("{}\n");
}

void kerf_emit_str(const char *key, const char *v)
{
	kerf_member(key);
	kerf_quoted(v);
	if (kerf_format != KERF_JSON)
		putchar('\n');
}

void kerf_emit_uint(const char *key, unsigned long long v)
{
	kerf_member(key);
	printf(kerf_format == KERF_JSON ? "%llu" : "%llu\n", v);
}

void kerf_emit_bool(const char *key, bool v)
{
	kerf_member(key);
	printf(kerf_format == KERF_JSON ? "%s" : "%s\n", v ? "true" : "false");
}

/**
 * kerf_emit_failure - the document of a command that failed without one
 * @code: the exit code it failed with
 *
 * With --format, a command that stops before it has a result (a usage
 * error, a file it cannot read, no multikernel filesystem) still writes
 * one object on stdout: {result: error, exit, error}. The message is the
 * first that kerf_err() said. Nothing is written after a success, in text
 * mode, or when the command wrote its own document.
 */
void kerf_emit_failure(int code)
{
	if (!code || !kerf_structured() || kerf_begun)
		return;
	kerf_emit_begin();
	kerf_emit_str("result", "error");
	kerf_emit_uint("exit", code);
	kerf_emit_str("error", kerf_first_error());
	kerf_emit_close();
}
