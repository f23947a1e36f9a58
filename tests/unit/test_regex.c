/*
 * test_regex.c - user patterns (lib/regex.c): bounded matching with an
 * error naming the option, never a silent miss; lone surrogates matched as
 * Python's re matches them; names quoted in messages (lib/error.c).
 */
#include "testutil.h"

#include "../../lib/internal.h"

static pv_regex *compile_ok(const char *opt, const char *pat)
{
	pv_regex *re;
	pv_ctx ctx = {0};
	if (pv_regex_compile(&re, opt, pat, &ctx) != 0)
		fail_msg("compile '%s': %s", pat, ctx.msg);
	return re;
}

static void expect_match(const char *pat, const char *text, int want)
{
	pv_regex *re = compile_ok("--match", pat);
	pv_ctx ctx = {0};
	int got = pv_regex_match(re, text, strlen(text), &ctx);
	if (got != want)
		fail_msg("'%s' on '%s': %d (%s), want %d", pat, text, got, ctx.msg, want);
	pv_regex_free(re);
}

/* Python: re.search('caf\udce9', 'caf\udce9.py') and friends.  The model
 * keeps a surrogate in its 3-byte form; a pattern byte that is not UTF-8
 * is decoded as Python decodes argv (0xe9 -> U+DCE9). */
static void test_regex_surrogates(void **state)
{
	(void)state;
	const char *name = "caf\xed\xb3\xa9.py:1(f)";
	expect_match("caf\xe9", name, 1);
	expect_match("caf.\\.py", name, 1);
	expect_match("\\udce9", name, 1);
	expect_match("[\\udc80-\\udcff]", name, 1);
	expect_match("caf\xc3\xa9", name, 0); /* é is not the surrogate */
	expect_match("^\\w+\\.py", name, 0);  /* a surrogate is not \w */
	expect_match("\\xe9", "b\xc3\xa9.py", 1);
	expect_match("(?i)\xc3\x89", "b\xc3\xa9.py", 1); /* Unicode case folding */
	expect_match("\\w\\.py", "b\xc3\xa9.py", 1);
}

static void expect_limit(const char *opt, const char *pat, const char *text, const char *why)
{
	pv_regex *re = compile_ok(opt, pat);
	pv_ctx ctx = {0};
	ctx.input = "dump.prof"; /* kept, but not named: the pattern is at fault */
	int rc = pv_regex_match(re, text, strlen(text), &ctx);
	assert_int_equal(rc, PV_ELIMIT);
	assert_int_equal(ctx.code, PV_ELIMIT);
	assert_string_equal(ctx.input, "dump.prof");
	if (strncmp(ctx.msg, opt, strlen(opt)) || !strstr(ctx.msg, why) || !strstr(ctx.msg, pat))
		fail_msg("message '%s' should name %s, the pattern and '%s'", ctx.msg, opt, why);
	pv_regex_free(re);
}

static char *repeat(const char *unit, size_t n, const char *tail)
{
	size_t u = strlen(unit), t = strlen(tail);
	char *s = malloc(u * n + t + 1);
	assert_non_null(s);
	for (size_t i = 0; i < n; i++)
		memcpy(s + i * u, unit, u);
	memcpy(s + u * n, tail, t + 1);
	return s;
}

/* Catastrophic backtracking stops at the step limit, with JIT and without;
 * a deep pattern stops at the depth/heap bound (interpreter) or the JIT
 * stack, never taking the machine's memory. */
static void run_limits(void)
{
	char *a30 = repeat("a", 30, "");
	expect_limit("--match", "^(a+)+[!;]", a30, "match limit");
	expect_limit("--exclude", "^(.+)+[!;]", a30, "match limit");
	expect_limit("--endpoint", "(a|aa)*(b|c)[!;]", a30, "match limit");
	free(a30);
	char *deep = repeat("ab", 100000, "");
	pv_regex *re = compile_ok("--match", "^(.(?1)?)[xy]");
	pv_ctx ctx = {0};
	int rc = pv_regex_match(re, deep, strlen(deep), &ctx);
	assert_int_equal(rc, PV_ELIMIT);
	if (!strstr(ctx.msg, "limit") || strncmp(ctx.msg, "--match: ", 9))
		fail_msg("deep pattern: %s", ctx.msg);
	pv_regex_free(re);
	free(deep);
}

static void test_regex_limits_jit(void **state)
{
	(void)state;
	unsetenv("PROFVIEW_NO_JIT");
	run_limits();
}

static void test_regex_limits_interpreter(void **state)
{
	(void)state;
	setenv("PROFVIEW_NO_JIT", "1", 1);
	run_limits();
	unsetenv("PROFVIEW_NO_JIT");
}

static void test_regex_compile_error(void **state)
{
	(void)state;
	pv_regex *re = (pv_regex *)1;
	pv_ctx ctx = {0};
	assert_int_equal(pv_regex_compile(&re, "--endpoint", "a(\n", &ctx), PV_EARG);
	assert_null(re);
	assert_string_equal(ctx.msg, "--endpoint: invalid regular expression 'a('$'\\n': missing "
				     "closing parenthesis at offset 3");
}

static void expect_quote(const char *in, int always, const char *want)
{
	char buf[256];
	size_t n = pv_quote(buf, sizeof(buf), in, strlen(in), always);
	assert_string_equal(buf, want);
	assert_int_equal(n, strlen(want));
}

/* coreutils 9 (rm, ls --quoting-style=shell-escape) quotes these so. */
static void test_regex_quote_names(void **state)
{
	(void)state;
	expect_quote("dump/a.prof", 0, "dump/a.prof");
	expect_quote("a b\xc3\xa9", 0, "a b\xc3\xa9");
	expect_quote("dump/a.prof", 1, "'dump/a.prof'");
	expect_quote("a\nb", 0, "'a'$'\\n''b'");
	expect_quote("x\ny\033[1m", 0, "'x'$'\\n''y'$'\\033''[1m'");
	expect_quote("\001", 0, "''$'\\001'");
	expect_quote("a\n\nb", 0, "'a'$'\\n\\n''b'");
	expect_quote("a\n", 0, "'a'$'\\n'");
	expect_quote("\xff", 0, "''$'\\377'");
	expect_quote("\xc2\x85", 0, "''$'\\302\\205'");
	expect_quote("it's", 1, "'it'\\''s'");
	char small[8];
	pv_quote(small, sizeof(small), "a\nbcdefghij", 11, 0);
	assert_int_equal(strlen(small), 7); /* cut, still terminated */
	pv_ctx ctx = {.input = "d/x\n.prof", .member = "m\033]0;t\007"};
	pv_fail(&ctx, PV_EFORMAT, 4, "bad");
	assert_string_equal(ctx.msg, "'d/x'$'\\n''.prof':'m'$'\\033'']0;t'$'\\a': byte 4: bad");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_regex_surrogates),
		cmocka_unit_test(test_regex_limits_jit),
		cmocka_unit_test(test_regex_limits_interpreter),
		cmocka_unit_test(test_regex_compile_error),
		cmocka_unit_test(test_regex_quote_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
