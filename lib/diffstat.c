/*
 * diffstat.c - the statistics of --diff: the Mann-Whitney U (Wilcoxon
 * rank-sum) test and Holm's correction for many tests.
 *
 * Why a rank test: request times are skewed, heavy-tailed and often
 * multimodal (a cache hit or miss, a GC pause), so a t-test's normality
 * assumption fails and one slow outlier would swing a mean-based test.
 * U compares the two sets of samples by rank only; it asks whether a
 * request drawn from one set tends to be slower than one drawn from the
 * other, which is the question a regression check asks.
 *
 * Small samples without ties get U's exact distribution (the counts of
 * the Gaussian binomial coefficient), where the normal approximation is
 * poor; larger ones, or any with ties (a function absent from many
 * requests has many equal zero samples), the normal approximation with
 * the tie correction of the variance and a continuity correction.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "diffsamp.h"

/* The exact distribution is counted in doubles: C(40, 20) < 2^53. */
#define EXACT_MAX 40

/* P(U <= u) and P(U >= u) for sizes m, n without ties: the number of
 * arrangements with each U is the coefficient of q^U in the Gaussian
 * binomial [m+n choose m]_q = prod_{i=1..m} (1 - q^(n+i)) / (1 - q^i). */
static double exact_p(size_t m, size_t n, double u)
{
	size_t top = m * n;
	double *c = calloc(top + 1, sizeof(*c));
	if (!c)
		return NAN;
	c[0] = 1;
	for (size_t i = 1; i <= m; i++) {
		for (size_t k = top; k >= n + i && k <= top; k--) /* times (1 - q^(n+i)) */
			c[k] -= c[k - (n + i)];
		for (size_t k = i; k <= top; k++) /* divided by (1 - q^i) */
			c[k] += c[k - i];
	}
	double all = 0, le = 0, ge = 0;
	for (size_t k = 0; k <= top; k++) {
		all += c[k];
		if ((double)k <= u + 1e-9)
			le += c[k];
		if ((double)k >= u - 1e-9)
			ge += c[k];
	}
	free(c);
	double p = 2 * (le < ge ? le : ge) / all;
	return p < 1 ? p : 1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int pv_mwu(const double *base, size_t nb, size_t zb, const double *cur, size_t nc, size_t zc,
	   pv_mwu_result *r)
{
	double *b = malloc((nb ? nb : 1) * sizeof(*b)), *c = malloc((nc ? nc : 1) * sizeof(*c));
	int rc = PV_ENOMEM;
	if (b && c) {
		if (nb) /* qsort(NULL, 0) is undefined */
			memcpy(b, base, nb * sizeof(*b)), qsort(b, nb, sizeof(*b), cmp_double);
		if (nc)
			memcpy(c, cur, nc * sizeof(*c)), qsort(c, nc, sizeof(*c), cmp_double);
		rc = pv_mwu_sorted(b, nb, zb, c, nc, zc, r);
	}
	free(b);
	free(c);
	return rc;
}

int pv_mwu_sorted(const double *b, size_t nb, size_t zb, const double *c, size_t nc, size_t zc,
		  pv_mwu_result *r)
{
	size_t n1 = nb + zb, n2 = nc + zc, N = n1 + n2;
	memset(r, 0, sizeof(*r));
	r->p = 1;
	if (!n1 || !n2)
		return 0;
	/* walk the two sides' values together in order, with the zeros
	 * (zb + zc of them, given as counts) as one block where they belong;
	 * equal values share their mean rank */
	double rank = 0, rcur = 0, ties = 0;
	int zeros_done = !(zb + zc);
	size_t i = 0, j = 0;
	while (i < nb || j < nc || !zeros_done) {
		size_t inb = 0, inc = 0;
		/* the smallest value left */
		double v = i == nb ? c[j] : j == nc ? b[i]
				    : c[j] < b[i]   ? c[j]
						    : b[i];
		if (!zeros_done && ((i == nb && j == nc) || v >= 0)) {
			inb = zb, inc = zc;
			zeros_done = 1;
			for (; i < nb && b[i] == 0; i++)
				inb++;
			for (; j < nc && c[j] == 0; j++)
				inc++;
		} else {
			for (; i < nb && b[i] == v; i++)
				inb++;
			for (; j < nc && c[j] == v; j++)
				inc++;
			if (!inb && !inc) /* a NaN equals nothing: a rank of its own */
				i < nb &&b[i] != b[i] ? (i++, inb++) : (j++, inc++);
		}
		double k = (double)(inb + inc);
		rcur += (double)inc * (rank + (k + 1) / 2);
		rank += k;
		if (k > 1)
			ties += k * k * k - k;
	}
	double u = rcur - (double)n2 * ((double)n2 + 1) / 2;
	double mu = (double)n1 * (double)n2 / 2;
	r->u = u;
	r->effect = u / ((double)n1 * (double)n2); /* P(cur > base) + P(equal) / 2 */
	if (!ties && N <= EXACT_MAX) {
		r->exact = 1;
		r->p = exact_p(n1, n2, u);
		return r->p == r->p ? 0 : PV_ENOMEM;
	}
	double var = (double)n1 * (double)n2 / 12 *
		     ((double)N + 1 - ties / ((double)N * ((double)N - 1)));
	if (!(var > 0)) /* every sample equal */
		return 0;
	double d = fabs(u - mu) - 0.5;
	r->z = (u > mu ? 1 : -1) * (d > 0 ? d : 0) / sqrt(var);
	r->p = erfc(fabs(r->z) / sqrt(2));
	return 0;
}

struct pidx {
	double p;
	size_t i;
};

static int cmp_pidx(const void *a, const void *b)
{
	const struct pidx *x = a, *y = b;
	if (x->p != y->p)
		return x->p < y->p ? -1 : 1;
	return (x->i > y->i) - (x->i < y->i);
}

int pv_holm(double *p, size_t n, size_t m)
{
	if (!n)
		return 0;
	if (m < n)
		m = n;
	struct pidx *s = malloc(n * sizeof(*s));
	if (!s)
		return PV_ENOMEM;
	for (size_t i = 0; i < n; i++)
		s[i] = (struct pidx){p[i] == p[i] ? p[i] : 1, i};
	qsort(s, n, sizeof(*s), cmp_pidx);
	double run = 0;
	for (size_t k = 0; k < n; k++) {
		double a = (double)(m - k) * s[k].p;
		if (a > 1)
			a = 1;
		if (a > run) /* adjusted p-values never decrease along the order */
			run = a;
		p[s[k].i] = run;
	}
	free(s);
	return 0;
}

/* The k-th smallest of v[0..n) (v is reordered): Hoare's selection. */
static double select_kth(double *v, size_t n, size_t k)
{
	size_t lo = 0, hi = n - 1;
	while (lo < hi) {
		double pivot = v[lo + (hi - lo) / 2];
		size_t i = lo, j = hi;
		while (i <= j) {
			while (v[i] < pivot)
				i++;
			while (v[j] > pivot)
				j--;
			if (i <= j) {
				double t = v[i];
				v[i] = v[j];
				v[j] = t;
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			return v[k];
	}
	return v[k];
}

/* The k-th smallest of every difference c[j] - b[i] (b and c ascending,
 * finite), exactly as the sb x sc table of them would give it, without
 * the table: row i of the table (c[j] - b[i] over j) ascends, and the
 * count of a row's values below a pivot only grows with i (rounding keeps
 * a difference monotonic in each operand), so one pass of two pointers
 * counts the values below or at a pivot in O(sb + sc).  Each pass takes
 * a random candidate left as the pivot and drops the rows' columns on its
 * wrong side: O((sb + sc) log(sb sc)) expected, against the table's
 * sb x sc differences and its selection. */
static double kth_diff(const double *b, size_t sb, const double *c, size_t sc, size_t k,
		       size_t *lo, size_t *hi, uint64_t *rng)
{
	for (size_t i = 0; i < sb; i++)
		lo[i] = 0, hi[i] = sc;
	for (;;) {
		size_t left = 0;
		for (size_t i = 0; i < sb; i++)
			left += hi[i] - lo[i];
		*rng ^= *rng << 13, *rng ^= *rng >> 7, *rng ^= *rng << 17; /* xorshift64 */
		size_t r = (size_t)(*rng % left), row = 0;
		while (r >= hi[row] - lo[row])
			r -= hi[row] - lo[row], row++;
		double pivot = c[lo[row] + r] - b[row];
		/* lt, le: values below, at or below the pivot, in the whole table */
		size_t lt = 0, le = 0, jl = 0, je = 0;
		for (size_t i = 0; i < sb; i++) {
			while (jl < sc && c[jl] - b[i] < pivot)
				jl++;
			while (je < sc && c[je] - b[i] <= pivot)
				je++;
			lt += jl, le += je;
		}
		if (k >= lt && k < le)
			return pivot;
		jl = je = 0;
		for (size_t i = 0; i < sb; i++) {
			while (jl < sc && c[jl] - b[i] < pivot)
				jl++;
			while (je < sc && c[je] - b[i] <= pivot)
				je++;
			if (k < lt && hi[i] > jl) /* the k-th is below the pivot */
				hi[i] = jl;
			else if (k >= le && lo[i] < je) /* ... above it */
				lo[i] = je;
			if (lo[i] > hi[i])
				lo[i] = hi[i];
		}
	}
}

/* At most this many samples of each side enter the pairs (every
 * (n / HL_MAX)-th, in order). */
#define HL_MAX 1000

int pv_hl_shift(const double *base, size_t nb, const double *cur, size_t nc, double *shift)
{
	*shift = NAN;
	if (!nb || !nc)
		return 0;
	size_t sb = nb > HL_MAX ? HL_MAX : nb, sc = nc > HL_MAX ? HL_MAX : nc, n = sb * sc;
	double *b = malloc(sb * sizeof(*b)), *c = malloc(sc * sizeof(*c));
	size_t *lo = malloc(sb * sizeof(*lo)), *hi = malloc(sb * sizeof(*hi));
	int rc = PV_ENOMEM, finite = 1;
	if (!b || !c || !lo || !hi)
		goto out;
	for (size_t i = 0; i < sb; i++)
		finite &= isfinite(b[i] = base[i * nb / sb]);
	for (size_t j = 0; j < sc; j++)
		finite &= isfinite(c[j] = cur[j * nc / sc]);
	double mlo, mhi;
	if (finite) {
		qsort(b, sb, sizeof(*b), cmp_double);
		qsort(c, sc, sizeof(*c), cmp_double);
		uint64_t rng = 0x9e3779b97f4a7c15ULL;
		mlo = kth_diff(b, sb, c, sc, (n - 1) / 2, lo, hi, &rng);
		mhi = n % 2 ? mlo : kth_diff(b, sb, c, sc, n / 2, lo, hi, &rng);
	} else { /* an infinity or NaN orders nothing: the table itself */
		double *d = malloc(n * sizeof(*d));
		if (!d)
			goto out;
		for (size_t i = 0, k = 0; i < sb; i++)
			for (size_t j = 0; j < sc; j++)
				d[k++] = c[j] - b[i];
		mlo = select_kth(d, n, (n - 1) / 2);
		mhi = n % 2 ? mlo : select_kth(d, n, n / 2);
		free(d);
	}
	*shift = (mlo + mhi) / 2;
	rc = 0;
out:
	free(b);
	free(c);
	free(lo);
	free(hi);
	return rc;
}
