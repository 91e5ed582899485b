// SPDX-License-Identifier: GPL-2.0
/*
 * kmorphctl policy show|set|export|import: the instances' heartbeat,
 * failure and restart policy, which the kernel keeps and checks in
 * instances/NAME/policy. The tool only translates the runtime's names
 * and units (heartbeat-timeout in seconds, auto-heal enabled|disabled)
 * into the kernel's, and reads and writes the files of kmorph_ini.c.
 */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kerf.h"
#include "kmorph.h"

#define POLICY_PAIRS	1024

/**
 * kmorph_policy_pair - one pair in the kernel's names and units
 * @key: the runtime's name (heartbeat-timeout, auto-heal) or the kernel's
 * @val: its value
 * @out: set to "key=value" as the kernel takes it
 * @size: of @out
 *
 * Return: 0, or -EINVAL for a value the runtime's name does not take,
 * after saying why. The kernel checks its own names.
 */
int kmorph_policy_pair(const char *key, const char *val, char *out,
		       size_t size)
{
	static const char * const on[] = { "enabled", "on", "yes", "1" };
	static const char * const off[] = { "disabled", "off", "no", "0" };
	long ms;
	int i;

	if (!strcmp(key, "heartbeat-timeout")) {
		if (kmorph_duration_ms(val, &ms)) {
			kerf_err("heartbeat-timeout: '%s' is no duration: seconds, or a number with s or ms",
				 val);
			return -EINVAL;
		}
		snprintf(out, size, "heartbeat_timeout_ms=%ld", ms);
		return 0;
	}
	if (strcmp(key, "auto-heal")) {
		snprintf(out, size, "%s=%s", key, val);
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(on); i++) {
		if (!strcmp(val, on[i]) || !strcmp(val, off[i])) {
			snprintf(out, size, "on_failure=%s",
				 !strcmp(val, on[i]) ? "restart" : "reclaim");
			return 0;
		}
	}
	kerf_err("auto-heal: '%s' is neither enabled nor disabled", val);
	return -EINVAL;
}

/* The kernel wants the interval at most half the timeout: a quarter. */
static void policy_interval(char *out, size_t size, const char *pair)
{
	long ms = strtol(pair + strlen("heartbeat_timeout_ms="), NULL, 10) / 4;
	size_t n = strlen(out);

	snprintf(out + n, size - n, "heartbeat_interval_ms=%ld ",
		 ms > 1000 ? 1000 : ms < 10 ? 10 : ms);
}

/* @pairs, "key=value ..." in either names, in the kernel's alone. */
static int policy_translate(const char *pairs, char *out, size_t size)
{
	bool interval = strstr(pairs, "heartbeat_interval_ms");
	char *copy, *tok, *save, *eq, one[256];
	int err = 0;

	out[0] = '\0';
	copy = strdup(pairs);
	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, " \t\n", &save); tok && !err;
	     tok = strtok_r(NULL, " \t\n", &save)) {
		eq = strchr(tok, '=');
		if (!eq) {
			kerf_err("'%s' is no KEY=VALUE", tok);
			err = -EINVAL;
			break;
		}
		*eq = '\0';
		err = kmorph_policy_pair(tok, eq + 1, one, sizeof(one));
		if (err)
			break;
		if (strlen(out) + strlen(one) + 2 > size) {
			kerf_err("the policy is longer than %zu bytes", size);
			err = -E2BIG;
			break;
		}
		strcat(out, one);
		strcat(out, " ");
		if (!interval && !strncmp(one, "heartbeat_timeout_ms=", 21))
			policy_interval(out, size, one);
	}
	free(copy);
	return err;
}

/* Write the kernel's pairs; say why the kernel refused them. */
static int policy_write_raw(const char *name, const char *pairs)
{
	char rel[64 + MK_NAME_MAX], *result;
	int err;

	snprintf(rel, sizeof(rel), "instances/%s/policy", name);
	err = kerf_write(rel, pairs, strlen(pairs), &result);
	if (err == -ENOENT && result && !*result)
		kerf_err("no instance '%s'", name);
	else if (err)
		kerf_err("%s: policy refused: %.*s", name,
			 result && *result ? (int)strcspn(result, "\n") : 64,
			 result && *result ? result : strerror(-err));
	free(result);
	return err;
}

/**
 * kmorph_policy_write - set pairs of an instance's policy
 * @name: the instance
 * @pairs: "key=value ..." in the kernel's or the runtime's names
 *
 * heartbeat-timeout, the runtime's name, also sets the interval to a
 * quarter of it, at most a second, unless the interval is given: the
 * kernel wants it at most half the timeout. All or nothing: the kernel
 * refuses the whole write for one wrong pair.
 *
 * Return: 0, or a negative errno after saying why.
 */
int kmorph_policy_write(const char *name, const char *pairs)
{
	char out[POLICY_PAIRS];
	int err;

	err = policy_translate(pairs, out, sizeof(out));
	return err ? err : policy_write_raw(name, out);
}

/* The policy file's "key value" lines as "key=value ..." to write back. */
static char *policy_as_pairs(const char *text)
{
	char *pairs = strdup(text ? text : ""), *p;

	for (p = pairs; p && *p; p++) {
		if (*p == '\n')
			*p = ' ';
		else if (*p == ' ' && (p == pairs || p[-1] != ' '))
			*p = '=';
	}
	return pairs;
}

static char *policy_of(const char *name)
{
	char *p = kmorph_file(name, "policy");

	if (!p || !*p) {
		kerf_err(p ? "nothing is loaded into '%s'" : "no instance '%s'",
			 name);
		free(p);
		return NULL;
	}
	return p;
}

/* One instance's policy, as "[instance NAME]" and its lines, or JSON. */
static int policy_print(FILE *out, const char *name)
{
	char *p = policy_of(name);

	if (!p)
		return KERF_INVALID;
	if (kerf_structured() && out == stdout) {
		kerf_emit_object(NULL);
		kerf_emit_str("name", name);
		kmorph_emit_kv(p);
		kerf_emit_close();
	} else {
		fprintf(out, "[instance %s]\n%s\n", name, p);
	}
	free(p);
	return KERF_OK;
}

/* Every instance's policy; those with nothing loaded have none. */
static int policy_print_all(FILE *out)
{
	char **names, *p;
	int n, i, err = KERF_OK;

	names = kmorph_instances(&n);
	if (kerf_structured() && out == stdout) {
		kerf_emit_begin();
		kerf_emit_array("instances");
	}
	for (i = 0; i < n && !err; i++) {
		p = kmorph_file(names[i], "policy");
		if (p && *p)
			err = policy_print(out, names[i]);
		free(p);
	}
	if (kerf_structured() && out == stdout) {
		kerf_emit_close();
		kerf_emit_close();
	}
	kmorph_free_names(names, n);
	return err;
}

enum { PS_INSTANCE = 1 };

int do_kpolicy_show(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "instance", required_argument, NULL, PS_INSTANCE },
		{ NULL, 0, NULL, 0 },
	};
	const char *v[1], *name;
	char *p;
	int err;

	err = kmorph_args(argc, argv, opts, v, &name, KMORPH_NAME_MAY);
	if (err)
		return err;
	if (v[0] && name && strcmp(v[0], name))
		return kerf_usage("--instance=%s and %s: which one?", v[0], name);
	name = v[0] ? v[0] : name;
	if (!name)
		return policy_print_all(stdout);
	p = policy_of(name);
	if (!p)
		return KERF_INVALID;
	if (kerf_structured()) {
		kerf_emit_begin();
		kerf_emit_str("name", name);
		kmorph_emit_kv(p);
		kerf_emit_close();
	} else {
		fputs(p, stdout);
	}
	free(p);
	return KERF_OK;
}

/* A policy key, in the runtime's names or the kernel's. */
bool kmorph_policy_is_key(const char *word)
{
	static const char * const keys[] = {
		"heartbeat-timeout", "auto-heal", "heartbeat_interval_ms",
		"heartbeat_timeout_ms", "missed_max", "on_failure",
		"restart_max", "restart_window_s", "vmcore", NULL,
	};
	const char * const *k;

	for (k = keys; *k; k++)
		if (!strcmp(word, *k))
			return true;
	return false;
}

int do_kpolicy_set(int argc, char **argv)
{
	char pairs[POLICY_PAIRS] = "";
	const char *name = argv[1];
	int i;

	if (argc < 3)
		return kerf_usage("want NAME and KEY=VALUE pairs, or KEY NAME VALUE");
	if (argc == 4 && !strchr(argv[2], '=') && kmorph_policy_is_key(argv[1])) {
		/* The seed's "set heartbeat-timeout NAME SECONDS". */
		name = argv[2];
		snprintf(pairs, sizeof(pairs), "%s=%s", argv[1], argv[3]);
	} else {
		for (i = 2; i < argc; i++) {
			if (!strchr(argv[i], '='))
				return kerf_usage("'%s' is no KEY=VALUE", argv[i]);
			if (strlen(pairs) + strlen(argv[i]) + 2 > sizeof(pairs))
				return kerf_usage("the pairs pass %zu bytes",
						  sizeof(pairs));
			strcat(pairs, argv[i]);
			strcat(pairs, " ");
		}
	}
	if (kerf_mount())
		return KERF_INVALID;
	if (kmorph_policy_write(name, pairs))
		return KERF_INVALID;
	kerf_accepted("%s: policy set", name);
	return KERF_OK;
}

enum { PE_OUTPUT = 'o' };

int do_kpolicy_export(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, PE_OUTPUT },
		{ NULL, 0, NULL, 0 },
	};
	const char *v[1], *name;
	FILE *out = stdout;
	time_t now = time(NULL);
	char when[64];
	int err;

	err = kmorph_args(argc, argv, opts, v, &name, KMORPH_NAME_MAY);
	if (err)
		return err;
	if (v[0])
		out = fopen(v[0], "w");
	if (!out) {
		kerf_err("%s: %s", v[0], strerror(errno));
		return KERF_FILE;
	}
	strftime(when, sizeof(when), "%F %T %z", localtime(&now));
	fprintf(out, "# kmorphctl policy export, %s\n", when);
	if (kerf_structured() && out == stdout)
		kerf_err("export writes the import format; --json is ignored");
	err = name ? policy_print(out, name) : policy_print_all(out);
	if (out != stdout && fclose(out) && !err) {
		kerf_err("%s: %s", v[0], strerror(errno));
		err = KERF_FILE;
	}
	return err;
}

/* What an import sets: each instance's pairs, and the policy it had. */
struct policy_import {
	const char *only;	/* import NAME FILE: this instance alone */
	int n;
	struct {
		char name[MK_NAME_MAX + 1];
		char pairs[POLICY_PAIRS];
		char *old;
	} inst[64];
};

static int import_slot(struct policy_import *im, const char *name)
{
	int i;

	for (i = 0; i < im->n; i++)
		if (!strcmp(im->inst[i].name, name))
			return i;
	if (im->n == 64 || strlen(name) > MK_NAME_MAX)
		return -1;
	snprintf(im->inst[im->n].name, sizeof(im->inst[0].name), "%s", name);
	return im->n++;
}

static int import_pair(void *ctx, const struct kmorph_ini_at *at,
		       const char *key, const char *val)
{
	struct policy_import *im = ctx;
	const char *name = at->section[0] ? at->name : im->only;
	char one[256];
	size_t len;
	int i;

	if (at->section[0] && (strcmp(at->section, "instance") || !*name)) {
		kerf_err("%s:%d: a policy is in an [instance NAME] section",
			 at->path, at->line);
		return -EINVAL;
	}
	if (!name) {
		kerf_err("%s:%d: no [instance NAME] above this line; or give NAME",
			 at->path, at->line);
		return -EINVAL;
	}
	if (im->only && strcmp(name, im->only))
		return 0;
	i = import_slot(im, name);
	if (i < 0 || kmorph_policy_pair(key, val, one, sizeof(one))) {
		kerf_err("%s:%d: %s", at->path, at->line,
			 i < 0 ? "too many instances, or a name too long" :
			 "see above");
		return -EINVAL;
	}
	len = strlen(im->inst[i].pairs);
	if (snprintf(im->inst[i].pairs + len, sizeof(im->inst[i].pairs) - len,
		     "%s=%s ", key, val) >= (int)(sizeof(im->inst[i].pairs) - len)) {
		kerf_err("%s:%d: %s's policy is longer than %zu bytes", at->path,
			 at->line, name, sizeof(im->inst[i].pairs));
		return -EINVAL;
	}
	return 0;
}

/* Write each instance's pairs; on a refusal, put back what was set. */
static int import_apply(struct policy_import *im)
{
	int i, err = 0;

	for (i = 0; i < im->n && !err; i++) {
		im->inst[i].old = policy_of(im->inst[i].name);
		if (!im->inst[i].old)
			err = -ENOENT;
	}
	for (i = 0; i < im->n && !err; i++)
		err = kmorph_policy_write(im->inst[i].name, im->inst[i].pairs);
	while (err && --i >= 0) {
		char *old = policy_as_pairs(im->inst[i].old);

		if (!old || policy_write_raw(im->inst[i].name, old))
			kerf_err("%s: could not put the old policy back",
				 im->inst[i].name);
		free(old);
	}
	for (i = 0; i < im->n; i++)
		free(im->inst[i].old);
	return err;
}

int do_kpolicy_import(int argc, char **argv)
{
	struct policy_import *im;
	const char *file = argv[argc - 1];
	int err;

	if (argc != 2 && argc != 3)
		return kerf_usage("want FILE, or NAME and FILE");
	im = calloc(1, sizeof(*im));
	if (!im)
		return KERF_INVALID;
	im->only = argc == 3 ? argv[1] : NULL;
	err = kmorph_ini_read(file, import_pair, im);
	if (!err && !im->n)
		kerf_err("%s: no policy %s%s", file, im->only ? "for " : "",
			 im->only ? im->only : "in it");
	if (err || !im->n)
		err = err && err != -EINVAL ? KERF_FILE : KERF_INVALID;
	else if (kerf_mount() || import_apply(im))
		err = KERF_INVALID;
	else
		kerf_accepted("policy of %d instance%s imported from %s", im->n,
			      im->n == 1 ? "" : "s", file);
	free(im);
	return err;
}
