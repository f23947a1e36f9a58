/*
 * testutil.h - helpers shared by the cmocka unit tests.
 *
 *  - tu_buf: a tiny marshal writer, so a test builds the exact bytes of a
 *    dump in memory (every type code, FLAG_REF, back-references) and knows
 *    the offset of every object it wrote (tu_off);
 *  - tu_load: runs pv_reader_marshal.read into a fresh pv_profile/pv_stats
 *    (and optionally merges), keeping the rc and the pv_ctx;
 *  - lookups by display string, exact double/int assertions, a memory FILE.
 *
 * Everything is `static inline` so each test file uses what it needs
 * without unused-function warnings.
 */
#ifndef PV_TESTUTIL_H
#define PV_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../formats/reader.h"
#include "../../formats/writer.h"
#include "../../lib/pv.h"

#define TU_FLAG 0x80 /* marshal FLAG_REF */

/* ---- marshal byte builder --------------------------------------------- */

typedef struct tu_buf {
	unsigned char *p;
	size_t len, cap;
} tu_buf;

/* Two doubles with the same bits (-0.0 is not 0.0; a NaN is itself). */
#define tu_same_bits(a, b)                                           \
	do {                                                         \
		double tu_a_ = (a), tu_b_ = (b);                     \
		assert_memory_equal(&tu_a_, &tu_b_, sizeof(double)); \
	} while (0)

static inline void tu_free(tu_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

static inline size_t tu_off(const tu_buf *b)
{
	return b->len;
}

static inline void tu_raw(tu_buf *b, const void *s, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap < b->len + n)
			cap *= 2;
		unsigned char *q = realloc(b->p, cap);
		assert_non_null(q);
		b->p = q;
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->len, s, n);
	b->len += n;
}

static inline void tu_byte(tu_buf *b, unsigned c)
{
	unsigned char x = (unsigned char)c;
	tu_raw(b, &x, 1);
}

static inline void tu_le32(tu_buf *b, uint32_t v)
{
	unsigned char x[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
			      (unsigned char)(v >> 24)};
	tu_raw(b, x, 4);
}

static inline void tu_le64(tu_buf *b, uint64_t v)
{
	tu_le32(b, (uint32_t)v);
	tu_le32(b, (uint32_t)(v >> 32));
}

/* `code` below is the full type byte: add TU_FLAG to set FLAG_REF. */

/* i (int32) */
static inline void tu_i(tu_buf *b, unsigned code, int32_t v)
{
	tu_byte(b, code);
	tu_le32(b, (uint32_t)v);
}

static inline void tu_int(tu_buf *b, int32_t v)
{
	tu_i(b, 'i', v);
}

/* I (int64) */
static inline void tu_I(tu_buf *b, unsigned code, int64_t v)
{
	tu_byte(b, code);
	tu_le64(b, (uint64_t)v);
}

/* l (long): int32 digit count (negative for a negative value), then
 * base-2^15 digits, least significant first. */
static inline void tu_long(tu_buf *b, unsigned code, pv_int v)
{
	unsigned __int128 u = v < 0 ? -(unsigned __int128)v : (unsigned __int128)v;
	uint16_t d[16];
	int n = 0;
	while (u) {
		d[n++] = (uint16_t)(u & 0x7fff);
		u >>= 15;
	}
	tu_byte(b, code);
	tu_le32(b, (uint32_t)(v < 0 ? -n : n));
	for (int k = 0; k < n; k++) {
		tu_byte(b, d[k] & 0xff);
		tu_byte(b, d[k] >> 8);
	}
}

/* l with raw digits as given (for bad longs) */
static inline void tu_long_raw(tu_buf *b, int32_t size, const uint16_t *d, size_t nd)
{
	tu_byte(b, 'l');
	tu_le32(b, (uint32_t)size);
	for (size_t k = 0; k < nd; k++) {
		tu_byte(b, d[k] & 0xff);
		tu_byte(b, d[k] >> 8);
	}
}

/* g (binary float) */
static inline void tu_g(tu_buf *b, unsigned code, double v)
{
	uint64_t x;
	memcpy(&x, &v, 8);
	tu_byte(b, code);
	tu_le64(b, x);
}

static inline void tu_float(tu_buf *b, double v)
{
	tu_g(b, 'g', v);
}

/* f (text float, versions 0-1): one length byte + text */
static inline void tu_f(tu_buf *b, const char *text)
{
	tu_byte(b, 'f');
	tu_byte(b, (unsigned)strlen(text));
	tu_raw(b, text, strlen(text));
}

/* A string-like object of n bytes: z/Z take one length byte, the others
 * (u t a A s) an int32. */
static inline void tu_strn(tu_buf *b, unsigned code, const char *s, size_t n)
{
	tu_byte(b, code);
	unsigned c = code & 0x7f;
	if (c == 'z' || c == 'Z')
		tu_byte(b, (unsigned)n);
	else
		tu_le32(b, (uint32_t)n);
	tu_raw(b, s, n);
}

static inline void tu_str(tu_buf *b, unsigned code, const char *s)
{
	tu_strn(b, code, s, strlen(s));
}

/* tuple header: ')' takes one count byte, '(' an int32 */
static inline void tu_tuple(tu_buf *b, unsigned code, uint32_t n)
{
	tu_byte(b, code);
	if ((code & 0x7f) == ')')
		tu_byte(b, n);
	else
		tu_le32(b, n);
}

static inline void tu_dict(tu_buf *b, unsigned code)
{
	tu_byte(b, code);
}

/* NULL: ends a dict */
static inline void tu_end(tu_buf *b)
{
	tu_byte(b, '0');
}

/* r: back-reference to ref-table slot idx */
static inline void tu_ref(tu_buf *b, int32_t idx)
{
	tu_i(b, 'r', idx);
}

/* A plain (unflagged) key (file, line, name) as cProfile writes it in v4. */
static inline void tu_key(tu_buf *b, const char *file, int32_t line, const char *name)
{
	tu_tuple(b, ')', 3);
	tu_str(b, 'z', file);
	tu_int(b, line);
	tu_str(b, 'z', name);
}

/* The head of an entry (cc, nc, tt, ct, ...: the callers dict must follow). */
static inline void tu_entry_head(tu_buf *b, int32_t cc, int32_t nc, double tt, double ct)
{
	tu_tuple(b, ')', 5);
	tu_int(b, cc);
	tu_int(b, nc);
	tu_float(b, tt);
	tu_float(b, ct);
}

/* A cProfile caller value (nc, cc, tt, ct). */
static inline void tu_cvalue(tu_buf *b, int32_t nc, int32_t cc, double tt, double ct)
{
	tu_tuple(b, ')', 4);
	tu_int(b, nc);
	tu_int(b, cc);
	tu_float(b, tt);
	tu_float(b, ct);
}

/* A small valid dump: {('a.py', 1, 'f'): (1, 2, 0.5, 0.75, {('b.py', 2, 'g'):
 * (2, 1, 0.25, 0.5)})}, all objects unflagged but the outer dict. */
static inline void tu_small_dump(tu_buf *b)
{
	tu_dict(b, '{' | TU_FLAG);
	tu_key(b, "a.py", 1, "f");
	tu_entry_head(b, 1, 2, 0.5, 0.75);
	tu_dict(b, '{');
	tu_key(b, "b.py", 2, "g");
	tu_cvalue(b, 2, 1, 0.25, 0.5);
	tu_end(b);
	tu_end(b);
}

/* ---- running the reader ------------------------------------------------- */

typedef struct tu_load {
	int rc;
	pv_ctx ctx;
	pv_stats *st;
	pv_profile *prof;
} tu_load;

/* Read buf with the marshal reader (ctx.input = "t.prof") into a fresh
 * profile; returns the reader's rc (also in l->rc). */
static inline int tu_read(tu_load *l, const void *buf, size_t len)
{
	memset(l, 0, sizeof(*l));
	assert_int_equal(pv_stats_new(&l->st), 0);
	assert_int_equal(pv_profile_new(&l->prof), 0);
	l->ctx.input = "t.prof";
	l->rc = pv_reader_marshal.read(&l->ctx, l->st, l->prof, (const unsigned char *)buf, len);
	return l->rc;
}

/* tu_read, then (if it worked) pv_stats_merge into l->st. */
static inline int tu_read_merge(tu_load *l, const void *buf, size_t len)
{
	if (tu_read(l, buf, len) < 0)
		return l->rc;
	l->rc = pv_stats_merge(l->st, l->prof, &l->ctx);
	return l->rc;
}

static inline void tu_load_free(tu_load *l)
{
	pv_stats_free(l->st);
	pv_profile_free(l->prof);
	memset(l, 0, sizeof(*l));
}

/* Read from a file (path relative to the repo root). */
static inline int tu_read_file(tu_load *l, const char *path, tu_buf *keep)
{
	FILE *fp = fopen(path, "rb");
	assert_non_null(fp);
	memset(keep, 0, sizeof(*keep));
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		tu_raw(keep, chunk, n);
	fclose(fp);
	return tu_read(l, keep->p, keep->len);
}

/* ---- model lookups ------------------------------------------------------ */

/* The key id whose display string is `disp`, or UINT32_MAX. */
static inline uint32_t tu_key_id(pv_stats *st, const char *disp)
{
	for (size_t k = 0; k < pv_stats_nkeys(st); k++) {
		size_t n;
		const char *s = pv_stats_display(st, (uint32_t)k, &n);
		if (s && n == strlen(disp) && !memcmp(s, disp, n))
			return (uint32_t)k;
	}
	return UINT32_MAX;
}

/* The entry shown as `disp`; fails the test if there is none. */
static inline const pv_entry *tu_entry(pv_stats *st, const char *disp)
{
	uint32_t k = tu_key_id(st, disp);
	assert_int_not_equal(k, UINT32_MAX);
	long at = pv_stats_find(st, k);
	assert_true(at >= 0);
	return pv_stats_entry(st, (size_t)at);
}

/* Display string of entry i (NUL-terminated, owned by st). */
static inline const char *tu_entry_name(pv_stats *st, size_t i)
{
	size_t n;
	return pv_stats_display(st, pv_stats_entry(st, i)->key, &n);
}

/* The i-th caller edge (insertion order) of e. */
static inline const pv_edge *tu_edge_at(pv_stats *st, const pv_entry *e, size_t i)
{
	uint32_t id = e->first_edge;
	for (size_t k = 0; k < i && id; k++)
		id = pv_stats_edge(st, id)->next;
	assert_int_not_equal(id, 0);
	return pv_stats_edge(st, id);
}

static inline const char *tu_edge_name(pv_stats *st, const pv_edge *e)
{
	size_t n;
	return pv_stats_display(st, e->caller, &n);
}

/* ---- exact values --------------------------------------------------------- */

static inline uint64_t tu_bits(double x)
{
	uint64_t u;
	memcpy(&u, &x, 8);
	return u;
}

/* The double, bit for bit (so -0.0 != 0.0 and one ulp matters). */
#define assert_double_bits(actual, expected) \
	assert_int_equal(tu_bits((double)(actual)), tu_bits((double)(expected)))

/* A pv_num that is a float with exactly this value. */
#define assert_num_float(n, expected)                 \
	do {                                          \
		pv_num n_ = (n);                      \
		assert_int_equal(n_.is_int, 0);       \
		assert_double_bits(n_.f, (expected)); \
	} while (0)

/* A pv_int with this decimal text. */
#define assert_pvint(v, text)                    \
	do {                                     \
		char b_[48];                     \
		pv_int_format(b_, (v));          \
		assert_string_equal(b_, (text)); \
	} while (0)

/* A pv_num that is an int with this decimal text. */
#define assert_num_int(n, text)                 \
	do {                                    \
		pv_num m_ = (n);                \
		assert_int_equal(m_.is_int, 1); \
		assert_pvint(m_.i, (text));     \
	} while (0)

/* ---- building stats directly ---------------------------------------------- */

static inline uint32_t tu_mkkey(pv_stats *st, const char *file, int64_t line, const char *name)
{
	uint32_t f, n, k;
	assert_int_equal(pv_stats_intern_str(st, file, strlen(file), &f), 0);
	assert_int_equal(pv_stats_intern_str(st, name, strlen(name), &n), 0);
	assert_int_equal(pv_stats_intern_key(st, f, line, n, &k), 0);
	return k;
}

static inline void tu_add_tuple_caller(pv_profile *p, uint32_t caller, pv_int nc, pv_int cc,
				       pv_num tt, pv_num ct)
{
	pv_caller e = {.caller = caller, .is_tuple = 1, .nc = nc, .cc = cc, .tt = tt, .ct = ct};
	assert_int_equal(pv_profile_add_caller(p, &e), 0);
}

static inline void tu_add_int_caller(pv_profile *p, uint32_t caller, pv_int n)
{
	pv_caller e = {.caller = caller, .is_tuple = 0, .nc = n};
	assert_int_equal(pv_profile_add_caller(p, &e), 0);
}

#define TU_F(x) pv_num_from_double(x)
#define TU_I(x) pv_num_from_int(x)

/* ---- a memory FILE ------------------------------------------------------ */

typedef struct tu_mem {
	FILE *fp;
	char *buf;
	size_t len;
} tu_mem;

static inline void tu_mem_open(tu_mem *m)
{
	memset(m, 0, sizeof(*m));
	m->fp = open_memstream(&m->buf, &m->len);
	assert_non_null(m->fp);
}

/* Close the stream; m->buf holds the bytes (NUL-terminated). */
static inline const char *tu_mem_close(tu_mem *m)
{
	fclose(m->fp);
	m->fp = NULL;
	return m->buf;
}

static inline void tu_mem_free(tu_mem *m)
{
	if (m->fp)
		fclose(m->fp);
	free(m->buf);
	memset(m, 0, sizeof(*m));
}

#endif /* PV_TESTUTIL_H */
