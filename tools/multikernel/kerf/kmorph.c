// SPDX-License-Identifier: GPL-2.0
/*
 * kmorphctl: the runtime view of the multikernel filesystem, the same
 * binary as kerf under another name. The kernel watches and heals
 * instances; kmorphctl starts them, shows their health and recovery, and
 * fetches their vmcores.
 */

#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kerf.h"
#include "kmorph.h"

static int do_kmorph_help(int argc, char **argv);

static const struct kerf_cmd kmorph_vmcore_cmds[] = {
	{ "capture", do_vmcore_capture, "NAME (-o | --output)=FILE",
	  "copy an instance's vmcore into a file",
	  "The kernel captures an instance's vmcore when it fails (policy\n"
	  "vmcore on): its memory, its CPUs' registers and its VMCOREINFO,\n"
	  "as an ELF core that gdb and crash read. This copies it out.\n" },
	{ "analyze", do_vmcore_analyze, "FILE [--vmlinux=VMLINUX]",
	  "what a vmcore holds; with VMLINUX, each CPU's backtrace",
	  "Print the kernel release, the crash time, the memory and each\n"
	  "CPU's pid, instruction and stack pointers. With --vmlinux, the\n"
	  "instance kernel's vmlinux with debug information, run gdb for\n"
	  "every CPU's backtrace.\n" },
	{ NULL },
};

static const struct kerf_cmd kmorph_policy_cmds[] = {
	{ "show", do_kpolicy_show, "[NAME | --instance=NAME]",
	  "an instance's policy, or every instance's",
	  "Without NAME, every instance that has a kernel loaded, each under\n"
	  "an [instance NAME] header, as export writes it.\n" },
	{ "set", do_kpolicy_set, "NAME KEY=VALUE ... | KEY NAME VALUE",
	  "change it",
	  "KEY is one of the kernel's (heartbeat_interval_ms,\n"
	  "heartbeat_timeout_ms, missed_max, on_failure, restart_max,\n"
	  "restart_window_s, vmcore) or the runtime's: heartbeat-timeout in\n"
	  "seconds (\"2\", \"0.5\", \"2s\" or \"500ms\"), which also sets the\n"
	  "interval to a quarter of it, at most 1 s, and auto-heal enabled or\n"
	  "disabled (on_failure restart or reclaim). All or nothing: the\n"
	  "kernel refuses the whole write for one wrong pair.\n" },
	{ "export", do_kpolicy_export, "[NAME] [(-o | --output)=FILE]",
	  "every instance's policy, or one's, in the form import takes",
	  "An [instance NAME] section per instance, as kmorph.conf(5) holds\n"
	  "them.\n" },
	{ "import", do_kpolicy_import, "[NAME] FILE",
	  "set the policies of a file's instances",
	  "Each [instance NAME] section of FILE sets that instance's policy;\n"
	  "with NAME, only its section, or lines outside any section, count.\n"
	  "All or nothing: if the kernel refuses one instance's, those set\n"
	  "before it get their old policy back.\n" },
	{ NULL },
};

static const struct kerf_cmd kmorph_daemon_cmds[] = {
	{ "start", do_daemon_start, "[--config=FILE]",
	  "start kmorphd in the background",
	  "Return once it is set up, or with why it is not: a wrong line in\n"
	  "kmorph.conf(5), an address in use, another kmorphd.\n" },
	{ "stop", do_daemon_stop, "[--config=FILE]",
	  "stop it; the instances, heartbeat and recovery go on", NULL },
	{ "status", do_daemon_status, "[--config=FILE]",
	  "whether it runs, and where it keeps its history",
	  "Exit status 0 if it runs, 1 if not.\n" },
	{ "reload", do_daemon_reload, "[--config=FILE]",
	  "make it read kmorph.conf again, as SIGHUP does",
	  "Return once it applied the policies, or with why it kept the old\n"
	  "configuration.\n" },
	{ NULL },
};

static const struct kerf_cmd kmorph_cmds[] = {
	{ "spawn", do_spawn,
	  "NAME --kernel=FILE [--initramfs=FILE] [--kernel-cmdline=TEXT]\n"
	  "\t[--heartbeat-timeout=SECONDS] [--monitor]",
	  "load a kernel into an instance and start it",
	  "Load FILE into instance NAME (as 'kerf load'), set its heartbeat\n"
	  "timeout (seconds, or with s or ms), and start it (as 'kerf\n"
	  "exec'). --monitor then watches it as 'monitor --instance=NAME'\n"
	  "does.\n" },
	{ "list", do_list, "[--verbose]", "instances and their state",
	  "One line per instance: its name, status and last heartbeat;\n"
	  "--verbose adds CPUs, memory and uptime.\n" },
	{ "status", do_kstatus, "NAME",
	  "an instance's state, CPUs and memory, times and health", NULL },
	{ "terminate", do_terminate, "NAME [(-f | --force)]",
	  "stop an instance, as 'kerf kill'", NULL },
	{ "monitor", do_monitor,
	  "[--instance=NAME] [--interval=MS] [--count=N]",
	  "a live view of every instance's health",
	  "Refresh a table of instances in place every MS (1000), until\n"
	  "interrupted, or N times. On a terminal the screen is redrawn;\n"
	  "otherwise each refresh is printed after the last.\n" },
	{ "heartbeat", do_heartbeat, "NAME",
	  "the heartbeat: interval, timeout, beats and the last answer", NULL },
	{ "health", do_health, "NAME [--metrics=cpu,memory,io]",
	  "the latest metrics the instance reported",
	  "CPU: its busy share and CPUs; memory: total and free; the\n"
	  "responsiveness (how long a work item it queued waited) and the\n"
	  "round trip of the heartbeat. Instances do no I/O of their own\n"
	  "yet, so io has no figures.\n" },
	{ "ping", do_ping, "NAME [--count=N]",
	  "wait for the next heartbeat answers, and time them", NULL },
	{ "recover", do_recover, "NAME",
	  "recover an instance now: capture, reclaim, restart",
	  "As if it had failed: its CPUs' registers are saved by NMI into\n"
	  "its vmcore if the policy captures, its resources are taken back\n"
	  "and the same kernel starts again. Counted against the restart\n"
	  "limit. Follow it in 'recovery-log'.\n" },
	{ "vmcore", NULL, "COMMAND", "an instance's crash dump",
	  NULL, kmorph_vmcore_cmds },
	{ "recovery-log", do_recovery_log,
	  "[--instance=NAME] [--since=TIME]",
	  "what the kernel did about failures, with times",
	  "The kernel's recovery log: one line per step, with the time since\n"
	  "boot, the instance, the step and how long it took. Before it, the\n"
	  "lines of earlier boots that kmorphd kept. --since keeps the lines\n"
	  "at or after TIME: a date and time (\"2026-12-07 21:00\"), a time of\n"
	  "today (\"21:00\"), \"10 min ago\", \"-1h\", \"today\", \"yesterday\",\n"
	  "or a bare number, seconds since this boot.\n" },
	{ "policy", NULL, "COMMAND ...",
	  "heartbeat, failure and restart policy of an instance",
	  NULL, kmorph_policy_cmds },
	{ "daemon", NULL, "COMMAND [--config=FILE]",
	  "kmorphd: logs, history, metrics and hooks",
	  NULL, kmorph_daemon_cmds },
	{ "help", do_kmorph_help, "[COMMAND]", "this text, or a command's help" },
	{ NULL },
};

static int do_kmorph_help(int argc, char **argv)
{
	const struct kerf_cmd *c;

	if (argc > 2)
		return kerf_usage("want at most one COMMAND");
	if (argc == 2)
		return kerf_cmd_help_for(kmorph_cmds, argv[1]);
	printf("Usage: kmorphctl [OPTIONS] COMMAND [ARGS]\n\n"
	       "Run multikernel instances, watch their health and recover them.\n\n"
	       "Commands (any unique prefix will do):\n");
	for (c = kmorph_cmds; c->name; c++)
		printf("  %-13s %s\n", c->name, c->summary);
	printf("\nOptions:\n"
	       "  -f, --format=FORMAT     text (the default), json or yaml\n"
	       "  -j, --json              same as --format=json\n"
	       "  -v, --verbose           show the writes and the kernel's answers\n"
	       "  -h, --help              this text; 'kmorphctl COMMAND --help' for one\n\n"
	       "Exit status: 0 ok, 1 runtime failure, 2 usage error, 3 file error.\n"
	       "See kmorphctl(8).\n");
	return KERF_OK;
}

/**
 * kmorph_main - kerf run as kmorphctl
 * @argc: the words after the global options
 * @argv: the words, the command first
 *
 * Return: the exit code.
 */
int kmorph_main(int argc, char **argv)
{
	if (argc < 1) {
		do_kmorph_help(0, NULL);
		return KERF_USAGE;
	}
	return kerf_cmd_run(kmorph_cmds, argc, argv);
}

int kmorph_help(void)
{
	return do_kmorph_help(0, NULL);
}

/**
 * kmorph_instances - the names of the instances, in instances/
 * @n: set to how many
 *
 * Return: an array of names to kmorph_free_names(), or NULL with *@n 0.
 */
char **kmorph_instances(int *n)
{
	char path[256], **names = NULL, **tmp;
	struct dirent *de;
	DIR *d;

	*n = 0;
	snprintf(path, sizeof(path), "%s/instances", kerf_root);
	d = opendir(path);
	if (!d)
		return NULL;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		tmp = realloc(names, (*n + 1) * sizeof(*names));
		if (!tmp)
			break;
		names = tmp;
		names[(*n)++] = strdup(de->d_name);
	}
	closedir(d);
	return names;
}

void kmorph_free_names(char **names, int n)
{
	while (n--)
		free(names[n]);
	free(names);
}

/**
 * kmorph_kv - the value of KEY in a file of "key value" lines
 * @text: the file
 * @key: the key
 * @out: where to copy the value
 * @size: its size
 *
 * Return: true if the key is there.
 */
bool kmorph_kv(const char *text, const char *key, char *out, size_t size)
{
	size_t n = strlen(key);
	const char *p = text;

	while (p && *p) {
		if (!strncmp(p, key, n) && p[n] == ' ') {
			snprintf(out, size, "%.*s", (int)strcspn(p + n + 1, "\n"),
				 p + n + 1);
			return true;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return false;
}

/* A number from "key value" lines, or -1. */
long long kmorph_kv_num(const char *text, const char *key)
{
	char v[64];

	return kmorph_kv(text, key, v, sizeof(v)) ? strtoll(v, NULL, 10) : -1;
}

/**
 * kmorph_file - read an instance's file
 * @name: the instance
 * @file: the file
 *
 * Return: its text to free(), or NULL with errno set.
 */
char *kmorph_file(const char *name, const char *file)
{
	char rel[64 + MK_NAME_MAX];

	snprintf(rel, sizeof(rel), "instances/%s/%s", name, file);
	return kerf_read(rel, NULL);
}

/**
 * kmorph_emit_kv - "key value" lines as members of the current object;
 *	numbers as numbers
 * @text: the lines
 */
void kmorph_emit_kv(const char *text)
{
	char key[64], val[192], *end;
	const char *p = text;
	unsigned long long v;
	int n;

	while (p && *p) {
		n = sscanf(p, "%63s %191[^\n]", key, val);
		if (n == 2) {
			v = strtoull(val, &end, 10);
			if (*end || end == val)
				kerf_emit_str(key, val);
			else
				kerf_emit_uint(key, v);
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
}

/**
 * kmorph_args - parse a command's options and NAME, and mount
 * @argc: the command's words
 * @argv: the words, its name first
 * @opts: its long options; a printable val is also the short option
 * @vals: set for each option to its value, "" without one, or NULL
 * @name: set to the one word that is no option, or NULL
 * @flags: KMORPH_NAME if that word must be there, KMORPH_NAME_MAY if it
 *	may, else it must not;
 *	KMORPH_NO_MOUNT for a command that needs no multikernel filesystem
 *
 * Return: the exit code to stop with, or KERF_OK.
 */
int kmorph_args(int argc, char **argv, const struct option *opts,
		const char **vals, const char **name, int flags)
{
	bool name_needed = flags & KMORPH_NAME;
	char shorts[32] = "", *s = shorts;
	int opt, i;

	for (i = 0; opts[i].name; i++) {
		vals[i] = NULL;
		if (opts[i].val > ' ' && s < shorts + sizeof(shorts) - 3) {
			*s++ = opts[i].val;
			if (opts[i].has_arg)
				*s++ = ':';
		}
	}
	optind = 0;	/* 0: glibc forgets the global options' parse */
	while ((opt = getopt_long(argc, argv, shorts, opts, &i)) != -1) {
		if (opt == '?')
			return kerf_usage(NULL);
		for (i = 0; opts[i].name && opts[i].val != opt; i++)
			;
		vals[i] = optarg ? optarg : "";
	}
	*name = optind < argc ? argv[optind] : NULL;
	if (flags & KMORPH_NAME_MAY)
		name_needed = *name;
	if (argc - optind > 1 || (name_needed && !*name) ||
	    (!name_needed && *name))
		return kerf_usage(name_needed ? "want one NAME" : "want no NAME");
	if (flags & KMORPH_NO_MOUNT)
		return KERF_OK;
	return kerf_mount() ? KERF_INVALID : KERF_OK;
}
