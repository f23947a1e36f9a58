/*
 * watch.c - --watch: the inputs read again and again as dumps arrive,
 * each file opened once.
 *
 * New files are found by inotify (IN_CLOSE_WRITE, IN_MOVED_TO: a dump
 * written in place or renamed into a directory; new subdirectories are
 * watched as they appear), or, where inotify is missing or
 * PROFVIEW_WATCH_POLL=1 asks, by listing the directories at every poll.
 * A file is read once it has been quiet (no event, same size and mtime)
 * for QUIET seconds.  A file that does not parse may still be being
 * written: it is kept pending, read again only when it changes, and
 * reported as broken only once it has stayed unchanged for BROKEN
 * seconds.
 *
 * Every profile read is kept packed (pv_profile_pack: a few KB a dump)
 * with its key ids in the watch's own tables.  pstats' merge order (the
 * first file, then the others last to first) puts a new file before older
 * ones, and float sums depend on order, so each refresh merges every kept
 * record again into a new model - from memory, never reading a file
 * again - and its numbers are those of a fresh run over the same files.
 * The new model interns the tables' keys first, in order, so its key ids
 * are the records' and they merge without a rekeying pass.
 */
#define _GNU_SOURCE /* qsort_r */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "loader.h"

#define QUIET 0.2  /* seconds a file must be unchanged before it is read */
#define BROKEN 3.0 /* seconds a file that does not parse must stay unchanged */
#define GONE UINT32_MAX
#define EVENTS (IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_Q_OVERFLOW)

/* a profile read and kept */
struct rec {
	char *path;
	uint32_t input;  /* which input it came from (merge order: by input, then path) */
	size_t off, len; /* its packed bytes in w->pack */
};

/* a file seen but not read yet, or read and not parsed */
struct cand {
	char *path;
	uint32_t input;
	off_t size;
	struct timespec mtime;
	double changed; /* when size or mtime last changed (or an event came) */
	int tried;      /* read at this size and mtime, and it did not parse */
	char err[1024]; /* what the last read said */
};

struct dirw {
	int wd;
	uint32_t input;
	char *path;
};

struct pv_watch {
	pv_stats *keys; /* the records' strings and keys */
	pv_profile *scratch;
	const char *const *inputs;
	size_t ninputs;
	struct rec *recs;
	size_t nrecs, caprecs;
	unsigned char *pack;
	size_t packlen, packcap;
	pv_map done; /* path hash -> 1: read, refused or reported; never again */
	struct cand *cands;
	size_t ncands, capcands;
	pv_map pend; /* path hash -> index + 1 in cands; GONE once it left */
	struct dirw *dirs;
	size_t ndirs, capdirs;
	int fd;     /* inotify, or -1: polling */
	int rescan; /* polling, or inotify's queue overflowed: list every directory */
	size_t failed;
	int fresh; /* records were added since the last merge */
	unsigned char *buf;
	size_t bufcap;
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t path_hash(const char *p)
{
	return pv_hash_bytes(p, strlen(p)) | 1; /* nonzero */
}

static int has_suffix(const char *s, const char *const *ext)
{
	size_t n = strlen(s);
	for (; ext && *ext; ext++) {
		size_t k = strlen(*ext);
		if (n > k && !memcmp(s + n - k, *ext, k))
			return 1;
	}
	return 0;
}

/* A name a directory walk reads: a reader's suffix (".prof"). */
static int profile_name(const pv_load_opts *o, const char *name)
{
	for (const pv_reader *const *r = o->readers; *r; r++)
		if (has_suffix(name, (*r)->suffixes))
			return 1;
	return 0;
}

static void report(const pv_load_opts *o, const char *path, const char *msg)
{
	pv_ctx ctx = {0};
	ctx.input = path;
	pv_fail(&ctx, PV_EFORMAT, PV_NOOFF, "%s", msg);
	if (o->on_error)
		o->on_error(&ctx, o->arg);
}

/* A file found (by an event or a listing): a candidate, unless it is
 * known or the name is refused. */
static int found(pv_watch *w, const pv_load_opts *o, const char *path, uint32_t input, double t,
		 int event)
{
	uint64_t h = path_hash(path);
	if (pv_map_get(&w->done, h))
		return 0;
	uint32_t at = pv_map_get(&w->pend, h);
	if (at && at != GONE && !strcmp(w->cands[at - 1].path, path)) {
		if (event) { /* written again: quiet and readable from now on */
			w->cands[at - 1].changed = t;
			w->cands[at - 1].tried = 0;
		}
		return 0;
	}
	if (o->want && !o->want(o->arg, pv_base_name(path)))
		return pv_map_put(&w->done, h, 1);
	if (pv_grow(&w->cands, &w->capcands, w->ncands + 1, sizeof(*w->cands)) < 0)
		return PV_ENOMEM;
	struct cand *c = &w->cands[w->ncands];
	memset(c, 0, sizeof(*c));
	if (!(c->path = strdup(path)))
		return PV_ENOMEM;
	c->input = input;
	c->size = -1;
	c->changed = t;
	w->ncands++;
	return pv_map_put(&w->pend, h, (uint32_t)w->ncands);
}

static int add_dir(pv_watch *w, const pv_load_opts *o, const char *path, uint32_t input,
		   double t);

/* List a directory (and those below it): new files become candidates. */
static int scan(pv_watch *w, const pv_load_opts *o, const char *dir, uint32_t input, double t,
		int watch_new)
{
	DIR *d = opendir(dir);
	if (!d)
		return 0; /* gone, or not readable: its files are not there to read */
	struct dirent *e;
	int rc = 0;
	while (rc == 0 && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char *p = pv_path_join(dir, e->d_name);
		if (!p) {
			rc = PV_ENOMEM;
			break;
		}
		int type = e->d_type;
		if (type == DT_UNKNOWN) {
			struct stat sb;
			type = lstat(p, &sb) < 0 ? DT_UNKNOWN : S_ISDIR(sb.st_mode) ? DT_DIR
							: S_ISREG(sb.st_mode)       ? DT_REG
										    : DT_UNKNOWN;
		}
		if (type == DT_DIR)
			rc = watch_new ? add_dir(w, o, p, input, t) : scan(w, o, p, input, t, 0);
		else if (type == DT_REG && profile_name(o, e->d_name))
			rc = found(w, o, p, input, t, 0);
		free(p);
	}
	closedir(d);
	return rc;
}

/* Watch a directory (inotify) and take the files in it. */
static int add_dir(pv_watch *w, const pv_load_opts *o, const char *path, uint32_t input, double t)
{
	for (size_t i = 0; i < w->ndirs; i++)
		if (!strcmp(w->dirs[i].path, path))
			return 0;
	if (pv_grow(&w->dirs, &w->capdirs, w->ndirs + 1, sizeof(*w->dirs)) < 0)
		return PV_ENOMEM;
	struct dirw *d = &w->dirs[w->ndirs];
	d->wd = -1;
	d->input = input;
	if (!(d->path = strdup(path)))
		return PV_ENOMEM;
	w->ndirs++;
	/* the watch before the listing: a file closed in between is seen twice, not missed */
	if (w->fd >= 0)
		d->wd = inotify_add_watch(w->fd, path, EVENTS | IN_ONLYDIR);
	return scan(w, o, path, input, t, 1);
}

/* Candidate i leaves (read, reported or gone; h its path's hash): the
 * last takes its place.  0 or PV_ENOMEM. */
static int drop_cand(pv_watch *w, size_t i, uint64_t h)
{
	free(w->cands[i].path);
	w->cands[i] = w->cands[--w->ncands];
	int rc = pv_map_put(&w->pend, h, GONE);
	if (rc == 0 && i < w->ncands)
		rc = pv_map_put(&w->pend, path_hash(w->cands[i].path), (uint32_t)i + 1);
	return rc;
}

/* Read and parse candidate c into the records: 1 kept, 0 not yet
 * (pending), <0 PV_ENOMEM. */
static int read_cand(pv_watch *w, const pv_load_opts *o, struct cand *c)
{
	pv_ctx ctx = {0};
	ctx.input = c->path;
	int fd = open(c->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		snprintf(c->err, sizeof(c->err), "cannot open: %s", strerror(errno));
		return 0;
	}
	struct stat sb;
	size_t max = o->max_file_size ? o->max_file_size : (size_t)2 << 30;
	size_t len = 0;
	int rc = 0;
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) || (uint64_t)sb.st_size > max) {
		snprintf(c->err, sizeof(c->err), "not a regular file of at most %zu bytes", max);
		goto out;
	}
	if (pv_grow(&w->buf, &w->bufcap, (size_t)sb.st_size + 1, 1) < 0) {
		rc = PV_ENOMEM;
		goto out;
	}
	for (;;) { /* what is there now (it may still grow: the next read sees that) */
		ssize_t k = read(fd, w->buf + len, w->bufcap - len);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		len += (size_t)k;
		if (len == w->bufcap && pv_grow(&w->buf, &w->bufcap, len + 65536, 1) < 0) {
			rc = PV_ENOMEM;
			goto out;
		}
	}
	c->size = sb.st_size;
	c->mtime = sb.st_mtim;
	const pv_reader *r = pv_pick(o, w->buf, len);
	if (!r) {
		snprintf(c->err, sizeof(c->err), "not a profile (no reader knows its first bytes)");
		goto out;
	}
	pv_profile_reset(w->scratch);
	int prc = r->read(&ctx, w->keys, w->scratch, w->buf, len);
	if (prc == PV_ENOMEM) {
		rc = prc;
		goto out;
	}
	if (prc < 0) {
		/* the message without the "INPUT: " the context put first */
		const char *m = ctx.msg, *p = strstr(m, ": ");
		snprintf(c->err, sizeof(c->err), "%s", p && !strncmp(m, c->path, strlen(c->path)) ? p + 2 : m);
		goto out;
	}
	size_t off = w->packlen;
	if (pv_grow(&w->recs, &w->caprecs, w->nrecs + 1, sizeof(*w->recs)) < 0 ||
	    pv_profile_pack(w->scratch, &w->pack, &w->packlen, &w->packcap) < 0) {
		rc = PV_ENOMEM;
		goto out;
	}
	w->recs[w->nrecs++] = (struct rec){.path = c->path, .input = c->input, .off = off, .len = w->packlen - off};
	c->path = NULL; /* the record's now */
	w->fresh = 1;
	rc = 1;
out:
	close(fd);
	return rc;
}

int pv_watch_new(pv_watch **out, const char *const *inputs, size_t n, const pv_load_opts *o)
{
	pv_watch *w = calloc(1, sizeof(*w));
	*out = NULL;
	if (!w)
		return PV_ENOMEM;
	w->inputs = inputs;
	w->ninputs = n;
	w->fd = -1;
	const char *poll = getenv("PROFVIEW_WATCH_POLL");
	if (!(poll && !strcmp(poll, "1")))
		w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	w->rescan = w->fd < 0;
	int rc = pv_stats_new(&w->keys);
	if (rc == 0)
		rc = pv_profile_new(&w->scratch);
	double t = now() - QUIET; /* what is there at the start is read at once */
	for (size_t i = 0; rc == 0 && i < n; i++) {
		struct stat sb;
		if (stat(inputs[i], &sb) == 0 && S_ISDIR(sb.st_mode)) {
			rc = add_dir(w, o, inputs[i], (uint32_t)i, t);
		} else if (stat(inputs[i], &sb) == 0 && S_ISREG(sb.st_mode)) {
			rc = found(w, o, inputs[i], (uint32_t)i, t, 0);
		} else {
			report(o, inputs[i], errno ? strerror(errno) : "not a file or directory (--watch reads .prof files and directories)");
			w->failed++;
		}
	}
	if (rc < 0) {
		pv_watch_free(w);
		return rc;
	}
	*out = w;
	return 0;
}

void pv_watch_free(pv_watch *w)
{
	if (!w)
		return;
	if (w->fd >= 0)
		close(w->fd);
	for (size_t i = 0; i < w->nrecs; i++)
		free(w->recs[i].path);
	for (size_t i = 0; i < w->ncands; i++)
		free(w->cands[i].path);
	for (size_t i = 0; i < w->ndirs; i++)
		free(w->dirs[i].path);
	free(w->recs);
	free(w->cands);
	free(w->dirs);
	free(w->pack);
	free(w->buf);
	pv_map_free(&w->done);
	pv_map_free(&w->pend);
	pv_profile_free(w->scratch);
	pv_stats_free(w->keys);
	free(w);
}

int pv_watch_fd(const pv_watch *w)
{
	return w->fd;
}

/* inotify's events: files closed or moved in, directories created */
static int drain(pv_watch *w, const pv_load_opts *o, double t)
{
	char ev[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
	for (;;) {
		ssize_t k = read(w->fd, ev, sizeof(ev));
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return 0;
		for (char *p = ev; p < ev + k;) {
			const struct inotify_event *e = (const struct inotify_event *)p;
			p += sizeof(*e) + e->len;
			if (e->mask & IN_Q_OVERFLOW) {
				w->rescan = 1;
				continue;
			}
			struct dirw *d = NULL;
			for (size_t i = 0; i < w->ndirs; i++)
				if (w->dirs[i].wd == e->wd)
					d = &w->dirs[i];
			if (!d || !e->len)
				continue;
			char *path = pv_path_join(d->path, e->name);
			if (!path)
				return PV_ENOMEM;
			uint32_t input = d->input; /* add_dir may move the array */
			int rc = 0;
			if (e->mask & IN_ISDIR)
				rc = add_dir(w, o, path, input, t);
			else if ((e->mask & (IN_CLOSE_WRITE | IN_MOVED_TO)) && profile_name(o, e->name))
				rc = found(w, o, path, input, t, 1);
			free(path);
			if (rc < 0)
				return rc;
		}
	}
}

int pv_watch_poll(pv_watch *w, const pv_load_opts *o)
{
	double t = now();
	int rc = 0;
	if (w->fd >= 0 && (rc = drain(w, o, t)) < 0)
		return rc;
	if (w->rescan) {
		for (size_t i = 0; rc == 0 && i < w->ndirs; i++)
			rc = scan(w, o, w->dirs[i].path, w->dirs[i].input, t, 0);
		w->rescan = w->fd < 0;
		if (rc < 0)
			return rc;
	}
	for (size_t i = 0; i < w->ncands;) {
		struct cand *c = &w->cands[i];
		struct stat sb;
		uint64_t h = path_hash(c->path);
		if (stat(c->path, &sb) < 0) {
			/* gone before it was read: nothing to say */
			if ((rc = drop_cand(w, i, h)) < 0)
				return rc;
			continue;
		}
		if (sb.st_size != c->size || sb.st_mtim.tv_sec != c->mtime.tv_sec ||
		    sb.st_mtim.tv_nsec != c->mtime.tv_nsec) {
			if (c->tried || c->size != -1)
				c->changed = t;
			c->size = sb.st_size;
			c->mtime = sb.st_mtim;
			c->tried = 0;
		}
		if (t - c->changed < QUIET) {
			i++;
			continue;
		}
		if (!c->tried) {
			rc = read_cand(w, o, c);
			if (rc < 0)
				return rc;
			if (rc == 1) {
				if (pv_map_put(&w->done, h, 1) < 0 || drop_cand(w, i, h) < 0)
					return PV_ENOMEM;
				continue;
			}
			c->tried = 1;
		}
		if (t - c->changed >= BROKEN) { /* unchanged and still broken: it is */
			report(o, c->path, c->err);
			w->failed++;
			w->fresh = 1; /* the count of inputs not read changed */
			if (pv_map_put(&w->done, h, 1) < 0 || drop_cand(w, i, h) < 0)
				return PV_ENOMEM;
			continue;
		}
		i++;
	}
	rc = w->fresh;
	return rc;
}

size_t pv_watch_pending(const pv_watch *w)
{
	return w->ncands;
}

/* merge order: by input, then by the bytes of the path */
static int cmp_rec(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;
	if (x->input != y->input)
		return x->input < y->input ? -1 : 1;
	return strcmp(x->path, y->path);
}

/* st's key ids made those of the tables, in order */
static int same_keys(pv_stats *st, const pv_stats *keys)
{
	for (size_t i = 0; i < pv_stats_nkeys(keys); i++) {
		const pv_key *k = pv_stats_key(keys, (uint32_t)i);
		size_t fl, nl;
		const char *f = pv_stats_str(keys, k->file, &fl);
		const char *nm = pv_stats_str(keys, k->name, &nl);
		uint32_t fid, nid, id;
		int rc = pv_stats_intern_str(st, f, fl, &fid);
		if (rc == 0)
			rc = pv_stats_intern_str(st, nm, nl, &nid);
		if (rc == 0)
			rc = pv_stats_intern_key(st, fid, k->line, nid, &id);
		if (rc < 0)
			return rc;
		if (id != i)
			return PV_EARG; /* cannot happen: both intern in order */
	}
	return 0;
}

static int merge_one(pv_watch *w, pv_stats *st, const pv_load_opts *o, const struct rec *r,
		     pv_load_result *res)
{
	pv_ctx ctx = {0};
	ctx.input = r->path;
	pv_profile_reset(w->scratch);
	int rc = pv_profile_unpack(w->scratch, w->pack + r->off, r->len);
	if (rc < 0)
		return rc;
	if (o->seen && !o->seen(o->arg, pv_base_name(r->path), st, w->scratch))
		return 0;
	rc = pv_stats_merge(st, w->scratch, &ctx);
	if (rc == PV_ENOMEM)
		return rc;
	if (rc < 0) {
		res->failed++;
		if (o->on_error)
			o->on_error(&ctx, o->arg);
		return 0;
	}
	res->files++;
	return 0;
}

int pv_watch_merge(pv_watch *w, pv_stats **out, const pv_load_opts *o, pv_load_result *res)
{
	pv_stats *st = NULL;
	memset(res, 0, sizeof(*res));
	res->failed = w->failed;
	w->fresh = 0;
	qsort(w->recs, w->nrecs, sizeof(*w->recs), cmp_rec);
	int rc = pv_stats_new(&st);
	if (rc == 0)
		rc = same_keys(st, w->keys);
	/* pstats' order: the first, then the others last to first */
	for (size_t i = 0; rc == 0 && i < w->nrecs; i++)
		rc = merge_one(w, st, o, &w->recs[i ? w->nrecs - i : 0], res);
	if (rc < 0) {
		pv_stats_free(st);
		return rc == PV_EARG ? PV_ENOMEM : rc;
	}
	*out = st;
	return 0;
}
