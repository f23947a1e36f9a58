/*
 * test_stats.c - the model (lib/stats.c, intern.c, display.c, profile.c):
 * interning, display strings, profiles, pstats' merge rules (Stats(first)
 * then add()), totals in pstats' summation order, strip_dirs; the big-table
 * allocator (util.c) the tables grow with.
 */
#include "testutil.h"

#include "../../lib/internal.h" /* pv_big_grow */

typedef struct fx {
	pv_stats *st;
	pv_profile *p;
	pv_ctx ctx;
} fx;

static int setup(void **state)
{
	fx *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	assert_int_equal(pv_stats_new(&f->st), 0);
	assert_int_equal(pv_profile_new(&f->p), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fx *f = *state;
	pv_stats_free(f->st);
	pv_profile_free(f->p);
	free(f);
	return 0;
}

/* Merge f->p into f->st (must succeed) and reset the profile for the next. */
static void merge_ok(fx *f)
{
	int rc = pv_stats_merge(f->st, f->p, &f->ctx);
	if (rc)
		fail_msg("merge: %d %s", rc, f->ctx.msg);
	pv_profile_reset(f->p);
}

static uint32_t key(fx *f, const char *file, int64_t line, const char *name)
{
	return tu_mkkey(f->st, file, line, name);
}

static void entry(fx *f, uint32_t k, pv_int cc, pv_int nc, pv_num tt, pv_num ct)
{
	assert_int_equal(pv_profile_begin_entry(f->p, k, cc, nc, tt, ct), 0);
}

/* ---- strings, keys, display ---------------------------------------------------- */

static void test_stats_intern_same_bytes_same_id(void **state)
{
	fx *f = *state;
	uint32_t a, b, c, d;
	assert_int_equal(pv_stats_intern_str(f->st, "a.py", 4, &a), 0);
	assert_int_equal(pv_stats_intern_str(f->st, "b.py", 4, &b), 0);
	assert_int_equal(pv_stats_intern_str(f->st, "a.pyX", 4, &c), 0);
	assert_int_equal(pv_stats_intern_str(f->st, "a\0b", 3, &d), 0);
	assert_int_equal(a, c);
	assert_int_not_equal(a, b);
	size_t n;
	const char *s = pv_stats_str(f->st, d, &n);
	assert_int_equal(n, 3);
	assert_memory_equal(s, "a\0b", 3);
	assert_string_equal(pv_stats_str(f->st, a, NULL), "a.py");

	uint32_t k1, k2, k3;
	assert_int_equal(pv_stats_intern_key(f->st, a, 1, b, &k1), 0);
	assert_int_equal(pv_stats_intern_key(f->st, a, 1, b, &k2), 0);
	assert_int_equal(pv_stats_intern_key(f->st, a, 2, b, &k3), 0);
	assert_int_equal(k1, k2);
	assert_int_not_equal(k1, k3);
	assert_int_equal(pv_stats_nkeys(f->st), 2);
	assert_int_equal(pv_stats_key(f->st, k3)->line, 2);
	assert_int_equal(pv_stats_find(f->st, k1), -1); /* a key, but no entry */
}

/* The intern tables answer repeated strings and keys from a small cache
 * (intern.c): hits give the id interned first; strings that agree in
 * length and in the bytes the cache looks at (first, middle, last 8) but
 * not elsewhere, many more of them than the cache holds, stay apart; so do
 * keys whose lines agree in their low 32 bits. */
static void test_stats_intern_cache(void **state)
{
	fx *f = *state;
	enum { N = 3000 };
	static uint32_t ids[N], sids[N], kids[N];
	char buf[48];
	/* 40 bytes alike but at 10 and 11: one cache tag for all of them */
	for (int round = 0; round < 3; round++)
		for (int i = 0; i < N; i++) {
			int j = round == 1 ? N - 1 - i : (i * 7) % N;
			memset(buf, 'x', 40);
			buf[10] = (char)('A' + j % 64);
			buf[11] = (char)('A' + j / 64);
			uint32_t id;
			assert_int_equal(pv_stats_intern_str(f->st, buf, 40, &id), 0);
			if (round == 0)
				ids[j] = id;
			assert_int_equal(id, ids[j]);
		}
	for (int i = 0; i < N; i++)
		for (int j = i + 1; j < i + 3 && j < N; j++)
			assert_int_not_equal(ids[i], ids[j]);
	size_t n;
	const char *s = pv_stats_str(f->st, ids[N - 1], &n);
	assert_int_equal(n, 40);
	assert_int_equal(s[10], 'A' + (N - 1) % 64);
	assert_int_equal(s[11], 'A' + (N - 1) / 64);
	/* every length from 0 to 24, equal in the first and last bytes */
	for (int round = 0; round < 2; round++)
		for (int len = 0; len <= 24; len++)
			for (int mid = 0; mid < 3; mid++) {
				int i = len * 3 + mid;
				memset(buf, 'q', sizeof(buf));
				if (len > 2)
					buf[len / 2 + (mid == 2 ? 1 : 0)] = (char)('0' + mid);
				uint32_t id;
				assert_int_equal(pv_stats_intern_str(f->st, buf, (size_t)len, &id), 0);
				if (round == 0)
					sids[i] = id;
				assert_int_equal(id, sids[i]);
				s = pv_stats_str(f->st, id, &n);
				assert_int_equal(n, len);
				assert_memory_equal(s, buf, (size_t)len);
			}
	assert_int_not_equal(sids[20 * 3], sids[20 * 3 + 1]);
	assert_int_not_equal(sids[20 * 3 + 1], sids[20 * 3 + 2]);
	assert_int_not_equal(sids[5 * 3 + 1], sids[5 * 3 + 2]);
	/* keys, hit again after the table has grown around them */
	for (int round = 0; round < 3; round++)
		for (int i = 0; i < N; i++) {
			uint32_t k;
			assert_int_equal(pv_stats_intern_key(f->st, ids[i % 50], i, ids[i / 50], &k), 0);
			if (round == 0)
				kids[i] = k;
			assert_int_equal(k, kids[i]);
		}
	assert_int_equal(pv_stats_nkeys(f->st), N);
	int64_t lines[] = {-1, 0xffffffffLL, 7, 7 + ((int64_t)1 << 32), INT64_MIN, 0, INT32_MIN,
			   (int64_t)INT32_MIN + ((int64_t)1 << 32)};
	uint32_t lk[8];
	for (int round = 0; round < 2; round++)
		for (int i = 0; i < 8; i++) {
			uint32_t k;
			assert_int_equal(pv_stats_intern_key(f->st, ids[0], lines[i], ids[1], &k), 0);
			if (round == 0)
				lk[i] = k;
			assert_int_equal(k, lk[i]);
			assert_true(pv_stats_key(f->st, k)->line == lines[i]);
		}
	for (int i = 0; i < 8; i += 2)
		assert_int_not_equal(lk[i], lk[i + 1]);
}

/* Reserving room up front (readers do, from the input size) changes no id,
 * whether the tables were empty or half full; strings interned from the
 * table's own bytes survive the move. */
static void test_stats_reserve(void **state)
{
	(void)state;
	pv_stats *a, *b;
	assert_int_equal(pv_stats_new(&a), 0);
	assert_int_equal(pv_stats_new(&b), 0);
	char name[32];
	for (int round = 0; round < 2; round++) {
		assert_int_equal(pv_stats_reserve(b, 60000, 60000, 1 << 20), 0);
		for (int i = round * 40000; i < (round + 1) * 40000; i++) {
			int n = snprintf(name, sizeof(name), "f%d", i);
			uint32_t sa, sb, ka, kb;
			assert_int_equal(pv_stats_intern_str(a, name, (size_t)n, &sa), 0);
			assert_int_equal(pv_stats_intern_str(b, name, (size_t)n, &sb), 0);
			assert_int_equal(sa, sb);
			assert_int_equal(pv_stats_intern_key(a, sa, i % 7, sa, &ka), 0);
			assert_int_equal(pv_stats_intern_key(b, sb, i % 7, sb, &kb), 0);
			assert_int_equal(ka, kb);
		}
	}
	uint32_t id, again;
	size_t n;
	const char *s = pv_stats_str(b, 12345, &n);
	assert_int_equal(pv_stats_intern_str(b, s, n, &id), 0);
	assert_int_equal(id, 12345);
	assert_int_equal(pv_stats_intern_str(b, "f79999", 6, &again), 0);
	assert_string_equal(pv_stats_str(b, again, NULL), "f79999");
	assert_int_equal(pv_stats_nkeys(a), pv_stats_nkeys(b));
	pv_stats_free(a);
	pv_stats_free(b);

	pv_profile *p;
	assert_int_equal(pv_profile_new(&p), 0);
	assert_int_equal(pv_profile_reserve(p, 100000, 100000), 0);
	assert_int_equal(pv_profile_begin_entry(p, 3, 1, 1, TU_I(1), TU_I(1)), 0);
	assert_int_equal(pv_profile_nentries(p), 1);
	pv_profile_free(p);
}

static void test_stats_display_strings(void **state)
{
	fx *f = *state;
	static const struct {
		const char *file;
		int64_t line;
		const char *name, *want;
	} cases[] = {
		{"~", 0, "<built-in method len>", "{built-in method len}"},
		{"~", 0, "<method 'append' of 'list' objects>", "{method 'append' of 'list' objects}"},
		{"~", 0, "plain", "plain"},
		{"~", 0, "<>", "{}"},
		{"~", 0, "<", "<"},
		{"~", 0, ">", ">"},
		{"~", 0, "<x", "<x"},
		{"~", 0, "", ""},
		{"~", 1, "<notbuiltin>", "~:1(<notbuiltin>)"},
		{"~~", 0, "<x>", "~~:0(<x>)"},
		{"", 0, "len", ":0(len)"},
		{"a.py", 3, "f", "a.py:3(f)"},
		{"a.py", -3, "f", "a.py:-3(f)"},
		{"a.py", INT64_MIN, "f", "a.py:-9223372036854775808(f)"},
		{"a.py", INT64_MAX, "f", "a.py:9223372036854775807(f)"},
		{"profile", 0, "profiler", "profile:0(profiler)"},
		{"<string>", 1, "<module>", "<string>:1(<module>)"},
		{"/\xc3\xbcn\xc3\xaf/c\xc3\xb6"
		 "d\xc3\xa9.py",
		 3, "f\xc3\xbc"
		    "nc",
		 "/\xc3\xbcn\xc3\xaf/c\xc3\xb6"
		 "d\xc3\xa9.py:3(f\xc3\xbc"
		 "nc)"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t k = key(f, cases[i].file, cases[i].line, cases[i].name);
		size_t n;
		const char *s = pv_stats_display(f->st, k, &n);
		assert_non_null(s);
		assert_int_equal(n, strlen(cases[i].want));
		assert_string_equal(s, cases[i].want);
	}
	/* the strings stay valid while more are computed */
	size_t n;
	uint32_t k0 = key(f, "~", 0, "<built-in method len>");
	const char *first = pv_stats_display(f->st, k0, &n);
	char big[5000];
	for (int i = 0; i < 200; i++) {
		memset(big, 'a' + i % 26, sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		char name[16];
		snprintf(name, sizeof(name), "n%d", i);
		size_t m;
		assert_non_null(pv_stats_display(f->st, key(f, big, i, name), &m));
		assert_int_equal(m, sizeof(big) - 1 + strlen(name) + 3 + (i < 10 ? 1 : i < 100 ? 2
											       : 3));
	}
	assert_string_equal(first, "{built-in method len}");
	assert_ptr_equal(pv_stats_display(f->st, k0, &n), first);
}

static void test_stats_utf8_len(void **state)
{
	(void)state;
	assert_int_equal(pv_utf8_len("", 0), 0);
	assert_int_equal(pv_utf8_len("abc", 3), 3);
	assert_int_equal(pv_utf8_len("\xc3\xa9", 2), 1);         /* é */
	assert_int_equal(pv_utf8_len("\xe2\x82\xac", 3), 1);     /* € */
	assert_int_equal(pv_utf8_len("\xf0\x9f\x98\x80", 4), 1); /* U+1F600 */
	assert_int_equal(pv_utf8_len("\xe4\xb8\xad\t", 4), 2);   /* wide CJK and a tab: 1 each */
	const char *s = "/\xc3\xbcn\xc3\xaf/c\xc3\xb6"
			"d\xc3\xa9.py:3(f\xc3\xbc"
			"nc)";
	assert_int_equal(strlen(s), 25);
	assert_int_equal(pv_utf8_len(s, strlen(s)), 20);
	/* eight bytes at a time: every length and offset, sequences across
	 * word boundaries, bytes >= 0xc0 and 0x80..0xbf in every position,
	 * against a byte-by-byte count */
	unsigned char buf[64];
	unsigned x = 12345;
	for (int round = 0; round < 200; round++) {
		for (size_t i = 0; i < sizeof(buf); i++) {
			x = x * 1103515245u + 12345u;
			unsigned b = (x >> 16) & 0xff;
			buf[i] = (unsigned char)(round % 3 == 0 ? (b | 0x80) : b);
		}
		for (size_t off = 0; off < 9; off++)
			for (size_t n = 0; off + n <= sizeof(buf); n += 3) {
				size_t want = 0;
				for (size_t i = 0; i < n; i++)
					want += (buf[off + i] & 0xc0) != 0x80;
				assert_int_equal(pv_utf8_len((const char *)buf + off, n), want);
			}
	}
}

/* ---- profiles ------------------------------------------------------------------- */

static void test_stats_profile_caller_needs_entry(void **state)
{
	fx *f = *state;
	pv_caller e = {.caller = key(f, "a.py", 1, "f"), .is_tuple = 0, .nc = 1};
	assert_int_equal(pv_profile_add_caller(f->p, &e), PV_EARG);
	assert_int_equal(pv_profile_nentries(f->p), 0);
}

/* A key begun twice keeps its first position and takes the last values and
 * callers; a caller added twice keeps its position with the last value. */
/* shrink: pv_profile_shrink between reading and merging (what the archive
 * cache does) keeps every entry, caller and value */
static void dict_semantics(void **state, int shrink)
{
	fx *f = *state;
	uint32_t a = key(f, "a.py", 1, "f"), b = key(f, "b.py", 2, "g");
	uint32_t x = key(f, "x.py", 1, "x"), y = key(f, "y.py", 1, "y");
	entry(f, a, 1, 1, TU_F(0.5), TU_F(0.5));
	tu_add_int_caller(f->p, x, 1);
	entry(f, b, 2, 2, TU_F(0.25), TU_F(0.25));
	tu_add_int_caller(f->p, x, 1);
	tu_add_int_caller(f->p, y, 2);
	tu_add_int_caller(f->p, x, 3);
	entry(f, a, 5, 6, TU_F(1.5), TU_F(2.5));
	tu_add_int_caller(f->p, y, 7);
	assert_int_equal(pv_profile_nentries(f->p), 2);
	uint32_t k;
	pv_int cc, nc;
	pv_num tt;
	pv_profile_get(f->p, 0, &k, &cc, &nc, &tt, NULL);
	assert_int_equal(k, a);
	assert_pvint(cc, "5");
	assert_pvint(nc, "6");
	assert_num_float(tt, 1.5);
	if (shrink)
		pv_profile_shrink(f->p);
	merge_ok(f);
	assert_string_equal(tu_entry_name(f->st, 0), "a.py:1(f)");
	assert_string_equal(tu_entry_name(f->st, 1), "b.py:2(g)");
	const pv_entry *ea = pv_stats_entry(f->st, 0), *eb = pv_stats_entry(f->st, 1);
	assert_int_equal(ea->ncallers, 1);
	assert_string_equal(tu_edge_name(f->st, tu_edge_at(f->st, ea, 0)), "y.py:1(y)");
	assert_pvint(pv_edge_nc(tu_edge_at(f->st, ea, 0)), "7");
	assert_int_equal(eb->ncallers, 2);
	assert_string_equal(tu_edge_name(f->st, tu_edge_at(f->st, eb, 0)), "x.py:1(x)");
	assert_pvint(pv_edge_nc(tu_edge_at(f->st, eb, 0)), "3");
	assert_string_equal(tu_edge_name(f->st, tu_edge_at(f->st, eb, 1)), "y.py:1(y)");
	assert_pvint(pv_edge_nc(tu_edge_at(f->st, eb, 1)), "2");
	assert_pvint(pv_stats_total_calls(f->st), "8");
	if (shrink) { /* the repeat marks were freed: a new read still sees repeats */
		pv_profile_reset(f->p);
		entry(f, b, 1, 1, TU_F(0.5), TU_F(0.5));
		tu_add_int_caller(f->p, x, 1);
		tu_add_int_caller(f->p, x, 4);
		entry(f, b, 1, 1, TU_F(0.5), TU_F(0.5));
		assert_int_equal(pv_profile_nentries(f->p), 1);
	}
}

static void test_stats_profile_dict_semantics(void **state)
{
	dict_semantics(state, 0);
}

static void test_stats_profile_shrink(void **state)
{
	dict_semantics(state, 1);
}

/* The same rules with tuple callers of compact numbers (what cProfile
 * writes, which the profile appends inline) mixed with the ones that take
 * the general way: a repeated caller, a repeated key, a wide count, an int
 * time.  Merged twice, so the second merge sums edges at their hints. */
static void test_stats_profile_dict_semantics_tuples(void **state)
{
	fx *f = *state;
	uint32_t a = key(f, "a.py", 1, "f"), b = key(f, "b.py", 2, "g");
	uint32_t x = key(f, "x.py", 1, "x"), y = key(f, "y.py", 1, "y"), z = key(f, "z.py", 1, "z");
	pv_int wide = (pv_int)1 << 70;
	for (int round = 0; round < 2; round++) {
		entry(f, a, 1, 1, TU_F(0.5), TU_F(0.5));
		tu_add_tuple_caller(f->p, x, 1, 1, TU_F(0.25), TU_F(0.25));
		tu_add_tuple_caller(f->p, y, 2, 2, TU_F(0.25), TU_F(0.25));
		entry(f, b, 2, 2, TU_F(0.25), TU_F(0.25));
		tu_add_tuple_caller(f->p, x, 1, 1, TU_F(0.125), TU_F(0.125));
		tu_add_tuple_caller(f->p, y, wide, 2, TU_F(0.5), TU_F(0.5));
		tu_add_tuple_caller(f->p, x, 3, 3, TU_F(1.0), TU_F(1.0)); /* repeated: last value */
		tu_add_tuple_caller(f->p, z, 4, 4, TU_I(2), TU_F(-0.0));
		entry(f, a, 5, 6, TU_F(1.5), TU_F(2.5)); /* repeated: first position */
		tu_add_tuple_caller(f->p, z, 7, 7, TU_F(0.75), TU_F(0.75));
		tu_add_tuple_caller(f->p, x, 8, 8, TU_F(0.0625), TU_F(0.0625));
		assert_int_equal(pv_profile_nentries(f->p), 2);
		merge_ok(f);
	}
	const pv_entry *ea = pv_stats_entry(f->st, 0), *eb = pv_stats_entry(f->st, 1);
	assert_string_equal(tu_entry_name(f->st, 0), "a.py:1(f)");
	assert_pvint(pv_entry_cc(ea), "10");
	assert_pvint(pv_entry_nc(ea), "12");
	tu_same_bits(pv_entry_tt(ea).f, 3.0);
	assert_int_equal(ea->ncallers, 2);
	assert_string_equal(tu_edge_name(f->st, tu_edge_at(f->st, ea, 0)), "z.py:1(z)");
	assert_pvint(pv_edge_nc(tu_edge_at(f->st, ea, 0)), "14");
	assert_string_equal(tu_edge_name(f->st, tu_edge_at(f->st, ea, 1)), "x.py:1(x)");
	assert_pvint(pv_edge_cc(tu_edge_at(f->st, ea, 1)), "16");
	tu_same_bits(pv_edge_tt(tu_edge_at(f->st, ea, 1)).f, 0.125);
	assert_int_equal(eb->ncallers, 3);
	const pv_edge *bx = tu_edge_at(f->st, eb, 0), *by = tu_edge_at(f->st, eb, 1);
	const pv_edge *bz = tu_edge_at(f->st, eb, 2);
	assert_string_equal(tu_edge_name(f->st, bx), "x.py:1(x)");
	assert_pvint(pv_edge_nc(bx), "6");
	tu_same_bits(pv_edge_ct(bx).f, 2.0);
	assert_string_equal(tu_edge_name(f->st, by), "y.py:1(y)");
	assert_true(pv_edge_nc(by) == 2 * wide && pv_edge_cc(by) == 4);
	assert_string_equal(tu_edge_name(f->st, bz), "z.py:1(z)");
	assert_true(pv_edge_tt(bz).is_int && pv_edge_tt(bz).i == 4);
	tu_same_bits(pv_edge_ct(bz).f, -0.0);
	assert_pvint(pv_stats_total_calls(f->st), "16");
}

/* Tuple callers added after pv_profile_shrink (which fits callers[] to
 * what it holds and frees the repeat marks) and after a reset: appended
 * in order, callers[] grown first. */
static void test_stats_profile_callers_after_shrink(void **state)
{
	fx *f = *state;
	uint32_t a = key(f, "a.py", 1, "f"), b = key(f, "b.py", 1, "g");
	uint32_t c[6];
	for (int i = 0; i < 6; i++) {
		char name[16];
		snprintf(name, sizeof(name), "c%d", i);
		c[i] = key(f, "c.py", i + 1, name);
	}
	for (int round = 0; round < 2; round++) {
		entry(f, a, 1, 1, TU_F(0.5), TU_F(0.5));
		for (int i = 0; i < 3; i++)
			tu_add_tuple_caller(f->p, c[i], i + 1, 1, TU_F(0.25), TU_F(0.25));
		pv_profile_shrink(f->p);
		for (int i = 3; i < 6; i++)
			tu_add_tuple_caller(f->p, c[i], i + 1, 1, TU_F(0.25), TU_F(0.25));
		pv_profile_shrink(f->p);
		entry(f, b, 1, 1, TU_F(0.5), TU_F(0.5));
		tu_add_tuple_caller(f->p, c[0], 7, 1, TU_F(0.25), TU_F(0.25));
		merge_ok(f); /* resets the profile */
	}
	const pv_entry *ea = pv_stats_entry(f->st, 0), *eb = pv_stats_entry(f->st, 1);
	assert_int_equal(ea->ncallers, 6);
	for (int i = 0; i < 6; i++) {
		const pv_edge *g = tu_edge_at(f->st, ea, (size_t)i);
		assert_int_equal(g->caller, c[i]);
		assert_true(pv_edge_nc(g) == 2 * (i + 1) && pv_edge_cc(g) == 2);
	}
	assert_int_equal(eb->ncallers, 1);
	assert_true(pv_edge_nc(tu_edge_at(f->st, eb, 0)) == 14);
}

/* ---- merge ----------------------------------------------------------------------- */

/* One round of a scenario: a key begun twice (its first callers orphaned),
 * a caller added twice, int and tuple callers, -0.0, a key with none. */
static void take_round(pv_stats *st, pv_profile *p, int round)
{
	uint32_t a = tu_mkkey(st, "a.py", 1, "f"), b = tu_mkkey(st, "b.py", 2, "g");
	uint32_t c = tu_mkkey(st, "c.py", 3, "h"), x = tu_mkkey(st, "x.py", 1, "x");
	uint32_t y = tu_mkkey(st, "y.py", 1, "y");
	assert_int_equal(pv_profile_begin_entry(p, a, 1, 1, TU_F(0.5), TU_F(0.5)), 0);
	tu_add_tuple_caller(p, x, 1, 1, TU_F(0.1), TU_F(0.2));
	tu_add_tuple_caller(p, y, 2, 2, TU_F(0.3), TU_F(0.4));
	assert_int_equal(pv_profile_begin_entry(p, b, 2, 3, TU_F(-0.0), TU_F(0.25)), 0);
	tu_add_tuple_caller(p, x, 1, 1, TU_F(0.125), TU_F(0.5));
	tu_add_tuple_caller(p, y, 2, 2, TU_I(1), TU_F(0.75));
	tu_add_tuple_caller(p, x, 4, 3, TU_F(0.375), TU_F(1.0)); /* x again */
	assert_int_equal(pv_profile_begin_entry(p, a, 5, 6 + round, TU_F(1.5), TU_F(2.5)), 0);
	tu_add_tuple_caller(p, y, 7, 7, TU_F(0.0625), TU_F(0.5)); /* a again */
	assert_int_equal(pv_profile_begin_entry(p, c, 1, 1, TU_I(0), TU_I(0)), 0);
}

static void assert_same_model(pv_stats *s1, pv_stats *s2)
{
	assert_int_equal(pv_stats_nentries(s1), pv_stats_nentries(s2));
	assert_true(pv_stats_total_calls(s1) == pv_stats_total_calls(s2));
	assert_true(pv_stats_prim_calls(s1) == pv_stats_prim_calls(s2));
	pv_num t1 = pv_stats_total_tt(s1), t2 = pv_stats_total_tt(s2);
	assert_int_equal(t1.is_int, t2.is_int);
	assert_memory_equal(&t1.f, &t2.f, sizeof(double));
	assert_int_equal(pv_stats_nprofiles(s1), pv_stats_nprofiles(s2));
	for (size_t i = 0; i < pv_stats_nentries(s1); i++) {
		const pv_entry *a = pv_stats_entry(s1, i), *b = pv_stats_entry(s2, i);
		assert_int_equal(a->key, b->key);
		assert_true(pv_entry_cc(a) == pv_entry_cc(b) && pv_entry_nc(a) == pv_entry_nc(b));
		tu_same_bits(pv_entry_tt(a).f, pv_entry_tt(b).f);
		tu_same_bits(pv_entry_ct(a).f, pv_entry_ct(b).f);
		assert_int_equal(a->ncallers, b->ncallers);
		uint32_t i1 = a->first_edge, i2 = b->first_edge;
		for (uint32_t n = 0; n < a->ncallers; n++) {
			assert_true(i1 && i2);
			const pv_edge *e1 = pv_stats_edge(s1, i1), *e2 = pv_stats_edge(s2, i2);
			assert_int_equal(e1->caller, e2->caller);
			assert_true(pv_edge_nc(e1) == pv_edge_nc(e2) && pv_edge_cc(e1) == pv_edge_cc(e2));
			tu_same_bits(pv_edge_tt(e1).f, pv_edge_tt(e2).f);
			tu_same_bits(pv_edge_ct(e1).f, pv_edge_ct(e2).f);
			i1 = e1->next;
			i2 = e2->next;
		}
		assert_int_equal(i1, 0);
		assert_int_equal(i2, 0);
	}
}

/* pv_stats_merge_take() takes the first profile's storage: the model is
 * the one pv_stats_merge() builds, after the first profile and after a
 * second one (which needs the edge index the take left out); the profile
 * is left empty and can be filled again. */
static void test_stats_merge_take_same_model(void **state)
{
	(void)state;
	pv_stats *s1, *s2;
	pv_profile *p1, *p2;
	pv_ctx c1 = {0}, c2 = {0};
	assert_int_equal(pv_stats_new(&s1), 0);
	assert_int_equal(pv_stats_new(&s2), 0);
	assert_int_equal(pv_profile_new(&p1), 0);
	assert_int_equal(pv_profile_new(&p2), 0);
	for (int round = 0; round < 3; round++) {
		take_round(s1, p1, round);
		take_round(s2, p2, round);
		assert_int_equal(pv_stats_merge(s1, p1, &c1), 0);
		assert_int_equal(pv_stats_merge_take(s2, p2, &c2), 0);
		if (round == 0)
			assert_int_equal(pv_profile_nentries(p2), 0); /* taken */
		else
			assert_int_equal(pv_profile_nentries(p2), 3); /* merged, kept */
		assert_same_model(s1, s2);
		pv_profile_reset(p1);
		pv_profile_reset(p2);
	}
	pv_stats_strip_dirs(s1, &c1);
	pv_stats_strip_dirs(s2, &c2);
	assert_same_model(s1, s2);
	pv_profile_free(p1);
	pv_profile_free(p2);
	pv_stats_free(s1);
	pv_stats_free(s2);
}

/* Stats(first): the first profile is taken as is, -0.0 included. */
static void test_stats_merge_first_as_is(void **state)
{
	fx *f = *state;
	uint32_t a = key(f, "a.py", 1, "f"), c = key(f, "c.py", 1, "c");
	entry(f, a, 1, 1, TU_F(-0.0), TU_F(-0.0));
	tu_add_tuple_caller(f->p, c, 1, 1, TU_F(-0.0), TU_F(-0.0));
	merge_ok(f);
	const pv_entry *e = tu_entry(f->st, "a.py:1(f)");
	assert_num_float(pv_entry_tt(e), -0.0);
	assert_num_float(pv_entry_ct(e), -0.0);
	assert_num_float(pv_edge_tt(tu_edge_at(f->st, e, 0)), -0.0);
	assert_int_equal(pv_stats_nprofiles(f->st), 1);
	/* total_tt = 0 + (-0.0) = 0.0 */
	assert_num_float(pv_stats_total_tt(f->st), 0.0);
}

/* add(): a new key is stored as "incoming + (0, 0, 0, 0)", so -0.0 becomes
 * 0.0 (ints stay ints); its callers are copied as they are. */
static void test_stats_merge_later_new_key_plus_zero(void **state)
{
	fx *f = *state;
	uint32_t a = key(f, "a.py", 1, "f"), b = key(f, "b.py", 2, "g"), i = key(f, "i.py", 3, "i");
	uint32_t c = key(f, "c.py", 1, "c");
	entry(f, a, 1, 1, TU_F(0.5), TU_F(0.5));
	merge_ok(f);
	entry(f, b, 1, 1, TU_F(-0.0), TU_F(-0.0));
	tu_add_tuple_caller(f->p, c, 1, 1, TU_F(-0.0), TU_F(-0.0));
	entry(f, i, 1, 1, TU_I(-3), TU_I(0));
	merge_ok(f);
	const pv_entry *e = tu_entry(f->st, "b.py:2(g)");
	assert_num_float(pv_entry_tt(e), 0.0);
	assert_num_float(pv_entry_ct(e), 0.0);
	assert_num_float(pv_edge_tt(tu_edge_at(f->st, e, 0)), -0.0);
	assert_num_float(pv_edge_ct(tu_edge_at(f->st, e, 0)), -0.0);
	const pv_entry *ei = tu_entry(f->st, "i.py:3(i)");
	assert_num_int(pv_entry_tt(ei), "-3");
	assert_num_int(pv_entry_ct(ei), "0");
	assert_int_equal(pv_stats_nprofiles(f->st), 2);
}

/* An existing key: cc, nc, tt, ct added with Python's int/float rules. */
static void test_stats_merge_existing_key_summed(void **state)
{
	fx *f = *state;
	uint32_t a = key(f, "a.py", 1, "f"), b = key(f, "b.py", 2, "g");
	entry(f, a, 1, 2, TU_I(2), TU_F(0.1));
	entry(f, b, 1, 1, TU_I(5), TU_I(7));
	merge_ok(f);
	entry(f, a, 3, 4, TU_F(0.25), TU_F(0.2));
	entry(f, b, 1, 1, TU_I(-5), TU_I(1));
	merge_ok(f);
	const pv_entry *ea = tu_entry(f->st, "a.py:1(f)");
	assert_pvint(pv_entry_cc(ea), "4");
	assert_pvint(pv_entry_nc(ea), "6");
	assert_num_float(pv_entry_tt(ea), 2.25);
	assert_num_float(pv_entry_ct(ea), 0.1 + 0.2);
	const pv_entry *eb = tu_entry(f->st, "b.py:2(g)");
	assert_num_int(pv_entry_tt(eb), "0");
	assert_num_int(pv_entry_ct(eb), "8");
	assert_pvint(pv_stats_total_calls(f->st), "8");
	assert_pvint(pv_stats_prim_calls(f->st), "6");
	/* file sums 0+2+5 = 7 and 0+0.25-5 = -4.75, then 7 + -4.75 */
	assert_num_float(pv_stats_total_tt(f->st), 2.25);
}

/* Entries keep first-seen order over all merged profiles. */
static void test_stats_merge_order_first_seen(void **state)
{
	fx *f = *state;
	uint32_t a = key(f, "a.py", 1, "a"), b = key(f, "b.py", 1, "b"), c = key(f, "c.py", 1, "c");
	uint32_t d = key(f, "d.py", 1, "d");
	entry(f, a, 1, 1, TU_F(0.1), TU_F(0.1));
	entry(f, b, 1, 1, TU_F(0.1), TU_F(0.1));
	merge_ok(f);
	entry(f, c, 1, 1, TU_F(0.1), TU_F(0.1));
	entry(f, a, 1, 1, TU_F(0.1), TU_F(0.1));
	entry(f, d, 1, 1, TU_F(0.1), TU_F(0.1));
	merge_ok(f);
	const char *want[] = {"a.py:1(a)", "b.py:1(b)", "c.py:1(c)", "d.py:1(d)"};
	assert_int_equal(pv_stats_nentries(f->st), 4);
	for (size_t i = 0; i < 4; i++)
		assert_string_equal(tu_entry_name(f->st, i), want[i]);
	assert_pvint(pv_entry_nc(pv_stats_entry(f->st, 0)), "2");
	assert_int_equal(pv_stats_find(f->st, d), 3);
}

/* add_callers(): an existing caller is summed (tuples element-wise, ints
 * added), a new one appended after the old ones. */
static void test_stats_merge_callers(void **state)
{
	fx *f = *state;
	uint32_t a = key(f, "a.py", 1, "f"), p = key(f, "p.py", 1, "p");
	uint32_t x = key(f, "x.py", 1, "x"), y = key(f, "y.py", 1, "y"), z = key(f, "z.py", 1, "z");
	entry(f, a, 5, 5, TU_F(0.1), TU_F(0.1));
	tu_add_tuple_caller(f->p, x, 5, 3, TU_F(0.1), TU_F(0.5));
	tu_add_tuple_caller(f->p, y, 1, 1, TU_I(1), TU_F(0.25));
	entry(f, p, 1, 9, TU_I(0), TU_I(0));
	tu_add_int_caller(f->p, x, 4);
	merge_ok(f);
	entry(f, a, 2, 2, TU_F(0.1), TU_F(0.1));
	tu_add_tuple_caller(f->p, z, 1, 1, TU_F(0.5), TU_F(0.5));
	tu_add_tuple_caller(f->p, x, 2, 2, TU_F(0.2), TU_F(0.25));
	tu_add_tuple_caller(f->p, y, 1, 0, TU_I(2), TU_I(3));
	entry(f, p, 0, 5, TU_I(0), TU_I(0));
	tu_add_int_caller(f->p, y, 2);
	tu_add_int_caller(f->p, x, 5);
	merge_ok(f);

	const pv_entry *e = tu_entry(f->st, "a.py:1(f)");
	assert_int_equal(e->ncallers, 3);
	const pv_edge *ex = tu_edge_at(f->st, e, 0), *ey = tu_edge_at(f->st, e, 1);
	const pv_edge *ez = tu_edge_at(f->st, e, 2);
	assert_string_equal(tu_edge_name(f->st, ex), "x.py:1(x)");
	assert_pvint(pv_edge_nc(ex), "7");
	assert_pvint(pv_edge_cc(ex), "5");
	assert_num_float(pv_edge_tt(ex), 0.1 + 0.2);
	assert_num_float(pv_edge_ct(ex), 0.75);
	assert_string_equal(tu_edge_name(f->st, ey), "y.py:1(y)");
	assert_pvint(pv_edge_nc(ey), "2");
	assert_pvint(pv_edge_cc(ey), "1");
	assert_num_int(pv_edge_tt(ey), "3");
	assert_num_float(pv_edge_ct(ey), 3.25);
	assert_string_equal(tu_edge_name(f->st, ez), "z.py:1(z)");
	assert_pvint(pv_edge_nc(ez), "1");

	const pv_entry *ep = tu_entry(f->st, "p.py:1(p)");
	assert_int_equal(ep->ncallers, 2);
	assert_string_equal(tu_edge_name(f->st, tu_edge_at(f->st, ep, 0)), "x.py:1(x)");
	assert_int_equal(tu_edge_at(f->st, ep, 0)->is_tuple, 0);
	assert_pvint(pv_edge_nc(tu_edge_at(f->st, ep, 0)), "9");
	assert_string_equal(tu_edge_name(f->st, tu_edge_at(f->st, ep, 1)), "y.py:1(y)");
	assert_pvint(pv_edge_nc(tu_edge_at(f->st, ep, 1)), "2");
}

/* Stats(a, b, c): a is loaded, then add(b, c) processes c before b.  Each
 * file's total_tt is summed on its own from int 0 in dict order, then
 * total = (sum_a + sum_c) + sum_b.  CPython 3.11 prints repr 1.312 for
 * these; summing entry by entry in merge order would give
 * 1.3119999999999998. */
static void test_stats_merge_totals_pstats_order(void **state)
{
	fx *f = *state;
	static const double tts[3][2] = {{0.1, 0.2}, {0.7, 0.011}, {0.3, 0.001}}; /* a, c, b */
	static const char *files[3] = {"a.py", "c.py", "b.py"};
	for (int i = 0; i < 3; i++) {
		for (int j = 0; j < 2; j++)
			entry(f, key(f, files[i], j + 1, "f"), 1, 2, TU_F(tts[i][j]), TU_F(tts[i][j]));
		merge_ok(f);
	}
	assert_num_float(pv_stats_total_tt(f->st), 1.312);
	volatile double run = 0;
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 2; j++)
			run += tts[i][j];
	assert_double_bits(run, 1.3119999999999998); /* the wrong order differs */
	assert_pvint(pv_stats_total_calls(f->st), "12");
	assert_pvint(pv_stats_prim_calls(f->st), "6");
	assert_int_equal(pv_stats_nprofiles(f->st), 3);
	/* and the rows are in a, c, b order */
	assert_string_equal(tu_entry_name(f->st, 2), "c.py:1(f)");
	assert_string_equal(tu_entry_name(f->st, 4), "b.py:1(f)");
}

/* Totals: int times stay an int sum until a float arrives. */
static void test_stats_merge_totals_int_then_float(void **state)
{
	fx *f = *state;
	entry(f, key(f, "a.py", 1, "f"), 1, 1, TU_I(2), TU_I(2));
	entry(f, key(f, "a.py", 2, "g"), 1, 1, TU_I(3), TU_I(3));
	merge_ok(f);
	assert_num_int(pv_stats_total_tt(f->st), "5");
	entry(f, key(f, "a.py", 3, "h"), 1, 1, TU_F(0.5), TU_F(0.5));
	merge_ok(f);
	assert_num_float(pv_stats_total_tt(f->st), 5.5);
}

/* A caller that is a tuple in one profile and an int in another cannot be
 * merged (pstats: TypeError); the stats stay as they were. */
static void test_stats_merge_mixed_shapes_refused(void **state)
{
	fx *f = *state;
	uint32_t a = key(f, "a.py", 1, "f"), b = key(f, "b.py", 1, "g"), x = key(f, "x.py", 1, "x");
	entry(f, a, 1, 1, TU_F(0.5), TU_F(0.5));
	tu_add_int_caller(f->p, x, 1);
	merge_ok(f);

	entry(f, b, 7, 7, TU_F(1.0), TU_F(1.0)); /* would be new */
	entry(f, a, 1, 1, TU_F(0.5), TU_F(0.5));
	tu_add_tuple_caller(f->p, x, 1, 1, TU_F(0.5), TU_F(0.5));
	assert_int_equal(pv_stats_merge(f->st, f->p, &f->ctx), PV_ESHAPE);
	assert_int_equal(f->ctx.code, PV_ESHAPE);
	assert_string_equal(f->ctx.msg, "caller data is a tuple here but an int in earlier profiles; "
					"cannot merge (pstats raises TypeError)");
	assert_int_equal(pv_stats_nentries(f->st), 1);
	assert_int_equal(pv_stats_nprofiles(f->st), 1);
	assert_pvint(pv_stats_total_calls(f->st), "1");
	assert_num_float(pv_stats_total_tt(f->st), 0.5);
	const pv_entry *e = tu_entry(f->st, "a.py:1(f)");
	assert_pvint(pv_entry_nc(e), "1");
	assert_num_float(pv_entry_tt(e), 0.5);
	assert_int_equal(e->ncallers, 1);
	assert_int_equal(tu_edge_at(f->st, e, 0)->is_tuple, 0);
	assert_pvint(pv_edge_nc(tu_edge_at(f->st, e, 0)), "1");
	assert_int_equal(pv_stats_find(f->st, b), -1);
	pv_profile_reset(f->p);

	/* and the other way round, with the input's name in the message */
	pv_stats *st2;
	assert_int_equal(pv_stats_new(&st2), 0);
	uint32_t a2 = tu_mkkey(st2, "a.py", 1, "f"), x2 = tu_mkkey(st2, "x.py", 1, "x");
	assert_int_equal(pv_profile_begin_entry(f->p, a2, 1, 1, TU_F(0.5), TU_F(0.5)), 0);
	tu_add_tuple_caller(f->p, x2, 1, 1, TU_F(0.5), TU_F(0.5));
	assert_int_equal(pv_stats_merge(st2, f->p, &f->ctx), 0);
	pv_profile_reset(f->p);
	assert_int_equal(pv_profile_begin_entry(f->p, a2, 1, 1, TU_F(0.5), TU_F(0.5)), 0);
	tu_add_int_caller(f->p, x2, 3);
	f->ctx.input = "b.prof";
	assert_int_equal(pv_stats_merge(st2, f->p, &f->ctx), PV_ESHAPE);
	assert_string_equal(f->ctx.msg, "b.prof: caller data is an int here but a tuple in earlier "
					"profiles; cannot merge (pstats raises TypeError)");
	assert_pvint(pv_stats_total_calls(st2), "1");
	pv_stats_free(st2);
}

/* pstats refuses an empty stats dict. */
static void test_stats_merge_empty_profile(void **state)
{
	fx *f = *state;
	assert_int_equal(pv_stats_merge(f->st, f->p, &f->ctx), PV_EFORMAT);
	assert_string_equal(f->ctx.msg, "no profile data (empty stats dict; pstats refuses it too)");
	assert_int_equal(pv_stats_nprofiles(f->st), 0);
}

/* Sums that could leave the 128-bit range are refused, not wrapped. */
static void test_stats_merge_count_overflow_refused(void **state)
{
	fx *f = *state;
	pv_int big = (pv_int)1 << 126;
	/* two entries of 2^126 calls: total_calls would be 2^127 */
	entry(f, key(f, "a.py", 1, "f"), big, big, TU_I(0), TU_I(0));
	entry(f, key(f, "a.py", 2, "g"), big, big, TU_I(0), TU_I(0));
	/* BUG: abs_add() in lib/profile.c computes `ABS_LIMIT - hi` in uint64_t;
	 * for |v| >= 2^126, hi = (|v| >> 64) + 1 > ABS_LIMIT (2^62), so the
	 * subtraction wraps, the saturation never triggers, and the bound in
	 * pv_stats_merge (`ABS_LIMIT - p->abssum`, same wrap) lets the merge
	 * run: total_calls overflows __int128 (undefined behaviour; in practice
	 * -2^127).  Fix: saturate when hi >= ABS_LIMIT || *sum > ABS_LIMIT - hi,
	 * and refuse in pv_stats_merge when p->abssum >= ABS_LIMIT ||
	 * t->abssum > ABS_LIMIT - p->abssum (a saturated sum must be refused
	 * even for the first profile). */
	assert_int_equal(pv_stats_merge(f->st, f->p, &f->ctx), PV_ELIMIT);
	assert_string_equal(f->ctx.msg, "call counts too large to sum exactly (beyond 2^126)");
	assert_int_equal(pv_stats_nentries(f->st), 0);
}

/* The bound counts every int within 64 bits as one unit of 2^64, compact
 * callers too, kept or dropped: a profile whose bound reaches 2^126 is
 * refused, one unit below it is merged. */
static void test_stats_merge_bound_counts_compact_callers(void **state)
{
	(void)state;
	pv_ctx ctx = {0};
	/* |cc| >> 64 + 1 = 2^61 and |nc| >> 64 + 1 = 2^61 - 3: 2^62 - 3 units */
	pv_int cc = (pv_int)(((pv_int)1 << 61) - 1) << 64, nc = (pv_int)(((pv_int)1 << 61) - 4) << 64;
	for (int round = 0; round < 4; round++) {
		int n = round < 2 ? 2 : 1, drop = round & 1;
		pv_stats *st;
		pv_profile *p;
		assert_int_equal(pv_stats_new(&st), 0);
		assert_int_equal(pv_profile_new(&p), 0);
		if (drop)
			pv_profile_drop_callers(p);
		uint32_t ka = tu_mkkey(st, "a.py", 1, "f"), kx = tu_mkkey(st, "x.py", 1, "x");
		uint32_t ky = tu_mkkey(st, "y.py", 1, "y");
		assert_int_equal(pv_profile_begin_entry(p, ka, cc, nc, TU_F(0.5), TU_F(0.5)), 0);
		tu_add_tuple_caller(p, kx, 1, 1, TU_F(0.25), TU_F(0.25)); /* 2 units */
		if (n == 2)
			tu_add_tuple_caller(p, ky, 1, 1, TU_F(0.25), TU_F(0.25));
		int rc = pv_stats_merge(st, p, &ctx);
		if (n == 2) { /* 2^62 + 1 */
			assert_int_equal(rc, PV_ELIMIT);
			assert_string_equal(ctx.msg, "call counts too large to sum exactly (beyond 2^126)");
		} else { /* 2^62 - 1 */
			assert_int_equal(rc, 0);
			assert_int_equal(pv_stats_nentries(st), 1);
		}
		pv_profile_free(p);
		pv_stats_free(st);
	}
}

/* The same, one huge count per file: 2 x (2^127 - 1) on one key. */
static void test_stats_merge_count_overflow_across_files(void **state)
{
	fx *f = *state;
	pv_int max = (pv_int)(((unsigned __int128)1 << 127) - 1);
	uint32_t a = key(f, "a.py", 1, "f");
	entry(f, a, max, max, TU_I(0), TU_I(0));
	int rc1 = pv_stats_merge(f->st, f->p, &f->ctx);
	pv_profile_reset(f->p);
	entry(f, a, max, max, TU_I(0), TU_I(0));
	int rc2 = pv_stats_merge(f->st, f->p, &f->ctx);
	/* BUG: same wrap-around as above (abs_add / the merge bound); the second
	 * merge is accepted and nc overflows.  One of the two merges must be
	 * refused with PV_ELIMIT and the stored count must never be negative. */
	assert_true(rc1 == PV_ELIMIT || rc2 == PV_ELIMIT);
	if (pv_stats_nentries(f->st))
		assert_true(pv_entry_nc(pv_stats_entry(f->st, 0)) > 0);
}

/* Records hold 64-bit counts and float times compact; a sum that leaves
 * 64 bits, or an int time, moves the record's numbers to its owner's
 * arena, exactly, and both kinds merge as Python adds. */
static void test_stats_merge_compact_to_wide(void **state)
{
	fx *f = *state;
	uint32_t a = key(f, "a.py", 1, "f"), b = key(f, "b.py", 2, "g"), x = key(f, "x.py", 3, "x");
	for (int round = 0; round < 3; round++) {
		entry(f, a, INT64_MAX, 1, TU_F(0.5), TU_F(-0.0));
		tu_add_tuple_caller(f->p, x, INT64_MAX, 2, TU_F(0.25), TU_F(0.125));
		entry(f, b, 1, 1, round == 1 ? TU_I(3) : TU_F(1.5), TU_F(2.0));
		tu_add_int_caller(f->p, x, INT64_MAX);
		assert_int_equal(pv_stats_merge(f->st, f->p, &f->ctx), 0);
		pv_profile_reset(f->p);
	}
	const pv_entry *ea = pv_stats_entry(f->st, 0), *eb = pv_stats_entry(f->st, 1);
	assert_true(pv_entry_cc(ea) == 3 * (pv_int)INT64_MAX && pv_entry_nc(ea) == 3);
	tu_same_bits(pv_entry_tt(ea).f, 1.5);
	tu_same_bits(pv_entry_ct(ea).f, -0.0); /* kept by Stats(first), -0.0 + -0.0 after */
	const pv_edge *g = pv_stats_edge(f->st, ea->first_edge);
	assert_true(pv_edge_nc(g) == 3 * (pv_int)INT64_MAX && pv_edge_cc(g) == 6);
	tu_same_bits(pv_edge_tt(g).f, 0.75);
	/* 1.5 + int 3 + 1.5 in merge order (first, then the others reversed) */
	assert_int_equal(pv_entry_tt(eb).is_int, 0);
	tu_same_bits(pv_entry_tt(eb).f, 6.0);
	const pv_edge *h = pv_stats_edge(f->st, eb->first_edge);
	assert_int_equal(h->is_tuple, 0);
	assert_true(pv_edge_nc(h) == 3 * (pv_int)INT64_MAX && pv_edge_cc(h) == 0);
	assert_true(pv_edge_tt(h).is_int && pv_edge_tt(h).i == 0);
	assert_true(pv_stats_total_calls(f->st) == 6 && pv_stats_prim_calls(f->st) == 3 * (pv_int)INT64_MAX + 3);
}

/* A profile read without its edges (pv_load_opts.no_callers) tells the
 * merge its caller shapes and the bound of its numbers all the same, so a
 * model can say when the text report depends on the callers it lacks. */
static void test_stats_merge_without_callers(void **state)
{
	fx *f = *state;
	uint32_t a = key(f, "a.py", 1, "f"), x = key(f, "x.py", 3, "x");
	pv_profile_drop_callers(f->p);
	entry(f, a, 1, 1, TU_F(0.5), TU_F(0.5));
	tu_add_tuple_caller(f->p, x, 1, 1, TU_F(0.5), TU_F(0.5));
	assert_int_equal(pv_stats_merge(f->st, f->p, &f->ctx), 0);
	assert_int_equal(pv_stats_entry(f->st, 0)->first_edge, 0); /* no edge kept */
	assert_int_equal(pv_stats_callers_matter(f->st), 0);
	pv_profile_reset(f->p);
	entry(f, a, 2, 2, TU_F(0.5), TU_F(0.5));
	tu_add_int_caller(f->p, x, 2);
	/* pstats would refuse it; without edges the merge cannot tell, the model can */
	assert_int_equal(pv_stats_merge(f->st, f->p, &f->ctx), 0);
	assert_int_equal(pv_stats_callers_matter(f->st), 1);
	pv_profile_reset(f->p);
	/* a caller's count past 2^126 is refused as when the edges are kept */
	entry(f, a, 1, 1, TU_F(0.5), TU_F(0.5));
	pv_int big = (pv_int)1 << 126;
	for (int i = 0; i < 4; i++)
		tu_add_tuple_caller(f->p, x, big, 1, TU_F(0), TU_F(0));
	assert_int_equal(pv_stats_merge(f->st, f->p, &f->ctx), PV_ELIMIT);
}

/* The legacy ('jprofile', 0, 'profiler') caller names the report's
 * top-level functions: a model that holds that key needs its callers. */
static void test_stats_callers_matter_jprofile(void **state)
{
	fx *f = *state;
	uint32_t a = key(f, "a.py", 1, "f");
	pv_profile_drop_callers(f->p);
	entry(f, a, 1, 1, TU_F(0.5), TU_F(0.5));
	assert_int_equal(pv_stats_merge(f->st, f->p, &f->ctx), 0);
	assert_int_equal(pv_stats_callers_matter(f->st), 0);
	(void)key(f, "jprofile", 0, "profiler");
	assert_int_equal(pv_stats_callers_matter(f->st), 1);
}

/* ---- strip_dirs ------------------------------------------------------------------ */

/* Colliding entries are summed field-wise (callers summed); colliding
 * callers within one entry overwrite: last value, first position. */
static void test_stats_strip_dirs(void **state)
{
	fx *f = *state;
	uint32_t af = key(f, "a/mod.py", 1, "f"), bf = key(f, "b/mod.py", 1, "f");
	uint32_t h = key(f, "/x/y/help.py", 5, "helper"), r = key(f, "/r/main.py", 15, "run");
	uint32_t t = key(f, "/deep/dir/", 3, "trailing"), l = key(f, "~", 0, "<built-in method len>");
	entry(f, af, 3, 5, TU_F(0.5), TU_F(1.0));
	tu_add_tuple_caller(f->p, r, 5, 3, TU_F(0.25), TU_F(0.5));
	entry(f, h, 10, 10, TU_F(0.1), TU_F(0.1));
	tu_add_tuple_caller(f->p, af, 5, 5, TU_F(0.01), TU_F(0.02));
	tu_add_tuple_caller(f->p, r, 1, 1, TU_F(0.0), TU_F(0.0));
	tu_add_tuple_caller(f->p, bf, 4, 4, TU_F(0.03), TU_F(0.04));
	entry(f, bf, 2, 5, TU_F(0.25), TU_F(1.5));
	tu_add_tuple_caller(f->p, r, 2, 2, TU_F(0.125), TU_F(0.25));
	entry(f, t, 1, 1, TU_F(0.0), TU_F(0.0));
	entry(f, l, 4, 4, TU_F(0.0), TU_F(0.0));
	tu_add_tuple_caller(f->p, h, 4, 4, TU_F(0.0), TU_F(0.0));
	entry(f, r, 1, 1, TU_F(0.0), TU_F(2.0));
	merge_ok(f);
	pv_num total_tt = pv_stats_total_tt(f->st);

	assert_int_equal(pv_stats_strip_dirs(f->st, &f->ctx), 0);
	pv_stats *st = f->st;
	const char *want[] = {"mod.py:1(f)", "help.py:5(helper)", ":3(trailing)",
			      "{built-in method len}", "main.py:15(run)"};
	assert_int_equal(pv_stats_nentries(st), 5);
	for (size_t i = 0; i < 5; i++)
		assert_string_equal(tu_entry_name(st, i), want[i]);
	const pv_entry *m = pv_stats_entry(st, 0);
	assert_pvint(pv_entry_cc(m), "5");
	assert_pvint(pv_entry_nc(m), "10");
	assert_num_float(pv_entry_tt(m), 0.75);
	assert_num_float(pv_entry_ct(m), 2.5);
	assert_int_equal(m->ncallers, 1);
	const pv_edge *mr = tu_edge_at(st, m, 0);
	assert_string_equal(tu_edge_name(st, mr), "main.py:15(run)");
	assert_pvint(pv_edge_nc(mr), "7");
	assert_pvint(pv_edge_cc(mr), "5");
	assert_num_float(pv_edge_tt(mr), 0.375);
	assert_num_float(pv_edge_ct(mr), 0.75);
	/* helper: a/mod.py and b/mod.py callers collide; b's (4) overwrites in
	 * a's (first) position */
	const pv_entry *hp = pv_stats_entry(st, 1);
	assert_int_equal(hp->ncallers, 2);
	assert_string_equal(tu_edge_name(st, tu_edge_at(st, hp, 0)), "mod.py:1(f)");
	assert_pvint(pv_edge_nc(tu_edge_at(st, hp, 0)), "4");
	assert_num_float(pv_edge_tt(tu_edge_at(st, hp, 0)), 0.03);
	assert_string_equal(tu_edge_name(st, tu_edge_at(st, hp, 1)), "main.py:15(run)");
	/* caller keys are stripped too */
	assert_string_equal(tu_edge_name(st, tu_edge_at(st, pv_stats_entry(st, 3), 0)),
			    "help.py:5(helper)");
	/* totals untouched */
	assert_pvint(pv_stats_total_calls(st), "26");
	assert_pvint(pv_stats_prim_calls(st), "21");
	assert_double_bits(pv_stats_total_tt(st).f, total_tt.f);
	assert_int_equal(pv_stats_nprofiles(st), 1);
	/* a second strip changes nothing */
	assert_int_equal(pv_stats_strip_dirs(st, &f->ctx), 0);
	assert_int_equal(pv_stats_nentries(st), 5);
	assert_pvint(pv_entry_nc(pv_stats_entry(st, 0)), "10");
}

/* Colliding entries whose callers differ in shape cannot be summed. */
static void test_stats_strip_dirs_mixed_shapes(void **state)
{
	fx *f = *state;
	uint32_t a = key(f, "a/m.py", 1, "f"), b = key(f, "b/m.py", 1, "f"), x = key(f, "x.py", 1, "x");
	entry(f, a, 1, 1, TU_F(0.5), TU_F(0.5));
	tu_add_int_caller(f->p, x, 1);
	entry(f, b, 1, 1, TU_F(0.5), TU_F(0.5));
	tu_add_tuple_caller(f->p, x, 1, 1, TU_F(0.5), TU_F(0.5));
	merge_ok(f);
	assert_int_equal(pv_stats_strip_dirs(f->st, &f->ctx), PV_ESHAPE);
	assert_int_equal(pv_stats_nentries(f->st), 2);
	assert_string_equal(tu_entry_name(f->st, 0), "a/m.py:1(f)");
}

/* The big-table allocator: a table grown from nothing past 2 MiB (into a
 * mapping), grown again (mremap), shrunk back below 2 MiB (to malloc) keeps
 * every item, and its capacity covers what was asked. */
static void test_stats_big_table_grow_keeps_items(void **state)
{
	(void)state;
	uint64_t *t = NULL;
	size_t cap = 0, n = 0;
	const size_t steps[] = {1000, 300000, 300001, 2000000, 50, 0};
	for (size_t s = 0; s < sizeof(steps) / sizeof(steps[0]); s++) {
		size_t want = steps[s];
		if (want > n) {
			assert_int_equal(pv_big_grow(&t, &cap, want, sizeof(*t)), 0);
			assert_true(cap >= want);
			for (; n < want; n++)
				t[n] = n * 0x9e3779b97f4a7c15ULL;
		} else {
			assert_int_equal(pv_big_fit(&t, &cap, want, sizeof(*t)), 0);
			assert_true(cap >= (want ? want : 1));
			n = want;
		}
		for (size_t i = 0; i < n; i++)
			if (t[i] != i * 0x9e3779b97f4a7c15ULL)
				fail_msg("item %zu lost after step %zu", i, s);
	}
	pv_big_free(t, cap, sizeof(*t));
	pv_big_free(NULL, 0, sizeof(*t));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_stats_intern_same_bytes_same_id, setup, teardown),
		cmocka_unit_test(test_stats_reserve),
		cmocka_unit_test_setup_teardown(test_stats_intern_cache, setup, teardown),
		cmocka_unit_test(test_stats_big_table_grow_keeps_items),
		cmocka_unit_test_setup_teardown(test_stats_profile_shrink, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats_profile_dict_semantics_tuples, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stats_profile_callers_after_shrink, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stats_display_strings, setup, teardown),
		cmocka_unit_test(test_stats_utf8_len),
		cmocka_unit_test_setup_teardown(test_stats_profile_caller_needs_entry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats_profile_dict_semantics, setup, teardown),
		cmocka_unit_test(test_stats_merge_take_same_model),
		cmocka_unit_test_setup_teardown(test_stats_merge_first_as_is, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats_merge_later_new_key_plus_zero, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats_merge_existing_key_summed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats_merge_order_first_seen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats_merge_callers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats_merge_totals_pstats_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats_merge_totals_int_then_float, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats_merge_mixed_shapes_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats_merge_empty_profile, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats_merge_count_overflow_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats_merge_count_overflow_across_files, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stats_merge_compact_to_wide, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats_merge_bound_counts_compact_callers, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stats_merge_without_callers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats_callers_matter_jprofile, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats_strip_dirs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats_strip_dirs_mixed_shapes, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
