/*
 * profview.c - the command line: main() and one function per mode (the
 * stats table and exports, --requests, --diff).  Options are parsed and
 * checked in options.c, the output file is output.c's.  The only place
 * that prints errors or exits.
 *
 * Exit status: see cli.h.
 */
#include <malloc.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../tui/tui.h"
#include "cli.h"
#include "output.h"

/* The cmd: line of a callgrind file: the inputs, space-separated. */
static char *join_inputs(char **v, int n)
{
	size_t len = 1;
	for (int i = 0; i < n; i++)
		len += strlen(v[i]) + 1;
	char *s = malloc(len), *p = s;
	if (!s)
		return NULL;
	for (int i = 0; i < n; i++) {
		size_t l = strlen(v[i]);
		memcpy(p, v[i], l);
		p += l;
		*p++ = i + 1 < n ? ' ' : '\0';
	}
	if (!n)
		*p = '\0';
	return s;
}

/* What the loader asks about each profile: the request selection and,
 * for --requests, the groups being filled. */
struct hooks {
	pv_reqfilter *filter;
	pv_groups *groups;
	pv_samples *samples; /* --diff: per-request samples by endpoint */
	size_t refused;      /* profiles the selection left out */
	char **skipped;      /* the messages of inputs not read (-f html shows them) */
	size_t nskipped, capskipped;
	unsigned noom; /* inputs not read for want of memory (said once) */
	/* while a load without callers may have to be done again, its
	 * messages are kept here and printed when it stands */
	int defer;
	char *deferred;
	size_t ndeferred, capdeferred;
};

/* A message line on standard error, or kept while h->defer. */
static void say(struct hooks *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct hooks *h, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (!h->defer) {
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		return;
	}
	va_list aq;
	va_copy(aq, ap);
	int n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	size_t need = n >= 0 ? h->ndeferred + (size_t)n + 1 : 0;
	if (n >= 0 && need > h->capdeferred) {
		size_t cap = h->capdeferred ? h->capdeferred : 4096;
		while (cap < need)
			cap *= 2;
		char *d = realloc(h->deferred, cap);
		if (d) {
			h->deferred = d;
			h->capdeferred = cap;
		}
	}
	if (n >= 0 && need <= h->capdeferred) {
		vsnprintf(h->deferred + h->ndeferred, (size_t)n + 1, fmt, ap);
		h->ndeferred += (size_t)n;
	} else { /* no room to keep it: said now (a load done again may say it twice) */
		vfprintf(stderr, fmt, ap);
	}
	va_end(ap);
}

static int want(void *arg, const char *name)
{
	struct hooks *h = arg;
	if (pv_reqfilter_match(h->filter, name))
		return 1;
	h->refused++;
	return 0;
}

static int seen(void *arg, const char *name, pv_stats *st, const pv_profile *p)
{
	struct hooks *h = arg;
	if (pv_reqfilter_active(h->filter) &&
	    !pv_reqfilter_match_timed(h->filter, name, pv_profile_total_time(p))) {
		h->refused++;
		return 0;
	}
	if (h->samples)
		pv_samples_add(h->samples, name, st, p);
	return h->groups ? pv_groups_add(h->groups, name, st, p) : 1;
}

/* Progress on a terminal: after a second of work, redrawn in place at most
 * ten times a second; never in pipes, files or CI, never with --quiet. */
static struct {
	int on, shown;
	double start, last, after;
} prog;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void progress_clear(void)
{
	if (prog.shown) {
		fputs("\r\033[K", stderr);
		prog.shown = 0;
	}
}

static void progress(void *arg, size_t done, size_t total, uint64_t bytes)
{
	(void)arg;
	double t = now(), el = t - prog.start;
	if (el < prog.after || (t - prog.last < 0.1 && done < total))
		return;
	prog.last = t;
	double rate = (double)done / el;
	fprintf(stderr, "\r\033[Kprofview: %zu/%zu profiles, %.0f MB, %.0f profiles/s, ETA %.0f s",
		done, total, (double)bytes / 1e6, rate, rate > 0 ? (double)(total - done) / rate : 0);
	prog.shown = 1;
}

/* --watch: the watcher and what its polls tell (names refused by the
 * request selection, inputs not read), for as long as it runs.  While the
 * browser has the terminal, messages are kept, not printed (the header
 * counts them). */
static struct {
	pv_watch *w;
	struct hooks h;
	int quiet;
} watching;

static void on_error(const pv_ctx *ctx, void *arg)
{
	struct hooks *h = arg;
	if (!h->defer)
		progress_clear();
	if (watching.quiet && h == &watching.h) {
		/* kept for the browser's header, not printed */
	} else if (ctx->code == PV_ENOMEM || ctx->nomem) {
		/* said once, not for each input that follows (load() counts
		 * them); with per-endpoint models they, not the input, are
		 * what fills the memory */
		if (__atomic_fetch_add(&h->noom, 1, __ATOMIC_RELAXED)) {
		} else if (h->groups) {
			say(h,
			    "profview: out of memory reading %s%s%s: the models of the endpoints read "
			    "before it fill the memory (--endpoint, --since or --until read fewer)\n",
			    ctx->input ? ctx->input : "the inputs", ctx->member ? ":" : "",
			    ctx->member ? ctx->member : "");
		} else {
			say(h, "profview: %s\n", ctx->msg);
		}
	} else {
		say(h, "profview: %s\n", ctx->msg);
	}
	if (h->nskipped == h->capskipped) {
		size_t cap = h->capskipped ? 2 * h->capskipped : 16;
		char **n = realloc(h->skipped, cap * sizeof(*n));
		if (!n)
			return;
		h->skipped = n;
		h->capskipped = cap;
	}
	if ((h->skipped[h->nskipped] = strdup(ctx->msg)))
		h->nskipped++;
}

/* The inputs' messages forgotten (a load to be done again). */
static void hooks_forget(struct hooks *h)
{
	for (size_t i = 0; i < h->nskipped; i++)
		free(h->skipped[i]);
	free(h->skipped);
	h->skipped = NULL;
	h->nskipped = h->capskipped = 0;
	free(h->deferred);
	h->deferred = NULL;
	h->ndeferred = h->capdeferred = 0;
}

static void hooks_free(struct hooks *h)
{
	hooks_forget(h);
	pv_groups_free(h->groups);
	h->groups = NULL;
	pv_samples_free(h->samples);
	h->samples = NULL;
}

/* "19 profiles from dump/ (287 left out by --since; 2 unreadable, skipped;
 * 1 gone while reading)" */
static void summary(char *buf, size_t cap, const struct options *o, const pv_load_result *r,
		    size_t refused, char **inputs, int n)
{
	int w = snprintf(buf, cap, "%zu profile%s from %s", r->files, r->files == 1 ? "" : "s",
			 n > 1 ? "" : strcmp(inputs[0], "-") ? inputs[0]
							     : "standard input");
	if (n > 1 && w >= 0 && (size_t)w < cap)
		w += snprintf(buf + w, cap - (size_t)w, "%d inputs", n);
	const char *sep = " (";
	if (refused && w >= 0 && (size_t)w < cap) {
		w += snprintf(buf + w, cap - (size_t)w, "%s%zu left out by %s", sep, refused,
			      o->filter_desc);
		sep = "; ";
	}
	if (r->failed && w >= 0 && (size_t)w < cap) {
		w += snprintf(buf + w, cap - (size_t)w, "%s%zu unreadable, skipped", sep, r->failed);
		sep = "; ";
	}
	if (r->vanished && w >= 0 && (size_t)w < cap) {
		w += snprintf(buf + w, cap - (size_t)w, "%s%zu gone while reading", sep, r->vanished);
		sep = "; ";
	}
	if (sep[0] == ';' && w >= 0 && (size_t)w < cap)
		snprintf(buf + w, cap - (size_t)w, ")");
}

static int oom(void)
{
	fputs("profview: out of memory\n", stderr);
	return EXIT_INPUT;
}

/* The per-endpoint models did not fit: say so, not blame an input. */
static int groups_oom(const pv_groups *g)
{
	fprintf(stderr,
		"profview: out of memory keeping a model for each endpoint (%zu endpoints when it "
		"ran out); --endpoint, --since or --until read fewer\n",
		pv_groups_count(g));
	return EXIT_INPUT;
}

/* The text report reads no callers (pv_load_opts.no_callers): a tenth of
 * the load, and the edges' memory, saved.  When the report depends on
 * them after all (pv_stats_callers_matter: callers of both shapes, of
 * which pstats refuses some, or legacy top-level markers), the inputs are
 * read again with their callers - so they must be inputs that can be read
 * twice: files and directories, not standard input or a pipe.
 * PROFVIEW_KEEP_CALLERS=1 reads the callers always (tests compare). */
static int entries_only(const struct options *o, const struct hooks *h, const char *const *inputs,
			size_t n)
{
	const char *keep = getenv("PROFVIEW_KEEP_CALLERS");
	if ((keep && *keep && strcmp(keep, "0")) || o->writer != &pv_writer_text ||
	    o->wopts.callers || o->wopts.callees || (o->writer->flags & (PV_W_TREE | PV_W_DIFF_TREE)) ||
	    h->groups || h->samples || watching.w)
		return 0;
	for (size_t i = 0; i < n; i++) {
		struct stat sb;
		if (!strcmp(inputs[i], "-") || stat(inputs[i], &sb) < 0 ||
		    !(S_ISREG(sb.st_mode) || S_ISDIR(sb.st_mode)))
			return 0;
	}
	return 1;
}

/* Read `inputs` into a new model *st.  Returns EXIT_OK, EXIT_INPUT when
 * some input failed (the model holds the rest), or -EXIT_INPUT when the
 * model is unusable (out of memory, nothing read; message printed). */
static int load(const struct options *o, struct hooks *h, const char *const *inputs, size_t n,
		const char *what, pv_stats **st, pv_load_result *res)
{
	pv_load_opts lopts = {.readers = pv_readers, .containers = pv_containers, .on_error = on_error, .want = want, .arg = h, .limits = o->limits};
	/* seen runs under the loader's table lock: only when there is work */
	if (pv_reqfilter_active(h->filter) || h->groups || h->samples)
		lopts.seen = seen;
	lopts.cache_bytes = o->cache_bytes;
	lopts.threads = o->threads;
	/* --diff's tables (text, json, csv) read entries only; its flame
	 * graphs read the callers */
	lopts.no_callers = h->samples && !(o->writer->flags & (PV_W_TREE | PV_W_DIFF_TREE));
	const char *ci = getenv("CI");
	if (!o->quiet && isatty(2) && !(ci && *ci)) {
		const char *after = getenv("PROFVIEW_PROGRESS_AFTER"); /* seconds; for tests */
		prog.on = 1;
		prog.start = now();
		prog.after = after && *after ? atof(after) : 1.0;
		lopts.progress = progress;
	}
	h->refused = 0;
	h->noom = 0;
	if (watching.w) { /* every profile the watch read so far, merged again */
		lopts.on_error = NULL;
		if (pv_watch_merge(watching.w, st, &lopts, res) < 0)
			return -oom();
		h->refused += watching.h.refused;
		return EXIT_OK; /* no profile yet is a screen waiting for them */
	}
	int entries = entries_only(o, h, inputs, n);
	if (entries) {
		lopts.no_callers = 1;
		h->defer = 1;
	}
	if (pv_stats_new(st) < 0)
		return -oom();
	int rc = pv_load(*st, inputs, n, &lopts, res);
	h->defer = 0;
	if (entries && rc == 0 && pv_stats_callers_matter(*st)) {
		/* again, with the callers: which files pstats refuses, the
		 * top-level lines */
		pv_stats_free(*st);
		*st = NULL;
		hooks_forget(h);
		h->refused = 0;
		h->noom = 0;
		lopts.no_callers = 0;
		if (pv_stats_new(st) < 0)
			return -oom();
		rc = pv_load(*st, inputs, n, &lopts, res);
	} else if (h->ndeferred) {
		progress_clear();
		fwrite(h->deferred, 1, h->ndeferred, stderr);
	}
	free(h->deferred);
	h->deferred = NULL;
	h->ndeferred = h->capdeferred = 0;
	if (rc < 0) { /* the merge ran out */
		progress_clear();
		if (h->groups)
			return -groups_oom(h->groups);
		fprintf(stderr, "profview: out of memory merging the profiles (%zu merged)\n", res->files);
		return -EXIT_INPUT;
	}
	progress_clear();
	if (h->noom > 1)
		fprintf(stderr, "profview: %u more inputs not read: out of memory\n", h->noom - 1);
	pv_ctx ctx = {0};
	if (pv_reqfilter_error(o->filter, &ctx) < 0) { /* an --endpoint pattern hit a bound */
		fprintf(stderr, "profview: %s\n", ctx.msg);
		return -EXIT_USAGE;
	}
	if (!res->files && h->refused) {
		fprintf(stderr, "profview: no %sprofile matched %s; %zu read\n", what, o->filter_desc,
			h->refused + res->failed);
		return -EXIT_NOMATCH;
	}
	if (!res->files) {
		fprintf(stderr, "profview: no %sprofile could be read\n", what);
		return -EXIT_INPUT;
	}
	return res->failed ? EXIT_INPUT : EXIT_OK;
}

/* --strip-dirs and --short-paths (or a writer that shows short names) on a
 * loaded model */
static int prepare(const struct options *o, pv_stats *st)
{
	pv_ctx ctx = {0};
	if (o->strip && pv_stats_strip_dirs(st, &ctx) < 0) {
		fprintf(stderr, "profview: %s\n", ctx.msg);
		return -1;
	}
	int shortnames = o->shortpaths || (o->writer->flags & PV_W_SHORT_NAMES);
	if (shortnames && pv_stats_short_paths(st) < 0) {
		oom();
		return -1;
	}
	return 0;
}

/* Run the writer into -o (or standard output); the exit status given
 * `status` so far. */
static int write_views(struct options *o, const pv_views *v, int status)
{
	struct output out;
	pv_ctx ctx = {0};
	if (output_open(&out, o->outpath) < 0)
		return EXIT_INPUT;
	/* one thread writes: stdio need not lock the stream for every putc */
	__fsetlocking(out.fp, FSETLOCKING_BYCALLER);
	int ok = o->writer->write(out.fp, v, &o->wopts, &ctx) == 0;
	if (!ok)
		fprintf(stderr, "profview: %s\n", ctx.msg[0] ? ctx.msg : "out of memory");
	if (o->wopts.nclamped && !o->quiet)
		fprintf(stderr, "profview: warning: %zu negative or NaN times written as 0\n",
			o->wopts.nclamped);
	if (o->wopts.ncut && !o->quiet)
		fprintf(stderr,
			"profview: warning: -f %s: %zu of %zu stacks (%.1f%% of the time) not written: "
			"the output reached %.0f MiB; their time is in one last \"[%zu stacks cut]\" frame "
			"(--max-output SIZE raises the bound, 0 lifts it)\n",
			o->writer->name, o->wopts.ncut, o->wopts.nstacks, 100 * o->wopts.cut_share,
			(double)o->wopts.max_output / (1 << 20), o->wopts.ncut);
	if (output_close(&out, ok) < 0 || !ok)
		return EXIT_INPUT;
	return status;
}

/* Writers with PV_W_GROUPS: the profiles per endpoint, kept while loading. */
static int groups_start(const struct options *o, struct hooks *h)
{
	if (!(o->writer->flags & PV_W_GROUPS) || o->merged)
		return 0;
	return pv_groups_new(&h->groups, 1) < 0 ? -oom() : 0;
}

/* ... their models prepared as the main one, and the requests view. */
static int groups_finish(const struct options *o, struct hooks *h, pv_reqview **rv)
{
	if (!h->groups)
		return 0;
	if (pv_groups_failed(h->groups))
		return -groups_oom(h->groups);
	for (size_t i = 0; i < pv_groups_count(h->groups); i++)
		if (prepare(o, pv_groups_stats(h->groups, i)) < 0)
			return -EXIT_INPUT;
	pv_ctx ctx = {0};
	if (pv_reqview_build(rv, h->groups, PV_RQ_TOTAL, (size_t)-1, &ctx) < 0) {
		fprintf(stderr, "profview: %s\n", ctx.msg);
		return -EXIT_INPUT;
	}
	return 0;
}

/* The messages of `from`'s skipped inputs join those of `to`. */
static void skipped_join(struct hooks *to, struct hooks *from)
{
	for (size_t i = 0; i < from->nskipped; i++) {
		if (to->nskipped == to->capskipped) {
			size_t cap = to->capskipped ? 2 * to->capskipped : 16;
			char **n = realloc(to->skipped, cap * sizeof(*n));
			if (!n)
				return;
			to->skipped = n;
			to->capskipped = cap;
		}
		to->skipped[to->nskipped++] = from->skipped[i];
		from->skipped[i] = NULL;
	}
}

/* The call tree grouped by endpoint (one group frame per endpoint), when
 * the names carry requests.
 * 0 (*out may stay NULL), or -EXIT_INPUT with the message printed. */
static int group_tree(const struct options *o, pv_groups *g, pv_tree **out)
{
	pv_ctx ctx = {0};
	size_t n = pv_groups_count(g);
	if (pv_groups_failed(g))
		return -groups_oom(g);
	if (!n)
		return 0;
	pv_stats **sts = NULL;
	const char **names = NULL;
	int rc = 0;
	if (pv_groups_order(g, &sts, &names, &n) < 0) { /* the heaviest endpoint first */
		rc = -oom();
		goto out;
	}
	if (pv_tree_build_groups(out, sts, names, n, &o->tree, &ctx) < 0) {
		fprintf(stderr, "profview: %s\n", ctx.msg);
		rc = -EXIT_INPUT;
	}
out:
	free(sts);
	free(names);
	return rc;
}

/* The stats table and the exports of the model. */
static int run_stats(struct options *o)
{
	struct hooks h = {.filter = o->filter};
	pv_stats *st = NULL;
	pv_view view = {0};
	pv_reqview *rv = NULL;
	pv_tree *tree = NULL, *gtree = NULL;
	pv_load_result res;
	char sum[1024], *cmdline = NULL;
	int status = groups_start(o, &h);
	if (status < 0)
		return -status;
	status = load(o, &h, (const char *const *)o->inputs, (size_t)o->ninputs, "", &st, &res);
	if (status >= 0 && prepare(o, st) < 0)
		status = -EXIT_INPUT;
	if (status >= 0) {
		int g = groups_finish(o, &h, &rv);
		status = g < 0 ? g : status;
	}
	if (status < 0)
		goto out;
	/* writers with an order of their own need the sort only when --limit
	 * or --fraction cut the sorted list */
	const pv_sort *vsort = o->sort;
	if ((o->writer->flags & PV_W_OWN_ORDER) && !pv_select_cuts(o->sel))
		vsort = NULL;
	pv_ctx ctx = {0};
	if (pv_view_build(&view, st, vsort, o->sel, &ctx) < 0) {
		fprintf(stderr, "profview: %s\n", ctx.msg);
		/* a --match/--exclude pattern that hit a bound is the command's fault */
		status = ctx.code == PV_ELIMIT || ctx.code == PV_EARG ? -EXIT_USAGE : -EXIT_INPUT;
		goto out;
	}
	summary(sum, sizeof(sum), o, &res, h.refused, o->inputs, o->ninputs);
	o->wopts.summary = sum;
	if (!(cmdline = join_inputs(o->inputs, o->ninputs))) {
		status = -oom();
		goto out;
	}
	o->wopts.cmd = cmdline;
	o->wopts.skipped = (const char *const *)h.skipped;
	o->wopts.nskipped = h.nskipped;
	pv_views v = {.mode = PV_MODE_STATS, .st = st, .view = &view, .groups = h.groups, .requests = rv};
	if ((o->writer->flags & PV_W_TREE) && pv_tree_build(&tree, st, &o->tree, &ctx) < 0) {
		fprintf(stderr, "profview: %s\n", ctx.msg);
		status = -EXIT_INPUT;
		goto out;
	}
	v.tree = tree;
	if ((o->writer->flags & PV_W_TREE) && h.groups && (status = group_tree(o, h.groups, &gtree)) < 0)
		goto out;
	v.group_tree = gtree;
	status = write_views(o, &v, status);
out:
	pv_tree_free(tree);
	pv_tree_free(gtree);
	pv_reqview_free(rv);
	hooks_free(&h);
	free(cmdline);
	pv_view_clear(&view);
	pv_stats_free(st);
	return status < 0 ? -status : status;
}

/* --requests: one row per endpoint. */
static int run_requests(struct options *o)
{
	struct hooks h = {.filter = o->filter};
	pv_stats *st = NULL;
	pv_reqview *rv = NULL;
	pv_load_result res;
	pv_ctx ctx = {0};
	char sum[1024];
	if (pv_groups_new(&h.groups, 1) < 0)
		return oom();
	int status = load(o, &h, (const char *const *)o->inputs, (size_t)o->ninputs, "", &st, &res);
	if (status >= 0 && pv_groups_failed(h.groups))
		status = -groups_oom(h.groups);
	if (status >= 0 && prepare(o, st) < 0)
		status = -EXIT_INPUT;
	for (size_t i = 0; status >= 0 && i < pv_groups_count(h.groups); i++)
		if (prepare(o, pv_groups_stats(h.groups, i)) < 0)
			status = -EXIT_INPUT;
	if (status < 0)
		goto out;
	if (pv_reqview_build(&rv, h.groups, o->vsort, pv_select_limit(o->sel), &ctx) < 0) {
		fprintf(stderr, "profview: %s\n", ctx.msg);
		status = -EXIT_INPUT;
		goto out;
	}
	summary(sum, sizeof(sum), o, &res, h.refused, o->inputs, o->ninputs);
	o->wopts.summary = sum;
	pv_views v = {.mode = PV_MODE_REQUESTS, .st = st, .groups = h.groups, .requests = rv};
	status = write_views(o, &v, status);
out:
	pv_reqview_free(rv);
	hooks_free(&h);
	pv_stats_free(st);
	return status < 0 ? -status : status;
}

/* --diff BASE: the inputs against the base, per function and profile. */
/* --diff with a call-tree format: both sets' trees, by endpoint when the
 * names of both carry requests (so a stack is compared within its
 * endpoint), else of each whole set.  0 or <0 (message printed). */
static int diff_trees(const struct options *o, struct hooks *h, pv_stats *st, pv_tree **tc,
		      struct hooks *hb, pv_stats *base, pv_tree **tb)
{
	int rc;
	if (h->groups && hb->groups && pv_groups_count(h->groups) && pv_groups_count(hb->groups)) {
		if ((rc = group_tree(o, h->groups, tc)) < 0 || (rc = group_tree(o, hb->groups, tb)) < 0)
			return rc;
		return 0;
	}
	pv_ctx ctx = {0};
	if (pv_tree_build(tc, st, &o->tree, &ctx) < 0 || pv_tree_build(tb, base, &o->tree, &ctx) < 0) {
		fprintf(stderr, "profview: %s\n", ctx.msg);
		return -EXIT_INPUT;
	}
	return 0;
}

static int run_diff(struct options *o)
{
	struct hooks h = {.filter = o->filter}, hb = {.filter = o->filter};
	pv_stats *st = NULL, *base = NULL;
	pv_diffview *dv = NULL;
	pv_epdiff *ed = NULL;
	pv_tree *tc = NULL, *tb = NULL;
	pv_reqview *rv = NULL, *rvb = NULL;
	pv_load_result res, bres;
	pv_ctx ctx = {0};
	if (pv_samples_new(&h.samples) < 0 || pv_samples_new(&hb.samples) < 0) {
		hooks_free(&h);
		hooks_free(&hb);
		return oom();
	}
	if (o->strip) { /* the per-endpoint tables name functions as the rest does */
		pv_samples_strip_dirs(h.samples);
		pv_samples_strip_dirs(hb.samples);
	}
	int status = groups_start(o, &h);
	if (status < 0 || (status = groups_start(o, &hb)) < 0)
		goto out;
	status = load(o, &h, (const char *const *)o->inputs, (size_t)o->ninputs, "", &st, &res);
	if (status < 0)
		goto out;
	size_t refused = h.refused;
	int bstatus = load(o, &hb, o->diffs, o->ndiffs, "base ", &base, &bres);
	skipped_join(&h, &hb);
	if (bstatus < 0) {
		status = bstatus;
		goto out;
	}
	if (bstatus)
		status = bstatus;
	if (prepare(o, st) < 0 || prepare(o, base) < 0) {
		status = -EXIT_INPUT;
		goto out;
	}
	int g = groups_finish(o, &h, &rv);
	if (g < 0 || (g = groups_finish(o, &hb, &rvb)) < 0) {
		status = g;
		goto out;
	}
	if (pv_diffview_build(&dv, base, st, o->vsort, o->sel, &ctx) < 0) {
		fprintf(stderr, "profview: %s\n", ctx.msg);
		/* a --match/--exclude pattern that hit a bound is the command's fault */
		status = ctx.code == PV_ELIMIT || ctx.code == PV_EARG ? -EXIT_USAGE : -EXIT_INPUT;
		goto out;
	}
	if (pv_samples_failed(h.samples) || pv_samples_failed(hb.samples)) {
		status = -oom();
		goto out;
	}
	if (pv_epdiff_build(&ed, hb.samples, base, h.samples, st, o->vsort, o->sel,
			    o->diff_threshold, o->diff_floor, o->threads, &ctx) < 0) {
		fprintf(stderr, "profview: %s\n", ctx.msg);
		status = -EXIT_INPUT;
		goto out;
	}
	if ((o->writer->flags & (PV_W_TREE | PV_W_DIFF_TREE)) &&
	    (status = diff_trees(o, &h, st, &tc, &hb, base, &tb)) < 0)
		goto out;
	char sum[1024], what_base[1024];
	summary(sum, sizeof(sum), o, &res, refused, o->inputs, o->ninputs);
	summary(what_base, sizeof(what_base), o, &bres, hb.refused, (char **)o->diffs, (int)o->ndiffs);
	const char *of = strstr(what_base, " from ");
	const char *wc = strstr(sum, " from ");
	o->wopts.summary = wc ? wc + 6 : sum;
	o->wopts.base_summary = of ? of + 6 : what_base;
	o->wopts.skipped = (const char *const *)h.skipped;
	o->wopts.nskipped = h.nskipped;
	pv_views v = {.mode = PV_MODE_DIFF, .st = st, .diff = dv, .groups = h.groups, .requests = rv, .base_requests = rvb, .epdiff = ed, .tree = tc, .base_tree = tb};
	status = write_views(o, &v, status);
	/* the gate after the report: a CI log shows both */
	if (status >= 0 && status != EXIT_USAGE && o->ngates && gate_check(o->gates, o->ngates, ed))
		status = EXIT_REGRESSION;
out:
	pv_reqview_free(rv);
	pv_reqview_free(rvb);
	hooks_free(&h);
	hooks_free(&hb);
	pv_diffview_free(dv);
	pv_epdiff_free(ed);
	pv_tree_free(tc);
	pv_tree_free(tb);
	pv_stats_free(base);
	pv_stats_free(st);
	return status < 0 ? -status : status;
}

/* What the browser shows: the inputs loaded as for --requests (the
 * endpoints view needs the groups), prepared. */
struct gen {
	struct hooks h;
	pv_stats *st;
	pv_reqview *rv;
	char sum[1024];
	struct tui_data d;
};

static void gen_free(struct gen *g)
{
	pv_reqview_free(g->rv);
	hooks_free(&g->h);
	pv_stats_free(g->st);
	memset(g, 0, sizeof(*g));
}

/* EXIT_OK or EXIT_INPUT (some input unread), or -status: nothing to show. */
static int gen_build(struct options *o, struct gen *g)
{
	pv_load_result res;
	memset(g, 0, sizeof(*g));
	g->h.filter = o->filter;
	if (pv_groups_new(&g->h.groups, 1) < 0)
		return -oom();
	int status = load(o, &g->h, (const char *const *)o->inputs, (size_t)o->ninputs, "", &g->st, &res);
	if (status >= 0) {
		int r = groups_finish(o, &g->h, &g->rv);
		status = r < 0 ? r : prepare(o, g->st) < 0 ? -EXIT_INPUT
							   : status;
	}
	if (status < 0)
		return status;
	summary(g->sum, sizeof(g->sum), o, &res, g->h.refused, o->inputs, o->ninputs);
	if (watching.w && pv_watch_pending(watching.w)) {
		size_t n = strlen(g->sum);
		snprintf(g->sum + n, sizeof(g->sum) - n, ", %zu arriving", pv_watch_pending(watching.w));
	}
	g->d = (struct tui_data){.st = g->st, .groups = g->h.groups, .requests = g->rv && g->rv->nrows ? g->rv : NULL, .summary = g->sum};
	return status;
}

/* --watch -i: a new generation when the watch read new profiles; the one
 * before the shown one is freed (the browser has let go of it). */
struct wsource {
	struct options *o;
	struct gen gen[2];
	int cur;
	pv_load_opts lopts;
};

static int wsource_poll(void *arg, struct tui_data **d, pv_ctx *ctx)
{
	struct wsource *ws = arg;
	int r = pv_watch_poll(watching.w, &ws->lopts);
	if (r <= 0)
		return r < 0 ? pv_fail(ctx, r, PV_NOOFF, "out of memory") : 0;
	struct gen *g = &ws->gen[!ws->cur];
	gen_free(g);
	if (gen_build(ws->o, g) < 0)
		return pv_fail(ctx, PV_ENOMEM, PV_NOOFF, "out of memory");
	ws->cur = !ws->cur;
	*d = &g->d;
	return 1;
}

/* -i: the browser until q.  A signal that ended it ends the process the
 * same way once the terminal is back. */
static int run_interactive(struct options *o)
{
	struct wsource ws = {.o = o};
	struct tui_source src = {.poll = wsource_poll, .arg = &ws};
	struct gen *g = &ws.gen[0];
	int sig = 0;
	ws.lopts = (pv_load_opts){.readers = pv_readers, .on_error = on_error, .want = want, .arg = &watching.h, .limits = o->limits};
	if (watching.w && pv_watch_poll(watching.w, &ws.lopts) < 0)
		return oom();
	int status = gen_build(o, g);
	if (status >= 0) {
		struct tui_opts to = {.sortspec = o->sortspec, .sel = o->sel, .unit = o->wopts.unit, .tree = o->tree};
		pv_ctx ctx = {0};
		watching.quiet = 1;
		if (tui_run(&to, &g->d, watching.w ? &src : NULL, &sig, &ctx) < 0) {
			fprintf(stderr, "profview: %s\n", ctx.msg);
			status = EXIT_INPUT;
		}
		watching.quiet = 0;
	}
	gen_free(&ws.gen[0]);
	gen_free(&ws.gen[1]);
	if (sig) {
		pv_watch_free(watching.w);
		hooks_free(&watching.h);
		signal(sig, SIG_DFL);
		raise(sig);
	}
	return status < 0 ? -status : status;
}

/* --watch: the inputs watched; -i shows them in the browser, else the
 * report (or --requests) is printed again whenever profiles arrived: on a
 * terminal as a screen redrawn in place, elsewhere one report after
 * another, a form feed between two.  Runs until interrupted (or q in the browser). */
static int run_watch(struct options *o)
{
	pv_load_opts lopts = {.readers = pv_readers, .on_error = on_error, .want = want, .arg = &watching.h, .limits = o->limits};
	watching.h.filter = o->filter;
	if (pv_watch_new(&watching.w, (const char *const *)o->inputs, (size_t)o->ninputs, &lopts) < 0)
		return oom();
	int status = EXIT_OK;
	if (o->interactive) {
		status = run_interactive(o);
	} else {
		int tty = isatty(1);
		for (int first = 1;; first = 0) {
			int r = pv_watch_poll(watching.w, &lopts);
			if (r < 0) {
				status = oom();
				break;
			}
			if (r || first) {
				if (tty) /* the screen redrawn in place */
					fputs("\033[H\033[2J", stdout);
				else if (!first) /* reports one after another, a page each */
					fputs("\f", stdout);
				status = o->mode == PV_MODE_REQUESTS ? run_requests(o) : run_stats(o);
				if (status != EXIT_OK && status != EXIT_INPUT)
					break;
				fflush(stdout);
			}
			struct timespec ts = {0, 250 * 1000 * 1000};
			nanosleep(&ts, NULL);
		}
	}
	pv_watch_free(watching.w);
	watching.w = NULL;
	hooks_free(&watching.h);
	return status;
}

int main(int argc, char **argv)
{
	output_std_fds();
#ifdef M_MMAP_THRESHOLD
	/* glibc raises its mmap threshold as large blocks are freed, up to
	 * 32 MiB, after which the model's growing arrays (and the 2 MiB
	 * aligned blocks of pv_malloc) come from the heap, where freed space
	 * stays resident and alignment leaves holes: a 900,000-function
	 * archive peaked 50% higher.  A fixed threshold keeps every large
	 * block a mapping of its own, returned on free, grown by mremap. */
	mallopt(M_MMAP_THRESHOLD, 512 * 1024);
#endif
	struct options o;
	int status = EXIT_OK;
	if (options_parse(&o, argc, argv) == 0) {
		if (o.watch)
			status = run_watch(&o);
		else if (o.interactive)
			status = run_interactive(&o);
		else
			switch (o.mode) {
			case PV_MODE_REQUESTS: status = run_requests(&o); break;
			case PV_MODE_DIFF: status = run_diff(&o); break;
			default: status = run_stats(&o); break;
			}
	}
	options_free(&o);
	return status;
}
