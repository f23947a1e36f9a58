/*
 * term.c - the browser on a terminal, with ncursesw: keys in, the state's
 * lines out.  The terminal is given back as it was (alternate screen left,
 * cursor shown) on q, on an error, and on SIGINT/SIGTERM/SIGHUP, which
 * only set a flag here: the loop wakes at least four times a second, puts
 * the terminal back, and the caller then dies of the signal.  A resize
 * (SIGWINCH, which ncurses turns into KEY_RESIZE) draws again at the new
 * size.  Colours only where the terminal has them and NO_COLOR is not set.
 *
 * PROFVIEW_TUI_LOG=FILE appends, per key, the milliseconds from the key
 * to the screen updated (bench/tui.py reads it).
 */
#include <curses.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tui.h"

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

static int key_of(int c)
{
	switch (c) {
	case KEY_UP: return TUI_KEY_UP;
	case KEY_DOWN: return TUI_KEY_DOWN;
	case KEY_PPAGE: return TUI_KEY_PGUP;
	case KEY_NPAGE: return TUI_KEY_PGDN;
	case KEY_HOME: return TUI_KEY_HOME;
	case KEY_END: return TUI_KEY_END;
	case KEY_LEFT: return TUI_KEY_LEFT;
	case KEY_RIGHT: return TUI_KEY_RIGHT;
	case KEY_ENTER:
	case '\n':
	case '\r': return TUI_KEY_ENTER;
	case 27: return TUI_KEY_ESC;
	case KEY_BACKSPACE:
	case 127:
	case 8: return TUI_KEY_BACKSPACE;
	}
	return c >= 0 && c < 0x100 ? c : -1;
}

static chtype attr_of(int a, int colour)
{
	switch (a) {
	case TUI_A_TITLE: return A_BOLD | (colour ? COLOR_PAIR(1) : 0);
	case TUI_A_HEAD: return colour ? COLOR_PAIR(2) | A_BOLD : A_UNDERLINE;
	case TUI_A_CURSOR: return A_REVERSE;
	case TUI_A_KEYS: return colour ? COLOR_PAIR(3) : A_REVERSE;
	case TUI_A_ERROR: return colour ? COLOR_PAIR(4) | A_BOLD : A_BOLD;
	case TUI_A_MARK: return colour ? COLOR_PAIR(5) : A_NORMAL;
	}
	return A_NORMAL;
}

static int draw(tui_state *s, struct tui_screen *scr, int colour)
{
	int rows = LINES, cols = COLS;
	if (rows != scr->rows || cols != scr->cols) {
		tui_screen_free(scr);
		if (tui_screen_init(scr, rows, cols) < 0)
			return PV_ENOMEM;
	}
	int rc = tui_state_render(s, scr);
	if (rc < 0)
		return rc;
	for (int y = 0; y < rows; y++) {
		attrset(attr_of(scr->attr[y], colour));
		/* the bottom-right cell moves the cursor off the screen: ERR, drawn */
		mvaddstr(y, 0, scr->line[y]);
	}
	attrset(A_NORMAL);
	refresh();
	return 0;
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int tui_run(const struct tui_opts *o, struct tui_data *d, struct tui_source *src, int *signo,
	    pv_ctx *ctx)
{
	tui_state *s = NULL;
	struct tui_screen scr = {0};
	struct sigaction sa = {.sa_handler = on_signal}, old[3];
	static const int sigs[3] = {SIGINT, SIGTERM, SIGHUP};
	FILE *log = NULL;
	int rc, colour = 0, up = 0;
	*signo = 0;
	if ((rc = tui_state_new(&s, o, ctx)) < 0 || (rc = tui_state_set_data(s, d)) < 0)
		goto out;
	setlocale(LC_ALL, "");
	tui_cells_utf8(!strcmp(nl_langinfo(CODESET), "UTF-8"));
	const char *logpath = getenv("PROFVIEW_TUI_LOG");
	if (logpath && *logpath && !(log = fopen(logpath, "a"))) {
		rc = pv_fail(ctx, PV_EIO, PV_NOOFF, "PROFVIEW_TUI_LOG: cannot open the file");
		goto out;
	}
	/* ours before initscr: ncurses then leaves them alone */
	sigemptyset(&sa.sa_mask);
	for (int i = 0; i < 3; i++)
		sigaction(sigs[i], &sa, &old[i]);
	got_signal = 0;
	if (!initscr()) {
		rc = pv_fail(ctx, PV_EIO, PV_NOOFF, "cannot set up the terminal (TERM?)");
		goto restore;
	}
	up = 1;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	timeout(250);
	const char *nc = getenv("NO_COLOR");
	if (!(nc && *nc) && has_colors() && start_color() == OK) {
		use_default_colors();
		init_pair(1, COLOR_CYAN, -1);
		init_pair(2, COLOR_YELLOW, -1);
		init_pair(3, COLOR_BLACK, COLOR_CYAN);
		init_pair(4, COLOR_RED, -1);
		init_pair(5, COLOR_BLUE, -1);
		colour = 1;
	}
	if ((rc = draw(s, &scr, colour)) < 0)
		goto restore;
	int idle = 1;
	while (!got_signal) {
		/* no key waiting: the work keys would wait for, done now */
		if (idle) {
			timeout(0);
			int c = getch();
			timeout(250);
			if (c != ERR)
				ungetch(c);
			else if ((rc = tui_state_idle(s)) < 0)
				break;
			idle = c == ERR && rc > 0;
		}
		int c = getch();
		double t0 = now_ms();
		if (c == ERR) {
			struct tui_data *nd = NULL;
			int r = src ? src->poll(src->arg, &nd, ctx) : 0;
			if (r < 0) {
				rc = r;
				break;
			}
			if (r > 0 && ((rc = tui_state_set_data(s, nd)) < 0 || (rc = draw(s, &scr, colour)) < 0))
				break;
			idle = 1;
			continue;
		}
		if (c == KEY_RESIZE) {
			erase();
			if ((rc = draw(s, &scr, colour)) < 0)
				break;
			continue;
		}
		int k = key_of(c);
		if (k < 0)
			continue;
		if ((rc = tui_state_key(s, k)) == TUI_QUIT) {
			rc = 0;
			break;
		}
		if (rc < 0 || (rc = draw(s, &scr, colour)) < 0)
			break;
		if (log)
			fprintf(log, "%d %.3f\n", k, now_ms() - t0), fflush(log);
		idle = 1; /* a key may have changed the scope */
	}
	*signo = got_signal;
restore:
	if (up)
		endwin();
	for (int i = 0; i < 3; i++)
		sigaction(sigs[i], &old[i], NULL);
out:
	if (rc == PV_ENOMEM && !ctx->code)
		pv_fail(ctx, rc, PV_NOOFF, "out of memory");
	if (log)
		fclose(log);
	tui_screen_free(&scr);
	tui_state_free(s);
	return rc < 0 ? rc : 0;
}
