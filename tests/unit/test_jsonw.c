/*
 * test_jsonw.c - formats/jsonw.c: the JSON strings and numbers every
 * JSON-writing format (json, speedscope, html) prints, byte for byte.
 */
#include "testutil.h"
#include "../../formats/jsonw.h"

/* What f writes into a pv_out, NUL-terminated (the caller frees it). */
static char *capture(void (*f)(pv_out *, const void *), const void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	assert_non_null(fp);
	pv_out *o = out_open(fp);
	assert_non_null(o);
	f(o, arg);
	out_close(o);
	fclose(fp);
	return buf;
}

struct strcase {
	const char *in;
	size_t n;
	unsigned flags;
	const char *want;
};

static void put_str(pv_out *o, const void *arg)
{
	const struct strcase *c = arg;
	jw_str(o, c->in, c->n, c->flags);
}

#define S(lit, fl, w)                       \
	{                                   \
		lit, sizeof(lit) - 1, fl, w \
	}

static void test_jsonw_strings(void **state)
{
	(void)state;
	static const struct strcase cases[] = {
		S("plain", 0, "\"plain\""),
		S("q\"b\\", 0, "\"q\\\"b\\\\\""),
		S("n\nt\tr\r\x01\x1f", 0, "\"n\\nt\\tr\\r\\u0001\\u001f\""),
		/* HTML: \r by its code, the markup characters escaped */
		S("n\nt\tr\r\x01", JW_HTML, "\"n\\nt\\tr\\u000d\\u0001\""),
		S("</script>&", 0, "\"</script>&\""),
		S("</script>&", JW_HTML, "\"\\u003c/script\\u003e\\u0026\""),
		/* U+2028, U+2029: escaped for HTML only; U+2026 never */
		S("a\xe2\x80\xa8"
		  "b\xe2\x80\xa9"
		  "c\xe2\x80\xa6",
		  0,
		  "\"a\xe2\x80\xa8"
		  "b\xe2\x80\xa9"
		  "c\xe2\x80\xa6\""),
		S("a\xe2\x80\xa8"
		  "b\xe2\x80\xa9"
		  "c\xe2\x80\xa6",
		  JW_HTML,
		  "\"a\\u2028b\\u2029c\xe2\x80\xa6\""),
		/* lone surrogates (surrogatepass) escaped; U+D7FF is UTF-8 */
		S("x\xed\xa0\x80y\xed\xbf\xbf", 0, "\"x\\ud800y\\udfff\""),
		S("x\xed\xa0\x80y", JW_HTML, "\"x\\ud800y\""),
		S("\xed\x9f\xbf", 0, "\"\xed\x9f\xbf\""),
		/* a cut sequence at the end is copied, not read past */
		S("cut\xed\xa0", 0, "\"cut\xed\xa0\""),
		S("cut\xe2\x80", JW_HTML, "\"cut\xe2\x80\""),
		S("nul\0x", 0, "\"nul\\u0000x\""),
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = capture(put_str, &cases[i]);
		assert_string_equal(got, cases[i].want);
		free(got);
	}
}

static void put_numbers(pv_out *o, const void *arg)
{
	(void)arg;
	size_t n = 0;
	out_c(o, '[');
	jw_item(o, &n, ",");
	jw_double(o, 0.1);
	jw_item(o, &n, ",");
	jw_double(o, 1e300 * 1e10); /* inf */
	jw_item(o, &n, ",");
	jw_double(o, NAN);
	jw_item(o, &n, ",");
	jw_num(o, pv_num_from_int((pv_int)1 << 70));
	jw_item(o, &n, ",");
	jw_num(o, pv_num_from_double(-2.5));
	jw_item(o, &n, ",");
	jw_int(o, -7);
	jw_item(o, &n, ",");
	jw_cstr(o, NULL, 0);
	out_c(o, ']');
}

static void test_jsonw_numbers(void **state)
{
	(void)state;
	char *got = capture(put_numbers, NULL);
	assert_string_equal(got, "[0.1,null,null,1180591620717411303424,-2.5,-7,null]");
	free(got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jsonw_strings),
		cmocka_unit_test(test_jsonw_numbers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
