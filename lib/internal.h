/*
 * internal.h - what lib/ modules share and nothing outside lib/ uses (no
 * formats/ or cmd/ file includes it; the unit tests of lib/ modules do):
 * profile copies and packing, the parsing threads' tables, the sort, Python
 * reprs, the bounded regex, the tree fit.  Helpers formats/ shares are in
 * util.h.
 */
#ifndef PV_INTERNAL_H
#define PV_INTERNAL_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <pthread.h>

#include "pv.h"
#include "util.h"

/* pv_profile_rekey with a map (key id of `from` -> key id in `to` + 1)
 * instead of an array indexed by `from`'s ids: memory in what the
 * profiles rekeyed hold, for the many small models of endpoint groups. */
int pv_profile_rekey_map(pv_profile *p, const pv_stats *from, pv_stats *to, pv_map *xlat);

/* The profile's entries in file order (pv_profile_nentries of them): for
 * loops over every entry, which pv_profile_get costs a call and copies of
 * 32-byte numbers each. */
const pv_entry *pv_profile_entries(const pv_profile *p);

/* Make dst a copy of src's entries and callers (same key ids), ready to be
 * rekeyed and merged; dst's key marks are not copied, so nothing more may
 * be added to it before a reset.  0 or PV_ENOMEM. */
int pv_profile_copy(pv_profile *dst, const pv_profile *src);
/* A parsing thread's table of strings and keys: strings are its own (no
 * lock while a file is read), but pv_stats_intern_key answers with the
 * key's id in `parent`, interned there under `lock` the first time this
 * table meets the key; so a profile read with it carries the parent's key
 * ids and is merged as it is (no pv_profile_rekey pass). */
int pv_stats_new_child(pv_stats **out, pv_stats *parent, pthread_mutex_t *lock);

/* The key --strip-dirs makes of key (the file's last path component, same
 * line and name), interned in st; key itself when the file has no '/'.
 * 0 or PV_ENOMEM. */
int pv_stats_strip_key(pv_stats *st, uint32_t key, uint32_t *out);

/* One diff row as the --sort orders of --diff see it: the flat diff's rows
 * (lib/diffview.c) and each endpoint's functions (lib/diffep.c) sort alike.
 * pv_diff_cmp: <0, 0, >0 for sort (a PV_DS_* key); NaN last, ties by the
 * shown name. */
typedef struct pv_diffkey {
	double change, relative, tt_base, tt_cur;
	pv_stats *from; /* not const: pv_stats_display fills a cache */
	uint32_t key;
} pv_diffkey;
int pv_diff_cmp(int sort, const pv_diffkey *a, const pv_diffkey *b);

/* Sort rows (entry indices) in place with s; stable.  0 or PV_ENOMEM. */
int pv_sort_apply(const pv_sort *s, pv_stats *st, uint32_t *rows, size_t n);

/* Python's repr() of a str (UTF-8 in, UTF-8 out) and of a float, appended
 * to *buf.  0 or PV_ENOMEM. */
int pv_pyrepr_str(char **buf, size_t *len, size_t *cap, const char *s, size_t n);
int pv_pyrepr_float(char **buf, size_t *len, size_t *cap, double x);

/* A profile as compact bytes (varints, raw doubles; key ids as they are,
 * so only for the same pv_stats), appended to *buf, and back.  The
 * archive loader keeps parsed members this way until pstats' order merges
 * them.  pack: 0 or PV_ENOMEM; unpack: 0, PV_ENOMEM, or PV_EFORMAT if the
 * bytes are not what pack wrote. */
int pv_profile_pack(const pv_profile *p, unsigned char **buf, size_t *len, size_t *cap);
/* At most this many bytes are appended by pv_profile_pack(p). */
size_t pv_profile_pack_bound(const pv_profile *p);
int pv_profile_unpack(pv_profile *p, const unsigned char *buf, size_t len);

/* A user-supplied regular expression (--match, --exclude, --endpoint),
 * matched as Python's re.search matches str (lone surrogates included),
 * with JIT where available and bounded steps, depth and memory. */
typedef struct pv_regex pv_regex;
/* opt names the option in messages.  PV_EARG (bad pattern) or PV_ENOMEM. */
int pv_regex_compile(pv_regex **out, const char *opt, const char *pattern, pv_ctx *ctx);
/* 1 if text (UTF-8, surrogates allowed) matches, 0 if not, or <0: PV_ELIMIT
 * when a bound was hit (the message names the option, pattern and text),
 * PV_ENOMEM.  Not for two threads at once. */
int pv_regex_match(pv_regex *re, const char *text, size_t len, pv_ctx *ctx);
void pv_regex_free(pv_regex *re);

/* pv_tree_opts.exact on a built tree (lib/treefit.c): 0 or PV_ENOMEM. */
int pv_tree_fit(pv_tree *t);

#endif
