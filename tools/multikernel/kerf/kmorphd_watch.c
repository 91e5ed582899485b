// SPDX-License-Identifier: GPL-2.0
/*
 * What kmorphd watches: each instance's transitions file and the
 * kernel's recovery log, both of which wake poll() when a line is added.
 * A new line goes to syslog and to the history on disk, and may run a
 * hook. A cursor in the state directory says how far the daemon got, so
 * that a restarted daemon neither repeats a line nor misses one the
 * kernel still has.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "kerf.h"
#include "kmorph.h"
#include "kmorphd.h"

/**
 * kmorphd_reread - read a file of the multikernel filesystem again, from
 *	its start, as poll() on it wants
 * @fd: the file, kept open for poll()
 * @text: set to its text, to free()
 *
 * Return: 0, or -errno.
 */
int kmorphd_reread(int fd, char **text)
{
	size_t len = 0, cap = 8192;
	char *buf = malloc(cap), *tmp;
	ssize_t n;

	if (!buf || lseek(fd, 0, SEEK_SET) < 0) {
		free(buf);
		return -errno;
	}
	while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += n;
		if (cap - len > 1)
			continue;
		tmp = cap < (1 << 22) ? realloc(buf, cap * 2) : NULL;
		if (!tmp)
			break;
		buf = tmp;
		cap *= 2;
	}
	buf[len] = '\0';
	*text = buf;
	return n < 0 ? -errno : 0;
}

static int watch_open(const char *name, const char *file)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/instances/%s/%s", kerf_root, name,
		 file);
	return open(path, O_RDONLY | O_CLOEXEC);
}

static void cursor_save(struct kmorphd *d)
{
	char path[512], tmp[520];
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "%s/cursor", d->conf.state_dir);
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	f = fopen(tmp, "w");
	if (!f)
		return;
	fprintf(f, "boot %s\nreclog %llu\n", d->boot, d->reclog_seen);
	for (i = 0; i < d->ninst; i++)
		fprintf(f, "inst %s %ld %llu\n", d->inst[i].name, d->inst[i].id,
			d->inst[i].seq);
	if (fclose(f) || rename(tmp, path))
		syslog(LOG_WARNING, "%s: %m", path);
}

/**
 * kmorphd_cursor_load - how far a daemon before this one got, in this boot
 * @d: the daemon; its boot id set
 */
void kmorphd_cursor_load(struct kmorphd *d)
{
	char path[512], line[256], boot[40] = "", name[64];
	unsigned long long n;
	struct kmorphd_watched *w;
	long id;
	FILE *f;

	snprintf(path, sizeof(path), "%s/cursor", d->conf.state_dir);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "boot %39s", boot) == 1 && strcmp(boot, d->boot))
			break;	/* another boot: the kernel's logs are new */
		if (sscanf(line, "reclog %llu", &n) == 1)
			d->reclog_seen = n;
		if (sscanf(line, "inst %63s %ld %llu", name, &id, &n) == 3 &&
		    d->ninst < KMORPHD_INSTANCES) {
			w = &d->inst[d->ninst++];
			memset(w, 0, sizeof(*w));
			snprintf(w->name, sizeof(w->name), "%s", name);
			w->id = id;
			w->seq = n;
			w->trans_fd = -1;
		}
	}
	fclose(f);
}

static struct kmorphd_watched *watch_find(struct kmorphd *d, const char *name)
{
	int i;

	for (i = 0; i < d->ninst; i++)
		if (!strcmp(d->inst[i].name, name))
			return &d->inst[i];
	if (d->ninst == KMORPHD_INSTANCES || strlen(name) >= 64)
		return NULL;
	memset(&d->inst[d->ninst], 0, sizeof(d->inst[0]));
	snprintf(d->inst[d->ninst].name, sizeof(d->inst[0].name), "%s", name);
	d->inst[d->ninst].trans_fd = -1;
	return &d->inst[d->ninst++];
}

static long watch_id(const char *name)
{
	char *s = kmorph_file(name, "id");
	long id = s ? strtol(s, NULL, 10) : -1;

	free(s);
	return id;
}

/* Start watching, or go on watching, an instance that is there. */
static void watch_one(struct kmorphd *d, const char *name)
{
	struct kmorphd_watched *w = watch_find(d, name);
	long id = watch_id(name);

	if (!w)
		return;
	w->seen = true;
	if (w->trans_fd >= 0)
		return;
	if (w->id != id)
		w->seq = 0;	/* another instance of the same name */
	w->id = id;
	w->trans_fd = watch_open(name, "transitions");
	syslog(LOG_INFO, "%s: watching it (id %ld)", name, id);
	kmorphd_on_transitions(d, w);
}

/**
 * kmorphd_scan - watch every instance in instances/, and stop watching
 *	those that are gone
 * @d: the daemon
 */
void kmorphd_scan(struct kmorphd *d)
{
	char **names;
	int n, i;

	for (i = 0; i < d->ninst; i++)
		d->inst[i].seen = false;
	names = kmorph_instances(&n);
	for (i = 0; i < n; i++)
		watch_one(d, names[i]);
	kmorph_free_names(names, n);
	for (i = 0; i < d->ninst; i++) {
		if (d->inst[i].seen)
			continue;
		if (d->inst[i].trans_fd >= 0)
			syslog(LOG_INFO, "%s: removed", d->inst[i].name);
		if (d->inst[i].trans_fd >= 0)
			close(d->inst[i].trans_fd);
		d->inst[i--] = d->inst[--d->ninst];
	}
	cursor_save(d);
}

/* One new transition: "SEQ SECONDS EVENT FROM TO[: WHY]". */
static void watch_transition(struct kmorphd *d, struct kmorphd_watched *w,
			     const char *line)
{
	char event[32], from[32], to[32], hist[1024];
	const char *why;
	unsigned long long seq;
	double t;
	int n = 0;

	if (sscanf(line, "%llu %lf %31s %31s %31[^: ]%n", &seq, &t, event, from,
		   to, &n) < 5 || !n)
		return;
	/* The history first: whoever reads the log line finds it there. */
	snprintf(hist, sizeof(hist), "%.6f %s %.6f %s %s %s %s%s",
		 kmorph_boot_wall() + t, d->boot, t, w->name, event, from, to,
		 line + n);
	kmorph_history_append("events.log", hist);
	syslog(!strcmp(event, "fail") || !strcmp(event, "quarantine") ?
	       LOG_ERR : LOG_NOTICE, "%s: %s: %s -> %s%s", w->name, event,
	       from, to, line + n);
	d->events++;
	why = line + n + (line[n] == ':') * 2;
	if (!strcmp(event, "fail"))
		kmorphd_hook(d, KD_HOOK_FAILED, w->name, why);
	else if (!strcmp(event, "quarantine"))
		kmorphd_hook(d, KD_HOOK_QUARANTINED, w->name, why);
	else if (!strcmp(event, "load"))
		kmorphd_apply_one(d, w->name);
}

/**
 * kmorphd_on_transitions - handle an instance's new transitions
 * @d: the daemon
 * @w: the instance
 */
void kmorphd_on_transitions(struct kmorphd *d, struct kmorphd_watched *w)
{
	unsigned long long seq, last = 0;
	char *text, *line, *save;

	if (w->trans_fd < 0 || kmorphd_reread(w->trans_fd, &text))
		return;
	for (line = text; line; line = strchr(line, '\n')) {
		line += *line == '\n';
		seq = strtoull(line, NULL, 10);
		if (seq > last)
			last = seq;
	}
	if (last < w->seq)
		w->seq = 0;	/* a new instance of that name counts anew */
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		seq = strtoull(line, NULL, 10);
		if (!seq || seq <= w->seq)
			continue;
		watch_transition(d, w, line);
		w->seq = seq;
	}
	free(text);
	cursor_save(d);
}

/* One new line of the recovery log: "SECONDS INSTANCE STEP TEXT". */
static void watch_reclog_line(struct kmorphd *d, const char *line)
{
	char inst[64], step[32], hist[1024];
	double t;
	int n = 0;

	if (sscanf(line, "%lf %63s %31s %n", &t, inst, step, &n) < 3 || !n)
		return;
	snprintf(hist, sizeof(hist), "%.6f %s %.6f %s %s %s",
		 kmorph_boot_wall() + t, d->boot, t, inst, step, line + n);
	kmorph_history_append("recovery.log", hist);
	syslog(!strcmp(step, "DETECTING_FAILURE") ? LOG_ERR : LOG_NOTICE,
	       "%s: recovery: %s %s", inst, step, line + n);
	d->events++;
	if (!strcmp(step, "RECOVERY_COMPLETE"))
		kmorphd_hook(d, KD_HOOK_RECOVERED, inst, line + n);
	if (strstr(line + n, "restart limit reached"))
		kmorphd_hook(d, KD_HOOK_RESTART_LIMIT, inst, line + n);
}

/**
 * kmorphd_on_reclog - handle the recovery log's new lines
 * @d: the daemon
 */
void kmorphd_on_reclog(struct kmorphd *d)
{
	unsigned long long first = 0, at;
	char *text, *line, *save;

	if (kmorphd_reread(d->reclog_fd, &text))
		return;
	if (sscanf(text, "# %llu older lines dropped", &first) != 1)
		first = 0;
	if (first > d->reclog_seen) {
		syslog(LOG_WARNING, "%llu lines of the recovery log %s",
		       first - d->reclog_seen, "were dropped before kmorphd read them");
		d->reclog_seen = first;
	}
	at = first;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#')
			continue;
		if (at++ >= d->reclog_seen)
			watch_reclog_line(d, line);
	}
	if (at < d->reclog_seen)
		d->reclog_seen = 0;	/* fewer than seen: the log began anew */
	else
		d->reclog_seen = at;
	free(text);
	cursor_save(d);
}
