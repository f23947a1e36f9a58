/*
 * loader.h - what the loader's files share (lib/ only, not part of the API).
 *
 * pv_load (load.c) drives one run: walk.c lists directories, arscan.c reads
 * each archive once into the spill (spill.c), pool.c parses plain files and
 * unpacks spilled members on every core, and load.c merges them all in
 * pstats' order.
 */
#ifndef PV_LOADER_H
#define PV_LOADER_H

#include <sys/types.h>

#include "internal.h"

/* ---- walk.c: the directory walk and the path store ----------------------- */

/* Paths found by a walk: their bytes in blocks that never move (no copy as
 * the list grows, no slack but the last block's), and the pointers of the
 * current walk's paths, for sorting. */
struct pathvec {
	char **v; /* this walk's paths */
	size_t n, cap;
	char *blk; /* the block being filled */
	size_t used, blkcap;
	char **blocks; /* every block, to free */
	size_t nblocks, capblocks;
};

/* What a walk found besides profiles. */
struct tally {
	size_t failed;   /* reported through the callback */
	size_t vanished; /* gone between listing and looking (ENOENT): quiet */
};

/* s (malloc'ed, freed here; NULL: out of memory) copied into the blocks and
 * listed in v.  0 or PV_ENOMEM. */
int pv_paths_push(struct pathvec *pv, char *s);
/* n bytes in the blocks (not listed in v), copied from p unless it is
 * NULL: they never move.  NULL when out of memory. */
void *pv_paths_keep(struct pathvec *pv, const void *p, size_t n);
void pv_paths_free(struct pathvec *pv);
/* dir "/" name, malloc'ed, or NULL. */
char *pv_path_join(const char *dir, const char *name);
/* qsort comparison of two char *: by the bytes of the path. */
int pv_path_cmp(const void *a, const void *b);
/* Tell the error callback (fn may be NULL) about path: code and what. */
void pv_load_report(pv_error_fn fn, void *arg, const char *path, int code, const char *what);
/* "a FIFO", "a socket", ...: what a file that is no regular file is. */
const char *pv_file_kind(mode_t m);
/* open(2) for a path of any length. */
int pv_open_path(const char *path, int flags);
/* The directory path[0..n) opened for the *at() calls (O_PATH where there
 * is one), its name copied into *buf; -1 when it cannot be (no memory, no
 * such directory). */
int pv_open_dir_n(char **buf, size_t *cap, const char *path, size_t n);
/* Walk the directory at path into out (0), or 1 if path is no directory;
 * <0 (PV_ENOMEM) if the walk could not go on. */
int pv_walk_top(const pv_load_opts *o, const char *path, struct pathvec *out, struct tally *t);

/* ---- load.c: the sources, in merge-list order ---------------------------- */

#define WALKED 1
#define VANISHED 2 /* a load_source result: a walked file was gone (ENOENT) */
/* A named file's source holds the descriptor its sniff opened (len =
 * HELD + fd): it is read through that one, not opened again.  At most
 * L->maxheld are held at once; later named files are opened again. */
#define HELD 4
/* An archive member that lies as it is in the archive (an uncompressed tar
 * in a regular file): its source's at points to where and its name. */
#define INPLACE UINT32_MAX

struct buf {
	unsigned char *p;
	size_t len, cap;
};

/* The spill, where parsed archive members wait for their turn.  The
 * records, in archive order, at consecutive positions: [0, flen) in
 * the file, the rest in memory in segments of an eighth of the budget,
 * oldest first.  When the budget is reached the oldest segment goes to the
 * file, so what is written is the records beyond the budget, not the whole
 * budget again and again; the last records, which pstats' order merges
 * first, stay in memory.  A record lies whole in one segment or the file. */
#define SPILL_SEGS 8

struct spill {
	struct buf seg[SPILL_SEGS + 2]; /* records not in the file, oldest first */
	size_t nseg;
	size_t held;      /* bytes in seg[] */
	struct buf spare; /* a flushed segment's storage, for the next one */
	int fd;           /* -1: no file yet */
	uint64_t flen;    /* bytes in the file */
};

/* An archive (or standard input) read when met.  Its members are records
 * in the spill (spill.c says what a record holds), or lie in place. */
struct arch {
	char *path;
	int single; /* standard input holding one profile: no member name */
	int fd;     /* its members lie in place (INPLACE sources): read here; else -1 */
};

struct source {
	uint64_t at;   /* a file: its path (a pointer into paths); a member: its record's offset */
	uint32_t len;  /* a member: its record's bytes; a file: WALKED if a walk found it,
			* HELD + fd if named and still open, else 0 */
	uint32_t arch; /* 0: a file; else 1 + its index in archs */
};

/* The directory of the last file opened, kept open: files are opened
 * relative to it, a lookup of one name instead of every component of the
 * path (the dentry lookups were a tenth of the time at a million files). */
struct dircache {
	char *dir;
	size_t len, cap;
	int fd; /* -1: none */
};

struct loader {
	pv_stats *st;
	const pv_load_opts *o;
	pv_limits lim;
	size_t budget;
	struct pathvec paths; /* every file's path (sources point into its blocks) */
	struct source *src;
	size_t nsrc, capsrc, nsrc_done;
	struct arch **archs;
	size_t narchs, caparchs;
	struct spill sp;
	pv_load_result *res;
	struct buf b, mb;
	pv_profile *prof;
	char *name; /* a member's name, NUL-terminated, while it merges */
	size_t capname;
	uint64_t bytes; /* read so far, for progress */
	/* while parsing threads intern into st: held around `seen`, which may
	 * read st's strings and keys (pv_groups copies profiles out of them) */
	pthread_mutex_t *tables;
	struct dircache dc;
	size_t nheld, maxheld; /* descriptors held by named files' sources */
	struct pv_ahead *ra;   /* the merge loop's read-ahead (uring.c), or NULL */
};

/* Files found by walks, named files and the locations of in-place members
 * are sources (at, len, arch) appended in merge-list order.  0 or
 * PV_ENOMEM. */
int pv_add_source(struct loader *L, uint64_t at, uint32_t len, uint32_t arch);

/* The reader whose sniff knows p's first bytes (else the first reader,
 * whose error says what is wrong). */
const pv_reader *pv_pick(const pv_load_opts *o, const unsigned char *p, size_t n);
/* Read one dump of n bytes into out with pv_pick's reader.  out is reset
 * first: the loader hands the same profile to every read, so a reader
 * need not know it (one that did not reset crashed on its second input). */
int pv_read_one(const pv_load_opts *o, pv_ctx *ctx, pv_stats *st, pv_profile *out,
		const unsigned char *p, size_t n);
/* The last component of path. */
const char *pv_base_name(const char *path);
/* A reader or container whose sniff knows p's first bytes: the container
 * only if no reader knows them, else NULL. */
const pv_container *pv_container_for(const pv_load_opts *o, const unsigned char *p, size_t n);
/* Reading or parsing one input ran out of memory: that is the input's
 * failure (PV_ELIMIT, the message set), not the run's. */
int pv_input_nomem(int rc, pv_ctx *ctx);
/* The path of a file's source. */
const char *pv_src_path(const struct loader *L, const struct source *s);
/* The name a source merges under; member: a spilled member's name. */
const char *pv_merge_name(const struct loader *L, const struct source *s, const char *member);
/* A large regular file mapped instead of read (pv_read_input): its pages
 * are the page cache's, so the reader can give back what it has passed
 * (pv_release_behind) and a 150 MB profile does not hold 150 MB of heap. */
struct fmap {
	unsigned char *p;
	size_t len;
	size_t released; /* bytes from the start unmapped behind the reader */
	int fd;
};
void pv_fmap_drop(struct fmap *m);
/* The file of source s into b (dc: the directory kept open; ra: the
 * reader's read-ahead, NULL for none: its bytes if it read them), with ctx
 * naming it; VANISHED when a file a walk found is gone.  With m, a regular
 * file of PV_MAP_MIN bytes or more that does not grow while it is mapped
 * is mapped into *m instead (b untouched; m->p NULL otherwise). */
#define PV_MAP_MIN ((size_t)32 << 20)
int pv_read_input(const struct loader *L, struct dircache *dc, struct pv_ahead *ra,
		  struct source *s, struct buf *b, struct fmap *m, pv_ctx *ctx);
void pv_dircache_drop(struct dircache *dc);
/* A single compressed file's members (x.prof.gz, its bytes in b) merged in
 * order, at the file's place. */
int pv_load_inline(struct loader *L, const char *path, const pv_container *c, const struct buf *b,
		   pv_ctx *ctx);
/* p merged into L->st under name (unless `seen` says no). */
int pv_load_merge(struct loader *L, const char *name, pv_profile *p, pv_ctx *ctx);
/* The progress callback, done of L->nsrc sources merged. */
void pv_load_progress(struct loader *L, size_t done);
/* A failure (in ctx) counted and told to the error callback. */
void pv_report_ctx(struct loader *L, pv_ctx *ctx);

/* ---- uring.c: plain files read ahead through io_uring --------------------- */

/* One reader's window of files in flight (one thread's: it alone calls
 * these), or NULL: no io_uring here, or PROFVIEW_IO_URING=0 - the files
 * are read the usual way then. */
struct pv_ahead;
struct pv_ahead *pv_ahead_new(void);
/* Free a (NULL is fine), after the reads in flight have ended. */
void pv_ahead_free(struct pv_ahead *a);
/* Read s ahead, the next source this reader will take: 1 if it is in
 * flight, 0 if it is no file for the window (a member, a held descriptor:
 * go on with the next), -1 if the window is full (push s again later). */
int pv_ahead_push(struct pv_ahead *a, const struct loader *L, const struct source *s);
/* The window is half empty: time to push (one system call for many). */
int pv_ahead_hungry(const struct pv_ahead *a);
/* Source s's bytes, read ahead, swapped into b (no copy): 1; 0 when s is
 * to be read the usual way (not read ahead, failed, empty, more than the
 * read asked for or than max bytes).  Sources pushed before s are
 * dropped. */
int pv_ahead_take(struct pv_ahead *a, const struct source *s, struct buf *b, size_t max);

/* ---- the threads of arscan.c and pool.c ---------------------------------- */

/* What one thread writes while another reads its neighbour (ring slots,
 * per-thread state) gets cache lines of its own: 128 bytes, the pair the
 * adjacent-line prefetcher moves together.  Sharing a line would bounce it
 * between the cores on every write (it cost the 2-thread run a third more
 * CPU). */
#define LINES __attribute__((aligned(128)))

static inline void *calloc_lines(size_t n, size_t size)
{
	if (n == 0 || size > SIZE_MAX / n)
		return NULL;
	void *p = aligned_alloc(128, n * size); /* size is a multiple of 128 */
	if (p)
		memset(p, 0, n * size);
	return p;
}

/* ---- arscan.c: the archive scan ------------------------------------------ */

/* A new archive (path copied) at the end of L->archs.  0 or PV_ENOMEM. */
int pv_add_arch(struct loader *L, const char *path, struct arch **out);
/* The one pass over the archive c knows, open as fd (head: its first
 * headlen bytes, already read): every wanted member a source.  Failures
 * are reported (or spilled, at their place); <0 only for PV_ENOMEM. */
int pv_arch_scan(struct loader *L, const pv_container *c, const char *path, int fd,
		 const unsigned char *head, size_t headlen);
/* An in-place member's offset and length in its archive, and its name. */
const char *pv_inplace_of(const struct source *s, uint64_t *off, uint64_t *len);
/* An in-place member's bytes into b, read where they lie in the archive
 * (pread: threads share the descriptor), with ctx naming it. */
int pv_inplace_read(const struct loader *L, const struct source *s, struct buf *b, pv_ctx *ctx);

/* ---- spill.c: parsed archive members waiting for their turn -------------- */

/* A record's parts: its kind (0 a profile, 1 an error), the member name,
 * and what follows.  0, or -1 if the bytes are no record. */
struct recview {
	int kind;
	const char *name;
	size_t n;
	const unsigned char *rest;
	size_t nrest;
};
int pv_rec_parse(const unsigned char *r, size_t len, struct recview *v);
/* A record appended to b: the member's profile p (rc 0) or its error
 * (rc < 0, the message in ctx).  0 or PV_ENOMEM. */
int pv_rec_put(struct buf *b, const char *name, int rc, const pv_profile *p, const pv_ctx *ctx);
/* The record of source s: its bytes (in a segment, or read from the file
 * into *b) at *out. */
int pv_rec_get(const struct loader *L, const struct source *s, struct buf *b,
	       const unsigned char **out, pv_ctx *ctx);
/* A record into the spill, as the next source of archive `arch`. */
int pv_spill_put(struct loader *L, uint32_t arch, const char *name, int rc, const pv_profile *p,
		 pv_ctx *ctx);
/* A record built elsewhere into the spill, at *at. */
int pv_spill_append(struct loader *L, const struct buf *rec, uint64_t *at, pv_ctx *ctx);
/* A record built elsewhere (a parsing thread) into the spill, as the next
 * source of archive `arch`. */
int pv_spill_copy(struct loader *L, uint32_t arch, const struct buf *rec, pv_ctx *ctx);
/* An archive member (or standard input's profile) from its record: its
 * name into *name, its profile unpacked into p, or its error in ctx. */
int pv_member_get(const struct loader *L, const struct source *s, struct buf *b, char **name,
		  size_t *capname, pv_profile *p, pv_ctx *ctx);
/* n bytes at off into p: how many there were (fewer at the end of the
 * file), or -1 with errno. */
ssize_t pv_pread_full(int fd, unsigned char *p, size_t n, uint64_t off);

/* ---- pool.c: the parse pool ---------------------------------------------- */

/* How many threads parse nsrc sources (1: none besides the caller's). */
int pv_load_threads(const pv_load_opts *o, size_t nsrc);
/* Every source read, parsed and merged in pstats' order by nw threads (the
 * calling thread among them).  0 or PV_ENOMEM. */
int pv_load_parallel(struct loader *L, int nw);

#endif
