/*
 * flamediff.c - the frames of one call tree matched to another's: two
 * frames match when their parents match and they stand for the same
 * function (pv_stats_key_hash: the same in every model), endpoint group
 * or "[N smaller]".  So a stack is compared with the same stack, whatever
 * order or index the trees gave it.  Self times are per request of the
 * frame's endpoint (its model's profiles), so sets of different sizes and
 * traffic mixes compare.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "flamediff.h"

static uint64_t frame_id(const pv_tree *t, uint32_t i)
{
	const pv_frame *f = &t->frames[i];
	if (f->key == PV_FRAME_ROOT)
		return 1;
	if (f->key == PV_FRAME_SMALLER)
		return 2;
	if (f->key == PV_FRAME_GROUP) {
		const char *n = t->group_names ? t->group_names[f->group] : "";
		return pv_hash_bytes(n, strlen(n)) | 4;
	}
	return pv_stats_key_hash(pv_tree_stats(t, i), f->key);
}

static uint64_t slot(uint32_t parent, uint64_t id)
{
	return pv_hash_u64(id ^ pv_hash_u64((uint64_t)parent + 0x9e3779b97f4a7c15ULL));
}

static double requests(const pv_tree *t, uint32_t i)
{
	pv_stats *st = pv_tree_stats(t, i);
	size_t n = st ? pv_stats_nprofiles(st) : 0;
	return n ? (double)n : 1;
}

int flame_diff_build(flame_diff *d, const pv_tree *t, const pv_tree *other)
{
	pv_map m = {0};
	memset(d, 0, sizeof(*d));
	size_t n = t->nframes ? t->nframes : 1;
	d->match = malloc(n * sizeof(*d->match));
	d->self = malloc(n * sizeof(*d->self));
	d->other = malloc(n * sizeof(*d->other));
	if (!d->match || !d->self || !d->other)
		goto oom;
	for (uint32_t j = 1; j < other->nframes; j++)
		if (pv_map_put(&m, slot(other->frames[j].parent, frame_id(other, j)), j + 1) < 0)
			goto oom;
	double tick_us = (double)(t->tick_ns ? t->tick_ns : 1000) / 1000;
	double otick_us = (double)(other->tick_ns ? other->tick_ns : 1000) / 1000;
	for (uint32_t i = 0; i < t->nframes; i++) { /* parents come before children */
		const pv_frame *f = &t->frames[i];
		uint32_t mi = PV_NOFRAME;
		if (!i) {
			mi = other->nframes ? 0 : PV_NOFRAME;
		} else if (d->match[f->parent] != PV_NOFRAME) {
			uint32_t at = pv_map_get(&m, slot(d->match[f->parent], frame_id(t, i)));
			mi = at ? at - 1 : PV_NOFRAME;
		}
		d->match[i] = mi;
		d->self[i] = (double)f->self * tick_us / requests(t, i);
		d->other[i] = mi == PV_NOFRAME ? 0
					       : (double)other->frames[mi].self * otick_us / requests(other, mi);
	}
	pv_map_free(&m);
	return 0;
oom:
	pv_map_free(&m);
	flame_diff_free(d);
	return PV_ENOMEM;
}

void flame_diff_free(flame_diff *d)
{
	free(d->match);
	free(d->self);
	free(d->other);
	memset(d, 0, sizeof(*d));
}
