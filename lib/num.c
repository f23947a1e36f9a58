/*
 * num.c - Python int/float arithmetic for profile numbers.
 *
 * pstats sums and compares what marshal gave it: ints stay ints (and may pass
 * 2^63), an int meeting a float becomes a float, and comparisons between an
 * int and a float are exact.  Reproducing that is what keeps totals and sort
 * orders identical to CPython's.
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

#define INT128_MAX ((pv_int)(((unsigned __int128)1 << 127) - 1))
#define INT128_MIN (-INT128_MAX - 1)

pv_num pv_num_from_int(pv_int i)
{
	pv_num n = {.i = i, .is_int = 1};
	return n;
}

pv_num pv_num_from_double(double f)
{
	pv_num n = {.f = f, .is_int = 0};
	return n;
}

int pv_int_add(pv_int *out, pv_int a, pv_int b)
{
	if ((b > 0 && a > INT128_MAX - b) || (b < 0 && a < INT128_MIN - b))
		return PV_ELIMIT;
	*out = a + b;
	return 0;
}

double pv_num_to_double(pv_num a)
{
	return a.is_int ? (double)a.i : a.f;
}

int pv_num_add(pv_num *out, pv_num a, pv_num b)
{
	if (a.is_int && b.is_int) {
		pv_int s;
		if (pv_int_add(&s, a.i, b.i) < 0)
			return PV_ELIMIT;
		*out = pv_num_from_int(s);
		return 0;
	}
	*out = pv_num_from_double(pv_num_to_double(a) + pv_num_to_double(b));
	return 0;
}

static int fits53(pv_int v)
{
	const pv_int lim = (pv_int)1 << 53;
	return v <= lim && v >= -lim;
}

double pv_num_div_int(pv_num a, pv_int b)
{
	if (!a.is_int)
		return a.f / (double)b;
	/* int / int is a correctly rounded true division in Python; doubles
	 * give exactly that while both operands are exact in 53 bits. */
	if (fits53(a.i) && fits53(b))
		return (double)a.i / (double)b;
	/* Beyond 53 bits, divide the integers and round once, as CPython's
	 * long_true_divide does: at least 55 quotient bits, the rest sticky. */
	int neg = (a.i < 0) != (b < 0);
	unsigned __int128 ua = a.i < 0 ? -(unsigned __int128)a.i : (unsigned __int128)a.i;
	unsigned __int128 ub = b < 0 ? -(unsigned __int128)b : (unsigned __int128)b;
	if (ua == 0)
		return neg ? -0.0 : 0.0;
	unsigned __int128 q = ua / ub, r = ua % ub;
	int e = 0;
	while (q >> 55 == 0) { /* bring in fraction bits by long division */
		int carry = r >> 127 != 0;
		r <<= 1;
		q <<= 1;
		if (carry || r >= ub) {
			r -= ub;
			q |= 1;
		}
		e--;
	}
	int sticky = r != 0;
	while (q >> 55 != 0) { /* keep 55 bits: 53 + guard + round */
		sticky |= (int)(q & 1);
		q >>= 1;
		e++;
	}
	/* q has 55 bits: round to 53 bits, half to even, with the sticky bit */
	uint64_t m = (uint64_t)q;
	uint64_t low = m & 3;
	m >>= 2;
	if (low > 2 || (low == 2 && (sticky || (m & 1))))
		m++;
	double d = ldexp((double)m, e + 2);
	return neg ? -d : d;
}

/* Exact comparison of an int with a finite or infinite double (not NaN). */
static int cmp_int_double(pv_int i, double d)
{
	if (d == INFINITY)
		return -1;
	if (d == -INFINITY)
		return 1;
	double id = (double)i;
	if (id < d)
		return -1;
	if (id > d)
		return 1;
	/* Equal after rounding: d is integral here (or i is exact).  Compare
	 * as integers, minding the ends of the 128-bit range. */
	if (d >= 0x1p127)
		return -1;
	if (d < -0x1p127)
		return 1;
	pv_int di = (pv_int)d;
	return (i > di) - (i < di);
}

int pv_num_cmp(pv_num a, pv_num b)
{
	if (a.is_int && b.is_int)
		return (a.i > b.i) - (a.i < b.i);
	if (!a.is_int && !b.is_int)
		return (a.f > b.f) - (a.f < b.f);
	if (a.is_int) {
		if (isnan(b.f))
			return 0;
		return cmp_int_double(a.i, b.f);
	}
	if (isnan(a.f))
		return 0;
	return -cmp_int_double(b.i, a.f);
}

const char pv_digit_pairs[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

/* The decimal digits of w, written backwards ending just before e, two at
 * a time; returns the first digit's address. */
static char *u64_digits(char *e, uint64_t w)
{
	while (w >= 100) {
		unsigned d = (unsigned)(w % 100) * 2;
		w /= 100;
		*--e = pv_digit_pairs[d + 1];
		*--e = pv_digit_pairs[d];
	}
	if (w >= 10) {
		*--e = pv_digit_pairs[w * 2 + 1];
		*--e = pv_digit_pairs[w * 2];
	} else {
		*--e = (char)('0' + w);
	}
	return e;
}

size_t pv_int_format(char *buf, pv_int v)
{
	char tmp[48];
	char *e = tmp + sizeof(tmp), *b;
	unsigned __int128 u = v < 0 ? -(unsigned __int128)v : (unsigned __int128)v;
	if (u > UINT64_MAX) { /* 128-bit division only where needed */
		b = e;
		for (; u > UINT64_MAX; u /= 10)
			*--b = (char)('0' + (int)(u % 10));
		b = u64_digits(b, (uint64_t)u);
	} else {
		b = u64_digits(e, (uint64_t)u);
	}
	if (v < 0)
		*--b = '-';
	size_t len = (size_t)(e - b);
	memcpy(buf, b, len);
	buf[len] = '\0';
	return len;
}

uint64_t pv_time_ns(pv_num t, size_t *clamped)
{
	double x = pv_num_to_double(t) * 1e9;
	if (!(x >= 0)) { /* negative or NaN */
		if (clamped)
			++*clamped;
		return 0;
	}
	if (x >= 0x1p64)
		return UINT64_MAX;
	/* round half away from zero, as round(), without the libm call:
	 * x - trunc(x) is exact, and from 2^52 up x has no fraction */
	uint64_t r = (uint64_t)x;
	return r + (x - (double)r >= 0.5);
}

/* The exact-rounding steps need plain double arithmetic; elsewhere printf. */
#if defined(__FAST_MATH__) || !defined(FLT_EVAL_METHOD) || FLT_EVAL_METHOD != 0
#define PLAIN_DOUBLES 0
#else
#define PLAIN_DOUBLES 1
#endif

/* "%*.3f" without printf.  The digits must be those of the exact binary
 * value rounded half to even, as glibc's printf (and Python) give them.
 * p = x * 1000 rounds; fma gives its exact error e, so the exact product
 * is p + e.  p rounded to an integer is right unless p sits exactly on a
 * half, where the sign of e says which way the exact value lies.  (A long double
 * product would be exact too, but not under valgrind, which computes long
 * doubles in 64 bits.) */
size_t pv_format_f3(char *buf, size_t cap, double x, int width)
{
	if (PLAIN_DOUBLES && isfinite(x) && fabs(x) < 1e12) {
		/* on the magnitude (rounding half to even is symmetric); adding
		 * and removing 2^52 rounds p < 2^52 to an integer, half to even,
		 * as nearbyint does, without the libm call; fma only on a half */
		double a = fabs(x), p = a * 1000.0;
		double y = (p + 0x1p52) - 0x1p52, h = p - y; /* exact: |h| <= 0.5 */
		if (h == 0.5 || h == -0.5) {
			double e = fma(a, 1000.0, -p);
			if (h == 0.5 && e > 0)
				y += 1;
			else if (h == -0.5 && e < 0)
				y -= 1;
		}
		uint64_t n = (uint64_t)y; /* < 1e15 */
		/* digits backwards from tmp + 32, then fixed-size copies (one
		 * store each, no library call): at most 22 bytes of text */
		char tmp[64];
		char *end = tmp + 32, *b = end;
		unsigned fp = (unsigned)(n % 1000);
		*--b = pv_digit_pairs[fp % 100 * 2 + 1];
		*--b = pv_digit_pairs[fp % 100 * 2];
		*--b = (char)('0' + fp / 100);
		*--b = '.';
		b = u64_digits(b, n / 1000);
		if (signbit(x))
			*--b = '-';
		size_t k = (size_t)(end - b);
		size_t pad = (int)k < width ? (size_t)width - k : 0;
		if (pad + 32 < cap && pad <= 8) {
			memcpy(buf, "        ", 8);
			memcpy(buf + pad, b, 32);
		} else if (pad + k < cap) {
			memset(buf, ' ', pad);
			memcpy(buf + pad, b, k);
		} else {
			if (cap)
				buf[0] = '\0';
			return 0;
		}
		buf[pad + k] = '\0';
		return pad + k;
	}
	int n = snprintf(buf, cap, "%*.3f", width, x);
	return n < 0 ? 0 : (size_t)n < cap ? (size_t)n
					   : cap - 1;
}
