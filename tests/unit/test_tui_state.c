/*
 * test_tui_state.c - tui/state.c and tui/cells.c: the browser key by key,
 * without a terminal.  Screens are drawn into lines and compared with
 * what the library's own views and the text report say: the first rows
 * are the report's rows, a function's callers and callees are pv_calls'
 * (print_callers' numbers), the endpoints are the requests view's.  Names
 * with control characters never put one on the screen, and every line is
 * exactly as wide as the screen, wide characters included.
 */
#include <locale.h>
#include <math.h>

#include "testutil.h"
#include "../../tui/tui.h"

static const pv_reader *const readers[] = {&pv_reader_marshal, NULL};

struct fixture {
	pv_stats *st;
	pv_groups *g;
	pv_reqview *rv;
	struct tui_data d;
	tui_state *s;
	struct tui_screen scr;
};

static void on_error(const pv_ctx *ctx, void *arg)
{
	(void)arg;
	fail_msg("load error: %s", ctx->msg);
}

static void open_fx(struct fixture *f, const char *input, const char *sort, int rows, int cols)
{
	memset(f, 0, sizeof(*f));
	pv_load_result res;
	assert_int_equal(pv_groups_new(&f->g, 1), 0);
	pv_load_opts o = {.readers = readers, .on_error = on_error, .seen = pv_groups_add, .arg = f->g, .threads = 1};
	assert_int_equal(pv_stats_new(&f->st), 0);
	assert_int_equal(pv_load(f->st, &input, 1, &o, &res), 0);
	pv_ctx ctx = {0};
	assert_int_equal(pv_reqview_build(&f->rv, f->g, PV_RQ_TOTAL, (size_t)-1, &ctx), 0);
	f->d = (struct tui_data){.st = f->st, .groups = f->g, .requests = f->rv->nrows ? f->rv : NULL, .summary = "test"};
	struct tui_opts to = {.sortspec = sort, .tree = {.min_share = -1}};
	assert_int_equal(tui_state_new(&f->s, &to, &ctx), 0);
	assert_int_equal(tui_state_set_data(f->s, &f->d), 0);
	assert_int_equal(tui_screen_init(&f->scr, rows, cols), 0);
	assert_int_equal(tui_state_render(f->s, &f->scr), 0);
}

static void close_fx(struct fixture *f)
{
	tui_screen_free(&f->scr);
	tui_state_free(f->s);
	pv_reqview_free(f->rv);
	pv_groups_free(f->g);
	pv_stats_free(f->st);
}

static void key(struct fixture *f, int k)
{
	assert_int_equal(tui_state_key(f->s, k), 0);
	assert_int_equal(tui_state_render(f->s, &f->scr), 0);
}

static void keys(struct fixture *f, const char *s)
{
	for (; *s; s++)
		key(f, *s == '\n' ? TUI_KEY_ENTER : (unsigned char)*s);
}

/* the line's text with its trailing blanks cut */
static char *trimmed(const char *line, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s", line);
	size_t n = strlen(buf);
	while (n && buf[n - 1] == ' ')
		buf[--n] = '\0';
	return buf;
}

/* the row with the cursor */
static int cursor_row(const struct fixture *f)
{
	for (int y = 0; y < f->scr.rows; y++)
		if (f->scr.attr[y] == TUI_A_CURSOR)
			return y;
	return -1;
}

/* The text report of the same model, as the CLI writes it. */
static char *report(pv_stats *st, const char *sortspec, const pv_select *sel)
{
	pv_sort *s;
	pv_view v = {0};
	pv_ctx ctx = {0};
	assert_int_equal(pv_sort_parse(&s, sortspec, &ctx), 0);
	assert_int_equal(pv_view_build(&v, st, s, sel, &ctx), 0);
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);
	pv_views vs = {.mode = PV_MODE_STATS, .st = st, .view = &v};
	pv_write_opts wo = {0};
	assert_int_equal(pv_writer_text.write(fp, &vs, &wo, &ctx), 0);
	fclose(fp);
	pv_view_clear(&v);
	pv_sort_free(s);
	return text;
}

static void test_tui_state_first_rows_are_the_report(void **state)
{
	(void)state;
	struct fixture f;
	open_fx(&f, "testdata/flask", NULL, 30, 200);
	char *text = report(f.st, "time,calls", NULL);
	const char *head = strstr(text, "   ncalls");
	assert_non_null(head);
	char buf[1024];
	/* line 3: the column titles, then a row per report line */
	const char *p = head;
	for (int y = 3; y < f.scr.rows - 1; y++) {
		const char *nl = strchr(p, '\n');
		assert_non_null(nl);
		char want[1024];
		snprintf(want, sizeof(want), "%.*s", (int)(nl - p), p);
		assert_string_equal(trimmed(f.scr.line[y], buf, sizeof(buf)), want);
		p = nl + 1;
	}
	assert_int_equal(cursor_row(&f), 4);
	assert_int_equal(tui_state_view(f.s), TUI_FUNCS);
	free(text);
	close_fx(&f);
}

static void test_tui_state_sort_keys(void **state)
{
	(void)state;
	struct fixture f;
	open_fx(&f, "testdata/flask", NULL, 30, 200);
	key(&f, 's'); /* time,calls -> cumulative */
	assert_non_null(strstr(f.scr.line[2], "sort: cumulative time"));
	char *text = report(f.st, "cumulative", NULL);
	char buf[1024];
	const char *row = strstr(text, "   ncalls");
	row = strchr(row, '\n') + 1;
	const char *nl = strchr(row, '\n');
	char want[1024];
	snprintf(want, sizeof(want), "%.*s", (int)(nl - row), row);
	assert_string_equal(trimmed(f.scr.line[4], buf, sizeof(buf)), want);
	free(text);
	key(&f, 'T');
	assert_non_null(strstr(f.scr.line[2], "sort: internal time"));
	key(&f, 'F');
	assert_non_null(strstr(f.scr.line[2], "sort: standard name"));
	close_fx(&f);
}

static void test_tui_state_filter_and_clear(void **state)
{
	(void)state;
	struct fixture f;
	open_fx(&f, "testdata/flask", NULL, 30, 200);
	keys(&f, "/");
	assert_string_equal(f.scr.line[29][0] == '/' ? "prompt" : f.scr.line[29], "prompt");
	keys(&f, "json\n");
	assert_non_null(strstr(f.scr.line[2], "filter: /json/"));
	int rows = 0;
	char buf[1024];
	for (int y = 4; y < 29; y++)
		if (strstr(f.scr.line[y], "json"))
			rows++;
		else /* rows that do not match are gone, not blanked */
			assert_string_equal(trimmed(f.scr.line[y], buf, sizeof(buf)), "");
	assert_true(rows > 2);
	/* a bad pattern keeps the filter and says why */
	keys(&f, "/(\n");
	assert_int_equal(f.scr.attr[29], TUI_A_ERROR);
	assert_non_null(strstr(f.scr.line[2], "filter: /json/"));
	key(&f, TUI_KEY_ESC);
	assert_null(strstr(f.scr.line[2], "filter:"));
	close_fx(&f);
}

/* "  ncalls tottime cumtime  name" of every caller row, as pv_calls has it */
static void test_tui_state_function_view(void **state)
{
	(void)state;
	struct fixture f;
	open_fx(&f, "testdata/flask", NULL, 40, 200);
	keys(&f, "/wsgi_app\n");
	key(&f, TUI_KEY_ENTER);
	assert_int_equal(tui_state_view(f.s), TUI_FUNC);
	long at = -1;
	for (size_t i = 0; i < pv_stats_nentries(f.st); i++) {
		size_t len;
		const char *d = pv_stats_display(f.st, pv_stats_entry(f.st, i)->key, &len);
		if (strstr(d, "(wsgi_app)"))
			at = (long)i;
	}
	assert_true(at >= 0);
	pv_calls *c;
	assert_int_equal(pv_calls_new(&c, f.st), 0);
	const pv_call *cr, *ce;
	size_t ncr, nce;
	assert_int_equal(pv_calls_callers(c, (size_t)at, &cr, &ncr), 0);
	pv_calls_callees(c, (size_t)at, &ce, &nce);
	char want[256], buf[1024];
	snprintf(want, sizeof(want), "     ncalls  tottime  cumtime  called by (%zu)", ncr);
	assert_string_equal(trimmed(f.scr.line[5], buf, sizeof(buf)), want);
	snprintf(want, sizeof(want), "     ncalls  tottime  cumtime  calls (%zu)", nce);
	assert_string_equal(trimmed(f.scr.line[6 + ncr], buf, sizeof(buf)), want);
	for (size_t i = 0; i < nce; i++) {
		size_t len;
		const char *d = pv_stats_display(f.st, ce[i].key, &len);
		assert_non_null(strstr(f.scr.line[7 + ncr + i], d));
	}
	/* down to the first callee, Enter goes there, Esc comes back */
	for (size_t i = 0; i < ncr + 1; i++)
		key(&f, TUI_KEY_DOWN);
	assert_int_equal(cursor_row(&f), 7 + (int)ncr);
	key(&f, TUI_KEY_ENTER);
	size_t len;
	const char *d = pv_stats_display(f.st, ce[0].key, &len);
	assert_non_null(strstr(f.scr.line[4], d));
	key(&f, TUI_KEY_BACKSPACE);
	assert_non_null(strstr(f.scr.line[4], "(wsgi_app)"));
	assert_int_equal(cursor_row(&f), 7 + (int)ncr);
	key(&f, TUI_KEY_ESC);
	assert_int_equal(tui_state_view(f.s), TUI_FUNCS);
	pv_calls_free(c);
	close_fx(&f);
}

static void test_tui_state_endpoints_scope(void **state)
{
	(void)state;
	struct fixture f;
	open_fx(&f, "testdata/flask", NULL, 30, 200);
	key(&f, 'e');
	assert_int_equal(tui_state_view(f.s), TUI_ENDPOINTS);
	assert_non_null(strstr(f.scr.line[3], "p50 ms"));
	assert_non_null(strstr(f.scr.line[3], "p95 ms"));
	const pv_reqrow *r = &f.rv->rows[1];
	assert_non_null(strstr(f.scr.line[5], r->endpoint));
	key(&f, TUI_KEY_DOWN);
	key(&f, TUI_KEY_ENTER);
	assert_int_equal(tui_state_view(f.s), TUI_FUNCS);
	assert_non_null(strstr(f.scr.line[2], r->endpoint));
	char calls[48], want[64];
	pv_int_format(calls, pv_stats_total_calls(pv_groups_stats(f.g, r->group)));
	snprintf(want, sizeof(want), "%s function calls", calls);
	assert_non_null(strstr(f.scr.line[1], want));
	key(&f, TUI_KEY_ESC);
	assert_int_equal(tui_state_view(f.s), TUI_ENDPOINTS);
	close_fx(&f);
}

static void test_tui_state_tree_expands(void **state)
{
	(void)state;
	struct fixture f;
	open_fx(&f, "testdata/flask", NULL, 60, 200);
	key(&f, 't');
	assert_int_equal(tui_state_view(f.s), TUI_TREE);
	assert_non_null(strstr(f.scr.line[4], "100.0%"));
	assert_non_null(strstr(f.scr.line[4], "- all"));
	int before = 0, after = 0;
	for (int y = 4; y < 59; y++)
		before += f.scr.line[y][0] != ' ' || strchr(f.scr.line[y], '%') != NULL;
	int closed = 0; /* the first closed frame */
	for (int y = 59; y > 4; y--)
		if (strstr(f.scr.line[y], " + "))
			closed = y;
	assert_true(closed > 4);
	for (int y = 4; y < closed; y++)
		key(&f, TUI_KEY_DOWN);
	key(&f, '+');
	for (int y = 4; y < 59; y++)
		after += strchr(f.scr.line[y], '%') != NULL;
	assert_true(after > before);
	key(&f, '-');
	int again = 0;
	for (int y = 4; y < 59; y++)
		again += strchr(f.scr.line[y], '%') != NULL;
	assert_int_equal(again, before);
	close_fx(&f);
}

static void test_tui_state_help_and_quit(void **state)
{
	(void)state;
	struct fixture f;
	open_fx(&f, "testdata/flask", NULL, 24, 80);
	key(&f, '?');
	assert_int_equal(tui_state_view(f.s), TUI_HELP);
	int found = 0;
	for (int y = 0; y < 24; y++)
		found += strstr(f.scr.line[y], "q                   quit") != NULL;
	assert_int_equal(found, 1);
	key(&f, '?');
	assert_int_equal(tui_state_view(f.s), TUI_FUNCS);
	assert_int_equal(tui_state_key(f.s, 'q'), TUI_QUIT);
	close_fx(&f);
}

/* every line of every view exactly as wide as the screen, no control
 * character in it */
static void check_screen(const struct fixture *f)
{
	for (int y = 0; y < f->scr.rows; y++) {
		const char *l = f->scr.line[y];
		assert_int_equal(tui_text_width(l, strlen(l)), f->scr.cols);
		for (const unsigned char *p = (const unsigned char *)l; *p; p++)
			assert_true(*p >= 0x20 && *p != 0x7f);
	}
}

static void test_tui_state_untrusted_names(void **state)
{
	(void)state;
	struct fixture f;
	open_fx(&f, "testdata/edge/html_names.prof", NULL, 24, 200);
	check_screen(&f);
	int esc = 0;
	for (int y = 0; y < 24; y++)
		esc += strstr(f.scr.line[y], "\\x0a") != NULL;
	assert_int_equal(esc, 1);
	close_fx(&f);
	open_fx(&f, "testdata/edge/nonascii_names.prof", NULL, 24, 80);
	check_screen(&f);
	int wide = 0;
	for (int y = 0; y < 24; y++)
		wide += strstr(f.scr.line[y], "\xef\xbd\x86") != NULL; /* fullwidth f */
	assert_int_equal(wide, 1);
	for (const char *k = "\nt+*?"; *k; k++) {
		key(&f, *k == '\n' ? TUI_KEY_ENTER : *k);
		check_screen(&f);
	}
	close_fx(&f);
}

static void test_tui_state_cells(void **state)
{
	(void)state;
	char buf[4 * 10 + 1];
	struct tui_line l = {.buf = buf, .max = 10};
	tui_line_puts(&l, "a\033[2Jb");
	assert_string_equal(buf, "a\\x1b[2Jb");
	assert_int_equal(l.cols, 9);
	l = (struct tui_line){.buf = buf, .max = 5};
	tui_line_puts(&l, "ab\xe4\xb8\xad\xe4\xb8\xad"); /* two CJK: 2 columns each */
	assert_string_equal(buf, "ab\xe4\xb8\xad");      /* the second does not fit */
	tui_line_pad(&l, 5);
	assert_int_equal(l.cols, 5);
	assert_int_equal(tui_text_width("\xc2\x85", 2), 6);     /* C1 NEL: \u0085 */
	assert_int_equal(tui_text_width("\xed\xa0\x80", 3), 6); /* a lone surrogate */
	assert_int_equal(tui_text_width("\xff", 1), 4);         /* not UTF-8 */
	assert_int_equal(tui_text_width("e\xcc\x81", 3), 1);    /* a combining mark */
	assert_int_equal(tui_text_width("\xe2\x80\x8d", 3), 6); /* ZWJ: escaped */
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	setenv("TZ", "UTC", 1);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tui_state_first_rows_are_the_report),
		cmocka_unit_test(test_tui_state_sort_keys),
		cmocka_unit_test(test_tui_state_filter_and_clear),
		cmocka_unit_test(test_tui_state_function_view),
		cmocka_unit_test(test_tui_state_endpoints_scope),
		cmocka_unit_test(test_tui_state_tree_expands),
		cmocka_unit_test(test_tui_state_help_and_quit),
		cmocka_unit_test(test_tui_state_untrusted_names),
		cmocka_unit_test(test_tui_state_cells),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
