/*
 * flame.h - what the call-tree writers (folded, speedscope, svg) share:
 * walking a pv_tree in pre-order without recursion, and the depth bound
 * of a tree.
 */
#ifndef PV_FLAME_H
#define PV_FLAME_H

#include <stdio.h>
#include <string.h>

#include "../lib/util.h"
#include "writer.h"

/* The frame after i in pre-order (parents before children, siblings in
 * order), or PV_NOFRAME at the end. */
static inline uint32_t flame_next(const pv_tree *t, uint32_t i)
{
	if (t->frames[i].first_child != PV_NOFRAME)
		return t->frames[i].first_child;
	while (i != PV_NOFRAME && t->frames[i].next_sibling == PV_NOFRAME)
		i = t->frames[i].parent;
	return i == PV_NOFRAME ? PV_NOFRAME : t->frames[i].next_sibling;
}

static inline uint32_t flame_max_depth(const pv_tree *t)
{
	uint32_t d = 0;
	for (size_t i = 0; i < t->nframes; i++)
		if (t->frames[i].depth > d)
			d = t->frames[i].depth;
	return d;
}

/* 1 if byte i of s starts a lone surrogate (ED A0..BF xx: CPython's
 * surrogatepass lets them into names; they are not UTF-8, so writers put
 * U+FFFD or an escape in their place and skip 3 bytes). */
static inline size_t flame_surrogate(const char *s, size_t i, size_t n)
{
	return (unsigned char)s[i] == 0xed && i + 2 < n && ((unsigned char)s[i + 1] & 0xe0) == 0xa0;
}

/* The byte budget of folded and speedscope (pv_write_opts.max_output): a
 * chain of N functions has stacks of 1..N frames, so without it the output
 * grows as N * N (N = 100,000: 7 GB of speedscope).  Stacks are written in
 * pre-order until the next would pass the budget; that one and every later
 * one is cut, and its self time counted here, so totals stay exact. */
typedef struct flame_budget {
	uint64_t left; /* bytes still allowed; UINT64_MAX: no bound */
	int cutting;   /* a stack has been cut: so is every later one */
	size_t ncut, nstacks;
	uint64_t cut_ticks;
} flame_budget;

static inline void flame_budget_init(flame_budget *b, uint64_t max)
{
	memset(b, 0, sizeof(*b));
	b->left = max ? max : UINT64_MAX;
}

/* 1 if a stack of `bytes` with self time `ticks` is written (and charged). */
static inline int flame_budget_take(flame_budget *b, uint64_t bytes, uint64_t ticks)
{
	b->nstacks++;
	if (!b->cutting && bytes <= b->left) {
		b->left -= bytes;
		return 1;
	}
	b->cutting = 1;
	b->ncut++;
	b->cut_ticks += ticks;
	return 0;
}

/* The name of the frame that holds the cut stacks' time, into buf. */
static inline void flame_cut_name(char *buf, size_t cap, const flame_budget *b, uint64_t max)
{
	snprintf(buf, cap, "[%zu stacks cut: the output reached %.0f MiB, --max-output]", b->ncut,
		 (double)max / (1 << 20));
}

/* What the CLI reports of a budget. */
static inline void flame_budget_report(const flame_budget *b, pv_write_opts *o, uint64_t total)
{
	o->ncut = b->ncut;
	o->nstacks = b->nstacks;
	o->cut_share = total ? (double)b->cut_ticks / (double)total : 0;
}

/* Decimal digits of v */
static inline uint64_t flame_digits(uint64_t v)
{
	uint64_t n = 1;
	while (v >= 10)
		v /= 10, n++;
	return n;
}

#endif
