/*
 * test_pprof.c - formats/protobuf.c (the wire encoder behind -f pprof) and
 * lib/treefit.c (pv_tree_opts.exact: every function's self times add up to
 * its tottime).  tests/pprof/ reads whole exports with go tool pprof.
 */
#include "testutil.h"

#include "../../formats/protobuf.h"

static void expect_bytes(const pb_buf *p, const uint8_t *want, size_t n)
{
	assert_false(p->failed);
	assert_int_equal(p->n, n);
	assert_memory_equal(p->b, want, n);
}

static void test_pprof_varints(void **state)
{
	(void)state;
	static const struct {
		uint64_t v;
		size_t n;
		uint8_t b[10];
	} cases[] = {
		{0, 1, {0x00}},
		{1, 1, {0x01}},
		{127, 1, {0x7f}},
		{128, 2, {0x80, 0x01}},
		{300, 2, {0xac, 0x02}}, /* the protobuf guide's example */
		{16384, 3, {0x80, 0x80, 0x01}},
		{UINT64_MAX, 10, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pb_buf p = {0};
		pb_varint(&p, cases[i].v);
		expect_bytes(&p, cases[i].b, cases[i].n);
		assert_int_equal(pb_varint_size(cases[i].v), cases[i].n);
		pb_free(&p);
	}
	/* int64 -1: two's complement, ten bytes; a field key: number << 3 | type */
	pb_buf p = {0};
	pb_int(&p, 14, -1);
	static const uint8_t neg[] = {0x70, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
	expect_bytes(&p, neg, sizeof(neg));
	pb_free(&p);
}

static void test_pprof_packed(void **state)
{
	(void)state;
	pb_buf p = {0};
	uint64_t v[] = {3, 270, 86942};
	pb_packed(&p, 4, v, 3);
	/* the guide's packed example: key 0x22, length 6, then the varints */
	static const uint8_t want[] = {0x22, 0x06, 0x03, 0x8e, 0x02, 0x9e, 0xa7, 0x05};
	expect_bytes(&p, want, sizeof(want));
	pb_packed(&p, 4, v, 0); /* empty: nothing at all */
	assert_int_equal(p.n, sizeof(want));
	pb_free(&p);
}

static void test_pprof_messages(void **state)
{
	(void)state;
	pb_buf p = {0};
	size_t at = pb_begin(&p, 2);
	pb_uint(&p, 1, 150);
	pb_end(&p, at);
	static const uint8_t small[] = {0x12, 0x03, 0x08, 0x96, 0x01};
	expect_bytes(&p, small, sizeof(small));
	pb_free(&p);
	/* a body of 200 bytes: the length takes two bytes, the body moves */
	char s[197];
	memset(s, 'x', sizeof(s));
	at = pb_begin(&p, 5);
	pb_bytes(&p, 2, s, sizeof(s));
	pb_end(&p, at);
	assert_false(p.failed);
	assert_int_equal(p.n, 1 + 2 + 200);
	static const uint8_t head[] = {0x2a, 0xc8, 0x01, 0x12, 0xc5, 0x01, 'x'};
	assert_memory_equal(p.b, head, sizeof(head));
	assert_int_equal(p.b[p.n - 1], 'x');
	pb_free(&p);
}

static void test_pprof_string_table(void **state)
{
	(void)state;
	pb_strtab t;
	assert_int_equal(pb_strtab_init(&t, 6), 0);
	assert_int_equal(pb_str(&t, "", 0), 0);
	assert_int_equal(pb_str(&t, "wall", 4), 1);
	assert_int_equal(pb_str(&t, "nanoseconds", 11), 2);
	assert_int_equal(pb_str(&t, "wall", 4), 1); /* once each */
	assert_int_equal(t.n, 3);
	/* entry 0 is "" (field 6, length 0), then the others in order */
	static const uint8_t want[] = {0x32, 0x00, 0x32, 0x04, 'w', 'a', 'l', 'l', 0x32, 0x0b,
				       'n', 'a', 'n', 'o', 's', 'e', 'c', 'o', 'n', 'd', 's'};
	expect_bytes(&t.enc, want, sizeof(want));
	pb_strtab_free(&t);
}

static const pv_reader *const readers[] = {&pv_reader_marshal, NULL};

static void on_error(const pv_ctx *ctx, void *arg)
{
	(void)arg;
	fail_msg("load error: %s", ctx->msg);
}

/* exact: per function, the frames' self nanoseconds add up to its tottime
 * and their calls to ncalls, pruned or not; the weights stay sums */
static void check_exact(double min_share, size_t max_frames)
{
	const char *input = "testdata/flask";
	pv_stats *st;
	pv_load_result res;
	pv_load_opts lo = {.readers = readers, .on_error = on_error, .threads = 1};
	assert_int_equal(pv_stats_new(&st), 0);
	assert_int_equal(pv_load(st, &input, 1, &lo, &res), 0);
	pv_tree_opts o = {.min_share = min_share, .max_frames = max_frames, .exact = 1, .tick_ns = 1};
	pv_tree *t;
	pv_ctx ctx = {0};
	assert_int_equal(pv_tree_build(&t, st, &o, &ctx), 0);
	size_t n = pv_stats_nentries(st);
	uint64_t *self = calloc(n, sizeof(*self));
	double *calls = calloc(n, sizeof(*calls));
	assert_non_null(self);
	assert_non_null(calls);
	uint64_t total = 0;
	for (size_t i = 1; i < t->nframes; i++) {
		const pv_frame *f = &t->frames[i];
		uint64_t kids = 0;
		for (uint32_t c = f->first_child; c != PV_NOFRAME; c = t->frames[c].next_sibling)
			kids += t->frames[c].weight;
		assert_true(f->weight == f->self + kids);
		if (f->key >= PV_FRAME_GROUP) {
			assert_int_equal(f->self, 0);
			continue;
		}
		long e = pv_stats_find(st, f->key);
		assert_true(e >= 0);
		self[e] += f->self;
		calls[e] += f->calls;
	}
	for (size_t i = 0; i < n; i++) {
		const pv_entry *e = pv_stats_entry(st, i);
		assert_true(self[i] == pv_time_ns(pv_entry_tt(e), NULL));
		assert_true(calls[i] == (double)pv_entry_nc(e));
		total += self[i];
	}
	assert_true(t->total == total);
	pv_tree_free(t);
	free(self);
	free(calls);
	pv_stats_free(st);
}

static void test_pprof_tree_exact(void **state)
{
	(void)state;
	check_exact(0, 0);      /* unpruned (-f pprof's default) */
	check_exact(0.01, 0);   /* "[N smaller]" frames give their self back */
	check_exact(0.001, 40); /* cut to a few frames: functions without one */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pprof_varints),
		cmocka_unit_test(test_pprof_packed),
		cmocka_unit_test(test_pprof_messages),
		cmocka_unit_test(test_pprof_string_table),
		cmocka_unit_test(test_pprof_tree_exact),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
