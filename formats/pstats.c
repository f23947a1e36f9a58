/*
 * pstats.c - writes the merged stats as a .prof file (marshal version 4, as
 * CPython 3.4 to 3.13 write them), so snakeviz, gprof2dot or pstats itself
 * can open the merge; Python 2 input so becomes readable by Python 3 tools.
 *
 * Entries go out in dict order (the selected ones), values as they are held
 * (ints stay ints, floats are the same bits).  Strings and key tuples are
 * written once with FLAG_REF and referenced with `r` afterwards; indices
 * follow pre-order, as marshal's reader assigns them.
 */
#include <stdlib.h>
#include <string.h>

#include "../lib/util.h"
#include "writer.h"

#define FLAG_REF 0x80

struct w {
	FILE *fp;
	pv_stats *st;
	uint32_t *str_ref; /* string id -> ref index + 1 */
	uint32_t *key_ref; /* key id -> ref index + 1 */
	uint32_t next;
};

static void u32(FILE *fp, uint32_t v)
{
	unsigned char b[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
			      (unsigned char)(v >> 24)};
	fwrite(b, 1, 4, fp);
}

static void ref(struct w *w, uint32_t idx)
{
	putc('r', w->fp);
	u32(w->fp, idx);
}

static void w_int(struct w *w, pv_int v)
{
	if (v >= INT32_MIN && v <= INT32_MAX) {
		putc('i', w->fp);
		u32(w->fp, (uint32_t)(int32_t)v);
		return;
	}
	/* l: digit count (signed like the value), base-2^15 digits, low first */
	unsigned __int128 u = v < 0 ? -(unsigned __int128)v : (unsigned __int128)v;
	uint16_t d[10];
	int n = 0;
	while (u) {
		d[n++] = (uint16_t)(u & 0x7fff);
		u >>= 15;
	}
	putc('l', w->fp);
	u32(w->fp, (uint32_t)(v < 0 ? -n : n));
	for (int i = 0; i < n; i++) {
		putc(d[i] & 0xff, w->fp);
		putc(d[i] >> 8, w->fp);
	}
}

static void w_num(struct w *w, pv_num v)
{
	if (v.is_int) {
		w_int(w, v.i);
		return;
	}
	uint64_t b;
	memcpy(&b, &v.f, 8);
	putc('g', w->fp);
	u32(w->fp, (uint32_t)b);
	u32(w->fp, (uint32_t)(b >> 32));
}

static void w_str(struct w *w, uint32_t id)
{
	if (w->str_ref[id]) {
		ref(w, w->str_ref[id] - 1);
		return;
	}
	w->str_ref[id] = ++w->next;
	size_t n;
	const char *s = pv_stats_str(w->st, id, &n);
	int ascii = 1;
	for (size_t i = 0; i < n && ascii; i++)
		ascii = (unsigned char)s[i] < 0x80;
	if (ascii && n < 256) {
		putc('Z' | FLAG_REF, w->fp);
		putc((int)n, w->fp);
	} else {
		putc((ascii ? 'A' : 't') | FLAG_REF, w->fp);
		u32(w->fp, (uint32_t)n);
	}
	fwrite(s, 1, n, w->fp);
}

static void w_key(struct w *w, uint32_t key)
{
	if (w->key_ref[key]) {
		ref(w, w->key_ref[key] - 1);
		return;
	}
	w->key_ref[key] = ++w->next;
	const pv_key *k = pv_stats_key(w->st, key);
	putc(')' | FLAG_REF, w->fp);
	putc(3, w->fp);
	w_str(w, pv_stats_shown_file(w->st, k->file));
	w_int(w, k->line);
	w_str(w, k->name);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

static int pstats_write(FILE *fp, const pv_views *vs, pv_write_opts *o, pv_ctx *ctx)
{
	pv_stats *st = vs->st;
	const pv_view *v = vs->view;
	(void)o;
	size_t nkeys = pv_stats_nkeys(st), nstr = 0;
	for (size_t k = 0; k < nkeys; k++) {
		const pv_key *key = pv_stats_key(st, (uint32_t)k);
		uint32_t f = pv_stats_shown_file(st, key->file);
		if (f >= nstr)
			nstr = f + 1;
		if (key->name >= nstr)
			nstr = key->name + 1;
	}
	struct w w = {.fp = fp, .st = st};
	uint32_t *rows = pv_malloc((v->nrows ? v->nrows : 1) * sizeof(*rows));
	w.str_ref = pv_calloc(nstr ? nstr : 1, sizeof(*w.str_ref));
	w.key_ref = pv_calloc(nkeys ? nkeys : 1, sizeof(*w.key_ref));
	int rc = PV_ENOMEM;
	if (!rows || !w.str_ref || !w.key_ref)
		goto out;
	memcpy(rows, v->rows, v->nrows * sizeof(*rows));
	qsort(rows, v->nrows, sizeof(*rows), cmp_u32); /* dict order */
	putc('{', fp);
	for (size_t r = 0; r < v->nrows; r++) {
		const pv_entry *e = pv_stats_entry(st, rows[r]);
		w_key(&w, e->key);
		putc(')', fp);
		putc(5, fp);
		w_int(&w, pv_entry_cc(e));
		w_int(&w, pv_entry_nc(e));
		w_num(&w, pv_entry_tt(e));
		w_num(&w, pv_entry_ct(e));
		putc('{', fp);
		for (uint32_t id = e->first_edge; id; id = pv_stats_edge(st, id)->next) {
			const pv_edge *c = pv_stats_edge(st, id);
			w_key(&w, c->caller);
			if (c->is_tuple) {
				putc(')', fp);
				putc(4, fp);
				w_int(&w, pv_edge_nc(c));
				w_int(&w, pv_edge_cc(c));
				w_num(&w, pv_edge_tt(c));
				w_num(&w, pv_edge_ct(c));
			} else {
				w_int(&w, pv_edge_nc(c));
			}
		}
		putc('0', fp);
	}
	putc('0', fp);
	rc = 0;
out:
	free(rows);
	free(w.str_ref);
	free(w.key_ref);
	if (rc < 0)
		pv_fail(ctx, rc, PV_NOOFF, "out of memory writing the pstats file");
	return rc;
}

const pv_writer pv_writer_pstats = {
	.name = "pstats",
	.flags = PV_W_BINARY | PV_W_OWN_ORDER,
	.modes = PV_MODE_STATS,
	.help = "a merged .prof file (marshal 4) for pstats, snakeviz, gprof2dot",
	.write = pstats_write,
};
