/*
 * test_tree.c - the call tree (lib/tree.c, callgraph.c): the invariants
 * of the issue (widths add up, the root is the total, frames of a function
 * sum to its cumulative time, exact vs estimated, the snakeviz#112 program,
 * a chain a million deep), recursion, pruning into "[N smaller]", the caps,
 * --match / --exclude, the inverted tree, root choice, groups.
 */
#include "testutil.h"

static char nb[PV_TREE_NAME_MAX];

/* A profile described as functions and edges; times in microseconds. */
typedef struct fn {
	const char *name;
	int nc;
	double tt, ct;
} fn;

typedef struct call {
	const char *caller, *callee;
	int nc;
	double tt, ct;
} call;

static uint32_t k_of(pv_stats *st, const char *name)
{
	return tu_mkkey(st, "m.py", 1, name);
}

/* Build a model from fns and calls (each entry gets its callers). */
static pv_stats *mk(const fn *fns, size_t nf, const call *calls, size_t ncalls)
{
	pv_stats *st;
	pv_profile *p;
	pv_ctx ctx = {0};
	assert_int_equal(pv_stats_new(&st), 0);
	assert_int_equal(pv_profile_new(&p), 0);
	for (size_t i = 0; i < nf; i++) {
		uint32_t k = k_of(st, fns[i].name);
		assert_int_equal(pv_profile_begin_entry(p, k, fns[i].nc, fns[i].nc,
							TU_F(fns[i].tt / 1e6), TU_F(fns[i].ct / 1e6)),
				 0);
		for (size_t j = 0; j < ncalls; j++)
			if (!strcmp(calls[j].callee, fns[i].name))
				tu_add_tuple_caller(p, k_of(st, calls[j].caller), calls[j].nc,
						    calls[j].nc, TU_F(calls[j].tt / 1e6),
						    TU_F(calls[j].ct / 1e6));
	}
	assert_int_equal(pv_stats_merge(st, p, &ctx), 0);
	pv_profile_free(p);
	return st;
}

static pv_tree *build(pv_stats *st, const pv_tree_opts *o)
{
	pv_tree *t = NULL;
	pv_ctx ctx = {0};
	int rc = pv_tree_build(&t, st, o, &ctx);
	if (rc)
		fail_msg("pv_tree_build: %d %s", rc, ctx.msg);
	return t;
}

/* Every frame is its self plus its children; links agree with parents;
 * the estimated figure is the self of the estimated frames. */
static void check_invariants(const pv_tree *t)
{
	uint64_t est = 0;
	assert_true(t->nframes >= 1);
	assert_int_equal(t->frames[0].parent, PV_NOFRAME);
	assert_int_equal(t->frames[0].key, PV_FRAME_ROOT);
	assert_int_equal(t->total, t->frames[0].weight);
	for (size_t i = 0; i < t->nframes; i++) {
		const pv_frame *f = &t->frames[i];
		uint64_t sum = f->self;
		size_t nkids = 0;
		for (uint32_t c = f->first_child; c != PV_NOFRAME; c = t->frames[c].next_sibling) {
			assert_true(c > i);
			assert_int_equal(t->frames[c].parent, i);
			assert_int_equal(t->frames[c].depth, f->depth + 1);
			sum += t->frames[c].weight;
			nkids++;
		}
		if (sum != f->weight)
			fail_msg("frame %zu: self %llu + children = %llu != weight %llu", i,
				 (unsigned long long)f->self, (unsigned long long)sum,
				 (unsigned long long)f->weight);
		if (f->flags & PV_FRAME_ESTIMATED)
			est += f->self;
		if (f->flags & (PV_FRAME_MERGED | PV_FRAME_RECURSIVE))
			assert_int_equal(nkids, 0);
	}
	assert_int_equal(est, t->estimated);
}

/* The frames of function `name`, summed. */
static uint64_t sum_of(pv_tree *t, const char *name, size_t *count, uint32_t *flags_or)
{
	uint64_t s = 0;
	if (count)
		*count = 0;
	if (flags_or)
		*flags_or = 0;
	for (size_t i = 0; i < t->nframes; i++) {
		size_t n;
		const char *d = pv_tree_name(t, i, nb, &n);
		assert_non_null(d);
		char want[256];
		snprintf(want, sizeof(want), "m.py:1(%s)", name);
		if (n == strlen(want) && !memcmp(d, want, n)) {
			s += t->frames[i].weight;
			if (count)
				(*count)++;
			if (flags_or)
				*flags_or |= t->frames[i].flags;
		}
	}
	return s;
}

/* The first frame named `name` whose parent is named `parent`. */
static const pv_frame *frame_of(pv_tree *t, const char *parent, const char *name)
{
	char wp[256], wn[256];
	snprintf(wp, sizeof(wp), "m.py:1(%s)", parent);
	snprintf(wn, sizeof(wn), "m.py:1(%s)", name);
	for (size_t i = 1; i < t->nframes; i++) {
		size_t n, np;
		const char *d = pv_tree_name(t, i, nb, &n);
		if (n != strlen(wn) || memcmp(d, wn, n))
			continue;
		const char *p = pv_tree_name(t, t->frames[i].parent, nb, &np);
		if (np == strlen(wp) && !memcmp(p, wp, np))
			return &t->frames[i];
	}
	fail_msg("no frame %s under %s", name, parent);
	return NULL;
}

static const pv_tree_opts exact_opts = {.min_share = 0, .tick_ns = 1000};

/* main -> a -> x, main -> b -> y: every function one caller. */
static const fn single_fns[] = {
	{"main", 1, 10, 100},
	{"a", 1, 20, 60},
	{"b", 1, 5, 30},
	{"x", 2, 40, 40},
	{"y", 3, 25, 25},
};
static const call single_calls[] = {
	{"main", "a", 1, 20, 60},
	{"main", "b", 1, 5, 30},
	{"a", "x", 2, 40, 40},
	{"b", "y", 3, 25, 25},
};

static void test_tree_single_callers_exact(void **state)
{
	(void)state;
	pv_stats *st = mk(single_fns, 5, single_calls, 4);
	pv_tree *t = build(st, &exact_opts);
	check_invariants(t);
	assert_int_equal(t->total, 100);         /* the root is the total */
	assert_int_equal(t->profile_total, 100); /* = pstats' total time */
	assert_int_equal(t->estimated, 0);       /* 0% estimated */
	assert_int_equal(t->nframes, 6);
	for (size_t i = 0; i < 5; i++) { /* no pruning, no recursion: frames sum to ct */
		size_t n;
		assert_int_equal(sum_of(t, single_fns[i].name, &n, NULL), (uint64_t)single_fns[i].ct);
		assert_int_equal(n, 1);
	}
	const pv_frame *x = frame_of(t, "a", "x");
	assert_int_equal(x->self, 40);
	assert_true(x->calls > 1.999 && x->calls < 2.001);
	assert_int_equal(frame_of(t, "main", "a")->self, 20);
	pv_tree_free(t);
	pv_stats_free(st);
}

/* snakeviz#112: a() and b() each call c(); c is slow under a only.  c
 * calls d.  snakeviz draws c's whole 100 under both a and b (200 in all);
 * the edges say 90 under a and 10 under b; d's 50 is split 45/5 in
 * proportion, and that is an estimate. */
static void test_tree_snakeviz112(void **state)
{
	(void)state;
	static const fn fns[] = {
		{"main", 1, 0, 100},
		{"a", 1, 0, 90},
		{"b", 1, 0, 10},
		{"c", 2, 50, 100},
		{"d", 2, 50, 50},
	};
	static const call calls[] = {
		{"main", "a", 1, 0, 90},
		{"main", "b", 1, 0, 10},
		{"a", "c", 1, 45, 90},
		{"b", "c", 1, 5, 10},
		{"c", "d", 2, 50, 50},
	};
	pv_stats *st = mk(fns, 5, calls, 5);
	pv_tree *t = build(st, &exact_opts);
	check_invariants(t);
	assert_int_equal(t->total, 100);
	const pv_frame *ca = frame_of(t, "a", "c"), *cb = frame_of(t, "b", "c");
	assert_int_equal(ca->weight, 90);
	assert_int_equal(cb->weight, 10);
	assert_int_equal(sum_of(t, "c", NULL, NULL), 100); /* not 200 */
	/* the proportional estimate: self = W * tt/ct, the rest to d */
	assert_int_equal(ca->self, 45);
	assert_int_equal(t->frames[ca->first_child].weight, 45);
	assert_int_equal(cb->self, 5);
	assert_int_equal(t->frames[cb->first_child].weight, 5);
	/* marked: c has two callers; a and b are exact */
	assert_true(ca->flags & PV_FRAME_ESTIMATED);
	assert_true(cb->flags & PV_FRAME_ESTIMATED);
	assert_true(t->frames[ca->first_child].flags & PV_FRAME_ESTIMATED);
	assert_false(frame_of(t, "main", "a")->flags & PV_FRAME_ESTIMATED);
	assert_false(frame_of(t, "main", "b")->flags & PV_FRAME_ESTIMATED);
	assert_int_equal(t->estimated, 100); /* all self time sits in c and d */
	pv_tree_free(t);
	pv_stats_free(st);
}

/* A chain of a million functions, each calling the next: built without
 * recursion in C (the default 8 MB stack would overflow otherwise). */
static void test_tree_million_deep_chain(void **state)
{
	(void)state;
	enum { N = 1000000 };
	pv_stats *st;
	pv_profile *p;
	pv_ctx ctx = {0};
	assert_int_equal(pv_stats_new(&st), 0);
	assert_int_equal(pv_profile_new(&p), 0);
	uint32_t file, prev = 0;
	assert_int_equal(pv_stats_intern_str(st, "c.py", 4, &file), 0);
	for (int i = 0; i < N; i++) {
		char name[32];
		int n = snprintf(name, sizeof(name), "f%d", i);
		uint32_t s, k;
		assert_int_equal(pv_stats_intern_str(st, name, (size_t)n, &s), 0);
		assert_int_equal(pv_stats_intern_key(st, file, i + 1, s, &k), 0);
		/* 1 us of self each, cumulative = what is below */
		double ct = (double)(N - i) / 1e6;
		assert_int_equal(pv_profile_begin_entry(p, k, 1, 1, TU_F(1e-6), TU_F(ct)), 0);
		if (i)
			tu_add_tuple_caller(p, prev, 1, 1, TU_F(1e-6), TU_F(ct));
		prev = k;
	}
	assert_int_equal(pv_stats_merge(st, p, &ctx), 0);
	pv_profile_free(p);
	pv_tree *t = build(st, &exact_opts);
	assert_int_equal(t->nframes, N + 1);
	assert_int_equal(t->total, N);
	assert_int_equal(t->estimated, 0);
	assert_int_equal(t->frames[N].depth, N);
	assert_int_equal(t->frames[N].self, 1);
	check_invariants(t);
	pv_tree_free(t);

	/* the depth cap: frames past it merged, widths kept */
	pv_tree_opts o = exact_opts;
	o.max_depth = 10;
	t = build(st, &o);
	check_invariants(t);
	assert_int_equal(t->nframes, 12);
	assert_int_equal(t->frames[11].key, PV_FRAME_SMALLER);
	assert_int_equal(t->frames[11].weight, N - 10);
	assert_int_equal(t->total, N);
	pv_tree_free(t);
	pv_stats_free(st);
}

/* Recursion: f -> g -> f.  The inner f is not expanded again: a leaf
 * marked recursive (and estimated); widths still add up. */
static void test_tree_recursion_folded(void **state)
{
	(void)state;
	static const fn fns[] = {{"main", 1, 10, 100}, {"f", 2, 30, 90}, {"g", 1, 20, 60}};
	static const call calls[] = {
		{"main", "f", 1, 20, 90},
		{"g", "f", 1, 10, 40},
		{"f", "g", 1, 20, 60},
	};
	pv_stats *st = mk(fns, 3, calls, 3);
	pv_tree *t = build(st, &exact_opts);
	check_invariants(t);
	assert_int_equal(t->total, 100);
	const pv_frame *inner = frame_of(t, "g", "f");
	assert_true(inner->flags & PV_FRAME_RECURSIVE);
	assert_true(inner->flags & PV_FRAME_ESTIMATED);
	assert_int_equal(inner->first_child, PV_NOFRAME);
	assert_int_equal(inner->self, inner->weight);
	assert_true(frame_of(t, "main", "f")->flags & PV_FRAME_ESTIMATED);
	assert_false(t->frames[t->frames[0].first_child].flags & PV_FRAME_ESTIMATED); /* main */
	pv_tree_free(t);
	pv_stats_free(st);
}

/* `python -m cProfile`: no function without callers covers the run (exec
 * calls itself through runpy); the largest function of that cycle becomes
 * the root, and the tree covers the total.  werkzeug: two roots. */
static void test_tree_roots_without_callerless(void **state)
{
	(void)state;
	static const fn fns[] = {
		{"exec", 2, 1, 100},
		{"runmod", 1, 1, 99},
		{"script", 1, 48, 98},
		{"work", 1, 50, 50},
	};
	static const call calls[] = {
		{"runmod", "exec", 1, 0, 98},
		{"exec", "runmod", 1, 1, 99},
		{"exec", "script", 1, 48, 98},
		{"script", "work", 1, 50, 50},
	};
	pv_stats *st = mk(fns, 4, calls, 4);
	pv_tree *t = build(st, &exact_opts);
	check_invariants(t);
	assert_int_equal(t->total, 100);
	assert_int_equal(t->profile_total, 100);
	const pv_frame *r = &t->frames[t->frames[0].first_child];
	size_t n;
	assert_string_equal(pv_tree_name(t, (size_t)(r - t->frames), nb, &n), "m.py:1(exec)");
	assert_int_equal(r->next_sibling, PV_NOFRAME);
	assert_true(sum_of(t, "work", NULL, NULL) > 0);
	pv_tree_free(t);
	pv_stats_free(st);

	static const fn wz[] = {{"runapp", 1, 10, 90}, {"disable", 1, 10, 10}, {"h", 1, 80, 80}};
	static const call wzc[] = {{"runapp", "h", 1, 80, 80}};
	st = mk(wz, 3, wzc, 1);
	t = build(st, &exact_opts);
	check_invariants(t);
	assert_int_equal(t->total, 100);
	assert_int_equal(t->estimated, 0);
	size_t roots = 0;
	for (uint32_t c = t->frames[0].first_child; c != PV_NOFRAME; c = t->frames[c].next_sibling)
		roots++;
	assert_int_equal(roots, 2);
	pv_tree_free(t);
	pv_stats_free(st);
}

/* The profile module: a pseudo-entry "profile:0(profiler)" with no time of
 * its own calls the run (an int edge), and names the run's code object
 * differently as a caller than as an entry, so the script's <module> looks
 * caller-less too.  The pseudo-entry's root weighs what it calls; the
 * orphan <module> is not drawn a second time. */
static void test_tree_profile_module_roots(void **state)
{
	(void)state;
	pv_stats *st;
	pv_profile *p;
	pv_ctx ctx = {0};
	assert_int_equal(pv_stats_new(&st), 0);
	assert_int_equal(pv_profile_new(&p), 0);
	uint32_t prof = k_of(st, "profiler"), code = k_of(st, "code1"), ghost = k_of(st, "code2");
	uint32_t mod = k_of(st, "module");
	(void)ghost;
	assert_int_equal(pv_profile_begin_entry(p, prof, 0, 0, TU_F(0), TU_F(0)), 0);
	assert_int_equal(pv_profile_begin_entry(p, code, 1, 1, TU_F(0), TU_F(100e-6)), 0);
	tu_add_int_caller(p, prof, 1);
	assert_int_equal(pv_profile_begin_entry(p, mod, 1, 1, TU_F(100e-6), TU_F(100e-6)), 0);
	tu_add_int_caller(p, ghost, 1);
	assert_int_equal(pv_stats_merge(st, p, &ctx), 0);
	pv_profile_free(p);
	pv_tree *t = build(st, &exact_opts);
	check_invariants(t);
	assert_int_equal(t->total, 100);
	assert_int_equal(t->profile_total, 100);
	assert_int_equal(sum_of(t, "code1", NULL, NULL), 100);
	assert_int_equal(sum_of(t, "module", NULL, NULL), 0);
	pv_tree_free(t);
	pv_stats_free(st);
}

/* main calls 20 small functions of 1 each and one of 80: at a 5% minimum
 * the 20 are one "[20 smaller]" frame of width 20. */
static void test_tree_pruning_merges_smaller(void **state)
{
	(void)state;
	fn fns[22];
	call calls[21];
	char names[21][16];
	fns[0] = (fn){"main", 1, 0, 100};
	for (int i = 0; i < 21; i++) {
		snprintf(names[i], sizeof(names[i]), "s%d", i);
		double w = i == 20 ? 80 : 1;
		fns[i + 1] = (fn){names[i], 1, w, w};
		calls[i] = (call){"main", names[i], 1, w, w};
	}
	pv_stats *st = mk(fns, 22, calls, 21);
	pv_tree_opts o = exact_opts;
	o.min_share = 0.05;
	pv_tree *t = build(st, &o);
	check_invariants(t);
	assert_int_equal(t->total, 100);
	assert_int_equal(t->nframes, 4); /* root, main, s20, [20 smaller] */
	const pv_frame *m = &t->frames[1];
	const pv_frame *big = &t->frames[m->first_child];
	const pv_frame *small = &t->frames[big->next_sibling];
	assert_int_equal(big->weight, 80);
	assert_int_equal(small->key, PV_FRAME_SMALLER);
	assert_true(small->flags & PV_FRAME_MERGED);
	assert_int_equal(small->nmerged, 20);
	assert_int_equal(small->weight, 20);
	assert_int_equal(t->nmerged, 20);
	size_t n;
	assert_string_equal(pv_tree_name(t, (size_t)(small - t->frames), nb, &n), "[20 smaller]");
	pv_tree_free(t);

	/* the default minimum share (0.1%) keeps them all */
	o.min_share = -1;
	t = build(st, &o);
	assert_int_equal(t->nframes, 23);
	pv_tree_free(t);

	/* a frame cap of 8: the share is raised until the tree fits */
	o.max_frames = 8;
	t = build(st, &o);
	check_invariants(t);
	assert_true(t->nframes <= 8);
	assert_int_equal(t->total, 100);
	assert_true(t->min_share > 0.001);
	pv_tree_free(t);
	pv_stats_free(st);
}

/* A frame cap the share cannot meet (a chain at 100% everywhere): cut,
 * with one "[N smaller]" at the end, widths exact. */
static void test_tree_frame_cap_cuts(void **state)
{
	(void)state;
	static const fn fns[] = {
		{"a", 1, 0, 100},
		{"b", 1, 0, 100},
		{"c", 1, 0, 100},
		{"d", 1, 0, 100},
		{"e", 1, 100, 100},
	};
	static const call calls[] = {
		{"a", "b", 1, 0, 100},
		{"b", "c", 1, 0, 100},
		{"c", "d", 1, 0, 100},
		{"d", "e", 1, 100, 100},
	};
	pv_stats *st = mk(fns, 5, calls, 4);
	pv_tree_opts o = exact_opts;
	o.max_frames = 4;
	pv_tree *t = build(st, &o);
	check_invariants(t);
	assert_true(t->nframes <= 4);
	assert_int_equal(t->total, 100);
	assert_int_equal(t->frames[t->nframes - 1].key, PV_FRAME_SMALLER);
	pv_tree_free(t);
	pv_stats_free(st);
}

/* --exclude drops a frame and gives its weight to the parent's self;
 * --match keeps only the stacks through a matching frame. */
static void test_tree_match_exclude(void **state)
{
	(void)state;
	pv_stats *st = mk(single_fns, 5, single_calls, 4);
	pv_ctx ctx = {0};
	pv_select *ex, *ma;
	assert_int_equal(pv_select_new(&ex), 0);
	assert_int_equal(pv_select_new(&ma), 0);
	assert_int_equal(pv_select_add(ex, PV_SEL_EXCLUDE, "\\(x\\)", &ctx), 0);
	assert_int_equal(pv_select_add(ma, PV_SEL_MATCH, "\\(b\\)", &ctx), 0);
	pv_tree_opts o = exact_opts;
	o.exclude = ex;
	pv_tree *t = build(st, &o);
	check_invariants(t);
	assert_int_equal(t->total, 100);
	assert_int_equal(sum_of(t, "x", NULL, NULL), 0);
	assert_int_equal(frame_of(t, "main", "a")->self, 60); /* 20 + x's 40 */
	pv_tree_free(t);

	o.exclude = NULL;
	o.match = ma;
	t = build(st, &o);
	check_invariants(t);
	assert_int_equal(t->total, 30); /* main -> b -> y only */
	assert_int_equal(sum_of(t, "b", NULL, NULL), 30);
	assert_int_equal(sum_of(t, "y", NULL, NULL), 25);
	assert_int_equal(sum_of(t, "a", NULL, NULL), 0);
	assert_int_equal(sum_of(t, "main", NULL, NULL), 30);
	pv_tree_free(t);

	/* --match finds frames the minimum share would merge: at 50%, b (30)
	 * and y (25) are kept because they lead to the match */
	pv_select *my;
	assert_int_equal(pv_select_new(&my), 0);
	assert_int_equal(pv_select_add(my, PV_SEL_MATCH, "\\(y\\)", &ctx), 0);
	o.match = my;
	o.min_share = 0.5;
	t = build(st, &o);
	check_invariants(t);
	assert_int_equal(t->total, 25);
	assert_int_equal(sum_of(t, "y", NULL, NULL), 25);
	assert_int_equal(sum_of(t, "b", NULL, NULL), 25);
	pv_tree_free(t);
	pv_select_free(my);
	pv_select_free(ex);
	pv_select_free(ma);
	pv_stats_free(st);
}

/* The inverted tree: roots are functions by self time (exact), children
 * their callers by the edge's share of that self time. */
static void test_tree_inverted(void **state)
{
	(void)state;
	static const fn fns[] = {
		{"main", 1, 10, 100},
		{"a", 1, 10, 50},
		{"b", 1, 10, 50},
		{"c", 2, 70, 70},
	};
	static const call calls[] = {
		{"main", "a", 1, 10, 50},
		{"main", "b", 1, 10, 50},
		{"a", "c", 1, 40, 40},
		{"b", "c", 1, 30, 30},
	};
	pv_stats *st = mk(fns, 4, calls, 4);
	pv_tree_opts o = exact_opts;
	o.inverted = 1;
	pv_tree *t = build(st, &o);
	check_invariants(t);
	assert_int_equal(t->total, 100); /* all self time */
	const pv_frame *c = &t->frames[t->frames[0].first_child];
	size_t n;
	assert_string_equal(pv_tree_name(t, (size_t)(c - t->frames), nb, &n), "m.py:1(c)");
	assert_int_equal(c->weight, 70);
	assert_int_equal(c->self, 0);
	assert_false(c->flags & PV_FRAME_ESTIMATED);
	const pv_frame *ca = frame_of(t, "c", "a"), *cb = frame_of(t, "c", "b");
	assert_int_equal(ca->weight, 40);
	assert_int_equal(cb->weight, 30);
	assert_false(ca->flags & PV_FRAME_ESTIMATED);      /* the edge's own tt: exact */
	const pv_frame *cam = &t->frames[ca->first_child]; /* c <- a <- main */
	assert_int_equal(cam->weight, 40);
	assert_int_equal(cam->self, 40); /* main has no caller */
	assert_int_equal(t->estimated, 0);
	pv_tree_free(t);
	pv_stats_free(st);
}

/* One group per model under the root. */
static void test_tree_groups(void **state)
{
	(void)state;
	pv_stats *a = mk(single_fns, 5, single_calls, 4);
	static const fn fns[] = {{"main", 1, 50, 50}};
	pv_stats *b = mk(fns, 1, NULL, 0);
	pv_stats *sts[2] = {a, b};
	const char *names[2] = {"GET /a", "POST /b"};
	pv_tree *t = NULL;
	pv_ctx ctx = {0};
	assert_int_equal(pv_tree_build_groups(&t, sts, names, 2, &exact_opts, &ctx), 0);
	check_invariants(t);
	assert_int_equal(t->total, 150);
	assert_int_equal(t->frames[1].key, PV_FRAME_GROUP);
	assert_int_equal(t->frames[1].weight, 100);
	assert_int_equal(t->frames[2].weight, 50);
	size_t n;
	assert_string_equal(pv_tree_name(t, 2, nb, &n), "POST /b");
	assert_ptr_equal(pv_tree_stats(t, t->frames[2].first_child), b);
	pv_tree_free(t);
	pv_stats_free(a);
	pv_stats_free(b);
}

/* The bundled werkzeug sample: widths add up, the tree covers pstats'
 * total time, and the default pruning still leaves a tree. */
static void test_tree_flask_sample(void **state)
{
	(void)state;
	pv_stats *st;
	assert_int_equal(pv_stats_new(&st), 0);
	static const pv_reader *const readers[] = {&pv_reader_marshal, NULL};
	pv_load_opts lo = {.readers = readers, .threads = 1};
	pv_load_result res;
	const char *in[] = {"testdata/flask"};
	assert_int_equal(pv_load(st, in, 1, &lo, &res), 0);
	assert_int_equal(res.failed, 0);
	for (int inv = 0; inv < 2; inv++) {
		pv_tree_opts o = {.min_share = -1, .inverted = inv};
		pv_tree *t = build(st, &o);
		check_invariants(t);
		/* the roots cover the run: within 1% of pstats' total */
		assert_true(t->total * 100 >= t->profile_total * 99);
		assert_true(t->total * 100 <= t->profile_total * 101);
		assert_true(t->nframes > 20);
		assert_true(t->estimated > 0 && t->estimated < t->total);
		pv_tree_free(t);
	}
	pv_stats_free(st);
}

static void test_tree_bad_share(void **state)
{
	(void)state;
	pv_stats *st = mk(single_fns, 5, single_calls, 4);
	pv_tree_opts o = {.min_share = 1.5};
	pv_tree *t = NULL;
	pv_ctx ctx = {0};
	assert_int_equal(pv_tree_build(&t, st, &o, &ctx), PV_EARG);
	assert_null(t);
	assert_non_null(strstr(ctx.msg, "minimum share"));
	pv_stats_free(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tree_single_callers_exact),
		cmocka_unit_test(test_tree_snakeviz112),
		cmocka_unit_test(test_tree_million_deep_chain),
		cmocka_unit_test(test_tree_recursion_folded),
		cmocka_unit_test(test_tree_roots_without_callerless),
		cmocka_unit_test(test_tree_profile_module_roots),
		cmocka_unit_test(test_tree_pruning_merges_smaller),
		cmocka_unit_test(test_tree_frame_cap_cuts),
		cmocka_unit_test(test_tree_match_exclude),
		cmocka_unit_test(test_tree_inverted),
		cmocka_unit_test(test_tree_groups),
		cmocka_unit_test(test_tree_flask_sample),
		cmocka_unit_test(test_tree_bad_share),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
