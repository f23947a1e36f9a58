/*
 * writer.h - for writer authors and the front ends that run writers (cmd/):
 * the modes, the views a writer is handed, its options and flags, the
 * pv_writer struct and the writers' table (writers.c, beside this file).
 * A new output format is a pv_writer in formats/<name>.c, its extern
 * here and one line in writers.c.
 */
#ifndef PV_WRITER_H
#define PV_WRITER_H

#include <stdio.h>

#include "../lib/pv.h"

/* What the command line asks for: the mode decides which views exist. */
enum {
	PV_MODE_STATS = 1,    /* the pstats table (and exports of the model) */
	PV_MODE_REQUESTS = 2, /* --requests: one row per endpoint */
	PV_MODE_DIFF = 4,     /* --diff: what changed between two sets of profiles */
};

/* Everything a writer may print: the model and every computed view.  The
 * CLI fills what the mode and the writer's flags call for. */
typedef struct pv_views {
	int mode;                        /* PV_MODE_* */
	pv_stats *st;                    /* the model: every selected input merged */
	const pv_view *view;             /* rows of st in print order (stats mode) */
	const pv_tree *tree;             /* the call tree (writers with PV_W_TREE) */
	const pv_tree *group_tree;       /* the tree grouped by endpoint (pv_tree_build_groups),
				     * for writers with PV_W_TREE and PV_W_GROUPS when the
				     * names carry requests; else NULL */
	const pv_groups *groups;         /* per-endpoint groups (writers with PV_W_GROUPS) */
	const pv_reqview *requests;      /* PV_MODE_REQUESTS, and writers with PV_W_GROUPS */
	const pv_diffview *diff;         /* PV_MODE_DIFF */
	const pv_reqview *base_requests; /* PV_MODE_DIFF with PV_W_GROUPS: the base's
					    requests view (requests: the inputs') */
	const pv_epdiff *epdiff;         /* PV_MODE_DIFF: per endpoint, with verdicts */
	const pv_tree *base_tree;        /* PV_MODE_DIFF with PV_W_TREE: the base's call tree
					    (tree: the inputs'; by endpoint when the names of both
					    carry requests, then group_tree is NULL) */
} pv_views;

/* How a writer prints.  Writers print the rows of a view (the text report in
 * view order; exports in their own deterministic order). */
typedef struct pv_write_opts {
	int stats;                  /* text: print_stats (the default) */
	int callers;                /* text: print_callers */
	int callees;                /* text: print_callees */
	const char *summary;        /* what was read: "19 profiles from dump/" */
	const char *base_summary;   /* diff: what the base is, the same way */
	const char *unit;           /* text tables: "s" (pstats), "ms", "us" or "auto" */
	const char *cmd;            /* callgrind: the cmd: line (the inputs) */
	double node_threshold;      /* dot: percent of total time a node needs */
	double edge_threshold;      /* dot: percent of total time an edge needs */
	int short_paths;            /* --short-paths was given (display names are short) */
	int strip_dirs;             /* --strip-dirs was given */
	int icicle;                 /* svg: root at the top (--icicle) */
	int diff_base_widths;       /* svg --diff: widths from the base (--diff-widths base) */
	size_t nclamped;            /* out, callgrind: negative/NaN times written as 0 */
	uint64_t max_output;        /* folded, speedscope: bytes of stacks at most; the
				     * stacks past it are cut, their time kept in one
				     * "[N stacks cut ...]" frame; 0: no bound */
	size_t ncut, nstacks;       /* out, folded, speedscope: stacks cut, stacks in all */
#define PV_MAX_OUTPUT (64ULL << 20) /* the CLI's max_output unless told */
	double cut_share;           /* out: the share of the total time they held */
	const char *const *skipped; /* html: the messages of inputs not read */
	size_t nskipped;
} pv_write_opts;

/* Writer flags: what a writer needs and how it treats the view. */
enum {
	PV_W_BINARY = 1,       /* refuses a terminal */
	PV_W_OWN_ORDER = 2,    /* writes in an order of its own: the sort matters only
			       when --limit or --fraction cut the sorted list */
	PV_W_TREE = 4,         /* needs pv_views.tree */
	PV_W_GROUPS = 8,       /* needs pv_views.groups */
	PV_W_SHORT_NAMES = 16, /* shows short names whatever --short-paths says: the
				  caller runs pv_stats_short_paths on every model it
				  passes (writers never change the model) */
	PV_W_SAMPLES = 32,     /* a profile of samples (pprof): the tree is built with
				  pv_tree_opts.exact, in nanoseconds, unpruned unless
				  asked (--min-share, --max-depth; --max-frames
				  defaults to a million); no --inverted, --match,
				  --exclude */
	PV_W_DIFF_TREE = 64,   /* --diff: needs pv_views.tree and base_tree (the HTML
				  page's differential flame graph) */
};

/* An output format: formats/<name>.c defines one, formats/writers.c lists it. */
typedef struct pv_writer {
	const char *name;
	unsigned flags; /* PV_W_* */
	unsigned modes; /* the PV_MODE_* it can write */
	const char *help;
	/* 0, or <0 with the message in ctx; write errors show in ferror(fp) */
	int (*write)(FILE *fp, const pv_views *v, pv_write_opts *opts, pv_ctx *ctx);
} pv_writer;

extern const pv_writer pv_writer_text;       /* formats/report.c */
extern const pv_writer pv_writer_callgrind;  /* formats/callgrind.c */
extern const pv_writer pv_writer_pstats;     /* formats/pstats.c */
extern const pv_writer pv_writer_json;       /* formats/json.c */
extern const pv_writer pv_writer_dot;        /* formats/dot.c */
extern const pv_writer pv_writer_csv;        /* formats/csv.c */
extern const pv_writer pv_writer_folded;     /* formats/folded.c */
extern const pv_writer pv_writer_speedscope; /* formats/speedscope.c */
extern const pv_writer pv_writer_svg;        /* formats/svg.c */
extern const pv_writer pv_writer_html;       /* formats/html.c */
extern const pv_writer pv_writer_pprof;      /* formats/pprof.c */

/* Every writer, NULL-terminated, in --help order (formats/writers.c). */
extern const pv_writer *const pv_writers[];
/* The writer called `name`, or NULL. */
const pv_writer *pv_writer_find(const char *name);

#endif
