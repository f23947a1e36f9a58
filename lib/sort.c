/*
 * sort.c - pstats' sort keys.
 *
 * A new sort key is one row in `keys` below: its name, the fields it
 * compares (in order, each ascending or descending) and the text pstats
 * prints after "Ordered by:".  Abbreviations are derived from the table with
 * pstats' own algorithm, so the accepted set is exactly CPython's.  Rows
 * are put in order by CPython's own list.sort (timsort.c), so that NaN
 * times order them as pstats does.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "timsort.h"

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
		return (pv_entry_cc(a) > pv_entry_cc(b)) - (pv_entry_cc(a) < pv_entry_cc(b));
	case F_NC:
		return (pv_entry_nc(a) > pv_entry_nc(b)) - (pv_entry_nc(a) < pv_entry_nc(b));
	case F_TT:
		return pv_num_cmp(pv_entry_tt(a), pv_entry_tt(b));
	case F_CT:
		return pv_num_cmp(pv_entry_ct(a), pv_entry_ct(b));
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

/* list.sort's question for two rows (entry indices). */
static int entry_lt(void *arg, uint32_t x, uint32_t y)
{
	return cmp_entries(arg, x, y) < 0;
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
	pv_timsort(rows, tmp, n, entry_lt, &c);
	free(c.disp);
	free(tmp);
	return 0;
}
