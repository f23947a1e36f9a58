/*
 * test_walk.c - inputs found in a directory walk (lib/load.c): a file that
 * vanishes between the listing and the read stays quiet but is counted; a
 * file that exists and cannot be read is reported (a dangling link), the
 * other files still read.
 */
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

static char dir[64];

static void copy(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	assert_non_null(in);
	assert_non_null(out);
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		assert_int_equal(fwrite(buf, 1, n, out), n);
	fclose(in);
	assert_int_equal(fclose(out), 0);
}

static char *at(const char *name)
{
	static char p[160];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return p;
}

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/pv-test-walk-XXXXXX");
	assert_non_null(mkdtemp(dir));
	copy("testdata/edge/single_entry.prof", at("a.prof"));
	copy("testdata/edge/single_entry.prof", at("gone.prof"));
	copy("testdata/edge/single_entry.prof", at("z.prof"));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	const char *names[] = {"a.prof", "gone.prof", "z.prof", "dangling.prof", "x.pstats", "y.prof.gz"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		unlink(at(names[i]));
	rmdir(dir);
	return 0;
}

static int errors;
static char lasterr[1024];

static void on_error(const pv_ctx *ctx, void *arg)
{
	(void)arg;
	errors++;
	snprintf(lasterr, sizeof(lasterr), "%s", ctx->msg);
}

/* The want hook runs when the walk has listed the files and before they
 * are read: removing one there is a file vanishing during a live walk. */
static int remove_gone(void *arg, const char *name)
{
	(void)arg;
	if (!strcmp(name, "gone.prof"))
		unlink(at("gone.prof"));
	return 1;
}

static void test_walk_vanished_file_counted_not_reported(void **state)
{
	(void)state;
	static const pv_reader *const readers[] = {&pv_reader_marshal, NULL};
	for (int threads = 1; threads <= 2; threads++) {
		copy("testdata/edge/single_entry.prof", at("gone.prof"));
		pv_load_opts o = {.readers = readers, .on_error = on_error, .want = remove_gone, .threads = threads};
		pv_load_result res;
		pv_stats *st;
		errors = 0;
		assert_int_equal(pv_stats_new(&st), 0);
		const char *in[] = {dir};
		assert_int_equal(pv_load(st, in, 1, &o, &res), 0);
		assert_int_equal(errors, 0);
		assert_int_equal(res.failed, 0);
		assert_int_equal(res.vanished, 1);
		assert_int_equal(res.files, 2);
		pv_stats_free(st);
	}
}

/* A named file that does not exist is an error, not a vanished one. */
static void test_walk_named_missing_is_an_error(void **state)
{
	(void)state;
	static const pv_reader *const readers[] = {&pv_reader_marshal, NULL};
	pv_load_opts o = {.readers = readers, .on_error = on_error};
	pv_load_result res;
	pv_stats *st;
	errors = 0;
	assert_int_equal(pv_stats_new(&st), 0);
	char a[160], m[160];
	snprintf(a, sizeof(a), "%s", at("a.prof"));
	snprintf(m, sizeof(m), "%s", at("missing.prof"));
	const char *in[] = {a, m};
	assert_int_equal(pv_load(st, in, 2, &o, &res), 0);
	assert_int_equal(errors, 1);
	assert_int_equal(res.failed, 1);
	assert_int_equal(res.vanished, 0);
	assert_non_null(strstr(lasterr, "missing.prof: No such file or directory"));
	pv_stats_free(st);
}

/* A dangling *.prof link in a walked directory is reported (one error,
 * naming it) and the other files are still read. */
static void test_walk_reports_dangling_link(void **state)
{
	(void)state;
	static const pv_reader *const readers[] = {&pv_reader_marshal, NULL};
	copy("testdata/edge/single_entry.prof", at("gone.prof"));
	assert_int_equal(symlink("nowhere.prof", at("dangling.prof")), 0);
	for (int threads = 1; threads <= 2; threads++) {
		pv_load_opts o = {.readers = readers, .on_error = on_error, .threads = threads};
		pv_load_result res;
		pv_stats *st;
		errors = 0;
		assert_int_equal(pv_stats_new(&st), 0);
		const char *in[] = {dir};
		assert_int_equal(pv_load(st, in, 1, &o, &res), 0);
		assert_int_equal(res.files, 3);
		assert_int_equal(res.failed, 1);
		assert_int_equal(errors, 1);
		assert_non_null(strstr(lasterr, "dangling.prof: dangling symbolic link"));
		pv_stats_free(st);
	}
}

/* Which names a walk reads comes from the registered readers' and
 * containers' suffixes: a reader declaring ".pstats" makes the walk read
 * x.pstats and nothing else (the directory's *.prof are not its). */
static int pstats_sniff(const unsigned char *buf, size_t len)
{
	return pv_reader_marshal.sniff(buf, len);
}

static int pstats_read(pv_ctx *ctx, pv_stats *st, pv_profile *out, const unsigned char *buf,
		       size_t len)
{
	return pv_reader_marshal.read(ctx, st, out, buf, len);
}

static void test_walk_reads_the_declared_suffixes(void **state)
{
	(void)state;
	static const char *const sfx[] = {".pstats", NULL};
	static const pv_reader pstats = {
		.name = "pstats-named", .suffixes = sfx, .sniff = pstats_sniff, .read = pstats_read};
	static const pv_reader *const mine[] = {&pstats, NULL};
	static const pv_reader *const readers[] = {&pv_reader_marshal, NULL};
	static const pv_container *const containers[] = {&pv_container_archive, NULL};
	copy("testdata/edge/single_entry.prof", at("x.pstats"));
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "gzip -c testdata/edge/single_entry.prof > %s", at("y.prof.gz"));
	assert_int_equal(system(cmd), 0);
	unlink(at("dangling.prof"));
	struct {
		const pv_reader *const *readers;
		const pv_container *const *containers;
		size_t files;
	} cases[] = {
		{mine, NULL, 1},          /* x.pstats */
		{readers, NULL, 3},       /* a, gone, z.prof */
		{readers, containers, 4}, /* and y.prof.gz */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		copy("testdata/edge/single_entry.prof", at("gone.prof"));
		pv_load_opts o = {.readers = cases[i].readers, .containers = cases[i].containers, .on_error = on_error};
		pv_load_result res;
		pv_stats *st;
		errors = 0;
		assert_int_equal(pv_stats_new(&st), 0);
		const char *in[] = {dir};
		assert_int_equal(pv_load(st, in, 1, &o, &res), 0);
		assert_int_equal(errors, 0);
		assert_int_equal(res.files, cases[i].files);
		pv_stats_free(st);
	}
	unlink(at("x.pstats"));
	unlink(at("y.prof.gz"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_walk_vanished_file_counted_not_reported),
		cmocka_unit_test(test_walk_named_missing_is_an_error),
		cmocka_unit_test(test_walk_reports_dangling_link),
		cmocka_unit_test(test_walk_reads_the_declared_suffixes),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
