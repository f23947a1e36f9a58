/*
 * archive.c - profiles inside archives (tar, zip, 7z; plain or compressed
 * with gzip, bzip2, xz, zstd, ...) and single compressed files (x.prof.gz),
 * read in place with libarchive, member by member.
 *
 * Members whose name ends in ".prof" are profiles; a single compressed file
 * is one profile whatever its name.  Every byte decompressed counts against
 * the member and archive limits, so a small archive that expands without
 * bound (a "zip bomb") is refused with a message instead of filling memory.
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
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/pv.h"

/* The libarchive functions used here, as pointers filled by la_load(). */
#define LA_FUNCS(X)                                                                    \
	X(struct archive *, archive_read_new, (void))                                  \
	X(int, archive_read_free, (struct archive *))                                  \
	X(int, archive_read_support_filter_all, (struct archive *))                    \
	X(int, archive_read_support_format_tar, (struct archive *))                    \
	X(int, archive_read_support_format_gnutar, (struct archive *))                 \
	X(int, archive_read_support_format_zip, (struct archive *))                    \
	X(int, archive_read_support_format_7zip, (struct archive *))                   \
	X(int, archive_read_support_format_cpio, (struct archive *))                   \
	X(int, archive_read_support_format_raw, (struct archive *))                    \
	X(int, archive_read_open_memory, (struct archive *, const void *, size_t))     \
	X(int, archive_read_open_filename, (struct archive *, const char *, size_t))   \
	X(int, archive_read_next_header, (struct archive *, struct archive_entry **))  \
	X(la_ssize_t, archive_read_data, (struct archive *, void *, size_t))           \
	X(int, archive_format, (struct archive *))                                     \
	X(int, archive_filter_count, (struct archive *))                               \
	X(la_int64_t, archive_filter_bytes, (struct archive *, int))                   \
	X(const char *, archive_error_string, (struct archive *))                      \
	X(const char *, archive_entry_pathname, (struct archive_entry *))              \
	X(__LA_MODE_T, archive_entry_filetype, (struct archive_entry *))               \
	X(const char *, archive_version_string, (void))

static struct {
#define LA_FIELD(ret, name, args) ret(*name) args;
	LA_FUNCS(LA_FIELD)
#undef LA_FIELD
	int ok;
	char err[200];
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
#define LA_SYM(ret, name, args)                                                              \
	if (!(*(void **)&la.name = dlsym(h, #name))) {                                       \
		snprintf(la.err, sizeof(la.err), "libarchive has no %s", #name);             \
		return;                                                                      \
	}
	LA_FUNCS(LA_SYM)
#undef LA_SYM
	la.ok = 1;
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
};

static int has(const unsigned char *h, size_t n, size_t off, const char *magic, size_t m)
{
	return n >= off + m && memcmp(h + off, magic, m) == 0;
}

static int ar_sniff(const unsigned char *h, size_t n)
{
	return has(h, n, 0, "\x1f\x8b", 2) ||                 /* gzip */
	       has(h, n, 0, "BZh", 3) ||                      /* bzip2 */
	       has(h, n, 0, "\xfd" "7zXZ\0", 6) ||            /* xz */
	       has(h, n, 0, "\x28\xb5\x2f\xfd", 4) ||         /* zstd */
	       has(h, n, 0, "\x5d\x00\x00", 3) ||             /* lzma */
	       has(h, n, 0, "\x04\x22\x4d\x18", 4) ||         /* lz4 */
	       has(h, n, 0, "PK\x03\x04", 4) ||               /* zip */
	       has(h, n, 0, "PK\x05\x06", 4) ||               /* empty zip */
	       has(h, n, 0, "7z\xbc\xaf\x27\x1c", 6) ||       /* 7z */
	       has(h, n, 257, "ustar", 5);                    /* tar */
}

static int fail_ar(struct ar *r, pv_ctx *ctx, const char *what)
{
	const char *msg = la.archive_error_string(r->a);
	la_int64_t at = la.archive_filter_bytes(r->a, -1); /* compressed bytes read so far */
	return pv_fail(ctx, PV_EFORMAT, at > 0 ? (size_t)at : 0, "%s: %s", what,
		       msg ? msg : "unknown error");
}

static void ar_close(void *h)
{
	struct ar *r = h;
	if (!r)
		return;
	if (r->a)
		la.archive_read_free(r->a);
	free(r->rawname);
	free(r);
}

static int ar_open(void **h, const char *path, const unsigned char *mem, size_t memlen,
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
	la.archive_read_support_filter_all(r->a);
	la.archive_read_support_format_tar(r->a);
	la.archive_read_support_format_gnutar(r->a);
	la.archive_read_support_format_zip(r->a);
	la.archive_read_support_format_7zip(r->a);
	la.archive_read_support_format_cpio(r->a);
	la.archive_read_support_format_raw(r->a); /* bids last: one compressed file */
	rc = mem ? la.archive_read_open_memory(r->a, mem, memlen)
		     : la.archive_read_open_filename(r->a, path, 1 << 16);
	if (rc != ARCHIVE_OK) {
		rc = fail_ar(r, ctx, "cannot read as an archive");
		ar_close(r);
		return rc;
	}
	/* a single compressed file is named after itself, less the suffix */
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	r->rawname = strdup(base);
	if (!r->rawname) {
		ar_close(r);
		return pv_fail(ctx, PV_ENOMEM, PV_NOOFF, "out of memory");
	}
	char *dot = strrchr(r->rawname, '.');
	if (dot && dot != r->rawname && strcmp(dot, ".prof"))
		*dot = '\0';
	*h = r;
	return 0;
}

static int ends_with_prof(const char *s)
{
	size_t n = strlen(s);
	return n >= 5 && memcmp(s + n - 5, ".prof", 5) == 0;
}

static int ar_next(void *h, const char **name, pv_ctx *ctx)
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
		const char *n = la.archive_entry_pathname(e);
		if (la.archive_entry_filetype(e) == AE_IFREG && n && ends_with_prof(n)) {
			*name = n;
			return 1;
		}
	}
}

static int ar_read(void *h, unsigned char **buf, size_t *cap, size_t *len, pv_ctx *ctx)
{
	struct ar *r = h;
	*len = 0;
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

const pv_container pv_container_archive = {
	.name = "archive",
	.sniff = ar_sniff,
	.open = ar_open,
	.next = ar_next,
	.read = ar_read,
	.close = ar_close,
};
