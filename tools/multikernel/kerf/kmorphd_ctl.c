// SPDX-License-Identifier: GPL-2.0
/*
 * kmorphctl daemon start|stop|status|reload: kmorphd in the background,
 * for hosts without systemd. start returns once the daemon is set up, or
 * with the reason it is not; the daemon's pid file, locked while it runs,
 * says whether it runs.
 */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "kerf.h"
#include "kmorph.h"
#include "kmorphd.h"

#define KD_WAIT_MS	10000

/*
 * The configuration: --config, or the default. One with a wrong line
 * is refused for start and reload; stop and status go on with what was
 * read before it, so that a daemon can be stopped whatever its file says.
 */
static int ctl_conf(int argc, char **argv, bool strict, const char **path,
		    struct kmorphd_conf *c)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	const char *v[1], *name;
	int err;

	err = kmorph_args(argc, argv, opts, v, &name, KMORPH_NO_MOUNT);
	if (err)
		return err;
	*path = v[0] ? v[0] : kmorph_conf_path();
	if (kmorphd_conf_read(*path, c)) {
		kerf_err("%s: %s", *path, strict ? "refused" :
			 "wrong; going on with the lines before the wrong one");
		return strict ? KERF_FILE : KERF_OK;
	}
	return KERF_OK;
}

/* The running daemon's pid, or 0 if none holds the lock. */
static pid_t ctl_pid(const struct kmorphd_conf *c)
{
	char buf[32];
	pid_t pid = 0;
	int fd, n;

	fd = open(c->pid_file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (flock(fd, LOCK_SH | LOCK_NB) && errno == EWOULDBLOCK) {
		n = read(fd, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = '\0';
		pid = strtol(buf, NULL, 10);
	}
	close(fd);
	return pid;
}

/* In the child: become the daemon; tell the parent through @ready. */
static void ctl_child(const char *conf, int ready)
{
	int null = open("/dev/null", O_RDWR);

	setsid();
	dup2(null, STDIN_FILENO);
	dup2(null, STDOUT_FILENO);
	dup2(ready, STDERR_FILENO);	/* set-up errors reach the starter */
	openlog("kmorphd", LOG_PID, LOG_DAEMON);
	kerf_prog = "kmorphd";
	if (fork() > 0)
		_exit(0);	/* no session leader: it never gets a tty */
	close(null);
	exit(kmorphd_run(conf, ready));
}

int do_daemon_start(int argc, char **argv)
{
	struct kmorphd_conf c;
	const char *conf;
	char msg[1024];
	struct pollfd p;
	int fds[2], err, n = 0, r;
	pid_t pid;

	err = ctl_conf(argc, argv, true, &conf, &c);
	if (err)
		return err;
	pid = ctl_pid(&c);
	if (pid) {
		kerf_err("kmorphd already runs, pid %d", pid);
		return KERF_INVALID;
	}
	if (pipe2(fds, O_CLOEXEC))
		return KERF_INVALID;
	fflush(NULL);
	pid = fork();
	if (!pid) {
		close(fds[0]);
		ctl_child(conf, fds[1]);
	}
	close(fds[1]);
	waitpid(pid, NULL, 0);	/* the daemon is its child, and goes on */
	p = (struct pollfd){ .fd = fds[0], .events = POLLIN };
	while (n < (int)sizeof(msg) - 1 && poll(&p, 1, KD_WAIT_MS) > 0) {
		r = read(fds[0], msg + n, sizeof(msg) - 1 - n);
		if (r <= 0)
			break;
		n += r;
	}
	msg[n] = '\0';
	close(fds[0]);
	if (n < 3 || strcmp(msg + n - 3, "OK\n")) {
		fputs(msg, stderr);
		kerf_err("kmorphd did not start%s", n ? "" : " within 10 s");
		return KERF_INVALID;
	}
	msg[n - 3] = '\0';
	fputs(msg, stderr);
	kerf_accepted("kmorphd started, pid %d; metrics on %s", ctl_pid(&c),
		      c.listen);
	return KERF_OK;
}

/* Until the daemon lets go of its lock, KD_WAIT_MS at most. */
static bool ctl_wait_gone(const struct kmorphd_conf *c)
{
	int i;

	for (i = 0; i < KD_WAIT_MS / 50; i++) {
		if (!ctl_pid(c))
			return true;
		poll(NULL, 0, 50);
	}
	return false;
}

/* The configuration and the pid of the daemon, which must run. */
static int ctl_running(int argc, char **argv, bool strict,
		       struct kmorphd_conf *c, const char **conf, pid_t *pid)
{
	int err = ctl_conf(argc, argv, strict, conf, c);

	if (err)
		return err;
	*pid = ctl_pid(c);
	if (*pid)
		return KERF_OK;
	kerf_err("kmorphd does not run (%s)", c->pid_file);
	return KERF_INVALID;
}

int do_daemon_stop(int argc, char **argv)
{
	struct kmorphd_conf c;
	const char *conf;
	pid_t pid;
	int err;

	err = ctl_running(argc, argv, false, &c, &conf, &pid);
	if (err)
		return err;
	if (kill(pid, SIGTERM) || !ctl_wait_gone(&c)) {
		kerf_err("kmorphd, pid %d, did not stop: %s", pid,
			 errno ? strerror(errno) : "still there after 10 s");
		return KERF_INVALID;
	}
	kerf_accepted("kmorphd stopped; the instances run on");
	return KERF_OK;
}

/* Lines in a file of the state directory. */
static long ctl_lines(const struct kmorphd_conf *c, const char *file)
{
	char path[512];
	long n = 0;
	FILE *f;
	int ch;

	snprintf(path, sizeof(path), "%s/%s", c->state_dir, file);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while ((ch = getc(f)) != EOF)
		n += ch == '\n';
	fclose(f);
	return n;
}

int do_daemon_status(int argc, char **argv)
{
	struct kmorphd_conf c;
	const char *conf;
	struct stat st;
	char since[64] = "?";
	pid_t pid;
	int err;

	err = ctl_conf(argc, argv, false, &conf, &c);
	if (err)
		return err;
	pid = ctl_pid(&c);
	if (pid && !stat(c.pid_file, &st))
		strftime(since, sizeof(since), "%F %T", localtime(&st.st_mtime));
	if (kerf_structured()) {
		kerf_emit_begin();
		kerf_emit_bool("running", pid);
		if (pid)
			kerf_emit_uint("pid", pid);
		kerf_emit_str("config", conf);
		kerf_emit_str("listen", c.listen);
		kerf_emit_str("state_dir", c.state_dir);
		kerf_emit_uint("instances_configured", c.ninst);
		kerf_emit_uint("events_kept", ctl_lines(&c, "events.log"));
		kerf_emit_uint("recovery_lines_kept", ctl_lines(&c, "recovery.log"));
		kerf_emit_close();
	} else {
		printf("kmorphd: %s", pid ? "running" : "not running\n");
		if (pid)
			printf(", pid %d, since %s\n", pid, since);
		printf("config %s (%d instances)\nmetrics %s\n", conf, c.ninst,
		       c.listen);
		printf("state %s: %ld events, %ld recovery lines kept\n", c.state_dir,
		       ctl_lines(&c, "events.log"), ctl_lines(&c, "recovery.log"));
	}
	return pid ? KERF_OK : KERF_INVALID;
}

/* "GEN ok" or "GEN refused...": what the last reload did. */
static unsigned int ctl_reload_gen(const struct kmorphd_conf *c, char *said,
				   size_t size)
{
	char path[512], line[128] = "";
	unsigned int gen = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/reload", c->state_dir);
	f = fopen(path, "r");
	if (f) {
		if (fgets(line, sizeof(line), f))
			sscanf(line, "%u", &gen);
		fclose(f);
	}
	snprintf(said, size, "%s", strchr(line, ' ') ? strchr(line, ' ') + 1 : "");
	said[strcspn(said, "\n")] = '\0';
	return gen;
}

int do_daemon_reload(int argc, char **argv)
{
	struct kmorphd_conf c;
	const char *conf;
	unsigned int gen;
	char said[128];
	pid_t pid;
	int err, i;

	err = ctl_running(argc, argv, true, &c, &conf, &pid);
	if (err)
		return err;
	gen = ctl_reload_gen(&c, said, sizeof(said));
	if (kill(pid, SIGHUP))
		return KERF_INVALID;
	for (i = 0; i < KD_WAIT_MS / 50; i++) {
		if (ctl_reload_gen(&c, said, sizeof(said)) != gen)
			break;
		poll(NULL, 0, 50);
	}
	if (i == KD_WAIT_MS / 50 || strcmp(said, "ok")) {
		kerf_err("reload: %s", i == KD_WAIT_MS / 50 ?
			 "no answer within 10 s" : said);
		return KERF_INVALID;
	}
	kerf_accepted("kmorphd reloaded %s", conf);
	return KERF_OK;
}
