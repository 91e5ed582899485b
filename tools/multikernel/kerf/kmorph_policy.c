// SPDX-License-Identifier: GPL-2.0
/*
 * kmorphctl policy show|set|export|import: an instance's heartbeat,
 * failure and restart policy, which the kernel keeps and checks in
 * instances/NAME/policy. The tool only translates the runtime's names.
 */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kerf.h"
#include "kmorph.h"

/* The runtime's names for the kernel's keys. */
static const char *policy_translate(const char *pair, char *buf, size_t size)
{
	const char *val = strchr(pair, '=');

	if (!val)
		return pair;
	val++;
	if (!strncmp(pair, "heartbeat-timeout=", 18)) {
		snprintf(buf, size, "heartbeat_timeout_ms=%s", val);
		return buf;
	}
	if (!strncmp(pair, "auto-heal=", 10)) {
		snprintf(buf, size, "on_failure=%s",
			 !strcmp(val, "on") || !strcmp(val, "1") ||
			 !strcmp(val, "yes") ? "restart" : "reclaim");
		return buf;
	}
	return pair;
}

/**
 * kmorph_policy_write - set pairs of an instance's policy
 * @name: the instance
 * @pairs: "key=value ..." in the kernel's or the runtime's names
 *
 * heartbeat-timeout, the runtime's name, also sets the interval to a
 * quarter of it, at most a second, unless the interval is given: the
 * kernel wants it at most half the timeout.
 *
 * Return: 0, or a negative errno after saying why.
 */
int kmorph_policy_write(const char *name, const char *pairs)
{
	char rel[64 + MK_NAME_MAX], out[1024] = "", one[128], *copy, *tok,
	     *save, *result;
	long timeout;
	int err;

	copy = strdup(pairs);
	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, " \t\n", &save); tok;
	     tok = strtok_r(NULL, " \t\n", &save)) {
		bool alias = !strncmp(tok, "heartbeat-timeout=", 18);

		tok = (char *)policy_translate(tok, one, sizeof(one));
		strncat(out, tok, sizeof(out) - strlen(out) - 2);
		strcat(out, " ");
		if (alias && !strstr(pairs, "heartbeat_interval_ms")) {
			timeout = strtol(tok + 21, NULL, 10) / 4;
			snprintf(one, sizeof(one), "heartbeat_interval_ms=%ld ",
				 timeout > 1000 ? 1000 : timeout < 10 ? 10 : timeout);
			strncat(out, one, sizeof(out) - strlen(out) - 1);
		}
	}
	free(copy);
	snprintf(rel, sizeof(rel), "instances/%s/policy", name);
	err = kerf_write(rel, out, strlen(out), &result);
	if (err == -ENOENT && result && !*result)
		kerf_err("no instance '%s'", name);
	else if (err)
		kerf_err("%s: policy refused: %.*s", name,
			 result && *result ? (int)strcspn(result, "\n") : 64,
			 result && *result ? result : strerror(-err));
	free(result);
	return err;
}

static int policy_name(int argc, char **argv, const char **name)
{
	static const struct option opts[] = { { NULL, 0, NULL, 0 } };
	const char *v[1];

	return kmorph_args(argc, argv, opts, v, name, KMORPH_NAME);
}

int do_kpolicy_show(int argc, char **argv)
{
	const char *name;
	char *p;
	int err = policy_name(argc, argv, &name);

	if (err)
		return err;
	p = kmorph_file(name, "policy");
	if (!p || !*p) {
		kerf_err(p ? "nothing is loaded into '%s'" : "no instance '%s'",
			 name);
		free(p);
		return KERF_INVALID;
	}
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

int do_kpolicy_set(int argc, char **argv)
{
	char pairs[1024] = "";
	int i;

	if (argc < 3)
		return kerf_usage("want NAME and KEY=VALUE pairs");
	for (i = 2; i < argc; i++) {
		if (!strchr(argv[i], '='))
			return kerf_usage("'%s' is no KEY=VALUE", argv[i]);
		strncat(pairs, argv[i], sizeof(pairs) - strlen(pairs) - 2);
		strcat(pairs, " ");
	}
	if (kerf_mount())
		return KERF_INVALID;
	if (kmorph_policy_write(argv[1], pairs))
		return KERF_INVALID;
	kerf_accepted("%s: policy set", argv[1]);
	return KERF_OK;
}

int do_kpolicy_export(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	const char *v[1], *name;
	FILE *out = stdout;
	char *p;
	int err;

	err = kmorph_args(argc, argv, opts, v, &name, KMORPH_NAME);
	if (err)
		return err;
	p = kmorph_file(name, "policy");
	if (!p || !*p) {
		kerf_err("no policy for '%s': no such instance, or nothing loaded",
			 name);
		free(p);
		return KERF_INVALID;
	}
	if (v[0])
		out = fopen(v[0], "w");
	if (!out) {
		kerf_err("%s: %s", v[0], strerror(errno));
		free(p);
		return KERF_FILE;
	}
	fprintf(out, "# kmorphctl policy of %s\n%s", name, p);
	if (out != stdout)
		fclose(out);
	free(p);
	return KERF_OK;
}

int do_kpolicy_import(int argc, char **argv)
{
	char line[256], pairs[1024] = "", *sp;
	FILE *in;

	if (argc != 3)
		return kerf_usage("want NAME and FILE");
	in = fopen(argv[2], "r");
	if (!in) {
		kerf_err("%s: %s", argv[2], strerror(errno));
		return KERF_FILE;
	}
	while (fgets(line, sizeof(line), in)) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || !line[0])
			continue;
		sp = strchr(line, ' ');
		if (sp)
			*sp = '=';
		strncat(pairs, line, sizeof(pairs) - strlen(pairs) - 2);
		strcat(pairs, " ");
	}
	fclose(in);
	if (kerf_mount())
		return KERF_INVALID;
	if (kmorph_policy_write(argv[1], pairs))
		return KERF_INVALID;
	kerf_accepted("%s: policy imported from %s", argv[1], argv[2]);
	return KERF_OK;
}
