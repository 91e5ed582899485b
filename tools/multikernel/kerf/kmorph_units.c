// SPDX-License-Identifier: GPL-2.0
/*
 * The runtime's units, as an operator writes them: durations in seconds
 * ("2", "0.5", "2s", "1500ms") and points in time as journalctl --since
 * takes them ("2026-12-07 21:00:00", "21:00", "10 min ago", "-1h",
 * "today", "yesterday", "now"). The kernel keeps milliseconds and
 * CLOCK_BOOTTIME; these turn one into the other.
 */

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kerf.h"
#include "kmorph.h"

/**
 * kmorph_duration_ms - a duration in milliseconds
 * @text: seconds, as a number with an optional "s", or milliseconds with
 *	"ms"
 * @ms: set to the duration, rounded to the millisecond
 *
 * Return: 0, or -EINVAL for text that is no duration, or one of less than
 * a millisecond or more than a year.
 */
int kmorph_duration_ms(const char *text, long *ms)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(text, &end);
	if (end == text || errno || v < 0 || isspace((unsigned char)*text))
		return -EINVAL;
	if (!strcmp(end, "ms"))
		;
	else if (!*end || !strcmp(end, "s"))
		v *= 1000;
	else
		return -EINVAL;
	if (v < 1 || v > 366.0 * 86400 * 1000)
		return -EINVAL;
	*ms = (long)(v + 0.5);
	return 0;
}

/* "10 min", "1h", "2 days": seconds, or -1. */
static double units_span(const char *text)
{
	static const struct { const char *name; double secs; } units[] = {
		{ "s", 1 }, { "sec", 1 }, { "secs", 1 }, { "second", 1 },
		{ "seconds", 1 }, { "m", 60 }, { "min", 60 }, { "mins", 60 },
		{ "minute", 60 }, { "minutes", 60 }, { "h", 3600 },
		{ "hour", 3600 }, { "hours", 3600 }, { "d", 86400 },
		{ "day", 86400 }, { "days", 86400 }, { "w", 604800 },
		{ "week", 604800 }, { "weeks", 604800 },
	};
	char *end;
	double v;
	size_t i;

	v = strtod(text, &end);
	if (end == text || v < 0)
		return -1;
	while (*end == ' ')
		end++;
	if (!*end)
		return v;
	for (i = 0; i < ARRAY_SIZE(units); i++)
		if (!strcmp(end, units[i].name))
			return v * units[i].secs;
	return -1;
}

/* Local midnight @days_back days ago. */
static time_t units_midnight(int days_back)
{
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	tm.tm_mday -= days_back;
	tm.tm_hour = 0;
	tm.tm_min = 0;
	tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return mktime(&tm);
}

/* "YYYY-MM-DD[ HH:MM[:SS]]" or "HH:MM[:SS]" (today), local time; or -1. */
static time_t units_clock(const char *text)
{
	struct tm tm = { .tm_isdst = -1 };
	time_t now = time(NULL);
	const char *end;

	end = strptime(text, "%Y-%m-%d %H:%M:%S", &tm);
	if (!end || *end) {
		memset(&tm, 0, sizeof(tm));
		end = strptime(text, "%Y-%m-%d %H:%M", &tm);
	}
	if (!end || *end) {
		memset(&tm, 0, sizeof(tm));
		end = strptime(text, "%Y-%m-%d", &tm);
	}
	if (!end || *end) {
		localtime_r(&now, &tm);
		tm.tm_sec = 0;
		end = strptime(text, "%H:%M:%S", &tm);
		if (!end || *end)
			end = strptime(text, "%H:%M", &tm);
	}
	if (!end || *end)
		return -1;
	tm.tm_isdst = -1;
	return mktime(&tm);
}

/**
 * kmorph_when - a point in time, as wall-clock seconds since the epoch
 * @text: as journalctl --since takes it: a date and time, a time of
 *	today, "N UNIT ago", "-N UNIT", "now", "today" or "yesterday"
 * @secs: set to the time
 *
 * Return: 0, or -EINVAL.
 */
int kmorph_when(const char *text, double *secs)
{
	struct timespec now;
	size_t n = strlen(text);
	double span;
	time_t t;
	char *s;

	clock_gettime(CLOCK_REALTIME, &now);
	if (!strcmp(text, "now")) {
		*secs = now.tv_sec + now.tv_nsec / 1e9;
		return 0;
	}
	if (!strcmp(text, "today") || !strcmp(text, "yesterday")) {
		*secs = units_midnight(text[0] == 'y');
		return 0;
	}
	if (n > 4 && !strcmp(text + n - 4, " ago")) {
		s = strndup(text, n - 4);
		span = s ? units_span(s) : -1;
		free(s);
	} else {
		span = text[0] == '-' ? units_span(text + 1) : -1;
	}
	if (span >= 0) {
		*secs = now.tv_sec + now.tv_nsec / 1e9 - span;
		return 0;
	}
	t = units_clock(text);
	if (t == (time_t)-1)
		return -EINVAL;
	*secs = t;
	return 0;
}

/**
 * kmorph_boot_wall - the wall-clock time of the host's boot, as
 *	CLOCK_BOOTTIME counts from it
 *
 * Return: seconds since the epoch; add a CLOCK_BOOTTIME reading for the
 * wall-clock time of that moment.
 */
double kmorph_boot_wall(void)
{
	struct timespec real, boot;

	clock_gettime(CLOCK_REALTIME, &real);
	clock_gettime(CLOCK_BOOTTIME, &boot);
	return (real.tv_sec - boot.tv_sec) + (real.tv_nsec - boot.tv_nsec) / 1e9;
}
