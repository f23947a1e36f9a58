/*
 * profview.c - the command line: main() and one function per mode (the
 * stats table and exports, --requests, --diff).  Options are parsed and
 * checked in options.c, the output file is output.c's.  The only place
 * that prints errors or exits.
 *
 * Exit status: see cli.h.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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
 * for --requests, the table being filled. */
struct hooks {
	pv_reqfilter *filter;
	pv_requests *requests;
	pv_groups *groups; /* writers with PV_W_GROUPS: the profiles per endpoint */
	char **skipped; /* the messages of inputs not read (-f html shows them) */
	size_t nskipped, capskipped;
};

static int want(void *arg, const char *name)
{
	return pv_reqfilter_match(((struct hooks *)arg)->filter, name);
}

static int seen(void *arg, const char *name, pv_stats *st, const pv_profile *p)
{
	struct hooks *h = arg;
	if (h->groups && !pv_groups_add(h->groups, name, st, p)) {
		fputs("profview: out of memory\n", stderr);
		exit(EXIT_INPUT);
	}
	if (!h->requests)
		return 1;
	if (!pv_requests_add(h->requests, name, st, p)) {
		fputs("profview: out of memory\n", stderr);
		exit(EXIT_INPUT);
	}
	return 1;
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

static void on_error(const pv_ctx *ctx, void *arg)
{
	struct hooks *h = arg;
	progress_clear();
	fprintf(stderr, "profview: %s\n", ctx->msg);
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

static void hooks_free(struct hooks *h)
{
	pv_groups_free(h->groups);
	for (size_t i = 0; i < h->nskipped; i++)
		free(h->skipped[i]);
	free(h->skipped);
}

static void summary(char *buf, size_t cap, const pv_load_result *r, char **inputs, int n)
{
	int w = snprintf(buf, cap, "%zu profile%s from %s", r->files, r->files == 1 ? "" : "s",
			 n > 1 ? "" : strcmp(inputs[0], "-") ? inputs[0] : "standard input");
	if (n > 1 && w >= 0 && (size_t)w < cap)
		w += snprintf(buf + w, cap - (size_t)w, "%d inputs", n);
	if (r->failed && w >= 0 && (size_t)w < cap)
		snprintf(buf + w, cap - (size_t)w, " (%zu unreadable, skipped)", r->failed);
}

static int oom(void)
{
	fputs("profview: out of memory\n", stderr);
	return EXIT_INPUT;
}

/* Read `inputs` into a new model *st.  Returns EXIT_OK, EXIT_INPUT when
 * some input failed (the model holds the rest), or -EXIT_INPUT when the
 * model is unusable (out of memory, nothing read; message printed). */
static int load(const struct options *o, struct hooks *h, const char *const *inputs, size_t n,
		const char *what, pv_stats **st, pv_load_result *res)
{
	static const pv_reader *const readers[] = {&pv_reader_marshal, NULL};
	static const pv_container *const containers[] = {&pv_container_archive, NULL};
	pv_load_opts lopts = {.readers = readers, .containers = containers, .on_error = on_error,
			      .want = want, .seen = seen, .arg = h, .limits = o->limits};
	lopts.cache_bytes = o->cache_bytes;
	lopts.threads = o->threads;
	const char *ci = getenv("CI");
	if (!o->quiet && isatty(2) && !(ci && *ci)) {
		const char *after = getenv("PROFVIEW_PROGRESS_AFTER"); /* seconds; for tests */
		prog.on = 1;
		prog.start = now();
		prog.after = after && *after ? atof(after) : 1.0;
		lopts.progress = progress;
	}
	if (pv_stats_new(st) < 0 || pv_load(*st, inputs, n, &lopts, res) < 0)
		return -oom();
	progress_clear();
	if (!res->files) {
		fprintf(stderr, "profview: no %sprofile could be read\n", what);
		return -EXIT_INPUT;
	}
	return res->failed ? EXIT_INPUT : EXIT_OK;
}

/* --strip-dirs and --short-paths on a loaded model */
static int prepare(const struct options *o, pv_stats *st)
{
	pv_ctx ctx = {0};
	if (o->strip && pv_stats_strip_dirs(st, &ctx) < 0) {
		fprintf(stderr, "profview: %s\n", ctx.msg);
		return -1;
	}
	if (o->shortpaths && pv_stats_short_paths(st) < 0) {
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
	if (output_close(&out, ok) < 0 || !ok)
		return EXIT_INPUT;
	return status;
}

/* The stats table and the exports of the model. */
static int run_stats(struct options *o)
{
	struct hooks h = {.filter = o->filter};
	pv_stats *st = NULL;
	pv_view view = {0};
	pv_load_result res;
	char sum[1024], *cmdline = NULL;
	if ((o->writer->flags & PV_W_GROUPS) && pv_groups_new(&h.groups, pv_request_parse, 1) < 0)
		return oom();
	int status = load(o, &h, (const char *const *)o->inputs, (size_t)o->ninputs, "", &st, &res);
	if (status >= 0 && prepare(o, st) < 0)
		status = -EXIT_INPUT;
	for (size_t i = 0; status >= 0 && h.groups && i < pv_groups_count(h.groups); i++)
		if (prepare(o, pv_groups_stats(h.groups, i)) < 0)
			status = -EXIT_INPUT;
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
		status = -EXIT_INPUT;
		goto out;
	}
	summary(sum, sizeof(sum), &res, o->inputs, o->ninputs);
	o->wopts.summary = sum;
	if (!(cmdline = join_inputs(o->inputs, o->ninputs))) {
		status = -oom();
		goto out;
	}
	o->wopts.cmd = cmdline;
	o->wopts.skipped = (const char *const *)h.skipped;
	o->wopts.nskipped = h.nskipped;
	pv_views v = {.mode = PV_MODE_STATS, .st = st, .view = &view, .groups = h.groups};
	status = write_views(o, &v, status);
out:
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
	pv_load_result res;
	if (pv_requests_new(&h.requests) < 0)
		return oom();
	int status = load(o, &h, (const char *const *)o->inputs, (size_t)o->ninputs, "", &st, &res);
	if (status >= 0 && prepare(o, st) < 0)
		status = -EXIT_INPUT;
	if (status < 0)
		goto out;
	struct output out;
	pv_ctx ctx = {0};
	if (output_open(&out, o->outpath) < 0) {
		status = EXIT_INPUT;
		goto out;
	}
	int ok = pv_requests_write(out.fp, h.requests, st, o->sortspec ? o->sortspec : "total",
				   pv_select_limit(o->sel), &ctx) == 0;
	if (!ok)
		fprintf(stderr, "profview: %s\n", ctx.msg);
	if (output_close(&out, ok) < 0 || !ok)
		status = EXIT_INPUT;
out:
	hooks_free(&h);
	pv_requests_free(h.requests);
	pv_stats_free(st);
	return status < 0 ? -status : status;
}

/* --diff BASE: the inputs against the base, per function and profile. */
static int run_diff(struct options *o)
{
	struct hooks h = {.filter = o->filter};
	pv_stats *st = NULL, *base = NULL;
	pv_load_result res, bres;
	int status = load(o, &h, (const char *const *)o->inputs, (size_t)o->ninputs, "", &st, &res);
	if (status < 0)
		goto out;
	int bstatus = load(o, &h, o->diffs, o->ndiffs, "base ", &base, &bres);
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
	char sum[1024], what_base[1024];
	summary(sum, sizeof(sum), &res, o->inputs, o->ninputs);
	summary(what_base, sizeof(what_base), &bres, (char **)o->diffs, (int)o->ndiffs);
	const char *of = strstr(what_base, " from ");
	const char *wc = strstr(sum, " from ");
	struct output out;
	if (output_open(&out, o->outpath) < 0) {
		status = EXIT_INPUT;
		goto out;
	}
	int ok = pv_diff_write(out.fp, base, st, o->sel, of ? of + 6 : what_base,
			       wc ? wc + 6 : sum) == 0;
	if (!ok)
		oom();
	if (output_close(&out, ok) < 0 || !ok)
		status = EXIT_INPUT;
out:
	hooks_free(&h);
	pv_stats_free(base);
	pv_stats_free(st);
	return status < 0 ? -status : status;
}

int main(int argc, char **argv)
{
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
		switch (o.mode) {
		case PV_MODE_REQUESTS: status = run_requests(&o); break;
		case PV_MODE_DIFF: status = run_diff(&o); break;
		default: status = run_stats(&o); break;
		}
	}
	options_free(&o);
	return status;
}
