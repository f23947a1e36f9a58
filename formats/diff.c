/*
 * diff.c - the --diff table as text, from the diff view (lib/diffview.c):
 *
 *   Comparing 3 profiles (after/) with 3 base profiles (before/).
 *   Means per profile; times in ms; sorted by the absolute change in internal time.
 *   Overall: 12.345 ms -> 13.456 ms per profile, +1.111 ms (+9.0%).
 *
 *    base calls       calls  base tottime     tottime      change   change%  base cumtime     cumtime        function
 *
 * Every header is right-aligned over its column and no wider than it, so
 * labels never run together; a function found in one set only is marked
 * "new" or "gone".
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

#define W 12 /* every number column */

static void cell(FILE *fp, int present, double v, int sign)
{
	if (!present)
		fprintf(fp, "  %*s", W, "-");
	else
		fprintf(fp, sign ? "  %+*.3f" : "  %*.3f", W, v);
}

static void percent(FILE *fp, const pv_diffrow *r)
{
	char b[32];
	if (!r->b)
		snprintf(b, sizeof(b), "new");
	else if (!r->c)
		snprintf(b, sizeof(b), "gone");
	else if (isfinite(r->relative))
		snprintf(b, sizeof(b), "%+.1f%%", r->relative * 100);
	else if (r->relative != r->relative)
		snprintf(b, sizeof(b), "-");
	else
		snprintf(b, sizeof(b), r->relative > 0 ? "+inf%%" : "-inf%%");
	fprintf(fp, "  %*s", 9, b);
}

int pv_diff_text(FILE *fp, const pv_views *vs, pv_write_opts *o, pv_ctx *ctx)
{
	const pv_diffview *v = vs->diff;
	const char *wb = o->base_summary ? o->base_summary : "base";
	const char *wc = o->summary ? o->summary : "current";
	double max = fabs(v->mean_base) > fabs(v->mean_cur) ? fabs(v->mean_base) : fabs(v->mean_cur);
	const char *u;
	double k = pv_unit_scale(o->unit, max, &u);
	fprintf(fp, "Comparing %zu profile%s (%s) with %zu base profile%s (%s).\n", v->ncur,
		v->ncur == 1 ? "" : "s", wc, v->nbase, v->nbase == 1 ? "" : "s", wb);
	fprintf(fp, "Means per profile; calls per profile; times in %s; sorted by %s.\n", u,
		order_text[v->sort >= 0 && v->sort <= PV_DS_NAME ? v->sort : 0]);
	char pc[32];
	if (isfinite(v->overall))
		snprintf(pc, sizeof(pc), "%+.1f%%", v->overall * 100);
	else
		snprintf(pc, sizeof(pc), "new");
	fprintf(fp, "Overall: %.3f %s -> %.3f %s per profile, %+.3f %s (%s).\n\n", v->mean_base * k, u,
		v->mean_cur * k, u, (v->mean_cur - v->mean_base) * k, u, pc);
	fprintf(fp, "  %*s  %*s  %*s  %*s  %*s  %9s  %*s  %*s  %-4s  %s\n", W, "base calls", W, "calls",
		W, "base tottime", W, "tottime", W, "change", "change%", W, "base cumtime", W, "cumtime",
		"", "function");
	for (size_t i = 0; i < v->shown; i++) {
		const pv_diffrow *r = &v->rows[i];
		cell(fp, !!r->b, r->calls_base, 0);
		cell(fp, !!r->c, r->calls_cur, 0);
		cell(fp, !!r->b, r->tt_base * k, 0);
		cell(fp, !!r->c, r->tt_cur * k, 0);
		cell(fp, 1, r->change * k, 1);
		percent(fp, r);
		cell(fp, !!r->b, r->ct_base * k, 0);
		cell(fp, !!r->c, r->ct_cur * k, 0);
		size_t len;
		const char *d = pv_stats_display(r->from, r->key, &len);
		if (!d)
			return pv_fail(ctx, PV_ENOMEM, PV_NOOFF, "out of memory writing the diff");
		fprintf(fp, "  %-4s  ", !r->b ? "new" : !r->c ? "gone"
							      : "");
		pv_text_str(fp, d, len);
		putc('\n', fp);
	}
	if (v->shown < v->nrows)
		fprintf(fp, "(%zu more functions; --limit shows more)\n", v->nrows - v->shown);
	return 0;
}
