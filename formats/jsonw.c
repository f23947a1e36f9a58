/*
 * jsonw.c - JSON strings and numbers for the writers (jsonw.h).
 */
#include "jsonw.h"

static const char hexd[] = "0123456789abcdef";

static void u_esc(pv_out *o, unsigned cp)
{
	char b[6] = {'\\', 'u', hexd[(cp >> 12) & 15], hexd[(cp >> 8) & 15], hexd[(cp >> 4) & 15],
		     hexd[cp & 15]};
	out_put(o, b, 6);
}

/* The code point of the 3-byte sequence at s (E2 80 A8, ED A0 80, ...). */
static unsigned cp3(const char *s)
{
	return ((unsigned)(s[0] & 0x0f) << 12) | ((unsigned)(s[1] & 0x3f) << 6) | (s[2] & 0x3f);
}

void jw_str(pv_out *o, const char *s, size_t n, unsigned flags)
{
	int html = (flags & JW_HTML) != 0;
	out_c(o, '"');
	size_t plain = 0; /* s[plain, i) needs no escape: written in one piece */
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\' && c != 0xed &&
		    !(html && (c == '<' || c == '>' || c == '&' || c == 0xe2)))
			continue;
		if (c == 0xed && !(i + 2 < n && ((unsigned char)s[i + 1] & 0xe0) == 0xa0))
			continue; /* U+D000..U+D7FF: UTF-8 as any other */
		if (c == 0xe2 && !(i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
				   ((unsigned char)s[i + 2] == 0xa8 || (unsigned char)s[i + 2] == 0xa9)))
			continue; /* not U+2028 / U+2029 */
		out_put(o, s + plain, i - plain);
		if (c == '"' || c == '\\') {
			out_c(o, '\\');
			out_c(o, (char)c);
		} else if (c == '\n') {
			out_put(o, "\\n", 2);
		} else if (c == '\t') {
			out_put(o, "\\t", 2);
		} else if (c == '\r' && !html) {
			out_put(o, "\\r", 2);
		} else if (c == 0xe2 || c == 0xed) { /* U+2028/9, a lone surrogate */
			u_esc(o, cp3(s + i));
			i += 2;
		} else {
			u_esc(o, c);
		}
		plain = i + 1;
	}
	out_put(o, s + plain, n - plain);
	out_c(o, '"');
}

void jw_double(pv_out *o, double x)
{
	if (!isfinite(x)) {
		out_s(o, "null");
		return;
	}
	if (PV_OUT_SIZE - o->n < 32)
		out_flush(o);
	o->n += pv_double_repr(o->b + o->n, x);
}
