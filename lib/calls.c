/*
 * calls.c - one function's callers and callees with pstats' numbers per
 * edge, as print_callers and print_callees list them: the callers map of
 * the entry, and its inverse (calc_callees), each sorted as
 * sorted(call_dict.keys()) sorts them, by the (file, line, name) tuple.
 *
 * The inverse is built once per model (a count pass and a fill pass over
 * every edge), so a browser asks for a function's callees in time linear
 * in their number.
 */
#define _GNU_SOURCE /* qsort_r */
#include <math.h>

#include "internal.h"

struct pv_calls {
	pv_stats *st;
	size_t *start; /* callees of entry i: all[start[i], start[i + 1]) */
	pv_call *all;
	pv_call *tmp; /* the callers of the last pv_calls_callers() */
	size_t tmpcap;
};

static int cmp_call(const void *pa, const void *pb, void *st)
{
	return pv_stats_cmp_keys(st, ((const pv_call *)pa)->key, ((const pv_call *)pb)->key);
}

static void sort_calls(pv_stats *st, pv_call *v, size_t n)
{
	qsort_r(v, n, sizeof(*v), cmp_call, st);
}

int pv_calls_new(pv_calls **out, pv_stats *st)
{
	size_t ne = pv_stats_nentries(st), total = 0;
	pv_calls *c = calloc(1, sizeof(*c));
	size_t *fill = NULL;
	*out = NULL;
	if (!c || !(c->start = calloc(ne + 1, sizeof(*c->start))))
		goto fail;
	c->st = st;
	for (size_t i = 0; i < ne; i++) {
		const pv_entry *e = pv_stats_entry(st, i);
		for (uint32_t id = e->first_edge; id; id = pv_stats_edge(st, id)->next) {
			long at = pv_stats_find(st, pv_stats_edge(st, id)->caller);
			if (at >= 0)
				c->start[at + 1]++, total++;
		}
	}
	for (size_t i = 0; i < ne; i++)
		c->start[i + 1] += c->start[i];
	if (!(c->all = malloc((total ? total : 1) * sizeof(*c->all))) ||
	    !(fill = malloc((ne + 1) * sizeof(*fill))))
		goto fail;
	memcpy(fill, c->start, (ne + 1) * sizeof(*fill));
	for (size_t i = 0; i < ne; i++) {
		const pv_entry *e = pv_stats_entry(st, i);
		for (uint32_t id = e->first_edge; id; id = pv_stats_edge(st, id)->next) {
			long at = pv_stats_find(st, pv_stats_edge(st, id)->caller);
			if (at >= 0) {
				c->all[fill[at]].key = e->key;
				c->all[fill[at]++].edge = pv_stats_edge(st, id);
			}
		}
	}
	free(fill);
	for (size_t i = 0; i < ne; i++)
		sort_calls(st, c->all + c->start[i], c->start[i + 1] - c->start[i]);
	*out = c;
	return 0;
fail:
	free(fill);
	pv_calls_free(c);
	return PV_ENOMEM;
}

void pv_calls_free(pv_calls *c)
{
	if (!c)
		return;
	free(c->start);
	free(c->all);
	free(c->tmp);
	free(c);
}

int pv_calls_callers(pv_calls *c, size_t entry, const pv_call **out, size_t *n)
{
	const pv_entry *e = pv_stats_entry(c->st, entry);
	if (pv_grow(&c->tmp, &c->tmpcap, e->ncallers ? e->ncallers : 1, sizeof(*c->tmp)) < 0)
		return PV_ENOMEM;
	size_t k = 0;
	for (uint32_t id = e->first_edge; id; id = pv_stats_edge(c->st, id)->next) {
		const pv_edge *ed = pv_stats_edge(c->st, id);
		c->tmp[k].key = ed->caller;
		c->tmp[k++].edge = ed;
	}
	sort_calls(c->st, c->tmp, k);
	*out = c->tmp;
	*n = k;
	return 0;
}

void pv_calls_callees(const pv_calls *c, size_t entry, const pv_call **out, size_t *n)
{
	*out = c->all + c->start[entry];
	*n = c->start[entry + 1] - c->start[entry];
}

void pv_call_numbers(pv_stats *st, const pv_call *call, pv_int *nc, pv_int *cc, double *tt,
		     double *ct)
{
	const pv_edge *e = call->edge;
	*nc = pv_edge_nc(e);
	*cc = e->is_tuple ? pv_edge_cc(e) : pv_edge_nc(e);
	if (e->is_tuple) {
		*tt = pv_num_to_double(pv_edge_tt(e));
		*ct = pv_num_to_double(pv_edge_ct(e));
		return;
	}
	/* profile-module ints: pstats prints the other function's own
	 * cumulative time (NAN: a key without an entry, where pstats raises) */
	long at = pv_stats_find(st, call->key);
	*tt = NAN;
	*ct = at >= 0 ? pv_num_to_double(pv_entry_ct(pv_stats_entry(st, (size_t)at))) : NAN;
}
