/*
 * profview.c - the command line: options, inputs, output file, exit status.
 * The only place that prints errors or exits.
 *
 * Exit status: 0 all inputs read; 1 some input could not be read (the
 * report covers the rest) or none could; 2 usage error.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <archive.h>
#include <errno.h>
#include <getopt.h>
#include <pcre2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	"      --callers            who called each listed function (print_callers)\n"
	"      --callees            what each listed function called (print_callees)\n"
	"  -o, --output FILE        write to FILE (replaced only when complete)\n"
	"  -h, --help               this help\n"
	"      --version            version and library versions\n"
	"\n"
	"Examples:\n"
	"  profview dump/ --sort tottime --limit 30\n"
	"  profview dump/*.prof --callers --match 'sqlite3' --limit 10\n"
	"  profview big.prof --strip-dirs --sort cumulative --fraction 0.05\n"
	"\n"
	"Sort keys (unique prefixes are accepted, as in pstats):\n";

static void usage(FILE *fp)
{
	fputs(usage_text, fp);
	pv_sort_list_keys(fp);
	fputs("  none        file order (\"Random listing order was used\")\n", fp);
}

static void die_usage(const char *fmt, ...)
{
	va_list ap;
	fputs("profview: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n", stderr);
	exit(EXIT_USAGE);
}

static void on_error(const pv_ctx *ctx, void *arg)
{
	(void)arg;
	fprintf(stderr, "profview: %s\n", ctx->msg);
}

/* -o FILE: write beside it under a temporary name, rename when complete, so
 * FILE is never left half-written. */
struct output {
	FILE *fp;
	const char *path;
	char *tmp;
};

static int output_open(struct output *o, const char *path)
{
	o->path = path;
	o->tmp = NULL;
	if (!path || !strcmp(path, "-")) {
		o->fp = stdout;
		return 0;
	}
	size_t n = strlen(path);
	o->tmp = malloc(n + 16);
	if (!o->tmp)
		return -1;
	snprintf(o->tmp, n + 16, "%s.tmp.XXXXXX", path);
	int fd = mkstemp(o->tmp);
	if (fd < 0 || !(o->fp = fdopen(fd, "w"))) {
		fprintf(stderr, "profview: %s: cannot create: %s\n", path, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(o->tmp);
		}
		free(o->tmp);
		o->tmp = NULL;
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
	if (fclose(o->fp) == EOF || err) {
		fprintf(stderr, "profview: %s: write error: %s\n", o->path, strerror(errno));
		ok = 0;
	} else if (ok && rename(o->tmp, o->path) < 0) {
		fprintf(stderr, "profview: %s: %s\n", o->path, strerror(errno));
		ok = 0;
	}
	if (!ok)
		unlink(o->tmp);
	free(o->tmp);
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

enum { O_FRACTION = 256, O_STRIP, O_CALLERS, O_CALLEES, O_VERSION };

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
		{"help", no_argument, 0, 'h'},
		{"version", no_argument, 0, O_VERSION},
		{0, 0, 0, 0},
	};
	const char *sortspec = "time,calls", *outpath = NULL;
	int strip = 0;
	pv_report_opts ropts = {0};
	pv_ctx ctx = {0};
	pv_select *sel = NULL;
	pv_sort *sort = NULL;
	pv_stats *st = NULL;
	pv_view view = {0};

	if (pv_select_new(&sel) < 0)
		die_usage("out of memory");
	int c;
	while ((c = getopt_long(argc, argv, "s:n:m:x:o:h", longopts, NULL)) != -1) {
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
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case O_VERSION:
			printf("profview %s (%s, PCRE2 %d.%d)\n", PV_VERSION, archive_version_string(),
			       PCRE2_MAJOR, PCRE2_MINOR);
			return EXIT_OK;
		default:
			fputs("Try 'profview --help' for more information.\n", stderr);
			return EXIT_USAGE;
		}
		if (rc < 0)
			die_usage("%s", ctx.msg);
	}
	if (pv_sort_parse(&sort, sortspec, &ctx) < 0)
		die_usage("%s", ctx.msg);
	if (optind >= argc)
		die_usage("no input (give .prof files, directories, or - for standard input)");

	static const pv_reader *const readers[] = {&pv_reader_marshal, NULL};
	pv_load_opts lopts = {.readers = readers, .on_error = on_error};
	pv_load_result res;
	if (pv_stats_new(&st) < 0 ||
	    pv_load(st, (const char *const *)argv + optind, (size_t)(argc - optind), &lopts, &res) < 0) {
		fputs("profview: out of memory\n", stderr);
		return EXIT_INPUT;
	}
	int status = res.failed ? EXIT_INPUT : EXIT_OK;
	if (!res.files) {
		fputs("profview: no profile could be read\n", stderr);
		status = EXIT_INPUT;
		goto out;
	}
	if (strip && pv_stats_strip_dirs(st, &ctx) < 0) {
		fprintf(stderr, "profview: %s\n", ctx.msg);
		status = EXIT_INPUT;
		goto out;
	}
	if (pv_view_build(&view, st, sort, sel, &ctx) < 0) {
		fprintf(stderr, "profview: %s\n", ctx.msg);
		status = EXIT_INPUT;
		goto out;
	}
	char sum[1024];
	summary(sum, sizeof(sum), &res, argv + optind, argc - optind);
	ropts.summary = sum;
	struct output out;
	if (output_open(&out, outpath) < 0) {
		status = EXIT_INPUT;
		goto out;
	}
	int ok = pv_report_write(out.fp, st, &view, &ropts) == 0;
	if (!ok)
		fputs("profview: out of memory\n", stderr);
	if (output_close(&out, ok) < 0 || !ok)
		status = EXIT_INPUT;
out:
	pv_view_clear(&view);
	pv_stats_free(st);
	pv_sort_free(sort);
	pv_select_free(sel);
	return status;
}
