/*
 * intern.c - the intern tables: every file name and function name stored
 * once (strings), every (file, line, name) tuple once (keys), so entries
 * and edges hold key ids and merging compares integers.
 *
 * Data path of one input: a reader (formats/marshal.c) interns the strings
 * and keys it meets as it parses; in a parsing thread it interns into a
 * child table (pv_stats_new_child) whose keys answer with the shared
 * table's ids, interned there under a lock the first time, so the profile
 * it builds (profile.c) is merged (stats.c) as it is.
 */
#include <stdlib.h>
#include <string.h>

#include "stats_impl.h"

/* ---- id sets ------------------------------------------------------------- */

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
	return idset_rehash(s, s->slots ? (s->mask + 1) * 2 : 16);
}

/* Tables of this many slots and more fill to three quarters (see
 * idset_reserve), smaller ones to half. */
#define IDSET_BIG ((size_t)1 << 20)

/* Room for n more ids without a rehash on the way. */
static int idset_reserve_n(idset *s, size_t n)
{
	size_t cap = s->slots ? s->mask + 1 : 16;
	if (n > UINT32_MAX)
		return PV_ENOMEM;
	while (cap < IDSET_BIG ? (s->used + n) * 2 > cap : (s->used + n) * 4 > cap * 3)
		cap *= 2;
	return s->slots && cap == s->mask + 1 ? 0 : idset_rehash(s, cap);
}

/* Room for one more id: at most half full, or three quarters from 2^20
 * slots on: a doubling holds the old and the new table at once (48 MB at
 * a million keys, the peak of a large profile's load), and a probe that
 * compares 32 hash bits first stays short at that load. */
static inline int idset_reserve(idset *s)
{
	size_t cap = s->slots ? s->mask + 1 : 0;
	if (s->slots && (cap < IDSET_BIG ? (s->used + 1) * 2 <= cap : (s->used + 1) * 4 <= cap * 3))
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

/* ---- strings and keys ---------------------------------------------------- */

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
	rc = pv_key_xlat(st, st->parent, k, &st->up, &st->capup, id);
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

int pv_key_copy(const pv_stats *from, pv_stats *to, uint32_t k, uint32_t *out)
{
	const pv_key *key = &from->keys[k];
	size_t fl, nl;
	const char *f = pv_stats_str(from, key->file, &fl);
	const char *n = pv_stats_str(from, key->name, &nl);
	uint32_t fid, nid;
	int rc;
	if ((rc = pv_stats_intern_str(to, f, fl, &fid)) < 0 ||
	    (rc = pv_stats_intern_str(to, n, nl, &nid)) < 0)
		return rc;
	return pv_stats_intern_key(to, fid, key->line, nid, out);
}

int pv_key_xlat(const pv_stats *from, pv_stats *to, uint32_t k, uint32_t **xlat, size_t *cap,
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
	int rc = pv_key_copy(from, to, k, out);
	if (rc < 0)
		return rc;
	(*xlat)[k] = *out + 1;
	return 0;
}

/* From the bytes, not the ids: ids depend on what was interned first. */
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

void pv_intern_free(pv_stats *st)
{
	free(st->up);
	free(st->str.bytes);
	free(st->str.off);
	free(st->str.len);
	idset_free(&st->str.set);
	free(st->keys);
	idset_free(&st->keyset);
}
