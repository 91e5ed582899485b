// SPDX-License-Identifier: GPL-2.0
/*
 * The multikernel filesystem.
 *
 * One kernfs hierarchy holds the multikernel state for the whole machine,
 * so every mount, from any mount namespace, shows the same tree; there is
 * nothing per-mount to keep apart. This is the sysfs model rather than the
 * resctrl one, which allows a single mount because mounting resets state.
 */

#include <linux/err.h>
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/init.h>
#include <linux/kernfs.h>
#include <linux/kobject.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/user_namespace.h>
#include <uapi/linux/multikernel.h>

static struct kernfs_root *mk_kf_root;

static void mk_fs_context_free(struct fs_context *fc)
{
	struct kernfs_fs_context *kfc = fc->fs_private;

	kernfs_free_fs_context(fc);
	kfree(kfc);
}

static const struct fs_context_operations mk_fs_context_ops = {
	.free		= mk_fs_context_free,
	.get_tree	= kernfs_get_tree,
};

static int mk_init_fs_context(struct fs_context *fc)
{
	struct kernfs_fs_context *kfc;

	kfc = kzalloc(sizeof(*kfc), GFP_KERNEL);
	if (!kfc)
		return -ENOMEM;

	kfc->root = mk_kf_root;
	kfc->magic = MULTIKERNEL_SUPER_MAGIC;
	fc->fs_private = kfc;
	fc->ops = &mk_fs_context_ops;
	/*
	 * The hardware pool belongs to the machine, not to a namespace: pin
	 * the superblock to the initial user namespace so that it is shared.
	 */
	put_user_ns(fc->user_ns);
	fc->user_ns = get_user_ns(&init_user_ns);
	fc->global = true;
	return 0;
}

static struct file_system_type multikernel_fs_type = {
	.name			= "multikernel",
	.init_fs_context	= mk_init_fs_context,
	.kill_sb		= kernfs_kill_sb,
};

static int __init multikernel_fs_init(void)
{
	int ret;

	mk_kf_root = kernfs_create_root(NULL, KERNFS_ROOT_EXTRA_OPEN_PERM_CHECK,
					NULL);
	if (IS_ERR(mk_kf_root))
		return PTR_ERR(mk_kf_root);

	ret = sysfs_create_mount_point(fs_kobj, "multikernel");
	if (ret)
		goto err_destroy_root;

	ret = register_filesystem(&multikernel_fs_type);
	if (ret)
		goto err_remove_mount_point;

	return 0;

err_remove_mount_point:
	sysfs_remove_mount_point(fs_kobj, "multikernel");
err_destroy_root:
	kernfs_destroy_root(mk_kf_root);
	mk_kf_root = NULL;
	return ret;
}
fs_initcall(multikernel_fs_init);
