/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Checks of a baseline against the machine it runs on; kernel only, so
 * not part of the code shared with user space.
 */
#ifndef _MULTIKERNEL_MACHINE_H
#define _MULTIKERNEL_MACHINE_H

#include <linux/types.h>

struct mk_state;
struct mk_report;

bool mk_pool_mem_range(u64 *base, u64 *size);
void mk_pool_scrub(void *mem, u64 bytes);
int mk_pool_wait_clean(void);
int mk_check_machine(const struct mk_state *st, struct mk_report *rep);

#endif /* _MULTIKERNEL_MACHINE_H */
