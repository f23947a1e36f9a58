/*
 * util.c - growable arrays, hashing and the integer map used for interning.
 */
#define _GNU_SOURCE /* mremap */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"

/* Large blocks.  A fresh anonymous page costs a fault, and on a virtual
 * machine a fault costs microseconds: a 25,000-function profile touches
 * some 17 MB, and its 4,500 faults were 40% of the run.  Blocks of 512 KiB
 * or more are therefore aligned to 2 MiB, rounded up to it, and advised as
 * transparent huge pages, so one fault maps 2 MiB (where the system has
 * THP in "madvise" or "always" mode; elsewhere the advice is ignored).
 * They are ordinary malloc blocks: free() releases them. */
#define HUGE_PAGE ((size_t)2 << 20)
#define HUGE_MIN ((size_t)512 << 10)

/* Advise the whole pages inside [p, p + n) as huge-page candidates. */
static void advise_huge(void *p, size_t n)
{
#ifdef MADV_HUGEPAGE
	uintptr_t a = ((uintptr_t)p + 4095) & ~(uintptr_t)4095;
	uintptr_t e = ((uintptr_t)p + n) & ~(uintptr_t)4095;
	if (e > a)
		(void)madvise((void *)a, e - a, MADV_HUGEPAGE); /* advice only */
#else
	(void)p;
	(void)n;
#endif
}

void *pv_malloc(size_t n)
{
	if (n < HUGE_MIN)
		return malloc(n);
	if (n > SIZE_MAX - HUGE_PAGE)
		return NULL;
	size_t r = (n + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	void *p = aligned_alloc(HUGE_PAGE, r);
	if (p)
		advise_huge(p, r);
	return p;
}

void *pv_calloc(size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	if (n * size < HUGE_MIN)
		return calloc(n, size);
	void *p = pv_malloc(n * size);
	if (p)
		memset(p, 0, n * size);
	return p;
}

int pv_grow_to(void *ptr, size_t *cap, size_t need, size_t size)
{
	void **p = ptr;
	size_t n = *cap ? *cap : 16;
	if (need > n && need <= SIZE_MAX / size && need * size >= HUGE_MIN) {
		/* a large block grows by half, or to exactly what is asked when
		 * that is more (a reserve from an input's size): doubling a
		 * 300 MB table past its need is address space that `ulimit -v`
		 * counts */
		n = n * size >= HUGE_MIN && need - n <= n / 2 ? n + n / 2 : need;
		if (n > SIZE_MAX / size)
			return PV_ENOMEM;
	}
	while (n < need) {
		if (n > SIZE_MAX / 2 / size)
			return PV_ENOMEM;
		n *= 2;
	}
	void *q;
	if (n * size < HUGE_MIN) {
		q = realloc(*p, n * size);
	} else {
		/* rounded up to whole huge pages, all of it the caller's */
		size_t r = (n * size + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
		if (r < n * size)
			return PV_ENOMEM;
		if (*p && *cap * size >= HUGE_MIN) {
			/* already large: realloc copies (the advice split the
			 * block's mapping, which mremap refuses); the large
			 * tables of one profile grow with pv_big_grow instead */
			q = realloc(*p, r);
			if (q)
				advise_huge(q, r);
		} else {
			q = pv_malloc(r); /* small so far: start aligned */
			if (q && *p) {
				memcpy(q, *p, *cap * size);
				free(*p);
			}
		}
		n = r / size;
	}
	if (!q)
		return PV_ENOMEM;
	*p = q;
	*cap = n;
	return 0;
}

uint64_t pv_hash_bytes(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ (n * 0x100000001b3ULL);
	while (n >= 8) {
		uint64_t w;
		memcpy(&w, s, 8);
		h = (h ^ pv_hash_u64(w)) * 0x9fb21c651e98df25ULL;
		s += 8;
		n -= 8;
	}
	/* the last 0-7 bytes as a little-endian number, zero-padded, without
	 * a variable-length copy (gcc makes that a byte loop): two overlapping
	 * 4-byte loads, or the first, middle and last byte.  The value is the
	 * one a byte copy gives, so hashes (and the code-object "addresses"
	 * shown from them) stay what they were. */
	uint64_t w = 0;
	if (n >= 4) {
		uint32_t a, b;
		memcpy(&a, s, 4);
		memcpy(&b, s + n - 4, 4);
		w = a | (uint64_t)b << (8 * (n - 4));
	} else if (n) {
		w = s[0] | (uint64_t)s[n / 2] << (8 * (n / 2)) | (uint64_t)s[n - 1] << (8 * (n - 1));
	}
	return pv_hash_u64(h ^ w ^ (n << 56));
}

void pv_map_free(pv_map *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

uint32_t pv_map_get(const pv_map *m, uint64_t key)
{
	if (!m->vals)
		return 0;
	size_t i = pv_hash_u64(key) & m->mask;
	while (m->vals[i]) {
		if (m->keys[i] == key)
			return m->vals[i];
		i = (i + 1) & m->mask;
	}
	return 0;
}

static int rehash(pv_map *m, size_t cap)
{
	uint64_t *keys = malloc(cap * sizeof(*keys));
	uint32_t *vals = calloc(cap, sizeof(*vals));
	if (!keys || !vals) {
		free(keys);
		free(vals);
		return PV_ENOMEM;
	}
	size_t mask = cap - 1;
	for (size_t j = 0; m->vals && j <= m->mask; j++) {
		if (!m->vals[j])
			continue;
		size_t i = pv_hash_u64(m->keys[j]) & mask;
		while (vals[i])
			i = (i + 1) & mask;
		keys[i] = m->keys[j];
		vals[i] = m->vals[j];
	}
	free(m->keys);
	free(m->vals);
	m->keys = keys;
	m->vals = vals;
	m->mask = mask;
	return 0;
}

int pv_map_put(pv_map *m, uint64_t key, uint32_t val)
{
	if (!m->vals || (m->used + 1) * 2 > m->mask + 1) {
		size_t cap = m->vals ? (m->mask + 1) * 2 : 64;
		if (rehash(m, cap) < 0)
			return PV_ENOMEM;
	}
	size_t i = pv_hash_u64(key) & m->mask;
	while (m->vals[i]) {
		if (m->keys[i] == key) {
			m->vals[i] = val;
			return 0;
		}
		i = (i + 1) & m->mask;
	}
	m->keys[i] = key;
	m->vals[i] = val;
	m->used++;
	return 0;
}

/* Large tables in mappings of their own.  The entry and edge tables of one
 * big profile are hundreds of megabytes: grown through malloc, a table is
 * copied into a new block while the old one is still there (twice the
 * address space, which `ulimit -v` counts, and the copy's time).  From
 * BIG_MIN on they are anonymous mappings of whole 2 MiB (which Linux places
 * on a 2 MiB boundary), advised as huge pages before any is touched, and
 * grown with mremap: the pages move, no byte is copied.  The capacity tells
 * which kind a table is, so it is freed with pv_big_free(p, cap, size). */
#define BIG_MIN HUGE_PAGE

static size_t big_len(size_t bytes)
{
	return (bytes + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
}

static void *big_map(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
#ifdef MADV_HUGEPAGE
	(void)madvise(p, len, MADV_HUGEPAGE); /* advice only */
#endif
	return p;
}

/* Move *ptr (cap items of `size`) to a block of exactly n items' room, or
 * more when it is a mapping (whole 2 MiB); *cap says what it holds. */
static int big_move(void **p, size_t *cap, size_t n, size_t size)
{
	size_t old = *cap * size, want = n * size;
	int was_big = *p && old >= BIG_MIN, big = want >= BIG_MIN;
	void *q;
	if (was_big && big) {
		q = mremap(*p, big_len(old), big_len(want), MREMAP_MAYMOVE);
		if (q == MAP_FAILED)
			return PV_ENOMEM;
#ifdef MADV_HUGEPAGE
		(void)madvise(q, big_len(want), MADV_HUGEPAGE);
#endif
	} else if (!was_big && !big) {
		q = realloc(*p, want ? want : 1);
		if (!q)
			return PV_ENOMEM;
	} else {
		q = big ? big_map(big_len(want)) : malloc(want ? want : 1);
		if (!q)
			return PV_ENOMEM;
		if (*p)
			memcpy(q, *p, old < want ? old : want);
		pv_big_free(*p, *cap, size);
	}
	*p = q;
	*cap = big ? big_len(want) / size : n;
	return 0;
}

int pv_big_grow(void *ptr, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return 0;
	size_t n = *cap ? *cap + *cap / 2 : 16;
	if (n < need)
		n = need; /* a reserve from an input's size: exactly that */
	if (n > SIZE_MAX / 2 / size)
		return PV_ENOMEM;
	return big_move(ptr, cap, n, size);
}

int pv_big_fit(void *ptr, size_t *cap, size_t n, size_t size)
{
	return n < *cap ? big_move(ptr, cap, n ? n : 1, size) : 0;
}

void pv_big_free(void *p, size_t cap, size_t size)
{
	if (p && cap * size >= BIG_MIN)
		munmap(p, big_len(cap * size));
	else
		free(p);
}

/* ---- release behind a reader ---------------------------------------------- */

#define RELEASE_STEP ((size_t)16 << 20) /* release in steps of this much */
#define RELEASE_KEEP ((size_t)4 << 20)  /* and keep this much behind the reader */

static __thread const unsigned char *rel_base;
static __thread size_t rel_len, rel_done;
static __thread int rel_fd = -1;

void pv_release_window(const void *base, size_t len, int fd)
{
	rel_base = base;
	rel_len = base ? len : 0;
	rel_done = 0;
	rel_fd = base ? fd : -1;
}

size_t pv_release_end(void)
{
	size_t done = rel_done;
	pv_release_window(NULL, 0, -1);
	return done;
}

void pv_release_behind(const void *p, size_t off)
{
	if (p != rel_base || !rel_base || off < rel_done + RELEASE_STEP + RELEASE_KEEP ||
	    off > rel_len)
		return;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t end = (off - RELEASE_KEEP) / page * page;
	if (end > rel_done && munmap((void *)(rel_base + rel_done), end - rel_done) == 0)
		rel_done = end;
}

size_t pv_released(const void *p)
{
	return p && p == rel_base ? rel_done : 0;
}

int pv_release_fetch(void *dst, size_t off, size_t n)
{
	unsigned char *d = dst;
	while (n) {
		ssize_t got = pread(rel_fd, d, n, (off_t)off);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			if (got == 0)
				errno = EIO; /* the file shrank under us */
			return -1;
		}
		d += got;
		off += (size_t)got;
		n -= (size_t)got;
	}
	return 0;
}
