/*
 * test_uring.c - the read-ahead (lib/uring.c): a whole small regular file
 * comes back with its bytes; anything else - empty, larger than the read
 * asked for, a FIFO (whose bytes stay unread), a symbolic link, a
 * directory, a missing file - is left to the usual read, which reports it
 * as it always did (pv_read_input: VANISHED, "a FIFO, not read").  Where
 * the kernel offers no io_uring the read-ahead is NULL and these say so.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

#include "../../lib/loader.h"

static char dir[64];

static char *at(const char *name)
{
	static char p[64][160]; /* sources point at these: not reused soon */
	static int k;
	k = (k + 1) % 64;
	snprintf(p[k], sizeof(p[k]), "%s/%s", dir, name);
	return p[k];
}

static void put(const char *name, size_t n, unsigned char fill)
{
	FILE *f = fopen(at(name), "wb");
	assert_non_null(f);
	for (size_t i = 0; i < n; i++)
		fputc((int)(unsigned char)(fill + i % 7), f);
	assert_int_equal(fclose(f), 0);
}

static int fifo_fd = -1;

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/pv-test-uring-XXXXXX");
	assert_non_null(mkdtemp(dir));
	put("ok.prof", 5000, 'a');
	put("ok2.prof", 3000, 'k');
	put("empty.prof", 0, 0);
	put("big.prof", 200000, 'b');
	assert_int_equal(mkfifo(at("fifo.prof"), 0600), 0);
	/* both ends held here: the FIFO holds bytes nobody may take */
	fifo_fd = open(at("fifo.prof"), O_RDWR | O_NONBLOCK);
	assert_true(fifo_fd >= 0);
	assert_int_equal(write(fifo_fd, "data", 4), 4);
	assert_int_equal(symlink("ok.prof", at("link.prof")), 0);
	assert_int_equal(mkdir(at("dir.prof"), 0700), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (fifo_fd >= 0)
		close(fifo_fd);
	const char *names[] = {"ok.prof", "ok2.prof", "empty.prof", "big.prof", "fifo.prof", "link.prof"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		unlink(at(names[i]));
	rmdir(at("dir.prof"));
	rmdir(dir);
	return 0;
}

static const pv_reader *const readers[] = {&pv_reader_marshal, NULL};

static int same_bytes(const struct buf *b, const char *name)
{
	FILE *f = fopen(at(name), "rb");
	if (!f)
		return 0;
	int same = 1;
	size_t n = 0;
	int c;
	while ((c = fgetc(f)) != EOF)
		same &= n < b->len && b->p[n++] == (unsigned char)c;
	fclose(f);
	return same && n == b->len;
}

static void test_uring_reads_whole_files_and_leaves_the_rest(void **state)
{
	(void)state;
	struct pv_ahead *ra = pv_ahead_new();
	if (!ra) {
		print_message("no io_uring here: the usual read only\n");
		return;
	}
	struct loader L = {0};
	const char *names[] = {"ok.prof", "empty.prof", "big.prof", "fifo.prof", "link.prof",
			       "missing.prof", "dir.prof", "ok2.prof"};
	const int whole[] = {1, 0, 0, 0, 0, 0, 0, 1};
	enum { N = sizeof(names) / sizeof(names[0]) };
	struct source src[N];
	for (size_t i = 0; i < N; i++) {
		src[i] = (struct source){(uint64_t)(uintptr_t)at(names[i]), WALKED, 0};
		assert_int_equal(pv_ahead_push(ra, &L, &src[i]), 1);
	}
	struct buf b = {0};
	for (size_t i = 0; i < N; i++) {
		b.len = 0;
		int got = pv_ahead_take(ra, &src[i], &b, (size_t)1 << 30);
		assert_int_equal(got, whole[i]);
		if (got)
			assert_true(same_bytes(&b, names[i]));
	}
	/* the FIFO's bytes were not taken */
	char fifo[8] = {0};
	assert_int_equal(read(fifo_fd, fifo, sizeof(fifo)), 4);
	assert_memory_equal(fifo, "data", 4);
	assert_int_equal(write(fifo_fd, "data", 4), 4);

	/* not pushed, or pushed before a later take: the usual read */
	struct source a = {(uint64_t)(uintptr_t)at("ok.prof"), WALKED, 0};
	struct source c = {(uint64_t)(uintptr_t)at("ok2.prof"), WALKED, 0};
	assert_int_equal(pv_ahead_take(ra, &a, &b, (size_t)1 << 30), 0);
	assert_int_equal(pv_ahead_push(ra, &L, &a), 1);
	assert_int_equal(pv_ahead_push(ra, &L, &c), 1);
	assert_int_equal(pv_ahead_take(ra, &c, &b, (size_t)1 << 30), 1);
	assert_true(same_bytes(&b, "ok2.prof"));
	assert_int_equal(pv_ahead_take(ra, &a, &b, (size_t)1 << 30), 0);
	/* more than max bytes: the usual read says what it says */
	assert_int_equal(pv_ahead_push(ra, &L, &a), 1);
	assert_int_equal(pv_ahead_take(ra, &a, &b, 4999), 0);
	/* a member or a held descriptor is no file for the window */
	struct source m = {0, 10, 1}, h = {(uint64_t)(uintptr_t)at("ok.prof"), HELD + 7, 0};
	assert_int_equal(pv_ahead_push(ra, &L, &m), 0);
	assert_int_equal(pv_ahead_push(ra, &L, &h), 0);
	/* freed with reads in flight: they end first */
	assert_int_equal(pv_ahead_push(ra, &L, &a), 1);
	assert_int_equal(pv_ahead_push(ra, &L, &c), 1);
	pv_ahead_free(ra);
	free(b.p);
}

/* What the read-ahead leaves is reported by pv_read_input as without it. */
static void test_uring_fallback_reports_as_before(void **state)
{
	(void)state;
	struct pv_ahead *ra = pv_ahead_new();
	pv_load_opts o = {.readers = readers};
	struct loader L = {.o = &o};
	struct dircache dc = {.fd = -1};
	struct buf b = {0};
	pv_ctx ctx = {0};
	struct source gone = {(uint64_t)(uintptr_t)at("missing.prof"), WALKED, 0};
	struct source fifo = {(uint64_t)(uintptr_t)at("fifo.prof"), WALKED, 0};
	struct source ok = {(uint64_t)(uintptr_t)at("ok.prof"), WALKED, 0};
	struct source big = {(uint64_t)(uintptr_t)at("big.prof"), WALKED, 0};
	for (int pass = 0; pass < 2; pass++) {
		struct pv_ahead *r = pass ? ra : NULL;
		if (r) {
			assert_int_equal(pv_ahead_push(r, &L, &gone), 1);
			assert_int_equal(pv_ahead_push(r, &L, &fifo), 1);
			assert_int_equal(pv_ahead_push(r, &L, &ok), 1);
			assert_int_equal(pv_ahead_push(r, &L, &big), 1);
		}
		assert_int_equal(pv_read_input(&L, &dc, r, &gone, &b, NULL, &ctx), VANISHED);
		assert_int_equal(pv_read_input(&L, &dc, r, &fifo, &b, NULL, &ctx), PV_EIO);
		assert_non_null(strstr(ctx.msg, "fifo.prof: a FIFO, not read"));
		assert_int_equal(pv_read_input(&L, &dc, r, &ok, &b, NULL, &ctx), 0);
		assert_true(same_bytes(&b, "ok.prof"));
		assert_int_equal(pv_read_input(&L, &dc, r, &big, &b, NULL, &ctx), 0);
		assert_int_equal(b.len, 200000);
		assert_true(same_bytes(&b, "big.prof"));
		if (!ra)
			break;
	}
	char fifo_bytes[8];
	assert_int_equal(read(fifo_fd, fifo_bytes, sizeof(fifo_bytes)), 4);
	pv_ahead_free(ra);
	pv_dircache_drop(&dc);
	free(b.p);
}

static void test_uring_off_when_asked(void **state)
{
	(void)state;
	setenv("PROFVIEW_IO_URING", "0", 1);
	assert_null(pv_ahead_new());
	unsetenv("PROFVIEW_IO_URING");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uring_reads_whole_files_and_leaves_the_rest),
		cmocka_unit_test(test_uring_fallback_reports_as_before),
		cmocka_unit_test(test_uring_off_when_asked),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
