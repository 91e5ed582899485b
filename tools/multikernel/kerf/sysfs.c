// SPDX-License-Identifier: GPL-2.0
/*
 * Talking to /sys/fs/multikernel: mounting it when needed, writing a blob
 * in the single write() the kernel requires, and reading back the result
 * that the kernel keeps for that open file.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "kerf.h"
/* Only this one uapi header: the tree's others are not for user space. */
#include "../../../include/uapi/linux/multikernel.h"

const char *kerf_root = "/sys/fs/multikernel";

/**
 * kerf_mount - make sure the multikernel filesystem is mounted
 *
 * Return: 0, or a negative errno with the reason on stderr.
 */
int kerf_mount(void)
{
	struct statfs sfs;
	int err;

	if (!statfs(kerf_root, &sfs) && sfs.f_type == MULTIKERNEL_SUPER_MAGIC)
		return 0;
	if (mount("none", kerf_root, "multikernel", 0, NULL)) {
		err = -errno;
		kerf_err("cannot mount %s: %s%s", kerf_root, strerror(-err),
			 err == -ENODEV || err == -ENOENT ?
			 " (is this a kernel with CONFIG_MULTIKERNEL?)" : "");
		return err;
	}
	return 0;
}

/**
 * kerf_read - read a whole file of the multikernel filesystem
 * @rel: its path below the mount point
 * @size: set to the number of bytes read
 *
 * Return: a NUL-terminated buffer to free(), or NULL with errno set.
 */
char *kerf_read(const char *rel, size_t *size)
{
	size_t len = 0, cap = 4096;
	char path[512], *buf, *tmp;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", kerf_root, rel);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return NULL;
	buf = malloc(cap + 1);
	while (buf && (n = read(fd, buf + len, cap - len)) > 0) {
		len += n;
		if (len == cap) {
			cap *= 2;
			tmp = realloc(buf, cap + 1);
			if (!tmp) {
				free(buf);
				buf = NULL;
			}
			buf = tmp;
		}
	}
	close(fd);
	if (buf) {
		buf[len] = '\0';
		if (size)
			*size = len;
	}
	return buf;
}

/**
 * kerf_write - write a blob to a file of the multikernel filesystem
 * @rel: its path below the mount point
 * @data: the blob
 * @size: its size
 * @result: set to the kernel's answer for this write ("tx N", "ok" or the
 *	    findings), to free(); may be NULL on failure to read it
 *
 * Return: 0, or the negative errno of the write.
 */
int kerf_write(const char *rel, const void *data, size_t size, char **result)
{
	char path[512];
	ssize_t n;
	int fd, err = 0;

	*result = NULL;
	snprintf(path, sizeof(path), "%s/%s", kerf_root, rel);
	fd = open(path, O_RDWR);
	if (fd < 0)
		return -errno;
	n = write(fd, data, size);
	if (n < 0)
		err = -errno;
	else if ((size_t)n != size)
		err = -EIO;
	/* The findings, and the line counting any that did not fit. */
	*result = calloc(1, MK_REPORT_MAX + 128 + 1);
	/* The write moved the file position: the answer is at offset 0. */
	if (*result && pread(fd, *result, MK_REPORT_MAX + 128, 0) < 0) {
		free(*result);
		*result = NULL;
	}
	close(fd);
	kerf_info("wrote %zu bytes to %s: %s; the kernel answered:\n%s", size,
		  path, err ? strerror(-err) : "accepted", *result ? *result : "");
	return err;
}

/**
 * kerf_state - read and parse the effective tree the kernel holds
 * @st: filled in; release with mk_state_free(), then free(*@tree)
 * @tree: set to the blob @st points into
 *
 * Return: 0, -ENODATA if no baseline was written yet, or a negative errno.
 */
int kerf_state(struct mk_state *st, void **tree)
{
	struct mk_report rep;
	size_t size;
	int err;

	*tree = kerf_read("device_tree", &size);
	if (!*tree)
		return -errno;
	if (!size) {
		free(*tree);
		*tree = NULL;
		return -ENODATA;
	}
	mk_report_init(&rep);
	err = mk_state_parse(st, *tree, size, &rep);
	mk_report_free(&rep);
	return err;
}

/**
 * kerf_instance_status - an instance's status line, without its newline
 * @name: the instance
 *
 * Return: the line, to free(); NULL if it cannot be read.
 */
char *kerf_instance_status(const char *name)
{
	char rel[64 + MK_NAME_MAX], *s;

	snprintf(rel, sizeof(rel), "instances/%s/status", name);
	s = kerf_read(rel, NULL);
	if (s)
		s[strcspn(s, "\n")] = '\0';
	return s;
}

/**
 * kerf_instance_times - what an instance's times file says
 * @name: the instance
 * @hello_ms: "hello_ms N" of the last start, or -1
 * @uptime_s: "uptime_s N" while it runs, or -1
 */
void kerf_instance_times(const char *name, long *hello_ms, long *uptime_s)
{
	char rel[64 + MK_NAME_MAX], *s, *at;

	*hello_ms = *uptime_s = -1;
	snprintf(rel, sizeof(rel), "instances/%s/times", name);
	s = kerf_read(rel, NULL);
	if (!s)
		return;
	at = strstr(s, "hello_ms ");
	if (at)
		*hello_ms = strtol(at + 9, NULL, 10);
	at = strstr(s, "uptime_s ");
	if (at)
		*uptime_s = strtol(at + 9, NULL, 10);
	free(s);
}
