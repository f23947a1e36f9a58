/*
 * diff.c - --diff: what changed between two sets of profiles.
 *
 * Per function (matched by file, line and name): calls, internal and
 * cumulative time per profile in each set (the set's sums divided by its
 * number of profiles, so sets of different sizes compare), and the change in
 * internal time.  Rows are sorted by that change, largest increase first;
 * a function found in one set only is marked "new" or "gone".
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/internal.h"

struct drow {
	uint32_t key;        /* in the stats the row's name comes from */
	pv_stats *from;
	const pv_entry *b, *c; /* base and current entries, NULL if absent */
	double delta;
};

static int cmp_drow(const void *pa, const void *pb)
{
	const struct drow *a = pa, *b = pb;
	if (a->delta != b->delta)
		return a->delta > b->delta ? -1 : 1;
	size_t al, bl;
	const char *as = pv_stats_display(a->from, a->key, &al);
	const char *bs = pv_stats_display(b->from, b->key, &bl);
	int c = memcmp(as, bs, al < bl ? al : bl);
	return c ? c : (al > bl) - (al < bl);
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

static void cell(FILE *fp, const pv_entry *e, double v)
{
	if (e)
		fprintf(fp, " %12.3f", v);
	else
		fprintf(fp, " %12s", "-");
}

int pv_diff_write(FILE *fp, pv_stats *base, pv_stats *cur, const pv_select *sel,
		  const char *what_base, const char *what_cur, pv_ctx *ctx)
{
	size_t nb = pv_stats_nprofiles(base), nc = pv_stats_nprofiles(cur);
	size_t cap = pv_stats_nentries(base) + pv_stats_nentries(cur), n = 0;
	struct drow *rows = pv_malloc((cap ? cap : 1) * sizeof(*rows));
	if (!rows)
		return pv_fail(ctx, PV_ENOMEM, PV_NOOFF, "out of memory");
	for (size_t i = 0; i < pv_stats_nentries(cur); i++) {
		const pv_entry *c = pv_stats_entry(cur, i);
		long b = find_in(base, cur, c->key);
		rows[n++] = (struct drow){c->key, cur, b >= 0 ? pv_stats_entry(base, (size_t)b) : NULL,
					  c, 0};
	}
	for (size_t i = 0; i < pv_stats_nentries(base); i++) {
		const pv_entry *b = pv_stats_entry(base, i);
		if (find_in(cur, base, b->key) < 0)
			rows[n++] = (struct drow){b->key, base, b, NULL, 0};
	}
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		struct drow *r = &rows[i];
		size_t len;
		const char *d = pv_stats_display(r->from, r->key, &len);
		int keep = d ? pv_select_keeps(sel, d, len, ctx)
			     : pv_fail(ctx, PV_ENOMEM, PV_NOOFF, "out of memory");
		if (keep < 0) {
			free(rows);
			return keep;
		}
		if (!keep)
			continue;
		double tb = r->b ? per(r->b->tt, nb) : 0, tc = r->c ? per(r->c->tt, nc) : 0;
		r->delta = tc - tb;
		if (isnan(r->delta))
			r->delta = 0;
		rows[k++] = *r;
	}
	qsort(rows, k, sizeof(*rows), cmp_drow);
	size_t limit = pv_select_limit(sel);
	fprintf(fp, "Comparing %zu profile%s (%s) with %zu base profile%s (%s).\n"
		    "Means per profile; times in milliseconds; sorted by the change in internal time.\n\n",
		nc, nc == 1 ? "" : "s", what_cur, nb, nb == 1 ? "" : "s", what_base);
	fprintf(fp, "%12s %12s %12s %12s %12s %12s %12s %12s  %-5s %s\n", "calls base", "calls",
		"tottime base", "tottime", "delta", "cumtime base", "cumtime", "delta", "", "function");
	for (size_t i = 0; i < k && i < limit; i++) {
		const struct drow *r = &rows[i];
		double cb = r->b ? (double)r->b->nc / (double)(nb ? nb : 1) : 0;
		double cc = r->c ? (double)r->c->nc / (double)(nc ? nc : 1) : 0;
		double tb = r->b ? per(r->b->tt, nb) * 1e3 : 0, tc = r->c ? per(r->c->tt, nc) * 1e3 : 0;
		double ub = r->b ? per(r->b->ct, nb) * 1e3 : 0, uc = r->c ? per(r->c->ct, nc) * 1e3 : 0;
		cell(fp, r->b, cb);
		cell(fp, r->c, cc);
		cell(fp, r->b, tb);
		cell(fp, r->c, tc);
		fprintf(fp, " %+12.3f", tc - tb);
		cell(fp, r->b, ub);
		cell(fp, r->c, uc);
		fprintf(fp, " %+12.3f", uc - ub);
		size_t len;
		const char *d = pv_stats_display(r->from, r->key, &len);
		fprintf(fp, "  %-5s %.*s\n", !r->b ? "new" : !r->c ? "gone" : "", (int)len, d);
	}
	if (k > limit)
		fprintf(fp, "(%zu more functions; --limit shows more)\n", k - limit);
	free(rows);
	return 0;
}
