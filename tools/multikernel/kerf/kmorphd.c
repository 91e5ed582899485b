// SPDX-License-Identifier: GPL-2.0
/*
 * kmorphd's main loop: one poll() over the kernel's files that wake it
 * (each instance's transitions, the recovery log, the summary that
 * changes when instances come and go), its signals and its metrics
 * socket. It wakes for an event, never on a timer, except to kill a hook
 * past its timeout.
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
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "kerf.h"
#include "kmorph.h"
#include "kmorphd.h"

#define KD_FIXED_FDS	4

long long kmorphd_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int kd_open_top(const char *file)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", kerf_root, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		kerf_err("%s: %s", path, strerror(errno));
	return fd;
}

/* Only one daemon: it holds a lock on its pid file while it runs. */
static int kd_pid_lock(const char *path)
{
	char pid[32];
	int fd, n;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		kerf_err("%s: %s", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		n = read(fd, pid, sizeof(pid) - 1);
		pid[n > 0 ? n : 0] = '\0';
		kerf_err("kmorphd already runs, pid %ld (%s)", strtol(pid, NULL, 10),
			 path);
		close(fd);
		return -1;
	}
	n = snprintf(pid, sizeof(pid), "%d\n", getpid());
	if (ftruncate(fd, 0) || pwrite(fd, pid, n, 0) != n) {
		kerf_err("%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int kd_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	/* A scraper that hangs up early must not end the daemon. */
	signal(SIGPIPE, SIG_IGN);
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

/* Say how the last reload went, for 'kmorphctl daemon reload'. */
static void kd_reload_said(struct kmorphd *d, unsigned int gen, int err)
{
	char path[512], line[64];
	int fd, n;

	snprintf(path, sizeof(path), "%s/reload", d->conf.state_dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	n = snprintf(line, sizeof(line), "%u %s\n", gen,
		     err ? "refused; see the log" : "ok");
	if (write(fd, line, n) != n)
		syslog(LOG_WARNING, "%s: %m", path);
	close(fd);
}

static void kd_reload(struct kmorphd *d)
{
	static unsigned int gen;
	struct kmorphd_conf *c = malloc(sizeof(*c));
	int err = c ? kmorphd_conf_read(d->conf_path, c) : -ENOMEM;

	if (err) {
		syslog(LOG_ERR, "reload: %s refused; the configuration stays as it was",
		       d->conf_path);
	} else {
		/* Where it listens, keeps state and locks stays until a restart. */
		memcpy(c->listen, d->conf.listen, sizeof(c->listen));
		memcpy(c->state_dir, d->conf.state_dir, sizeof(c->state_dir));
		memcpy(c->pid_file, d->conf.pid_file, sizeof(c->pid_file));
		d->conf = *c;
		syslog(LOG_NOTICE, "reload: %s read, %d instances", d->conf_path,
		       d->conf.ninst);
		kmorphd_apply(d, false);
	}
	free(c);
	kd_reload_said(d, ++gen, err);
}

/* What the signals ask; false to stop. */
static bool kd_on_signals(struct kmorphd *d)
{
	struct signalfd_siginfo si;
	bool run = true;

	while (read(d->sig_fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP)
			kd_reload(d);
		else if (si.ssi_signo == SIGCHLD)
			kmorphd_hooks_reap(d);
		else
			run = false;
	}
	return run;
}

static void kd_drain(int fd)
{
	char *text;

	if (!kmorphd_reread(fd, &text))
		free(text);
}

/* One poll() and what woke it; false to stop. */
static bool kd_once(struct kmorphd *d)
{
	struct pollfd p[KD_FIXED_FDS + KMORPHD_INSTANCES];
	struct kmorphd_watched *w[KMORPHD_INSTANCES];
	int n = KD_FIXED_FDS, i, k;
	long long due;

	p[0] = (struct pollfd){ .fd = d->sig_fd, .events = POLLIN };
	p[1] = (struct pollfd){ .fd = d->listen_fd, .events = POLLIN };
	p[2] = (struct pollfd){ .fd = d->reclog_fd, .events = POLLPRI };
	p[3] = (struct pollfd){ .fd = d->summary_fd, .events = POLLPRI };
	for (i = 0; i < d->ninst; i++) {
		if (d->inst[i].trans_fd < 0)
			continue;
		w[n - KD_FIXED_FDS] = &d->inst[i];
		p[n++] = (struct pollfd){ .fd = d->inst[i].trans_fd,
					  .events = POLLPRI };
	}
	due = kmorphd_hooks_due(d, kmorphd_now_ms());
	if (poll(p, n, due < 0 ? -1 : (int)due) < 0)
		return errno == EINTR;
	if (p[1].revents & POLLIN)
		kmorphd_metrics_serve(d);
	if (p[2].revents & (POLLPRI | POLLERR))
		kmorphd_on_reclog(d);
	for (k = KD_FIXED_FDS; k < n; k++)
		if (p[k].revents & (POLLPRI | POLLERR))
			kmorphd_on_transitions(d, w[k - KD_FIXED_FDS]);
	if (p[3].revents & (POLLPRI | POLLERR)) {
		kd_drain(d->summary_fd);
		kmorphd_scan(d);
	}
	return !(p[0].revents & POLLIN) || kd_on_signals(d);
}

/* mkdir -p, as systemd's StateDirectory= would. */
static int kd_mkdirs(const char *dir)
{
	char path[256], *p, c;

	snprintf(path, sizeof(path), "%s", dir);
	for (p = path + 1; ; p++) {
		if (*p && *p != '/')
			continue;
		c = *p;
		*p = '\0';
		if (mkdir(path, 0755) && errno != EEXIST) {
			kerf_err("%s: %s", path, strerror(errno));
			return -errno;
		}
		if (!c)
			return 0;
		*p = '/';
	}
}

static int kd_setup(struct kmorphd *d)
{
	char path[512];

	if (kmorphd_conf_read(d->conf_path, &d->conf))
		return -EINVAL;
	kmorph_set_state_dir(d->conf.state_dir);
	if (kd_mkdirs(d->conf.state_dir))
		return -EIO;
	if (kd_pid_lock(d->conf.pid_file) < 0 || kerf_mount())
		return -EBUSY;
	d->reclog_fd = kd_open_top("recovery_log");
	d->summary_fd = kd_open_top("summary");
	d->sig_fd = kd_signals();
	if (d->reclog_fd < 0 || d->summary_fd < 0 || d->sig_fd < 0)
		return -EIO;
	kd_drain(d->summary_fd);
	snprintf(path, sizeof(path), "%s/reload", d->conf.state_dir);
	unlink(path);	/* a reload's generation counts from this start */
	d->started_ms = time(NULL) * 1000LL;
	kmorph_boot_id(d->boot, sizeof(d->boot));
	kmorphd_cursor_load(d);
	return kmorphd_metrics_open(d);
}

/* Tell the starter it runs; from now on its stderr goes nowhere. */
static void kd_detach(int ready_fd)
{
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);

	if (write(ready_fd, "OK\n", 3) != 3)
		syslog(LOG_WARNING, "could not tell the starter it runs");
	if (null >= 0) {
		dup2(null, STDERR_FILENO);
		close(null);
	}
	close(ready_fd);
}

/**
 * kmorphd_run - set up, then watch until SIGTERM
 * @conf_path: kmorph.conf
 * @ready_fd: where to write "OK\n" once set up, or -1; errors before it
 *	go to stderr
 *
 * Return: the exit code.
 */
int kmorphd_run(const char *conf_path, int ready_fd)
{
	struct kmorphd *d = calloc(1, sizeof(*d));

	if (!d)
		return KERF_INVALID;
	d->conf_path = conf_path;
	if (kd_setup(d)) {
		free(d);
		return KERF_INVALID;
	}
	syslog(LOG_NOTICE, "started: %s, metrics on %s, state in %s", conf_path,
	       d->conf.listen, d->conf.state_dir);
	kerf_to_syslog = true;
	if (ready_fd >= 0)
		kd_detach(ready_fd);
	kmorphd_apply(d, true);
	kmorphd_scan(d);
	kmorphd_on_reclog(d);
	while (kd_once(d))
		;
	unlink(d->conf.pid_file);
	syslog(LOG_NOTICE, "stopped; the instances run on");
	free(d);
	return KERF_OK;
}

/**
 * kmorphd_main - kerf run as kmorphd, in the foreground, as systemd
 *	starts it
 * @argc: the words
 * @argv: the words, the program first
 *
 * Return: the exit code.
 */
int kmorphd_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *conf = kmorph_conf_path();
	int opt;

	kerf_prog = "kmorphd";
	while ((opt = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		if (opt == 'c') {
			conf = optarg;
			continue;
		}
		printf("Usage: kmorphd [(-c | --config)=FILE]\n\n"
		       "Apply kmorph.conf, log every instance's state changes and\n"
		       "recovery steps to syslog and %s, serve metrics\n"
		       "and run hooks. Runs in the foreground; 'kmorphctl daemon\n"
		       "start' puts it in the background. See kmorphd(8).\n",
		       "the state directory");
		return opt == 'h' ? KERF_OK : KERF_USAGE;
	}
	if (optind < argc)
		return kerf_usage("kmorphd takes no arguments");
	openlog("kmorphd", LOG_PID | LOG_PERROR, LOG_DAEMON);
	return kmorphd_run(conf, -1);
}
