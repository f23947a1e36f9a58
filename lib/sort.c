/*
 * sort.c - pstats' sort keys.
 *
 * A new sort key is one row in `keys` below: its name, the fields it
 * compares (in order, each ascending or descending) and the text pstats
 * prints after "Ordered by:".  Abbreviations are derived from the table with
 * pstats' own algorithm, so the accepted set is exactly CPython's.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

enum field { F_CC,
	     F_NC,
	     F_TT,
	     F_CT,
	     F_FILE,
	     F_LINE,
	     F_NAME,
	     F_STD };

struct sortkey {
	const char *name;
	const char *desc;
	int nfields;
	struct {
		enum field f;
		int dir; /* +1 ascending, -1 descending */
	} fields[3];
};

/* pstats.Stats.sort_arg_dict_default (3.7+), in its order: the order decides
 * which abbreviations are ambiguous. */
static const struct sortkey keys[] = {
	{"calls", "call count", 1, {{F_NC, -1}}},
	{"ncalls", "call count", 1, {{F_NC, -1}}},
	{"cumtime", "cumulative time", 1, {{F_CT, -1}}},
	{"cumulative", "cumulative time", 1, {{F_CT, -1}}},
	{"filename", "file name", 1, {{F_FILE, 1}}},
	{"line", "line number", 1, {{F_LINE, 1}}},
	{"module", "file name", 1, {{F_FILE, 1}}},
	{"name", "function name", 1, {{F_NAME, 1}}},
	{"nfl", "name/file/line", 3, {{F_NAME, 1}, {F_FILE, 1}, {F_LINE, 1}}},
	{"pcalls", "primitive call count", 1, {{F_CC, -1}}},
	{"stdname", "standard name", 1, {{F_STD, 1}}},
	{"time", "internal time", 1, {{F_TT, -1}}},
	{"tottime", "internal time", 1, {{F_TT, -1}}},
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

struct pv_sort {
	size_t nfields;
	struct {
		enum field f;
		int dir;
	} * fields;
	char *desc; /* NULL: no sort ("none") */
};

/* pstats' get_sort_arg_defs(): each word registers its prefixes from the
 * whole word down, stopping at the first one already registered, which is
 * ambiguous and removed at the end.  Shorter prefixes an earlier word
 * registered stay (that is why "cu" means cumulative but "cum" is refused). */
struct prefix {
	char s[16];
	int key;
	int bad;
};

static size_t build_prefixes(struct prefix *tab)
{
	size_t n = 0;
	for (size_t k = 0; k < NKEYS; k++) {
		size_t wl = strlen(keys[k].name);
		for (size_t l = wl; l > 0; l--) {
			size_t j;
			for (j = 0; j < n; j++)
				if (strlen(tab[j].s) == l && !strncmp(tab[j].s, keys[k].name, l))
					break;
			if (j < n) {
				tab[j].bad = 1;
				break;
			}
			memcpy(tab[n].s, keys[k].name, l);
			tab[n].s[l] = '\0';
			tab[n].key = (int)k;
			tab[n].bad = 0;
			n++;
		}
	}
	return n;
}

static const struct sortkey *lookup(const char *s, size_t n)
{
	struct prefix tab[NKEYS * 12];
	size_t np = build_prefixes(tab);
	for (size_t j = 0; j < np; j++)
		if (!tab[j].bad && strlen(tab[j].s) == n && !memcmp(tab[j].s, s, n))
			return &keys[tab[j].key];
	return NULL;
}

/* The legacy single-int argument: sort_stats(-1 | 0 | 1 | 2). */
static const char *legacy(const char *spec)
{
	static const char *const names[] = {"stdname", "calls", "time", "cumulative"};
	static const char *const nums[] = {"-1", "0", "1", "2"};
	for (int i = 0; i < 4; i++)
		if (!strcmp(spec, nums[i]))
			return names[i];
	return NULL;
}

int pv_sort_parse(pv_sort **out, const char *spec, pv_ctx *ctx)
{
	pv_sort *s = calloc(1, sizeof(*s));
	if (!s)
		return pv_fail(ctx, PV_ENOMEM, PV_NOOFF, "out of memory");
	if (!strcmp(spec, "none")) {
		*out = s;
		return 0;
	}
	const char *alias = legacy(spec);
	if (alias)
		spec = alias;
	size_t cap = 0, desclen = 0;
	int rc = 0;
	const char *p = spec;
	for (;;) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		const struct sortkey *k = lookup(p, n);
		if (!k) {
			rc = pv_fail(ctx, PV_EARG, PV_NOOFF,
				     "unknown sort key '%.*s' (see --help for the keys)", (int)n, p);
			goto out;
		}
		if (pv_grow(&s->fields, &cap, s->nfields + (size_t)k->nfields,
			    sizeof(*s->fields)) < 0) {
			rc = pv_fail(ctx, PV_ENOMEM, PV_NOOFF, "out of memory");
			goto out;
		}
		for (int f = 0; f < k->nfields; f++) {
			s->fields[s->nfields].f = k->fields[f].f;
			s->fields[s->nfields++].dir = k->fields[f].dir;
		}
		/* descriptions join with ", ", duplicates included, as pstats does */
		size_t dl = strlen(k->desc);
		char *d = realloc(s->desc, desclen + dl + 3);
		if (!d) {
			rc = pv_fail(ctx, PV_ENOMEM, PV_NOOFF, "out of memory");
			goto out;
		}
		s->desc = d;
		if (desclen) {
			memcpy(d + desclen, ", ", 2);
			desclen += 2;
		}
		memcpy(d + desclen, k->desc, dl + 1);
		desclen += dl;
		if (!e)
			break;
		p = e + 1;
	}
	*out = s;
	s = NULL;
out:
	pv_sort_free(s);
	return rc;
}

void pv_sort_free(pv_sort *s)
{
	if (!s)
		return;
	free(s->fields);
	free(s->desc);
	free(s);
}

const char *pv_sort_description(const pv_sort *s)
{
	return s ? s->desc : NULL;
}

void pv_sort_list_keys(FILE *fp)
{
	for (size_t k = 0; k < NKEYS; k++)
		fprintf(fp, "  %-11s %s\n", keys[k].name, keys[k].desc);
}

/* ---- comparing entries -------------------------------------------------- */

struct dstr {
	const char *s;
	size_t n;
};

struct sortctx {
	const pv_sort *s;
	pv_stats *st;
	struct dstr *disp; /* by entry index, when a field is F_STD */
};

static int cmp_bytes(const char *a, size_t an, const char *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);
	if (c)
		return c < 0 ? -1 : 1;
	return (an > bn) - (an < bn);
}

static int cmp_field(struct sortctx *c, enum field f, const pv_entry *a, const pv_entry *b)
{
	const pv_key *ka = pv_stats_key(c->st, a->key), *kb = pv_stats_key(c->st, b->key);
	size_t an, bn;
	const char *as, *bs;
	switch (f) {
	case F_CC:
		return (a->cc > b->cc) - (a->cc < b->cc);
	case F_NC:
		return (a->nc > b->nc) - (a->nc < b->nc);
	case F_TT:
		return pv_num_cmp(a->tt, b->tt);
	case F_CT:
		return pv_num_cmp(a->ct, b->ct);
	case F_LINE:
		return (ka->line > kb->line) - (ka->line < kb->line);
	case F_FILE:
	case F_NAME:
		if ((f == F_FILE ? ka->file == kb->file : ka->name == kb->name))
			return 0;
		as = pv_stats_str(c->st, f == F_FILE ? ka->file : ka->name, &an);
		bs = pv_stats_str(c->st, f == F_FILE ? kb->file : kb->name, &bn);
		return cmp_bytes(as, an, bs, bn);
	case F_STD: /* handled by cmp_entries */
		break;
	}
	return 0;
}

static int cmp_entries(struct sortctx *c, uint32_t x, uint32_t y)
{
	const pv_entry *a = pv_stats_entry(c->st, x), *b = pv_stats_entry(c->st, y);
	for (size_t i = 0; i < c->s->nfields; i++) {
		enum field f = c->s->fields[i].f;
		int r = f == F_STD ? cmp_bytes(c->disp[x].s, c->disp[x].n, c->disp[y].s, c->disp[y].n)
				   : cmp_field(c, f, a, b);
		if (r)
			return r * c->s->fields[i].dir;
	}
	return 0;
}

/* ---- CPython's list.sort ------------------------------------------------

 * pstats sorts with list.sort(key=cmp_to_key(TupleComp(...).compare)), so
 * list.sort only ever asks "x < y?", i.e. compare(x, y) < 0.  With NaN
 * times that relation is not a total order, and the result depends on
 * which pairs the algorithm compares: only the same algorithm gives the
 * same rows.  This is CPython 3.11's timsort (Objects/listsort.txt): runs
 * found by count_run, short runs extended by binary insertion to minrun,
 * the powersort merge policy, galloping merges with the adaptive
 * min_gallop.  Every comparison below is one CPython makes, in its order. */

#define MIN_GALLOP 7
#define MAX_PENDING 85

struct run {
	size_t base, len;
	int power;
};

struct ts {
	struct sortctx *c;
	uint32_t *v;   /* the whole list */
	uint32_t *tmp; /* room for n/2 + 1 items */
	size_t n;
	size_t min_gallop;
	struct run pending[MAX_PENDING];
	int npending;
};

static int lt(struct ts *t, uint32_t x, uint32_t y)
{
	return cmp_entries(t->c, x, y) < 0;
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

static void timsort(struct sortctx *c, uint32_t *v, uint32_t *tmp, size_t n)
{
	struct ts t = {.c = c, .v = v, .tmp = tmp, .n = n, .min_gallop = MIN_GALLOP};
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

int pv_sort_apply(const pv_sort *s, pv_stats *st, uint32_t *rows, size_t n)
{
	if (!s || !s->nfields || n < 2)
		return 0;
	uint32_t *tmp = pv_malloc((n / 2 + 1) * sizeof(*tmp));
	if (!tmp)
		return PV_ENOMEM;
	struct sortctx c = {s, st, NULL};
	/* display strings are looked up once per row, up front: the sort must
	 * not allocate, and a lookup per comparison cost more than the compare */
	for (size_t i = 0; i < s->nfields && !c.disp; i++)
		if (s->fields[i].f == F_STD) {
			if (!(c.disp = pv_malloc(pv_stats_nentries(st) * sizeof(*c.disp)))) {
				free(tmp);
				return PV_ENOMEM;
			}
			for (size_t r = 0; r < n; r++) {
				struct dstr *d = &c.disp[rows[r]];
				if (!(d->s = pv_stats_display(st, pv_stats_entry(st, rows[r])->key, &d->n))) {
					free(c.disp);
					free(tmp);
					return PV_ENOMEM;
				}
			}
		}
	timsort(&c, rows, tmp, n);
	free(c.disp);
	free(tmp);
	return 0;
}
