/*
 * tree.c - the call tree behind the flame graphs (pv.h says what it
 * estimates and how).
 *
 * Per model: the caller edges become two adjacency arrays (callees and
 * callers of every entry); an iterative Tarjan pass finds the functions
 * that take part in recursion and the groups of functions nothing outside
 * calls (the roots); then a depth-first walk with an explicit stack grows
 * the frames, so the depth of the data never reaches the C stack.
 * --match is a pass over the finished frames (parents come before their
 * children in the array).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define ABORT_CAP 1   /* build(): the frame cap was passed (soft mode) */
#define ABORT_NOCAP 2 /* no frame cap and PV_TREE_FRAMES_NOCAP passed */

typedef struct gedge {
	uint32_t to; /* callee (out) or caller (in) entry */
	double w;    /* the edge's cumulative time (seconds), or its estimate */
	double tw;   /* in-edges: the edge's internal time, or its estimate */
	double nc;   /* calls along the edge */
} gedge;

typedef struct graph {
	pv_stats *st;
	size_t n;
	uint32_t *out_at, *in_at; /* n + 1 offsets */
	gedge *out, *in;
	uint32_t *nin;     /* callers that are entries */
	uint8_t *cyclic;   /* in a recursion (SCC of 2+, or calls itself) */
	uint8_t *drop;     /* --exclude */
	uint8_t *hit;      /* --match */
	uint8_t *reach;    /* --match: calls a matching function, maybe indirectly */
	uint64_t *ct, *tt; /* ticks */
	double *ctd, *ncd; /* seconds, calls */
	uint32_t *roots;
	uint64_t *rootw; /* ticks per root */
	size_t nroots;
	uint32_t *onpath; /* frames of each entry on the current path */
	uint64_t total;   /* ticks: the roots' weight (inverted: all self time) */
} graph;

typedef struct cand {
	uint32_t entry;
	uint64_t w;
	double calls;
	double frac; /* what rounding down took off */
} cand;

typedef struct item {
	uint32_t frame;
	int post; /* 1: leave the path */
} item;

typedef struct builder {
	pv_tree *t;
	size_t cap;
	double thr; /* minimum weight in ticks */
	size_t max_frames;
	int hard; /* enforce max_frames by cutting */
	uint32_t max_depth;
	int inverted;
	uint64_t tick;
	item *stk;
	size_t nstk, capstk, pend;
	cand *cands;
	size_t capc;
} builder;

static uint64_t ticks(pv_num t, uint64_t tick)
{
	uint64_t ns = pv_time_ns(t, NULL);
	return ns / tick + (ns % tick >= (tick + 1) / 2);
}

static double secs(pv_num t)
{
	double x = pv_num_to_double(t);
	return isfinite(x) && x > 0 ? x : 0;
}

static void graph_free(graph *g)
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

static int graph_build(graph *g, pv_stats *st, const pv_tree_opts *o, uint64_t tick,
		       pv_ctx *ctx)
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
		g->ct[i] = ticks(e->ct, tick);
		g->tt[i] = ticks(e->tt, tick);
		g->ctd[i] = secs(e->ct);
		g->ncd[i] = e->nc > 0 ? (double)e->nc : 0;
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
			gedge x = {.to = (uint32_t)i, .nc = d->nc > 0 ? (double)d->nc : 0};
			if (d->is_tuple) {
				x.w = secs(d->ct);
				x.tw = secs(d->tt);
			} else if (e->nc > 0) { /* profile module: shares by calls */
				x.w = secs(e->ct) * x.nc / (double)e->nc;
				x.tw = secs(e->tt) * x.nc / (double)e->nc;
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
	if (orphans(g, ticks(pv_stats_total_tt(st), tick)) < 0)
		return PV_ENOMEM;
	if (o->inverted)
		for (size_t i = 0; i < n; i++)
			g->total += g->tt[i];
	else
		for (size_t r = 0; r < g->nroots; r++)
			g->total += g->rootw[r];
	return match_flags(g, o, ctx);
}

/* ---- growing frames ----------------------------------------------------- */

static int new_frame(builder *b, uint32_t parent, uint32_t key, uint32_t group, uint64_t w,
		     uint32_t flags)
{
	pv_tree *t = b->t;
	if (!b->max_frames && t->nframes >= PV_TREE_FRAMES_NOCAP)
		return ABORT_NOCAP;
	if (t->nframes >= UINT32_MAX - 1 || pv_grow(&t->frames, &b->cap, t->nframes + 1,
						    sizeof(*t->frames)) < 0)
		return PV_ENOMEM;
	pv_frame *f = &t->frames[t->nframes];
	memset(f, 0, sizeof(*f));
	f->parent = parent;
	f->first_child = f->next_sibling = PV_NOFRAME;
	f->key = key;
	f->group = group;
	f->depth = parent == PV_NOFRAME ? 0 : t->frames[parent].depth + 1;
	f->flags = flags;
	f->weight = w;
	f->calls = -1;
	t->nframes++;
	return 0;
}

static int push(builder *b, uint32_t frame, int post)
{
	if (pv_grow(&b->stk, &b->capstk, b->nstk + 1, sizeof(*b->stk)) < 0)
		return PV_ENOMEM;
	b->stk[b->nstk++] = (item){frame, post};
	if (!post)
		b->pend++;
	return 0;
}

static int cand_cmp(const void *a, const void *b)
{
	const cand *x = a, *y = b;
	if (x->w != y->w)
		return x->w > y->w ? -1 : 1;
	return x->entry < y->entry ? -1 : x->entry > y->entry;
}

/* Make the children of frame p from the candidates b->cands[0..nc):
 * excluded ones give their weight to p's self, zero ones vanish, the
 * recursive ones are leaves, those under the threshold (or past the caps)
 * become one "[N smaller]" frame; the rest is pushed for expansion. */
static int add_children(builder *b, graph *g, uint32_t p, size_t nc, int est_from_parent)
{
	pv_tree *t = b->t;
	cand *c = b->cands;
	size_t k = 0;
	for (size_t i = 0; i < nc; i++) {
		if (!c[i].w)
			continue;
		if (g->drop && g->drop[c[i].entry]) {
			t->frames[p].self += c[i].w;
			continue;
		}
		c[k++] = c[i];
	}
	nc = k;
	if (!nc)
		return 0;
	qsort(c, nc, sizeof(*c), cand_cmp);
	uint32_t depth = t->frames[p].depth;
	int est_p = (t->frames[p].flags & PV_FRAME_ESTIMATED) != 0;
	size_t keep = 0;
	if (!(b->max_depth && depth >= b->max_depth)) {
		while (keep < nc && (double)c[keep].w >= b->thr)
			keep++;
		/* --match: small frames on the way to a match are kept too */
		for (size_t j = keep; g->reach && j < nc; j++)
			if (g->reach[c[j].entry] && !(b->inverted)) {
				cand x = c[j];
				memmove(c + keep + 1, c + keep, (j - keep) * sizeof(*c));
				c[keep++] = x;
			}
	}
	if (b->max_frames) {
		size_t room = t->nframes + b->pend;
		if (!b->hard && room + keep > b->max_frames)
			return ABORT_CAP;
		/* hard: every pending frame, the new ones too, may still need
		 * one "[N smaller]" (p's own was reserved while it waited) */
		if (b->hard && room + 2 * keep + (keep < nc) > b->max_frames)
			keep = 0;
	}
	uint32_t prev = PV_NOFRAME;
	uint32_t group = t->frames[p].group;
	for (size_t i = 0; i < nc; i++) {
		if (i == keep) {
			uint64_t w = 0;
			uint32_t fl = PV_FRAME_MERGED;
			for (size_t j = keep; j < nc; j++) {
				w += c[j].w;
				if (est_p || est_from_parent || g->cyclic[c[j].entry] ||
				    (!b->inverted && g->nin[c[j].entry] > 1))
					fl |= PV_FRAME_ESTIMATED;
			}
			int rc = new_frame(b, p, PV_FRAME_SMALLER, group, w, fl);
			if (rc)
				return rc;
			pv_frame *f = &t->frames[t->nframes - 1];
			f->self = w;
			f->nmerged = (uint32_t)(nc - keep);
			t->nmerged += nc - keep;
		} else {
			uint32_t e = c[i].entry;
			uint32_t fl = 0;
			if (est_p || est_from_parent || g->cyclic[e] ||
			    (!b->inverted && g->nin[e] > 1))
				fl |= PV_FRAME_ESTIMATED;
			int rec = g->onpath[e] > 0;
			if (rec)
				fl |= PV_FRAME_RECURSIVE | PV_FRAME_ESTIMATED;
			int rc = new_frame(b, p, pv_stats_entry(g->st, e)->key, group, c[i].w, fl);
			if (rc)
				return rc;
			pv_frame *f = &t->frames[t->nframes - 1];
			f->calls = c[i].calls;
			if (rec)
				f->self = f->weight;
			else if (push(b, (uint32_t)(t->nframes - 1), 0) < 0)
				return PV_ENOMEM;
		}
		uint32_t id = (uint32_t)(t->nframes - 1);
		if (prev == PV_NOFRAME)
			t->frames[p].first_child = id;
		else
			t->frames[prev].next_sibling = id;
		prev = id;
		if (i >= keep)
			break;
	}
	return 0;
}

static int frac_cmp(const void *a, const void *b)
{
	const cand *x = a, *y = b;
	if (x->frac != y->frac)
		return x->frac > y->frac ? -1 : 1;
	return x->entry < y->entry ? -1 : x->entry > y->entry;
}

/* Split `rest` ticks over the edges e[0..n) by their weight (tt or ct),
 * largest remainders first, so the parts add up to rest exactly.  Fills
 * b->cands (in no particular order). */
static int split(builder *b, const gedge *e, size_t n, int by_tt, uint64_t rest, size_t *nout)
{
	*nout = 0;
	if (pv_grow(&b->cands, &b->capc, n + 1, sizeof(*b->cands)) < 0)
		return PV_ENOMEM;
	double sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += by_tt ? e[i].tw : e[i].w;
	if (!(sum > 0) || !rest)
		return 0;
	uint64_t used = 0;
	for (size_t i = 0; i < n; i++) {
		double x = by_tt ? e[i].tw : e[i].w;
		double v = (double)rest * (x / sum);
		uint64_t w = v >= (double)rest ? rest : (uint64_t)v;
		if (used + w > rest)
			w = rest - used;
		used += w;
		/* calls: the edge's calls, scaled by the share of the edge taken */
		b->cands[i] = (cand){.entry = e[i].to, .w = w, .frac = v - (double)w, .calls = x > 0 ? e[i].nc * (v / (x * 1e9 / (double)b->tick)) : 0};
	}
	if (used < rest) {
		qsort(b->cands, n, sizeof(*b->cands), frac_cmp);
		for (size_t i = 0; used < rest; i = (i + 1) % n, used++)
			b->cands[i].w++;
	}
	*nout = n;
	return 0;
}

/* Expand frame fi of entry e (phase 0 of the walk). */
static int expand(builder *b, graph *g, uint32_t fi)
{
	pv_tree *t = b->t;
	pv_frame *f = &t->frames[fi];
	uint32_t e = (uint32_t)pv_stats_find(g->st, f->key);
	uint64_t w = f->weight, self = w;
	size_t nc = 0;
	int rc;
	if (!b->inverted) {
		/* the share of self time; a frame weighing more than the
		 * function's cumulative time (a root seen calling more) keeps
		 * its internal time */
		uint64_t base = g->ct[e] > w ? g->ct[e] : w;
		if (base > 0 && g->tt[e] < base)
			self = (uint64_t)((double)w * ((double)g->tt[e] / (double)base) + 0.5);
		if (self > w)
			self = w;
		rc = split(b, g->out + g->out_at[e], g->out_at[e + 1] - g->out_at[e], 0, w - self, &nc);
		if (rc < 0)
			return rc;
		if (!nc)
			self = w;
		f->self = self;
		return add_children(b, g, fi, nc, 0);
	}
	/* inverted: all of the weight goes to the callers; a top frame
	 * (depth 1 under its group) splits by the edges' own internal time */
	uint32_t top = t->frames[f->parent].key == PV_FRAME_ROOT ||
		       t->frames[f->parent].key == PV_FRAME_GROUP;
	rc = split(b, g->in + g->in_at[e], g->in_at[e + 1] - g->in_at[e], top, w, &nc);
	if (rc < 0)
		return rc;
	f->self = nc ? 0 : w;
	return add_children(b, g, fi, nc, !top && g->nin[e] > 1);
}

/* Children of a root or group frame p: the graph's roots (top-down) or
 * every function by self time (inverted). */
static int seed(builder *b, graph *g, uint32_t p)
{
	size_t n = b->inverted ? g->n : g->nroots, k = 0;
	if (pv_grow(&b->cands, &b->capc, n + 1, sizeof(*b->cands)) < 0)
		return PV_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		uint32_t e = b->inverted ? (uint32_t)i : g->roots[i];
		uint64_t w = b->inverted ? g->tt[e] : g->rootw[i];
		b->cands[k++] = (cand){.entry = e, .w = w, .calls = g->ncd[e]};
	}
	return add_children(b, g, p, k, 0);
}

static int walk(builder *b, graph *g)
{
	pv_tree *t = b->t;
	while (b->nstk) {
		item it = b->stk[--b->nstk];
		uint32_t e = (uint32_t)pv_stats_find(g->st, t->frames[it.frame].key);
		if (it.post) {
			g->onpath[e]--;
			continue;
		}
		b->pend--;
		g->onpath[e]++;
		if (push(b, it.frame, 1) < 0)
			return PV_ENOMEM;
		int rc = expand(b, g, it.frame);
		if (rc)
			return rc;
	}
	return 0;
}

static uint64_t sum_children(const pv_tree *t, uint32_t p)
{
	uint64_t s = 0;
	for (uint32_t c = t->frames[p].first_child; c != PV_NOFRAME; c = t->frames[c].next_sibling)
		s += t->frames[c].weight;
	return s;
}

/* One attempt at the whole tree with threshold b->thr: 0, ABORT_CAP,
 * ABORT_NOCAP or PV_ENOMEM. */
static int build(builder *b, graph *gs, size_t ng, int groups)
{
	pv_tree *t = b->t;
	t->nframes = 0;
	t->nmerged = 0;
	b->nstk = b->pend = 0;
	int rc = new_frame(b, PV_NOFRAME, PV_FRAME_ROOT, 0, 0, 0);
	if (rc < 0)
		return rc;
	if (groups) { /* the group frames first, so that they are siblings */
		for (size_t i = 0; i < ng; i++) {
			if (new_frame(b, 0, PV_FRAME_GROUP, (uint32_t)i, 0, 0) < 0)
				return PV_ENOMEM;
			if (i == 0)
				t->frames[0].first_child = 1;
			else
				t->frames[i].next_sibling = (uint32_t)(i + 1);
		}
	}
	for (size_t i = 0; i < ng; i++) {
		graph *g = &gs[i];
		uint32_t p = groups ? 1 + (uint32_t)i : 0;
		memset(g->onpath, 0, g->n * sizeof(*g->onpath));
		if ((rc = seed(b, g, p)) != 0 || (rc = walk(b, g)) != 0)
			return rc;
		t->frames[p].weight = t->frames[p].self + sum_children(t, p);
	}
	if (groups)
		t->frames[0].weight = t->frames[0].self + sum_children(t, 0);
	return 0;
}

/* --match: keep the frames at or below a matching frame and their
 * ancestors; an ancestor keeps only the kept children's weight. */
static int apply_match(pv_tree *t, graph *gs)
{
	size_t n = t->nframes;
	uint8_t *in = pv_calloc(n + 1, 1), *keep = pv_calloc(n + 1, 1);
	uint32_t *map = pv_malloc((n + 1) * sizeof(*map)), *last = NULL;
	int rc = PV_ENOMEM;
	if (!in || !keep || !map)
		goto out;
	for (size_t i = 1; i < n; i++) {
		pv_frame *f = &t->frames[i];
		in[i] = in[f->parent];
		if (!in[i] && f->key < PV_FRAME_GROUP) {
			graph *g = &gs[f->group];
			in[i] = g->hit[pv_stats_find(g->st, f->key)];
		}
	}
	for (size_t i = n; i-- > 0;) {
		pv_frame *f = &t->frames[i];
		if (in[i] || i == 0)
			keep[i] = 1;
		if (keep[i] && i) {
			keep[f->parent] = 1;
			if (!in[f->parent]) /* parents come first: still to be summed */
				t->frames[f->parent].weight = 0, t->frames[f->parent].self = 0;
		}
	}
	/* the weights of the ancestors that are not inside, bottom-up */
	for (size_t i = 0; i < n; i++)
		if (keep[i] && !in[i])
			t->frames[i].weight = 0, t->frames[i].self = 0;
	for (size_t i = n; i-- > 1;)
		if (keep[i])
			t->frames[t->frames[i].parent].weight += in[t->frames[i].parent] ? 0 : t->frames[i].weight;
	size_t k = 0;
	last = pv_malloc((n + 1) * sizeof(*last));
	if (!last)
		goto out;
	for (size_t i = 0; i < n; i++) {
		if (!keep[i])
			continue;
		pv_frame f = t->frames[i];
		map[i] = (uint32_t)k;
		last[k] = PV_NOFRAME;
		f.first_child = f.next_sibling = PV_NOFRAME;
		if (i) {
			uint32_t p = map[f.parent];
			f.parent = p;
			if (last[p] == PV_NOFRAME)
				t->frames[p].first_child = (uint32_t)k;
			else
				t->frames[last[p]].next_sibling = (uint32_t)k;
			last[p] = (uint32_t)k;
		}
		t->frames[k++] = f;
	}
	t->nframes = k;
	rc = 0;
out:
	free(in);
	free(keep);
	free(map);
	free(last);
	return rc;
}

static int tree_make(pv_tree **out, pv_stats *const *sts, const char *const *names, size_t ng,
		     int groups, const pv_tree_opts *o, pv_ctx *ctx)
{
	static const pv_tree_opts defaults = {.min_share = -1};
	if (!o)
		o = &defaults;
	*out = NULL;
	if (!(o->min_share < 1) || isnan(o->min_share))
		return pv_fail(ctx, PV_EARG, PV_NOOFF,
			       "the minimum share must be below 1 (100%%), not %g", o->min_share);
	builder b = {.max_depth = o->max_depth, .max_frames = o->max_frames, .inverted = o->inverted, .tick = o->tick_ns ? o->tick_ns : 1000};
	if (b.max_frames && b.max_frames < 2 + ng)
		b.max_frames = 2 + ng;
	graph *gs = pv_calloc(ng ? ng : 1, sizeof(*gs));
	pv_tree *t = b.t = calloc(1, sizeof(*t));
	int rc = PV_ENOMEM;
	if (!gs || !t)
		goto out;
	t->tick_ns = b.tick;
	t->inverted = o->inverted;
	t->ngroups = ng;
	t->stats = malloc((ng ? ng : 1) * sizeof(*t->stats));
	if (!t->stats)
		goto out;
	if (groups && !(t->group_names = calloc(ng ? ng : 1, sizeof(*t->group_names))))
		goto out;
	uint64_t total = 0;
	for (size_t i = 0; i < ng; i++) {
		t->stats[i] = sts[i];
		if (groups && !(t->group_names[i] = strdup(names[i] ? names[i] : "")))
			goto out;
		if ((rc = graph_build(&gs[i], sts[i], o, b.tick, ctx)) < 0)
			goto out;
		total += gs[i].total;
		t->profile_total += ticks(pv_stats_total_tt(sts[i]), b.tick);
	}
	double share = o->min_share < 0 ? PV_TREE_MIN_SHARE : o->min_share;
	for (int tries = 0;; tries++) {
		b.thr = share * (double)total;
		rc = build(&b, gs, ng, groups);
		if (rc != ABORT_CAP)
			break;
		/* too many frames: a coarser tree, then a cut one */
		share = share > 0 ? share * 4 : 1e-6;
		if (share >= 1 || tries > 12) {
			b.hard = 1;
			share = share < 1 ? share : 0.5;
		}
	}
	if (rc == ABORT_NOCAP)
		rc = pv_fail(ctx, PV_ELIMIT, PV_NOOFF,
			     "the call tree passes %d frames with no frame cap (cycles make an uncapped "
			     "tree grow as the cube of their length): give --max-frames N, --max-depth N "
			     "or --min-share P",
			     PV_TREE_FRAMES_NOCAP);
	if (rc < 0)
		goto out;
	t->min_share = share;
	if (o->match && (rc = apply_match(t, gs)) < 0)
		goto out;
	if (o->exact && (rc = pv_tree_fit(t)) < 0)
		goto out;
	t->total = t->frames[0].weight;
	for (size_t i = 0; i < t->nframes; i++)
		if (t->frames[i].flags & PV_FRAME_ESTIMATED)
			t->estimated += t->frames[i].self;
	rc = 0;
out:
	for (size_t i = 0; gs && i < ng; i++)
		graph_free(&gs[i]);
	free(gs);
	free(b.stk);
	free(b.cands);
	if (rc < 0) {
		pv_tree_free(t);
		/* other codes come with their message set where they arose */
		return rc == PV_ENOMEM ? pv_fail(ctx, rc, PV_NOOFF, "out of memory") : rc;
	}
	*out = t;
	return 0;
}

int pv_tree_build(pv_tree **out, pv_stats *st, const pv_tree_opts *o, pv_ctx *ctx)
{
	return tree_make(out, &st, NULL, 1, 0, o, ctx);
}

int pv_tree_build_groups(pv_tree **out, pv_stats *const *sts, const char *const *names,
			 size_t n, const pv_tree_opts *o, pv_ctx *ctx)
{
	return tree_make(out, sts, names, n, 1, o, ctx);
}

void pv_tree_free(pv_tree *t)
{
	if (!t)
		return;
	for (size_t i = 0; t->group_names && i < t->ngroups; i++)
		free(t->group_names[i]);
	free(t->group_names);
	free(t->stats);
	free(t->frames);
	free(t);
}

pv_stats *pv_tree_stats(const pv_tree *t, size_t i)
{
	return t->ngroups ? t->stats[t->frames[i].group] : NULL;
}

const char *pv_tree_name(const pv_tree *t, size_t i, char *buf, size_t *len)
{
	const pv_frame *f = &t->frames[i];
	const char *s;
	switch (f->key) {
	case PV_FRAME_ROOT:
		s = "all";
		break;
	case PV_FRAME_GROUP:
		s = t->group_names ? t->group_names[f->group] : "";
		break;
	case PV_FRAME_SMALLER:
		*len = (size_t)snprintf(buf, PV_TREE_NAME_MAX, "[%u smaller]", f->nmerged);
		return buf;
	default:
		return pv_stats_display(t->stats[f->group], f->key, len);
	}
	*len = strlen(s);
	return s;
}
