// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the multikernel filesystem type and its mount point.
 */

#include <kunit/test.h>
#include <linux/fs.h>
#include <linux/kernfs.h>
#include <linux/kobject.h>
#include <linux/mount.h>
#include <uapi/linux/multikernel.h>

static struct file_system_type *mk_test_get_type(struct kunit *test)
{
	struct file_system_type *type = get_fs_type("multikernel");

	KUNIT_ASSERT_NOT_NULL(test, type);
	return type;
}

static void mk_fs_type_is_registered(struct kunit *test)
{
	struct file_system_type *type = mk_test_get_type(test);

	KUNIT_EXPECT_STREQ(test, type->name, "multikernel");
	/* The pool is machine-wide: no mounting from a user namespace. */
	KUNIT_EXPECT_FALSE(test, type->fs_flags & FS_USERNS_MOUNT);
	put_filesystem(type);
}

static void mk_fs_mount_point_exists(struct kunit *test)
{
	struct kernfs_node *kn;

	kn = kernfs_find_and_get(fs_kobj->sd, "multikernel");
	KUNIT_ASSERT_NOT_NULL(test, kn);
	KUNIT_EXPECT_EQ(test, kernfs_type(kn), KERNFS_DIR);
	kernfs_put(kn);
}

static void mk_fs_mounts_share_one_superblock(struct kunit *test)
{
	struct file_system_type *type = mk_test_get_type(test);
	struct vfsmount *a, *b;

	a = kern_mount(type);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(a), "mount failed: %ld",
			       PTR_ERR(a));
	b = kern_mount(type);
	if (IS_ERR(b)) {
		kern_unmount(a);
		put_filesystem(type);
		KUNIT_FAIL(test, "second mount failed: %ld", PTR_ERR(b));
		return;
	}

	KUNIT_EXPECT_EQ(test, a->mnt_sb->s_magic,
			(unsigned long)MULTIKERNEL_SUPER_MAGIC);
	KUNIT_EXPECT_TRUE(test, d_is_dir(a->mnt_root));
	KUNIT_EXPECT_PTR_EQ(test, a->mnt_sb, b->mnt_sb);
	KUNIT_EXPECT_PTR_EQ(test, a->mnt_sb->s_user_ns, &init_user_ns);

	kern_unmount(b);
	kern_unmount(a);
	put_filesystem(type);
}

static struct kunit_case mk_fs_test_cases[] = {
	KUNIT_CASE(mk_fs_type_is_registered),
	KUNIT_CASE(mk_fs_mount_point_exists),
	KUNIT_CASE(mk_fs_mounts_share_one_superblock),
	{}
};

static struct kunit_suite mk_fs_test_suite = {
	.name = "multikernel-fs",
	.test_cases = mk_fs_test_cases,
};

kunit_test_suite(mk_fs_test_suite);

MODULE_DESCRIPTION("KUnit tests for the multikernel filesystem");
MODULE_LICENSE("GPL");
