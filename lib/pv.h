/*
 * pv.h - the public header of libprofview, for library users.  Reader
 * authors add formats/reader.h, writer authors and the front ends that run
 * writers formats/writer.h; lib/util.h and lib/internal.h are no API.
 *
 * The model: a pv_stats holds the merged profile exactly as CPython's
 * pstats.Stats holds it (an ordered map from function key to entry, each
 * entry with an ordered map of callers), plus the interned strings and keys
 * every entry points into.  Readers (formats/) fill a pv_profile from one
 * input; pv_stats_merge() adds it with pstats' rules; views (sort keys and
 * restrictions) select rows; writers (formats/) print a view.
 *
 * Conventions (libgit2 style):
 *  - functions that can fail return 0 or a negative PV_E* code; the message,
 *    naming the input and byte offset, is kept in the pv_ctx passed in;
 *  - `**out` parameters hand ownership to the caller, who frees them with the
 *    matching pv_*_free(); every free function accepts NULL;
 *  - strings are UTF-8, not NUL-terminated unless stated, with explicit lengths.
 *
 * Requires a compiler with __int128 (GCC, Clang): pstats call counts are
 * Python ints, which exceed 64 bits in merged or hand-made data.
 */
#ifndef PV_H
#define PV_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define PV_VERSION "0.1.0"

/* ---- errors ------------------------------------------------------------ */

enum {
	PV_OK = 0,
	PV_ENOMEM = -1,  /* allocation failed */
	PV_EIO = -2,     /* reading or writing failed (errno kept in the message) */
	PV_EFORMAT = -3, /* the input is not a valid profile */
	PV_ELIMIT = -4,  /* the input exceeds a safety limit (size, depth, expansion) */
	PV_EARG = -5,    /* a caller-supplied argument is invalid (sort key, regex, number) */
	PV_ESHAPE = -6,  /* the data cannot be merged (e.g. caller shapes differ) */
};

/* Where errors are kept.  The loader sets `input` (and `member`) before it
 * calls a reader, so a reader reports only what it knows: an offset and what
 * is wrong.  The message is complete and final once set. */
typedef struct pv_ctx {
	int code;           /* last PV_E* code, 0 if none */
	const char *input;  /* name of the input being read, or NULL */
	const char *member; /* archive member being read, or NULL */
	char msg[1024];     /* "INPUT[:MEMBER]: byte N: what" */
	int nomem;          /* the input failed for want of memory (code PV_ELIMIT):
			     * the input itself may be fine */
} pv_ctx;

/* Record an error found at byte `off` of the current input and return `code`.
 * Pass off = PV_NOOFF when no byte offset applies. */
#define PV_NOOFF ((size_t)-1)
int pv_fail(pv_ctx *ctx, int code, size_t off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* A name (a path, an archive member, a pattern) for a message: as it is
 * when every character is printable, else quoted as coreutils quotes it
 * ('a'$'\n''b'), so a newline cannot forge a line and no escape sequence
 * reaches the terminal; always != 0 quotes every name ('name').  Writes
 * at most cap bytes with the NUL (cut short if need be); returns the length. */
size_t pv_quote(char *buf, size_t cap, const char *s, size_t n, int always);
/* Clear the error state (input/member are kept). */
void pv_ctx_clear(pv_ctx *ctx);

/* ---- numbers ----------------------------------------------------------- */

/* A Python int as stored in a profile (a count, a line number). */
typedef __int128 pv_int;

/* A time value: Python stores a float, or an int for the pure-Python
 * profiler with an integer timer and for hand-made files.  Arithmetic and
 * comparisons follow Python's int/float rules so sums and sort orders are
 * exactly CPython's. */
typedef struct pv_num {
	union {
		pv_int i; /* the value when is_int */
		double f; /* the value when !is_int */
	};
	int is_int;
} pv_num;

pv_num pv_num_from_int(pv_int i);
pv_num pv_num_from_double(double f);
/* a + b with Python semantics (int + int stays int; int + float is float).
 * Returns PV_ELIMIT if an int sum leaves the 128-bit range. */
int pv_num_add(pv_num *out, pv_num a, pv_num b);
/* float(a) as Python converts it (correctly rounded). */
double pv_num_to_double(pv_num a);
/* a / b as Python's true division, b != 0. */
double pv_num_div_int(pv_num a, pv_int b);
/* Python's three-way comparison: <0, 0, >0; NaN compares equal to anything. */
int pv_num_cmp(pv_num a, pv_num b);
int pv_int_add(pv_int *out, pv_int a, pv_int b); /* PV_ELIMIT on overflow */
/* printf("%*.3f", width, x) into buf, exactly, but fast; returns the
 * length.  PV_F3_MAX bytes hold any double.  NaN prints as glibc prints it. */
#define PV_F3_MAX 352
size_t pv_format_f3(char *buf, size_t cap, double x, int width);
/* Decimal text of `v` into buf (at least 41 bytes); returns the length. */
size_t pv_int_format(char *buf, pv_int v);
/* Shortest text that reads back as the same double (Python's repr),
 * NUL-terminated, into buf (at least 32 bytes); returns its length. */
size_t pv_double_repr(char *buf, double x);

/* ---- the model --------------------------------------------------------- */

typedef struct pv_stats pv_stats;

/* Views of the model, computed in lib/ and handed to writers in pv_views
 * (formats/writer.h). */
typedef struct pv_tree pv_tree;         /* the call tree (lib/tree.c) */
typedef struct pv_groups pv_groups;     /* per-endpoint groups (lib/groups.c) */
typedef struct pv_reqview pv_reqview;   /* the requests table (lib/reqview.c) */
typedef struct pv_diffview pv_diffview; /* the diff table (lib/diffview.c) */

/* A function key: pstats' (filename, lineno, funcname) tuple.  `file` and
 * `name` are string ids (pv_stats_str). */
typedef struct pv_key {
	uint32_t file, name;
	int64_t line;
} pv_key;

/* The numbers of an entry or a caller edge exactly as Python has them:
 * what pv_entry and pv_edge hold when their compact form cannot (a count
 * beyond 64 bits, a time that is a Python int). */
typedef struct pv_wide {
	pv_int cc, nc;
	pv_num tt, ct;
} pv_wide;

/* The numbers as most dumps have them: 64-bit counts and float times.  A
 * record holds these (wide == 0) or points to a pv_wide (wide != 0) kept
 * by its owner; read them through the accessors below, never directly. */
typedef union pv_vals {
	struct {
		int64_t cc, nc;
		double tt, ct;
	} c;
	pv_wide *w;
} pv_vals;

/* A caller edge: how the callee was called from `caller` (a key id).
 * cProfile stores a tuple (nc, cc, tt, ct); the pure-Python profile module
 * stores a plain int call count (is_tuple == 0, the count in nc).  48
 * bytes: a profile of a million functions holds two million or more. */
typedef struct pv_edge {
	uint32_t caller; /* key id */
	uint32_t next;   /* next edge of the same entry, insertion order; 0 = end */
	uint32_t is_tuple;
	uint32_t wide; /* v.w holds the numbers */
	pv_vals v;
} pv_edge;

/* One function's entry: pstats' (cc, nc, tt, ct, callers). */
typedef struct pv_entry {
	uint32_t key;        /* key id */
	uint32_t first_edge; /* index into the edge array; 0 = no callers */
	uint32_t last_edge;
	uint32_t ncallers;
	uint32_t wide; /* v.w holds the numbers */
	uint32_t unused_;
	pv_vals v; /* primitive and total call counts, internal and cumulative time */
} pv_entry;

/* A caller edge with its numbers as Python has them: what a reader hands
 * to pv_profile_add_caller. */
typedef struct pv_caller {
	uint32_t caller; /* key id */
	int is_tuple;
	pv_int nc, cc;
	pv_num tt, ct;
} pv_caller;

static inline pv_num pv_vals_float_(double f)
{
	/* the whole union set as an integer whose low bytes are f's (on a
	 * little-endian machine): a direct store, where {.f = f} makes gcc
	 * build the value on the stack and copy it with a failed store
	 * forward */
	pv_num n;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint64_t u;
	__builtin_memcpy(&u, &f, sizeof(u));
	n.i = (pv_int)u;
#else
	n.i = 0;
	n.f = f;
#endif
	n.is_int = 0;
	return n;
}

/* The numbers of an entry (primitive calls, calls, internal and cumulative
 * time) and of an edge (calls, primitive calls, times), exact. */
static inline pv_int pv_entry_cc(const pv_entry *e)
{
	return e->wide ? e->v.w->cc : (pv_int)e->v.c.cc;
}
static inline pv_int pv_entry_nc(const pv_entry *e)
{
	return e->wide ? e->v.w->nc : (pv_int)e->v.c.nc;
}
static inline pv_num pv_entry_tt(const pv_entry *e)
{
	return e->wide ? e->v.w->tt : pv_vals_float_(e->v.c.tt);
}
static inline pv_num pv_entry_ct(const pv_entry *e)
{
	return e->wide ? e->v.w->ct : pv_vals_float_(e->v.c.ct);
}
/* An int-shaped edge (is_tuple == 0) has only nc: its cc reads 0 and its
 * times int 0, as the reader made them. */
static inline pv_int pv_edge_cc(const pv_edge *e)
{
	return !e->is_tuple ? 0 : e->wide ? e->v.w->cc
					  : (pv_int)e->v.c.cc;
}
static inline pv_int pv_edge_nc(const pv_edge *e)
{
	return e->wide ? e->v.w->nc : (pv_int)e->v.c.nc;
}
static inline pv_num pv_edge_tt(const pv_edge *e)
{
	pv_num zero = {{0}, 1};
	return !e->is_tuple ? zero : e->wide ? e->v.w->tt
					     : pv_vals_float_(e->v.c.tt);
}
static inline pv_num pv_edge_ct(const pv_edge *e)
{
	pv_num zero = {{0}, 1};
	return !e->is_tuple ? zero : e->wide ? e->v.w->ct
					     : pv_vals_float_(e->v.c.ct);
}
/* The edge's numbers as a pv_caller (its caller and shape too). */
static inline pv_caller pv_edge_caller(const pv_edge *e)
{
	pv_caller c;
	c.caller = e->caller;
	c.is_tuple = (int)e->is_tuple;
	c.nc = pv_edge_nc(e);
	c.cc = pv_edge_cc(e);
	c.tt = pv_edge_tt(e);
	c.ct = pv_edge_ct(e);
	return c;
}

/* Create an empty model.  Returns 0 or PV_ENOMEM. */
int pv_stats_new(pv_stats **out);
void pv_stats_free(pv_stats *st);

/* Strings and keys.  Interning returns a stable id; the same bytes always get
 * the same id.  Text must be valid UTF-8 (readers convert first). */
/* Room for nkeys more keys and nstrs more strings of nbytes in all, made
 * at once (a reader's estimate from its input size) so that interning does
 * not grow the tables step by step.  A hint: after PV_ENOMEM st is usable
 * as before (some of its tables may have grown). */
int pv_stats_reserve(pv_stats *st, size_t nkeys, size_t nstrs, size_t nbytes);
int pv_stats_intern_str(pv_stats *st, const char *s, size_t len, uint32_t *id);
int pv_stats_intern_key(pv_stats *st, uint32_t file, int64_t line, uint32_t name,
			uint32_t *id);
const char *pv_stats_str(const pv_stats *st, uint32_t id, size_t *len);
const pv_key *pv_stats_key(const pv_stats *st, uint32_t id);
/* A function's stable id: a 64-bit hash of its (file, line, name) as the
 * dump has them (not the shown names), the same in every model and run. */
uint64_t pv_stats_key_hash(const pv_stats *st, uint32_t key);
/* Python's order of two keys as tuples (file, line, name): <0, 0, >0. */
int pv_stats_cmp_keys(const pv_stats *st, uint32_t a, uint32_t b);
size_t pv_stats_nkeys(const pv_stats *st);

/* Entries in pstats dict order (first-seen order of the merge). */
size_t pv_stats_nentries(const pv_stats *st);
const pv_entry *pv_stats_entry(const pv_stats *st, size_t i);
/* Index of the entry for key id `key`, or -1 if the key has no entry. */
long pv_stats_find(const pv_stats *st, uint32_t key);
/* The edge with index `i` (from pv_entry.first_edge / pv_edge.next). */
const pv_edge *pv_stats_edge(const pv_stats *st, uint32_t i);

/* Totals as pstats keeps them: sums in load/merge order, so every float is
 * bit-identical to CPython's. */
pv_int pv_stats_total_calls(const pv_stats *st);
pv_int pv_stats_prim_calls(const pv_stats *st);
pv_num pv_stats_total_tt(const pv_stats *st);
/* How many profiles were merged. */
size_t pv_stats_nprofiles(const pv_stats *st);

/* pstats' func_std_string: "file:line(name)", or "{...}" for ~ builtins.
 * Returns the text (owned by st, valid until st changes) and its length. */
const char *pv_stats_display(pv_stats *st, uint32_t key, size_t *len);
/* The same, with its width in code points (kept with the text). */
const char *pv_stats_display_w(pv_stats *st, uint32_t key, size_t *len, size_t *width);
/* The same text without keeping it: the kept one if there is one, else
 * made in *buf (grown as needed, *cap its size; the caller frees it), valid
 * until the next call with that buffer.  For a writer that shows each name
 * once (the report's stats table of a million functions would keep 70 MB
 * of names otherwise).  NULL when out of memory. */
const char *pv_stats_display_tmp(pv_stats *st, uint32_t key, char **buf, size_t *cap,
				 size_t *len);
/* Length in code points, as Python's len() counts it. */
size_t pv_utf8_len(const char *s, size_t n);

/* --short-paths: show every file by its shortest unambiguous name -
 * "flask/app.py" for .../site-packages/flask/app.py, "<stdlib>/json/x.py"
 * for the standard library, the fewest trailing path components that no
 * other file shares for the rest.  Only display strings change; two files
 * never show alike.  0 or PV_ENOMEM. */
int pv_stats_short_paths(pv_stats *st);
/* The string id a file (string id) is shown as: its short name after
 * pv_stats_short_paths, else itself.  Every writer prints file names
 * through this, so --short-paths reaches every format. */
uint32_t pv_stats_shown_file(const pv_stats *st, uint32_t file);

/* 1 when pstats' text report of the inputs depends on their callers, so
 * a model loaded with pv_load_opts.no_callers cannot print it: callers of
 * both shapes, tuples (cProfile) and ints (the profile module) - pstats
 * refuses a file whose caller of a function has the other shape than in
 * the files before it (TypeError) - or the legacy ('jprofile', 0,
 * 'profiler') caller, whose callees the report names as top level.  Load
 * such inputs again with their callers. */
int pv_stats_callers_matter(const pv_stats *st);

/* strip_dirs(): every file name becomes its basename; colliding entries are
 * summed, colliding callers within one entry overwrite (pstats' quirk). */
int pv_stats_strip_dirs(pv_stats *st, pv_ctx *ctx);

/* ---- one input's profile, as a reader produces it ----------------------- */

typedef struct pv_profile pv_profile;

int pv_profile_new(pv_profile **out);
void pv_profile_free(pv_profile *p);
/* Forget the content, keep the memory (one profile is reused per input). */
void pv_profile_reset(pv_profile *p);
/* Room for nentries more entries and nedges more callers (a hint, as
 * pv_stats_reserve). */
int pv_profile_reserve(pv_profile *p, size_t nentries, size_t nedges);
/* Give back capacity beyond what p holds (a profile kept for later). */
void pv_profile_shrink(pv_profile *p);
/* Readers call these in file order.  A key seen twice in one file keeps its
 * first position and takes the last value, as a Python dict does. */
int pv_profile_begin_entry(pv_profile *p, uint32_t key, pv_int cc, pv_int nc,
			   pv_num tt, pv_num ct);
int pv_profile_add_caller(pv_profile *p, const pv_caller *edge);
/* From now on p keeps no callers: pv_profile_add_caller checks and drops
 * them (a reader still parses them), for loads whose views read entries
 * only (pv_load_opts.no_callers). */
void pv_profile_drop_callers(pv_profile *p);
/* 1 when p keeps no callers (pv_load_opts.no_callers): a reader may then
 * check them itself and, instead of pv_profile_add_caller for each, tell
 * once per entry what the merge needs of them: the shapes met (1 a tuple,
 * 2 an int, or both) and `units`, the sum over their int fields of
 * |v| / 2^64 + 1 (the bound pv_profile_add_caller adds for each). */
int pv_profile_dropping(const pv_profile *p);
void pv_profile_note_dropped(pv_profile *p, unsigned shapes, uint64_t units);
size_t pv_profile_nentries(const pv_profile *p);
/* Entry i in file order: its key and numbers (any pointer may be NULL). */
void pv_profile_get(const pv_profile *p, size_t i, uint32_t *key, pv_int *cc, pv_int *nc,
		    pv_num *tt, pv_num *ct);
/* Move p's keys from the tables of `from` (where a reader interned them, in
 * another thread) to those of `to`.  *xlat caches the mapping from `from`'s
 * key ids (grown as needed, zero-filled; the caller frees it).  0 or
 * PV_ENOMEM. */
int pv_profile_rekey(pv_profile *p, const pv_stats *from, pv_stats *to, uint32_t **xlat,
		     size_t *cap);
/* The profile's total internal time in seconds: the sum of its entries' tt
 * in file order (what pstats prints as "in N seconds" for this file). */
double pv_profile_total_time(const pv_profile *p);
/* Bytes the profile holds (for read-ahead budgets). */
size_t pv_profile_memsize(const pv_profile *p);

/* Merge one input into st exactly as pstats.Stats.add() does (or, for the
 * first input, as Stats(file) loads it).  Inputs must be merged in pstats'
 * order: the first, then the others in reverse (pv_load does this).
 * Returns PV_ESHAPE (st unchanged) if an edge is a tuple in one and an int in
 * the other, PV_EFORMAT if the profile is empty (pstats refuses those). */
int pv_stats_merge(pv_stats *st, const pv_profile *p, pv_ctx *ctx);
/* pv_stats_merge() that may take p's storage instead of copying it (when p
 * is the first profile merged into st): p is then left empty, to be reset
 * and filled again.  For loaders that do not look at p after merging. */
int pv_stats_merge_take(pv_stats *st, pv_profile *p, pv_ctx *ctx);

/* ---- readers and loading ----------------------------------------------- */

/* An input format: formats/<name>.c defines one, formats/readers.c lists
 * it (pv_readers[]).  Adding a format touches that file and that line
 * only: which names a directory walk reads comes from the suffixes the
 * listed readers and containers declare, and which reader reads a file
 * from its first bytes (sniff). */
typedef struct pv_reader {
	const char *name;
	/* NULL-terminated: a directory walk reads the files whose name ends
	 * in one of these (".prof"); named files are read whatever their name */
	const char *const *suffixes;
	/* nonzero if the bytes look like this format */
	int (*sniff)(const unsigned char *buf, size_t len);
	/* parse buf into out, interning names in st; errors via pv_fail(ctx) */
	int (*read)(pv_ctx *ctx, pv_stats *st, pv_profile *out,
		    const unsigned char *buf, size_t len);
} pv_reader;

/* Safety limits for inputs that expand (archives, compressed files). */
typedef struct pv_limits {
	uint64_t max_member;  /* bytes one decompressed member may have */
	uint64_t max_archive; /* bytes one archive may expand to in all */
} pv_limits;

#define PV_DEFAULT_MAX_MEMBER ((uint64_t)1 << 30)   /* 1 GiB */
#define PV_DEFAULT_MAX_ARCHIVE ((uint64_t)16 << 30) /* 16 GiB */

/* A container holds profiles: an archive (tar, cpio, zip, 7z, with any
 * compression) or one compressed file (x.prof.gz).  It is read in place,
 * member by member, in one pass, never extracted to disk. */
#define PV_SNIFF_BYTES 4096
typedef struct pv_container {
	const char *name;
	/* NULL-terminated, or NULL: names a directory walk reads as this
	 * container (".prof.gz": a single compressed dump); archives named on
	 * the command line are read whatever their name, not in a walk */
	const char *const *suffixes;
	/* nonzero if an input starting with these bytes (the first
	 * PV_SNIFF_BYTES, or all of a shorter one) is one */
	int (*sniff)(const unsigned char *head, size_t n);
	/* Open the input `path` (named in messages; a single compressed file's
	 * member is named after it).  Its bytes are head[0, headlen) followed
	 * by what is left to read from fd: the caller opened it once and read
	 * the head to sniff, so a pipe or FIFO is read as one stream (a
	 * regular file may be read again from its start).  fd < 0: head holds
	 * all of it.  The container does not close fd; head stays valid until
	 * close. */
	int (*open)(void **h, const char *path, int fd, const unsigned char *head, size_t headlen,
		    const pv_limits *lim, pv_ctx *ctx);
	/* Step to the next profile member: 1 and its name (valid until the next
	 * call), 0 at the end, or <0 with the error in ctx. */
	int (*next)(void *h, const char **name, pv_ctx *ctx);
	/* Read the current member's bytes into *buf (grown as needed). */
	int (*read)(void *h, unsigned char **buf, size_t *cap, size_t *len, pv_ctx *ctx);
	void (*close)(void *h);
	/* Optional (NULL: no member is a link).  Whether the current member is
	 * a hard link: PV_LINK_NODATA, it has no data of its own and is the
	 * same file as member *target (tar's links, which follow their
	 * target), or as a later member that names it (*target NULL: cpio's
	 * earlier links); PV_LINK_CARRIES, it has data and holds that of the
	 * earlier data-less link *target too (cpio's last link); else
	 * PV_LINK_NONE.  The loader reads a data-less link as its target
	 * (read() is not called for it). */
	int (*link)(void *h, const char **target);
	/* Optional (NULL: members are always read).  Called with off NULL
	 * after open, before the first next(): 1 if members may lie in the
	 * input as they are (a regular file read from its start, not
	 * compressed), and from then on next() reads headers only; 0 if not.
	 * Called after next(): 1 with the current member's bytes at [*off,
	 * *off + *len) of the input, to be read there (with pread); 0 if they
	 * must be read with read() (compressed, sparse, a link, past a limit):
	 * the loader then opens the input again and reads it as usual. */
	int (*locate)(void *h, uint64_t *off, uint64_t *len);
} pv_container;

enum { PV_LINK_NONE,
       PV_LINK_NODATA,
       PV_LINK_CARRIES };

/* libarchive's version string.  libarchive is loaded on first use (the
 * first archive met, or this call); without it archives are refused with
 * a message and everything else works. */
const char *pv_archive_version(void);

/* Every reader and container of libprofview, NULL-terminated, readers in
 * the order they are tried (formats/readers.c; their authors' header is
 * formats/reader.h): what pv_load_opts takes. */
extern const pv_reader *const pv_readers[];
extern const pv_container *const pv_containers[];

/* Called for every input that could not be read (ctx holds the message);
 * loading goes on with the next input. */
typedef void (*pv_error_fn)(const pv_ctx *ctx, void *arg);

/* Per-profile hooks: `want` decides from the name alone (the file or
 * member's base name) whether a profile is read at all; `seen` is told about
 * every profile read, before it is merged, and may refuse it (return 0).
 * `seen` runs on one thread at a time and may read st's strings and keys
 * (p's key ids are st's): no parsing thread adds to them meanwhile. */
typedef int (*pv_want_fn)(void *arg, const char *name);
typedef int (*pv_seen_fn)(void *arg, const char *name, pv_stats *st, const pv_profile *p);

typedef struct pv_load_opts {
	const pv_reader *const *readers;       /* NULL-terminated, tried in order */
	const pv_container *const *containers; /* NULL-terminated, or NULL */
	pv_error_fn on_error;
	pv_want_fn want;
	pv_seen_fn seen;
	void *arg;
	size_t max_file_size; /* 0 = default (2 GiB) */
	pv_limits limits;     /* 0 fields = defaults */
	/* Archives are read in one pass; pstats' order merges their members
	 * last to first, so each parsed member is kept, packed, in memory up
	 * to this many bytes and beyond it in an unlinked temporary file
	 * ($TMPDIR, else /tmp).  0 = default (64 MiB). */
	size_t cache_bytes;
	int threads; /* parsing threads; 0 = one per core, 1 = none */
	/* The model gets no caller edges (each dump's are parsed, checked and
	 * dropped): for views that read entries only - the text report,
	 * --diff's tables - which then skip what keeping and merging the
	 * edges costs (a tenth of the load).  The shapes of the callers are
	 * still told (pv_stats_callers_matter). */
	int no_callers;
	/* told after every profile: how many of how many, bytes read so far */
	void (*progress)(void *arg, size_t done, size_t total, uint64_t bytes);
} pv_load_opts;

typedef struct pv_load_result {
	size_t files;    /* profiles read and merged */
	size_t failed;   /* inputs reported through on_error */
	size_t vanished; /* files a directory walk listed that were gone when
			  * looked at or opened (ENOENT; not reported) */
} pv_load_result;

/* Read every input (a file, a directory: every *.prof below it in byte order
 * of the path, or "-" for standard input) and merge them into st in pstats'
 * order.  Bad inputs are reported and skipped.  Returns 0 or PV_ENOMEM. */
int pv_load(pv_stats *st, const char *const *inputs, size_t ninputs,
	    const pv_load_opts *opts, pv_load_result *res);

/* ---- watching the inputs (lib/watch.c) ---------------------------------- */

/* --watch: files and directories read as dumps arrive, each file opened
 * once; every profile read is kept (packed, in memory) so that a refresh
 * merges them all again in pstats' order, from memory, and equals a fresh
 * pv_load of the same files.  Archives and standard input are not watched. */
typedef struct pv_watch pv_watch;
/* Start watching `inputs` (borrowed while w lives): what is there now is
 * found (read by the first poll); o's want hook and on_error apply.
 * Inputs that are no file or directory are reported.  0 or PV_ENOMEM. */
int pv_watch_new(pv_watch **out, const char *const *inputs, size_t n, const pv_load_opts *o);
void pv_watch_free(pv_watch *w);
/* Take in what arrived (inotify's events, or a listing when polling) and
 * read the files that have been quiet a moment; a file that does not parse
 * is read again when it changes and reported (o->on_error) once it has
 * stayed broken and unchanged for 3 s.  1 if profiles were read (or a file
 * reported) since the last pv_watch_merge, 0 if not, PV_ENOMEM. */
int pv_watch_poll(pv_watch *w, const pv_load_opts *o);
/* Files found but not read yet (waiting to be quiet, or not parsed). */
size_t pv_watch_pending(const pv_watch *w);
/* The inotify descriptor, or -1 when polling (PROFVIEW_WATCH_POLL=1, or no
 * inotify). */
int pv_watch_fd(const pv_watch *w);
/* Every profile read, merged into a new model *out as pv_load merges (by
 * input, then path; pstats' order), o->seen told of each.  res: profiles
 * merged, inputs reported broken.  0 or PV_ENOMEM. */
int pv_watch_merge(pv_watch *w, pv_stats **out, const pv_load_opts *o, pv_load_result *res);

/* ---- views: sort keys and restrictions --------------------------------- */

/* A sort specification: pstats' sort_stats(*keys). */
typedef struct pv_sort pv_sort;

/* Parse "time,calls" (comma-separated pstats keys or the abbreviations
 * pstats accepts; "none" for dict order).  PV_EARG with a message for an
 * unknown key. */
int pv_sort_parse(pv_sort **out, const char *spec, pv_ctx *ctx);
void pv_sort_free(pv_sort *s);
/* "internal time, call count" - pstats' sort_type text; NULL for "none". */
const char *pv_sort_description(const pv_sort *s);
/* Write the accepted keys and their descriptions, as pstats lists them. */
void pv_sort_list_keys(FILE *fp);

/* A restriction: pstats' print_stats(*amount) argument, or an exclusion. */
typedef enum {
	PV_SEL_LIMIT,    /* keep the first N rows (int) */
	PV_SEL_FRACTION, /* keep the first int(len * F + 0.5) rows (float) */
	PV_SEL_MATCH,    /* keep rows whose display name matches (regex search) */
	PV_SEL_EXCLUDE,  /* drop rows whose display name matches */
} pv_sel_kind;

typedef struct pv_select pv_select;

int pv_select_new(pv_select **out);
void pv_select_free(pv_select *sel);
/* Append a restriction; `arg` is its command-line text.  PV_EARG with the
 * message (PCRE2's message and offset for a bad regex). */
int pv_select_add(pv_select *sel, pv_sel_kind kind, const char *arg, pv_ctx *ctx);

/* The rows to print and the lines pstats prints above them. */
typedef struct pv_view {
	uint32_t *rows; /* entry indices, in print order */
	size_t nrows;
	int ordered;       /* 0: "Random listing order was used" */
	const char *order; /* sort description when ordered */
	char *notes;       /* "   List reduced from ..." lines, each ending in \n */
} pv_view;

/* Sort (s may be NULL for dict order) and restrict st into a view. */
int pv_view_build(pv_view *view, pv_stats *st, const pv_sort *s,
		  const pv_select *sel, pv_ctx *ctx);
void pv_view_clear(pv_view *view);
/* The name column width of print_callers / print_callees: pstats'
 * max_name_len rule (the longest listed name, in code points, plus 2).
 * 0 when out of memory. */
size_t pv_view_width(const pv_view *view, pv_stats *st);

/* ---- callers and callees (lib/calls.c) --------------------------------- */

/* One side of a call: the other function's key id and the edge (the
 * callee's callers-map value) with pstats' numbers. */
typedef struct pv_call {
	uint32_t key;
	const pv_edge *edge;
} pv_call;

/* A model's calls both ways: print_callers' maps and print_callees'
 * inverse of them, each list sorted as pstats sorts it ((file, line, name)
 * tuple order).  Valid while st is not changed.  0 or PV_ENOMEM. */
typedef struct pv_calls pv_calls;
int pv_calls_new(pv_calls **out, pv_stats *st);
void pv_calls_free(pv_calls *c);
/* Entry `entry`'s callers, valid until the next call on c.  0 or PV_ENOMEM. */
int pv_calls_callers(pv_calls *c, size_t entry, const pv_call **out, size_t *n);
/* Entry `entry`'s callees (the entries whose callers name it), valid with c. */
void pv_calls_callees(const pv_calls *c, size_t entry, const pv_call **out, size_t *n);
/* The numbers pstats prints for a call: nc/cc, tottime and cumtime of the
 * edge; for the profile module's int edges cc = nc, tt NAN and ct the other
 * function's cumulative time (NAN when it has no entry). */
void pv_call_numbers(pv_stats *st, const pv_call *call, pv_int *nc, pv_int *cc, double *tt,
		     double *ct);

/* ---- request names (lib/reqname.c) ------------------------------------- */

/* What a profile's file name says about its request (lib/reqname.c;
 * the grammar is in doc/requests.md, "Request names").  werkzeug writes
 * "{method}.{path}.{elapsed:.0f}ms.{time:.0f}.prof" (0.9-0.14: "%06dms";
 * custom formats often "{time:.6f}" or "{elapsed:.3f}"), django-extensions
 * "{path}.{ms:06d}ms.{time}.prof" (no method). */
typedef struct pv_request {
	char method[32];     /* "" when the name has none */
	char path[1024];     /* "/api/users/17" (dots turned back into slashes) */
	char endpoint[1100]; /* "GET /api/users/{id}" */
	double elapsed_ms;   /* as the name states it */
	double time;         /* Unix time from the name */
	int int_time;        /* the time had no fraction (werkzeug's default) */
} pv_request;

/* Parse a file's base name; 1 if it carries request data, else 0.  Where
 * the name alone is ambiguous ("users.17.5ms": path /users/17 and 5 ms, or
 * /users and 17.5 ms) this gives the whole-millisecond reading. */
int pv_request_parse(const char *name, pv_request *out);
/* The same, choosing between the readings of an ambiguous name the one
 * whose milliseconds are nearest `duration` (the profile's total time in
 * seconds; NAN: as pv_request_parse); pv_groups reads names this way. */
int pv_request_parse_timed(const char *name, double duration, pv_request *out);

/* Selection by request: --endpoint (any of several regexes), --since and
 * --until.  A profile whose name carries no request never matches when
 * any of them is set. */
typedef struct pv_reqfilter pv_reqfilter;
int pv_reqfilter_new(pv_reqfilter **out);
void pv_reqfilter_free(pv_reqfilter *f);
int pv_reqfilter_add_endpoint(pv_reqfilter *f, const char *regex, pv_ctx *ctx);
/* A Unix time or ISO 8601 ("2026-11-20", "2026-11-20T14:30", "...Z",
 * "...+01:00"; without an offset, local time). */
int pv_reqfilter_set_since(pv_reqfilter *f, const char *when, pv_ctx *ctx);
int pv_reqfilter_set_until(pv_reqfilter *f, const char *when, pv_ctx *ctx);
int pv_reqfilter_active(const pv_reqfilter *f);
/* 1 if the profile named `name` may be selected: some reading of the name
 * matches (a pv_want_fn decides before reading). */
int pv_reqfilter_match(const pv_reqfilter *f, const char *name);
/* 1 if it is selected, the name read as pv_request_parse_timed reads it. */
int pv_reqfilter_match_timed(const pv_reqfilter *f, const char *name, double duration);
/* An --endpoint pattern that hits a bound (steps, depth, memory) matches
 * nothing from then on and is kept as the filter's error: 0, or its code
 * with the message copied to ctx.  Check after loading. */
int pv_reqfilter_error(const pv_reqfilter *f, pv_ctx *ctx);

/* ---- per-endpoint groups (lib/groups.c) ---------------------------------- */

/* Profiles grouped by the endpoint their names carry.  Fed every profile
 * through the loader's seen hook (pv_groups_add), a pv_groups keeps per
 * endpoint the profiles' request durations and timestamps and, unless told
 * not to, a model of that endpoint's profiles merged (pstats' rules, in the
 * order the loader merges them into the main model).
 *
 * Key space: each endpoint's model is a pv_stats of its own (its own
 * strings and keys): every profile is copied and rekeyed from the main
 * model's tables into the endpoint's (pv_profile_rekey) before it is
 * merged, so an endpoint's model is used exactly as the main one is (views,
 * sort, writers, --strip-dirs, --short-paths).  Functions are matched across
 * models by (file, line, name), e.g. pv_stats_lookup_key.
 *
 * A request's duration is its profile's own total time, the sum of every
 * entry's tt (what pstats prints as "in N seconds"), never the rounded
 * milliseconds of the name; the name supplies the endpoint and the time,
 * read by pv_request_parse_timed. */

/* One request: a profile with a parsed name. */
typedef struct pv_reqinfo {
	double duration; /* seconds: the profile's total internal time */
	double time;     /* Unix time from the name */
	double name_ms;  /* the elapsed milliseconds the name states */
	uint64_t stamp;  /* hash of (method, path, whole second) for names whose
			     time has no fraction (werkzeug's default), else 0:
			     equal stamps are names that may have collided */
} pv_reqinfo;

/* PV_GROUPS_ALL as an index: every profile read (with or without request
 * data), whose model is the main one. */
#define PV_GROUPS_ALL ((size_t)-1)

/* keep_stats = 0: durations and times only (no per-endpoint models). */
int pv_groups_new(pv_groups **out, int keep_stats);
void pv_groups_free(pv_groups *g);
/* Record one profile; a pv_seen_fn (arg is the pv_groups): returns 1 to
 * merge it, 0 when out of memory (the profile is then refused, and
 * pv_groups_failed() says so). */
int pv_groups_add(void *g, const char *name, pv_stats *st, const pv_profile *p);
/* Nonzero if an add ran out of memory. */
int pv_groups_failed(const pv_groups *g);
/* Endpoints, in the order their first profile was merged. */
size_t pv_groups_count(const pv_groups *g);
/* "GET /api/users/{id}", NUL-terminated; for PV_GROUPS_ALL "all". */
const char *pv_groups_name(const pv_groups *g, size_t i);
/* Endpoint i's model (NULL without keep_stats); for PV_GROUPS_ALL the main
 * model the profiles were merged into (NULL before the first). */
pv_stats *pv_groups_stats(const pv_groups *g, size_t i);
/* Endpoint i's requests, in merge order; *n their number.  For
 * PV_GROUPS_ALL every profile read: a name without request data has time
 * and name_ms NAN and stamp 0. */
const pv_reqinfo *pv_groups_requests(const pv_groups *g, size_t i, size_t *n);
/* Profiles whose names carry no request data (counted once each). */
size_t pv_groups_unparsed(const pv_groups *g);
/* The endpoints that have a model, heaviest first (total internal time,
 * descending; ties in merge order): the order the grouped call tree draws
 * them in, ready for pv_tree_build_groups.  *sts and *names hold *n items
 * each; the caller frees the two arrays (not their items).  0 or
 * PV_ENOMEM. */
int pv_groups_order(const pv_groups *g, pv_stats ***sts, const char ***names, size_t *n);

/* ---- the requests view (lib/reqview.c) --------------------------------- */

/* --requests: one row per endpoint of a pv_groups.  Times in seconds;
 * percentiles nearest-rank (the smallest duration with at least p% of the
 * endpoint's requests at or below it). */
enum {
	PV_RQ_ENDPOINT,
	PV_RQ_PROFILES,
	PV_RQ_TOTAL,
	PV_RQ_MEAN,
	PV_RQ_P50,
	PV_RQ_P95,
	PV_RQ_MAX,
	PV_RQ_CALLS,
};
#define PV_REQ_TOP 5 /* functions kept per endpoint */

typedef struct pv_reqrow {
	size_t group;         /* index in the pv_groups */
	const char *endpoint; /* NUL-terminated, owned by the pv_groups */
	size_t profiles;
	double total, mean, p50, p95, max; /* request durations, seconds */
	pv_int calls;                      /* function calls of the endpoint's profiles */
	size_t collided_seconds;           /* seconds in which several default-format names
				    of one path fell (one dump overwrote another) */
	size_t ntop;
	uint32_t top[PV_REQ_TOP];  /* key ids in pv_groups_stats(group), most
				       internal time first */
	double top_tt[PV_REQ_TOP]; /* their internal time, seconds */
} pv_reqrow;

struct pv_reqview {
	const pv_groups *groups;
	pv_reqrow *rows; /* every endpoint, in print order */
	size_t nrows;
	size_t shown;    /* rows to print (--limit) */
	int sort;        /* PV_RQ_* */
	size_t profiles; /* profiles read */
	size_t parsed;   /* of which with request names */
	size_t unparsed;
	double total; /* sum of the parsed requests' durations, seconds */
};

/* "total" -> PV_RQ_TOTAL; PV_EARG with a message for another word. */
int pv_reqview_sort_parse(const char *spec, int *sort, pv_ctx *ctx);
/* The column names, NULL-terminated (for messages, completions, tests). */
extern const char *const pv_reqview_columns[];
/* Build the view from g (kept with keep_stats for calls and top functions)
 * sorted by `sort`, descending (endpoint: ascending), ties by endpoint;
 * `limit` rows shown ((size_t)-1: all).  0 or PV_ENOMEM (message in ctx). */
int pv_reqview_build(pv_reqview **out, const pv_groups *g, int sort, size_t limit, pv_ctx *ctx);
void pv_reqview_free(pv_reqview *v);

/* ---- the diff view (lib/diffview.c) -------------------------------------- */

/* --diff: every function of two models matched by (file, line, name), with
 * its numbers per profile in each (the model's sums over its number of
 * profiles, so sets of different sizes compare).  Times in seconds. */
enum {
	PV_DS_ABSOLUTE, /* largest |change| in internal time first (the default) */
	PV_DS_CHANGE,   /* largest increase first, largest decrease last */
	PV_DS_RELATIVE, /* largest |relative change| first (new functions first) */
	PV_DS_BASE,     /* most internal time in the base first */
	PV_DS_CURRENT,  /* most internal time now first */
	PV_DS_NAME,     /* by file:line(function) */
};

typedef struct pv_diffrow {
	pv_stats *from;               /* the model the name comes from: cur, or base if gone */
	uint32_t key;                 /* key id in `from` */
	const pv_entry *b, *c;        /* the entries in base and cur; NULL where absent */
	double calls_base, calls_cur; /* calls per profile */
	double tt_base, tt_cur;       /* internal time per profile */
	double ct_base, ct_cur;       /* cumulative time per profile */
	double change;                /* tt_cur - tt_base */
	double relative;              /* change / tt_base; +-INFINITY from 0, NAN for 0/0 */
} pv_diffrow;

struct pv_diffview {
	pv_stats *base, *cur;
	pv_diffrow *rows; /* the selected functions (--match, --exclude), in order */
	size_t nrows;
	size_t shown;               /* rows to print (--limit) */
	int sort;                   /* PV_DS_* */
	size_t nbase, ncur;         /* profiles in each */
	double mean_base, mean_cur; /* total time per profile */
	double overall;             /* (mean_cur - mean_base) / mean_base; 0 when both 0 */
};

/* "absolute" ... "name" (unique prefixes accepted) -> PV_DS_*; PV_EARG with
 * a message otherwise. */
int pv_diffview_sort_parse(const char *spec, int *sort, pv_ctx *ctx);
extern const char *const pv_diffview_keys[]; /* NULL-terminated, PV_DS_* order */
/* Build the view; sel's --match/--exclude choose rows by display name, its
 * first --limit how many are shown.  0 or PV_ENOMEM (message in ctx). */
int pv_diffview_build(pv_diffview **out, pv_stats *base, pv_stats *cur, int sort,
		      const pv_select *sel, pv_ctx *ctx);
void pv_diffview_free(pv_diffview *v);

/* ---- per-endpoint diff (lib/diffsamp.c, lib/diffep.c, lib/diffstat.c) ---- */

/* The Mann-Whitney U test of two samples (lib/diffstat.c says why this
 * test).  zb, zc: zero samples in each besides the values given (a
 * function absent from a request took no time in it).  p is two-sided;
 * effect is U / (nb nc): above 0.5, the current set's samples tend to be
 * larger.  0 or PV_ENOMEM. */
typedef struct pv_mwu_result {
	double u, z, p, effect;
	int exact; /* p from U's exact distribution (small, no ties) */
} pv_mwu_result;
int pv_mwu(const double *base, size_t nb, size_t zb, const double *cur, size_t nc, size_t zc,
	   pv_mwu_result *r);
/* The Hodges-Lehmann estimate of the shift from base to cur: the median
 * of every difference cur[j] - base[i] (of evenly spaced subsets past
 * 1,000 samples a side).  As robust as a median, and with the variance
 * of a mean: the change a rank test sees.  NAN when a side is empty. */
int pv_hl_shift(const double *base, size_t nb, const double *cur, size_t nc, double *shift);
/* Holm's step-down correction of p[0..n) in place, for a family of m >= n
 * tests (the m - n not given count as p = 1).  0 or PV_ENOMEM. */
int pv_holm(double *p, size_t n, size_t m);

/* Per-request samples of one set of profiles, by endpoint: each
 * request's time (the profile's total) and, per function, its internal
 * time in that request (4 bytes a sample), with the sums of calls and
 * times.  Names that carry no request form one group.  Fed like
 * pv_groups (a pv_seen_fn); functions are matched across sets by
 * pv_stats_key_hash and named by their key in the model loaded. */
typedef struct pv_samples pv_samples;
int pv_samples_new(pv_samples **out);
void pv_samples_free(pv_samples *s);
int pv_samples_add(void *arg, const char *name, pv_stats *st, const pv_profile *p);
int pv_samples_failed(const pv_samples *s); /* out of memory while adding */
/* Key functions as --strip-dirs shows them (functions whose stripped names
 * meet are one, their times in a request added); call before adding. */
void pv_samples_strip_dirs(pv_samples *s);

enum { PV_V_UNCHANGED,
       PV_V_SLOWER,
       PV_V_FASTER,
       PV_V_NEW,
       PV_V_GONE };
extern const char *const pv_verdict_names[]; /* "unchanged", "slower", ... */

/* One function within an endpoint, per request (times in seconds). */
typedef struct pv_epfunc {
	pv_stats *from; /* the model the name comes from (current, or base if gone) */
	uint32_t key;
	int in_base, in_cur;
	double calls_b, calls_c, tt_b, tt_c, ct_b, ct_c;
	double change, relative; /* of tt; relative +-INFINITY from 0, NAN for 0/0 */
	double p;                /* Holm-corrected; NAN when not tested (under the floor) */
	int verdict;             /* PV_V_* */
} pv_epfunc;

/* One endpoint: its request times before and after. */
typedef struct pv_eprow {
	const char *endpoint;
	size_t nb, nc; /* requests */
	double p50_b, p50_c, p95_b, p95_c, mean_b, mean_c;
	double p;      /* Holm-corrected over the endpoints; NAN when not tested */
	double effect; /* U / (nb nc): P(a current request is slower), ties half */
	double shift;  /* Hodges-Lehmann shift of the request time (seconds) */
	int verdict;
	pv_epfunc *fn; /* the selected functions (--match, --exclude), in the --sort order */
	size_t nfn, nchanged;
	size_t shown; /* functions to print: the first --limit; without it, every one
		       * when the sets form one group, else the first 5 and every
		       * changed one (pv_epdiff.limited says which) */
} pv_eprow;

typedef struct pv_epdiff {
	pv_eprow *rows; /* changed endpoints first (slower, faster, new, gone) */
	size_t n;
	double threshold, floor, alpha;   /* what a verdict needs */
	size_t m_endpoints, m_functions;  /* tests in each Holm family */
	size_t nb, nc;                    /* requests in all */
	double mean_b, mean_c;            /* mean request time, all requests */
	double typ_b, typ_c;              /* the endpoints' medians weighted by each set's traffic */
	double adj_b, adj_c;              /* ... by the current traffic (common endpoints) */
	double unadjusted, adjusted, mix; /* typ_c / typ_b - 1, adj_c / adj_b - 1,
					   * adj_b / typ_b - 1 (the traffic mix alone) */
	int limited;                      /* --limit given: print only the first `shown` */
	int one_group;                    /* no name carried a request: one endpoint, "all" */
	void *priv;
} pv_epdiff;

/* Compare two sample sets; sort is the --diff order of functions
 * (PV_DS_*); sel's --match/--exclude choose the functions listed (after
 * the tests: they do not change a verdict), its --limit how many are
 * shown per endpoint.  The endpoints are compared on `threads` threads
 * (0: one per core), the result the same.  0, or <0 with the message in
 * ctx. */
int pv_epdiff_build(pv_epdiff **out, pv_samples *base, pv_stats *bst, pv_samples *cur,
		    pv_stats *cst, int sort, const pv_select *sel, double threshold, double floor,
		    int threads, pv_ctx *ctx);
void pv_epdiff_free(pv_epdiff *d);

/* Key id of (file, line, name) in st without adding it, or -1. */
long pv_stats_lookup_key(const pv_stats *st, const char *file, size_t flen, int64_t line,
			 const char *name, size_t nlen);
/* 1 if sel keeps the row with this display name (match/exclude only), 0
 * if not, or <0 with the message in ctx (a pattern hit a bound). */
int pv_select_keeps(const pv_select *sel, const char *text, size_t len, pv_ctx *ctx);
/* 1 if sel has a --limit or --fraction (their result depends on order). */
int pv_select_cuts(const pv_select *sel);
/* The first --limit of sel, or (size_t)-1. */
size_t pv_select_limit(const pv_select *sel);

/* ---- the call tree (flame graphs) -------------------------------------- */

/* A pstats dump has no stacks, only caller->callee edges with totals, so a
 * tree drawn from it is partly an estimate.  pv_tree_build() draws the
 * deepest tree the data allows and says which parts are estimates:
 *  - roots: the functions nobody calls; where a run has none that covers it
 *    (`python -m cProfile`: exec calls itself through runpy), one function
 *    (the largest cumulative time) of every group of mutually calling
 *    functions that nothing outside calls, so every function is reachable;
 *    a root weighs its cumulative time, or what it calls when that is over
 *    twice as much (the profile module's "profile:0(profiler)"); functions
 *    whose callers are keys without entries are roots only while the real
 *    roots leave that much of the total uncovered (nothing drawn twice);
 *  - a frame of function f with weight W keeps self = W * tt(f)/ct(f) and
 *    splits W - self over f's callees in proportion to the cumulative time
 *    of each edge f->callee (the profile module's int edges: the callee's
 *    cumulative time shared by calls);
 *  - a function already on the path is not expanded again: the frame is a
 *    leaf marked PV_FRAME_RECURSIVE;
 *  - children under the minimum weight, past the depth cap or past the
 *    frame cap are merged into one "[N smaller]" frame per parent, so every
 *    width stays exact: a frame's weight is its self plus its children's;
 *  - a frame is exact when every function on its path has one caller and
 *    takes part in no recursion, else PV_FRAME_ESTIMATED.
 * The inverted (bottom-up) tree: roots are the functions by self time
 * (exact), children their callers - by the edge's share of the callee's
 * internal time under a root (exact), by the edge's share of cumulative
 * time above that (estimated when the callee has several callers).
 * Weights are integers in ticks of opts.tick_ns nanoseconds (default 1000:
 * microseconds), so the sums are exact.  No recursion in C: a chain a
 * million frames deep builds in a loop. */

#define PV_NOFRAME UINT32_MAX
/* pv_frame.key of the frames that are no function */
#define PV_FRAME_ROOT UINT32_MAX          /* frames[0]: everything read */
#define PV_FRAME_SMALLER (UINT32_MAX - 1) /* "[N smaller]": N merged frames */
#define PV_FRAME_GROUP (UINT32_MAX - 2)   /* one endpoint (pv_tree_build_groups) */

enum {
	PV_FRAME_ESTIMATED = 1, /* the weight is an estimate (see above) */
	PV_FRAME_RECURSIVE = 2, /* the function is already on the path: not expanded */
	PV_FRAME_MERGED = 4,    /* "[N smaller]" */
};

typedef struct pv_frame {
	uint32_t parent;       /* PV_NOFRAME for frames[0] */
	uint32_t first_child;  /* PV_NOFRAME for a leaf */
	uint32_t next_sibling; /* PV_NOFRAME for the last; heaviest first, merged last */
	uint32_t key;          /* key id in pv_tree_stats(), or PV_FRAME_* */
	uint32_t group;        /* index of the group (pv_stats) the frame belongs to */
	uint32_t depth;        /* frames[0]: 0; the roots: 1 (2 below group frames) */
	uint32_t flags;        /* PV_FRAME_ESTIMATED | RECURSIVE | MERGED */
	uint32_t nmerged;      /* "[N smaller]": N, the frames merged */
	uint64_t weight;       /* ticks: self + the children's weights */
	uint64_t self;         /* ticks spent in the frame itself */
	double calls;          /* calls this frame stands for (estimated like the
				* weight); < 0 where meaningless (root, group, merged) */
} pv_frame;

typedef struct pv_tree_opts {
	double min_share;         /* children under this share of the total are merged;
				* < 0: the default PV_TREE_MIN_SHARE, 0: none */
	uint32_t max_depth;       /* frames deeper are merged; 0: no cap */
	size_t max_frames;        /* about this many frames at most (the minimum share is
				* raised until the tree fits, then cut); 0: no cap,
				* but a tree passing PV_TREE_FRAMES_NOCAP is refused
				* (PV_ELIMIT) */
	int inverted;             /* the bottom-up tree */
	uint64_t tick_ns;         /* nanoseconds per weight unit; 0: 1000 */
	const pv_select *match;   /* keep only stacks through a frame whose display
				   * name pv_select_keeps() (PV_SEL_MATCH items); frames
				   * leading to a match are never merged; NULL: all */
	const pv_select *exclude; /* drop frames pv_select_keeps() refuses
				   * (PV_SEL_EXCLUDE items); their weight becomes the
				   * parent's self; NULL: none */
	int exact;                /* profile exports (pprof): after the build, every
				   * function's frames share its tottime and ncalls
				   * (largest remainder), so the self times of its
				   * frames add up to tottime in ticks and their calls
				   * to ncalls; a function with no frame gets one under
				   * the root (its group); "[N smaller]" frames keep no
				   * self; weights are summed again (lib/treefit.c) */
} pv_tree_opts;

/* 0.1% of the total: at the usual 1,200 px a narrower frame is under 1.2 px,
 * too thin to see or label; it bounds a level to 1,000 frames. */
#define PV_TREE_MIN_SHARE 0.001

/* With max_frames 0: the frames a tree may reach before it is refused.
 * Without caps a call graph's tree is not bounded by its size: the
 * bottom-up tree of a cycle of L functions has L * L frames (one path per
 * function around the cycle), so cycles of length 2..1,000 ask for 3 * 10^8
 * frames; 4,000,000 frames are about 200 MB. */
#define PV_TREE_FRAMES_NOCAP 4000000

/* The tree: read-only for its users. */
typedef struct pv_tree pv_tree;
struct pv_tree {
	pv_frame *frames; /* frames[0] is the root; a parent comes before its children */
	size_t nframes;
	uint64_t total;         /* frames[0].weight */
	uint64_t estimated;     /* ticks of the width that are estimates (the self of
				* estimated frames); estimated / total is the share */
	uint64_t profile_total; /* the inputs' total internal time in ticks (pstats'
				 * "in N seconds"), for comparison with total */
	uint64_t tick_ns;
	double min_share; /* the share finally used (raised to fit max_frames) */
	size_t nmerged;   /* frames merged into "[N smaller]" frames, in all */
	int inverted;
	size_t ngroups;
	pv_stats **stats;   /* per group (borrowed) */
	char **group_names; /* per group (owned copies); NULL for pv_tree_build */
};

/* Build the tree of st.  0, PV_ENOMEM or PV_EARG (bad options), message in
 * ctx.  *out is freed with pv_tree_free. */
int pv_tree_build(pv_tree **out, pv_stats *st, const pv_tree_opts *o, pv_ctx *ctx);
/* One tree over several models (one per endpoint): under the root, one
 * PV_FRAME_GROUP frame per model named names[i], its tree below. */
int pv_tree_build_groups(pv_tree **out, pv_stats *const *sts, const char *const *names,
			 size_t n, const pv_tree_opts *o, pv_ctx *ctx);
void pv_tree_free(pv_tree *t);
/* The model frame i's key belongs to. */
pv_stats *pv_tree_stats(const pv_tree *t, size_t i);
/* The name a report shows for frame i: the function's display string
 * (pv_stats_display: --short-paths honoured), the group's name, "all" for
 * the root, "[N smaller]" (written into buf, PV_TREE_NAME_MAX bytes).
 * Valid until buf or the model changes; NULL when out of memory. */
#define PV_TREE_NAME_MAX 48
const char *pv_tree_name(const pv_tree *t, size_t i, char *buf, size_t *len);

#endif /* PV_H */
