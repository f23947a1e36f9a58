/*
 * arscan.c - the archive scan: each archive read once, when it is met,
 * its members parsed on every core and kept for the merge.
 *
 * Data path of one input: expand_input (load.c) sniffs a named file or
 * standard input and, when a container (formats/archive.c) knows its head,
 * calls pv_arch_scan.  An uncompressed tar in a regular file is only
 * located (inplace_scan): each wanted member becomes a source read later
 * with pread where it lies (pv_inplace_read).  Any other archive is
 * decompressed once, in archive order, by the calling thread; parsing
 * threads parse the members into records, and the calling thread copies
 * the records into the spill (spill.c), each one a source.  The merge
 * (load.c, pool.c) then reads the sources in pstats' order.
 *
 * Hard links: a data-less link takes a copy of its target's record under
 * its own name; cpio's links that come before their data wait for it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loader.h"

/* An in-place member's offset and length in its archive, and its name. */
const char *pv_inplace_of(const struct source *s, uint64_t *off, uint64_t *len)
{
	const unsigned char *rec = (const unsigned char *)(uintptr_t)s->at;
	memcpy(off, rec, sizeof(*off));
	memcpy(len, rec + sizeof(*off), sizeof(*len));
	return (const char *)rec + sizeof(*off) + sizeof(*len);
}

int pv_add_arch(struct loader *L, const char *path, struct arch **out)
{
	struct arch *a = calloc(1, sizeof(*a));
	if (!a || !(a->path = strdup(path)) ||
	    pv_grow(&L->archs, &L->caparchs, L->narchs + 1, sizeof(*L->archs)) < 0) {
		if (a)
			free(a->path);
		free(a);
		return PV_ENOMEM;
	}
	a->fd = -1;
	L->archs[L->narchs++] = a;
	*out = a;
	return 0;
}

/* The scan of an archive is a pipeline: the calling thread decompresses
 * members into a ring of slots, in archive order; parsing threads (and the
 * calling thread, when the ring is full) parse them with tables of their
 * own (pv_stats_new_child: as the directory loader does) and pack each
 * into its slot's record; the calling thread
 * copies the records into the spill in archive order. */
enum { AS_FREE,
       AS_READY,
       AS_BUSY,
       AS_DONE };

struct aslot {
	struct buf raw; /* the member's bytes */
	size_t rawlen;  /* how many (raw may be given back once parsed) */
	struct buf rec; /* its record, once parsed */
	char *name;
	size_t capname;
	int readrc; /* the read failed: ctx says why */
	int nomem;
	pv_ctx ctx;
	int state;
	int link;     /* PV_LINK_*: a data-less link is not read nor parsed */
	char *target; /* the link's target, or NULL */
	size_t captarget;
} LINES;

/* Hard links met in one archive's scan: every profile member's source by
 * the hash of its name (a data-less link takes a copy of its target's
 * record under its own name), and cpio's data-less links waiting for the
 * later member that carries their data. */
struct pending {
	uint64_t key; /* hash of the target's name */
	size_t src;   /* the link's source (an error record until its data comes) */
	int done;
};

struct links {
	pv_map names; /* name hash -> 1 + index in L->src */
	struct pending *pend;
	size_t npend, cappend;
	struct buf tmp, out;
	char *nm;
	size_t capnm;
};

struct ascan;

struct aworker {
	struct ascan *S;
	pv_stats *names;
	pv_profile *prof;
	pthread_t th;
	int started;
} LINES;

struct ascan {
	struct loader *L;
	struct aslot *slot;
	size_t R;
	size_t head;     /* next member to read (a count) */
	size_t claim;    /* next to parse */
	size_t tail;     /* next to copy into the spill */
	size_t inflight; /* bytes of members read and not parsed */
	int done;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_mutex_t intern;
	struct links lk;
};

#define SCAN_INFLIGHT ((size_t)64 << 20) /* read ahead at most this much */

static void aparse(struct aworker *w, struct aslot *s)
{
	struct loader *L = w->S->L;
	int rc = s->readrc;
	if (s->link == PV_LINK_NODATA) { /* its record is made when it is copied */
		s->rec.len = 0;
		s->nomem = 0;
		return;
	}
	if (rc == 0) /* w->names answers with the shared tables' key ids */
		rc = pv_read_one(L->o, &s->ctx, w->names, w->prof, s->raw.p, s->raw.len);
	s->rec.len = 0;
	s->nomem = rc == PV_ENOMEM || pv_rec_put(&s->rec, s->name, rc, w->prof, &s->ctx) < 0;
	if (s->raw.cap > ((size_t)4 << 20)) { /* a large member: give it back */
		free(s->raw.p);
		memset(&s->raw, 0, sizeof(s->raw));
	}
}

/* Parse the next member read, if any (S->mu held, released meanwhile). */
static int ahelp(struct aworker *w)
{
	struct ascan *S = w->S;
	if (S->claim == S->head)
		return 0;
	struct aslot *s = &S->slot[S->claim++ % S->R];
	s->state = AS_BUSY;
	size_t n = s->raw.len;
	pthread_mutex_unlock(&S->mu);
	aparse(w, s);
	pthread_mutex_lock(&S->mu);
	s->state = AS_DONE;
	S->inflight -= n;
	pthread_cond_broadcast(&S->cv);
	return 1;
}

static void *aworker_main(void *arg)
{
	struct aworker *w = arg;
	struct ascan *S = w->S;
	pthread_mutex_lock(&S->mu);
	while (!S->done)
		if (!ahelp(w))
			pthread_cond_wait(&S->cv, &S->mu);
	pthread_mutex_unlock(&S->mu);
	return NULL;
}

static uint64_t name_key(const char *s)
{
	return pv_hash_bytes(s, strlen(s));
}

/* out = source j's record (a profile named `name`) renamed to newname: 1,
 * or 0 if it is no such record. */
static int rec_renamed(struct loader *L, size_t j, const char *name, const char *newname,
		       struct links *K, pv_ctx *ctx)
{
	const unsigned char *r;
	struct recview v;
	int rc = pv_rec_get(L, &L->src[j], &K->tmp, &r, ctx);
	if (rc < 0)
		return rc;
	if (pv_rec_parse(r, L->src[j].len, &v) < 0 || v.kind != 0 ||
	    (name && (v.n != strlen(name) || memcmp(v.name, name, v.n) != 0)))
		return 0;
	size_t n = strlen(newname);
	K->out.len = 0;
	if (pv_grow(&K->out.p, &K->out.cap, n + v.nrest + 11, 1) < 0)
		return PV_ENOMEM;
	unsigned char *o = K->out.p;
	*o++ = 0;
	for (size_t x = n;; x >>= 7) {
		*o++ = (unsigned char)(x < 0x80 ? x : (x & 0x7f) | 0x80);
		if (x < 0x80)
			break;
	}
	memcpy(o, newname, n);
	o += n;
	memcpy(o, v.rest, v.nrest); /* r may be in the spill's memory: copied before it moves */
	K->out.len = (size_t)(o - K->out.p) + v.nrest;
	return 1;
}

/* A member's record into the spill.  A data-less hard link gets a copy of
 * its target's record (read earlier in this archive) under its own name;
 * one whose data comes later (cpio) waits as an error record, replaced
 * when the member carrying the data is copied; one whose target was not
 * read stays an error.  *failed: the record copied is an error. */
static int put_member(struct ascan *S, uint32_t ai, struct aslot *t, int *failed, pv_ctx *ctx)
{
	struct loader *L = S->L;
	struct links *K = &S->lk;
	const char *tg = t->target && *t->target ? t->target : NULL;
	int rc;
	if (t->link == PV_LINK_NODATA) {
		uint32_t j = tg ? pv_map_get(&K->names, name_key(tg)) : 0;
		rc = j ? rec_renamed(L, j - 1, tg, t->name, K, ctx) : 0;
		if (rc < 0)
			return rc;
		int waits = 0;
		if (rc == 0) {
			uint64_t key = name_key(tg ? tg : t->name);
			for (size_t i = 0; tg && !waits && i < K->npend; i++)
				waits = !K->pend[i].done && K->pend[i].key == key;
			waits |= !tg;
			pv_ctx e = {.input = ctx->input, .member = t->name};
			char q[512] = "";
			if (tg)
				pv_quote(q, sizeof(q), tg, strlen(tg), 0);
			if (!tg || waits)
				pv_fail(&e, PV_EFORMAT, PV_NOOFF,
					"a hard link whose data the archive keeps with another member, "
					"not found: not read (archive the files themselves)");
			else
				pv_fail(&e, PV_EFORMAT, PV_NOOFF,
					"a hard link to %s, which is no profile read from this archive: "
					"not read (archive the files themselves: tar --hard-dereference)",
					q);
			K->out.len = 0;
			if (pv_rec_put(&K->out, t->name, PV_EFORMAT, NULL, &e) < 0)
				return PV_ENOMEM;
			if (waits) {
				if (pv_grow(&K->pend, &K->cappend, K->npend + 1, sizeof(*K->pend)) < 0)
					return PV_ENOMEM;
				K->pend[K->npend++] = (struct pending){key, L->nsrc, 0};
			}
		}
		*failed = rc == 0;
		if ((rc = pv_spill_copy(L, ai, &K->out, ctx)) < 0)
			return rc;
		return *failed ? 0 : pv_map_put(&K->names, name_key(t->name), (uint32_t)L->nsrc);
	}
	if ((rc = pv_spill_copy(L, ai, &t->rec, ctx)) < 0)
		return rc;
	*failed = t->rec.len && t->rec.p[0] == 1;
	if (*failed)
		return 0;
	size_t me = L->nsrc - 1;
	if ((rc = pv_map_put(&K->names, name_key(t->name), (uint32_t)L->nsrc)) < 0)
		return rc;
	if (t->link != PV_LINK_CARRIES || !tg)
		return 0;
	/* cpio: the links before, which wait for this member's data */
	uint64_t key = name_key(tg);
	for (size_t i = 0; i < K->npend; i++) {
		struct pending *w = &K->pend[i];
		if (w->done || w->key != key)
			continue;
		const unsigned char *r;
		struct recview v;
		if ((rc = pv_rec_get(L, &L->src[w->src], &K->tmp, &r, ctx)) < 0)
			return rc;
		if (pv_rec_parse(r, L->src[w->src].len, &v) < 0)
			continue;
		if (pv_grow(&K->nm, &K->capnm, v.n + 1, 1) < 0)
			return PV_ENOMEM;
		memcpy(K->nm, v.name, v.n);
		K->nm[v.n] = '\0';
		if ((rc = rec_renamed(L, me, NULL, K->nm, K, ctx)) < 0)
			return rc;
		uint64_t at = 0;
		if ((rc = pv_spill_append(L, &K->out, &at, ctx)) < 0)
			return rc;
		L->src[w->src].at = at;
		L->src[w->src].len = (uint32_t)K->out.len;
		w->done = 1;
	}
	return 0;
}

/* Copy finished records into the spill, in order, until the slot for the
 * next read is free (all: until every member read is copied).  S->mu is
 * held, released while copying and parsing.  *lastfailed: the last record
 * copied was an error. */
static int apump(struct ascan *S, struct aworker *self, uint32_t ai, int all, int *lastfailed,
		 pv_ctx *ctx)
{
	for (;;) {
		struct aslot *t = &S->slot[S->tail % S->R];
		if (S->tail < S->head && t->state == AS_DONE) {
			pthread_mutex_unlock(&S->mu);
			int rc = t->nomem ? PV_ENOMEM : put_member(S, ai, t, lastfailed, ctx);
			S->L->bytes += t->rawlen;
			pthread_mutex_lock(&S->mu);
			t->state = AS_FREE;
			S->tail++;
			if (rc < 0)
				return rc;
			continue;
		}
		if (all ? S->tail == S->head
			: S->head - S->tail < S->R && S->inflight < SCAN_INFLIGHT)
			return 0;
		if (!ahelp(self))
			pthread_cond_wait(&S->cv, &S->mu);
	}
}

static int scan_threads(const pv_load_opts *o)
{
	long n = o->threads ? o->threads : sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > 16 ? 16
				  : (int)n;
}

static void no_members(struct loader *L, const struct arch *a)
{
	pv_load_report(L->o->on_error, L->o->arg, a->path, PV_EFORMAT, "no *.prof members in this archive");
	L->res->failed++;
}

/* An uncompressed tar in a regular file: every member is located (its
 * header read, its data skipped with a seek) and every wanted one becomes a
 * source that the merge reads like a file, with pread at its offset, on
 * every core: no packing, no spill.  1 when every member was located; 0
 * when one was not (compressed, sparse, a link, a limit, a broken header,
 * one the file ends inside): nothing is added then, and the caller reads
 * the archive again as usual, which reports what it meets where it meets
 * it.  `want` is asked once per member, after the scan succeeded, so a
 * scan given up asks nothing. */
static int inplace_scan(struct loader *L, const pv_container *c, void *h, struct arch *a, int fd,
			pv_ctx *ctx)
{
	size_t first = L->nsrc;
	uint32_t ai = (uint32_t)L->narchs;
	const char *name;
	struct stat st;
	int rc = fstat(fd, &st) == 0 ? 0 : -1;
	while (rc == 0 && (rc = c->next(h, &name, ctx)) == 1) {
		uint64_t where[2];
		if (!c->locate(h, &where[0], &where[1]) || where[1] >= INPLACE ||
		    where[0] + where[1] > (uint64_t)st.st_size)
			break;
		size_t n = strlen(name);
		unsigned char *rec = pv_paths_keep(&L->paths, NULL, sizeof(where) + n + 1);
		if (!rec)
			return PV_ENOMEM;
		memcpy(rec, where, sizeof(where));
		memcpy(rec + sizeof(where), name, n + 1);
		if ((rc = pv_add_source(L, (uint64_t)(uintptr_t)rec, INPLACE, ai)) < 0)
			return rc;
		rc = 0;
	}
	if (rc == 0 && (a->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0)) >= 0) {
		L->nheld++;
		size_t kept = first;
		for (size_t i = first; i < L->nsrc; i++) {
			uint64_t off, len;
			const char *m = pv_inplace_of(&L->src[i], &off, &len);
			if (!L->o->want || L->o->want(L->o->arg, pv_base_name(m)))
				L->src[kept++] = L->src[i];
		}
		L->nsrc = kept;
		return 1;
	}
	L->nsrc = first;
	pv_ctx_clear(ctx);
	return 0;
}

/* The one pass over an archive: every wanted member parsed and packed into
 * the spill, in archive order.  The archive's own failure is reported now
 * if no member came before it, else in the merge at its place after them
 * (unless the last member already failed: the same break, said once). */
int pv_arch_scan(struct loader *L, const pv_container *c, const char *path, int fd,
		 const unsigned char *head, size_t headlen)
{
	struct arch *a;
	int rc = pv_add_arch(L, path, &a);
	if (rc < 0)
		return rc;
	uint32_t ai = (uint32_t)L->narchs;
	pv_ctx ctx = {.input = a->path};
	void *h = NULL;
	size_t first = L->nsrc;
	/* in place, the archive's descriptor stays open until the merge ends:
	 * it counts against the descriptors named files may hold */
	int inplace = c->locate && L->nheld < L->maxheld;
	for (;;) {
		if ((rc = c->open(&h, a->path, fd, head, headlen, &L->lim, &ctx)) < 0) {
			if (rc == PV_ENOMEM)
				return rc;
			pv_report_ctx(L, &ctx);
			return 0;
		}
		if (!inplace || !c->locate(h, NULL, NULL))
			break;
		if ((rc = inplace_scan(L, c, h, a, fd, &ctx)) != 0) {
			c->close(h);
			if (rc == 1 && L->nsrc == first)
				no_members(L, a);
			return rc < 0 ? rc : 0;
		}
		/* a member to read as usual: the archive is read again, as usual */
		c->close(h);
		h = NULL;
		inplace = 0;
	}
	int nw = scan_threads(L->o);
	struct ascan S = {.L = L, .R = (size_t)nw * 4};
	struct aworker *w = calloc_lines((size_t)nw, sizeof(*w));
	S.slot = calloc_lines(S.R, sizeof(*S.slot));
	pthread_mutex_init(&S.mu, NULL);
	pthread_cond_init(&S.cv, NULL);
	pthread_mutex_init(&S.intern, NULL);
	int lastfailed = 0, rc2 = 0;
	if (!w || !S.slot) {
		rc = PV_ENOMEM;
		goto out;
	}
	for (int i = 0; i < nw; i++) {
		w[i].S = &S;
		if ((rc = pv_stats_new_child(&w[i].names, L->st, &S.intern)) < 0 ||
		    (rc = pv_profile_new(&w[i].prof)) < 0)
			goto out;
		if (L->o->no_callers)
			pv_profile_drop_callers(w[i].prof);
	}
	/* w[0] is the calling thread's own: it parses too */
	for (int i = 1; i < nw; i++) {
		if (pthread_create(&w[i].th, NULL, aworker_main, &w[i]) != 0)
			break; /* fewer threads still finish the work */
		w[i].started = 1;
	}
	const char *name;
	pthread_mutex_lock(&S.mu);
	while ((rc = apump(&S, &w[0], ai, 0, &lastfailed, &ctx)) == 0) {
		pthread_mutex_unlock(&S.mu);
		rc = c->next(h, &name, &ctx);
		if (rc == 1 && L->o->want && !L->o->want(L->o->arg, pv_base_name(name))) {
			pthread_mutex_lock(&S.mu);
			continue;
		}
		if (rc != 1) {
			pthread_mutex_lock(&S.mu);
			break;
		}
		struct aslot *s = &S.slot[S.head % S.R]; /* free: apump saw to it */
		size_t n = strlen(name);
		if (pv_grow(&s->name, &s->capname, n + 1, 1) < 0) {
			rc = PV_ENOMEM;
			pthread_mutex_lock(&S.mu);
			break;
		}
		memcpy(s->name, name, n + 1);
		memset(&s->ctx, 0, sizeof(s->ctx));
		s->ctx.input = a->path;
		s->ctx.member = s->name;
		const char *target = NULL;
		s->link = c->link ? c->link(h, &target) : PV_LINK_NONE;
		if (!target && s->link == PV_LINK_CARRIES)
			s->link = PV_LINK_NONE;
		size_t m = target ? strlen(target) : 0;
		if (pv_grow(&s->target, &s->captarget, m + 1, 1) < 0) {
			rc = PV_ENOMEM;
			pthread_mutex_lock(&S.mu);
			break;
		}
		memcpy(s->target, target ? target : "", m + 1); /* "": none */
		s->readrc = 0;
		s->raw.len = 0;
		if (s->link != PV_LINK_NODATA)
			s->readrc = c->read(h, &s->raw.p, &s->raw.cap, &s->raw.len, &s->ctx);
		pthread_mutex_lock(&S.mu);
		if (s->readrc == PV_ENOMEM) {
			rc = PV_ENOMEM;
			break;
		}
		s->state = AS_READY;
		s->rawlen = s->raw.len;
		S.inflight += s->raw.len;
		S.head++;
		pthread_cond_broadcast(&S.cv);
	}
	/* the rest parsed and copied, whatever ended the loop */
	rc2 = apump(&S, &w[0], ai, 1, &lastfailed, &ctx);
	S.done = 1;
	pthread_cond_broadcast(&S.cv);
	pthread_mutex_unlock(&S.mu);
	if (rc2 == PV_ENOMEM || rc == PV_ENOMEM) {
		rc = PV_ENOMEM;
		goto out;
	}
	if (rc == 0 && rc2 < 0) /* the spill failed: say so at the archive's place */
		rc = rc2;
	ctx.member = NULL;
	if (rc < 0) {
		if (L->nsrc == first) {
			pv_report_ctx(L, &ctx);
		} else if (!lastfailed) {
			if (ctx.code == 0)
				ctx.code = PV_EFORMAT;
			if ((rc = pv_spill_put(L, ai, "", ctx.code, NULL, &ctx)) == PV_ENOMEM)
				goto out;
			if (rc < 0)
				pv_report_ctx(L, &ctx);
		}
		rc = 0;
	} else if (L->nsrc == first) {
		no_members(L, a);
	}
out:
	if (w) {
		pthread_mutex_lock(&S.mu);
		S.done = 1;
		pthread_cond_broadcast(&S.cv);
		pthread_mutex_unlock(&S.mu);
	}
	for (int i = 0; w && i < nw; i++) {
		if (w[i].started)
			pthread_join(w[i].th, NULL);
		pv_stats_free(w[i].names);
		pv_profile_free(w[i].prof);
	}
	for (size_t i = 0; S.slot && i < S.R; i++) {
		free(S.slot[i].raw.p);
		free(S.slot[i].rec.p);
		free(S.slot[i].name);
		free(S.slot[i].target);
	}
	pv_map_free(&S.lk.names);
	free(S.lk.pend);
	free(S.lk.tmp.p);
	free(S.lk.out.p);
	free(S.lk.nm);
	free(S.slot);
	free(w);
	pthread_mutex_destroy(&S.mu);
	pthread_cond_destroy(&S.cv);
	pthread_mutex_destroy(&S.intern);
	c->close(h);
	return rc < 0 ? rc : 0;
}

/* An in-place member's bytes into b, read where they lie in the archive
 * (pread: threads share the descriptor), with ctx naming it. */
int pv_inplace_read(const struct loader *L, const struct source *s, struct buf *b, pv_ctx *ctx)
{
	const struct arch *a = L->archs[s->arch - 1];
	uint64_t off, len;
	ctx->input = a->path;
	ctx->member = pv_inplace_of(s, &off, &len);
	pv_ctx_clear(ctx);
	b->len = 0;
	if (pv_grow(&b->p, &b->cap, len ? (size_t)len : 1, 1) < 0)
		return pv_fail(ctx, PV_ENOMEM, PV_NOOFF, "out of memory");
	ssize_t got = pv_pread_full(a->fd, b->p, (size_t)len, off);
	if (got < 0)
		return pv_fail(ctx, PV_EIO, PV_NOOFF, "read error: %s", strerror(errno));
	if ((uint64_t)got < len)
		return pv_fail(ctx, PV_EIO, PV_NOOFF,
			       "the archive ends inside this member (truncated while read)");
	b->len = (size_t)got;
	return 0;
}
