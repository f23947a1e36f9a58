/*
 * load.c - which inputs are read, in which order, by which reader.
 *
 * Inputs are files, directories (every *.prof below, recursively, sorted by
 * the bytes of the path) and "-" for standard input.  They are merged in
 * pstats' order - Stats(first, *rest) loads the first and then add()s the
 * rest in reverse - so totals and float sums match CPython bit for bit.
 * A bad input is reported through the callback and skipped.
 */
#include <dirent.h>
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

static int ends_with_prof(const char *s)
{
	size_t n = strlen(s);
	return n >= 5 && memcmp(s + n - 5, ".prof", 5) == 0;
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
		} else if (ends_with_prof(de->d_name) && stat(p, &st) == 0 && S_ISREG(st.st_mode)) {
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

/* ---- reading one input ------------------------------------------------ */

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
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode))
		return pv_fail(ctx, PV_EIO, PV_NOOFF, "is a directory");
	size_t hint = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 65536;
	if (hint > max + 1)
		return pv_fail(ctx, PV_ELIMIT, PV_NOOFF, "file larger than %zu bytes", max);
	for (;;) {
		if (b->len == b->cap || b->cap < hint) {
			size_t want = b->len + (hint > b->len ? hint - b->len : 65536);
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

static int load_one(pv_stats *st, pv_profile *prof, const char *path, struct buf *b,
		    const pv_load_opts *o, pv_ctx *ctx)
{
	int stdin_ = strcmp(path, "-") == 0;
	ctx->input = stdin_ ? "<stdin>" : path;
	ctx->member = NULL;
	pv_ctx_clear(ctx);
	int fd = stdin_ ? 0 : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return pv_fail(ctx, PV_EIO, PV_NOOFF, "%s", strerror(errno));
	int rc = slurp(fd, b, o->max_file_size ? o->max_file_size : DEFAULT_MAX_FILE, ctx);
	if (!stdin_)
		close(fd);
	if (rc < 0)
		return rc;
	const pv_reader *r = pick(o, b->p, b->len);
	if ((rc = r->read(ctx, st, prof, b->p, b->len)) < 0)
		return rc;
	return pv_stats_merge(st, prof, ctx);
}

int pv_load(pv_stats *st, const char *const *inputs, size_t ninputs, const pv_load_opts *opts,
	    pv_load_result *res)
{
	struct pathvec pv = {0};
	struct buf b = {0};
	pv_profile *prof = NULL;
	pv_ctx ctx = {0};
	res->files = res->failed = 0;
	int rc = expand(inputs, ninputs, &pv, &res->failed, opts->on_error, opts->arg);
	if (rc < 0 || (rc = pv_profile_new(&prof)) < 0)
		goto out;
	/* pstats' order: the first input, then the rest from the last back */
	for (size_t k = 0; k < pv.n; k++) {
		size_t i = k == 0 ? 0 : pv.n - k;
		rc = load_one(st, prof, pv.v[i], &b, opts, &ctx);
		if (rc == PV_ENOMEM)
			goto out;
		if (rc < 0) {
			res->failed++;
			if (opts->on_error)
				opts->on_error(&ctx, opts->arg);
			continue;
		}
		res->files++;
	}
	rc = 0;
out:
	if (pv.v)
		pv_paths_free(pv.v);
	free(b.p);
	pv_profile_free(prof);
	return rc;
}
