/*
 * test_num.c - Python int/float semantics for counts and times
 * (lib/num.c): sums, true division, exact comparisons, decimal text.
 * Expected doubles are what CPython 3.11 computes.
 */
#include <math.h>

#include "testutil.h"
#include "../../lib/internal.h"

#define INT128_MAX_ ((pv_int)(((unsigned __int128)1 << 127) - 1))
#define INT128_MIN_ (-INT128_MAX_ - 1)

static void test_num_add_int_int(void **state)
{
	(void)state;
	pv_num r;
	assert_int_equal(pv_num_add(&r, TU_I(2), TU_I(3)), 0);
	assert_num_int(r, "5");
	assert_int_equal(pv_num_add(&r, TU_I(-7), TU_I(3)), 0);
	assert_num_int(r, "-4");
	pv_int big = (pv_int)1 << 100;
	assert_int_equal(pv_num_add(&r, TU_I(big), TU_I(big)), 0);
	assert_num_int(r, "2535301200456458802993406410752");
	assert_int_equal(pv_num_add(&r, TU_I(INT128_MAX_ - 1), TU_I(1)), 0);
	assert_num_int(r, "170141183460469231731687303715884105727");
	assert_int_equal(pv_num_add(&r, TU_I(INT128_MIN_ + 1), TU_I(-1)), 0);
	assert_num_int(r, "-170141183460469231731687303715884105728");
}

static void test_num_add_overflow(void **state)
{
	(void)state;
	pv_num r = TU_I(42);
	assert_int_equal(pv_num_add(&r, TU_I(INT128_MAX_), TU_I(1)), PV_ELIMIT);
	assert_num_int(r, "42"); /* untouched */
	assert_int_equal(pv_num_add(&r, TU_I(INT128_MIN_), TU_I(-1)), PV_ELIMIT);
	assert_int_equal(pv_num_add(&r, TU_I(INT128_MAX_), TU_I(INT128_MAX_)), PV_ELIMIT);
	pv_int s = 7;
	assert_int_equal(pv_int_add(&s, INT128_MIN_, INT128_MIN_), PV_ELIMIT);
	assert_pvint(s, "7");
	assert_int_equal(pv_int_add(&s, INT128_MAX_, INT128_MIN_), 0);
	assert_pvint(s, "-1");
}

/* int + float is float(int) + float; -0.0 + 0 is 0.0. */
static void test_num_add_int_float(void **state)
{
	(void)state;
	pv_num r;
	assert_int_equal(pv_num_add(&r, TU_I(2), TU_F(0.5)), 0);
	assert_num_float(r, 2.5);
	assert_int_equal(pv_num_add(&r, TU_F(0.1), TU_I(0)), 0);
	assert_num_float(r, 0.1);
	assert_int_equal(pv_num_add(&r, TU_F(-0.0), TU_I(0)), 0);
	assert_num_float(r, 0.0);
	assert_int_equal(pv_num_add(&r, TU_F(-0.0), TU_F(-0.0)), 0);
	assert_num_float(r, -0.0);
	assert_int_equal(pv_num_add(&r, TU_F(0.1), TU_F(0.2)), 0);
	assert_num_float(r, 0.30000000000000004);
	/* 2**53 + 1 + 0.0 == 9007199254740992.0 (float(int) rounds to even) */
	assert_int_equal(pv_num_add(&r, TU_I(((pv_int)1 << 53) + 1), TU_F(0.0)), 0);
	assert_num_float(r, 9007199254740992.0);
	/* an int beyond 64 bits: float(2**64 + 2**11 + 1) == 18446744073709555712.0 */
	assert_int_equal(pv_num_add(&r, TU_I(((pv_int)1 << 64) + 2049), TU_F(0.0)), 0);
	assert_num_float(r, 18446744073709555712.0);
	/* no overflow for a float: an int near 2**127 plus a float */
	assert_int_equal(pv_num_add(&r, TU_I(INT128_MAX_), TU_F(1.0)), 0);
	assert_num_float(r, 0x1p127);
	assert_double_bits(pv_num_to_double(TU_I(INT128_MIN_)), -0x1p127);
	assert_double_bits(pv_num_to_double(TU_F(-0.0)), -0.0);
}

/* Python's true division: float / int, and int / int correctly rounded. */
static void test_num_div_int(void **state)
{
	(void)state;
	assert_double_bits(pv_num_div_int(TU_F(1.0), 3), 0.3333333333333333);
	assert_double_bits(pv_num_div_int(TU_F(0.1), 3), 0.1 / 3);
	assert_double_bits(pv_num_div_int(TU_F(-0.0), 5), -0.0);
	assert_double_bits(pv_num_div_int(TU_I(1), 3), 0.3333333333333333);
	assert_double_bits(pv_num_div_int(TU_I(2), 4), 0.5);
	assert_double_bits(pv_num_div_int(TU_I(-7), 2), -3.5);
	assert_double_bits(pv_num_div_int(TU_I(0), -3), -0.0);
	/* 10**20 / 3 == 3.333333333333333e+19 */
	pv_int e20 = (pv_int)100000000000LL * 1000000000LL;
	assert_double_bits(pv_num_div_int(TU_I(e20), 3), 3.333333333333333e+19);
	/* (2**127-1) / (2**64+1) == 9.223372036854776e+18 */
	assert_double_bits(pv_num_div_int(TU_I(INT128_MAX_), ((pv_int)1 << 64) + 1),
			   9.223372036854776e+18);
	/* a huge divisor: 0.5 / 2**100 */
	assert_double_bits(pv_num_div_int(TU_F(0.5), (pv_int)1 << 100), 0x1p-101);
}

/* int / int where long double rounds twice: (2**64 + 2**11 + 1) / 1 is
 * 18446744073709555712.0 in Python (correctly rounded). */
static void test_num_div_int_correctly_rounded(void **state)
{
	(void)state;
	pv_int a = ((pv_int)1 << 64) + 2049;
	/* BUG: pv_num_div_int() divides ints beyond 2^53 in long double
	 * (64-bit mantissa on x86-64) and then rounds to double: two roundings.
	 * 2**64+2**11+1 first rounds (to even) to 2**64+2**11, exactly halfway
	 * between two doubles, which then rounds to even: 2**64, while Python's
	 * int/int gives the correctly rounded 2**64+2**12.  Shows in the
	 * percall columns for int times.  Fix: correctly rounded division
	 * (e.g. compute q = a / b and r = a % b in __int128, scale so q has 54+
	 * significant bits, fold a nonzero remainder into a sticky bit, then
	 * convert once), as CPython's long_true_divide does. */
	assert_double_bits(pv_num_div_int(TU_I(a), 1), 18446744073709555712.0);
	/* 3 * (2**64 + 2**11 + 1) / 3: the same value */
	assert_double_bits(pv_num_div_int(TU_I(a * 3), 3), 18446744073709555712.0);
}

/* Comparisons are exact between ints and floats; NaN is equal to anything
 * (neither < nor > holds). */
static void test_num_cmp(void **state)
{
	(void)state;
	pv_int p53 = (pv_int)1 << 53;
	assert_true(pv_num_cmp(TU_I(p53 + 1), TU_F(9007199254740992.0)) > 0);
	assert_true(pv_num_cmp(TU_F(9007199254740992.0), TU_I(p53 + 1)) < 0);
	assert_int_equal(pv_num_cmp(TU_I(p53), TU_F(9007199254740992.0)), 0);
	assert_true(pv_num_cmp(TU_I(-p53 - 1), TU_F(-9007199254740992.0)) < 0);
	assert_true(pv_num_cmp(TU_I(0), TU_F(0.5)) < 0);
	assert_true(pv_num_cmp(TU_I(1), TU_F(0.5)) > 0);
	assert_true(pv_num_cmp(TU_I(-1), TU_F(-0.5)) < 0);
	assert_int_equal(pv_num_cmp(TU_I(0), TU_F(-0.0)), 0);
	assert_int_equal(pv_num_cmp(TU_F(0.0), TU_F(-0.0)), 0);
	assert_true(pv_num_cmp(TU_I(INT128_MAX_), TU_F(INFINITY)) < 0);
	assert_true(pv_num_cmp(TU_I(INT128_MIN_), TU_F(-INFINITY)) > 0);
	assert_true(pv_num_cmp(TU_I(INT128_MAX_), TU_F(0x1p127)) < 0);
	assert_int_equal(pv_num_cmp(TU_I(INT128_MIN_), TU_F(-0x1p127)), 0);
	assert_true(pv_num_cmp(TU_I(INT128_MIN_), TU_F(-0x1.0000000000001p127)) > 0);
	assert_true(pv_num_cmp(TU_I(INT128_MAX_), TU_F(1e300)) < 0);
	assert_true(pv_num_cmp(TU_I(((pv_int)1 << 64) + 1), TU_F(0x1p64)) > 0);
	assert_true(pv_num_cmp(TU_I(((pv_int)1 << 64) - 1), TU_F(0x1p64)) < 0);
	assert_true(pv_num_cmp(TU_I(3), TU_I(2)) > 0);
	assert_true(pv_num_cmp(TU_I(INT128_MIN_), TU_I(INT128_MAX_)) < 0);
	assert_true(pv_num_cmp(TU_F(0.1), TU_F(0.2)) < 0);
	assert_int_equal(pv_num_cmp(TU_F(NAN), TU_F(NAN)), 0);
	assert_int_equal(pv_num_cmp(TU_F(NAN), TU_F(1.0)), 0);
	assert_int_equal(pv_num_cmp(TU_F(-NAN), TU_I(5)), 0);
	assert_int_equal(pv_num_cmp(TU_I(5), TU_F(NAN)), 0);
	assert_int_equal(pv_num_cmp(TU_F(INFINITY), TU_F(INFINITY)), 0);
}

static void check_format(pv_int v, const char *want)
{
	char buf[48];
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(pv_int_format(buf, v), strlen(want));
	assert_string_equal(buf, want);
}

static void test_num_int_format(void **state)
{
	(void)state;
	check_format(0, "0");
	check_format(7, "7");
	check_format(-1, "-1");
	check_format(10, "10");
	check_format(-1234567890, "-1234567890");
	check_format((pv_int)1 << 70, "1180591620717411303424");
	check_format(-((pv_int)1 << 70), "-1180591620717411303424");
	check_format((pv_int)INT64_MAX + 1, "9223372036854775808");
	check_format(INT128_MAX_, "170141183460469231731687303715884105727");
	check_format(INT128_MIN_, "-170141183460469231731687303715884105728");
}

/* pv_format_f3 against glibc's printf, which rounds the exact binary value
 * half to even, as Python does */
static void check_f3(double x, int width)
{
	char want[PV_F3_MAX], got[PV_F3_MAX];
	int n = snprintf(want, sizeof(want), "%*.3f", width, x);
	memset(got, 'x', sizeof(got));
	assert_int_equal(pv_format_f3(got, sizeof(got), x, width), (size_t)n);
	assert_string_equal(got, want);
}

static void test_num_format_f3(void **state)
{
	(void)state;
	static const double fixed[] = {0.0, -0.0, 0.0005, 0.0015, 0.0025, -0.0005, 1.0005, 2.5e-4,
				       0.125, 0.0625, 1e-9, -1e-9, 999.9995, 1234567.8915, 1e11,
				       -1e11, 99999999999.9995, 1e12, 1e300, -1e300, INFINITY,
				       -INFINITY, 4.35, 0.1 + 0.2};
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		check_f3(fixed[i], 8);
		check_f3(fixed[i], 0);
		check_f3(fixed[i], 20);
	}
	/* exact halves of a thousandth: k / 2^m for small m hit them */
	for (int k = -5000; k <= 5000; k++) {
		check_f3(k / 2048.0, 8);
		check_f3(k / 16.0, 8);
	}
	uint64_t s = 88172645463325252ULL; /* xorshift: spread over many magnitudes */
	for (int i = 0; i < 200000; i++) {
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		double m = (double)(s >> 11) / 9007199254740992.0;
		double x = ldexp(m, (int)(s % 60) - 30) * ((s >> 7) & 1 ? -1 : 1);
		check_f3(x, (int)(s >> 3) % 3 == 0 ? 0 : 8);
	}
}

/* pv_hash_bytes reads the tail without a byte copy but must give the
 * value the byte copy gave: code objects are shown by this hash, and the
 * shown "address" must not move between versions. */
static uint64_t hash_by_copy(const unsigned char *s, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ (n * 0x100000001b3ULL);
	while (n >= 8) {
		uint64_t w;
		memcpy(&w, s, 8);
		h = (h ^ pv_hash_u64(w)) * 0x9fb21c651e98df25ULL;
		s += 8;
		n -= 8;
	}
	uint64_t w = 0;
	for (size_t i = 0; i < n; i++)
		w |= (uint64_t)s[i] << (8 * i);
	return pv_hash_u64(h ^ w ^ (n << 56));
}

static void test_hash_bytes_stable(void **state)
{
	(void)state;
	unsigned char b[64];
	for (size_t i = 0; i < sizeof(b); i++)
		b[i] = (unsigned char)(i * 37 + 201);
	for (size_t off = 0; off < 8; off++)
		for (size_t n = 0; n + off <= sizeof(b); n++)
			assert_int_equal(pv_hash_bytes(b + off, n), hash_by_copy(b + off, n));
	assert_int_equal(pv_hash_bytes("profview", 8), 0x59bf467ceb9e5c67ULL); /* as released */
	assert_int_equal(pv_hash_bytes("code.py", 7), 0x4f6c90596b55a226ULL);
}

/* Blocks past the huge-page threshold move to new storage and keep their
 * contents; the capacity handed back covers whole huge pages. */
static void test_grow_huge(void **state)
{
	(void)state;
	uint32_t *a = NULL;
	size_t cap = 0;
	for (uint32_t i = 0; i < 3000000; i++) {
		assert_int_equal(pv_grow(&a, &cap, (size_t)i + 1, sizeof(*a)), 0);
		assert_true(cap > i);
		a[i] = i * 2654435761u;
	}
	for (uint32_t i = 0; i < 3000000; i++)
		assert_int_equal(a[i], i * 2654435761u);
	assert_int_equal(cap * sizeof(*a) % ((size_t)2 << 20), 0);
	free(a);
	unsigned char *z = pv_calloc(3 << 20, 1);
	assert_non_null(z);
	for (size_t i = 0; i < (size_t)3 << 20; i += 4093)
		assert_int_equal(z[i], 0);
	free(z);
}

static void test_num_time_ns(void **state)
{
	(void)state;
	size_t clamped = 0;
	assert_int_equal(pv_time_ns(TU_F(0.5), &clamped), 500000000);
	assert_int_equal(pv_time_ns(TU_I(3), &clamped), 3000000000ULL);
	assert_int_equal(pv_time_ns(TU_F(1.5e-9), &clamped), 2); /* half away from zero */
	assert_int_equal(pv_time_ns(TU_F(0.0), &clamped), 0);
	assert_int_equal(clamped, 0);
	assert_int_equal(pv_time_ns(TU_F(-1e-9), &clamped), 0);
	assert_int_equal(pv_time_ns(TU_F(NAN), &clamped), 0);
	assert_int_equal(pv_time_ns(TU_I(-2), NULL), 0);
	assert_int_equal(clamped, 2);
	assert_int_equal(pv_time_ns(TU_F(1e20), &clamped), UINT64_MAX);
	assert_int_equal(pv_time_ns(TU_F(INFINITY), &clamped), UINT64_MAX);
	assert_int_equal(clamped, 2);
	/* the same as libm's round() of x * 1e9 wherever that fits */
	assert_int_equal(pv_time_ns(TU_F(0.49999999999999994e-9), NULL),
			 (uint64_t)round(0.49999999999999994e-9 * 1e9));
	assert_int_equal(pv_time_ns(TU_F(0x1p63 / 1e9), NULL), (uint64_t)round(0x1p63 / 1e9 * 1e9));
	uint64_t s = 0x2545F4914F6CDD1DULL;
	for (int i = 0; i < 200000; i++) {
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		double x = ldexp((double)(s >> 11) / 9007199254740992.0, (int)(s % 100) - 40);
		if (i % 4 == 0)
			x = (double)(s % 100000) / 2 / 1e9; /* exact and near halves */
		double y = x * 1e9;
		if (y < 0x1p64)
			assert_int_equal(pv_time_ns(TU_F(x), NULL), (uint64_t)round(y));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_num_add_int_int),
		cmocka_unit_test(test_num_add_overflow),
		cmocka_unit_test(test_num_add_int_float),
		cmocka_unit_test(test_num_div_int),
		cmocka_unit_test(test_num_div_int_correctly_rounded),
		cmocka_unit_test(test_num_cmp),
		cmocka_unit_test(test_num_int_format),
		cmocka_unit_test(test_num_format_f3),
		cmocka_unit_test(test_grow_huge),
		cmocka_unit_test(test_hash_bytes_stable),
		cmocka_unit_test(test_num_time_ns),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
