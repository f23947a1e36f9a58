/*
 * html.c - one self-contained HTML page: the model and its views as JSON
 * inside the page that formats/html/ holds (style, script, template, put
 * together at build time by formats/html/embed.sh).  The page needs no
 * server and no network; its Content-Security-Policy forbids every fetch.
 *
 * The data, in <script type="application/json" id="pv-data">:
 *
 *   {"schema": 1,
 *    "header": {"read": S, "profiles": N, "endpoints": N, "from": T, "to": T,
 *               "calls": N, "prim_calls": N, "time": F, "estimated": F,
 *               "skipped": [S]},
 *    "files": [S],                       every file name, in full (short
 *                                        with --short-paths)
 *    "funcs": [[display, file, line]],   display as the report shows it
 *                                        (short paths); file indexes "files"
 *    "scopes": [{"name": S, "profiles": N, "time": F, "calls": N,
 *                "rows":  [fid, cc, nc, tt, ct, ...],        5 per function
 *                "edges": [caller, callee, nc, cc, tt, ct, ...], 6 per edge
 *                "tree": TREE, "inv": TREE}],        scope 0: everything read
 *    "endpoints": [{"name", "scope" (-1: none), "profiles", "total", "mean", "p50",
 *                   "p95", "max", "calls", "top": fid, "durations": [F]}],
 *    "diff": null | {"base": S, "cur": S, "nbase", "ncur", "before", "after",
 *             "adj_b", "adj_c", "adjusted", "unadjusted", "mix", "threshold",
 *             "alpha", "one_group", "verdicts": [S],
 *             "endpoints": [{"name", "verdict" (index), "nb", "nc", "p50_b",
 *                            "p50_c", "p95_b", "p95_c", "mean_b", "mean_c",
 *                            "shift", "p", "nfn", "nchanged",
 *                            "fns": [fid, verdict, tt_b, tt_c, p, ...]}],
 *             "flame": TREE + "before", "after" (self ns per request),
 *                      "matched" (0: new, or gone with base widths) per
 *                      frame, or null: widths from the set "widths" names,
 *             "flame_other": the same with the other set's widths,
 *             "widths": "current" | "base" (--diff-widths: the one shown
 *                       first; the page toggles)}}
 *
 *   TREE = {"fn": [fid or -(label+1)], "parent": [i], "w": [F], "self": [F],
 *           "flags": [1 estimated | 2 recursion folded | 4 merged],
 *           "labels": [S]}                  frames parent first, or null
 *
 * Times are integer nanoseconds, rounded (NaN and infinities as null);
 * tree weights are integer ticks of "tick" seconds.  Every string is escaped for a <script> element
 * (jw_str's JW_HTML, formats/jsonw.h): besides JSON's own escapes, <, >, &
 * and U+2028/U+2029 are written as \uXXXX, so no name can end the element
 * or be read as markup; the page shows names with textContent only.
 */
#include <math.h>
#include <string.h>

#include "flamediff.h"
#include "html_page.h"
#include "jsonw.h"
#include "writer.h"

/* Frames per tree, as -f svg has by default, so that the page's tree of
 * everything read is the SVG's (with the default minimum share, 0.1% of
 * the total, a tree rarely comes near); it bounds a page with many
 * endpoints. */
#define PV_HTML_MAX_FRAMES 5000

/* Endpoints with a scope of their own (their models, tables and trees in
 * the page): the heaviest, by total request time.  Each costs about 30 KB
 * for a small Flask endpoint; the others stay in the endpoints table. */
#define PV_HTML_MAX_SCOPES 100

/* A function of the page: a key of the main model, or of another model
 * (the diff's base) when the main one does not have it. */
struct fkey {
	pv_stats *st;
	uint32_t key;
};

/* The writer's state. */
struct hw {
	pv_out *o;
	pv_stats *st; /* the main model */
	int32_t *fid; /* main key id -> function id, -1 = none yet */
	size_t capfid;
	struct fkey *fkeys; /* function id -> its key */
	size_t nf, capf;
	pv_stats *src;   /* the model being written (main, an endpoint's, the base) */
	pv_stats *xlsrc; /* the model xl is for */
	uint32_t *xl;    /* xlsrc key id -> function id + 1, 0 = not looked up */
	size_t capxl;
	pv_map files;    /* file string id -> index in "files" + 1 */
	uint32_t *fstrs; /* index in "files" -> file string id */
	size_t nfiles, capfiles;
	int short_files;  /* --short-paths: hover shows the short name too */
	int32_t *scope;   /* group index -> scope index, or -1 (no scope of its own) */
	double estimated; /* share of scope 0's flame graph that is estimated */
	int nscopes;
	int oom;
};

/* ---- JSON ------------------------------------------------------------ */

/* A time as integer nanoseconds: the page shows three digits, and the
 * shortest exact form of a double costs ten times more to write. */
static void j_ns(pv_out *o, double x)
{
	if (!isfinite(x)) {
		out_s(o, "null");
		return;
	}
	double ns = x * 1e9;
	if (ns > -9e18 && ns < 9e18)
		out_i64(o, (int64_t)(ns < 0 ? ns - 0.5 : ns + 0.5));
	else
		jw_double(o, ns);
}

static void j_num(pv_out *o, pv_num v)
{
	j_ns(o, pv_num_to_double(v));
}

/* ---- function ids ---------------------------------------------------- */

static int32_t new_fid(struct hw *h, pv_stats *st, uint32_t key)
{
	if (pv_grow(&h->fkeys, &h->capf, h->nf + 1, sizeof(*h->fkeys)) < 0) {
		h->oom = 1;
		return -1;
	}
	h->fkeys[h->nf].st = st;
	h->fkeys[h->nf].key = key;
	return (int32_t)h->nf++;
}

/* The function id of key `key` of the main model, given on first use. */
static int32_t fid_of(struct hw *h, uint32_t key)
{
	if (key >= h->capfid) {
		size_t old = h->capfid;
		if (pv_grow(&h->fid, &h->capfid, (size_t)key + 1, sizeof(*h->fid)) < 0) {
			h->oom = 1;
			return -1;
		}
		memset(h->fid + old, 0xff, (h->capfid - old) * sizeof(*h->fid));
	}
	if (h->fid[key] < 0)
		h->fid[key] = new_fid(h, h->st, key);
	return h->fid[key];
}

/* Write from model `src` next: its keys are matched to the main model's by
 * (file, line, name), as every model made from the same profiles is. */
static void set_src(struct hw *h, pv_stats *src)
{
	h->src = src;
	size_t n = pv_stats_nkeys(src);
	if (src == h->st || src == h->xlsrc)
		return;
	if (pv_grow(&h->xl, &h->capxl, n ? n : 1, sizeof(*h->xl)) < 0) {
		h->oom = 1;
		h->src = h->st;
		return;
	}
	memset(h->xl, 0, h->capxl * sizeof(*h->xl));
	h->xlsrc = src;
}

/* The function id of key `key` of the model being written. */
static int32_t fid_src(struct hw *h, uint32_t key)
{
	if (h->src == h->st)
		return fid_of(h, key);
	if (key >= h->capxl)
		return -1;
	if (h->xl[key])
		return (int32_t)h->xl[key] - 1;
	const pv_key *k = pv_stats_key(h->src, key);
	size_t fl, nl;
	const char *f = pv_stats_str(h->src, k->file, &fl), *n = pv_stats_str(h->src, k->name, &nl);
	long m = pv_stats_lookup_key(h->st, f, fl, k->line, n, nl);
	int32_t id = m >= 0 ? fid_of(h, (uint32_t)m) : new_fid(h, h->src, key);
	if (id >= 0)
		h->xl[key] = (uint32_t)id + 1;
	return id;
}

static void w_fid(struct hw *h, uint32_t key)
{
	out_i64(h->o, fid_src(h, key));
}

static size_t file_of(struct hw *h, uint32_t str)
{
	uint32_t v = pv_map_get(&h->files, str);
	if (v)
		return v - 1;
	if (pv_grow(&h->fstrs, &h->capfiles, h->nfiles + 1, sizeof(*h->fstrs)) < 0 ||
	    pv_map_put(&h->files, str, (uint32_t)h->nfiles + 1) < 0) {
		h->oom = 1;
		return 0;
	}
	h->fstrs[h->nfiles] = str;
	return h->nfiles++;
}

/* "funcs" and "files", once every scope has named its functions */
static void w_funcs(struct hw *h)
{
	pv_out *o = h->o;
	out_s(o, ",\n\"funcs\":[");
	for (size_t i = 0; i < h->nf; i++) {
		pv_stats *st = h->fkeys[i].st;
		const pv_key *k = pv_stats_key(st, h->fkeys[i].key);
		size_t n;
		const char *s = pv_stats_display(st, h->fkeys[i].key, &n);
		if (!s) {
			h->oom = 1;
			return;
		}
		if (st != h->st) { /* the file by its text in the main model */
			size_t fl;
			const char *f = pv_stats_str(st, k->file, &fl);
			uint32_t id;
			if (pv_stats_intern_str(h->st, f, fl, &id) < 0) {
				h->oom = 1;
				return;
			}
			out_s(o, i ? ",\n[" : "[");
			jw_str(o, s, n, JW_HTML);
			out_c(o, ',');
			out_u64(o, file_of(h, id));
			out_c(o, ',');
			out_i64(o, k->line);
			out_c(o, ']');
			continue;
		}
		out_s(o, i ? ",\n[" : "[");
		jw_str(o, s, n, JW_HTML);
		out_c(o, ',');
		out_u64(o, file_of(h, k->file));
		out_c(o, ',');
		out_i64(o, k->line);
		out_c(o, ']');
	}
	out_s(o, "],\n\"files\":[");
	for (size_t i = 0; i < h->nfiles; i++) {
		size_t n;
		uint32_t id = h->short_files ? pv_stats_shown_file(h->st, h->fstrs[i]) : h->fstrs[i];
		const char *s = pv_stats_str(h->st, id, &n);
		if (i)
			out_c(o, ',');
		jw_str(o, s, n, JW_HTML);
	}
	out_c(o, ']');
}

/* ---- scopes ---------------------------------------------------------- */

/* A tree: frames in depth-first order (parent first, siblings in the
 * tree's order: heaviest first, merged last), weights in ticks. */
static void w_tree(struct hw *h, const pv_tree *t, const flame_diff *fd, int cur)
{
	pv_out *o = h->o;
	size_t n = t->nframes;
	uint32_t *ord = pv_malloc((n ? n : 1) * sizeof(*ord)), *at = pv_malloc((n ? n : 1) * sizeof(*at));
	if (!ord || !at || !n) {
		h->oom |= n && (!ord || !at);
		free(ord);
		free(at);
		out_s(o, "null");
		return;
	}
	size_t k = 0;
	for (uint32_t i = 0; i != PV_NOFRAME;) { /* preorder without a stack */
		at[i] = (uint32_t)k;
		ord[k++] = i;
		const pv_frame *f = &t->frames[i];
		if (f->first_child != PV_NOFRAME) {
			i = f->first_child;
			continue;
		}
		while (i != PV_NOFRAME && t->frames[i].next_sibling == PV_NOFRAME)
			i = t->frames[i].parent;
		if (i != PV_NOFRAME)
			i = t->frames[i].next_sibling;
	}
	out_s(o, "{\"tick\":");
	jw_double(o, (double)t->tick_ns * 1e-9);
	out_s(o, ",\"estimated\":");
	out_u64(o, t->estimated);
	out_s(o, ",\n\"fn\":[");
	size_t nlabels = 0;
	for (size_t j = 0; j < k; j++) {
		const pv_frame *f = &t->frames[ord[j]];
		if (j)
			out_c(o, ',');
		if (f->key >= PV_FRAME_GROUP) { /* root, group, "[N smaller]" */
			out_i64(o, -(int64_t)++nlabels);
		} else {
			if (pv_tree_stats(t, ord[j]) != h->src)
				set_src(h, pv_tree_stats(t, ord[j]));
			w_fid(h, f->key);
		}
	}
	out_s(o, "],\n\"labels\":[");
	nlabels = 0;
	for (size_t j = 0; j < k; j++) {
		const pv_frame *f = &t->frames[ord[j]];
		if (f->key < PV_FRAME_GROUP)
			continue;
		char buf[PV_TREE_NAME_MAX];
		size_t len = 0;
		const char *s = pv_tree_name(t, ord[j], buf, &len);
		if (nlabels++)
			out_c(o, ',');
		jw_str(o, s ? s : "", s ? len : 0, JW_HTML);
	}
	out_s(o, "],\n\"parent\":[");
	for (size_t j = 0; j < k; j++) {
		if (j)
			out_c(o, ',');
		uint32_t p = t->frames[ord[j]].parent;
		out_i64(o, p == PV_NOFRAME ? -1 : (int64_t)at[p]);
	}
	out_s(o, "],\n\"w\":[");
	for (size_t j = 0; j < k; j++) {
		if (j)
			out_c(o, ',');
		out_u64(o, t->frames[ord[j]].weight);
	}
	out_s(o, "],\n\"self\":[");
	for (size_t j = 0; j < k; j++) {
		if (j)
			out_c(o, ',');
		out_u64(o, t->frames[ord[j]].self);
	}
	out_s(o, "],\n\"flags\":[");
	for (size_t j = 0; j < k; j++) {
		if (j)
			out_c(o, ',');
		out_u64(o, t->frames[ord[j]].flags);
	}
	out_s(o, "],\n\"calls\":[");
	for (size_t j = 0; j < k; j++) {
		double c = t->frames[ord[j]].calls;
		if (j)
			out_c(o, ',');
		if (c < 0)
			out_s(o, "null");
		else
			out_u64(o, (uint64_t)(c + 0.5));
	}
	if (fd) { /* the differential graph: self per request before and after, in ns */
		for (int side = 0; side < 3; side++) {
			out_s(o, side == 0 ? "],\n\"before\":[" : side == 1 ? "],\n\"after\":["
									    : "],\n\"matched\":[");
			for (size_t j = 0; j < k; j++) {
				uint32_t i = ord[j];
				if (j)
					out_c(o, ',');
				if (side == 2)
					out_c(o, fd->match[i] == PV_NOFRAME ? '0' : '1');
				else
					j_ns(o, ((side == 0) == cur ? fd->other[i] : fd->self[i]) * 1e-6);
			}
		}
	}
	out_s(o, "]}");
	free(ord);
	free(at);
}

/* The flame graph and the bottom-up tree of one scope: of its model, or
 * for everything read, when the names carry requests, the tree -f svg
 * draws by default: one frame per endpoint under the root. */
static void w_trees(struct hw *h, pv_stats *st, const pv_groups *g, pv_ctx *ctx)
{
	pv_out *o = h->o;
	pv_tree_opts topts = {.min_share = -1, .max_frames = PV_HTML_MAX_FRAMES};
	pv_tree *t = NULL;
	pv_stats **sts = NULL;
	const char **names = NULL;
	size_t ng = 0;
	if (g && pv_groups_count(g) && pv_groups_order(g, &sts, &names, &ng) < 0)
		h->oom = 1;
	for (int inv = 0; inv < 2; inv++) {
		out_s(o, inv ? ",\n\"inv\":" : ",\n\"tree\":");
		topts.inverted = inv;
		const pv_tree *use = NULL;
		int rc = ng ? pv_tree_build_groups(&t, sts, names, ng, &topts, ctx)
			    : pv_tree_build(&t, st, &topts, ctx);
		if (rc == 0)
			use = t;
		else if (ctx->code == PV_ENOMEM)
			h->oom = 1;
		if (use)
			w_tree(h, use, NULL, 1);
		else
			out_s(o, "null");
		if (!inv && use) {
			double share = use->total ? (double)use->estimated / (double)use->total : 0;
			out_s(o, ",\"estimated\":");
			jw_double(o, share);
			if (!h->nscopes)
				h->estimated = share;
		}
		pv_tree_free(t);
		t = NULL;
	}
	free(sts);
	free(names);
}

/* One scope: the functions of `rows` (entry indices of st, or every entry
 * when rows is NULL), every caller edge of theirs, and its trees. */
static void w_scope(struct hw *h, const char *name, size_t profiles, pv_stats *st,
		    const uint32_t *rows, size_t nrows, const pv_groups *g, pv_ctx *ctx)
{
	pv_out *o = h->o;
	set_src(h, st);
	if (!rows)
		nrows = pv_stats_nentries(st);
	out_s(o, "{\"name\":");
	jw_cstr(o, name, JW_HTML);
	out_s(o, ",\"profiles\":");
	out_u64(o, profiles);
	out_s(o, ",\"time\":");
	j_num(o, pv_stats_total_tt(st));
	out_s(o, ",\"calls\":");
	jw_int(o, pv_stats_total_calls(st));
	out_s(o, ",\n\"rows\":[");
	for (size_t i = 0; i < nrows; i++) {
		const pv_entry *e = pv_stats_entry(st, rows ? rows[i] : i);
		if (i)
			out_c(o, ',');
		w_fid(h, e->key);
		out_c(o, ',');
		jw_int(o, pv_entry_cc(e));
		out_c(o, ',');
		jw_int(o, pv_entry_nc(e));
		out_c(o, ',');
		j_num(o, pv_entry_tt(e));
		out_c(o, ',');
		j_num(o, pv_entry_ct(e));
	}
	out_s(o, "],\n\"edges\":[");
	int first = 1;
	for (size_t i = 0; i < nrows; i++) {
		const pv_entry *e = pv_stats_entry(st, rows ? rows[i] : i);
		for (uint32_t x = e->first_edge; x; x = pv_stats_edge(st, x)->next) {
			const pv_edge *ed = pv_stats_edge(st, x);
			if (!first)
				out_c(o, ',');
			first = 0;
			w_fid(h, ed->caller);
			out_c(o, ',');
			w_fid(h, e->key);
			out_c(o, ',');
			jw_int(o, pv_edge_nc(ed));
			out_c(o, ',');
			if (ed->is_tuple) {
				jw_int(o, pv_edge_cc(ed));
				out_c(o, ',');
				j_num(o, pv_edge_tt(ed));
				out_c(o, ',');
				j_num(o, pv_edge_ct(ed));
			} else { /* the profile module keeps only a count */
				jw_int(o, pv_edge_nc(ed));
				out_s(o, ",null,null");
			}
		}
	}
	out_c(o, ']');
	w_trees(h, st, g, ctx);
	out_c(o, '}');
	h->nscopes++;
}

/* ---- endpoints -------------------------------------------------------- */

/* One row per endpoint of the requests view: its numbers, its scope (1 +
 * its group's index) and its requests' durations, for the histograms. */
static void w_endpoints(struct hw *h, const pv_views *v)
{
	pv_out *o = h->o;
	const pv_reqview *rv = v->requests;
	for (size_t i = 0; rv && v->groups && i < rv->nrows; i++) {
		const pv_reqrow *q = &rv->rows[i];
		size_t n;
		const pv_reqinfo *r = pv_groups_requests(v->groups, q->group, &n);
		out_s(o, i ? ",\n{\"name\":" : "{\"name\":");
		jw_cstr(o, q->endpoint, JW_HTML);
		out_s(o, ",\"scope\":");
		out_i64(o, h->scope[q->group]);
		out_s(o, ",\"profiles\":");
		out_u64(o, q->profiles);
		out_s(o, ",\"total\":");
		j_ns(o, q->total);
		out_s(o, ",\"mean\":");
		j_ns(o, q->mean);
		out_s(o, ",\"p50\":");
		j_ns(o, q->p50);
		out_s(o, ",\"p95\":");
		j_ns(o, q->p95);
		out_s(o, ",\"max\":");
		j_ns(o, q->max);
		out_s(o, ",\"calls\":");
		jw_int(o, q->calls);
		out_s(o, ",\"top\":");
		if (q->ntop) {
			set_src(h, pv_groups_stats(v->groups, q->group));
			w_fid(h, q->top[0]);
		} else {
			out_s(o, "-1");
		}
		out_s(o, ",\"durations\":[");
		for (size_t k = 0; k < n; k++) {
			if (k)
				out_c(o, ',');
			j_ns(o, r[k].duration);
		}
		out_s(o, "]}");
	}
}

/* ---- the diff -------------------------------------------------------- */

/* The differential flame graph with the widths of the current set (cur)
 * or of the base: that set's tree, each frame's self time per request
 * before and after, matched as -f svg --diff matches them
 * (formats/flamediff.c); null without the trees. */
static void w_diff_flame(struct hw *h, const pv_views *v, int cur)
{
	const pv_tree *t = cur ? v->tree : v->base_tree, *other = cur ? v->base_tree : v->tree;
	flame_diff fd = {0};
	if (t && other && flame_diff_build(&fd, t, other) == 0)
		w_tree(h, t, &fd, cur);
	else
		out_s(h->o, "null");
	h->oom |= t && other && !fd.match;
	flame_diff_free(&fd);
}

/* The per-endpoint comparison of the text and JSON outputs (pv_epdiff):
 * the overall figures, then per endpoint its verdict, request times before
 * and after, p, and the functions the text lists (by the same rule), each
 * as [fid, verdict, tt before, tt after, p] (verdicts index "verdicts");
 * and the differential flame graph twice, with the widths of each set (the
 * trees by endpoint when the names carry requests): the page toggles
 * between them. */
static void w_diff(struct hw *h, const pv_views *v, const pv_write_opts *opts, pv_ctx *ctx)
{
	pv_out *o = h->o;
	const pv_diffview *dv = v->diff;
	const pv_epdiff *d = v->epdiff;
	if (!dv || !d) {
		out_s(o, "null");
		return;
	}
	out_s(o, "{\"base\":");
	jw_cstr(o, opts->base_summary ? opts->base_summary : "", JW_HTML);
	out_s(o, ",\"cur\":");
	jw_cstr(o, opts->summary ? opts->summary : "", JW_HTML);
	out_s(o, ",\"nbase\":");
	out_u64(o, d->nb);
	out_s(o, ",\"ncur\":");
	out_u64(o, d->nc);
	out_s(o, ",\"before\":");
	j_ns(o, d->mean_b);
	out_s(o, ",\"after\":");
	j_ns(o, d->mean_c);
	out_s(o, ",\"adj_b\":");
	j_ns(o, d->adj_b);
	out_s(o, ",\"adj_c\":");
	j_ns(o, d->adj_c);
	out_s(o, ",\"adjusted\":");
	jw_double(o, d->adjusted);
	out_s(o, ",\"unadjusted\":");
	jw_double(o, d->unadjusted);
	out_s(o, ",\"mix\":");
	jw_double(o, d->mix);
	out_s(o, ",\"threshold\":");
	jw_double(o, d->threshold);
	out_s(o, ",\"alpha\":");
	jw_double(o, d->alpha);
	out_s(o, ",\"one_group\":");
	out_c(o, d->one_group ? '1' : '0');
	out_s(o, ",\"verdicts\":[");
	for (int k = 0; k <= PV_V_GONE; k++) {
		if (k)
			out_c(o, ',');
		jw_cstr(o, pv_verdict_names[k], JW_HTML);
	}
	out_s(o, "],\n\"endpoints\":[");
	for (size_t i = 0; i < d->n; i++) {
		const pv_eprow *r = &d->rows[i];
		out_s(o, i ? ",\n{\"name\":" : "{\"name\":");
		jw_cstr(o, r->endpoint, JW_HTML);
		out_s(o, ",\"verdict\":");
		out_i64(o, r->verdict);
		out_s(o, ",\"nb\":");
		out_u64(o, r->nb);
		out_s(o, ",\"nc\":");
		out_u64(o, r->nc);
		const double t[] = {r->p50_b, r->p50_c, r->p95_b, r->p95_c, r->mean_b, r->mean_c};
		static const char *const tn[] = {"p50_b", "p50_c", "p95_b", "p95_c", "mean_b", "mean_c"};
		for (size_t k = 0; k < 6; k++) {
			out_s(o, ",\"");
			out_s(o, tn[k]);
			out_s(o, "\":");
			j_ns(o, (k & 1 ? r->nc : r->nb) ? t[k] : NAN);
		}
		out_s(o, ",\"shift\":");
		j_ns(o, r->nb && r->nc ? r->shift : NAN);
		out_s(o, ",\"p\":");
		jw_double(o, r->p);
		out_s(o, ",\"nfn\":");
		out_u64(o, r->nfn);
		out_s(o, ",\"nchanged\":");
		out_u64(o, r->nchanged);
		out_s(o, ",\"fns\":[");
		int first = 1;
		for (size_t j = 0; j < r->nfn; j++) {
			const pv_epfunc *f = &r->fn[j];
			if (j >= r->shown && (d->limited || f->verdict == PV_V_UNCHANGED))
				continue;
			if (!first)
				out_c(o, ',');
			first = 0;
			set_src(h, f->from);
			w_fid(h, f->key);
			out_c(o, ',');
			out_i64(o, f->verdict);
			out_c(o, ',');
			j_ns(o, f->in_base ? f->tt_b : NAN);
			out_c(o, ',');
			j_ns(o, f->in_cur ? f->tt_c : NAN);
			out_c(o, ',');
			jw_double(o, f->p);
		}
		out_s(o, "]}");
	}
	/* widths from the current set, or with --diff-widths base from the
	 * base's, so that code the change removed stays visible; the other
	 * set's too, for the page's toggle */
	int cur = !opts->diff_base_widths;
	out_s(o, "],\n\"flame\":");
	w_diff_flame(h, v, cur);
	out_s(o, ",\n\"flame_other\":");
	w_diff_flame(h, v, !cur);
	out_s(o, ",\"widths\":");
	jw_cstr(o, cur ? "current" : "base", JW_HTML);
	(void)ctx;
	out_c(o, '}');
}

/* ---- the page -------------------------------------------------------- */

/* Text for the <title> element (RCDATA: & and < are all that matter). */
static void w_title(pv_out *o, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': out_s(o, "&amp;"); break;
		case '<': out_s(o, "&lt;"); break;
		case '>': out_s(o, "&gt;"); break;
		default: out_c(o, *s);
		}
	}
}

static void w_header(struct hw *h, const pv_views *v, const pv_write_opts *opts, double estimated)
{
	pv_out *o = h->o;
	out_s(o, "\"header\":{\"read\":");
	jw_cstr(o, opts->summary, JW_HTML);
	if (v->groups) {
		size_t n;
		const pv_reqinfo *r = pv_groups_requests(v->groups, PV_GROUPS_ALL, &n);
		double lo = NAN, hi = NAN;
		for (size_t i = 0; i < n; i++) {
			if (isnan(r[i].time))
				continue;
			if (isnan(lo) || r[i].time < lo)
				lo = r[i].time;
			if (isnan(hi) || r[i].time > hi)
				hi = r[i].time;
		}
		out_s(o, ",\"endpoints\":");
		out_u64(o, pv_groups_count(v->groups));
		out_s(o, ",\"from\":");
		jw_double(o, lo);
		out_s(o, ",\"to\":");
		jw_double(o, hi);
		out_s(o, ",\"unnamed\":");
		out_u64(o, pv_groups_unparsed(v->groups));
	}
	out_s(o, ",\"estimated\":");
	jw_double(o, estimated);
	out_s(o, ",\"profiles\":");
	out_u64(o, pv_stats_nprofiles(h->st));
	out_s(o, ",\"calls\":");
	jw_int(o, pv_stats_total_calls(h->st));
	out_s(o, ",\"prim_calls\":");
	jw_int(o, pv_stats_prim_calls(h->st));
	out_s(o, ",\"time\":");
	j_num(o, pv_stats_total_tt(h->st));
	out_s(o, ",\"skipped\":[");
	for (size_t i = 0; i < opts->nskipped; i++) {
		if (i)
			out_c(o, ',');
		jw_cstr(o, opts->skipped[i], JW_HTML);
	}
	out_s(o, "]}");
}

/* The marker `m` in the page (embed.sh checked that it is there once). */
static const char *marker(const char *m)
{
	size_t n = strlen(m);
	for (size_t i = 0; i + n <= sizeof(pv_html_page); i++)
		if (!memcmp(pv_html_page + i, m, n))
			return pv_html_page + i;
	return pv_html_page + sizeof(pv_html_page);
}

static int html_write(FILE *fp, const pv_views *v, pv_write_opts *opts, pv_ctx *ctx)
{
	pv_stats *st = v->st;
	const pv_view *view = v->view;
	const char *page = pv_html_page, *end = page + sizeof(pv_html_page);
	const char *title = marker("@TITLE@"), *data = marker("@DATA@");
	struct hw h = {.st = st, .estimated = NAN, .short_files = opts->short_paths};
	/* short names in the page (PV_W_SHORT_NAMES: the caller made them),
	 * the full file name on hover */
	if (!(h.o = out_open(fp)))
		return pv_fail(ctx, PV_ENOMEM, PV_NOOFF, "out of memory");
	pv_out *o = h.o;
	out_put(o, page, (size_t)(title - page));
	out_s(o, "profview: ");
	w_title(o, opts->summary ? opts->summary : "report");
	out_put(o, title + 7, (size_t)(data - title - 7));

	out_s(o, "{\"schema\":1,\n\"scopes\":[");
	w_scope(&h, "all profiles", pv_stats_nprofiles(st), st, view ? view->rows : NULL,
		view ? view->nrows : 0, v->groups, ctx);
	/* a scope for each of the heaviest endpoints (the requests view's
	 * order when it is by total time, else the groups') */
	size_t ng = v->groups ? pv_groups_count(v->groups) : 0, nscopes = 0;
	const pv_reqview *rv = v->requests;
	int by_total = rv && rv->sort == PV_RQ_TOTAL && rv->nrows == ng;
	if (ng && !(h.scope = malloc(ng * sizeof(*h.scope))))
		h.oom = 1;
	for (size_t i = 0; i < ng && h.scope; i++)
		h.scope[i] = -1;
	for (size_t k = 0; k < ng && h.scope && !h.oom && nscopes < PV_HTML_MAX_SCOPES; k++) {
		size_t i = by_total ? rv->rows[k].group : k, n;
		pv_groups_requests(v->groups, i, &n);
		out_s(o, ",\n");
		w_scope(&h, pv_groups_name(v->groups, i), n, pv_groups_stats(v->groups, i), NULL, 0,
			NULL, ctx);
		h.scope[i] = (int32_t)++nscopes;
	}
	out_s(o, "],\n\"endpoints\":[");
	w_endpoints(&h, v);
	out_s(o, "],\n\"diff\":");
	w_diff(&h, v, opts, ctx);
	out_s(o, ",\n");
	w_header(&h, v, opts, h.estimated);
	w_funcs(&h);
	out_s(o, "}");

	out_put(o, data + 6, (size_t)(end - data - 6));
	out_close(o);
	free(h.fid);
	free(h.fkeys);
	free(h.xl);
	free(h.scope);
	free(h.fstrs);
	pv_map_free(&h.files);
	return h.oom ? pv_fail(ctx, PV_ENOMEM, PV_NOOFF, "out of memory") : 0;
}

const pv_writer pv_writer_html = {
	.name = "html",
	.flags = PV_W_GROUPS | PV_W_OWN_ORDER | PV_W_SHORT_NAMES | PV_W_DIFF_TREE, /* the page sorts */
	.modes = PV_MODE_STATS | PV_MODE_DIFF,
	.help = "one self-contained HTML page (tables, flame graph, callers/callees)",
	.write = html_write,
};
