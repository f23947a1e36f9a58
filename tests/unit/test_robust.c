/*
 * test_robust.c - the reader and everything after it on hostile bytes:
 * every truncation point of several real dumps, thousands of seeded random
 * byte changes, and the corrupt files of testdata/bad, all with the address
 * space limited to 512 MiB (not under ASan, which reserves more).  Each run
 * must end in 0 or a format/limit error whose message gives a byte offset;
 * a crash, a hang or an allocation past the limit fails the test.
 */
#include <dirent.h>
#include <sys/resource.h>

#include "testutil.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

static const char *const dumps[] = {
	"testdata/cprofile/py311/prog_recursion.prof", /* cProfile, v4 refs */
	"testdata/marshal/v0.prof",                    /* text floats, u strings */
	"testdata/py27/cprofile_prog_generators.prof", /* Python 2: t and R */
	"testdata/profile/py313/prog_generators.prof", /* int callers, code object */
	"testdata/edge/refs_everywhere.prof",          /* hand-made references */
};

static void limit_memory(void)
{
#ifndef UNDER_ASAN
	if (getenv("PV_NO_RLIMIT")) /* valgrind needs the address space */
		return;
	struct rlimit rl = {512u << 20, 512u << 20};
	setrlimit(RLIMIT_AS, &rl);
#endif
}

static int slurp(const char *path, tu_buf *b)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return -1;
	memset(b, 0, sizeof(*b));
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		tu_raw(b, chunk, n);
	fclose(fp);
	return 0;
}

/* Read, merge and report; the outcome must be one the CLI can print. */
static int run_all(const unsigned char *p, size_t n)
{
	tu_load l;
	int rc = tu_read(&l, p, n), merging = rc == 0;
	if (merging) /* merge errors (shapes, sums past 2^126) have no offset */
		rc = l.rc = pv_stats_merge(l.st, l.prof, &l.ctx);
	if (rc == 0) {
		pv_sort *s = NULL;
		pv_view v;
		pv_ctx ctx = {0};
		assert_int_equal(pv_sort_parse(&s, "stdname", &ctx), 0);
		assert_int_equal(pv_view_build(&v, l.st, s, NULL, &ctx), 0);
		FILE *null = fopen("/dev/null", "w");
		assert_non_null(null);
		pv_write_opts o = {.callers = 1, .callees = 1, .stats = 1};
		pv_views vs = {.mode = PV_MODE_STATS, .st = l.st, .view = &v};
		assert_int_equal(pv_writer_text.write(null, &vs, &o, &ctx), 0);
		assert_int_equal(pv_writer_callgrind.write(null, &vs, &o, &ctx), 0);
		fclose(null);
		pv_view_clear(&v);
		pv_sort_free(s);
	} else {
		if (rc != PV_EFORMAT && rc != PV_ELIMIT && rc != PV_ESHAPE)
			fail_msg("unexpected code %d: %s", rc, l.ctx.msg);
		if (!merging && !strstr(l.ctx.msg, ": byte "))
			fail_msg("no byte offset in '%s'", l.ctx.msg);
	}
	tu_load_free(&l);
	return rc;
}

static void test_robust_every_prefix(void **state)
{
	(void)state;
	limit_memory();
	for (size_t f = 0; f < sizeof(dumps) / sizeof(dumps[0]); f++) {
		tu_buf b;
		assert_int_equal(slurp(dumps[f], &b), 0);
		assert_int_equal(run_all(b.p, b.len), 0); /* the whole file reads */
		for (size_t n = 0; n < b.len; n++) {
			tu_load l;
			/* a cut dump lacks at least the dict's end: always an error */
			int rc = tu_read(&l, b.p, n);
			if (rc != PV_EFORMAT && rc != PV_ELIMIT)
				fail_msg("%s cut at %zu: code %d", dumps[f], n, rc);
			if (!strstr(l.ctx.msg, ": byte "))
				fail_msg("%s cut at %zu: no offset in '%s'", dumps[f], n, l.ctx.msg);
			tu_load_free(&l);
		}
		tu_free(&b);
	}
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void test_robust_random_changes(void **state)
{
	(void)state;
	limit_memory();
	static const unsigned char interesting[] = {0x00, 0x7f, 0x80, 0xff, '{', '}', '(', ')', 'r',
						    'R', 'l', 'i', 'g', 'z', 'u', 't', '0', 0xfb};
	size_t runs = 0, ok = 0;
	for (size_t f = 0; f < sizeof(dumps) / sizeof(dumps[0]); f++) {
		tu_buf b;
		assert_int_equal(slurp(dumps[f], &b), 0);
		unsigned char *m = malloc(b.len + 8);
		assert_non_null(m);
		for (int k = 0; k < 1500; k++) {
			memcpy(m, b.p, b.len);
			size_t n = b.len;
			int changes = 1 + (int)(next() % 4);
			for (int c = 0; c < changes; c++) {
				size_t at = (size_t)(next() % n);
				switch (next() % 4) {
				case 0: m[at] ^= (unsigned char)(1u << (next() % 8)); break;
				case 1: m[at] = interesting[next() % sizeof(interesting)]; break;
				case 2: m[at] = (unsigned char)next(); break;
				default: /* a length or count field gone wild */
					if (at + 4 <= n) {
						uint32_t v = (uint32_t)next();
						memcpy(m + at, &v, 4);
					}
				}
			}
			if (next() % 5 == 0)
				n = (size_t)(next() % n); /* and cut */
			ok += run_all(m, n) == 0;
			runs++;
		}
		free(m);
		tu_free(&b);
	}
	print_message("%zu changed dumps, %zu still read\n", runs, ok);
}

/* Every file of a directory through run_all; returns how many. */
static size_t run_dir(const char *dir)
{
	DIR *d = opendir(dir);
	assert_non_null(d);
	struct dirent *e;
	size_t n = 0;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		if (l < 5 || strcmp(e->d_name + l - 5, ".prof"))
			continue;
		char path[512];
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		tu_buf b;
		assert_int_equal(slurp(path, &b), 0);
		run_all(b.p, b.len);
		tu_free(&b);
		n++;
	}
	closedir(d);
	return n;
}

static void test_robust_bad_files_bounded(void **state)
{
	(void)state;
	limit_memory();
	assert_true(run_dir("testdata/bad") >= 30);
}

/* What the fuzzers and reviews found (testdata/fuzz/README.md): each file
 * once crashed, overflowed or hung; each must now end promptly. */
static void test_robust_fuzz_findings(void **state)
{
	(void)state;
	limit_memory();
	assert_true(run_dir("testdata/fuzz") >= 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_robust_every_prefix),
		cmocka_unit_test(test_robust_random_changes),
		cmocka_unit_test(test_robust_bad_files_bounded),
		cmocka_unit_test(test_robust_fuzz_findings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
