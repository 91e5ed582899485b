// SPDX-License-Identifier: GPL-2.0
/*
 * kerf policy: attach, show and detach the BPF placement policy.
 *
 * A policy is a BPF object with one struct_ops map of type mk_policy_ops.
 * load attaches it through a struct_ops link and pins the link in bpffs,
 * so that it outlives kerf. unload finds the attached policy through the
 * kernel, not through kerf's pins, so that it also detaches one that
 * "bpftool struct_ops register" attached. The kernel's word on what is
 * attached is /sys/fs/multikernel/policy.
 */

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "kerf.h"

#ifdef KERF_BPF
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/magic.h>

#define KERF_BPFFS	"/sys/fs/bpf"
#define KERF_PIN_DIR	KERF_BPFFS "/multikernel"
#define KERF_VALUE_TYPE	"bpf_struct_ops_mk_policy_ops"
#endif

/* "builtin" or "bpf NAME", as the kernel says; NULL if it cannot. */
static char *policy_now(void)
{
	char *s;

	if (kerf_mount())
		return NULL;
	s = kerf_read("policy", NULL);
	if (!s) {
		kerf_err("cannot read %s/policy: %s", kerf_root, strerror(errno));
		return NULL;
	}
	s[strcspn(s, "\n")] = '\0';
	return s;
}

#ifdef KERF_BPF

/* Whether a struct_ops map is an mk_policy_ops; fills @info. */
static bool policy_map(int fd, struct bpf_map_info *info, const struct btf *vmlinux)
{
	__u32 len = sizeof(*info);
	const struct btf_type *t;

	memset(info, 0, sizeof(*info));
	if (bpf_map_get_info_by_fd(fd, info, &len) ||
	    info->type != BPF_MAP_TYPE_STRUCT_OPS)
		return false;
	t = btf__type_by_id(vmlinux, info->btf_vmlinux_value_type_id);
	return t && !strcmp(btf__name_by_offset(vmlinux, t->name_off),
			    KERF_VALUE_TYPE);
}

struct policy_found {
	__u32 map_id;
	__u32 link_id;		/* 0 if it was attached without a link */
	char name[BPF_OBJ_NAME_LEN];
};

/*
 * Find the attached mk_policy_ops: through its link, else as a map that
 * was updated without one. Returns 1 if found, 0 if not, or -errno.
 */
static int policy_find(struct policy_found *f)
{
	struct bpf_link_info link = {};
	struct bpf_map_info info;
	struct btf *vmlinux;
	__u32 id = 0, len;
	int fd, found = 0;

	memset(f, 0, sizeof(*f));
	vmlinux = btf__load_vmlinux_btf();
	if (!vmlinux)
		return -errno;
	while (!found && !bpf_link_get_next_id(id, &id)) {
		fd = bpf_link_get_fd_by_id(id);
		if (fd < 0)
			continue;
		len = sizeof(link);
		memset(&link, 0, sizeof(link));
		if (!bpf_link_get_info_by_fd(fd, &link, &len) &&
		    link.type == BPF_LINK_TYPE_STRUCT_OPS) {
			int mfd = bpf_map_get_fd_by_id(link.struct_ops.map_id);

			if (mfd >= 0 && policy_map(mfd, &info, vmlinux)) {
				f->map_id = info.id;
				f->link_id = link.id;
				snprintf(f->name, sizeof(f->name), "%s", info.name);
				found = 1;
			}
			if (mfd >= 0)
				close(mfd);
		}
		close(fd);
	}
	/* A map registered without a link: its value is in use. */
	for (id = 0; !found && !bpf_map_get_next_id(id, &id);) {
		__u32 zero = 0;
		void *value;

		fd = bpf_map_get_fd_by_id(id);
		if (fd < 0)
			continue;
		/* The value starts with refcnt and state, two u32s. */
		if (policy_map(fd, &info, vmlinux) &&
		    !(info.map_flags & BPF_F_LINK) &&
		    info.value_size >= 2 * sizeof(__u32)) {
			value = calloc(1, info.value_size);
			if (value && !bpf_map_lookup_elem(fd, &zero, value) &&
			    /* struct bpf_struct_ops_common_value: state 1 is INUSE */
			    ((__u32 *)value)[1] == 1) {
				f->map_id = info.id;
				snprintf(f->name, sizeof(f->name), "%s", info.name);
				found = 1;
			}
			free(value);
		}
		close(fd);
	}
	btf__free(vmlinux);
	return found;
}

static int policy_bpffs(void)
{
	struct statfs sfs;

	if (statfs(KERF_BPFFS, &sfs) || sfs.f_type != BPF_FS_MAGIC) {
		if (mount("bpf", KERF_BPFFS, "bpf", 0, NULL)) {
			kerf_err("cannot mount bpffs at %s: %s", KERF_BPFFS,
				 strerror(errno));
			return -1;
		}
	}
	if (mkdir(KERF_PIN_DIR, 0700) && errno != EEXIST) {
		kerf_err("cannot create %s: %s", KERF_PIN_DIR, strerror(errno));
		return -1;
	}
	return 0;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	if (level == LIBBPF_DEBUG && !kerf_verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static int policy_load(const char *path)
{
	struct bpf_object *obj;
	struct bpf_map *map, *ops = NULL;
	struct bpf_link *link;
	char pin[512], *now;
	int err, nops = 0;

	obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		kerf_err("%s: not a BPF object: %s", path, strerror(errno));
		return KERF_FILE;
	}
	bpf_object__for_each_map(map, obj) {
		if (bpf_map__type(map) != BPF_MAP_TYPE_STRUCT_OPS)
			continue;
		ops = map;
		nops++;
	}
	if (nops != 1) {
		kerf_err("%s: has %d struct_ops maps; a policy has exactly one, of type mk_policy_ops",
			 path, nops);
		bpf_object__close(obj);
		return KERF_FILE;
	}
	err = bpf_object__load(obj);
	if (err) {
		kerf_err("%s: the kernel refused the program: %s%s", path,
			 strerror(-err), kerf_verbose ? "" :
			 " (--verbose shows the verifier's log)");
		bpf_object__close(obj);
		return KERF_INVALID;
	}
	link = bpf_map__attach_struct_ops(ops);
	if (!link) {
		err = errno;
		now = err == EBUSY ? policy_now() : NULL;
		if (now && !strncmp(now, "bpf ", 4))
			kerf_err("cannot attach %s: policy %s is attached; 'kerf policy unload' first",
				 bpf_map__name(ops), now + 4);
		else
			kerf_err("cannot attach %s: %s", bpf_map__name(ops),
				 strerror(err));
		free(now);
		bpf_object__close(obj);
		return KERF_INVALID;
	}
	snprintf(pin, sizeof(pin), KERF_PIN_DIR "/%s", bpf_map__name(ops));
	if (policy_bpffs() || bpf_link__pin(link, pin)) {
		if (errno)
			kerf_err("cannot pin the link at %s: %s; detaching",
				 pin, strerror(errno));
		bpf_link__destroy(link);
		bpf_object__close(obj);
		return KERF_INVALID;
	}
	kerf_info("link pinned at %s", pin);
	now = policy_now();
	if (kerf_structured()) {
		kerf_emit_begin();
		kerf_emit_str("result", "attached");
		kerf_emit_str("policy", now ? now : "");
		kerf_emit_str("pinned", pin);
		kerf_emit_close();
	} else {
		printf("policy %s attached; the kernel reports: %s\n",
		       bpf_map__name(ops), now ? now : "(unknown)");
	}
	free(now);
	/* The pin holds the link; closing ours leaves it attached. */
	bpf_link__disconnect(link);
	bpf_link__destroy(link);
	bpf_object__close(obj);
	return KERF_OK;
}

/* Remove the pins in KERF_PIN_DIR of the link with id @link_id. */
static void policy_unpin(__u32 link_id)
{
	struct bpf_link_info info;
	struct dirent *de;
	char path[512];
	__u32 len;
	DIR *dir;
	int fd;

	dir = opendir(KERF_PIN_DIR);
	while (dir && (de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), KERF_PIN_DIR "/%s", de->d_name);
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		len = sizeof(info);
		memset(&info, 0, sizeof(info));
		if (!bpf_link_get_info_by_fd(fd, &info, &len) &&
		    info.id == link_id && !unlink(path))
			kerf_info("removed the pin %s", path);
		close(fd);
	}
	if (dir)
		closedir(dir);
}

static int policy_unload(void)
{
	char *now, *before, name[BPF_OBJ_NAME_LEN] = "";
	struct policy_found f;
	int fd, err;

	before = policy_now();
	if (before && !strncmp(before, "bpf ", 4))
		snprintf(name, sizeof(name), "%s", before + 4);
	free(before);
	err = policy_find(&f);
	if (err < 0) {
		kerf_err("cannot look for the policy: %s", strerror(-err));
		return KERF_INVALID;
	}
	if (!err) {
		kerf_err("no BPF placement policy is attached");
		return KERF_INVALID;
	}
	if (f.link_id) {
		fd = bpf_link_get_fd_by_id(f.link_id);
		err = fd < 0 ? -errno : bpf_link_detach(fd);
		if (fd >= 0)
			close(fd);
		if (!err)
			policy_unpin(f.link_id);
	} else {
		__u32 zero = 0;

		fd = bpf_map_get_fd_by_id(f.map_id);
		err = fd < 0 ? -errno : bpf_map_delete_elem(fd, &zero);
		if (fd >= 0)
			close(fd);
	}
	if (err) {
		kerf_err("cannot detach %s: %s", name[0] ? name : f.name,
			 strerror(-err));
		return KERF_INVALID;
	}
	now = policy_now();
	if (kerf_structured()) {
		kerf_emit_begin();
		kerf_emit_str("result", "detached");
		kerf_emit_str("detached", name[0] ? name : f.name);
		kerf_emit_str("policy", now ? now : "");
		kerf_emit_close();
	} else {
		printf("policy %s detached; the kernel reports: %s\n",
		       name[0] ? name : f.name, now ? now : "(unknown)");
	}
	free(now);
	return KERF_OK;
}

#else /* !KERF_BPF */

static int policy_load(const char *path)
{
	kerf_err("this kerf was built without libbpf; rebuild with LIBBPF_DIR, or use 'bpftool struct_ops register %s'",
		 path);
	return KERF_INVALID;
}

static int policy_unload(void)
{
	kerf_err("this kerf was built without libbpf; rebuild with LIBBPF_DIR, or use 'bpftool struct_ops unregister'");
	return KERF_INVALID;
}

#endif /* KERF_BPF */

static int policy_show(void)
{
	char *now = policy_now();
	const char *name;

	if (!now)
		return KERF_INVALID;
	name = strncmp(now, "bpf ", 4) ? NULL : now + 4;
	if (kerf_structured()) {
		kerf_emit_begin();
		kerf_emit_str("policy", name ? "bpf" : now);
		if (name)
			kerf_emit_str("name", name);
		kerf_emit_close();
	} else if (name) {
		printf("Policy:  BPF policy %s; the built-in policies decide what it declines\n",
		       name);
	} else {
		printf("Policy:  built-in (cpu-affinity: first, compact, spread, local;\n"
		       "         memory-policy: first, local, interleave, bind)\n");
	}
	free(now);
	return KERF_OK;
}

static int policy_show_cmd(int argc, char **argv)
{
	return argc > 1 ? kerf_usage("show takes no arguments") : policy_show();
}

static int policy_load_cmd(int argc, char **argv)
{
	if (argc != 2)
		return kerf_usage("want one FILE.bpf.o");
#ifdef KERF_BPF
	libbpf_set_print(libbpf_print);
#endif
	return policy_load(argv[1]);
}

static int policy_unload_cmd(int argc, char **argv)
{
	if (argc > 1)
		return kerf_usage("unload takes no arguments");
#ifdef KERF_BPF
	libbpf_set_print(libbpf_print);
#endif
	return policy_unload();
}

const struct kerf_cmd kerf_policy_cmds[] = {
	{ "show", policy_show_cmd, NULL, "what is attached" },
	{ "load", policy_load_cmd, "FILE.bpf.o",
	  "attach the mk_policy_ops struct_ops in FILE",
	  "Attach the mk_policy_ops struct_ops in FILE and pin its link in\n"
	  "/sys/fs/bpf/multikernel.\n" },
	{ "unload", policy_unload_cmd, NULL,
	  "detach the attached BPF policy, however it was attached",
	  "Detach the attached BPF policy, however it was attached; the\n"
	  "built-in policies decide again.\n" },
	{ NULL },
};

/* "kerf policy" alone shows it. */
int do_policy(int argc, char **argv)
{
	return policy_show_cmd(argc, argv);
}
