/*
 * fuzz_merge.c - libFuzzer target: several dumps merged, then strip_dirs.
 *
 * The input is up to three dumps separated by SEP ("\0SPLIT\0"; the third
 * part takes whatever follows the second separator).  Each part is read
 * into the same pv_stats and merged in input order; parts that do not read
 * or merge are skipped, as pv_load skips bad inputs.  Then strip_dirs, a
 * view, and the text report with print_stats, print_callers and
 * print_callees to /dev/null.
 *
 * Invariants checked (abort when broken):
 *  - after every merge, and after strip_dirs, the entries' nc and cc sum to
 *    the totals (both are sums of the same values);
 *  - a refused merge leaves the model as it was;
 *  - strip_dirs keeps the totals and the profile count, never adds entries,
 *    and leaves no '/' in an entry's or caller's file name.
 *
 * The last input byte chooses: bit 0 the sort ("stdname" or "time,calls"),
 * bit 1 restrictions (a regex and a fraction) on the view.
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

#define SEP "\0SPLIT\0"
#define SEPLEN (sizeof(SEP) - 1)
#define MAXPARTS 3

struct snap {
	size_t nentries, nprofiles;
	pv_int calls, prim;
	pv_num tt;
};

static struct snap snapshot(const pv_stats *st)
{
	struct snap s = {pv_stats_nentries(st), pv_stats_nprofiles(st), pv_stats_total_calls(st),
			 pv_stats_prim_calls(st), pv_stats_total_tt(st)};
	return s;
}

static int snap_same(struct snap a, struct snap b)
{
	return a.nentries == b.nentries && a.nprofiles == b.nprofiles && a.calls == b.calls &&
	       a.prim == b.prim && a.tt.is_int == b.tt.is_int &&
	       (a.tt.is_int ? a.tt.i == b.tt.i : memcmp(&a.tt.f, &b.tt.f, sizeof(double)) == 0);
}

/* The entries' counts sum to the totals.  Summed in unsigned arithmetic:
 * the model bounds every sum below 2^126, and a wrong model must not make
 * this check itself overflow. */
static void check_sums(const pv_stats *st)
{
	unsigned __int128 nc = 0, cc = 0;
	for (size_t i = 0; i < pv_stats_nentries(st); i++) {
		const pv_entry *e = pv_stats_entry(st, i);
		nc += (unsigned __int128)pv_entry_nc(e);
		cc += (unsigned __int128)pv_entry_cc(e);
	}
	CHECK(nc == (unsigned __int128)pv_stats_total_calls(st));
	CHECK(cc == (unsigned __int128)pv_stats_prim_calls(st));
}

static int has_slash(const pv_stats *st, uint32_t key)
{
	size_t n;
	const char *f = pv_stats_str(st, pv_stats_key(st, key)->file, &n);
	return memchr(f, '/', n) != NULL;
}

static const uint8_t *find_sep(const uint8_t *p, size_t n)
{
	for (size_t i = 0; n >= SEPLEN && i <= n - SEPLEN; i++)
		if (p[i] == 0 && memcmp(p + i, SEP, SEPLEN) == 0)
			return p + i;
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pv_stats *st = NULL;
	pv_profile *p = NULL;
	pv_sort *sort = NULL;
	pv_select *sel = NULL;
	pv_view view = {0};
	pv_ctx ctx = {.input = "fuzz"};
	unsigned opt = size ? data[size - 1] : 0;
	size_t merged = 0;

	CHECK(pv_stats_new(&st) == 0 && pv_profile_new(&p) == 0);
	const uint8_t *part = data, *end = data + size;
	for (int k = 0; k < MAXPARTS && part; k++) {
		const uint8_t *sep = k < MAXPARTS - 1 ? find_sep(part, (size_t)(end - part)) : NULL;
		size_t n = (size_t)((sep ? sep : end) - part);
		pv_ctx_clear(&ctx);
		if (pv_reader_marshal.read(&ctx, st, p, part, n) == 0) {
			struct snap before = snapshot(st);
			if (pv_stats_merge(st, p, &ctx) == 0)
				merged++;
			else
				CHECK(snap_same(before, snapshot(st)));
			CHECK(pv_stats_nprofiles(st) == merged);
			check_sums(st);
		}
		part = sep ? sep + SEPLEN : NULL;
	}
	if (!merged)
		goto out;

	struct snap before = snapshot(st);
	if (pv_stats_strip_dirs(st, &ctx) < 0) {
		/* PV_ESHAPE (an int and a tuple edge collide) or PV_ENOMEM: the
		 * model is left as it was */
		CHECK(snap_same(before, snapshot(st)));
		goto out;
	}
	struct snap after = snapshot(st);
	CHECK(after.nentries <= before.nentries && after.nentries > 0);
	before.nentries = after.nentries;
	CHECK(snap_same(before, after));
	check_sums(st);
	for (size_t i = 0; i < pv_stats_nentries(st); i++) {
		const pv_entry *e = pv_stats_entry(st, i);
		CHECK(!has_slash(st, e->key));
		CHECK(pv_stats_find(st, e->key) == (long)i);
		size_t ncallers = 0;
		for (uint32_t id = e->first_edge; id; id = pv_stats_edge(st, id)->next, ncallers++)
			CHECK(!has_slash(st, pv_stats_edge(st, id)->caller));
		CHECK(ncallers == e->ncallers);
	}

	CHECK(pv_sort_parse(&sort, opt & 1 ? "time,calls" : "stdname", &ctx) == 0);
	if (opt & 2) {
		CHECK(pv_select_new(&sel) == 0);
		CHECK(pv_select_add(sel, PV_SEL_MATCH, "py|\\{|<", &ctx) == 0);
		CHECK(pv_select_add(sel, PV_SEL_FRACTION, "0.5", &ctx) == 0);
	}
	CHECK(pv_view_build(&view, st, sort, sel, &ctx) == 0);
	pv_write_opts opts = {.stats = 1, .callers = 1, .callees = 1, .summary = "fuzz"};
	pv_views vs = {.mode = PV_MODE_STATS, .st = st, .view = &view};
	pv_ctx wctx = {0};
	CHECK(pv_writer_text.write(devnull(), &vs, &opts, &wctx) == 0);
out:
	pv_view_clear(&view);
	pv_select_free(sel);
	pv_sort_free(sort);
	pv_profile_free(p);
	pv_stats_free(st);
	return 0;
}
