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
int kmorph_args(int argc, char **argv, const struct option *opts,
		const char **vals, const char **name, int flags);
int kmorph_watch(const char *only, long interval_ms, long count);
int kmorph_policy_write(const char *name, const char *pairs);

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

#endif /* _KMORPH_H */
