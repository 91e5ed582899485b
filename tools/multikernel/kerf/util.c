// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers every command uses: messages, errno names and the parsers of
 * sizes, CPU lists and transaction ids. They return 0 or a negative
 * errno; only commands return exit codes.
 */

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "kerf.h"

/* The first error said, for the object that --format gives a failure. */
static char kerf_first_err[256];

/* kmorphd, once in the background: errors go to syslog, not stderr. */
bool kerf_to_syslog;

/**
 * kerf_err - say what went wrong, on stderr
 * @fmt: the message, without the program's name or a newline
 */
void kerf_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (!kerf_first_err[0])
		vsnprintf(kerf_first_err, sizeof(kerf_first_err), fmt, ap);
	va_end(ap);
	if (kerf_to_syslog) {
		va_start(ap, fmt);
		vsyslog(LOG_ERR, fmt, ap);
		va_end(ap);
		return;
	}
	fprintf(stderr, "%s: ", kerf_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* What kerf_err() said first, or "". */
const char *kerf_first_error(void)
{
	return kerf_first_err;
}

/* With --verbose: what kerf does on the way, on stderr. */
void kerf_info(const char *fmt, ...)
{
	va_list ap;

	if (!kerf_verbose)
		return;
	fputs("kerf: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* "EBUSY" for -EBUSY or EBUSY, as findings and JSON name errnos. */
const char *kerf_errno_name(int err)
{
	switch (err < 0 ? -err : err) {
	case EINVAL: return "EINVAL";
	case EBUSY: return "EBUSY";
	case ENOSPC: return "ENOSPC";
	case EEXIST: return "EEXIST";
	case EFBIG: return "EFBIG";
	case E2BIG: return "E2BIG";
	case EPERM: return "EPERM";
	case ENOMEM: return "ENOMEM";
	default: return strerrorname_np(err < 0 ? -err : err) ?: "E?";
	}
}

/**
 * kerf_parse_size - parse 512M, 2G, 2GB, 2GiB, 0x1000 or 4096
 * @s: the text
 * @out: the size in bytes
 *
 * K, M, G and T are binary units, with or without B or iB after them.
 *
 * Return: 0, or -EINVAL.
 */
int kerf_parse_size(const char *s, u64 *out)
{
	static const char units[] = "KMGT";
	unsigned long long v;
	const char *u;
	char *end;
	int shift;

	if (!*s || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -EINVAL;
	if (*end) {
		u = strchr(units, toupper((unsigned char)*end));
		if (!u)
			return -EINVAL;
		end++;
		if (!strcasecmp(end, "ib") || !strcasecmp(end, "b"))
			end += strlen(end);
		if (*end)
			return -EINVAL;
		shift = 10 * (u - units + 1);
		if (v > (~0ULL >> shift))
			return -EINVAL;
		v <<= shift;
	}
	*out = v;
	return 0;
}

/**
 * kerf_parse_cpulist - parse a list such as "0-3,8" into a set
 * @p: the list; a trailing newline is allowed, as sysfs writes one
 * @cpus: the set, added to
 *
 * Return: 0, or -EINVAL for anything else or a number past MK_MAX_CPUS.
 */
/**
 * kerf_parse_cpulist - parse a CPU list such as "1-3,8", as sysfs prints
 * @p: the text; a trailing newline ends it
 * @cpus: the CPUs are added here
 *
 * Return: 0, or -EINVAL.
 */
int kerf_parse_cpulist(const char *p, struct mk_cpus *cpus)
{
	unsigned long a, b;
	char *end;

	if (!*p || *p == '\n')
		return -EINVAL;
	while (*p && *p != '\n') {
		a = strtoul(p, &end, 10);
		if (end == p)
			return -EINVAL;
		b = a;
		if (*end == '-')
			b = strtoul(end + 1, &end, 10);
		if (b >= MK_MAX_CPUS || b < a)
			return -EINVAL;
		for (; a <= b; a++)
			__set_bit(a, cpus->bits);
		if (*end && *end != ',' && *end != '\n')
			return -EINVAL;
		p = *end == ',' ? end + 1 : end;
	}
	return 0;
}

/**
 * kerf_parse_tx - parse a transaction id, "tx_N" or "N"
 * @arg: the text
 *
 * Return: the id, or -EINVAL.
 */
int kerf_parse_tx(const char *arg)
{
	char *end;
	long id;

	if (!strncmp(arg, "tx_", 3))
		arg += 3;
	errno = 0;
	id = strtol(arg, &end, 10);
	return *arg && !*end && !errno && id > 0 && id <= INT_MAX ? id : -EINVAL;
}
