/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kmorphd: the operator's daemon beside the kernel's runtime. The kernel
 * owns the instances, their heartbeat and their recovery; kmorphd only
 * applies kmorph.conf, records what happens (syslog and a history on
 * disk), serves metrics and runs hooks. Killing it changes nothing for
 * the instances.
 */
#ifndef _KMORPHD_H
#define _KMORPHD_H

#include <stdbool.h>
#include <sys/types.h>

#define KMORPHD_INSTANCES	64
#define KMORPHD_HOOK_RUNS	8
#define KMORPHD_CONF_TEXT	1024

enum kmorphd_hook {
	KD_HOOK_FAILED,
	KD_HOOK_RECOVERED,
	KD_HOOK_RESTART_LIMIT,
	KD_HOOK_QUARANTINED,
	KD_HOOK_NR,
};

enum { KD_RUN_OK, KD_RUN_FAILED, KD_RUN_TIMEOUT, KD_RUN_NR };

/* One [instance NAME] section of kmorph.conf. */
struct kmorphd_inst_conf {
	char name[64];
	char pairs[KMORPHD_CONF_TEXT];	/* the policy, "key=value ..." */
	bool spawn;
	char kernel[256];
	char initramfs[256];
	char cmdline[KMORPHD_CONF_TEXT];
};

struct kmorphd_conf {
	char listen[64];	/* "ADDRESS:PORT", or "off" */
	char state_dir[256];
	char pid_file[256];
	char hooks[KD_HOOK_NR][256];
	long hook_timeout_ms;
	int ninst;
	struct kmorphd_inst_conf inst[KMORPHD_INSTANCES];
};

/* An instance being watched: its files, and how far they were read. */
struct kmorphd_watched {
	char name[64];
	long id;
	int trans_fd;
	unsigned long long seq;		/* the last transition handled */
	bool seen;			/* still in instances/ at the last scan */
};

struct kmorphd_run {
	pid_t pid;			/* 0: a free slot */
	int hook;
	long long deadline_ms;
	char inst[64];
};

struct kmorphd {
	const char *conf_path;
	struct kmorphd_conf conf;
	int sig_fd;
	int listen_fd;
	int reclog_fd;
	int summary_fd;
	char boot[40];
	unsigned long long reclog_seen;	/* lines of the recovery log handled */
	int ninst;
	struct kmorphd_watched inst[KMORPHD_INSTANCES];
	struct kmorphd_run run[KMORPHD_HOOK_RUNS];
	unsigned long long events;
	unsigned long long hook_runs[KD_HOOK_NR][KD_RUN_NR];
	unsigned long long scrapes;
	long long started_ms;
};

/* kmorphd_conf.c */
int kmorphd_conf_read(const char *path, struct kmorphd_conf *c);
void kmorphd_apply(struct kmorphd *d, bool at_start);
void kmorphd_apply_one(struct kmorphd *d, const char *name);
const char *kmorphd_hook_name(int hook);

/* kmorphd_watch.c */
void kmorphd_scan(struct kmorphd *d);
void kmorphd_on_transitions(struct kmorphd *d, struct kmorphd_watched *w);
void kmorphd_on_reclog(struct kmorphd *d);
void kmorphd_cursor_load(struct kmorphd *d);
int kmorphd_reread(int fd, char **text);

/* kmorphd_hooks.c */
void kmorphd_hook(struct kmorphd *d, int hook, const char *inst,
		  const char *text);
void kmorphd_hooks_reap(struct kmorphd *d);
long long kmorphd_hooks_due(struct kmorphd *d, long long now_ms);

/* kmorphd_metrics.c */
int kmorphd_metrics_open(struct kmorphd *d);
void kmorphd_metrics_serve(struct kmorphd *d);

/* kmorphd.c */
long long kmorphd_now_ms(void);
int kmorphd_run(const char *conf_path, int ready_fd);
int kmorphd_main(int argc, char **argv);

#endif /* _KMORPHD_H */
