// SPDX-License-Identifier: GPL-2.0
/*
 * The report of findings that a rejected change returns to its writer, and
 * how its lines print CPU lists.
 */

#include "model.h"

void mk_report_init(struct mk_report *rep)
{
	memset(rep, 0, sizeof(*rep));
}

void mk_report_free(struct mk_report *rep)
{
	kfree(rep->buf);
	mk_report_init(rep);
}

static bool mk_report_reserve(struct mk_report *rep, size_t need)
{
	size_t size;
	char *buf;

	if (rep->len + need < rep->size)
		return true;
	if (rep->len + need >= MK_REPORT_MAX)
		return false;
	size = max_t(size_t, 2 * rep->size, 1024);
	size = min_t(size_t, max_t(size_t, size, rep->len + need + 1),
		     MK_REPORT_MAX);
	buf = krealloc(rep->buf, size, GFP_KERNEL);
	if (!buf)
		return false;
	rep->buf = buf;
	rep->size = size;
	return true;
}

/**
 * mk_report_add - add one finding
 * @rep: the report
 * @rule: the rule broken; the table (rules.c) gives its name, whether it is
 *	  an error or a warning, and the errno an error makes a write fail with
 * @fmt: the rest of the line: the instances, what is wrong, a short hint
 *
 * A finding that does not fit in MK_REPORT_MAX bytes is counted in
 * @rep->dropped instead of kept, and whoever prints the report says how many
 * were dropped, so that nothing vanishes unsaid.
 */
void mk_report_add(struct mk_report *rep, enum mk_rule rule,
		   const char *fmt, ...)
{
	const struct mk_rule_info *info = &mk_rules[rule];
	char line[512];
	va_list ap;
	int n;

	if (info->err) {
		rep->errors++;
		if (!rep->err)
			rep->err = info->err;
	} else {
		rep->warnings++;
	}

	n = snprintf(line, sizeof(line), "%s: %s: ",
		     info->err ? "error" : "warning", info->name);
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	n = min_t(int, n, sizeof(line) - 1);

	if (!mk_report_reserve(rep, n + 1)) {
		rep->dropped++;
		return;
	}
	memcpy(rep->buf + rep->len, line, n);
	rep->len += n;
	rep->buf[rep->len++] = '\n';
	rep->buf[rep->len] = '\0';
}

/**
 * mk_bits_format - print a bitmap as a list of ranges, "0-3,8,10-11"
 * @buf: where to print
 * @size: size of @buf; the output is always NUL-terminated
 * @bits: the bitmap
 * @nbits: its size in bits
 *
 * An empty bitmap prints as "none". Output that does not fit ends in "...",
 * so that a cut list is never mistaken for a whole one.
 *
 * Return: the length printed, as snprintf() counts it for a big enough
 * buffer: a result of @size or more means the list was cut.
 */
int mk_bits_format(char *buf, size_t size, const unsigned long *bits,
		   u32 nbits)
{
	u32 start, end;
	size_t len = 0;
	int n;

	if (!size)
		return 0;
	buf[0] = '\0';
	start = find_next_bit(bits, nbits, 0);
	if (start >= nbits)
		return snprintf(buf, size, "none");

	while (start < nbits) {
		end = start;
		while (end + 1 < nbits && test_bit(end + 1, bits))
			end++;
		if (end == start)
			n = snprintf(buf + min(len, size - 1), size - min(len, size - 1),
				     "%s%u", len ? "," : "", start);
		else
			n = snprintf(buf + min(len, size - 1), size - min(len, size - 1),
				     "%s%u-%u", len ? "," : "", start, end);
		len += n;
		start = find_next_bit(bits, nbits, end + 1);
	}
	if (len >= size && size > 4)
		memcpy(buf + size - 4, "...", 4);
	return len;
}
