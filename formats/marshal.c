/*
 * marshal.c - reader for pstats dumps: one marshal-serialised dict
 * (CPython marshal versions 0 to 5, and Python 2's dialect).
 *
 * The parse is driven by the shape pstats expects, not by a generic object
 * tree: the top-level dict maps a key (file, line, name) to a 5-tuple
 * (cc, nc, tt, ct, callers) whose callers dict maps a key to a 4-tuple
 * (nc, cc, tt, ct) or, from the profile module, an int.  Values land straight
 * in the interned tables.
 *
 * Byte layout (little-endian), see shared/spec/pstats.md section 1:
 *   type byte: low 7 bits the code, bit 7 (FLAG_REF) "remember me"
 *   i int32 | I int64 | l int32 n, |n| base-2^15 digits | g float64
 *   f len8 + text float | u t a A s len32 + bytes | z Z len8 + bytes
 *   ( len32 items | ) len8 items | { key value ... 0 | r int32 ref index
 *   R int32 index into Python 2's list of interned (t) strings
 *
 * References: a flagged object takes the next slot when it starts (so
 * indices follow pre-order) and its value fills the slot when it ends.  An
 * `r` to a string, int, float or key is answered from the slot; an `r` to
 * anything else is read again from the object's offset ("replay"), counted
 * against a work budget so nested references cannot expand without bound.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reader.h"

#define MAX_DEPTH 64

enum { R_BUILDING = 1,
       R_DONE = 2 };
enum { K_OTHER,
       K_STR,
       K_INT,
       K_FLOAT,
       K_KEY,
       K_BIGINT }; /* an int beyond 64 bits: read again when named */

/* 16 bytes: a profile of a million functions has two million or more.
 * An int beyond 64 bits is not kept (K_OTHER: read again when named). */
struct ref {
	uint64_t off : 56; /* offset of the object's type byte */
	uint64_t state : 4, kind : 4;
	union {
		uint32_t id; /* K_STR, K_KEY */
		int64_t i;
		double f;
	} v;
};

#define REF_MAX_OFF (((uint64_t)1 << 56) - 1)

/* A finished int's slot keeps its value when it fits. */
static inline void ref_set_int(struct ref *f, pv_int v)
{
	if (v >= INT64_MIN && v <= INT64_MAX)
		f->v.i = (int64_t)v;
	else
		f->kind = K_BIGINT;
}

typedef struct rd {
	const unsigned char *p;
	size_t len, off;
	pv_ctx *ctx;
	pv_stats *st;
	pv_profile *out;
	struct ref *refs;
	size_t nrefs, caprefs;
	uint32_t *py2; /* Python 2 interned strings, for R */
	size_t npy2, cappy2;
	unsigned depth;
	int replay;
	size_t work, maxwork;
	char *conv;          /* UTF-8 conversion buffer */
	unsigned char *back; /* replay_back: the input's first backlen bytes */
	size_t backlen, capback;
	size_t capconv;
	uint64_t *mix; /* when set, skip() folds what it reads into *mix */
	size_t layout; /* code-object layout that fit last */
} rd;

int pv_marshal_general_only;

/* Fold bytes into the hash of the code object being read: the contents
 * Python's == compares, never offsets or reference numbers, so the same code
 * written into two files hashes the same. */
static void mixin(rd *r, const void *p, size_t n)
{
	if (r->mix)
		*r->mix = pv_hash_u64(*r->mix ^ pv_hash_bytes(p, n)) + n;
}

static const char *type_name(int code)
{
	switch (code) {
	case '0': return "NULL";
	case 'N': return "None";
	case 'F':
	case 'T': return "bool";
	case '.': return "Ellipsis";
	case 'S': return "StopIteration";
	case 'i':
	case 'I':
	case 'l': return "int";
	case 'f':
	case 'g': return "float";
	case 'x':
	case 'y': return "complex";
	case 's': return "bytes";
	case 'u':
	case 't':
	case 'a':
	case 'A':
	case 'z':
	case 'Z': return "str";
	case '(':
	case ')': return "tuple";
	case '[': return "list";
	case '{': return "dict";
	case '<': return "set";
	case '>': return "frozenset";
	case 'c': return "code object";
	case ':': return "slice";
	default: return NULL;
	}
}

static int fail(rd *r, size_t off, const char *what)
{
	return pv_fail(r->ctx, PV_EFORMAT, off, "%s", what);
}

static PV_NOINLINE int truncated(rd *r)
{
	return pv_fail(r->ctx, PV_EFORMAT, r->off, "truncated marshal data");
}

/* The one bounds check: n more bytes must be there. */
static inline int need(rd *r, size_t n)
{
	return n > r->len - r->off ? truncated(r) : 0;
}

static inline uint32_t le32(const unsigned char *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static inline uint64_t le64(const unsigned char *b)
{
	return (uint64_t)le32(b) | (uint64_t)le32(b + 4) << 32;
}

static inline int get_i32(rd *r, int32_t *v)
{
	if (need(r, 4) < 0)
		return PV_EFORMAT;
	*v = (int32_t)le32(r->p + r->off);
	r->off += 4;
	return 0;
}

/* A length (string bytes or item count) that must fit in what is left. */
static inline int get_len(rd *r, int wide, size_t unit, size_t *n)
{
	size_t at = r->off;
	*n = 0;
	if (wide) {
		int32_t v;
		if (get_i32(r, &v) < 0)
			return PV_EFORMAT;
		if (v < 0)
			return pv_fail(r->ctx, PV_EFORMAT, at, "negative length %d", (int)v);
		*n = (size_t)v;
	} else {
		if (need(r, 1) < 0)
			return PV_EFORMAT;
		*n = r->p[r->off++];
	}
	if (*n > (r->len - r->off) / unit)
		return pv_fail(r->ctx, PV_EFORMAT, at,
			       "length %zu runs past the end of the data (%zu bytes left)", *n,
			       r->len - r->off);
	return 0;
}

/* ---- type byte, references, depth ------------------------------------ */

typedef struct obj {
	int code;        /* type code without FLAG_REF; 'r' when resolved */
	size_t at;       /* offset of the type byte */
	size_t slot;     /* reserved ref slot + 1, or 0 */
	struct ref *ref; /* for 'r': the slot it names (complete) */
} obj;

static PV_NOINLINE int begin_any(rd *r, obj *o)
{
	o->at = r->off;
	o->slot = 0;
	o->ref = NULL;
	if (need(r, 1) < 0)
		return PV_EFORMAT;
	int c = r->p[r->off++];
	o->code = c & 0x7f;
	if (++r->work > r->maxwork)
		return pv_fail(r->ctx, PV_ELIMIT, o->at,
			       "too many objects for the file size (reference expansion)");
	if (o->code == 'r') {
		int32_t idx;
		if (c & 0x80)
			return fail(r, o->at, "flagged reference (bad marshal data)");
		if (get_i32(r, &idx) < 0)
			return PV_EFORMAT;
		if (idx < 0 || (size_t)idx >= r->nrefs)
			return pv_fail(r->ctx, PV_EFORMAT, o->at,
				       "reference %d out of range (%zu objects so far)", (int)idx,
				       r->nrefs);
		if (r->refs[idx].state != R_DONE)
			return pv_fail(r->ctx, PV_EFORMAT, o->at,
				       "reference %d to an object still being read", (int)idx);
		o->ref = &r->refs[idx];
		return 0;
	}
	if ((c & 0x80) && !r->replay) {
		if (pv_grow(&r->refs, &r->caprefs, r->nrefs + 1, sizeof(*r->refs)) < 0)
			return pv_fail(r->ctx, PV_ENOMEM, o->at, "out of memory");
		if (o->at > REF_MAX_OFF)
			return pv_fail(r->ctx, PV_ELIMIT, o->at, "file too large");
		/* the whole slot at once: a byte store of one bit-field and the
		 * word's load for the next would not forward */
		r->refs[r->nrefs++] = (struct ref){.off = o->at, .state = R_BUILDING, .kind = K_OTHER};
		o->slot = r->nrefs;
	}
	return 0;
}

/* Start an object: its type byte, a reference resolved, a slot reserved for
 * a flagged one, the work budget charged.  Most objects in a dump are
 * unflagged and not references: that case is handled inline. */
static inline int begin(rd *r, obj *o)
{
	if (r->off < r->len && r->work < r->maxwork) {
		int c = r->p[r->off];
		if (c < 0x80 && c != 'r') {
			o->at = r->off++;
			o->code = c;
			o->slot = 0;
			o->ref = NULL;
			r->work++;
			return 0;
		}
	}
	return begin_any(r, o);
}

/* A reference `r` at b (5 bytes there) to a complete object of `kind`, or
 * NULL: the caller then takes the general path, which reports what is
 * wrong. */
static inline const struct ref *quick_ref(const rd *r, const unsigned char *b, int kind)
{
	uint32_t idx = le32(b + 1);
	if (idx >= r->nrefs || r->refs[idx].state != R_DONE || r->refs[idx].kind != kind)
		return NULL;
	return &r->refs[idx];
}

/* The 5 or 9 bytes of a scalar or reference at the current offset, when
 * they are there and the budget allows one more object; else NULL. */
static inline const unsigned char *quick(rd *r, size_t n)
{
	return r->len - r->off >= n && r->work < r->maxwork ? r->p + r->off : NULL;
}

static inline void quick_done(rd *r, size_t n)
{
	r->off += n;
	r->work++;
}

static inline struct ref *finish(rd *r, const obj *o, int kind)
{
	if (!o->slot)
		return NULL;
	struct ref *f = &r->refs[o->slot - 1];
	f->state = R_DONE;
	f->kind = (unsigned char)kind;
	return f;
}

static inline int enter(rd *r, size_t at)
{
	if (++r->depth > MAX_DEPTH)
		return pv_fail(r->ctx, PV_ELIMIT, at, "objects nested too deeply (over %d levels)",
			       MAX_DEPTH);
	return 0;
}

/* Read the object a reference names again, from its own offset. */
typedef int (*read_fn)(rd *r, void *out);

/* The object a reference names lies before r->off (it is finished).  When
 * the start of a mapped input is released behind the reader (pv_release_
 * behind), bytes [0, r->off) are put together in r->back, from the file
 * and the mapping, and read there; kept for the next such reference, so
 * this costs the file's size once at most.  Never in a cProfile dump,
 * whose references name strings and keys, answered from their slots. */
static int replay_back(rd *r, const unsigned char **p, size_t *len)
{
	size_t gone = pv_released(r->p), cur = r->off;
	if (r->backlen < cur) {
		if (pv_grow(&r->back, &r->capback, cur, 1) < 0)
			return pv_fail(r->ctx, PV_ENOMEM, r->off, "out of memory");
		size_t from = r->backlen;
		if (from < gone && pv_release_fetch(r->back + from, from, gone - from) < 0)
			return pv_fail(r->ctx, PV_EIO, from, "read error: %s", strerror(errno));
		if (from < gone)
			from = gone;
		memcpy(r->back + from, r->p + from, cur - from);
		r->backlen = cur;
	}
	*p = r->p;
	*len = r->len;
	r->p = r->back;
	r->len = cur;
	return 0;
}

static int replay(rd *r, const obj *o, read_fn fn, void *out)
{
	int rc = enter(r, o->at);
	if (rc < 0)
		return rc;
	const unsigned char *p = NULL;
	size_t len = 0;
	if (o->ref->off < pv_released(r->p) && (rc = replay_back(r, &p, &len)) < 0) {
		r->depth--;
		return rc;
	}
	size_t save = r->off;
	r->off = o->ref->off;
	r->replay++;
	rc = fn(r, out);
	r->replay--;
	r->off = save;
	if (p) {
		r->p = p;
		r->len = len;
	}
	r->depth--;
	return rc;
}

static int unexpected(rd *r, const obj *o, const char *want)
{
	const char *got = type_name(o->code);
	if (!got)
		return pv_fail(r->ctx, PV_EFORMAT, o->at, "bad marshal type code 0x%02x",
			       r->p[o->at]);
	return pv_fail(r->ctx, PV_EFORMAT, o->at, "expected %s, found a%s %s", want,
		       strchr("aeiou", got[0]) ? "n" : "", got);
}

/* ---- scalars ----------------------------------------------------------- */

#define INT128_MAX ((pv_int)(((unsigned __int128)1 << 127) - 1))

/* Body of l: int32 n (sign = sign of the value), |n| digits base 2^15. */
static int read_long(rd *r, size_t at, pv_int *v)
{
	int32_t n;
	if (get_i32(r, &n) < 0)
		return PV_EFORMAT;
	size_t nd = n < 0 ? (size_t) - (int64_t)n : (size_t)n;
	if (nd > (r->len - r->off) / 2)
		return pv_fail(r->ctx, PV_EFORMAT, at + 1,
			       "long of %zu digits runs past the end of the data (%zu bytes left)", nd,
			       r->len - r->off);
	pv_int acc = 0;
	for (size_t k = nd; k > 0; k--) {
		const unsigned char *d = r->p + r->off + 2 * (k - 1);
		unsigned dig = (unsigned)d[0] | (unsigned)d[1] << 8;
		if (dig >= 0x8000)
			return fail(r, r->off + 2 * (k - 1), "digit out of range in long");
		if (k == nd && dig == 0)
			return fail(r, r->off + 2 * (k - 1), "unnormalized long data");
		if (acc > (INT128_MAX >> 15))
			return pv_fail(r->ctx, PV_ELIMIT, at, "int of %zu digits exceeds 127 bits",
				       nd);
		acc = (acc << 15) | dig;
	}
	r->off += 2 * nd;
	*v = n < 0 ? -acc : acc;
	return 0;
}

/* An int-coded object body (code already read); 1 if it was not an int. */
static int int_body(rd *r, const obj *o, pv_int *v)
{
	int32_t i;
	switch (o->code) {
	case 'i':
		if (get_i32(r, &i) < 0)
			return PV_EFORMAT;
		*v = i;
		return 0;
	case 'I':
		if (need(r, 8) < 0)
			return PV_EFORMAT;
		*v = (int64_t)le64(r->p + r->off);
		r->off += 8;
		return 0;
	case 'l':
		return read_long(r, o->at, v);
	case 'T':
		*v = 1;
		return 0;
	case 'F':
		*v = 0;
		return 0;
	}
	return 1;
}

static PV_NOINLINE int read_int_any(rd *r, void *out)
{
	pv_int *v = out;
	obj o;
	int rc = begin(r, &o);
	if (rc < 0)
		return rc;
	if (o.code == 'r') {
		if (o.ref->kind == K_INT) {
			*v = o.ref->v.i;
			return 0;
		}
		return replay(r, &o, read_int_any, out);
	}
	rc = int_body(r, &o, v);
	if (rc > 0)
		return unexpected(r, &o, "an int");
	if (rc == 0) {
		struct ref *f = finish(r, &o, K_INT);
		if (f)
			ref_set_int(f, *v);
	}
	return rc;
}

static inline int read_int(rd *r, void *out)
{
	pv_int *v = out;
	const unsigned char *b = quick(r, 5);
	if (b && b[0] == 'i') {
		*v = (int32_t)le32(b + 1);
		quick_done(r, 5);
		return 0;
	}
	const struct ref *q;
	if (b && b[0] == 'r' && (q = quick_ref(r, b, K_INT))) {
		*v = q->v.i;
		quick_done(r, 5);
		return 0;
	}
	return read_int_any(r, out);
}

static int float_body(rd *r, const obj *o, double *v)
{
	if (o->code == 'g') {
		if (need(r, 8) < 0)
			return PV_EFORMAT;
		uint64_t b = le64(r->p + r->off);
		memcpy(v, &b, 8);
		r->off += 8;
		return 0;
	}
	if (o->code == 'f') { /* versions 0 and 1: repr text, one length byte */
		size_t n;
		if (get_len(r, 0, 1, &n) < 0)
			return PV_EFORMAT;
		char buf[256];
		memcpy(buf, r->p + r->off, n);
		buf[n] = '\0';
		char *end;
		errno = 0;
		*v = strtod(buf, &end);
		if (n == 0 || end != buf + n)
			return fail(r, o->at, "bad text float");
		r->off += n;
		return 0;
	}
	return 1;
}

static PV_NOINLINE int read_num_any(rd *r, void *out)
{
	pv_num *v = out;
	obj o;
	int rc = begin(r, &o);
	if (rc < 0)
		return rc;
	if (o.code == 'r') {
		if (o.ref->kind == K_INT) {
			*v = pv_num_from_int(o.ref->v.i);
			return 0;
		}
		if (o.ref->kind == K_FLOAT) {
			*v = pv_num_from_double(o.ref->v.f);
			return 0;
		}
		return replay(r, &o, read_num_any, out);
	}
	pv_int i;
	double f;
	if ((rc = int_body(r, &o, &i)) <= 0) {
		if (rc == 0) {
			*v = pv_num_from_int(i);
			struct ref *s = finish(r, &o, K_INT);
			if (s)
				ref_set_int(s, i);
		}
		return rc;
	}
	if ((rc = float_body(r, &o, &f)) <= 0) {
		if (rc == 0) {
			*v = pv_num_from_double(f);
			struct ref *s = finish(r, &o, K_FLOAT);
			if (s)
				s->v.f = f;
		}
		return rc;
	}
	return unexpected(r, &o, "a number");
}

static inline int read_num(rd *r, void *out)
{
	pv_num *v = out;
	const unsigned char *b = quick(r, 9);
	if (b && b[0] == 'g') {
		uint64_t u = le64(b + 1);
		double f;
		memcpy(&f, &u, 8);
		*v = pv_num_f(f);
		quick_done(r, 9);
		return 0;
	}
	if (!b)
		b = quick(r, 5);
	const struct ref *q;
	if (b && b[0] == 'r' && (q = quick_ref(r, b, K_FLOAT))) {
		*v = pv_num_f(q->v.f);
		quick_done(r, 5);
		return 0;
	}
	if (b && b[0] == 'r' && (q = quick_ref(r, b, K_INT))) {
		*v = pv_num_i(q->v.i);
		quick_done(r, 5);
		return 0;
	}
	if (b && b[0] == 'i') {
		*v = pv_num_i((int32_t)le32(b + 1));
		quick_done(r, 5);
		return 0;
	}
	return read_num_any(r, out);
}

/* ---- strings ----------------------------------------------------------- */

/* Length of a valid UTF-8 sequence at s (surrogates allowed, as CPython's
 * surrogatepass writes them), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t k;
	unsigned min;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		k = 2, min = 0x80;
	else if (c >= 0xe0 && c <= 0xef)
		k = 3, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		k = 4, min = 0x10000;
	else
		return 0;
	if (k > n)
		return 0;
	unsigned cp = c & (0x7f >> k);
	for (size_t j = 1; j < k; j++) {
		if ((s[j] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[j] & 0x3f);
	}
	return cp >= min && cp <= 0x10ffff ? k : 0;
}

/* Intern n bytes as text.  ASCII-coded strings are Latin-1 by definition;
 * bytes that are not valid UTF-8 in an s or t string (Python 2's byte
 * strings use these codes) are taken as Latin-1 too, so every name stays
 * printable and distinct.  A u string is always UTF-8: `strict` refuses
 * anything else, as Python does. */
static int intern_text(rd *r, const unsigned char *s, size_t n, int latin1, int strict,
		       uint32_t *id)
{
	size_t i = 0;
	for (uint64_t w; i + 8 <= n; i += 8) { /* ASCII, 8 bytes at a time */
		memcpy(&w, s + i, 8);
		if (w & 0x8080808080808080ULL)
			break;
	}
	while (i < n && s[i] < 0x80)
		i++;
	if (i < n && !latin1) {
		size_t j = i;
		while (j < n) {
			size_t k = utf8_seq(s + j, n - j);
			if (!k)
				break;
			j += k;
		}
		if (j == n)
			i = n;
		else if (strict)
			return pv_fail(r->ctx, PV_EFORMAT, (size_t)(s + j - r->p),
				       "invalid UTF-8 in a str");
	}
	if (i < n) {
		size_t cap = 2 * n;
		if (r->capconv < cap) {
			char *c = realloc(r->conv, cap);
			if (!c)
				return pv_fail(r->ctx, PV_ENOMEM, r->off, "out of memory");
			r->conv = c;
			r->capconv = cap;
		}
		size_t m = 0;
		for (size_t j = 0; j < n; j++) {
			if (s[j] < 0x80) {
				r->conv[m++] = (char)s[j];
			} else {
				r->conv[m++] = (char)(0xc0 | s[j] >> 6);
				r->conv[m++] = (char)(0x80 | (s[j] & 0x3f));
			}
		}
		s = (const unsigned char *)r->conv;
		n = m;
	}
	int rc = pv_stats_intern_str(r->st, (const char *)s, n, id);
	if (rc < 0)
		return pv_fail(r->ctx, rc, r->off, "cannot store string");
	return 0;
}

/* A string-coded object body (code already read); 1 if not a string. */
static int str_body(rd *r, const obj *o, uint32_t *id)
{
	size_t n;
	int wide, latin1, rc;
	switch (o->code) {
	case 'u':
	case 't':
	case 's': wide = 1, latin1 = 0; break;
	case 'a':
	case 'A': wide = 1, latin1 = 1; break;
	case 'z':
	case 'Z': wide = 0, latin1 = 1; break;
	case 'R': { /* Python 2: the n-th interned string */
		int32_t idx;
		if (get_i32(r, &idx) < 0)
			return PV_EFORMAT;
		if (idx < 0 || (size_t)idx >= r->npy2)
			return pv_fail(r->ctx, PV_EFORMAT, o->at,
				       "string reference %d out of range (%zu interned so far)",
				       (int)idx, r->npy2);
		*id = r->py2[idx];
		if (r->mix) {
			size_t len;
			const char *t = pv_stats_str(r->st, *id, &len);
			mixin(r, t, len);
		}
		return 0;
	}
	default:
		return 1;
	}
	if (get_len(r, wide, 1, &n) < 0)
		return PV_EFORMAT;
	/* bytes read again through a reference count against the budget, so
	 * references to objects holding long strings stay linear */
	if (r->replay && (r->work += n / 8) > r->maxwork)
		return pv_fail(r->ctx, PV_ELIMIT, o->at,
			       "too much data read again through references");
	if ((rc = intern_text(r, r->p + r->off, n, latin1, o->code == 'u', id)) < 0)
		return rc;
	mixin(r, r->p + r->off, n);
	r->off += n;
	if (o->code == 't' && !r->replay) {
		if (pv_grow(&r->py2, &r->cappy2, r->npy2 + 1, sizeof(*r->py2)) < 0)
			return pv_fail(r->ctx, PV_ENOMEM, o->at, "out of memory");
		r->py2[r->npy2++] = *id;
	}
	struct ref *f = finish(r, o, K_STR);
	if (f)
		f->v.id = *id;
	return 0;
}

static int skip(rd *r, void *unused);
static inline int read_str(rd *r, void *out);

/* Code objects.  The pure-Python profile module keys the script itself as
 * ('profile', 0, <code object>), so `python -m profile -o` files carry one;
 * pstats shows it as its repr.  The layout depends on the writer's version
 * and the file does not say which, so each known layout is tried in turn
 * with the fields' types checked:
 *   3.11+    5 ints, code consts names localsplusnames localspluskinds
 *            filename name qualname, int firstlineno, linetable exceptiontable
 *   3.8-3.10 6 ints, code consts names varnames freevars cellvars
 *            filename name, int firstlineno, lnotab
 *   3.0-3.7  5 ints, then as 3.8;   2.x  4 ints, then as 3.8 */
enum { C_BYTES,
       C_TUPLE,
       C_STR,
       C_NAME,
       C_FILE,
       C_LINE };

static const struct layout {
	int nints;
	int nfields;
	unsigned char fields[11];
} layouts[] = {
	{5, 11, {C_BYTES, C_TUPLE, C_TUPLE, C_TUPLE, C_BYTES, C_FILE, C_NAME, C_STR, C_LINE, C_BYTES, C_BYTES}},
	{6, 10, {C_BYTES, C_TUPLE, C_TUPLE, C_TUPLE, C_TUPLE, C_TUPLE, C_FILE, C_NAME, C_LINE, C_BYTES}},
	{5, 10, {C_BYTES, C_TUPLE, C_TUPLE, C_TUPLE, C_TUPLE, C_TUPLE, C_FILE, C_NAME, C_LINE, C_BYTES}},
	{4, 10, {C_BYTES, C_TUPLE, C_TUPLE, C_TUPLE, C_TUPLE, C_TUPLE, C_FILE, C_NAME, C_LINE, C_BYTES}},
};

static int peek_is(rd *r, const char *codes)
{
	return r->off < r->len && strchr(codes, r->p[r->off] & 0x7f) != NULL;
}

static int code_layout(rd *r, const struct layout *l, uint32_t *file, uint32_t *name,
		       int32_t *line, uint64_t *bc)
{
	int rc;
	*bc = 0;
	if (need(r, 4 * (size_t)l->nints) < 0)
		return PV_EFORMAT;
	r->off += 4 * (size_t)l->nints;
	for (int i = 0; i < l->nfields; i++) {
		uint32_t sid;
		switch (l->fields[i]) {
		case C_BYTES:
			if (!peek_is(r, "srtR")) /* t, R: Python 2 interned str */
				return fail(r, r->off, "bad code object");
			r->mix = i == 0 ? bc : NULL; /* co_code */
			rc = skip(r, NULL);
			r->mix = NULL;
			break;
		case C_TUPLE:
			if (!peek_is(r, "()r"))
				return fail(r, r->off, "bad code object");
			r->mix = i <= 2 ? bc : NULL; /* co_consts, co_names */
			rc = skip(r, NULL);
			r->mix = NULL;
			break;
		case C_STR:
			rc = read_str(r, &sid);
			break;
		case C_FILE:
			rc = read_str(r, file);
			break;
		case C_NAME:
			rc = read_str(r, name);
			break;
		default:
			rc = get_i32(r, line);
			break;
		}
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int code_body(rd *r, const obj *o, uint32_t *id)
{
	size_t start = r->off, nrefs = r->nrefs, npy2 = r->npy2;
	uint32_t file = 0, name = 0;
	int32_t line = 0;
	uint64_t bc = 0, *outer = r->mix;
	int rc = enter(r, o->at);
	if (rc < 0)
		return rc;
	/* The layout that fit the last code object is tried first (one file has
	 * one writer).  Work is not given back after a failed attempt: nested
	 * code objects retried per layout must not multiply without bound. */
	size_t nlay = sizeof(layouts) / sizeof(layouts[0]);
	for (size_t t = 0; t < nlay; t++) {
		size_t i = t == 0 ? r->layout : t <= r->layout ? t - 1
							       : t;
		r->off = start;
		r->nrefs = nrefs; /* forget what a failed attempt reserved */
		r->npy2 = npy2;
		if ((rc = code_layout(r, &layouts[i], &file, &name, &line, &bc)) == 0) {
			r->layout = i;
			break;
		}
		if (rc == PV_ENOMEM || rc == PV_ELIMIT)
			break;
	}
	r->depth--;
	r->mix = outer;
	if (rc < 0) {
		if (rc == PV_EFORMAT)
			rc = fail(r, o->at, "code object of no known layout");
		return rc;
	}
	/* repr(code).  The address is meaningless once reloaded; a hash of the
	 * bytecode, constants and names stands in for it, so code objects Python
	 * holds equal share a key and others do not. */
	size_t fl, nl;
	const char *f = pv_stats_str(r->st, file, &fl);
	const char *n = pv_stats_str(r->st, name, &nl);
	size_t cap = fl + nl + 80;
	char *buf = malloc(cap);
	if (!buf)
		return pv_fail(r->ctx, PV_ENOMEM, o->at, "out of memory");
	int w = snprintf(buf, cap, "<code object %.*s at 0x%012llx, file \"%.*s\", line %d>",
			 (int)nl, n, (unsigned long long)(bc & 0xffffffffffffULL), (int)fl, f,
			 (int)line);
	rc = pv_stats_intern_str(r->st, buf, (size_t)w, id);
	mixin(r, buf, (size_t)w); /* a nested code object, inside co_consts */
	free(buf);
	if (rc < 0)
		return pv_fail(r->ctx, rc, o->at, "cannot store string");
	struct ref *s = finish(r, o, K_STR);
	if (s)
		s->v.id = *id;
	return 0;
}

static PV_NOINLINE int read_str_any(rd *r, void *out)
{
	uint32_t *id = out;
	obj o;
	int rc = begin(r, &o);
	if (rc < 0)
		return rc;
	if (o.code == 'r') {
		if (o.ref->kind == K_STR) {
			*id = o.ref->v.id;
			return 0;
		}
		return replay(r, &o, read_str_any, out);
	}
	if (o.code == 'c')
		return code_body(r, &o, id);
	rc = str_body(r, &o, id);
	return rc > 0 ? unexpected(r, &o, "a string") : rc;
}

static inline int read_str(rd *r, void *out)
{
	uint32_t *id = out;
	const unsigned char *b = quick(r, 5);
	const struct ref *q;
	if (b && b[0] == 'r' && (q = quick_ref(r, b, K_STR))) {
		*id = q->v.id;
		quick_done(r, 5);
		return 0;
	}
	return read_str_any(r, out);
}

/* ---- containers --------------------------------------------------------- */

/* A tuple header: ( with an int32 count or ) with one count byte. */
static int tuple_len(rd *r, const obj *o, size_t *n)
{
	if (o->code != '(' && o->code != ')')
		return 1;
	return get_len(r, o->code == '(', 1, n);
}

/* Skip any object (where pstats' shape allows something unknown: the value
 * of the sampling profiler's marker key, the insides of code objects). */
static int skip(rd *r, void *unused)
{
	(void)unused;
	obj o;
	int rc = begin(r, &o);
	if (rc < 0)
		return rc;
	if (o.code == 'r') {
		if (!r->mix)
			return 0;
		switch (o.ref->kind) { /* fold in what the reference stands for */
		case K_STR: {
			size_t len;
			const char *t = pv_stats_str(r->st, o.ref->v.id, &len);
			mixin(r, t, len);
			return 0;
		}
		case K_INT: {
			pv_int i = o.ref->v.i; /* as wide as an int read in place */
			mixin(r, &i, sizeof(i));
			return 0;
		}
		case K_FLOAT:
			mixin(r, &o.ref->v.f, sizeof(o.ref->v.f));
			return 0;
		case K_BIGINT: { /* its value, as a K_INT's (not its type byte) */
			pv_int i;
			uint64_t *mix = r->mix;
			r->mix = NULL;
			rc = replay(r, &o, read_int_any, &i);
			r->mix = mix;
			if (rc == 0)
				mixin(r, &i, sizeof(i));
			return rc;
		}
		default:
			return replay(r, &o, skip, NULL);
		}
	}
	size_t n;
	pv_int iv;
	double fv;
	uint32_t sid;
	unsigned char code = (unsigned char)o.code;
	mixin(r, &code, 1);
	switch (o.code) {
	case 'N':
	case 'F':
	case 'T':
	case '.':
	case 'S':
		break;
	case 'i':
	case 'I':
	case 'l':
		if ((rc = int_body(r, &o, &iv)) == 0)
			mixin(r, &iv, sizeof(iv));
		break;
	case 'f':
	case 'g':
		if ((rc = float_body(r, &o, &fv)) == 0)
			mixin(r, &fv, sizeof(fv));
		break;
	case 'y':
		rc = need(r, 16);
		r->off += rc < 0 ? 0 : 16;
		break;
	case 'x':
		for (int k = 0; k < 2 && rc == 0; k++)
			if ((rc = get_len(r, 0, 1, &n)) == 0)
				r->off += n;
		break;
	case 'u':
	case 't':
	case 's':
	case 'a':
	case 'A':
	case 'z':
	case 'Z':
	case 'R':
		return str_body(r, &o, &sid); /* fills its own slot */
	case 'c':
		return code_body(r, &o, &sid);
	case ':': /* slice (version 5) */
		if ((rc = enter(r, o.at)) < 0)
			return rc;
		for (int k = 0; k < 3 && rc == 0; k++)
			rc = skip(r, NULL);
		r->depth--;
		break;
	case '(':
	case ')':
	case '[':
	case '<':
	case '>':
		if ((rc = get_len(r, o.code != ')', 1, &n)) < 0 || (rc = enter(r, o.at)) < 0)
			return rc;
		mixin(r, &n, sizeof(n));
		for (size_t k = 0; k < n && rc == 0; k++)
			rc = skip(r, NULL);
		r->depth--;
		break;
	case '{':
		if ((rc = enter(r, o.at)) < 0)
			return rc;
		for (;;) {
			if ((rc = need(r, 1)) < 0)
				break;
			if (r->p[r->off] == '0') {
				r->off++;
				break;
			}
			if ((rc = skip(r, NULL)) < 0 || (rc = skip(r, NULL)) < 0)
				break;
		}
		r->depth--;
		break;
	default:
		return unexpected(r, &o, "a pstats value");
	}
	if (rc == 0)
		finish(r, &o, K_OTHER);
	return rc;
}

struct keyout {
	uint32_t key;
	int sampled_ok; /* the top level may hold ('__sampled__',) */
	int sampled;
};

/* A function key (file, line, name); at the top level also the 3.15
 * sampling profiler's ('__sampled__',) marker. */
static PV_NOINLINE int read_key_any(rd *r, void *out)
{
	struct keyout *k = out;
	obj o;
	int rc = begin(r, &o);
	if (rc < 0)
		return rc;
	if (o.code == 'r') {
		if (o.ref->kind == K_KEY) {
			k->key = o.ref->v.id;
			k->sampled = 0;
			return 0;
		}
		return replay(r, &o, read_key_any, out);
	}
	size_t n;
	if ((rc = tuple_len(r, &o, &n)) != 0)
		return rc < 0 ? rc : unexpected(r, &o, "a function key (file, line, name)");
	if ((rc = enter(r, o.at)) < 0)
		return rc;
	uint32_t file, name;
	pv_int line;
	if (n == 1 && k->sampled_ok) {
		size_t at = r->off;
		if ((rc = read_str(r, &name)) < 0)
			goto out;
		size_t len;
		const char *s = pv_stats_str(r->st, name, &len);
		if (len != 11 || memcmp(s, "__sampled__", 11) != 0) {
			rc = fail(r, at, "function key is a 1-tuple (only ('__sampled__',) may be)");
			goto out;
		}
		k->sampled = 1;
		finish(r, &o, K_OTHER);
		goto out;
	}
	if (n != 3) {
		rc = pv_fail(r->ctx, PV_EFORMAT, o.at,
			     "function key is a tuple of %zu items (expected 3)", n);
		goto out;
	}
	size_t lat;
	pv_num ln;
	if ((rc = read_str(r, &file)) < 0)
		goto out;
	lat = r->off;
	if ((rc = read_num(r, &ln)) < 0 || (rc = read_str(r, &name)) < 0)
		goto out;
	/* a float line equal to an int is that int to Python (1.0 == 1, same
	 * hash, same dict key, "%d" prints it alike) */
	if (!ln.is_int) {
		if (!(ln.f == floor(ln.f) && fabs(ln.f) < 0x1p62)) {
			rc = fail(r, lat, "line number is not a whole number");
			goto out;
		}
		ln = pv_num_from_int((pv_int)ln.f);
	}
	line = ln.i;
	if (line > INT64_MAX || line < INT64_MIN) {
		rc = fail(r, lat, "line number out of range");
		goto out;
	}
	if ((rc = pv_stats_intern_key(r->st, file, (int64_t)line, name, &k->key)) < 0) {
		rc = pv_fail(r->ctx, rc, o.at, "cannot store function key");
		goto out;
	}
	k->sampled = 0;
	struct ref *f = finish(r, &o, K_KEY);
	if (f)
		f->v.id = k->key;
out:
	r->depth--;
	return rc;
}

/* A key's string at b (left bytes there): a reference to a finished
 * string, or a short ASCII-coded one ('z', 'Z', flagged or not) written
 * out.  Its size, or 0 for the general path. */
static inline size_t key_str_at(const rd *r, const unsigned char *b, size_t left, uint32_t *id)
{
	if (left < 5)
		return 0;
	if (b[0] == 'r') {
		uint32_t idx = le32(b + 1);
		if (idx >= r->nrefs || r->refs[idx].state != R_DONE || r->refs[idx].kind != K_STR)
			return 0;
		*id = r->refs[idx].v.id;
		return 5;
	}
	if ((b[0] & 0x7f) == 'z' || (b[0] & 0x7f) == 'Z')
		return (size_t)b[1] + 2 <= left ? (size_t)b[1] + 2 : 0;
	return 0;
}

/* The string at offset `at` that key_str_at found written out: interned,
 * its slot filled when flagged. */
static inline int key_str_take(rd *r, size_t at, uint32_t *id)
{
	const unsigned char *b = r->p + at;
	if (b[0] == 'r')
		return 0;
	r->off = at + 2; /* where the general path stands when it interns */
	int rc = intern_text(r, b + 2, b[1], 1, 0, id);
	if (rc < 0)
		return rc;
	if (b[0] & 0x80) {
		struct ref *f = &r->refs[r->nrefs++];
		*f = (struct ref){.off = at, .state = R_DONE, .kind = K_STR};
		f->v.id = *id;
	}
	return 0;
}

/* A key (file, line, name) of the common shape - strings referenced or
 * short ASCII written out, an int line - read in one step: 1 read, 0 not
 * that shape (nothing taken), <0 an error.  The slots and work are the
 * general path's: the tuple's slot, then each flagged item's in order. */
static inline int fast_key(rd *r, struct keyout *k)
{
	if (pv_marshal_general_only || r->replay || r->mix || r->maxwork - r->work < 4 || r->len - r->off < 2 + 3 * 5 ||
	    r->off > REF_MAX_OFF - (2 + 2 * 257 + 5) || r->depth >= MAX_DEPTH)
		return 0;
	const unsigned char *b = r->p + r->off;
	size_t left = r->len - r->off;
	if ((b[0] & 0x7f) != ')' || b[1] != 3)
		return 0;
	uint32_t file = 0, name = 0;
	size_t fn, nn, at = 2;
	if (!(fn = key_str_at(r, b + at, left - at, &file)))
		return 0;
	at += fn;
	int64_t line;
	if (left - at < 5)
		return 0;
	if ((b[at] & 0x7f) == 'i') { /* flagged or not */
		line = (int32_t)le32(b + at + 1);
	} else if (b[at] == 'r') {
		uint32_t idx = le32(b + at + 1);
		if (idx >= r->nrefs || r->refs[idx].state != R_DONE || r->refs[idx].kind != K_INT)
			return 0;
		line = r->refs[idx].v.i;
	} else {
		return 0;
	}
	size_t lat = at;
	at += 5;
	if (!(nn = key_str_at(r, b + at, left - at, &name)))
		return 0;
	size_t nat = at, fat = 2;
	at += nn;
	/* taken from here on: slots in pre-order */
	if (r->caprefs - r->nrefs < 4 && pv_grow(&r->refs, &r->caprefs, r->nrefs + 4, sizeof(*r->refs)) < 0)
		return 0; /* the general path says so */
	size_t start = r->off, tslot = 0;
	if (b[0] & 0x80) {
		tslot = r->nrefs + 1;
		r->refs[r->nrefs++] = (struct ref){.off = start, .state = R_BUILDING, .kind = K_OTHER};
	}
	int rc = key_str_take(r, start + fat, &file);
	if (rc == 0 && b[lat] == ('i' | 0x80)) {
		struct ref *f = &r->refs[r->nrefs++];
		*f = (struct ref){.off = start + lat, .state = R_DONE, .kind = K_INT};
		f->v.i = line;
	}
	if (rc == 0)
		rc = key_str_take(r, start + nat, &name);
	if (rc < 0)
		return rc;
	if ((rc = pv_stats_intern_key(r->st, file, line, name, &k->key)) < 0)
		return pv_fail(r->ctx, rc, start, "cannot store function key");
	if (tslot) {
		struct ref *f = &r->refs[tslot - 1];
		f->state = R_DONE;
		f->kind = K_KEY;
		f->v.id = k->key;
	}
	k->sampled = 0;
	r->off = start + at;
	r->work += 4;
	return 1;
}

static inline int read_key(rd *r, void *out)
{
	struct keyout *k = out;
	const unsigned char *b = quick(r, 5);
	const struct ref *q;
	if (b && b[0] == 'r' && (q = quick_ref(r, b, K_KEY))) {
		k->key = q->v.id;
		k->sampled = 0;
		quick_done(r, 5);
		return 0;
	}
	int rc = fast_key(r, k);
	return rc ? (rc < 0 ? rc : 0) : read_key_any(r, out);
}

/* A caller value: (nc, cc, tt, ct) from cProfile, an int from profile. */
static int read_caller_value(rd *r, void *out)
{
	pv_caller *e = out;
	obj o;
	int rc = begin(r, &o);
	if (rc < 0)
		return rc;
	if (o.code == 'r') {
		if (o.ref->kind == K_INT) {
			e->is_tuple = 0;
			e->nc = o.ref->v.i;
			e->cc = 0;
			e->tt = e->ct = pv_num_i(0);
			return 0;
		}
		return replay(r, &o, read_caller_value, out);
	}
	pv_int iv;
	if ((rc = int_body(r, &o, &iv)) <= 0) {
		if (rc == 0) {
			e->is_tuple = 0;
			e->nc = iv;
			e->cc = 0;
			e->tt = e->ct = pv_num_i(0);
			struct ref *f = finish(r, &o, K_INT);
			if (f)
				ref_set_int(f, iv);
		}
		return rc;
	}
	size_t n;
	if ((rc = tuple_len(r, &o, &n)) != 0)
		return rc < 0 ? rc : unexpected(r, &o, "a caller value (a 4-tuple or an int)");
	if (n != 4)
		return pv_fail(r->ctx, PV_EFORMAT, o.at,
			       "caller value is a tuple of %zu items (expected 4)", n);
	if ((rc = enter(r, o.at)) < 0)
		return rc;
	e->is_tuple = 1;
	if ((rc = read_int(r, &e->nc)) == 0 && (rc = read_int(r, &e->cc)) == 0 &&
	    (rc = read_num(r, &e->tt)) == 0 && (rc = read_num(r, &e->ct)) == 0)
		finish(r, &o, K_OTHER);
	r->depth--;
	return rc;
}

/* ---- callers read and dropped -----------------------------------------
 *
 * A view that reads entries only (the text report) keeps no callers
 * (pv_profile_dropping): each is still checked as pstats would read it,
 * and what the merge needs of them - their shapes, the bound of their
 * ints - is told once per entry.  The common value, a 4-tuple of small
 * ints and binary floats, is checked here in one step when its bytes have
 * that shape; anything else goes the general way (read_caller_value),
 * which also reports what is wrong.  Both ways take the same slots in the
 * same order and charge the same work. */

/* One scalar at b (9 bytes readable): an int ('i', flagged or not, or a
 * reference to a finished int), or with `num` also a binary float or a
 * reference to one.  Its size, or 0 for the general path.  *is_int says
 * which; *flagged that it takes the next slot (an int). */
static inline size_t drop_scalar(const rd *r, const unsigned char *b, int num, int64_t *iv,
				 int *is_int, int *flagged)
{
	*flagged = 0;
	switch (b[0]) {
	case 'i' | 0x80:
		*flagged = 1;
		/* fall through */
	case 'i':
		*iv = (int32_t)le32(b + 1);
		*is_int = 1;
		return 5;
	case 'g':
		*is_int = 0;
		return num ? 9 : 0;
	case 'r': {
		uint32_t idx = le32(b + 1);
		if (idx >= r->nrefs || r->refs[idx].state != R_DONE)
			return 0;
		int k = r->refs[idx].kind;
		*is_int = k == K_INT;
		return k == K_INT || (num && k == K_FLOAT) ? 5 : 0;
	}
	}
	return 0;
}

/* A caller value (nc, cc, tt, ct) of that shape: 1 read (its int fields
 * counted in *ints), 0 not that shape (nothing taken). */
static inline int drop_value(rd *r, uint64_t *ints)
{
	if (pv_marshal_general_only || r->replay || r->maxwork - r->work < 5 || r->len - r->off < 2 + 4 * 9 ||
	    r->off > REF_MAX_OFF - 2 - 4 * 9 || r->depth >= MAX_DEPTH)
		return 0;
	const unsigned char *b = r->p + r->off;
	if ((b[0] & 0x7f) != ')' || b[1] != 4)
		return 0;
	size_t at[4], n = 2, k;
	int64_t iv[4];
	int isint[4], flag[4], nflag = b[0] >> 7;
	for (int i = 0; i < 4; i++) {
		if (!(k = drop_scalar(r, b + n, i >= 2, &iv[i], &isint[i], &flag[i])))
			return 0;
		at[i] = n;
		n += k;
		nflag += flag[i];
	}
	if (nflag) { /* slots in pre-order: the tuple's, then its flagged ints' */
		if (r->caprefs - r->nrefs < (size_t)nflag &&
		    pv_grow(&r->refs, &r->caprefs, r->nrefs + (size_t)nflag, sizeof(*r->refs)) < 0)
			return 0; /* the general path says so */
		if (b[0] & 0x80)
			r->refs[r->nrefs++] = (struct ref){.off = r->off, .state = R_DONE, .kind = K_OTHER};
		for (int i = 0; i < 4; i++)
			if (flag[i]) {
				struct ref *f = &r->refs[r->nrefs++];
				*f = (struct ref){.off = r->off + at[i], .state = R_DONE, .kind = K_INT};
				f->v.i = iv[i];
			}
	}
	*ints += 2 + (uint64_t)isint[2] + (uint64_t)isint[3]; /* each below 2^64: one unit */
	r->off += n;
	r->work += 5;
	return 1;
}

/* |v| / 2^64 + 1, what pv_profile_add_caller's bound adds for an int */
static uint64_t int_units(pv_int v)
{
	unsigned __int128 a = v < 0 ? -(unsigned __int128)v : (unsigned __int128)v;
	return (uint64_t)(a >> 64) + 1;
}

static int read_callers_dropped(rd *r)
{
	unsigned shapes = 0;
	uint64_t units = 0;
	int rc;
	for (;;) {
		if ((rc = need(r, 1)) < 0)
			return rc;
		if (r->p[r->off] == '0') {
			r->off++;
			break;
		}
		struct keyout k = {0};
		if ((rc = read_key(r, &k)) < 0)
			return rc;
		if (drop_value(r, &units)) {
			shapes |= 1; /* SHAPE_TUPLE */
			continue;
		}
		pv_caller e;
		if ((rc = read_caller_value(r, &e)) < 0)
			return rc;
		shapes |= e.is_tuple ? 1 : 2; /* SHAPE_TUPLE, SHAPE_INT */
		units += int_units(e.nc) + int_units(e.cc);
		if (e.tt.is_int)
			units += int_units(e.tt.i);
		if (e.ct.is_int)
			units += int_units(e.ct.i);
		if (units > ((uint64_t)1 << 63)) /* the bound saturates long before */
			units = (uint64_t)1 << 63;
	}
	if (shapes)
		pv_profile_note_dropped(r->out, shapes, units);
	return 0;
}

static int read_callers(rd *r, void *unused)
{
	(void)unused;
	obj o;
	int rc = begin(r, &o);
	if (rc < 0)
		return rc;
	if (o.code == 'r')
		return replay(r, &o, read_callers, NULL);
	if (o.code != '{')
		return unexpected(r, &o, "a callers dict");
	if ((rc = enter(r, o.at)) < 0)
		return rc;
	if (pv_profile_dropping(r->out)) {
		if ((rc = read_callers_dropped(r)) == 0)
			finish(r, &o, K_OTHER);
		r->depth--;
		return rc;
	}
	for (;;) {
		if ((rc = need(r, 1)) < 0)
			break;
		if (r->p[r->off] == '0') {
			r->off++;
			finish(r, &o, K_OTHER);
			break;
		}
		struct keyout k = {0};
		/* read_caller_value sets every field it succeeds on; no "= {0}",
		 * which gcc turns into a rep stos that cost half of this loop */
		pv_caller e;
		if ((rc = read_key(r, &k)) < 0 || (rc = read_caller_value(r, &e)) < 0)
			break;
		e.caller = k.key;
		if ((rc = pv_profile_add_caller(r->out, &e)) < 0) {
			rc = pv_fail(r->ctx, rc, r->off, "out of memory");
			break;
		}
	}
	r->depth--;
	return rc;
}

/* An entry (cc, nc, tt, ct, callers) for the key in *out. */
static int read_entry(rd *r, void *out)
{
	uint32_t key = *(uint32_t *)out;
	obj o;
	int rc = begin(r, &o);
	if (rc < 0)
		return rc;
	if (o.code == 'r')
		return replay(r, &o, read_entry, out);
	size_t n;
	if ((rc = tuple_len(r, &o, &n)) != 0)
		return rc < 0 ? rc : unexpected(r, &o, "an entry (cc, nc, tt, ct, callers)");
	if (n != 5)
		return pv_fail(r->ctx, PV_EFORMAT, o.at,
			       "entry is a tuple of %zu items (expected 5)", n);
	if ((rc = enter(r, o.at)) < 0)
		return rc;
	pv_int cc, nc;
	pv_num tt, ct;
	if ((rc = read_int(r, &cc)) == 0 && (rc = read_int(r, &nc)) == 0 &&
	    (rc = read_num(r, &tt)) == 0 && (rc = read_num(r, &ct)) == 0) {
		rc = pv_profile_begin_entry(r->out, key, cc, nc, tt, ct);
		if (rc < 0)
			rc = pv_fail(r->ctx, rc, o.at, "out of memory");
		else if ((rc = read_callers(r, NULL)) == 0)
			finish(r, &o, K_OTHER);
	}
	r->depth--;
	return rc;
}

static int read_top(rd *r)
{
	obj o;
	int rc = begin(r, &o);
	if (rc < 0)
		return rc;
	if (o.code != '{') {
		const char *t = type_name(o.code);
		if (!t || o.code == 'r')
			return pv_fail(r->ctx, PV_EFORMAT, 0,
				       "not a pstats dump (starts with byte 0x%02x, not a marshal dict)",
				       r->p[0]);
		return pv_fail(r->ctx, PV_EFORMAT, 0,
			       "not a pstats dump (the marshal data is a%s %s, not a dict)",
			       strchr("aeiou", t[0]) ? "n" : "", t);
	}
	for (;;) {
		if ((rc = need(r, 1)) < 0)
			return rc;
		if (r->p[r->off] == '0') {
			r->off++;
			finish(r, &o, K_OTHER);
			return 0;
		}
		struct keyout k = {.sampled_ok = 1};
		if ((rc = read_key(r, &k)) < 0)
			return rc;
		if (k.sampled)
			rc = skip(r, NULL);
		else
			rc = read_entry(r, &k.key);
		if (rc < 0)
			return rc;
		pv_release_behind(r->p, r->off); /* a mapped file's pages behind us */
	}
}

static int marshal_sniff(const unsigned char *buf, size_t len)
{
	return len > 0 && (buf[0] & 0x7f) == '{';
}

static int marshal_read(pv_ctx *ctx, pv_stats *st, pv_profile *out, const unsigned char *buf,
			size_t len)
{
	rd r = {.p = buf, .len = len, .ctx = ctx, .st = st, .out = out};
	r.maxwork = len < SIZE_MAX / 4 - 4096 ? 4 * len + 4096 : SIZE_MAX;
	pv_profile_reset(out);
	/* Room up front, from the size: a dump spends 40-500 bytes per entry
	 * (median ~130) and 10-100 per caller edge.  The typical figures, not
	 * the bounds: an over-estimate costs address space (`ulimit -v`
	 * counts it, untouched or not).  The intern tables, which are zeroed
	 * and touched all over and would hold old and new copies while they
	 * rehash, get a capped estimate (a file of one huge string has few
	 * keys).  The arrays grow by half without a copy once large
	 * (pv_big_grow, realloc's mremap): an input of 32 MiB or more reserves
	 * none of them, since at its start its mapping is still whole and
	 * the reserve would add to that peak; nor edges when the callers are
	 * dropped.  A hint only: failure is not an error. */
	size_t nk = len / 128 < ((size_t)1 << 20) ? len / 128 : (size_t)1 << 20;
	int large = len >= ((size_t)32 << 20);
	(void)pv_profile_reserve(out, large ? 0 : len / 128,
				 large || pv_profile_dropping(out) ? 0 : len / 96);
	(void)pv_stats_reserve(st, nk, nk, len / 8);
	if (!large)
		(void)pv_grow(&r.refs, &r.caprefs, len / 64, sizeof(*r.refs));
	int rc;
	if (len == 0)
		rc = pv_fail(ctx, PV_EFORMAT, 0, "empty file");
	else if ((rc = read_top(&r)) == 0 && pv_profile_nentries(out) == 0)
		rc = pv_fail(ctx, PV_EFORMAT, 0, "no profile data (an empty stats dict)");
	free(r.refs);
	free(r.py2);
	free(r.conv);
	free(r.back);
	return rc;
}

static const char *const marshal_suffixes[] = {".prof", NULL};

const pv_reader pv_reader_marshal = {
	.name = "marshal",
	.suffixes = marshal_suffixes,
	.sniff = marshal_sniff,
	.read = marshal_read,
};
