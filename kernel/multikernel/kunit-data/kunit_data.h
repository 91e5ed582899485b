/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The KUnit test trees, compiled from kunit_*.dts{,o} by the kernel's dtc
 * and linked in by scripts/Makefile.dtbs as __dtb(o)_NAME_{begin,end}.
 */
#ifndef _MULTIKERNEL_KUNIT_DATA_H
#define _MULTIKERNEL_KUNIT_DATA_H

#include <linux/types.h>

extern u8 __dtb_kunit_pool_begin[], __dtb_kunit_pool_end[];
extern u8 __dtbo_kunit_web_begin[], __dtbo_kunit_web_end[];
extern u8 __dtbo_kunit_db_begin[], __dtbo_kunit_db_end[];
extern u8 __dtbo_kunit_bad_target_begin[], __dtbo_kunit_bad_target_end[];
extern u8 __dtbo_kunit_bad_label_begin[], __dtbo_kunit_bad_label_end[];
extern u8 __dtbo_kunit_seed_begin[], __dtbo_kunit_seed_end[];

struct mk_t_blob {
	const void *data;
	size_t size;
};

/* MK_T_BLOB(dtb_kunit_pool), MK_T_BLOB(dtbo_kunit_web), ... */
#define MK_T_BLOB(sym)							\
	((struct mk_t_blob){ __##sym##_begin,				\
			     (size_t)(__##sym##_end - __##sym##_begin) })

#endif /* _MULTIKERNEL_KUNIT_DATA_H */
