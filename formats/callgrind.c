/*
 * callgrind.c - export for KCachegrind / QCachegrind and callgrind_annotate,
 * following shared/spec/callgrind.md section 4.
 *
 *   self cost of F      = round(F.tt * 1e9) ns
 *   call P -> C         = calls=<edge nc>, cost round(edge ct * 1e9) ns
 *                         (profile-module int edges: C.ct * n / C.nc)
 *   summary: = totals:  = the sum of the self costs written
 *
 * One block per function (selected entries, and keys that only appear as
 * their callers), sorted by (file, line, name); names are compressed as
 * "(id) name" at first use; `cfi=` always precedes `cfn=`.  A function name
 * KCachegrind would merge with another (same name, same file basename) is
 * written "name:line", and "name:line [path]" if that still collides.
 */
#define _GNU_SOURCE /* qsort_r */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "writer.h"
#include "out.h"

struct fn {
	uint32_t key;
	long entry;      /* -1: appears only as a caller */
	uint32_t fileid; /* compression ids, 0 = not written yet */
	uint32_t fnid;
	int disamb;        /* 0 name, 1 name:line, 2 name:line [path] */
	uint32_t first, n; /* outgoing calls in calls[] */
};

struct call {
	uint32_t from, to; /* indices into fns */
	const pv_edge *edge;
};

struct cg {
	pv_stats *st;
	struct fn *fns;
	size_t nfns;
	long *fn_of_key;          /* key id -> index into fns, -1 */
	uint32_t *file_id_of_str; /* string id -> compression id, 0 = none */
	uint32_t nextfile, nextfn;
};

static const char *base(const char *s, size_t n, size_t *bn)
{
	size_t i = n;
	while (i > 0 && s[i - 1] != '/')
		i--;
	*bn = n - i;
	return s + i;
}

static const char *key_base(pv_stats *st, const pv_key *k, size_t *bn)
{
	size_t n;
	const char *s = pv_stats_str(st, pv_stats_shown_file(st, k->file), &n);
	return base(s, n, bn);
}

/* Sorts take 4-byte items (key ids, indices): glibc's qsort moves larger
 * ones with memcpy, which cost more than the comparisons. */
static int cmp_key_ids(const void *a, const void *b, void *st)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	int c = pv_stats_cmp_keys(st, x, y);
	return c ? c : (x > y) - (x < y);
}

static void put_spec(pv_out *fp, const char *spec, uint32_t id, int define)
{
	out_s(fp, spec);
	out_s(fp, "=(");
	out_u64(fp, id);
	out_s(fp, define ? ") " : ")\n");
}

/* A name as callgrind readers take it: no line breaks, no leading blanks,
 * never empty. */
static void put_name(pv_out *fp, const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	if (!n) { /* KCachegrind drops an empty name */
		out_s(fp, "(no name)");
		return;
	}
	if (!memchr(s, '\n', n) && !memchr(s, '\r', n)) { /* the usual case */
		out_put(fp, s, n);
		return;
	}
	for (size_t i = 0; i < n; i++)
		out_c(fp, s[i] == '\n' || s[i] == '\r' ? '?' : s[i]);
}

static void put_file(pv_out *fp, struct cg *g, const char *spec, uint32_t str)
{
	size_t n;
	const char *s = pv_stats_str(g->st, str, &n);
	if (g->file_id_of_str[str]) {
		put_spec(fp, spec, g->file_id_of_str[str], 0);
		return;
	}
	g->file_id_of_str[str] = ++g->nextfile;
	put_spec(fp, spec, g->nextfile, 1);
	if (n)
		put_name(fp, s, n);
	else
		out_c(fp, '~'); /* profile-module builtins have no file */
	out_c(fp, '\n');
}

static void put_fn(pv_out *fp, struct cg *g, const char *spec, struct fn *f)
{
	if (f->fnid) {
		put_spec(fp, spec, f->fnid, 0);
		return;
	}
	f->fnid = ++g->nextfn;
	put_spec(fp, spec, f->fnid, 1);
	const pv_key *k = pv_stats_key(g->st, f->key);
	size_t n;
	const char *s = pv_stats_str(g->st, k->name, &n);
	put_name(fp, s, n);
	if (f->disamb >= 1) { /* rare: colliding names */
		out_c(fp, ':');
		out_i64(fp, k->line);
	}
	if (f->disamb == 2) {
		s = pv_stats_str(g->st, pv_stats_shown_file(g->st, k->file), &n);
		out_s(fp, " [");
		put_name(fp, s, n);
		out_c(fp, ']');
	}
	out_c(fp, '\n');
}

/* KCachegrind identifies a function by name + file basename: give every
 * group that would merge distinct keys a longer name.  Groups are found by
 * sorting (name, basename, line), each function's fields looked up once. */
struct grp {
	uint32_t name; /* string id: equal names, equal ids */
	uint32_t fn;   /* index into fns */
	int64_t line;
	const char *base;
	size_t blen;
};

static int cmp_group(const void *pa, const void *pb, void *arg)
{
	const struct grp *v = arg;
	const struct grp *a = &v[*(const uint32_t *)pa], *b = &v[*(const uint32_t *)pb];
	if (a->name != b->name)
		return a->name < b->name ? -1 : 1;
	int c = memcmp(a->base, b->base, a->blen < b->blen ? a->blen : b->blen);
	if (c || a->blen != b->blen)
		return c ? c : a->blen < b->blen ? -1
						 : 1;
	return (a->line > b->line) - (a->line < b->line);
}

static int same_group(const struct grp *a, const struct grp *b)
{
	return a->name == b->name && a->blen == b->blen && !memcmp(a->base, b->base, a->blen);
}

static int disambiguate(struct cg *g)
{
	struct grp *all = pv_malloc((g->nfns ? g->nfns : 1) * sizeof(*all));
	uint32_t *ix = pv_malloc((g->nfns ? g->nfns : 1) * sizeof(*ix));
	struct grp *v = pv_malloc((g->nfns ? g->nfns : 1) * sizeof(*v));
	if (!all || !ix || !v) {
		free(all);
		free(ix);
		free(v);
		return PV_ENOMEM;
	}
	for (size_t i = 0; i < g->nfns; i++) {
		const pv_key *k = pv_stats_key(g->st, g->fns[i].key);
		all[i] = (struct grp){.name = k->name, .fn = (uint32_t)i, .line = k->line};
		all[i].base = key_base(g->st, k, &all[i].blen);
		ix[i] = (uint32_t)i;
	}
	qsort_r(ix, g->nfns, sizeof(*ix), cmp_group, all);
	for (size_t i = 0; i < g->nfns; i++)
		v[i] = all[ix[i]];
	free(all);
	free(ix);
	for (size_t i = 0; i < g->nfns;) {
		size_t j = i + 1;
		while (j < g->nfns && same_group(&v[i], &v[j]))
			j++;
		for (size_t k = i; j - i > 1 && k < j; k++) {
			int same = (k > i && v[k - 1].line == v[k].line) ||
				   (k + 1 < j && v[k + 1].line == v[k].line);
			g->fns[v[k].fn].disamb = same ? 2 : 1;
		}
		i = j;
	}
	free(v);
	return 0;
}

static uint64_t edge_cost(struct cg *g, const pv_edge *e, const struct fn *callee, size_t *clamped)
{
	if (e->is_tuple)
		return pv_time_ns(pv_edge_ct(e), clamped);
	/* profile module: only a count; share the callee's time by calls */
	if (callee->entry < 0)
		return 0;
	const pv_entry *c = pv_stats_entry(g->st, (size_t)callee->entry);
	if (pv_entry_nc(c) <= 0)
		return 0;
	double share = pv_num_to_double(pv_entry_ct(c)) * (double)pv_edge_nc(e) / (double)pv_entry_nc(c);
	return pv_time_ns(pv_num_from_double(share), clamped);
}

static int cg_write(FILE *file, const pv_views *vs, pv_write_opts *o, pv_ctx *ctx)
{
	pv_stats *st = vs->st;
	const pv_view *v = vs->view;
	struct cg g = {.st = st};
	pv_out *fp = NULL;
	struct call *calls = NULL;
	size_t ncalls = 0, capcalls = 0;
	int rc = PV_ENOMEM;
	size_t nkeys = pv_stats_nkeys(st);
	g.fn_of_key = pv_malloc((nkeys ? nkeys : 1) * sizeof(*g.fn_of_key));
	g.file_id_of_str = NULL;
	if (!g.fn_of_key)
		goto out;
	for (size_t k = 0; k < nkeys; k++)
		g.fn_of_key[k] = -1;
	/* functions: the selected entries and their callers without entries */
	size_t cap = v->nrows * 2 + 16;
	g.fns = pv_malloc(cap * sizeof(*g.fns));
	if (!g.fns)
		goto out;
	for (size_t r = 0; r < v->nrows; r++) {
		const pv_entry *e = pv_stats_entry(st, v->rows[r]);
		g.fn_of_key[e->key] = (long)g.nfns;
		g.fns[g.nfns++] = (struct fn){.key = e->key, .entry = (long)v->rows[r]};
	}
	for (size_t r = 0; r < v->nrows; r++) {
		const pv_entry *e = pv_stats_entry(st, v->rows[r]);
		for (uint32_t id = e->first_edge; id; id = pv_stats_edge(st, id)->next) {
			uint32_t ck = pv_stats_edge(st, id)->caller;
			if (g.fn_of_key[ck] >= 0 || pv_stats_find(st, ck) >= 0)
				continue; /* selected, or an entry left out by the selection */
			if (pv_grow(&g.fns, &cap, g.nfns + 1, sizeof(*g.fns)) < 0)
				goto out;
			g.fn_of_key[ck] = (long)g.nfns;
			g.fns[g.nfns++] = (struct fn){.key = ck, .entry = -1};
		}
	}
	{
		uint32_t *keys = pv_malloc((g.nfns ? g.nfns : 1) * sizeof(*keys));
		struct fn *sorted = pv_malloc((g.nfns ? g.nfns : 1) * sizeof(*sorted));
		if (!keys || !sorted) {
			free(keys);
			free(sorted);
			goto out;
		}
		for (size_t i = 0; i < g.nfns; i++)
			keys[i] = g.fns[i].key;
		qsort_r(keys, g.nfns, sizeof(*keys), cmp_key_ids, st);
		for (size_t i = 0; i < g.nfns; i++)
			sorted[i] = g.fns[g.fn_of_key[keys[i]]];
		free(keys);
		free(g.fns);
		g.fns = sorted;
	}
	for (size_t i = 0; i < g.nfns; i++)
		g.fn_of_key[g.fns[i].key] = (long)i;
	if (disambiguate(&g) < 0)
		goto out;
	/* calls, grouped by caller, callees in key order */
	for (size_t i = 0; i < g.nfns; i++) {
		if (g.fns[i].entry < 0)
			continue;
		const pv_entry *e = pv_stats_entry(st, (size_t)g.fns[i].entry);
		for (uint32_t id = e->first_edge; id; id = pv_stats_edge(st, id)->next) {
			const pv_edge *ed = pv_stats_edge(st, id);
			long from = g.fn_of_key[ed->caller];
			if (from < 0)
				continue;
			if (pv_grow(&calls, &capcalls, ncalls + 1, sizeof(*calls)) < 0)
				goto out;
			calls[ncalls++] = (struct call){(uint32_t)from, (uint32_t)i, ed};
		}
	}
	/* the calls came in callee order; a stable counting sort by caller
	 * gives (caller, callee) order */
	for (size_t c = 0; c < ncalls; c++)
		g.fns[calls[c].from].n++;
	uint32_t at = 0;
	for (size_t i = 0; i < g.nfns; i++) {
		g.fns[i].first = at;
		at += g.fns[i].n;
	}
	if (ncalls) {
		struct call *sorted = pv_malloc(ncalls * sizeof(*sorted));
		if (!sorted)
			goto out;
		for (size_t i = 0; i < g.nfns; i++)
			g.fns[i].n = 0;
		for (size_t c = 0; c < ncalls; c++) {
			struct fn *f = &g.fns[calls[c].from];
			sorted[f->first + f->n++] = calls[c];
		}
		free(calls);
		calls = sorted;
	}

	size_t nstr = 0;
	for (size_t k = 0; k < nkeys; k++) {
		const pv_key *key = pv_stats_key(st, (uint32_t)k);
		uint32_t f = pv_stats_shown_file(st, key->file);
		if (f >= nstr)
			nstr = f + 1;
	}
	g.file_id_of_str = pv_calloc(nstr ? nstr : 1, sizeof(*g.file_id_of_str));
	if (!g.file_id_of_str)
		goto out;
	uint64_t total = 0;
	for (size_t i = 0; i < g.nfns; i++)
		if (g.fns[i].entry >= 0)
			total += pv_time_ns(pv_entry_tt(pv_stats_entry(st, (size_t)g.fns[i].entry)), NULL);

	if (!(fp = out_open(file)))
		goto out;
	out_s(fp, "# callgrind format\nversion: 1\ncreator: profview " PV_VERSION "\ncmd: ");
	put_name(fp, o->cmd && *o->cmd ? o->cmd : "profview", strlen(o->cmd && *o->cmd ? o->cmd : "profview"));
	out_s(fp, "\npart: 1\npositions: line\nevent: ns : Time (nanoseconds)\nevents: ns\n"
		  "summary: ");
	out_u64(fp, total);
	out_c(fp, '\n');
	for (size_t i = 0; i < g.nfns; i++) {
		struct fn *f = &g.fns[i];
		const pv_key *k = pv_stats_key(st, f->key);
		long long line = k->line > 0 ? (long long)k->line : 0;
		out_c(fp, '\n');
		put_file(fp, &g, "fl", pv_stats_shown_file(st, k->file));
		put_fn(fp, &g, "fn", f);
		uint64_t self = f->entry >= 0
					? pv_time_ns(pv_entry_tt(pv_stats_entry(st, (size_t)f->entry)), &o->nclamped)
					: 0;
		out_u64(fp, (uint64_t)line);
		out_c(fp, ' ');
		out_u64(fp, self);
		out_c(fp, '\n');
		for (uint32_t c = f->first; c < f->first + f->n; c++) {
			struct fn *to = &g.fns[calls[c].to];
			const pv_edge *e = calls[c].edge;
			uint64_t cost = edge_cost(&g, e, to, &o->nclamped);
			pv_int n = pv_edge_nc(e) > 0 ? pv_edge_nc(e) : 0;
			if (n == 0 && cost == 0)
				continue; /* nothing to show, and calls=0 misleads readers */
			const pv_key *tk = pv_stats_key(st, to->key);
			put_file(fp, &g, "cfi", pv_stats_shown_file(st, tk->file));
			put_fn(fp, &g, "cfn", to);
			out_s(fp, "calls=");
			if (n <= (pv_int)UINT64_MAX) {
				out_u64(fp, n ? (uint64_t)n : 1);
			} else {
				char cnt[48];
				pv_int_format(cnt, n);
				out_s(fp, cnt);
			}
			out_c(fp, ' ');
			out_u64(fp, tk->line > 0 ? (uint64_t)tk->line : 0);
			out_c(fp, '\n');
			out_u64(fp, (uint64_t)line);
			out_c(fp, ' ');
			out_u64(fp, cost);
			out_c(fp, '\n');
		}
	}
	out_s(fp, "\ntotals: ");
	out_u64(fp, total);
	out_c(fp, '\n');
	rc = 0;
out:
	out_close(fp);
	free(g.fns);
	free(g.fn_of_key);
	free(g.file_id_of_str);
	free(calls);
	if (rc < 0)
		pv_fail(ctx, rc, PV_NOOFF, "out of memory writing the callgrind file");
	return rc;
}

const pv_writer pv_writer_callgrind = {
	.name = "callgrind",
	.flags = PV_W_OWN_ORDER,
	.modes = PV_MODE_STATS,
	.help = "callgrind format for KCachegrind and callgrind_annotate",
	.write = cg_write,
};
