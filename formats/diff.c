/*
 * diff.c - --diff as text, from the per-endpoint diff (lib/diffep.c):
 *
 *   Comparing 306 profiles (after/) with 306 base profiles (before/).
 *   Per request; times in ms; functions sorted by the absolute change in internal time.
 *   A verdict needs a change of 5.0% and 0.010 ms or more and p < 0.05 (Mann-Whitney U,
 *   Holm-corrected over 9 endpoints and 1,204 functions).
 *   Overall (mix-adjusted): 0.663 ms -> 0.665 ms per request, +0.002 ms (+0.3%).
 *   Unadjusted: 0.663 ms -> 1.510 ms per request, +0.847 ms (+127.8%); traffic mix: +127.4%.
 *
 *   endpoint  base n  n  base p50  p50  change%  base p95  p95  change%  base mean  mean  change%  verdict  p
 *
 *   GET /api/search: slower, p50 0.812 -> 3.911 ms (+381.7%), p = 1.2e-08
 *     base calls  calls  base tottime  tottime  change  change%  base cumtime  cumtime  verdict  p  function
 *
 * Every header is right-aligned over its column and no wider than it, so
 * labels never run together.  Changed endpoints come first; within each,
 * the first --limit functions (without it: every function of a single
 * group, else the first five and every changed one).
 */
#include <math.h>
#include <string.h>

#include "modes.h"

static const char *const order_text[] = {
	"the absolute change in internal time",
	"the change in internal time (increase first)",
	"the relative change in internal time",
	"internal time in the base",
	"internal time now",
	"function name",
};

#define W 12 /* every number column of the function tables */
#define E 10 /* every number column of the endpoint table */

static void cell(FILE *fp, int w, int present, double v, int sign)
{
	if (!present)
		fprintf(fp, "  %*s", w, "-");
	else
		fprintf(fp, sign ? "  %+*.3f" : "  %*.3f", w, v);
}

static void pct_text(char *b, size_t cap, double rel)
{
	if (isfinite(rel))
		snprintf(b, cap, "%+.1f%%", rel * 100);
	else if (rel != rel)
		snprintf(b, cap, "-");
	else
		snprintf(b, cap, rel > 0 ? "+inf%%" : "-inf%%");
}

static double rel(double now, double before)
{
	double d = now - before;
	return before != 0 ? d / fabs(before) : d > 0 ? INFINITY
					: d < 0       ? -INFINITY
						      : 0;
}

static void pcell(FILE *fp, int present, double now, double before)
{
	char b[32] = "-";
	if (present)
		pct_text(b, sizeof(b), rel(now, before));
	fprintf(fp, "  %9s", b);
}

static void p_text(char *b, size_t cap, double p)
{
	if (p == p)
		snprintf(b, cap, "%.2g", p);
	else
		snprintf(b, cap, "-");
}

/* Columns a name takes (control characters as \xNN). */
static size_t text_width(const char *s)
{
	size_t n = strlen(s), w = pv_utf8_len(s, n);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			w += 3;
	return w;
}

static void endpoint_table(FILE *fp, const pv_epdiff *d, double k)
{
	size_t w = 8;
	for (size_t i = 0; i < d->n; i++) {
		size_t l = text_width(d->rows[i].endpoint);
		if (l > w)
			w = l;
	}
	fprintf(fp, "%-*s  %7s  %7s  %*s  %*s  %9s  %*s  %*s  %9s  %*s  %*s  %9s  %-9s  %s\n", (int)w,
		"endpoint", "base n", "n", E, "base p50", E, "p50", "change%", E, "base p95", E, "p95",
		"change%", E, "base mean", E, "mean", "change%", "verdict", "p");
	for (size_t i = 0; i < d->n; i++) {
		const pv_eprow *r = &d->rows[i];
		pv_text_str(fp, r->endpoint, strlen(r->endpoint));
		for (size_t pad = text_width(r->endpoint); pad < w; pad++)
			putc(' ', fp);
		int b = r->nb > 0, c = r->nc > 0;
		fprintf(fp, "  %7zu  %7zu", r->nb, r->nc);
		cell(fp, E, b, r->p50_b * k, 0);
		cell(fp, E, c, r->p50_c * k, 0);
		pcell(fp, b && c, r->p50_c, r->p50_b);
		cell(fp, E, b, r->p95_b * k, 0);
		cell(fp, E, c, r->p95_c * k, 0);
		pcell(fp, b && c, r->p95_c, r->p95_b);
		cell(fp, E, b, r->mean_b * k, 0);
		cell(fp, E, c, r->mean_c * k, 0);
		pcell(fp, b && c, r->mean_c, r->mean_b);
		char p[32];
		p_text(p, sizeof(p), r->p);
		fprintf(fp, "  %-9s  %s\n", pv_verdict_names[r->verdict], p);
	}
}

static int functions(FILE *fp, const pv_eprow *r, const pv_epdiff *d, double k, pv_ctx *ctx)
{
	fprintf(fp, "  %*s  %*s  %*s  %*s  %*s  %9s  %*s  %*s  %-9s  %7s  %s\n", W, "base calls", W,
		"calls", W, "base tottime", W, "tottime", W, "change", "change%", W, "base cumtime",
		W, "cumtime", "verdict", "p", "function");
	size_t hidden = 0;
	for (size_t i = 0; i < r->nfn; i++) {
		const pv_epfunc *f = &r->fn[i];
		if (i >= r->shown && (d->limited || f->verdict == PV_V_UNCHANGED)) {
			hidden++;
			continue;
		}
		cell(fp, W, f->in_base, f->calls_b, 0);
		cell(fp, W, f->in_cur, f->calls_c, 0);
		cell(fp, W, f->in_base, f->tt_b * k, 0);
		cell(fp, W, f->in_cur, f->tt_c * k, 0);
		cell(fp, W, 1, f->change * k, 1);
		char b[32];
		pct_text(b, sizeof(b), f->relative);
		fprintf(fp, "  %9s", b);
		cell(fp, W, f->in_base, f->ct_b * k, 0);
		cell(fp, W, f->in_cur, f->ct_c * k, 0);
		p_text(b, sizeof(b), f->p);
		fprintf(fp, "  %-9s  %7s  ", pv_verdict_names[f->verdict], b);
		size_t len;
		const char *name = pv_stats_display(f->from, f->key, &len);
		if (!name)
			return pv_fail(ctx, PV_ENOMEM, PV_NOOFF, "out of memory writing the diff");
		pv_text_str(fp, name, len);
		putc('\n', fp);
	}
	if (hidden)
		fprintf(fp, "  (%zu more function%s; --limit shows more)\n", hidden,
			hidden == 1 ? "" : "s");
	return 0;
}

int pv_diff_text(FILE *fp, const pv_views *vs, pv_write_opts *o, pv_ctx *ctx)
{
	const pv_epdiff *d = vs->epdiff;
	const char *wb = o->base_summary ? o->base_summary : "base";
	const char *wc = o->summary ? o->summary : "current";
	double max = fabs(d->mean_b) > fabs(d->mean_c) ? fabs(d->mean_b) : fabs(d->mean_c);
	const char *u;
	double k = pv_unit_scale(o->unit, "ms", max, &u);
	char pc[32], floor[32];
	fprintf(fp, "Comparing %zu profile%s (%s) with %zu base profile%s (%s).\n", d->nc,
		d->nc == 1 ? "" : "s", wc, d->nb, d->nb == 1 ? "" : "s", wb);
	fprintf(fp, "Per request (overall: the endpoints' medians weighted by traffic); times in %s;\n"
		    "functions sorted by %s.\n",
		u,
		order_text[vs->diff->sort >= 0 && vs->diff->sort <= PV_DS_NAME ? vs->diff->sort : 0]);
	pv_int_format(pc, (pv_int)d->m_functions);
	snprintf(floor, sizeof(floor), "%g", d->floor * k);
	fprintf(fp,
		"A verdict needs a change of %.1f%% and %s %s or more, and p < %.2g (Mann-Whitney U,\n"
		"Holm-corrected over %zu endpoint%s and %s function%s together).\n",
		d->threshold * 100, floor, u, d->alpha, d->m_endpoints, d->m_endpoints == 1 ? "" : "s",
		pc, d->m_functions == 1 ? "" : "s");
	if (d->adjusted == d->adjusted) {
		pct_text(pc, sizeof(pc), d->adjusted);
		fprintf(fp, "Overall (mix-adjusted): %.3f %s -> %.3f %s per request, %+.3f %s (%s).\n",
			d->adj_b * k, u, d->adj_c * k, u, (d->adj_c - d->adj_b) * k, u, pc);
	} else {
		fputs("Overall (mix-adjusted): no endpoint in both sets.\n", fp);
	}
	pct_text(pc, sizeof(pc), d->unadjusted);
	fprintf(fp, "Unadjusted: %.3f %s -> %.3f %s per request, %+.3f %s (%s)", d->typ_b * k, u,
		d->typ_c * k, u, (d->typ_c - d->typ_b) * k, u, pc);
	if (d->mix == d->mix) {
		pct_text(pc, sizeof(pc), d->mix);
		fprintf(fp, "; traffic mix alone: %s", pc);
	}
	fputs(".\n\n", fp);
	endpoint_table(fp, d, k);
	for (size_t i = 0; i < d->n; i++) {
		const pv_eprow *r = &d->rows[i];
		putc('\n', fp);
		pv_text_str(fp, r->endpoint, strlen(r->endpoint));
		fprintf(fp, ": %s", pv_verdict_names[r->verdict]);
		if (r->nb && r->nc) {
			pct_text(pc, sizeof(pc), rel(r->p50_c, r->p50_b));
			fprintf(fp, ", p50 %.3f -> %.3f %s (%s)", r->p50_b * k, r->p50_c * k, u, pc);
			p_text(pc, sizeof(pc), r->p);
			fprintf(fp, ", p = %s", pc);
		}
		fprintf(fp, "; %zu function%s changed\n", r->nchanged, r->nchanged == 1 ? "" : "s");
		if (functions(fp, r, d, k, ctx) < 0)
			return -1;
	}
	return 0;
}
