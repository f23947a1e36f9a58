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
		w = snprintf(ctx->msg, cap, "%s%s%s: ", ctx->input, ctx->member ? ":" : "",
			     ctx->member ? ctx->member : "");
		n = w < 0 ? 0 : (size_t)w < cap ? (size_t)w : cap - 1;
	}
	if (off != PV_NOOFF && n < cap) {
		w = snprintf(ctx->msg + n, cap - n, "byte %zu: ", off);
		n = w < 0 ? n : n + (size_t)w < cap ? n + (size_t)w : cap - 1;
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
	ctx->msg[0] = '\0';
}
