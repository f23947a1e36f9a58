/*
 * speedscope.c - speedscope's file format (the schema ships in the npm
 * package `speedscope` as dist/release/file-format-schema.json):
 *
 *   {"$schema": ..., "name", "exporter", "activeProfileIndex": 0,
 *    "shared": {"frames": [{"name", "file", "line"}]},
 *    "profiles": [{"type": "sampled", "name", "unit": "microseconds",
 *                  "startValue": 0, "endValue": TOTAL,
 *                  "samples": [[frame, ...root first]], "weights": [...]}]}
 *
 * One sampled profile for everything read ("all") and, when the CLI hands
 * a tree grouped by endpoint, one per endpoint.  A sample is a frame of the
 * call tree with self time, its weight that self time; so the weights of a
 * profile add up to the tree's total.  Frames are shared between profiles
 * by their display string.
 *
 * The samples stop at --max-output bytes (64 MiB by default; flame.h says
 * why): the samples past it are left out, and each profile ends with one
 * sample of a shared frame "[N stacks cut: ...]" holding their time, so the
 * weights still add up to the total.
 */
#include "flame.h"
#include "jsonw.h"

struct ss {
	pv_out *o;
	uint64_t cut_from;  /* samples numbered from this one on are cut (--max-output) */
	uint64_t seq;       /* the number of the next sample */
	uint32_t cut_frame; /* the shared "[N stacks cut ...]" frame */
	pv_map ids;         /* hash of a frame's identity -> shared index + 1 */
	uint32_t nshared;
	char *key;
	size_t capkey;
};

/* The shared frame of tree frame i: written to "frames" the first time. */
static int shared_frame(struct ss *s, const pv_tree *t, uint32_t i, uint32_t *out)
{
	char nb[PV_TREE_NAME_MAX];
	size_t n;
	const char *d = pv_tree_name(t, i, nb, &n);
	if (!d || pv_grow(&s->key, &s->capkey, n + 1, 1) < 0)
		return PV_ENOMEM;
	const pv_frame *f = &t->frames[i];
	s->key[0] = f->key < PV_FRAME_GROUP ? 'f' : 's';
	memcpy(s->key + 1, d, n);
	uint64_t h = pv_hash_bytes(s->key, n + 1);
	uint32_t v = pv_map_get(&s->ids, h);
	if (v) {
		*out = v - 1;
		return 0;
	}
	if (pv_map_put(&s->ids, h, s->nshared + 1) < 0)
		return PV_ENOMEM;
	*out = s->nshared;
	pv_out *o = s->o;
	out_s(o, s->nshared++ ? ",\n{\"name\":" : "\n{\"name\":");
	if (f->key >= PV_FRAME_GROUP) {
		jw_str(o, d, n, 0);
		out_c(o, '}');
		return 0;
	}
	pv_stats *st = pv_tree_stats(t, i);
	const pv_key *k = pv_stats_key(st, f->key);
	size_t nn, fn;
	const char *name = pv_stats_str(st, k->name, &nn);
	const char *file = pv_stats_str(st, k->file, &fn);
	if (fn == 1 && file[0] == '~' && k->line == 0) { /* a builtin: "{name}" */
		jw_str(o, d, n, 0);
		out_c(o, '}');
		return 0;
	}
	file = pv_stats_str(st, pv_stats_shown_file(st, k->file), &fn); /* --short-paths */
	jw_str(o, name, nn, 0);
	out_s(o, ",\"file\":");
	jw_str(o, file, fn, 0);
	out_s(o, ",\"line\":");
	out_i64(o, k->line);
	out_c(o, '}');
	return 0;
}

/* One profile: the subtree under frame top (not top itself).  Samples
 * from s->cut_from on are not written; their time goes to one sample of
 * the cut frame at the end. */
static void profile(struct ss *s, const pv_tree *t, uint32_t top, const char *name, size_t nlen,
		    const uint32_t *sid, uint32_t *stack)
{
	pv_out *o = s->o;
	uint32_t base = t->frames[top].depth;
	out_s(o, "{\"type\":\"sampled\",\"name\":");
	jw_str(o, name, nlen, 0);
	out_s(o, ",\"unit\":\"microseconds\",\"startValue\":0,\"endValue\":");
	out_u64(o, t->frames[top].weight);
	out_s(o, ",\n\"samples\":[");
	int first = 1;
	uint32_t end = t->frames[top].next_sibling;
	uint64_t seq0 = s->seq;
	for (uint32_t pass = 0; pass < 2; pass++) {
		uint64_t cut = 0;
		s->seq = seq0;
		for (uint32_t i = t->frames[top].first_child; i != PV_NOFRAME && i != end;
		     i = flame_next(t, i)) {
			const pv_frame *f = &t->frames[i];
			if (f->depth <= base) /* walked out of the subtree */
				break;
			if (s->seq >= s->cut_from) {
				cut += f->self;
				continue;
			}
			uint32_t d = f->depth - base - 1;
			stack[d] = sid[i];
			if (!f->self)
				continue;
			s->seq++;
			if (!first)
				out_c(o, ',');
			first = 0;
			if (pass) {
				out_u64(o, f->self);
				continue;
			}
			out_c(o, '[');
			for (uint32_t k = 0; k <= d; k++) {
				if (k)
					out_c(o, ',');
				out_u64(o, stack[k]);
			}
			out_c(o, ']');
		}
		if (cut) {
			out_s(o, first ? "" : ",");
			if (pass) {
				out_u64(o, cut);
			} else {
				out_c(o, '[');
				out_u64(o, s->cut_frame);
				out_c(o, ']');
			}
		}
		out_s(o, pass ? "]}" : "],\n\"weights\":[");
		first = 1;
	}
}

/* The budget over the samples of the profiles in the order they are
 * written (the tree's, then one per group frame of the grouped tree): a
 * sample's bytes are its stack's ids with their commas and brackets, and
 * its weight.  Sets s->cut_from; fills b. */
static int plan(struct ss *s, const pv_tree *const trees[2], uint32_t *const sid[2],
		flame_budget *b)
{
	s->cut_from = UINT64_MAX;
	uint64_t seq = 0;
	for (int k = 0; k < 2; k++) {
		const pv_tree *t = trees[k];
		if (!t)
			continue;
		/* sb[i]: the bytes of frame i's stack ("id," per frame) */
		uint64_t *sb = pv_malloc((t->nframes + 1) * sizeof(*sb));
		if (!sb)
			return PV_ENOMEM;
		sb[0] = 0;
		for (uint32_t i = t->frames[0].first_child; i != PV_NOFRAME; i = flame_next(t, i)) {
			const pv_frame *f = &t->frames[i];
			if (f->key == PV_FRAME_GROUP) { /* the top of a profile, not in stacks */
				sb[i] = 0;
				continue;
			}
			sb[i] = sb[f->parent] + flame_digits(sid[k][i]) + 1;
			if (f->self && !flame_budget_take(b, sb[i] + 2 + flame_digits(f->self) + 1, f->self) &&
			    s->cut_from == UINT64_MAX)
				s->cut_from = seq;
			if (f->self)
				seq++;
		}
		free(sb);
	}
	return 0;
}

static int ss_write(FILE *file, const pv_views *v, pv_write_opts *wo, pv_ctx *ctx)
{
	struct ss s = {0};
	const pv_tree *trees[2] = {v->tree, v->group_tree};
	uint32_t *sid[2] = {NULL, NULL}, *stack = NULL;
	int rc = PV_ENOMEM;
	uint32_t depth = 0;
	for (int k = 0; k < 2; k++)
		if (trees[k] && flame_max_depth(trees[k]) > depth)
			depth = flame_max_depth(trees[k]);
	if (!(s.o = out_open(file)) || !(stack = pv_malloc(((size_t)depth + 1) * sizeof(*stack))))
		goto out;
	out_s(s.o, "{\"$schema\":\"https://www.speedscope.app/file-format-schema.json\",\n"
		   "\"exporter\":\"profview " PV_VERSION "\",\"activeProfileIndex\":0,\"name\":");
	const char *title = wo->summary ? wo->summary : "profview";
	jw_str(s.o, title, strlen(title), 0);
	out_s(s.o, ",\n\"shared\":{\"frames\":[");
	for (int k = 0; k < 2; k++) {
		const pv_tree *t = trees[k];
		if (!t)
			continue;
		if (!(sid[k] = pv_malloc((t->nframes + 1) * sizeof(*sid[k]))))
			goto out;
		for (uint32_t i = 1; i < t->nframes; i++)
			if (t->frames[i].key != PV_FRAME_GROUP &&
			    (rc = shared_frame(&s, t, i, &sid[k][i])) < 0)
				goto out;
		rc = PV_ENOMEM;
	}
	flame_budget bud;
	flame_budget_init(&bud, wo->max_output);
	if (plan(&s, trees, sid, &bud) < 0)
		goto out;
	if (bud.ncut) {
		char name[128];
		flame_cut_name(name, sizeof(name), &bud, wo->max_output);
		s.cut_frame = s.nshared;
		out_s(s.o, s.nshared++ ? ",\n{\"name\":" : "\n{\"name\":");
		jw_str(s.o, name, strlen(name), 0);
		out_c(s.o, '}');
	}
	out_s(s.o, "]},\n\"profiles\":[\n");
	if (trees[0])
		profile(&s, trees[0], 0, "all", 3, sid[0], stack);
	const pv_tree *g = trees[1];
	for (uint32_t i = g ? g->frames[0].first_child : PV_NOFRAME; i != PV_NOFRAME;
	     i = g->frames[i].next_sibling) {
		char nb[PV_TREE_NAME_MAX];
		size_t n;
		const char *name = pv_tree_name(g, i, nb, &n);
		out_s(s.o, ",\n");
		profile(&s, g, i, name, n, sid[1], stack);
	}
	out_s(s.o, "\n]}\n");
	flame_budget_report(&bud, wo, trees[0] ? trees[0]->frames[0].weight : 0);
	rc = 0;
out:
	out_close(s.o);
	pv_map_free(&s.ids);
	free(s.key);
	free(sid[0]);
	free(sid[1]);
	free(stack);
	return rc < 0 ? pv_fail(ctx, rc, PV_NOOFF, "out of memory") : 0;
}

const pv_writer pv_writer_speedscope = {
	.name = "speedscope",
	.flags = PV_W_TREE | PV_W_GROUPS | PV_W_OWN_ORDER,
	.modes = PV_MODE_STATS,
	.help = "speedscope JSON: one profile for all, one per endpoint (speedscope.app)",
	.write = ss_write,
};
