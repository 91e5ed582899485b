/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kmorphctl: kerf's runtime commands under their own name (kmorph*.c).
 */
#ifndef _KMORPH_H
#define _KMORPH_H

#include <stdbool.h>
#include <stddef.h>

struct option;

int kmorph_main(int argc, char **argv);
int kmorph_help(void);
char **kmorph_instances(int *n);
void kmorph_free_names(char **names, int n);
bool kmorph_kv(const char *text, const char *key, char *out, size_t size);
long long kmorph_kv_num(const char *text, const char *key);
char *kmorph_file(const char *name, const char *file);
void kmorph_emit_kv(const char *text);
#define KMORPH_NAME	1
#define KMORPH_NO_MOUNT	2
#define KMORPH_NAME_MAY	4
int kmorph_args(int argc, char **argv, const struct option *opts,
		const char **vals, const char **name, int flags);
int kmorph_watch(const char *only, long interval_ms, long count);
int kmorph_policy_write(const char *name, const char *pairs);

/* Where kmorph_ini_read() is: the file, its line and its section. */
struct kmorph_ini_at {
	const char *path;
	int line;
	char section[32];
	char name[64];
};

int kmorph_ini_read(const char *path,
		    int (*fn)(void *ctx, const struct kmorph_ini_at *at,
			      const char *key, const char *val),
		    void *ctx);
/* A line of a history file (kmorph_history.c). */
struct kmorph_hist_line {
	double wall;
	char boot[40];
	double t;
	char inst[64];
	char what[32];
	const char *text;
};

const char *kmorph_conf_path(void);
const char *kmorph_state_dir(void);
void kmorph_set_state_dir(const char *dir);
void kmorph_boot_id(char *id, size_t size);
int kmorph_history_append(const char *file, const char *line);
void kmorph_history_each(const char *file,
			 int (*fn)(void *ctx, const struct kmorph_hist_line *h),
			 void *ctx);
int kmorph_duration_ms(const char *text, long *ms);
int kmorph_when(const char *text, double *secs);
double kmorph_boot_wall(void);
bool kmorph_policy_is_key(const char *word);
int kmorph_policy_pair(const char *key, const char *val, char *out,
		       size_t size);

int do_spawn(int argc, char **argv);
int do_list(int argc, char **argv);
int do_kstatus(int argc, char **argv);
int do_terminate(int argc, char **argv);
int do_monitor(int argc, char **argv);
int do_heartbeat(int argc, char **argv);
int do_health(int argc, char **argv);
int do_ping(int argc, char **argv);
int do_recover(int argc, char **argv);
int do_recovery_log(int argc, char **argv);
int do_vmcore_capture(int argc, char **argv);
int do_vmcore_analyze(int argc, char **argv);
int do_kpolicy_show(int argc, char **argv);
int do_kpolicy_set(int argc, char **argv);
int do_kpolicy_export(int argc, char **argv);
int do_kpolicy_import(int argc, char **argv);
int do_daemon_start(int argc, char **argv);
int do_daemon_stop(int argc, char **argv);
int do_daemon_status(int argc, char **argv);
int do_daemon_reload(int argc, char **argv);

#endif /* _KMORPH_H */
