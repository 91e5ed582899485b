// SPDX-License-Identifier: GPL-2.0
/*
 * The one file format of the runtime: kmorph.conf and policy exports.
 * "# comment" and blank lines, "[section]" or "[section NAME]" headers,
 * and "key = value" or "key value" lines. A value runs to the end of its
 * line, a comment after it included, so that a kernel command line keeps
 * its "#".
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kerf.h"
#include "kmorph.h"

static char *ini_trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && strchr(" \t\r\n", end[-1]))
		*--end = '\0';
	return s;
}

/* "[instance web]": section "instance", name "web"; -EINVAL if unclosed. */
static int ini_section(char *line, struct kmorph_ini_at *at)
{
	char *close = strchr(line, ']'), *sp;

	if (!close || *ini_trim(close + 1))
		goto bad;
	*close = '\0';
	line = ini_trim(line + 1);
	sp = strpbrk(line, " \t");
	at->name[0] = '\0';
	if (sp) {
		*sp = '\0';
		snprintf(at->name, sizeof(at->name), "%s", ini_trim(sp + 1));
	}
	snprintf(at->section, sizeof(at->section), "%s", line);
	if (at->section[0])
		return 0;
bad:
	kerf_err("%s:%d: want [SECTION] or [SECTION NAME]", at->path, at->line);
	return -EINVAL;
}

/* One "key = value" or "key value" line. */
static int ini_pair(char *line, struct kmorph_ini_at *at,
		    int (*fn)(void *ctx, const struct kmorph_ini_at *at,
			      const char *key, const char *val),
		    void *ctx)
{
	size_t k = strcspn(line, " \t=");
	char *val = line + k;

	if (!k) {
		kerf_err("%s:%d: want KEY = VALUE", at->path, at->line);
		return -EINVAL;
	}
	val += strspn(val, " \t");
	if (*val == '=')
		val++;
	line[k] = '\0';
	return fn(ctx, at, line, ini_trim(val));
}

/**
 * kmorph_ini_read - call @fn for each key of a file, with its section
 * @path: the file
 * @fn: called with the section and line of each key; a nonzero return
 *	stops the read and is returned
 * @ctx: for @fn
 *
 * Return: 0; -errno if the file cannot be read, after saying why;
 * -EINVAL for a line that is no header nor pair, after saying where; or
 * what @fn returned.
 */
int kmorph_ini_read(const char *path,
		    int (*fn)(void *ctx, const struct kmorph_ini_at *at,
			      const char *key, const char *val),
		    void *ctx)
{
	struct kmorph_ini_at at = { .path = path };
	char buf[4096], *line;
	int err = 0;
	FILE *f;

	f = fopen(path, "r");
	if (!f) {
		err = -errno;
		kerf_err("%s: %s", path, strerror(errno));
		return err;
	}
	while (!err && fgets(buf, sizeof(buf), f)) {
		at.line++;
		if (!strchr(buf, '\n') && !feof(f)) {
			kerf_err("%s:%d: line longer than %zu bytes", path,
				 at.line, sizeof(buf) - 2);
			err = -EINVAL;
			break;
		}
		line = ini_trim(buf);
		if (!*line || *line == '#' || *line == ';')
			continue;
		if (*line == '[')
			err = ini_section(line, &at);
		else
			err = ini_pair(line, &at, fn, ctx);
	}
	fclose(f);
	return err;
}
