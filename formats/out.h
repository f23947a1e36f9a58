/*
 * out.h - buffered output for the writers in formats/.
 *
 * A report or an export is made of many small pieces, and stdio costs tens
 * of instructions per call; writers put the pieces here and stdio sees
 * PV_OUT_SIZE bytes at a time.  Write errors stay with the FILE (ferror),
 * where the caller checks them after the writer returns.
 */
#ifndef PV_OUT_H
#define PV_OUT_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/util.h"

#define PV_OUT_SIZE 65536

typedef struct pv_out {
	FILE *fp;
	double scale; /* the writer's time unit per second (report.c's --unit), 1 */
	int failed;   /* a piece could not be made (out of memory): the writer fails */
	size_t n;
	char b[PV_OUT_SIZE];
} pv_out;

/* A buffer for fp, or NULL (out of memory); out_close flushes and frees. */
static inline pv_out *out_open(FILE *fp)
{
	pv_out *o = malloc(sizeof(*o));
	if (o) {
		o->fp = fp;
		o->scale = 1;
		o->failed = 0;
		o->n = 0;
	}
	return o;
}

static inline void out_flush(pv_out *o)
{
	if (o->n)
		fwrite(o->b, 1, o->n, o->fp);
	o->n = 0;
}

static inline void out_close(pv_out *o)
{
	if (o) {
		out_flush(o);
		free(o);
	}
}

static inline void out_put(pv_out *o, const void *s, size_t n)
{
	if (n > PV_OUT_SIZE) { /* larger than the buffer: straight through */
		out_flush(o);
		fwrite(s, 1, n, o->fp);
		return;
	}
	if (n > PV_OUT_SIZE - o->n)
		out_flush(o);
	memcpy(o->b + o->n, s, n);
	o->n += n;
}

static inline void out_c(pv_out *o, char c)
{
	if (o->n == PV_OUT_SIZE)
		out_flush(o);
	o->b[o->n++] = c;
}

static inline void out_s(pv_out *o, const char *s)
{
	out_put(o, s, strlen(s));
}

/* Decimal digits written straight into the buffer, two at a time: the
 * callgrind export is mostly nanosecond counts. */
static inline void out_u64(pv_out *o, uint64_t v)
{
	size_t n = 1;
	for (uint64_t t = v; t >= 100; t /= 100)
		n += 2;
	if (v >= 10) {
		uint64_t p = 10;
		for (size_t k = 1; k < n; k++)
			p *= 10;
		if (v >= p)
			n++;
	}
	if (PV_OUT_SIZE - o->n < n)
		out_flush(o);
	char *e = o->b + o->n + n;
	while (v >= 100) {
		unsigned d = (unsigned)(v % 100) * 2;
		v /= 100;
		*--e = pv_digit_pairs[d + 1];
		*--e = pv_digit_pairs[d];
	}
	if (v >= 10) {
		unsigned d = (unsigned)v * 2;
		*--e = pv_digit_pairs[d + 1];
		*--e = pv_digit_pairs[d];
	} else {
		*--e = (char)('0' + v);
	}
	o->n += n;
}

static inline void out_i64(pv_out *o, int64_t v)
{
	if (v < 0) {
		out_c(o, '-');
		out_u64(o, -(uint64_t)v);
	} else {
		out_u64(o, (uint64_t)v);
	}
}

/* pv_int in decimal (pv_int_format's text): most fit 64 bits. */
static inline void out_int(pv_out *o, pv_int v)
{
	if (v >= INT64_MIN && v <= INT64_MAX) {
		out_i64(o, (int64_t)v);
		return;
	}
	char b[48];
	pv_int_format(b, v);
	out_s(o, b);
}

/* A double as Python's repr writes it (pv_double_repr: nan, inf, -inf too),
 * made in the buffer. */
static inline void out_repr(pv_out *o, double x)
{
	if (PV_OUT_SIZE - o->n < 32)
		out_flush(o);
	o->n += pv_double_repr(o->b + o->n, x);
}

/* printf into the buffer: the rare formatted piece (a count, a header). */
__attribute__((format(printf, 2, 3))) static inline void out_fmt(pv_out *o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(o->b + o->n, PV_OUT_SIZE - o->n, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n >= PV_OUT_SIZE - o->n) {
		out_flush(o);
		va_start(ap, fmt);
		n = vsnprintf(o->b, PV_OUT_SIZE, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n >= PV_OUT_SIZE) { /* longer than the buffer */
			char *big = malloc((size_t)n + 1);
			if (!big) {
				o->failed = 1;
				return;
			}
			va_start(ap, fmt);
			vsnprintf(big, (size_t)n + 1, fmt, ap);
			va_end(ap);
			fwrite(big, 1, (size_t)n, o->fp);
			free(big);
			return;
		}
	}
	if (n > 0)
		o->n += (size_t)n;
}

#endif
