// SPDX-License-Identifier: GPL-2.0
/*
 * Print the rule table, one row a line: "NAME ERRNO", or "NAME warning"
 * for a rule that only warns. The host tests hold the documentation to it.
 */

#include "model.h"

int main(void)
{
	u32 i;

	for (i = 0; i < MK_NR_RULES; i++)
		printf("%s %s\n", mk_rules[i].name,
		       mk_rules[i].err ? strerrorname_np(-mk_rules[i].err) :
					 "warning");
	return 0;
}
