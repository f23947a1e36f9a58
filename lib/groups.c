/*
 * groups.c - profiles grouped by endpoint (pv.h says what a group keeps
 * and why each endpoint's model has its own key space).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct group {
	char *name;
	pv_stats *st; /* the endpoint's profiles merged, or NULL */
	pv_map xlat;  /* main model key id -> st key id + 1: a map, not an array
		      * indexed by the main model's ids, so an endpoint costs
		      * what it holds, not the whole model (20,000 endpoints
		      * of a blog's slugs took 2.6 GB that way) */
	pv_reqinfo *req;
	size_t n, cap;
};

struct pv_groups {
	int keep_stats, failed;
	struct group *g;
	size_t n, cap;
	pv_map by_name; /* hash of the name -> index + 1 (first of that hash) */
	struct group all;
	pv_stats *main;
	pv_profile *tmp; /* a profile being rekeyed into an endpoint's model */
	size_t unparsed;
};

int pv_groups_new(pv_groups **out, int keep_stats)
{
	pv_groups *g = calloc(1, sizeof(*g));
	if (!g || pv_profile_new(&g->tmp) < 0) {
		free(g);
		return PV_ENOMEM;
	}
	g->keep_stats = keep_stats;
	*out = g;
	return 0;
}

static void group_free(struct group *x)
{
	free(x->name);
	pv_stats_free(x->st);
	pv_map_free(&x->xlat);
	free(x->req);
}

void pv_groups_free(pv_groups *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->n; i++)
		group_free(&g->g[i]);
	free(g->g);
	free(g->all.req);
	pv_map_free(&g->by_name);
	pv_profile_free(g->tmp);
	free(g);
}

static struct group *find(pv_groups *g, const char *name)
{
	size_t len = strlen(name);
	uint64_t h = pv_hash_bytes(name, len);
	uint32_t at = pv_map_get(&g->by_name, h);
	if (at && !strcmp(g->g[at - 1].name, name))
		return &g->g[at - 1];
	if (at) /* another name with the same hash: rare, look through all */
		for (size_t i = 0; i < g->n; i++)
			if (!strcmp(g->g[i].name, name))
				return &g->g[i];
	if (pv_grow(&g->g, &g->cap, g->n + 1, sizeof(*g->g)) < 0)
		return NULL;
	struct group *x = &g->g[g->n];
	memset(x, 0, sizeof(*x));
	if (!(x->name = strdup(name)))
		return NULL;
	if (g->keep_stats && pv_stats_new(&x->st) < 0) {
		free(x->name);
		return NULL;
	}
	if (!at && pv_map_put(&g->by_name, h, (uint32_t)g->n + 1) < 0) {
		group_free(x);
		return NULL;
	}
	g->n++;
	return x;
}

static int push(struct group *x, const pv_reqinfo *r)
{
	if (pv_grow(&x->req, &x->cap, x->n + 1, sizeof(*x->req)) < 0)
		return PV_ENOMEM;
	x->req[x->n++] = *r;
	return 0;
}

static int add(pv_groups *g, const char *name, pv_stats *st, const pv_profile *p)
{
	pv_request q;
	pv_reqinfo r = {.duration = pv_profile_total_time(p), .time = NAN, .name_ms = NAN};
	g->main = st;
	int parsed = pv_request_parse_timed(name, r.duration, &q);
	if (parsed) {
		r.time = q.time;
		r.name_ms = q.elapsed_ms;
		if (q.int_time) {
			char key[sizeof(q.method) + sizeof(q.path) + 64];
			int w = snprintf(key, sizeof(key), "%s %s %.0f", q.method, q.path, q.time);
			r.stamp = pv_hash_bytes(key, w > 0 ? (size_t)w : 0) | 1; /* never 0 */
		}
	}
	if (push(&g->all, &r) < 0)
		return PV_ENOMEM;
	if (!parsed) {
		g->unparsed++;
		return 0;
	}
	struct group *x = find(g, q.endpoint);
	if (!x || push(x, &r) < 0)
		return PV_ENOMEM;
	if (!x->st)
		return 0;
	pv_ctx ctx = {0};
	int rc;
	if ((rc = pv_profile_copy(g->tmp, p)) < 0 ||
	    (rc = pv_profile_rekey_map(g->tmp, st, x->st, &x->xlat)) < 0)
		return rc;
	/* a profile the main model takes (empty ones are refused before this
	 * hook; a shape conflict is the only other refusal) */
	rc = pv_stats_merge(x->st, g->tmp, &ctx);
	return rc == PV_ENOMEM ? rc : 0;
}

int pv_groups_add(void *arg, const char *name, pv_stats *st, const pv_profile *p)
{
	pv_groups *g = arg;
	if (add(g, name, st, p) < 0) {
		g->failed = 1;
		return 0;
	}
	return 1;
}

int pv_groups_failed(const pv_groups *g)
{
	return g->failed;
}

size_t pv_groups_count(const pv_groups *g)
{
	return g->n;
}

const char *pv_groups_name(const pv_groups *g, size_t i)
{
	return i == PV_GROUPS_ALL ? "all" : g->g[i].name;
}

pv_stats *pv_groups_stats(const pv_groups *g, size_t i)
{
	return i == PV_GROUPS_ALL ? g->main : g->g[i].st;
}

const pv_reqinfo *pv_groups_requests(const pv_groups *g, size_t i, size_t *n)
{
	const struct group *x = i == PV_GROUPS_ALL ? &g->all : &g->g[i];
	*n = x->n;
	return x->req;
}

size_t pv_groups_unparsed(const pv_groups *g)
{
	return g->unparsed;
}

int pv_groups_order(const pv_groups *g, pv_stats ***sts, const char ***names, size_t *n)
{
	size_t cap = g->n ? g->n : 1, k = 0;
	pv_stats **s = malloc(cap * sizeof(*s));
	const char **nm = malloc(cap * sizeof(*nm));
	if (!s || !nm) {
		free(s);
		free(nm);
		return PV_ENOMEM;
	}
	/* insertion sort, stable: endpoints are few, and a NaN total stays
	 * where it is met as it always has */
	for (size_t i = 0; i < g->n; i++) {
		pv_stats *x = g->g[i].st;
		if (!x)
			continue;
		double xt = pv_num_to_double(pv_stats_total_tt(x));
		size_t j = k++;
		while (j > 0 && pv_num_to_double(pv_stats_total_tt(s[j - 1])) < xt) {
			s[j] = s[j - 1];
			nm[j] = nm[j - 1];
			j--;
		}
		s[j] = x;
		nm[j] = g->g[i].name;
	}
	*sts = s;
	*names = nm;
	*n = k;
	return 0;
}
