/*
 * vals.c - the numbers of entries and edges: compact (64-bit counts, float
 * times: 32 bytes, what every cProfile dump holds) or, when they do not fit
 * (a count beyond 64 bits, a time that is a Python int), a pv_wide kept in
 * an arena of the record's owner.  The sums follow Python's int and float
 * rules either way, so every total is bit for bit pstats' own.
 */
#include <stdlib.h>

#include "stats_impl.h"

#define WBLOCK 64

struct wblock {
	struct wblock *next;
	size_t n;
	pv_wide v[WBLOCK];
};

pv_wide *pv_warena_new(warena *a)
{
	struct wblock *b = a->head;
	if (!b || b->n == WBLOCK) {
		if (!(b = malloc(sizeof(*b))))
			return NULL;
		b->next = a->head;
		b->n = 0;
		a->head = b;
	}
	return &b->v[b->n++];
}

void pv_warena_free(warena *a)
{
	for (struct wblock *b = a->head, *next; b; b = next) {
		next = b->next;
		free(b);
	}
	a->head = NULL;
}

void pv_warena_move(warena *to, warena *from)
{
	struct wblock *b = from->head;
	if (!b)
		return;
	while (b->next)
		b = b->next;
	b->next = to->head;
	to->head = from->head;
	from->head = NULL;
}

int pv_vals_set_wide(pv_vals *v, uint32_t *wide, warena *a, const pv_wide *x)
{
	if (!x->tt.is_int && !x->ct.is_int && pv_fits64(x->cc) && pv_fits64(x->nc))
		return pv_vals_set(v, wide, a, &x->cc, &x->nc, &x->tt, &x->ct);
	pv_wide *w = *wide ? v->w : pv_warena_new(a);
	if (!w)
		return PV_ENOMEM;
	*w = *x;
	v->w = w;
	*wide = 1;
	return 0;
}

PV_NOINLINE int pv_vals_set_slow(pv_vals *v, uint32_t *wide, warena *a, const pv_int *cc,
				 const pv_int *nc, const pv_num *tt, const pv_num *ct)
{
	pv_wide x = {*cc, *nc, *tt, *ct};
	return pv_vals_set_wide(v, wide, a, &x);
}

int pv_vals_add_slow(pv_vals *d, uint32_t *dwide, warena *a, const pv_vals *s, uint32_t swide,
		     int all)
{
	pv_wide x = pv_vals_get(d, *dwide), y = pv_vals_get(s, swide);
	x.nc += y.nc;
	if (all) {
		x.cc += y.cc;
		x.tt = pv_num_sum(y.tt, x.tt);
		x.ct = pv_num_sum(y.ct, x.ct);
	}
	return pv_vals_set_wide(d, dwide, a, &x);
}
