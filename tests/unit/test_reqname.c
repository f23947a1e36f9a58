/*
 * test_reqname.c - lib/reqname.c: request names of every form
 * (doc/requests.md, "Request names") to method, path, endpoint, elapsed and time.
 */
#include <math.h>

#include "testutil.h"

struct row {
	const char *name;
	double duration; /* the profile's total time (s); NAN: name only */
	const char *method, *path, *endpoint;
	double ms, time;
	int int_time;
};

static const struct row rows[] = {
	/* werkzeug's default {method}.{path}.{elapsed:.0f}ms.{time:.0f}.prof */
	{"GET.api.users.17ms.1795541512.prof", NAN, "GET", "/api/users", "GET /api/users", 17,
	 1795541512, 1},
	{"GET.api.users.1.1ms.1795541512.prof", 0.0011, "GET", "/api/users/1", "GET /api/users/{id}",
	 1, 1795541512, 1},
	{"GET.root.1ms.1795541511.prof", NAN, "GET", "/", "GET /", 1, 1795541511, 1},
	{"M-SEARCH.x.3ms.1700000000.prof", NAN, "M-SEARCH", "/x", "M-SEARCH /x", 3, 1700000000, 1},
	/* werkzeug 0.9-0.14: %06dms */
	{"GET.api.users.000123ms.1379000000.prof", NAN, "GET", "/api/users", "GET /api/users", 123,
	 1379000000, 1},
	/* {time:.6f}: fractional time */
	{"GET.api.users.17.5ms.1795541512.123456.prof", 0.0048, "GET", "/api/users/17",
	 "GET /api/users/{id}", 5, 1795541512.123456, 0},
	/* {elapsed:.3f} and {time:.6f}: the example */
	{"GET.slow.21.337ms.1796000906.123456.prof", 0.0212, "GET", "/slow", "GET /slow", 21.337,
	 1796000906.123456, 0},
	{"GET.api.products.17.12.345ms.1796000906.123456.prof", 0.0121, "GET", "/api/products/17",
	 "GET /api/products/{id}", 12.345, 1796000906.123456, 0},
	/* {elapsed:.1f}, {time:.2f} */
	{"POST.api.orders.250.4ms.1796000906.25.prof", 0.25, "POST", "/api/orders", "POST /api/orders",
	 250.4, 1796000906.25, 0},
	/* {elapsed:.6f} */
	{"GET.api.x.0.412345ms.1796000906.prof", 0.0004, "GET", "/api/x", "GET /api/x", 0.412345,
	 1796000906, 1},
	/* django-extensions {path}.{elapsed:06d}ms.{time}.prof: no method */
	{"api.users.000042ms.1379000000.prof", NAN, "", "/api/users", "/api/users", 42, 1379000000,
	 1},
	{"admin.auth.user.7.000003ms.1379000000.prof", NAN, "", "/admin/auth/user/7",
	 "/admin/auth/user/{id}", 3, 1379000000, 1},
	/* paths with dots and digits */
	{"GET.static.app.v2.min.js.3ms.1700000000.prof", NAN, "GET", "/static/app/v2/min/js",
	 "GET /static/app/v2/min/js", 3, 1700000000, 1},
	{"GET.files.2026.11.report.pdf.12ms.1700000000.prof", NAN, "GET",
	 "/files/2026/11/report/pdf", "GET /files/{id}/{id}/report/pdf", 12, 1700000000, 1},
	{"GET.api.items.550e8400-e29b-41d4-a716-446655440000.4ms.1700000000.prof", NAN, "GET",
	 "/api/items/550e8400-e29b-41d4-a716-446655440000", "GET /api/items/{id}", 4, 1700000000, 1},
	/* "ms." inside the path: parsed from the right */
	{"GET.api.ms.1.5ms.1700000000.prof", NAN, "GET", "/api/ms/1", "GET /api/ms/{id}", 5,
	 1700000000, 1},
};

static void test_reqname_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *w = &rows[i];
		pv_request r;
		int ok = isnan(w->duration) ? pv_request_parse(w->name, &r)
					    : pv_request_parse_timed(w->name, w->duration, &r);
		if (!ok)
			fail_msg("%s: not parsed", w->name);
		if (strcmp(r.method, w->method) || strcmp(r.path, w->path) ||
		    strcmp(r.endpoint, w->endpoint) || fabs(r.elapsed_ms - w->ms) > 1e-9 ||
		    fabs(r.time - w->time) > 1e-6 || r.int_time != w->int_time)
			fail_msg("%s: got method '%s' path '%s' endpoint '%s' ms %g time %f int %d", w->name,
				 r.method, r.path, r.endpoint, r.elapsed_ms, r.time, r.int_time);
	}
}

/* Names that carry no request are refused, never half-parsed. */
static void test_reqname_unparsed(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"prog_recursion.prof",
		"GET.api.users.17ms.prof",
		"GET.api.users.ms.1700000000.prof",
		"GET.17ms.1700000000.prof.gz",
		"17ms.1700000000.prof",
		".17ms.1700000000.prof",
		"GET.api.users.17ms.17x.prof",
		"",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		pv_request r;
		if (pv_request_parse(bad[i], &r) || pv_request_parse_timed(bad[i], 0.001, &r))
			fail_msg("'%s' parsed as '%s'", bad[i], r.endpoint);
	}
}

/* The endpoint filter: the name-only check admits every reading, the timed
 * one only the chosen reading. */
static void test_reqname_filter(void **state)
{
	(void)state;
	pv_reqfilter *f;
	pv_ctx ctx = {0};
	assert_int_equal(pv_reqfilter_new(&f), 0);
	assert_int_equal(pv_reqfilter_add_endpoint(f, "^GET /slow$", &ctx), 0);
	const char *n = "GET.slow.21.337ms.1796000906.123456.prof";
	assert_true(pv_reqfilter_match(f, n));
	assert_true(pv_reqfilter_match_timed(f, n, 0.0212));
	assert_false(pv_reqfilter_match_timed(f, "GET.slow.21.3ms.1796000906.prof", 0.003));
	assert_false(pv_reqfilter_match(f, "GET.fast.1ms.1796000906.prof"));
	pv_reqfilter_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reqname_table),
		cmocka_unit_test(test_reqname_unparsed),
		cmocka_unit_test(test_reqname_filter),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
