/*
 * test_html.c - formats/html.c: the HTML report's page and embedded data.
 *
 * The page is written to memory and taken apart: one data element, whose
 * text holds no byte that could end it or be read as markup (<, >, &, the
 * JS line ends U+2028/U+2029) while the names are there escaped; the
 * Content-Security-Policy that forbids fetches; a scope, trees and an
 * endpoint row per endpoint of the sample; the diff section with --diff.
 * (tests/html/ checks in a browser that the page shows all of it.)
 */
#include "testutil.h"

static const pv_reader *const readers[] = {&pv_reader_marshal, NULL};

static void on_error(const pv_ctx *ctx, void *arg)
{
	(void)arg;
	fail_msg("load error: %s", ctx->msg);
}

static pv_stats *load(const char *input, pv_groups *g)
{
	pv_stats *st;
	pv_load_result res;
	pv_load_opts o = {.readers = readers, .on_error = on_error, .threads = 1, .seen = g ? pv_groups_add : NULL, .arg = g};
	assert_int_equal(pv_stats_new(&st), 0);
	assert_int_equal(pv_load(st, &input, 1, &o, &res), 0);
	assert_int_equal(res.failed, 0);
	return st;
}

/* Both per-request hooks of a --diff load: groups and samples. */
struct hooks {
	pv_groups *g;
	pv_samples *s;
};

static int seen_both(void *arg, const char *name, pv_stats *st, const pv_profile *p)
{
	struct hooks *h = arg;
	pv_samples_add(h->s, name, st, p);
	return pv_groups_add(h->g, name, st, p);
}

static pv_stats *load_diff(const char *input, struct hooks *h)
{
	pv_stats *st;
	pv_load_result res;
	pv_load_opts o = {.readers = readers, .on_error = on_error, .threads = 1, .seen = seen_both, .arg = h};
	assert_int_equal(pv_groups_new(&h->g, 1), 0);
	assert_int_equal(pv_samples_new(&h->s), 0);
	assert_int_equal(pv_stats_new(&st), 0);
	assert_int_equal(pv_load(st, &input, 1, &o, &res), 0);
	assert_int_equal(res.failed, 0);
	return st;
}

/* The tree by endpoint, as the CLI builds it for --diff -f html. */
static pv_tree *group_tree(pv_groups *g)
{
	pv_stats **sts = NULL;
	const char **names = NULL;
	size_t n = 0;
	pv_tree *t = NULL;
	pv_ctx ctx = {0};
	pv_tree_opts o = {.min_share = -1, .max_frames = 5000};
	assert_int_equal(pv_groups_order(g, &sts, &names, &n), 0);
	assert_int_equal(pv_tree_build_groups(&t, sts, names, n, &o, &ctx), 0);
	free(sts);
	free(names);
	return t;
}

/* The page for v, NUL-terminated; *data points at the JSON, *dlen its length. */
static char *page(const pv_views *v, const char **data, size_t *dlen)
{
	char *mem = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&mem, &len);
	assert_non_null(fp);
	pv_write_opts wo = {.summary = "N profiles from <test>", .base_summary = "base"};
	pv_ctx ctx = {0};
	/* PV_W_SHORT_NAMES: the caller gives the writer models with short names */
	assert_true(pv_writer_html.flags & PV_W_SHORT_NAMES);
	assert_int_equal(pv_stats_short_paths(v->st), 0);
	if (v->diff)
		assert_int_equal(pv_stats_short_paths(v->diff->base), 0);
	assert_int_equal(pv_writer_html.write(fp, v, &wo, &ctx), 0);
	assert_int_equal(fclose(fp), 0);
	const char *open = "<script type=\"application/json\" id=\"pv-data\">";
	char *a = strstr(mem, open);
	assert_non_null(a);
	assert_null(strstr(a + 1, open)); /* one data element */
	a += strlen(open);
	char *b = strstr(a, "</script>");
	assert_non_null(b);
	*data = a;
	*dlen = (size_t)(b - a);
	return mem;
}

static size_t count(const char *s, size_t n, const char *what)
{
	size_t k = 0, w = strlen(what);
	for (size_t i = 0; i + w <= n; i++)
		k += !memcmp(s + i, what, w);
	return k;
}

static void test_html_names_escaped(void **state)
{
	(void)state;
	pv_stats *st = load("testdata/edge/html_names.prof", NULL);
	pv_view view = {0};
	pv_ctx ctx = {0};
	assert_int_equal(pv_view_build(&view, st, NULL, NULL, &ctx), 0);
	pv_views v = {.mode = PV_MODE_STATS, .st = st, .view = &view};
	const char *d;
	size_t n;
	char *mem = page(&v, &d, &n);

	assert_int_equal(strncmp(mem, "<!DOCTYPE html>", 15), 0);
	assert_non_null(strstr(mem, "http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';"));
	assert_non_null(strstr(mem, "<title>profview: N profiles from &lt;test&gt;</title>"));
	/* nothing in the data can end its element or be markup */
	assert_null(memchr(d, '<', n));
	assert_null(memchr(d, '>', n));
	assert_null(memchr(d, '&', n));
	assert_int_equal(count(d, n, "\xe2\x80\xa8") + count(d, n, "\xe2\x80\xa9"), 0);
	/* ... and the names are there, escaped */
	assert_int_equal(count(d, n, "\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e"), 2);
	assert_int_equal(count(d, n, "\\u003cimg src=x onerror=alert(1)\\u003e"), 1);
	assert_int_equal(count(d, n, "amp\\u0026amp; \\\"quote\\\" 'q' \\u2028line\\u2029para\\nnl \\u003c!-- --\\u003e"), 1);
	/* one scope with its four functions, three edges and both trees */
	assert_int_equal(count(d, n, "\"name\":\"all profiles\""), 1);
	assert_int_equal(count(d, n, "\"tree\":{\"tick\":"), 1);
	assert_int_equal(count(d, n, "\"inv\":{\"tick\":"), 1);
	assert_int_equal(count(d, n, "\"endpoints\":[]"), 1);
	assert_int_equal(count(d, n, "\"diff\":null"), 1);
	free(mem);
	pv_view_clear(&view);
	pv_stats_free(st);
}

static void test_html_endpoints_and_diff(void **state)
{
	(void)state;
	struct hooks h, hb;
	pv_stats *st = load_diff("testdata/flask", &h), *base = load_diff("testdata/flask", &hb);
	pv_groups *g = h.g, *gb = hb.g;
	pv_reqview *rv, *rvb;
	pv_diffview *dv;
	pv_epdiff *ed;
	pv_ctx ctx = {0};
	assert_int_equal(pv_reqview_build(&rv, g, PV_RQ_TOTAL, (size_t)-1, &ctx), 0);
	assert_int_equal(pv_reqview_build(&rvb, gb, PV_RQ_TOTAL, (size_t)-1, &ctx), 0);
	assert_int_equal(pv_diffview_build(&dv, base, st, PV_DS_ABSOLUTE, NULL, &ctx), 0);
	assert_int_equal(pv_epdiff_build(&ed, hb.s, base, h.s, st, PV_DS_ABSOLUTE, NULL, 0.05, 10e-6, 0, &ctx), 0);
	pv_tree *tc = group_tree(g), *tb = group_tree(gb);
	pv_views v = {.mode = PV_MODE_DIFF, .st = st, .groups = g, .requests = rv, .diff = dv, .base_requests = rvb, .epdiff = ed, .tree = tc, .base_tree = tb};
	const char *d;
	size_t n;
	char *mem = page(&v, &d, &n);

	size_t ng = pv_groups_count(g);
	assert_true(ng > 1);
	/* a scope per endpoint besides "all profiles", each with its trees;
	 * an endpoint row per endpoint with its durations */
	assert_int_equal(count(d, n, "\"inv\":{\"tick\":"), ng + 1);
	assert_int_equal(count(d, n, "\"durations\":["), ng);
	assert_int_equal(count(d, n, "\"name\":\"GET /api/users/{id}\""), 3); /* scope, row, diff */
	/* the diff of a set against itself: every endpoint unchanged, 0%, and
	 * the differential graph with before == after on every frame */
	assert_int_equal(count(d, n, "\"diff\":{\"base\":\"base\""), 1);
	assert_int_equal(count(d, n, "\"adjusted\":0.0,"), 1);
	assert_int_equal(count(d, n, "\"verdict\":0,"), ng);
	assert_int_equal(count(d, n, "\"tree\":{\"tick\":"), ng + 1);
	const char *fl = strstr(d, "\"flame\":{\"tick\":");
	assert_non_null(fl);
	const char *bf = strstr(fl, "\"before\":["), *af = strstr(fl, "\"after\":["), *mf = strstr(fl, "\"matched\":[");
	assert_non_null(bf);
	assert_non_null(af);
	assert_non_null(mf);
	bf += 10;
	af += 9;
	size_t lb = strcspn(bf, "]"), la = strcspn(af, "]");
	assert_true(lb > 1);
	assert_int_equal(lb, la);
	assert_memory_equal(bf, af, lb);
	assert_int_equal(count(mf, strcspn(mf, "]"), "0"), 0); /* every frame matched */
	free(mem);
	pv_tree_free(tc);
	pv_tree_free(tb);
	pv_epdiff_free(ed);
	pv_diffview_free(dv);
	pv_reqview_free(rv);
	pv_reqview_free(rvb);
	pv_groups_free(g);
	pv_groups_free(gb);
	pv_samples_free(h.s);
	pv_samples_free(hb.s);
	pv_stats_free(st);
	pv_stats_free(base);
}

/* More endpoints than the page gives scopes of their own: the heaviest
 * 100 get one, the others a row without one (scope -1). */
static void test_html_scope_cap(void **state)
{
	(void)state;
	tu_load l;
	tu_buf keep;
	assert_int_equal(tu_read_file(&l, "testdata/edge/html_names.prof", &keep), 0);
	pv_groups *g;
	assert_int_equal(pv_groups_new(&g, 1), 0);
	for (int k = 0; k < 120; k++) {
		char name[64];
		snprintf(name, sizeof(name), "GET.ep%d.1ms.17955415%02d.prof", k, k % 60);
		assert_int_equal(pv_groups_add(g, name, l.st, l.prof), 1);
		assert_int_equal(pv_stats_merge(l.st, l.prof, &l.ctx), 0);
	}
	assert_int_equal(pv_groups_count(g), 120);
	pv_reqview *rv;
	pv_ctx ctx = {0};
	assert_int_equal(pv_reqview_build(&rv, g, PV_RQ_TOTAL, (size_t)-1, &ctx), 0);
	pv_view view = {0};
	assert_int_equal(pv_view_build(&view, l.st, NULL, NULL, &ctx), 0);
	pv_views v = {.mode = PV_MODE_STATS, .st = l.st, .view = &view, .groups = g, .requests = rv};
	const char *d;
	size_t n;
	char *mem = page(&v, &d, &n);
	assert_int_equal(count(d, n, "\"tree\":{\"tick\":"), 101);
	assert_int_equal(count(d, n, "\"durations\":["), 120);
	assert_int_equal(count(d, n, "\"scope\":-1,"), 20);
	assert_int_equal(count(d, n, "\"scope\":100,"), 1);
	free(mem);
	pv_view_clear(&view);
	pv_reqview_free(rv);
	pv_groups_free(g);
	tu_load_free(&l);
	tu_free(&keep);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_html_names_escaped),
		cmocka_unit_test(test_html_endpoints_and_diff),
		cmocka_unit_test(test_html_scope_cap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
