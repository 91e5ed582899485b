// SPDX-License-Identifier: GPL-2.0
/*
 * Command tables, as bpftool's: a command is found by its name or by any
 * prefix that names no other one, may have a table of subcommands of its
 * own, and has its help in the table. "--help" or "-h" anywhere among a
 * command's arguments prints that help and runs nothing.
 */

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "kerf.h"

/* The command being run and the words that named it, for kerf_usage(). */
static const struct kerf_cmd *kerf_current;
static char kerf_words[64] = "kerf";
const char *kerf_prog = "kerf";

/* @word's command in @cmds: exactly, or the only one it is a prefix of. */
static const struct kerf_cmd *kerf_cmd_find(const struct kerf_cmd *cmds,
					    const char *word)
{
	const struct kerf_cmd *c, *found = NULL;
	size_t n = strlen(word);

	for (c = cmds; c->name; c++)
		if (!strcmp(c->name, word))
			return c;
	for (c = cmds; n && c->name; c++) {
		if (strncmp(c->name, word, n))
			continue;
		if (found) {
			kerf_err("'%s' is ambiguous: %s or %s; see '%s --help'",
				 word, found->name, c->name, kerf_words);
			return NULL;
		}
		found = c;
	}
	if (!found)
		kerf_err("unknown command '%s'; see '%s --help'", word,
			 kerf_words);
	return found;
}

static bool kerf_wants_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return true;
	return false;
}

/* "Usage: kerf WORDS ARGS" */
static void kerf_synopsis(FILE *out, const struct kerf_cmd *c)
{
	fprintf(out, "Usage: %s%s%s\n", kerf_words, c->args ? " " : "",
		c->args ? c->args : "");
}

static void kerf_subcommands(FILE *out, const struct kerf_cmd *c)
{
	const struct kerf_cmd *s;

	if (!c->sub)
		return;
	fprintf(out, "\nCommands:\n");
	for (s = c->sub; s->name; s++)
		fprintf(out, "  %-10s %s\n", s->name, s->summary);
}

/**
 * kerf_cmd_help - print a command's whole help
 * @out: where
 * @c: the command, which kerf_cmd_run() found
 */
void kerf_cmd_help(FILE *out, const struct kerf_cmd *c)
{
	kerf_synopsis(out, c);
	fprintf(out, "\n%s\n", c->summary);
	if (c->help)
		fprintf(out, "\n%s", c->help);
	kerf_subcommands(out, c);
}

/**
 * kerf_usage - refuse the arguments the current command was given
 * @fmt: what is wrong with them, or NULL to say nothing more
 *
 * Return: KERF_USAGE, for the command to exit with.
 */
int kerf_usage(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
		kerf_err("%s", msg);
	}
	if (kerf_current) {
		kerf_synopsis(stderr, kerf_current);
		kerf_subcommands(stderr, kerf_current);
		fprintf(stderr, "See '%s --help'.\n", kerf_words);
	}
	return KERF_USAGE;
}

static void kerf_words_add(const char *name)
{
	size_t len = strlen(kerf_words);

	snprintf(kerf_words + len, sizeof(kerf_words) - len, " %s", name);
}

/**
 * kerf_cmd_help_for - "kerf help NAME": print the help of a top-level command
 * @cmds: the top-level table
 * @name: the command, or a unique prefix of it
 *
 * Return: the exit code.
 */
int kerf_cmd_help_for(const struct kerf_cmd *cmds, const char *name)
{
	const struct kerf_cmd *c;

	snprintf(kerf_words, sizeof(kerf_words), "%s", kerf_prog);
	c = kerf_cmd_find(cmds, name);
	if (!c)
		return KERF_USAGE;
	kerf_words_add(c->name);
	kerf_cmd_help(stdout, c);
	return KERF_OK;
}

/**
 * kerf_cmd_run - run the command that @argv[0] names in @cmds
 * @cmds: the table, ended by an entry without a name
 * @argc: the words from the command's name on
 * @argv: the words
 *
 * A command with subcommands runs its own function only when no
 * subcommand follows it.
 *
 * Return: the exit code.
 */
int kerf_cmd_run(const struct kerf_cmd *cmds, int argc, char **argv)
{
	const struct kerf_cmd *c;

	if (!kerf_current)
		snprintf(kerf_words, sizeof(kerf_words), "%s", kerf_prog);
	c = kerf_cmd_find(cmds, argv[0]);

	if (!c)
		return KERF_USAGE;
	kerf_words_add(c->name);
	kerf_current = c;
	if (c->sub && argc > 1 && argv[1][0] != '-')
		return kerf_cmd_run(c->sub, argc - 1, argv + 1);
	if (kerf_wants_help(argc, argv)) {
		kerf_cmd_help(stdout, c);
		return KERF_OK;
	}
	if (!c->func)
		return kerf_usage("%s needs a command", kerf_words);
	return c->func(argc, argv);
}
