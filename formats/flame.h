/*
 * flame.h - what the call-tree writers (folded, speedscope, svg) share:
 * walking a pv_tree in pre-order without recursion, and the depth bound
 * of a tree.
 */
#ifndef PV_FLAME_H
#define PV_FLAME_H

#include "../lib/internal.h"

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

#endif
