// SPDX-License-Identifier: GPL-2.0
/*
 * Wait for a multikernel file to report a change, as a monitor would:
 *
 *   mk_poll FILE MILLISECONDS
 *
 * reads FILE (which arms kernfs notification), then poll()s it for
 * POLLPRI and prints "woken" or "timeout". Exits 0 when woken.
 */
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct pollfd pfd = { .events = POLLPRI };
	char buf[4096];
	int n;

	if (argc != 3) {
		fprintf(stderr, "usage: %s FILE MILLISECONDS\n", argv[0]);
		return 2;
	}
	pfd.fd = open(argv[1], O_RDONLY);
	if (pfd.fd < 0) {
		perror(argv[1]);
		return 2;
	}
	while (read(pfd.fd, buf, sizeof(buf)) > 0)
		;
	n = poll(&pfd, 1, atoi(argv[2]));
	if (n > 0 && (pfd.revents & (POLLPRI | POLLERR))) {
		puts("woken");
		return 0;
	}
	puts("timeout");
	return 1;
}
