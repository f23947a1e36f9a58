/*
 * util.c - growable arrays, hashing and the integer map used for interning.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int pv_grow_to(void *ptr, size_t *cap, size_t need, size_t size)
{
	void **p = ptr;
	size_t n = *cap ? *cap : 16;
	while (n < need) {
		if (n > SIZE_MAX / 2 / size)
			return PV_ENOMEM;
		n *= 2;
	}
	void *q = realloc(*p, n * size);
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
	uint64_t w = 0;
	memcpy(&w, s, n);
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
