/*
 * options.c - the command line, parsed into struct options and checked
 * before any input is read: every option's value, the sort keys of the
 * mode, and whether the format writes the mode.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <errno.h>
#include <getopt.h>
#include <pcre2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

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
	"                           (--sort absolute|change|relative|base|current|name)\n"
	"      --diff-threshold P   --diff: a change needs P%% or more (5) ...\n"
	"      --diff-floor TIME    ... and TIME or more (10us; s, ms, us) and p < 0.05\n"
	"      --fail-if RULE       --diff: exit 4 when a significant rise passes RULE:\n"
	"                           p50:10%%, p95:20%%, mean:5%% (or a time), tottime:0.5ms\n"
	"                           (a function within an endpoint); repeat for several\n"
	"      --diff-widths SET    svg, html --diff: frame widths from current (default) or base\n"
	"  -i, --interactive        browse in the terminal: functions, callers and callees,\n"
	"                           endpoints, the call tree (? lists the keys)\n"
	"      --watch              keep reading the inputs (files, directories) as dumps\n"
	"                           arrive: with -i, the text report or --requests\n"
	"      --callers            who called each listed function (print_callers)\n"
	"      --callees            what each listed function called (print_callees)\n"
	"  -f, --format FORMAT      output format (below; default text)\n"
	"      --node-threshold P   dot: leave out functions under P%% of total time (2)\n"
	"      --edge-threshold P   dot: leave out calls under P%% of total time (0.1)\n"
	"      --min-share P        call-tree formats: merge frames under P%% of the total\n"
	"                           into one \"[N smaller]\" per parent (0.1; pprof 0)\n"
	"      --max-frames N       call-tree formats: about N frames at most (svg 5000,\n"
	"                           pprof 1000000, others 50000; 0: no cap)\n"
	"      --max-depth N        call-tree formats: merge frames deeper than N (0: no cap)\n"
	"      --inverted           call-tree formats: bottom-up, functions by self time\n"
	"                           with their callers above\n"
	"      --icicle             svg: the root at the top\n"
	"      --merged             call-tree formats: one tree of all profiles merged, not\n"
	"                           one per endpoint when the file names carry requests\n"
	"      --max-output SIZE    folded, speedscope: stop writing stacks at SIZE bytes\n"
	"                           (K, M, G; default 64M; 0: no bound), their time kept\n"
	"      --max-member-size SIZE   refuse an archive member that expands past SIZE\n"
	"                           (bytes, or with K, M, G; default 1G)\n"
	"      --max-archive-size SIZE  refuse an archive that expands past SIZE (16G)\n"
	"      --unit UNIT          text tables: times in s, ms, us, or auto (the stats\n"
	"                           table: s, pstats' format; --requests, --diff: ms)\n"
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
	"  profview dump-2026-11-20.tar.gz --requests\n"
	"  profview dump/ --endpoint '^GET /api/users' --sort tottime --limit 30\n"
	"  profview after/ --diff before/ --limit 20\n"
	"  profview dump/ -f html -o report.html           # open it in any browser\n"
	"  profview dump/ -f pprof -o app.pb.gz            # go tool pprof, Pyroscope, Parca\n"
	"  profview -i dump/ --short-paths                 # browse; ? lists the keys\n"
	"\n"
	"Sort keys (unique prefixes are accepted, as in pstats):\n";

/* Usage messages quote what the user typed (an unknown option, a format
 * name): a control character in it is written as an escape (\n, \033), so
 * the message stays one line and nothing reaches the terminal raw. */
void die_usage(const char *fmt, ...)
{
	char msg[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fputs("profview: ", stderr);
	for (const unsigned char *p = (const unsigned char *)msg; *p; p++) {
		if (*p == '\n')
			fputs("\\n", stderr);
		else if (*p == '\t')
			fputs("\\t", stderr);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(stderr, "\\%03o", *p);
		else
			fputc(*p, stderr);
	}
	fputs("\n", stderr);
	exit(EXIT_USAGE);
}

static const char *mode_name(int mode)
{
	return mode == PV_MODE_REQUESTS ? "--requests" : mode == PV_MODE_DIFF ? "--diff"
									      : "the stats table";
}

/* "text, json or csv": the formats that write `mode` */
static void formats_for(char *buf, size_t cap, int mode)
{
	size_t n = 0, k = 0, total = 0;
	for (const pv_writer *const *w = pv_writers; *w; w++)
		total += ((*w)->modes & (unsigned)mode) != 0;
	buf[0] = '\0';
	for (const pv_writer *const *w = pv_writers; *w && n < cap; w++) {
		if (!((*w)->modes & (unsigned)mode))
			continue;
		k++;
		int r = snprintf(buf + n, cap - n, "%s%s", k == 1 ? "" : k == total ? " or "
										    : ", ",
				 (*w)->name);
		if (r < 0)
			break;
		n += (size_t)r;
	}
}

static void usage(FILE *fp)
{
	fprintf(fp, usage_text);
	pv_sort_list_keys(fp);
	fputs("  none        file order (\"Random listing order was used\")\n", fp);
	fputs("\nFormats:\n", fp);
	for (const pv_writer *const *w = pv_writers; *w; w++)
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

/* 10us, 0.5ms, 1s: seconds */
double parse_time(const char *opt, const char *a)
{
	char *end;
	double v = strtod(a, &end);
	double k = !strcmp(end, "s")                               ? 1
		   : !strcmp(end, "ms")                            ? 1e-3
		   : !strcmp(end, "us") || !strcmp(end, "\u00b5s") ? 1e-6
								   : 0;
	if (end == a || !k || !(v >= 0 && v < 1e9))
		die_usage("%s takes a time with its unit (10us, 0.5ms, 1s), not '%s'", opt, a);
	return v * k;
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

enum {
	O_FRACTION = 256,
	O_STRIP,
	O_CALLERS,
	O_CALLEES,
	O_VERSION,
	O_NODE,
	O_EDGE,
	O_MAXMEMBER,
	O_MAXARCHIVE,
	O_ENDPOINT,
	O_SINCE,
	O_UNTIL,
	O_REQUESTS,
	O_DIFF,
	O_UNIT,
	O_SHORT,
	O_MINSHARE,
	O_MAXFRAMES,
	O_MAXDEPTH,
	O_INVERTED,
	O_ICICLE,
	O_MERGED,
	O_WATCH,
	O_DIFFTHRESHOLD,
	O_DIFFFLOOR,
	O_FAILIF,
	O_DIFFWIDTHS,
	O_MAXOUTPUT,
};

/* a whole number 0..max */
static unsigned long long parse_count(const char *opt, const char *a, unsigned long long max)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(a, &end, 10);
	if (!*a || *a == '-' || *a == ' ' || *end || errno || v > max)
		die_usage("%s takes a whole number from 0 to %llu, not '%s'", opt, max, a);
	return v;
}

int options_parse(struct options *o, int argc, char **argv)
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
		{"min-share", required_argument, 0, O_MINSHARE},
		{"max-frames", required_argument, 0, O_MAXFRAMES},
		{"max-depth", required_argument, 0, O_MAXDEPTH},
		{"inverted", no_argument, 0, O_INVERTED},
		{"icicle", no_argument, 0, O_ICICLE},
		{"merged", no_argument, 0, O_MERGED},
		{"diff-threshold", required_argument, 0, O_DIFFTHRESHOLD},
		{"diff-floor", required_argument, 0, O_DIFFFLOOR},
		{"fail-if", required_argument, 0, O_FAILIF},
		{"diff-widths", required_argument, 0, O_DIFFWIDTHS},
		{"interactive", no_argument, 0, 'i'},
		{"watch", no_argument, 0, O_WATCH},
		{"max-output", required_argument, 0, O_MAXOUTPUT},
		{"help", no_argument, 0, 'h'},
		{"version", no_argument, 0, O_VERSION},
		{0, 0, 0, 0},
	};
	pv_ctx ctx = {0};
	memset(o, 0, sizeof(*o));
	o->mode = PV_MODE_STATS;
	o->writer = &pv_writer_text;
	o->wopts.node_threshold = 2; /* the sample renders under 2,000 px wide */
	o->wopts.edge_threshold = 0.1;
	o->diffs = calloc((size_t)argc, sizeof(char *));
	o->gates = calloc((size_t)argc, sizeof(*o->gates));
	if (!o->diffs || !o->gates || pv_select_new(&o->sel) < 0 || pv_reqfilter_new(&o->filter) < 0 ||
	    pv_select_new(&o->tmatch) < 0 || pv_select_new(&o->texclude) < 0)
		die_usage("out of memory");
	o->tree.min_share = -1;
	o->diff_threshold = 0.05;
	o->diff_floor = 10e-6;
	int c, requests = 0, treeopt = 0, diffopt = 0, widths = 0, maxframes = 0, maxoutput = 0, since = 0, until = 0,
	       endpoint = 0;
	opterr = 0; /* our own one-line messages */
	while ((c = getopt_long(argc, argv, ":s:n:m:x:o:f:hqi", longopts, NULL)) != -1) {
		int rc = 0;
		switch (c) {
		case 's': o->sortspec = optarg; break;
		case 'n':
			rc = pv_select_add(o->sel, PV_SEL_LIMIT, optarg, &ctx);
			o->cuts = 1;
			break;
		case O_FRACTION:
			rc = pv_select_add(o->sel, PV_SEL_FRACTION, optarg, &ctx);
			o->cuts = 1;
			break;
		case 'm':
			if ((rc = pv_select_add(o->sel, PV_SEL_MATCH, optarg, &ctx)) == 0)
				rc = pv_select_add(o->tmatch, PV_SEL_MATCH, optarg, &ctx);
			o->tree.match = o->tmatch;
			break;
		case 'x':
			if ((rc = pv_select_add(o->sel, PV_SEL_EXCLUDE, optarg, &ctx)) == 0)
				rc = pv_select_add(o->texclude, PV_SEL_EXCLUDE, optarg, &ctx);
			o->tree.exclude = o->texclude;
			break;
		case O_MINSHARE:
			o->tree.min_share = parse_percent("--min-share", optarg) / 100;
			if (!(o->tree.min_share < 1))
				die_usage("--min-share takes a percentage below 100, not '%s'", optarg);
			treeopt = 1;
			break;
		case O_MAXFRAMES:
			o->tree.max_frames = (size_t)parse_count("--max-frames", optarg, 100000000);
			treeopt = maxframes = 1;
			break;
		case O_MAXOUTPUT:
			o->wopts.max_output = strcmp(optarg, "0") ? parse_size("--max-output", optarg) : 0;
			maxoutput = 1;
			break;
		case O_MAXDEPTH:
			o->tree.max_depth = (uint32_t)parse_count("--max-depth", optarg, 100000000);
			treeopt = 1;
			break;
		case O_INVERTED: o->tree.inverted = treeopt = 1; break;
		case O_ICICLE: o->wopts.icicle = 1; break;
		case O_MERGED: o->merged = treeopt = 1; break;
		case O_STRIP: o->strip = 1; break;
		case O_CALLERS: o->wopts.callers = 1; break;
		case O_CALLEES: o->wopts.callees = 1; break;
		case 'o': o->outpath = optarg; break;
		case 'f':
			if (!(o->writer = pv_writer_find(optarg))) {
				char all[256];
				formats_for(all, sizeof(all), PV_MODE_STATS | PV_MODE_REQUESTS | PV_MODE_DIFF);
				die_usage("unknown format '%s' (%s)", optarg, all);
			}
			break;
		case O_ENDPOINT:
			rc = pv_reqfilter_add_endpoint(o->filter, optarg, &ctx);
			endpoint = 1;
			break;
		case O_SINCE:
			rc = pv_reqfilter_set_since(o->filter, optarg, &ctx);
			since = 1;
			break;
		case O_UNTIL:
			rc = pv_reqfilter_set_until(o->filter, optarg, &ctx);
			until = 1;
			break;
		case O_REQUESTS: requests = 1; break;
		case O_DIFF: o->diffs[o->ndiffs++] = optarg; break;
		case O_DIFFTHRESHOLD:
			o->diff_threshold = parse_percent("--diff-threshold", optarg) / 100;
			diffopt = 1;
			break;
		case O_DIFFFLOOR:
			o->diff_floor = parse_time("--diff-floor", optarg);
			diffopt = 1;
			break;
		case O_DIFFWIDTHS:
			if (strcmp(optarg, "base") && strcmp(optarg, "current"))
				die_usage("--diff-widths takes base or current, not '%s'", optarg);
			o->wopts.diff_base_widths = !strcmp(optarg, "base");
			diffopt = widths = 1;
			break;
		case O_FAILIF:
			gate_parse(&o->gates[o->ngates++], optarg);
			diffopt = 1;
			break;
		case 'q': o->quiet = 1; break;
		case 'i': o->interactive = 1; break;
		case O_WATCH: o->watch = 1; break;
		case O_SHORT: o->shortpaths = 1; break;
		case O_UNIT:
			if (strcmp(optarg, "s") && strcmp(optarg, "ms") && strcmp(optarg, "us") &&
			    strcmp(optarg, "auto"))
				die_usage("--unit takes s, ms, us or auto, not '%s'", optarg);
			o->wopts.unit = optarg;
			break;
		case O_MAXMEMBER: o->limits.max_member = parse_size("--max-member-size", optarg); break;
		case O_MAXARCHIVE: o->limits.max_archive = parse_size("--max-archive-size", optarg); break;
		case O_NODE: o->wopts.node_threshold = parse_percent("--node-threshold", optarg); break;
		case O_EDGE: o->wopts.edge_threshold = parse_percent("--edge-threshold", optarg); break;
		case 'h':
			usage(stdout);
			return -1;
		case O_VERSION:
			printf("profview %s (%s, PCRE2 %d.%d)\n", PV_VERSION, pv_archive_version(),
			       PCRE2_MAJOR, PCRE2_MINOR);
			return -1;
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
	if (requests && o->ndiffs)
		die_usage("--requests and --diff do not go together");
	if (diffopt && !o->ndiffs)
		die_usage("--diff-threshold, --diff-floor, --fail-if and --diff-widths apply to --diff");
	if (widths && o->writer != &pv_writer_svg && o->writer != &pv_writer_html)
		die_usage("--diff-widths applies to -f svg and -f html, not -f %s", o->writer->name);
	snprintf(o->filter_desc, sizeof(o->filter_desc), "%s%s%s%s%s", since ? "--since" : "",
		 since && (until || endpoint) ? "/" : "", until ? "--until" : "",
		 until && endpoint ? "/" : "", endpoint ? "--endpoint" : "");
	o->mode = requests ? PV_MODE_REQUESTS : o->ndiffs ? PV_MODE_DIFF
							  : PV_MODE_STATS;
	o->wopts.short_paths = o->shortpaths;
	o->wopts.strip_dirs = o->strip;
	if (!(o->writer->modes & (unsigned)o->mode)) {
		char fits[256];
		formats_for(fits, sizeof(fits), o->mode);
		die_usage("format '%s' does not write %s (formats that do: %s)", o->writer->name,
			  mode_name(o->mode), fits);
	}
	if (o->interactive) {
		/* the browser: every selection option, its own views */
		if (o->mode != PV_MODE_STATS)
			die_usage("-i browses the profiles; --requests is its e key, --diff is not in it");
		if (o->writer != &pv_writer_text || o->outpath || o->wopts.callers || o->wopts.callees)
			die_usage("-i shows the profiles on the terminal: no -f, -o, --callers or --callees");
		if (!maxframes) /* the tree view: as the call-tree formats */
			o->tree.max_frames = 50000;
	} else if (o->writer->flags & PV_W_TREE) {
		if (o->cuts)
			die_usage("--limit and --fraction cut the stats table; -f %s draws every "
				  "function (use --min-share, --max-frames)",
				  o->writer->name);
		if (o->wopts.callers || o->wopts.callees)
			die_usage("--callers and --callees are text reports, not -f %s",
				  o->writer->name);
		if (o->writer->flags & PV_W_SAMPLES) {
			/* a profile, not a picture: every frame, in nanoseconds,
			 * every function's self time its tottime */
			if (o->tree.inverted || o->tree.match || o->tree.exclude)
				die_usage("-f %s writes the whole call tree: instead of --inverted, --match "
					  "and --exclude use go tool pprof's -peek, -focus and -ignore",
					  o->writer->name);
			o->tree.exact = 1;
			o->tree.tick_ns = 1;
			if (o->tree.min_share < 0)
				o->tree.min_share = 0;
			if (!maxframes) /* never met by real profiles: a bound on memory */
				o->tree.max_frames = 1000000;
		} else if (!maxframes) { /* keeps a picture within a few MB */
			o->tree.max_frames = o->writer == &pv_writer_svg ? 5000 : 50000;
		}
	} else if (treeopt) {
		die_usage("--min-share, --max-frames, --max-depth, --inverted and --merged apply to the call-tree "
			  "formats (svg, speedscope, folded, pprof), not -f %s",
			  o->writer->name);
	}
	/* the HTML page's differential flame graph: as big as its other trees */
	if ((o->writer->flags & PV_W_DIFF_TREE) && !o->tree.max_frames)
		o->tree.max_frames = 5000;
	if (maxoutput && o->writer != &pv_writer_folded && o->writer != &pv_writer_speedscope)
		die_usage("--max-output applies to -f folded and -f speedscope, not -f %s", o->writer->name);
	if (!maxoutput) /* a chain of N functions writes N * N frames: bound the bytes */
		o->wopts.max_output = PV_MAX_OUTPUT;
	if (o->wopts.icicle && o->writer != &pv_writer_svg)
		die_usage("--icicle applies to -f svg, not -f %s", o->writer->name);
	switch (o->mode) {
	case PV_MODE_STATS:
		if (pv_sort_parse(&o->sort, o->sortspec ? o->sortspec : "time,calls", &ctx) < 0)
			die_usage("%s", ctx.msg);
		break;
	case PV_MODE_REQUESTS:
		if (pv_reqview_sort_parse(o->sortspec ? o->sortspec : "total", &o->vsort, &ctx) < 0)
			die_usage("%s", ctx.msg);
		break;
	case PV_MODE_DIFF:
		if (pv_diffview_sort_parse(o->sortspec ? o->sortspec : "absolute", &o->vsort, &ctx) < 0)
			die_usage("%s", ctx.msg);
		break;
	}
	if (optind >= argc)
		die_usage("no input (give .prof files, directories, or - for standard input)");
	if (o->watch && (o->mode == PV_MODE_DIFF || (!o->interactive && o->writer != &pv_writer_text) ||
			 o->outpath))
		die_usage("--watch goes with -i, the text report and --requests (no --diff, -f, -o)");
	if (o->watch)
		for (int i = optind; i < argc; i++)
			if (!strcmp(argv[i], "-"))
				die_usage("--watch reads files and directories, not standard input");
	if (o->interactive && (!isatty(0) || !isatty(1)))
		die_usage("-i needs a terminal on standard input and output");
	if ((o->writer->flags & PV_W_BINARY) && (!o->outpath || !strcmp(o->outpath, "-")) && isatty(1))
		die_usage("%s output is binary: give -o FILE or redirect standard output",
			  o->writer->name);
	/* read-ahead budget for archives (a tuning and testing knob) */
	const char *cache = getenv("PROFVIEW_ARCHIVE_CACHE");
	if (cache && *cache)
		o->cache_bytes = parse_size("PROFVIEW_ARCHIVE_CACHE", cache);
	const char *threads = getenv("PROFVIEW_THREADS"); /* 1: no parsing threads */
	if (threads && *threads)
		o->threads = atoi(threads) > 0 ? atoi(threads) : 1;
	o->inputs = argv + optind;
	o->ninputs = argc - optind;
	return 0;
}

void options_free(struct options *o)
{
	free(o->diffs);
	free(o->gates);
	pv_reqfilter_free(o->filter);
	pv_sort_free(o->sort);
	pv_select_free(o->sel);
	pv_select_free(o->tmatch);
	pv_select_free(o->texclude);
}
