/*
 * timsort.c - CPython's list.sort, for arrays of 4-byte items.
 *
 * pstats sorts with list.sort(key=cmp_to_key(TupleComp(...).compare)), so
 * list.sort only ever asks "x < y?", i.e. compare(x, y) < 0.  With NaN
 * times that relation is not a total order, and the result depends on
 * which pairs the algorithm compares: only the same algorithm gives the
 * same rows.  This is CPython 3.11's timsort (Objects/listsort.txt): runs
 * found by count_run, short runs extended by binary insertion to minrun,
 * the powersort merge policy, galloping merges with the adaptive
 * min_gallop.  Every comparison below is one CPython makes, in its order.
 * The sort keys and what "x < y" means for two entries are sort.c's.
 */
#include <string.h>

#include "timsort.h"

#define MIN_GALLOP 7
#define MAX_PENDING 85

struct run {
	size_t base, len;
	int power;
};

struct ts {
	pv_lt_fn less;
	void *arg;
	uint32_t *v;   /* the whole list */
	uint32_t *tmp; /* room for n/2 + 1 items */
	size_t n;
	size_t min_gallop;
	struct run pending[MAX_PENDING];
	int npending;
};

static int lt(struct ts *t, uint32_t x, uint32_t y)
{
	return t->less(t->arg, x, y);
}

static void binarysort(struct ts *t, uint32_t *lo, uint32_t *hi, uint32_t *start)
{
	if (lo == start)
		++start;
	for (; start < hi; ++start) {
		uint32_t *l = lo, *r = start, pivot = *r;
		do {
			uint32_t *p = l + ((r - l) >> 1);
			if (lt(t, pivot, *p))
				r = p;
			else
				l = p + 1;
		} while (l < r);
		memmove(l + 1, l, (size_t)(start - l) * sizeof(*l));
		*l = pivot;
	}
}

/* Length of the run at lo: non-descending, or strictly descending
 * (*descending set). */
static size_t count_run(struct ts *t, uint32_t *lo, uint32_t *hi, int *descending)
{
	*descending = 0;
	++lo;
	if (lo == hi)
		return 1;
	size_t n = 2;
	if (lt(t, *lo, *(lo - 1))) {
		*descending = 1;
		for (lo = lo + 1; lo < hi; ++lo, ++n)
			if (!lt(t, *lo, *(lo - 1)))
				break;
	} else {
		for (lo = lo + 1; lo < hi; ++lo, ++n)
			if (lt(t, *lo, *(lo - 1)))
				break;
	}
	return n;
}

/* Where key goes in sorted a[0..n): the leftmost position (a[k-1] < key
 * <= a[k]), searched from a[hint] outwards. */
static size_t gallop_left(struct ts *t, uint32_t key, uint32_t *a, size_t n, size_t hint)
{
	size_t ofs = 1, lastofs = 0, maxofs;
	a += hint;
	if (lt(t, *a, key)) {
		maxofs = n - hint;
		while (ofs < maxofs) {
			if (lt(t, a[ofs], key)) {
				lastofs = ofs;
				ofs = (ofs << 1) + 1;
			} else {
				break;
			}
		}
		if (ofs > maxofs)
			ofs = maxofs;
		lastofs += hint;
		ofs += hint;
	} else {
		maxofs = hint + 1;
		while (ofs < maxofs) {
			if (lt(t, *(a - ofs), key))
				break;
			lastofs = ofs;
			ofs = (ofs << 1) + 1;
		}
		if (ofs > maxofs)
			ofs = maxofs;
		size_t k = lastofs;
		lastofs = hint - ofs; /* may be -1: kept as SIZE_MAX, +1 below */
		ofs = hint - k;
	}
	a -= hint;
	++lastofs;
	while (lastofs < ofs) {
		size_t m = lastofs + ((ofs - lastofs) >> 1);
		if (lt(t, a[m], key))
			lastofs = m + 1;
		else
			ofs = m;
	}
	return ofs;
}

/* The rightmost position (a[k-1] <= key < a[k]). */
static size_t gallop_right(struct ts *t, uint32_t key, uint32_t *a, size_t n, size_t hint)
{
	size_t ofs = 1, lastofs = 0, maxofs;
	a += hint;
	if (lt(t, key, *a)) {
		maxofs = hint + 1;
		while (ofs < maxofs) {
			if (lt(t, key, *(a - ofs))) {
				lastofs = ofs;
				ofs = (ofs << 1) + 1;
			} else {
				break;
			}
		}
		if (ofs > maxofs)
			ofs = maxofs;
		size_t k = lastofs;
		lastofs = hint - ofs;
		ofs = hint - k;
	} else {
		maxofs = n - hint;
		while (ofs < maxofs) {
			if (lt(t, key, a[ofs]))
				break;
			lastofs = ofs;
			ofs = (ofs << 1) + 1;
		}
		if (ofs > maxofs)
			ofs = maxofs;
		lastofs += hint;
		ofs += hint;
	}
	a -= hint;
	++lastofs;
	while (lastofs < ofs) {
		size_t m = lastofs + ((ofs - lastofs) >> 1);
		if (lt(t, key, a[m]))
			ofs = m;
		else
			lastofs = m + 1;
	}
	return ofs;
}

#define MOVE(d, s, k) memmove((d), (s), (size_t)(k) * sizeof(uint32_t))

/* Merge a[0..na) and b[0..nb) (b follows a), na <= nb, a[0] > b[0]... as
 * CPython's merge_lo: a is copied out and merged from the left. */
static void merge_lo(struct ts *t, uint32_t *pa, size_t na, uint32_t *pb, size_t nb)
{
	uint32_t *dest = pa;
	MOVE(t->tmp, pa, na);
	pa = t->tmp;
	size_t min_gallop = t->min_gallop, acount, bcount, k;
	*dest++ = *pb++;
	--nb;
	if (nb == 0)
		goto succeed;
	if (na == 1)
		goto copyb;
	for (;;) {
		acount = bcount = 0;
		for (;;) {
			if (lt(t, *pb, *pa)) {
				*dest++ = *pb++;
				++bcount;
				acount = 0;
				--nb;
				if (nb == 0)
					goto succeed;
				if (bcount >= min_gallop)
					break;
			} else {
				*dest++ = *pa++;
				++acount;
				bcount = 0;
				--na;
				if (na == 1)
					goto copyb;
				if (acount >= min_gallop)
					break;
			}
		}
		++min_gallop;
		do {
			min_gallop -= min_gallop > 1;
			t->min_gallop = min_gallop;
			k = gallop_right(t, *pb, pa, na, 0);
			acount = k;
			if (k) {
				MOVE(dest, pa, k);
				dest += k;
				pa += k;
				na -= k;
				if (na == 1)
					goto copyb;
				if (na == 0) /* only with an inconsistent order */
					goto succeed;
			}
			*dest++ = *pb++;
			--nb;
			if (nb == 0)
				goto succeed;
			k = gallop_left(t, *pa, pb, nb, 0);
			bcount = k;
			if (k) {
				MOVE(dest, pb, k);
				dest += k;
				pb += k;
				nb -= k;
				if (nb == 0)
					goto succeed;
			}
			*dest++ = *pa++;
			--na;
			if (na == 1)
				goto copyb;
		} while (acount >= MIN_GALLOP || bcount >= MIN_GALLOP);
		++min_gallop;
		t->min_gallop = min_gallop;
	}
succeed:
	if (na)
		MOVE(dest, pa, na);
	return;
copyb:
	/* the last element of a belongs at the end of the merge */
	MOVE(dest, pb, nb);
	dest[nb] = *pa;
}

/* CPython's merge_hi: b is copied out and merged from the right. */
static void merge_hi(struct ts *t, uint32_t *pa, size_t na, uint32_t *pb, size_t nb)
{
	uint32_t *dest = pb + nb - 1, *basea = pa, *baseb = t->tmp;
	MOVE(t->tmp, pb, nb);
	pb = t->tmp + nb - 1;
	pa += na - 1;
	size_t min_gallop = t->min_gallop, acount, bcount, k;
	*dest-- = *pa--;
	--na;
	if (na == 0)
		goto succeed;
	if (nb == 1)
		goto copya;
	for (;;) {
		acount = bcount = 0;
		for (;;) {
			if (lt(t, *pb, *pa)) {
				*dest-- = *pa--;
				++acount;
				bcount = 0;
				--na;
				if (na == 0)
					goto succeed;
				if (acount >= min_gallop)
					break;
			} else {
				*dest-- = *pb--;
				++bcount;
				acount = 0;
				--nb;
				if (nb == 1)
					goto copya;
				if (bcount >= min_gallop)
					break;
			}
		}
		++min_gallop;
		do {
			min_gallop -= min_gallop > 1;
			t->min_gallop = min_gallop;
			k = na - gallop_right(t, *pb, basea, na, na - 1);
			acount = k;
			if (k) {
				dest -= k;
				pa -= k;
				MOVE(dest + 1, pa + 1, k);
				na -= k;
				if (na == 0)
					goto succeed;
			}
			*dest-- = *pb--;
			--nb;
			if (nb == 1)
				goto copya;
			k = nb - gallop_left(t, *pa, baseb, nb, nb - 1);
			bcount = k;
			if (k) {
				dest -= k;
				pb -= k;
				MOVE(dest + 1, pb + 1, k);
				nb -= k;
				if (nb == 1)
					goto copya;
				if (nb == 0) /* only with an inconsistent order */
					goto succeed;
			}
			*dest-- = *pa--;
			--na;
			if (na == 0)
				goto succeed;
		} while (acount >= MIN_GALLOP || bcount >= MIN_GALLOP);
		++min_gallop;
		t->min_gallop = min_gallop;
	}
succeed:
	if (nb)
		MOVE(dest - (nb - 1), baseb, nb);
	return;
copya:
	/* the first element of b belongs at the front of the merge */
	dest -= na;
	pa -= na;
	MOVE(dest + 1, pa + 1, na);
	*dest = *pb;
}

/* Merge pending runs i and i + 1. */
static void merge_at(struct ts *t, int i)
{
	uint32_t *pa = t->v + t->pending[i].base, *pb = t->v + t->pending[i + 1].base;
	size_t na = t->pending[i].len, nb = t->pending[i + 1].len;
	t->pending[i].len = na + nb;
	if (i == t->npending - 3)
		t->pending[i + 1] = t->pending[i + 2];
	--t->npending;
	/* b[0] goes where in a?  What is before it is in place already. */
	size_t k = gallop_right(t, *pb, pa, na, 0);
	pa += k;
	na -= k;
	if (na == 0)
		return;
	/* a[na-1] goes where in b?  What is after it is in place already. */
	nb = gallop_left(t, pa[na - 1], pb, nb, nb - 1);
	if (nb == 0)
		return;
	if (na <= nb)
		merge_lo(t, pa, na, pb, nb);
	else
		merge_hi(t, pa, na, pb, nb);
}

/* powersort's node power of the run boundary between [s1, s1+n1) and the
 * n2 items after it, in a list of n. */
static int powerloop(size_t s1, size_t n1, size_t n2, size_t n)
{
	int result = 0;
	size_t a = 2 * s1 + n1, b = a + n1 + n2;
	for (;;) {
		++result;
		if (a >= n) {
			a -= n;
			b -= n;
		} else if (b >= n) {
			break;
		}
		a <<= 1;
		b <<= 1;
	}
	return result;
}

static void found_new_run(struct ts *t, size_t n2)
{
	if (!t->npending)
		return;
	struct run *p = t->pending;
	int power = powerloop(p[t->npending - 1].base, p[t->npending - 1].len, n2, t->n);
	while (t->npending > 1 && p[t->npending - 2].power > power)
		merge_at(t, t->npending - 2);
	p[t->npending - 1].power = power;
}

static size_t minrun(size_t n)
{
	size_t r = 0;
	while (n >= 64) {
		r |= n & 1;
		n >>= 1;
	}
	return n + r;
}

static void reverse(uint32_t *lo, size_t n)
{
	for (uint32_t *hi = lo + n - 1; lo < hi; lo++, hi--) {
		uint32_t x = *lo;
		*lo = *hi;
		*hi = x;
	}
}

void pv_timsort(uint32_t *v, uint32_t *tmp, size_t n, pv_lt_fn less, void *arg)
{
	struct ts t = {.less = less, .arg = arg, .v = v, .tmp = tmp, .n = n, .min_gallop = MIN_GALLOP};
	size_t lo = 0, remaining = n, mr = minrun(n);
	if (n < 2)
		return;
	do {
		int desc;
		size_t k = count_run(&t, v + lo, v + lo + remaining, &desc);
		if (desc)
			reverse(v + lo, k);
		if (k < mr) {
			size_t force = remaining <= mr ? remaining : mr;
			binarysort(&t, v + lo, v + lo + force, v + lo + k);
			k = force;
		}
		found_new_run(&t, k);
		t.pending[t.npending].base = lo;
		t.pending[t.npending].len = k;
		t.npending++;
		lo += k;
		remaining -= k;
	} while (remaining);
	while (t.npending > 1) {
		int i = t.npending - 2;
		if (i > 0 && t.pending[i - 1].len < t.pending[i + 1].len)
			--i;
		merge_at(&t, i);
	}
}
