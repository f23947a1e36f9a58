/*
 * dtoa.c - the shortest decimal that reads back as the same double, written
 * as Python's repr(float) writes it (pv_double_repr).
 *
 * The digits come from Ryu (Ulf Adams, "Ryu: fast float-to-string
 * conversion", PLDI 2018): the value and the two ends of the interval of
 * decimals that round to it are computed in fixed point from a 128-bit power
 * of five (dtoa_table.h, made by gen_dtoa.py), then digits are dropped while
 * both ends still differ.  The exports write millions of floats; printf's
 * "%.17g" and a strtod round-trip per candidate length cost ten times more.
 * The result is the correctly rounded shortest string, as David Gay's dtoa
 * mode 0 (CPython's) gives it: tests/dtoa compares bit patterns with Python.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "internal.h"

#include "dtoa_table.h"

/* bits(5^e) for 0 <= e <= 3528, floor(e log10 2) for e <= 1650 and
 * floor(e log10 5) for e <= 2620: gen_dtoa.py checks each over its range. */
static int pow5bits(int e)
{
	return (int)(((uint32_t)e * 1217359) >> 19) + 1;
}

static int log10_pow2(int e)
{
	return (int)(((uint32_t)e * 78913) >> 18);
}

static int log10_pow5(int e)
{
	return (int)(((uint32_t)e * 732923) >> 20);
}

static int pow5_factor(uint64_t v) /* v > 0 */
{
	int n = 0;
	while (v % 5 == 0) {
		v /= 5;
		n++;
	}
	return n;
}

/* (m * mul) >> j for the 128-bit mul, j >= 64: the 192-bit product's top. */
static uint64_t mul_shift(uint64_t m, const uint64_t mul[2], int j)
{
	unsigned __int128 lo = (unsigned __int128)m * mul[0];
	unsigned __int128 hi = (unsigned __int128)m * mul[1];
	return (uint64_t)(((lo >> 64) + hi) >> (j - 64));
}

/* The shortest digits of a finite, nonzero |x| = (mant, bexp) as IEEE
 * fields: x = *digits * 10^(returned exponent). */
static int shortest(uint64_t mant, unsigned bexp, uint64_t *digits)
{
	int e2;
	uint64_t m2;
	if (bexp == 0) { /* subnormal */
		e2 = 1 - 1023 - 52 - 2;
		m2 = mant;
	} else {
		e2 = (int)bexp - 1023 - 52 - 2;
		m2 = (UINT64_C(1) << 52) | mant;
	}
	/* an even mantissa rounds ties to itself: the interval's ends count */
	int even = (m2 & 1) == 0;
	/* the value and the interval's ends, times 4 (the lower end is closer
	 * when the mantissa is a power of two above the smallest exponent) */
	uint64_t mv = 4 * m2;
	uint64_t mm_shift = mant != 0 || bexp <= 1;
	uint64_t vr, vp, vm;
	int e10, vm_tz = 0, vr_tz = 0;
	if (e2 >= 0) {
		/* vr = mv 2^e2 / 10^q, with one digit more than needed */
		int q = log10_pow2(e2) - (e2 > 3);
		int i = -e2 + q + DTOA_INV_BITS + pow5bits(q) - 1;
		e10 = q;
		vr = mul_shift(mv, pow5_inv[q], i);
		vp = mul_shift(mv + 2, pow5_inv[q], i);
		vm = mul_shift(mv - 1 - mm_shift, pow5_inv[q], i);
		if (q <= 21) {
			/* exact quotients: at most one of the three is a
			 * multiple of 5 */
			if (mv % 5 == 0)
				vr_tz = pow5_factor(mv) >= q;
			else if (even)
				vm_tz = pow5_factor(mv - 1 - mm_shift) >= q;
			else
				vp -= pow5_factor(mv + 2) >= q;
		}
	} else {
		/* vr = mv 5^i / 2^q with i = -e2 - q */
		int q = log10_pow5(-e2) - (-e2 > 1);
		int i = -e2 - q;
		int j = q - (pow5bits(i) - DTOA_POW5_BITS);
		e10 = q + e2;
		vr = mul_shift(mv, pow5[i], j);
		vp = mul_shift(mv + 2, pow5[i], j);
		vm = mul_shift(mv - 1 - mm_shift, pow5[i], j);
		if (q <= 1) {
			/* mv has two trailing zero bits: vr is exact */
			vr_tz = 1;
			if (even)
				vm_tz = mm_shift == 1;
			else
				vp--;
		} else if (q < 63) {
			vr_tz = (mv & ((UINT64_C(1) << q) - 1)) == 0;
		}
	}
	int removed = 0, last = 0;
	uint64_t out;
	if (vm_tz || vr_tz) {
		/* an end or the value itself is exact: the rare, careful path */
		while (vp / 10 > vm / 10) {
			vm_tz &= vm % 10 == 0;
			vr_tz &= last == 0;
			last = (int)(vr % 10);
			vr /= 10;
			vp /= 10;
			vm /= 10;
			removed++;
		}
		if (vm_tz) {
			while (vm % 10 == 0) {
				vr_tz &= last == 0;
				last = (int)(vr % 10);
				vr /= 10;
				vp /= 10;
				vm /= 10;
				removed++;
			}
		}
		if (vr_tz && last == 5 && vr % 2 == 0)
			last = 4; /* exactly half way: round to even */
		out = vr + ((vr == vm && (!even || !vm_tz)) || last >= 5);
	} else {
		int up = 0;
		while (vp / 100 > vm / 100) { /* two digits at a time first */
			up = vr % 100 >= 50;
			vr /= 100;
			vp /= 100;
			vm /= 100;
			removed += 2;
		}
		while (vp / 10 > vm / 10) {
			up = vr % 10 >= 5;
			vr /= 10;
			vp /= 10;
			vm /= 10;
			removed++;
		}
		out = vr + (vr == vm || up);
	}
	*digits = out;
	return e10 + removed;
}

size_t pv_double_repr(char *out, double x)
{
	uint64_t u;
	memcpy(&u, &x, sizeof(u));
	uint64_t mant = u & ((UINT64_C(1) << 52) - 1);
	unsigned bexp = (unsigned)(u >> 52) & 0x7ff;
	size_t o = 0;
	if (bexp == 0x7ff) {
		if (mant) {
			memcpy(out, "nan", 4);
			return 3;
		}
		o = u >> 63 ? 5 : 4;
		memcpy(out, u >> 63 ? "-inf" : "inf", o);
		return o - 1;
	}
	if (u >> 63)
		out[o++] = '-';
	char digits[20];
	int nd = 0, exp10 = 0;
	if (mant == 0 && bexp == 0) {
		digits[nd++] = '0';
	} else {
		uint64_t d;
		exp10 = shortest(mant, bexp, &d);
		char tmp[20];
		int n = 0;
		do
			tmp[n++] = (char)('0' + d % 10);
		while (d /= 10);
		while (n)
			digits[nd++] = tmp[--n];
	}
	/* value = 0.DIGITS * 10^decpt; repr writes it in fixed notation for
	 * decpt in (-4, 16], else as d.ddde+XX */
	int decpt = exp10 + nd;
	if (decpt > -4 && decpt <= 16) {
		if (decpt <= 0) {
			out[o++] = '0';
			out[o++] = '.';
			for (int z = 0; z < -decpt; z++)
				out[o++] = '0';
			memcpy(out + o, digits, (size_t)nd);
			o += (size_t)nd;
		} else if (decpt >= nd) {
			memcpy(out + o, digits, (size_t)nd);
			o += (size_t)nd;
			for (int z = nd; z < decpt; z++)
				out[o++] = '0';
			out[o++] = '.';
			out[o++] = '0';
		} else {
			memcpy(out + o, digits, (size_t)decpt);
			o += (size_t)decpt;
			out[o++] = '.';
			memcpy(out + o, digits + decpt, (size_t)(nd - decpt));
			o += (size_t)(nd - decpt);
		}
	} else {
		out[o++] = digits[0];
		if (nd > 1) {
			out[o++] = '.';
			memcpy(out + o, digits + 1, (size_t)nd - 1);
			o += (size_t)nd - 1;
		}
		int e = decpt - 1;
		out[o++] = 'e';
		out[o++] = e < 0 ? '-' : '+';
		if (e < 0)
			e = -e;
		if (e >= 100)
			out[o++] = (char)('0' + e / 100);
		out[o++] = (char)('0' + e / 10 % 10);
		out[o++] = (char)('0' + e % 10);
	}
	out[o] = '\0';
	return o;
}
