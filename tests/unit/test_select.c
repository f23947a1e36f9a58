/*
 * test_select.c - restrictions (lib/select.c) and the view they make:
 * pstats' print_stats(*amount) rules, the "List reduced" notes with
 * Python's repr of the argument (lib/pyrepr.c), argument errors.
 */
#include <math.h>

#include "testutil.h"

#include "../../lib/internal.h"

/* 19 entries: pkg/mNN.py:(NN+1)(f|g) for NN = 00..17 (f for even NN), then
 * {built-in method len}. */
static int setup(void **state)
{
	pv_stats *st;
	pv_profile *p;
	assert_int_equal(pv_stats_new(&st), 0);
	assert_int_equal(pv_profile_new(&p), 0);
	for (int i = 0; i < 19; i++) {
		char file[32];
		snprintf(file, sizeof(file), "pkg/m%02d.py", i);
		uint32_t k = i < 18 ? tu_mkkey(st, file, i + 1, i % 2 ? "g" : "f")
				    : tu_mkkey(st, "~", 0, "<built-in method len>");
		assert_int_equal(pv_profile_begin_entry(p, k, 1, 1, TU_F(0.5), TU_F(0.5)), 0);
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

struct step {
	pv_sel_kind kind;
	const char *arg;
};

/* Build a view (dict order) with the steps; check rows and notes. */
static void check_view(pv_stats *st, const struct step *steps, size_t nsteps, const char *rows,
		       const char *notes, size_t width)
{
	pv_select *sel;
	pv_ctx ctx = {0};
	assert_int_equal(pv_select_new(&sel), 0);
	for (size_t i = 0; i < nsteps; i++)
		if (pv_select_add(sel, steps[i].kind, steps[i].arg, &ctx) != 0)
			fail_msg("select_add '%s': %s", steps[i].arg, ctx.msg);
	pv_view v;
	assert_int_equal(pv_view_build(&v, st, NULL, sel, &ctx), 0);
	char got[256] = "";
	for (size_t i = 0; i < v.nrows; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%u", i ? " " : "", v.rows[i]);
	assert_string_equal(got, rows);
	assert_string_equal(v.notes, notes);
	if (width)
		assert_int_equal(pv_view_width(&v, st), width);
	pv_view_clear(&v);
	pv_select_free(sel);
}

static const char all_rows[] = "0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18";

static void test_select_limit(void **state)
{
	pv_stats *st = *state;
	struct step s = {PV_SEL_LIMIT, "3"};
	check_view(st, &s, 1, "0 1 2", "   List reduced from 19 to 3 due to restriction <3>\n", 17);
	s.arg = "0";
	check_view(st, &s, 1, "", "   List reduced from 19 to 0 due to restriction <0>\n", 0);
	s.arg = "19"; /* n >= len: no effect, no note */
	check_view(st, &s, 1, all_rows, "", 23);
	s.arg = "100";
	check_view(st, &s, 1, all_rows, "", 23);
	s.arg = "18";
	check_view(st, &s, 1, "0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17",
		   "   List reduced from 19 to 18 due to restriction <18>\n", 18);
	s.arg = "007"; /* int('007') == 7 */
	check_view(st, &s, 1, "0 1 2 3 4 5 6",
		   "   List reduced from 19 to 7 due to restriction <7>\n", 17);
}

/* int(len * x + 0.5) in double precision; 1.0 has no effect. */
static void test_select_fraction(void **state)
{
	pv_stats *st = *state;
	struct step s = {PV_SEL_FRACTION, "0.1"};
	check_view(st, &s, 1, "0 1", "   List reduced from 19 to 2 due to restriction <0.1>\n", 0);
	s.arg = "0.5"; /* 10.0 */
	check_view(st, &s, 1, "0 1 2 3 4 5 6 7 8 9",
		   "   List reduced from 19 to 10 due to restriction <0.5>\n", 0);
	s.arg = "0.05"; /* 1.45 */
	check_view(st, &s, 1, "0", "   List reduced from 19 to 1 due to restriction <0.05>\n", 0);
	s.arg = "0.025"; /* 0.975 */
	check_view(st, &s, 1, "", "   List reduced from 19 to 0 due to restriction <0.025>\n", 0);
	s.arg = "0.45"; /* 9.05 */
	check_view(st, &s, 1, "0 1 2 3 4 5 6 7 8",
		   "   List reduced from 19 to 9 due to restriction <0.45>\n", 0);
	s.arg = "0";
	check_view(st, &s, 1, "", "   List reduced from 19 to 0 due to restriction <0.0>\n", 0);
	s.arg = "0.00001";
	check_view(st, &s, 1, "", "   List reduced from 19 to 0 due to restriction <1e-05>\n", 0);
	s.arg = "0.999"; /* 19.48: the length does not change, so no note */
	check_view(st, &s, 1, all_rows, "", 23);
	s.arg = "1.0";
	check_view(st, &s, 1, all_rows, "", 23);
	s.arg = "1";
	check_view(st, &s, 1, all_rows, "", 23);
}

/* Regex search anywhere in the display name; notes repr the pattern. */
static void test_select_match_and_exclude(void **state)
{
	pv_stats *st = *state;
	struct step s = {PV_SEL_MATCH, "\\(f\\)"};
	check_view(st, &s, 1, "0 2 4 6 8 10 12 14 16",
		   "   List reduced from 19 to 9 due to restriction <'\\\\(f\\\\)'>\n", 18);
	s.arg = "len";
	check_view(st, &s, 1, "18", "   List reduced from 19 to 1 due to restriction <'len'>\n", 23);
	s.arg = "^\\{"; /* the displayed name, not the key's file '~' */
	check_view(st, &s, 1, "18", "   List reduced from 19 to 1 due to restriction <'^\\\\{'>\n", 23);
	s.arg = "~";
	check_view(st, &s, 1, "", "   List reduced from 19 to 0 due to restriction <'~'>\n", 0);
	s.arg = "py"; /* all but the builtin */
	check_view(st, &s, 1, "0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17",
		   "   List reduced from 19 to 18 due to restriction <'py'>\n", 18);
	s.arg = "."; /* everything: no note */
	check_view(st, &s, 1, all_rows, "", 23);
	s.arg = "it's";
	check_view(st, &s, 1, "", "   List reduced from 19 to 0 due to restriction <\"it's\">\n", 0);

	struct step x = {PV_SEL_EXCLUDE, "g\\)"};
	check_view(st, &x, 1, "0 2 4 6 8 10 12 14 16 18",
		   "   List reduced from 19 to 10 due to exclusion <'g\\\\)'>\n", 23);
	x.arg = "x";
	check_view(st, &x, 1, all_rows, "", 23);
	x.arg = "";
	check_view(st, &x, 1, "", "   List reduced from 19 to 0 due to exclusion <''>\n", 0);
}

/* Each step applies to what the previous ones left, in the order given;
 * notes accumulate in that order. */
static void test_select_order_of_application(void **state)
{
	pv_stats *st = *state;
	const struct step a[] = {
		{PV_SEL_MATCH, "\\(f\\)"}, {PV_SEL_LIMIT, "3"}, {PV_SEL_FRACTION, "0.5"}};
	check_view(st, a, 3, "0 2",
		   "   List reduced from 19 to 9 due to restriction <'\\\\(f\\\\)'>\n"
		   "   List reduced from 9 to 3 due to restriction <3>\n"
		   "   List reduced from 3 to 2 due to restriction <0.5>\n",
		   17);
	const struct step b[] = {{PV_SEL_LIMIT, "3"}, {PV_SEL_MATCH, "\\(f\\)"}};
	check_view(st, b, 2, "0 2",
		   "   List reduced from 19 to 3 due to restriction <3>\n"
		   "   List reduced from 3 to 2 due to restriction <'\\\\(f\\\\)'>\n",
		   17);
	/* a step that changes nothing adds no line between the others */
	const struct step c[] = {
		{PV_SEL_EXCLUDE, "len"}, {PV_SEL_LIMIT, "100"}, {PV_SEL_MATCH, "m1"}, {PV_SEL_LIMIT, "0"}};
	check_view(st, c, 4, "",
		   "   List reduced from 19 to 18 due to exclusion <'len'>\n"
		   "   List reduced from 18 to 8 due to restriction <'m1'>\n"
		   "   List reduced from 8 to 0 due to restriction <0>\n",
		   0);
}

/* Sorting happens before the restrictions. */
static void test_select_after_sort(void **state)
{
	pv_stats *st = *state;
	pv_select *sel;
	pv_sort *so;
	pv_ctx ctx = {0};
	pv_view v;
	assert_int_equal(pv_select_new(&sel), 0);
	assert_int_equal(pv_sort_parse(&so, "stdname", &ctx), 0);
	assert_int_equal(pv_select_add(sel, PV_SEL_LIMIT, "2", &ctx), 0);
	assert_int_equal(pv_view_build(&v, st, so, sel, &ctx), 0);
	assert_int_equal(v.nrows, 2);
	assert_int_equal(v.rows[0], 0);
	assert_int_equal(v.rows[1], 1);
	assert_string_equal(v.order, "standard name");
	pv_view_clear(&v);
	pv_sort_free(so);
	assert_int_equal(pv_sort_parse(&so, "name", &ctx), 0); /* len < f < g */
	assert_int_equal(pv_view_build(&v, st, so, sel, &ctx), 0);
	assert_int_equal(v.rows[0], 18);
	assert_int_equal(v.rows[1], 0);
	assert_int_equal(pv_view_width(&v, st), 23);
	pv_view_clear(&v);
	pv_sort_free(so);
	pv_select_free(sel);
}

/* Unicode semantics: \d and \w match non-ASCII digits and letters, . is a
 * code point. */
static void test_select_regex_unicode(void **state)
{
	(void)state;
	pv_stats *st;
	pv_profile *p;
	assert_int_equal(pv_stats_new(&st), 0);
	assert_int_equal(pv_profile_new(&p), 0);
	const char *names[] = {"f\xd9\xa3", "\xc3\xa9t\xc3\xa9", "plain"}; /* f٣, été */
	for (int i = 0; i < 3; i++)
		assert_int_equal(pv_profile_begin_entry(p, tu_mkkey(st, "u.py", 1, names[i]), 1, 1,
							TU_F(0), TU_F(0)),
				 0);
	pv_ctx ctx = {0};
	assert_int_equal(pv_stats_merge(st, p, &ctx), 0);
	struct step s = {PV_SEL_MATCH, "f\\d\\)"};
	check_view(st, &s, 1, "0", "   List reduced from 3 to 1 due to restriction <'f\\\\d\\\\)'>\n", 12);
	s.arg = "\\(\\w\\w\\w\\)";
	check_view(st, &s, 1, "1",
		   "   List reduced from 3 to 1 due to restriction <'\\\\(\\\\w\\\\w\\\\w\\\\)'>\n", 13);
	s.arg = "\\(...\\)";
	check_view(st, &s, 1, "1", "   List reduced from 3 to 1 due to restriction <'\\\\(...\\\\)'>\n",
		   13);
	s.arg = "\xc3\xa9t";
	check_view(st, &s, 1, "1",
		   "   List reduced from 3 to 1 due to restriction <'\xc3\xa9t'>\n", 13);
	pv_profile_free(p);
	pv_stats_free(st);
}

static void expect_arg_error(pv_sel_kind kind, const char *arg, const char *msg)
{
	pv_select *sel;
	pv_ctx ctx = {0};
	assert_int_equal(pv_select_new(&sel), 0);
	assert_int_equal(pv_select_add(sel, kind, arg, &ctx), PV_EARG);
	assert_int_equal(ctx.code, PV_EARG);
	assert_string_equal(ctx.msg, msg);
	pv_select_free(sel);
}

static void test_select_bad_regex(void **state)
{
	(void)state;
	expect_arg_error(PV_SEL_MATCH, "(",
			 "--match: invalid regular expression '(': missing closing parenthesis at offset 1");
	expect_arg_error(PV_SEL_EXCLUDE, "a[b",
			 "--exclude: invalid regular expression 'a[b': missing terminating ] for character "
			 "class at offset 3");
	expect_arg_error(PV_SEL_MATCH, "x{2,1}",
			 "--match: invalid regular expression 'x{2,1}': numbers out of order in {} "
			 "quantifier at offset 5");
	expect_arg_error(PV_SEL_MATCH, "*a",
			 "--match: invalid regular expression '*a': quantifier does not follow a repeatable "
			 "item at offset 0");
}

static void test_select_bad_numbers(void **state)
{
	(void)state;
	const char *limits[] = {"-1", "abc", "", "1.5", " 3", "3x", "1e3"};
	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		char want[128];
		snprintf(want, sizeof(want), "--limit takes a whole number >= 0, not '%s'", limits[i]);
		expect_arg_error(PV_SEL_LIMIT, limits[i], want);
	}
	const char *fractions[] = {"1.5", "-0.1", "abc", "", "nan", "1e400", "0.5x", "-0"};
	for (size_t i = 0; i < sizeof(fractions) / sizeof(fractions[0]); i++) {
		char want[128];
		snprintf(want, sizeof(want), "--fraction takes a number from 0 to 1, not '%s'",
			 fractions[i]);
		if (!strcmp(fractions[i], "-0"))
			continue; /* -0.0 is in [0, 1]: accepted, see below */
		expect_arg_error(PV_SEL_FRACTION, fractions[i], want);
	}
	pv_select *sel;
	pv_ctx ctx = {0};
	assert_int_equal(pv_select_new(&sel), 0);
	assert_int_equal(pv_select_add(sel, PV_SEL_FRACTION, "-0", &ctx), 0);
	assert_int_equal(pv_select_add(sel, PV_SEL_LIMIT, "+5", &ctx), 0);
	pv_select_free(sel);
	pv_select_free(NULL);
}

/* pstats takes any int and any float: a limit past 2^64 cuts nothing, a
 * subnormal fraction cuts everything (int(19 * 5e-324 + .5) == 0). */
static void test_select_edge_numbers(void **state)
{
	pv_stats *st = *state;
	check_view(st, (struct step[]){{PV_SEL_LIMIT, "18446744073709551616"}}, 1,
		   "0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18", "", 0);
	check_view(st, (struct step[]){{PV_SEL_LIMIT, "99999999999999999999999999999"}}, 1,
		   "0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18", "", 0);
	check_view(st, (struct step[]){{PV_SEL_FRACTION, "5e-324"}}, 1, "",
		   "   List reduced from 19 to 0 due to restriction <5e-324>\n", 0);
	check_view(st, (struct step[]){{PV_SEL_FRACTION, "1e-400"}}, 1, "",
		   "   List reduced from 19 to 0 due to restriction <0.0>\n", 0);
}

/* ---- Python repr ------------------------------------------------------------------- */

static void check_repr_str(const char *in, const char *want)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	assert_int_equal(pv_pyrepr_str(&buf, &len, &cap, in, strlen(in)), 0);
	assert_int_equal(len, strlen(want));
	assert_string_equal(buf, want);
	free(buf);
}

static void test_select_pyrepr_str(void **state)
{
	(void)state;
	/* expected values: CPython 3.11 repr() */
	check_repr_str("it's", "\"it's\"");
	check_repr_str("a\"b'c", "'a\"b\\'c'");
	check_repr_str("\"", "'\"'");
	check_repr_str("\t\n", "'\\t\\n'");
	check_repr_str("\r", "'\\r'");
	check_repr_str("\\", "'\\\\'");
	check_repr_str("\\(f\\)", "'\\\\(f\\\\)'");
	check_repr_str("\xc3\xa9", "'\xc3\xa9'"); /* é kept */
	check_repr_str("\x7f", "'\\x7f'");
	check_repr_str("\x01", "'\\x01'");
	check_repr_str("\xc2\xa0", "'\\xa0'");                    /* NO-BREAK SPACE */
	check_repr_str("\xc2\xad", "'\\xad'");                    /* SOFT HYPHEN */
	check_repr_str("\xe2\x80\xa8", "'\\u2028'");              /* LINE SEPARATOR */
	check_repr_str("\xe3\x80\x80", "'\\u3000'");              /* IDEOGRAPHIC SPACE */
	check_repr_str("\xef\xbb\xbf", "'\\ufeff'");              /* BOM */
	check_repr_str("\xee\x80\x80", "'\\ue000'");              /* private use */
	check_repr_str("\xd8\x80", "'\\u0600'");                  /* format char */
	check_repr_str("\xf0\x9f\x98\x80", "'\xf0\x9f\x98\x80'"); /* emoji kept */
	check_repr_str("\xf3\xa0\x80\x81", "'\\U000e0001'");
	check_repr_str("\xf4\x8f\xbf\xbf", "'\\U0010ffff'");
	check_repr_str("", "''");
	/* unassigned (Cn) in Unicode 14 (Python 3.11): escaped */
	check_repr_str("\xcd\xb8", "'\\u0378'");
	check_repr_str("\xf3\xa0\x82\x80", "'\\U000e0080'");
	check_repr_str("\xf1\x80\x80\x80", "'\\U00040000'");
	check_repr_str("\xed\xb3\xa9", "'\\udce9'"); /* lone surrogate */
	/* appends to what the buffer holds */
	char *buf = NULL;
	size_t len = 0, cap = 0;
	assert_int_equal(pv_pyrepr_str(&buf, &len, &cap, "a", 1), 0);
	assert_int_equal(pv_pyrepr_str(&buf, &len, &cap, "b", 1), 0);
	assert_int_equal(pv_pyrepr_float(&buf, &len, &cap, 0.5), 0);
	assert_string_equal(buf, "'a''b'0.5");
	free(buf);
}

static void check_repr_float(double x, const char *want)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	assert_int_equal(pv_pyrepr_float(&buf, &len, &cap, x), 0);
	assert_string_equal(buf, want);
	free(buf);
	char out[40];
	assert_int_equal(pv_double_repr(out, x), strlen(want));
	assert_string_equal(out, want);
}

static void test_select_pyrepr_float(void **state)
{
	(void)state;
	/* expected values: CPython 3.11 repr() */
	check_repr_float(0.5, "0.5");
	check_repr_float(0.1, "0.1");
	check_repr_float(0.25, "0.25");
	check_repr_float(0.33, "0.33");
	check_repr_float(1e-05, "1e-05");
	check_repr_float(2.5e-05, "2.5e-05");
	check_repr_float(0.0001, "0.0001");
	check_repr_float(1e-4 * 3, "0.00030000000000000003");
	check_repr_float(0.001, "0.001");
	check_repr_float(0.0, "0.0");
	check_repr_float(-0.0, "-0.0");
	check_repr_float(1.0, "1.0");
	check_repr_float(123.456, "123.456");
	check_repr_float(1.0 / 3, "0.3333333333333333");
	check_repr_float(0.1 + 0.2, "0.30000000000000004");
	check_repr_float(1e15, "1000000000000000.0");
	check_repr_float(9999999999999998.0, "9999999999999998.0");
	check_repr_float(1e16, "1e+16");
	check_repr_float(1e22, "1e+22");
	check_repr_float(123456789012345678.0, "1.2345678901234568e+17");
	check_repr_float(5e-324, "5e-324");
	check_repr_float(1.7976931348623157e308, "1.7976931348623157e+308");
	check_repr_float(-2.5, "-2.5");
	check_repr_float(NAN, "nan");
	check_repr_float(INFINITY, "inf");
	check_repr_float(-INFINITY, "-inf");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_select_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_select_fraction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_select_match_and_exclude, setup, teardown),
		cmocka_unit_test_setup_teardown(test_select_order_of_application, setup, teardown),
		cmocka_unit_test_setup_teardown(test_select_after_sort, setup, teardown),
		cmocka_unit_test(test_select_regex_unicode),
		cmocka_unit_test(test_select_bad_regex),
		cmocka_unit_test(test_select_bad_numbers),
		cmocka_unit_test_setup_teardown(test_select_edge_numbers, setup, teardown),
		cmocka_unit_test(test_select_pyrepr_str),
		cmocka_unit_test(test_select_pyrepr_float),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
