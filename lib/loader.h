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
/* Walk the directory at path into out (0), or 1 if path is no directory;
 * <0 (PV_ENOMEM) if the walk could not go on. */
int pv_walk_top(const pv_load_opts *o, const char *path, struct pathvec *out, struct tally *t);

#endif
