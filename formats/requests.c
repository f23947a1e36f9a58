/*
 * requests.c - the --requests table: one row per endpoint, from the
 * request data in the file names (formats/reqname.c) and the profiles.
 *
 *   endpoint  profiles  total ms  mean ms  p50 ms  p95 ms  max ms  calls  top function
 *
 * Percentiles are nearest-rank: the smallest elapsed time with at least
 * p% of the endpoint's requests at or below it.  Under the table: how many
 * names carried no request data, and the endpoints whose requests share a
 * second on the same path - where werkzeug's default names (whole ms,
 * whole seconds) collide and one dump overwrites the other.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/internal.h"

struct endpoint {
	char *name;
	double *ms;
	size_t n, cap;
	double total;
	pv_int calls;
	pv_map tt_of_key; /* key -> index + 1 into tt[] */
	double *tt;
	uint32_t *keys;
	size_t ntt, captt, capkeys;
	size_t collided_seconds;
};

/* (method, raw path, second) of default-format names, for collisions */
struct stamp {
	uint64_t hash;
	uint32_t ep;
};

struct pv_requests {
	struct endpoint *ep;
	size_t nep, capep;
	size_t unparsed, parsed;
	struct stamp *st;
	size_t nst, capst;
};

int pv_requests_new(pv_requests **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : PV_ENOMEM;
}

void pv_requests_free(pv_requests *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nep; i++) {
		free(r->ep[i].name);
		free(r->ep[i].ms);
		free(r->ep[i].tt);
		free(r->ep[i].keys);
		pv_map_free(&r->ep[i].tt_of_key);
	}
	free(r->ep);
	free(r->st);
	free(r);
}

static struct endpoint *find_ep(pv_requests *r, const char *name, uint32_t *idx)
{
	for (size_t i = 0; i < r->nep; i++)
		if (!strcmp(r->ep[i].name, name)) {
			*idx = (uint32_t)i;
			return &r->ep[i];
		}
	if (pv_grow(&r->ep, &r->capep, r->nep + 1, sizeof(*r->ep)) < 0)
		return NULL;
	struct endpoint *e = &r->ep[r->nep];
	memset(e, 0, sizeof(*e));
	if (!(e->name = strdup(name)))
		return NULL;
	*idx = (uint32_t)r->nep++;
	return e;
}

int pv_requests_add(void *arg, const char *name, pv_stats *st, const pv_profile *p)
{
	(void)st;
	pv_requests *r = arg;
	pv_request q;
	if (!pv_request_parse(name, &q)) {
		r->unparsed++;
		return 1;
	}
	r->parsed++;
	uint32_t idx;
	struct endpoint *e = find_ep(r, q.endpoint, &idx);
	if (!e || pv_grow(&e->ms, &e->cap, e->n + 1, sizeof(*e->ms)) < 0)
		return 0;
	e->ms[e->n++] = q.elapsed_ms;
	e->total += q.elapsed_ms;
	for (size_t i = 0; i < pv_profile_nentries(p); i++) {
		uint32_t key;
		pv_int nc;
		pv_num tt;
		pv_profile_get(p, i, &key, NULL, &nc, &tt, NULL);
		e->calls += nc;
		uint32_t slot = pv_map_get(&e->tt_of_key, key);
		if (!slot) {
			if (pv_grow(&e->tt, &e->captt, e->ntt + 1, sizeof(*e->tt)) < 0 ||
			    pv_grow(&e->keys, &e->capkeys, e->ntt + 1, sizeof(*e->keys)) < 0 ||
			    pv_map_put(&e->tt_of_key, key, (uint32_t)e->ntt + 1) < 0)
				return 0;
			e->keys[e->ntt] = key;
			e->tt[e->ntt] = 0;
			slot = (uint32_t)++e->ntt;
		}
		double x = pv_num_to_double(tt);
		if (isfinite(x))
			e->tt[slot - 1] += x;
	}
	if (q.int_time) {
		char key[1100 + 64];
		int w = snprintf(key, sizeof(key), "%s %s %.0f", q.method, q.path, q.time);
		if (pv_grow(&r->st, &r->capst, r->nst + 1, sizeof(*r->st)) < 0)
			return 0;
		r->st[r->nst++] = (struct stamp){pv_hash_bytes(key, (size_t)w), idx};
	}
	return 1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static int cmp_stamp(const void *a, const void *b)
{
	const struct stamp *x = a, *y = b;
	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	return (x->ep > y->ep) - (x->ep < y->ep);
}

static double pct(const double *v, size_t n, double p)
{
	size_t rank = (size_t)ceil(p / 100.0 * (double)n);
	return v[rank ? rank - 1 : 0];
}

struct row {
	struct endpoint *e;
	double total, mean, p50, p95, max;
};

static const char *sortcol;
static int cmp_row(const void *pa, const void *pb)
{
	const struct row *a = pa, *b = pb;
	double x, y;
	if (!strcmp(sortcol, "endpoint"))
		return strcmp(a->e->name, b->e->name);
	if (!strcmp(sortcol, "profiles"))
		x = (double)a->e->n, y = (double)b->e->n;
	else if (!strcmp(sortcol, "mean"))
		x = a->mean, y = b->mean;
	else if (!strcmp(sortcol, "p50"))
		x = a->p50, y = b->p50;
	else if (!strcmp(sortcol, "p95"))
		x = a->p95, y = b->p95;
	else if (!strcmp(sortcol, "max"))
		x = a->max, y = b->max;
	else if (!strcmp(sortcol, "calls"))
		x = (double)a->e->calls, y = (double)b->e->calls;
	else
		x = a->total, y = b->total;
	if (x != y)
		return x > y ? -1 : 1;
	return strcmp(a->e->name, b->e->name);
}

static const char *const cols[] = {"endpoint", "profiles", "total", "mean", "p50",
				   "p95",      "max",      "calls", NULL};

int pv_requests_sort_check(const char *col, pv_ctx *ctx)
{
	const char *const *c = cols;
	while (*c && strcmp(*c, col))
		c++;
	if (!*c)
		return pv_fail(ctx, PV_EARG, PV_NOOFF,
			       "--requests sorts by endpoint, profiles, total, mean, p50, p95, max "
			       "or calls, not '%s'",
			       col);
	return 0;
}

int pv_requests_write(FILE *fp, pv_requests *r, pv_stats *st, const char *col, size_t limit,
		      pv_ctx *ctx)
{
	const char *const *c = cols;
	while (*c && strcmp(*c, col))
		c++;
	if (!*c)
		return pv_requests_sort_check(col, ctx);
	struct row *rows = calloc(r->nep ? r->nep : 1, sizeof(*rows));
	if (!rows)
		return pv_fail(ctx, PV_ENOMEM, PV_NOOFF, "out of memory");
	size_t w = 8;
	for (size_t i = 0; i < r->nep; i++) {
		struct endpoint *e = &r->ep[i];
		qsort(e->ms, e->n, sizeof(*e->ms), cmp_double);
		rows[i] = (struct row){e, e->total, e->total / (double)e->n, pct(e->ms, e->n, 50),
				       pct(e->ms, e->n, 95), e->ms[e->n - 1]};
		size_t l = pv_utf8_len(e->name, strlen(e->name));
		if (l > w)
			w = l;
	}
	/* collisions: several default-format names for one path in one second */
	if (r->nst)
		qsort(r->st, r->nst, sizeof(*r->st), cmp_stamp);
	for (size_t i = 0; i < r->nst;) {
		size_t j = i + 1;
		while (j < r->nst && r->st[j].hash == r->st[i].hash && r->st[j].ep == r->st[i].ep)
			j++;
		if (j - i > 1)
			r->ep[r->st[i].ep].collided_seconds++;
		i = j;
	}
	sortcol = *c;
	qsort(rows, r->nep, sizeof(*rows), cmp_row);
	fprintf(fp, "%-*s %8s %10s %9s %9s %9s %9s %10s  %s\n", (int)w, "endpoint", "profiles",
		"total ms", "mean ms", "p50 ms", "p95 ms", "max ms", "calls",
		"most internal time");
	size_t shown = r->nep < limit ? r->nep : limit;
	for (size_t i = 0; i < shown; i++) {
		struct row *x = &rows[i];
		char calls[48];
		pv_int_format(calls, x->e->calls);
		size_t best = 0;
		for (size_t k = 1; k < x->e->ntt; k++)
			if (x->e->tt[k] > x->e->tt[best])
				best = k;
		size_t dl = 0;
		const char *d = x->e->ntt ? pv_stats_display(st, x->e->keys[best], &dl) : "";
		fputs(x->e->name, fp);
		for (size_t pad = pv_utf8_len(x->e->name, strlen(x->e->name)); pad < w; pad++)
			putc(' ', fp);
		fprintf(fp, " %8zu %10.1f %9.1f %9.1f %9.1f %9.1f %10s  %.*s\n", x->e->n, x->total,
			x->mean, x->p50, x->p95, x->max, calls, (int)dl, d ? d : "");
	}
	if (shown < r->nep)
		fprintf(fp, "(%zu more endpoints; --limit shows more)\n", r->nep - shown);
	fprintf(fp, "\n%zu profiles with request names in %zu endpoints.\n", r->parsed, r->nep);
	if (r->unparsed)
		fprintf(fp, "%zu profiles have names that carry no request (method, path, time) "
			    "and are not in the table.\n", r->unparsed);
	int warned = 0;
	for (size_t i = 0; i < r->nep; i++) {
		struct endpoint *e = &r->ep[i];
		if (!e->collided_seconds)
			continue;
		if (!warned++)
			fputs("Names may have collided (several requests to one path in one second):\n",
			      fp);
		fprintf(fp, "  %s: %zu second%s\n", e->name, e->collided_seconds,
			e->collided_seconds == 1 ? "" : "s");
	}
	if (warned)
		fputs("werkzeug's default name {method}.{path}.{elapsed:.0f}ms.{time:.0f}.prof is the\n"
		      "same for requests with equal method, path, rounded ms and second, and the later\n"
		      "dump overwrites the earlier, so those endpoints have lost profiles.  Fix:\n"
		      "  ProfilerMiddleware(app, profile_dir=...,\n"
		      "      filename_format=\"{method}.{path}.{elapsed:.0f}ms.{time:.6f}.prof\")\n",
		      fp);
	free(rows);
	return 0;
}
