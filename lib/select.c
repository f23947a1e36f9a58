/*
 * select.c - restrictions (pstats' print_stats(*amount) arguments) and the
 * view they produce: which rows are printed, and the "List reduced" lines.
 *
 * Rows are chosen, never deleted: totals always describe the whole profile,
 * as pstats' do.  Regexes go through regex.c (bounded, matched as Python's
 * `re` matches str); a match that hits a bound is an error, not a miss.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct sel {
	pv_sel_kind kind;
	char *arg;
	unsigned long long limit;
	double fraction;
	pv_regex *re;
};

struct pv_select {
	struct sel *v;
	size_t n, cap;
};

int pv_select_new(pv_select **out)
{
	pv_select *s = calloc(1, sizeof(*s));
	if (!s)
		return PV_ENOMEM;
	*out = s;
	return 0;
}

void pv_select_free(pv_select *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].arg);
		pv_regex_free(s->v[i].re);
	}
	free(s->v);
	free(s);
}

static int parse_limit(const char *a, unsigned long long *v, pv_ctx *ctx)
{
	char *end;
	errno = 0;
	if (!*a || *a == '-' || *a == ' ')
		goto bad;
	*v = strtoull(a, &end, 10);
	if (*end || (errno && errno != ERANGE))
		goto bad;
	/* pstats takes any int: a limit past 2^64 - 1 cuts nothing, as the
	 * largest one does */
	return 0;
bad:
	char q[256];
	pv_quote(q, sizeof(q), a, strlen(a), 1);
	return pv_fail(ctx, PV_EARG, PV_NOOFF, "--limit takes a whole number >= 0, not %s", q);
}

static int parse_fraction(const char *a, double *v, pv_ctx *ctx)
{
	char *end;
	errno = 0;
	*v = strtod(a, &end);
	/* ERANGE on underflow (5e-324, 1e-400) is no error: float() gives the
	 * same subnormal or zero, and pstats takes it */
	if (!*a || *end || !(*v >= 0.0 && *v <= 1.0)) {
		char q[256];
		pv_quote(q, sizeof(q), a, strlen(a), 1);
		return pv_fail(ctx, PV_EARG, PV_NOOFF, "--fraction takes a number from 0 to 1, not %s",
			       q);
	}
	return 0;
}

int pv_select_add(pv_select *s, pv_sel_kind kind, const char *arg, pv_ctx *ctx)
{
	if (pv_grow(&s->v, &s->cap, s->n + 1, sizeof(*s->v)) < 0)
		return pv_fail(ctx, PV_ENOMEM, PV_NOOFF, "out of memory");
	struct sel *e = &s->v[s->n];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	if (!(e->arg = strdup(arg)))
		return pv_fail(ctx, PV_ENOMEM, PV_NOOFF, "out of memory");
	int rc = 0;
	switch (kind) {
	case PV_SEL_LIMIT:
		rc = parse_limit(arg, &e->limit, ctx);
		break;
	case PV_SEL_FRACTION:
		rc = parse_fraction(arg, &e->fraction, ctx);
		break;
	case PV_SEL_MATCH:
	case PV_SEL_EXCLUDE:
		rc = pv_regex_compile(&e->re, kind == PV_SEL_MATCH ? "--match" : "--exclude", arg, ctx);
		break;
	}
	if (rc < 0) {
		free(e->arg);
		pv_regex_free(e->re);
		return rc;
	}
	s->n++;
	return 0;
}

/* ---- the view ---------------------------------------------------------- */

static int note(pv_view *v, size_t *len, size_t *cap, size_t from, size_t to,
		const struct sel *e)
{
	char head[96];
	int w = snprintf(head, sizeof(head), "   List reduced from %zu to %zu due to %s <", from, to,
			 e->kind == PV_SEL_EXCLUDE ? "exclusion" : "restriction");
	size_t need = *len + (size_t)w + 64;
	if (pv_grow(&v->notes, cap, need, 1) < 0)
		return PV_ENOMEM;
	memcpy(v->notes + *len, head, (size_t)w);
	*len += (size_t)w;
	int rc = 0;
	if (e->kind == PV_SEL_LIMIT)
		*len += (size_t)snprintf(v->notes + *len, 32, "%llu", e->limit);
	else if (e->kind == PV_SEL_FRACTION)
		rc = pv_pyrepr_float(&v->notes, len, cap, e->fraction);
	else
		rc = pv_pyrepr_str(&v->notes, len, cap, e->arg, strlen(e->arg));
	if (rc < 0 || pv_grow(&v->notes, cap, *len + 3, 1) < 0)
		return PV_ENOMEM;
	memcpy(v->notes + *len, ">\n", 3);
	*len += 2;
	return 0;
}

static int apply(const struct sel *e, pv_stats *st, pv_view *v, pv_ctx *ctx)
{
	size_t n = v->nrows, k = 0;
	switch (e->kind) {
	case PV_SEL_LIMIT:
		return (int)(e->limit < n ? (v->nrows = (size_t)e->limit, 0) : 0);
	case PV_SEL_FRACTION:
		/* int(len * x + .5) in double precision, for 0 <= x < 1 */
		if (e->fraction < 1.0)
			v->nrows = (size_t)((double)n * e->fraction + 0.5);
		return 0;
	case PV_SEL_MATCH:
	case PV_SEL_EXCLUDE:
		for (size_t i = 0; i < n; i++) {
			size_t len;
			const char *t = pv_stats_display(st, pv_stats_entry(st, v->rows[i])->key, &len);
			if (!t)
				return pv_fail(ctx, PV_ENOMEM, PV_NOOFF, "out of memory");
			int m = pv_regex_match(e->re, t, len, ctx);
			if (m < 0)
				return m;
			if (m == (e->kind == PV_SEL_MATCH))
				v->rows[k++] = v->rows[i];
		}
		v->nrows = k;
		return 0;
	}
	return 0;
}

int pv_view_build(pv_view *v, pv_stats *st, const pv_sort *s, const pv_select *sel, pv_ctx *ctx)
{
	memset(v, 0, sizeof(*v));
	size_t n = pv_stats_nentries(st), notelen = 0, notecap = 0;
	int rc = 0;
	v->rows = pv_malloc((n ? n : 1) * sizeof(*v->rows));
	if (!v->rows || pv_grow(&v->notes, &notecap, 1, 1) < 0)
		goto nomem;
	v->notes[0] = '\0';
	for (size_t i = 0; i < n; i++)
		v->rows[i] = (uint32_t)i;
	v->nrows = n;
	v->order = pv_sort_description(s);
	v->ordered = v->order != NULL;
	if (v->ordered && pv_sort_apply(s, st, v->rows, n) < 0)
		goto nomem;
	for (size_t i = 0; sel && i < sel->n; i++) {
		size_t before = v->nrows;
		if ((rc = apply(&sel->v[i], st, v, ctx)) < 0) {
			pv_view_clear(v);
			return rc;
		}
		if (v->nrows != before && note(v, &notelen, &notecap, before, v->nrows, &sel->v[i]) < 0)
			goto nomem;
	}
	return 0;
nomem:
	rc = pv_fail(ctx, PV_ENOMEM, PV_NOOFF, "out of memory");
	pv_view_clear(v);
	return rc;
}

/* pstats' width: max_name_len, or the longest listed name once the list
 * was cut; both are the longest name among the rows shown.  Computed on
 * demand: only the callers/callees reports need it, and it builds every
 * row's display string. */
size_t pv_view_width(const pv_view *v, pv_stats *st)
{
	size_t w = 0;
	for (size_t i = 0; i < v->nrows; i++) {
		size_t len, cp;
		if (!pv_stats_display_w(st, pv_stats_entry(st, v->rows[i])->key, &len, &cp))
			return 0;
		if (cp > w)
			w = cp;
	}
	return w + 2;
}

void pv_view_clear(pv_view *v)
{
	free(v->rows);
	free(v->notes);
	memset(v, 0, sizeof(*v));
}

int pv_select_keeps(const pv_select *s, const char *text, size_t len, pv_ctx *ctx)
{
	for (size_t i = 0; s && i < s->n; i++) {
		const struct sel *e = &s->v[i];
		if (e->kind != PV_SEL_MATCH && e->kind != PV_SEL_EXCLUDE)
			continue;
		int m = pv_regex_match(e->re, text, len, ctx);
		if (m < 0)
			return m;
		if (m != (e->kind == PV_SEL_MATCH))
			return 0;
	}
	return 1;
}

size_t pv_select_limit(const pv_select *s)
{
	for (size_t i = 0; s && i < s->n; i++)
		if (s->v[i].kind == PV_SEL_LIMIT)
			return s->v[i].limit > SIZE_MAX ? SIZE_MAX : (size_t)s->v[i].limit;
	return (size_t)-1;
}

int pv_select_cuts(const pv_select *s)
{
	for (size_t i = 0; s && i < s->n; i++)
		if (s->v[i].kind == PV_SEL_LIMIT || s->v[i].kind == PV_SEL_FRACTION)
			return 1;
	return 0;
}
