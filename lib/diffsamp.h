/*
 * diffsamp.h - the per-request samples of one set (lib/diffsamp.c), as the
 * per-endpoint diff (lib/diffep.c) reads them.
 */
#ifndef PV_DIFFSAMP_H
#define PV_DIFFSAMP_H

#include "internal.h"

/* One function of a group: its sums and its nonzero internal times, one
 * a request it ran in (4 bytes a sample, so that 20,000 requests of 500
 * functions take 40 MB; a float keeps 7 digits, far finer than the
 * microseconds cProfile's timer resolves), kept by function: the rank
 * test takes them so, and gathering them by function afterwards cost
 * the diff a pass over every sample. */
typedef struct pv_sfunc {
	uint64_t hash;        /* pv_stats_key_hash: the same in every model */
	uint32_t key;         /* key id in the model the set was loaded into */
	double calls, tt, ct; /* sums over the group's requests */
	float *v;             /* seconds, in load order */
	size_t nv, capv;
	size_t lastreq; /* the request of its latest sample + 1 (0: none) */
} pv_sfunc;

/* Where a request's entry at one position went last time: dumps of one
 * endpoint list their functions in the same order, so the entry at i is
 * almost always the function the last request had at i. */
typedef struct pv_shint {
	uint32_t key, f; /* f: function index + 1 (0: none yet) */
} pv_shint;

typedef struct pv_sgroup {
	char *name;
	double *dur; /* request times (each profile's total), in load order */
	size_t n, capdur;
	pv_sfunc *fn;
	size_t nfn, capfn;
	pv_map xlat; /* model key id -> function index + 1: a map, so an endpoint
		      * costs what it holds, not the model's key count (#23) */
	pv_shint *hint;
	size_t caphint;
} pv_sgroup;

struct pv_samples {
	pv_sgroup *g;
	size_t n, cap;
	pv_map by_name; /* hash of the name -> index + 1 */
	int failed;
	int strip; /* pv_samples_strip_dirs */
};

/* pv_mwu of samples sorted in ascending order (b and c are not copied):
 * the same figures, without the sort. */
int pv_mwu_sorted(const double *b, size_t nb, size_t zb, const double *c, size_t nc, size_t zc,
		  pv_mwu_result *r);

/* The name of the group of profiles whose names carry no request. */
#define PV_SAMPLES_UNNAMED "(no request name)"

#endif
