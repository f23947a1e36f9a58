/*
 * pool.c - the parse pool: threads that read and parse the sources ahead
 * of the merge.
 *
 * Data path of one input: once every input is a source (load.c), pv_load
 * asks pv_load_threads how many threads the sources pay for and, for more
 * than one, hands them to pv_load_parallel.  Threads parse plain files,
 * read in-place archive members (arscan.c) and unpack spilled ones
 * (spill.c) ahead, into a ring of slots in merge order, while the calling
 * thread merges the slots in pstats' order (load.c's pv_load_merge), so the
 * result is the same bytes as a single-threaded run.  The calling thread is
 * one of the parsers: when the next file to merge is not ready it parses
 * the next unclaimed one rather than sleep, so one thread per core keeps
 * every core busy without a wake-up per file.  Each thread interns strings
 * into tables of its own (pv_stats_new_child), which answer with the shared
 * tables' key ids: a key goes to the shared tables under a lock the first
 * time the thread meets it, and after the first files almost every key is
 * known, so the parsers rarely take the lock and the merge never waits on
 * interning.  With io_uring each thread reads ahead (uring.c, a ring of
 * its own): it claims a batch of positions at a time, all within the
 * slots' reach, submits their reads with one system call and parses them
 * in order; without, it claims one position at a time.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loader.h"

struct pslot {
	pv_profile *p;
	pv_ctx ctx;
	char *name; /* an archive member's name */
	size_t capname;
	int rc;       /* 0, <0 error in ctx, 1 = not a plain profile: load it in order */
	size_t len;   /* bytes read */
	size_t k;     /* merge position this slot holds */
	struct buf b; /* rc 1: the file's bytes (it is not read again) */
	int ready;
} LINES;

/* positions a thread has claimed and reads ahead, at most */
#define OWN 32

struct pworker {
	struct pool *pool;
	pv_stats *names;
	struct dircache dc;
	struct pv_ahead *ra; /* its read-ahead (uring.c; its own thread's), or NULL */
	size_t own[OWN];     /* merge positions claimed, read ahead, not parsed yet */
	unsigned ohead, ocount;
	struct buf b;
	size_t len; /* bytes of the file just read */
	pthread_t th;
	int started;
} LINES;

struct pool {
	struct loader *L;
	size_t n, next, consumed;
	struct pslot *ring;
	size_t R;
	pthread_mutex_t mu; /* next, consumed, ring states */
	pthread_cond_t cv;
	pthread_mutex_t intern; /* the shared string and key tables */
	int nomem;
	int ahead; /* the threads read ahead (uring.c) */
};

static size_t order_at(size_t n, size_t k)
{
	return k == 0 ? 0 : n - k;
}

/* A file, or a member in place in its archive (read as aparse reads a
 * member: a compressed member is no container here either). */
static int parse_plain(struct pworker *w, struct source *src, pv_profile *p, pv_ctx *ctx)
{
	struct loader *L = w->pool->L;
	int inplace = src->arch != 0;
	int rc = inplace ? pv_inplace_read(L, src, &w->b, ctx) : pv_read_input(L, &w->dc, w->ra, src, &w->b, NULL, ctx);
	if (rc != 0)
		return pv_input_nomem(rc, ctx);
	w->len = w->b.len;
	if (!inplace && pv_container_for(L->o, w->b.p, w->b.len))
		return 1;
	/* w->names answers with the shared tables' key ids */
	rc = pv_read_one(L->o, ctx, w->names, p, w->b.p, w->b.len);
	return rc < 0 ? pv_input_nomem(rc, ctx) : 0;
}

/* The next merge position w parses, if its ring slot is free (P->mu held);
 * 0 if there is none now.  A thread that reads ahead claims positions a
 * batch at a time (pushed to its read-ahead in its order, one system call
 * for the batch) and parses what it claimed, in order; every claim is in
 * the slots' reach (next - consumed < R), so what it owns never waits. */
static int claim(struct pool *P, struct pworker *w, size_t *k)
{
	if (P->nomem)
		return 0;
	if (!w->ra) {
		if (P->next >= P->n || P->next - P->consumed >= P->R)
			return 0;
		*k = P->next++;
		return 1;
	}
	if (w->ocount == 0 || pv_ahead_hungry(w->ra))
		while (w->ocount < OWN && P->next < P->n && P->next - P->consumed < P->R) {
			size_t j = P->next;
			/* window full: claim no more (one, read the usual way, if none) */
			if (pv_ahead_push(w->ra, P->L, &P->L->src[order_at(P->n, j)]) < 0 && w->ocount)
				break;
			P->next++;
			w->own[(w->ohead + w->ocount++) % OWN] = j;
		}
	if (w->ocount == 0)
		return 0;
	*k = w->own[w->ohead];
	w->ohead = (w->ohead + 1) % OWN;
	w->ocount--;
	return 1;
}

/* Parse merge position k into its ring slot (P->mu not held). */
static void parse_into(struct pworker *w, size_t k)
{
	struct pool *P = w->pool;
	struct pslot *s = &P->ring[k % P->R];
	struct source *src = &P->L->src[order_at(P->n, k)];
	w->len = 0;
	int rc = src->arch && src->len != INPLACE
			 ? pv_member_get(P->L, src, &w->b, &s->name, &s->capname, s->p, &s->ctx)
			 : parse_plain(w, src, s->p, &s->ctx);
	if (rc == 1) { /* a compressed file: its bytes go to the merge with the slot */
		struct buf t = s->b;
		s->b = w->b;
		w->b = t;
	}
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
	if (P->ahead)
		w->ra = pv_ahead_new(); /* its ring is this thread's */
	for (;;) {
		size_t k = 0;
		int got;
		pthread_mutex_lock(&P->mu);
		while (!(got = claim(P, w, &k)) && P->next < P->n && !P->nomem)
			pthread_cond_wait(&P->cv, &P->mu);
		pthread_mutex_unlock(&P->mu);
		if (!got)
			break;
		parse_into(w, k);
	}
	pv_ahead_free(w->ra);
	w->ra = NULL;
	return NULL;
}

int pv_load_threads(const pv_load_opts *o, size_t nsrc)
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

int pv_load_parallel(struct loader *L, int nw)
{
	struct pool P = {.L = L, .n = L->nsrc, .R = (size_t)nw * 8};
	struct pworker *w = calloc_lines((size_t)nw, sizeof(*w));
	/* with read-ahead, room for a batch each besides the positions parsed */
	struct pv_ahead *ra0 = w ? pv_ahead_new() : NULL;
	if (ra0) {
		P.ahead = 1;
		P.R = (size_t)nw * 24;
	}
	P.ring = calloc_lines(P.R, sizeof(*P.ring));
	int rc = 0;
	pthread_mutex_init(&P.mu, NULL);
	pthread_cond_init(&P.cv, NULL);
	pthread_mutex_init(&P.intern, NULL);
	L->tables = &P.intern;
	for (int i = 0; w && i < nw; i++)
		w[i].dc.fd = -1;
	if (w)
		w[0].ra = ra0; /* the calling thread's: it parses too */
	if (!w || !P.ring) {
		rc = PV_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < P.R; i++) {
		if ((rc = pv_profile_new(&P.ring[i].p)) < 0)
			goto out;
		if (L->o->no_callers)
			pv_profile_drop_callers(P.ring[i].p);
	}
	for (int i = 0; i < nw; i++) {
		w[i].pool = &P;
		if ((rc = pv_stats_new_child(&w[i].names, L->st, &P.intern)) < 0)
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
			if (claim(&P, &w[0], &j)) { /* rather than wait, parse ahead */
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
		const struct source *src = &L->src[order_at(P.n, k)];
		int r = s->rc;
		if (r == 1) { /* a compressed file: its members merged here, in order */
			pthread_mutex_lock(&P.intern);
			L->tables = NULL; /* held already */
			L->bytes += s->len;
			r = pv_load_inline(L, pv_src_path(L, src), pv_container_for(L->o, s->b.p, s->b.len),
					   &s->b, &s->ctx);
			L->tables = &P.intern;
			pthread_mutex_unlock(&P.intern);
		} else {
			L->bytes += s->len;
			if (r == 0)
				r = pv_load_merge(L, pv_merge_name(L, src, s->name), s->p, &s->ctx);
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
			pv_report_ctx(L, &s->ctx);
		if (r == VANISHED)
			L->res->vanished++;
		pv_load_progress(L, k + 1);
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
		if (i == 0)
			pv_ahead_free(w[i].ra);
		pv_stats_free(w[i].names);
		pv_dircache_drop(&w[i].dc);
		free(w[i].b.p);
	}
	for (size_t i = 0; P.ring && i < P.R; i++) {
		pv_profile_free(P.ring[i].p);
		free(P.ring[i].name);
		free(P.ring[i].b.p);
	}
	free(P.ring);
	free(w);
	L->tables = NULL;
	pthread_mutex_destroy(&P.mu);
	pthread_cond_destroy(&P.cv);
	pthread_mutex_destroy(&P.intern);
	return rc;
}
