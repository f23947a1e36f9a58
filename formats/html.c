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
 *    "files": [S],                       every file name, in full
 *    "funcs": [[display, file, line]],   display as the report shows it
 *                                        (short paths); file indexes "files"
 *    "scopes": [{"name": S, "profiles": N, "time": F, "calls": N,
 *                "rows":  [fid, cc, nc, tt, ct, ...],        5 per function
 *                "edges": [caller, callee, nc, cc, tt, ct, ...], 6 per edge
 *                "tree": TREE, "inv": TREE}],        scope 0: everything read
 *    "endpoints": [{"name", "scope", "profiles", "total", "mean", "p50",
 *                   "p95", "max", "calls", "top": fid, "durations": [F]}],
 *    "diff": null | {...}}
 *
 *   TREE = {"fn": [fid or -(label+1)], "parent": [i], "w": [F], "self": [F],
 *           "flags": [1 estimated | 2 recursion folded | 4 merged],
 *           "labels": [S]}                  frames parent first, or null
 *
 * Times are seconds (floats in their shortest exact form; NaN and
 * infinities as null).  Every string is escaped for a <script> element:
 * besides JSON's own escapes, <, >, & and U+2028/U+2029 are written as
 * \uXXXX, so no name can end the element or be read as markup; the page
 * shows names with textContent only.
 */
#include <math.h>
#include <string.h>

#include "../lib/pv.h"
#include "out.h"
#include "html_page.h"

/* What the page shows besides the model. */
struct hw {
	pv_out *o;
	pv_stats *st;     /* the model every function id refers to */
	int32_t *fid;     /* key id -> function id, -1 = none yet */
	size_t capfid;
	uint32_t *fkeys;  /* function id -> key id */
	size_t nf, capf;
	pv_map files;     /* file string id -> index in "files" + 1 */
	uint32_t *fstrs;  /* index in "files" -> file string id */
	size_t nfiles, capfiles;
	int oom;
};

/* ---- JSON ------------------------------------------------------------ */

static const char hexd[] = "0123456789abcdef";

static void j_u(pv_out *o, unsigned cp)
{
	char b[6] = {'\\', 'u', hexd[(cp >> 12) & 15], hexd[(cp >> 8) & 15], hexd[(cp >> 4) & 15],
		     hexd[cp & 15]};
	out_put(o, b, 6);
}

/* a JSON string safe inside <script>: see the top of the file */
static void j_str(pv_out *o, const char *s, size_t n)
{
	out_c(o, '"');
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		int esc = c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' ||
			  c == 0xe2 || c == 0xed;
		if (!esc)
			continue;
		if (c == 0xe2 && !(i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
				   ((unsigned char)s[i + 2] == 0xa8 || (unsigned char)s[i + 2] == 0xa9)))
			continue;
		if (c == 0xed && !(i + 2 < n && ((unsigned char)s[i + 1] & 0xe0) == 0xa0))
			continue;
		out_put(o, s + run, i - run);
		if (c == '"' || c == '\\') {
			out_c(o, '\\');
			out_c(o, (char)c);
		} else if (c == '\n') {
			out_put(o, "\\n", 2);
		} else if (c == '\t') {
			out_put(o, "\\t", 2);
		} else if (c == 0xe2) { /* U+2028, U+2029: line ends in old JS */
			j_u(o, 0x2000 | ((unsigned)(s[i + 1] & 0x3f) << 6) | (s[i + 2] & 0x3f));
			i += 2;
		} else if (c == 0xed) { /* a lone surrogate (surrogatepass): not UTF-8 */
			j_u(o, 0xd000 | ((unsigned)(s[i + 1] & 0x3f) << 6) | (s[i + 2] & 0x3f));
			i += 2;
		} else {
			j_u(o, c);
		}
		run = i + 1;
	}
	out_put(o, s + run, n - run);
	out_c(o, '"');
}

static void j_cstr(pv_out *o, const char *s)
{
	if (s)
		j_str(o, s, strlen(s));
	else
		out_s(o, "null");
}

static void j_int(pv_out *o, pv_int v)
{
	char b[48];
	out_put(o, b, pv_int_format(b, v));
}

static void j_dbl(pv_out *o, double x)
{
	if (!isfinite(x)) {
		out_s(o, "null");
		return;
	}
	char b[40];
	out_put(o, b, pv_double_repr(b, x));
}

static void j_num(pv_out *o, pv_num v)
{
	if (v.is_int)
		j_int(o, v.i);
	else
		j_dbl(o, v.f);
}

/* ---- function ids ---------------------------------------------------- */

/* The function id of key `key` of hw->st, given on first use. */
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
	if (h->fid[key] >= 0)
		return h->fid[key];
	if (pv_grow(&h->fkeys, &h->capf, h->nf + 1, sizeof(*h->fkeys)) < 0) {
		h->oom = 1;
		return -1;
	}
	h->fkeys[h->nf] = key;
	return h->fid[key] = (int32_t)h->nf++;
}

static void w_fid(struct hw *h, uint32_t key)
{
	out_i64(h->o, fid_of(h, key));
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
		const pv_key *k = pv_stats_key(h->st, h->fkeys[i]);
		size_t n;
		const char *s = pv_stats_display(h->st, h->fkeys[i], &n);
		if (!s) {
			h->oom = 1;
			return;
		}
		out_s(o, i ? ",\n[" : "[");
		j_str(o, s, n);
		out_c(o, ',');
		out_u64(o, file_of(h, k->file));
		out_c(o, ',');
		out_i64(o, k->line);
		out_c(o, ']');
	}
	out_s(o, "],\n\"files\":[");
	for (size_t i = 0; i < h->nfiles; i++) {
		size_t n;
		const char *s = pv_stats_str(h->st, h->fstrs[i], &n);
		if (i)
			out_c(o, ',');
		j_str(o, s, n);
	}
	out_c(o, ']');
}

/* ---- scopes ---------------------------------------------------------- */

/* One scope: the functions of `rows` (entry indices of st) and every
 * caller edge of theirs. */
static void w_scope(struct hw *h, const char *name, size_t profiles, const uint32_t *rows,
		    size_t nrows)
{
	pv_out *o = h->o;
	pv_stats *st = h->st;
	out_s(o, "{\"name\":");
	j_cstr(o, name);
	out_s(o, ",\"profiles\":");
	out_u64(o, profiles);
	out_s(o, ",\"time\":");
	j_num(o, pv_stats_total_tt(st));
	out_s(o, ",\"calls\":");
	j_int(o, pv_stats_total_calls(st));
	out_s(o, ",\n\"rows\":[");
	for (size_t i = 0; i < nrows; i++) {
		const pv_entry *e = pv_stats_entry(st, rows[i]);
		if (i)
			out_c(o, ',');
		w_fid(h, e->key);
		out_c(o, ',');
		j_int(o, e->cc);
		out_c(o, ',');
		j_int(o, e->nc);
		out_c(o, ',');
		j_num(o, e->tt);
		out_c(o, ',');
		j_num(o, e->ct);
	}
	out_s(o, "],\n\"edges\":[");
	int first = 1;
	for (size_t i = 0; i < nrows; i++) {
		const pv_entry *e = pv_stats_entry(st, rows[i]);
		for (uint32_t x = e->first_edge; x; x = pv_stats_edge(st, x)->next) {
			const pv_edge *ed = pv_stats_edge(st, x);
			if (!first)
				out_c(o, ',');
			first = 0;
			w_fid(h, ed->caller);
			out_c(o, ',');
			w_fid(h, e->key);
			out_c(o, ',');
			j_int(o, ed->nc);
			out_c(o, ',');
			if (ed->is_tuple) {
				j_int(o, ed->cc);
				out_c(o, ',');
				j_num(o, ed->tt);
				out_c(o, ',');
				j_num(o, ed->ct);
			} else { /* the profile module keeps only a count */
				j_int(o, ed->nc);
				out_s(o, ",null,null");
			}
		}
	}
	out_s(o, "],\n\"tree\":null,\"inv\":null}");
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

static void w_header(struct hw *h, const pv_write_opts *opts)
{
	pv_out *o = h->o;
	out_s(o, "\"header\":{\"read\":");
	j_cstr(o, opts->summary);
	out_s(o, ",\"profiles\":");
	out_u64(o, pv_stats_nprofiles(h->st));
	out_s(o, ",\"calls\":");
	j_int(o, pv_stats_total_calls(h->st));
	out_s(o, ",\"prim_calls\":");
	j_int(o, pv_stats_prim_calls(h->st));
	out_s(o, ",\"time\":");
	j_num(o, pv_stats_total_tt(h->st));
	out_s(o, ",\"skipped\":[");
	for (size_t i = 0; i < opts->nskipped; i++) {
		if (i)
			out_c(o, ',');
		j_cstr(o, opts->skipped[i]);
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
	struct hw h = {.st = st};
	/* short names in the page, the full file name on hover */
	if (pv_stats_short_paths(st) < 0 || !(h.o = out_open(fp)))
		return pv_fail(ctx, PV_ENOMEM, PV_NOOFF, "out of memory");
	pv_out *o = h.o;
	out_put(o, page, (size_t)(title - page));
	out_s(o, "profview: ");
	w_title(o, opts->summary ? opts->summary : "report");
	out_put(o, title + 7, (size_t)(data - title - 7));

	out_s(o, "{\"schema\":1,\n");
	w_header(&h, opts);
	out_s(o, ",\n\"scopes\":[");
	w_scope(&h, "all profiles", pv_stats_nprofiles(st), view->rows, view->nrows);
	out_s(o, "],\n\"endpoints\":[],\n\"diff\":null");
	w_funcs(&h);
	out_s(o, "}");

	out_put(o, data + 6, (size_t)(end - data - 6));
	out_close(o);
	free(h.fid);
	free(h.fkeys);
	free(h.fstrs);
	pv_map_free(&h.files);
	return h.oom ? pv_fail(ctx, PV_ENOMEM, PV_NOOFF, "out of memory") : 0;
}

const pv_writer pv_writer_html = {
	.name = "html",
	.flags = 0,
	.modes = PV_MODE_STATS,
	.help = "one self-contained HTML page (tables, flame graph, callers/callees)",
	.write = html_write,
};
