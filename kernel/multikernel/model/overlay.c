// SPDX-License-Identifier: GPL-2.0
/*
 * Apply a device-tree overlay to a multikernel tree.
 *
 * Overlays are how instances are created and changed, so every fragment
 * must target /instances or a node below it; the pool itself changes only
 * through a new baseline. One exception keeps older trees working: a
 * fragment on the root may add device references there (a node with
 * parent and vf-id or namespace-id, and nothing else), for instances to
 * list. The result is a new blob: the input trees are never modified, so
 * a failure leaves nothing half-applied.
 */

#include "model.h"

#define MK_INSTANCES_NODE	"instances"
#define MK_INSTANCES_PATH	"/" MK_INSTANCES_NODE

/*
 * Find the label that __fixups__ says belongs in @fragment's target
 * property: entries are "path:property:offset" strings.
 */
static const char *mk_fixup_label(const void *dtbo, const char *fragment)
{
	int fix, poff, len, flen = strlen(fragment);
	const char *label, *v, *end;

	fix = fdt_path_offset(dtbo, "/__fixups__");
	if (fix < 0)
		return NULL;
	fdt_for_each_property_offset(poff, dtbo, fix) {
		v = fdt_getprop_by_offset(dtbo, poff, &label, &len);
		if (!v || len < 1 || v[len - 1] != '\0')
			continue;
		for (end = v + len; v < end; v += strlen(v) + 1)
			if (!strncmp(v, fragment, flen) && v[flen] == ':' &&
			    !strncmp(v + flen + 1, "target:", 7))
				return label;
	}
	return NULL;
}

/* Resolve a fragment's target to a path in @base, as the apply will. */
static const char *mk_fragment_target(const void *base, const void *dtbo,
				      int frag, char *path, int size)
{
	const char *name, *label, *p;
	const fdt32_t *ph;
	int len, node;

	p = fdt_getprop(dtbo, frag, "target-path", &len);
	if (p)
		return len > 0 && p[len - 1] == '\0' ? p : NULL;

	ph = fdt_getprop(dtbo, frag, "target", &len);
	if (!ph || len != sizeof(*ph))
		return NULL;
	name = fdt_get_name(dtbo, frag, NULL);
	if (!name || snprintf(path, size, "/%s", name) >= size)
		return NULL;
	label = mk_fixup_label(dtbo, path);
	if (label) {
		node = fdt_path_offset(base, "/__symbols__");
		p = node < 0 ? NULL : fdt_getprop(base, node, label, &len);
		return p && len > 0 && p[len - 1] == '\0' ? p : NULL;
	}

	/* A target phandle with no fixup refers to the base directly. */
	node = fdt_node_offset_by_phandle(base, fdt32_to_cpu(*ph));
	if (node < 0 || fdt_get_path(base, node, path, size))
		return NULL;
	return path;
}

static bool mk_path_in_instances(const char *path)
{
	size_t n = strlen(MK_INSTANCES_PATH);

	return !strncmp(path, MK_INSTANCES_PATH, n) &&
	       (path[n] == '\0' || path[n] == '/');
}

/*
 * A fragment on the root: it may add device references, each once, and
 * nothing else. A node of that name already in @base would take the
 * fragment's properties, so it is refused.
 */
static int mk_overlay_check_root(const void *base, const void *dtbo, int frag,
				 struct mk_report *rep)
{
	int ovl = fdt_subnode_offset(dtbo, frag, "__overlay__"), child;
	const char *fname = fdt_get_name(dtbo, frag, NULL), *name;

	if (fdt_first_property_offset(dtbo, ovl) >= 0) {
		mk_report_add(rep, MK_RULE_OVERLAY_TARGET,
			      "%s: sets properties of /; overlays may only change %s and add device references",
			      fname, MK_INSTANCES_PATH);
		return -EINVAL;
	}
	fdt_for_each_subnode(child, dtbo, ovl) {
		name = fdt_get_name(dtbo, child, NULL);
		if (!mk_is_devref_node(dtbo, child)) {
			mk_report_add(rep, MK_RULE_OVERLAY_TARGET,
				      "%s: adds /%s, which is not a device reference (parent and vf-id or namespace-id, nothing else); overlays may only change %s",
				      fname, name, MK_INSTANCES_PATH);
			return -EINVAL;
		}
		if (fdt_subnode_offset(base, 0, name) >= 0) {
			mk_report_add(rep, MK_RULE_OVERLAY_TARGET,
				      "%s: /%s exists already; a device reference is added once",
				      fname, name);
			return -EINVAL;
		}
	}
	return 0;
}

static int mk_overlay_check_targets(const void *base, const void *dtbo,
				    struct mk_report *rep)
{
	int frag, fragments = 0, err;
	const char *target;
	char path[256];

	fdt_for_each_subnode(frag, dtbo, 0) {
		if (fdt_subnode_offset(dtbo, frag, "__overlay__") < 0)
			continue;
		fragments++;
		target = mk_fragment_target(base, dtbo, frag, path, sizeof(path));
		if (target && !strcmp(target, "/")) {
			err = mk_overlay_check_root(base, dtbo, frag, rep);
			if (err)
				return err;
			continue;
		}
		if (!target || !mk_path_in_instances(target)) {
			mk_report_add(rep, MK_RULE_OVERLAY_TARGET,
				      "%s: targets %s; overlays may only change %s (write a new baseline to change the pool)",
				      fdt_get_name(dtbo, frag, NULL),
				      target ? target : "an unresolvable node",
				      MK_INSTANCES_PATH);
			return -EINVAL;
		}
	}
	if (!fragments) {
		mk_report_add(rep, MK_RULE_OVERLAY_EMPTY,
			      "overlay: no fragment with an __overlay__ node; compile /plugin/ source with dtc -@");
		return -EINVAL;
	}
	return 0;
}

/*
 * fdt_overlay_apply() adjusts the phandles that __local_fixups__ points at
 * without checking that each offset lies inside its property: a crafted
 * overlay would make it write out of bounds. Check every offset first.
 */
static int mk_overlay_check_local_fixups(const void *dtbo,
					 struct mk_report *rep)
{
	static const char prefix[] = "/__local_fixups__";
	int fix, node, depth = 0, poff, len, tlen, target;
	const fdt32_t *cells;
	char path[256];
	const char *name;
	u32 i;

	fix = fdt_path_offset(dtbo, prefix);
	if (fix < 0)
		return 0;
	for (node = fix; node >= 0 && depth >= 0;
	     node = fdt_next_node(dtbo, node, &depth)) {
		if (node != fix && depth <= 0)
			break;
		if (fdt_get_path(dtbo, node, path, sizeof(path)))
			goto bad;
		/* /__local_fixups__/a/b describes /a/b; the top, the root. */
		target = fdt_path_offset(dtbo, path[sizeof(prefix) - 1] ?
					 path + sizeof(prefix) - 1 : "/");
		if (target < 0)
			goto bad;
		fdt_for_each_property_offset(poff, dtbo, node) {
			cells = fdt_getprop_by_offset(dtbo, poff, &name, &len);
			if (!cells || len % 4 || !fdt_getprop(dtbo, target, name, &tlen))
				goto bad;
			for (i = 0; i < len / 4; i++)
				if (tlen < 4 || fdt32_to_cpu(cells[i]) > (u32)tlen - 4)
					goto bad;
		}
	}
	return 0;
bad:
	mk_report_add(rep, MK_RULE_MALFORMED,
		      "overlay: __local_fixups__ points outside the overlay's properties");
	return -EINVAL;
}

/**
 * mk_overlay_apply - apply an overlay to a tree, into a new blob
 * @base: the tree, already checked
 * @dtbo: the overlay, untrusted
 * @dtbo_size: its size as written
 * @out: the result; release with kvfree()
 * @rep: where to report why the overlay was refused
 *
 * Return: 0 or a negative errno; @base and @dtbo are not modified.
 */
int mk_overlay_apply(const void *base, const void *dtbo, size_t dtbo_size,
		     void **out, struct mk_report *rep)
{
	const char *hint;
	void *tree, *ovl;
	int err;

	err = mk_fdt_check(dtbo, dtbo_size, rep);
	if (err)
		return err;
	if (fdt_path_offset(base, MK_INSTANCES_PATH) < 0) {
		mk_report_add(rep, MK_RULE_OVERLAY_TARGET,
			      "the tree has no %s node for overlays to target; add an empty one to the baseline",
			      MK_INSTANCES_PATH);
		return -EINVAL;
	}
	err = mk_overlay_check_targets(base, dtbo, rep);
	if (!err)
		err = mk_overlay_check_local_fixups(dtbo, rep);
	if (err)
		return err;

	/* fdt_overlay_apply() writes to both trees: work on copies. */
	err = mk_fdt_copy(dtbo, 0, &ovl);
	if (err)
		return err;
	err = mk_fdt_copy(base, dtbo_size + 1024, &tree);
	if (err) {
		kvfree(ovl);
		return err;
	}
	err = fdt_overlay_apply(tree, ovl);
	kvfree(ovl);
	if (err) {
		kvfree(tree);
		hint = "";
		if (err == -FDT_ERR_NOTFOUND)
			hint = "; it uses an undefined label (baseline not built with dtc -@?)";
		mk_report_add(rep, MK_RULE_OVERLAY_APPLY,
			      "overlay does not apply: %s%s", fdt_strerror(err),
			      hint);
		return -EINVAL;
	}
	fdt_pack(tree);
	if (fdt_totalsize(tree) > MK_MAX_BLOB_SIZE) {
		kvfree(tree);
		mk_report_add(rep, MK_RULE_LIMIT_SIZE,
			      "the resulting tree would exceed %u bytes",
			      MK_MAX_BLOB_SIZE);
		return -EFBIG;
	}
	*out = tree;
	return 0;
}

/* Append @name (@n bytes) to the list in @buf unless it is there already. */
static int mk_add_name(char *buf, size_t size, size_t *len, const char *name,
		       size_t n)
{
	const char *line;

	for (line = buf; line < buf + *len; line += strlen(line) + 1)
		if (strlen(line) == n && !memcmp(line, name, n))
			return 0;
	if (*len + n + 2 > size)
		return -ENOSPC;
	memcpy(buf + *len, name, n);
	*len += n;
	buf[(*len)++] = '\0';
	return 0;
}

/**
 * mk_overlay_instances - list the instances an overlay touches
 * @base: the tree the overlay was applied to
 * @dtbo: the overlay, already applied once (so it is sound)
 * @buf: where to write the names, one per line
 * @size: size of @buf; the overlay's size plus 2 is always enough
 *
 * Return: the length written, or -ENOSPC if @buf is too small.
 */
int mk_overlay_instances(const void *base, const void *dtbo, char *buf,
			 size_t size)
{
	size_t i, len = 0, plen = strlen(MK_INSTANCES_PATH);
	const char *target, *name;
	int frag, ovl, child, err = 0;
	char path[256];

	if (!size)
		return -ENOSPC;
	fdt_for_each_subnode(frag, dtbo, 0) {
		ovl = fdt_subnode_offset(dtbo, frag, "__overlay__");
		target = ovl < 0 ? NULL :
			 mk_fragment_target(base, dtbo, frag, path, sizeof(path));
		if (!target || !mk_path_in_instances(target))
			continue;
		/* Below /instances the target names the instance... */
		if (target[plen]) {
			name = target + plen + 1;
			err = mk_add_name(buf, size, &len, name,
					  strcspn(name, "/"));
			if (err)
				return err;
			continue;
		}
		/* ...at /instances, each child is one. */
		fdt_for_each_subnode(child, dtbo, ovl) {
			name = fdt_get_name(dtbo, child, NULL);
			if (name)
				err = mk_add_name(buf, size, &len, name,
						  strlen(name));
			if (err)
				return err;
		}
	}
	/* The names were kept NUL-separated to compare them; print lines. */
	for (i = 0; i < len; i++)
		if (!buf[i])
			buf[i] = '\n';
	buf[len] = '\0';
	return len;
}

/**
 * mk_baseline_load - check a baseline and make the copy states build on
 * @blob: the baseline, untrusted
 * @size: its size as written
 * @out: a copy with an /instances node (added if the baseline has none);
 *	 release with kvfree()
 * @rep: why the baseline was refused
 *
 * A baseline describes the pool only: it must validate and hold no
 * instance.
 *
 * Return: 0 or a negative errno.
 */
int mk_baseline_load(const void *blob, size_t size, void **out,
		     struct mk_report *rep)
{
	struct mk_state st;
	void *copy;
	int err;

	err = mk_tree_check(blob, size, &st, rep);
	if (!err && st.ninstances) {
		mk_report_add(rep, MK_RULE_BASELINE_INSTANCES,
			      "a baseline describes the pool only; create instances with overlays");
		err = -EINVAL;
	}
	mk_state_free(&st);
	if (err)
		return err;

	err = mk_fdt_copy(blob, 64, &copy);
	if (err)
		return err;
	if (fdt_path_offset(copy, MK_INSTANCES_PATH) < 0 &&
	    fdt_add_subnode(copy, 0, MK_INSTANCES_NODE) < 0) {
		kvfree(copy);
		return -ENOMEM;
	}
	fdt_pack(copy);
	*out = copy;
	return 0;
}
