/*
 * timsort.h - CPython's list.sort (timsort.c; lib/ only, not part of the API).
 */
#ifndef PV_TIMSORT_H
#define PV_TIMSORT_H

#include <stddef.h>
#include <stdint.h>

/* "Is x before y?" (compare(x, y) < 0): the one question list.sort asks. */
typedef int (*pv_lt_fn)(void *arg, uint32_t x, uint32_t y);

/* Sort v[0, n) as CPython's list.sort sorts a list, asking less the same
 * questions in the same order (so a relation that is no total order, such
 * as NaN times, gives CPython's result).  Stable; tmp has room for n / 2 + 1
 * items; nothing is allocated. */
void pv_timsort(uint32_t *v, uint32_t *tmp, size_t n, pv_lt_fn less, void *arg);

#endif
