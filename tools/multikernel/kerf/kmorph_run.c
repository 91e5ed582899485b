// SPDX-License-Identifier: GPL-2.0
/*
 * kmorphctl spawn, list, status, terminate and monitor: kerf's load,
 * exec and kill under the runtime's names, and views of the instances'
 * status and health files.
 */

#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kerf.h"
#include "kmorph.h"

enum { SP_KERNEL = 1, SP_INITRD, SP_CMDLINE, SP_TIMEOUT, SP_MONITOR };

int do_spawn(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kernel", required_argument, NULL, SP_KERNEL },
		{ "initramfs", required_argument, NULL, SP_INITRD },
		{ "kernel-cmdline", required_argument, NULL, SP_CMDLINE },
		{ "heartbeat-timeout", required_argument, NULL, SP_TIMEOUT },
		{ "monitor", no_argument, NULL, SP_MONITOR },
		{ NULL, 0, NULL, 0 },
	};
	char k[4096], i[4096], c[4096], pairs[128];
	char *load[6] = { "load" }, *exec[2] = { "exec" };
	const char *v[6], *name;
	int n = 1, err;
	long ms;

	err = kmorph_args(argc, argv, opts, v, &name,
			  KMORPH_NAME | KMORPH_NO_MOUNT);
	if (err)
		return err;
	if (!v[0])
		return kerf_usage("--kernel is needed");
	if (v[3] && kmorph_duration_ms(v[3], &ms))
		return kerf_usage("--heartbeat-timeout=%s: want seconds, or a number with s or ms",
				  v[3]);
	if (kerf_mount())
		return KERF_INVALID;
	load[n++] = (char *)name;
	snprintf(k, sizeof(k), "--kernel=%s", v[0]);
	load[n++] = k;
	if (v[1]) {
		snprintf(i, sizeof(i), "--initrd=%s", v[1]);
		load[n++] = i;
	}
	if (v[2]) {
		snprintf(c, sizeof(c), "--cmdline=%s", v[2]);
		load[n++] = c;
	}
	err = do_load(n, load);
	if (err)
		return err;
	if (v[3]) {
		snprintf(pairs, sizeof(pairs), "heartbeat-timeout=%s", v[3]);
		if (kmorph_policy_write(name, pairs))
			return KERF_INVALID;
	}
	exec[1] = (char *)name;
	err = do_exec(2, exec);
	if (err || !v[4])
		return err;
	return kmorph_watch(name, 1000, 0);
}

/* One instance as a line, or as an object. */
static void list_one(const char *name, bool verbose)
{
	char *status = kerf_instance_status(name), *health, *cpus, *mem;
	long long last = -1;
	long hello_ms, up_s;

	health = kmorph_file(name, "health");
	if (health)
		last = kmorph_kv_num(health, "last_beat_ms");
	kerf_instance_times(name, &hello_ms, &up_s);
	cpus = kmorph_file(name, "cpus");
	mem = kmorph_file(name, "memory");
	if (cpus)
		cpus[strcspn(cpus, "\n")] = '\0';
	if (mem)
		mem[strcspn(mem, "\n")] = '\0';
	if (kerf_structured()) {
		kerf_emit_object(NULL);
		kerf_emit_str("name", name);
		kerf_emit_str("status", status ? status : "?");
		if (last >= 0)
			kerf_emit_uint("last_beat_ms", last);
		if (verbose) {
			kerf_emit_str("cpus", cpus ? cpus : "");
			kerf_emit_str("memory", mem ? mem : "");
			if (up_s >= 0)
				kerf_emit_uint("uptime_s", up_s);
		}
		kerf_emit_close();
	} else {
		printf("%-16s %-40s", name, status ? status : "?");
		if (last >= 0)
			printf(" beat %lld ms ago", last);
		if (verbose)
			printf("\n  cpus %s, memory %s, uptime %s%ld s",
			       cpus ? cpus : "?", mem ? mem : "?",
			       up_s < 0 ? "-" : "", up_s < 0 ? 0 : up_s);
		putchar('\n');
	}
	free(status);
	free(health);
	free(cpus);
	free(mem);
}

int do_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	const char *v[1], *name;
	char **names;
	int n, i, err;

	err = kmorph_args(argc, argv, opts, v, &name, 0);
	if (err)
		return err;
	names = kmorph_instances(&n);
	if (kerf_structured()) {
		kerf_emit_begin();
		kerf_emit_array("instances");
	}
	for (i = 0; i < n; i++)
		list_one(names[i], v[0]);
	if (kerf_structured()) {
		kerf_emit_close();
		kerf_emit_close();
	} else if (!n) {
		printf("no instances\n");
	}
	kmorph_free_names(names, n);
	return KERF_OK;
}

/* Drop a file's last newline. */
static void kmorph_chomp(char *s)
{
	if (s)
		s[strcspn(s, "\n")] = '\0';
}

int do_kstatus(int argc, char **argv)
{
	static const struct option opts[] = { { NULL, 0, NULL, 0 } };
	char *status, *times, *health, *cpus, *mem;
	const char *v[1], *name;
	int err;

	err = kmorph_args(argc, argv, opts, v, &name, KMORPH_NAME);
	if (err)
		return err;
	status = kerf_instance_status(name);
	if (!status) {
		kerf_err("no instance '%s'", name);
		return KERF_INVALID;
	}
	times = kmorph_file(name, "times");
	health = kmorph_file(name, "health");
	/* What it runs on now: a resize changes both while it runs. */
	cpus = kmorph_file(name, "cpus");
	mem = kmorph_file(name, "memory");
	kmorph_chomp(cpus);
	kmorph_chomp(mem);
	if (kerf_structured()) {
		kerf_emit_begin();
		kerf_emit_str("name", name);
		kerf_emit_str("status", status);
		kerf_emit_str("cpus", cpus ? cpus : "");
		kerf_emit_str("memory", mem ? mem : "");
		kmorph_emit_kv(times);
		kmorph_emit_kv(health);
		kerf_emit_close();
	} else {
		printf("%s: %s\ncpus %s\nmemory %s\n%s%s", name, status,
		       cpus ? cpus : "", mem ? mem : "", times ? times : "",
		       health ? health : "");
	}
	free(status);
	free(times);
	free(health);
	free(cpus);
	free(mem);
	return KERF_OK;
}

int do_terminate(int argc, char **argv)
{
	return do_kill(argc, argv);
}

/* One refresh of the table; false when no instance matched @only. */
static bool watch_table(const char *only)
{
	char **names, *status, *h, rec[24];
	int n, i, shown = 0;

	names = kmorph_instances(&n);
	printf("%-14s %-26s %-20s %8s %6s %10s %9s %7s %6s\n", "NAME", "STATUS",
	       "RECOVERY", "BEAT_MS", "CPU%", "FREE_KB", "DELAY_US", "RTT_US",
	       "MISSED");
	for (i = 0; i < n; i++) {
		if (only && strcmp(only, names[i]))
			continue;
		status = kerf_instance_status(names[i]);
		h = kmorph_file(names[i], "health");
		printf("%-14s %-26.26s %-20s %8lld %6.1f %10lld %9lld %7lld %6lld\n",
		       names[i], status ? status : "?",
		       kmorph_kv(h, "recovery", rec, sizeof(rec)) ? rec : "-",
		       kmorph_kv_num(h, "last_beat_ms"),
		       kmorph_kv_num(h, "cpu_permille") / 10.0,
		       kmorph_kv_num(h, "mem_free_kb"),
		       kmorph_kv_num(h, "work_delay_us"),
		       kmorph_kv_num(h, "rtt_us"),
		       kmorph_kv_num(h, "beats_missed"));
		shown++;
		free(status);
		free(h);
	}
	kmorph_free_names(names, n);
	fflush(stdout);
	return shown;
}

/**
 * kmorph_watch - refresh the health table until interrupted, or @count times
 * @only: one instance, or NULL for all
 * @interval_ms: between refreshes
 * @count: refreshes, or 0 for no end
 *
 * Return: the exit code.
 */
int kmorph_watch(const char *only, long interval_ms, long count)
{
	bool tty = isatty(STDOUT_FILENO);
	long i;

	for (i = 0; !count || i < count; i++) {
		if (i)
			poll(NULL, 0, interval_ms);
		if (tty)
			printf("\033[H\033[2J");
		if (!watch_table(only) && only) {
			kerf_err("no instance '%s'", only);
			return KERF_INVALID;
		}
	}
	return KERF_OK;
}

enum { MO_INSTANCE = 1, MO_INTERVAL, MO_COUNT };

int do_monitor(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "instance", required_argument, NULL, MO_INSTANCE },
		{ "interval", required_argument, NULL, MO_INTERVAL },
		{ "count", required_argument, NULL, MO_COUNT },
		{ NULL, 0, NULL, 0 },
	};
	long interval = 1000, count = 0;
	const char *v[3], *name;
	int err;

	err = kmorph_args(argc, argv, opts, v, &name, 0);
	if (err)
		return err;
	if (v[1])
		interval = strtol(v[1], NULL, 10);
	if (v[2])
		count = strtol(v[2], NULL, 10);
	if (interval < 100 || count < 0)
		return kerf_usage("--interval is 100 ms or more, --count 0 or more");
	return kmorph_watch(v[0], interval, count);
}
