/*
 * callgraph.h - the call graph a call tree is grown from (callgraph.c; lib/
 * only, not part of the API).
 */
#ifndef PV_CALLGRAPH_H
#define PV_CALLGRAPH_H

#include "internal.h"

typedef struct gedge {
	uint32_t to; /* callee (out) or caller (in) entry */
	double w;    /* the edge's cumulative time (seconds), or its estimate */
	double tw;   /* in-edges: the edge's internal time, or its estimate */
	double nc;   /* calls along the edge */
} gedge;

typedef struct graph {
	pv_stats *st;
	size_t n;
	uint32_t *out_at, *in_at; /* n + 1 offsets */
	gedge *out, *in;
	uint32_t *nin;     /* callers that are entries */
	uint8_t *cyclic;   /* in a recursion (SCC of 2+, or calls itself) */
	uint8_t *drop;     /* --exclude */
	uint8_t *hit;      /* --match */
	uint8_t *reach;    /* --match: calls a matching function, maybe indirectly */
	uint64_t *ct, *tt; /* ticks */
	double *ctd, *ncd; /* seconds, calls */
	uint32_t *roots;
	uint64_t *rootw; /* ticks per root */
	size_t nroots;
	uint32_t *onpath; /* frames of each entry on the current path */
	uint64_t total;   /* ticks: the roots' weight (inverted: all self time) */
} graph;

/* A time in ticks of `tick` nanoseconds, rounded to the nearest. */
static inline uint64_t pv_ticks(pv_num t, uint64_t tick)
{
	uint64_t ns = pv_time_ns(t, NULL);
	return ns / tick + (ns % tick >= (tick + 1) / 2);
}

/* Build g from st's entries and caller edges: both adjacency arrays, the
 * cyclic functions and the roots with their weights in ticks of `tick` ns,
 * and the --match/--exclude flags of o.  0, PV_ENOMEM, or a pattern's
 * bound error (its message in ctx); pv_graph_free(g) either way. */
int pv_graph_build(graph *g, pv_stats *st, const pv_tree_opts *o, uint64_t tick, pv_ctx *ctx);
void pv_graph_free(graph *g);

#endif
