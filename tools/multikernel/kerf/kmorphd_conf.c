// SPDX-License-Identifier: GPL-2.0
/*
 * kmorph.conf(5): the daemon's settings, its hooks, and per instance a
 * policy and whether to spawn it when the daemon starts (at host boot).
 * A file with one wrong line is refused whole; on reload the daemon then
 * keeps the configuration it had.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "kerf.h"
#include "kmorph.h"
#include "kmorphd.h"

static const char * const kd_hook_names[KD_HOOK_NR] = {
	[KD_HOOK_FAILED] = "failed",
	[KD_HOOK_RECOVERED] = "recovered",
	[KD_HOOK_RESTART_LIMIT] = "restart-limit",
	[KD_HOOK_QUARANTINED] = "quarantined",
};

const char *kmorphd_hook_name(int hook)
{
	return hook >= 0 && hook < KD_HOOK_NR ? kd_hook_names[hook] : "?";
}

static int conf_copy(char *dst, size_t size, const char *val,
		     const struct kmorph_ini_at *at, const char *key)
{
	if (strlen(val) >= size) {
		kerf_err("%s:%d: %s: longer than %zu bytes", at->path, at->line,
			 key, size - 1);
		return -EINVAL;
	}
	memcpy(dst, val, strlen(val) + 1);
	return 0;
}

static int conf_daemon(struct kmorphd_conf *c, const struct kmorph_ini_at *at,
		       const char *key, const char *val)
{
	if (!strcmp(key, "listen"))
		return conf_copy(c->listen, sizeof(c->listen), val, at, key);
	if (!strcmp(key, "state-dir"))
		return conf_copy(c->state_dir, sizeof(c->state_dir), val, at, key);
	if (!strcmp(key, "pid-file"))
		return conf_copy(c->pid_file, sizeof(c->pid_file), val, at, key);
	if (!strcmp(key, "hook-timeout")) {
		if (!kmorph_duration_ms(val, &c->hook_timeout_ms))
			return 0;
		kerf_err("%s:%d: hook-timeout: '%s' is no duration", at->path,
			 at->line, val);
		return -EINVAL;
	}
	kerf_err("%s:%d: [daemon] has no '%s': listen, state-dir, pid-file or hook-timeout",
		 at->path, at->line, key);
	return -EINVAL;
}

static int conf_hook(struct kmorphd_conf *c, const struct kmorph_ini_at *at,
		     const char *key, const char *val)
{
	int h;

	for (h = 0; h < KD_HOOK_NR; h++)
		if (!strcmp(key, kd_hook_names[h]))
			return conf_copy(c->hooks[h], sizeof(c->hooks[h]), val,
					 at, key);
	kerf_err("%s:%d: [hooks] has no '%s': failed, recovered, restart-limit or quarantined",
		 at->path, at->line, key);
	return -EINVAL;
}

static struct kmorphd_inst_conf *conf_inst(struct kmorphd_conf *c,
					   const char *name)
{
	int i;

	for (i = 0; i < c->ninst; i++)
		if (!strcmp(c->inst[i].name, name))
			return &c->inst[i];
	if (c->ninst == KMORPHD_INSTANCES || strlen(name) >= 64)
		return NULL;
	snprintf(c->inst[c->ninst].name, sizeof(c->inst[0].name), "%s", name);
	return &c->inst[c->ninst++];
}

static int conf_instance(struct kmorphd_conf *c,
			 const struct kmorph_ini_at *at, const char *key,
			 const char *val)
{
	struct kmorphd_inst_conf *ic = conf_inst(c, at->name);
	char one[256];
	size_t n;

	if (!ic) {
		kerf_err("%s:%d: more than %d instances, or a name too long",
			 at->path, at->line, KMORPHD_INSTANCES);
		return -EINVAL;
	}
	if (!strcmp(key, "spawn")) {
		ic->spawn = !strcmp(val, "yes") || !strcmp(val, "true") ||
			    !strcmp(val, "on");
		if (ic->spawn || !strcmp(val, "no") || !strcmp(val, "false") ||
		    !strcmp(val, "off"))
			return 0;
		kerf_err("%s:%d: spawn: yes or no", at->path, at->line);
		return -EINVAL;
	}
	if (!strcmp(key, "kernel"))
		return conf_copy(ic->kernel, sizeof(ic->kernel), val, at, key);
	if (!strcmp(key, "initramfs"))
		return conf_copy(ic->initramfs, sizeof(ic->initramfs), val, at, key);
	if (!strcmp(key, "kernel-cmdline"))
		return conf_copy(ic->cmdline, sizeof(ic->cmdline), val, at, key);
	if (!kmorph_policy_is_key(key)) {
		kerf_err("%s:%d: [instance %s] has no '%s': spawn, kernel, initramfs, kernel-cmdline or a policy key",
			 at->path, at->line, at->name, key);
		return -EINVAL;
	}
	if (kmorph_policy_pair(key, val, one, sizeof(one))) {
		kerf_err("%s:%d: see above", at->path, at->line);
		return -EINVAL;
	}
	n = strlen(ic->pairs);
	if (snprintf(ic->pairs + n, sizeof(ic->pairs) - n, "%s=%s ", key, val) >=
	    (int)(sizeof(ic->pairs) - n)) {
		kerf_err("%s:%d: the policy is too long", at->path, at->line);
		return -EINVAL;
	}
	return 0;
}

static int conf_line(void *ctx, const struct kmorph_ini_at *at,
		     const char *key, const char *val)
{
	struct kmorphd_conf *c = ctx;

	if (!strcmp(at->section, "daemon") && !at->name[0])
		return conf_daemon(c, at, key, val);
	if (!strcmp(at->section, "hooks") && !at->name[0])
		return conf_hook(c, at, key, val);
	if (!strcmp(at->section, "instance") && at->name[0])
		return conf_instance(c, at, key, val);
	kerf_err("%s:%d: want a [daemon], [hooks] or [instance NAME] section above",
		 at->path, at->line);
	return -EINVAL;
}

/**
 * kmorphd_conf_read - read kmorph.conf
 * @path: the file; a missing one is an empty configuration
 * @c: set to what it says, defaults where it says nothing
 *
 * Return: 0, or -EINVAL after saying where the file is wrong.
 */
int kmorphd_conf_read(const char *path, struct kmorphd_conf *c)
{
	FILE *f;

	memset(c, 0, sizeof(*c));
	snprintf(c->listen, sizeof(c->listen), "127.0.0.1:9477");
	snprintf(c->state_dir, sizeof(c->state_dir), "/var/lib/kmorph");
	snprintf(c->pid_file, sizeof(c->pid_file), "/run/kmorphd.pid");
	c->hook_timeout_ms = 10000;
	f = fopen(path, "r");
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	fclose(f);
	return kmorph_ini_read(path, conf_line, c) ? -EINVAL : 0;
}

/* Load and start an instance as spawn does; say how it went. */
static void conf_spawn(const struct kmorphd_inst_conf *ic, const char *status)
{
	char k[300], i[300], c[KMORPHD_CONF_TEXT + 16];
	char *load[6] = { "load", (char *)ic->name }, *exec[2] = { "exec" };
	int n = 2, err = 0;

	if (ic->kernel[0]) {
		snprintf(k, sizeof(k), "--kernel=%s", ic->kernel);
		load[n++] = k;
		if (ic->initramfs[0]) {
			snprintf(i, sizeof(i), "--initrd=%s", ic->initramfs);
			load[n++] = i;
		}
		if (ic->cmdline[0]) {
			snprintf(c, sizeof(c), "--cmdline=%s", ic->cmdline);
			load[n++] = c;
		}
		err = do_load(n, load);
	} else if (!strncmp(status, "ready", 5)) {
		syslog(LOG_ERR, "%s: spawn: no kernel= in the configuration, and none loaded",
		       ic->name);
		return;
	}
	exec[1] = (char *)ic->name;
	if (!err)
		err = do_exec(2, exec);
	if (err)
		syslog(LOG_ERR, "%s: spawn failed (exit %d); see above", ic->name,
		       err);
	else
		syslog(LOG_NOTICE, "%s: spawned", ic->name);
}

static void conf_apply_inst(const struct kmorphd_inst_conf *ic, bool start)
{
	char *status = kerf_instance_status(ic->name);

	if (!status) {
		syslog(LOG_WARNING, "%s: in the configuration, but no such instance",
		       ic->name);
		return;
	}
	if (start && ic->spawn &&
	    (!strncmp(status, "ready", 5) || !strncmp(status, "loaded", 6) ||
	     !strncmp(status, "stopped", 7)))
		conf_spawn(ic, status);
	if (ic->pairs[0] && strncmp(status, "ready", 5)) {
		if (!kmorph_policy_write(ic->name, ic->pairs))
			syslog(LOG_INFO, "%s: policy set: %s", ic->name, ic->pairs);
	}
	free(status);
}

/**
 * kmorphd_apply - apply the configuration to the instances
 * @d: the daemon
 * @at_start: also spawn the instances it says to, if they do not run
 *
 * An instance with nothing loaded has no policy yet: it gets its policy
 * when a kernel is loaded into it (kmorphd_apply_one()).
 */
void kmorphd_apply(struct kmorphd *d, bool at_start)
{
	int i;

	for (i = 0; i < d->conf.ninst; i++)
		conf_apply_inst(&d->conf.inst[i], at_start);
}

/**
 * kmorphd_apply_one - set one instance's policy, if the configuration
 *	has one, after a kernel was loaded into it
 * @d: the daemon
 * @name: the instance
 */
void kmorphd_apply_one(struct kmorphd *d, const char *name)
{
	int i;

	for (i = 0; i < d->conf.ninst; i++)
		if (!strcmp(d->conf.inst[i].name, name))
			conf_apply_inst(&d->conf.inst[i], false);
}
