/*
 * diffsamp.c - per-request samples of one set of profiles, kept while
 * loading (the loader's seen hook), for the per-endpoint diff: the
 * request times and each function's internal time per request, which the
 * rank tests of lib/diffstat.c need and merged models no longer hold.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "diffsamp.h"

int pv_samples_new(pv_samples **out)
{
	pv_samples *s = calloc(1, sizeof(*s));
	if (!s)
		return PV_ENOMEM;
	*out = s;
	return 0;
}

void pv_samples_free(pv_samples *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		pv_sgroup *g = &s->g[i];
		free(g->name);
		free(g->dur);
		for (size_t f = 0; f < g->nfn; f++)
			free(g->fn[f].v);
		free(g->fn);
		free(g->hint);
		pv_map_free(&g->xlat);
	}
	free(s->g);
	pv_map_free(&s->by_name);
	free(s);
}

void pv_samples_strip_dirs(pv_samples *s)
{
	s->strip = 1;
}

int pv_samples_failed(const pv_samples *s)
{
	return s->failed;
}

static pv_sgroup *group(pv_samples *s, const char *name)
{
	size_t len = strlen(name);
	uint64_t h = pv_hash_bytes(name, len);
	uint32_t at = pv_map_get(&s->by_name, h);
	if (at && !strcmp(s->g[at - 1].name, name))
		return &s->g[at - 1];
	if (at) /* another name with the same hash: rare, look through all */
		for (size_t i = 0; i < s->n; i++)
			if (!strcmp(s->g[i].name, name))
				return &s->g[i];
	if (pv_grow(&s->g, &s->cap, s->n + 1, sizeof(*s->g)) < 0)
		return NULL;
	pv_sgroup *g = &s->g[s->n];
	memset(g, 0, sizeof(*g));
	if (!(g->name = strdup(name)))
		return NULL;
	if (!at && pv_map_put(&s->by_name, h, (uint32_t)s->n + 1) < 0) {
		free(g->name);
		return NULL;
	}
	s->n++;
	return g;
}

/* The group's index of the model's key id, added when first seen. */
static long function(pv_sgroup *g, pv_stats *st, uint32_t key)
{
	uint32_t at = pv_map_get(&g->xlat, key);
	if (at)
		return (long)at - 1;
	if (pv_grow(&g->fn, &g->capfn, g->nfn + 1, sizeof(*g->fn)) < 0)
		return -1;
	g->fn[g->nfn] = (pv_sfunc){.hash = pv_stats_key_hash(st, key), .key = key};
	if (pv_map_put(&g->xlat, key, (uint32_t)g->nfn + 1) < 0)
		return -1;
	return (long)g->nfn++;
}

/* pv_num_to_double, inlined */
static inline double num(pv_num n)
{
	return n.is_int ? (double)n.i : n.f;
}

static int add(pv_samples *s, const char *name, pv_stats *st, const pv_profile *p)
{
	pv_request q;
	double dur = pv_profile_total_time(p);
	pv_sgroup *g = group(s, pv_request_parse_timed(name, dur, &q) ? q.endpoint
								      : PV_SAMPLES_UNNAMED);
	size_t ne = pv_profile_nentries(p);
	if (!g || pv_grow(&g->dur, &g->capdur, g->n + 1, sizeof(*g->dur)) < 0)
		return PV_ENOMEM;
	if (ne > g->caphint) {
		size_t old = g->caphint;
		if (pv_grow(&g->hint, &g->caphint, ne, sizeof(*g->hint)) < 0)
			return PV_ENOMEM;
		memset(g->hint + old, 0, (g->caphint - old) * sizeof(*g->hint));
	}
	g->dur[g->n] = dur;
	size_t req = g->n + 1; /* this request, as pv_sfunc.lastreq counts */
	const pv_entry *e = pv_profile_entries(p);
	for (size_t i = 0; i < ne; i++) {
		uint32_t key = e[i].key;
		if (s->strip && pv_stats_strip_key(st, key, &key) < 0)
			return PV_ENOMEM;
		long f;
		if (g->hint[i].f && g->hint[i].key == key) {
			f = (long)g->hint[i].f - 1;
		} else {
			if ((f = function(g, st, key)) < 0)
				return PV_ENOMEM;
			g->hint[i] = (pv_shint){key, (uint32_t)f + 1};
		}
		pv_sfunc *fn = &g->fn[f];
		double t = num(pv_entry_tt(&e[i]));
		pv_int nc = pv_entry_nc(&e[i]);
		/* through 64 bits when it fits: the same double, without a call */
		fn->calls += nc == (int64_t)nc ? (double)(int64_t)nc : (double)nc;
		fn->tt += t;
		fn->ct += num(pv_entry_ct(&e[i]));
		if (t == 0) /* a zero is implied by absence */
			continue;
		if (fn->lastreq == req) { /* stripped names met: one sample a request */
			fn->v[fn->nv - 1] += (float)t;
		} else {
			if (pv_grow(&fn->v, &fn->capv, fn->nv + 1, sizeof(*fn->v)) < 0)
				return PV_ENOMEM;
			fn->v[fn->nv++] = (float)t;
			fn->lastreq = req;
		}
	}
	g->n++;
	return 0;
}

int pv_samples_add(void *arg, const char *name, pv_stats *st, const pv_profile *p)
{
	pv_samples *s = arg;
	if (add(s, name, st, p) < 0)
		s->failed = 1;
	return 1;
}
