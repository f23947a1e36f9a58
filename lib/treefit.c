/*
 * treefit.c - pv_tree_opts.exact: a tree whose self times are each
 * function's tottime, for the exports whose readers sum self times per
 * function (pprof's "flat").
 *
 * The tree gives a frame of f with weight W the self W * tt(f)/ct(f); over
 * all of f's frames that adds up to tt(f) only when the frames' weights add
 * up to ct(f), which recursion, pruning and the root rules break.  So the
 * self times of f's frames are taken as shares: tt(f) in ticks is split
 * over them in proportion (by cumulative rounding, so the parts add up
 * exactly), calls likewise over the frames' calls.  A function whose
 * frames have no self gets shares by weight; one with no frame at all
 * (pruned away, or never reached) a frame of its own under the root or its
 * group.  Then every weight is its self plus its children's again.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

typedef struct fsum {
	uint64_t self, weight, target;
	double calls, ctarget;
	uint64_t acc_self, acc_w, done; /* shares taken so far, ticks given */
	double acc_calls, cdone;
	uint32_t nframes;
} fsum;

static uint64_t to_ticks(pv_num t, uint64_t tick)
{
	uint64_t ns = pv_time_ns(t, NULL);
	return ns / tick + (ns % tick >= (tick + 1) / 2);
}

/* The part of `target` that the shares up to `acc` of `sum` make, rounded:
 * consecutive differences add up to target exactly. */
static uint64_t upto(uint64_t target, uint64_t acc, uint64_t sum)
{
	if (acc >= sum)
		return target;
	return (uint64_t)((long double)target * (long double)acc / (long double)sum + 0.5L);
}

static int fit_group(pv_tree *t, uint32_t g, uint32_t top, size_t *cap)
{
	pv_stats *st = t->stats[g];
	size_t n = pv_stats_nentries(st);
	fsum *fs = pv_calloc(n + 1, sizeof(*fs));
	if (!fs)
		return PV_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const pv_entry *e = pv_stats_entry(st, i);
		fs[i].target = to_ticks(pv_entry_tt(e), t->tick_ns);
		fs[i].ctarget = pv_entry_nc(e) > 0 ? (double)pv_entry_nc(e) : 0;
	}
	size_t nf = t->nframes;
	for (size_t i = 1; i < nf; i++) {
		pv_frame *f = &t->frames[i];
		if (f->group != g || f->key >= PV_FRAME_GROUP)
			continue;
		fsum *s = &fs[pv_stats_find(st, f->key)];
		s->self += f->self;
		s->weight += f->weight;
		s->calls += f->calls > 0 ? f->calls : 0;
		s->nframes++;
	}
	for (size_t i = 1; i < nf; i++) {
		pv_frame *f = &t->frames[i];
		if (f->group != g || f->key >= PV_FRAME_GROUP)
			continue;
		fsum *s = &fs[pv_stats_find(st, f->key)];
		uint64_t give;
		if (s->self) {
			s->acc_self += f->self;
			give = upto(s->target, s->acc_self, s->self);
		} else if (s->weight) {
			s->acc_w += f->weight;
			give = upto(s->target, s->acc_w, s->weight);
		} else { /* zero-weight frames only: the last takes it all */
			s->acc_w++;
			give = s->acc_w == s->nframes ? s->target : 0;
		}
		f->self = give - s->done;
		s->done = give;
		double c = f->calls > 0 ? f->calls : 0, cgive;
		if (s->calls > 0) {
			s->acc_calls += c;
			cgive = s->acc_calls >= s->calls ? s->ctarget
							 : nearbyint(s->ctarget * (s->acc_calls / s->calls));
		} else { /* by frame count: the last takes it all */
			cgive = ++s->acc_calls >= (double)s->nframes ? s->ctarget : 0;
		}
		f->calls = cgive - s->cdone;
		s->cdone = cgive;
	}
	/* functions without a frame: one each, under top */
	uint32_t last = PV_NOFRAME;
	for (uint32_t c = t->frames[top].first_child; c != PV_NOFRAME; c = t->frames[c].next_sibling)
		last = c;
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		fsum *s = &fs[i];
		if (s->nframes || (!s->target && !(s->ctarget > 0)))
			continue;
		if (t->nframes >= UINT32_MAX - 1 ||
		    pv_grow(&t->frames, cap, t->nframes + 1, sizeof(*t->frames)) < 0) {
			rc = PV_ENOMEM;
			break;
		}
		uint32_t id = (uint32_t)t->nframes++;
		pv_frame *f = &t->frames[id];
		memset(f, 0, sizeof(*f));
		f->parent = top;
		f->first_child = f->next_sibling = PV_NOFRAME;
		f->key = pv_stats_entry(st, i)->key;
		f->group = g;
		f->depth = t->frames[top].depth + 1;
		f->flags = PV_FRAME_ESTIMATED;
		f->self = f->weight = s->target;
		f->calls = s->ctarget;
		if (last == PV_NOFRAME)
			t->frames[top].first_child = id;
		else
			t->frames[last].next_sibling = id;
		last = id;
	}
	free(fs);
	return rc;
}

int pv_tree_fit(pv_tree *t)
{
	size_t cap = t->nframes;
	int grouped = t->group_names != NULL;
	for (size_t i = 0; i < t->nframes; i++) /* "[N smaller]": no function's self */
		if (t->frames[i].key == PV_FRAME_SMALLER)
			t->frames[i].self = 0;
	for (uint32_t g = 0; g < t->ngroups; g++) {
		int rc = fit_group(t, g, grouped ? 1 + g : 0, &cap);
		if (rc < 0)
			return rc;
	}
	/* parents come before their children: sum from the end */
	for (size_t i = 0; i < t->nframes; i++)
		t->frames[i].weight = t->frames[i].self;
	for (size_t i = t->nframes; i-- > 1;)
		t->frames[t->frames[i].parent].weight += t->frames[i].weight;
	return 0;
}
