/*
 * tree.c - the call tree behind the flame graphs (pv.h says what it
 * estimates and how).
 *
 * Per model, a call graph (callgraph.c) gives the callees and callers of
 * every entry, the recursive functions and the roots; from the roots a
 * depth-first walk with an explicit stack grows the frames, so the depth
 * of the data never reaches the C stack.
 * --match is a pass over the finished frames (parents come before their
 * children in the array).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "callgraph.h"

#define ABORT_CAP 1   /* build(): the frame cap was passed (soft mode) */
#define ABORT_NOCAP 2 /* no frame cap and PV_TREE_FRAMES_NOCAP passed */

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
		if ((rc = pv_graph_build(&gs[i], sts[i], o, b.tick, ctx)) < 0)
			goto out;
		total += gs[i].total;
		t->profile_total += pv_ticks(pv_stats_total_tt(sts[i]), b.tick);
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
		pv_graph_free(&gs[i]);
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
