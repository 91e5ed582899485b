// SPDX-License-Identifier: GPL-2.0
/*
 * kerf load and kerf unload: give an instance the kernel it is to run, or
 * take it back. kerf opens the files; the kernel reads them through the
 * descriptors, as kexec_file_load() does, so IMA and lockdown apply.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kerf.h"

struct load_args {
	const char *name;
	const char *kernel;
	const char *initrd;
	const char *cmdline;
	char byid[MK_NAME_MAX + 1];	/* the name, found by --id */
	long id;			/* --id, or -1 */
};

/* The instance whose id file says @id; 0, or -ENOENT. */
static int load_name_of(long id, char *name, size_t size)
{
	char rel[300], *s;
	struct dirent *d;
	int err = -ENOENT;
	char path[256];
	DIR *dir;

	snprintf(path, sizeof(path), "%s/instances", kerf_root);
	dir = opendir(path);
	if (!dir)
		return -errno;
	while (err && (d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(rel, sizeof(rel), "instances/%s/id", d->d_name);
		s = kerf_read(rel, NULL);
		if (s && strtol(s, NULL, 10) == id && strlen(d->d_name) < size) {
			memcpy(name, d->d_name, strlen(d->d_name) + 1);
			err = 0;
		}
		free(s);
	}
	closedir(dir);
	return err;
}

static int load_parse(int argc, char **argv, struct load_args *a)
{
	static const struct option opts[] = {
		{ "kernel",	required_argument,	NULL, 'k' },
		{ "initrd",	required_argument,	NULL, 'i' },
		{ "cmdline",	required_argument,	NULL, 'c' },
		{ "id",		required_argument,	NULL, 'I' },
		{ "verbose",	no_argument,		NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	int opt, names;
	char *end;

	/* 0, not 1: glibc then forgets the parse of the global options. */
	optind = 0;
	while ((opt = getopt_long(argc, argv, "k:i:c:v", opts, NULL)) != -1) {
		switch (opt) {
		case 'k':
			a->kernel = optarg;
			break;
		case 'i':
			a->initrd = optarg;
			break;
		case 'c':
			a->cmdline = optarg;
			break;
		case 'v':
			/* The seed puts it after the command. */
			kerf_verbose = true;
			break;
		case 'I':
			a->id = strtol(optarg, &end, 0);
			if (!*optarg || *end || a->id < 0)
				return kerf_usage("--id=%s: want an instance id", optarg);
			break;
		default:
			return kerf_usage(NULL);
		}
	}
	names = a->id < 0 ? 1 : 0;
	if (optind != argc - names)
		return kerf_usage("want one NAME, or --id=N");
	a->name = a->id < 0 ? argv[optind] : NULL;
	if (!a->kernel)
		return kerf_usage("want --kernel=FILE");
	if (a->cmdline && strchr(a->cmdline, '\n'))
		return kerf_usage("--cmdline: one line");
	return KERF_OK;
}

/* Open @path for the kernel to read; -1 with the reason said. */
static int load_open(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		kerf_err("%s: %s", path, strerror(errno));
	return fd;
}

/* Write the load line for @a's open files; explain a refusal. */
static int load_write(const struct load_args *a, int kfd, int ifd)
{
	char rel[64 + MK_NAME_MAX], line[4096], ifds[16] = "-", *result;
	int err;

	if (ifd >= 0)
		snprintf(ifds, sizeof(ifds), "%d", ifd);
	if (snprintf(line, sizeof(line), "%d %s %s", kfd, ifds,
		     a->cmdline ? a->cmdline : "") >= (int)sizeof(line)) {
		kerf_err("--cmdline: too long");
		return KERF_USAGE;
	}
	snprintf(rel, sizeof(rel), "instances/%s/load", a->name);
	err = kerf_write(rel, line, strlen(line), &result);
	if (err == -ENOENT) {
		kerf_err("no instance '%s'", a->name);
	} else if (err) {
		kerf_refused(a->name, false, err, result, NULL, 0, NULL, NULL);
	} else {
		kerf_accepted("loaded %s into %s%s%s", a->kernel, a->name,
			      a->initrd ? " with initrd " : "",
			      a->initrd ? a->initrd : "");
	}
	free(result);
	return err ? KERF_INVALID : KERF_OK;
}

int do_load(int argc, char **argv)
{
	struct load_args a = { .id = -1 };
	int ret, kfd, ifd = -1;

	ret = load_parse(argc, argv, &a);
	if (ret)
		return ret;
	if (kerf_mount())
		return KERF_INVALID;
	if (a.id >= 0) {
		if (load_name_of(a.id, a.byid, sizeof(a.byid))) {
			kerf_err("no instance with id %ld", a.id);
			return KERF_INVALID;
		}
		a.name = a.byid;
	}
	kfd = load_open(a.kernel);
	if (kfd < 0)
		return KERF_FILE;
	if (a.initrd) {
		ifd = load_open(a.initrd);
		if (ifd < 0) {
			close(kfd);
			return KERF_FILE;
		}
	}
	ret = load_write(&a, kfd, ifd);
	close(kfd);
	if (ifd >= 0)
		close(ifd);
	return ret;
}

int do_unload(int argc, char **argv)
{
	char rel[64 + MK_NAME_MAX], *result;
	int err;

	if (argc != 2 || argv[1][0] == '-')
		return kerf_usage("want one NAME");
	if (kerf_mount())
		return KERF_INVALID;
	snprintf(rel, sizeof(rel), "instances/%s/unload", argv[1]);
	err = kerf_write(rel, "1", 1, &result);
	free(result);
	if (err == -ENOENT)
		kerf_err("nothing is loaded into '%s', or there is no such instance",
			 argv[1]);
	else if (err)
		kerf_err("cannot unload %s: %s", argv[1], strerror(-err));
	else
		kerf_accepted("unloaded %s", argv[1]);
	return err ? KERF_INVALID : KERF_OK;
}
