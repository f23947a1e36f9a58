/*
 * pyrepr.c - Python's repr() of a str and of a float, as pstats prints them
 * in "List reduced from ... due to restriction <...>".
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "utf8.h"

static int put(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
	if (pv_grow(buf, cap, *len + n + 1, 1) < 0)
		return PV_ENOMEM;
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[*len] = '\0';
	return 0;
}

#include "printable.h"

/* str.isprintable() for non-ASCII code points: false for the separators,
 * format and control characters, surrogates, private use and unassigned
 * code points (printable.h, generated from the oracle's Python). */
static int printable(unsigned cp)
{
	size_t lo = 0, hi = sizeof(nonprintable) / sizeof(nonprintable[0]);
	while (lo < hi) {
		size_t m = lo + (hi - lo) / 2;
		if (cp < nonprintable[m][0])
			hi = m;
		else if (cp > nonprintable[m][1])
			lo = m + 1;
		else
			return 0;
	}
	return 1;
}

int pv_pyrepr_str(char **buf, size_t *len, size_t *cap, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	char quote = '\'';
	if (memchr(s, '\'', n) && !memchr(s, '"', n))
		quote = '"';
	if (put(buf, len, cap, &quote, 1) < 0)
		return PV_ENOMEM;
	for (size_t i = 0; i < n;) {
		size_t k;
		unsigned cp = pv_utf8_decode(s + i, n - i, &k);
		char esc[16];
		int w = 0;
		if (cp == (unsigned char)quote || cp == '\\')
			w = snprintf(esc, sizeof(esc), "\\%c", (char)cp);
		else if (cp == '\t')
			w = snprintf(esc, sizeof(esc), "\\t");
		else if (cp == '\n')
			w = snprintf(esc, sizeof(esc), "\\n");
		else if (cp == '\r')
			w = snprintf(esc, sizeof(esc), "\\r");
		else if (cp < 0x20 || cp == 0x7f)
			w = snprintf(esc, sizeof(esc), "\\x%02x", cp);
		else if (cp >= 0x80 && !printable(cp))
			w = snprintf(esc, sizeof(esc), cp <= 0xff ? "\\x%02x" : cp <= 0xffff ? "\\u%04x"
											     : "\\U%08x",
				     cp);
		int rc = w ? put(buf, len, cap, esc, (size_t)w) : put(buf, len, cap, (const char *)s + i, k);
		if (rc < 0)
			return rc;
		i += k;
	}
	return put(buf, len, cap, &quote, 1);
}

/* repr(float): the shortest digits that round-trip, in fixed notation when
 * the decimal exponent is in (-4, 16], else as d.ddde+XX. */
int pv_pyrepr_float(char **buf, size_t *len, size_t *cap, double x)
{
	char out[40];
	size_t n = pv_double_repr(out, x);
	return put(buf, len, cap, out, n);
}
