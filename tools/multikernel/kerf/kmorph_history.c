// SPDX-License-Identifier: GPL-2.0
/*
 * The runtime's history on disk: kmorphd copies each line of the
 * kernel's recovery log, and each state change of an instance, into
 * files of its state directory, stamped with the wall clock and the
 * host's boot id, so that they outlive the host's boot. recovery-log
 * reads them back for earlier boots.
 *
 *   WALL BOOT_ID SECONDS INSTANCE WHAT TEXT
 *
 * WALL is seconds since the epoch, SECONDS the line's CLOCK_BOOTTIME time
 * in its boot, WHAT a recovery step or a state event. A file over
 * KMORPH_HISTORY_MAX moves to FILE.1, which it replaces.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kerf.h"
#include "kmorph.h"

#define KMORPH_HISTORY_MAX	(1024 * 1024)

static char kmorph_state[256];

/* [daemon] state-dir in the configuration, if it says one. */
static int history_conf(void *ctx, const struct kmorph_ini_at *at,
			const char *key, const char *val)
{
	if (!strcmp(at->section, "daemon") && !strcmp(key, "state-dir"))
		snprintf(kmorph_state, sizeof(kmorph_state), "%s", val);
	return 0;
}

/**
 * kmorph_conf_path - the configuration file: $KMORPH_CONF, or
 *	/etc/kmorph/kmorph.conf
 */
const char *kmorph_conf_path(void)
{
	const char *env = getenv("KMORPH_CONF");

	return env && *env ? env : "/etc/kmorph/kmorph.conf";
}

/**
 * kmorph_state_dir - where kmorphd keeps its history and cursors
 *
 * Return: the configuration's [daemon] state-dir, or /var/lib/kmorph.
 */
const char *kmorph_state_dir(void)
{
	if (kmorph_state[0])
		return kmorph_state;
	if (!access(kmorph_conf_path(), R_OK))
		kmorph_ini_read(kmorph_conf_path(), history_conf, NULL);
	if (!kmorph_state[0])
		snprintf(kmorph_state, sizeof(kmorph_state), "/var/lib/kmorph");
	return kmorph_state;
}

/**
 * kmorph_set_state_dir - use another state directory, for kmorphd's
 *	configuration once read
 * @dir: the directory
 */
void kmorph_set_state_dir(const char *dir)
{
	snprintf(kmorph_state, sizeof(kmorph_state), "%s", dir);
}

/**
 * kmorph_boot_id - this boot's id, from the kernel
 * @id: set to it
 * @size: at least 37
 */
void kmorph_boot_id(char *id, size_t size)
{
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");

	if (!f || !fgets(id, size, f))
		snprintf(id, size, "unknown");
	id[strcspn(id, "\n")] = '\0';
	if (f)
		fclose(f);
}

static int history_file(const char *file, char *path, size_t size)
{
	return snprintf(path, size, "%s/%s", kmorph_state_dir(), file) >=
	       (int)size ? -ENAMETOOLONG : 0;
}

/**
 * kmorph_history_append - add a line to a history file
 * @file: its name in the state directory
 * @line: "WALL BOOT_ID SECONDS INSTANCE WHAT TEXT", without the newline
 *
 * One write(2) of O_APPEND, so that a reader never sees half a line.
 *
 * Return: 0, or -errno.
 */
int kmorph_history_append(const char *file, const char *line)
{
	char path[512], old[520], buf[1024];
	struct stat st;
	int fd, n, err = 0;

	if (history_file(file, path, sizeof(path)))
		return -ENAMETOOLONG;
	if (!stat(path, &st) && st.st_size > KMORPH_HISTORY_MAX) {
		snprintf(old, sizeof(old), "%s.1", path);
		rename(path, old);
	}
	n = snprintf(buf, sizeof(buf), "%s\n", line);
	if (n >= (int)sizeof(buf)) {
		buf[sizeof(buf) - 2] = '\n';
		n = sizeof(buf) - 1;
	}
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (write(fd, buf, n) != n)
		err = -EIO;
	if (close(fd) && !err)
		err = -errno;
	return err;
}

static int history_parse(char *line, struct kmorph_hist_line *h)
{
	int n = 0;

	if (sscanf(line, "%lf %39s %lf %63s %31s %n", &h->wall, h->boot, &h->t,
		   h->inst, h->what, &n) < 5 || !n)
		return -EINVAL;
	h->text = line + n;
	return 0;
}

static void history_each_file(const char *path,
			      int (*fn)(void *ctx, const struct kmorph_hist_line *h),
			      void *ctx)
{
	struct kmorph_hist_line h;
	char line[1024];
	FILE *f;

	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!history_parse(line, &h) && fn(ctx, &h))
			break;
	}
	fclose(f);
}

/**
 * kmorph_history_each - call @fn for each line of a history file, oldest
 *	first; lines that do not parse are skipped
 * @file: its name in the state directory
 * @fn: a nonzero return stops the walk
 * @ctx: for @fn
 */
void kmorph_history_each(const char *file,
			 int (*fn)(void *ctx, const struct kmorph_hist_line *h),
			 void *ctx)
{
	char path[512], old[520];

	if (history_file(file, path, sizeof(path)))
		return;
	snprintf(old, sizeof(old), "%s.1", path);
	history_each_file(old, fn, ctx);
	history_each_file(path, fn, ctx);
}
