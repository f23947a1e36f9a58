/*
 * uring.c - the read-ahead: plain files read in batches through io_uring,
 * a window ahead of the reader that takes them.
 *
 * Data path of one input: a reader (load.c's merge loop, one thread of the
 * parse pool in pool.c) pushes the sources it will read next, in the order
 * it will read them; each becomes a chain of three requests - open (a
 * direct descriptor: no entry in the descriptor table), fadvise, read into
 * the entry's buffer - and one io_uring_enter submits half a window of
 * chains at once.  When the reader takes a source (pv_read_input), its
 * bytes are already in the entry's buffer, which is swapped with the
 * reader's: no copy.  That is one system call for 16 dumps instead of four
 * (openat, fstat, read, close) for each: 3.5 us less CPU a dump here.
 *
 * Only the plain case is read here.  Whatever else happens - the open or
 * read fails (vanished, no permission, anything), the file is empty, fills
 * the entry's buffer (it may be larger), is larger than max_file - the
 * reader reads the file again the usual way (load.c), which reports
 * exactly what it always did.  Without io_uring (ENOSYS, EPERM under
 * seccomp, io_uring_disabled, a kernel before 6.1) or with
 * PROFVIEW_IO_URING=0 there is no read-ahead at all.
 *
 * The usual path refuses a file replaced by a FIFO or a device since it was
 * listed (fstat after open): it never reads one.  Here the fadvise, linked
 * between the open and the read, does it for FIFOs - the one kind anyone
 * can put in place of a file: fadvise on a FIFO fails (ESPIPE), which
 * cancels the read, and that on the open file itself, so no race; the
 * open does not follow a symbolic link (O_NOFOLLOW: a listed link, or a
 * file replaced by a link to a device, is read the usual way); opened with
 * O_NONBLOCK, a character device that is not ready fails the read with
 * EAGAIN.  A device node made in the directory needs root (mknod).  A stat
 * of the path before the open (IORING_OP_STATX takes no direct
 * descriptor) cost most of the gain and still left a window.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loader.h"

#if defined(__linux__) && defined(__has_include)
#if __has_include(<linux/io_uring.h>)
#define HAVE_URING 1
#endif
#endif

#ifdef HAVE_URING
#include <linux/io_uring.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#if !defined(IORING_SETUP_DEFER_TASKRUN) || !defined(IORING_SETUP_SUBMIT_ALL)
#undef HAVE_URING
#endif
#endif

/* memcheck does not see what the kernel writes through the ring: told
 * here, a run under valgrind checks this path too (make valgrind still
 * checks the usual one, PROFVIEW_IO_URING=0) */
#ifdef HAVE_URING
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define KERNEL_WROTE(p, n) VALGRIND_MAKE_MEM_DEFINED(p, n)
#endif
#endif
#ifndef KERNEL_WROTE
#define KERNEL_WROTE(p, n) ((void)(p), (void)(n))
#endif

#ifdef HAVE_URING

#define NENT 32                        /* entries: direct descriptors and reads in flight */
#define WINDOW_BYTES ((size_t)2 << 20) /* reads in flight, at most (buffers: twice) */
#define SLOT_MIN ((size_t)64 << 10)    /* bytes a read asks for at first */
#define SLOT_MAX ((size_t)256 << 10)   /* ... and at most (larger files: read the usual way) */
#define NDIRS 4                        /* directories open for the opens in flight */

enum { OP_OPEN = 1,
       OP_ADVISE,
       OP_READ,
       OP_CLOSE };

struct ent {
	const struct source *s;
	struct buf b;
	size_t asked; /* bytes the read asked for */
	int res;      /* bytes read or -errno, once done */
	int done;
	int dir;      /* index in dirs, or -1 (AT_FDCWD) */
	int reclose;  /* the chain failed: close the slot before it is used again */
	unsigned gen; /* of the chain in flight, in its requests' user_data */
};

struct adir {
	char *path;
	size_t len, cap;
	int fd;
	unsigned users; /* entries in flight opened from it */
};

struct pv_ahead {
	int fd;
	void *sqmap, *cqmap, *sqemap;
	size_t sqlen, cqlen, sqelen;
	unsigned *sqhead, *sqtail, *sqmask, *sqarray;
	unsigned *cqhead, *cqtail, *cqmask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
	unsigned sqentries;
	unsigned tail;    /* local SQ tail: published at enter */
	unsigned pending; /* SQEs written, not submitted */
	int broken;       /* an enter failed: take nothing more */
	struct ent ent[NENT];
	unsigned head, count, cap; /* the queue: ent[head], ... count of them; at most cap */
	size_t slot;               /* bytes each read asks for */
	size_t held;               /* bytes of the entries' buffers */
	size_t takes, over;        /* sources taken; larger than SLOT_MAX among them */
	int off;                   /* most are: nothing more is read ahead */
	struct adir dirs[NDIRS];
};

static int sys_setup(unsigned n, struct io_uring_params *p)
{
	return (int)syscall(__NR_io_uring_setup, n, p);
}

static int sys_enter(int fd, unsigned submit, unsigned wait, unsigned flags)
{
	return (int)syscall(__NR_io_uring_enter, fd, submit, wait, flags, NULL, 0);
}

static int sys_register(int fd, unsigned op, void *arg, unsigned n)
{
	return (int)syscall(__NR_io_uring_register, fd, op, arg, n);
}

static void window_for(struct pv_ahead *a)
{
	a->cap = (unsigned)(WINDOW_BYTES / a->slot);
	if (a->cap > NENT)
		a->cap = NENT;
	if (a->cap < 2)
		a->cap = 2;
}

struct pv_ahead *pv_ahead_new(void)
{
	const char *env = getenv("PROFVIEW_IO_URING");
	if (env && strcmp(env, "0") == 0)
		return NULL;
	/* the registered table counts against the descriptor limit */
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur < 4 * NENT)
		return NULL;
	struct pv_ahead *a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	a->fd = -1;
	for (int i = 0; i < NDIRS; i++)
		a->dirs[i].fd = -1;
	struct io_uring_params p;
	memset(&p, 0, sizeof(p));
	/* one thread submits and reaps; completions run when it waits */
	p.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_SUBMIT_ALL;
	a->fd = sys_setup(4 * NENT, &p);
	if (a->fd < 0 || !(p.features & IORING_FEAT_NODROP))
		goto fail;
	a->sqentries = p.sq_entries;
	a->sqlen = p.sq_off.array + p.sq_entries * sizeof(unsigned);
	a->cqlen = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	a->sqelen = p.sq_entries * sizeof(struct io_uring_sqe);
	a->sqmap = mmap(NULL, a->sqlen, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, a->fd,
			IORING_OFF_SQ_RING);
	a->cqmap = mmap(NULL, a->cqlen, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, a->fd,
			IORING_OFF_CQ_RING);
	a->sqemap = mmap(NULL, a->sqelen, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, a->fd,
			 IORING_OFF_SQES);
	if (a->sqmap == MAP_FAILED || a->cqmap == MAP_FAILED || a->sqemap == MAP_FAILED)
		goto fail;
	char *sq = a->sqmap, *cq = a->cqmap;
	a->sqhead = (unsigned *)(sq + p.sq_off.head);
	a->sqtail = (unsigned *)(sq + p.sq_off.tail);
	a->sqmask = (unsigned *)(sq + p.sq_off.ring_mask);
	a->sqarray = (unsigned *)(sq + p.sq_off.array);
	a->cqhead = (unsigned *)(cq + p.cq_off.head);
	a->cqtail = (unsigned *)(cq + p.cq_off.tail);
	a->cqmask = (unsigned *)(cq + p.cq_off.ring_mask);
	a->cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
	a->sqes = a->sqemap;
	a->tail = *a->sqtail;
	int files[NENT];
	for (int i = 0; i < NENT; i++)
		files[i] = -1; /* empty slots, filled by the opens */
	if (sys_register(a->fd, IORING_REGISTER_FILES, files, NENT) < 0)
		goto fail;
	a->slot = SLOT_MIN;
	window_for(a);
	return a;
fail:
	pv_ahead_free(a);
	return NULL;
}

static struct io_uring_sqe *sqe_next(struct pv_ahead *a)
{
	unsigned i = a->tail & *a->sqmask;
	struct io_uring_sqe *e = &a->sqes[i];
	memset(e, 0, sizeof(*e));
	a->sqarray[i] = i;
	a->tail++;
	a->pending++;
	return e;
}

/* Submit what is pending, wait for `wait` completions (0: none), and
 * note what has completed.  0, or -1 if the ring failed. */
static int enter(struct pv_ahead *a, unsigned wait)
{
	int tries = 0;
	for (;;) {
		__atomic_store_n(a->sqtail, a->tail, __ATOMIC_RELEASE);
		int r = sys_enter(a->fd, a->pending, wait, IORING_ENTER_GETEVENTS);
		int e = errno;
		unsigned h = *a->cqhead, t = __atomic_load_n(a->cqtail, __ATOMIC_ACQUIRE);
		for (; h != t; h++) {
			const struct io_uring_cqe *c = &a->cqes[h & *a->cqmask];
			unsigned op = (unsigned)(c->user_data >> 32), i = (unsigned)c->user_data & 0xff;
			struct ent *x = &a->ent[i < NENT ? i : 0];
			/* a chain ends with its read's completion, or with that of
			 * the open or fadvise that failed (what follows a failed
			 * request that skips its success posts nothing) */
			if (op == OP_CLOSE || i >= NENT || x->done || !x->s ||
			    (unsigned)(c->user_data >> 8 & 0xffffff) != x->gen)
				continue;
			if (op != OP_READ && c->res >= 0)
				continue;
			x->res = c->res;
			x->done = 1;
			if (op == OP_READ && c->res > 0)
				KERNEL_WROTE(x->b.p, (size_t)c->res);
			if (x->dir >= 0)
				a->dirs[x->dir].users--;
			x->dir = -1;
		}
		__atomic_store_n(a->cqhead, h, __ATOMIC_RELEASE);
		if (r >= 0) {
			a->pending -= (unsigned)r < a->pending ? (unsigned)r : a->pending;
			if (a->pending == 0)
				return 0;
		} else if (e == EINTR) {
			if (a->pending == 0)
				return 0; /* the caller waits again if it must */
		} else if ((e != EAGAIN && e != EBUSY) || ++tries > 1000) {
			return -1;
		}
	}
}

/* The directory of path, open, for the opens of its files: its index in
 * dirs, and the name under it in *name; -1 for a file to read the usual
 * way, -2 when every directory is in use. */
static int dir_for(struct pv_ahead *a, const char *path, const char **name)
{
	const char *slash = strrchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) : 0;
	if (!slash || n == 0 || n >= PATH_MAX || !slash[1])
		return -1;
	*name = slash + 1;
	int free_i = -1;
	for (int i = 0; i < NDIRS; i++) {
		if (a->dirs[i].fd >= 0 && a->dirs[i].len == n && memcmp(a->dirs[i].path, path, n) == 0)
			return i;
		if (a->dirs[i].users == 0 && (free_i < 0 || a->dirs[free_i].fd >= 0))
			free_i = i;
	}
	if (free_i < 0)
		return -2;
	struct adir *d = &a->dirs[free_i];
	if (d->fd >= 0)
		close(d->fd);
	d->len = 0;
	if ((d->fd = pv_open_dir_n(&d->path, &d->cap, path, n)) < 0)
		return -1;
	d->len = n;
	return free_i;
}

int pv_ahead_push(struct pv_ahead *a, const struct loader *L, const struct source *s)
{
	if (a->broken)
		return -1;
	if (s->arch || (s->len != WALKED && s->len != 0) || a->off)
		return 0; /* members, held descriptors: not files to open here */
	if (a->count >= a->cap)
		return -1;
	const char *name = NULL;
	int d = dir_for(a, pv_src_path(L, s), &name);
	if (d == -2)
		return -1;
	if (d < 0)
		return 0;
	unsigned i = (a->head + a->count) % NENT;
	struct ent *e = &a->ent[i];
	a->held -= e->b.cap;
	int grown = pv_grow(&e->b.p, &e->b.cap, a->slot, 1);
	a->held += e->b.cap;
	if (grown < 0)
		return 0;
	/* four SQEs at most for this one (a close, the chain) */
	if (a->pending + 4 > a->sqentries && enter(a, 0) < 0) {
		a->broken = 1;
		return -1;
	}
	if (e->reclose) { /* the slot may still hold what the failed chain opened */
		struct io_uring_sqe *q = sqe_next(a);
		q->opcode = IORING_OP_CLOSE;
		q->file_index = i + 1;
		q->flags = IOSQE_CQE_SKIP_SUCCESS;
		q->user_data = (uint64_t)OP_CLOSE << 32 | i;
		e->reclose = 0;
	}
	e->gen = (e->gen + 1) & 0xffffff;
	uint64_t tag = (uint64_t)e->gen << 8 | i;
	struct io_uring_sqe *q = sqe_next(a);
	q->opcode = IORING_OP_OPENAT;
	q->fd = a->dirs[d].fd;
	q->addr = (uint64_t)(uintptr_t)name;
	/* no O_CLOEXEC: a direct descriptor refuses it (it is in no table) */
	q->open_flags = O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY;
	q->file_index = i + 1; /* it replaces what the slot held */
	q->flags = IOSQE_IO_LINK | IOSQE_CQE_SKIP_SUCCESS;
	q->user_data = (uint64_t)OP_OPEN << 32 | tag;
	q = sqe_next(a);
	q->opcode = IORING_OP_FADVISE; /* fails on a FIFO: no read of it */
	q->fd = (int)i;
	q->fadvise_advice = POSIX_FADV_NORMAL;
	q->flags = IOSQE_FIXED_FILE | IOSQE_IO_LINK | IOSQE_CQE_SKIP_SUCCESS;
	q->user_data = (uint64_t)OP_ADVISE << 32 | tag;
	q = sqe_next(a);
	q->opcode = IORING_OP_READ;
	q->fd = (int)i;
	q->flags = IOSQE_FIXED_FILE;
	q->addr = (uint64_t)(uintptr_t)e->b.p;
	q->len = (uint32_t)a->slot;
	q->off = 0;
	q->user_data = (uint64_t)OP_READ << 32 | tag;
	e->s = s;
	e->asked = a->slot;
	e->done = 0;
	e->res = 0;
	e->dir = d;
	a->dirs[d].users++;
	a->count++;
	return 1;
}

int pv_ahead_hungry(const struct pv_ahead *a)
{
	return !a->broken && a->count <= a->cap / 2;
}

/* Wait until entry e has completed.  0, or -1 if the ring failed. */
static int wait_for(struct pv_ahead *a, const struct ent *e)
{
	if (a->pending && enter(a, 0) < 0)
		return -1;
	while (!e->done)
		if (enter(a, 1) < 0)
			return -1;
	return 0;
}

int pv_ahead_take(struct pv_ahead *a, const struct source *s, struct buf *b, size_t max)
{
	unsigned j;
	for (j = 0; j < a->count; j++)
		if (a->ent[(a->head + j) % NENT].s == s)
			break;
	if (j == a->count || a->broken)
		return 0;
	int got = 0;
	for (unsigned k = 0; k <= j; k++) { /* those before s are not wanted now */
		struct ent *e = &a->ent[a->head];
		if (wait_for(a, e) < 0) {
			a->broken = 1;
			return 0;
		}
		if (e->res < 0)
			e->reclose = 1; /* the slot may hold what failed (a FIFO) */
		if (k == j && e->res > 0 && (size_t)e->res <= max && (size_t)e->res < e->asked) {
			if (b->cap > 2 * a->slot) {
				/* the reader's buffer grew for a large file read the
				 * usual way: it keeps it (no churn of large blocks,
				 * which cost 37 MB of heap on a mix of 2 MB dumps) */
				memcpy(b->p, e->b.p, (size_t)e->res);
			} else {
				struct buf t = *b;
				*b = e->b;
				e->b = t;
				a->held = a->held - b->cap + e->b.cap;
				/* the entries' buffers stay within twice the window
				 * (they grow with the reads; a window that shrank as
				 * they did leaves some idle) */
				if (a->held > 2 * WINDOW_BYTES) {
					a->held -= e->b.cap;
					free(e->b.p);
					e->b = (struct buf){0};
				}
			}
			b->len = (size_t)e->res;
			got = 1;
		} else if (k == j && e->res > 0 && (size_t)e->res >= e->asked) {
			if (a->slot < SLOT_MAX) {
				a->slot *= 2; /* files this large: ask more of the next reads */
				window_for(a);
			} else if (++a->over > 8 && a->over * 2 > a->takes) {
				a->off = 1; /* mostly larger still: the usual read only */
			}
		}
		a->takes += k == j;
		e->s = NULL;
		a->head = (a->head + 1) % NENT;
		a->count--;
	}
	return got;
}

void pv_ahead_free(struct pv_ahead *a)
{
	if (!a)
		return;
	int leak = 0;
	if (a->fd >= 0 && a->count) {
		/* the kernel may still write into the buffers: wait for it */
		if (a->broken || (a->pending && enter(a, 0) < 0))
			leak = 1;
		for (unsigned j = 0; !leak && j < a->count; j++)
			if (wait_for(a, &a->ent[(a->head + j) % NENT]) < 0)
				leak = 1;
	}
	if (a->sqemap && a->sqemap != MAP_FAILED)
		munmap(a->sqemap, a->sqelen);
	if (a->cqmap && a->cqmap != MAP_FAILED)
		munmap(a->cqmap, a->cqlen);
	if (a->sqmap && a->sqmap != MAP_FAILED)
		munmap(a->sqmap, a->sqlen);
	if (a->fd >= 0)
		close(a->fd); /* the direct descriptors with it */
	for (int i = 0; i < NDIRS; i++) {
		if (a->dirs[i].fd >= 0)
			close(a->dirs[i].fd);
		free(a->dirs[i].path);
	}
	if (leak) /* reads that may not have ended: their buffers stay */
		return;
	for (int i = 0; i < NENT; i++)
		free(a->ent[i].b.p);
	free(a);
}

#else /* no io_uring: the usual path only */

struct pv_ahead *pv_ahead_new(void)
{
	return NULL;
}

int pv_ahead_push(struct pv_ahead *a, const struct loader *L, const struct source *s)
{
	(void)a, (void)L, (void)s;
	return -1;
}

int pv_ahead_hungry(const struct pv_ahead *a)
{
	(void)a;
	return 0;
}

int pv_ahead_take(struct pv_ahead *a, const struct source *s, struct buf *b, size_t max)
{
	(void)a, (void)s, (void)b, (void)max;
	return 0;
}

void pv_ahead_free(struct pv_ahead *a)
{
	(void)a;
}

#endif
