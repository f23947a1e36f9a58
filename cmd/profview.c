/*
 * profview.c - the command line: options, inputs, output file, exit status.
 * The only place that prints errors or exits.
 *
 * Exit status: 0 all inputs read; 1 some input could not be read (the
 * report covers the rest) or none could; 2 usage error.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <pcre2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../lib/pv.h"

enum { EXIT_OK = 0, EXIT_INPUT = 1, EXIT_USAGE = 2 };

static const char usage_text[] =
	"usage: profview [OPTIONS] INPUT...\n"
	"\n"
	"Merge Python cProfile/profile dumps (.prof) and print the pstats report,\n"
	"byte for byte as CPython's pstats prints it.  INPUT is a .prof file, a\n"
	"directory (every *.prof below it), or - for standard input.\n"
	"\n"
	"  -s, --sort KEY[,KEY...]  sort order (default time,calls); keys below\n"
	"  -n, --limit N            show the first N rows\n"
	"      --fraction F         show the first fraction F (0 to 1) of the rows\n"
	"  -m, --match REGEX        show rows whose file:line(function) matches\n"
	"  -x, --exclude REGEX      hide rows whose file:line(function) matches\n"
	"                           (restrictions apply in the order given)\n"
	"      --strip-dirs         drop directories from file names (merges same-named files)\n"
	"      --endpoint REGEX     only requests whose endpoint (GET /api/users/{id}) matches;\n"
	"                           repeat for several\n"
	"      --since WHEN         only requests at or after WHEN (Unix time or ISO 8601)\n"
	"      --until WHEN         only requests at or before WHEN\n"
	"      --requests           a table per endpoint from the werkzeug file names\n"
	"                           (--sort endpoint|profiles|total|mean|p50|p95|max|calls)\n"
	"      --diff BASE          compare INPUT with BASE (a file, directory or archive;\n"
	"                           repeat for several) per function and profile\n"
	"      --callers            who called each listed function (print_callers)\n"
	"      --callees            what each listed function called (print_callees)\n"
	"  -f, --format FORMAT      text (default), callgrind, pstats, json, dot or html\n"
	"      --node-threshold P   dot: leave out functions under P%% of total time (0.5)\n"
	"      --edge-threshold P   dot: leave out calls under P%% of total time (0.1)\n"
	"      --max-member-size SIZE   refuse an archive member that expands past SIZE\n"
	"                           (bytes, or with K, M, G; default 1G)\n"
	"      --max-archive-size SIZE  refuse an archive that expands past SIZE (16G)\n"
	"      --unit UNIT          text: times in s (pstats' format), ms, us, or auto\n"
	"      --short-paths        show files by their shortest unambiguous name\n"
	"                           (flask/app.py, <stdlib>/json/decoder.py)\n"
	"  -q, --quiet              no progress and no warnings (errors still show)\n"
	"  -o, --output FILE        write to FILE (replaced only when complete)\n"
	"  -h, --help               this help\n"
	"      --version            version and library versions\n"
	"\n"
	"Examples:\n"
	"  profview dump/ --sort tottime --limit 30\n"
	"  profview dump/*.prof --callers --match 'sqlite3' --limit 10\n"
	"  profview big.prof --strip-dirs --sort cumulative --fraction 0.05\n"
	"  profview dump/ -f callgrind -o callgrind.out.app   # kcachegrind callgrind.out.app\n"
	"  profview dump/ -f pstats -o merged.prof            # snakeviz merged.prof\n"
	"  profview dump/ -f dot | dot -Tsvg -o graph.svg\n"
	"  profview dump/ -f html -o report.html          # open it in any browser\n"
	"  profview dump-2026-11-20.tar.gz --requests\n"
	"  profview dump/ --endpoint '^GET /api/users' --sort tottime --limit 30\n"
	"  profview after/ --diff before/ --limit 20\n"
	"\n"
	"Sort keys (unique prefixes are accepted, as in pstats):\n";

__attribute__((format(printf, 1, 2), noreturn)) static void die_usage(const char *fmt, ...)
{
	va_list ap;
	fputs("profview: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n", stderr);
	exit(EXIT_USAGE);
}

static const pv_writer *const writers[] = {
	&pv_writer_text, &pv_writer_callgrind, &pv_writer_pstats, &pv_writer_json, &pv_writer_dot,
	&pv_writer_html,
	NULL,
};

static void usage(FILE *fp)
{
	fprintf(fp, usage_text);
	pv_sort_list_keys(fp);
	fputs("  none        file order (\"Random listing order was used\")\n", fp);
	fputs("\nFormats:\n", fp);
	for (const pv_writer *const *w = writers; *w; w++)
		fprintf(fp, "  %-11s %s\n", (*w)->name, (*w)->help);
}

static double parse_percent(const char *opt, const char *a)
{
	char *end;
	double v = strtod(a, &end);
	if (!*a || *end || !(v >= 0 && v <= 100))
		die_usage("%s takes a percentage from 0 to 100, not '%s'", opt, a);
	return v;
}

/* 123, 64K, 1M, 2G (powers of 1024) */
static uint64_t parse_size(const char *opt, const char *a)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(a, &end, 10);
	uint64_t mul = 1;
	if (*end == 'K' || *end == 'k')
		mul = 1ULL << 10, end++;
	else if (*end == 'M' || *end == 'm')
		mul = 1ULL << 20, end++;
	else if (*end == 'G' || *end == 'g')
		mul = 1ULL << 30, end++;
	if (!*a || *a == '-' || *end || errno || v == 0 || v > UINT64_MAX / mul)
		die_usage("%s takes a size such as 512M or 2G, not '%s'", opt, a);
	return v * mul;
}

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
	char **skipped; /* the messages of inputs not read (for -f html) */
	size_t nskipped, capskipped;
};

static int want(void *arg, const char *name)
{
	return pv_reqfilter_match(((struct hooks *)arg)->filter, name);
}

static int seen(void *arg, const char *name, pv_stats *st, const pv_profile *p)
{
	struct hooks *h = arg;
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

/* -o FILE: a regular file (or a new one) is written beside it under a
 * temporary name and renamed when complete, so it is never left
 * half-written; a device or pipe (/dev/stdout, /dev/full, a FIFO) is written
 * in place.  A symbolic link is followed, so the link stays. */
struct output {
	FILE *fp;
	const char *path;
	char *tmp;   /* temporary file, renamed to `final` */
	char *final;
};

static int output_open(struct output *o, const char *path)
{
	memset(o, 0, sizeof(*o));
	o->path = path;
	if (!path || !strcmp(path, "-")) {
		o->fp = stdout;
		return 0;
	}
	struct stat st;
	int exists = stat(path, &st) == 0;
	if (exists && !S_ISREG(st.st_mode)) {
		if (!(o->fp = fopen(path, "w"))) {
			fprintf(stderr, "profview: %s: cannot open: %s\n", path, strerror(errno));
			return -1;
		}
		return 0;
	}
	o->final = realpath(path, NULL);
	if (!o->final && !(o->final = strdup(path)))
		return -1;
	size_t n = strlen(o->final);
	o->tmp = malloc(n + 16);
	if (!o->tmp)
		return -1;
	snprintf(o->tmp, n + 16, "%s.tmp.XXXXXX", o->final);
	int fd = mkstemp(o->tmp);
	if (fd >= 0) {
		mode_t mask = umask(0);
		umask(mask);
		fchmod(fd, exists ? st.st_mode & 07777 : 0666 & ~mask);
	}
	if (fd < 0 || !(o->fp = fdopen(fd, "w"))) {
		fprintf(stderr, "profview: %s: cannot create: %s\n", path, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(o->tmp);
		}
		free(o->tmp);
		free(o->final);
		o->tmp = o->final = NULL;
		return -1;
	}
	return 0;
}

static int output_close(struct output *o, int ok)
{
	int err = ferror(o->fp);
	if (o->fp == stdout) {
		if (fflush(stdout) == EOF || err) {
			fprintf(stderr, "profview: write error: %s\n", strerror(errno));
			return -1;
		}
		return 0;
	}
	if (fflush(o->fp) == EOF || err || (o->tmp && fsync(fileno(o->fp)) < 0)) {
		fprintf(stderr, "profview: %s: write error: %s\n", o->path, strerror(errno));
		ok = 0;
	}
	if (fclose(o->fp) == EOF && ok) {
		fprintf(stderr, "profview: %s: write error: %s\n", o->path, strerror(errno));
		ok = 0;
	}
	if (o->tmp) {
		if (ok && rename(o->tmp, o->final) < 0) {
			fprintf(stderr, "profview: %s: %s\n", o->path, strerror(errno));
			ok = 0;
		}
		if (!ok)
			unlink(o->tmp);
	}
	free(o->tmp);
	free(o->final);
	return ok ? 0 : -1;
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

enum {
	O_FRACTION = 256, O_STRIP, O_CALLERS, O_CALLEES, O_VERSION, O_NODE, O_EDGE, O_MAXMEMBER,
	O_MAXARCHIVE, O_ENDPOINT, O_SINCE, O_UNTIL, O_REQUESTS, O_DIFF, O_UNIT, O_SHORT,
};

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"sort", required_argument, 0, 's'},
		{"limit", required_argument, 0, 'n'},
		{"fraction", required_argument, 0, O_FRACTION},
		{"match", required_argument, 0, 'm'},
		{"exclude", required_argument, 0, 'x'},
		{"strip-dirs", no_argument, 0, O_STRIP},
		{"callers", no_argument, 0, O_CALLERS},
		{"callees", no_argument, 0, O_CALLEES},
		{"output", required_argument, 0, 'o'},
		{"format", required_argument, 0, 'f'},
		{"max-member-size", required_argument, 0, O_MAXMEMBER},
		{"endpoint", required_argument, 0, O_ENDPOINT},
		{"since", required_argument, 0, O_SINCE},
		{"until", required_argument, 0, O_UNTIL},
		{"requests", no_argument, 0, O_REQUESTS},
		{"diff", required_argument, 0, O_DIFF},
		{"unit", required_argument, 0, O_UNIT},
		{"short-paths", no_argument, 0, O_SHORT},
		{"quiet", no_argument, 0, 'q'},
		{"max-archive-size", required_argument, 0, O_MAXARCHIVE},
		{"node-threshold", required_argument, 0, O_NODE},
		{"edge-threshold", required_argument, 0, O_EDGE},
		{"help", no_argument, 0, 'h'},
		{"version", no_argument, 0, O_VERSION},
		{0, 0, 0, 0},
	};
	const char *sortspec = NULL, *outpath = NULL;
	const char **diffs = calloc((size_t)argc, sizeof(char *));
	size_t ndiffs = 0;
	int requests = 0, quiet = 0, shortpaths = 0;
	struct hooks hooks = {0};
	pv_stats *base = NULL;
	int status = EXIT_OK;
	pv_load_result bres = {0};
	char sum[1024];
	struct output out = {0};
	int strip = 0;
	pv_write_opts ropts = {.node_threshold = 0.5, .edge_threshold = 0.1};
	const pv_writer *writer = &pv_writer_text;
	pv_limits limits = {0};
	char *cmdline = NULL;
	pv_ctx ctx = {0};
	pv_select *sel = NULL;
	pv_sort *sort = NULL;
	pv_stats *st = NULL;
	pv_view view = {0};

#ifdef M_MMAP_THRESHOLD
	/* glibc raises its mmap threshold as large blocks are freed, up to
	 * 32 MiB, after which the model's growing arrays (and the 2 MiB
	 * aligned blocks of pv_malloc) come from the heap, where freed space
	 * stays resident and alignment leaves holes: a 900,000-function
	 * archive peaked 50% higher.  A fixed threshold keeps every large
	 * block a mapping of its own, returned on free, grown by mremap. */
	mallopt(M_MMAP_THRESHOLD, 512 * 1024);
#endif
	if (!diffs || pv_select_new(&sel) < 0 || pv_reqfilter_new(&hooks.filter) < 0)
		die_usage("out of memory");
	int c;
	opterr = 0; /* our own one-line messages */
	while ((c = getopt_long(argc, argv, ":s:n:m:x:o:f:hq", longopts, NULL)) != -1) {
		int rc = 0;
		switch (c) {
		case 's': sortspec = optarg; break;
		case 'n': rc = pv_select_add(sel, PV_SEL_LIMIT, optarg, &ctx); break;
		case O_FRACTION: rc = pv_select_add(sel, PV_SEL_FRACTION, optarg, &ctx); break;
		case 'm': rc = pv_select_add(sel, PV_SEL_MATCH, optarg, &ctx); break;
		case 'x': rc = pv_select_add(sel, PV_SEL_EXCLUDE, optarg, &ctx); break;
		case O_STRIP: strip = 1; break;
		case O_CALLERS: ropts.callers = 1; break;
		case O_CALLEES: ropts.callees = 1; break;
		case 'o': outpath = optarg; break;
		case 'f': {
			const pv_writer *const *w = writers;
			while (*w && strcmp((*w)->name, optarg))
				w++;
			if (!*w)
				die_usage("unknown format '%s' (text, callgrind, pstats, json, dot, html)", optarg);
			writer = *w;
			break;
		}
		case O_ENDPOINT: rc = pv_reqfilter_add_endpoint(hooks.filter, optarg, &ctx); break;
		case O_SINCE: rc = pv_reqfilter_set_since(hooks.filter, optarg, &ctx); break;
		case O_UNTIL: rc = pv_reqfilter_set_until(hooks.filter, optarg, &ctx); break;
		case O_REQUESTS: requests = 1; break;
		case O_DIFF: diffs[ndiffs++] = optarg; break;
		case 'q': quiet = 1; break;
		case O_SHORT: shortpaths = 1; break;
		case O_UNIT:
			if (strcmp(optarg, "s") && strcmp(optarg, "ms") && strcmp(optarg, "us") &&
			    strcmp(optarg, "auto"))
				die_usage("--unit takes s, ms, us or auto, not '%s'", optarg);
			ropts.unit = optarg;
			break;
		case O_MAXMEMBER: limits.max_member = parse_size("--max-member-size", optarg); break;
		case O_MAXARCHIVE: limits.max_archive = parse_size("--max-archive-size", optarg); break;
		case O_NODE: ropts.node_threshold = parse_percent("--node-threshold", optarg); break;
		case O_EDGE: ropts.edge_threshold = parse_percent("--edge-threshold", optarg); break;
		case 'h':
			usage(stdout);
			goto out;
		case O_VERSION:
			printf("profview %s (%s, PCRE2 %d.%d)\n", PV_VERSION, pv_archive_version(),
			       PCRE2_MAJOR, PCRE2_MINOR);
			goto out;
		case ':':
			die_usage("option '%s' needs an argument (see --help)", argv[optind - 1]);
		default:
			if (optopt)
				die_usage("unknown option '-%c' (see --help)", optopt);
			die_usage("unknown option '%s' (see --help)", argv[optind - 1]);
		}
		if (rc < 0)
			die_usage("%s", ctx.msg);
	}
	if (requests && ndiffs)
		die_usage("--requests and --diff do not go together");
	if (!requests && pv_sort_parse(&sort, sortspec ? sortspec : "time,calls", &ctx) < 0)
		die_usage("%s", ctx.msg);
	if (requests && pv_requests_new(&hooks.requests) < 0)
		die_usage("out of memory");
	if (optind >= argc)
		die_usage("no input (give .prof files, directories, or - for standard input)");
	if (writer->binary && (!outpath || !strcmp(outpath, "-")) && isatty(1))
		die_usage("%s output is binary: give -o FILE or redirect standard output", writer->name);

	static const pv_reader *const readers[] = {&pv_reader_marshal, NULL};
	static const pv_container *const containers[] = {&pv_container_archive, NULL};
	pv_load_opts lopts = {.readers = readers, .containers = containers, .on_error = on_error,
			      .want = want, .seen = seen, .arg = &hooks, .limits = limits};
	/* read-ahead budget for archives (a tuning and testing knob) */
	const char *cache = getenv("PROFVIEW_ARCHIVE_CACHE");
	if (cache && *cache)
		lopts.cache_bytes = parse_size("PROFVIEW_ARCHIVE_CACHE", cache);
	const char *ci = getenv("CI");
	if (!quiet && isatty(2) && !(ci && *ci)) {
		const char *after = getenv("PROFVIEW_PROGRESS_AFTER"); /* seconds; for tests */
		prog.on = 1;
		prog.start = now();
		prog.after = after && *after ? atof(after) : 1.0;
		lopts.progress = progress;
	}
	const char *threads = getenv("PROFVIEW_THREADS"); /* 1: no parsing threads */
	if (threads && *threads)
		lopts.threads = atoi(threads) > 0 ? atoi(threads) : 1;
	pv_load_result res;
	if (pv_stats_new(&st) < 0 ||
	    pv_load(st, (const char *const *)argv + optind, (size_t)(argc - optind), &lopts, &res) < 0) {
		fputs("profview: out of memory\n", stderr);
		status = EXIT_INPUT;
		goto out;
	}
	progress_clear();
	status = res.failed ? EXIT_INPUT : EXIT_OK;
	if (ndiffs) {
		hooks.requests = NULL;
		if (pv_stats_new(&base) < 0 || pv_load(base, diffs, ndiffs, &lopts, &bres) < 0) {
			fputs("profview: out of memory\n", stderr);
			status = EXIT_INPUT;
			goto out;
		}
		if (bres.failed)
			status = EXIT_INPUT;
		if (!bres.files) {
			fputs("profview: no base profile could be read\n", stderr);
			status = EXIT_INPUT;
			goto out;
		}
	}
	if (!res.files) {
		fputs("profview: no profile could be read\n", stderr);
		status = EXIT_INPUT;
		goto out;
	}
	if (strip && (pv_stats_strip_dirs(st, &ctx) < 0 || (base && pv_stats_strip_dirs(base, &ctx) < 0))) {
		fprintf(stderr, "profview: %s\n", ctx.msg);
		status = EXIT_INPUT;
		goto out;
	}
	if (shortpaths && (pv_stats_short_paths(st) < 0 || (base && pv_stats_short_paths(base) < 0))) {
		fputs("profview: out of memory\n", stderr);
		status = EXIT_INPUT;
		goto out;
	}
	/* callgrind, pstats and dot write in an order of their own: sorting
	 * matters to them only when --limit or --fraction cut the sorted list */
	const pv_sort *vsort = sort;
	if ((writer == &pv_writer_callgrind || writer == &pv_writer_pstats ||
	     writer == &pv_writer_dot) && !pv_select_cuts(sel))
		vsort = NULL;
	if (!requests && !ndiffs && pv_view_build(&view, st, vsort, sel, &ctx) < 0) {
		fprintf(stderr, "profview: %s\n", ctx.msg);
		status = EXIT_INPUT;
		goto out;
	}
	summary(sum, sizeof(sum), &res, argv + optind, argc - optind);
	ropts.summary = sum;
	if (!(cmdline = join_inputs(argv + optind, argc - optind))) {
		fputs("profview: out of memory\n", stderr);
		status = EXIT_INPUT;
		goto out;
	}
	ropts.cmd = cmdline;
	ropts.skipped = (const char *const *)hooks.skipped;
	ropts.nskipped = hooks.nskipped;
	if (output_open(&out, outpath) < 0) {
		status = EXIT_INPUT;
		goto out;
	}
	/* one thread writes: stdio need not lock the stream for every putc */
	__fsetlocking(out.fp, FSETLOCKING_BYCALLER);
	int ok;
	if (requests) {
		ok = pv_requests_write(out.fp, hooks.requests, st, sortspec ? sortspec : "total",
				       pv_select_limit(sel), &ctx) == 0;
		if (!ok)
			fprintf(stderr, "profview: %s\n", ctx.msg);
		if (!ok && ctx.code == PV_EARG)
			status = EXIT_USAGE;
	} else if (ndiffs) {
		char what_base[1024];
		summary(what_base, sizeof(what_base), &bres, (char **)diffs, (int)ndiffs);
		const char *of = strstr(what_base, " from ");
		const char *wc = strstr(sum, " from ");
		ok = pv_diff_write(out.fp, base, st, sel, of ? of + 6 : what_base, wc ? wc + 6 : sum) == 0;
		if (!ok)
			fputs("profview: out of memory\n", stderr);
	} else {
		ok = writer->write(out.fp, st, &view, &ropts) == 0;
		if (!ok)
			fputs("profview: out of memory\n", stderr);
	}
	if (ropts.nclamped && !quiet)
		fprintf(stderr, "profview: warning: %zu negative or NaN times written as 0\n",
			ropts.nclamped);
	if (output_close(&out, ok) < 0 || !ok)
		status = status == EXIT_USAGE ? EXIT_USAGE : EXIT_INPUT;
out:
	for (size_t i = 0; i < hooks.nskipped; i++)
		free(hooks.skipped[i]);
	free(hooks.skipped);
	free(cmdline);
	free(diffs);
	pv_stats_free(base);
	pv_requests_free(hooks.requests);
	pv_reqfilter_free(hooks.filter);
	pv_view_clear(&view);
	pv_stats_free(st);
	pv_sort_free(sort);
	pv_select_free(sel);
	return status;
}
