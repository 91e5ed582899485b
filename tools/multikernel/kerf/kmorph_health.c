// SPDX-License-Identifier: GPL-2.0
/*
 * kmorphctl heartbeat, health, ping and recover: what the kernel's
 * heartbeat found, and a recovery asked for now.
 */

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kerf.h"
#include "kmorph.h"

/* The instance's health file, or NULL after saying why. */
static char *health_of(const char *name)
{
	char *h = kmorph_file(name, "health");

	if (!h)
		kerf_err("no instance '%s'", name);
	else if (!*h)
		kerf_err("nothing is loaded into '%s'", name);
	if (h && !*h) {
		free(h);
		h = NULL;
	}
	return h;
}

/* Print the given keys of @text, as lines or as one object. */
static void show_keys(const char *name, const char *text,
		      const char * const *keys)
{
	char v[192];

	if (kerf_structured()) {
		kerf_emit_begin();
		kerf_emit_str("name", name);
	}
	for (; *keys; keys++) {
		if (!kmorph_kv(text, *keys, v, sizeof(v)))
			continue;
		if (kerf_structured()) {
			char line[256];

			snprintf(line, sizeof(line), "%s %s", *keys, v);
			kmorph_emit_kv(line);
		} else {
			printf("%-16s %s\n", *keys, v);
		}
	}
	if (kerf_structured())
		kerf_emit_close();
}

int do_heartbeat(int argc, char **argv)
{
	static const struct option opts[] = { { NULL, 0, NULL, 0 } };
	static const char * const keys[] = {
		"last_beat_ms", "beats_sent", "beats_answered", "beats_missed",
		"missed_in_row", "rtt_us", "heartbeat_interval_ms",
		"heartbeat_timeout_ms", "missed_max", NULL,
	};
	char *h, *p, *both;
	const char *v[1], *name;
	int err;

	err = kmorph_args(argc, argv, opts, v, &name, KMORPH_NAME);
	if (err)
		return err;
	h = health_of(name);
	if (!h)
		return KERF_INVALID;
	p = kmorph_file(name, "policy");
	if (asprintf(&both, "%s%s", h, p ? p : "") < 0)
		both = NULL;
	if (both)
		show_keys(name, both, keys);
	free(both);
	free(h);
	free(p);
	return both ? KERF_OK : KERF_INVALID;
}

int do_health(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "metrics", required_argument, NULL, 1 },
		{ NULL, 0, NULL, 0 },
	};
	static const char * const cpu[] = { "cpu_permille", "nr_cpus", NULL };
	static const char * const mem[] = { "mem_total_kb", "mem_free_kb", NULL };
	static const char * const all[] = {
		"recovery", "uptime_ms", "cpu_permille", "nr_cpus",
		"mem_total_kb", "mem_free_kb", "work_delay_us", "rtt_us",
		"failures", "restarts", NULL,
	};
	const char *keys[8], *v[1], *name, *m;
	char *h, *tok, *list;
	int err, k = 0, i;

	err = kmorph_args(argc, argv, opts, v, &name, KMORPH_NAME);
	if (err)
		return err;
	m = v[0];
	list = strdup(m ? m : "");
	for (tok = strtok(list, ","); tok && k < 6; tok = strtok(NULL, ",")) {
		if (strcmp(tok, "cpu") && strcmp(tok, "memory") && strcmp(tok, "io")) {
			free(list);
			return kerf_usage("--metrics is a list of cpu, memory and io");
		}
		for (i = 0; !strcmp(tok, "cpu") && cpu[i]; i++)
			keys[k++] = cpu[i];
		for (i = 0; !strcmp(tok, "memory") && mem[i]; i++)
			keys[k++] = mem[i];
	}
	free(list);
	keys[k] = NULL;
	h = health_of(name);
	if (!h)
		return KERF_INVALID;
	if (!strstr(h, "uptime_ms "))
		kerf_err("%s has not answered a heartbeat since it started", name);
	show_keys(name, h, m ? keys : all);
	if (m && strstr(m, "io") && !kerf_structured())
		printf("io: no figures: instances do no I/O of their own yet\n");
	free(h);
	return KERF_OK;
}

/* Wait for the count of answered beats to pass @seen; false on timeout. */
static bool ping_wait(const char *name, long long seen, long timeout_ms,
		      long long *now, long long *rtt)
{
	char *h;

	for (; timeout_ms > 0; timeout_ms -= 20) {
		h = kmorph_file(name, "health");
		*now = kmorph_kv_num(h, "beats_answered");
		*rtt = kmorph_kv_num(h, "rtt_us");
		free(h);
		if (*now > seen)
			return true;
		poll(NULL, 0, 20);
	}
	return false;
}

int do_ping(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	long long seen, now, rtt, interval, timeout;
	const char *v[1], *name;
	char *h, *p;
	long i, count = 3;
	int err, lost = 0;

	err = kmorph_args(argc, argv, opts, v, &name, KMORPH_NAME);
	if (err)
		return err;
	if (v[0])
		count = strtol(v[0], NULL, 10);
	h = health_of(name);
	p = kmorph_file(name, "policy");
	if (!h)
		return KERF_INVALID;
	seen = kmorph_kv_num(h, "beats_answered");
	interval = kmorph_kv_num(p, "heartbeat_interval_ms");
	timeout = kmorph_kv_num(p, "heartbeat_timeout_ms");
	free(h);
	free(p);
	for (i = 0; i < count; i++) {
		if (!ping_wait(name, seen, timeout > 0 ? timeout : 2 * interval + 1000,
			       &now, &rtt)) {
			printf("%s: no answer within %lld ms\n", name, timeout);
			lost++;
			break;
		}
		printf("%s: heartbeat %lld answered, round trip %lld us\n", name,
		       now, rtt);
		seen = now;
	}
	return lost ? KERF_INVALID : KERF_OK;
}

int do_recover(int argc, char **argv)
{
	static const struct option opts[] = { { NULL, 0, NULL, 0 } };
	char rel[64 + MK_NAME_MAX], *result;
	const char *v[1], *name;
	int err;

	err = kmorph_args(argc, argv, opts, v, &name, KMORPH_NAME);
	if (err)
		return err;
	snprintf(rel, sizeof(rel), "instances/%s/recover", name);
	err = kerf_write(rel, "1", 1, &result);
	free(result);
	if (err == -ESRCH)
		kerf_err("%s does not run", name);
	else if (err == -EBUSY)
		kerf_err("%s is being recovered already", name);
	else if (err)
		kerf_err("cannot recover %s: %s", name, strerror(-err));
	else
		kerf_accepted("%s: recovering; see 'kmorphctl recovery-log --instance=%s'",
			      name, name);
	return err ? KERF_INVALID : KERF_OK;
}
