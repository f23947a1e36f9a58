/*
 * reqview.c - the --requests view: one row per endpoint of a pv_groups
 * (pv.h describes the columns).
 */
#define _GNU_SOURCE /* qsort_r */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

const char *const pv_reqview_columns[] = {"endpoint", "profiles", "total", "mean", "p50",
					  "p95", "max", "calls", NULL};

int pv_reqview_sort_parse(const char *spec, int *sort, pv_ctx *ctx)
{
	for (int i = 0; pv_reqview_columns[i]; i++)
		if (!strcmp(spec, pv_reqview_columns[i])) {
			*sort = i;
			return 0;
		}
	return pv_fail(ctx, PV_EARG, PV_NOOFF,
		       "--requests sorts by endpoint, profiles, total, mean, p50, p95, max or calls, "
		       "not '%s'",
		       spec);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

static double pct(const double *v, size_t n, double p)
{
	size_t rank = (size_t)ceil(p / 100.0 * (double)n);
	return v[rank ? rank - 1 : 0];
}

static double row_value(const pv_reqrow *r, int sort)
{
	switch (sort) {
	case PV_RQ_PROFILES: return (double)r->profiles;
	case PV_RQ_MEAN: return r->mean;
	case PV_RQ_P50: return r->p50;
	case PV_RQ_P95: return r->p95;
	case PV_RQ_MAX: return r->max;
	case PV_RQ_CALLS: return (double)r->calls;
	default: return r->total;
	}
}

static int cmp_row(const void *pa, const void *pb, void *arg)
{
	const pv_reqrow *a = pa, *b = pb;
	int sort = *(const int *)arg;
	if (sort != PV_RQ_ENDPOINT) {
		double x = row_value(a, sort), y = row_value(b, sort);
		if (x != y)
			return x > y ? -1 : 1;
	}
	return strcmp(a->endpoint, b->endpoint);
}

/* The endpoint's functions with the most internal time, into r->top. */
static void top_functions(pv_reqrow *r, pv_stats *st)
{
	r->ntop = 0;
	if (!st)
		return;
	for (size_t i = 0; i < pv_stats_nentries(st); i++) {
		const pv_entry *e = pv_stats_entry(st, i);
		double tt = pv_num_to_double(pv_entry_tt(e));
		if (!(tt == tt)) /* NaN never ranks */
			continue;
		size_t at = r->ntop;
		while (at > 0 && tt > r->top_tt[at - 1])
			at--;
		if (at >= PV_REQ_TOP)
			continue;
		size_t n = r->ntop < PV_REQ_TOP ? r->ntop : PV_REQ_TOP - 1;
		memmove(r->top + at + 1, r->top + at, (n - at) * sizeof(*r->top));
		memmove(r->top_tt + at + 1, r->top_tt + at, (n - at) * sizeof(*r->top_tt));
		r->top[at] = e->key;
		r->top_tt[at] = tt;
		if (r->ntop < PV_REQ_TOP)
			r->ntop++;
	}
}

int pv_reqview_build(pv_reqview **out, const pv_groups *g, int sort, size_t limit, pv_ctx *ctx)
{
	size_t n = pv_groups_count(g), most = 0;
	pv_reqview *v = calloc(1, sizeof(*v));
	if (!v || !(v->rows = calloc(n ? n : 1, sizeof(*v->rows))))
		goto oom;
	v->groups = g;
	v->sort = sort;
	v->nrows = n;
	v->shown = n < limit ? n : limit;
	pv_groups_requests(g, PV_GROUPS_ALL, &v->profiles);
	v->unparsed = pv_groups_unparsed(g);
	for (size_t i = 0; i < n; i++) {
		size_t k;
		pv_groups_requests(g, i, &k);
		if (k > most)
			most = k;
	}
	double *d = malloc((most ? most : 1) * sizeof(*d));
	uint64_t *stamp = malloc((most ? most : 1) * sizeof(*stamp));
	if (!d || !stamp) {
		free(d);
		free(stamp);
		goto oom;
	}
	for (size_t i = 0; i < n; i++) {
		size_t k;
		const pv_reqinfo *q = pv_groups_requests(g, i, &k);
		pv_reqrow *r = &v->rows[i];
		r->group = i;
		r->endpoint = pv_groups_name(g, i);
		r->profiles = k;
		size_t ns = 0;
		for (size_t j = 0; j < k; j++) {
			d[j] = q[j].duration;
			r->total += q[j].duration;
			if (q[j].stamp)
				stamp[ns++] = q[j].stamp;
		}
		qsort(d, k, sizeof(*d), cmp_double);
		if (k) {
			r->mean = r->total / (double)k;
			r->p50 = pct(d, k, 50);
			r->p95 = pct(d, k, 95);
			r->max = d[k - 1];
		}
		qsort(stamp, ns, sizeof(*stamp), cmp_u64);
		for (size_t a = 0; a < ns;) {
			size_t b = a + 1;
			while (b < ns && stamp[b] == stamp[a])
				b++;
			r->collided_seconds += b - a > 1;
			a = b;
		}
		pv_stats *st = pv_groups_stats(g, i);
		r->calls = st ? pv_stats_total_calls(st) : 0;
		top_functions(r, st);
		v->parsed += k;
		v->total += r->total;
	}
	free(d);
	free(stamp);
	qsort_r(v->rows, n, sizeof(*v->rows), cmp_row, &sort);
	*out = v;
	return 0;
oom:
	pv_reqview_free(v);
	return pv_fail(ctx, PV_ENOMEM, PV_NOOFF, "out of memory building the requests table");
}

void pv_reqview_free(pv_reqview *v)
{
	if (!v)
		return;
	free(v->rows);
	free(v);
}
