// SPDX-License-Identifier: GPL-2.0
/*
 * kerf rollback TX and kerf delete NAME: undo transactions.
 */

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kerf.h"

/* Roll back transaction @id; explain a refusal. Return a KERF_* code. */
static int kerf_rollback_one(int id)
{
	char path[512], rel[64], *status, *why;
	size_t size;
	void *tree;

	snprintf(path, sizeof(path), "%s/overlays/tx_%d", kerf_root, id);
	if (!rmdir(path)) {
		printf("rolled back tx_%d\n", id);
		return KERF_OK;
	}
	if (errno == ENOENT) {
		kerf_err("no transaction tx_%d", id);
		return KERF_INVALID;
	}
	if (errno != EBUSY) {
		kerf_err("rmdir %s: %s", path, strerror(errno));
		return KERF_INVALID;
	}
	/* The kernel keeps why in the transaction's status. */
	snprintf(rel, sizeof(rel), "overlays/tx_%d/status", id);
	status = kerf_read(rel, NULL);
	why = status ? strstr(status, "rollback refused:\n") : NULL;
	tree = kerf_read("device_tree", &size);
	kerf_explain_text(why ? why + strlen("rollback refused:\n") : NULL,
			  tree, size, NULL, NULL);
	kerf_err("tx_%d cannot be rolled back: what is left would not be valid",
		 id);
	free(status);
	free(tree);
	return KERF_INVALID;
}

/* "tx_N" or "N", and nothing else. */
static int kerf_parse_tx(const char *arg)
{
	char *end;
	long id;

	if (!strncmp(arg, "tx_", 3))
		arg += 3;
	id = strtol(arg, &end, 10);
	return *arg && !*end && id > 0 && id <= INT_MAX ? id : -1;
}

int do_rollback(int argc, char **argv)
{
	int id = argc == 2 ? kerf_parse_tx(argv[1]) : -1;

	if (id < 0) {
		fprintf(stderr, "Usage: kerf rollback TX\n\n"
			"Roll back transaction TX (tx_N or N), as rmdir of\n"
			"overlays/tx_N does.\n");
		return argc == 2 && !strcmp(argv[1], "--help") ? KERF_OK : KERF_USAGE;
	}
	return kerf_mount() ?: kerf_rollback_one(id);
}

/* Does transaction @id list instance @name? */
static bool kerf_tx_touches(int id, const char *name)
{
	char rel[64], *names, *line, *save;
	bool hit = false;

	snprintf(rel, sizeof(rel), "overlays/tx_%d/instances", id);
	names = kerf_read(rel, NULL);
	for (line = names ? strtok_r(names, "\n", &save) : NULL; line && !hit;
	     line = strtok_r(NULL, "\n", &save))
		hit = !strcmp(line, name);
	free(names);
	return hit;
}

int do_delete(int argc, char **argv)
{
	int i, n, *ids, ret = KERF_OK, done = 0;
	char rel[128], *probe;

	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "Usage: kerf delete NAME\n\n"
			"Remove instance NAME by rolling back, newest first, the\n"
			"transactions that built it.\n");
		return argc == 2 && !strcmp(argv[1], "--help") ? KERF_OK : KERF_USAGE;
	}
	ret = kerf_mount();
	if (ret)
		return ret;
	snprintf(rel, sizeof(rel), "instances/%s/id", argv[1]);
	probe = kerf_read(rel, NULL);
	if (!probe) {
		kerf_err("no instance '%s'", argv[1]);
		return KERF_INVALID;
	}
	free(probe);

	ids = kerf_list_txs(&n);
	for (i = n - 1; i >= 0 && ret == KERF_OK; i--) {
		if (!kerf_tx_touches(ids[i], argv[1]))
			continue;
		ret = kerf_rollback_one(ids[i]);
		done += ret == KERF_OK;
	}
	free(ids);
	if (ret && done)
		kerf_err("%d transaction%s of %s were rolled back before that",
			 done, done == 1 ? "" : "s", argv[1]);
	if (!ret)
		printf("deleted %s\n", argv[1]);
	return ret;
}
