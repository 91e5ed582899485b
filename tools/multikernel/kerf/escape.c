// SPDX-License-Identifier: GPL-2.0
/*
 * What an instance writes to its console is not trusted: an escape
 * sequence in it would reach the operator's terminal, which may then
 * retitle the window, move the cursor over earlier lines, or, on some
 * terminals, answer with input of its own. So kerf console prints it
 * escaped, as journalctl prints what a service logged: newlines and tabs
 * as they are, a carriage return before a newline dropped, valid UTF-8
 * other than C1 controls as it is, and every other byte as \xNN (a
 * backslash as \\, so that the escaping can be undone). --raw turns it
 * off.
 *
 * A multibyte character may be cut between two reads: its first bytes
 * wait in the state until the rest comes.
 */

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "kerf.h"

/* The length of the UTF-8 sequence that starts with @c, or 0. */
static unsigned int esc_utf8_len(unsigned char c)
{
	if (c >= 0xc2 && c <= 0xdf)
		return 2;
	if (c >= 0xe0 && c <= 0xef)
		return 3;
	if (c >= 0xf0 && c <= 0xf4)
		return 4;
	return 0;
}

/*
 * Whether @s (of @n bytes, the length its first byte gives) is a valid
 * sequence: continuation bytes, no overlong form, no surrogate, nothing
 * past U+10FFFF, and no C1 control (U+0080 to U+009F).
 */
static bool esc_utf8_ok(const unsigned char *s, unsigned int n)
{
	unsigned int i;

	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return false;
	if (n == 2)
		return s[0] != 0xc2 || s[1] >= 0xa0;
	if (n == 3)
		return (s[0] != 0xe0 || s[1] >= 0xa0) &&
		       (s[0] != 0xed || s[1] < 0xa0);
	return (s[0] != 0xf0 || s[1] >= 0x90) && (s[0] != 0xf4 || s[1] < 0x90);
}

static void esc_put(struct kerf_esc *e, const void *p, size_t n)
{
	if (e->len + n > sizeof(e->out))
		kerf_esc_flush(e);
	memcpy(e->out + e->len, p, n);
	e->len += n;
}

static void esc_hex(struct kerf_esc *e, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";
	char b[4] = { '\\', 'x', hex[c >> 4], hex[c & 15] };

	esc_put(e, b, sizeof(b));
}

/* One byte that starts no multibyte sequence. */
static void esc_byte(struct kerf_esc *e, unsigned char c)
{
	if (e->cr && c != '\n')
		esc_hex(e, '\r');
	e->cr = false;
	if (c == '\r')
		e->cr = true;
	else if (c == '\\')
		esc_put(e, "\\\\", 2);
	else if (c == '\n' || c == '\t' || (c >= 0x20 && c < 0x7f))
		esc_put(e, &c, 1);
	else
		esc_hex(e, c);
}

/* Bytes of a sequence that turned out invalid: the first is escaped. */
static void esc_bad_prefix(struct kerf_esc *e, const unsigned char *s,
			   unsigned int n);

/* Take one byte into a sequence under way, or start one. */
static void esc_take(struct kerf_esc *e, unsigned char c)
{
	unsigned int want;

	if (e->have) {
		e->seq[e->have++] = c;
		want = esc_utf8_len(e->seq[0]);
		if ((c & 0xc0) != 0x80 ||
		    (e->have == want && !esc_utf8_ok(e->seq, want))) {
			esc_bad_prefix(e, e->seq, e->have);
			return;
		}
		if (e->have == want) {
			esc_put(e, e->seq, want);
			e->have = 0;
		}
		return;
	}
	if (c < 0x80 || !esc_utf8_len(c)) {
		esc_byte(e, c);
		return;
	}
	if (e->cr)
		esc_hex(e, '\r');
	e->cr = false;
	e->seq[e->have++] = c;
}

static void esc_bad_prefix(struct kerf_esc *e, const unsigned char *s,
			   unsigned int n)
{
	unsigned char rest[4];
	unsigned int i;

	memcpy(rest, s + 1, n - 1);
	e->have = 0;
	esc_hex(e, s[0]);
	for (i = 0; i < n - 1; i++)
		esc_take(e, rest[i]);
}

/**
 * kerf_esc_init - start escaping to a file descriptor
 * @e: the state
 * @fd: where the escaped bytes go
 */
void kerf_esc_init(struct kerf_esc *e, int fd)
{
	memset(e, 0, sizeof(*e));
	e->fd = fd;
}

/**
 * kerf_esc_write - escape bytes and queue them for @e's descriptor
 * @e: the state, which keeps a sequence cut short
 * @buf: the bytes, as the instance wrote them
 * @n: how many
 */
void kerf_esc_write(struct kerf_esc *e, const void *buf, size_t n)
{
	const unsigned char *p = buf;
	size_t i;

	for (i = 0; i < n; i++)
		esc_take(e, p[i]);
}

/**
 * kerf_esc_flush - write out what is queued
 * @e: the state; a sequence cut short stays for the next bytes
 *
 * Return: 0, or a negative errno from write().
 */
int kerf_esc_flush(struct kerf_esc *e)
{
	size_t done = 0;
	ssize_t w;

	while (done < e->len) {
		w = write(e->fd, e->out + done, e->len - done);
		if (w <= 0) {
			e->len = 0;
			return w < 0 ? -errno : -EIO;
		}
		done += w;
	}
	e->len = 0;
	return 0;
}

/**
 * kerf_esc_end - the bytes have ended: escape a sequence cut short, and
 *	a lone carriage return, and write everything out
 * @e: the state
 *
 * Return: as kerf_esc_flush().
 */
int kerf_esc_end(struct kerf_esc *e)
{
	unsigned int i, n = e->have;

	e->have = 0;
	for (i = 0; i < n; i++)
		esc_hex(e, e->seq[i]);
	if (e->cr)
		esc_hex(e, '\r');
	e->cr = false;
	return kerf_esc_flush(e);
}
