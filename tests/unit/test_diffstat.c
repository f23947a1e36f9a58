/*
 * test_diffstat.c - lib/diffstat.c: the Mann-Whitney U test's exact p
 * against a brute-force count over every split of the pooled samples, the
 * normal approximation against values worked by hand, zero samples given
 * as counts, U against a pair-by-pair count, Holm's correction and the
 * Hodges-Lehmann shift (against the sorted table of every difference).
 */
#include <math.h>

#include "testutil.h"

/* Two-sided exact p by enumerating every way to choose which nb of the
 * pooled values are the base's (no ties). */
static double brute_p(const double *b, size_t nb, const double *c, size_t nc)
{
	double pool[16];
	size_t n = nb + nc;
	memcpy(pool, b, nb * sizeof(*b));
	memcpy(pool + nb, c, nc * sizeof(*c));
	double u0 = 0;
	for (size_t i = 0; i < nc; i++)
		for (size_t j = 0; j < nb; j++)
			u0 += c[i] > b[j];
	size_t le = 0, ge = 0, all = 0;
	for (unsigned mask = 0; mask < (1u << n); mask++) {
		if ((size_t)__builtin_popcount(mask) != nb)
			continue;
		double u = 0;
		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; j < n; j++)
				if (!(mask >> i & 1) && (mask >> j & 1))
					u += pool[i] > pool[j];
		all++;
		le += u <= u0;
		ge += u >= u0;
	}
	double p = 2.0 * (double)(le < ge ? le : ge) / (double)all;
	return p < 1 ? p : 1;
}

static void test_mwu_exact_matches_enumeration(void **state)
{
	(void)state;
	const double b[] = {1.1, 3.4, 2.2, 7.9, 5.5, 0.3};
	const double c[] = {4.4, 8.8, 6.1, 9.9, 10.5, 12.0, 2.9};
	for (size_t nb = 1; nb <= 6; nb++)
		for (size_t nc = 1; nc <= 7; nc++) {
			pv_mwu_result r;
			assert_int_equal(pv_mwu(b, nb, 0, c, nc, 0, &r), 0);
			assert_true(r.exact);
			assert_true(fabs(r.p - brute_p(b, nb, c, nc)) < 1e-12);
		}
}

static void test_mwu_separated(void **state)
{
	(void)state;
	const double b[] = {1, 2, 3}, c[] = {4, 5, 6};
	pv_mwu_result r;
	assert_int_equal(pv_mwu(b, 3, 0, c, 3, 0, &r), 0);
	assert_true(r.exact);
	assert_true(fabs(r.p - 0.1) < 1e-12); /* 2 of C(6,3) = 20 arrangements */
	assert_true(r.effect == 1.0);
	assert_int_equal(pv_mwu(c, 3, 0, b, 3, 0, &r), 0);
	assert_true(r.effect == 0.0);
}

/* 5 vs 5 with one tie: the normal approximation, worked by hand:
 * ranks 1..10 with (3, 3) sharing 3.5; R = 37.5, U = 22.5, mu = 12.5,
 * var = 25/12 * (11 - 6/90), z = (10 - 0.5) / sqrt(var). */
static void test_mwu_normal_with_ties(void **state)
{
	(void)state;
	const double b[] = {1, 2, 3, 4, 5}, c[] = {3, 6, 7, 8, 9};
	pv_mwu_result r;
	assert_int_equal(pv_mwu(b, 5, 0, c, 5, 0, &r), 0);
	assert_false(r.exact);
	assert_true(fabs(r.u - 22.5) < 1e-12);
	double z = 9.5 / sqrt(25.0 / 12 * (11 - 6.0 / 90));
	assert_true(fabs(r.z - z) < 1e-12);
	assert_true(fabs(r.p - erfc(z / sqrt(2))) < 1e-12);
}

/* zeros given as counts rank as zeros written out */
static void test_mwu_zero_counts(void **state)
{
	(void)state;
	const double b[] = {0.5, 0.7}, c[] = {0.9, 1.2, 1.4};
	const double bz[] = {0, 0, 0, 0.5, 0.7}, cz[] = {0, 0.9, 1.2, 1.4};
	const double neg[] = {-1, 0.5};
	pv_mwu_result r1, r2;
	assert_int_equal(pv_mwu(b, 2, 3, c, 3, 1, &r1), 0);
	assert_int_equal(pv_mwu(bz, 5, 0, cz, 4, 0, &r2), 0);
	assert_true(r1.u == r2.u && r1.p == r2.p);
	const double negz[] = {-1, 0, 0, 0.5};
	assert_int_equal(pv_mwu(neg, 2, 2, c, 3, 1, &r1), 0);
	assert_int_equal(pv_mwu(negz, 4, 0, cz, 4, 0, &r2), 0);
	assert_true(r1.u == r2.u && r1.p == r2.p);
	/* empty sides and all-equal samples: p = 1, no division by zero */
	assert_int_equal(pv_mwu(NULL, 0, 0, c, 3, 0, &r1), 0);
	assert_true(r1.p == 1);
	assert_int_equal(pv_mwu(NULL, 0, 4, NULL, 0, 5, &r1), 0);
	assert_true(r1.p == 1);
}

static void test_holm(void **state)
{
	(void)state;
	double p[] = {0.01, 0.04, 0.03};
	assert_int_equal(pv_holm(p, 3, 3), 0);
	assert_true(fabs(p[0] - 0.03) < 1e-15 && fabs(p[1] - 0.06) < 1e-15 && fabs(p[2] - 0.06) < 1e-15);
	double q[] = {0.01, NAN};
	assert_int_equal(pv_holm(q, 2, 10), 0); /* 8 more tests, NAN as 1 */
	assert_true(fabs(q[0] - 0.1) < 1e-15 && q[1] == 1);
	assert_int_equal(pv_holm(NULL, 0, 0), 0);
}

static void test_hl_shift(void **state)
{
	(void)state;
	const double b[] = {1, 2, 3}, c[] = {11, 12, 13, 100};
	double s;
	assert_int_equal(pv_hl_shift(b, 3, c, 4, &s), 0);
	/* differences: 8..12 (9 of them) and 97..99: the median of 12 is 10.5 */
	assert_true(fabs(s - 10.5) < 1e-12);
	assert_int_equal(pv_hl_shift(b, 0, c, 4, &s), 0);
	assert_true(s != s);
}

static uint64_t rnd_state = 42;

static double rnd(void) /* in [0, 1) */
{
	rnd_state = rnd_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (double)(rnd_state >> 11) / 9007199254740992.0;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The shift the definition gives: every difference of the evenly spaced
 * subsets (1,000 a side at most), sorted, their median. */
static double brute_shift(const double *b, size_t nb, const double *c, size_t nc)
{
	size_t sb = nb > 1000 ? 1000 : nb, sc = nc > 1000 ? 1000 : nc, n = 0;
	double *d = malloc(sb * sc * sizeof(*d));
	for (size_t i = 0; i < sb; i++)
		for (size_t j = 0; j < sc; j++)
			d[n++] = c[j * nc / sc] - b[i * nb / sb];
	qsort(d, n, sizeof(*d), cmp_d);
	double m = (d[(n - 1) / 2] + d[n / 2]) / 2;
	free(d);
	return m;
}

/* The selection without the table of differences gives the table's
 * median to the bit: odd and even counts, ties, negatives, subsets. */
static void test_hl_shift_matches_the_table(void **state)
{
	(void)state;
	const size_t sizes[][2] = {{1, 1}, {1, 2}, {2, 2}, {3, 5}, {7, 4}, {40, 41}, {200, 333}, {1500, 700}, {2500, 3333}};
	double *b = malloc(3333 * sizeof(*b)), *c = malloc(3333 * sizeof(*c));
	for (size_t k = 0; k < sizeof(sizes) / sizeof(*sizes); k++) {
		for (int ties = 0; ties < 2; ties++) {
			size_t nb = sizes[k][0], nc = sizes[k][1];
			if (nb * nc > 100000 && ties != (int)(k & 1)) /* one of each past the subsets */
				continue;
			for (size_t i = 0; i < nb; i++)
				b[i] = ties ? floor(rnd() * 6) * 0.25 : rnd() * 3 - 1;
			for (size_t i = 0; i < nc; i++)
				c[i] = ties ? floor(rnd() * 6) * 0.25 + 0.1 : exp(rnd() * 4) * 1e-3;
			double s;
			assert_int_equal(pv_hl_shift(b, nb, c, nc, &s), 0);
			assert_true(s == brute_shift(b, nb, c, nc));
		}
	}
	/* an infinity orders nothing: the table's own median */
	const double bi[] = {1, 2}, ci[] = {INFINITY, 3};
	double s;
	assert_int_equal(pv_hl_shift(bi, 2, ci, 2, &s), 0);
	assert_true(s == INFINITY);
	free(b);
	free(c);
}

/* U from the ranks of the two sorted sides walked together equals U
 * counted pair by pair (ties and zero counts a half), on random samples
 * with many ties, zeros among the values and negatives. */
static void test_mwu_counts_pairs(void **state)
{
	(void)state;
	double b[300], c[300], pb[600], pc[600];
	for (int round = 0; round < 200; round++) {
		size_t nb = 1 + (size_t)(rnd() * 299), nc = 1 + (size_t)(rnd() * 299);
		size_t zb = (size_t)(rnd() * 4) * (round & 1), zc = (size_t)(rnd() * 4) * (round & 1);
		for (size_t i = 0; i < nb; i++)
			b[i] = floor(rnd() * 20) - 3;
		for (size_t i = 0; i < nc; i++)
			c[i] = floor(rnd() * 20) - 2;
		size_t mb = nb, mc = nc;
		memcpy(pb, b, nb * sizeof(*b));
		memcpy(pc, c, nc * sizeof(*c));
		for (size_t i = 0; i < zb; i++)
			pb[mb++] = 0;
		for (size_t i = 0; i < zc; i++)
			pc[mc++] = 0;
		double u = 0;
		for (size_t i = 0; i < mc; i++)
			for (size_t j = 0; j < mb; j++)
				u += pc[i] > pb[j] ? 1 : pc[i] == pb[j] ? 0.5
									: 0;
		pv_mwu_result r;
		assert_int_equal(pv_mwu(b, nb, zb, c, nc, zc, &r), 0);
		assert_true(r.u == u);
	}
	/* a NaN among the values is a rank of its own, not a hang */
	const double bn[] = {1, NAN, 2}, cn[] = {3, 4};
	pv_mwu_result r;
	assert_int_equal(pv_mwu(bn, 3, 1, cn, 2, 0, &r), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mwu_exact_matches_enumeration),
		cmocka_unit_test(test_mwu_separated),
		cmocka_unit_test(test_mwu_normal_with_ties),
		cmocka_unit_test(test_mwu_zero_counts),
		cmocka_unit_test(test_holm),
		cmocka_unit_test(test_hl_shift),
		cmocka_unit_test(test_hl_shift_matches_the_table),
		cmocka_unit_test(test_mwu_counts_pairs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
