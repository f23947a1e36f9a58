/*
 * json.c - the JSON writer, one object per mode; each follows a JSON Schema
 * in doc/schema/ and names it in "schema"; times are seconds ("units").
 * Functions carry a stable "id" (16 hex digits of a hash of the dump's file,
 * line and name: the same in every run and every model) beside their file
 * (shown as --short-paths/--strip-dirs show it), line and name.
 *
 * stats (profview-stats/1), functions in view order:
 *   {"schema", "units", "total_calls", "primitive_calls", "total_time", "profiles",
 *    "functions": [{"id", "file", "line", "name", "ncalls", "pcalls", "tottime",
 *                   "cumtime", "callers": [EDGE], "callees": [EDGE]}]}
 *   EDGE = {"id", "file", "line", "name", "ncalls", "pcalls", "tottime", "cumtime"}
 *   (a caller edge as pstats keeps it; a callee edge is the callee's caller
 *   edge from this function, as print_callees shows it)
 * requests (profview-requests/1) and diff (profview-diff/1): see the schemas.
 *
 * profile-module edges carry only a count: their pcalls, tottime and
 * cumtime are null.  Floats are written in the shortest form that reads back
 * to the same double; NaN and infinities (not JSON) are null.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "modes.h"

static void j_str(FILE *fp, const char *s, size_t n)
{
	putc('"', fp);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			putc('\\', fp);
			putc(c, fp);
		} else if (c < 0x20) {
			switch (c) {
			case '\n': fputs("\\n", fp); break;
			case '\t': fputs("\\t", fp); break;
			case '\r': fputs("\\r", fp); break;
			default: fprintf(fp, "\\u%04x", c);
			}
		} else if (c == 0xed && i + 2 < n && (s[i + 1] & 0xe0) == 0xa0) {
			/* a lone surrogate (Python's surrogatepass): not UTF-8 */
			unsigned cp = 0xd000 | ((unsigned)(s[i + 1] & 0x3f) << 6) | (s[i + 2] & 0x3f);
			fprintf(fp, "\\u%04x", cp);
			i += 2;
		} else {
			putc(c, fp);
		}
	}
	putc('"', fp);
}

static void j_int(FILE *fp, pv_int v)
{
	char b[48];
	pv_int_format(b, v);
	fputs(b, fp);
}

static void j_num(FILE *fp, pv_num v)
{
	if (v.is_int) {
		j_int(fp, v.i);
		return;
	}
	if (!isfinite(v.f)) {
		fputs("null", fp);
		return;
	}
	char b[40];
	pv_double_repr(b, v.f);
	fputs(b, fp);
}

static void j_double(FILE *fp, double x)
{
	if (!isfinite(x)) {
		fputs("null", fp);
		return;
	}
	char b[40];
	pv_double_repr(b, x);
	fputs(b, fp);
}

/* "id": ..., "file": ..., "line": ..., "name": ... */
static void j_key(FILE *fp, pv_stats *st, uint32_t key)
{
	const pv_key *k = pv_stats_key(st, key);
	char id[17];
	pv_func_id(id, st, key);
	fprintf(fp, "\"id\": \"%s\", \"file\": ", id);
	size_t n;
	const char *s = pv_stats_str(st, pv_stats_shown_file(st, k->file), &n);
	j_str(fp, s, n);
	fprintf(fp, ", \"line\": %lld, \"name\": ", (long long)k->line);
	s = pv_stats_str(st, k->name, &n);
	j_str(fp, s, n);
}

static void j_edge(FILE *fp, pv_stats *st, uint32_t key, const pv_edge *c)
{
	putc('{', fp);
	j_key(fp, st, key);
	fputs(", \"ncalls\": ", fp);
	j_int(fp, c->nc);
	if (c->is_tuple) {
		fputs(", \"pcalls\": ", fp);
		j_int(fp, c->cc);
		fputs(", \"tottime\": ", fp);
		j_num(fp, c->tt);
		fputs(", \"cumtime\": ", fp);
		j_num(fp, c->ct);
	} else {
		fputs(", \"pcalls\": null, \"tottime\": null, \"cumtime\": null", fp);
	}
	putc('}', fp);
}

/* Callees: for every key, the edges in which it is the caller, as
 * (callee entry, edge) pairs grouped by caller key (a counting sort). */
struct callees {
	size_t *start; /* per key: first pair, start[key + 1] the end */
	uint32_t *entry, *edge;
};

static int callees_build(struct callees *c, pv_stats *st)
{
	size_t nk = pv_stats_nkeys(st), ne = pv_stats_nentries(st), n = 0;
	c->start = calloc(nk + 2, sizeof(*c->start));
	if (!c->start)
		return PV_ENOMEM;
	for (size_t i = 0; i < ne; i++) {
		const pv_entry *e = pv_stats_entry(st, i);
		for (uint32_t id = e->first_edge; id; id = pv_stats_edge(st, id)->next, n++)
			c->start[pv_stats_edge(st, id)->caller + 2]++;
	}
	c->entry = malloc((n ? n : 1) * sizeof(*c->entry));
	c->edge = malloc((n ? n : 1) * sizeof(*c->edge));
	if (!c->entry || !c->edge)
		return PV_ENOMEM;
	for (size_t k = 2; k < nk + 2; k++)
		c->start[k] += c->start[k - 1];
	for (size_t i = 0; i < ne; i++) {
		const pv_entry *e = pv_stats_entry(st, i);
		for (uint32_t id = e->first_edge; id; id = pv_stats_edge(st, id)->next) {
			size_t at = c->start[pv_stats_edge(st, id)->caller + 1]++;
			c->entry[at] = (uint32_t)i;
			c->edge[at] = id;
		}
	}
	return 0;
}

static void callees_free(struct callees *c)
{
	free(c->start);
	free(c->entry);
	free(c->edge);
}

static int json_stats(FILE *fp, const pv_views *vs, pv_ctx *ctx)
{
	pv_stats *st = vs->st;
	const pv_view *v = vs->view;
	struct callees cl = {0};
	if (callees_build(&cl, st) < 0) {
		callees_free(&cl);
		return pv_fail(ctx, PV_ENOMEM, PV_NOOFF, "out of memory writing JSON");
	}
	fputs("{\"schema\": \"profview-stats/1\", \"units\": {\"time\": \"s\"}, \"total_calls\": ", fp);
	j_int(fp, pv_stats_total_calls(st));
	fputs(", \"primitive_calls\": ", fp);
	j_int(fp, pv_stats_prim_calls(st));
	fputs(", \"total_time\": ", fp);
	j_num(fp, pv_stats_total_tt(st));
	fprintf(fp, ", \"profiles\": %zu, \"functions\": [", pv_stats_nprofiles(st));
	for (size_t r = 0; r < v->nrows; r++) {
		const pv_entry *e = pv_stats_entry(st, v->rows[r]);
		fputs(r ? ",\n  {" : "\n  {", fp);
		j_key(fp, st, e->key);
		fputs(", \"ncalls\": ", fp);
		j_int(fp, e->nc);
		fputs(", \"pcalls\": ", fp);
		j_int(fp, e->cc);
		fputs(", \"tottime\": ", fp);
		j_num(fp, e->tt);
		fputs(", \"cumtime\": ", fp);
		j_num(fp, e->ct);
		fputs(", \"callers\": [", fp);
		for (uint32_t id = e->first_edge; id; id = pv_stats_edge(st, id)->next) {
			const pv_edge *c = pv_stats_edge(st, id);
			if (id != e->first_edge)
				fputs(", ", fp);
			j_edge(fp, st, c->caller, c);
		}
		fputs("], \"callees\": [", fp);
		for (size_t i = cl.start[e->key]; i < cl.start[e->key + 1]; i++) {
			if (i != cl.start[e->key])
				fputs(", ", fp);
			j_edge(fp, st, pv_stats_entry(st, cl.entry[i])->key, pv_stats_edge(st, cl.edge[i]));
		}
		fputs("]}", fp);
	}
	fputs(v->nrows ? "\n]}\n" : "]}\n", fp);
	callees_free(&cl);
	return 0;
}

static void j_cstr(FILE *fp, const char *s)
{
	j_str(fp, s, s ? strlen(s) : 0);
}

static int json_requests(FILE *fp, const pv_views *vs, pv_write_opts *o)
{
	const pv_reqview *v = vs->requests;
	fputs("{\"schema\": \"profview-requests/1\", \"units\": {\"time\": \"s\"}, \"source\": ", fp);
	j_cstr(fp, o->summary ? o->summary : "");
	fprintf(fp, ", \"sort\": \"%s\", \"profiles\": %zu, \"parsed\": %zu, \"unparsed\": %zu, "
		    "\"total_time\": ",
		pv_reqview_columns[v->sort], v->profiles, v->parsed, v->unparsed);
	j_double(fp, v->total);
	fprintf(fp, ", \"endpoints_total\": %zu, \"endpoints\": [", v->nrows);
	for (size_t i = 0; i < v->shown; i++) {
		const pv_reqrow *r = &v->rows[i];
		fputs(i ? ",\n  {\"endpoint\": " : "\n  {\"endpoint\": ", fp);
		j_cstr(fp, r->endpoint);
		fprintf(fp, ", \"profiles\": %zu, \"total_time\": ", r->profiles);
		j_double(fp, r->total);
		fputs(", \"mean\": ", fp);
		j_double(fp, r->mean);
		fputs(", \"p50\": ", fp);
		j_double(fp, r->p50);
		fputs(", \"p95\": ", fp);
		j_double(fp, r->p95);
		fputs(", \"max\": ", fp);
		j_double(fp, r->max);
		fputs(", \"calls\": ", fp);
		j_int(fp, r->calls);
		fprintf(fp, ", \"collided_seconds\": %zu, \"top\": [", r->collided_seconds);
		pv_stats *st = pv_groups_stats(v->groups, r->group);
		for (size_t k = 0; k < r->ntop; k++) {
			fputs(k ? ", {" : "{", fp);
			j_key(fp, st, r->top[k]);
			fputs(", \"tottime\": ", fp);
			j_double(fp, r->top_tt[k]);
			putc('}', fp);
		}
		fputs("]}", fp);
	}
	fputs(v->shown ? "\n]}\n" : "]}\n", fp);
	return 0;
}

static void j_side(FILE *fp, const pv_entry *e, double calls, double tt, double ct)
{
	if (!e) {
		fputs("null", fp);
		return;
	}
	fputs("{\"calls\": ", fp);
	j_double(fp, calls);
	fputs(", \"tottime\": ", fp);
	j_double(fp, tt);
	fputs(", \"cumtime\": ", fp);
	j_double(fp, ct);
	putc('}', fp);
}

static void j_req(FILE *fp, size_t n, double p50, double p95, double mean)
{
	if (!n) {
		fputs("null", fp);
		return;
	}
	fprintf(fp, "{\"requests\": %zu, \"p50\": ", n);
	j_double(fp, p50);
	fputs(", \"p95\": ", fp);
	j_double(fp, p95);
	fputs(", \"mean\": ", fp);
	j_double(fp, mean);
	putc('}', fp);
}

static void j_fside(FILE *fp, int in, double calls, double tt, double ct)
{
	if (!in) {
		fputs("null", fp);
		return;
	}
	fputs("{\"calls\": ", fp);
	j_double(fp, calls);
	fputs(", \"tottime\": ", fp);
	j_double(fp, tt);
	fputs(", \"cumtime\": ", fp);
	j_double(fp, ct);
	putc('}', fp);
}

/* The per-endpoint part of the diff: the overall figures, the test and
 * "endpoints": [...] (the functions the text shows, by the same rule). */
static void json_endpoints(FILE *fp, const pv_epdiff *d)
{
	fputs("\"overall\": {\"change\": ", fp);
	j_double(fp, d->adj_c - d->adj_b);
	fputs(", \"relative\": ", fp);
	j_double(fp, d->adjusted);
	fputs(", \"base_time\": ", fp);
	j_double(fp, d->adj_b);
	fputs(", \"current_time\": ", fp);
	j_double(fp, d->adj_c);
	fputs(", \"unadjusted\": {\"change\": ", fp);
	j_double(fp, d->typ_c - d->typ_b);
	fputs(", \"relative\": ", fp);
	j_double(fp, d->unadjusted);
	fputs(", \"base_time\": ", fp);
	j_double(fp, d->typ_b);
	fputs(", \"current_time\": ", fp);
	j_double(fp, d->typ_c);
	fputs("}, \"mix\": ", fp);
	j_double(fp, d->mix);
	fputs("},\n\"test\": {\"name\": \"mann-whitney-u\", \"correction\": \"holm\", \"alpha\": ", fp);
	j_double(fp, d->alpha);
	fputs(", \"threshold\": ", fp);
	j_double(fp, d->threshold);
	fputs(", \"floor\": ", fp);
	j_double(fp, d->floor);
	fprintf(fp, ", \"endpoints_compared\": %zu, \"functions_compared\": %zu},\n\"endpoints\": [",
		d->m_endpoints, d->m_functions);
	for (size_t i = 0; i < d->n; i++) {
		const pv_eprow *r = &d->rows[i];
		fputs(i ? ",\n  {\"endpoint\": " : "\n  {\"endpoint\": ", fp);
		j_cstr(fp, r->endpoint);
		fprintf(fp, ", \"verdict\": \"%s\", \"base\": ", pv_verdict_names[r->verdict]);
		j_req(fp, r->nb, r->p50_b, r->p95_b, r->mean_b);
		fputs(", \"current\": ", fp);
		j_req(fp, r->nc, r->p50_c, r->p95_c, r->mean_c);
		fputs(", \"shift\": ", fp);
		j_double(fp, r->nb && r->nc ? r->shift : NAN);
		fputs(", \"p\": ", fp);
		j_double(fp, r->p);
		fprintf(fp, ", \"functions_changed\": %zu, \"functions_total\": %zu, \"functions\": [",
			r->nchanged, r->nfn);
		int first = 1;
		for (size_t j = 0; j < r->nfn; j++) {
			const pv_epfunc *f = &r->fn[j];
			if (j >= r->shown && (d->limited || f->verdict == PV_V_UNCHANGED))
				continue;
			fputs(first ? "\n    {" : ",\n    {", fp);
			first = 0;
			j_key(fp, f->from, f->key);
			fprintf(fp, ", \"verdict\": \"%s\", \"base\": ", pv_verdict_names[f->verdict]);
			j_fside(fp, f->in_base, f->calls_b, f->tt_b, f->ct_b);
			fputs(", \"current\": ", fp);
			j_fside(fp, f->in_cur, f->calls_c, f->tt_c, f->ct_c);
			fputs(", \"change\": ", fp);
			j_double(fp, f->change);
			fputs(", \"relative\": ", fp);
			j_double(fp, f->relative);
			fputs(", \"p\": ", fp);
			j_double(fp, f->p);
			putc('}', fp);
		}
		fputs("]}", fp);
	}
	fputs(d->n ? "\n],\n" : "],\n", fp);
}

static int json_diff(FILE *fp, const pv_views *vs, pv_write_opts *o)
{
	const pv_diffview *v = vs->diff;
	fputs("{\"schema\": \"profview-diff/2\", \"units\": {\"time\": \"s\", \"calls\": "
	      "\"per profile\"}, \"sort\": ",
	      fp);
	j_cstr(fp, pv_diffview_keys[v->sort]);
	fputs(", \"base\": {\"source\": ", fp);
	j_cstr(fp, o->base_summary ? o->base_summary : "");
	fprintf(fp, ", \"profiles\": %zu, \"mean_time\": ", v->nbase);
	j_double(fp, v->mean_base);
	fputs("}, \"current\": {\"source\": ", fp);
	j_cstr(fp, o->summary ? o->summary : "");
	fprintf(fp, ", \"profiles\": %zu, \"mean_time\": ", v->ncur);
	j_double(fp, v->mean_cur);
	fputs("},\n", fp);
	json_endpoints(fp, vs->epdiff);
	fprintf(fp, "\"functions_total\": %zu, \"functions\": [", v->nrows);
	for (size_t i = 0; i < v->shown; i++) {
		const pv_diffrow *r = &v->rows[i];
		fputs(i ? ",\n  {" : "\n  {", fp);
		j_key(fp, r->from, r->key);
		fprintf(fp, ", \"status\": \"%s\", \"base\": ", !r->b ? "new" : !r->c ? "gone"
										      : "both");
		j_side(fp, r->b, r->calls_base, r->tt_base, r->ct_base);
		fputs(", \"current\": ", fp);
		j_side(fp, r->c, r->calls_cur, r->tt_cur, r->ct_cur);
		fputs(", \"change\": ", fp);
		j_double(fp, r->change);
		fputs(", \"relative\": ", fp);
		j_double(fp, r->relative);
		putc('}', fp);
	}
	fputs(v->shown ? "\n]}\n" : "]}\n", fp);
	return 0;
}

static int json_write(FILE *fp, const pv_views *vs, pv_write_opts *o, pv_ctx *ctx)
{
	switch (vs->mode) {
	case PV_MODE_REQUESTS: return json_requests(fp, vs, o);
	case PV_MODE_DIFF: return json_diff(fp, vs, o);
	default: return json_stats(fp, vs, ctx);
	}
}

const pv_writer pv_writer_json = {
	.name = "json",
	.modes = PV_MODE_STATS | PV_MODE_REQUESTS | PV_MODE_DIFF,
	.help = "one JSON object (doc/schema/): the stats with callers and callees, "
		"the requests or the diff",
	.write = json_write,
};
