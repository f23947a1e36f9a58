/*
 * util.h - helpers shared by lib/ and formats/ (not part of the API): pv_num
 * made inline for hot loops, digit pairs, allocation and growth of
 * arrays, hashing, a 64-bit-key map, times in nanoseconds.  cmd/ and
 * library users do not include it.
 */
#ifndef PV_UTIL_H
#define PV_UTIL_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
	return pv_vals_float_(f); /* pv.h: a direct store, no failed store forward */
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

/* A reader's input that is a file mapping (load.c maps large files): the
 * loader names it for this thread (fd: the file, open while the reader
 * runs), and a reader that has read `off` bytes of `p` calls
 * pv_release_behind, which unmaps the pages well behind it, so neither
 * memory nor address space holds what was read.  A reader that must look
 * back (a marshal reference read again) asks pv_released() how much of p
 * is gone and reads that part with pv_release_fetch.  For any other
 * buffer these do nothing (pv_released says 0), so readers call them
 * unconditionally.  pv_release_end forgets the window and says how many
 * bytes from the start were unmapped. */
void pv_release_window(const void *base, size_t len, int fd);
size_t pv_release_end(void);
void pv_release_behind(const void *p, size_t off);
size_t pv_released(const void *p);
/* Bytes [off, off + n) of the window's file into dst: 0, or -1 (errno). */
int pv_release_fetch(void *dst, size_t off, size_t n);

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

/* The cost of a time in integer nanoseconds, rounded;
 * negative and NaN times are 0 (and counted in *clamped if not NULL). */
uint64_t pv_time_ns(pv_num t, size_t *clamped);

#endif
