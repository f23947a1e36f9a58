/*
 * diffview.c - the --diff view: what changed between two models, per
 * function and profile (pv.h describes the rows and the sort keys).
 */
#define _GNU_SOURCE /* qsort_r */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

const char *const pv_diffview_keys[] = {"absolute", "change", "relative", "base",
					"current", "name", NULL};

int pv_diffview_sort_parse(const char *spec, int *sort, pv_ctx *ctx)
{
	size_t n = strlen(spec);
	int hit = -1, hits = 0;
	for (int i = 0; n && pv_diffview_keys[i]; i++) {
		if (!strcmp(spec, pv_diffview_keys[i])) {
			*sort = i;
			return 0;
		}
		if (!strncmp(spec, pv_diffview_keys[i], n))
			hit = i, hits++;
	}
	if (hits == 1) {
		*sort = hit;
		return 0;
	}
	return pv_fail(ctx, PV_EARG, PV_NOOFF,
		       "--diff sorts by absolute, change, relative, base, current or name, not '%s'",
		       spec);
}

static double per(pv_num v, size_t n)
{
	double x = pv_num_to_double(v);
	return n ? x / (double)n : 0;
}

static long find_in(pv_stats *other, pv_stats *st, uint32_t key)
{
	const pv_key *k = pv_stats_key(st, key);
	size_t fl, nl;
	const char *f = pv_stats_str(st, k->file, &fl);
	const char *n = pv_stats_str(st, k->name, &nl);
	long id = pv_stats_lookup_key(other, f, fl, k->line, n, nl);
	return id < 0 ? -1 : pv_stats_find(other, (uint32_t)id);
}

/* NaN last in every order */
static int cmp_desc(double x, double y)
{
	int xn = x != x, yn = y != y;
	if (xn || yn)
		return xn - yn;
	return x > y ? -1 : x < y ? 1
				  : 0;
}

int pv_diff_cmp(int sort, const pv_diffkey *a, const pv_diffkey *b)
{
	int c = 0;
	switch (sort) {
	case PV_DS_ABSOLUTE: c = cmp_desc(fabs(a->change), fabs(b->change)); break;
	case PV_DS_CHANGE: c = cmp_desc(a->change, b->change); break;
	case PV_DS_RELATIVE: c = cmp_desc(fabs(a->relative), fabs(b->relative)); break;
	case PV_DS_BASE: c = cmp_desc(a->tt_base, b->tt_base); break;
	case PV_DS_CURRENT: c = cmp_desc(a->tt_cur, b->tt_cur); break;
	default: break;
	}
	if (c)
		return c;
	size_t al, bl;
	const char *as = pv_stats_display(a->from, a->key, &al);
	const char *bs = pv_stats_display(b->from, b->key, &bl);
	if (!as || !bs)
		return 0;
	c = memcmp(as, bs, al < bl ? al : bl);
	return c ? c : (al > bl) - (al < bl);
}

static int cmp_row(const void *pa, const void *pb, void *arg)
{
	const pv_diffrow *a = pa, *b = pb;
	pv_diffkey ka = {a->change, a->relative, a->tt_base, a->tt_cur, a->from, a->key};
	pv_diffkey kb = {b->change, b->relative, b->tt_base, b->tt_cur, b->from, b->key};
	return pv_diff_cmp(*(const int *)arg, &ka, &kb);
}

static void numbers(pv_diffrow *r, size_t nb, size_t nc)
{
	if (r->b) {
		r->calls_base = nb ? (double)pv_entry_nc(r->b) / (double)nb : 0;
		r->tt_base = per(pv_entry_tt(r->b), nb);
		r->ct_base = per(pv_entry_ct(r->b), nb);
	}
	if (r->c) {
		r->calls_cur = nc ? (double)pv_entry_nc(r->c) / (double)nc : 0;
		r->tt_cur = per(pv_entry_tt(r->c), nc);
		r->ct_cur = per(pv_entry_ct(r->c), nc);
	}
	r->change = r->tt_cur - r->tt_base;
	r->relative = r->tt_base != 0 ? r->change / fabs(r->tt_base)
		      : r->change > 0 ? INFINITY
		      : r->change < 0 ? -INFINITY
				      : (r->b ? 0 : NAN);
	if (r->change == 0 && r->b && r->c)
		r->relative = 0;
}

int pv_diffview_build(pv_diffview **out, pv_stats *base, pv_stats *cur, int sort,
		      const pv_select *sel, pv_ctx *ctx)
{
	size_t nb = pv_stats_nprofiles(base), nc = pv_stats_nprofiles(cur);
	size_t cap = pv_stats_nentries(base) + pv_stats_nentries(cur), n = 0;
	pv_diffview *v = calloc(1, sizeof(*v));
	if (!v || !(v->rows = pv_malloc((cap ? cap : 1) * sizeof(*v->rows))))
		goto oom;
	v->base = base;
	v->cur = cur;
	v->sort = sort;
	v->nbase = nb;
	v->ncur = nc;
	v->mean_base = per(pv_stats_total_tt(base), nb);
	v->mean_cur = per(pv_stats_total_tt(cur), nc);
	v->overall = v->mean_base != 0  ? (v->mean_cur - v->mean_base) / fabs(v->mean_base)
		     : v->mean_cur == 0 ? 0
					: INFINITY;
	for (int pass = 0; pass < 2; pass++) {
		pv_stats *st = pass ? base : cur, *other = pass ? cur : base;
		for (size_t i = 0; i < pv_stats_nentries(st); i++) {
			const pv_entry *e = pv_stats_entry(st, i);
			long o = find_in(other, st, e->key);
			if (pass && o >= 0) /* in both: already a row */
				continue;
			size_t len;
			const char *d = pv_stats_display(st, e->key, &len);
			if (!d)
				goto oom;
			int keep = pv_select_keeps(sel, d, len, ctx);
			if (keep < 0) { /* a pattern hit a bound: its message is in ctx */
				pv_diffview_free(v);
				return keep;
			}
			if (!keep)
				continue;
			pv_diffrow *r = &v->rows[n++];
			memset(r, 0, sizeof(*r));
			r->from = st;
			r->key = e->key;
			const pv_entry *oe = o >= 0 ? pv_stats_entry(other, (size_t)o) : NULL;
			r->c = pass ? NULL : e;
			r->b = pass ? e : oe;
			numbers(r, nb, nc);
		}
	}
	v->nrows = n;
	qsort_r(v->rows, n, sizeof(*v->rows), cmp_row, &sort);
	size_t limit = pv_select_limit(sel);
	v->shown = n < limit ? n : limit;
	*out = v;
	return 0;
oom:
	pv_diffview_free(v);
	return pv_fail(ctx, PV_ENOMEM, PV_NOOFF, "out of memory building the diff");
}

void pv_diffview_free(pv_diffview *v)
{
	if (!v)
		return;
	free(v->rows);
	free(v);
}
