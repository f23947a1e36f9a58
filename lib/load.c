/*
 * load.c - the driver: which inputs are read, in which order, by which
 * reader, and pstats' merge order.
 *
 * Inputs are files, directories (every *.prof below, recursively, sorted by
 * the bytes of the path, and single compressed *.prof.gz and the like) and
 * "-" for standard input; a file may be an archive, whose *.prof members
 * count as files in archive order.  All of them are merged in pstats'
 * order - Stats(first, *rest) loads the first and then add()s the rest in
 * reverse - so totals and float sums match CPython bit for bit.  A bad input
 * is reported through the callback and skipped.
 *
 * Data path of one input: pv_load calls expand_input for each named input,
 * which makes it one or more sources in merge-list order: a directory's
 * files through the walk (walk.c), an archive's members through its one
 * scan (arscan.c: parsed and packed into the spill, spill.c), a stream read
 * and parsed at once, a plain file as its path.  Then each source is read,
 * parsed by the reader its first bytes pick and merged (pv_stats_merge_take)
 * in pstats' order, here or, with several cores, by the parse pool
 * (pool.c) with this file's merge.
 *
 * Archives stream (tar.gz cannot seek), yet pstats' order wants their
 * members last to first.  Each archive is read once, when it is met: every
 * member is parsed and packed (pv_profile_pack: key ids and numbers, some
 * 3.6 KB for a werkzeug dump) into a spill, in archive order, kept in memory
 * up to a budget and beyond it in an unlinked temporary file; the merge
 * then unpacks the members in pstats' order.  One decompression pass
 * whatever the size, memory bounded by the budget and 16 bytes a member.
 */
#include <dirent.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loader.h"

#define DEFAULT_MAX_FILE ((size_t)2 << 30)
/* fewer files than this are read without the read-ahead (its ring costs
 * a few system calls to set up) */
#define AHEAD_MIN 16

/* ---- reading ------------------------------------------------------------ */

/* Read all of fd (a file may still be growing: read to EOF, not to the size
 * stat saw).  PV_EIO / PV_ELIMIT with the message in ctx. */
static int slurp_more(int fd, struct buf *b, size_t max, pv_ctx *ctx)
{
	struct stat st;
	int isreg = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
	if (!isreg && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode))
		return pv_fail(ctx, PV_EIO, PV_NOOFF, "is a directory");
	size_t hint = isreg ? (size_t)st.st_size + 1 : 65536;
	if (hint > max + 1)
		return pv_fail(ctx, PV_ELIMIT, PV_NOOFF, "file larger than %zu bytes", max);
	for (;;) {
		if (b->len == b->cap || b->cap < hint) {
			size_t want = b->len + (hint > b->len ? hint - b->len : 65536);
			if (b->len == b->cap && want < b->cap * 2)
				want = b->cap * 2;
			if (want > max + 1)
				want = max + 1;
			if (want <= b->len)
				return pv_fail(ctx, PV_ELIMIT, PV_NOOFF, "file larger than %zu bytes",
					       max);
			if (pv_grow(&b->p, &b->cap, want, 1) < 0)
				return pv_fail(ctx, PV_ENOMEM, PV_NOOFF, "out of memory");
		}
		ssize_t got = read(fd, b->p + b->len, b->cap - b->len);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			return pv_fail(ctx, PV_EIO, PV_NOOFF, "read error: %s", strerror(errno));
		}
		if (got == 0)
			return 0;
		b->len += (size_t)got;
		hint = 0;
	}
}

const pv_reader *pv_pick(const pv_load_opts *o, const unsigned char *p, size_t n)
{
	for (const pv_reader *const *r = o->readers; *r; r++)
		if ((*r)->sniff(p, n))
			return *r;
	return o->readers[0]; /* its error says what is wrong */
}

int pv_read_one(const pv_load_opts *o, pv_ctx *ctx, pv_stats *st, pv_profile *out,
		const unsigned char *p, size_t n)
{
	pv_profile_reset(out);
	return pv_pick(o, p, n)->read(ctx, st, out, p, n);
}

const pv_container *pv_container_for(const pv_load_opts *o, const unsigned char *p,
				     size_t n)
{
	for (const pv_reader *const *r = o->readers; *r; r++)
		if ((*r)->sniff(p, n))
			return NULL;
	for (const pv_container *const *c = o->containers; c && *c; c++)
		if ((*c)->sniff(p, n))
			return *c;
	return NULL;
}

/* A reader or a container knows these first bytes. */
static int known(const pv_load_opts *o, const unsigned char *p, size_t n)
{
	for (const pv_reader *const *r = o->readers; *r; r++)
		if ((*r)->sniff(p, n))
			return 1;
	return pv_container_for(o, p, n) != NULL;
}

#define WHOLE_AT_ONCE ((size_t)1 << 20)

/* Read fd into b (whose first `have` bytes are already read from it): the
 * head first, and the rest only when a reader or a container knows the
 * head, so a large file that is no profile costs PV_SNIFF_BYTES, not its
 * size (the reader's error on the head says what it is not). */
static int read_fd(const pv_load_opts *o, size_t max, int fd, struct buf *b, size_t have,
		   size_t hint, pv_ctx *ctx)
{
	/* a small regular file (hint: its size) is read whole at once, asking
	 * one byte more than its size: a read of a regular file that returns
	 * less than asked has met the end (it is not a pipe), so a dump costs
	 * one read, where cat needs a second to see the end */
	size_t first = hint < WHOLE_AT_ONCE && hint + 1 > PV_SNIFF_BYTES ? hint + 1 : PV_SNIFF_BYTES;
	b->len = have;
	if (pv_grow(&b->p, &b->cap, first, 1) < 0)
		return pv_fail(ctx, PV_ENOMEM, PV_NOOFF, "out of memory");
	while (b->len < first) {
		size_t want = first - b->len;
		ssize_t got = read(fd, b->p + b->len, want);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return errno == EISDIR ? pv_fail(ctx, PV_EIO, PV_NOOFF, "is a directory")
					       : pv_fail(ctx, PV_EIO, PV_NOOFF, "read error: %s",
							 strerror(errno));
		if (got == 0)
			return 0;
		b->len += (size_t)got;
		if (hint && first == hint + 1 && (size_t)got < want)
			return 0; /* the end of a regular file read whole */
	}
	if (!known(o, b->p, b->len))
		return 0;
	return slurp_more(fd, b, max, ctx);
}

/* Reading or parsing one input ran out of memory: that is the input's
 * failure, reported with its name, and the other inputs are still read
 * (the model is not touched before the merge). */
int pv_input_nomem(int rc, pv_ctx *ctx)
{
	if (rc != PV_ENOMEM)
		return rc;
	if (ctx->code != PV_ENOMEM) /* no message set yet */
		pv_fail(ctx, PV_ELIMIT, PV_NOOFF, "out of memory");
	ctx->code = PV_ELIMIT;
	ctx->nomem = 1;
	return PV_ELIMIT;
}

const char *pv_base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* ---- sources: every profile in merge-list order ------------------------ */

static size_t max_file(const struct loader *L)
{
	return L->o->max_file_size ? L->o->max_file_size : DEFAULT_MAX_FILE;
}

void pv_load_progress(struct loader *L, size_t done)
{
	if (L->o->progress)
		L->o->progress(L->o->arg, done, L->nsrc, L->bytes);
}

void pv_report_ctx(struct loader *L, pv_ctx *ctx)
{
	L->res->failed++;
	if (L->o->on_error)
		L->o->on_error(ctx, L->o->arg);
}

int pv_add_source(struct loader *L, uint64_t at, uint32_t len, uint32_t arch)
{
	if (pv_grow(&L->src, &L->capsrc, L->nsrc + 1, sizeof(*L->src)) < 0)
		return PV_ENOMEM;
	L->src[L->nsrc++] = (struct source){at, len, arch};
	return 0;
}

const char *pv_src_path(const struct loader *L, const struct source *s)
{
	(void)L; /* the path lives in L->paths' blocks */
	return (const char *)(uintptr_t)s->at;
}

/* Standard input, a FIFO or a device that is not an archive: one profile,
 * read and parsed now (it cannot be read twice), kept as a record. */
static int stream_profile(struct loader *L, const char *name, struct buf *mem)
{
	struct arch *a;
	int rc = pv_add_arch(L, name, &a);
	if (rc < 0)
		return rc;
	a->single = 1;
	pv_ctx ctx = {.input = a->path};
	rc = pv_input_nomem(pv_read_one(L->o, &ctx, L->st, L->prof, mem->p, mem->len),
			    &ctx);
	L->bytes += mem->len;
	rc = pv_spill_put(L, (uint32_t)L->narchs, "", rc, L->prof, &ctx);
	if (rc < 0 && rc != PV_ENOMEM) {
		pv_report_ctx(L, &ctx);
		rc = 0;
	}
	return rc;
}

/* A named input: a directory (walked), an archive (read now, once), or a
 * file (read in the merge). */
static int expand_input(struct loader *L, const char *in)
{
	int isstdin = strcmp(in, "-") == 0;
	L->paths.n = 0;
	struct tally t = {0};
	int w = isstdin ? 1 : pv_walk_top(L->o, in, &L->paths, &t);
	L->res->failed += t.failed;
	L->res->vanished += t.vanished;
	if (w < 0)
		return w;
	if (w == 0) {
		int rc = 0;
		size_t n = L->paths.n;
		char **v = L->paths.v;
		if (n) /* v is NULL when nothing was found: qsort must not see it */
			qsort(v, n, sizeof(*v), pv_path_cmp);
		for (size_t i = 0; i < n && rc == 0; i++)
			if (!L->o->want || L->o->want(L->o->arg, pv_base_name(v[i])))
				rc = pv_add_source(L, (uint64_t)(uintptr_t)v[i], WALKED, 0);
		if (rc == 0 && n == 0 && t.failed == 0) {
			pv_load_report(L->o->on_error, L->o->arg, in, PV_EFORMAT,
				       "no *.prof files in this directory");
			L->res->failed++;
		}
		return rc;
	}
	/* Open a named file once and look at its head: an archive is read
	 * now, from this descriptor, so that its members take their places in
	 * the merge order and a pipe is read as one stream. */
	unsigned char head[PV_SNIFF_BYTES];
	size_t n = 0;
	int fd = isstdin ? 0 : open(in, O_RDONLY | O_CLOEXEC);
	while (fd >= 0 && n < sizeof(head)) {
		ssize_t got = read(fd, head + n, sizeof(head) - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		n += (size_t)got;
	}
	const pv_container *c = pv_container_for(L->o, head, n);
	struct stat st;
	/* a FIFO, /dev/stdin, <(cat x.prof), a device: read once, now */
	int stream = isstdin || (fd >= 0 && fstat(fd, &st) == 0 && !S_ISREG(st.st_mode) &&
				 !S_ISDIR(st.st_mode));
	int rc = 0;
	if (c) {
		rc = pv_arch_scan(L, c, isstdin ? "<stdin>" : in, fd, head, n);
	} else if (stream) { /* one profile: the head and the rest */
		struct buf mem = {0};
		const char *name = isstdin ? "<stdin>" : in;
		pv_ctx ctx = {.input = name};
		if (pv_grow(&mem.p, &mem.cap, n ? n : 1, 1) < 0)
			rc = PV_ENOMEM;
		else
			memcpy(mem.p, head, n);
		if (rc == 0)
			rc = pv_input_nomem(read_fd(L->o, max_file(L), fd, &mem, n, 0, &ctx), &ctx);
		if (rc == 0)
			rc = stream_profile(L, name, &mem);
		else if (rc != PV_ENOMEM)
			pv_report_ctx(L, &ctx), rc = 0;
		free(mem.p);
	} else {
		/* a regular file is read in the merge through this descriptor
		 * (while few enough are held), so it is opened once */
		uint32_t len = 0;
		if (fd >= 0 && L->nheld < L->maxheld && (uint64_t)fd < UINT32_MAX - HELD &&
		    fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
			len = HELD + (uint32_t)fd;
		rc = pv_paths_push(&L->paths, strdup(in));
		if (rc == 0)
			rc = pv_add_source(L, (uint64_t)(uintptr_t)L->paths.v[L->paths.n - 1], len, 0);
		if (rc == 0 && len) {
			L->nheld++;
			fd = -1;
		}
	}
	if (!isstdin && fd >= 0)
		close(fd);
	return rc;
}

int pv_load_merge(struct loader *L, const char *name, pv_profile *p, pv_ctx *ctx)
{
	if (L->o->seen) {
		if (L->tables)
			pthread_mutex_lock(L->tables);
		int keep = L->o->seen(L->o->arg, name, L->st, p);
		if (L->tables)
			pthread_mutex_unlock(L->tables);
		if (!keep)
			return 0;
	}
	int rc = pv_stats_merge_take(L->st, p, ctx);
	if (rc == 0)
		L->res->files++;
	return rc;
}

/* A single compressed file met in a directory (x.prof.gz): its members in
 * order, at the file's place. */
int pv_load_inline(struct loader *L, const char *path, const pv_container *c,
		   const struct buf *b, pv_ctx *ctx)
{
	void *h = NULL;
	int rc = c->open(&h, path, -1, b->p, b->len, &L->lim, ctx);
	if (rc < 0)
		return rc;
	const char *name;
	int n = 0;
	while ((rc = c->next(h, &name, ctx)) == 1) {
		ctx->member = NULL;
		if ((rc = c->read(h, &L->mb.p, &L->mb.cap, &L->mb.len, ctx)) < 0 ||
		    (rc = pv_read_one(L->o, ctx, L->st, L->prof, L->mb.p, L->mb.len)) < 0 ||
		    (rc = pv_load_merge(L, name, L->prof, ctx)) < 0)
			break;
		n++;
	}
	c->close(h);
	if (rc == 0 && n == 0)
		rc = pv_fail(ctx, PV_EFORMAT, PV_NOOFF, "no profile inside");
	return rc;
}

void pv_dircache_drop(struct dircache *dc)
{
	if (dc->fd >= 0)
		close(dc->fd);
	dc->fd = -1;
	free(dc->dir);
	dc->dir = NULL;
	dc->len = dc->cap = 0;
}

int pv_open_dir_n(char **buf, size_t *cap, const char *path, size_t n)
{
	if (pv_grow(buf, cap, n + 1, 1) < 0)
		return -1;
	memcpy(*buf, path, n);
	(*buf)[n] = '\0';
#ifdef O_PATH
	return open(*buf, O_PATH | O_DIRECTORY | O_CLOEXEC);
#else
	return open(*buf, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
#endif
}

static int open_cached(struct dircache *dc, const char *path, int flags)
{
	const char *slash = strrchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) : 0;
	if (!slash || n == 0 || n >= PATH_MAX)
		return pv_open_path(path, flags);
	if (dc->fd < 0 || dc->len != n || memcmp(dc->dir, path, n) != 0) {
		if (dc->fd >= 0)
			close(dc->fd);
		dc->len = n;
		if ((dc->fd = pv_open_dir_n(&dc->dir, &dc->cap, path, n)) < 0)
			return pv_open_path(path, flags);
	}
	return openat(dc->fd, slash + 1, flags);
}

/* The file of source s into b (all of it, or the head when nothing knows
 * the head), with ctx naming it for errors.  VANISHED when a file a walk
 * found is gone. */
void pv_fmap_drop(struct fmap *m)
{
	if (m->p && m->released < m->len)
		munmap(m->p + m->released, m->len - m->released);
	if (m->p)
		close(m->fd);
	m->p = NULL;
	m->len = m->released = 0;
	m->fd = -1;
}

/* Map fd (a regular file of `size` bytes) into m when it is large and does
 * not grow while mapped; 0 when mapped, 1 when it is to be read instead. */
static int map_file(int fd, size_t size, size_t max, struct fmap *m)
{
	if (size < PV_MAP_MIN || size > max)
		return 1;
	void *p = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		return 1;
	unsigned char c;
	if (pread(fd, &c, 1, (off_t)size) != 0) { /* grown (or an error): read to the end */
		munmap(p, size);
		return 1;
	}
	(void)madvise(p, size, MADV_SEQUENTIAL);
	m->p = p;
	m->len = size;
	m->released = 0;
	m->fd = fd; /* kept: a reader may read back what it released */
	return 0;
}

int pv_read_input(const struct loader *L, struct dircache *dc, struct pv_ahead *ra,
		  struct source *s, struct buf *b, struct fmap *m, pv_ctx *ctx)
{
	const char *path = pv_src_path(L, s);
	int walked = s->len == WALKED;
	ctx->input = path;
	ctx->member = NULL;
	pv_ctx_clear(ctx);
	if (ra && pv_ahead_take(ra, s, b, max_file(L)))
		return 0; /* read whole ahead; anything else is read here */
	int fd;
	if (s->len >= HELD) { /* the descriptor the sniff opened: read it from the start */
		fd = (int)(s->len - HELD);
		s->len = 0;
		if (lseek(fd, 0, SEEK_SET) < 0) {
			int e = errno;
			close(fd);
			return pv_fail(ctx, PV_EIO, PV_NOOFF, "%s", strerror(e));
		}
	} else {
		fd = open_cached(dc, path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	}
	if (fd < 0 && walked && errno == ENOENT)
		return VANISHED;
	if (fd < 0)
		return pv_fail(ctx, PV_EIO, PV_NOOFF, "%s", strerror(errno));
	struct stat st;
	size_t size = 0;
	if (fstat(fd, &st) == 0) {
		if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
			/* replaced by a FIFO or device since it was listed or named */
			close(fd);
			return pv_fail(ctx, PV_EIO, PV_NOOFF, "%s, not read", pv_file_kind(st.st_mode));
		}
		size = S_ISREG(st.st_mode) ? (size_t)st.st_size : 0;
	}
	/* a large plain profile is mapped; a large compressed one (its head
	 * read here, not through the mapping: nothing touches a mapping
	 * outside read_mapped's guard) is read into b from this descriptor */
	unsigned char head[PV_SNIFF_BYTES];
	ssize_t nh;
	if (m && size >= PV_MAP_MIN && (nh = pread(fd, head, sizeof(head), 0)) > 0 &&
	    !pv_container_for(L->o, head, (size_t)nh) && map_file(fd, size, max_file(L), m) == 0)
		return 0;
	int rc = read_fd(L->o, max_file(L), fd, b, 0, size, ctx);
	close(fd);
	return rc;
}

/* A mapped file whose end is cut off while it is read (a dump rewritten:
 * cProfile's dump_stats truncates first) raises SIGBUS at the first page
 * past the new end; read() said "truncated" for it.  The read of a mapped
 * file runs on the loading thread with a handler that jumps back here, and
 * the input fails with a message like any other; what the reader had
 * allocated for it is lost (at most the file's size, once). */
static __thread sigjmp_buf *bus_jump;

static void on_sigbus(int sig)
{
	if (bus_jump)
		siglongjmp(*bus_jump, 1);
	signal(sig, SIG_DFL); /* not ours: the default action */
	raise(sig);
}

static int read_mapped(struct loader *L, struct fmap *m, pv_ctx *ctx)
{
	struct sigaction sa = {.sa_handler = on_sigbus}, old;
	sigemptyset(&sa.sa_mask);
	int guarded = sigaction(SIGBUS, &sa, &old) == 0;
	sigjmp_buf jb;
	volatile int rc = 0;
	pv_release_window(m->p, m->len, m->fd);
	if (sigsetjmp(jb, 1) == 0) {
		bus_jump = guarded ? &jb : NULL;
		rc = pv_read_one(L->o, ctx, L->st, L->prof, m->p, m->len);
	} else {
		rc = pv_fail(ctx, PV_EIO, PV_NOOFF, "the file shrank while it was read");
	}
	bus_jump = NULL;
	if (guarded)
		sigaction(SIGBUS, &old, NULL);
	m->released = pv_release_end();
	pv_fmap_drop(m);
	return rc;
}

static int load_file(struct loader *L, struct source *s, pv_ctx *ctx)
{
	const char *path = pv_src_path(L, s);
	struct fmap m = {0};
	int rc = pv_read_input(L, &L->dc, L->ra, s, &L->b, &m, ctx);
	if (rc != 0)
		return pv_input_nomem(rc, ctx);
	if (m.p) {
		L->bytes += m.len;
		rc = read_mapped(L, &m, ctx);
		if (rc < 0)
			return pv_input_nomem(rc, ctx);
		/* a large profile: its tables to size and its reader's marks (8
		 * bytes a key, twice) given back before the report needs memory */
		pv_profile_shrink(L->prof);
		return pv_load_merge(L, pv_base_name(path), L->prof, ctx);
	}
	L->bytes += L->b.len;
	const pv_container *c = pv_container_for(L->o, L->b.p, L->b.len);
	if (c)
		return pv_load_inline(L, path, c, &L->b, ctx);
	rc = pv_read_one(L->o, ctx, L->st, L->prof, L->b.p, L->b.len);
	if (rc < 0)
		return pv_input_nomem(rc, ctx);
	return pv_load_merge(L, pv_base_name(path), L->prof, ctx);
}

/* The name a member merges under (what `seen` is told). */
static const char *member_name(const struct loader *L, const struct source *s, const char *name)
{
	const struct arch *a = L->archs[s->arch - 1];
	return pv_base_name(a->single ? a->path : name);
}

/* The name a source merges under; member: a spilled member's name. */
const char *pv_merge_name(const struct loader *L, const struct source *s, const char *member)
{
	uint64_t off, len;
	if (!s->arch)
		return pv_base_name(pv_src_path(L, s));
	return s->len == INPLACE ? pv_base_name(pv_inplace_of(s, &off, &len)) : member_name(L, s, member);
}

static int load_inplace(struct loader *L, const struct source *s, pv_ctx *ctx)
{
	int rc = pv_inplace_read(L, s, &L->b, ctx);
	if (rc == 0) {
		L->bytes += L->b.len;
		rc = pv_read_one(L->o, ctx, L->st, L->prof, L->b.p, L->b.len);
	}
	if (rc < 0)
		return pv_input_nomem(rc, ctx);
	return pv_load_merge(L, pv_merge_name(L, s, NULL), L->prof, ctx);
}

static int load_member(struct loader *L, const struct source *s, pv_ctx *ctx)
{
	int rc = pv_member_get(L, s, &L->mb, &L->name, &L->capname, L->prof, ctx);
	return rc < 0 ? rc : pv_load_merge(L, member_name(L, s, L->name), L->prof, ctx);
}

static int load_source(struct loader *L, struct source *s, pv_ctx *ctx)
{
	if (!s->arch)
		return load_file(L, s, ctx);
	return s->len == INPLACE ? load_inplace(L, s, ctx) : load_member(L, s, ctx);
}

int pv_load(pv_stats *st, const char *const *inputs, size_t ninputs, const pv_load_opts *opts,
	    pv_load_result *res)
{
	struct loader L = {.st = st, .o = opts, .res = res};
	pv_ctx ctx = {0};
	res->files = res->failed = res->vanished = 0;
	L.sp.fd = -1;
	L.dc.fd = -1;
	L.lim.max_member = opts->limits.max_member ? opts->limits.max_member : PV_DEFAULT_MAX_MEMBER;
	L.lim.max_archive = opts->limits.max_archive ? opts->limits.max_archive : PV_DEFAULT_MAX_ARCHIVE;
	L.budget = opts->cache_bytes ? opts->cache_bytes : (size_t)64 << 20;
	struct rlimit rl;
	/* half of what is left of the descriptor limit, at most 4096 */
	L.maxheld = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur > 128 ? (rl.rlim_cur - 64) / 2 : 0;
	if (L.maxheld > 4096)
		L.maxheld = 4096;
	int rc = pv_profile_new(&L.prof);
	if (rc == 0 && opts->no_callers)
		pv_profile_drop_callers(L.prof);
	for (size_t i = 0; rc == 0 && i < ninputs; i++)
		rc = expand_input(&L, inputs[i]);
	/* plain files are parsed, archive members unpacked, on every core */
	int nw = rc == 0 ? pv_load_threads(opts, L.nsrc) : 1;
	if (nw > 1) {
		rc = pv_load_parallel(&L, nw);
		L.nsrc_done = L.nsrc;
	}
	/* pstats' order: the first, then the rest from the last back; plain
	 * files read ahead in that order (uring.c) when there are a few */
	if (rc == 0 && L.nsrc - L.nsrc_done >= AHEAD_MIN)
		L.ra = pv_ahead_new();
	size_t ahead = L.nsrc_done;
	for (size_t k = L.nsrc_done; rc == 0 && k < L.nsrc; k++) {
		size_t i = k == 0 ? 0 : L.nsrc - k;
		if (ahead < k)
			ahead = k;
		if (L.ra && pv_ahead_hungry(L.ra))
			while (ahead < L.nsrc &&
			       pv_ahead_push(L.ra, &L, &L.src[ahead == 0 ? 0 : L.nsrc - ahead]) >= 0)
				ahead++;
		int r = load_source(&L, &L.src[i], &ctx);
		if (r == PV_ENOMEM) {
			/* the merge itself ran out: the model is incomplete, stop
			 * (naming the input) */
			if (ctx.code != PV_ENOMEM)
				pv_fail(&ctx, PV_ENOMEM, PV_NOOFF, "out of memory");
			if (opts->on_error)
				opts->on_error(&ctx, opts->arg);
			rc = r;
		} else if (r < 0) {
			pv_report_ctx(&L, &ctx);
		} else if (r == VANISHED) {
			res->vanished++;
		}
		pv_load_progress(&L, k + 1);
	}
	pv_ahead_free(L.ra);
	for (size_t i = 0; i < L.nsrc; i++) /* held and not read (an early stop) */
		if (!L.src[i].arch && L.src[i].len >= HELD)
			close((int)(L.src[i].len - HELD));
	pv_paths_free(&L.paths);
	free(L.src);
	for (size_t i = 0; i < L.narchs; i++) {
		if (L.archs[i]->fd >= 0)
			close(L.archs[i]->fd);
		free(L.archs[i]->path);
		free(L.archs[i]);
	}
	free(L.archs);
	for (size_t i = 0; i < L.sp.nseg; i++)
		free(L.sp.seg[i].p);
	free(L.sp.spare.p);
	if (L.sp.fd >= 0)
		close(L.sp.fd);
	free(L.b.p);
	free(L.mb.p);
	free(L.name);
	pv_dircache_drop(&L.dc);
	pv_profile_free(L.prof);
	return rc;
}
