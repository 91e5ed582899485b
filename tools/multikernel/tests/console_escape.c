// SPDX-License-Identifier: GPL-2.0
/*
 * kerf console's escaping, for the host test: stdin, read in pieces of
 * the size argv[1] gives (so that sequences are cut between reads), to
 * stdout, escaped as kerf console prints it.
 *
 *   console_escape [CHUNK]
 */

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "kerf.h"

int main(int argc, char **argv)
{
	size_t chunk = argc > 1 ? strtoul(argv[1], NULL, 10) : 4096;
	struct kerf_esc e;
	char buf[4096];
	ssize_t n;

	if (!chunk || chunk > sizeof(buf))
		return 2;
	kerf_esc_init(&e, STDOUT_FILENO);
	while ((n = read(STDIN_FILENO, buf, chunk)) > 0) {
		kerf_esc_write(&e, buf, n);
		if (kerf_esc_flush(&e))
			return 1;
	}
	return n < 0 || kerf_esc_end(&e) ? 1 : 0;
}
