/*
 * diffep.c - the per-endpoint diff: the endpoints of two sample sets
 * (lib/diffsamp.c) matched by name, their request times and their
 * functions' per-request times compared, each with a verdict.
 *
 * A verdict other than "unchanged" needs three things: a change of at
 * least the threshold (relative) and the floor (absolute) - so a
 * negligible change is never reported however certain - and a
 * Holm-corrected p below alpha from the Mann-Whitney U test of the
 * per-request samples - so request-to-request noise is never reported
 * however large.  Every endpoint and every function of every endpoint
 * compared is one test of one family (a report that lists them all makes
 * all those claims at once); a function whose mean change is under the
 * floor is not tested and counts as p = 1.
 *
 * An endpoint's change is the Hodges-Lehmann shift of its request times
 * (the median of the differences between a current and a base request:
 * the shift U tests, robust to the few requests a busy machine slows
 * tenfold, and steadier than the difference of two medians) relative to
 * its base median; a function's, that of its mean internal time per
 * request (a function absent from most requests has a median of 0), in
 * the direction U agrees with.
 *
 * The mix-adjusted overall figure weights each endpoint present in both
 * sets by its share of the current requests: the base's median request
 * time at the current mix against the same plus the endpoints' shifts at
 * the current mix, so a set that only
 * changed which requests it holds shows ~0%.  Medians, as for the
 * verdicts: on a busy machine a few requests in a hundred take ten
 * times as long, which moves a mean by more than a real change would.
 */
#define _GNU_SOURCE /* qsort_r */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diffsamp.h"

const char *const pv_verdict_names[] = {"unchanged", "slower", "faster", "new", "gone", NULL};

struct priv {
	char *all; /* "all" when no name in either set carries a request */
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* werkzeug's names round to whole ms, so request times come from the
 * profiles' totals (pv_reqview uses the same rank rule) */
static double pct(const double *v, size_t n, double p)
{
	size_t rank = (size_t)ceil(p / 100.0 * (double)n);
	return n ? v[rank ? rank - 1 : 0] : 0;
}

static const pv_sgroup *find_group(const pv_samples *s, const char *name)
{
	uint32_t at = pv_map_get(&s->by_name, pv_hash_bytes(name, strlen(name)));
	if (at && !strcmp(s->g[at - 1].name, name))
		return &s->g[at - 1];
	if (at)
		for (size_t i = 0; i < s->n; i++)
			if (!strcmp(s->g[i].name, name))
				return &s->g[i];
	return NULL;
}

static double rel(double now, double before)
{
	double d = now - before;
	if (before != 0)
		return d / fabs(before);
	return d > 0 ? INFINITY : d < 0 ? -INFINITY
					: 0;
}

/* A float's bits as an unsigned integer of the same order (negatives'
 * bits all flipped, positives' sign bit set), and back as a double. */
static uint32_t fkey(float f)
{
	uint32_t u;
	memcpy(&u, &f, sizeof(u));
	return u ^ (u >> 31 ? 0xffffffffu : 0x80000000u);
}

static double fval(uint32_t k)
{
	uint32_t u = k >> 31 ? k ^ 0x80000000u : ~k;
	float f;
	memcpy(&f, &u, sizeof(f));
	return f;
}

/* Scratch of one comparing thread: sort keys and the two sides' sorted
 * samples. */
struct scratch {
	uint32_t *a, *t;
	double *vb, *vc;
};

/* v's n samples into out (doubles), ascending: an LSD radix sort of their
 * keys, a byte a pass (a pass that every key agrees on is skipped: the
 * top byte mostly), insertion for a few.  A function's samples are
 * thousands a side: qsort's comparisons were the most of the diff's time. */
static void sort_samples(const float *v, size_t n, struct scratch *s, double *out)
{
	uint32_t *a = s->a, *t = s->t;
	for (size_t i = 0; i < n; i++)
		a[i] = fkey(v[i]);
	if (n < 64) {
		for (size_t i = 1; i < n; i++) {
			uint32_t x = a[i];
			size_t j = i;
			for (; j && a[j - 1] > x; j--)
				a[j] = a[j - 1];
			a[j] = x;
		}
	} else {
		uint32_t cnt[4][256] = {{0}};
		for (size_t i = 0; i < n; i++)
			for (int b = 0; b < 4; b++)
				cnt[b][a[i] >> (8 * b) & 255]++;
		for (int b = 0; b < 4; b++) {
			uint32_t *c = cnt[b], sum = 0;
			if (c[a[0] >> (8 * b) & 255] == n)
				continue;
			for (int x = 0; x < 256; x++) {
				uint32_t k = c[x];
				c[x] = sum;
				sum += k;
			}
			for (size_t i = 0; i < n; i++)
				t[c[a[i] >> (8 * b) & 255]++] = a[i];
			uint32_t *sw = a;
			a = t;
			t = sw;
		}
	}
	for (size_t i = 0; i < n; i++)
		out[i] = fval(a[i]);
}

static void fill_fn(pv_epfunc *e, const pv_sgroup *gb, long fb, const pv_sgroup *gc, long fc)
{
	if (fb >= 0) {
		const pv_sfunc *f = &gb->fn[fb];
		double n = (double)gb->n;
		e->in_base = 1;
		e->calls_b = f->calls / n;
		e->tt_b = f->tt / n;
		e->ct_b = f->ct / n;
	}
	if (fc >= 0) {
		const pv_sfunc *f = &gc->fn[fc];
		double n = (double)gc->n;
		e->in_cur = 1;
		e->calls_c = f->calls / n;
		e->tt_c = f->tt / n;
		e->ct_c = f->ct / n;
	}
	e->change = e->tt_c - e->tt_b;
	e->relative = fb < 0 && e->change == 0 ? NAN : rel(e->tt_c, e->tt_b);
	e->p = NAN;
}

static int test_fn(pv_epfunc *e, const pv_sgroup *gb, long fb, const pv_sgroup *gc, long fc,
		   struct scratch *s)
{
	size_t nb = 0, nc = 0;
	if (fb >= 0)
		sort_samples(gb->fn[fb].v, nb = gb->fn[fb].nv, s, s->vb);
	if (fc >= 0)
		sort_samples(gc->fn[fc].v, nc = gc->fn[fc].nv, s, s->vc);
	pv_mwu_result r;
	int rc = pv_mwu_sorted(s->vb, nb, gb->n - nb, s->vc, nc, gc->n - nc, &r);
	/* a test that says the other way than the means (one outlier moved
	 * the mean against the bulk of the requests) is no evidence */
	e->p = (r.effect - 0.5) * e->change < 0 ? 1 : r.p;
	return rc;
}

/* One endpoint in both sets: request times and every function. */
static int compare(pv_eprow *row, const pv_sgroup *gb, pv_stats *bst, const pv_sgroup *gc,
		   pv_stats *cst, double floor)
{
	int rc = PV_ENOMEM;
	pv_map fmap = {0};
	unsigned char *matched = NULL;
	/* a function has a sample at most once a request */
	size_t big = (gb->n > gc->n ? gb->n : gc->n) + 1;
	struct scratch s = {malloc(big * sizeof(*s.a)), malloc(big * sizeof(*s.t)),
			    malloc(big * sizeof(*s.vb)), malloc(big * sizeof(*s.vc))};
	if (!s.a || !s.t || !s.vb || !s.vc)
		goto out;
	/* request times, sorted: U, then the percentiles */
	memcpy(s.vb, gb->dur, gb->n * sizeof(*s.vb));
	memcpy(s.vc, gc->dur, gc->n * sizeof(*s.vc));
	qsort(s.vb, gb->n, sizeof(*s.vb), cmp_double);
	qsort(s.vc, gc->n, sizeof(*s.vc), cmp_double);
	pv_mwu_result r;
	if (pv_mwu_sorted(s.vb, gb->n, 0, s.vc, gc->n, 0, &r) < 0)
		goto out;
	row->effect = r.effect;
	row->p = r.p;
	row->p50_b = pct(s.vb, gb->n, 50);
	row->p95_b = pct(s.vb, gb->n, 95);
	row->p50_c = pct(s.vc, gc->n, 50);
	row->p95_c = pct(s.vc, gc->n, 95);
	/* the shift of evenly spaced requests in load order */
	if (pv_hl_shift(gb->dur, gb->n, gc->dur, gc->n, &row->shift) < 0)
		goto out;
	for (size_t i = 0; i < gb->nfn; i++)
		if (pv_map_put(&fmap, gb->fn[i].hash, (uint32_t)i + 1) < 0)
			goto out;
	/* the current set's functions, then those gone */
	if (!(row->fn = calloc(gb->nfn + gc->nfn + 1, sizeof(*row->fn))) ||
	    !(matched = calloc(gb->nfn + 1, 1)))
		goto out;
	for (size_t i = 0; i < gc->nfn; i++) {
		long fb = (long)pv_map_get(&fmap, gc->fn[i].hash) - 1;
		pv_epfunc *e = &row->fn[row->nfn++];
		e->from = cst;
		e->key = gc->fn[i].key;
		if (fb >= 0)
			matched[fb] = 1;
		fill_fn(e, gb, fb, gc, (long)i);
		if (fabs(e->change) >= floor && test_fn(e, gb, fb, gc, (long)i, &s) < 0)
			goto out;
	}
	for (size_t i = 0; i < gb->nfn; i++) {
		if (matched[i])
			continue;
		pv_epfunc *e = &row->fn[row->nfn++];
		e->from = bst;
		e->key = gb->fn[i].key;
		fill_fn(e, gb, (long)i, gc, -1);
		if (fabs(e->change) >= floor && test_fn(e, gb, (long)i, gc, -1, &s) < 0)
			goto out;
	}
	rc = 0;
out:
	free(matched);
	free(s.a);
	free(s.t);
	free(s.vb);
	free(s.vc);
	pv_map_free(&fmap);
	return rc;
}

/* The endpoints in both sets, compared on as many threads as there are
 * cores (PROFVIEW_THREADS): each is a job of its own, biggest first. */
struct job {
	pv_eprow *row;
	const pv_sgroup *gb, *gc;
	size_t weight; /* samples on both sides */
};

struct jobs {
	struct job *v;
	size_t n, next; /* next: taken atomically */
	pv_stats *bst, *cst;
	double floor;
	int failed;
};

static void *run_jobs(void *arg)
{
	struct jobs *J = arg;
	for (;;) {
		size_t k = __atomic_fetch_add(&J->next, 1, __ATOMIC_RELAXED);
		if (k >= J->n || __atomic_load_n(&J->failed, __ATOMIC_RELAXED))
			return NULL;
		struct job *j = &J->v[k];
		if (compare(j->row, j->gb, J->bst, j->gc, J->cst, J->floor) < 0)
			__atomic_store_n(&J->failed, 1, __ATOMIC_RELAXED);
	}
}

static int cmp_job(const void *pa, const void *pb)
{
	const struct job *a = pa, *b = pb;
	return (a->weight < b->weight) - (a->weight > b->weight);
}

static size_t weight(const pv_sgroup *g)
{
	size_t w = g->n;
	for (size_t i = 0; i < g->nfn; i++)
		w += g->fn[i].nv;
	return w;
}

static int compare_all(struct jobs *J, int threads)
{
	long nt = threads > 0 ? threads : sysconf(_SC_NPROCESSORS_ONLN);
	if (nt > 16)
		nt = 16;
	if (nt > (long)J->n)
		nt = (long)J->n;
	if (J->n > 1)
		qsort(J->v, J->n, sizeof(*J->v), cmp_job);
	pthread_t th[16];
	long started = 0;
	for (long i = 1; i < nt; i++, started++)
		if (pthread_create(&th[started], NULL, run_jobs, J) != 0)
			break; /* fewer threads still finish the work */
	run_jobs(J);
	for (long i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	return J->failed ? PV_ENOMEM : 0;
}

/* An endpoint in one set only: its figures on that side. */
static int one_side(pv_eprow *row, const pv_sgroup *g, pv_stats *st, int is_cur)
{
	double *d = malloc((g->n ? g->n : 1) * sizeof(*d));
	if (!d || !(row->fn = calloc(g->nfn + 1, sizeof(*row->fn)))) {
		free(d);
		return PV_ENOMEM;
	}
	memcpy(d, g->dur, g->n * sizeof(*d));
	if (g->n)
		qsort(d, g->n, sizeof(*d), cmp_double);
	*(is_cur ? &row->p50_c : &row->p50_b) = pct(d, g->n, 50);
	*(is_cur ? &row->p95_c : &row->p95_b) = pct(d, g->n, 95);
	free(d);
	row->verdict = is_cur ? PV_V_NEW : PV_V_GONE;
	row->p = NAN;
	for (size_t i = 0; i < g->nfn; i++) {
		pv_epfunc *e = &row->fn[row->nfn++];
		e->from = st;
		e->key = g->fn[i].key;
		if (is_cur)
			fill_fn(e, g, -1, g, (long)i);
		else
			fill_fn(e, g, (long)i, g, -1);
		e->verdict = row->verdict;
	}
	row->nchanged = row->nfn;
	return 0;
}

static double mean(const pv_sgroup *g)
{
	double t = 0;
	for (size_t i = 0; i < g->n; i++)
		t += g->dur[i];
	return g->n ? t / (double)g->n : 0;
}

static int cmp_desc(double x, double y)
{
	int xn = x != x, yn = y != y;
	if (xn || yn)
		return xn - yn;
	return x > y ? -1 : x < y ? 1
				  : 0;
}

/* the same orders as the flat diff's rows (lib/diffview.c) */
static int cmp_fn(const void *pa, const void *pb, void *arg)
{
	const pv_epfunc *a = pa, *b = pb;
	pv_diffkey ka = {a->change, a->relative, a->tt_b, a->tt_c, a->from, a->key};
	pv_diffkey kb = {b->change, b->relative, b->tt_b, b->tt_c, b->from, b->key};
	return pv_diff_cmp(*(const int *)arg, &ka, &kb);
}

/* changed endpoints first: slower, faster, new, gone; then the largest
 * change of the median */
static int cmp_row(const void *pa, const void *pb)
{
	const pv_eprow *a = pa, *b = pb;
	int ka = a->verdict == PV_V_UNCHANGED ? 9 : a->verdict;
	int kb = b->verdict == PV_V_UNCHANGED ? 9 : b->verdict;
	if (ka != kb)
		return ka - kb;
	int c = cmp_desc(fabs(a->p50_c - a->p50_b), fabs(b->p50_c - b->p50_b));
	return c ? c : strcmp(a->endpoint, b->endpoint);
}

static int effect(double now, double before, double threshold, double floor)
{
	return fabs(now - before) >= floor && fabs(rel(now, before)) >= threshold;
}

/* Keep the functions sel keeps (0), or <0 with the message in ctx. */
static int select_fns(pv_eprow *r, const pv_select *sel, pv_ctx *ctx)
{
	size_t k = 0;
	r->nchanged = 0;
	for (size_t j = 0; j < r->nfn; j++) {
		size_t len;
		const char *name = pv_stats_display(r->fn[j].from, r->fn[j].key, &len);
		if (!name)
			return pv_fail(ctx, PV_ENOMEM, PV_NOOFF, "out of memory comparing the endpoints");
		int keep = pv_select_keeps(sel, name, len, ctx);
		if (keep < 0)
			return keep;
		if (keep) {
			r->nchanged += r->fn[j].verdict != PV_V_UNCHANGED;
			r->fn[k++] = r->fn[j];
		}
	}
	r->nfn = k;
	return 0;
}

int pv_epdiff_build(pv_epdiff **out, pv_samples *base, pv_stats *bst, pv_samples *cur,
		    pv_stats *cst, int sort, const pv_select *sel, double threshold, double floor,
		    int threads, pv_ctx *ctx)
{
	pv_epdiff *d = calloc(1, sizeof(*d));
	struct priv *pr = calloc(1, sizeof(*pr));
	double *pf = NULL, *pe = NULL;
	struct jobs J = {.bst = bst, .cst = cst, .floor = floor};
	if (!d || !pr || !(d->rows = calloc(base->n + cur->n + 1, sizeof(*d->rows))) ||
	    !(J.v = calloc(cur->n + 1, sizeof(*J.v)))) {
		free(pr);
		goto oom;
	}
	d->priv = pr;
	d->threshold = threshold;
	d->floor = floor;
	d->alpha = 0.05;
	/* no name in either set carries a request: one group, "all" */
	int unnamed = 1;
	for (size_t i = 0; i < base->n; i++)
		unnamed &= !strcmp(base->g[i].name, PV_SAMPLES_UNNAMED);
	for (size_t i = 0; i < cur->n; i++)
		unnamed &= !strcmp(cur->g[i].name, PV_SAMPLES_UNNAMED);
	if (unnamed && !(pr->all = strdup("all")))
		goto oom;
	double sum_b = 0, sum_c = 0;
	size_t common = 0;
	for (size_t i = 0; i < cur->n; i++) {
		const pv_sgroup *gc = &cur->g[i], *gb = find_group(base, gc->name);
		pv_eprow *row = &d->rows[d->n++];
		row->endpoint = pr->all ? pr->all : gc->name;
		row->nc = gc->n;
		row->mean_c = mean(gc);
		d->nc += gc->n;
		sum_c += row->mean_c * (double)gc->n;
		if (!gb) {
			if (one_side(row, gc, cst, 1) < 0)
				goto oom;
			continue;
		}
		row->nb = gb->n;
		row->mean_b = mean(gb);
		J.v[J.n++] = (struct job){row, gb, gc, weight(gb) + weight(gc)};
	}
	if (compare_all(&J, threads) < 0)
		goto oom;
	for (size_t i = 0; i < J.n; i++)
		d->m_functions += J.v[i].row->nfn;
	common = J.n;
	for (size_t i = 0; i < base->n; i++) {
		const pv_sgroup *gb = &base->g[i];
		d->nb += gb->n;
		sum_b += mean(gb) * (double)gb->n;
		if (find_group(cur, gb->name))
			continue;
		pv_eprow *row = &d->rows[d->n++];
		row->endpoint = pr->all ? pr->all : gb->name;
		row->nb = gb->n;
		row->mean_b = mean(gb);
		if (one_side(row, gb, bst, 0) < 0)
			goto oom;
	}
	d->m_endpoints = common;
	/* Holm over one family: every endpoint and every function compared */
	size_t m = d->m_endpoints + d->m_functions;
	if (!(pf = malloc((m + 1) * sizeof(*pf))) || !(pe = malloc((m + 1) * sizeof(*pe))))
		goto oom;
	size_t k = 0;
	for (size_t i = 0; i < d->n; i++) {
		pv_eprow *r = &d->rows[i];
		if (r->verdict != PV_V_UNCHANGED)
			continue;
		pf[k++] = r->p;
		for (size_t j = 0; j < r->nfn; j++)
			pf[k++] = r->fn[j].p;
	}
	/* untested functions (NAN) count as p = 1 and stay NAN below */
	memcpy(pe, pf, k * sizeof(*pf));
	if (pv_holm(pe, k, k) < 0)
		goto oom;
	k = 0;
	for (size_t i = 0; i < d->n; i++) {
		pv_eprow *r = &d->rows[i];
		if (r->verdict != PV_V_UNCHANGED)
			continue;
		r->p = pe[k++];
		if (r->p < d->alpha && effect(r->p50_b + r->shift, r->p50_b, threshold, floor) &&
		    (r->effect - 0.5) * r->shift > 0)
			r->verdict = r->shift > 0 ? PV_V_SLOWER : PV_V_FASTER;
		for (size_t j = 0; j < r->nfn; j++, k++) {
			pv_epfunc *e = &r->fn[j];
			if (pf[k] != pf[k]) /* not tested */
				continue;
			e->p = pe[k];
			if (!(e->p < d->alpha && effect(e->tt_c, e->tt_b, threshold, floor)))
				continue;
			e->verdict = !e->in_base     ? PV_V_NEW
				     : !e->in_cur    ? PV_V_GONE
				     : e->change > 0 ? PV_V_SLOWER
						     : PV_V_FASTER;
			r->nchanged++;
		}
	}
	size_t limit = pv_select_limit(sel);
	d->limited = limit != (size_t)-1;
	d->one_group = !!pr->all;
	for (size_t i = 0; i < d->n; i++) {
		pv_eprow *r = &d->rows[i];
		int rc = select_fns(r, sel, ctx);
		if (rc < 0) {
			free(J.v);
			free(pe);
			free(pf);
			pv_epdiff_free(d);
			return rc;
		}
		if (r->nfn)
			qsort_r(r->fn, r->nfn, sizeof(*r->fn), cmp_fn, &sort);
		r->shown = limit != (size_t)-1 ? limit : pr->all ? r->nfn
								 : 5;
		if (r->shown > r->nfn)
			r->shown = r->nfn;
	}
	if (d->n)
		qsort(d->rows, d->n, sizeof(*d->rows), cmp_row);
	d->mean_b = d->nb ? sum_b / (double)d->nb : 0;
	d->mean_c = d->nc ? sum_c / (double)d->nc : 0;
	/* the overall figures: medians weighted by traffic (a few requests
	 * slowed by the machine move a mean, not a median) */
	double tb = 0, tc = 0, ab = 0, ac = 0;
	size_t ncommon = 0;
	for (size_t i = 0; i < d->n; i++) {
		const pv_eprow *r = &d->rows[i];
		tb += r->p50_b * (double)r->nb;
		/* an endpoint in both: its base median shifted, as adjusted */
		tc += (r->nb && r->nc ? r->p50_b + r->shift : r->p50_c) * (double)r->nc;
		if (r->nb && r->nc) {
			ab += r->p50_b * (double)r->nc;
			ac += (r->p50_b + r->shift) * (double)r->nc;
			ncommon += r->nc;
		}
	}
	d->typ_b = d->nb ? tb / (double)d->nb : 0;
	d->typ_c = d->nc ? tc / (double)d->nc : 0;
	d->unadjusted = rel(d->typ_c, d->typ_b);
	d->adj_b = ncommon ? ab / (double)ncommon : NAN;
	d->adj_c = ncommon ? ac / (double)ncommon : NAN;
	d->adjusted = ncommon ? rel(d->adj_c, d->adj_b) : NAN;
	d->mix = ncommon ? rel(d->adj_b, d->typ_b) : NAN;
	free(J.v);
	free(pe);
	free(pf);
	*out = d;
	return 0;
oom:
	free(J.v);
	free(pe);
	free(pf);
	pv_epdiff_free(d);
	return pv_fail(ctx, PV_ENOMEM, PV_NOOFF, "out of memory comparing the endpoints");
}

void pv_epdiff_free(pv_epdiff *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++)
		free(d->rows[i].fn);
	free(d->rows);
	if (d->priv)
		free(((struct priv *)d->priv)->all);
	free(d->priv);
	free(d);
}
