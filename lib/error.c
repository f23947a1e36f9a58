/*
 * error.c - the error kept on a pv_ctx.
 *
 * The message is built once, where the problem is found, with the input's
 * name and byte offset, and is passed up unchanged: callers only test codes.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "pv.h"

int pv_fail(pv_ctx *ctx, int code, size_t off, const char *fmt, ...)
{
	if (!ctx)
		return code;
	size_t n = 0, cap = sizeof(ctx->msg);
	int w;
	if (ctx->input) {
		char in[512], mem[512] = "";
		pv_quote(in, sizeof(in), ctx->input, strlen(ctx->input), 0);
		if (ctx->member)
			pv_quote(mem, sizeof(mem), ctx->member, strlen(ctx->member), 0);
		w = snprintf(ctx->msg, cap, "%s%s%s: ", in, ctx->member ? ":" : "", mem);
		n = w < 0 ? 0 : (size_t)w < cap ? (size_t)w
						: cap - 1;
	}
	if (off != PV_NOOFF && n < cap) {
		w = snprintf(ctx->msg + n, cap - n, "byte %zu: ", off);
		n = w < 0 ? n : n + (size_t)w < cap ? n + (size_t)w
						    : cap - 1;
	}
	if (n < cap) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(ctx->msg + n, cap - n, fmt, ap);
		va_end(ap);
	}
	ctx->code = code;
	return code;
}

void pv_ctx_clear(pv_ctx *ctx)
{
	ctx->code = 0;
	ctx->nomem = 0;
	ctx->msg[0] = '\0';
}

/* Length of the printable character at s (valid UTF-8, not a control, not
 * a surrogate), or 0. */
static size_t printable(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	if (c < 0x80)
		return c >= 0x20 && c != 0x7f;
	size_t k = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3
					: c >= 0xf0 && c <= 0xf4       ? 4
								       : 0;
	if (!k || k > n)
		return 0;
	unsigned cp = c & (0x7fu >> k);
	for (size_t j = 1; j < k; j++) {
		if ((s[j] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[j] & 0x3f);
	}
	static const unsigned min[] = {0, 0, 0x80, 0x800, 0x10000};
	if (cp < min[k] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || cp < 0xa0)
		return 0;
	return k;
}

size_t pv_quote(char *buf, size_t cap, const char *str, size_t n, int always)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t o = 0;
	int need = always;
	for (size_t i = 0; i < n && !need;) {
		size_t k = printable(s + i, n - i);
		need = !k;
		i += k;
	}
	if (!cap)
		return 0;
#define PUT(ch)                                \
	do {                                   \
		if (o + 1 < cap)               \
			buf[o++] = (char)(ch); \
	} while (0)
	if (!need) {
		for (size_t i = 0; i < n; i++)
			PUT(s[i]);
		buf[o] = '\0';
		return o;
	}
	/* coreutils' shell-escape style: 'plain'$'\n''plain' */
	int inq = 1, indollar = 0;
	PUT('\'');
	for (size_t i = 0; i < n;) {
		size_t k = printable(s + i, n - i);
		if (k) {
			if (indollar) {
				PUT('\'');
				indollar = 0;
			}
			if (!inq) {
				PUT('\'');
				inq = 1;
			}
			if (s[i] == '\'') {
				PUT('\'');
				PUT('\\');
				PUT('\'');
				PUT('\'');
			} else {
				for (size_t j = 0; j < k; j++)
					PUT(s[i + j]);
			}
			i += k;
			continue;
		}
		if (inq) {
			PUT('\'');
			inq = 0;
		}
		if (!indollar) {
			PUT('$');
			PUT('\'');
			indollar = 1;
		}
		static const char esc[] = "\aa\bb\tt\nn\vv\ff\rr";
		const char *e = s[i] ? memchr(esc, s[i], sizeof(esc) - 1) : NULL;
		if (e && (e - esc) % 2 == 0) {
			PUT('\\');
			PUT(e[1]);
		} else {
			PUT('\\');
			PUT('0' + (s[i] >> 6));
			PUT('0' + ((s[i] >> 3) & 7));
			PUT('0' + (s[i] & 7));
		}
		i++;
	}
	if (inq || indollar)
		PUT('\'');
#undef PUT
	buf[o] = '\0';
	return o;
}
