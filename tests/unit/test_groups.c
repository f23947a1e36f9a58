/*
 * test_groups.c - lib/groups.c: profiles grouped by endpoint.
 *
 * testdata/flask (werkzeug default names) and two dumps without request
 * names are loaded with pv_groups_add as the seen hook; each group must
 * hold exactly the files whose names give its endpoint, each request's
 * duration must be its file's own total time (as a model of that file
 * alone gives it), and each endpoint's model must equal a model loaded
 * from its files alone.
 */
#include <dirent.h>
#include <math.h>

#include "testutil.h"

static const pv_reader *const readers[] = {&pv_reader_marshal, NULL};

static void on_error(const pv_ctx *ctx, void *arg)
{
	(void)arg;
	fail_msg("load error: %s", ctx->msg);
}

static pv_stats *load(const char *const *inputs, size_t n, pv_seen_fn seen, void *arg)
{
	pv_stats *st;
	pv_load_result res;
	pv_load_opts o = {.readers = readers, .on_error = on_error, .seen = seen, .arg = arg, .threads = 1};
	assert_int_equal(pv_stats_new(&st), 0);
	assert_int_equal(pv_load(st, inputs, n, &o, &res), 0);
	assert_int_equal(res.failed, 0);
	return st;
}

#define FLASK "testdata/flask"
#define PLAIN1 "testdata/cprofile/py312/prog_recursion.prof"
#define PLAIN2 "testdata/cprofile/py312/prog_generators.prof"

/* the flask files, sorted (as pv_load reads a directory) */
static size_t flask_files(char names[64][256])
{
	DIR *d = opendir(FLASK);
	assert_non_null(d);
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		if (strstr(e->d_name, ".prof") && n < 64)
			snprintf(names[n++], 256, "%s", e->d_name);
	closedir(d);
	qsort(names, n, 256, (int (*)(const void *, const void *))strcmp);
	return n;
}

static void test_groups_flask(void **state)
{
	(void)state;
	pv_groups *g;
	assert_int_equal(pv_groups_new(&g, 1), 0);
	const char *in[] = {FLASK, PLAIN1, PLAIN2};
	pv_stats *st = load(in, 3, pv_groups_add, g);
	assert_false(pv_groups_failed(g));
	assert_ptr_equal(pv_groups_stats(g, PV_GROUPS_ALL), st);
	assert_string_equal(pv_groups_name(g, PV_GROUPS_ALL), "all");
	assert_int_equal(pv_groups_unparsed(g), 2);

	char names[64][256];
	size_t nf = flask_files(names);
	assert_true(nf > 5);
	size_t nall;
	pv_groups_requests(g, PV_GROUPS_ALL, &nall);
	assert_int_equal(nall, nf + 2);

	/* every file is in the group its name gives, with its own total time */
	size_t seen_total = 0;
	for (size_t gi = 0; gi < pv_groups_count(g); gi++) {
		const char *ep = pv_groups_name(g, gi);
		size_t nreq;
		const pv_reqinfo *req = pv_groups_requests(g, gi, &nreq);
		const char *files[64];
		size_t k = 0;
		char paths[64][300];
		for (size_t f = 0; f < nf; f++) {
			pv_request q;
			assert_int_equal(pv_request_parse(names[f], &q), 1);
			if (strcmp(q.endpoint, ep))
				continue;
			snprintf(paths[k], sizeof(paths[k]), FLASK "/%s", names[f]);
			files[k] = paths[k];
			k++;
		}
		assert_int_equal(nreq, k);
		seen_total += nreq;
		/* durations: the multiset of each file's own total time */
		for (size_t f = 0; f < k; f++) {
			pv_stats *one = load(&files[f], 1, NULL, NULL);
			double tt = pv_num_to_double(pv_stats_total_tt(one));
			int found = 0;
			for (size_t r = 0; r < nreq; r++)
				found |= req[r].duration == tt;
			assert_true(found);
			assert_true(isfinite(req[0].time) && req[0].time > 1.7e9);
			pv_stats_free(one);
		}
		/* the endpoint's model equals its files loaded alone */
		pv_stats *alone = load(files, k, NULL, NULL);
		pv_stats *gs = pv_groups_stats(g, gi);
		assert_non_null(gs);
		assert_int_equal(pv_stats_nprofiles(gs), k);
		assert_int_equal(pv_stats_nentries(gs), pv_stats_nentries(alone));
		assert_true(pv_stats_total_calls(gs) == pv_stats_total_calls(alone));
		assert_true(fabs(pv_num_to_double(pv_stats_total_tt(gs)) -
				 pv_num_to_double(pv_stats_total_tt(alone))) < 1e-12);
		for (size_t i = 0; i < pv_stats_nentries(alone); i++) {
			const pv_entry *a = pv_stats_entry(alone, i);
			size_t l1;
			const char *d = pv_stats_display(alone, a->key, &l1);
			int hit = 0;
			for (size_t j = 0; j < pv_stats_nentries(gs) && !hit; j++) {
				const pv_entry *b = pv_stats_entry(gs, j);
				size_t l2;
				const char *e = pv_stats_display(gs, b->key, &l2);
				if (l1 == l2 && !memcmp(d, e, l1)) {
					hit = 1;
					assert_true(pv_entry_nc(a) == pv_entry_nc(b) && pv_entry_cc(a) == pv_entry_cc(b));
					assert_int_equal(a->ncallers, b->ncallers);
				}
			}
			assert_true(hit);
		}
		pv_stats_free(alone);
	}
	assert_int_equal(seen_total, nf);
	pv_groups_free(g);
	pv_stats_free(st);
}

/* keep_stats = 0: durations only */
static void test_groups_no_stats(void **state)
{
	(void)state;
	pv_groups *g;
	assert_int_equal(pv_groups_new(&g, 0), 0);
	const char *in[] = {FLASK};
	pv_stats *st = load(in, 1, pv_groups_add, g);
	assert_true(pv_groups_count(g) > 1);
	assert_null(pv_groups_stats(g, 0));
	size_t n;
	const pv_reqinfo *r = pv_groups_requests(g, PV_GROUPS_ALL, &n);
	double sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += r[i].duration;
	assert_true(fabs(sum - pv_num_to_double(pv_stats_total_tt(st))) < 1e-9);
	pv_groups_free(g);
	pv_stats_free(st);
}

/* werkzeug default names in the same second collide: equal stamps */
static void test_groups_stamp(void **state)
{
	(void)state;
	pv_groups *g;
	assert_int_equal(pv_groups_new(&g, 0), 0);
	const char *in[] = {FLASK};
	pv_stats *st = load(in, 1, pv_groups_add, g);
	size_t n;
	const pv_reqinfo *r = pv_groups_requests(g, PV_GROUPS_ALL, &n);
	for (size_t i = 0; i < n; i++)
		assert_true(r[i].stamp != 0); /* all whole-second names */
	pv_groups_free(g);
	pv_stats_free(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_groups_flask),
		cmocka_unit_test(test_groups_no_stats),
		cmocka_unit_test(test_groups_stamp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
