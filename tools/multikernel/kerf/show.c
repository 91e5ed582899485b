// SPDX-License-Identifier: GPL-2.0
/*
 * kerf show [NAME]: the pool, what is free, each instance and the
 * transactions, from what the kernel holds.
 */

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kerf.h"

static void show_cpus(const char *key, const unsigned long *bits)
{
	char buf[1024];

	mk_bits_format(buf, sizeof(buf), bits, MK_MAX_CPUS);
	if (kerf_structured())
		kerf_emit_str(key, buf);
	else
		printf("%-14s %s\n", key, buf);
}

static void show_instance(const struct mk_state *st, const struct mk_instance *in)
{
	char cpus[1024], dev[MK_NAME_MAX + 16], *status = kerf_instance_status(in->name);
	char since[64] = "";
	long hello_ms, uptime_s;
	u32 i;

	mk_bits_format(cpus, sizeof(cpus), in->cpus.bits, MK_MAX_CPUS);
	kerf_instance_times(in->name, &hello_ms, &uptime_s);
	if (uptime_s >= 0)
		snprintf(since, sizeof(since), " for %ld s (HELLO %ld ms after exec)",
			 uptime_s, hello_ms);
	/* Structured, the members of an object the caller opened. */
	if (kerf_structured()) {
		kerf_emit_str("name", in->name);
		kerf_emit_uint("id", in->id);
		kerf_emit_str("status", status ? status : "");
		if (uptime_s >= 0) {
			kerf_emit_uint("uptime_s", uptime_s);
			kerf_emit_uint("hello_ms", hello_ms);
		}
		kerf_emit_str("cpus", cpus);
		kerf_emit_uint("memory_base", in->mem_base);
		kerf_emit_uint("memory_bytes", in->mem_bytes);
		kerf_emit_array("devices");
	} else {
		printf("\n%s (id %u): %s%s\n  cpus    %s\n  memory  %#llx+%#llx\n  devices",
		       in->name, in->id, status ? status : "?", since, cpus,
		       in->mem_base, in->mem_bytes);
	}
	for (i = 0; i < in->ndevs; i++) {
		const struct mk_device *d = &st->pool.devices[in->devs[i].dev];
		int n;

		n = snprintf(dev, sizeof(dev), "%s", d->label ? d->label : d->name);
		if (in->devs[i].part >= 0)
			snprintf(dev + n, sizeof(dev) - n, ":%s%d",
				 d->part_kind == MK_PARTS_NAMESPACE ? "ns" : "vf",
				 in->devs[i].part);
		if (kerf_structured())
			kerf_emit_str(NULL, dev);
		else
			printf(" %s", dev);
	}
	if (kerf_structured())
		kerf_emit_close();
	else
		printf("%s\n", in->ndevs ? "" : " none");
	free(status);
}

static int show_tx_cmp(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* The applied transactions, in order; *@n set. */
int *kerf_list_txs(int *n)
{
	char path[512];
	struct dirent *de;
	int *ids = NULL, *tmp, id;
	DIR *dir;

	*n = 0;
	snprintf(path, sizeof(path), "%s/overlays", kerf_root);
	dir = opendir(path);
	if (!dir)
		return NULL;
	while ((de = readdir(dir))) {
		if (sscanf(de->d_name, "tx_%d", &id) != 1)
			continue;
		tmp = realloc(ids, (*n + 1) * sizeof(*ids));
		if (!tmp)
			break;
		ids = tmp;
		ids[(*n)++] = id;
	}
	closedir(dir);
	if (ids)
		qsort(ids, *n, sizeof(*ids), show_tx_cmp);
	return ids;
}

static void show_txs(void)
{
	int i, n, *ids = kerf_list_txs(&n);
	char rel[64], *names, *p;

	if (kerf_structured())
		kerf_emit_array("transactions");
	else
		printf("\ntransactions:%s\n", n ? "" : " none");
	for (i = 0; i < n; i++) {
		snprintf(rel, sizeof(rel), "overlays/tx_%d/instances", ids[i]);
		names = kerf_read(rel, NULL);
		for (p = names; p && *p; p++)
			if (*p == '\n')
				*p = p[1] ? ',' : '\0';
		if (kerf_structured()) {
			kerf_emit_object(NULL);
			kerf_emit_uint("id", ids[i]);
			kerf_emit_str("instances", names ? names : "");
			kerf_emit_close();
		} else {
			printf("  tx_%d  %s\n", ids[i], names ? names : "");
		}
		free(names);
	}
	if (kerf_structured())
		kerf_emit_close();
	free(ids);
}

int do_show(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : NULL;
	struct mk_cpus *free_cpus;
	struct mk_span spans[64];
	struct mk_state st;
	void *tree;
	int err, n, i;
	u32 k;

	if (argc > 2)
		return kerf_usage("want at most one NAME");
	if (kerf_mount())
		return KERF_INVALID;
	err = kerf_state(&st, &tree);
	if (err == -ENODATA) {
		if (kerf_structured()) {
			kerf_emit_begin();
			kerf_emit_bool("baseline", false);
			kerf_emit_close();
		} else {
			printf("no baseline yet: kerf init --input=FILE --apply\n");
		}
		return name ? KERF_INVALID : KERF_OK;
	}
	if (err) {
		kerf_err("cannot read the state: %s", strerror(-err));
		return KERF_INVALID;
	}

	if (name) {
		for (k = 0; k < st.ninstances; k++)
			if (!strcmp(st.instances[k].name, name))
				break;
		if (k == st.ninstances) {
			kerf_err("no instance '%s'", name);
			err = KERF_INVALID;
			goto out;
		}
		if (kerf_structured())
			kerf_emit_begin();
		show_instance(&st, &st.instances[k]);
		if (kerf_structured())
			kerf_emit_close();
		goto out;
	}

	free_cpus = calloc(1, sizeof(*free_cpus));
	if (!free_cpus) {
		err = KERF_INVALID;
		goto out;
	}
	mk_free_cpus(&st, NULL, free_cpus);
	if (kerf_structured()) {
		kerf_emit_begin();
		kerf_emit_bool("baseline", true);
	}
	show_cpus("pool_cpus", st.pool.available.bits);
	show_cpus("free_cpus", free_cpus->bits);
	free(free_cpus);
	n = mk_free_memory(&st, spans, 64);
	if (kerf_structured()) {
		kerf_emit_object("memory_pool");
		kerf_emit_uint("start", st.pool.pool_base);
		kerf_emit_uint("end", st.pool.pool_base + st.pool.pool_bytes);
		kerf_emit_close();
		kerf_emit_array("free_memory");
		for (i = 0; i < n && i < 64; i++) {
			kerf_emit_object(NULL);
			kerf_emit_uint("start", spans[i].start);
			kerf_emit_uint("end", spans[i].end);
			kerf_emit_close();
		}
		kerf_emit_close();
		kerf_emit_array("instances");
	} else {
		printf("%-14s %#llx-%#llx\n%-14s", "memory_pool", st.pool.pool_base,
		       st.pool.pool_base + st.pool.pool_bytes, "free_memory");
		for (i = 0; i < n && i < 64; i++)
			printf(" %#llx-%#llx", spans[i].start, spans[i].end);
		printf("%s\n", n ? "" : " none");
	}
	for (k = 0; k < st.ninstances; k++) {
		if (kerf_structured())
			kerf_emit_object(NULL);
		show_instance(&st, &st.instances[k]);
		if (kerf_structured())
			kerf_emit_close();
	}
	if (kerf_structured())
		kerf_emit_close();
	show_txs();
	if (kerf_structured())
		kerf_emit_close();
out:
	mk_state_free(&st);
	free(tree);
	return err;
}
