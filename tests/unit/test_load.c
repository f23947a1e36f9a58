/*
 * test_load.c - pv_load over archives: one decompression pass whatever
 * the spill budget, the directory's bytes, members in pstats' order among
 * other inputs, and the packed form of a profile (pv_profile_pack/unpack).
 *
 * Archives are made with tar from testdata/flask (run from the repository
 * root, as `make unit` does) in a temporary directory.
 */
#include <stdlib.h>
#include <unistd.h>

#include "testutil.h"
#include "../../lib/internal.h"

/* pv_container_archive with every open counted: each decompression pass
 * over an archive starts with one. */
static int opens;

static int counting_open(void **h, const char *path, int fd, const unsigned char *head,
			 size_t headlen, const pv_limits *lim, pv_ctx *ctx)
{
	opens++;
	return pv_container_archive.open(h, path, fd, head, headlen, lim, ctx);
}

static pv_container counting_archive; /* pv_container_archive, counting_open */
static char tmpdir[] = "/tmp/pv-test-load-XXXXXX";
static char tgz[64], tzst[64], plain[64], tarf[64], paxdir[64], paxf[64], paxgz[64], linkf[64],
	linkgz[64];
static int threads = 1; /* load_report's parsing threads */

static void on_error(const pv_ctx *ctx, void *arg)
{
	(void)arg;
	fail_msg("unexpected error: %s", ctx->msg);
}

/* The report (stdname order, callers too) of the inputs loaded with the
 * given spill budget; the caller frees it. */
static char *load_report(const char *const *in, size_t n, size_t budget, size_t *files)
{
	static const pv_reader *const readers[] = {&pv_reader_marshal, NULL};
	const pv_container *const containers[] = {&counting_archive, NULL};
	pv_load_opts o = {.readers = readers, .containers = containers, .on_error = on_error, .cache_bytes = budget, .threads = threads};
	pv_load_result res;
	pv_stats *st;
	pv_ctx ctx = {0};
	pv_sort *so;
	pv_view v;
	assert_int_equal(pv_stats_new(&st), 0);
	assert_int_equal(pv_load(st, in, n, &o, &res), 0);
	assert_int_equal(res.failed, 0);
	*files = res.files;
	assert_int_equal(pv_sort_parse(&so, "stdname", &ctx), 0);
	assert_int_equal(pv_view_build(&v, st, so, NULL, &ctx), 0);
	tu_mem m;
	tu_mem_open(&m);
	pv_write_opts wo = {.stats = 1, .callers = 1};
	pv_views vs = {.mode = PV_MODE_STATS, .st = st, .view = &v};
	assert_int_equal(pv_writer_text.write(m.fp, &vs, &wo, &ctx), 0);
	tu_mem_close(&m);
	pv_view_clear(&v);
	pv_sort_free(so);
	pv_stats_free(st);
	return m.buf;
}

/* Members that exceed the budget many times over (1 byte: every member to
 * the temporary file; 40 KB: a few in memory, the rest in the file): the
 * archive is decompressed once and gives the directory's bytes. */
static void test_one_pass_whatever_the_budget(void **state)
{
	(void)state;
	const char *dir[] = {"testdata/flask"};
	size_t nd, na;
	char *want = load_report(dir, 1, 0, &nd);
	assert_true(nd > 10);
	const size_t budgets[] = {1, 40000, 0};
	const char *const archives[] = {tgz, tzst};
	for (size_t a = 0; a < 2; a++)
		for (size_t b = 0; b < 3; b++) {
			const char *in[] = {archives[a]};
			opens = 0;
			char *got = load_report(in, 1, budgets[b], &na);
			assert_int_equal(opens, 1);
			assert_int_equal(na, nd);
			assert_string_equal(got, want);
			free(got);
		}
	free(want);
}

/* An archive among other inputs: pstats' order over the whole list (the
 * first input, then the rest from the last back) treats each member as
 * the file it was. */
static void test_members_in_merge_order(void **state)
{
	(void)state;
	const char *as_dirs[] = {"testdata/flask", plain, "testdata/flask"};
	const char *mixed[] = {tgz, plain, tzst};
	size_t n1, n2;
	char *want = load_report(as_dirs, 3, 0, &n1);
	opens = 0;
	char *got = load_report(mixed, 3, 1, &n2);
	assert_int_equal(opens, 2);
	assert_int_equal(n1, n2);
	assert_string_equal(got, want);
	free(got);
	free(want);
}

/* An uncompressed tar in a regular file: its members are located (one
 * open, headers only) and read in place, on one thread or two, giving the
 * directory's bytes. */
static void test_uncompressed_tar_in_place(void **state)
{
	(void)state;
	const char *dir[] = {"testdata/flask"}, *in[] = {tarf};
	size_t nd, na;
	char *want = load_report(dir, 1, 0, &nd);
	for (threads = 1; threads <= 2; threads++) {
		opens = 0;
		char *got = load_report(in, 1, 1, &na);
		assert_int_equal(opens, 1);
		assert_int_equal(na, nd);
		assert_string_equal(got, want);
		free(got);
	}
	threads = 1;
	free(want);
}

/* POSIX (pax) headers for names past 100 bytes, a directory and a member
 * that is no profile between the profiles: each located where its data
 * starts, the same bytes as the directory and as the same tar gzipped
 * (read as usual). */
static void test_in_place_pax_headers(void **state)
{
	(void)state;
	const char *dir[] = {paxdir}, *in[] = {paxf}, *gz[] = {paxgz};
	size_t nd, na, ng;
	char *want = load_report(dir, 1, 0, &nd);
	opens = 0;
	char *got = load_report(in, 1, 0, &na);
	assert_int_equal(opens, 1);
	char *usual = load_report(gz, 1, 0, &ng);
	assert_int_equal(na, nd);
	assert_int_equal(ng, nd);
	assert_string_equal(got, want);
	assert_string_equal(usual, want);
	free(got);
	free(usual);
	free(want);
}

/* A member that cannot be read in place (a hard link, whose data is its
 * target's): the archive is read again as usual, and the report is the
 * one the same tar gzipped gives. */
static void test_in_place_falls_back(void **state)
{
	(void)state;
	const char *in[] = {linkf}, *gz[] = {linkgz};
	size_t na, ng;
	opens = 0;
	char *got = load_report(in, 1, 0, &na);
	assert_int_equal(opens, 2);
	char *want = load_report(gz, 1, 0, &ng);
	assert_int_equal(na, ng);
	assert_string_equal(got, want);
	free(got);
	free(want);
}

/* pack then unpack gives a profile that merges to the same model. */
static void test_pack_round_trip(void **state)
{
	(void)state;
	tu_buf f = {0};
	FILE *fp = fopen("testdata/cprofile/py311/prog_recursion.prof", "rb");
	assert_non_null(fp);
	unsigned char chunk[4096];
	size_t got;
	while ((got = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		tu_raw(&f, chunk, got);
	fclose(fp);
	pv_stats *st;
	pv_profile *p, *q;
	pv_ctx ctx = {0};
	assert_int_equal(pv_stats_new(&st), 0);
	assert_int_equal(pv_profile_new(&p), 0);
	assert_int_equal(pv_profile_new(&q), 0);
	assert_int_equal(pv_reader_marshal.read(&ctx, st, p, f.p, f.len), 0);
	unsigned char *buf = NULL;
	size_t len = 3, cap = 0; /* appends after what is there */
	assert_int_equal(pv_grow(&buf, &cap, 3, 1), 0);
	assert_int_equal(pv_profile_pack(p, &buf, &len, &cap), 0);
	assert_true(len < f.len); /* smaller than the dump */
	assert_int_equal(pv_profile_unpack(q, buf + 3, len - 3), 0);
	assert_int_equal(pv_profile_nentries(q), pv_profile_nentries(p));
	for (size_t i = 0; i < pv_profile_nentries(p); i++) {
		uint32_t k1, k2;
		pv_int a1, a2, b1, b2;
		pv_num t1, t2, c1, c2;
		pv_profile_get(p, i, &k1, &a1, &b1, &t1, &c1);
		pv_profile_get(q, i, &k2, &a2, &b2, &t2, &c2);
		assert_true(k1 == k2 && a1 == a2 && b1 == b2);
		assert_memory_equal(&t1.f, &t2.f, 8);
		assert_memory_equal(&c1.f, &c2.f, 8);
	}
	/* truncated or padded bytes are refused, never read past */
	for (size_t cut = 0; cut < len - 3; cut += 7)
		assert_int_equal(pv_profile_unpack(q, buf + 3, cut), PV_EFORMAT);
	free(buf);
	tu_free(&f);
	pv_profile_free(p);
	pv_profile_free(q);
	pv_stats_free(st);
}

/* Every kind of number survives pack and unpack bit for bit: Python ints
 * past 64 bits, negative ones, nanosecond multiples, -0.0, NaN, infinities,
 * subnormals, floats that are no multiple of 1e-9. */
static void test_pack_numbers(void **state)
{
	(void)state;
	const double f[] = {0.0, -0.0, 1e-9, 1.618e-6, 0.1, 1.0 / 3, -2.5e-7, 5e-324,
			    1e300, -1e300, 9007199.254740993, __builtin_inf(), -__builtin_inf(),
			    __builtin_nan("")};
	const size_t nf = sizeof(f) / sizeof(f[0]);
	pv_profile *p, *q;
	assert_int_equal(pv_profile_new(&p), 0);
	assert_int_equal(pv_profile_new(&q), 0);
	pv_int big = (pv_int)1 << 100;
	for (size_t i = 0; i < nf; i++) {
		pv_num tt = pv_num_from_double(f[i]);
		pv_num ct = i % 2 ? pv_num_from_int(-big + (pv_int)i) : pv_num_from_double(f[nf - 1 - i]);
		assert_int_equal(pv_profile_begin_entry(p, (uint32_t)i * 1000, big - (pv_int)i,
							-(pv_int)i, tt, ct),
				 0);
		pv_caller e = {.caller = (uint32_t)(nf - i), .is_tuple = (int)(i % 3 != 0), .nc = (pv_int)i << 70, .cc = -(pv_int)i, .tt = ct, .ct = tt};
		assert_int_equal(pv_profile_add_caller(p, &e), 0);
	}
	unsigned char *buf = NULL;
	size_t len = 0, cap = 0;
	assert_int_equal(pv_profile_pack(p, &buf, &len, &cap), 0);
	assert_true(len <= pv_profile_pack_bound(p));
	assert_int_equal(pv_profile_unpack(q, buf, len), 0);
	assert_int_equal(pv_profile_nentries(q), nf);
	for (size_t i = 0; i < nf; i++) {
		uint32_t k1, k2;
		pv_int a1, a2, b1, b2;
		pv_num t1, t2, c1, c2;
		pv_profile_get(p, i, &k1, &a1, &b1, &t1, &c1);
		pv_profile_get(q, i, &k2, &a2, &b2, &t2, &c2);
		assert_true(k1 == k2 && a1 == a2 && b1 == b2);
		assert_int_equal(t1.is_int, t2.is_int);
		assert_int_equal(c1.is_int, c2.is_int);
		assert_memory_equal(&t1.f, &t2.f, 8);
		assert_true(c1.is_int ? c1.i == c2.i : memcmp(&c1.f, &c2.f, 8) == 0);
	}
	/* and the model merged from each is the same (edges included) */
	pv_stats *s1, *s2;
	pv_ctx ctx = {0};
	assert_int_equal(pv_stats_new(&s1), 0);
	assert_int_equal(pv_stats_new(&s2), 0);
	for (uint32_t k = 0; k <= nf * 1000; k++) { /* key ids the profile names */
		uint32_t id;
		char name[16];
		snprintf(name, sizeof(name), "f%u", k);
		assert_int_equal(pv_stats_intern_str(s1, name, strlen(name), &id), 0);
		assert_int_equal(pv_stats_intern_str(s2, name, strlen(name), &id), 0);
		assert_int_equal(pv_stats_intern_key(s1, id, 1, id, &id), 0);
		assert_int_equal(pv_stats_intern_key(s2, id, 1, id, &id), 0);
	}
	assert_int_equal(pv_stats_merge(s1, p, &ctx), 0);
	assert_int_equal(pv_stats_merge(s2, q, &ctx), 0);
	assert_int_equal(pv_stats_nentries(s1), pv_stats_nentries(s2));
	for (size_t i = 0; i < pv_stats_nentries(s1); i++) {
		const pv_entry *e1 = pv_stats_entry(s1, i), *e2 = pv_stats_entry(s2, i);
		assert_int_equal(e1->ncallers, e2->ncallers);
		const pv_edge *g1 = pv_stats_edge(s1, e1->first_edge), *g2 = pv_stats_edge(s2, e2->first_edge);
		assert_true(g1->caller == g2->caller && pv_edge_nc(g1) == pv_edge_nc(g2) && pv_edge_cc(g1) == pv_edge_cc(g2) &&
			    g1->is_tuple == g2->is_tuple);
		tu_same_bits(pv_edge_tt(g1).f, pv_edge_tt(g2).f);
	}
	pv_stats_free(s1);
	pv_stats_free(s2);
	free(buf);
	pv_profile_free(p);
	pv_profile_free(q);
}

int main(void)
{
	counting_archive = pv_container_archive;
	counting_archive.open = counting_open;
	if (!mkdtemp(tmpdir))
		return 1;
	snprintf(tgz, sizeof(tgz), "%s/d.tar.gz", tmpdir);
	snprintf(tzst, sizeof(tzst), "%s/d.tar.zst", tmpdir);
	snprintf(plain, sizeof(plain), "%s/one.prof", tmpdir);
	snprintf(tarf, sizeof(tarf), "%s/d.tar", tmpdir);
	snprintf(paxdir, sizeof(paxdir), "%s/pax", tmpdir);
	snprintf(paxf, sizeof(paxf), "%s/pax.tar", tmpdir);
	snprintf(paxgz, sizeof(paxgz), "%s/pax.tar.gz", tmpdir);
	snprintf(linkf, sizeof(linkf), "%s/link.tar", tmpdir);
	snprintf(linkgz, sizeof(linkgz), "%s/link.tar.gz", tmpdir);
	char cmd[2048];
	snprintf(cmd, sizeof(cmd),
		 "tar -C testdata --sort=name -czf %s flask && tar -C testdata --sort=name --zstd "
		 "-cf %s flask && cp testdata/cprofile/py311/prog_recursion.prof %s && "
		 "tar -C testdata --sort=name -cf %s flask && "
		 /* pax: a long directory name, a file that is no profile, an empty directory */
		 "L=%s/a_directory_name_long_enough_that_the_paths_below_it_pass_the_hundred_bytes_"
		 "of_a_ustar_name_field && mkdir -p $L/empty && cp testdata/flask/*.prof $L && "
		 "echo not a profile > $L/README.txt && "
		 "tar -C %s --sort=name --format=posix -cf %s . && gzip -c %s > %s && "
		 /* a hard link: its data is its target's */
		 "mkdir %s/ln && cp testdata/flask/*.prof %s/ln && "
		 "ln %s/ln/$(ls testdata/flask | head -1) %s/ln/zz_link.prof && "
		 "tar -C %s --sort=name -cf %s ln && gzip -c %s > %s",
		 tgz, tzst, plain, tarf, paxdir, paxdir, paxf, paxf, paxgz, tmpdir, tmpdir, tmpdir,
		 tmpdir, tmpdir, linkf, linkf, linkgz);
	if (system(cmd) != 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_pass_whatever_the_budget),
		cmocka_unit_test(test_members_in_merge_order),
		cmocka_unit_test(test_uncompressed_tar_in_place),
		cmocka_unit_test(test_in_place_pax_headers),
		cmocka_unit_test(test_in_place_falls_back),
		cmocka_unit_test(test_pack_round_trip),
		cmocka_unit_test(test_pack_numbers),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		rc = 1;
	return rc;
}
