/*
 * load.c - which inputs are read, in which order, by which reader.
 *
 * Inputs are files, directories (every *.prof below, recursively, sorted by
 * the bytes of the path, and single compressed *.prof.gz and the like) and
 * "-" for standard input; a file may be an archive, whose *.prof members
 * count as files in archive order.  All of them are merged in pstats'
 * order - Stats(first, *rest) loads the first and then add()s the rest in
 * reverse - so totals and float sums match CPython bit for bit.  A bad input
 * is reported through the callback and skipped.
 *
 * Archives stream (tar.gz cannot seek), yet pstats' order wants their
 * members last to first.  Members are parsed in one pass, keeping the first
 * and the last ones that fit a memory budget; when the merge reaches members
 * before that window, the archive is read again up to them.  Small archives
 * take one pass; memory stays bounded for any size.
 */
#include <dirent.h>
#include <limits.h>
#include <pthread.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#define DEFAULT_MAX_FILE ((size_t)2 << 30)

struct pathvec {
	char **v;
	size_t n, cap;
};

static int push(struct pathvec *pv, char *s)
{
	if (!s || pv_grow(&pv->v, &pv->cap, pv->n + 2, sizeof(char *)) < 0) {
		free(s);
		return PV_ENOMEM;
	}
	pv->v[pv->n++] = s;
	pv->v[pv->n] = NULL;
	return 0;
}

static char *join(const char *dir, const char *name)
{
	size_t a = strlen(dir), b = strlen(name);
	int slash = a > 0 && dir[a - 1] != '/';
	char *s = malloc(a + slash + b + 1);
	if (!s)
		return NULL;
	memcpy(s, dir, a);
	if (slash)
		s[a] = '/';
	memcpy(s + a + slash, name, b + 1);
	return s;
}

/* *.prof, and single compressed ones (*.prof.gz, .bz2, .xz, .zst) */
static int profile_name(const char *s)
{
	static const char *const ext[] = {".prof", ".prof.gz", ".prof.bz2", ".prof.xz", ".prof.zst"};
	size_t n = strlen(s);
	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		size_t m = strlen(ext[i]);
		if (n >= m && memcmp(s + n - m, ext[i], m) == 0)
			return 1;
	}
	return 0;
}

static void report(pv_error_fn fn, void *arg, const char *path, int code, const char *what)
{
	pv_ctx ctx = {0};
	ctx.input = path;
	pv_fail(&ctx, code, PV_NOOFF, "%s", what);
	if (fn)
		fn(&ctx, arg);
}

/* Collect every *.prof file below dir.  Symbolic links to directories are
 * not followed (they could loop); links to files are. */
static int walk(const char *dir, struct pathvec *out, size_t *failed, pv_error_fn fn, void *arg)
{
	DIR *d = opendir(dir);
	if (!d) {
		report(fn, arg, dir, PV_EIO, strerror(errno));
		++*failed;
		return 0;
	}
	int rc = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		char *p = join(dir, de->d_name);
		if (!p) {
			rc = PV_ENOMEM;
			break;
		}
		struct stat lst, st;
		if (lstat(p, &lst) < 0) {
			free(p); /* vanished while listing: nothing to read */
			continue;
		}
		if (S_ISDIR(lst.st_mode)) {
			rc = walk(p, out, failed, fn, arg);
			free(p);
		} else if (profile_name(de->d_name) && stat(p, &st) == 0 && S_ISREG(st.st_mode)) {
			rc = push(out, p);
		} else {
			free(p);
		}
		if (rc < 0)
			break;
	}
	closedir(d);
	return rc;
}

static int cmp_path(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int expand(const char *const *inputs, size_t ninputs, struct pathvec *out, size_t *failed,
		  pv_error_fn fn, void *arg)
{
	for (size_t i = 0; i < ninputs; i++) {
		struct stat st;
		const char *in = inputs[i];
		if (strcmp(in, "-") != 0 && stat(in, &st) == 0 && S_ISDIR(st.st_mode)) {
			size_t first = out->n, before = *failed;
			int rc = walk(in, out, failed, fn, arg);
			if (rc < 0)
				return rc;
			if (out->n > first)
				qsort(out->v + first, out->n - first, sizeof(char *), cmp_path);
			if (out->n == first && *failed == before) {
				report(fn, arg, in, PV_EFORMAT, "no *.prof files in this directory");
				++*failed;
			}
			continue;
		}
		/* files (and "-") are read as named; errors show when opened */
		int rc = push(out, strdup(in));
		if (rc < 0)
			return rc;
	}
	return 0;
}

int pv_paths_expand(const char *const *inputs, size_t ninputs, char ***out, size_t *n,
		    pv_error_fn on_error, void *arg)
{
	struct pathvec pv = {0};
	size_t failed = 0;
	int rc = expand(inputs, ninputs, &pv, &failed, on_error, arg);
	if (rc == 0 && !pv.v && !(pv.v = calloc(1, sizeof(char *))))
		rc = PV_ENOMEM;
	if (rc < 0) {
		pv_paths_free(pv.v);
		return rc;
	}
	*out = pv.v;
	*n = pv.n;
	return 0;
}

void pv_paths_free(char **paths)
{
	if (!paths)
		return;
	for (char **p = paths; *p; p++)
		free(*p);
	free(paths);
}

/* ---- reading ------------------------------------------------------------ */

struct buf {
	unsigned char *p;
	size_t len, cap;
};

/* Read all of fd (a file may still be growing: read to EOF, not to the size
 * stat saw).  PV_EIO / PV_ELIMIT with the message in ctx. */
static int slurp(int fd, struct buf *b, size_t max, pv_ctx *ctx)
{
	struct stat st;
	b->len = 0;
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

static const pv_reader *pick(const pv_load_opts *o, const unsigned char *p, size_t n)
{
	for (const pv_reader *const *r = o->readers; *r; r++)
		if ((*r)->sniff(p, n))
			return *r;
	return o->readers[0]; /* its error says what is wrong */
}

static const pv_container *container_for(const pv_load_opts *o, const unsigned char *p,
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

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* ---- sources: every profile in merge-list order ------------------------ */

struct cached {
	long member;
	pv_profile *p; /* NULL: rc and err say why */
	int rc;
	char *name;
	char err[sizeof(((pv_ctx *)0)->msg)];
};

/* An archive named on the command line, and its read-ahead cache. */
struct arch {
	char *path;
	const pv_container *c;
	struct buf mem; /* standard input is held in memory */
	int inmem;
	long nmembers;
	struct cached first; /* member 0 */
	struct cached *win;  /* members [win[0].member, ...], ascending */
	size_t nwin, capwin, winbytes;
	int failed;          /* the archive itself failed (reported once) */
	char err[sizeof(((pv_ctx *)0)->msg)];
	int errcode;
};

struct source {
	char *path;         /* a file, or NULL for an archive member */
	struct arch *arch;  /* the member's archive */
	long member;
};

struct loader {
	pv_stats *st;
	const pv_load_opts *o;
	pv_limits lim;
	size_t budget;
	struct source *src;
	size_t nsrc, capsrc, nsrc_done;
	struct arch **archs;
	size_t narchs, caparchs;
	pv_load_result *res;
	struct buf b, mb;
	pv_profile *prof;
	uint64_t bytes; /* read so far, for progress */
	/* while parsing threads intern into st: held around `seen`, which may
	 * read st's strings and keys (pv_groups copies profiles out of them) */
	pthread_mutex_t *tables;
};

static size_t max_file(const struct loader *L)
{
	return L->o->max_file_size ? L->o->max_file_size : DEFAULT_MAX_FILE;
}

static void progress(struct loader *L, size_t done)
{
	if (L->o->progress)
		L->o->progress(L->o->arg, done, L->nsrc, L->bytes);
}

static void report_ctx(struct loader *L, pv_ctx *ctx)
{
	L->res->failed++;
	if (L->o->on_error)
		L->o->on_error(ctx, L->o->arg);
}

static int add_source(struct loader *L, char *path, struct arch *a, long member)
{
	if (pv_grow(&L->src, &L->capsrc, L->nsrc + 1, sizeof(*L->src)) < 0) {
		free(path);
		return PV_ENOMEM;
	}
	L->src[L->nsrc++] = (struct source){path, a, member};
	return 0;
}

static void cached_clear(struct cached *c)
{
	pv_profile_free(c->p);
	free(c->name);
	memset(c, 0, sizeof(*c));
}

static void win_clear(struct arch *a)
{
	for (size_t i = 0; i < a->nwin; i++)
		cached_clear(&a->win[i]);
	a->nwin = 0;
	a->winbytes = 0;
}

/* Parse the current member into c (the profile, or the error). */
static int parse_member(struct loader *L, struct arch *a, void *h, long m, const char *name,
			struct cached *c)
{
	pv_ctx ctx = {.input = a->path, .member = name};
	memset(c, 0, sizeof(*c));
	c->member = m;
	if (!(c->name = strdup(name)))
		return PV_ENOMEM;
	int rc = a->c->read(h, &L->mb.p, &L->mb.cap, &L->mb.len, &ctx);
	L->bytes += L->mb.len;
	if (rc == 0 && (rc = pv_profile_new(&c->p)) == 0) {
		const pv_reader *r = pick(L->o, L->mb.p, L->mb.len);
		rc = r->read(&ctx, L->st, c->p, L->mb.p, L->mb.len);
		if (rc == 0)
			pv_profile_shrink(c->p); /* kept a while: give back the reader's reserve */
	}
	if (rc < 0) {
		if (rc == PV_ENOMEM)
			return rc;
		pv_profile_free(c->p);
		c->p = NULL;
		c->rc = rc;
		memcpy(c->err, ctx.msg, sizeof(c->err));
	}
	return 0;
}

static int arch_fail(struct arch *a, pv_ctx *ctx)
{
	a->failed = 1;
	a->errcode = ctx->code;
	memcpy(a->err, ctx->msg, sizeof(a->err));
	return 0;
}

/* One pass over the archive: count the members the caller wants (when
 * listing), keep member 0, and keep the wanted members up to `upto` whose
 * parsed size fits the budget, the last ones first. */
static int arch_scan(struct loader *L, struct arch *a, long upto, int listing)
{
	void *h = NULL;
	pv_ctx ctx = {.input = a->path};
	int rc = a->c->open(&h, a->path, a->inmem ? a->mem.p : NULL, a->mem.len, &L->lim, &ctx);
	if (rc < 0)
		return rc == PV_ENOMEM ? rc : arch_fail(a, &ctx);
	win_clear(a);
	long m = 0;
	const char *name;
	while ((rc = a->c->next(h, &name, &ctx)) == 1) {
		if (!listing && m > upto)
			break;
		if (L->o->want && !L->o->want(L->o->arg, base_name(name)))
			continue;
		struct cached c;
		if (listing || m > 0 || !a->first.name) {
			if ((rc = parse_member(L, a, h, m, name, &c)) < 0)
				goto out;
			if (m == 0 && listing) {
				a->first = c;
			} else if (m > 0) {
				if ((rc = pv_grow(&a->win, &a->capwin, a->nwin + 1, sizeof(*a->win))) < 0) {
					cached_clear(&c);
					goto out;
				}
				a->win[a->nwin++] = c;
				a->winbytes += c.p ? pv_profile_memsize(c.p) : 256;
				/* over budget: drop the oldest, keep the newest */
				size_t drop = 0;
				while (a->nwin - drop > 1 && a->winbytes > L->budget) {
					struct cached *d = &a->win[drop++];
					a->winbytes -= d->p ? pv_profile_memsize(d->p) : 256;
					cached_clear(d);
				}
				if (drop) {
					memmove(a->win, a->win + drop, (a->nwin - drop) * sizeof(*a->win));
					a->nwin -= drop;
				}
			} else {
				cached_clear(&c);
			}
		}
		if (listing && (rc = add_source(L, NULL, a, m)) < 0)
			goto out;
		m++;
	}
	if (rc < 0 && rc != PV_ENOMEM) {
		if (listing)
			arch_fail(a, &ctx);
		else { /* it listed fine before: report at this member */
			a->failed = 1;
			a->errcode = ctx.code;
			memcpy(a->err, ctx.msg, sizeof(a->err));
		}
		rc = 0;
	}
	if (listing)
		a->nmembers = m;
out:
	a->c->close(h);
	return rc < 0 ? rc : 0;
}

/* Member m of archive a, parsed: from the cache, or by reading again. */
static int arch_get(struct loader *L, struct arch *a, long m, struct cached **out)
{
	*out = NULL;
	if (m == 0 && a->first.name) {
		*out = &a->first;
		return 0;
	}
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < a->nwin; i++)
			if (a->win[i].member == m) {
				*out = &a->win[i];
				return 0;
			}
		if (pass == 0 && !a->failed) {
			int rc = arch_scan(L, a, m, 0);
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

/* A named input: a directory (walked), an archive (listed), or a file. */
static int expand_input(struct loader *L, const char *in)
{
	struct stat st;
	int isstdin = strcmp(in, "-") == 0;
	if (!isstdin && stat(in, &st) == 0 && S_ISDIR(st.st_mode)) {
		struct pathvec pv = {0};
		size_t before = L->res->failed;
		int rc = walk(in, &pv, &L->res->failed, L->o->on_error, L->o->arg);
		if (rc == 0 && pv.n) {
			qsort(pv.v, pv.n, sizeof(char *), cmp_path);
			for (size_t i = 0; i < pv.n && rc == 0; i++) {
				if (L->o->want && !L->o->want(L->o->arg, base_name(pv.v[i]))) {
					free(pv.v[i]);
					continue;
				}
				rc = add_source(L, pv.v[i], NULL, 0);
			}
		}
		if (rc == 0) {
			if (pv.n == 0 && L->res->failed == before) {
				report(L->o->on_error, L->o->arg, in, PV_EFORMAT,
				       "no *.prof files in this directory");
				L->res->failed++;
			}
		}
		free(pv.v);
		return rc;
	}
	/* Peek at a named file: an archive is listed now, so that its members
	 * take their places in the merge order. */
	unsigned char head[512];
	size_t n = 0;
	struct buf mem = {0};
	if (isstdin) {
		pv_ctx ctx = {.input = "<stdin>"};
		int rc = slurp(0, &mem, max_file(L), &ctx);
		if (rc < 0) {
			free(mem.p);
			if (rc == PV_ENOMEM)
				return rc;
			report_ctx(L, &ctx);
			return 0;
		}
		n = mem.len < sizeof(head) ? mem.len : sizeof(head);
		memcpy(head, mem.p, n);
	} else {
		int fd = open(in, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			ssize_t got = read(fd, head, sizeof(head));
			n = got > 0 ? (size_t)got : 0;
			close(fd);
		}
	}
	const pv_container *c = container_for(L->o, head, n);
	if (!c) {
		if (isstdin) { /* keep the bytes: stdin cannot be read twice */
			struct arch *a = calloc(1, sizeof(*a));
			if (!a || pv_grow(&L->archs, &L->caparchs, L->narchs + 1, sizeof(*L->archs)) < 0) {
				free(a);
				free(mem.p);
				return PV_ENOMEM;
			}
			a->mem = mem;
			a->inmem = 1;
			L->archs[L->narchs++] = a;
			return add_source(L, NULL, a, -1);
		}
		char *p = strdup(in);
		return p ? add_source(L, p, NULL, 0) : PV_ENOMEM;
	}
	struct arch *a = calloc(1, sizeof(*a));
	if (!a || !(a->path = strdup(isstdin ? "<stdin>" : in)) ||
	    pv_grow(&L->archs, &L->caparchs, L->narchs + 1, sizeof(*L->archs)) < 0) {
		if (a)
			free(a->path);
		free(a);
		free(mem.p);
		return PV_ENOMEM;
	}
	L->archs[L->narchs++] = a;
	a->c = c;
	a->mem = mem;
	a->inmem = isstdin;
	size_t first = L->nsrc;
	int rc = arch_scan(L, a, LONG_MAX, 1);
	if (rc < 0)
		return rc;
	if (a->failed && L->nsrc == first) { /* nothing listed: report it here */
		pv_ctx ctx = {0};
		ctx.code = a->errcode;
		memcpy(ctx.msg, a->err, sizeof(ctx.msg));
		report_ctx(L, &ctx);
		a->failed = 2; /* reported */
	} else if (!a->failed && L->nsrc == first) {
		report(L->o->on_error, L->o->arg, a->path, PV_EFORMAT, "no *.prof members in this archive");
		L->res->failed++;
	}
	return 0;
}

static int merge(struct loader *L, const char *name, pv_profile *p, pv_ctx *ctx)
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
static int load_inline(struct loader *L, const char *path, const pv_container *c, pv_ctx *ctx)
{
	void *h = NULL;
	int rc = c->open(&h, path, L->b.p, L->b.len, &L->lim, ctx);
	if (rc < 0)
		return rc;
	const char *name;
	int n = 0;
	while ((rc = c->next(h, &name, ctx)) == 1) {
		ctx->member = NULL;
		if ((rc = c->read(h, &L->mb.p, &L->mb.cap, &L->mb.len, ctx)) < 0 ||
		    (rc = pick(L->o, L->mb.p, L->mb.len)->read(ctx, L->st, L->prof, L->mb.p, L->mb.len)) < 0 ||
		    (rc = merge(L, name, L->prof, ctx)) < 0)
			break;
		n++;
	}
	c->close(h);
	if (rc == 0 && n == 0)
		rc = pv_fail(ctx, PV_EFORMAT, PV_NOOFF, "no profile inside");
	return rc;
}

/* The whole of the file at path into b, with ctx naming it for errors. */
static int read_input(const struct loader *L, const char *path, struct buf *b, pv_ctx *ctx)
{
	ctx->input = path;
	ctx->member = NULL;
	pv_ctx_clear(ctx);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return pv_fail(ctx, PV_EIO, PV_NOOFF, "%s", strerror(errno));
	int rc = slurp(fd, b, max_file(L), ctx);
	close(fd);
	return rc;
}

static int load_file(struct loader *L, const char *path, pv_ctx *ctx)
{
	int rc = read_input(L, path, &L->b, ctx);
	if (rc < 0)
		return rc;
	L->bytes += L->b.len;
	const pv_container *c = container_for(L->o, L->b.p, L->b.len);
	if (c)
		return load_inline(L, path, c, ctx);
	if ((rc = pick(L->o, L->b.p, L->b.len)->read(ctx, L->st, L->prof, L->b.p, L->b.len)) < 0)
		return rc;
	return merge(L, base_name(path), L->prof, ctx);
}

static int load_source(struct loader *L, struct source *s, pv_ctx *ctx)
{
	if (s->path)
		return load_file(L, s->path, ctx);
	struct arch *a = s->arch;
	if (s->member < 0) { /* standard input, held in memory */
		ctx->input = "<stdin>";
		ctx->member = NULL;
		pv_ctx_clear(ctx);
		int rc = pick(L->o, a->mem.p, a->mem.len)->read(ctx, L->st, L->prof, a->mem.p, a->mem.len);
		return rc < 0 ? rc : merge(L, "<stdin>", L->prof, ctx);
	}
	struct cached *c;
	int rc = arch_get(L, a, s->member, &c);
	if (rc < 0)
		return rc;
	if (!c) { /* the archive broke after listing; say so once */
		if (a->failed == 2)
			return 1;
		a->failed = 2;
		ctx->code = a->errcode;
		memcpy(ctx->msg, a->err, sizeof(ctx->msg));
		return a->errcode ? a->errcode : PV_EFORMAT;
	}
	if (!c->p) {
		ctx->code = c->rc;
		memcpy(ctx->msg, c->err, sizeof(ctx->msg));
		return c->rc;
	}
	ctx->input = a->path;
	ctx->member = c->name;
	pv_ctx_clear(ctx);
	rc = merge(L, base_name(c->name), c->p, ctx);
	/* a merged member is not needed again: give its memory back */
	pv_profile_free(c->p);
	c->p = NULL;
	c->rc = PV_EARG;
	snprintf(c->err, sizeof(c->err), "internal: member read twice");
	return rc;
}

/* ---- parallel parsing ---------------------------------------------------

 * When every source is a plain file, threads parse ahead while the calling
 * thread merges in pstats' order, so the result is the same bytes as a
 * single-threaded run.  The calling thread is one of the parsers: when the
 * next file to merge is not ready it parses the next unclaimed one rather
 * than sleep, so one thread per core keeps every core busy without a
 * wake-up per file.  Each thread interns into tables of its own; once a
 * file is parsed it maps the file's keys to the shared tables under a lock
 * (after the first files almost every key is already known), so the merge
 * never waits on interning. */

struct pslot {
	pv_profile *p;
	pv_ctx ctx;
	int rc;      /* 0, <0 error in ctx, 1 = not a plain profile: load it in order */
	size_t len;  /* bytes read */
	size_t k;    /* merge position this slot holds */
	int ready;
};

struct pworker {
	struct pool *pool;
	pv_stats *names;
	struct buf b;
	size_t len; /* bytes of the file just read */
	uint32_t *xlat;
	size_t capx;
	pthread_t th;
	int started;
};

struct pool {
	struct loader *L;
	size_t n, next, consumed;
	struct pslot *ring;
	size_t R;
	pthread_mutex_t mu;      /* next, consumed, ring states */
	pthread_cond_t cv;
	pthread_mutex_t intern;  /* the shared string and key tables */
	int nomem;
};

static size_t order_at(size_t n, size_t k)
{
	return k == 0 ? 0 : n - k;
}

static int parse_plain(struct pworker *w, const char *path, pv_profile *p, pv_ctx *ctx)
{
	struct loader *L = w->pool->L;
	int rc = read_input(L, path, &w->b, ctx);
	if (rc < 0)
		return rc;
	w->len = w->b.len;
	if (container_for(L->o, w->b.p, w->b.len))
		return 1;
	if ((rc = pick(L->o, w->b.p, w->b.len)->read(ctx, w->names, p, w->b.p, w->b.len)) < 0)
		return rc;
	pthread_mutex_lock(&w->pool->intern);
	rc = pv_profile_rekey(p, w->names, L->st, &w->xlat, &w->capx);
	pthread_mutex_unlock(&w->pool->intern);
	return rc < 0 ? pv_fail(ctx, rc, PV_NOOFF, "out of memory") : 0;
}

/* The next merge position to parse, if its ring slot is free (P->mu held);
 * 0 if there is none now. */
static int claim(struct pool *P, size_t *k)
{
	if (P->nomem || P->next >= P->n || P->next - P->consumed >= P->R)
		return 0;
	*k = P->next++;
	return 1;
}

/* Parse merge position k into its ring slot (P->mu not held). */
static void parse_into(struct pworker *w, size_t k)
{
	struct pool *P = w->pool;
	struct pslot *s = &P->ring[k % P->R];
	const char *path = P->L->src[order_at(P->n, k)].path;
	w->len = 0;
	int rc = parse_plain(w, path, s->p, &s->ctx);
	pthread_mutex_lock(&P->mu);
	s->rc = rc;
	s->len = w->len;
	s->k = k;
	s->ready = 1;
	if (rc == PV_ENOMEM)
		P->nomem = 1;
	pthread_cond_broadcast(&P->cv);
	pthread_mutex_unlock(&P->mu);
}

static void *pworker_main(void *arg)
{
	struct pworker *w = arg;
	struct pool *P = w->pool;
	for (;;) {
		size_t k = 0;
		int got;
		pthread_mutex_lock(&P->mu);
		while (!(got = claim(P, &k)) && P->next < P->n && !P->nomem)
			pthread_cond_wait(&P->cv, &P->mu);
		pthread_mutex_unlock(&P->mu);
		if (!got)
			return NULL;
		parse_into(w, k);
	}
}

static int nthreads(const pv_load_opts *o, size_t nsrc)
{
	long n = o->threads ? o->threads : sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		n = 1;
	if (n > 16)
		n = 16;
	if ((size_t)n > nsrc / 8) /* threads do not pay for a few files */
		n = (long)(nsrc / 8) ? (long)(nsrc / 8) : 1;
	return (int)n;
}

static int load_parallel(struct loader *L, int nw)
{
	struct pool P = {.L = L, .n = L->nsrc, .R = (size_t)nw * 8};
	struct pworker *w = calloc((size_t)nw, sizeof(*w));
	P.ring = calloc(P.R, sizeof(*P.ring));
	int rc = 0;
	pthread_mutex_init(&P.mu, NULL);
	pthread_cond_init(&P.cv, NULL);
	pthread_mutex_init(&P.intern, NULL);
	L->tables = &P.intern;
	if (!w || !P.ring) {
		rc = PV_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < P.R; i++)
		if ((rc = pv_profile_new(&P.ring[i].p)) < 0)
			goto out;
	for (int i = 0; i < nw; i++) {
		w[i].pool = &P;
		if ((rc = pv_stats_new(&w[i].names)) < 0)
			goto out;
	}
	/* w[0] is the calling thread's own: it parses too */
	for (int i = 1; i < nw; i++) {
		if (pthread_create(&w[i].th, NULL, pworker_main, &w[i]) != 0)
			break; /* fewer threads still finish the work */
		w[i].started = 1;
	}
	for (size_t k = 0; k < P.n; k++) {
		struct pslot *s = &P.ring[k % P.R];
		pthread_mutex_lock(&P.mu);
		while (!(s->ready && s->k == k) && !P.nomem) {
			size_t j;
			if (claim(&P, &j)) { /* rather than wait, parse ahead */
				pthread_mutex_unlock(&P.mu);
				parse_into(&w[0], j);
				pthread_mutex_lock(&P.mu);
			} else {
				pthread_cond_wait(&P.cv, &P.mu);
			}
		}
		int nomem = P.nomem;
		pthread_mutex_unlock(&P.mu);
		if (nomem) {
			rc = PV_ENOMEM;
			break;
		}
		const char *path = L->src[order_at(P.n, k)].path;
		int r = s->rc;
		if (r == 1) { /* a compressed file: read here, in order */
			pthread_mutex_lock(&P.intern);
			L->tables = NULL; /* held already */
			r = load_file(L, path, &s->ctx);
			L->tables = &P.intern;
			pthread_mutex_unlock(&P.intern);
		} else {
			L->bytes += s->len;
			if (r == 0)
				r = merge(L, base_name(path), s->p, &s->ctx);
		}
		if (r == PV_ENOMEM) {
			rc = r;
			pthread_mutex_lock(&P.mu);
			P.nomem = 1;
			pthread_cond_broadcast(&P.cv);
			pthread_mutex_unlock(&P.mu);
			break;
		}
		if (r < 0)
			report_ctx(L, &s->ctx);
		progress(L, k + 1);
		pthread_mutex_lock(&P.mu);
		s->ready = 0;
		P.consumed = k + 1;
		pthread_cond_broadcast(&P.cv);
		pthread_mutex_unlock(&P.mu);
	}
out:
	for (int i = 0; w && i < nw; i++) {
		if (w[i].started)
			pthread_join(w[i].th, NULL);
		pv_stats_free(w[i].names);
		free(w[i].b.p);
		free(w[i].xlat);
	}
	for (size_t i = 0; P.ring && i < P.R; i++)
		pv_profile_free(P.ring[i].p);
	free(P.ring);
	free(w);
	L->tables = NULL;
	pthread_mutex_destroy(&P.mu);
	pthread_cond_destroy(&P.cv);
	pthread_mutex_destroy(&P.intern);
	return rc;
}

int pv_load(pv_stats *st, const char *const *inputs, size_t ninputs, const pv_load_opts *opts,
	    pv_load_result *res)
{
	struct loader L = {.st = st, .o = opts, .res = res};
	pv_ctx ctx = {0};
	res->files = res->failed = 0;
	L.lim.max_member = opts->limits.max_member ? opts->limits.max_member : PV_DEFAULT_MAX_MEMBER;
	L.lim.max_archive = opts->limits.max_archive ? opts->limits.max_archive : PV_DEFAULT_MAX_ARCHIVE;
	L.budget = opts->cache_bytes ? opts->cache_bytes : (size_t)64 << 20;
	int rc = pv_profile_new(&L.prof);
	for (size_t i = 0; rc == 0 && i < ninputs; i++)
		rc = expand_input(&L, inputs[i]);
	int plain = 1;
	for (size_t i = 0; i < L.nsrc; i++)
		plain &= L.src[i].path != NULL;
	int nw = rc == 0 && plain ? nthreads(opts, L.nsrc) : 1;
	if (nw > 1) {
		rc = load_parallel(&L, nw);
		L.nsrc_done = L.nsrc;
	}
	/* pstats' order: the first, then the rest from the last back */
	for (size_t k = L.nsrc_done; rc == 0 && k < L.nsrc; k++) {
		size_t i = k == 0 ? 0 : L.nsrc - k;
		int r = load_source(&L, &L.src[i], &ctx);
		if (r == PV_ENOMEM)
			rc = r;
		else if (r < 0)
			report_ctx(&L, &ctx);
		progress(&L, k + 1);
	}
	for (size_t i = 0; i < L.nsrc; i++)
		free(L.src[i].path);
	free(L.src);
	for (size_t i = 0; i < L.narchs; i++) {
		struct arch *a = L.archs[i];
		win_clear(a);
		free(a->win);
		cached_clear(&a->first);
		free(a->mem.p);
		free(a->path);
		free(a);
	}
	free(L.archs);
	free(L.b.p);
	free(L.mb.p);
	pv_profile_free(L.prof);
	return rc;
}
