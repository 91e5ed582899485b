// SPDX-License-Identifier: GPL-2.0
/*
 * The multikernel filesystem.
 *
 * One kernfs hierarchy holds the multikernel state for the whole machine,
 * so every mount, from any mount namespace, shows the same tree:
 *
 *   device_tree          write a baseline; read the effective tree
 *   summary              the pool, what is free, what each instance holds
 *   overlays/new         write an overlay to apply it as a transaction
 *   overlays/tx_N/       id, status, dtbo, instances, placement; rmdir
 *                        rolls it back
 *   policy               the placement policy: "builtin" or "bpf NAME"
 *   instances/NAME/      id, status, times, cpus, memory, devices,
 *                        numa_nodes, device_tree, image; load, unload,
 *                        exec and kill a kernel; its console
 *
 * This file is the interface only: its files and directories, and the
 * answers they give. The pool state and its lock are state.c's, the
 * instances' life cycle is instance.c's, and fs_render.c prints; each
 * write resolves what it acts on once and calls down. Nothing below
 * calls up here: the instance code tells us of changes through
 * mk_inst_notify_fn(), without holding any lock of its own.
 *
 * Locking: mk_tree_lock serialises changes, including the kernfs nodes they
 * add and remove; the state's own lock (state.c) nests inside it and is
 * all that readers take. Nodes are removed with only mk_tree_lock held,
 * so kernfs_remove() never waits for a reader that waits for us.
 */

#include <linux/capability.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/init.h>
#include <linux/kernfs.h>
#include <linux/kobject.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/user_namespace.h>
#include <uapi/linux/multikernel.h>

#include "fs.h"
#include "instance.h"
#include "policy_bpf.h"
#include "state.h"

struct mk_inst_dir {
	struct list_head list;
	char name[MK_NAME_MAX + 1];
	struct kernfs_node *kn;
};

static DEFINE_MUTEX(mk_tree_lock);

/* Guarded by mk_tree_lock. */
static LIST_HEAD(mk_inst_dirs);
static struct kernfs_root *mk_kf_root;
static struct kernfs_node *mk_kn_overlays, *mk_kn_instances;
static struct kernfs_node *mk_kn_device_tree, *mk_kn_summary;
static struct kernfs_node *mk_kn_policy, *mk_kn_recovery_log;

/* Files of an instance directory; the value is the file's kn->priv. */
enum mk_inst_file {
	MK_INST_ID,
	MK_INST_STATUS,
	MK_INST_CPUS,
	MK_INST_MEMORY,
	MK_INST_DEVICES,
	MK_INST_NUMA,
	MK_INST_DT,
	MK_INST_IMAGE,
	MK_INST_TIMES,
	MK_INST_TRANSITIONS,
};

static const char * const mk_inst_files[] = {
	[MK_INST_ID] = "id",
	[MK_INST_STATUS] = "status",
	[MK_INST_CPUS] = "cpus",
	[MK_INST_MEMORY] = "memory",
	[MK_INST_DEVICES] = "devices",
	[MK_INST_NUMA] = "numa_nodes",
	[MK_INST_DT] = "device_tree",
	[MK_INST_IMAGE] = "image",
	[MK_INST_TIMES] = "times",
	[MK_INST_TRANSITIONS] = "transitions",
};

enum mk_tx_file {
	MK_TX_ID,
	MK_TX_STATUS,
	MK_TX_DTBO,
	MK_TX_INSTANCES,
	MK_TX_PLACEMENT,
};

static const char * const mk_tx_files[] = {
	[MK_TX_ID] = "id",
	[MK_TX_STATUS] = "status",
	[MK_TX_DTBO] = "dtbo",
	[MK_TX_INSTANCES] = "instances",
	[MK_TX_PLACEMENT] = "placement",
};

/*
 * The result of the last write on an open file, so that its writer can
 * read it back on the same file without racing other writers.
 */
struct mk_result {
	bool written;
	char *text;
};

static int mk_result_open(struct kernfs_open_file *of)
{
	struct mk_result *res = kzalloc(sizeof(*res), GFP_KERNEL);

	of->priv = res;
	return res ? 0 : -ENOMEM;
}

static void mk_result_release(struct kernfs_open_file *of)
{
	struct mk_result *res = of->priv;

	kfree(res->text);
	kfree(res);
}

static void mk_result_set(struct kernfs_open_file *of,
			  const struct mk_report *rep, const char *ok)
{
	struct mk_result *res = of->priv;
	const char *body = ok ? ok : (rep->buf ? rep->buf : "");

	kfree(res->text);
	res->written = true;
	if (!ok && rep->dropped)
		res->text = kasprintf(GFP_KERNEL, "%s... %u more findings not shown\n",
				      body, rep->dropped);
	else if (ok && rep->buf && rep->len)	/* warnings follow the answer */
		res->text = kasprintf(GFP_KERNEL, "%s%s", ok, rep->buf);
	else
		res->text = kstrdup(body, GFP_KERNEL);
}

static bool mk_result_show(struct seq_file *sf)
{
	struct kernfs_open_file *of = sf->private;
	struct mk_result *res = of->priv;

	if (!res->written)
		return false;
	seq_puts(sf, res->text ? res->text : "out of memory for the result\n");
	return true;
}

/* For files whose only content is the result of the last write. */
static int mk_result_only_show(struct seq_file *sf, void *v)
{
	mk_result_show(sf);
	return 0;
}

/*
 * Lockdep classes for the files' active references. Writers hold a
 * top-level file's while they take mk_tree_lock; changes hold mk_tree_lock
 * while they remove transaction and instance files, whose readers take only
 * the state's lock. One class for both would look like a cycle.
 */
static struct lock_class_key mk_top_file_key, mk_dir_file_key;

static struct kernfs_node *mk_add_file(struct kernfs_node *parent,
				       const char *name, umode_t mode,
				       const struct kernfs_ops *ops, void *priv,
				       struct lock_class_key *key)
{
	return __kernfs_create_file(parent, name, mode, GLOBAL_ROOT_UID,
				    GLOBAL_ROOT_GID, 0, ops, priv, NULL, key);
}

/* A directory of read-only files; each file's kn->priv is its index. */
static struct kernfs_node *mk_add_dir(struct kernfs_node *parent,
				      const char *name,
				      const char * const *files, uintptr_t n,
				      const struct kernfs_ops *ops)
{
	struct kernfs_node *dir, *kn;
	uintptr_t i;

	dir = kernfs_create_dir(parent, name, 0555, NULL);
	if (IS_ERR(dir))
		return dir;
	for (i = 0; i < n; i++) {
		kn = mk_add_file(dir, files[i], 0444, ops, (void *)i,
				 &mk_dir_file_key);
		if (IS_ERR(kn)) {
			kernfs_remove(dir);
			return kn;
		}
	}
	kernfs_activate(dir);
	return dir;
}

/* Instance directories. */

/* The files that show the instance object, if a kernel is loaded. */
static void mk_inst_run_show(const char *name, enum mk_inst_file which,
			     struct seq_file *sf)
{
	struct mk_inst *inst = mk_inst_get(name);

	if (!inst) {
		if (which == MK_INST_STATUS)
			seq_puts(sf, "ready\n");
		return;
	}
	switch (which) {
	case MK_INST_STATUS:
		mk_inst_show_status(inst, sf);
		break;
	case MK_INST_TIMES:
		mk_inst_show_times(inst, sf);
		break;
	case MK_INST_IMAGE:
		mk_inst_show_image(inst, sf);
		break;
	case MK_INST_TRANSITIONS:
		mk_inst_show_transitions(inst, sf);
		break;
	default:
		break;
	}
	mk_inst_put(inst);
}

/* The instance object behind a file of instances/NAME/, or NULL. */
static struct mk_inst *mk_of_inst(struct kernfs_open_file *of)
{
	return mk_inst_get(of->kn->parent->name);
}

static int mk_inst_state_show(const struct mk_pool_view *pv,
			      const struct mk_instance *in, void *arg)
{
	struct seq_file *sf = arg;
	struct kernfs_open_file *of = sf->private;
	enum mk_inst_file which = (uintptr_t)of->kn->priv;
	void *sub;
	u32 i;

	switch (which) {
	case MK_INST_ID:
		seq_printf(sf, "%u\n", in->id);
		break;
	case MK_INST_CPUS:
		mk_render_cpus(sf, in->cpus.bits);
		seq_putc(sf, '\n');
		break;
	case MK_INST_MEMORY:
		seq_printf(sf, "%#llx %#llx\n", in->mem_base, in->mem_bytes);
		break;
	case MK_INST_DEVICES:
		mk_render_devices(sf, pv->st, in, "\n");
		if (in->ndevs)
			seq_putc(sf, '\n');
		break;
	case MK_INST_NUMA:
		for (i = 0; i < in->nnuma; i++)
			seq_printf(sf, "%s%u", i ? "," : "", in->numa_nodes[i]);
		if (in->nnuma)
			seq_putc(sf, '\n');
		break;
	case MK_INST_DT:
		sub = mk_fdt_subtree(pv->fdt, in->offset);
		if (!sub)
			return -ENOMEM;
		seq_write(sf, sub, fdt_totalsize(sub));
		kvfree(sub);
		break;
	default:
		break;
	}
	return 0;
}

static int mk_inst_exists(const struct mk_pool_view *pv,
			  const struct mk_instance *in, void *arg)
{
	return 0;
}

static int mk_inst_show(struct seq_file *sf, void *v)
{
	struct kernfs_open_file *of = sf->private;
	enum mk_inst_file which = (uintptr_t)of->kn->priv;
	const char *name = of->kn->parent->name;
	int err;

	switch (which) {
	case MK_INST_STATUS:
	case MK_INST_TIMES:
	case MK_INST_IMAGE:
	case MK_INST_TRANSITIONS:
		/* -ENODEV: removed while open */
		err = mk_pool_with_instance(name, mk_inst_exists, NULL);
		if (!err)
			mk_inst_run_show(name, which, sf);
		return err;
	default:
		return mk_pool_with_instance(name, mk_inst_state_show, sf);
	}
}

static const struct kernfs_ops mk_inst_ops = {
	.seq_show	= mk_inst_show,
};

static void mk_notify_file(struct kernfs_node *dir, const char *file)
{
	struct kernfs_node *kn = kernfs_find_and_get(dir, file);

	if (kn) {
		kernfs_notify(kn);
		kernfs_put(kn);
	}
}

static void mk_notify_status(struct kernfs_node *dir)
{
	mk_notify_file(dir, "status");
}

/* From the spawn code: an instance's status or console changed. */
static void mk_notify_instance(const char *name, const char *file)
{
	struct kernfs_node *dir = kernfs_find_and_get(mk_kn_instances, name);

	if (dir) {
		mk_notify_file(dir, file);
		kernfs_put(dir);
	}
}

/* "KERNEL_FD INITRD_FD|- [CMDLINE]", as kerf load writes it. */
static int mk_parse_load(char *buf, struct mk_load_req *req)
{
	char *kfd = strsep(&buf, " "), *ifd = buf ? strsep(&buf, " ") : NULL;
	size_t n;

	if (!kfd || !ifd || kstrtoint(kfd, 10, &req->kernel_fd) ||
	    req->kernel_fd < 0)
		return -EINVAL;
	req->initrd_fd = -1;
	if (strcmp(ifd, "-") && (kstrtoint(ifd, 10, &req->initrd_fd) ||
				 req->initrd_fd < 0))
		return -EINVAL;
	req->cmdline = buf ? buf : "";
	n = strlen(req->cmdline);
	if (n && req->cmdline[n - 1] == '\n')
		buf[n - 1] = '\0';
	return 0;
}

static ssize_t mk_load_write(struct kernfs_open_file *of, char *buf,
			     size_t bytes, loff_t off)
{
	const char *name = of->kn->parent->name;
	struct mk_load_req req = {};
	struct mk_report rep;
	int err;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	err = mk_parse_load(buf, &req);
	if (!err)
		err = mk_pool_instance_memory(name, &req.mem_base,
					      &req.mem_bytes);
	if (err)
		return err;
	mk_report_init(&rep);
	err = mk_inst_load(name, &req, &rep);
	mk_result_set(of, &rep, err ? NULL : "loaded\n");
	mk_report_free(&rep);
	return err ? err : bytes;
}

static ssize_t mk_unload_write(struct kernfs_open_file *of, char *buf,
			       size_t bytes, loff_t off)
{
	int err;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	err = mk_inst_unload(of->kn->parent->name);
	if (!err)
		mk_notify_status(of->kn->parent);
	return err ? err : bytes;
}

static ssize_t mk_exec_write(struct kernfs_open_file *of, char *buf,
			     size_t bytes, loff_t off)
{
	struct mk_inst *inst;
	struct mk_report rep;
	int err;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	mk_report_init(&rep);
	inst = mk_of_inst(of);
	if (!inst) {
		mk_report_add(&rep, MK_RULE_INSTANCE_NOT_LOADED,
			      "exec: no kernel is loaded; load one first");
		err = -ENOENT;
	} else {
		err = mk_pool_exec_claim(inst, of->kn->parent->name, &rep);
		if (!err)
			err = mk_inst_exec(inst, &rep);
		mk_inst_put(inst);
	}
	mk_result_set(of, &rep, err ? NULL : "running\n");
	mk_report_free(&rep);
	return err ? err : bytes;
}

/* The answer of a write that has no findings, only an errno. */
static ssize_t mk_answer(struct kernfs_open_file *of, int err, const char *ok,
			 size_t bytes)
{
	struct mk_report rep;

	mk_report_init(&rep);
	mk_result_set(of, &rep, err ? NULL : ok);
	mk_report_free(&rep);
	return err ? err : bytes;
}

/* "force" stops the CPUs at once; anything else asks for a power off. */
static ssize_t mk_kill_write(struct kernfs_open_file *of, char *buf,
			     size_t bytes, loff_t off)
{
	struct mk_inst *inst;
	int err = -ENOENT;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	inst = mk_of_inst(of);
	if (inst)
		err = mk_inst_kill(inst, sysfs_streq(buf, "force"));
	mk_inst_put(inst);
	return mk_answer(of, err, "stopped\n", bytes);
}

static ssize_t mk_console_read(struct kernfs_open_file *of, char *buf,
			       size_t bytes, loff_t off)
{
	struct mk_inst *inst = mk_of_inst(of);
	ssize_t n = 0;

	if (inst)
		n = mk_cons_read(inst, buf, bytes, off);
	mk_inst_put(inst);
	return n == -ENOENT ? 0 : n;
}

static ssize_t mk_console_write(struct kernfs_open_file *of, char *buf,
				size_t bytes, loff_t off)
{
	struct mk_inst *inst;
	ssize_t n = -ESRCH;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	inst = mk_of_inst(of);
	if (inst)
		n = mk_cons_write(inst, buf, bytes);
	mk_inst_put(inst);
	return n;
}

/* "recover": recover it now, as if it had failed. */
static ssize_t mk_recover_write(struct kernfs_open_file *of, char *buf,
				size_t bytes, loff_t off)
{
	struct mk_inst *inst;
	int err = -ENOENT;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	inst = mk_of_inst(of);
	if (inst)
		err = mk_inst_recover(inst);
	mk_inst_put(inst);
	return mk_answer(of, err, "recovering\n", bytes);
}

static int mk_inst_health_show(struct seq_file *sf, void *v)
{
	struct mk_inst *inst = mk_of_inst(sf->private);

	if (inst)
		mk_inst_show_health(inst, sf);
	mk_inst_put(inst);
	return 0;
}

/* The policy, or what the last write on this file answered. */
static int mk_inst_policy_show(struct seq_file *sf, void *v)
{
	struct mk_inst *inst;

	if (mk_result_show(sf))
		return 0;
	inst = mk_of_inst(sf->private);
	if (inst)
		mk_inst_show_policy(inst, sf);
	mk_inst_put(inst);
	return 0;
}

static ssize_t mk_inst_policy_write(struct kernfs_open_file *of, char *buf,
				    size_t bytes, loff_t off)
{
	struct mk_report rep = {};
	struct mk_inst *inst;
	char why[160] = "no kernel is loaded; load one first";
	int err = -ENOENT;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	inst = mk_of_inst(of);
	if (inst)
		err = mk_inst_policy_set(inst, buf, why, sizeof(why));
	mk_inst_put(inst);
	if (err) {
		mk_report_init(&rep);
		mk_report_add(&rep, err == -ENOENT ? MK_RULE_INSTANCE_NOT_LOADED :
			      MK_RULE_HEALTH_POLICY, "policy: %s", why);
	}
	mk_result_set(of, &rep, err ? NULL : "ok\n");
	if (err)
		mk_report_free(&rep);
	return err ? err : bytes;
}

static ssize_t mk_vmcore_file_read(struct kernfs_open_file *of, char *buf,
				   size_t bytes, loff_t off)
{
	struct mk_inst *inst = mk_of_inst(of);
	ssize_t n = -ENOENT;

	if (inst)
		n = mk_inst_vmcore_read(inst, buf, bytes, off);
	mk_inst_put(inst);
	return n;
}

/* "drop" frees the capture. */
static ssize_t mk_vmcore_file_write(struct kernfs_open_file *of, char *buf,
				    size_t bytes, loff_t off)
{
	struct mk_inst *inst;
	int err = -ENOENT;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (!sysfs_streq(buf, "drop"))
		return -EINVAL;
	inst = mk_of_inst(of);
	if (inst)
		err = mk_inst_vmcore_drop(inst);
	mk_inst_put(inst);
	return err ? err : bytes;
}

/* An instance file whose write leaves its answer to read back. */
#define MK_RESULT_OPS(_name, _write)			\
	static const struct kernfs_ops _name = {	\
		.open		= mk_result_open,	\
		.release	= mk_result_release,	\
		.seq_show	= mk_result_only_show,	\
		.write		= _write,		\
	}

MK_RESULT_OPS(mk_load_ops, mk_load_write);
MK_RESULT_OPS(mk_unload_ops, mk_unload_write);
MK_RESULT_OPS(mk_exec_ops, mk_exec_write);
MK_RESULT_OPS(mk_kill_ops, mk_kill_write);
MK_RESULT_OPS(mk_recover_ops, mk_recover_write);

static const struct kernfs_ops mk_health_ops = {
	.seq_show	= mk_inst_health_show,
};

static const struct kernfs_ops mk_inst_policy_ops = {
	.open		= mk_result_open,
	.release	= mk_result_release,
	.seq_show	= mk_inst_policy_show,
	.write		= mk_inst_policy_write,
};

static const struct kernfs_ops mk_vmcore_ops = {
	.read		= mk_vmcore_file_read,
	.write		= mk_vmcore_file_write,
};

static const struct kernfs_ops mk_console_ops = {
	.read		= mk_console_read,
	.write		= mk_console_write,
};

/* The files that run an instance, beside the read-only ones of its state. */
static const struct {
	const char *name;
	umode_t mode;
	const struct kernfs_ops *ops;
} mk_inst_controls[] = {
	{ "load", 0600, &mk_load_ops },
	{ "unload", 0600, &mk_unload_ops },
	{ "exec", 0600, &mk_exec_ops },
	{ "kill", 0600, &mk_kill_ops },
	{ "console", 0600, &mk_console_ops },
	{ "health", 0444, &mk_health_ops },
	{ "policy", 0644, &mk_inst_policy_ops },
	{ "recover", 0600, &mk_recover_ops },
	{ "vmcore", 0600, &mk_vmcore_ops },
};

static int mk_add_inst_controls(struct kernfs_node *dir)
{
	struct kernfs_node *kn;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(mk_inst_controls); i++) {
		kn = mk_add_file(dir, mk_inst_controls[i].name,
				 mk_inst_controls[i].mode,
				 mk_inst_controls[i].ops, NULL,
				 &mk_dir_file_key);
		if (IS_ERR(kn))
			return PTR_ERR(kn);
	}
	kernfs_activate(dir);
	return 0;
}

static int mk_add_inst_dir(const char *name)
{
	struct mk_inst_dir *dir;
	int err;

	lockdep_assert_held(&mk_tree_lock);
	dir = kzalloc(sizeof(*dir), GFP_KERNEL);
	if (!dir)
		return -ENOMEM;
	strscpy(dir->name, name, sizeof(dir->name));
	dir->kn = mk_add_dir(mk_kn_instances, name, mk_inst_files,
			     ARRAY_SIZE(mk_inst_files), &mk_inst_ops);
	err = PTR_ERR_OR_ZERO(dir->kn);
	if (!err) {
		err = mk_add_inst_controls(dir->kn);
		if (err)
			kernfs_remove(dir->kn);
	}
	if (err) {
		kfree(dir);
		return err;
	}
	list_add_tail(&dir->list, &mk_inst_dirs);
	return 0;
}

/*
 * Make instances/ match the state: remove the directories of instances that
 * are gone, add those of new ones. The names are a copy: the kernfs work
 * is done without the state's lock.
 */
static void mk_sync_inst_dirs(void)
{
	struct mk_inst_dir *dir, *tmp;
	char (*names)[MK_NAME_MAX + 1];
	u32 i, n;
	bool found;

	lockdep_assert_held(&mk_tree_lock);
	names = mk_pool_instance_names(&n);
	if (!names) {
		pr_warn("multikernel: out of memory updating instances/\n");
		return;
	}

	list_for_each_entry_safe(dir, tmp, &mk_inst_dirs, list) {
		for (i = 0, found = false; i < n && !found; i++)
			found = !strcmp(dir->name, names[i]);
		if (found)
			continue;
		list_del(&dir->list);
		/* Waits for a load in progress, so it is dropped here too. */
		kernfs_remove(dir->kn);
		mk_inst_unload(dir->name);
		kfree(dir);
	}
	for (i = 0; i < n; i++) {
		found = false;
		list_for_each_entry(dir, &mk_inst_dirs, list)
			found = found || !strcmp(dir->name, names[i]);
		if (!found && mk_add_inst_dir(names[i]))
			pr_warn("multikernel: cannot create instances/%s\n",
				names[i]);
	}
	kvfree(names);
}

/* Transactions. */

static int mk_tx_view_show(const struct mk_pool_tx_view *tv, void *arg)
{
	struct seq_file *sf = arg;
	struct kernfs_open_file *of = sf->private;

	switch ((enum mk_tx_file)(uintptr_t)of->kn->priv) {
	case MK_TX_ID:
		seq_printf(sf, "%u\n", tv->id);
		break;
	case MK_TX_STATUS:
		seq_puts(sf, "applied\n");
		if (tv->refusal)
			seq_printf(sf, "rollback refused:\n%s", tv->refusal);
		break;
	case MK_TX_DTBO:
		seq_write(sf, tv->rec->dtbo, tv->rec->size);
		break;
	case MK_TX_INSTANCES:
		seq_puts(sf, tv->instances);
		break;
	case MK_TX_PLACEMENT:
		mk_render_placement(sf, &tv->rec->dec);
		break;
	}
	return 0;
}

static int mk_tx_show(struct seq_file *sf, void *v)
{
	struct kernfs_open_file *of = sf->private;
	u32 id;

	if (kstrtou32(of->kn->parent->name + 3, 10, &id))
		return -ENODEV;
	return mk_pool_with_tx(id, mk_tx_view_show, sf);
}

static const struct kernfs_ops mk_tx_ops = {
	.seq_show	= mk_tx_show,
};

static void mk_add_tx_dir(u32 id)
{
	struct kernfs_node *kn;
	char name[16];

	lockdep_assert_held(&mk_tree_lock);
	snprintf(name, sizeof(name), "tx_%u", id);
	kn = mk_add_dir(mk_kn_overlays, name, mk_tx_files,
			ARRAY_SIZE(mk_tx_files), &mk_tx_ops);
	if (IS_ERR(kn))
		pr_warn("multikernel: cannot create overlays/%s\n", name);
}

static void mk_notify_change(void)
{
	kernfs_notify(mk_kn_device_tree);
	kernfs_notify(mk_kn_summary);
}

/* Apply an overlay as a new transaction, and show it. */
static int mk_apply(const void *blob, size_t size, struct mk_report *rep,
		    u32 *id)
{
	int err;

	mutex_lock(&mk_tree_lock);
	err = mk_pool_apply(blob, size, rep, id);
	if (!err) {
		mk_add_tx_dir(*id);
		mk_sync_inst_dirs();
		mk_notify_change();
	}
	mutex_unlock(&mk_tree_lock);
	return err;
}

static int mk_rmdir(struct kernfs_node *kn)
{
	struct mk_report rep;
	u32 id;
	int err;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (kn->parent != mk_kn_overlays || strncmp(kn->name, "tx_", 3) ||
	    kstrtou32(kn->name + 3, 10, &id))
		return -EPERM;

	/* The rollback removes this very directory. */
	kernfs_break_active_protection(kn);
	mk_report_init(&rep);
	mutex_lock(&mk_tree_lock);
	err = mk_pool_rollback(id, &rep);
	if (!err) {
		kernfs_remove(kn);
		mk_sync_inst_dirs();
		mk_notify_change();
	}
	mutex_unlock(&mk_tree_lock);
	mk_report_free(&rep);
	kernfs_unbreak_active_protection(kn);
	return err;
}

static struct kernfs_syscall_ops mk_syscall_ops = {
	.rmdir	= mk_rmdir,
};

/* Replace the baseline, and show the state it makes. */
static int mk_set_baseline(const void *blob, size_t size,
			   struct mk_report *rep)
{
	int err;

	mutex_lock(&mk_tree_lock);
	err = mk_pool_set_baseline(blob, size, rep);
	if (!err) {
		mk_sync_inst_dirs();
		mk_notify_change();
	}
	mutex_unlock(&mk_tree_lock);
	return err;
}

/* Top-level files. */

static ssize_t mk_device_tree_write(struct kernfs_open_file *of, char *buf,
				    size_t bytes, loff_t off)
{
	struct mk_report rep;
	int err;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	mk_report_init(&rep);
	err = mk_set_baseline(buf, bytes, &rep);
	mk_result_set(of, &rep, err ? NULL : "ok\n");
	mk_report_free(&rep);
	return err ? err : bytes;
}

static int mk_tree_view_show(const struct mk_pool_view *pv, void *arg)
{
	if (pv->fdt)
		seq_write(arg, pv->fdt, fdt_totalsize(pv->fdt));
	return 0;
}

static int mk_device_tree_show(struct seq_file *sf, void *v)
{
	if (mk_result_show(sf))
		return 0;
	return mk_pool_with_state(mk_tree_view_show, sf);
}

static const struct kernfs_ops mk_device_tree_ops = {
	.open			= mk_result_open,
	.release		= mk_result_release,
	.seq_show		= mk_device_tree_show,
	.write			= mk_device_tree_write,
	.atomic_write_len	= MK_MAX_BLOB_SIZE,
};

static ssize_t mk_new_write(struct kernfs_open_file *of, char *buf,
			    size_t bytes, loff_t off)
{
	struct mk_report rep;
	char ok[24];
	u32 id = 0;
	int err;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	mk_report_init(&rep);
	err = mk_apply(buf, bytes, &rep, &id);
	snprintf(ok, sizeof(ok), "tx %u\n", id);
	mk_result_set(of, &rep, err ? NULL : ok);
	mk_report_free(&rep);
	return err ? err : bytes;
}

static const struct kernfs_ops mk_new_ops = {
	.open			= mk_result_open,
	.release		= mk_result_release,
	.seq_show		= mk_result_only_show,
	.write			= mk_new_write,
	.atomic_write_len	= MK_MAX_BLOB_SIZE,
};

static int mk_summary_view_show(const struct mk_pool_view *pv, void *arg)
{
	if (pv->fdt)
		mk_render_summary(arg, pv->st, pv->ntxs);
	else
		seq_puts(arg, "no baseline\n");
	return 0;
}

static int mk_summary_show(struct seq_file *sf, void *v)
{
	return mk_pool_with_state(mk_summary_view_show, sf);
}

static const struct kernfs_ops mk_summary_ops = {
	.seq_show	= mk_summary_show,
};

static int mk_policy_show(struct seq_file *sf, void *v)
{
	char buf[MK_POLICY_NAME_MAX + 8];

	mk_policy_bpf_describe(buf, sizeof(buf));
	seq_puts(sf, buf);
	return 0;
}

static const struct kernfs_ops mk_policy_ops = {
	.seq_show	= mk_policy_show,
};

static int mk_recovery_log_seq(struct seq_file *sf, void *v)
{
	mk_recovery_log_show(sf);
	return 0;
}

/* A daemon sleeps in poll() on the log until the kernel adds a line. */
static void mk_recovery_log_changed(void)
{
	kernfs_notify(mk_kn_recovery_log);
}

static const struct kernfs_ops mk_recovery_log_ops = {
	.seq_show	= mk_recovery_log_seq,
};

static void mk_policy_changed(void)
{
	kernfs_notify(mk_kn_policy);
}

/* Mounting. */

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

static int __init mk_create_tree(void)
{
	struct kernfs_node *root = kernfs_root_to_node(mk_kf_root), *kn;

	mk_kn_device_tree = mk_add_file(root, "device_tree", 0644,
					&mk_device_tree_ops, NULL,
					&mk_top_file_key);
	if (IS_ERR(mk_kn_device_tree))
		return PTR_ERR(mk_kn_device_tree);
	mk_kn_summary = mk_add_file(root, "summary", 0444, &mk_summary_ops,
				    NULL, &mk_top_file_key);
	if (IS_ERR(mk_kn_summary))
		return PTR_ERR(mk_kn_summary);
	mk_kn_policy = mk_add_file(root, "policy", 0444, &mk_policy_ops, NULL,
				   &mk_top_file_key);
	if (IS_ERR(mk_kn_policy))
		return PTR_ERR(mk_kn_policy);
	mk_policy_bpf_set_notify(mk_policy_changed);
	mk_kn_recovery_log = mk_add_file(root, "recovery_log", 0444,
					 &mk_recovery_log_ops, NULL,
					 &mk_top_file_key);
	if (IS_ERR(mk_kn_recovery_log))
		return PTR_ERR(mk_kn_recovery_log);
	mk_recovery_log_notify_fn(mk_recovery_log_changed);
	mk_kn_overlays = kernfs_create_dir(root, "overlays", 0755, NULL);
	if (IS_ERR(mk_kn_overlays))
		return PTR_ERR(mk_kn_overlays);
	kn = mk_add_file(mk_kn_overlays, "new", 0600, &mk_new_ops, NULL,
			 &mk_top_file_key);
	if (IS_ERR(kn))
		return PTR_ERR(kn);
	mk_kn_instances = kernfs_create_dir(root, "instances", 0555, NULL);
	if (IS_ERR(mk_kn_instances))
		return PTR_ERR(mk_kn_instances);
	mk_inst_notify_fn(mk_notify_instance);
	return 0;
}

static int __init multikernel_fs_init(void)
{
	int ret;

	mk_kf_root = kernfs_create_root(&mk_syscall_ops,
					KERNFS_ROOT_EXTRA_OPEN_PERM_CHECK, NULL);
	if (IS_ERR(mk_kf_root))
		return PTR_ERR(mk_kf_root);

	ret = mk_create_tree();
	if (ret)
		goto err_destroy_root;

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
