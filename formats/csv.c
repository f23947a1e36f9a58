/*
 * csv.c - the CSV writer (RFC 4180: a header line, comma-separated fields,
 * quoted where they hold a comma, quote or line break; lines end in \n).
 * Times are seconds (the header says so), in the shortest form that reads
 * back to the same double; NaN and infinities as nan, inf, -inf.
 *
 * stats:    ncalls,pcalls,tottime_s,tottime_percall_s,cumtime_s,cumtime_percall_s,
 *           file,line,name,function,id          (pstats' columns, then the full key)
 * requests: endpoint,profiles,total_s,mean_s,p50_s,p95_s,max_s,calls,collided_seconds,
 *           top_function,top_id
 * diff:     endpoint,row,verdict,p,base_requests,requests,base_p50_s,p50_s,
 *           base_p95_s,p95_s,base_mean_s,mean_s,base_calls,calls,base_tottime_s,
 *           tottime_s,change_s,relative,base_cumtime_s,cumtime_s,file,line,name,
 *           function,id     (row: "endpoint", then its functions: "function")
 *
 * Rows in the order of the text table.  File names as --short-paths and
 * --strip-dirs show them; the id is the JSON writer's stable id.
 */
#include <math.h>
#include <string.h>

#include "modes.h"
#include "out.h"

/* repr's text, nan, inf and -inf included */
static void c_double(pv_out *fp, double x)
{
	out_repr(fp, x);
}

static void c_int(pv_out *fp, pv_int v)
{
	out_int(fp, v);
}

/* ,file,line,name,function,id */
static int c_key(pv_out *fp, pv_stats *st, uint32_t key, pv_ctx *ctx)
{
	const pv_key *k = pv_stats_key(st, key);
	size_t n;
	const char *s = pv_stats_str(st, pv_stats_shown_file(st, k->file), &n);
	out_c(fp, ',');
	pv_csv_str(fp, s, n);
	out_c(fp, ',');
	out_i64(fp, (int64_t)k->line);
	out_c(fp, ',');
	s = pv_stats_str(st, k->name, &n);
	pv_csv_str(fp, s, n);
	out_c(fp, ',');
	s = pv_stats_display(st, key, &n);
	if (!s)
		return pv_fail(ctx, PV_ENOMEM, PV_NOOFF, "out of memory writing CSV");
	pv_csv_str(fp, s, n);
	char id[17];
	pv_func_id(id, st, key);
	out_c(fp, ',');
	out_put(fp, id, 16);
	return 0;
}

static double per_call(pv_num t, pv_int calls)
{
	return calls ? pv_num_to_double(t) / (double)calls : NAN;
}

static int csv_stats(pv_out *fp, const pv_views *vs, pv_ctx *ctx)
{
	pv_stats *st = vs->st;
	const pv_view *v = vs->view;
	out_s(fp, "ncalls,pcalls,tottime_s,tottime_percall_s,cumtime_s,cumtime_percall_s,file,line,name,"
		  "function,id\n");
	for (size_t r = 0; r < v->nrows; r++) {
		const pv_entry *e = pv_stats_entry(st, v->rows[r]);
		c_int(fp, pv_entry_nc(e));
		out_c(fp, ',');
		c_int(fp, pv_entry_cc(e));
		out_c(fp, ',');
		c_double(fp, pv_num_to_double(pv_entry_tt(e)));
		out_c(fp, ',');
		c_double(fp, per_call(pv_entry_tt(e), pv_entry_nc(e)));
		out_c(fp, ',');
		c_double(fp, pv_num_to_double(pv_entry_ct(e)));
		out_c(fp, ',');
		c_double(fp, per_call(pv_entry_ct(e), pv_entry_cc(e)));
		if (c_key(fp, st, e->key, ctx) < 0)
			return ctx->code;
		out_c(fp, '\n');
	}
	return 0;
}

static int csv_requests(pv_out *fp, const pv_views *vs, pv_ctx *ctx)
{
	const pv_reqview *v = vs->requests;
	out_s(fp, "endpoint,profiles,total_s,mean_s,p50_s,p95_s,max_s,calls,collided_seconds,"
		  "top_function,top_id\n");
	for (size_t i = 0; i < v->shown; i++) {
		const pv_reqrow *r = &v->rows[i];
		pv_csv_str(fp, r->endpoint, strlen(r->endpoint));
		out_fmt(fp, ",%zu,", r->profiles);
		const double x[] = {r->total, r->mean, r->p50, r->p95, r->max};
		for (size_t k = 0; k < 5; k++) {
			c_double(fp, x[k]);
			out_c(fp, ',');
		}
		c_int(fp, r->calls);
		out_fmt(fp, ",%zu,", r->collided_seconds);
		if (r->ntop) {
			pv_stats *st = pv_groups_stats(v->groups, r->group);
			size_t n;
			const char *d = pv_stats_display(st, r->top[0], &n);
			if (!d)
				return pv_fail(ctx, PV_ENOMEM, PV_NOOFF, "out of memory writing CSV");
			pv_csv_str(fp, d, n);
			char id[17];
			pv_func_id(id, st, r->top[0]);
			out_fmt(fp, ",%s", id);
		} else {
			out_c(fp, ',');
		}
		out_c(fp, '\n');
	}
	return 0;
}

static void c_opt(pv_out *fp, int present, double x)
{
	if (present)
		c_double(fp, x);
	out_c(fp, ',');
}

static void c_p(pv_out *fp, double p)
{
	if (p == p)
		c_double(fp, p);
	out_c(fp, ',');
}

/* One line per endpoint, each followed by its functions (the ones the
 * text shows, by the same rule); empty fields where a figure does not
 * apply or a set lacks the endpoint or function. */
static int csv_diff(pv_out *fp, const pv_views *vs, pv_ctx *ctx)
{
	const pv_epdiff *d = vs->epdiff;
	out_s(fp, "endpoint,row,verdict,p,base_requests,requests,base_p50_s,p50_s,base_p95_s,p95_s,"
		  "base_mean_s,mean_s,base_calls,calls,base_tottime_s,tottime_s,change_s,relative,"
		  "base_cumtime_s,cumtime_s,file,line,name,function,id\n");
	for (size_t i = 0; i < d->n; i++) {
		const pv_eprow *r = &d->rows[i];
		size_t len = strlen(r->endpoint);
		pv_csv_str(fp, r->endpoint, len);
		out_fmt(fp, ",endpoint,%s,", pv_verdict_names[r->verdict]);
		c_p(fp, r->p);
		out_fmt(fp, "%zu,%zu,", r->nb, r->nc);
		c_opt(fp, r->nb, r->p50_b);
		c_opt(fp, r->nc, r->p50_c);
		c_opt(fp, r->nb, r->p95_b);
		c_opt(fp, r->nc, r->p95_c);
		c_opt(fp, r->nb, r->mean_b);
		c_opt(fp, r->nc, r->mean_c);
		out_s(fp, ",,,,,,,,,,,,\n");
		for (size_t j = 0; j < r->nfn; j++) {
			const pv_epfunc *f = &r->fn[j];
			if (j >= r->shown && (d->limited || f->verdict == PV_V_UNCHANGED))
				continue;
			pv_csv_str(fp, r->endpoint, len);
			out_fmt(fp, ",function,%s,", pv_verdict_names[f->verdict]);
			c_p(fp, f->p);
			out_s(fp, ",,,,,,,,");
			c_opt(fp, f->in_base, f->calls_b);
			c_opt(fp, f->in_cur, f->calls_c);
			c_opt(fp, f->in_base, f->tt_b);
			c_opt(fp, f->in_cur, f->tt_c);
			c_opt(fp, 1, f->change);
			c_opt(fp, 1, f->relative);
			c_opt(fp, f->in_base, f->ct_b);
			if (f->in_cur)
				c_double(fp, f->ct_c);
			if (c_key(fp, f->from, f->key, ctx) < 0)
				return ctx->code;
			out_c(fp, '\n');
		}
	}
	return 0;
}

/* The pieces go through formats/out.h's buffer: stdio per piece cost as
 * much as the rest of the export. */
static int csv_write(FILE *file, const pv_views *vs, pv_write_opts *o, pv_ctx *ctx)
{
	(void)o;
	pv_out *fp = out_open(file);
	if (!fp)
		return pv_fail(ctx, PV_ENOMEM, PV_NOOFF, "out of memory writing CSV");
	int rc;
	switch (vs->mode) {
	case PV_MODE_REQUESTS: rc = csv_requests(fp, vs, ctx); break;
	case PV_MODE_DIFF: rc = csv_diff(fp, vs, ctx); break;
	default: rc = csv_stats(fp, vs, ctx);
	}
	if (!rc && fp->failed)
		rc = pv_fail(ctx, PV_ENOMEM, PV_NOOFF, "out of memory writing CSV");
	out_close(fp);
	return rc;
}

const pv_writer pv_writer_csv = {
	.name = "csv",
	.modes = PV_MODE_STATS | PV_MODE_REQUESTS | PV_MODE_DIFF,
	.help = "CSV: the stats table (pstats columns and the full key), the requests or the diff",
	.write = csv_write,
};
