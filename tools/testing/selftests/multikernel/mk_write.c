// SPDX-License-Identifier: GPL-2.0
/*
 * Write a whole file to a multikernel file in one write(), as the
 * interface requires, and print the outcome and the result that the kernel
 * keeps for this open file:
 *
 *   mk_write SRC DEST [BYTES]
 *
 * prints "write: ok" or "write: ENAME", then the result, read back with
 * pread() from offset 0. BYTES writes only the first BYTES of SRC. Exits 0
 * on success, else with the errno. With MK_WRITE_TIME set in the
 * environment it first prints "time: read R us, write W us": how long
 * reading SRC once and the write() took.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *errname(int e)
{
	static const struct { int e; const char *name; } names[] = {
		{ EINVAL, "EINVAL" }, { EBUSY, "EBUSY" }, { ENOSPC, "ENOSPC" },
		{ EEXIST, "EEXIST" }, { EPERM, "EPERM" }, { EFBIG, "EFBIG" },
		{ E2BIG, "E2BIG" }, { ENOENT, "ENOENT" }, { EACCES, "EACCES" },
		{ ENOMEM, "ENOMEM" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (names[i].e == e)
			return names[i].name;
	return "E?";
}

static long long usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

int main(int argc, char **argv)
{
	static char buf[4 << 20], out[1 << 16];
	long long t0, t1, t2;
	ssize_t len, n;
	int fd, err = 0;
	FILE *f;

	if (argc < 3) {
		fprintf(stderr, "usage: %s SRC DEST [BYTES]\n", argv[0]);
		return 2;
	}
	t0 = usec();
	f = fopen(argv[1], "rb");
	if (!f) {
		perror(argv[1]);
		return 2;
	}
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	t1 = usec();
	if (argc > 3 && atol(argv[3]) < len)
		len = atol(argv[3]);

	fd = open(argv[2], O_RDWR);
	if (fd < 0) {
		printf("open: %s\n", errname(errno));
		return errno;
	}
	t2 = usec();
	n = write(fd, buf, len);
	if (n < 0)
		err = errno;
	if (getenv("MK_WRITE_TIME"))
		printf("time: read %lld us, write %lld us\n", t1 - t0, usec() - t2);
	if (!err && n != len)
		err = EIO;
	printf("write: %s\n", err ? errname(err) : "ok");
	n = pread(fd, out, sizeof(out) - 1, 0);
	if (n > 0) {
		out[n] = '\0';
		fputs(out, stdout);
	}
	close(fd);
	return err;
}
