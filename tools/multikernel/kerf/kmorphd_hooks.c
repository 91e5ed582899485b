// SPDX-License-Identifier: GPL-2.0
/*
 * Operator hooks: a program kmorph.conf names for an event (failed,
 * recovered, restart-limit, quarantined), run with the event and the
 * instance as arguments and in its environment. Each runs in a process
 * group of its own, at most KMORPHD_HOOK_RUNS at once, and is killed,
 * with its children, when it passes hook-timeout. A hook only reports:
 * the kernel has already acted when it runs.
 */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include "kmorphd.h"

static void hook_exec(const char *path, const char *event, const char *inst,
		      const char *text)
{
	sigset_t none;

	/* The daemon blocks the signals its signalfd reads; a hook must not. */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	setpgid(0, 0);
	setenv("KMORPH_EVENT", event, 1);
	setenv("KMORPH_INSTANCE", inst, 1);
	setenv("KMORPH_TEXT", text, 1);
	execl(path, path, event, inst, (char *)NULL);
	syslog(LOG_ERR, "hook %s: %s: %m", event, path);
	_exit(127);
}

/**
 * kmorphd_hook - run the hook for an event, if the configuration has one
 * @d: the daemon
 * @hook: the event
 * @inst: the instance
 * @text: what the kernel said of it
 */
void kmorphd_hook(struct kmorphd *d, int hook, const char *inst,
		  const char *text)
{
	const char *path = d->conf.hooks[hook];
	struct kmorphd_run *r = NULL;
	pid_t pid;
	int i;

	if (!path[0])
		return;
	for (i = 0; i < KMORPHD_HOOK_RUNS && !r; i++)
		if (!d->run[i].pid)
			r = &d->run[i];
	if (!r) {
		syslog(LOG_WARNING, "hook %s for %s not run: %d hooks still run",
		       kmorphd_hook_name(hook), inst, KMORPHD_HOOK_RUNS);
		d->hook_runs[hook][KD_RUN_FAILED]++;
		return;
	}
	pid = fork();
	if (pid < 0) {
		syslog(LOG_ERR, "hook %s for %s: fork: %m", kmorphd_hook_name(hook),
		       inst);
		d->hook_runs[hook][KD_RUN_FAILED]++;
		return;
	}
	if (!pid)
		hook_exec(path, kmorphd_hook_name(hook), inst, text);
	setpgid(pid, pid);	/* the child's own, whichever runs first */
	r->pid = pid;
	r->hook = hook;
	r->deadline_ms = kmorphd_now_ms() + d->conf.hook_timeout_ms;
	snprintf(r->inst, sizeof(r->inst), "%s", inst);
	syslog(LOG_INFO, "hook %s for %s: %s, pid %d", kmorphd_hook_name(hook),
	       inst, path, pid);
}

/**
 * kmorphd_hooks_reap - collect the hooks that ended, on SIGCHLD
 * @d: the daemon
 */
void kmorphd_hooks_reap(struct kmorphd *d)
{
	struct kmorphd_run *r;
	int status, i, res;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (i = 0, r = NULL; i < KMORPHD_HOOK_RUNS; i++)
			if (d->run[i].pid == pid)
				r = &d->run[i];
		if (!r)
			continue;
		res = WIFEXITED(status) && !WEXITSTATUS(status) ? KD_RUN_OK :
		      r->deadline_ms < 0 ? KD_RUN_TIMEOUT : KD_RUN_FAILED;
		d->hook_runs[r->hook][res]++;
		syslog(res == KD_RUN_OK ? LOG_INFO : LOG_WARNING,
		       "hook %s for %s: %s %d", kmorphd_hook_name(r->hook),
		       r->inst, res == KD_RUN_TIMEOUT ? "killed at its timeout, status" :
		       WIFEXITED(status) ? "exit" : "signal",
		       WIFEXITED(status) ? WEXITSTATUS(status) :
		       WIFSIGNALED(status) ? WTERMSIG(status) : status);
		r->pid = 0;
	}
}

/**
 * kmorphd_hooks_due - kill the hooks past their timeout
 * @d: the daemon
 * @now_ms: the time
 *
 * Return: milliseconds until the next hook's timeout, or -1 for none, as
 * poll() takes it.
 */
long long kmorphd_hooks_due(struct kmorphd *d, long long now_ms)
{
	long long next = -1, left;
	struct kmorphd_run *r;
	int i;

	for (i = 0; i < KMORPHD_HOOK_RUNS; i++) {
		r = &d->run[i];
		if (!r->pid || r->deadline_ms < 0)
			continue;
		left = r->deadline_ms - now_ms;
		if (left <= 0) {
			kill(-r->pid, SIGKILL);
			r->deadline_ms = -1;	/* reaped as a timeout */
			continue;
		}
		if (next < 0 || left < next)
			next = left;
	}
	return next;
}
