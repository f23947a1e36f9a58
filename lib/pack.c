/*
 * pack.c - a profile as compact bytes and back: the archive loader keeps
 * parsed members so (spill.c) until pstats' order merges them.
 *
 * Layout: varint n (entries), a byte of edge shapes, the profile's 8-byte
 * abssum (native order: the bytes never leave the process); then per entry
 * varint key, varint ncallers, a byte of number kinds (tt | ct << 2),
 * zigzag cc and nc, tt and ct; then its callers, each varint caller, a
 * byte (is_tuple | tt kind << 1 | ct kind << 3), zigzag nc and cc, tt and ct.
 * Key ids are kept as they are: only for the same pv_stats.
 */
#include <string.h>

#include "stats_impl.h"

/* Integers are zigzag LEB128 varints (up to 128 bits).  A time is packed
 * one of three ways, said by two flag bits: a Python int (a varint), a
 * float that is k * 1e-9 for an integer k (cProfile's times are
 * nanosecond counts scaled so: k as a varint, mostly 2-3 bytes instead of
 * 8), or the double's 8 bytes. */
enum { NUM_F64 = 0,
       NUM_INT = 1,
       NUM_NS = 2 };

static inline void put_u64(unsigned char **o, uint64_t v)
{
	unsigned char *q = *o;
	while (v >= 0x80) {
		*q++ = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	*q++ = (unsigned char)v;
	*o = q;
}

/* Any value: the 7-bit groups above 64 bits first, in 128-bit arithmetic,
 * then the rest in the 64-bit loop (almost every number never leaves it). */
static inline void put_u(unsigned char **o, unsigned __int128 v)
{
	while (v >> 64) {
		*(*o)++ = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	put_u64(o, (uint64_t)v);
}

static inline void put_i(unsigned char **o, pv_int v)
{
	if (v >= INT64_MIN && v <= INT64_MAX) { /* zigzag in 64 bits: the same value */
		int64_t x = (int64_t)v;
		put_u64(o, (uint64_t)x << 1 ^ (uint64_t)(x >> 63));
	} else {
		put_u(o, ((unsigned __int128)v << 1) ^ (unsigned __int128)(v >> 127));
	}
}

/* How v is packed, and the nanosecond count when NUM_NS. */
static unsigned num_kind(pv_num v, int64_t *ns)
{
	if (v.is_int)
		return NUM_INT;
	double k = v.f * 1e9;
	if (!(k > -9007199254740992.0 && k < 9007199254740992.0)) /* 2^53; NaN too */
		return NUM_F64;
	int64_t n = (int64_t)(k < 0 ? k - 0.5 : k + 0.5);
	double back = (double)n * 1e-9;
	if (memcmp(&back, &v.f, 8) != 0) /* bit for bit: -0.0 stays a double */
		return NUM_F64;
	*ns = n;
	return NUM_NS;
}

static void put_num(unsigned char **o, pv_num v, unsigned kind, int64_t ns)
{
	if (kind == NUM_INT) {
		put_i(o, v.i);
	} else if (kind == NUM_NS) {
		put_i(o, ns);
	} else {
		memcpy(*o, &v.f, 8);
		*o += 8;
	}
}

#define PACK_MAX_ITEM (5 + 5 + 1 + 4 * 19) /* one entry or edge, packed, at most */

size_t pv_profile_pack_bound(const pv_profile *p)
{
	size_t nedges = p->ncallers ? p->ncallers - 1 : 0;
	return 32 + (p->n + nedges) * PACK_MAX_ITEM;
}

int pv_profile_pack(const pv_profile *p, unsigned char **buf, size_t *len, size_t *cap)
{
	size_t need = *len + pv_profile_pack_bound(p);
	if (pv_grow(buf, cap, need, 1) < 0)
		return PV_ENOMEM;
	unsigned char *o = *buf + *len;
	put_u(&o, p->n);
	*o++ = (unsigned char)p->shapes;
	memcpy(o, &p->abssum, 8);
	o += 8;
	int64_t n1 = 0, n2 = 0;
	for (size_t i = 0; i < p->n; i++) {
		const pentry *e = &p->entries[i];
		pv_wide x = pv_vals_get(&e->v, e->wide);
		unsigned k1 = num_kind(x.tt, &n1), k2 = num_kind(x.ct, &n2);
		put_u(&o, e->key);
		put_u(&o, e->ncallers);
		*o++ = (unsigned char)(k1 | k2 << 2);
		put_i(&o, x.cc);
		put_i(&o, x.nc);
		put_num(&o, x.tt, k1, n1);
		put_num(&o, x.ct, k2, n2);
		for (uint32_t j = e->first_edge; j; j = p->callers[j].next) {
			const pv_edge *c = &p->callers[j];
			x = pv_vals_get(&c->v, c->wide);
			k1 = num_kind(x.tt, &n1);
			k2 = num_kind(x.ct, &n2);
			put_u(&o, c->caller);
			*o++ = (unsigned char)((c->is_tuple != 0) | k1 << 1 | k2 << 3);
			put_i(&o, x.nc);
			put_i(&o, x.cc);
			put_num(&o, x.tt, k1, n1);
			put_num(&o, x.ct, k2, n2);
		}
	}
	*len = (size_t)(o - *buf);
	return 0;
}

struct unpacker {
	const unsigned char *p, *end;
	int bad;
};

static PV_NOINLINE unsigned __int128 get_u_slow(struct unpacker *u)
{
	unsigned __int128 v = 0;
	for (unsigned shift = 0; u->p < u->end && shift < 133; shift += 7) {
		unsigned char b = *u->p++;
		v |= (unsigned __int128)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return v;
	}
	u->bad = 1;
	return 0;
}

/* A varint of up to 63 bits in a 64-bit register, when 9 bytes are there
 * for sure (almost every one): 1 and *v, past it; else 0, u unchanged. */
static inline int get_u64(struct unpacker *u, uint64_t *v)
{
	const unsigned char *q = u->p;
	if (u->end - q < 9)
		return 0;
	uint64_t x = 0;
	for (unsigned i = 0; i < 9; i++) {
		unsigned char b = q[i];
		x |= (uint64_t)(b & 0x7f) << (7 * i);
		if (!(b & 0x80)) {
			u->p = q + i + 1;
			*v = x;
			return 1;
		}
	}
	return 0;
}

/* A varint: in 64 bits when it can, else byte by byte in 128. */
static inline unsigned __int128 get_u(struct unpacker *u)
{
	uint64_t v;
	return get_u64(u, &v) ? v : get_u_slow(u);
}

/* A zigzag varint: decoded in 64 bits when it can (the same value), else
 * in 128. */
static inline pv_int get_i(struct unpacker *u)
{
	uint64_t v;
	if (get_u64(u, &v))
		return (int64_t)(v >> 1 ^ -(v & 1));
	unsigned __int128 z = get_u_slow(u);
	return (pv_int)(z >> 1) ^ -(pv_int)(z & 1);
}

static inline pv_num get_num(struct unpacker *u, unsigned kind)
{
	if (kind == NUM_INT)
		return pv_num_i(get_i(u));
	if (kind == NUM_NS)
		return pv_num_f((double)(int64_t)get_i(u) * 1e-9);
	double f = 0;
	if (kind != NUM_F64 || u->end - u->p < 8) {
		u->bad = 1;
		return pv_num_f(f);
	}
	memcpy(&f, u->p, 8);
	u->p += 8;
	return pv_num_f(f);
}

static inline unsigned get_byte(struct unpacker *u)
{
	if (u->p >= u->end) {
		u->bad = 1;
		return 0;
	}
	return *u->p++;
}

int pv_profile_unpack(pv_profile *p, const unsigned char *buf, size_t len)
{
	struct unpacker u = {buf, buf + len, 0};
	pv_profile_reset(p);
	size_t n = (size_t)get_u(&u);
	unsigned shapes = get_byte(&u);
	if (u.bad || n > len || (size_t)(u.end - u.p) < 8)
		return PV_EFORMAT;
	uint64_t abssum;
	memcpy(&abssum, u.p, 8);
	u.p += 8;
	if (pv_big_grow(&p->entries, &p->cap, n, sizeof(*p->entries)) < 0)
		return PV_ENOMEM;
	size_t ne = 1; /* callers[0] unused */
	for (size_t i = 0; i < n && !u.bad; i++) {
		pentry *e = &p->entries[i];
		e->key = (uint32_t)get_u(&u);
		size_t k = (size_t)get_u(&u);
		unsigned f = get_byte(&u);
		pv_int cc = get_i(&u);
		pv_int nc = get_i(&u);
		pv_num tt = get_num(&u, f & 3);
		pv_num ct = get_num(&u, f >> 2 & 3);
		e->wide = 0;
		if (pv_vals_set(&e->v, &e->wide, &p->wide, &cc, &nc, &tt, &ct) < 0)
			return PV_ENOMEM;
		e->ncallers = (uint32_t)k;
		e->first_edge = e->last_edge = 0;
		if (u.bad || k > (size_t)(u.end - u.p) || ne + k >= UINT32_MAX)
			return PV_EFORMAT;
		if (k && pv_big_grow(&p->callers, &p->capcallers, ne + k, sizeof(*p->callers)) < 0)
			return PV_ENOMEM;
		for (size_t j = 0; j < k; j++) {
			pv_edge *c = &p->callers[ne + j];
			c->caller = (uint32_t)get_u(&u);
			unsigned g = get_byte(&u);
			pv_int enc = get_i(&u);
			pv_int ecc = get_i(&u);
			pv_num ett = get_num(&u, g >> 1 & 3);
			pv_num ect = get_num(&u, g >> 3 & 3);
			c->wide = 0;
			pv_caller in = {c->caller, g & 1, enc, ecc, ett, ect};
			if (pv_edge_set(c, &p->wide, &in) < 0)
				return PV_ENOMEM;
			c->next = j + 1 < k ? (uint32_t)(ne + j + 1) : 0;
		}
		if (k) {
			e->first_edge = (uint32_t)ne;
			e->last_edge = (uint32_t)(ne + k - 1);
			ne += k;
		}
	}
	if (u.bad || u.p != u.end)
		return PV_EFORMAT;
	if (ne > 1)
		memset(&p->callers[0], 0, sizeof(p->callers[0]));
	p->n = n;
	p->ncallers = ne > 1 ? ne : 0;
	p->shapes = shapes;
	p->abssum = abssum;
	return 0;
}
