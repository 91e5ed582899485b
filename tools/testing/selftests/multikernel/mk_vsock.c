// SPDX-License-Identifier: GPL-2.0
/*
 * vsock streams between a multikernel host and an instance, for vsock.sh:
 *
 *   mk_vsock listen PORT BYTES       accept one connection; take BYTES and
 *                                    check them, then send BYTES
 *   mk_vsock connect CID PORT BYTES  send BYTES, then take BYTES and check
 *   mk_vsock echo PORT               accept one connection; echo it back
 *   mk_vsock sink PORT               accept one connection; read it all
 *   mk_vsock ping CID PORT COUNT     COUNT round trips of 64 bytes
 *   mk_vsock stream CID PORT         send until the connection fails
 *
 * The bytes each side sends are a pattern both can compute, so the
 * receiver checks every one; each side also prints a checksum of what it
 * sent or took, for the test to compare across the two. Every wait is
 * bounded by an alarm: a stuck transport fails, it does not hang.
 */

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/vm_sockets.h>

#define BLOCK		65536
#define TIMEOUT_S	300

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000ULL + ts.tv_nsec / 1000;
}

static void die(const char *what)
{
	int err = errno;

	printf("mk_vsock: %s: %s\n", what, strerror(err));
	exit(1);
}

/* Word @i of the pattern the side that connected (@dir 0) or accepted sends. */
static uint64_t pattern(int dir, uint64_t i)
{
	uint64_t x = (i + 1) * 0x9e3779b97f4a7c15ULL ^ (dir ? 0x5bd1e995ULL : 0);

	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ULL;
	return x ^ (x >> 29);
}

struct sum {
	uint64_t h;
	uint64_t bytes;
};

static void sum_add(struct sum *s, const uint64_t *w, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		s->h = (s->h ^ w[i]) * 0x100000001b3ULL;
	s->bytes += n * 8;
}

static void fill(int dir, uint64_t off, uint64_t *w, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		w[i] = pattern(dir, off / 8 + i);
}

static void report(const char *what, struct sum *s, uint64_t t0)
{
	uint64_t us = now_us() - t0 ?: 1;

	printf("%s %llu bytes in %llu ms, %.1f MB/s, sum %016llx\n", what,
	       (unsigned long long)s->bytes, (unsigned long long)us / 1000,
	       (double)s->bytes / us, (unsigned long long)s->h);
}

/* Take a block of @n bytes, or fail: a short stream is an error. */
static void read_block(int fd, void *buf, size_t n, uint64_t off, uint64_t bytes)
{
	size_t done;
	ssize_t r;

	for (done = 0; done < n; done += r) {
		r = read(fd, (char *)buf + done, n - done);
		if (r < 0)
			die("read");
		if (!r) {
			printf("mk_vsock: read: end of stream at %llu of %llu\n",
			       (unsigned long long)(off + done), (unsigned long long)bytes);
			exit(1);
		}
	}
}

static void write_block(int fd, const void *buf, size_t n)
{
	size_t done;
	ssize_t r;

	for (done = 0; done < n; done += r) {
		r = write(fd, (const char *)buf + done, n - done);
		if (r <= 0)
			die("write");
	}
}

/* Send, or take and check, @bytes of the pattern of direction @dir. */
static void transfer(int fd, int dir, uint64_t bytes, int sending)
{
	static uint64_t w[BLOCK / 8], want[BLOCK / 8];
	struct sum s = { 0xcbf29ce484222325ULL, 0 };
	uint64_t off, t0 = now_us();
	size_t n;

	for (off = 0; off < bytes; off += n) {
		n = bytes - off < BLOCK ? bytes - off : BLOCK;
		fill(dir, off, want, n / 8);
		if (sending) {
			write_block(fd, want, n);
		} else {
			read_block(fd, w, n, off, bytes);
			if (memcmp(w, want, n)) {
				printf("mk_vsock: bytes %llu..%llu differ\n",
				       (unsigned long long)off, (unsigned long long)(off + n));
				exit(1);
			}
		}
		sum_add(&s, want, n / 8);
	}
	report(sending ? "sent" : "received", &s, t0);
}

static int vsock(void)
{
	int fd = socket(AF_VSOCK, SOCK_STREAM, 0);

	if (fd < 0)
		die("socket");
	return fd;
}

static int do_accept(unsigned int port)
{
	struct sockaddr_vm a = {
		.svm_family = AF_VSOCK, .svm_cid = VMADDR_CID_ANY, .svm_port = port,
	};
	int fd = vsock(), c;
	socklen_t len = sizeof(a);

	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 1))
		die("listen");
	printf("listening on port %u\n", port);
	fflush(stdout);
	c = accept(fd, (struct sockaddr *)&a, &len);
	if (c < 0)
		die("accept");
	printf("accepted from cid %u port %u\n", a.svm_cid, a.svm_port);
	close(fd);
	return c;
}

static int do_connect(unsigned int cid, unsigned int port)
{
	struct sockaddr_vm a = {
		.svm_family = AF_VSOCK, .svm_cid = cid, .svm_port = port,
	};
	int fd = vsock();

	if (connect(fd, (struct sockaddr *)&a, sizeof(a)))
		die("connect");
	return fd;
}

static void echo(int fd)
{
	char buf[BLOCK];
	ssize_t r, w, done;

	while ((r = read(fd, buf, sizeof(buf))) > 0)
		for (done = 0; done < r; done += w) {
			w = write(fd, buf + done, r - done);
			if (w <= 0)
				die("write");
		}
	if (r < 0)
		die("read");
}

static void sink(int fd)
{
	static char buf[BLOCK];
	ssize_t r;

	while ((r = read(fd, buf, sizeof(buf))) > 0)
		;
	if (r < 0)
		die("read");
}

static void run_ping(int fd, unsigned long count)
{
	char buf[64] = "ping", back[64];
	unsigned long i;
	uint64_t t0 = now_us();
	ssize_t r, done;

	for (i = 0; i < count; i++) {
		if (write(fd, buf, sizeof(buf)) != sizeof(buf))
			die("write");
		for (done = 0; done < (ssize_t)sizeof(back); done += r) {
			r = read(fd, back + done, sizeof(back) - done);
			if (r <= 0)
				die("read");
		}
	}
	printf("ping %lu round trips of 64 bytes, %.1f us each\n", count,
	       (double)(now_us() - t0) / count);
}

/* Until the connection fails: how it failed, and SO_ERROR. */
static void run_stream(int fd)
{
	static char buf[BLOCK];
	uint64_t sent = 0;
	int err = 0;
	socklen_t len = sizeof(err);
	ssize_t w;

	for (;;) {
		w = write(fd, buf, sizeof(buf));
		if (w <= 0)
			break;
		sent += w;
		if (sent == (uint64_t)w) {
			printf("streaming\n");
			fflush(stdout);
		}
	}
	w = w < 0 ? errno : 0;
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
	printf("stream ended after %llu bytes: write: %s; so_error: %s\n",
	       (unsigned long long)sent, w ? strerror(w) : "0", strerror(err));
}

static void show_usage(void)
{
	fprintf(stderr, "usage: mk_vsock listen PORT BYTES | connect CID PORT BYTES |\n"
			"       echo PORT | sink PORT | ping CID PORT COUNT | stream CID PORT\n");
	exit(2);
}

int main(int argc, char **argv)
{
	int fd;

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	alarm(TIMEOUT_S);
	if (argc == 4 && !strcmp(argv[1], "listen")) {
		fd = do_accept(atoi(argv[2]));
		transfer(fd, 0, strtoull(argv[3], NULL, 0), 0);
		transfer(fd, 1, strtoull(argv[3], NULL, 0), 1);
	} else if (argc == 5 && !strcmp(argv[1], "connect")) {
		fd = do_connect(atoi(argv[2]), atoi(argv[3]));
		transfer(fd, 0, strtoull(argv[4], NULL, 0), 1);
		transfer(fd, 1, strtoull(argv[4], NULL, 0), 0);
	} else if (argc == 3 && !strcmp(argv[1], "echo")) {
		echo(do_accept(atoi(argv[2])));
	} else if (argc == 3 && !strcmp(argv[1], "sink")) {
		sink(do_accept(atoi(argv[2])));
	} else if (argc == 5 && !strcmp(argv[1], "ping")) {
		run_ping(do_connect(atoi(argv[2]), atoi(argv[3])), strtoul(argv[4], NULL, 0));
	} else if (argc == 4 && !strcmp(argv[1], "stream")) {
		run_stream(do_connect(atoi(argv[2]), atoi(argv[3])));
	} else {
		show_usage();
	}
	return 0;
}
