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

/* A set's slots are followed by a small cache of its recent hits (struct
 * scache for strings, struct kcache for keys, zero = empty): a reader
 * interns the same few hundred names and keys in every file, so a lookup
 * almost always finds them there, without hashing the whole item or
 * probing the set.  The cache has two ways of 16 bytes per set, one set
 * per two slots (twice the slots' bytes: a model per endpoint keeps its
 * tables small; one set per four missed 15% of werkzeug's strings, this
 * 5%), at most CACHE_SETS; sets of more than CACHE_CAP slots
 * have none (their slots are one huge-page block, see pv_malloc, that the
 * cache would spill past).  A rehash starts it empty. */
#define CACHE_SETS ((size_t)512)
#define CACHE_CAP ((size_t)1 << 15)

/* The cache's size in slots for a set of cap slots. */
static size_t cache_islots(size_t cap)
{
	if (cap > CACHE_CAP)
		return 0;
	size_t sets = cap / 2 < CACHE_SETS ? cap / 2 : CACHE_SETS;
	return sets * 2 * 16 / sizeof(struct islot);
}

/* Whether the set has a cache (mask is 0 without slots, else at least 15). */
static inline int idset_cached(const idset *s)
{
	return s->mask - 1 < CACHE_CAP - 1;
}

/* The first way of the cache set that the top bits of x pick, in a set
 * that has a cache. */
static inline void *idset_cache(const idset *s, uint64_t x)
{
	size_t m = s->mask >> 1 < CACHE_SETS - 1 ? s->mask >> 1 : CACHE_SETS - 1;
	return (char *)(s->slots + s->mask + 1) + ((x >> 40) & m) * 32;
}

/* Rehash into `cap` slots (a power of two). */
static int idset_rehash(idset *s, size_t cap)
{
	if (cap - 1 > UINT32_MAX) /* h32 indexes the table */
		return PV_ENOMEM;
	struct islot *slots = pv_calloc(cap + cache_islots(cap), sizeof(*slots));
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
 * idset_add), smaller ones to half. */
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

/* Add id (hash h) at the slot idset_find left for it: at most half full,
 * or three quarters from 2^20 slots on (a doubling holds the old and the
 * new table at once: 48 MB at a million keys, the peak of a large
 * profile's load; a probe that compares 32 hash bits first stays short at
 * that load).  Room is made here, on a miss, not before every lookup: when
 * the table grows, the slot is found again in the new one. */
static inline int idset_add(idset *s, size_t slot, uint32_t id, uint64_t h)
{
	size_t cap = s->slots ? s->mask + 1 : 0;
	if (!s->slots || (cap < IDSET_BIG ? (s->used + 1) * 2 > cap : (s->used + 1) * 4 > cap * 3)) {
		if (idset_grow(s) < 0)
			return PV_ENOMEM;
		slot = (uint32_t)h & s->mask;
		while (s->slots[slot].id1)
			slot = (slot + 1) & s->mask;
	}
	s->slots[slot].id1 = id + 1;
	s->slots[slot].h32 = (uint32_t)h;
	s->used++;
	return 0;
}

/* ---- strings and keys ---------------------------------------------------- */

static inline uint64_t load8(const unsigned char *p)
{
	uint64_t w;
	memcpy(&w, p, 8);
	return w;
}

static inline uint64_t load4(const unsigned char *p)
{
	uint32_t w;
	memcpy(&w, p, 4);
	return w;
}

/* The string table's own hash.  Not pv_hash_bytes: its values are shown
 * (code-object stand-ins, pv_stats_key_hash) and must stay what they are,
 * while this one only places strings in the set, so it takes one multiply
 * per 8 bytes where pv_hash_bytes mixes each word fully (half the cost of
 * interning a hit was that hash).  Every step is a bijection of h for a
 * given word, and the length is mixed in first, so the last 1-8 bytes are
 * read as one overlapping word. */
static inline uint64_t str_hash(const char *p, size_t n)
{
	const unsigned char *s = (const unsigned char *)p;
	uint64_t h = (n + 0x9e3779b97f4a7c15ULL) * 0x9fb21c651e98df25ULL, w;
	if (n >= 8) {
		while (n > 8) {
			h = (h ^ load8(s)) * 0xff51afd7ed558ccdULL;
			h ^= h >> 29;
			s += 8;
			n -= 8;
		}
		w = load8(s + n - 8);
	} else if (n >= 4) {
		w = load4(s) | load4(s + n - 4) << 32;
	} else {
		w = n ? s[0] | (uint64_t)s[n / 2] << 8 | (uint64_t)s[n - 1] << 16 : 0;
	}
	return pv_hash_u64(h ^ w);
}

struct strprobe {
	const char *s;
	size_t len;
};

/* Room for nstrs more strings of nbytes in all (terminators included). */
static int strtab_room(struct strtab *t, size_t nstrs, size_t nbytes)
{
	if (pv_grow(&t->bytes, &t->capbytes, t->nbytes + nbytes, 1) < 0 ||
	    pv_grow(&t->off, &t->cap, t->n + nstrs, sizeof(*t->off)) < 0 ||
	    pv_grow(&t->len, &t->caplen, t->cap, sizeof(*t->len)) < 0) /* len follows off */
		return PV_ENOMEM;
	return 0;
}

/* A string's place in the cache: its length and its first, middle and
 * last 8 bytes (all of it up to 16 bytes), one multiply each.  Strings of
 * one tag are told apart by comparing their bytes. */
struct scache {
	uint64_t tag;
	uint32_t len, id1; /* id + 1, 0 = empty */
};

static inline uint64_t str_tag(const char *p, size_t n)
{
	const unsigned char *s = (const unsigned char *)p;
	uint64_t a, b, m = 0;
	if (n >= 8) {
		a = load8(s);
		b = load8(s + n - 8);
		if (n > 16)
			m = load8(s + n / 2 - 4);
	} else if (n >= 4) {
		a = load4(s);
		b = load4(s + n - 4);
	} else {
		a = n ? s[0] | (uint64_t)s[n / 2] << 8 | (uint64_t)s[n - 1] << 16 : 0;
		b = 0;
	}
	return (a + n) * 0x9e3779b97f4a7c15ULL ^ b * 0xff51afd7ed558ccdULL ^ m * 0xc4ceb9fe1a85ec53ULL;
}

/* Cache string id (its tag if *tag, else computed here) if the set has a
 * cache, newest first: the older of the two is dropped. */
static inline void scache_put(const idset *set, const char *s, size_t len, const uint64_t *tag,
			      uint32_t id)
{
	if (!idset_cached(set))
		return;
	uint64_t t = tag ? *tag : str_tag(s, len);
	struct scache *c = idset_cache(set, t);
	c[1] = c[0];
	c[0] = (struct scache){.tag = t, .len = (uint32_t)len, .id1 = id + 1};
}

/* n bytes at x and y the same: short ones compared in at most two loads
 * each, without a call. */
static inline int same_bytes(const char *x, const char *y, size_t n)
{
	const unsigned char *a = (const unsigned char *)x, *b = (const unsigned char *)y;
	if (n > 16)
		return memcmp(a, b, n) == 0;
	if (n >= 8)
		return load8(a) == load8(b) && load8(a + n - 8) == load8(b + n - 8);
	if (n >= 4)
		return load4(a) == load4(b) && load4(a + n - 4) == load4(b + n - 4);
	return !n || (a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1]);
}

static int str_eq(const pv_stats *st, uint32_t id, const void *probe)
{
	const struct strprobe *p = probe;
	return st->str.len[id] == p->len && same_bytes(st->str.bytes + st->str.off[id], p->s, p->len);
}

static inline int scache_is(const pv_stats *st, const struct scache *c, uint64_t tag,
			    const char *s, size_t len)
{
	return c->tag == tag && c->len == len && c->id1 &&
	       same_bytes(st->str.bytes + st->str.off[c->id1 - 1], s, len);
}

static int intern_str_miss(pv_stats *st, const char *s, size_t len, const uint64_t *tag,
			   uint32_t *id);

int pv_stats_intern_str(pv_stats *st, const char *s, size_t len, uint32_t *id)
{
	if (len > UINT32_MAX - 1)
		return PV_ELIMIT;
	if (!idset_cached(&st->str.set))
		return intern_str_miss(st, s, len, NULL, id);
	uint64_t tag = str_tag(s, len);
	const struct scache *c = idset_cache(&st->str.set, tag);
	if (scache_is(st, &c[0], tag, s, len)) {
		*id = c[0].id1 - 1;
		return 0;
	}
	if (scache_is(st, &c[1], tag, s, len)) {
		*id = c[1].id1 - 1;
		return 0;
	}
	return intern_str_miss(st, s, len, &tag, id);
}

/* Not in the cache (or no cache; tag NULL if not computed): look in the
 * set, add it if new, cache it. */
static PV_NOINLINE int intern_str_miss(pv_stats *st, const char *s, size_t len,
				       const uint64_t *tag, uint32_t *id)
{
	struct strtab *t = &st->str;
	struct strprobe p = {s, len};
	uint64_t h = str_hash(s, len);
	size_t slot;
	uint32_t found = idset_find(&t->set, h, st, str_eq, &p, &slot);
	if (found) {
		scache_put(&t->set, s, len, tag, found - 1);
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
	if (idset_add(&t->set, slot, (uint32_t)t->n, h) < 0)
		return PV_ENOMEM;
	memcpy(t->bytes + t->nbytes, s, len);
	t->bytes[t->nbytes + len] = '\0';
	t->off[t->n] = t->nbytes;
	t->len[t->n] = (uint32_t)len;
	t->nbytes += len + 1;
	scache_put(&t->set, s, len, tag, (uint32_t)t->n);
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

/* The key set's hash (not shown anywhere: pv_stats_key_hash is): one
 * mixing step, the line folded in by an odd multiply (a bijection). */
static inline uint64_t key_hash(const pv_key *k)
{
	return pv_hash_u64(((uint64_t)k->file << 32 | k->name) ^ (uint64_t)k->line * 0x9fb21c651e98df25ULL);
}

int pv_stats_reserve(pv_stats *st, size_t nkeys, size_t nstrs, size_t nbytes)
{
	if (idset_reserve_n(&st->keyset, nkeys) < 0 || idset_reserve_n(&st->str.set, nstrs) < 0 ||
	    pv_grow(&st->keys, &st->capkeys, st->nkeys + nkeys, sizeof(*st->keys)) < 0 ||
	    strtab_room(&st->str, nstrs, nbytes) < 0)
		return PV_ENOMEM;
	return 0;
}

/* A key's place in the cache (keys whose line fits 32 bits: all real
 * ones), the key itself stored there, so a hit reads one entry. */
struct kcache {
	uint64_t fn; /* file << 32 | name */
	uint32_t line, id1;
};

static inline struct kcache *kcache_set(const idset *s, uint64_t fn, uint32_t line)
{
	return idset_cache(s, fn * 0x9e3779b97f4a7c15ULL ^ (line + 1) * 0xc4ceb9fe1a85ec53ULL);
}

/* The key's id + 1 if cached, else 0. */
static inline uint32_t kcache_get(const idset *s, uint32_t file, int64_t line, uint32_t name)
{
	if (line != (int32_t)line || !idset_cached(s))
		return 0;
	uint64_t fn = (uint64_t)file << 32 | name;
	const struct kcache *c = kcache_set(s, fn, (uint32_t)line);
	if (c[0].fn == fn && c[0].line == (uint32_t)line)
		return c[0].id1;
	if (c[1].fn == fn && c[1].line == (uint32_t)line)
		return c[1].id1;
	return 0;
}

/* Not in the cache: look in the set, add it if new, cache it. */
static PV_NOINLINE int intern_key_miss(pv_stats *st, uint32_t file, int64_t line, uint32_t name,
				       uint32_t *id)
{
	pv_key k = {.file = file, .name = name, .line = line};
	uint64_t h = key_hash(&k);
	size_t slot;
	uint32_t found = idset_find(&st->keyset, h, st, key_eq, &k, &slot);
	if (!found) {
		if (st->nkeys >= UINT32_MAX - 1)
			return PV_ELIMIT;
		if (pv_grow(&st->keys, &st->capkeys, st->nkeys + 1, sizeof(*st->keys)) < 0 ||
		    idset_add(&st->keyset, slot, (uint32_t)st->nkeys, h) < 0)
			return PV_ENOMEM;
		st->keys[st->nkeys] = k;
		found = (uint32_t)++st->nkeys;
	}
	if (line == (int32_t)line && idset_cached(&st->keyset)) { /* newest first */
		uint64_t fn = (uint64_t)file << 32 | name;
		struct kcache *c = kcache_set(&st->keyset, fn, (uint32_t)line);
		c[1] = c[0];
		c[0] = (struct kcache){.fn = fn, .line = (uint32_t)line, .id1 = found};
	}
	*id = found - 1;
	return 0;
}

/* A child table's key k as the shared table's, interned there the first
 * time (under the lock). */
static PV_NOINLINE int key_up(pv_stats *st, uint32_t k, uint32_t *id)
{
	pthread_mutex_lock(st->lock);
	int rc = pv_key_xlat(st, st->parent, k, &st->up, &st->capup, id);
	pthread_mutex_unlock(st->lock);
	return rc;
}

int pv_stats_intern_key(pv_stats *st, uint32_t file, int64_t line, uint32_t name, uint32_t *id)
{
	uint32_t k, id1 = kcache_get(&st->keyset, file, line, name);
	if (id1) {
		k = id1 - 1;
	} else {
		int rc = intern_key_miss(st, file, line, name, &k);
		if (rc < 0)
			return rc;
	}
	if (!st->parent) {
		*id = k;
		return 0;
	}
	if (k < st->capup && st->up[k]) { /* almost always, after the first files */
		*id = st->up[k] - 1;
		return 0;
	}
	return key_up(st, k, id);
}

long pv_stats_lookup_key(const pv_stats *st, const char *file, size_t flen, int64_t line,
			 const char *name, size_t nlen)
{
	struct strprobe fp = {file, flen}, np = {name, nlen};
	size_t slot;
	uint32_t f = idset_find(&st->str.set, str_hash(file, flen), st, str_eq, &fp, &slot);
	uint32_t n = idset_find(&st->str.set, str_hash(name, nlen), st, str_eq, &np, &slot);
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
