/*
 * fuzz_reader.c - libFuzzer target: one input through the whole pipeline.
 *
 *   bytes -> pv_reader_marshal.read -> pv_stats_merge -> pv_view_build
 *         -> every writer (text, callgrind, pstats, json, dot) to /dev/null
 *
 * and two properties: the pstats writer's output, read back with the same
 * reader, parses without error and gives the same entries (keys in the
 * same order, cc/nc/tt/ct bit for bit) and the same totals; and the input
 * read with its callers dropped (the text report's load), or by the
 * marshal reader's general path only, gives the same error or the same
 * entries (and callers).
 *
 * The reader ignores bytes after the top-level dict, so the last input byte
 * chooses the options without disturbing the parse:
 *   bit 0  sort "stdname" (0) or "time,calls" (1)
 *   bit 1  text report also prints callers and callees
 *   bit 2  dot thresholds 0 (every node and edge) instead of 0.5 / 0.1
 *
 * Any failure of the property aborts; sanitizers catch the rest.  Leaks are
 * bugs: everything is freed before returning.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../formats/reader.h"
#include "../formats/writer.h"
#include "../lib/pv.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int num_same(pv_num a, pv_num b)
{
	if (a.is_int != b.is_int)
		return 0;
	return a.is_int ? a.i == b.i : memcmp(&a.f, &b.f, sizeof(a.f)) == 0;
}

static int key_same(const pv_stats *a, uint32_t ka, const pv_stats *b, uint32_t kb)
{
	const pv_key *x = pv_stats_key(a, ka), *y = pv_stats_key(b, kb);
	size_t xl, yl;
	const char *xs, *ys;
	if (x->line != y->line)
		return 0;
	xs = pv_stats_str(a, x->file, &xl);
	ys = pv_stats_str(b, y->file, &yl);
	if (xl != yl || memcmp(xs, ys, xl))
		return 0;
	xs = pv_stats_str(a, x->name, &xl);
	ys = pv_stats_str(b, y->name, &yl);
	return xl == yl && memcmp(xs, ys, xl) == 0;
}

/* The merged .prof written for the whole of st reads back as st. */
static void roundtrip(pv_stats *st, const pv_view *view, pv_write_opts *opts)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	CHECK(mem != NULL);
	pv_views vs = {.mode = PV_MODE_STATS, .st = st, .view = view};
	pv_ctx wctx = {0};
	CHECK(pv_writer_pstats.write(mem, &vs, opts, &wctx) == 0);
	CHECK(fclose(mem) == 0);

	pv_stats *st2 = NULL;
	pv_profile *p2 = NULL;
	pv_ctx ctx = {.input = "roundtrip"};
	CHECK(pv_stats_new(&st2) == 0 && pv_profile_new(&p2) == 0);
	int rc = pv_reader_marshal.read(&ctx, st2, p2, (const unsigned char *)buf, len);
	if (rc < 0)
		fprintf(stderr, "fuzz_reader: the pstats writer's output does not read back: %s\n",
			ctx.msg);
	CHECK(rc == 0);
	rc = pv_stats_merge(st2, p2, &ctx);
	if (rc < 0)
		fprintf(stderr, "fuzz_reader: the pstats writer's output does not merge: %s\n",
			ctx.msg);
	CHECK(rc == 0);

	/* the view holds every entry, so the copy is the whole model */
	CHECK(pv_stats_nentries(st2) == pv_stats_nentries(st));
	CHECK(pv_stats_total_calls(st2) == pv_stats_total_calls(st));
	CHECK(pv_stats_prim_calls(st2) == pv_stats_prim_calls(st));
	CHECK(num_same(pv_stats_total_tt(st2), pv_stats_total_tt(st)));
	for (size_t i = 0; i < pv_stats_nentries(st); i++) {
		const pv_entry *a = pv_stats_entry(st, i), *b = pv_stats_entry(st2, i);
		CHECK(key_same(st, a->key, st2, b->key));
		CHECK(pv_entry_cc(a) == pv_entry_cc(b) && pv_entry_nc(a) == pv_entry_nc(b));
		CHECK(num_same(pv_entry_tt(a), pv_entry_tt(b)) && num_same(pv_entry_ct(a), pv_entry_ct(b)));
		CHECK(a->ncallers == b->ncallers);
		uint32_t ia = a->first_edge, ib = b->first_edge;
		while (ia && ib) {
			const pv_edge *x = pv_stats_edge(st, ia), *y = pv_stats_edge(st2, ib);
			CHECK(key_same(st, x->caller, st2, y->caller));
			CHECK(x->is_tuple == y->is_tuple && pv_edge_nc(x) == pv_edge_nc(y));
			if (x->is_tuple)
				CHECK(pv_edge_cc(x) == pv_edge_cc(y) && num_same(pv_edge_tt(x), pv_edge_tt(y)) &&
				      num_same(pv_edge_ct(x), pv_edge_ct(y)));
			ia = x->next;
			ib = y->next;
		}
		CHECK(!ia && !ib);
	}
	pv_profile_free(p2);
	pv_stats_free(st2);
	free(buf);
}

/* The same entries and callers (keys compared by their text). */
static void same_model(pv_stats *st, pv_stats *sg)
{
	CHECK(pv_stats_nentries(sg) == pv_stats_nentries(st));
	CHECK(pv_stats_total_calls(sg) == pv_stats_total_calls(st));
	CHECK(num_same(pv_stats_total_tt(sg), pv_stats_total_tt(st)));
	for (size_t i = 0; i < pv_stats_nentries(st); i++) {
		const pv_entry *a = pv_stats_entry(st, i), *b = pv_stats_entry(sg, i);
		CHECK(key_same(st, a->key, sg, b->key) && a->ncallers == b->ncallers);
		CHECK(pv_entry_cc(a) == pv_entry_cc(b) && pv_entry_nc(a) == pv_entry_nc(b));
		CHECK(num_same(pv_entry_tt(a), pv_entry_tt(b)) && num_same(pv_entry_ct(a), pv_entry_ct(b)));
		for (uint32_t ia = a->first_edge, ib = b->first_edge; ia || ib;) {
			CHECK(ia && ib);
			const pv_edge *x = pv_stats_edge(st, ia), *y = pv_stats_edge(sg, ib);
			CHECK(key_same(st, x->caller, sg, y->caller) && x->is_tuple == y->is_tuple);
			CHECK(pv_edge_nc(x) == pv_edge_nc(y) && pv_edge_cc(x) == pv_edge_cc(y));
			CHECK(num_same(pv_edge_tt(x), pv_edge_tt(y)) && num_same(pv_edge_ct(x), pv_edge_ct(y)));
			ia = x->next;
			ib = y->next;
		}
	}
}

/* Read again - by the marshal reader's general path only (no one-step
 * reads of the common shapes), or with the callers dropped (the text
 * report's load), or both - the input says the same: the same error, or
 * the same entries, and the same callers (kept) or the same answer to
 * pv_stats_callers_matter (dropped). */
static void reread_same(const uint8_t *data, size_t size, int rc, const pv_ctx *ctx, pv_stats *st,
			int general, int drop)
{
	pv_stats *s2 = NULL;
	pv_profile *p2 = NULL;
	pv_ctx c2 = {.input = "fuzz"};
	CHECK(pv_stats_new(&s2) == 0 && pv_profile_new(&p2) == 0);
	if (drop)
		pv_profile_drop_callers(p2);
	pv_marshal_general_only = general;
	int r2 = pv_reader_marshal.read(&c2, s2, p2, data, size);
	pv_marshal_general_only = 0;
	if (r2 == 0)
		r2 = pv_stats_merge(s2, p2, &c2);
	if (r2 != rc || strcmp(c2.msg, ctx->msg) != 0)
		fprintf(stderr,
			"fuzz_reader: read again (general path %d, callers dropped %d): %d '%s', "
			"first: %d '%s'\n",
			general, drop, r2, c2.msg, rc, ctx->msg);
	CHECK(r2 == rc && strcmp(c2.msg, ctx->msg) == 0);
	if (rc == 0 && !drop)
		same_model(st, s2);
	if (rc == 0 && drop) {
		CHECK(pv_stats_nentries(s2) == pv_stats_nentries(st));
		CHECK(pv_stats_total_calls(s2) == pv_stats_total_calls(st));
		CHECK(num_same(pv_stats_total_tt(s2), pv_stats_total_tt(st)));
		CHECK(pv_stats_callers_matter(s2) == pv_stats_callers_matter(st));
		for (size_t i = 0; i < pv_stats_nentries(st); i++) {
			const pv_entry *x = pv_stats_entry(st, i), *y = pv_stats_entry(s2, i);
			CHECK(key_same(st, x->key, s2, y->key) && !y->first_edge);
			CHECK(pv_entry_cc(x) == pv_entry_cc(y) && pv_entry_nc(x) == pv_entry_nc(y));
			CHECK(num_same(pv_entry_tt(x), pv_entry_tt(y)) && num_same(pv_entry_ct(x), pv_entry_ct(y)));
		}
	}
	pv_profile_free(p2);
	pv_stats_free(s2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pv_stats *st = NULL;
	pv_profile *p = NULL;
	pv_sort *sort = NULL;
	pv_view view = {0};
	pv_tree *tree = NULL;
	pv_ctx ctx = {.input = "fuzz"};
	unsigned opt = size ? data[size - 1] : 0;
	FILE *out = devnull();

	CHECK(pv_stats_new(&st) == 0 && pv_profile_new(&p) == 0);
	int rc = pv_reader_marshal.read(&ctx, st, p, data, size);
	if (rc == 0) {
		CHECK(pv_profile_nentries(p) > 0);
		rc = pv_stats_merge(st, p, &ctx);
	}
	reread_same(data, size, rc, &ctx, st, 1, 0);
	reread_same(data, size, rc, &ctx, st, 0, 1);
	reread_same(data, size, rc, &ctx, st, 1, 1);
	if (rc < 0)
		goto out;
	CHECK(pv_sort_parse(&sort, opt & 1 ? "time,calls" : "stdname", &ctx) == 0);
	CHECK(pv_view_build(&view, st, sort, NULL, &ctx) == 0);
	CHECK(view.nrows == pv_stats_nentries(st));

	pv_write_opts opts = {
		.stats = 1,
		.callers = !!(opt & 2),
		.callees = !!(opt & 2),
		.summary = "fuzz",
		.cmd = "fuzz",
		.node_threshold = opt & 4 ? 0 : 0.5,
		.edge_threshold = opt & 4 ? 0 : 0.1,
	};
	/* the call tree the flame-graph writers draw (built as the CLI does) */
	pv_tree_opts topts = {.min_share = opt & 8 ? 0 : -1, .inverted = !!(opt & 16)};
	CHECK(pv_tree_build(&tree, st, &topts, &ctx) == 0);
	pv_views vs = {.mode = PV_MODE_STATS, .st = st, .view = &view, .tree = tree};
	pv_ctx wctx = {0};
	for (const pv_writer *const *w = pv_writers; *w; w++)
		if ((*w)->modes & PV_MODE_STATS)
			CHECK((*w)->write(out, &vs, &opts, &wctx) == 0);
	roundtrip(st, &view, &opts);
out:
	pv_tree_free(tree);
	pv_view_clear(&view);
	pv_sort_free(sort);
	pv_profile_free(p);
	pv_stats_free(st);
	return 0;
}
