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
#define _GNU_SOURCE /* fopencookie */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jsonw.h"
#include "modes.h"

/* "id": ..., "file": ..., "line": ..., "name": ...; ids[key], when given,
 * is the key's hash (each key is written once per edge it is on). */
static void j_key(pv_out *fp, pv_stats *st, uint32_t key, const uint64_t *ids)
{
	const pv_key *k = pv_stats_key(st, key);
	char id[17];
	pv_hex16(id, ids ? ids[key] : pv_stats_key_hash(st, key));
	out_s(fp, "\"id\": \"");
	out_put(fp, id, 16);
	out_s(fp, "\", \"file\": ");
	size_t n;
	const char *s = pv_stats_str(st, pv_stats_shown_file(st, k->file), &n);
	jw_str(fp, s, n, 0);
	out_s(fp, ", \"line\": ");
	out_i64(fp, (int64_t)k->line);
	out_s(fp, ", \"name\": ");
	s = pv_stats_str(st, k->name, &n);
	jw_str(fp, s, n, 0);
}

/* The stats mode writes each key once for itself and once for every edge
 * it is on (four times a function in a call tree): its text is made once,
 * kept here, and copied after.  At most KEYFRAG_MAX bytes are kept; a key
 * past that, or too long for one buffer, is written afresh each time. */
#define KEYFRAG_MAX ((size_t)64 << 20)

struct keyfrags {
	uint64_t *ids; /* per key: its hash */
	uint32_t *off; /* per key: where its text starts in bytes */
	uint32_t *len; /* per key: its length, 0 = not kept */
	char *bytes;
	size_t n, cap;
	pv_out *tmp; /* where a key's text is made (never flushed) */
	int frozen;  /* read only (rows written on two threads) */
};

/* Make and keep key's text; 0 when it is not kept (too long, or the
 * budget spent). */
static int keyfrag_make(pv_stats *st, uint32_t key, struct keyfrags *kf)
{
	size_t fl, nl;
	const pv_key *k = pv_stats_key(st, key);
	(void)pv_stats_str(st, pv_stats_shown_file(st, k->file), &fl);
	(void)pv_stats_str(st, k->name, &nl);
	size_t bound = 6 * (fl + nl) + 96; /* \u escapes are 6 bytes a byte at most */
	if (bound > PV_OUT_SIZE || kf->n + bound > KEYFRAG_MAX ||
	    pv_big_grow(&kf->bytes, &kf->cap, kf->n + bound, 1) < 0)
		return 0;
	kf->tmp->n = 0;
	j_key(kf->tmp, st, key, kf->ids);
	memcpy(kf->bytes + kf->n, kf->tmp->b, kf->tmp->n);
	kf->off[key] = (uint32_t)kf->n;
	kf->len[key] = (uint32_t)kf->tmp->n;
	kf->n += kf->tmp->n;
	return 1;
}

static void j_key_kept(pv_out *fp, pv_stats *st, uint32_t key, struct keyfrags *kf)
{
	if (kf->len[key] || (!kf->frozen && keyfrag_make(st, key, kf)))
		out_put(fp, kf->bytes + kf->off[key], kf->len[key]);
	else
		j_key(fp, st, key, kf->ids);
}

static void j_edge(pv_out *fp, pv_stats *st, uint32_t key, const pv_edge *c, struct keyfrags *kf)
{
	out_c(fp, '{');
	j_key_kept(fp, st, key, kf);
	out_s(fp, ", \"ncalls\": ");
	jw_int(fp, pv_edge_nc(c));
	if (c->is_tuple) {
		out_s(fp, ", \"pcalls\": ");
		jw_int(fp, pv_edge_cc(c));
		out_s(fp, ", \"tottime\": ");
		jw_num(fp, pv_edge_tt(c));
		out_s(fp, ", \"cumtime\": ");
		jw_num(fp, pv_edge_ct(c));
	} else {
		out_s(fp, ", \"pcalls\": null, \"tottime\": null, \"cumtime\": null");
	}
	out_c(fp, '}');
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

static void keyfrags_free(struct keyfrags *kf)
{
	free(kf->ids);
	free(kf->off);
	free(kf->len);
	pv_big_free(kf->bytes, kf->cap, 1); /* grown in place (mremap), never copied */
	free(kf->tmp);                      /* never flushed: nothing to write */
}

static void callees_free(struct callees *c)
{
	free(c->start);
	free(c->entry);
	free(c->edge);
}

static void json_rows(pv_out *fp, pv_stats *st, const pv_view *v, const struct callees *cl,
		      struct keyfrags *kf, size_t from, size_t to);
static int json_rows_parallel(pv_out *fp, pv_stats *st, const pv_view *v,
			      const struct callees *cl, struct keyfrags *kf);

static int json_stats(pv_out *fp, const pv_views *vs, pv_ctx *ctx)
{
	pv_stats *st = vs->st;
	const pv_view *v = vs->view;
	struct callees cl = {0};
	size_t nk = pv_stats_nkeys(st);
	struct keyfrags kf = {.ids = malloc((nk ? nk : 1) * sizeof(*kf.ids)),
			      .off = malloc((nk ? nk : 1) * sizeof(*kf.off)),
			      .len = calloc(nk ? nk : 1, sizeof(*kf.len)),
			      .tmp = out_open(NULL)};
	if (!kf.ids || !kf.off || !kf.len || !kf.tmp || callees_build(&cl, st) < 0) {
		keyfrags_free(&kf);
		callees_free(&cl);
		return pv_fail(ctx, PV_ENOMEM, PV_NOOFF, "out of memory writing JSON");
	}
	uint64_t *ids = kf.ids;
	for (size_t k = 0; k < nk; k++)
		ids[k] = pv_stats_key_hash(st, (uint32_t)k);
	out_s(fp, "{\"schema\": \"profview-stats/1\", \"units\": {\"time\": \"s\"}, \"total_calls\": ");
	jw_int(fp, pv_stats_total_calls(st));
	out_s(fp, ", \"primitive_calls\": ");
	jw_int(fp, pv_stats_prim_calls(st));
	out_s(fp, ", \"total_time\": ");
	jw_num(fp, pv_stats_total_tt(st));
	out_fmt(fp, ", \"profiles\": %zu, \"functions\": [", pv_stats_nprofiles(st));
	if (!json_rows_parallel(fp, st, v, &cl, &kf))
		json_rows(fp, st, v, &cl, &kf, 0, v->nrows);
	out_s(fp, v->nrows ? "\n]}\n" : "]}\n");
	callees_free(&cl);
	keyfrags_free(&kf);
	return 0;
}

/* Rows [from, to) of the functions array. */
static void json_rows(pv_out *fp, pv_stats *st, const pv_view *v, const struct callees *cl,
		      struct keyfrags *kf, size_t from, size_t to)
{
	for (size_t r = from; r < to; r++) {
		const pv_entry *e = pv_stats_entry(st, v->rows[r]);
		out_s(fp, r ? ",\n  {" : "\n  {");
		j_key_kept(fp, st, e->key, kf);
		out_s(fp, ", \"ncalls\": ");
		jw_int(fp, pv_entry_nc(e));
		out_s(fp, ", \"pcalls\": ");
		jw_int(fp, pv_entry_cc(e));
		out_s(fp, ", \"tottime\": ");
		jw_num(fp, pv_entry_tt(e));
		out_s(fp, ", \"cumtime\": ");
		jw_num(fp, pv_entry_ct(e));
		out_s(fp, ", \"callers\": [");
		size_t items = 0;
		for (uint32_t id = e->first_edge; id; id = pv_stats_edge(st, id)->next) {
			const pv_edge *c = pv_stats_edge(st, id);
			jw_item(fp, &items, ", ");
			j_edge(fp, st, c->caller, c, kf);
		}
		out_s(fp, "], \"callees\": [");
		items = 0;
		for (size_t i = cl->start[e->key]; i < cl->start[e->key + 1]; i++) {
			jw_item(fp, &items, ", ");
			j_edge(fp, st, pv_stats_entry(st, cl->entry[i])->key, pv_stats_edge(st, cl->edge[i]),
			       kf);
		}
		out_s(fp, "]}");
	}
}

/* A large export's rows on two threads: chunks of ROWS_CHUNK rows, the
 * even ones written here, the odd ones made ahead by a helper thread in
 * memory (at most two waiting) and copied in order.  Every key's text is
 * made first, so the threads only read.  0 when it does not apply (one
 * core, PROFVIEW_THREADS=1, few rows, no thread): then json_rows writes
 * them all.  The bytes are the same either way. */
#define ROWS_CHUNK 4096
#define ROWS_PARALLEL (8 * ROWS_CHUNK)

struct rowjob {
	pv_stats *st;
	const pv_view *v;
	const struct callees *cl;
	struct keyfrags *kf;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct rowbuf {
		char *p; /* the chunk's bytes, kept for the next chunk of the slot */
		size_t n, cap;
		int failed; /* no memory for it: the chunk is made here instead */
		int ready;
	} slot[2];
	int stop;
};

/* A helper's pv_out flushes into its slot's buffer. */
static ssize_t rowbuf_write(void *cookie, const char *buf, size_t n)
{
	struct rowbuf *b = cookie;
	if (b->failed || pv_grow(&b->p, &b->cap, b->n + n, 1) < 0) {
		b->failed = 1;
		return (ssize_t)n;
	}
	memcpy(b->p + b->n, buf, n);
	b->n += n;
	return (ssize_t)n;
}

static void *rows_helper(void *arg)
{
	struct rowjob *j = arg;
	size_t nchunks = (j->v->nrows + ROWS_CHUNK - 1) / ROWS_CHUNK;
	for (size_t c = 1; c < nchunks; c += 2) {
		int s = (int)(c / 2 % 2);
		pthread_mutex_lock(&j->mu);
		while (j->slot[s].ready && !j->stop)
			pthread_cond_wait(&j->cv, &j->mu);
		int stop = j->stop;
		pthread_mutex_unlock(&j->mu);
		if (stop)
			break;
		struct rowbuf *b = &j->slot[s];
		b->n = 0;
		b->failed = 0;
		FILE *ms = fopencookie(b, "w", (cookie_io_functions_t){.write = rowbuf_write});
		pv_out *o = ms ? out_open(ms) : NULL;
		if (o) {
			size_t to = c * ROWS_CHUNK + ROWS_CHUNK;
			json_rows(o, j->st, j->v, j->cl, j->kf, c * ROWS_CHUNK,
				  to < j->v->nrows ? to : j->v->nrows);
			out_close(o);
		}
		if (!ms || fclose(ms) != 0 || !o)
			b->failed = 1;
		pthread_mutex_lock(&j->mu);
		b->ready = 1;
		pthread_cond_broadcast(&j->cv);
		pthread_mutex_unlock(&j->mu);
	}
	return NULL;
}

static int json_rows_parallel(pv_out *fp, pv_stats *st, const pv_view *v,
			      const struct callees *cl, struct keyfrags *kf)
{
	const char *env = getenv("PROFVIEW_THREADS");
	if (v->nrows < ROWS_PARALLEL || sysconf(_SC_NPROCESSORS_ONLN) < 2 ||
	    (env && strtol(env, NULL, 10) == 1))
		return 0;
	for (size_t k = 0; k < pv_stats_nkeys(st); k++) /* every key's text, made once */
		if (!kf->len[k])
			(void)keyfrag_make(st, (uint32_t)k, kf);
	kf->frozen = 1;
	struct rowjob j = {.st = st, .v = v, .cl = cl, .kf = kf};
	pthread_mutex_init(&j.mu, NULL);
	pthread_cond_init(&j.cv, NULL);
	pthread_t th;
	if (pthread_create(&th, NULL, rows_helper, &j) != 0) {
		pthread_mutex_destroy(&j.mu);
		pthread_cond_destroy(&j.cv);
		return 0;
	}
	size_t nchunks = (v->nrows + ROWS_CHUNK - 1) / ROWS_CHUNK;
	for (size_t c = 0; c < nchunks; c++) {
		size_t to = c * ROWS_CHUNK + ROWS_CHUNK;
		if (to > v->nrows)
			to = v->nrows;
		if (c % 2 == 0) {
			json_rows(fp, st, v, cl, kf, c * ROWS_CHUNK, to);
			continue;
		}
		int s = (int)(c / 2 % 2);
		pthread_mutex_lock(&j.mu);
		while (!j.slot[s].ready)
			pthread_cond_wait(&j.cv, &j.mu);
		pthread_mutex_unlock(&j.mu);
		if (!j.slot[s].failed)
			out_put(fp, j.slot[s].p, j.slot[s].n);
		else /* the helper had no memory for it */
			json_rows(fp, st, v, cl, kf, c * ROWS_CHUNK, to);
		pthread_mutex_lock(&j.mu);
		j.slot[s].ready = 0;
		pthread_cond_broadcast(&j.cv);
		pthread_mutex_unlock(&j.mu);
	}
	pthread_mutex_lock(&j.mu);
	j.stop = 1;
	pthread_cond_broadcast(&j.cv);
	pthread_mutex_unlock(&j.mu);
	pthread_join(th, NULL);
	free(j.slot[0].p);
	free(j.slot[1].p);
	pthread_mutex_destroy(&j.mu);
	pthread_cond_destroy(&j.cv);
	return 1;
}

static int json_requests(pv_out *fp, const pv_views *vs, pv_write_opts *o)
{
	const pv_reqview *v = vs->requests;
	out_s(fp, "{\"schema\": \"profview-requests/1\", \"units\": {\"time\": \"s\"}, \"source\": ");
	jw_cstr(fp, o->summary ? o->summary : "", 0);
	out_fmt(fp, ", \"sort\": \"%s\", \"profiles\": %zu, \"parsed\": %zu, \"unparsed\": %zu, "
		    "\"total_time\": ",
		pv_reqview_columns[v->sort], v->profiles, v->parsed, v->unparsed);
	jw_double(fp, v->total);
	out_fmt(fp, ", \"endpoints_total\": %zu, \"endpoints\": [", v->nrows);
	for (size_t i = 0; i < v->shown; i++) {
		const pv_reqrow *r = &v->rows[i];
		out_s(fp, i ? ",\n  {\"endpoint\": " : "\n  {\"endpoint\": ");
		jw_cstr(fp, r->endpoint, 0);
		out_fmt(fp, ", \"profiles\": %zu, \"total_time\": ", r->profiles);
		jw_double(fp, r->total);
		out_s(fp, ", \"mean\": ");
		jw_double(fp, r->mean);
		out_s(fp, ", \"p50\": ");
		jw_double(fp, r->p50);
		out_s(fp, ", \"p95\": ");
		jw_double(fp, r->p95);
		out_s(fp, ", \"max\": ");
		jw_double(fp, r->max);
		out_s(fp, ", \"calls\": ");
		jw_int(fp, r->calls);
		out_fmt(fp, ", \"collided_seconds\": %zu, \"top\": [", r->collided_seconds);
		pv_stats *st = pv_groups_stats(v->groups, r->group);
		for (size_t k = 0; k < r->ntop; k++) {
			out_s(fp, k ? ", {" : "{");
			j_key(fp, st, r->top[k], NULL);
			out_s(fp, ", \"tottime\": ");
			jw_double(fp, r->top_tt[k]);
			out_c(fp, '}');
		}
		out_s(fp, "]}");
	}
	out_s(fp, v->shown ? "\n]}\n" : "]}\n");
	return 0;
}

/* One side of a diff row: null where the function is not in that set. */
static void j_side(pv_out *fp, int in, double calls, double tt, double ct)
{
	if (!in) {
		out_s(fp, "null");
		return;
	}
	out_s(fp, "{\"calls\": ");
	jw_double(fp, calls);
	out_s(fp, ", \"tottime\": ");
	jw_double(fp, tt);
	out_s(fp, ", \"cumtime\": ");
	jw_double(fp, ct);
	out_c(fp, '}');
}

static void j_req(pv_out *fp, size_t n, double p50, double p95, double mean)
{
	if (!n) {
		out_s(fp, "null");
		return;
	}
	out_fmt(fp, "{\"requests\": %zu, \"p50\": ", n);
	jw_double(fp, p50);
	out_s(fp, ", \"p95\": ");
	jw_double(fp, p95);
	out_s(fp, ", \"mean\": ");
	jw_double(fp, mean);
	out_c(fp, '}');
}

/* The per-endpoint part of the diff: the overall figures, the test and
 * "endpoints": [...] (the functions the text shows, by the same rule). */
static void json_endpoints(pv_out *fp, const pv_epdiff *d)
{
	out_s(fp, "\"overall\": {\"change\": ");
	jw_double(fp, d->adj_c - d->adj_b);
	out_s(fp, ", \"relative\": ");
	jw_double(fp, d->adjusted);
	out_s(fp, ", \"base_time\": ");
	jw_double(fp, d->adj_b);
	out_s(fp, ", \"current_time\": ");
	jw_double(fp, d->adj_c);
	out_s(fp, ", \"unadjusted\": {\"change\": ");
	jw_double(fp, d->typ_c - d->typ_b);
	out_s(fp, ", \"relative\": ");
	jw_double(fp, d->unadjusted);
	out_s(fp, ", \"base_time\": ");
	jw_double(fp, d->typ_b);
	out_s(fp, ", \"current_time\": ");
	jw_double(fp, d->typ_c);
	out_s(fp, "}, \"mix\": ");
	jw_double(fp, d->mix);
	out_s(fp, "},\n\"test\": {\"name\": \"mann-whitney-u\", \"correction\": \"holm\", \"alpha\": ");
	jw_double(fp, d->alpha);
	out_s(fp, ", \"threshold\": ");
	jw_double(fp, d->threshold);
	out_s(fp, ", \"floor\": ");
	jw_double(fp, d->floor);
	out_fmt(fp, ", \"endpoints_compared\": %zu, \"functions_compared\": %zu},\n\"endpoints\": [",
		d->m_endpoints, d->m_functions);
	for (size_t i = 0; i < d->n; i++) {
		const pv_eprow *r = &d->rows[i];
		out_s(fp, i ? ",\n  {\"endpoint\": " : "\n  {\"endpoint\": ");
		jw_cstr(fp, r->endpoint, 0);
		out_fmt(fp, ", \"verdict\": \"%s\", \"base\": ", pv_verdict_names[r->verdict]);
		j_req(fp, r->nb, r->p50_b, r->p95_b, r->mean_b);
		out_s(fp, ", \"current\": ");
		j_req(fp, r->nc, r->p50_c, r->p95_c, r->mean_c);
		out_s(fp, ", \"shift\": ");
		jw_double(fp, r->nb && r->nc ? r->shift : NAN);
		out_s(fp, ", \"p\": ");
		jw_double(fp, r->p);
		out_fmt(fp, ", \"functions_changed\": %zu, \"functions_total\": %zu, \"functions\": [",
			r->nchanged, r->nfn);
		int first = 1;
		for (size_t j = 0; j < r->nfn; j++) {
			const pv_epfunc *f = &r->fn[j];
			if (j >= r->shown && (d->limited || f->verdict == PV_V_UNCHANGED))
				continue;
			out_s(fp, first ? "\n    {" : ",\n    {");
			first = 0;
			j_key(fp, f->from, f->key, NULL);
			out_fmt(fp, ", \"verdict\": \"%s\", \"base\": ", pv_verdict_names[f->verdict]);
			j_side(fp, f->in_base, f->calls_b, f->tt_b, f->ct_b);
			out_s(fp, ", \"current\": ");
			j_side(fp, f->in_cur, f->calls_c, f->tt_c, f->ct_c);
			out_s(fp, ", \"change\": ");
			jw_double(fp, f->change);
			out_s(fp, ", \"relative\": ");
			jw_double(fp, f->relative);
			out_s(fp, ", \"p\": ");
			jw_double(fp, f->p);
			out_c(fp, '}');
		}
		out_s(fp, "]}");
	}
	out_s(fp, d->n ? "\n],\n" : "],\n");
}

static int json_diff(pv_out *fp, const pv_views *vs, pv_write_opts *o)
{
	const pv_diffview *v = vs->diff;
	out_s(fp, "{\"schema\": \"profview-diff/2\", \"units\": {\"time\": \"s\", \"calls\": "
		  "\"per profile\"}, \"sort\": ");
	jw_cstr(fp, pv_diffview_keys[v->sort], 0);
	out_s(fp, ", \"base\": {\"source\": ");
	jw_cstr(fp, o->base_summary ? o->base_summary : "", 0);
	out_fmt(fp, ", \"profiles\": %zu, \"mean_time\": ", v->nbase);
	jw_double(fp, v->mean_base);
	out_s(fp, "}, \"current\": {\"source\": ");
	jw_cstr(fp, o->summary ? o->summary : "", 0);
	out_fmt(fp, ", \"profiles\": %zu, \"mean_time\": ", v->ncur);
	jw_double(fp, v->mean_cur);
	out_s(fp, "},\n");
	json_endpoints(fp, vs->epdiff);
	out_fmt(fp, "\"functions_total\": %zu, \"functions\": [", v->nrows);
	for (size_t i = 0; i < v->shown; i++) {
		const pv_diffrow *r = &v->rows[i];
		out_s(fp, i ? ",\n  {" : "\n  {");
		j_key(fp, r->from, r->key, NULL);
		out_fmt(fp, ", \"status\": \"%s\", \"base\": ", !r->b ? "new" : !r->c ? "gone"
										      : "both");
		j_side(fp, r->b != NULL, r->calls_base, r->tt_base, r->ct_base);
		out_s(fp, ", \"current\": ");
		j_side(fp, r->c != NULL, r->calls_cur, r->tt_cur, r->ct_cur);
		out_s(fp, ", \"change\": ");
		jw_double(fp, r->change);
		out_s(fp, ", \"relative\": ");
		jw_double(fp, r->relative);
		out_c(fp, '}');
	}
	out_s(fp, v->shown ? "\n]}\n" : "]}\n");
	return 0;
}

/* The pieces go through formats/out.h's buffer: stdio per piece cost as
 * much as the rest of the export. */
static int json_write(FILE *file, const pv_views *vs, pv_write_opts *o, pv_ctx *ctx)
{
	pv_out *fp = out_open(file);
	if (!fp)
		return pv_fail(ctx, PV_ENOMEM, PV_NOOFF, "out of memory writing JSON");
	int rc;
	switch (vs->mode) {
	case PV_MODE_REQUESTS: rc = json_requests(fp, vs, o); break;
	case PV_MODE_DIFF: rc = json_diff(fp, vs, o); break;
	default: rc = json_stats(fp, vs, ctx);
	}
	if (!rc && fp->failed)
		rc = pv_fail(ctx, PV_ENOMEM, PV_NOOFF, "out of memory writing JSON");
	out_close(fp);
	return rc;
}

const pv_writer pv_writer_json = {
	.name = "json",
	.modes = PV_MODE_STATS | PV_MODE_REQUESTS | PV_MODE_DIFF,
	.help = "one JSON object (doc/schema/): the stats with callers and callees, "
		"the requests or the diff",
	.write = json_write,
};
