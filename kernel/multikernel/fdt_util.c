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

/**
 * mk_fdt_check - check that a blob is a whole, well-formed flattened tree
 * @fdt: the blob
 * @size: the number of bytes written; the header must claim exactly this
 * @rep: where to report what is wrong
 *
 * Return: 0, or a negative errno with findings in @rep.
 */
int mk_fdt_check(const void *fdt, size_t size, struct mk_report *rep)
{
	int off, depth = 0, nodes = 0, poff, len, err;
	const char *name;

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
	if (err) {
		MK_MALFORMED(rep, "blob: bad header: %s", fdt_strerror(err));
		return -EINVAL;
	}
	if (!mk_fdt_layout_ok(fdt)) {
		MK_MALFORMED(rep, "blob: blocks misordered, overlapping or unaligned");
		return -EINVAL;
	}

	/* Leaving the root node makes depth negative: the normal end. */
	for (off = 0; off >= 0 && depth >= 0;
	     off = fdt_next_node(fdt, off, &depth)) {
		if (depth > MK_MAX_DEPTH || ++nodes > MK_MAX_NODES) {
			MK_MALFORMED(rep, "blob: nested deeper than %d or more than %d nodes",
				     MK_MAX_DEPTH, MK_MAX_NODES);
			return -EINVAL;
		}
		if (!fdt_get_name(fdt, off, &len)) {
			MK_MALFORMED(rep, "blob: bad node name at offset %d", off);
			return -EINVAL;
		}
		fdt_for_each_property_offset(poff, fdt, off) {
			if (!fdt_getprop_by_offset(fdt, poff, &name, &len) ||
			    !name) {
				MK_MALFORMED(rep, "blob: bad property at offset %d",
					     poff);
				return -EINVAL;
			}
		}
		if (poff != -FDT_ERR_NOTFOUND) {
			MK_MALFORMED(rep, "blob: bad property list: %s",
				     fdt_strerror(poff));
			return -EINVAL;
		}
	}
	if (off < 0) {
		MK_MALFORMED(rep, "blob: bad structure block: %s",
			     fdt_strerror(off == -FDT_ERR_NOTFOUND ?
					  -FDT_ERR_TRUNCATED : off));
		return -EINVAL;
	}
	return 0;
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
