/*
 * stats.c - the model: interned strings and keys, entries with caller edges,
 * and the merge and strip_dirs rules of CPython's pstats.
 *
 * Every file name and function name is stored once (strings), every
 * (file, line, name) tuple once (keys); entries and edges hold key ids, so
 * merging compares integers.  Entries keep pstats' dict order: first-seen
 * position, values summed in merge order.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

enum { SHAPE_TUPLE = 1,
       SHAPE_INT = 2 };
#define SHAPE_OF(edge) ((edge)->is_tuple ? SHAPE_TUPLE : SHAPE_INT)

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

/* ---- id sets -------------------------------------------------------- */

typedef int (*eq_fn)(const pv_stats *st, uint32_t id, const void *probe);

static void idset_free(idset *s)
{
	free(s->slots);
}

static inline uint32_t idset_find(const idset *s, uint64_t h, const pv_stats *st, eq_fn eq,
				  const void *probe, size_t *slot)
{
	if (!s->slots) {
		*slot = 0;
		return 0;
	}
	uint32_t h32 = (uint32_t)h;
	size_t i = h32 & s->mask;
	while (s->slots[i].id1) {
		if (s->slots[i].h32 == h32 && eq(st, s->slots[i].id1 - 1, probe)) {
			*slot = i;
			return s->slots[i].id1;
		}
		i = (i + 1) & s->mask;
	}
	*slot = i;
	return 0;
}

/* Rehash into `cap` slots (a power of two). */
static int idset_rehash(idset *s, size_t cap)
{
	if (cap - 1 > UINT32_MAX) /* h32 indexes the table */
		return PV_ENOMEM;
	struct islot *slots = pv_calloc(cap, sizeof(*slots));
	if (!slots)
		return PV_ENOMEM;
	for (size_t j = 0; s->slots && j <= s->mask; j++) {
		if (!s->slots[j].id1)
			continue;
		size_t i = s->slots[j].h32 & (cap - 1);
		while (slots[i].id1)
			i = (i + 1) & (cap - 1);
		slots[i] = s->slots[j];
	}
	idset_free(s);
	s->slots = slots;
	s->mask = cap - 1;
	return 0;
}

static PV_NOINLINE int idset_grow(idset *s)
{
	return idset_rehash(s, s->slots ? (s->mask + 1) * 2 : 256);
}

/* Room for n more ids without a rehash on the way. */
static int idset_reserve_n(idset *s, size_t n)
{
	size_t cap = s->slots ? s->mask + 1 : 256;
	if (n > UINT32_MAX)
		return PV_ENOMEM;
	while ((s->used + n) * 2 > cap)
		cap *= 2;
	return s->slots && cap == s->mask + 1 ? 0 : idset_rehash(s, cap);
}

/* Room for one more id: at most half full. */
static inline int idset_reserve(idset *s)
{
	if (s->slots && (s->used + 1) * 2 <= s->mask + 1)
		return 0;
	return idset_grow(s);
}

/* Fill the slot idset_find left for an absent item. */
static inline void idset_set(idset *s, size_t slot, uint32_t id, uint64_t h)
{
	s->slots[slot].id1 = id + 1;
	s->slots[slot].h32 = (uint32_t)h;
	s->used++;
}

/* ---- strings and keys ------------------------------------------------ */

struct strprobe {
	const char *s;
	size_t len;
};

static int str_eq(const pv_stats *st, uint32_t id, const void *probe)
{
	const struct strprobe *p = probe;
	return st->str.len[id] == p->len && memcmp(st->str.bytes + st->str.off[id], p->s, p->len) == 0;
}

/* Room for nstrs more strings of nbytes in all (terminators included). */
static int strtab_room(struct strtab *t, size_t nstrs, size_t nbytes)
{
	if (pv_grow(&t->bytes, &t->capbytes, t->nbytes + nbytes, 1) < 0 ||
	    pv_grow(&t->off, &t->cap, t->n + nstrs, sizeof(*t->off)) < 0 ||
	    pv_grow(&t->len, &t->caplen, t->cap, sizeof(*t->len)) < 0) /* len follows off */
		return PV_ENOMEM;
	return 0;
}

int pv_stats_intern_str(pv_stats *st, const char *s, size_t len, uint32_t *id)
{
	struct strtab *t = &st->str;
	if (len > UINT32_MAX - 1)
		return PV_ELIMIT;
	if (idset_reserve(&t->set) < 0)
		return PV_ENOMEM;
	struct strprobe p = {s, len};
	uint64_t h = pv_hash_bytes(s, len);
	size_t slot;
	uint32_t found = idset_find(&t->set, h, st, str_eq, &p, &slot);
	if (found) {
		*id = found - 1;
		return 0;
	}
	if (t->n >= UINT32_MAX - 1)
		return PV_ELIMIT;
	/* s may point into our own bytes (strip_dirs interns a basename of a
	 * stored path): find it again after the buffer moves */
	int inside = t->bytes && s >= t->bytes && s < t->bytes + t->nbytes;
	size_t at = inside ? (size_t)(s - t->bytes) : 0;
	if (strtab_room(t, 1, len + 1) < 0)
		return PV_ENOMEM;
	if (inside)
		s = t->bytes + at;
	memcpy(t->bytes + t->nbytes, s, len);
	t->bytes[t->nbytes + len] = '\0';
	t->off[t->n] = t->nbytes;
	t->len[t->n] = (uint32_t)len;
	t->nbytes += len + 1;
	idset_set(&t->set, slot, (uint32_t)t->n, h);
	*id = (uint32_t)t->n++;
	return 0;
}

const char *pv_stats_str(const pv_stats *st, uint32_t id, size_t *len)
{
	if (len)
		*len = st->str.len[id];
	return st->str.bytes + st->str.off[id];
}

static int key_eq(const pv_stats *st, uint32_t id, const void *probe)
{
	const pv_key *a = &st->keys[id], *b = probe;
	return a->file == b->file && a->name == b->name && a->line == b->line;
}

static uint64_t key_hash(const pv_key *k)
{
	return pv_hash_u64(((uint64_t)k->file << 32 | k->name) ^ pv_hash_u64((uint64_t)k->line));
}

int pv_stats_reserve(pv_stats *st, size_t nkeys, size_t nstrs, size_t nbytes)
{
	if (idset_reserve_n(&st->keyset, nkeys) < 0 || idset_reserve_n(&st->str.set, nstrs) < 0 ||
	    pv_grow(&st->keys, &st->capkeys, st->nkeys + nkeys, sizeof(*st->keys)) < 0 ||
	    strtab_room(&st->str, nstrs, nbytes) < 0)
		return PV_ENOMEM;
	return 0;
}

static int xlat_key(const pv_stats *from, pv_stats *to, uint32_t k, uint32_t **xlat, size_t *cap,
		    uint32_t *out);
static int intern_key_here(pv_stats *st, uint32_t file, int64_t line, uint32_t name, uint32_t *id);

int pv_stats_intern_key(pv_stats *st, uint32_t file, int64_t line, uint32_t name, uint32_t *id)
{
	int rc = intern_key_here(st, file, line, name, id);
	if (rc < 0 || !st->parent)
		return rc;
	uint32_t k = *id;
	if (k < st->capup && st->up[k]) { /* almost always, after the first files */
		*id = st->up[k] - 1;
		return 0;
	}
	pthread_mutex_lock(st->lock);
	rc = xlat_key(st, st->parent, k, &st->up, &st->capup, id);
	pthread_mutex_unlock(st->lock);
	return rc;
}

static int intern_key_here(pv_stats *st, uint32_t file, int64_t line, uint32_t name, uint32_t *id)
{
	pv_key k = {.file = file, .name = name, .line = line};
	if (idset_reserve(&st->keyset) < 0)
		return PV_ENOMEM;
	uint64_t h = key_hash(&k);
	size_t slot;
	uint32_t found = idset_find(&st->keyset, h, st, key_eq, &k, &slot);
	if (found) {
		*id = found - 1;
		return 0;
	}
	if (st->nkeys >= UINT32_MAX - 1)
		return PV_ELIMIT;
	if (pv_grow(&st->keys, &st->capkeys, st->nkeys + 1, sizeof(*st->keys)) < 0)
		return PV_ENOMEM;
	st->keys[st->nkeys] = k;
	idset_set(&st->keyset, slot, (uint32_t)st->nkeys, h);
	*id = (uint32_t)st->nkeys++;
	return 0;
}

long pv_stats_lookup_key(const pv_stats *st, const char *file, size_t flen, int64_t line,
			 const char *name, size_t nlen)
{
	struct strprobe fp = {file, flen}, np = {name, nlen};
	size_t slot;
	uint32_t f = idset_find(&st->str.set, pv_hash_bytes(file, flen), st, str_eq, &fp, &slot);
	uint32_t n = idset_find(&st->str.set, pv_hash_bytes(name, nlen), st, str_eq, &np, &slot);
	if (!f || !n)
		return -1;
	pv_key k = {.file = f - 1, .name = n - 1, .line = line};
	uint32_t id = idset_find(&st->keyset, key_hash(&k), st, key_eq, &k, &slot);
	return id ? (long)id - 1 : -1;
}

const pv_key *pv_stats_key(const pv_stats *st, uint32_t id)
{
	return &st->keys[id];
}

/* Strings compare as Python's str do: by code point, which UTF-8 bytes
 * compared unsigned give. */
static int cmp_strs(const pv_stats *st, uint32_t a, uint32_t b)
{
	if (a == b)
		return 0;
	size_t an, bn;
	const char *as = pv_stats_str(st, a, &an), *bs = pv_stats_str(st, b, &bn);
	int c = memcmp(as, bs, an < bn ? an : bn);
	return c ? c : (an > bn) - (an < bn);
}

int pv_stats_cmp_keys(const pv_stats *st, uint32_t a, uint32_t b)
{
	const pv_key *x = &st->keys[a], *y = &st->keys[b];
	int c = cmp_strs(st, x->file, y->file);
	if (c)
		return c;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return cmp_strs(st, x->name, y->name);
}

size_t pv_stats_nkeys(const pv_stats *st)
{
	return st->nkeys;
}

/* Code points = bytes that are not continuation bytes (10xxxxxx), counted
 * eight at a time. */
size_t pv_utf8_len(const char *s, size_t n)
{
	const uint64_t ones = 0x0101010101010101ULL;
	size_t cont = 0, i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, s + i, 8);
		cont += (size_t)((((w >> 7) & ~(w >> 6) & ones) * ones) >> 56);
	}
	for (; i < n; i++)
		cont += ((unsigned char)s[i] & 0xc0) == 0x80;
	return n - cont;
}

/* func_std_string: "{label}" for ('~', 0, '<label>'), the bare name for
 * other ('~', 0, name) keys, "file:line(name)" for everything else. */
static char *arena_alloc(pv_stats *st, size_t n)
{
	if (!st->nblocks || st->blockused + n > st->blocksize) {
		/* 64 KiB, then 2 MiB blocks (one huge page each, see pv_malloc) */
		size_t bs = st->nblocks ? (size_t)2 << 20 : 65536;
		if (bs < n)
			bs = n;
		if (pv_grow(&st->blocks, &st->capblocks, st->nblocks + 1, sizeof(char *)) < 0)
			return NULL;
		char *b = pv_malloc(bs);
		if (!b)
			return NULL;
		st->blocks[st->nblocks++] = b;
		st->blockused = 0;
		st->blocksize = bs;
	}
	char *p = st->blocks[st->nblocks - 1] + st->blockused;
	st->blockused += n;
	return p;
}

const char *pv_stats_display(pv_stats *st, uint32_t key, size_t *len)
{
	size_t w;
	return pv_stats_display_w(st, key, len, &w);
}

const char *pv_stats_display_w(pv_stats *st, uint32_t key, size_t *len, size_t *width)
{
	if (key >= st->capdispk) {
		/* three arrays, one capacity: it moves on only when all three
		 * have grown (each array's own block may be larger) */
		size_t old = st->capdispk, c1 = old, c2 = old, c3 = old;
		if (pv_grow(&st->disp, &c1, st->nkeys, sizeof(*st->disp)) < 0 ||
		    pv_grow(&st->disp_len, &c2, c1, sizeof(*st->disp_len)) < 0 ||
		    pv_grow(&st->disp_cp, &c3, c1, sizeof(*st->disp_cp)) < 0)
			return NULL;
		memset(st->disp + old, 0, (c1 - old) * sizeof(*st->disp));
		st->capdispk = c1;
	}
	if (st->disp[key]) {
		*len = st->disp_len[key];
		*width = st->disp_cp[key];
		return st->disp[key];
	}
	const pv_key *k = &st->keys[key];
	size_t flen, nlen;
	uint32_t fid = pv_stats_shown_file(st, k->file);
	const char *f = pv_stats_str(st, fid, &flen);
	const char *n = pv_stats_str(st, k->name, &nlen);
	char *o = arena_alloc(st, flen + nlen + 32);
	if (!o)
		return NULL;
	size_t m;
	if (flen == 1 && f[0] == '~' && k->line == 0) {
		if (nlen >= 2 && n[0] == '<' && n[nlen - 1] == '>') {
			o[0] = '{';
			memcpy(o + 1, n + 1, nlen - 2);
			o[nlen - 1] = '}';
			m = nlen;
		} else {
			memcpy(o, n, nlen);
			m = nlen;
		}
	} else {
		memcpy(o, f, flen);
		m = flen;
		o[m++] = ':';
		m += pv_int_format(o + m, k->line);
		o[m++] = '(';
		memcpy(o + m, n, nlen);
		m += nlen;
		o[m++] = ')';
	}
	o[m] = '\0';
	st->blockused -= flen + nlen + 32 - (m + 1); /* give back the slack */
	st->disp[key] = o;
	st->disp_len[key] = (uint32_t)m;
	st->disp_cp[key] = (uint32_t)pv_utf8_len(o, m);
	*width = st->disp_cp[key];
	*len = m;
	return o;
}

/* ---- the entry table ------------------------------------------------- */

static void table_free(table *t)
{
	free(t->entries);
	free(t->edges);
	free(t->entry_of_key);
	pv_map_free(&t->edge_of);
	memset(t, 0, sizeof(*t));
	t->total_tt = pv_num_from_int(0);
}

static long table_find(const table *t, uint32_t key)
{
	if (key >= t->capeok || !t->entry_of_key[key])
		return -1;
	return (long)t->entry_of_key[key] - 1;
}

static int table_new_entry(table *t, uint32_t key, size_t *idx)
{
	if (key >= t->capeok) {
		size_t old = t->capeok;
		if (pv_grow(&t->entry_of_key, &t->capeok, (size_t)key + 1, sizeof(uint32_t)) < 0)
			return PV_ENOMEM;
		memset(t->entry_of_key + old, 0, (t->capeok - old) * sizeof(uint32_t));
	}
	if (t->nentries >= UINT32_MAX - 1)
		return PV_ELIMIT;
	if (pv_grow(&t->entries, &t->capentries, t->nentries + 1, sizeof(pv_entry)) < 0)
		return PV_ENOMEM;
	pv_entry *e = &t->entries[t->nentries];
	memset(e, 0, sizeof(*e));
	e->key = key;
	e->tt = e->ct = pv_num_from_int(0);
	t->entry_of_key[key] = (uint32_t)t->nentries + 1;
	*idx = t->nentries++;
	return 0;
}

static uint64_t edge_key(size_t entry, uint32_t caller)
{
	return (uint64_t)entry << 32 | caller;
}

/* Append a copy of `src` (value as is) to entry `ei`'s callers; `index`
 * 0 leaves it out of edge_of (the first profile merged: every edge is new,
 * and a run of one profile never looks one up). */
static int table_append_edge(table *t, size_t ei, const pv_edge *src, int index)
{
	if (t->nedges == 0)
		t->nedges = 1; /* index 0 means "none" */
	if (t->nedges >= UINT32_MAX - 1)
		return PV_ELIMIT;
	if (pv_grow(&t->edges, &t->capedges, t->nedges + 1, sizeof(pv_edge)) < 0)
		return PV_ENOMEM;
	uint32_t id = (uint32_t)t->nedges;
	if (!index)
		t->unindexed = 1;
	else if (pv_map_put(&t->edge_of, edge_key(ei, src->caller), id) < 0)
		return PV_ENOMEM;
	t->edges[id] = *src;
	t->edges[id].next = 0;
	t->shapes |= SHAPE_OF(src);
	t->nedges++;
	pv_entry *e = &t->entries[ei];
	if (e->last_edge)
		t->edges[e->last_edge].next = id;
	else
		e->first_edge = id;
	e->last_edge = id;
	e->ncallers++;
	return 0;
}

/* The sums below cannot overflow: merge checks the bound first. */
static inline pv_num add(pv_num a, pv_num b)
{
	return pv_num_sum(a, b);
}

/* Put every edge into edge_of before the first lookup. */
static int table_index(table *t)
{
	if (!t->unindexed)
		return 0;
	for (size_t ei = 0; ei < t->nentries; ei++)
		for (uint32_t id = t->entries[ei].first_edge; id; id = t->edges[id].next)
			if (pv_map_put(&t->edge_of, edge_key(ei, t->edges[id].caller), id) < 0)
				return PV_ENOMEM;
	t->unindexed = 0;
	return 0;
}

/* add_callers(): an edge already present is summed (tuples element-wise,
 * ints added), a new one is appended as is.  *hint is the entry's edge
 * expected next (0: none): dumps of one program list an entry's callers in
 * the same order, so the edge after the one just merged is usually the one
 * wanted, found without a hash lookup.  A caller appears once per entry, so
 * a hint with the same caller is the edge. */
static int table_merge_edge(table *t, size_t ei, const pv_edge *src, uint32_t *hint)
{
	uint32_t id = *hint;
	if (!id || t->edges[id].caller != src->caller)
		id = pv_map_get(&t->edge_of, edge_key(ei, src->caller));
	if (!id) {
		*hint = 0;
		return table_append_edge(t, ei, src, 1);
	}
	pv_edge *d = &t->edges[id];
	*hint = d->next;
	d->nc += src->nc;
	if (d->is_tuple) {
		d->cc += src->cc;
		d->tt = add(src->tt, d->tt);
		d->ct = add(src->ct, d->ct);
	}
	return 0;
}

enum { AS_IS,
       PLUS_ZERO };

/* add_func_stats(old, incoming) for one entry; `mode` says how a new key is
 * stored: AS_IS (Stats(first), strip_dirs) or PLUS_ZERO (add(): "incoming +
 * (0, 0, 0, 0)", which turns -0.0 into 0.0). */
static int table_add_entry(table *t, uint32_t key, pv_int cc, pv_int nc, pv_num tt, pv_num ct,
			   int mode, size_t *idx)
{
	long at = table_find(t, key);
	if (at < 0) {
		size_t i;
		int rc = table_new_entry(t, key, &i);
		if (rc < 0)
			return rc;
		pv_entry *e = &t->entries[i];
		e->cc = cc;
		e->nc = nc;
		if (mode == PLUS_ZERO) {
			tt = add(tt, pv_num_from_int(0));
			ct = add(ct, pv_num_from_int(0));
		}
		e->tt = tt;
		e->ct = ct;
		*idx = i;
		return 0;
	}
	pv_entry *e = &t->entries[at];
	e->cc += cc;
	e->nc += nc;
	e->tt = add(tt, e->tt);
	e->ct = add(ct, e->ct);
	*idx = (size_t)at;
	return 0;
}

/* ---- stats lifecycle and accessors ------------------------------------ */

int pv_stats_new(pv_stats **out)
{
	pv_stats *st = calloc(1, sizeof(*st));
	if (!st)
		return PV_ENOMEM;
	st->t.total_tt = pv_num_from_int(0);
	*out = st;
	return 0;
}

int pv_stats_new_child(pv_stats **out, pv_stats *parent, pthread_mutex_t *lock)
{
	int rc = pv_stats_new(out);
	if (rc == 0) {
		(*out)->parent = parent;
		(*out)->lock = lock;
	}
	return rc;
}

void pv_stats_free(pv_stats *st)
{
	if (!st)
		return;
	free(st->up);
	free(st->str.bytes);
	free(st->str.off);
	free(st->str.len);
	idset_free(&st->str.set);
	free(st->keys);
	idset_free(&st->keyset);
	for (size_t i = 0; i < st->nblocks; i++)
		free(st->blocks[i]);
	free(st->blocks);
	free(st->disp);
	free(st->disp_len);
	free(st->disp_cp);
	free(st->alias);
	table_free(&st->t);
	free(st);
}

size_t pv_stats_nentries(const pv_stats *st)
{
	return st->t.nentries;
}

const pv_entry *pv_stats_entry(const pv_stats *st, size_t i)
{
	return &st->t.entries[i];
}

long pv_stats_find(const pv_stats *st, uint32_t key)
{
	return table_find(&st->t, key);
}

const pv_edge *pv_stats_edge(const pv_stats *st, uint32_t i)
{
	return &st->t.edges[i];
}

pv_int pv_stats_total_calls(const pv_stats *st)
{
	return st->t.total_calls;
}

pv_int pv_stats_prim_calls(const pv_stats *st)
{
	return st->t.prim_calls;
}

pv_num pv_stats_total_tt(const pv_stats *st)
{
	return st->t.total_tt;
}

size_t pv_stats_nprofiles(const pv_stats *st)
{
	return st->t.nprofiles;
}

/* ---- one input's profile -------------------------------------------- */

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
	/* dict semantics: a repeated key keeps its first position */
	struct slotmark *keyslot, *callerslot;
	size_t capkeyslot, capcallerslot;
	uint32_t gen, cgen;
	size_t cur;      /* entry being built */
	uint64_t abssum; /* saturating sum of |ints|: bounds every int sum */
	unsigned shapes; /* edge shapes present: SHAPE_TUPLE | SHAPE_INT */
};

/* A profile is filled on one core and merged on another: its header gets
 * cache lines of its own (whole 128-byte pairs, which the adjacent-line
 * prefetcher moves together), or the parser's writes to one ring slot and
 * the merge's reads of the next would share a line and bounce it. */
#define PROFILE_ALIGN 128

int pv_profile_new(pv_profile **out)
{
	size_t size = (sizeof(pv_profile) + PROFILE_ALIGN - 1) & ~(size_t)(PROFILE_ALIGN - 1);
	pv_profile *p = aligned_alloc(PROFILE_ALIGN, size);
	if (!p)
		return PV_ENOMEM;
	memset(p, 0, sizeof(*p));
	p->gen = 1;
	*out = p;
	return 0;
}

void pv_profile_free(pv_profile *p)
{
	if (!p)
		return;
	free(p->entries);
	free(p->callers);
	free(p->keyslot);
	free(p->callerslot);
	free(p);
}

int pv_profile_reserve(pv_profile *p, size_t nentries, size_t nedges)
{
	if (pv_grow(&p->entries, &p->cap, p->n + nentries, sizeof(*p->entries)) < 0 ||
	    pv_grow(&p->callers, &p->capcallers, p->ncallers + nedges + 2, sizeof(*p->callers)) < 0)
		return PV_ENOMEM;
	return 0;
}

void pv_profile_shrink(pv_profile *p)
{
	/* realloc to a smaller size keeps the contents; a failure keeps the
	 * larger block, which is still right */
	pentry *e = realloc(p->entries, (p->n ? p->n : 1) * sizeof(*p->entries));
	if (e) {
		p->entries = e;
		p->cap = p->n ? p->n : 1;
	}
	size_t nc = p->ncallers ? p->ncallers : 1;
	pv_edge *c = realloc(p->callers, nc * sizeof(*p->callers));
	if (c) {
		p->callers = c;
		p->capcallers = nc;
	}
	/* the repeat marks serve the reader only, and are indexed by key id
	 * (the size of the whole model): a later read grows them again */
	free(p->keyslot);
	free(p->callerslot);
	p->keyslot = p->callerslot = NULL;
	p->capkeyslot = p->capcallerslot = 0;
}

void pv_profile_reset(pv_profile *p)
{
	p->n = 0;
	p->ncallers = 0;
	p->abssum = 0;
	p->shapes = 0;
	if (++p->gen == 0) { /* wrapped: old marks could look current */
		memset(p->keyslot, 0, p->capkeyslot * sizeof(*p->keyslot));
		p->gen = 1;
	}
}

size_t pv_profile_nentries(const pv_profile *p)
{
	return p->n;
}

void pv_profile_get(const pv_profile *p, size_t i, uint32_t *key, pv_int *cc, pv_int *nc,
		    pv_num *tt, pv_num *ct)
{
	const pentry *e = &p->entries[i];
	if (key)
		*key = e->key;
	if (cc)
		*cc = e->cc;
	if (nc)
		*nc = e->nc;
	if (tt)
		*tt = e->tt;
	if (ct)
		*ct = e->ct;
}

static int xlat_key(const pv_stats *from, pv_stats *to, uint32_t k, uint32_t **xlat, size_t *cap,
		    uint32_t *out)
{
	if (k >= *cap) {
		size_t old = *cap;
		if (pv_grow(xlat, cap, (size_t)k + 1, sizeof(**xlat)) < 0)
			return PV_ENOMEM;
		memset(*xlat + old, 0, (*cap - old) * sizeof(**xlat));
	}
	if ((*xlat)[k]) {
		*out = (*xlat)[k] - 1;
		return 0;
	}
	const pv_key *key = &from->keys[k];
	size_t fl, nl;
	const char *f = pv_stats_str(from, key->file, &fl);
	const char *n = pv_stats_str(from, key->name, &nl);
	uint32_t fid, nid;
	int rc;
	if ((rc = pv_stats_intern_str(to, f, fl, &fid)) < 0 ||
	    (rc = pv_stats_intern_str(to, n, nl, &nid)) < 0 ||
	    (rc = pv_stats_intern_key(to, fid, key->line, nid, out)) < 0)
		return rc;
	(*xlat)[k] = *out + 1;
	return 0;
}

int pv_profile_rekey(pv_profile *p, const pv_stats *from, pv_stats *to, uint32_t **xlat,
		     size_t *cap)
{
	int rc;
	for (size_t i = 0; i < p->n; i++)
		if ((rc = xlat_key(from, to, p->entries[i].key, xlat, cap, &p->entries[i].key)) < 0)
			return rc;
	for (size_t i = 1; i < p->ncallers; i++)
		if ((rc = xlat_key(from, to, p->callers[i].caller, xlat, cap, &p->callers[i].caller)) < 0)
			return rc;
	return 0;
}

int pv_profile_copy(pv_profile *dst, const pv_profile *src)
{
	pv_profile_reset(dst);
	if (pv_grow(&dst->entries, &dst->cap, src->n ? src->n : 1, sizeof(*dst->entries)) < 0 ||
	    pv_grow(&dst->callers, &dst->capcallers, src->ncallers ? src->ncallers : 1,
		    sizeof(*dst->callers)) < 0)
		return PV_ENOMEM;
	if (src->n)
		memcpy(dst->entries, src->entries, src->n * sizeof(*dst->entries));
	if (src->ncallers)
		memcpy(dst->callers, src->callers, src->ncallers * sizeof(*dst->callers));
	dst->n = src->n;
	dst->ncallers = src->ncallers;
	dst->abssum = src->abssum;
	dst->shapes = src->shapes;
	return 0;
}

double pv_profile_total_time(const pv_profile *p)
{
	pv_num sum = pv_num_from_int(0);
	for (size_t i = 0; i < p->n; i++)
		if (pv_num_add(&sum, sum, p->entries[i].tt) < 0) /* beyond 128 bits: as floats */
			sum = pv_num_from_double(pv_num_to_double(sum) +
						 pv_num_to_double(p->entries[i].tt));
	return pv_num_to_double(sum);
}

size_t pv_profile_memsize(const pv_profile *p)
{
	return sizeof(*p) + p->cap * sizeof(*p->entries) + p->capcallers * sizeof(*p->callers) +
	       (p->capkeyslot + p->capcallerslot) * sizeof(struct slotmark);
}

static PV_NOINLINE int mark_grow_to(struct slotmark **m, size_t *cap, uint32_t key)
{
	size_t old = *cap;
	if (pv_grow(m, cap, (size_t)key + 1, sizeof(**m)) < 0)
		return PV_ENOMEM;
	memset(*m + old, 0, (*cap - old) * sizeof(**m));
	return 0;
}

static inline int mark_grow(struct slotmark **m, size_t *cap, uint32_t key)
{
	return key < *cap ? 0 : mark_grow_to(m, cap, key);
}

#define ABS_LIMIT ((uint64_t)1 << 62) /* in units of 2^64: sums stay below 2^126 */

static void abs_add(uint64_t *sum, pv_int v)
{
	unsigned __int128 a = v < 0 ? -(unsigned __int128)v : (unsigned __int128)v;
	uint64_t hi = (uint64_t)(a >> 64) + 1; /* round up to whole 2^64 units */
	*sum = hi >= ABS_LIMIT || *sum > ABS_LIMIT - hi ? ABS_LIMIT : *sum + hi;
}

static void abs_add_num(uint64_t *sum, pv_num v)
{
	if (v.is_int)
		abs_add(sum, v.i);
}

int pv_profile_begin_entry(pv_profile *p, uint32_t key, pv_int cc, pv_int nc, pv_num tt, pv_num ct)
{
	if (mark_grow(&p->keyslot, &p->capkeyslot, key) < 0)
		return PV_ENOMEM;
	pentry *e;
	if (p->keyslot[key].gen == p->gen) {
		e = &p->entries[p->keyslot[key].pos];
	} else {
		if (pv_grow(&p->entries, &p->cap, p->n + 1, sizeof(*p->entries)) < 0)
			return PV_ENOMEM;
		p->keyslot[key].gen = p->gen;
		p->keyslot[key].pos = (uint32_t)p->n;
		e = &p->entries[p->n++];
		e->key = key;
	}
	p->cur = (size_t)(e - p->entries);
	e->cc = cc;
	e->nc = nc;
	e->tt = tt;
	e->ct = ct;
	e->first_edge = e->last_edge = 0; /* a repeated key starts its callers again */
	e->ncallers = 0;
	abs_add(&p->abssum, cc);
	abs_add(&p->abssum, nc);
	abs_add_num(&p->abssum, tt);
	abs_add_num(&p->abssum, ct);
	if (++p->cgen == 0) {
		memset(p->callerslot, 0, p->capcallerslot * sizeof(*p->callerslot));
		p->cgen = 1;
	}
	return 0;
}

int pv_profile_add_caller(pv_profile *p, const pv_edge *edge)
{
	if (!p->n)
		return PV_EARG;
	pentry *e = &p->entries[p->cur];
	if (mark_grow(&p->callerslot, &p->capcallerslot, edge->caller) < 0)
		return PV_ENOMEM;
	struct slotmark *m = &p->callerslot[edge->caller];
	pv_edge *d;
	if (m->gen == p->cgen) { /* a repeated caller: new value, same place */
		d = &p->callers[m->pos];
		uint32_t next = d->next;
		*d = *edge;
		d->next = next;
	} else {
		if (p->ncallers >= UINT32_MAX - 1)
			return PV_ELIMIT;
		if (pv_grow(&p->callers, &p->capcallers, p->ncallers + 2, sizeof(*p->callers)) < 0)
			return PV_ENOMEM;
		if (p->ncallers == 0) { /* index 0 means "none" */
			memset(&p->callers[0], 0, sizeof(p->callers[0]));
			p->ncallers = 1;
		}
		uint32_t id = (uint32_t)p->ncallers++;
		m->gen = p->cgen;
		m->pos = id;
		d = &p->callers[id];
		*d = *edge;
		d->next = 0;
		if (e->last_edge)
			p->callers[e->last_edge].next = id;
		else
			e->first_edge = id;
		e->last_edge = id;
		e->ncallers++;
	}
	p->shapes |= SHAPE_OF(edge);
	abs_add(&p->abssum, edge->nc);
	abs_add(&p->abssum, edge->cc);
	abs_add_num(&p->abssum, edge->tt);
	abs_add_num(&p->abssum, edge->ct);
	return 0;
}

/* ---- packed profiles (the archive loader's spill) --------------------- */

/* Integers are zigzag LEB128 varints (up to 128 bits).  A time is packed
 * one of three ways, said by two flag bits: a Python int (a varint), a
 * float that is k * 1e-9 for an integer k (cProfile's times are
 * nanosecond counts scaled so: k as a varint, mostly 2-3 bytes instead of
 * 8), or the double's 8 bytes. */
enum { NUM_F64 = 0,
       NUM_INT = 1,
       NUM_NS = 2 };

static inline void put_u64(unsigned char **o, uint64_t v)
{
	unsigned char *q = *o;
	while (v >= 0x80) {
		*q++ = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	*q++ = (unsigned char)v;
	*o = q;
}

/* Any value: the 7-bit groups above 64 bits first, in 128-bit arithmetic,
 * then the rest in the 64-bit loop (almost every number never leaves it). */
static inline void put_u(unsigned char **o, unsigned __int128 v)
{
	while (v >> 64) {
		*(*o)++ = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	put_u64(o, (uint64_t)v);
}

static inline void put_i(unsigned char **o, pv_int v)
{
	if (v >= INT64_MIN && v <= INT64_MAX) { /* zigzag in 64 bits: the same value */
		int64_t x = (int64_t)v;
		put_u64(o, (uint64_t)x << 1 ^ (uint64_t)(x >> 63));
	} else {
		put_u(o, ((unsigned __int128)v << 1) ^ (unsigned __int128)(v >> 127));
	}
}

/* How v is packed, and the nanosecond count when NUM_NS. */
static unsigned num_kind(pv_num v, int64_t *ns)
{
	if (v.is_int)
		return NUM_INT;
	double k = v.f * 1e9;
	if (!(k > -9007199254740992.0 && k < 9007199254740992.0)) /* 2^53; NaN too */
		return NUM_F64;
	int64_t n = (int64_t)(k < 0 ? k - 0.5 : k + 0.5);
	double back = (double)n * 1e-9;
	if (memcmp(&back, &v.f, 8) != 0) /* bit for bit: -0.0 stays a double */
		return NUM_F64;
	*ns = n;
	return NUM_NS;
}

static void put_num(unsigned char **o, pv_num v, unsigned kind, int64_t ns)
{
	if (kind == NUM_INT) {
		put_i(o, v.i);
	} else if (kind == NUM_NS) {
		put_i(o, ns);
	} else {
		memcpy(*o, &v.f, 8);
		*o += 8;
	}
}

#define PACK_MAX_ITEM (5 + 5 + 1 + 4 * 19) /* one entry or edge, packed, at most */

size_t pv_profile_pack_bound(const pv_profile *p)
{
	size_t nedges = p->ncallers ? p->ncallers - 1 : 0;
	return 32 + (p->n + nedges) * PACK_MAX_ITEM;
}

int pv_profile_pack(const pv_profile *p, unsigned char **buf, size_t *len, size_t *cap)
{
	size_t need = *len + pv_profile_pack_bound(p);
	if (pv_grow(buf, cap, need, 1) < 0)
		return PV_ENOMEM;
	unsigned char *o = *buf + *len;
	put_u(&o, p->n);
	*o++ = (unsigned char)p->shapes;
	memcpy(o, &p->abssum, 8);
	o += 8;
	int64_t n1 = 0, n2 = 0;
	for (size_t i = 0; i < p->n; i++) {
		const pentry *e = &p->entries[i];
		unsigned k1 = num_kind(e->tt, &n1), k2 = num_kind(e->ct, &n2);
		put_u(&o, e->key);
		put_u(&o, e->ncallers);
		*o++ = (unsigned char)(k1 | k2 << 2);
		put_i(&o, e->cc);
		put_i(&o, e->nc);
		put_num(&o, e->tt, k1, n1);
		put_num(&o, e->ct, k2, n2);
		for (uint32_t j = e->first_edge; j; j = p->callers[j].next) {
			const pv_edge *c = &p->callers[j];
			k1 = num_kind(c->tt, &n1);
			k2 = num_kind(c->ct, &n2);
			put_u(&o, c->caller);
			*o++ = (unsigned char)((c->is_tuple != 0) | k1 << 1 | k2 << 3);
			put_i(&o, c->nc);
			put_i(&o, c->cc);
			put_num(&o, c->tt, k1, n1);
			put_num(&o, c->ct, k2, n2);
		}
	}
	*len = (size_t)(o - *buf);
	return 0;
}

struct unpacker {
	const unsigned char *p, *end;
	int bad;
};

static PV_NOINLINE unsigned __int128 get_u_slow(struct unpacker *u)
{
	unsigned __int128 v = 0;
	for (unsigned shift = 0; u->p < u->end && shift < 133; shift += 7) {
		unsigned char b = *u->p++;
		v |= (unsigned __int128)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return v;
	}
	u->bad = 1;
	return 0;
}

/* A varint of up to 63 bits in a 64-bit register, when 9 bytes are there
 * for sure (almost every one): 1 and *v, past it; else 0, u unchanged. */
static inline int get_u64(struct unpacker *u, uint64_t *v)
{
	const unsigned char *q = u->p;
	if (u->end - q < 9)
		return 0;
	uint64_t x = 0;
	for (unsigned i = 0; i < 9; i++) {
		unsigned char b = q[i];
		x |= (uint64_t)(b & 0x7f) << (7 * i);
		if (!(b & 0x80)) {
			u->p = q + i + 1;
			*v = x;
			return 1;
		}
	}
	return 0;
}

/* A varint: in 64 bits when it can, else byte by byte in 128. */
static inline unsigned __int128 get_u(struct unpacker *u)
{
	uint64_t v;
	return get_u64(u, &v) ? v : get_u_slow(u);
}

/* A zigzag varint: decoded in 64 bits when it can (the same value), else
 * in 128. */
static inline pv_int get_i(struct unpacker *u)
{
	uint64_t v;
	if (get_u64(u, &v))
		return (int64_t)(v >> 1 ^ -(v & 1));
	unsigned __int128 z = get_u_slow(u);
	return (pv_int)(z >> 1) ^ -(pv_int)(z & 1);
}

static inline pv_num get_num(struct unpacker *u, unsigned kind)
{
	if (kind == NUM_INT)
		return pv_num_i(get_i(u));
	if (kind == NUM_NS)
		return pv_num_f((double)(int64_t)get_i(u) * 1e-9);
	double f = 0;
	if (kind != NUM_F64 || u->end - u->p < 8) {
		u->bad = 1;
		return pv_num_f(f);
	}
	memcpy(&f, u->p, 8);
	u->p += 8;
	return pv_num_f(f);
}

static inline unsigned get_byte(struct unpacker *u)
{
	if (u->p >= u->end) {
		u->bad = 1;
		return 0;
	}
	return *u->p++;
}

int pv_profile_unpack(pv_profile *p, const unsigned char *buf, size_t len)
{
	struct unpacker u = {buf, buf + len, 0};
	pv_profile_reset(p);
	size_t n = (size_t)get_u(&u);
	unsigned shapes = get_byte(&u);
	if (u.bad || n > len || (size_t)(u.end - u.p) < 8)
		return PV_EFORMAT;
	uint64_t abssum;
	memcpy(&abssum, u.p, 8);
	u.p += 8;
	if (pv_grow(&p->entries, &p->cap, n, sizeof(*p->entries)) < 0)
		return PV_ENOMEM;
	size_t ne = 1; /* callers[0] unused */
	for (size_t i = 0; i < n && !u.bad; i++) {
		pentry *e = &p->entries[i];
		e->key = (uint32_t)get_u(&u);
		size_t k = (size_t)get_u(&u);
		unsigned f = get_byte(&u);
		e->cc = get_i(&u);
		e->nc = get_i(&u);
		e->tt = get_num(&u, f & 3);
		e->ct = get_num(&u, f >> 2 & 3);
		e->ncallers = (uint32_t)k;
		e->first_edge = e->last_edge = 0;
		if (u.bad || k > (size_t)(u.end - u.p) || ne + k >= UINT32_MAX)
			return PV_EFORMAT;
		if (k && pv_grow(&p->callers, &p->capcallers, ne + k, sizeof(*p->callers)) < 0)
			return PV_ENOMEM;
		for (size_t j = 0; j < k; j++) {
			pv_edge *c = &p->callers[ne + j];
			c->caller = (uint32_t)get_u(&u);
			unsigned g = get_byte(&u);
			c->is_tuple = g & 1;
			c->nc = get_i(&u);
			c->cc = get_i(&u);
			c->tt = get_num(&u, g >> 1 & 3);
			c->ct = get_num(&u, g >> 3 & 3);
			c->next = j + 1 < k ? (uint32_t)(ne + j + 1) : 0;
		}
		if (k) {
			e->first_edge = (uint32_t)ne;
			e->last_edge = (uint32_t)(ne + k - 1);
			ne += k;
		}
	}
	if (u.bad || u.p != u.end)
		return PV_EFORMAT;
	if (ne > 1)
		memset(&p->callers[0], 0, sizeof(p->callers[0]));
	p->n = n;
	p->ncallers = ne > 1 ? ne : 0;
	p->shapes = shapes;
	p->abssum = abssum;
	return 0;
}

/* ---- merge ----------------------------------------------------------- */

/* Python raises TypeError when one file has a tuple edge and another an int
 * for the same caller; refuse such a file before anything changes. */
static int check_shapes(const table *t, const pv_profile *p, pv_ctx *ctx)
{
	if (!t->nentries)
		return 0;
	for (size_t i = 0; i < p->n; i++) {
		const pentry *e = &p->entries[i];
		long at = table_find(t, e->key);
		if (at < 0)
			continue;
		for (uint32_t j = e->first_edge; j; j = p->callers[j].next) {
			const pv_edge *c = &p->callers[j];
			uint32_t id = pv_map_get(&t->edge_of, edge_key((size_t)at, c->caller));
			if (id && t->edges[id].is_tuple != c->is_tuple)
				return pv_fail(ctx, PV_ESHAPE, PV_NOOFF,
					       "caller data is %s here but %s in earlier profiles; "
					       "cannot merge (pstats raises TypeError)",
					       c->is_tuple ? "a tuple" : "an int",
					       c->is_tuple ? "an int" : "a tuple");
		}
	}
	return 0;
}

/* pstats' totals: each file's summed from int 0 in dict order, then added
 * to the running totals. */
static void add_totals(table *t, const pv_profile *p)
{
	pv_int calls = 0, prim = 0;
	pv_num tt = pv_num_from_int(0);
	for (size_t i = 0; i < p->n; i++) {
		calls += p->entries[i].nc;
		prim += p->entries[i].cc;
		tt = add(tt, p->entries[i].tt);
	}
	t->total_calls += calls;
	t->prim_calls += prim;
	t->total_tt = add(t->total_tt, tt);
	t->nprofiles++;
}

/* Stats(first) and Stats.add(): entries summed field-wise, new ones
 * appended in dict order. */
static int merge_into(table *t, const pv_profile *p, int mode)
{
	int fresh = t->nentries == 0; /* every edge new: no lookups */
	for (size_t i = 0; i < p->n; i++) {
		const pentry *e = &p->entries[i];
		size_t ei;
		int rc = table_add_entry(t, e->key, e->cc, e->nc, e->tt, e->ct, mode, &ei);
		if (rc < 0)
			return rc;
		uint32_t hint = t->entries[ei].first_edge;
		for (uint32_t j = e->first_edge; j; j = p->callers[j].next) {
			rc = fresh ? table_append_edge(t, ei, &p->callers[j], 0)
				   : table_merge_edge(t, ei, &p->callers[j], &hint);
			if (rc < 0)
				return rc;
		}
	}
	add_totals(t, p);
	return 0;
}

/* The first profile into an empty table, as Stats(first) loads it (values
 * as they are, dict order kept): the profile's rows and caller lists are
 * already laid out as the table's, so the table takes them over; the edge
 * index is built if a second profile comes. */
static int table_take(table *t, pv_profile *p)
{
	uint32_t maxkey = 0;
	for (size_t i = 0; i < p->n; i++)
		if (p->entries[i].key > maxkey)
			maxkey = p->entries[i].key;
	if (pv_grow(&t->entry_of_key, &t->capeok, (size_t)maxkey + 1, sizeof(uint32_t)) < 0)
		return PV_ENOMEM;
	memset(t->entry_of_key, 0, t->capeok * sizeof(uint32_t));
	for (size_t i = 0; i < p->n; i++)
		t->entry_of_key[p->entries[i].key] = (uint32_t)i + 1;
	add_totals(t, p);
	free(t->entries);
	free(t->edges);
	t->entries = p->entries;
	t->nentries = p->n;
	t->capentries = p->cap;
	t->edges = p->callers;
	t->nedges = p->ncallers;
	t->capedges = p->capcallers;
	t->unindexed = p->ncallers > 1;
	t->shapes |= p->shapes;
	p->entries = NULL;
	p->n = p->cap = 0;
	p->callers = NULL;
	p->ncallers = p->capcallers = 0;
	return 0;
}

static int merge(pv_stats *st, pv_profile *p, int take, pv_ctx *ctx);

int pv_stats_merge(pv_stats *st, const pv_profile *p, pv_ctx *ctx)
{
	return merge(st, (pv_profile *)p, 0, ctx); /* not taken: p stays as it is */
}

int pv_stats_merge_take(pv_stats *st, pv_profile *p, pv_ctx *ctx)
{
	return merge(st, p, 1, ctx);
}

static int merge(pv_stats *st, pv_profile *p, int take, pv_ctx *ctx)
{
	table *t = &st->t;
	if (!p->n)
		return pv_fail(ctx, PV_EFORMAT, PV_NOOFF,
			       "no profile data (empty stats dict; pstats refuses it too)");
	if (p->abssum >= ABS_LIMIT || t->abssum > ABS_LIMIT - p->abssum)
		return pv_fail(ctx, PV_ELIMIT, PV_NOOFF,
			       "call counts too large to sum exactly (beyond 2^126)");
	int rc;
	if ((rc = table_index(t)) < 0)
		return pv_fail(ctx, rc, PV_NOOFF, "out of memory while merging");
	/* mixed shapes need both kinds somewhere: only then look edge by edge */
	if ((t->shapes | p->shapes) == (SHAPE_TUPLE | SHAPE_INT) && (rc = check_shapes(t, p, ctx)) < 0)
		return rc;
	if (take && t->nentries == 0 && t->nprofiles == 0)
		rc = table_take(t, p);
	else
		rc = merge_into(t, p, t->nprofiles ? PLUS_ZERO : AS_IS);
	if (rc < 0)
		return pv_fail(ctx, rc, PV_NOOFF, "out of memory while merging");
	t->abssum += p->abssum;
	return 0;
}

/* ---- strip_dirs ------------------------------------------------------- */

static int strip_key(pv_stats *st, uint32_t key, uint32_t *out)
{
	const pv_key k = st->keys[key];
	size_t len;
	const char *f = pv_stats_str(st, k.file, &len);
	const char *slash = NULL;
	for (size_t i = len; i > 0; i--)
		if (f[i - 1] == '/') {
			slash = f + i - 1;
			break;
		}
	if (!slash) {
		*out = key;
		return 0;
	}
	uint32_t file;
	int rc = pv_stats_intern_str(st, slash + 1, len - (size_t)(slash + 1 - f), &file);
	if (rc < 0)
		return rc;
	return pv_stats_intern_key(st, file, k.line, k.name, out);
}

/* Build the stripped table entry by entry, in dict order.  Callers within
 * one entry go through a pv_profile (a dict: a colliding caller overwrites),
 * then the entry is added with add_func_stats (colliding entries sum). */
int pv_stats_strip_dirs(pv_stats *st, pv_ctx *ctx)
{
	table nt = {0};
	pv_profile *scratch = NULL;
	int rc = pv_profile_new(&scratch);
	nt.total_tt = pv_num_from_int(0);
	if (rc < 0)
		goto out;
	table *t = &st->t;
	for (size_t i = 0; i < t->nentries; i++) {
		const pv_entry *e = &t->entries[i];
		uint32_t nk;
		if ((rc = strip_key(st, e->key, &nk)) < 0)
			goto out;
		pv_profile_reset(scratch);
		if ((rc = pv_profile_begin_entry(scratch, nk, e->cc, e->nc, e->tt, e->ct)) < 0)
			goto out;
		for (uint32_t id = e->first_edge; id; id = t->edges[id].next) {
			pv_edge c = t->edges[id];
			if ((rc = strip_key(st, c.caller, &c.caller)) < 0 ||
			    (rc = pv_profile_add_caller(scratch, &c)) < 0)
				goto out;
		}
		const pentry *pe = &scratch->entries[0];
		long had = table_find(&nt, nk);
		if (had >= 0 && (rc = check_shapes(&nt, scratch, ctx)) < 0)
			goto out;
		size_t ei;
		if ((rc = table_add_entry(&nt, nk, pe->cc, pe->nc, pe->tt, pe->ct, AS_IS, &ei)) < 0)
			goto out;
		uint32_t hint = nt.entries[ei].first_edge;
		for (uint32_t j = pe->first_edge; j; j = scratch->callers[j].next)
			if ((rc = table_merge_edge(&nt, ei, &scratch->callers[j], &hint)) < 0)
				goto out;
	}
	nt.total_calls = t->total_calls;
	nt.prim_calls = t->prim_calls;
	nt.total_tt = t->total_tt;
	nt.nprofiles = t->nprofiles;
	nt.abssum = t->abssum;
	table_free(t);
	*t = nt;
	memset(&nt, 0, sizeof(nt));
out:
	if (rc == PV_ENOMEM)
		pv_fail(ctx, rc, PV_NOOFF, "out of memory");
	table_free(&nt);
	pv_profile_free(scratch);
	return rc;
}

/* ---- --short-paths ------------------------------------------------------ */

struct shortf {
	uint32_t file;    /* string id */
	const char *tag;  /* "", or "<stdlib>/" */
	const char *rest; /* the path after site-packages/, lib/pythonX.Y/, or all */
	size_t restlen;
	int level; /* trailing components shown; 0 = all of rest */
	int full;  /* show the original */
	char *form;
};

static int has_dir(const char *s, size_t n, const char *d, size_t *after)
{
	size_t dl = strlen(d);
	for (size_t i = n; i-- > 0;)
		if (i + dl <= n && !memcmp(s + i, d, dl)) {
			*after = i + dl;
			return 1;
		}
	return 0;
}

/* ".../lib/python3.11/json/x.py": the part after "/lib/pythonX[.Y]/" */
static int stdlib_dir(const char *s, size_t n, size_t *after)
{
	for (size_t i = n; i-- > 0;) {
		if (i + 12 > n || memcmp(s + i, "/lib/python", 11))
			continue;
		size_t j = i + 11;
		while (j < n && ((s[j] >= '0' && s[j] <= '9') || s[j] == '.'))
			j++;
		if (j > i + 11 && j < n && s[j] == '/') {
			*after = j + 1;
			return 1;
		}
	}
	return 0;
}

static char *make_form(const pv_stats *st, const struct shortf *f)
{
	size_t n;
	const char *full = pv_stats_str(st, f->file, &n);
	const char *r = f->rest;
	size_t rl = f->restlen;
	if (f->full)
		r = full, rl = n;
	else if (f->level > 0) { /* the last `level` components of rest */
		int seen = 0;
		size_t i = rl;
		while (i > 0) {
			if (r[i - 1] == '/' && ++seen == f->level)
				break;
			i--;
		}
		r += i;
		rl -= i;
	}
	size_t tl = f->full ? 0 : strlen(f->tag);
	char *s = malloc(tl + rl + 1);
	if (!s)
		return NULL;
	memcpy(s, f->tag, tl);
	memcpy(s + tl, r, rl);
	s[tl + rl] = '\0';
	return s;
}

static int cmp_form(const void *a, const void *b)
{
	return strcmp((*(const struct shortf *const *)a)->form, (*(const struct shortf *const *)b)->form);
}

uint64_t pv_stats_key_hash(const pv_stats *st, uint32_t key)
{
	const pv_key *k = pv_stats_key(st, key);
	size_t fl, nl;
	const char *f = pv_stats_str(st, k->file, &fl);
	const char *n = pv_stats_str(st, k->name, &nl);
	uint64_t line = (uint64_t)k->line;
	return pv_hash_u64(pv_hash_bytes(f, fl) ^ pv_hash_u64(line + 0x9e3779b97f4a7c15ULL)) ^
	       pv_hash_bytes(n, nl) * 0x9fb21c651e98df25ULL;
}

uint32_t pv_stats_shown_file(const pv_stats *st, uint32_t file)
{
	return file < st->capalias && st->alias[file] ? st->alias[file] - 1 : file;
}

int pv_stats_short_paths(pv_stats *st)
{
	size_t nstr = st->str.n, nf = 0;
	int rc = PV_ENOMEM;
	char *used = calloc(nstr ? nstr : 1, 1);
	struct shortf *fs = NULL;
	struct shortf **ix = NULL;
	if (!used)
		return PV_ENOMEM;
	for (size_t k = 0; k < st->nkeys; k++)
		if (!used[st->keys[k].file]++)
			nf++;
	fs = calloc(nf ? nf : 1, sizeof(*fs));
	ix = calloc(nf ? nf : 1, sizeof(*ix));
	if (!fs || !ix)
		goto out;
	nf = 0;
	for (size_t i = 0; i < nstr; i++) {
		if (!used[i])
			continue;
		struct shortf *f = &fs[nf++];
		size_t n, after;
		const char *p = pv_stats_str(st, (uint32_t)i, &n);
		f->file = (uint32_t)i;
		f->tag = "";
		f->rest = p;
		f->restlen = n;
		if (!memchr(p, '/', n)) { /* "~", "<string>", a bare name: as is */
			f->full = 1;
		} else if (has_dir(p, n, "/site-packages/", &after) ||
			   has_dir(p, n, "/dist-packages/", &after)) {
			f->rest = p + after, f->restlen = n - after; /* the package path */
		} else if (stdlib_dir(p, n, &after)) {
			f->tag = "<stdlib>/";
			f->rest = p + after, f->restlen = n - after;
		} else {
			f->level = 1; /* application code: from the basename up */
		}
	}
	/* lengthen colliding names until every file shows differently */
	for (int round = 0; round < 256; round++) {
		for (size_t i = 0; i < nf; i++) {
			free(fs[i].form);
			if (!(fs[i].form = make_form(st, &fs[i])))
				goto out;
			ix[i] = &fs[i];
		}
		qsort(ix, nf, sizeof(*ix), cmp_form);
		int clash = 0;
		for (size_t i = 0; i + 1 < nf;) {
			size_t j = i + 1;
			while (j < nf && !strcmp(ix[i]->form, ix[j]->form))
				j++;
			for (size_t k = i; j - i > 1 && k < j; k++) {
				struct shortf *f = ix[k];
				if (f->full)
					continue;
				clash = 1;
				int comps = 1;
				for (size_t c = 0; c < f->restlen; c++)
					comps += f->rest[c] == '/';
				if (f->level > 0 && f->level < comps)
					f->level++;
				else
					f->full = 1;
			}
			i = j;
		}
		if (!clash)
			break;
	}
	size_t old = st->capalias;
	if (pv_grow(&st->alias, &st->capalias, nstr, sizeof(*st->alias)) < 0)
		goto out;
	memset(st->alias + old, 0, (st->capalias - old) * sizeof(*st->alias));
	for (size_t i = 0; i < nf; i++) {
		uint32_t id;
		if ((rc = pv_stats_intern_str(st, fs[i].form, strlen(fs[i].form), &id)) < 0)
			goto out;
		st->alias[fs[i].file] = id + 1;
	}
	/* every display string is computed again */
	if (st->disp)
		memset(st->disp, 0, st->capdispk * sizeof(*st->disp));
	rc = 0;
out:
	for (size_t i = 0; fs && i < nf; i++)
		free(fs[i].form);
	free(fs);
	free(ix);
	free(used);
	return rc;
}
