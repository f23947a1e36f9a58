/*
 * archive.c - profiles inside archives (tar, zip, 7z; plain or compressed
 * with gzip, bzip2, xz, zstd, ...) and single compressed files (x.prof.gz),
 * read in place with libarchive, member by member.
 *
 * Members whose name ends in a reader's suffix (".prof") are profiles, as in
 * a directory walk; a single compressed file
 * is one profile whatever its name.  Every byte decompressed counts against
 * the member and archive limits, so a small archive that expands without
 * bound (a "zip bomb") is refused with a message instead of filling memory.
 *
 * What is an archive is libarchive's own bidding, not a table of magic
 * numbers: every format and filter it reads bids on the first bytes (tar of
 * any age, cpio newc/odc/bin, zip, 7z; gzip, bzip2, xz, zstd, lz4, ...).
 * An archive is read from the descriptor the loader opened, after the bytes
 * it already read to sniff, so a pipe or FIFO is read once, as a stream;
 * a regular file is also given seek and skip callbacks (7z needs them, and
 * tar skips unwanted members without reading them).
 *
 * libarchive is loaded (dlopen) when the first archive is met: it brings a
 * dozen compression and XML libraries, and mapping them cost 2-3 ms of
 * every run, most of the start-up of a run over plain dumps.  Its header
 * still gives the types and constants at build time.
 */
#include <archive.h>
#include <archive_entry.h>
#include <dlfcn.h>
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reader.h"

/* The libarchive functions used here, as pointers filled by la_load(). */
#define LA_FUNCS(X)                                                                         \
	X(struct archive *, archive_read_new, (void))                                       \
	X(int, archive_read_free, (struct archive *))                                       \
	X(int, archive_read_support_filter_all, (struct archive *))                         \
	X(int, archive_read_support_format_tar, (struct archive *))                         \
	X(int, archive_read_support_format_gnutar, (struct archive *))                      \
	X(int, archive_read_support_format_zip, (struct archive *))                         \
	X(int, archive_read_support_format_7zip, (struct archive *))                        \
	X(int, archive_read_support_format_cpio, (struct archive *))                        \
	X(int, archive_read_support_format_raw, (struct archive *))                         \
	X(int, archive_read_open_memory, (struct archive *, const void *, size_t))          \
	X(int, archive_read_set_read_callback, (struct archive *, archive_read_callback *)) \
	X(int, archive_read_set_seek_callback, (struct archive *, archive_seek_callback *)) \
	X(int, archive_read_set_skip_callback, (struct archive *, archive_skip_callback *)) \
	X(int, archive_read_set_callback_data, (struct archive *, void *))                  \
	X(int, archive_read_open1, (struct archive *))                                      \
	X(int, archive_errno, (struct archive *))                                           \
	X(void, archive_set_error, (struct archive *, int, const char *, ...))              \
	X(int, archive_read_next_header, (struct archive *, struct archive_entry **))       \
	X(la_ssize_t, archive_read_data, (struct archive *, void *, size_t))                \
	X(int, archive_format, (struct archive *))                                          \
	X(int, archive_filter_count, (struct archive *))                                    \
	X(la_int64_t, archive_filter_bytes, (struct archive *, int))                        \
	X(const char *, archive_error_string, (struct archive *))                           \
	X(const char *, archive_entry_pathname, (struct archive_entry *))                   \
	X(const char *, archive_entry_pathname_utf8, (struct archive_entry *))              \
	X(const char *, archive_entry_hardlink, (struct archive_entry *))                   \
	X(la_int64_t, archive_entry_size, (struct archive_entry *))                         \
	X(unsigned int, archive_entry_nlink, (struct archive_entry *))                      \
	X(int, archive_entry_sparse_count, (struct archive_entry *))                        \
	X(int, archive_entry_size_is_set, (struct archive_entry *))                         \
	X(__LA_MODE_T, archive_entry_filetype, (struct archive_entry *))                    \
	X(const char *, archive_version_string, (void))

static struct {
#define LA_FIELD(ret, name, args) ret(*name) args;
	LA_FUNCS(LA_FIELD)
#undef LA_FIELD
	int ok;
	char err[200];
	locale_t utf8; /* C.UTF-8 when the locale's charset is not UTF-8, or 0 */
} la;

static pthread_once_t la_once = PTHREAD_ONCE_INIT;

static void la_init(void)
{
	/* PROFVIEW_LIBARCHIVE names another build; else the soname of every
	 * libarchive 3 */
	const char *so = getenv("PROFVIEW_LIBARCHIVE");
	void *h = NULL;
	if (so && *so) {
		h = dlopen(so, RTLD_NOW | RTLD_LOCAL);
	} else {
		h = dlopen("libarchive.so.13", RTLD_NOW | RTLD_LOCAL);
		if (!h)
			h = dlopen("libarchive.so", RTLD_NOW | RTLD_LOCAL);
	}
	if (!h) {
		const char *e = dlerror();
		snprintf(la.err, sizeof(la.err), "libarchive is not available (%s)", e ? e : "dlopen");
		return;
	}
#define LA_SYM(ret, name, args)                                                  \
	if (!(*(void **)&la.name = dlsym(h, #name))) {                           \
		snprintf(la.err, sizeof(la.err), "libarchive has no %s", #name); \
		return;                                                          \
	}
	LA_FUNCS(LA_SYM)
#undef LA_SYM
	/* names are UTF-8 to profview; libarchive converts member names to
	 * the locale's charset, and in the C locale (ASCII) it gives no name
	 * for a non-ASCII one */
	if (strcmp(nl_langinfo(CODESET), "UTF-8"))
		la.utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	la.ok = 1;
}

/* libarchive is called in la.utf8 when there is one (each thread's own
 * locale: the process's stays as it is) */
static locale_t enter(void)
{
	return la.utf8 ? uselocale(la.utf8) : (locale_t)0;
}

static void leave(locale_t old)
{
	if (old)
		uselocale(old);
}

static int la_load(pv_ctx *ctx)
{
	pthread_once(&la_once, la_init);
	return la.ok ? 0 : pv_fail(ctx, PV_EIO, PV_NOOFF, "%s", la.err);
}

const char *pv_archive_version(void)
{
	pthread_once(&la_once, la_init);
	return la.ok ? la.archive_version_string() : "libarchive not loaded";
}

struct ar {
	struct archive *a;
	pv_limits lim;
	uint64_t total; /* bytes decompressed so far */
	int raw;        /* a single compressed file */
	int dead;       /* the archive limit was hit: no more members */
	char *rawname;
	/* the input: head[0, headlen) then the rest of fd (fd < 0: head only) */
	int fd;
	const unsigned char *head;
	size_t headlen;
	int headdone;
	unsigned char *buf;          /* read callback's block */
	const char *link;            /* the current member is a hard link to this one */
	const char *carries;         /* the current member holds the data of this earlier link */
	struct archive_entry *entry; /* the current member */
	int tar;                     /* a regular file that starts as a ustar (POSIX or GNU) tar does */
	int inplace;                 /* members are located, not read: headers only, small blocks */
	int noname;                  /* the current member's name is unreadable: reported when read */
	uint64_t nmember;            /* members seen so far */
	char unnamed[64];            /* the name given to such a member */
};

/* Which formats and filters are read: the same set bids in ar_sniff and
 * reads in ar_open.  raw bids last: one compressed file. */
static void ar_support(struct archive *a)
{
	la.archive_read_support_filter_all(a);
	la.archive_read_support_format_tar(a); /* v7, ustar, pax, GNU */
	la.archive_read_support_format_gnutar(a);
	la.archive_read_support_format_zip(a);
	la.archive_read_support_format_7zip(a);
	la.archive_read_support_format_cpio(a); /* newc, odc, bin, crc */
	la.archive_read_support_format_raw(a);
}

/* libarchive's bidding on the first bytes: an archive, or a compressed
 * file (raw behind at least one filter).  Bytes that no format but raw
 * claims, with no filter, are not a container.  A recognised format whose
 * first header does not fit in the bytes given (7z keeps its index at the
 * end, a gzip stream is cut short) still counts. */
static int has(const unsigned char *h, size_t n, size_t off, const char *magic, size_t m)
{
	return n >= off + m && memcmp(h + off, magic, m) == 0;
}

/* Without libarchive nothing bids: the common magic numbers still say "an
 * archive", so that the message is that libarchive is missing. */
static int looks_like(const unsigned char *h, size_t n)
{
	return has(h, n, 0, "\x1f\x8b", 2) || has(h, n, 0, "BZh", 3) ||
	       has(h, n, 0, "\xfd"
			    "7zXZ\0",
		   6) ||
	       has(h, n, 0, "\x28\xb5\x2f\xfd", 4) ||
	       has(h, n, 0, "PK\x03\x04", 4) || has(h, n, 0, "7z\xbc\xaf\x27\x1c", 6) ||
	       has(h, n, 257, "ustar", 5);
}

static int ar_sniff(const unsigned char *h, size_t n)
{
	pv_ctx ctx = {0};
	if (n == 0)
		return 0;
	if (la_load(&ctx) < 0)
		return looks_like(h, n);
	struct archive *a = la.archive_read_new();
	if (!a)
		return 0;
	ar_support(a);
	int yes;
	struct archive_entry *e;
	if (la.archive_read_open_memory(a, h, n) != ARCHIVE_OK) {
		yes = la.archive_errno(a) != EILSEQ; /* EILSEQ: "Unrecognized archive format" */
	} else if (la.archive_read_next_header(a, &e) < ARCHIVE_WARN &&
		   la.archive_format(a) == 0) {
		yes = la.archive_errno(a) != EILSEQ;
	} else {
		yes = la.archive_format(a) != ARCHIVE_FORMAT_RAW || la.archive_filter_count(a) > 1;
	}
	la.archive_read_free(a);
	return yes;
}

static int fail_ar(struct ar *r, pv_ctx *ctx, const char *what)
{
	const char *msg = la.archive_error_string(r->a);
	la_int64_t at = la.archive_filter_bytes(r->a, -1); /* compressed bytes read so far */
	return pv_fail(ctx, PV_EFORMAT, at > 0 ? (size_t)at : 0, "%s: %s", what,
		       msg ? msg : "unknown error");
}

static void ar_close_in(void *h)
{
	struct ar *r = h;
	if (!r)
		return;
	if (r->a)
		la.archive_read_free(r->a);
	free(r->rawname);
	free(r->buf);
	free(r);
}

#define AR_BLOCK (256 << 10)
#define AR_HEADER_BLOCK 4096

static la_ssize_t cb_read(struct archive *a, void *data, const void **out)
{
	struct ar *r = data;
	if (!r->headdone) {
		r->headdone = 1;
		if (r->headlen) {
			*out = r->head;
			return (la_ssize_t)r->headlen;
		}
	}
	/* locating members reads their headers and seeks past their data:
	 * small reads, so that data is not read along */
	size_t block = r->inplace ? AR_HEADER_BLOCK : AR_BLOCK;
	for (;;) {
		ssize_t got = read(r->fd, r->buf, block);
		if (got >= 0) {
			*out = r->buf;
			return got;
		}
		if (errno != EINTR) {
			la.archive_set_error(a, errno, "read error: %s", strerror(errno));
			return -1;
		}
	}
}

static la_int64_t cb_seek(struct archive *a, void *data, la_int64_t off, int whence)
{
	struct ar *r = data;
	(void)a;
	off_t at = lseek(r->fd, (off_t)off, whence);
	return at < 0 ? ARCHIVE_FATAL : (la_int64_t)at;
}

static la_int64_t cb_skip(struct archive *a, void *data, la_int64_t req)
{
	struct ar *r = data;
	(void)a;
	if (lseek(r->fd, (off_t)req, SEEK_CUR) < 0)
		return 0; /* libarchive reads past instead */
	return req;
}

static int ar_open_in(void **h, const char *path, int fd, const unsigned char *head, size_t headlen,
		      const pv_limits *lim, pv_ctx *ctx)
{
	int rc = la_load(ctx);
	if (rc < 0)
		return rc;
	struct ar *r = calloc(1, sizeof(*r));
	if (!r || !(r->a = la.archive_read_new())) {
		free(r);
		return pv_fail(ctx, PV_ENOMEM, PV_NOOFF, "out of memory");
	}
	r->lim = *lim;
	r->fd = fd;
	ar_support(r->a);
	struct stat st;
	if (fd < 0) {
		rc = la.archive_read_open_memory(r->a, head, headlen);
	} else if (!(r->buf = malloc(AR_BLOCK))) {
		ar_close_in(r);
		return pv_fail(ctx, PV_ENOMEM, PV_NOOFF, "out of memory");
	} else {
		/* a regular file is read from its start, with seeks; anything
		 * else goes on after the bytes the caller already read */
		int seekable = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
			       lseek(fd, 0, SEEK_SET) == 0;
		if (!seekable) {
			r->head = head;
			r->headlen = headlen;
		}
		r->tar = seekable && headlen >= 262 && memcmp(head + 257, "ustar", 5) == 0;
		la.archive_read_set_callback_data(r->a, r);
		la.archive_read_set_read_callback(r->a, cb_read);
		if (seekable) {
			la.archive_read_set_seek_callback(r->a, cb_seek);
			la.archive_read_set_skip_callback(r->a, cb_skip);
		}
		rc = la.archive_read_open1(r->a);
	}
	if (rc != ARCHIVE_OK) {
		rc = fail_ar(r, ctx, "cannot read as an archive");
		ar_close_in(r);
		return rc;
	}
	/* a single compressed file is named after itself, less the suffix */
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	r->rawname = strdup(base);
	if (!r->rawname) {
		ar_close_in(r);
		return pv_fail(ctx, PV_ENOMEM, PV_NOOFF, "out of memory");
	}
	char *dot = strrchr(r->rawname, '.');
	if (dot && dot != r->rawname && strcmp(dot, ".prof"))
		*dot = '\0';
	*h = r;
	return 0;
}

/* A member name a registered reader declares (formats/readers.c: *.prof),
 * as a directory walk reads them. */
static int profile_member(const char *s)
{
	size_t n = strlen(s);
	for (const pv_reader *const *r = pv_readers; *r; r++)
		for (const char *const *x = (*r)->suffixes; x && *x; x++) {
			size_t k = strlen(*x);
			if (n >= k && memcmp(s + n - k, *x, k) == 0)
				return 1;
		}
	return 0;
}

static int ar_next_in(void *h, const char **name, pv_ctx *ctx)
{
	struct ar *r = h;
	struct archive_entry *e;
	if (r->dead)
		return 0;
	for (;;) {
		int rc = la.archive_read_next_header(r->a, &e);
		if (rc == ARCHIVE_EOF)
			return 0;
		if (rc < ARCHIVE_WARN)
			return fail_ar(r, ctx, "corrupt archive");
		if (la.archive_format(r->a) == ARCHIVE_FORMAT_RAW) {
			if (r->raw++) /* raw has one member */
				return 0;
			if (la.archive_filter_count(r->a) < 2)
				return pv_fail(ctx, PV_EFORMAT, 0, "not an archive or a compressed file");
			*name = r->rawname;
			return 1;
		}
		r->entry = e;
		r->nmember++;
		/* the UTF-8 name first: a zip's UTF-8 flag, 7z's and pax's
		 * names are Unicode, and in the C locale libarchive gives no
		 * locale name for them (the member vanished); else the name in
		 * the locale (a zip without the flag, an old tar's bytes) */
		const char *n = la.archive_entry_pathname_utf8(e);
		if (!n)
			n = la.archive_entry_pathname(e);
		r->noname = !n && la.archive_entry_filetype(e) == AE_IFREG;
		if (r->noname) { /* never skipped without a word: reported when read */
			snprintf(r->unnamed, sizeof(r->unnamed), "member %llu",
				 (unsigned long long)r->nmember);
			*name = r->unnamed;
			r->link = r->carries = NULL;
			return 1;
		}
		/* a tar hard link has no data of its own (cpio keeps the data with
		 * the last link, which reads as usual): it is reported when read,
		 * not dropped without a word */
		r->link = la.archive_entry_hardlink(e);
		r->carries = NULL;
		if (r->link && la.archive_entry_size(e) > 0) {
			r->carries = r->link; /* cpio: the data of the links before */
			r->link = NULL;
		}
		/* cpio's other links: no link name, no data */
		if (!r->link && la.archive_entry_nlink(e) > 1 && la.archive_entry_size(e) == 0)
			r->link = "";
		if (n && profile_member(n) && (r->link || la.archive_entry_filetype(e) == AE_IFREG)) {
			*name = n;
			return 1;
		}
	}
}

static int ar_read_in(void *h, unsigned char **buf, size_t *cap, size_t *len, pv_ctx *ctx)
{
	struct ar *r = h;
	*len = 0;
	if (r->noname)
		return pv_fail(ctx, PV_EFORMAT, PV_NOOFF,
			       "a member whose name is neither UTF-8 nor readable in this locale: not "
			       "read (LC_ALL=C.UTF-8 may read it)");
	if (r->link && !*r->link)
		return pv_fail(ctx, PV_EFORMAT, PV_NOOFF,
			       "a hard link whose data the archive keeps with another member: not "
			       "read (archive the files themselves)");
	if (r->link) {
		char q[512];
		pv_quote(q, sizeof(q), r->link, strlen(r->link), 0);
		return pv_fail(ctx, PV_EFORMAT, PV_NOOFF,
			       "a hard link to %s, whose data the archive keeps with that member: not "
			       "read (archive the files themselves: tar --hard-dereference)",
			       q);
	}
	for (;;) {
		if (*cap - *len < 65536) {
			size_t want = *cap ? *cap * 2 : 1 << 17;
			unsigned char *nb = realloc(*buf, want);
			if (!nb)
				return pv_fail(ctx, PV_ENOMEM, PV_NOOFF, "out of memory");
			*buf = nb;
			*cap = want;
		}
		la_ssize_t got = la.archive_read_data(r->a, *buf + *len, *cap - *len);
		if (got < 0)
			return fail_ar(r, ctx, "corrupt archive member");
		if (got == 0)
			return 0;
		*len += (size_t)got;
		r->total += (uint64_t)got;
		if (r->total > r->lim.max_archive) {
			r->dead = 1;
			return pv_fail(ctx, PV_ELIMIT, PV_NOOFF,
				       "archive expands past %llu bytes; refused (--max-archive-size)",
				       (unsigned long long)r->lim.max_archive);
		}
		if (*len > r->lim.max_member)
			return pv_fail(ctx, PV_ELIMIT, PV_NOOFF,
				       "member expands past %llu bytes; refused (--max-member-size)",
				       (unsigned long long)r->lim.max_member);
	}
}

static int ar_link(void *h, const char **target)
{
	struct ar *r = h;
	if (r->link) {
		*target = *r->link ? r->link : NULL;
		return PV_LINK_NODATA;
	}
	*target = r->carries;
	return r->carries ? PV_LINK_CARRIES : PV_LINK_NONE;
}

/* Members of an uncompressed tar in a regular file lie as they are in the
 * file: the loader reads them itself, in its own order and on every core,
 * instead of decompressing, packing and spilling them (see pv_container).
 * libarchive's position in the uncompressed stream, just after it read a
 * header, is where the member's data starts; its data is skipped with a
 * seek when the next header is read. */
static int ar_locate_in(void *h, uint64_t *off, uint64_t *len)
{
	struct ar *r = h;
	if (!off) { /* before the first member: could members lie in place? */
		r->inplace = r->tar && !r->raw && la.archive_filter_count(r->a) == 1;
		return r->inplace;
	}
	struct archive_entry *e = r->entry;
	if (!r->inplace || !e || r->noname || r->link || r->carries ||
	    (la.archive_format(r->a) & ARCHIVE_FORMAT_BASE_MASK) != ARCHIVE_FORMAT_TAR ||
	    la.archive_entry_filetype(e) != AE_IFREG || la.archive_entry_sparse_count(e) > 0 ||
	    !la.archive_entry_size_is_set(e))
		return 0;
	la_int64_t at = la.archive_filter_bytes(r->a, 0), size = la.archive_entry_size(e);
	if (at < 0 || size < 0 || (uint64_t)size > r->lim.max_member)
		return 0;
	r->total += (uint64_t)size;
	if (r->total > r->lim.max_archive)
		return 0;
	*off = (uint64_t)at;
	*len = (uint64_t)size;
	return 1;
}

/* The container's entry points: the readers above, in the UTF-8 locale. */
static int ar_open(void **h, const char *path, int fd, const unsigned char *head, size_t headlen,
		   const pv_limits *lim, pv_ctx *ctx)
{
	pthread_once(&la_once, la_init); /* la.utf8 */
	locale_t old = enter();
	int rc = ar_open_in(h, path, fd, head, headlen, lim, ctx);
	leave(old);
	return rc;
}

static int ar_next(void *h, const char **name, pv_ctx *ctx)
{
	locale_t old = enter();
	int rc = ar_next_in(h, name, ctx);
	leave(old);
	return rc;
}

static int ar_read(void *h, unsigned char **buf, size_t *cap, size_t *len, pv_ctx *ctx)
{
	locale_t old = enter();
	int rc = ar_read_in(h, buf, cap, len, ctx);
	leave(old);
	return rc;
}

static int ar_locate(void *h, uint64_t *off, uint64_t *len)
{
	locale_t old = enter();
	int rc = ar_locate_in(h, off, len);
	leave(old);
	return rc;
}

static void ar_close(void *h)
{
	locale_t old = enter();
	ar_close_in(h);
	leave(old);
}

/* in a directory walk, single compressed dumps (not archives) */
static const char *const ar_suffixes[] = {".prof.gz", ".prof.bz2", ".prof.xz", ".prof.zst", NULL};

const pv_container pv_container_archive = {
	.name = "archive",
	.suffixes = ar_suffixes,
	.sniff = ar_sniff,
	.open = ar_open,
	.next = ar_next,
	.read = ar_read,
	.link = ar_link,
	.locate = ar_locate,
	.close = ar_close,
};
