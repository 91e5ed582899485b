// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers over flattened trees that every other file builds on: the
 * soundness check that runs before anything reads an untrusted blob, and
 * the copies the transaction code works on.
 *
 * Every blob is untrusted. mk_fdt_check() walks all of it once, with the
 * bounds checks of libfdt and limits of our own on size, depth and node
 * count, before anything else reads it; the parser then checks the length
 * of every property it uses.
 */

#include "model.h"

#define MK_MALFORMED(rep, ...) \
	mk_report_add(rep, MK_RULE_MALFORMED, __VA_ARGS__)

/*
 * libfdt copies blocks by sizes it derives from the header (fdt_open_into(),
 * fdt_pack()), and a crafted header can make those negative. Accept only
 * the layout dtc writes: header, reservation map, structure, strings, in
 * that order, aligned and without overlap, with a terminated reservation
 * map.
 */
static bool mk_fdt_layout_ok(const void *fdt)
{
	u64 rsv = fdt_off_mem_rsvmap(fdt), st = fdt_off_dt_struct(fdt);
	u64 str = fdt_off_dt_strings(fdt);
	int nrsv;

	/* libfdt reads the map as 64-bit words and the structure as cells. */
	if (rsv % 8 || st % 4 || rsv < fdt_header_size(fdt))
		return false;
	nrsv = fdt_num_mem_rsv(fdt);
	if (nrsv < 0)
		return false;
	return rsv + (u64)(nrsv + 1) * sizeof(struct fdt_reserve_entry) <= st &&
	       st + fdt_size_dt_struct(fdt) <= str &&
	       str + fdt_size_dt_strings(fdt) <= fdt_totalsize(fdt);
}

/* What the walk counts, to refuse an over-limit blob before any work. */
struct mk_fdt_walk {
	const char *blob;
	u32 size;		/* of the structure block */
	const char *strings;
	u32 strings_size;
	u32 off;		/* the next token, from the block's start */
	int depth;		/* 0 outside the root; 1 inside it */
	bool root_done;		/* the root node is closed */
	u32 nodes;
	u32 instances;		/* children of /instances */
	u32 added;		/* children of the current __overlay__ */
	u32 most_added;		/* of any one __overlay__ */
	u32 devices;		/* children of /resources/devices */
	/* Names of the open nodes down to depth 3 (1 is the root). */
	const char *path[4];
};

static u32 mk_fdt_cell(const struct mk_fdt_walk *w, u32 off)
{
	return fdt32_to_cpu(*(const fdt32_t *)(w->blob + off));
}

/* The NUL-terminated string at @off of @base, within @size; or NULL. */
static const char *mk_fdt_string(const char *base, u32 size, u32 off)
{
	if (off >= size || !memchr(base + off, '\0', size - off))
		return NULL;
	return base + off;
}

/*
 * Count a node that has just opened at @w->depth (the root is at 1) by
 * the names of its open ancestors: an instance of a tree, a node an
 * overlay fragment adds, or a device of the pool.
 */
static void mk_fdt_count(struct mk_fdt_walk *w, const char *name)
{
	int d = w->depth;

	if (d < ARRAY_SIZE(w->path))
		w->path[d] = name;
	if (d == 3 && !strcmp(w->path[2], "instances"))
		w->instances++;
	if (d == 3 && !strcmp(name, "__overlay__"))
		w->added = 0;
	if (d == 4 && !strcmp(w->path[3], "__overlay__"))
		w->most_added = max(w->most_added, ++w->added);
	if (d == 4 && !strcmp(w->path[2], "resources") &&
	    !strcmp(w->path[3], "devices"))
		w->devices++;
}

/* One FDT_BEGIN_NODE; 0, or a negative errno after reporting. */
static int mk_fdt_begin(struct mk_fdt_walk *w, struct mk_report *rep)
{
	const char *name = mk_fdt_string(w->blob, w->size, w->off + 4);

	if (!name || w->root_done || (!w->depth && *name)) {
		MK_MALFORMED(rep, "blob: bad node at offset %u", w->off);
		return -EINVAL;
	}
	w->off = ALIGN(w->off + 4 + strlen(name) + 1, 4);
	if (++w->depth > MK_MAX_DEPTH + 1 || ++w->nodes > MK_MAX_NODES) {
		MK_MALFORMED(rep, "blob: nested deeper than %d or more than %d nodes",
			     MK_MAX_DEPTH, MK_MAX_NODES);
		return -EINVAL;
	}
	mk_fdt_count(w, name);
	return 0;
}

/* One FDT_PROP: its value in the block, its name in the strings. */
static int mk_fdt_prop(struct mk_fdt_walk *w, struct mk_report *rep)
{
	u32 len, nameoff;

	if (w->size - w->off < 12 || !w->depth)
		goto bad;
	len = mk_fdt_cell(w, w->off + 4);
	nameoff = mk_fdt_cell(w, w->off + 8);
	if (len > w->size - w->off - 12 ||
	    !mk_fdt_string(w->strings, w->strings_size, nameoff))
		goto bad;
	w->off = ALIGN(w->off + 12 + len, 4);
	return 0;
bad:
	MK_MALFORMED(rep, "blob: bad property at offset %u", w->off);
	return -EINVAL;
}

/*
 * Walk the structure block once, token by token: every name and value
 * inside the block, nesting balanced, one root, and FDT_END last with
 * nothing after it. libfdt's own readers assume much of this.
 */
static int mk_fdt_walk(struct mk_fdt_walk *w, struct mk_report *rep)
{
	int err = 0;
	u32 tag;

	while (!err && w->off <= w->size - 4) {
		tag = mk_fdt_cell(w, w->off);
		switch (tag) {
		case FDT_BEGIN_NODE:
			err = mk_fdt_begin(w, rep);
			break;
		case FDT_END_NODE:
			if (!w->depth--)
				goto bad;
			w->root_done = !w->depth;
			w->off += 4;
			break;
		case FDT_PROP:
			err = mk_fdt_prop(w, rep);
			break;
		case FDT_NOP:
			w->off += 4;
			break;
		case FDT_END:
			if (!w->root_done || w->off + 4 != w->size)
				goto bad;
			return 0;
		default:
			goto bad;
		}
	}
	if (err)
		return err;
bad:
	MK_MALFORMED(rep, "blob: bad structure block at offset %u: %s", w->off,
		     w->off > w->size - 4 ? "no FDT_END" :
		     w->root_done ? "more after the root node" : "bad nesting or token");
	return -EINVAL;
}

/* The limits a walk can tell, before a blob is applied or parsed. */
static int mk_fdt_limits(const struct mk_fdt_walk *w, struct mk_report *rep)
{
	u32 instances = max(w->instances, w->most_added);

	/* An overlay fragment adds at most as many nodes as instances. */
	if (instances > MK_MAX_INSTANCES) {
		mk_report_add(rep, MK_RULE_LIMIT,
			      "blob: %u instances; at most %u are supported",
			      instances, MK_MAX_INSTANCES);
		return -E2BIG;
	}
	if (w->devices > MK_MAX_DEVICES) {
		mk_report_add(rep, MK_RULE_LIMIT,
			      "blob: %u devices; at most %u are supported",
			      w->devices, MK_MAX_DEVICES);
		return -E2BIG;
	}
	return 0;
}

/**
 * mk_fdt_check - check that a blob is a whole, well-formed flattened tree
 * @fdt: the blob
 * @size: the number of bytes written; the header must claim exactly this
 * @rep: where to report what is wrong
 *
 * One linear walk checks the structure and counts what the limits bound,
 * so that a malformed or over-limit blob is refused in time proportional
 * to its size, before anything else reads it.
 *
 * Return: 0, or a negative errno with findings in @rep.
 */
int mk_fdt_check(const void *fdt, size_t size, struct mk_report *rep)
{
	struct mk_fdt_walk w = {};
	int err;

	if (size > MK_MAX_BLOB_SIZE) {
		mk_report_add(rep, MK_RULE_LIMIT_SIZE,
			      "blob: %zu bytes; at most %u are accepted",
			      size, MK_MAX_BLOB_SIZE);
		return -EFBIG;
	}
	if (size < sizeof(struct fdt_header) || fdt_magic(fdt) != FDT_MAGIC) {
		MK_MALFORMED(rep, "blob: not a flattened device tree (%zu bytes)",
			     size);
		return -EINVAL;
	}
	if (fdt_totalsize(fdt) != size) {
		/* A split or partial write() of a blob ends up here. */
		MK_MALFORMED(rep, "blob: %zu bytes written, header says %u",
			     size, fdt_totalsize(fdt));
		return -EINVAL;
	}
	err = fdt_check_header(fdt);
	if (err || fdt_version(fdt) < 17) {
		MK_MALFORMED(rep, "blob: bad header: %s",
			     err ? fdt_strerror(err) : "version 17 or later needed");
		return -EINVAL;
	}
	if (!mk_fdt_layout_ok(fdt)) {
		MK_MALFORMED(rep, "blob: blocks misordered, overlapping or unaligned");
		return -EINVAL;
	}
	w.blob = (const char *)fdt + fdt_off_dt_struct(fdt);
	w.size = fdt_size_dt_struct(fdt);
	w.strings = (const char *)fdt + fdt_off_dt_strings(fdt);
	w.strings_size = fdt_size_dt_strings(fdt);
	if (w.size < 4 || w.size % 4) {
		MK_MALFORMED(rep, "blob: structure block of %u bytes", w.size);
		return -EINVAL;
	}
	err = mk_fdt_walk(&w, rep);
	return err ? err : mk_fdt_limits(&w, rep);
}

/**
 * mk_fdt_copy - copy a checked tree into a new buffer with room to grow
 * @fdt: the tree
 * @extra: bytes of free space wanted beyond the tree itself
 * @out: the new buffer; release with kvfree()
 *
 * Return: 0 or a negative errno.
 */
int mk_fdt_copy(const void *fdt, size_t extra, void **out)
{
	size_t size = fdt_totalsize(fdt);
	void *buf;

	if (check_add_overflow(size, extra, &size) || size > INT_MAX)
		return -EFBIG;
	buf = kvmalloc(size, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	if (fdt_open_into(fdt, buf, size)) {
		kvfree(buf);
		return -EINVAL;
	}
	*out = buf;
	return 0;
}

/**
 * mk_fdt_subtree - copy one node and all below it into a new tree
 * @fdt: a checked tree
 * @node: the node's offset in @fdt
 *
 * The node becomes the only child of the new tree's root.
 *
 * Return: the new tree, to release with kvfree(); or NULL without memory.
 */
void *mk_fdt_subtree(const void *fdt, int node)
{
	int size = fdt_totalsize(fdt) + 64, depth = 0, prev, off = node;
	int poff, len, close;
	const char *name;
	const void *val;
	void *out;
	bool ok;

	out = kvmalloc(size, GFP_KERNEL);
	if (!out)
		return NULL;
	ok = !fdt_create(out, size) && !fdt_finish_reservemap(out) &&
	     !fdt_begin_node(out, "");
	while (ok) {
		/* @off is at @depth below @node, which is at depth 0. */
		ok = !fdt_begin_node(out, fdt_get_name(fdt, off, NULL));
		fdt_for_each_property_offset(poff, fdt, off) {
			val = fdt_getprop_by_offset(fdt, poff, &name, &len);
			ok = ok && val && !fdt_property(out, name, val, len);
		}
		prev = depth;
		off = fdt_next_node(fdt, off, &depth);
		/* Close every node that the next one is not inside of. */
		close = (off < 0 || depth <= 0) ? prev + 1 : prev - depth + 1;
		while (ok && close--)
			ok = !fdt_end_node(out);
		if (off < 0 || depth <= 0)
			break;
	}
	ok = ok && !fdt_end_node(out) && !fdt_finish(out);
	if (!ok) {
		kvfree(out);
		return NULL;
	}
	return out;
}
