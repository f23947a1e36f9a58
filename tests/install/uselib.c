/*
 * uselib.c - a program a library user would write: built by
 * tests/install/test_install.sh against the installed libprofview
 * (<profview.h>, pkg-config --static profview), it loads its arguments as
 * the CLI does and prints what pstats.Stats would say of them.
 *
 * usage: uselib [-m REGEX] INPUT...   (files, directories, archives)
 * Prints, one line each: "profiles N failed N", "functions N", pstats'
 * "N function calls (N primitive calls) in X seconds" line, with -m the
 * "List reduced from ..." line of print_stats(REGEX), and the first
 * function of sort_stats("tottime") (among the matching ones with -m).  An
 * unreadable input is reported on stderr ("uselib: " and the library's
 * message) and the others are read; the exit status is then 1.
 */
#include <stdio.h>
#include <string.h>

#include <profview.h>

static void report(const pv_ctx *ctx, void *arg)
{
	(void)arg;
	fprintf(stderr, "uselib: %s\n", ctx->msg);
}

int main(int argc, char **argv)
{
	/* every reader and container the library has (pv.h) */
	pv_load_opts opts = {.readers = pv_readers, .containers = pv_containers, .on_error = report};
	pv_load_result res = {0};
	pv_ctx ctx = {0};
	pv_stats *st = NULL;
	pv_sort *sort = NULL;
	pv_select *sel = NULL;
	pv_view view = {0};
	const char *match = NULL;
	int rc = 2;
	if (argc > 2 && strcmp(argv[1], "-m") == 0) {
		match = argv[2];
		argc -= 2;
		argv += 2;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: uselib [-m REGEX] INPUT...\n");
		return 2;
	}
	if (pv_stats_new(&st) < 0 || pv_select_new(&sel) < 0 ||
	    pv_load(st, (const char *const *)argv + 1, (size_t)argc - 1, &opts, &res) < 0) {
		fprintf(stderr, "uselib: out of memory\n");
		goto out;
	}
	char calls[48], prim[48];
	calls[pv_int_format(calls, pv_stats_total_calls(st))] = '\0';
	prim[pv_int_format(prim, pv_stats_prim_calls(st))] = '\0';
	printf("profiles %zu failed %zu\n", res.files, res.failed);
	printf("functions %zu\n", pv_stats_nentries(st));
	printf("%s function calls (%s primitive calls) in %.3f seconds\n", calls, prim,
	       pv_num_to_double(pv_stats_total_tt(st)));
	if (pv_sort_parse(&sort, "tottime", &ctx) < 0 ||
	    (match && pv_select_add(sel, PV_SEL_MATCH, match, &ctx) < 0) ||
	    pv_view_build(&view, st, sort, sel, &ctx) < 0) {
		fprintf(stderr, "uselib: %s\n", ctx.msg);
		goto out;
	}
	if (view.notes) /* "   List reduced from ...\n" */
		fputs(view.notes + strspn(view.notes, " "), stdout);
	if (view.nrows) {
		size_t len;
		const char *name = pv_stats_display(st, pv_stats_entry(st, view.rows[0])->key, &len);
		printf("most internal time: %.*s\n", (int)len, name ? name : "?");
	}
	rc = res.failed ? 1 : 0;
out:
	pv_view_clear(&view);
	pv_select_free(sel);
	pv_sort_free(sort);
	pv_stats_free(st);
	return rc;
}
