/*
 * callgraph.c - a model's call graph, the ground a call tree grows on
 * (tree.c): the caller edges become two adjacency arrays (callees and
 * callers of every entry); an iterative Tarjan pass finds the functions
 * that take part in recursion and the groups of functions nothing outside
 * calls (the roots), whose weights say how much of the run each covers.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "callgraph.h"

static double secs(pv_num t)
{
	double x = pv_num_to_double(t);
	return isfinite(x) && x > 0 ? x : 0;
}

void pv_graph_free(graph *g)
{
	free(g->out_at);
	free(g->in_at);
	free(g->out);
	free(g->in);
	free(g->nin);
	free(g->cyclic);
	free(g->drop);
	free(g->hit);
	free(g->reach);
	free(g->ct);
	free(g->tt);
	free(g->ctd);
	free(g->ncd);
	free(g->roots);
	free(g->rootw);
	free(g->onpath);
	memset(g, 0, sizeof(*g));
}

/* Tarjan's strongly connected components without recursion: marks the
 * cyclic functions and picks one root per component no other calls. */
static int graph_roots(graph *g)
{
	size_t n = g->n;
	int rc = PV_ENOMEM;
	uint32_t *idx = pv_malloc((n + 1) * sizeof(*idx)), *low = pv_malloc((n + 1) * sizeof(*low));
	uint32_t *comp = pv_malloc((n + 1) * sizeof(*comp)), *s = pv_malloc((n + 1) * sizeof(*s));
	uint32_t *cs = pv_malloc((n + 1) * sizeof(*cs)), *pos = pv_malloc((n + 1) * sizeof(*pos));
	uint8_t *on = pv_calloc(n + 1, 1), *hasin = NULL;
	uint32_t *best = NULL, *size = NULL;
	if (!idx || !low || !comp || !s || !cs || !pos || !on)
		goto out;
	for (size_t v = 0; v < n; v++)
		idx[v] = UINT32_MAX;
	uint32_t next = 0, ncomp = 0;
	size_t ns = 0;
	for (size_t r = 0; r < n; r++) {
		if (idx[r] != UINT32_MAX)
			continue;
		size_t ncs = 0;
		cs[ncs] = (uint32_t)r;
		pos[ncs++] = g->out_at[r];
		idx[r] = low[r] = next++;
		s[ns++] = (uint32_t)r;
		on[r] = 1;
		while (ncs) {
			uint32_t v = cs[ncs - 1];
			if (pos[ncs - 1] < g->out_at[v + 1]) {
				uint32_t w = g->out[pos[ncs - 1]++].to;
				if (w == v)
					g->cyclic[v] = 1;
				if (idx[w] == UINT32_MAX) {
					idx[w] = low[w] = next++;
					s[ns++] = w;
					on[w] = 1;
					cs[ncs] = w;
					pos[ncs++] = g->out_at[w];
				} else if (on[w] && idx[w] < low[v]) {
					low[v] = idx[w];
				}
				continue;
			}
			ncs--;
			if (low[v] == idx[v]) {
				uint32_t w, k = 0;
				do {
					w = s[--ns];
					on[w] = 0;
					comp[w] = ncomp;
					k++;
				} while (w != v);
				if (k > 1)
					for (size_t j = ns; j < ns + k; j++)
						g->cyclic[s[j]] = 1;
				ncomp++;
			}
			if (ncs && low[v] < low[cs[ncs - 1]])
				low[cs[ncs - 1]] = low[v];
		}
	}
	hasin = pv_calloc(ncomp + 1, 1);
	best = pv_malloc((ncomp + 1) * sizeof(*best));
	if (!hasin || !best)
		goto out;
	for (size_t v = 0; v < n; v++)
		for (uint32_t i = g->out_at[v]; i < g->out_at[v + 1]; i++)
			if (comp[g->out[i].to] != comp[v])
				hasin[comp[g->out[i].to]] = 1;
	for (size_t c = 0; c < ncomp; c++)
		best[c] = UINT32_MAX;
	for (size_t v = 0; v < n; v++) {
		uint32_t c = comp[v];
		if (!hasin[c] && (best[c] == UINT32_MAX || g->ctd[v] > g->ctd[best[c]]))
			best[c] = (uint32_t)v;
	}
	g->roots = pv_malloc((ncomp + 1) * sizeof(*g->roots));
	if (!g->roots)
		goto out;
	/* in entry order (best[] is per component, components in reverse
	 * topological order) */
	for (size_t v = 0; v < n; v++)
		if (best[comp[v]] == v)
			g->roots[g->nroots++] = (uint32_t)v;
	rc = 0;
out:
	free(idx);
	free(low);
	free(comp);
	free(s);
	free(cs);
	free(pos);
	free(on);
	free(hasin);
	free(best);
	free(size);
	return rc;
}

static int match_flags(graph *g, const pv_tree_opts *o, pv_ctx *ctx)
{
	if (!o->match && !o->exclude)
		return 0;
	g->drop = pv_calloc(g->n + 1, 1);
	g->hit = pv_calloc(g->n + 1, 1);
	if (!g->drop || !g->hit)
		return PV_ENOMEM;
	for (size_t i = 0; i < g->n; i++) {
		size_t len;
		const char *s = pv_stats_display(g->st, pv_stats_entry(g->st, i)->key, &len);
		if (!s)
			return PV_ENOMEM;
		/* <0: a pattern hit a bound, its message is in ctx */
		int keep = o->exclude ? pv_select_keeps(o->exclude, s, len, ctx) : 1;
		int hit = o->match ? pv_select_keeps(o->match, s, len, ctx) : 0;
		if (keep < 0 || hit < 0)
			return keep < 0 ? keep : hit;
		g->drop[i] = !keep;
		g->hit[i] = hit == 1;
	}
	if (!o->match)
		return 0;
	/* the functions that can reach a matching one: never merged into
	 * "[N smaller]", so that --match finds small functions too */
	uint32_t *q = pv_malloc((g->n + 1) * sizeof(*q));
	g->reach = pv_calloc(g->n + 1, 1);
	if (!q || !g->reach) {
		free(q);
		return PV_ENOMEM;
	}
	size_t nq = 0;
	for (size_t i = 0; i < g->n; i++)
		if (g->hit[i]) {
			g->reach[i] = 1;
			q[nq++] = (uint32_t)i;
		}
	while (nq) {
		uint32_t v = q[--nq];
		for (uint32_t i = g->in_at[v]; i < g->in_at[v + 1]; i++)
			if (!g->reach[g->in[i].to]) {
				g->reach[g->in[i].to] = 1;
				q[nq++] = g->in[i].to;
			}
	}
	free(q);
	return 0;
}

/* Roots whose callers are keys without entries (the profile module names
 * a run's code object differently as a caller and as an entry) are no real
 * roots: they are taken, largest first, only while the real roots leave
 * that much of the total uncovered, so that no time is drawn twice. */
typedef struct orphan {
	uint64_t w;
	uint32_t e;
} orphan;

static int orphan_cmp(const void *a, const void *b)
{
	const orphan *x = a, *y = b;
	if (x->w != y->w)
		return x->w > y->w ? -1 : 1;
	return x->e < y->e ? -1 : x->e > y->e;
}

static int orphans(graph *g, uint64_t limit)
{
	size_t m = 0, no = 0;
	uint64_t cover = 0;
	orphan *o = pv_malloc((g->nroots + 1) * sizeof(*o));
	if (!o)
		return PV_ENOMEM;
	limit += limit / 100;
	for (size_t r = 0; r < g->nroots; r++) {
		uint32_t e = g->roots[r];
		if (pv_stats_entry(g->st, e)->ncallers && !g->nin[e]) {
			o[no++] = (orphan){g->rootw[r], e};
		} else {
			g->roots[m] = e;
			g->rootw[m++] = g->rootw[r];
			cover += g->rootw[r];
		}
	}
	qsort(o, no, sizeof(*o), orphan_cmp);
	for (size_t k = 0; k < no; k++)
		if (!cover || cover + o[k].w <= limit) {
			g->roots[m] = o[k].e;
			g->rootw[m++] = o[k].w;
			cover += o[k].w;
		}
	g->nroots = m;
	free(o);
	return 0;
}

int pv_graph_build(graph *g, pv_stats *st, const pv_tree_opts *o, uint64_t tick, pv_ctx *ctx)
{
	memset(g, 0, sizeof(*g));
	g->st = st;
	size_t n = g->n = pv_stats_nentries(st);
	g->out_at = pv_calloc(n + 2, sizeof(*g->out_at));
	g->in_at = pv_calloc(n + 2, sizeof(*g->in_at));
	g->nin = pv_calloc(n + 1, sizeof(*g->nin));
	g->cyclic = pv_calloc(n + 1, 1);
	g->ct = pv_malloc((n + 1) * sizeof(*g->ct));
	g->tt = pv_malloc((n + 1) * sizeof(*g->tt));
	g->ctd = pv_malloc((n + 1) * sizeof(*g->ctd));
	g->ncd = pv_malloc((n + 1) * sizeof(*g->ncd));
	g->onpath = pv_calloc(n + 1, sizeof(*g->onpath));
	if (!g->onpath || !g->out_at || !g->in_at || !g->nin || !g->cyclic || !g->ct || !g->tt || !g->ctd ||
	    !g->ncd)
		return PV_ENOMEM;
	size_t ne = 0;
	for (size_t i = 0; i < n; i++) {
		const pv_entry *e = pv_stats_entry(st, i);
		g->ct[i] = pv_ticks(pv_entry_ct(e), tick);
		g->tt[i] = pv_ticks(pv_entry_tt(e), tick);
		g->ctd[i] = secs(pv_entry_ct(e));
		g->ncd[i] = pv_entry_nc(e) > 0 ? (double)pv_entry_nc(e) : 0;
		for (uint32_t id = e->first_edge; id; id = pv_stats_edge(st, id)->next) {
			long c = pv_stats_find(st, pv_stats_edge(st, id)->caller);
			if (c < 0)
				continue;
			g->out_at[c + 1]++;
			g->in_at[i + 1]++;
			ne++;
		}
	}
	if (ne >= UINT32_MAX)
		return PV_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		g->out_at[i + 1] += g->out_at[i];
		g->in_at[i + 1] += g->in_at[i];
	}
	g->out = pv_malloc((ne + 1) * sizeof(*g->out));
	g->in = pv_malloc((ne + 1) * sizeof(*g->in));
	uint32_t *fill = pv_malloc((n + 1) * sizeof(*fill));
	if (!g->out || !g->in || !fill) {
		free(fill);
		return PV_ENOMEM;
	}
	memcpy(fill, g->out_at, n * sizeof(*fill));
	for (size_t i = 0; i < n; i++) {
		const pv_entry *e = pv_stats_entry(st, i);
		uint32_t k = g->in_at[i];
		for (uint32_t id = e->first_edge; id; id = pv_stats_edge(st, id)->next) {
			const pv_edge *d = pv_stats_edge(st, id);
			long c = pv_stats_find(st, d->caller);
			if (c < 0)
				continue;
			gedge x = {.to = (uint32_t)i, .nc = pv_edge_nc(d) > 0 ? (double)pv_edge_nc(d) : 0};
			if (d->is_tuple) {
				x.w = secs(pv_edge_ct(d));
				x.tw = secs(pv_edge_tt(d));
			} else if (pv_entry_nc(e) > 0) { /* profile module: shares by calls */
				x.w = secs(pv_entry_ct(e)) * x.nc / (double)pv_entry_nc(e);
				x.tw = secs(pv_entry_tt(e)) * x.nc / (double)pv_entry_nc(e);
			}
			if (!isfinite(x.w))
				x.w = 0;
			if (!isfinite(x.tw))
				x.tw = 0;
			g->out[fill[c]++] = x;
			x.to = (uint32_t)c;
			g->in[k++] = x;
			g->nin[i]++;
		}
	}
	free(fill);
	int rc = graph_roots(g);
	if (rc < 0)
		return rc;
	/* a root's weight: its cumulative time, or what it is seen to call
	 * when that is more (the profile module's "profile:0(profiler)" has
	 * none of its own but calls the whole run) */
	g->rootw = pv_malloc((g->nroots + 1) * sizeof(*g->rootw));
	if (!g->rootw)
		return PV_ENOMEM;
	for (size_t r = 0; r < g->nroots; r++) {
		uint32_t e = g->roots[r];
		double calls = 0;
		for (uint32_t i = g->out_at[e]; i < g->out_at[e + 1]; i++)
			calls += g->out[i].w;
		uint64_t seen = g->tt[e] + (uint64_t)(calls * 1e9 / (double)tick + 0.5);
		g->rootw[r] = g->cyclic[e] || seen <= 2 * g->ct[e] ? g->ct[e] : seen;
	}
	if (orphans(g, pv_ticks(pv_stats_total_tt(st), tick)) < 0)
		return PV_ENOMEM;
	if (o->inverted)
		for (size_t i = 0; i < n; i++)
			g->total += g->tt[i];
	else
		for (size_t r = 0; r < g->nroots; r++)
			g->total += g->rootw[r];
	return match_flags(g, o, ctx);
}
