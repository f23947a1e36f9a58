/*
 * test_sort.c - sort keys (lib/sort.c, timsort.c): the exact set of
 * strings pstats 3.7+ accepts, descriptions, the legacy ints, and the
 * orders pv_view_build produces, checked against CPython 3.11's
 * sort_stats() on the same data.
 */
#include <math.h>

#include "testutil.h"

static const char *const key_names[] = {
	"calls",
	"ncalls",
	"cumtime",
	"cumulative",
	"filename",
	"line",
	"module",
	"name",
	"nfl",
	"pcalls",
	"stdname",
	"time",
	"tottime",
};
#define NNAMES (sizeof(key_names) / sizeof(key_names[0]))

/* sorted(Stats(...).get_sort_arg_defs()) on CPython 3.11: 66 strings */
static const char *const accepted[] = {
	"ca",
	"cal",
	"call",
	"calls",
	"cu",
	"cumt",
	"cumti",
	"cumtim",
	"cumtime",
	"cumu",
	"cumul",
	"cumula",
	"cumulat",
	"cumulati",
	"cumulativ",
	"cumulative",
	"f",
	"fi",
	"fil",
	"file",
	"filen",
	"filena",
	"filenam",
	"filename",
	"l",
	"li",
	"lin",
	"line",
	"m",
	"mo",
	"mod",
	"modu",
	"modul",
	"module",
	"na",
	"nam",
	"name",
	"nc",
	"nca",
	"ncal",
	"ncall",
	"ncalls",
	"nf",
	"nfl",
	"p",
	"pc",
	"pca",
	"pcal",
	"pcall",
	"pcalls",
	"s",
	"st",
	"std",
	"stdn",
	"stdna",
	"stdnam",
	"stdname",
	"ti",
	"tim",
	"time",
	"to",
	"tot",
	"tott",
	"totti",
	"tottim",
	"tottime",
};
#define NACCEPTED (sizeof(accepted) / sizeof(accepted[0]))

static int is_accepted(const char *s)
{
	for (size_t i = 0; i < NACCEPTED; i++)
		if (!strcmp(accepted[i], s))
			return 1;
	return 0;
}

/* The description pstats prints for a single key string. */
static const char *desc_of(const char *s)
{
	pv_sort *so = NULL;
	pv_ctx ctx = {0};
	static char buf[128];
	assert_int_equal(pv_sort_parse(&so, s, &ctx), 0);
	snprintf(buf, sizeof(buf), "%s", pv_sort_description(so));
	pv_sort_free(so);
	return buf;
}

/* Every prefix of every key name, and a few more strings: exactly the 66
 * of pstats are accepted. */
static void test_sort_accepted_set_is_pstats(void **state)
{
	(void)state;
	assert_int_equal(NACCEPTED, 66);
	size_t seen = 0;
	char buf[32];
	/* all prefixes, each tried once */
	const char *tried[128];
	size_t ntried = 0;
	for (size_t k = 0; k < NNAMES; k++) {
		size_t wl = strlen(key_names[k]);
		for (size_t l = 0; l <= wl; l++) {
			memcpy(buf, key_names[k], l);
			buf[l] = '\0';
			int dup = 0;
			for (size_t t = 0; t < ntried; t++)
				dup |= !strcmp(tried[t], buf);
			if (dup)
				continue;
			tried[ntried++] = strdup(buf);
			pv_sort *s = NULL;
			pv_ctx ctx = {0};
			int rc = pv_sort_parse(&s, buf, &ctx);
			if (is_accepted(buf)) {
				if (rc != 0)
					fail_msg("'%s' refused: %s", buf, ctx.msg);
				seen++;
			} else {
				if (rc != PV_EARG)
					fail_msg("'%s' accepted (rc %d)", buf, rc);
				char want[96];
				snprintf(want, sizeof(want),
					 "unknown sort key '%s' (see --help for the keys)", buf);
				assert_string_equal(ctx.msg, want);
				assert_int_equal(ctx.code, PV_EARG);
				assert_null(s);
			}
			pv_sort_free(s);
		}
	}
	assert_int_equal(seen, 66);
	for (size_t t = 0; t < ntried; t++)
		free((void *)tried[t]);

	/* not prefixes: refused */
	const char *no[] = {"Time", "TIME", "times", "calls ", " calls", "cumtimex", "3", "-2",
			    "file name", "stdnames"};
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		pv_sort *s = NULL;
		pv_ctx ctx = {0};
		assert_int_equal(pv_sort_parse(&s, no[i], &ctx), PV_EARG);
		pv_sort_free(s);
	}
}

static void test_sort_abbreviation_meanings(void **state)
{
	(void)state;
	assert_string_equal(desc_of("cu"), "cumulative time");
	assert_string_equal(desc_of("cumt"), "cumulative time");
	assert_string_equal(desc_of("cumu"), "cumulative time");
	assert_string_equal(desc_of("ca"), "call count");
	assert_string_equal(desc_of("nc"), "call count");
	assert_string_equal(desc_of("f"), "file name");
	assert_string_equal(desc_of("file"), "file name");
	assert_string_equal(desc_of("m"), "file name");
	assert_string_equal(desc_of("l"), "line number");
	assert_string_equal(desc_of("na"), "function name");
	assert_string_equal(desc_of("nf"), "name/file/line");
	assert_string_equal(desc_of("p"), "primitive call count");
	assert_string_equal(desc_of("s"), "standard name");
	assert_string_equal(desc_of("ti"), "internal time");
	assert_string_equal(desc_of("to"), "internal time");
}

static void test_sort_descriptions_joined(void **state)
{
	(void)state;
	assert_string_equal(desc_of("time,calls"), "internal time, call count");
	assert_string_equal(desc_of("pcalls,pcalls"), "primitive call count, primitive call count");
	assert_string_equal(desc_of("cumulative,stdname,nfl"),
			    "cumulative time, standard name, name/file/line");
	/* one bad key refuses the whole list */
	pv_sort *s = NULL;
	pv_ctx ctx = {0};
	assert_int_equal(pv_sort_parse(&s, "time,cum", &ctx), PV_EARG);
	assert_string_equal(ctx.msg, "unknown sort key 'cum' (see --help for the keys)");
	assert_int_equal(pv_sort_parse(&s, "time,,calls", &ctx), PV_EARG);
	assert_string_equal(ctx.msg, "unknown sort key '' (see --help for the keys)");
	assert_int_equal(pv_sort_parse(&s, "time,", &ctx), PV_EARG);
	assert_null(s);
}

/* sort_stats(-1 | 0 | 1 | 2); "none" is dict order. */
static void test_sort_legacy_ints_and_none(void **state)
{
	(void)state;
	assert_string_equal(desc_of("-1"), "standard name");
	assert_string_equal(desc_of("0"), "call count");
	assert_string_equal(desc_of("1"), "internal time");
	assert_string_equal(desc_of("2"), "cumulative time");
	pv_sort *s = NULL;
	pv_ctx ctx = {0};
	assert_int_equal(pv_sort_parse(&s, "none", &ctx), 0);
	assert_null(pv_sort_description(s));
	pv_sort_free(s);
	assert_null(pv_sort_description(NULL));
	s = NULL;
	assert_int_equal(pv_sort_parse(&s, "1,2", &ctx), PV_EARG);
	assert_int_equal(pv_sort_parse(&s, "none,time", &ctx), PV_EARG);
	pv_sort_free(NULL);
}

static void test_sort_list_keys(void **state)
{
	(void)state;
	tu_mem m;
	tu_mem_open(&m);
	pv_sort_list_keys(m.fp);
	assert_string_equal(tu_mem_close(&m), "  calls       call count\n"
					      "  ncalls      call count\n"
					      "  cumtime     cumulative time\n"
					      "  cumulative  cumulative time\n"
					      "  filename    file name\n"
					      "  line        line number\n"
					      "  module      file name\n"
					      "  name        function name\n"
					      "  nfl         name/file/line\n"
					      "  pcalls      primitive call count\n"
					      "  stdname     standard name\n"
					      "  time        internal time\n"
					      "  tottime     internal time\n");
	tu_mem_free(&m);
}

/* ---- orders -------------------------------------------------------------------------- */

/* The data set; the expected orders are CPython 3.11's fcn_list for
 *   {('x.py', 9, 'f'): (1, 3, 0.5, 2.0, {}), ('x.py', 10, 'f'): (2, 3, 0.7, 1.0, {}),
 *    ('a.py', 10, 'g'): (1, 1, 0.5, 3.0, {}),
 *    ('~', 0, '<built-in method len>'): (4, 4, 0.7, 0.7, {}),
 *    ('b.py', 2, 'a'): (3, 5, 0.1, 2.0, {}), ('x.py', 1, 'g'): (1, 3, 2, 2, {}),
 *    ('Z.py', 5, 'f'): (2, 2, 0.1, 1.0, {}), ('~', 0, 'plain'): (1, 1, 0.0, 0.0, {})} */
static int setup(void **state)
{
	static const struct {
		const char *file;
		int line;
		const char *name;
		int cc, nc;
		double tt, ct;
		int ints;
	} d[] = {
		{"x.py", 9, "f", 1, 3, 0.5, 2.0, 0},
		{"x.py", 10, "f", 2, 3, 0.7, 1.0, 0},
		{"a.py", 10, "g", 1, 1, 0.5, 3.0, 0},
		{"~", 0, "<built-in method len>", 4, 4, 0.7, 0.7, 0},
		{"b.py", 2, "a", 3, 5, 0.1, 2.0, 0},
		{"x.py", 1, "g", 1, 3, 2, 2, 1},
		{"Z.py", 5, "f", 2, 2, 0.1, 1.0, 0},
		{"~", 0, "plain", 1, 1, 0.0, 0.0, 0},
	};
	pv_stats *st;
	pv_profile *p;
	assert_int_equal(pv_stats_new(&st), 0);
	assert_int_equal(pv_profile_new(&p), 0);
	for (size_t i = 0; i < 8; i++) {
		uint32_t k = tu_mkkey(st, d[i].file, d[i].line, d[i].name);
		pv_num tt = d[i].ints ? TU_I((pv_int)d[i].tt) : TU_F(d[i].tt);
		pv_num ct = d[i].ints ? TU_I((pv_int)d[i].ct) : TU_F(d[i].ct);
		assert_int_equal(pv_profile_begin_entry(p, k, d[i].cc, d[i].nc, tt, ct), 0);
	}
	pv_ctx ctx = {0};
	assert_int_equal(pv_stats_merge(st, p, &ctx), 0);
	pv_profile_free(p);
	*state = st;
	return 0;
}

static int teardown(void **state)
{
	pv_stats_free(*state);
	return 0;
}

static void check_order(pv_stats *st, const char *spec, const int *want, const char *desc)
{
	pv_sort *s = NULL;
	pv_ctx ctx = {0};
	pv_view v;
	assert_int_equal(pv_sort_parse(&s, spec, &ctx), 0);
	assert_int_equal(pv_view_build(&v, st, s, NULL, &ctx), 0);
	assert_int_equal(v.nrows, 8);
	assert_int_equal(v.ordered, 1);
	assert_string_equal(v.order, desc);
	char got[64] = "", exp[64] = "";
	for (size_t i = 0; i < 8; i++) {
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%u ", v.rows[i]);
		snprintf(exp + strlen(exp), sizeof(exp) - strlen(exp), "%d ", want[i]);
	}
	if (strcmp(got, exp))
		fail_msg("sort '%s': rows %s, pstats %s", spec, got, exp);
	pv_view_clear(&v);
	pv_sort_free(s);
}

static void test_sort_orders_match_pstats(void **state)
{
	pv_stats *st = *state;
	static const struct {
		const char *spec, *desc;
		int order[8];
	} cases[] = {
		{"calls", "call count", {4, 3, 0, 1, 5, 6, 2, 7}},
		{"ncalls", "call count", {4, 3, 0, 1, 5, 6, 2, 7}},
		{"cumtime", "cumulative time", {2, 0, 4, 5, 1, 6, 3, 7}},
		{"cumulative", "cumulative time", {2, 0, 4, 5, 1, 6, 3, 7}},
		{"filename", "file name", {6, 2, 4, 0, 1, 5, 3, 7}},
		{"line", "line number", {3, 7, 5, 4, 6, 0, 1, 2}},
		{"module", "file name", {6, 2, 4, 0, 1, 5, 3, 7}},
		{"name", "function name", {3, 4, 0, 1, 6, 2, 5, 7}},
		{"nfl", "name/file/line", {3, 4, 6, 0, 1, 2, 5, 7}},
		{"pcalls", "primitive call count", {3, 4, 1, 6, 0, 2, 5, 7}},
		{"stdname", "standard name", {6, 2, 4, 7, 5, 1, 0, 3}},
		{"time", "internal time", {5, 1, 3, 0, 2, 4, 6, 7}},
		{"tottime", "internal time", {5, 1, 3, 0, 2, 4, 6, 7}},
		{"calls,time", "call count, internal time", {4, 3, 5, 1, 0, 6, 2, 7}},
		{"time,calls", "internal time, call count", {5, 3, 1, 0, 2, 4, 6, 7}},
		{"pcalls,pcalls", "primitive call count, primitive call count", {3, 4, 1, 6, 0, 2, 5, 7}},
		{"cumulative,stdname", "cumulative time, standard name", {2, 4, 5, 0, 6, 1, 3, 7}},
		{"line,name", "line number, function name", {3, 7, 5, 4, 6, 0, 1, 2}},
		{"-1", "standard name", {6, 2, 4, 7, 5, 1, 0, 3}},
		{"0", "call count", {4, 3, 0, 1, 5, 6, 2, 7}},
		{"1", "internal time", {5, 1, 3, 0, 2, 4, 6, 7}},
		{"2", "cumulative time", {2, 0, 4, 5, 1, 6, 3, 7}},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_order(st, cases[i].spec, cases[i].order, cases[i].desc);
}

/* No sort (NULL or "none"): dict order, "Random listing order". */
static void test_sort_none_is_dict_order(void **state)
{
	pv_stats *st = *state;
	pv_ctx ctx = {0};
	pv_view v;
	assert_int_equal(pv_view_build(&v, st, NULL, NULL, &ctx), 0);
	assert_int_equal(v.ordered, 0);
	assert_null(v.order);
	assert_int_equal(v.nrows, 8);
	for (uint32_t i = 0; i < 8; i++)
		assert_int_equal(v.rows[i], i);
	assert_string_equal(v.notes, "");
	/* width: the longest display name + 2: "{built-in method len}" = 21 */
	assert_int_equal(pv_view_width(&v, st), 23);
	pv_view_clear(&v);
	pv_sort *s = NULL;
	assert_int_equal(pv_sort_parse(&s, "none", &ctx), 0);
	assert_int_equal(pv_view_build(&v, st, s, NULL, &ctx), 0);
	assert_int_equal(v.ordered, 0);
	assert_int_equal(v.rows[7], 7);
	pv_view_clear(&v);
	pv_sort_free(s);
}

/* Ties keep dict order over many rows (merge sort, not only insertion). */
static void test_sort_stable_many_ties(void **state)
{
	(void)state;
	pv_stats *st;
	pv_profile *p;
	assert_int_equal(pv_stats_new(&st), 0);
	assert_int_equal(pv_profile_new(&p), 0);
	/* 100 rows, tt = (i * 7) % 5 / 4.0: ties in groups of 20 */
	for (int i = 0; i < 100; i++) {
		char name[16];
		snprintf(name, sizeof(name), "f%d", i);
		uint32_t k = tu_mkkey(st, "m.py", i, name);
		assert_int_equal(pv_profile_begin_entry(p, k, 1, 1, TU_F((i * 7) % 5 / 4.0), TU_F(0)), 0);
	}
	pv_ctx ctx = {0};
	assert_int_equal(pv_stats_merge(st, p, &ctx), 0);
	pv_sort *s = NULL;
	pv_view v;
	assert_int_equal(pv_sort_parse(&s, "time", &ctx), 0);
	assert_int_equal(pv_view_build(&v, st, s, NULL, &ctx), 0);
	size_t r = 0;
	for (int val = 4; val >= 0; val--)
		for (int i = 0; i < 100; i++)
			if ((i * 7) % 5 == val)
				assert_int_equal(v.rows[r++], i);
	assert_int_equal(r, 100);
	pv_view_clear(&v);
	pv_sort_free(s);
	pv_profile_free(p);
	pv_stats_free(st);
}

/* Int and float times compare exactly: 2**53 + 1 > 9007199254740992.0
 * although (double)(2**53 + 1) == 9007199254740992.0. */
static void test_sort_int_float_exact(void **state)
{
	(void)state;
	pv_stats *st;
	pv_profile *p;
	assert_int_equal(pv_stats_new(&st), 0);
	assert_int_equal(pv_profile_new(&p), 0);
	pv_int big = ((pv_int)1 << 53) + 1;
	uint32_t kf = tu_mkkey(st, "f.py", 1, "float"), ki = tu_mkkey(st, "i.py", 1, "int");
	assert_int_equal(pv_profile_begin_entry(p, kf, 1, 1, TU_F(9007199254740992.0), TU_F(0)), 0);
	assert_int_equal(pv_profile_begin_entry(p, ki, 1, 1, TU_I(big), TU_I(0)), 0);
	pv_ctx ctx = {0};
	assert_int_equal(pv_stats_merge(st, p, &ctx), 0);
	pv_sort *s = NULL;
	pv_view v;
	assert_int_equal(pv_sort_parse(&s, "time", &ctx), 0);
	assert_int_equal(pv_view_build(&v, st, s, NULL, &ctx), 0);
	assert_int_equal(v.rows[0], 1); /* the int is larger */
	assert_int_equal(v.rows[1], 0);
	pv_view_clear(&v);
	pv_sort_free(s);
	assert_true(pv_num_cmp(TU_I(big), TU_F(9007199254740992.0)) > 0);
	assert_true(pv_num_cmp(TU_F(9007199254740992.0), TU_I(big)) < 0);
	assert_int_equal(pv_num_cmp(TU_F(NAN), TU_I(1)), 0);
	assert_int_equal(pv_num_cmp(TU_I(1), TU_F(NAN)), 0);
	assert_int_equal(pv_num_cmp(TU_F(NAN), TU_F(1.0)), 0);
	pv_profile_free(p);
	pv_stats_free(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sort_accepted_set_is_pstats),
		cmocka_unit_test(test_sort_abbreviation_meanings),
		cmocka_unit_test(test_sort_descriptions_joined),
		cmocka_unit_test(test_sort_legacy_ints_and_none),
		cmocka_unit_test(test_sort_list_keys),
		cmocka_unit_test_setup_teardown(test_sort_orders_match_pstats, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sort_none_is_dict_order, setup, teardown),
		cmocka_unit_test(test_sort_stable_many_ties),
		cmocka_unit_test(test_sort_int_float_exact),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
