// SPDX-License-Identifier: GPL-2.0
/*
 * kerf exec, kerf kill and kerf console: start the kernel loaded into an
 * instance, stop it, and talk to it. The kernel does the work; kerf says
 * what happened, from the instance's status and times files.
 */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kerf.h"

/* The instance's status line, for messages; "?" if it cannot be read. */
static char *run_status(const char *name)
{
	char *s = kerf_instance_status(name);

	return s ? s : strdup("?");
}

/*
 * The arguments every command here takes: one NAME and at most one flag,
 * --LONG or -SHORT (SHORT 0 for none).
 */
static int run_parse(int argc, char **argv, const char *lng, char shrt,
		     bool *flag, const char **name)
{
	const struct option opts[] = {
		{ lng, no_argument, NULL, 'F' },
		{ NULL, 0, NULL, 0 },
	};
	char shorts[2] = { shrt, 0 };
	int opt;

	*flag = false;
	/* 0, not 1: glibc then forgets the parse of the global options. */
	optind = 0;
	while ((opt = getopt_long(argc, argv, shorts, opts, NULL)) != -1) {
		if (opt != 'F' && (!shrt || opt != shrt))
			return kerf_usage(NULL);
		*flag = true;
	}
	if (optind != argc - 1)
		return kerf_usage("want one NAME");
	*name = argv[optind];
	return kerf_mount() ? KERF_INVALID : KERF_OK;
}

static int run_console(const char *name, bool follow, bool raw);

int do_exec(int argc, char **argv)
{
	char rel[64 + MK_NAME_MAX], *result, *status;
	long hello_ms, uptime_s;
	const char *name;
	bool console;
	int err;

	err = run_parse(argc, argv, "console", 0, &console, &name);
	if (err)
		return err;
	snprintf(rel, sizeof(rel), "instances/%s/exec", name);
	err = kerf_write(rel, "1", 1, &result);
	if (err == -ENOENT && !result) {
		kerf_err("no instance '%s'", name);
	} else if (err) {
		kerf_refused(name, false, err, result, NULL, 0, NULL, NULL);
		status = run_status(name);
		kerf_err("%s: %s", name, status);
		free(status);
	} else {
		kerf_instance_times(name, &hello_ms, &uptime_s);
		kerf_accepted("%s is running: HELLO %ld ms after exec", name,
			      hello_ms);
	}
	free(result);
	if (err)
		return KERF_INVALID;
	return console ? run_console(name, true, false) : KERF_OK;
}

int do_kill(int argc, char **argv)
{
	char rel[64 + MK_NAME_MAX], *result, *status;
	const char *name;
	bool force;
	int err;

	err = run_parse(argc, argv, "force", 'f', &force, &name);
	if (err)
		return err;
	snprintf(rel, sizeof(rel), "instances/%s/kill", name);
	err = kerf_write(rel, force ? "force" : "1", force ? 5 : 1, &result);
	free(result);
	status = run_status(name);
	if (err == -ESRCH)
		kerf_err("%s does not run (%s)", name, status);
	else if (err == -ENOENT)
		kerf_err("nothing is loaded into '%s', or there is no such instance",
			 name);
	else if (err)
		kerf_err("cannot kill %s: %s (%s)", name, strerror(-err), status);
	else
		kerf_accepted("%s: %s", name, status);
	free(status);
	return err ? KERF_INVALID : KERF_OK;
}

/*
 * Copy what the console has past the file position to stdout: escaped
 * through @esc, or as it is when @esc is NULL (--raw).
 */
static int run_console_copy(int fd, struct kerf_esc *esc)
{
	char buf[4096];
	ssize_t n;
	int err;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (!esc) {
			if (write(STDOUT_FILENO, buf, n) != n)
				return -errno;
			continue;
		}
		kerf_esc_write(esc, buf, n);
		err = kerf_esc_flush(esc);
		if (err)
			return err;
	}
	return n < 0 ? -errno : 0;
}

/* Send a line of input; the instance reads it at its next poll. */
static int run_console_input(int fd, bool *eof)
{
	char buf[256];
	ssize_t n, done = 0, w;

	n = read(STDIN_FILENO, buf, sizeof(buf));
	if (n <= 0) {
		*eof = true;
		return 0;
	}
	while (done < n) {
		w = pwrite(fd, buf + done, n - done, 0);
		if (w < 0)
			return -errno;
		if (!w)
			usleep(50000);	/* the ring is full: let it read */
		done += w;
	}
	return 0;
}

static bool run_is_running(const char *name)
{
	char *s = run_status(name);
	bool running = !strcmp(s, "running");

	free(s);
	return running;
}

/* After input ends, what it asked for has this long to come out. */
#define RUN_CONSOLE_LINGER_MS	3000

/*
 * Print the console log, then, when following, what comes and what is
 * typed, until input ends or the instance stops running.
 */
static int run_console(const char *name, bool follow, bool raw)
{
	int fd, err, linger = RUN_CONSOLE_LINGER_MS;
	struct kerf_esc esc, *e = raw ? NULL : &esc;
	bool eof = false;
	char path[256];

	kerf_esc_init(&esc, STDOUT_FILENO);

	snprintf(path, sizeof(path), "%s/instances/%s/console", kerf_root,
		 name);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		kerf_err("%s: %s", path, strerror(errno));
		return KERF_INVALID;
	}
	err = run_console_copy(fd, e);
	while (!err && follow && linger > 0 && run_is_running(name)) {
		struct pollfd p[2] = {
			{ .fd = fd, .events = POLLPRI },
			{ .fd = STDIN_FILENO, .events = POLLIN },
		};

		/* The kernel wakes us on output; the timeout sees a stop. */
		if (poll(p, eof ? 1 : 2, 250) < 0)
			break;
		if (!eof && p[1].revents)
			err = run_console_input(fd, &eof);
		if (eof)
			linger -= 250;
		if (!err)
			err = run_console_copy(fd, e);
	}
	if (!err && e)
		err = kerf_esc_end(e);
	close(fd);
	if (err)
		kerf_err("%s: %s", path, strerror(-err));
	return err ? KERF_INVALID : KERF_OK;
}

int do_console(int argc, char **argv)
{
	const struct option opts[] = {
		{ "no-follow", no_argument, NULL, 'n' },
		{ "raw", no_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	bool follow = true, raw = false;
	int opt;

	optind = 0;	/* as in run_parse() */
	while ((opt = getopt_long(argc, argv, "nr", opts, NULL)) != -1) {
		if (opt == 'n')
			follow = false;
		else if (opt == 'r')
			raw = true;
		else
			return kerf_usage(NULL);
	}
	if (optind != argc - 1)
		return kerf_usage("want one NAME");
	if (kerf_mount())
		return KERF_INVALID;
	return run_console(argv[optind], follow, raw);
}
