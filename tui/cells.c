/*
 * cells.c - names from dumps on a terminal.  A name is untrusted: an
 * escape sequence in a function name must not reach the terminal, and a
 * row must stay as wide as its neighbours whatever characters it holds.
 * So text is decoded here (lone surrogates too: pstats names may carry
 * them), every character that is not shown as itself is written as an
 * escape (\x1b, \u0085), and widths are the terminal's (wcwidth).
 * A line keeps to 4 bytes a column, so one of `max` columns fits 4 * max.
 */
/* wcwidth: _XOPEN_SOURCE comes with ncursesw's flags (pkg-config) */
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "tui.h"

static int utf8 = 1;

void tui_cells_utf8(int on)
{
	utf8 = on;
}

/* The code point at s[0, n) and its length in bytes; -1 for a byte that
 * starts no character (length 1).  Surrogates (ED A0..BF xx) decode. */
static long decode(const unsigned char *s, size_t n, size_t *len)
{
	*len = 1;
	unsigned c = s[0];
	if (c < 0x80)
		return c;
	size_t k = c >= 0xf0 && c < 0xf5 ? 4 : c >= 0xe0       ? 3
				       : c >= 0xc2 && c < 0xe0 ? 2
							       : 0;
	if (!k || k > n)
		return -1;
	long cp = c & (0x7f >> k);
	for (size_t i = 1; i < k; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return -1;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((k == 3 && cp < 0x800) || (k == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return -1; /* overlong or out of range */
	*len = k;
	return cp;
}

static int combining(long cp)
{
	return (cp >= 0x300 && cp < 0x370) || (cp >= 0x1ab0 && cp < 0x1b00) ||
	       (cp >= 0x1dc0 && cp < 0x1e00) || (cp >= 0x20d0 && cp < 0x2100) ||
	       (cp >= 0xfe20 && cp < 0xfe30);
}

/* The escape written for cp (or a bad byte), and its width; 0 when the
 * character is shown as itself, with its width in *w. */
static int escape(long cp, unsigned char byte, char *esc, int *w)
{
	if (cp < 0) {
		snprintf(esc, 12, "\\x%02x", byte);
		return *w = 4;
	}
	if (cp < 0x20 || cp == 0x7f) {
		snprintf(esc, 12, "\\x%02lx", cp);
		return *w = 4;
	}
	if (cp < 0x80) {
		*w = 1;
		return 0;
	}
	int cw = utf8 && !(cp >= 0xd800 && cp < 0xe000) ? wcwidth((wchar_t)cp) : -1;
	/* combining marks are shown on their base character; other
	 * zero-width characters (joiners, direction marks) are escaped: the
	 * terminal may join or reorder what follows */
	if (cw == 0 && combining(cp)) {
		*w = 0;
		return 0;
	}
	if (cp < 0xa0 || cw <= 0) {
		*w = snprintf(esc, 12, cp > 0xffff ? "\\U%08lx" : "\\u%04lx", cp);
		return *w;
	}
	*w = cw;
	return 0;
}

void tui_line_put(struct tui_line *l, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < n && l->cols < l->max) {
		size_t k;
		long cp = decode(p + i, n - i, &k);
		char esc[16];
		int w;
		int e = escape(cp, p[i], esc, &w);
		if (!e && !w && l->len + k > 4 * (size_t)l->cols) {
			/* marks beyond 4 bytes a column: escaped, so the
			 * line keeps to its 4 * max bytes */
			w = e = snprintf(esc, sizeof(esc), "\\u%04lx", cp);
		}
		if (l->cols + w > l->max) {
			/* cut: an escape shows as far as it fits, a wide
			 * character not at all */
			if (e) {
				int room = l->max - l->cols;
				memcpy(l->buf + l->len, esc, (size_t)room);
				l->len += (size_t)room;
				l->cols += room;
			}
			break;
		}
		if (e) {
			memcpy(l->buf + l->len, esc, (size_t)e);
			l->len += (size_t)e;
		} else {
			memcpy(l->buf + l->len, p + i, k);
			l->len += k;
		}
		l->cols += w;
		i += k;
	}
	l->buf[l->len] = '\0';
}

void tui_line_puts(struct tui_line *l, const char *s)
{
	tui_line_put(l, s, strlen(s));
}

void tui_line_pad(struct tui_line *l, int col)
{
	if (col > l->max)
		col = l->max;
	while (l->cols < col) {
		l->buf[l->len++] = ' ';
		l->cols++;
	}
	l->buf[l->len] = '\0';
}

int tui_text_width(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	int cols = 0;
	for (size_t i = 0, k; i < n; i += k) {
		char esc[16];
		int w;
		escape(decode(p + i, n - i, &k), p[i], esc, &w);
		cols += w;
	}
	return cols;
}
