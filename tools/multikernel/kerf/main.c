// SPDX-License-Identifier: GPL-2.0
/*
 * kerf: command table, global options and help.
 */

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "kerf.h"

#define KERF_VERSION	"0.1"

enum kerf_format kerf_format = KERF_TEXT;
bool kerf_verbose;

static int do_help(int argc, char **argv);

static const struct kerf_cmd kerf_cmds[] = {
	{ "check", do_check,
	  "check FILE.dts|.dtb [OVERLAY.dtso|.dtbo ...]\n"
	  "\t\tvalidate offline, with the kernel's own validator" },
	{ "init", do_init,
	  "init (--input=FILE | --cpus=LIST) [--apply] [--report]\n"
	  "\t\tcheck a baseline, or build one from this machine" },
	{ "create", do_create,
	  "create NAME (--cpus=LIST | --cpu-count=N) --memory=SIZE [...]\n"
	  "\t\tcreate an instance; 'kerf create --help' for all options" },
	{ "update", do_update,
	  "update NAME [--cpus=LIST] [--memory=SIZE] [--devices=LIST] [...]\n"
	  "\t\tchange an instance; 'kerf update --help' for all options" },
	{ "show", do_show, "show [NAME]\tthe pool, what is free, instances, transactions" },
	{ "delete", do_delete,
	  "delete NAME\troll back the transactions that built NAME" },
	{ "rollback", do_rollback, "rollback TX\troll back one transaction" },
	{ "policy", do_policy,
	  "policy { show | load FILE.bpf.o | unload }\n"
	  "\t\tthe placement policy: built-in, or one written in BPF" },
	{ "help", do_help, "help\t\tthis text" },
	{ NULL, NULL, NULL },
};

void kerf_err(const char *fmt, ...)
{
	va_list ap;

	fputs("kerf: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* With --verbose: what kerf does on the way, on stderr. */
void kerf_info(const char *fmt, ...)
{
	va_list ap;

	if (!kerf_verbose)
		return;
	fputs("kerf: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int do_help(int argc, char **argv)
{
	const struct kerf_cmd *c;

	printf("Usage: kerf [OPTIONS] COMMAND [ARGS]\n\n"
	       "Manage multikernel instances through /sys/fs/multikernel.\n\n"
	       "Commands:\n");
	for (c = kerf_cmds; c->name; c++)
		printf("  %s\n", c->usage);
	printf("\nOptions:\n"
	       "  -f, --format=FORMAT     text (the default), json or yaml\n"
	       "  -j, --json              same as --format=json\n"
	       "  -v, --verbose           show the dtc runs, the writes and the\n"
	       "                          kernel's answers as they are\n"
	       "  -V, --version           print the version\n"
	       "  -h, --help              this text; 'kerf CMD --help' for one command\n\n"
	       "Exit status: 0 ok, 1 validation or runtime failure, 2 usage error,\n"
	       "3 file error. Messages go to stderr, data to stdout. See kerf(8).\n");
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
	const struct kerf_cmd *c;
	int opt;

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
			printf("kerf %s\n", KERF_VERSION);
			return KERF_OK;
		case 'h':
			return do_help(0, NULL);
		default:
			return KERF_USAGE;
		}
	}
	if (optind >= argc) {
		do_help(0, NULL);
		return KERF_USAGE;
	}
	for (c = kerf_cmds; c->name; c++)
		if (!strcmp(argv[optind], c->name))
			return c->func(argc - optind, argv + optind);
	kerf_err("unknown command '%s'; see kerf --help", argv[optind]);
	return KERF_USAGE;
}
