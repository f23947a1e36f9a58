/*
 * flamediff.h - differential flame graphs (folded --diff, svg --diff): the
 * frames of one call tree matched to those of another by their path from
 * the root (formats/flamediff.c).
 */
#ifndef PV_FLAMEDIFF_H
#define PV_FLAMEDIFF_H

#include "../lib/util.h"
#include "writer.h"

typedef struct flame_diff {
	uint32_t *match; /* per frame of the tree: the frame of the other tree on the
			  * same path, or PV_NOFRAME */
	double *self;    /* per frame of the tree: self time per request, microseconds */
	double *other;   /* ... of the matched frame in the other tree (0 if none) */
} flame_diff;

/* Match every frame of t to other's.  Times per request: a frame's self
 * over its endpoint's requests (the model's profiles).  0 or PV_ENOMEM. */
int flame_diff_build(flame_diff *d, const pv_tree *t, const pv_tree *other);
void flame_diff_free(flame_diff *d);

#endif
