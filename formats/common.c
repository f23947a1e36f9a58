/*
 * common.c - helpers shared by the writers (modes.h).
 */
#include <inttypes.h>
#include <string.h>

#include "modes.h"
#include "out.h"

double pv_unit_scale(const char *unit, const char *deflt, double max, const char **name)
{
	if (!unit)
		unit = deflt;
	if (!strcmp(unit, "auto"))
		unit = max >= 1 ? "s" : max >= 1e-3      ? "ms"
				: max == 0 || max != max ? deflt
							 : "us";
	*name = !strcmp(unit, "s") ? "s" : !strcmp(unit, "ms") ? "ms"
				   : !strcmp(unit, "us")       ? "us"
							       : deflt;
	return !strcmp(*name, "s") ? 1 : !strcmp(*name, "ms") ? 1e3
							      : 1e6;
}

void pv_func_id(char buf[17], const pv_stats *st, uint32_t key)
{
	pv_hex16(buf, pv_stats_key_hash(st, key));
}

void pv_hex16(char buf[17], uint64_t h)
{
	for (int i = 15; i >= 0; i--, h >>= 4)
		buf[i] = "0123456789abcdef"[h & 15];
	buf[16] = '\0';
}

uint32_t pv_utf8_get(const char *str, size_t n, size_t *i)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t at = *i;
	unsigned c = s[at];
	*i = at + 1;
	if (c < 0x80)
		return c;
	size_t len = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3
					  : c >= 0xf0 && c <= 0xf4       ? 4
									 : 0;
	if (!len || len > n - at)
		return PV_UTF8_BAD;
	uint32_t cp = c & (0x7f >> len);
	for (size_t k = 1; k < len; k++) {
		if ((s[at + k] & 0xc0) != 0x80)
			return PV_UTF8_BAD;
		cp = cp << 6 | (s[at + k] & 0x3f);
	}
	static const uint32_t least[] = {0, 0, 0x80, 0x800, 0x10000};
	if (cp < least[len] || cp > 0x10ffff)
		return PV_UTF8_BAD;
	if (cp >= 0xd800 && cp <= 0xdfff) { /* surrogatepass: one unit, 3 bytes */
		*i = at + 3;
		return PV_UTF8_BAD;
	}
	*i = at + len;
	return cp;
}

int pv_xml_forbidden(uint32_t cp)
{
	if (cp < 0x20)
		return cp != '\t' && cp != '\n' && cp != '\r';
	if (cp >= 0x7f && cp <= 0x9f) /* DEL and C1: XML 1.0 section 2.2 discourages them */
		return 1;
	if (cp >= 0xfdd0 && cp <= 0xfdef) /* noncharacters */
		return 1;
	return (cp & 0xfffe) == 0xfffe || cp == PV_UTF8_BAD; /* U+FFFE, U+FFFF, U+1FFFE ... */
}

/* 1 if a spreadsheet would read a cell starting at s as a formula: OWASP's
 * list (= + - @ tab CR), also after leading spaces, which spreadsheets
 * skip. */
static int formula(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && s[i] == ' ')
		i++;
	return i < n && strchr("=+-@\t\r", s[i]) && s[i];
}

void pv_csv_str(pv_out *fp, const char *s, size_t n)
{
	int quote = 0, plain = 1;
	for (size_t i = 0; i < n && !quote; i++) {
		unsigned char c = (unsigned char)s[i];
		quote = c == ',' || c == '"' || c == '\r' || c == '\n';
		plain &= c < 0x80;
	}
	int neutral = formula(s, n);
	if (!quote && !neutral && plain) {
		out_put(fp, s, n);
		return;
	}
	if (quote || neutral)
		out_c(fp, '"');
	if (neutral) /* OWASP: a leading apostrophe makes the cell text */
		out_c(fp, '\'');
	for (size_t i = 0; i < n;) {
		size_t at = i;
		uint32_t cp = pv_utf8_get(s, n, &i);
		if (cp == PV_UTF8_BAD) { /* a lone surrogate or a non-UTF-8 byte */
			out_s(fp, "\xef\xbf\xbd");
			continue;
		}
		if (cp == '"')
			out_c(fp, '"');
		out_put(fp, s + at, i - at);
	}
	if (quote || neutral)
		out_c(fp, '"');
}

#include "width.h"

static int in_ranges(const uint32_t (*r)[2], size_t nr, uint32_t cp)
{
	size_t lo = 0, hi = nr;
	while (lo < hi) {
		size_t m = lo + (hi - lo) / 2;
		if (cp < r[m][0])
			hi = m;
		else if (cp > r[m][1])
			lo = m + 1;
		else
			return 1;
	}
	return 0;
}

/* Code points a text table shows escaped, as Python's repr() does: C0, DEL
 * and C1 as \xNN; the line and paragraph separators and the bidirectional
 * controls (which reorder the rest of the line on a terminal) as \uNNNN. */
static int text_escaped(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x61c || cp == 0x200e ||
	       cp == 0x200f || (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

void pv_text_str(FILE *fp, const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t at = i;
		uint32_t cp = pv_utf8_get(s, n, &i);
		if (cp == PV_UTF8_BAD || !text_escaped(cp))
			fwrite(s + at, 1, i - at, fp);
		else if (cp <= 0xff)
			fprintf(fp, "\\x%02x", (unsigned)cp);
		else
			fprintf(fp, "\\u%04x", (unsigned)cp);
	}
}

size_t pv_text_width(const char *s, size_t n)
{
	size_t w = 0;
	for (size_t i = 0; i < n;) {
		uint32_t cp = pv_utf8_get(s, n, &i);
		if (cp == PV_UTF8_BAD)
			w += 1;
		else if (text_escaped(cp))
			w += cp <= 0xff ? 4 : 6;
		else if (cp < 0x80)
			w += 1;
		else if (in_ranges(width_two, sizeof(width_two) / sizeof(width_two[0]), cp))
			w += 2;
		else if (!in_ranges(width_zero, sizeof(width_zero) / sizeof(width_zero[0]), cp))
			w += 1;
	}
	return w;
}
