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

/* Why the kernel refused to roll a transaction back. */
struct kerf_refusal {
	int id;
	char *status;		/* the transaction's status file */
	void *tree;		/* the state the findings are about */
	size_t size;
};

/* Roll back transaction @id; on -EBUSY fill @why. 0 or a negative errno. */
static int kerf_rollback_one(int id, struct kerf_refusal *why)
{
	char path[512], rel[64];
	int err;

	snprintf(path, sizeof(path), "%s/overlays/tx_%d", kerf_root, id);
	if (!rmdir(path)) {
		if (kerf_structured())
			kerf_emit_uint(NULL, id);
		else
			printf("rolled back tx_%d\n", id);
		return 0;
	}
	err = -errno;
	if (err == -ENOENT)
		kerf_err("no transaction tx_%d", id);
	else if (err != -EBUSY)
		kerf_err("rmdir %s: %s", path, strerror(-err));
	if (err != -EBUSY)
		return err;
	/* The kernel keeps why in the transaction's status. */
	snprintf(rel, sizeof(rel), "overlays/tx_%d/status", id);
	why->id = id;
	why->status = kerf_read(rel, NULL);
	why->tree = kerf_read("device_tree", &why->size);
	return err;
}

static void kerf_explain_refusal(struct kerf_refusal *why)
{
	static const char mark[] = "rollback refused:\n";
	char *text = why->status ? strstr(why->status, mark) : NULL;
	char tx[32];

	snprintf(tx, sizeof(tx), "tx_%d", why->id);
	if (kerf_structured()) {
		kerf_emit_str("refused", tx);
		kerf_emit_str("errno", "EBUSY");
	}
	kerf_explain_text(text ? text + strlen(mark) : NULL, why->tree,
			  why->size, NULL, NULL);
	kerf_err("%s cannot be rolled back: what is left would not be valid", tx);
	free(why->status);
	free(why->tree);
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

/*
 * The body of rollback and delete: roll back the @n transactions @ids,
 * last first, stopping at the first refusal; with @name, only those that
 * touched instance @name. As JSON or YAML: {rolled_back: [ids], result,
 * and on a refusal: refused, errno, findings}. Returns the exit code.
 */
static int kerf_rollbacks(const int *ids, int n, const char *name)
{
	struct kerf_refusal why = {};
	int i, ret = 0, done = 0;

	if (kerf_structured()) {
		kerf_emit_begin();
		kerf_emit_array("rolled_back");
	}
	for (i = n - 1; i >= 0 && !ret; i--) {
		if (name && !kerf_tx_touches(ids[i], name))
			continue;
		ret = kerf_rollback_one(ids[i], &why);
		done += !ret;
	}
	if (kerf_structured()) {
		kerf_emit_close();
		kerf_emit_str("result", ret ? "refused" : "ok");
	}
	if (why.id)
		kerf_explain_refusal(&why);
	if (kerf_structured())
		kerf_emit_close();
	if (ret && done)
		kerf_err("%d transaction%s of %s were rolled back before that",
			 done, done == 1 ? "" : "s", name);
	if (!ret && name && !kerf_structured())
		printf("deleted %s\n", name);
	return ret ? KERF_INVALID : KERF_OK;
}

int do_rollback(int argc, char **argv)
{
	int id = argc == 2 ? kerf_parse_tx(argv[1]) : -EINVAL;

	if (id < 0)
		return kerf_usage("want one TX: tx_N or N");
	if (kerf_mount())
		return KERF_INVALID;
	return kerf_rollbacks(&id, 1, NULL);
}

int do_delete(int argc, char **argv)
{
	int n, *ids, ret;
	char rel[128], *probe;

	if (argc != 2 || argv[1][0] == '-')
		return kerf_usage("want one NAME");
	if (kerf_mount())
		return KERF_INVALID;
	snprintf(rel, sizeof(rel), "instances/%s/id", argv[1]);
	probe = kerf_read(rel, NULL);
	if (!probe) {
		kerf_err("no instance '%s'", argv[1]);
		return KERF_INVALID;
	}
	free(probe);

	ids = kerf_list_txs(&n);
	ret = kerf_rollbacks(ids, n, argv[1]);
	free(ids);
	return ret;
}
