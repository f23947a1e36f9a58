/*
 * pyrepr.c - Python's repr() of a str and of a float, as pstats prints them
 * in "List reduced from ... due to restriction <...>".
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static int put(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
	if (pv_grow(buf, cap, *len + n + 1, 1) < 0)
		return PV_ENOMEM;
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[*len] = '\0';
	return 0;
}

/* str.isprintable() for non-ASCII code points: false for the separators,
 * format and control characters, surrogates, private use and
 * noncharacters.  (Unassigned code points are not known here.) */
static int printable(unsigned cp)
{
	static const unsigned ranges[][2] = {
		{0x80, 0xa0}, {0xad, 0xad}, {0x600, 0x605}, {0x61c, 0x61c}, {0x6dd, 0x6dd},
		{0x70f, 0x70f}, {0x890, 0x891}, {0x8e2, 0x8e2}, {0x1680, 0x1680}, {0x180e, 0x180e},
		{0x2000, 0x200f}, {0x2028, 0x202f}, {0x205f, 0x2064}, {0x2066, 0x206f},
		{0x3000, 0x3000}, {0xd800, 0xf8ff}, {0xfdd0, 0xfdef}, {0xfeff, 0xfeff},
		{0xfff9, 0xfffb}, {0x110bd, 0x110bd}, {0x110cd, 0x110cd}, {0x13430, 0x1343f},
		{0x1bca0, 0x1bca3}, {0x1d173, 0x1d17a}, {0xe0001, 0xe0001}, {0xe0020, 0xe007f},
		{0xf0000, 0x10ffff},
	};
	if ((cp & 0xfffe) == 0xfffe)
		return 0;
	for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
		if (cp >= ranges[i][0] && cp <= ranges[i][1])
			return 0;
	return 1;
}

static unsigned decode(const unsigned char *s, size_t n, size_t *k)
{
	unsigned c = s[0];
	size_t len = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
	if (len > n || c >= 0xf8 || (c >= 0x80 && c < 0xc0)) {
		*k = 1;
		return 0xfffd;
	}
	unsigned cp = len == 1 ? c : c & (0x7f >> len);
	for (size_t j = 1; j < len; j++)
		cp = cp << 6 | (s[j] & 0x3f);
	*k = len;
	return cp;
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
		unsigned cp = decode(s + i, n - i, &k);
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
			w = snprintf(esc, sizeof(esc), cp <= 0xff ? "\\x%02x" : cp <= 0xffff ? "\\u%04x" : "\\U%08x", cp);
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

size_t pv_double_repr(char *out, double x)
{
	if (isnan(x))
		return (size_t)sprintf(out, "nan");
	if (isinf(x))
		return (size_t)sprintf(out, x < 0 ? "-inf" : "inf");
	char e[40];
	int prec;
	for (prec = 0; prec < 17; prec++) {
		snprintf(e, sizeof(e), "%.*e", prec, x);
		if (strtod(e, NULL) == x)
			break;
	}
	/* e = [-]d[.ddd]e[+-]XX */
	char digits[24];
	size_t nd = 0;
	const char *p = e;
	int neg = *p == '-';
	if (neg)
		p++;
	for (; *p && *p != 'e'; p++)
		if (*p != '.')
			digits[nd++] = *p;
	int exp10 = atoi(p + 1);
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	int decpt = exp10 + 1;
	size_t o = 0;
	if (neg)
		out[o++] = '-';
	if (decpt > -4 && decpt <= 16) {
		if (decpt <= 0) {
			out[o++] = '0';
			out[o++] = '.';
			for (int z = 0; z < -decpt; z++)
				out[o++] = '0';
			memcpy(out + o, digits, nd);
			o += nd;
		} else if ((size_t)decpt >= nd) {
			memcpy(out + o, digits, nd);
			o += nd;
			for (size_t z = nd; z < (size_t)decpt; z++)
				out[o++] = '0';
			out[o++] = '.';
			out[o++] = '0';
		} else {
			memcpy(out + o, digits, (size_t)decpt);
			o += (size_t)decpt;
			out[o++] = '.';
			memcpy(out + o, digits + decpt, nd - (size_t)decpt);
			o += nd - (size_t)decpt;
		}
	} else {
		out[o++] = digits[0];
		if (nd > 1) {
			out[o++] = '.';
			memcpy(out + o, digits + 1, nd - 1);
			o += nd - 1;
		}
		o += (size_t)snprintf(out + o, 16, "e%c%02d", exp10 < 0 ? '-' : '+', abs(exp10));
	}
	out[o] = '\0';
	return o;
}
