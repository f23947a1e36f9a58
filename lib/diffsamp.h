/*
 * diffsamp.h - the per-request samples of one set (lib/diffsamp.c), as the
 * per-endpoint diff (lib/diffep.c) reads them.
 */
#ifndef PV_DIFFSAMP_H
#define PV_DIFFSAMP_H

#include "internal.h"

/* One function's internal time in one request: 8 bytes, so that 20,000
 * requests of 500 functions take 80 MB.  A float keeps 7 digits, far
 * finer than the microseconds cProfile's timer resolves. */
typedef struct pv_sample {
	uint32_t fn; /* index into the group's functions */
	float tt;    /* seconds */
} pv_sample;

typedef struct pv_sfunc {
	uint64_t hash;        /* pv_stats_key_hash: the same in every model */
	uint32_t key;         /* key id in the model the set was loaded into */
	double calls, tt, ct; /* sums over the group's requests */
	size_t last;          /* its latest sample's index + 1 in smp (0: none) */
} pv_sfunc;

typedef struct pv_sgroup {
	char *name;
	double *dur; /* request times (each profile's total), in load order */
	size_t *at;  /* request i's samples: smp[at[i], at[i + 1]) */
	size_t n, capdur, capat;
	pv_sample *smp;
	size_t ns, capsmp;
	pv_sfunc *fn;
	size_t nfn, capfn;
	pv_map xlat; /* model key id -> function index + 1: a map, so an endpoint
		      * costs what it holds, not the model's key count (#23) */
} pv_sgroup;

struct pv_samples {
	pv_sgroup *g;
	size_t n, cap;
	pv_map by_name; /* hash of the name -> index + 1 */
	int failed;
	int strip; /* pv_samples_strip_dirs */
};

/* The name of the group of profiles whose names carry no request. */
#define PV_SAMPLES_UNNAMED "(no request name)"

#endif
