/*
 * stats_impl.h - what the model's files share (lib/ only, not part of the API).
 *
 * A pv_stats keeps three things together: the intern tables (intern.c),
 * where every file name, function name and (file, line, name) key is
 * stored once; the display strings computed from them on demand
 * (display.c); and the entry table (stats.c), filled by pv_stats_merge from
 * pv_profiles, one per input as a reader builds it (profile.c), which the
 * archive loader may hold packed until pstats' order merges them (pack.c).
 */
#ifndef PV_STATS_IMPL_H
#define PV_STATS_IMPL_H

#include <pthread.h>

#include "internal.h"

/* The shapes of caller edges a table or profile holds: pstats cannot merge
 * a tuple edge with an int one (stats.c checks only when both are there). */
enum { SHAPE_TUPLE = 1,
       SHAPE_INT = 2 };
#define SHAPE_OF(edge) ((edge)->is_tuple ? SHAPE_TUPLE : SHAPE_INT) /* a pv_edge or pv_caller */

/* ---- vals.c: the numbers of entries and edges ----------------------------- */

/* A record (pv_entry, pv_edge) holds its numbers compact (64-bit counts,
 * float times) or, when they do not fit, points to a pv_wide in the arena
 * of its owner (a table or a profile), in blocks that never move. */
struct wblock;
typedef struct warena {
	struct wblock *head;
} warena;

pv_wide *pv_warena_new(warena *a); /* NULL: out of memory */
void pv_warena_free(warena *a);
/* Move every block of `from` to `to` (records keep their pointers). */
void pv_warena_move(warena *to, warena *from);

/* The exact numbers of a record. */
static inline pv_wide pv_vals_get(const pv_vals *v, uint32_t wide)
{
	if (wide)
		return *v->w;
	pv_wide w = {v->c.cc, v->c.nc, pv_num_f(v->c.tt), pv_num_f(v->c.ct)};
	return w;
}

static inline int pv_fits64(pv_int x)
{
	return x >= INT64_MIN && x <= INT64_MAX;
}

int pv_vals_set_wide(pv_vals *v, uint32_t *wide, warena *a, const pv_wide *x);
/* A record just copied from another owner: its wide numbers, if any, copied
 * into arena a (the old owner may be reused).  0 or PV_ENOMEM. */
static inline int pv_vals_rehome(pv_vals *v, uint32_t *wide, warena *a)
{
	if (!*wide)
		return 0;
	const pv_wide *w = v->w;
	*wide = 0;
	return pv_vals_set_wide(v, wide, a, w);
}
int pv_vals_set_slow(pv_vals *v, uint32_t *wide, warena *a, const pv_int *cc, const pv_int *nc,
		     const pv_num *tt, const pv_num *ct);

/* *v := the numbers: compact when they fit.  0 or PV_ENOMEM (v unchanged).
 * Pointers, read field by field: values built on the stack and copied
 * whole stalled the reader on failed store forwards (a fifth of its time). */
static inline int pv_vals_set(pv_vals *v, uint32_t *wide, warena *a, const pv_int *cc,
			      const pv_int *nc, const pv_num *tt, const pv_num *ct)
{
	if (!tt->is_int && !ct->is_int && pv_fits64(*cc) && pv_fits64(*nc)) {
		v->c.cc = (int64_t)*cc;
		v->c.nc = (int64_t)*nc;
		v->c.tt = tt->f;
		v->c.ct = ct->f;
		*wide = 0;
		return 0;
	}
	return pv_vals_set_slow(v, wide, a, cc, nc, tt, ct);
}

/* An edge's shape and numbers (an int-shaped edge keeps only nc). */
static inline int pv_edge_set(pv_edge *d, warena *a, const pv_caller *c)
{
	d->is_tuple = c->is_tuple != 0;
	if (!c->is_tuple) {
		static const pv_int zero = 0;
		static const pv_num fzero = {{0}, 0};
		return pv_vals_set(&d->v, &d->wide, a, &zero, &c->nc, &fzero, &fzero);
	}
	return pv_vals_set(&d->v, &d->wide, a, &c->cc, &c->nc, &c->tt, &c->ct);
}

int pv_vals_add_slow(pv_vals *d, uint32_t *dwide, warena *a, const pv_vals *s, uint32_t swide,
		     int all);

/* *d += *s as Python adds them (counts; and times when `all`, else only
 * nc: an int-shaped edge).  The int sums cannot overflow 128 bits (merge
 * checks its bound first).  0 or PV_ENOMEM. */
static inline int pv_vals_add(pv_vals *d, uint32_t *dwide, warena *a, const pv_vals *s,
			      uint32_t swide, int all)
{
	int64_t cc, nc;
	if (!*dwide && !swide && !__builtin_add_overflow(d->c.nc, s->c.nc, &nc) &&
	    !__builtin_add_overflow(d->c.cc, all ? s->c.cc : 0, &cc)) {
		d->c.nc = nc;
		if (all) {
			d->c.cc = cc;
			d->c.tt = s->c.tt + d->c.tt;
			d->c.ct = s->c.ct + d->c.ct;
		}
		return 0;
	}
	return pv_vals_add_slow(d, dwide, a, s, swide, all);
}

/* ---- intern.c: the string and key tables --------------------------------- */

/* A set of ids with caller-defined equality: the intern tables.  A slot
 * holds the id and the low 32 bits of its hash side by side, so a probe
 * reads one cache line and compares the stored item only when those bits
 * match. */
struct islot {
	uint32_t id1; /* id + 1, 0 = empty */
	uint32_t h32; /* low 32 bits of the hash */
};

typedef struct idset {
	struct islot *slots;
	size_t mask, used;
} idset;

struct strtab {
	char *bytes; /* every string, NUL-terminated, back to back */
	size_t nbytes, capbytes;
	size_t *off;
	uint32_t *len; /* capacity caplen, grown with off */
	size_t n, cap, caplen;
	idset set;
};

/* Free st's strings and keys (and a child table's key map). */
void pv_intern_free(pv_stats *st);
/* Key id k of `from` interned in `to` (its file and function names too):
 * *out its id there.  0 or PV_ENOMEM / PV_ELIMIT. */
int pv_key_copy(const pv_stats *from, pv_stats *to, uint32_t k, uint32_t *out);
/* Key id k of `from` as a key id of `to` (interned there the first time),
 * cached in *xlat (grown as needed, zero-filled; + 1, 0 = not yet).
 * 0 or PV_ENOMEM / PV_ELIMIT. */
int pv_key_xlat(const pv_stats *from, pv_stats *to, uint32_t k, uint32_t **xlat, size_t *cap,
		uint32_t *out);

/* ---- display.c: display strings and --short-paths ------------------------ */

/* Free st's display strings and short names. */
void pv_display_free(pv_stats *st);

/* ---- stats.c: the entry table and the model ------------------------------ */

/* The ordered map of entries and their edges: one per pstats dict. */
typedef struct table {
	pv_entry *entries;
	size_t nentries, capentries;
	pv_edge *edges; /* edges[0] unused: 0 means "none" */
	size_t nedges, capedges;
	uint32_t *entry_of_key; /* key id -> entry index + 1 */
	size_t capeok;
	pv_map edge_of; /* (entry << 32 | caller key) -> edge index */
	int unindexed;  /* edges not in edge_of yet (see table_index) */
	pv_int total_calls, prim_calls;
	pv_num total_tt;
	size_t nprofiles;
	uint64_t abssum; /* bound on |any int sum|, see merge */
	unsigned shapes; /* edge shapes present: SHAPE_TUPLE | SHAPE_INT */
	warena wide;     /* numbers its records cannot hold compact */
} table;

struct pv_stats {
	struct strtab str;
	pv_key *keys;
	size_t nkeys, capkeys;
	idset keyset;
	/* display strings (func_std_string), computed on demand per key, in
	 * blocks that never move so returned pointers stay valid */
	char **blocks;
	size_t nblocks, capblocks, blockused, blocksize;
	char **disp;     /* per key, NULL = not computed */
	uint32_t *alias; /* --short-paths: file string id -> shown string id + 1 */
	size_t capalias;
	uint32_t *disp_len;
	uint32_t *disp_cp; /* width in code points */
	size_t capdispk;
	table t;
	/* a parsing thread's table (pv_stats_new_child): keys are interned
	 * here, then in parent under lock the first time; up maps this
	 * table's key ids to the parent's (+ 1, 0 = not yet) */
	pv_stats *parent;
	pthread_mutex_t *lock;
	uint32_t *up;
	size_t capup;
};

/* ---- profile.c: one input's profile -------------------------------------- */

/* A profile is laid out as the table is: pv_entry rows whose callers are a
 * list linked through callers[] (index 0 unused, 0 = end), so the first
 * profile merged into an empty model is taken over whole instead of copied
 * (pv_stats_merge_take). */
typedef pv_entry pentry;

struct slotmark {
	uint32_t gen, pos;
};

struct pv_profile {
	pentry *entries;
	size_t n, cap;
	pv_edge *callers;            /* callers[0] unused; orphans of repeated keys may stay */
	size_t ncallers, capcallers; /* slots used, including callers[0] */
	/* pv_profile_add_caller appends inline while ncallers < room: set by
	 * its general path to what capcallers and the 32-bit ids allow, and 0
	 * wherever callers[] shrinks, goes or starts again (reset, shrink,
	 * table_take) */
	size_t room;
	/* dict semantics: a repeated key keeps its first position */
	struct slotmark *keyslot, *callerslot;
	size_t capkeyslot, capcallerslot;
	uint32_t gen, cgen;
	size_t cur;       /* entry being built */
	uint64_t abssum;  /* saturating sum of |ints|: bounds every int sum */
	unsigned shapes;  /* edge shapes present: SHAPE_TUPLE | SHAPE_INT */
	warena wide;      /* numbers its records cannot hold compact */
	int drop_callers; /* pv_profile_drop_callers */
};

/* A profile and the table keep abssum, the sum of |every int| they hold in
 * units of 2^64 rounded up, saturating at ABS_LIMIT (profile.c's abs_add):
 * the merge refuses a profile whose abssum and the table's reach it, so no
 * int sum it makes leaves 128 bits. */
#define ABS_LIMIT ((uint64_t)1 << 62) /* in units of 2^64: sums stay below 2^126 */

#endif
