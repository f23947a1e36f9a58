/*
 * cli.h - the command line's parts: options (cmd/options.c), the modes
 * (cmd/profview.c) and the output file (cmd/output.h).
 */
#ifndef PV_CMD_CLI_H
#define PV_CMD_CLI_H

#include "../formats/writer.h"
#include "../lib/pv.h"

/* Exit status: 0 all inputs read; 1 some input could not be read (the
 * report covers the rest), none could, or out of memory; 2 usage error;
 * 3 every profile was read but --endpoint/--since/--until matched none;
 * 4 --diff --fail-if: a significant rise beyond a bound (over 1: the
 * gate is what a CI job asks about). */
enum { EXIT_OK = 0,
       EXIT_INPUT = 1,
       EXIT_USAGE = 2,
       EXIT_NOMATCH = 3,
       EXIT_REGRESSION = 4 };

/* One --fail-if rule (cmd/gate.c). */
enum { GATE_P50,
       GATE_P95,
       GATE_MEAN,
       GATE_TOTTIME };
struct gate_rule {
	int metric;   /* GATE_* */
	int relative; /* bound is a fraction of the base, else seconds */
	double bound;
	const char *text; /* as given, for messages */
};

/* The command line, parsed and checked: every option, sort key and the
 * format's fitness for the mode are validated before any input is read. */
struct options {
	int mode; /* PV_MODE_* */
	const pv_writer *writer;
	pv_write_opts wopts;
	const char *sortspec; /* --sort as given, or NULL */
	pv_sort *sort;        /* stats mode: the parsed --sort (time,calls) */
	int vsort;            /* --requests: PV_RQ_*, --diff: PV_DS_* */
	pv_select *sel;       /* --limit, --fraction, --match, --exclude */
	pv_tree_opts tree;    /* call-tree formats: --min-share, --max-frames,
				   --max-depth, --inverted; match/exclude below */
	pv_select *tmatch;    /* --match alone (the tree keeps stacks through it) */
	pv_select *texclude;  /* --exclude alone (the tree drops those frames) */
	int cuts;             /* --limit or --fraction given */
	int merged;           /* --merged: one call tree, not one per endpoint */
	pv_reqfilter *filter; /* --endpoint, --since, --until */
	const char **diffs;   /* --diff BASE... */
	size_t ndiffs;
	double diff_threshold;   /* --diff-threshold, a fraction (0.05) */
	double diff_floor;       /* --diff-floor, seconds (10e-6) */
	struct gate_rule *gates; /* --fail-if */
	size_t ngates;
	const char *outpath; /* -o, or NULL */
	pv_limits limits;
	size_t cache_bytes; /* $PROFVIEW_ARCHIVE_CACHE, or 0 */
	int threads;        /* $PROFVIEW_THREADS, or 0 */
	int quiet, strip, shortpaths;
	int interactive;      /* -i: the terminal browser (tui/) */
	int watch;            /* --watch: read the inputs as dumps arrive */
	char filter_desc[40]; /* "--endpoint/--since": the request selection given */
	char **inputs;        /* the INPUT arguments */
	int ninputs;
};

/* Parse argv into o.  Returns -1 when the command is done (--help,
 * --version), 0 to go on; exits with EXIT_USAGE on a usage error. */
int options_parse(struct options *o, int argc, char **argv);
void options_free(struct options *o);
/* "10us", "0.5ms", "1s" as seconds; exits with a usage error otherwise */
double parse_time(const char *opt, const char *a);
/* --fail-if EXPR into r; exits with a usage error when EXPR is not one */
void gate_parse(struct gate_rule *r, const char *arg);
/* 1 if some rule fails (every offender printed on standard error), else 0 */
int gate_check(const struct gate_rule *rules, size_t n, const pv_epdiff *d);

__attribute__((format(printf, 1, 2), noreturn)) void die_usage(const char *fmt, ...);

#endif
