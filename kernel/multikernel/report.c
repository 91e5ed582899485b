// SPDX-License-Identifier: GPL-2.0
/*
 * The report of findings that a rejected change returns to its writer.
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
 * @sev: error or warning
 * @err: the negative errno that this error makes a write fail with
 * @rule: the stable rule name, e.g. "cpu-overlap"
 * @fmt: the rest of the line: the instances, what is wrong, a short hint
 *
 * A finding that does not fit in MK_REPORT_MAX bytes is counted in
 * @rep->dropped instead of kept, and whoever prints the report says how many
 * were dropped, so that nothing vanishes unsaid.
 */
void mk_report_add(struct mk_report *rep, enum mk_severity sev, int err,
		   const char *rule, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	if (sev == MK_ERROR) {
		rep->errors++;
		if (!rep->err)
			rep->err = err;
	} else {
		rep->warnings++;
	}

	n = snprintf(line, sizeof(line), "%s: %s: ",
		     sev == MK_ERROR ? "error" : "warning", rule);
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
