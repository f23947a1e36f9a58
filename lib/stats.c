/*
 * stats.c - the model: the entry table (pstats' dict of entries with their
 * callers) and the merge and strip_dirs rules of CPython's pstats.
 *
 * Entries and edges hold key ids (intern.c), so merging compares integers.
 * Entries keep pstats' dict order: first-seen position, values summed in
 * merge order.  Data path of one input: a reader fills a pv_profile
 * (profile.c); pv_load merges the profiles here in pstats' order, taking
 * the first one over whole when it can.
 */
#include <stdlib.h>
#include <string.h>

#include "stats_impl.h"

/* ---- the entry table ----------------------------------------------------- */

static void table_free(table *t)
{
	pv_big_free(t->entries, t->capentries, sizeof(*t->entries));
	pv_big_free(t->edges, t->capedges, sizeof(*t->edges));
	free(t->entry_of_key);
	pv_map_free(&t->edge_of);
	pv_warena_free(&t->wide);
	memset(t, 0, sizeof(*t));
	t->total_tt = pv_num_from_int(0);
}

static long table_find(const table *t, uint32_t key)
{
	if (key >= t->capeok || !t->entry_of_key[key])
		return -1;
	return (long)t->entry_of_key[key] - 1;
}

static int table_new_entry(table *t, uint32_t key, size_t *idx)
{
	if (key >= t->capeok) {
		size_t old = t->capeok;
		if (pv_grow(&t->entry_of_key, &t->capeok, (size_t)key + 1, sizeof(uint32_t)) < 0)
			return PV_ENOMEM;
		memset(t->entry_of_key + old, 0, (t->capeok - old) * sizeof(uint32_t));
	}
	if (t->nentries >= UINT32_MAX - 1)
		return PV_ELIMIT;
	if (pv_big_grow(&t->entries, &t->capentries, t->nentries + 1, sizeof(pv_entry)) < 0)
		return PV_ENOMEM;
	pv_entry *e = &t->entries[t->nentries];
	memset(e, 0, sizeof(*e)); /* numbers 0, 0, 0.0, 0.0: the caller sets them */
	e->key = key;
	t->entry_of_key[key] = (uint32_t)t->nentries + 1;
	*idx = t->nentries++;
	return 0;
}

static uint64_t edge_key(size_t entry, uint32_t caller)
{
	return (uint64_t)entry << 32 | caller;
}

/* Append a copy of `src` (value as is) to entry `ei`'s callers; `index`
 * 0 leaves it out of edge_of (the first profile merged: every edge is new,
 * and a run of one profile never looks one up).  Wide numbers are copied
 * into the table's arena: src's owner may be reused. */
static int table_append_edge(table *t, size_t ei, const pv_edge *src, int index)
{
	if (t->nedges == 0)
		t->nedges = 1; /* index 0 means "none" */
	if (t->nedges >= UINT32_MAX - 1)
		return PV_ELIMIT;
	if (pv_big_grow(&t->edges, &t->capedges, t->nedges + 1, sizeof(pv_edge)) < 0)
		return PV_ENOMEM;
	uint32_t id = (uint32_t)t->nedges;
	if (!index)
		t->unindexed = 1;
	else if (pv_map_put(&t->edge_of, edge_key(ei, src->caller), id) < 0)
		return PV_ENOMEM;
	pv_edge *d = &t->edges[id];
	*d = *src;
	d->next = 0;
	if (pv_vals_rehome(&d->v, &d->wide, &t->wide) < 0)
		return PV_ENOMEM;
	t->shapes |= SHAPE_OF(src);
	t->nedges++;
	pv_entry *e = &t->entries[ei];
	if (e->last_edge)
		t->edges[e->last_edge].next = id;
	else
		e->first_edge = id;
	e->last_edge = id;
	e->ncallers++;
	return 0;
}

/* The sums below cannot overflow: merge checks the bound first. */
static inline pv_num add(pv_num a, pv_num b)
{
	return pv_num_sum(a, b);
}

/* Put every edge into edge_of before the first lookup. */
static int table_index(table *t)
{
	if (!t->unindexed)
		return 0;
	for (size_t ei = 0; ei < t->nentries; ei++)
		for (uint32_t id = t->entries[ei].first_edge; id; id = t->edges[id].next)
			if (pv_map_put(&t->edge_of, edge_key(ei, t->edges[id].caller), id) < 0)
				return PV_ENOMEM;
	t->unindexed = 0;
	return 0;
}

/* add_callers(): an edge already present is summed (tuples element-wise,
 * ints added), a new one is appended as is.  *hint is the entry's edge
 * expected next (0: none): dumps of one program list an entry's callers in
 * the same order, so the edge after the one just merged is usually the one
 * wanted, found without a hash lookup.  A caller appears once per entry, so
 * a hint with the same caller is the edge. */
static int table_merge_edge(table *t, size_t ei, const pv_edge *src, uint32_t *hint)
{
	uint32_t id = *hint;
	if (!id || t->edges[id].caller != src->caller)
		id = pv_map_get(&t->edge_of, edge_key(ei, src->caller));
	if (!id) {
		*hint = 0;
		return table_append_edge(t, ei, src, 1);
	}
	pv_edge *d = &t->edges[id];
	*hint = d->next;
	return pv_vals_add(&d->v, &d->wide, &t->wide, &src->v, src->wide, d->is_tuple != 0);
}

enum { AS_IS,
       PLUS_ZERO };

/* add_func_stats(old, incoming) for one entry (src's numbers); `mode` says
 * how a new key is stored: AS_IS (Stats(first), strip_dirs) or PLUS_ZERO
 * (add(): "incoming + (0, 0, 0, 0)", which turns -0.0 into 0.0). */
static int table_add_entry(table *t, const pv_entry *src, int mode, size_t *idx)
{
	long at = table_find(t, src->key);
	if (at < 0) {
		size_t i;
		int rc = table_new_entry(t, src->key, &i);
		if (rc < 0)
			return rc;
		pv_entry *e = &t->entries[i];
		*idx = i;
		if (!src->wide) {
			e->v = src->v;
			if (mode == PLUS_ZERO) {
				e->v.c.tt += 0.0;
				e->v.c.ct += 0.0;
			}
			return 0;
		}
		pv_wide x = *src->v.w;
		if (mode == PLUS_ZERO) {
			x.tt = add(x.tt, pv_num_from_int(0));
			x.ct = add(x.ct, pv_num_from_int(0));
		}
		return pv_vals_set_wide(&e->v, &e->wide, &t->wide, &x);
	}
	pv_entry *e = &t->entries[at];
	*idx = (size_t)at;
	return pv_vals_add(&e->v, &e->wide, &t->wide, &src->v, src->wide, 1);
}

/* ---- stats lifecycle and accessors --------------------------------------- */

int pv_stats_new(pv_stats **out)
{
	pv_stats *st = calloc(1, sizeof(*st));
	if (!st)
		return PV_ENOMEM;
	st->t.total_tt = pv_num_from_int(0);
	*out = st;
	return 0;
}

int pv_stats_new_child(pv_stats **out, pv_stats *parent, pthread_mutex_t *lock)
{
	int rc = pv_stats_new(out);
	if (rc == 0) {
		(*out)->parent = parent;
		(*out)->lock = lock;
	}
	return rc;
}

void pv_stats_free(pv_stats *st)
{
	if (!st)
		return;
	pv_intern_free(st);
	pv_display_free(st);
	table_free(&st->t);
	free(st);
}

size_t pv_stats_nentries(const pv_stats *st)
{
	return st->t.nentries;
}

const pv_entry *pv_stats_entry(const pv_stats *st, size_t i)
{
	return &st->t.entries[i];
}

long pv_stats_find(const pv_stats *st, uint32_t key)
{
	return table_find(&st->t, key);
}

const pv_edge *pv_stats_edge(const pv_stats *st, uint32_t i)
{
	return &st->t.edges[i];
}

pv_int pv_stats_total_calls(const pv_stats *st)
{
	return st->t.total_calls;
}

pv_int pv_stats_prim_calls(const pv_stats *st)
{
	return st->t.prim_calls;
}

pv_num pv_stats_total_tt(const pv_stats *st)
{
	return st->t.total_tt;
}

size_t pv_stats_nprofiles(const pv_stats *st)
{
	return st->t.nprofiles;
}

/* ---- merge --------------------------------------------------------------- */

/* Python raises TypeError when one file has a tuple edge and another an int
 * for the same caller; refuse such a file before anything changes. */
static int check_shapes(const table *t, const pv_profile *p, pv_ctx *ctx)
{
	if (!t->nentries)
		return 0;
	for (size_t i = 0; i < p->n; i++) {
		const pentry *e = &p->entries[i];
		long at = table_find(t, e->key);
		if (at < 0)
			continue;
		for (uint32_t j = e->first_edge; j; j = p->callers[j].next) {
			const pv_edge *c = &p->callers[j];
			uint32_t id = pv_map_get(&t->edge_of, edge_key((size_t)at, c->caller));
			if (id && t->edges[id].is_tuple != c->is_tuple)
				return pv_fail(ctx, PV_ESHAPE, PV_NOOFF,
					       "caller data is %s here but %s in earlier profiles; "
					       "cannot merge (pstats raises TypeError)",
					       c->is_tuple ? "a tuple" : "an int",
					       c->is_tuple ? "an int" : "a tuple");
		}
	}
	return 0;
}

/* pstats' totals: each file's summed from int 0 in dict order, then added
 * to the running totals. */
static void add_totals(table *t, const pv_profile *p)
{
	pv_int calls = 0, prim = 0;
	pv_num tt = pv_num_from_int(0);
	/* Python's sum starts from int 0: the first float makes it a float,
	 * and from there a run of compact entries adds in 64-bit counts and a
	 * double, until a wide entry (added exactly) or a 64-bit overflow (a
	 * new run starts from 0 there) */
	for (size_t i = 0; i < p->n;) {
		const pentry *e = &p->entries[i];
		if (tt.is_int || e->wide) {
			calls += pv_entry_nc(e);
			prim += pv_entry_cc(e);
			tt = add(tt, pv_entry_tt(e));
			i++;
			continue;
		}
		int64_t c64 = 0, p64 = 0, c2, p2;
		double f = tt.f;
		for (; i < p->n; i++) {
			e = &p->entries[i];
			if (e->wide || __builtin_add_overflow(c64, e->v.c.nc, &c2) ||
			    __builtin_add_overflow(p64, e->v.c.cc, &p2))
				break;
			c64 = c2;
			p64 = p2;
			f += e->v.c.tt;
		}
		calls += c64;
		prim += p64;
		tt = pv_num_f(f);
	}
	t->total_calls += calls;
	t->prim_calls += prim;
	t->total_tt = add(t->total_tt, tt);
	t->nprofiles++;
}

/* *d += *s for compact records when no 64-bit count overflows (then 1;
 * else 0, d unchanged): pv_vals_add's first step, for the loop below. */
static inline int add_compact(pv_vals *d, const pv_vals *s)
{
	int64_t cc, nc;
	if (__builtin_add_overflow(d->c.nc, s->c.nc, &nc) |
	    __builtin_add_overflow(d->c.cc, s->c.cc, &cc))
		return 0;
	d->c.nc = nc;
	d->c.cc = cc;
	d->c.tt = s->c.tt + d->c.tt;
	d->c.ct = s->c.ct + d->c.ct;
	return 1;
}

/* Stats(first) and Stats.add(): entries summed field-wise, new ones
 * appended in dict order.  An entry already present and an edge found at
 * its hint, compact on both sides, are summed here; anything else goes
 * through table_add_entry / table_merge_edge. */
static int merge_into(table *t, const pv_profile *p, int mode)
{
	int fresh = t->nentries == 0; /* every edge new: no lookups */
	const pv_edge *pc = p->callers;
	for (const pentry *e = p->entries, *end = e + p->n; e < end; e++) {
		size_t ei;
		int rc;
		uint32_t k = e->key, at1;
		pv_entry *te;
		if (k < t->capeok && (at1 = t->entry_of_key[k]) != 0 &&
		    !((te = &t->entries[at1 - 1])->wide | e->wide) && add_compact(&te->v, &e->v))
			ei = at1 - 1;
		else if ((rc = table_add_entry(t, e, mode, &ei)) < 0)
			return rc;
		if (!e->first_edge)
			continue;
		if (fresh) {
			for (uint32_t j = e->first_edge; j; j = pc[j].next)
				if ((rc = table_append_edge(t, ei, &pc[j], 0)) < 0)
					return rc;
			continue;
		}
		uint32_t hint = t->entries[ei].first_edge;
		for (uint32_t j = e->first_edge; j; j = pc[j].next) {
			const pv_edge *s = &pc[j];
			if (hint) {
				pv_edge *d = &t->edges[hint];
				if (d->caller == s->caller && !(d->wide | s->wide) && d->is_tuple &&
				    add_compact(&d->v, &s->v)) {
					hint = d->next;
					continue;
				}
			}
			if ((rc = table_merge_edge(t, ei, s, &hint)) < 0)
				return rc;
		}
	}
	add_totals(t, p);
	return 0;
}

/* The first profile into an empty table, as Stats(first) loads it (values
 * as they are, dict order kept): the profile's rows and caller lists are
 * already laid out as the table's, so the table takes them over; the edge
 * index is built if a second profile comes. */
static int table_take(table *t, pv_profile *p)
{
	uint32_t maxkey = 0;
	for (size_t i = 0; i < p->n; i++)
		if (p->entries[i].key > maxkey)
			maxkey = p->entries[i].key;
	if (pv_grow(&t->entry_of_key, &t->capeok, (size_t)maxkey + 1, sizeof(uint32_t)) < 0)
		return PV_ENOMEM;
	memset(t->entry_of_key, 0, t->capeok * sizeof(uint32_t));
	for (size_t i = 0; i < p->n; i++)
		t->entry_of_key[p->entries[i].key] = (uint32_t)i + 1;
	add_totals(t, p);
	pv_big_free(t->entries, t->capentries, sizeof(*t->entries));
	pv_big_free(t->edges, t->capedges, sizeof(*t->edges));
	t->entries = p->entries;
	t->nentries = p->n;
	t->capentries = p->cap;
	t->edges = p->callers;
	t->nedges = p->ncallers;
	t->capedges = p->capcallers;
	t->unindexed = p->ncallers > 1;
	t->shapes |= p->shapes;
	pv_warena_move(&t->wide, &p->wide);
	p->entries = NULL;
	p->n = p->cap = 0;
	p->callers = NULL;
	p->ncallers = p->capcallers = p->room = 0;
	return 0;
}

static int merge(pv_stats *st, pv_profile *p, int take, pv_ctx *ctx);

int pv_stats_merge(pv_stats *st, const pv_profile *p, pv_ctx *ctx)
{
	return merge(st, (pv_profile *)p, 0, ctx); /* not taken: p stays as it is */
}

int pv_stats_merge_take(pv_stats *st, pv_profile *p, pv_ctx *ctx)
{
	return merge(st, p, 1, ctx);
}

static int merge(pv_stats *st, pv_profile *p, int take, pv_ctx *ctx)
{
	table *t = &st->t;
	if (!p->n)
		return pv_fail(ctx, PV_EFORMAT, PV_NOOFF,
			       "no profile data (empty stats dict; pstats refuses it too)");
	if (p->abssum >= ABS_LIMIT || t->abssum > ABS_LIMIT - p->abssum)
		return pv_fail(ctx, PV_ELIMIT, PV_NOOFF,
			       "call counts too large to sum exactly (beyond 2^126)");
	int rc;
	if ((rc = table_index(t)) < 0)
		return pv_fail(ctx, rc, PV_NOOFF, "out of memory while merging");
	/* mixed shapes need both kinds somewhere: only then look edge by edge */
	if ((t->shapes | p->shapes) == (SHAPE_TUPLE | SHAPE_INT) && (rc = check_shapes(t, p, ctx)) < 0)
		return rc;
	if (take && t->nentries == 0 && t->nprofiles == 0)
		rc = table_take(t, p);
	else
		rc = merge_into(t, p, t->nprofiles ? PLUS_ZERO : AS_IS);
	if (rc < 0)
		return pv_fail(ctx, rc, PV_NOOFF, "out of memory while merging");
	t->abssum += p->abssum;
	t->shapes |= p->shapes; /* a profile read without its edges told its shapes */
	return 0;
}

/* ---- strip_dirs ---------------------------------------------------------- */

int pv_stats_strip_key(pv_stats *st, uint32_t key, uint32_t *out)
{
	const pv_key k = st->keys[key];
	size_t len;
	const char *f = pv_stats_str(st, k.file, &len);
	const char *slash = NULL;
	for (size_t i = len; i > 0; i--)
		if (f[i - 1] == '/') {
			slash = f + i - 1;
			break;
		}
	if (!slash) {
		*out = key;
		return 0;
	}
	uint32_t file;
	int rc = pv_stats_intern_str(st, slash + 1, len - (size_t)(slash + 1 - f), &file);
	if (rc < 0)
		return rc;
	return pv_stats_intern_key(st, file, k.line, k.name, out);
}

int pv_stats_callers_matter(const pv_stats *st)
{
	return st->t.shapes == (SHAPE_TUPLE | SHAPE_INT) ||
	       pv_stats_lookup_key(st, "jprofile", 8, 0, "profiler", 8) >= 0;
}

/* Build the stripped table entry by entry, in dict order.  Callers within
 * one entry go through a pv_profile (a dict: a colliding caller overwrites),
 * then the entry is added with add_func_stats (colliding entries sum). */
int pv_stats_strip_dirs(pv_stats *st, pv_ctx *ctx)
{
	table nt = {0};
	pv_profile *scratch = NULL;
	int rc = pv_profile_new(&scratch);
	nt.total_tt = pv_num_from_int(0);
	if (rc < 0)
		goto out;
	table *t = &st->t;
	for (size_t i = 0; i < t->nentries; i++) {
		const pv_entry *e = &t->entries[i];
		uint32_t nk;
		if ((rc = pv_stats_strip_key(st, e->key, &nk)) < 0)
			goto out;
		pv_profile_reset(scratch);
		if ((rc = pv_profile_begin_entry(scratch, nk, pv_entry_cc(e), pv_entry_nc(e),
						 pv_entry_tt(e), pv_entry_ct(e))) < 0)
			goto out;
		for (uint32_t id = e->first_edge; id; id = t->edges[id].next) {
			pv_caller c = pv_edge_caller(&t->edges[id]);
			if ((rc = pv_stats_strip_key(st, c.caller, &c.caller)) < 0 ||
			    (rc = pv_profile_add_caller(scratch, &c)) < 0)
				goto out;
		}
		const pentry *pe = &scratch->entries[0];
		long had = table_find(&nt, nk);
		if (had >= 0 && (rc = check_shapes(&nt, scratch, ctx)) < 0)
			goto out;
		size_t ei;
		if ((rc = table_add_entry(&nt, pe, AS_IS, &ei)) < 0)
			goto out;
		uint32_t hint = nt.entries[ei].first_edge;
		for (uint32_t j = pe->first_edge; j; j = scratch->callers[j].next)
			if ((rc = table_merge_edge(&nt, ei, &scratch->callers[j], &hint)) < 0)
				goto out;
	}
	nt.total_calls = t->total_calls;
	nt.prim_calls = t->prim_calls;
	nt.total_tt = t->total_tt;
	nt.nprofiles = t->nprofiles;
	nt.abssum = t->abssum;
	table_free(t);
	*t = nt;
	memset(&nt, 0, sizeof(nt));
out:
	if (rc == PV_ENOMEM)
		pv_fail(ctx, rc, PV_NOOFF, "out of memory");
	table_free(&nt);
	pv_profile_free(scratch);
	return rc;
}
