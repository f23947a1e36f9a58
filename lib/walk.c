/*
 * walk.c - the directory walk: which files below a named directory are
 * profiles, and the store their paths live in.
 *
 * Data path of one input: pv_load (load.c) meets a named directory and asks
 * pv_walk_top for every file below it whose name a registered reader or
 * container claims (*.prof, *.prof.gz, ...), recursively; load.c sorts them
 * by the bytes of the path and makes each a source, which the merge (or the
 * parse pool, pool.c) reads and parses in pstats' order.  What cannot be
 * read is reported here, once, and the walk goes on.
 *
 * Paths are kept flat: their bytes one after another in blocks of 1 MiB
 * that never move, so a million dumps cost a million times (path length +
 * 17) bytes (16 for the source, and 8 more while their directory is
 * sorted), with no allocation each.  The same store keeps named files'
 * paths and the locations of archive members read in place (arscan.c).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loader.h"

/* Paths found by a walk: their bytes in blocks of 1 MiB that never move
 * (no copy as the list grows, no slack but the last block's), and the
 * pointers of the current walk's paths, for sorting. */
#define PATH_BLOCK ((size_t)1 << 20)

int pv_paths_push(struct pathvec *pv, char *s)
{
	char *d = NULL;
	if (s && pv_grow(&pv->v, &pv->cap, pv->n + 1, sizeof(*pv->v)) == 0)
		d = pv_paths_keep(pv, s, strlen(s) + 1);
	free(s);
	if (!d)
		return PV_ENOMEM;
	pv->v[pv->n++] = d;
	return 0;
}

/* n bytes in the blocks (not listed in v), copied from p unless it is
 * NULL: they never move. */
void *pv_paths_keep(struct pathvec *pv, const void *p, size_t n)
{
	if (pv->used + n > pv->blkcap) {
		size_t sz = n > PATH_BLOCK ? n : PATH_BLOCK;
		char *b = malloc(sz);
		if (!b || pv_grow(&pv->blocks, &pv->capblocks, pv->nblocks + 1, sizeof(char *)) < 0) {
			free(b);
			return NULL;
		}
		pv->blocks[pv->nblocks++] = b;
		pv->blk = b;
		pv->used = 0;
		pv->blkcap = sz;
	}
	char *d = pv->blk + pv->used;
	if (p)
		memcpy(d, p, n);
	pv->used += n;
	return d;
}

void pv_paths_free(struct pathvec *pv)
{
	for (size_t i = 0; i < pv->nblocks; i++)
		free(pv->blocks[i]);
	free(pv->blocks);
	free(pv->v);
	memset(pv, 0, sizeof(*pv));
}

char *pv_path_join(const char *dir, const char *name)
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

static int has_suffix(const char *s, size_t n, const char *const *ext)
{
	for (; ext && *ext; ext++) {
		size_t m = strlen(*ext);
		if (n >= m && memcmp(s + n - m, *ext, m) == 0)
			return 1;
	}
	return 0;
}

/* A name a directory walk reads: one ending in a suffix a registered
 * reader or container declares (*.prof; *.prof.gz, .bz2, .xz, .zst). */
static int profile_name(const pv_load_opts *o, const char *s)
{
	size_t n = strlen(s);
	for (const pv_reader *const *r = o->readers; r && *r; r++)
		if (has_suffix(s, n, (*r)->suffixes))
			return 1;
	for (const pv_container *const *c = o->containers; c && *c; c++)
		if (has_suffix(s, n, (*c)->suffixes))
			return 1;
	return 0;
}

void pv_load_report(pv_error_fn fn, void *arg, const char *path, int code, const char *what)
{
	pv_ctx ctx = {0};
	ctx.input = path;
	pv_fail(&ctx, code, PV_NOOFF, "%s", what);
	if (fn)
		fn(&ctx, arg);
}

static void report_errno(pv_error_fn fn, void *arg, const char *path, int err,
			 struct tally *t)
{
	pv_load_report(fn, arg, path, PV_EIO, strerror(err));
	t->failed++;
}

const char *pv_file_kind(mode_t m)
{
	return S_ISFIFO(m) ? "a FIFO" : S_ISSOCK(m) ? "a socket"
				: S_ISCHR(m)        ? "a character device"
				: S_ISBLK(m)        ? "a block device"
						    : "not a regular file";
}

/* A walked name that is not a regular file: reported, counted, freed. */
static void skip_kind(pv_error_fn fn, void *arg, char *path, mode_t m, struct tally *t)
{
	char what[64];
	snprintf(what, sizeof(what), "%s, not read", pv_file_kind(m));
	pv_load_report(fn, arg, path, PV_EIO, what);
	t->failed++;
	free(path);
}

/* open(2) for a path of any length: one past PATH_MAX (met deep in a
 * walk) is opened a few directories at a time. */
int pv_open_path(const char *path, int flags)
{
	if (strlen(path) < PATH_MAX)
		return open(path, flags);
	int dfd = AT_FDCWD;
	const char *p = path;
	char part[PATH_MAX];
	while (strlen(p) >= PATH_MAX) {
		size_t cut = PATH_MAX - 1;
		while (cut > 0 && p[cut] != '/')
			cut--;
		if (cut == 0) {
			if (dfd != AT_FDCWD)
				close(dfd);
			errno = ENAMETOOLONG;
			return -1;
		}
		memcpy(part, p, cut);
		part[cut] = '\0';
		int nfd = openat(dfd, part, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		int e = errno;
		if (dfd != AT_FDCWD)
			close(dfd);
		if (nfd < 0) {
			errno = e;
			return -1;
		}
		dfd = nfd;
		p += cut + 1;
	}
	int fd = openat(dfd, p, flags);
	int e = errno;
	if (dfd != AT_FDCWD)
		close(dfd);
	errno = e;
	return fd;
}

/* Collect the *.prof files in the directory open as dfd (named dir; dfd
 * is closed) and add its subdirectories to todo.  Entries are looked at
 * relative to their directory, so no path length limit applies.  Symbolic
 * links to directories are not followed (they could loop); links to files
 * are.  Whatever exists and
 * cannot be read is reported: a directory that cannot be listed or
 * searched, a dangling or looping *.prof link, a *.prof that is a FIFO,
 * socket or device (never opened: a FIFO would block).  An entry gone
 * before it was looked at is only counted. */
static int walk_one(const pv_load_opts *o, int dfd, const char *dir, struct pathvec *out,
		    struct pathvec *todo, struct tally *t)
{
	pv_error_fn fn = o->on_error;
	void *arg = o->arg;
	DIR *d = fdopendir(dfd);
	if (!d) {
		report_errno(fn, arg, dir, errno, t);
		close(dfd);
		return 0;
	}
	int rc = 0, searchable = 0;
	struct dirent *de;
	for (;;) {
		errno = 0;
		if (!(de = readdir(d))) {
			if (errno)
				report_errno(fn, arg, dir, errno, t);
			break;
		}
		const char *name = de->d_name;
		if (!strcmp(name, ".") || !strcmp(name, ".."))
			continue;
		int isprof = profile_name(o, name);
		if (!isprof && de->d_type != DT_DIR && de->d_type != DT_UNKNOWN)
			continue;
		char *p = pv_path_join(dir, name);
		if (!p) {
			rc = PV_ENOMEM;
			break;
		}
		/* readdir's type says "regular file" without a stat (a path
		 * lookup each, a tenth of the time at a million files) once one
		 * stat has shown the directory can be searched */
		if (isprof && de->d_type == DT_REG && searchable) {
			if ((rc = pv_paths_push(out, p)) < 0)
				break;
			continue;
		}
		struct stat lst, st;
		if (fstatat(dirfd(d), name, &lst, AT_SYMLINK_NOFOLLOW) == 0)
			searchable = 1;
		else {
			int e = errno;
			free(p);
			if (e == ENOENT) {
				t->vanished++;
				continue;
			}
			/* EACCES: the directory can be listed but not searched */
			report_errno(fn, arg, dir, e, t);
			break;
		}
		if (S_ISDIR(lst.st_mode)) {
			rc = pv_paths_push(todo, p); /* read after this one: no recursion */
		} else if (!isprof) {
			free(p);
		} else if (S_ISREG(lst.st_mode)) {
			rc = pv_paths_push(out, p);
		} else if (S_ISLNK(lst.st_mode)) {
			if (fstatat(dirfd(d), name, &st, 0) < 0) {
				int e = errno;
				pv_load_report(fn, arg, p, PV_EIO,
					       e == ENOENT  ? "dangling symbolic link"
					       : e == ELOOP ? "symbolic link loop"
							    : strerror(e));
				t->failed++;
				free(p);
			} else if (S_ISREG(st.st_mode)) {
				rc = pv_paths_push(out, p);
			} else if (S_ISDIR(st.st_mode)) {
				free(p); /* a link to a directory: not followed */
			} else {
				skip_kind(fn, arg, p, st.st_mode, t);
			}
		} else {
			skip_kind(fn, arg, p, lst.st_mode, t);
		}
		if (rc < 0)
			break;
	}
	closedir(d);
	return rc;
}

/* Every directory below dfd, depth first, one open at a time: the depth
 * of a tree costs neither stack nor descriptors. */
static int walk(const pv_load_opts *o, int dfd, const char *dir, struct pathvec *out,
		struct tally *t)
{
	pv_error_fn fn = o->on_error;
	void *arg = o->arg;
	struct pathvec todo = {0};
	int rc = walk_one(o, dfd, dir, out, &todo, t);
	while (rc == 0 && todo.n) {
		const char *sub = todo.v[--todo.n]; /* blocks never move: it stays valid */
		int fd = pv_open_path(sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT)
			t->vanished++;
		else if (fd < 0)
			report_errno(fn, arg, sub, errno, t);
		else
			rc = walk_one(o, fd, sub, out, &todo, t);
	}
	pv_paths_free(&todo);
	return rc;
}

/* Walk the directory at path (0), or 1 if path is no directory. */
int pv_walk_top(const pv_load_opts *o, const char *path, struct pathvec *out,
		struct tally *t)
{
	struct stat st;
	if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
		return 1;
	int dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		report_errno(o->on_error, o->arg, path, errno, t);
		return 0;
	}
	return walk(o, dfd, path, out, t);
}

int pv_path_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}
