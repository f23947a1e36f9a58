/*
 * profile.c - one input's profile as a reader builds it: entries in file
 * order with Python dict semantics (a repeated key keeps its first position
 * and takes the last value), each with its list of callers, and a bound on
 * its int sums that lets the merge add them without overflow checks.
 *
 * A profile is laid out as the model's table is (stats_impl.h), so the
 * first one merged into an empty model is taken over whole.
 */
#include <stdlib.h>
#include <string.h>

#include "stats_impl.h"

/* A profile is filled on one core and merged on another: its header gets
 * cache lines of its own (whole 128-byte pairs, which the adjacent-line
 * prefetcher moves together), or the parser's writes to one ring slot and
 * the merge's reads of the next would share a line and bounce it. */
#define PROFILE_ALIGN 128

int pv_profile_new(pv_profile **out)
{
	size_t size = (sizeof(pv_profile) + PROFILE_ALIGN - 1) & ~(size_t)(PROFILE_ALIGN - 1);
	pv_profile *p = aligned_alloc(PROFILE_ALIGN, size);
	if (!p)
		return PV_ENOMEM;
	memset(p, 0, sizeof(*p));
	p->gen = 1;
	*out = p;
	return 0;
}

void pv_profile_free(pv_profile *p)
{
	if (!p)
		return;
	pv_big_free(p->entries, p->cap, sizeof(*p->entries));
	pv_big_free(p->callers, p->capcallers, sizeof(*p->callers));
	free(p->keyslot);
	free(p->callerslot);
	pv_warena_free(&p->wide);
	free(p);
}

int pv_profile_reserve(pv_profile *p, size_t nentries, size_t nedges)
{
	if (pv_big_grow(&p->entries, &p->cap, p->n + nentries, sizeof(*p->entries)) < 0 ||
	    pv_big_grow(&p->callers, &p->capcallers, p->ncallers + nedges + 2, sizeof(*p->callers)) < 0)
		return PV_ENOMEM;
	return 0;
}

void pv_profile_shrink(pv_profile *p)
{
	/* a failure keeps the larger table, which is still right */
	(void)pv_big_fit(&p->entries, &p->cap, p->n, sizeof(*p->entries));
	(void)pv_big_fit(&p->callers, &p->capcallers, p->ncallers, sizeof(*p->callers));
	p->room = 0;
	/* the repeat marks serve the reader only, and are indexed by key id
	 * (the size of the whole model): a later read grows them again */
	free(p->keyslot);
	free(p->callerslot);
	p->keyslot = p->callerslot = NULL;
	p->capkeyslot = p->capcallerslot = 0;
}

void pv_profile_reset(pv_profile *p)
{
	p->n = 0;
	p->ncallers = 0;
	p->room = 0;
	p->abssum = 0;
	p->shapes = 0;
	pv_warena_free(&p->wide); /* almost always empty */
	if (++p->gen == 0) {      /* wrapped: old marks could look current */
		memset(p->keyslot, 0, p->capkeyslot * sizeof(*p->keyslot));
		p->gen = 1;
	}
}

size_t pv_profile_nentries(const pv_profile *p)
{
	return p->n;
}

void pv_profile_get(const pv_profile *p, size_t i, uint32_t *key, pv_int *cc, pv_int *nc,
		    pv_num *tt, pv_num *ct)
{
	const pentry *e = &p->entries[i];
	if (key)
		*key = e->key;
	if (cc)
		*cc = pv_entry_cc(e);
	if (nc)
		*nc = pv_entry_nc(e);
	if (tt)
		*tt = pv_entry_tt(e);
	if (ct)
		*ct = pv_entry_ct(e);
}

int pv_profile_rekey(pv_profile *p, const pv_stats *from, pv_stats *to, uint32_t **xlat,
		     size_t *cap)
{
	int rc;
	for (size_t i = 0; i < p->n; i++)
		if ((rc = pv_key_xlat(from, to, p->entries[i].key, xlat, cap, &p->entries[i].key)) < 0)
			return rc;
	for (size_t i = 1; i < p->ncallers; i++)
		if ((rc = pv_key_xlat(from, to, p->callers[i].caller, xlat, cap, &p->callers[i].caller)) < 0)
			return rc;
	return 0;
}

/* Key k of `from` as a key of `to`, through the map xlat. */
static int key_xlat_map(const pv_stats *from, pv_stats *to, uint32_t k, pv_map *xlat, uint32_t *out)
{
	uint32_t v = pv_map_get(xlat, k);
	if (v) {
		*out = v - 1;
		return 0;
	}
	int rc = pv_key_copy(from, to, k, out);
	if (rc < 0)
		return rc;
	return pv_map_put(xlat, k, *out + 1);
}

int pv_profile_rekey_map(pv_profile *p, const pv_stats *from, pv_stats *to, pv_map *xlat)
{
	int rc;
	for (size_t i = 0; i < p->n; i++)
		if ((rc = key_xlat_map(from, to, p->entries[i].key, xlat, &p->entries[i].key)) < 0)
			return rc;
	for (size_t i = 1; i < p->ncallers; i++)
		if ((rc = key_xlat_map(from, to, p->callers[i].caller, xlat, &p->callers[i].caller)) < 0)
			return rc;
	return 0;
}

int pv_profile_copy(pv_profile *dst, const pv_profile *src)
{
	pv_profile_reset(dst);
	if (pv_big_grow(&dst->entries, &dst->cap, src->n ? src->n : 1, sizeof(*dst->entries)) < 0 ||
	    pv_big_grow(&dst->callers, &dst->capcallers, src->ncallers ? src->ncallers : 1,
			sizeof(*dst->callers)) < 0)
		return PV_ENOMEM;
	if (src->n)
		memcpy(dst->entries, src->entries, src->n * sizeof(*dst->entries));
	if (src->ncallers)
		memcpy(dst->callers, src->callers, src->ncallers * sizeof(*dst->callers));
	/* wide numbers live in src's arena: copies of them go into dst's */
	for (size_t i = 0; i < src->n; i++)
		if (pv_vals_rehome(&dst->entries[i].v, &dst->entries[i].wide, &dst->wide) < 0)
			return PV_ENOMEM;
	for (size_t i = 1; i < src->ncallers; i++)
		if (pv_vals_rehome(&dst->callers[i].v, &dst->callers[i].wide, &dst->wide) < 0)
			return PV_ENOMEM;
	dst->n = src->n;
	dst->ncallers = src->ncallers;
	dst->abssum = src->abssum;
	dst->shapes = src->shapes;
	return 0;
}

const pv_entry *pv_profile_entries(const pv_profile *p)
{
	return p->entries;
}

/* pv_num_add's sum from int 0 in order, without its 32-byte copies (a
 * --diff or --requests run sums every profile): ints summed exactly while
 * every value so far is one and the sum fits 128 bits, then floats. */
double pv_profile_total_time(const pv_profile *p)
{
	pv_int si = 0;
	size_t i = 0;
	for (; i < p->n; i++) {
		const pentry *e = &p->entries[i];
		if (!e->wide || !e->v.w->tt.is_int ||
		    pv_int_add(&si, si, e->v.w->tt.i) < 0) /* beyond 128 bits: as floats */
			break;
	}
	if (i == p->n)
		return (double)si;
	double f = (double)si;
	for (; i < p->n; i++) {
		pv_num t = pv_entry_tt(&p->entries[i]);
		f += t.is_int ? (double)t.i : t.f;
	}
	return f;
}

size_t pv_profile_memsize(const pv_profile *p)
{
	return sizeof(*p) + p->cap * sizeof(*p->entries) + p->capcallers * sizeof(*p->callers) +
	       (p->capkeyslot + p->capcallerslot) * sizeof(struct slotmark);
}

static PV_NOINLINE int mark_grow_to(struct slotmark **m, size_t *cap, uint32_t key)
{
	size_t old = *cap;
	if (pv_grow(m, cap, (size_t)key + 1, sizeof(**m)) < 0)
		return PV_ENOMEM;
	memset(*m + old, 0, (*cap - old) * sizeof(**m));
	return 0;
}

static inline int mark_grow(struct slotmark **m, size_t *cap, uint32_t key)
{
	return key < *cap ? 0 : mark_grow_to(m, cap, key);
}

static void abs_add(uint64_t *sum, pv_int v)
{
	unsigned __int128 a = v < 0 ? -(unsigned __int128)v : (unsigned __int128)v;
	uint64_t hi = (uint64_t)(a >> 64) + 1; /* round up to whole 2^64 units */
	*sum = hi >= ABS_LIMIT || *sum > ABS_LIMIT - hi ? ABS_LIMIT : *sum + hi;
}

static void abs_add_num(uint64_t *sum, pv_num v)
{
	if (v.is_int)
		abs_add(sum, v.i);
}

/* abs_add of n ints within 64 bits (n small): each is one unit, and
 * abs_add's saturating steps add up to a single min(). */
static inline void abs_add_small(uint64_t *sum, uint64_t n)
{
	uint64_t s = *sum + n;
	*sum = s < ABS_LIMIT ? s : ABS_LIMIT;
}

/* The numbers of an entry or a tuple edge as the compact record holds them
 * (two 64-bit counts, two float times): what the fast paths below take. */
static inline int compact4(const pv_int *cc, const pv_int *nc, const pv_num *tt, const pv_num *ct)
{
	/* a count fits when its high half is its low half's sign */
	uint64_t ccl = (uint64_t)*cc, ncl = (uint64_t)*nc;
	uint64_t cch = (uint64_t)(*cc >> 64), nch = (uint64_t)(*nc >> 64);
	return ((cch ^ (uint64_t)((int64_t)ccl >> 63)) | (nch ^ (uint64_t)((int64_t)ncl >> 63)) |
		(uint64_t)(unsigned)(tt->is_int | ct->is_int)) == 0;
}

static PV_NOINLINE int begin_entry_slow(pv_profile *p, uint32_t key, pv_int cc, pv_int nc,
					pv_num tt, pv_num ct)
{
	if (mark_grow(&p->keyslot, &p->capkeyslot, key) < 0)
		return PV_ENOMEM;
	pentry *e;
	if (p->keyslot[key].gen == p->gen) {
		e = &p->entries[p->keyslot[key].pos];
	} else {
		if (pv_big_grow(&p->entries, &p->cap, p->n + 1, sizeof(*p->entries)) < 0)
			return PV_ENOMEM;
		p->keyslot[key].gen = p->gen;
		p->keyslot[key].pos = (uint32_t)p->n;
		e = &p->entries[p->n++];
		e->key = key;
		e->wide = 0;
	}
	p->cur = (size_t)(e - p->entries);
	if (pv_vals_set(&e->v, &e->wide, &p->wide, &cc, &nc, &tt, &ct) < 0)
		return PV_ENOMEM;
	e->first_edge = e->last_edge = 0; /* a repeated key starts its callers again */
	e->ncallers = 0;
	abs_add(&p->abssum, cc);
	abs_add(&p->abssum, nc);
	abs_add_num(&p->abssum, tt);
	abs_add_num(&p->abssum, ct);
	if (++p->cgen == 0) {
		memset(p->callerslot, 0, p->capcallerslot * sizeof(*p->callerslot));
		p->cgen = 1;
	}
	return 0;
}

/* The common case inline: a key new in this file, with room, and numbers
 * that are compact; anything else (a repeated key, growth, wide numbers)
 * goes the general way above. */
int pv_profile_begin_entry(pv_profile *p, uint32_t key, pv_int cc, pv_int nc, pv_num tt, pv_num ct)
{
	size_t n = p->n;
	if (__builtin_expect(key >= p->capkeyslot || p->keyslot[key].gen == p->gen || n >= p->cap ||
				     !compact4(&cc, &nc, &tt, &ct) || p->cgen == UINT32_MAX,
			     0))
		return begin_entry_slow(p, key, cc, nc, tt, ct);
	p->keyslot[key].gen = p->gen;
	p->keyslot[key].pos = (uint32_t)n;
	pentry *e = &p->entries[n];
	p->n = n + 1;
	p->cur = n;
	e->key = key;
	e->first_edge = e->last_edge = 0;
	e->ncallers = 0;
	e->wide = 0;
	e->v.c.cc = (int64_t)cc;
	e->v.c.nc = (int64_t)nc;
	e->v.c.tt = tt.f;
	e->v.c.ct = ct.f;
	abs_add_small(&p->abssum, 2);
	p->cgen++;
	return 0;
}

/* *d := the numbers of c */
static inline int set_caller(pv_profile *p, pv_edge *d, const pv_caller *c)
{
	d->caller = c->caller;
	return pv_edge_set(d, &p->wide, c);
}

void pv_profile_drop_callers(pv_profile *p)
{
	p->drop_callers = 1;
}

static PV_NOINLINE int add_caller_slow(pv_profile *p, const pv_caller *edge)
{
	if (!p->n)
		return PV_EARG;
	if (p->drop_callers) { /* the edge not kept; what the merge checks, kept */
		p->shapes |= SHAPE_OF(edge);
		abs_add(&p->abssum, edge->nc);
		abs_add(&p->abssum, edge->cc);
		abs_add_num(&p->abssum, edge->tt);
		abs_add_num(&p->abssum, edge->ct);
		return 0;
	}
	pentry *e = &p->entries[p->cur];
	if (mark_grow(&p->callerslot, &p->capcallerslot, edge->caller) < 0)
		return PV_ENOMEM;
	struct slotmark *m = &p->callerslot[edge->caller];
	pv_edge *d;
	if (m->gen == p->cgen) { /* a repeated caller: new value, same place */
		d = &p->callers[m->pos];
		if (set_caller(p, d, edge) < 0)
			return PV_ENOMEM;
	} else {
		if (p->ncallers >= UINT32_MAX - 1)
			return PV_ELIMIT;
		if (pv_big_grow(&p->callers, &p->capcallers, p->ncallers + 2, sizeof(*p->callers)) < 0)
			return PV_ENOMEM;
		if (p->ncallers == 0) { /* index 0 means "none" */
			memset(&p->callers[0], 0, sizeof(p->callers[0]));
			p->ncallers = 1;
		}
		uint32_t id = (uint32_t)p->ncallers++;
		m->gen = p->cgen;
		m->pos = id;
		d = &p->callers[id];
		d->wide = 0;
		if (set_caller(p, d, edge) < 0)
			return PV_ENOMEM;
		d->next = 0;
		if (e->last_edge)
			p->callers[e->last_edge].next = id;
		else
			e->first_edge = id;
		e->last_edge = id;
		e->ncallers++;
	}
	p->shapes |= SHAPE_OF(edge);
	abs_add(&p->abssum, edge->nc);
	abs_add(&p->abssum, edge->cc);
	abs_add_num(&p->abssum, edge->tt);
	abs_add_num(&p->abssum, edge->ct);
	/* callers[0] is set up: the inline path may append at id while
	 * id + 2 <= capcallers (the test above) and id < UINT32_MAX - 1 */
	p->room = p->capcallers - 1 < (size_t)UINT32_MAX - 1 ? p->capcallers - 1 : (size_t)UINT32_MAX - 1;
	return 0;
}

/* The common case inline: a tuple edge with compact numbers from a caller
 * new in this entry, with room, or one of a profile that drops its callers
 * (counted only); anything else goes the general way. */
int pv_profile_add_caller(pv_profile *p, const pv_caller *edge)
{
	if (__builtin_expect(!edge->is_tuple || !p->n ||
				     !compact4(&edge->cc, &edge->nc, &edge->tt, &edge->ct),
			     0))
		return add_caller_slow(p, edge);
	if (p->drop_callers) { /* what add_caller_slow counts of it */
		p->shapes |= SHAPE_TUPLE;
		abs_add_small(&p->abssum, 2);
		return 0;
	}
	uint32_t k = edge->caller;
	size_t id = p->ncallers;
	if (__builtin_expect(id >= p->room || k >= p->capcallerslot || p->callerslot[k].gen == p->cgen,
			     0))
		return add_caller_slow(p, edge);
	p->callerslot[k].gen = p->cgen;
	p->callerslot[k].pos = (uint32_t)id;
	p->ncallers = id + 1;
	pv_edge *d = &p->callers[id];
	d->caller = k;
	d->next = 0;
	d->is_tuple = 1;
	d->wide = 0;
	d->v.c.cc = (int64_t)edge->cc;
	d->v.c.nc = (int64_t)edge->nc;
	d->v.c.tt = edge->tt.f;
	d->v.c.ct = edge->ct.f;
	pentry *e = &p->entries[p->cur];
	if (e->last_edge)
		p->callers[e->last_edge].next = (uint32_t)id;
	else
		e->first_edge = (uint32_t)id;
	e->last_edge = (uint32_t)id;
	e->ncallers++;
	p->shapes |= SHAPE_TUPLE;
	abs_add_small(&p->abssum, 2);
	return 0;
}

int pv_profile_dropping(const pv_profile *p)
{
	return p->drop_callers;
}

void pv_profile_note_dropped(pv_profile *p, unsigned shapes, uint64_t units)
{
	p->shapes |= shapes;
	p->abssum = units >= ABS_LIMIT || p->abssum > ABS_LIMIT - units ? ABS_LIMIT : p->abssum + units;
}
