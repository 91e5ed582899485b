// SPDX-License-Identifier: GPL-2.0
/*
 * Read device-tree blobs, compiling source with the real dtc first.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kerf.h"

static char *kerf_read_file(const char *path, size_t *size)
{
	struct stat sb;
	char *buf;
	FILE *f;

	f = fopen(path, "rb");
	if (!f)
		return NULL;
	if (fstat(fileno(f), &sb) || sb.st_size > MK_MAX_BLOB_SIZE * 4L) {
		fclose(f);
		errno = EFBIG;
		return NULL;
	}
	buf = malloc(sb.st_size + 1);
	if (buf && fread(buf, 1, sb.st_size, f) != (size_t)sb.st_size) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (buf) {
		buf[sb.st_size] = '\0';
		*size = sb.st_size;
	}
	return buf;
}

/* Compile @path with "dtc -@" (labels kept for overlays) into @out. */
static int kerf_dtc(const char *path, const char *out)
{
	int status;
	pid_t pid;

	kerf_info("dtc -@ -q -I dts -O dtb -o %s %s", out, path);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		execlp("dtc", "dtc", "-@", "-q", "-I", "dts", "-O", "dtb", "-o",
		       out, path, (char *)NULL);
		kerf_err("cannot run dtc: %s (install device-tree-compiler)",
			 strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -1;
}

/**
 * kerf_blob_load - read a blob, or compile a source file into one
 * @path: a .dtb/.dtbo, or device-tree source (anything not starting with
 *	  the FDT magic), which dtc compiles
 * @b: filled in; release with kerf_blob_free()
 *
 * Return: 0, or a negative errno with the reason on stderr.
 */
int kerf_blob_load(const char *path, struct kerf_blob *b)
{
	char tmp[] = "/tmp/kerf-XXXXXX";
	size_t size;
	char *text;
	int fd, err;

	memset(b, 0, sizeof(*b));
	b->path = path;
	text = kerf_read_file(path, &size);
	if (!text) {
		err = -errno;
		kerf_err("%s: %s", path, strerror(-err));
		return err;
	}
	if (size >= 4 && fdt_magic(text) == FDT_MAGIC) {
		b->data = text;
		b->size = size;
		return 0;
	}

	b->source = text;
	fd = mkstemp(tmp);
	if (fd < 0) {
		err = -errno;
		kerf_err("cannot create a temporary file: %s", strerror(-err));
		return err;
	}
	close(fd);
	if (kerf_dtc(path, tmp)) {
		unlink(tmp);
		kerf_err("%s: dtc could not compile it", path);
		return -EINVAL;
	}
	b->data = kerf_read_file(tmp, &b->size);
	unlink(tmp);
	if (!b->data) {
		kerf_err("%s: cannot read what dtc wrote", path);
		return -EIO;
	}
	return 0;
}

void kerf_blob_free(struct kerf_blob *b)
{
	free(b->data);
	free(b->source);
	memset(b, 0, sizeof(*b));
}
