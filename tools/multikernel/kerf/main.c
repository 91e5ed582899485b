// SPDX-License-Identifier: GPL-2.0
/*
 * kerf: the command table, global options and the top-level help.
 */

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "kerf.h"
#include "kmorph.h"
#include "kmorphd.h"

#define KERF_VERSION	"0.1"

enum kerf_format kerf_format = KERF_TEXT;
bool kerf_verbose;

static int do_help(int argc, char **argv);

static const struct kerf_cmd kerf_cmds[] = {
	{ "check", do_check, "FILE.dts|.dtb [OVERLAY.dtso|.dtbo ...]",
	  "validate offline, with the kernel's own validator",
	  "Validate FILE, a baseline or a whole state with instances, then\n"
	  "apply each OVERLAY in order as the kernel would, placing what\n"
	  "they leave to it. Source is compiled with dtc -@.\n" },
	{ "init", do_init,
	  "(--input=FILE.dts|.dtb | --cpus=LIST [--memory=SIZE[@BASE]]\n"
	  "\t[--devices=DEV,...]) [--apply] [--report]",
	  "check a baseline, or build one from this machine",
	  "Check FILE as a baseline, the resource pool, offline; with\n"
	  "--apply, write it to the kernel, which also checks it against\n"
	  "this machine. Without --apply nothing is written. --report\n"
	  "prints the hardware inventory and how much is in the pool.\n"
	  "--cpus builds the baseline from this machine instead: its\n"
	  "present CPUs, LIST in the pool, the memory reserved with\n"
	  "multikernel_pool= (or SIZE of it, from BASE), and the PCI devices DEV:\n"
	  "[LABEL=]ADDRESS, a network interface or an NVMe controller,\n"
	  "with their SR-IOV VFs or NVMe namespaces.\n" },
	{ "create", do_create,
	  "NAME (--cpus=LIST | --cpu-count=N) --memory=SIZE\n"
	  "\t[--memory-base=ADDR] [--devices=eth0:vf1,nvme0:ns2,gpu0]\n"
	  "\t[--numa-nodes=LIST] [--cpu-affinity=compact|spread|local]\n"
	  "\t[--memory-policy=local|interleave|bind] [--id=N]\n"
	  "\t[--doorbell-cpu=N] [--dry-run]",
	  "create an instance",
	  "Create instance NAME, as one transaction; NAME may come before or\n"
	  "after the options. SIZE: 512M, 2G, 2GB, 2GiB, hex or bytes.\n"
	  "--doorbell-cpu names the host CPU its doorbells ring once it runs.\n"
	  "--dry-run checks against the current state and writes nothing.\n" },
	{ "update", do_update,
	  "NAME [--cpus=LIST] [--memory=SIZE] [--memory-base=ADDR]\n"
	  "\t[--devices=LIST] [--numa-nodes=LIST] [--cpu-affinity=POLICY]\n"
	  "\t[--memory-policy=POLICY] [--dry-run]",
	  "change an instance",
	  "Change instance NAME, as one transaction that 'kerf rollback'\n"
	  "undoes. Only what is given changes; --devices replaces the\n"
	  "whole list ('--devices=' empties it). CPUs the kernel placed\n"
	  "for a cpu-count are changed with --cpus, which keeps the\n"
	  "cpu-count in step.\n"
	  "--dry-run checks against the current state and writes nothing.\n" },
	{ "load", do_load,
	  "(NAME | --id=N) (-k | --kernel)=FILE [(-i | --initrd)=FILE]\n"
	  "\t[(-c | --cmdline)=TEXT] [(-v | --verbose)]",
	  "give an instance the kernel it is to run",
	  "Read FILE, a relocatable 64-bit x86 bzImage, and keep it, with the\n"
	  "initrd and command line, as what instance NAME runs. The kernel\n"
	  "reads the files itself, so IMA and lockdown apply; it refuses an\n"
	  "image that is no bzImage (ENOEXEC), one whose init_size does not\n"
	  "fit the instance's memory (EFBIG) and a command line longer than\n"
	  "the image takes (E2BIG). A new load replaces the old one.\n" },
	{ "unload", do_unload, "NAME", "drop the kernel loaded for an instance",
	  "Drop what 'kerf load' gave instance NAME. Refused (EBUSY) while\n"
	  "it runs.\n" },
	{ "exec", do_exec, "NAME [--console]",
	  "start the kernel loaded into an instance",
	  "Start the kernel loaded into instance NAME on its CPUs and\n"
	  "memory, and wait until it says HELLO: then it runs. The CPUs\n"
	  "leave the host until the instance stops. An instance that says\n"
	  "no HELLO within multikernel.hello_timeout_ms fails (ETIMEDOUT)\n"
	  "and gives its CPUs back. --console then attaches to its console.\n" },
	{ "kill", do_kill, "NAME [(-f | --force)]",
	  "stop an instance's kernel and take its CPUs back",
	  "Ask instance NAME to power off, as its power button would, and\n"
	  "wait for it; --force, or no answer within\n"
	  "multikernel.kill_timeout_ms, stops its CPUs at once. Either way\n"
	  "its memory is zeroed and its CPUs come back to the host.\n" },
	{ "console", do_console, "NAME [(-n | --no-follow)] [(-r | --raw)]",
	  "the console of an instance: its log, and input",
	  "Print what instance NAME wrote to its console (hvc0) since its\n"
	  "last exec, which the host keeps after it stops; then, while it\n"
	  "runs, go on printing and send what is typed, line by line, until\n"
	  "input ends. --no-follow prints the log and returns. Control\n"
	  "characters other than newline and tab, bytes that are not UTF-8,\n"
	  "and backslashes are printed escaped (\\xNN, \\\\), so that the\n"
	  "instance cannot drive the terminal; --raw prints the bytes as\n"
	  "they are.\n" },
	{ "show", do_show, "[NAME]",
	  "the pool, what is free, instances, transactions",
	  "Show the pool, what is free, each instance and the\n"
	  "transactions; or only instance NAME.\n" },
	{ "delete", do_delete, "NAME",
	  "roll back the transactions that built NAME",
	  "Remove instance NAME by rolling back, newest first, the\n"
	  "transactions that built it.\n" },
	{ "rollback", do_rollback, "TX", "roll back one transaction",
	  "Roll back transaction TX (tx_N or N), as rmdir of\n"
	  "overlays/tx_N does.\n" },
	{ "policy", do_policy, "[COMMAND]",
	  "the placement policy: built-in, or one written in BPF",
	  "The placement policy decides where instances that give only\n"
	  "cpu-count, or no memory-base, are placed. Without a BPF policy\n"
	  "the built-in ones decide (see cpu-affinity, memory-policy).\n"
	  "Without a COMMAND, show.\n", kerf_policy_cmds },
	{ "help", do_help, "[COMMAND]", "this text, or a command's help" },
	{ NULL },
};

static int do_help(int argc, char **argv)
{
	const struct kerf_cmd *c;

	if (argc > 2)
		return kerf_usage("want at most one COMMAND");
	if (argc == 2)
		return kerf_cmd_help_for(kerf_cmds, argv[1]);
	printf("Usage: kerf [OPTIONS] COMMAND [ARGS]\n\n"
	       "Manage multikernel instances through /sys/fs/multikernel.\n\n"
	       "Commands (any unique prefix will do):\n");
	for (c = kerf_cmds; c->name; c++)
		printf("  %-10s %s\n", c->name, c->summary);
	printf("\nOptions:\n"
	       "  -f, --format=FORMAT     text (the default), json or yaml\n"
	       "  -j, --json              same as --format=json\n"
	       "  -v, --verbose           show the dtc runs, the writes and the\n"
	       "                          kernel's answers as they are\n"
	       "  -V, --version           print the version\n"
	       "  -h, --help              this text; 'kerf COMMAND --help' for one\n\n"
	       "Exit status: 0 ok, 1 validation or runtime failure, 2 usage error,\n"
	       "3 file error. Messages go to stderr, data to stdout; with\n"
	       "--format, an error that stops a command before it has a result is\n"
	       "an object on stdout too. See kerf(8).\n");
	return KERF_OK;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format",	required_argument,	NULL, 'f' },
		{ "json",	no_argument,		NULL, 'j' },
		{ "verbose",	no_argument,		NULL, 'v' },
		{ "version",	no_argument,		NULL, 'V' },
		{ "help",	no_argument,		NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *base = strrchr(argv[0], '/');
	bool kmorph;
	int opt, ret;

	/* One binary, three names: kmorphctl has the runtime's commands. */
	if (!strcmp(base ? base + 1 : argv[0], "kmorphd"))
		return kmorphd_main(argc, argv);
	kmorph = !strcmp(base ? base + 1 : argv[0], "kmorphctl");
	if (kmorph)
		kerf_prog = "kmorphctl";
	/* Options stop at the command: the rest are the command's. */
	while ((opt = getopt_long(argc, argv, "+f:jvVh", opts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			if (!strcmp(optarg, "json")) {
				kerf_format = KERF_JSON;
			} else if (!strcmp(optarg, "yaml")) {
				kerf_format = KERF_YAML;
			} else if (strcmp(optarg, "text")) {
				kerf_err("unknown format '%s': text, json or yaml", optarg);
				return KERF_USAGE;
			}
			break;
		case 'j':
			kerf_format = KERF_JSON;
			break;
		case 'v':
			kerf_verbose = true;
			break;
		case 'V':
			printf("%s %s\n", kerf_prog, KERF_VERSION);
			return KERF_OK;
		case 'h':
			return kmorph ? kmorph_help() : do_help(0, NULL);
		default:
			return KERF_USAGE;
		}
	}
	if (optind >= argc) {
		if (kmorph)
			kmorph_help();
		else
			do_help(0, NULL);
		return KERF_USAGE;
	}
	if (kmorph)
		ret = kmorph_main(argc - optind, argv + optind);
	else
		ret = kerf_cmd_run(kerf_cmds, argc - optind, argv + optind);
	kerf_emit_failure(ret);
	return ret;
}
