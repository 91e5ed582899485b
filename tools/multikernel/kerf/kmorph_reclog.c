// SPDX-License-Identifier: GPL-2.0
/*
 * kmorphctl recovery-log: what the kernel did about failures. The
 * kernel's log covers this boot; kmorphd's history on disk covers the
 * boots before it. --since takes a time as journalctl does.
 */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kerf.h"
#include "kmorph.h"

struct reclog_filter {
	const char *inst;	/* --instance, or NULL */
	double since_wall;	/* --since as wall-clock time, or 0 */
	double since_boot;	/* --since as seconds since this boot, or 0 */
	double boot_wall;	/* when this boot started */
	char boot[40];		/* this boot's id */
	char shown[40];		/* the earlier boot whose header was printed */
};

static void reclog_emit(const char *t, double wall, const char *inst,
			const char *step, const char *text)
{
	time_t secs = (time_t)wall;
	char when[40];

	strftime(when, sizeof(when), "%FT%T%z", localtime(&secs));
	kerf_emit_object(NULL);
	kerf_emit_str("time", t);
	kerf_emit_str("wall", when);
	kerf_emit_str("instance", inst);
	kerf_emit_str("step", step);
	kerf_emit_str("text", text);
	kerf_emit_close();
}

/* A line kmorphd kept from an earlier boot. */
static int reclog_history(void *ctx, const struct kmorph_hist_line *h)
{
	struct reclog_filter *f = ctx;
	char t[32];

	if (!strcmp(h->boot, f->boot) || f->since_boot ||
	    h->wall < f->since_wall || (f->inst && strcmp(f->inst, h->inst)))
		return 0;
	snprintf(t, sizeof(t), "%.6f", h->t);
	if (kerf_structured()) {
		reclog_emit(t, h->wall, h->inst, h->what, h->text);
		return 0;
	}
	if (strcmp(f->shown, h->boot)) {
		printf("-- boot %s, from kmorphd's history --\n", h->boot);
		snprintf(f->shown, sizeof(f->shown), "%s", h->boot);
	}
	printf("%12.6f %s %s %s\n", h->t, h->inst, h->what, h->text);
	return 0;
}

/* The kernel's lines, this boot's. */
static void reclog_kernel(struct reclog_filter *f, char *log)
{
	char *line, *save, inst[64], step[32];
	double t;
	int n;

	if (f->shown[0] && !kerf_structured())
		printf("-- this boot, %s --\n", f->boot);
	for (line = strtok_r(log, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "%lf %63s %31s %n", &t, inst, step, &n) < 3)
			continue;
		if (t < f->since_boot || f->boot_wall + t < f->since_wall ||
		    (f->inst && strcmp(f->inst, inst)))
			continue;
		if (!kerf_structured()) {
			puts(line);
			continue;
		}
		reclog_emit(strtok(line, " "), f->boot_wall + t, inst, step,
			    line + n);
	}
}

/* --since: a bare number is seconds since this boot, as before. */
static int reclog_since(const char *text, struct reclog_filter *f)
{
	char *end;
	double v;

	v = strtod(text, &end);
	if (end != text && !*end && v >= 0) {
		f->since_boot = v;
		return 0;
	}
	if (kmorph_when(text, &f->since_wall))
		return kerf_usage("--since=%s: %s", text,
				  "want a date and time, \"10 min ago\", \"-1h\", \"today\" or seconds since boot");
	return 0;
}

enum { RL_INSTANCE = 1, RL_SINCE };

int do_recovery_log(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "instance", required_argument, NULL, RL_INSTANCE },
		{ "since", required_argument, NULL, RL_SINCE },
		{ NULL, 0, NULL, 0 },
	};
	struct reclog_filter f = { .boot_wall = kmorph_boot_wall() };
	const char *v[2], *name;
	char *log;
	int err;

	err = kmorph_args(argc, argv, opts, v, &name, 0);
	if (err)
		return err;
	f.inst = v[0];
	if (v[1] && reclog_since(v[1], &f))
		return KERF_USAGE;
	kmorph_boot_id(f.boot, sizeof(f.boot));
	log = kerf_read("recovery_log", NULL);
	if (!log) {
		kerf_err("%s/recovery_log: %s", kerf_root, strerror(errno));
		return KERF_INVALID;
	}
	if (kerf_structured()) {
		kerf_emit_begin();
		kerf_emit_array("events");
	}
	kmorph_history_each("recovery.log", reclog_history, &f);
	reclog_kernel(&f, log);
	if (kerf_structured()) {
		kerf_emit_close();
		kerf_emit_close();
	}
	free(log);
	return KERF_OK;
}
