/*
 * internal.h - helpers shared by lib/ modules only (not part of the API).
 */
#ifndef PV_INTERNAL_H
#define PV_INTERNAL_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <pthread.h>

#include "pv.h"

#define PV_NOINLINE __attribute__((noinline))

/* pv_num_from_int / pv_num_from_double / pv_num_add for the hot loops of
 * the reader and the merge, inlined; same results as the pv.h functions. */
static inline pv_num pv_num_i(pv_int i)
{
	pv_num n = {.i = i, .is_int = 1};
	return n;
}

static inline pv_num pv_num_f(double f)
{
	/* Not {.f = f, .is_int = 0}: for that gcc builds the value on the
	 * stack with an 8-byte store and copies it out with 16-byte loads, a
	 * failed store forward (~80% of the reader's number parsing).  Setting
	 * the whole union as an integer whose low bytes (on a little-endian
	 * machine) are f's stores straight into the destination. */
	pv_num n;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint64_t u;
	memcpy(&u, &f, sizeof(u));
	n.i = (pv_int)u;
#else
	n.i = 0;
	n.f = f;
#endif
	n.is_int = 0;
	return n;
}

/* a + b where an int + int sum is known not to overflow (merge checks a
 * bound on every int sum first). */
static inline pv_num pv_num_sum(pv_num a, pv_num b)
{
	if (a.is_int && b.is_int)
		return pv_num_i(a.i + b.i);
	if (!a.is_int && !b.is_int)
		return pv_num_f(a.f + b.f);
	return pv_num_f(pv_num_to_double(a) + pv_num_to_double(b));
}

/* "00" "01" ... "99": decimal digits two at a time */
extern const char pv_digit_pairs[201];

/* malloc / calloc that place blocks of 512 KiB or more on transparent huge
 * pages (util.c says why); release with free(). */
void *pv_malloc(size_t n);
void *pv_calloc(size_t n, size_t size);

/* Grow *ptr (an array of `size`-byte items with capacity *cap) to hold at
 * least `need` items.  Returns 0 or PV_ENOMEM; the array is unchanged on
 * failure. */
int pv_grow_to(void *ptr, size_t *cap, size_t need, size_t size);
static inline int pv_grow(void *ptr, size_t *cap, size_t need, size_t size)
{
	return need <= *cap ? 0 : pv_grow_to(ptr, cap, need, size);
}

/* The large tables of a profile and of the model (entries, edges): as
 * pv_grow, but from 2 MiB on in mappings of their own that grow without a
 * copy (util.c).  Free with pv_big_free(p, cap, size), never free(); resize
 * only through these.  pv_big_fit shrinks to n items (a failure keeps the
 * larger table).  0 or PV_ENOMEM, the table unchanged on failure. */
int pv_big_grow(void *ptr, size_t *cap, size_t need, size_t size);
int pv_big_fit(void *ptr, size_t *cap, size_t n, size_t size);
void pv_big_free(void *p, size_t cap, size_t size);

/* 64-bit hash of a byte string (used for interning). */
uint64_t pv_hash_bytes(const void *p, size_t n);
static inline uint64_t pv_hash_u64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/* Open-addressing map from a 64-bit key to a nonzero uint32 value. */
typedef struct pv_map {
	uint64_t *keys;
	uint32_t *vals; /* 0 = empty slot */
	size_t mask;    /* capacity - 1 (capacity is a power of two), or 0 */
	size_t used;
} pv_map;

void pv_map_free(pv_map *m);
/* Value for key, or 0. */
uint32_t pv_map_get(const pv_map *m, uint64_t key);
/* Set key to val (val != 0).  Returns 0 or PV_ENOMEM. */
int pv_map_put(pv_map *m, uint64_t key, uint32_t val);

/* pv_profile_rekey with a map (key id of `from` -> key id in `to` + 1)
 * instead of an array indexed by `from`'s ids: memory in what the
 * profiles rekeyed hold, for the many small models of endpoint groups. */
int pv_profile_rekey_map(pv_profile *p, const pv_stats *from, pv_stats *to, pv_map *xlat);

/* Make dst a copy of src's entries and callers (same key ids), ready to be
 * rekeyed and merged; dst's key marks are not copied, so nothing more may
 * be added to it before a reset.  0 or PV_ENOMEM. */
int pv_profile_copy(pv_profile *dst, const pv_profile *src);
/* A parsing thread's table of strings and keys: strings are its own (no
 * lock while a file is read), but pv_stats_intern_key answers with the
 * key's id in `parent`, interned there under `lock` the first time this
 * table meets the key; so a profile read with it carries the parent's key
 * ids and is merged as it is (no pv_profile_rekey pass). */
int pv_stats_new_child(pv_stats **out, pv_stats *parent, pthread_mutex_t *lock);

/* The key --strip-dirs makes of key (the file's last path component, same
 * line and name), interned in st; key itself when the file has no '/'.
 * 0 or PV_ENOMEM. */
int pv_stats_strip_key(pv_stats *st, uint32_t key, uint32_t *out);

/* Sort rows (entry indices) in place with s; stable.  0 or PV_ENOMEM. */
int pv_sort_apply(const pv_sort *s, pv_stats *st, uint32_t *rows, size_t n);

/* Python's repr() of a str (UTF-8 in, UTF-8 out) and of a float, appended
 * to *buf.  0 or PV_ENOMEM. */
int pv_pyrepr_str(char **buf, size_t *len, size_t *cap, const char *s, size_t n);
int pv_pyrepr_float(char **buf, size_t *len, size_t *cap, double x);

/* A profile as compact bytes (varints, raw doubles; key ids as they are,
 * so only for the same pv_stats), appended to *buf, and back.  The
 * archive loader keeps parsed members this way until pstats' order merges
 * them.  pack: 0 or PV_ENOMEM; unpack: 0, PV_ENOMEM, or PV_EFORMAT if the
 * bytes are not what pack wrote. */
int pv_profile_pack(const pv_profile *p, unsigned char **buf, size_t *len, size_t *cap);
/* At most this many bytes are appended by pv_profile_pack(p). */
size_t pv_profile_pack_bound(const pv_profile *p);
int pv_profile_unpack(pv_profile *p, const unsigned char *buf, size_t len);

/* A user-supplied regular expression (--match, --exclude, --endpoint),
 * matched as Python's re.search matches str (lone surrogates included),
 * with JIT where available and bounded steps, depth and memory. */
typedef struct pv_regex pv_regex;
/* opt names the option in messages.  PV_EARG (bad pattern) or PV_ENOMEM. */
int pv_regex_compile(pv_regex **out, const char *opt, const char *pattern, pv_ctx *ctx);
/* 1 if text (UTF-8, surrogates allowed) matches, 0 if not, or <0: PV_ELIMIT
 * when a bound was hit (the message names the option, pattern and text),
 * PV_ENOMEM.  Not for two threads at once. */
int pv_regex_match(pv_regex *re, const char *text, size_t len, pv_ctx *ctx);
void pv_regex_free(pv_regex *re);

/* pv_tree_opts.exact on a built tree (lib/treefit.c): 0 or PV_ENOMEM. */
int pv_tree_fit(pv_tree *t);

#endif
