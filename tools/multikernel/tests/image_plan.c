// SPDX-License-Identifier: GPL-2.0
/*
 * Check a kernel image as an instance's, with the kernel's own code:
 *
 *   image_plan FILE BASE BYTES
 *
 * prints "ok: setup S kernel K at +OFFSET, needs N of BYTES" or the
 * findings, and exits 0 or with the errno.
 */

#include <stdlib.h>

#include "model.h"

int main(int argc, char **argv)
{
	struct mk_image_plan plan;
	struct mk_report rep;
	static char buf[256 << 20];
	size_t size;
	FILE *f;
	int err;

	if (argc != 4) {
		fprintf(stderr, "usage: image_plan FILE BASE BYTES\n");
		return 2;
	}
	f = fopen(argv[1], "rb");
	if (!f) {
		perror(argv[1]);
		return 2;
	}
	size = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	mk_report_init(&rep);
	err = mk_image_plan(buf, size, strtoull(argv[2], NULL, 0),
			    strtoull(argv[3], NULL, 0), &plan, &rep);
	if (err)
		fputs(rep.buf ? rep.buf : "", stdout);
	else
		printf("ok: setup %u kernel %llu at +0x%llx, needs 0x%llx of %s\n",
		       plan.setup_bytes, plan.kernel_bytes, plan.kernel_offset,
		       plan.reserve_bytes, argv[3]);
	mk_report_free(&rep);
	return -err;
}
