/*
 * tui.h - profview -i: the terminal browser.
 *
 * state.c holds what the browser shows and does with a key (views, history,
 * cursor, sort, filter), drawn into a grid of text lines (struct
 * tui_screen) without a terminal, so the unit tests drive it key by key;
 * cells.c makes names from dumps safe and measured for a terminal; term.c
 * is the ncursesw front end (the screen, the keys, signals, resizes).
 * The browser is a client of lib/'s views: the model, pv_view with pstats'
 * sort keys and restrictions, pv_calls, pv_tree, the requests view.
 */
#ifndef PV_TUI_H
#define PV_TUI_H

#include <stddef.h>

#include "../lib/pv.h"

/* What the browser shows: the inputs loaded once, prepared (--short-paths,
 * --strip-dirs done).  Owned by whoever loaded it (the CLI, or a watch);
 * the browser borrows it until it is handed another. */
struct tui_data {
	pv_stats *st;               /* every selected profile merged */
	pv_groups *groups;          /* per endpoint (with models), or NULL */
	const pv_reqview *requests; /* the endpoints table of groups, or NULL */
	const char *summary;        /* "19 profiles from dump/" */
};

struct tui_opts {
	const char *sortspec; /* --sort, or NULL: time,calls */
	const pv_select *sel; /* --limit, --fraction, --match, --exclude, or NULL */
	const char *unit;     /* --unit (s, ms, us, auto), or NULL */
	pv_tree_opts tree;    /* the tree view's options */
};

enum tui_view { TUI_FUNCS,
		TUI_FUNC,
		TUI_ENDPOINTS,
		TUI_TREE,
		TUI_HELP };

/* Keys: printable ASCII as themselves, the others as these. */
enum { TUI_KEY_UP = 0x101,
       TUI_KEY_DOWN,
       TUI_KEY_PGUP,
       TUI_KEY_PGDN,
       TUI_KEY_HOME,
       TUI_KEY_END,
       TUI_KEY_LEFT,
       TUI_KEY_RIGHT,
       TUI_KEY_ENTER,
       TUI_KEY_ESC,
       TUI_KEY_BACKSPACE };

/* How a line is drawn. */
enum { TUI_A_NORMAL,
       TUI_A_TITLE,  /* the header */
       TUI_A_HEAD,   /* column titles */
       TUI_A_CURSOR, /* the selected row */
       TUI_A_KEYS,   /* the key line at the bottom */
       TUI_A_ERROR,  /* a message at the bottom */
       TUI_A_MARK }; /* an estimated part of the tree */

/* The screen as lines of text: each exactly `cols` columns wide (padded
 * or cut), UTF-8, NUL-terminated, holding no control character. */
struct tui_screen {
	int rows, cols;
	char **line;
	unsigned char *attr;
};

int tui_screen_init(struct tui_screen *scr, int rows, int cols);
void tui_screen_free(struct tui_screen *scr);

typedef struct tui_state tui_state;

#define TUI_QUIT 1

/* A browser on o's options (copied; o->sel is borrowed).  0, PV_EARG (a
 * bad --sort, message in ctx) or PV_ENOMEM. */
int tui_state_new(tui_state **out, const struct tui_opts *o, pv_ctx *ctx);
void tui_state_free(tui_state *s);
/* Show d (borrowed until the next call): every view is computed again,
 * the history, cursors and filter kept (functions found again by key).
 * 0 or PV_ENOMEM. */
int tui_state_set_data(tui_state *s, struct tui_data *d);
/* One key: 0, TUI_QUIT, or PV_ENOMEM. */
int tui_state_key(tui_state *s, int key);
/* Work done while no key waits, so that keys find it done: the call tree
 * of the scope is built (tens of milliseconds on 25,000 functions).  1 if
 * something was done, 0 if nothing was left, PV_ENOMEM. */
int tui_state_idle(tui_state *s);
/* Draw into scr (its size is the page size from then on). 0 or PV_ENOMEM. */
int tui_state_render(tui_state *s, struct tui_screen *scr);
enum tui_view tui_state_view(const tui_state *s);

/* ---- cells.c: text for the terminal -------------------------------------- */

/* A line being filled: at most `max` columns; text past it is cut. */
struct tui_line {
	char *buf; /* room for 4 * max + 1 bytes */
	size_t len;
	int cols, max;
};

/* Whether wide characters can be shown (a UTF-8 locale); else every
 * non-ASCII character is written as an escape. */
void tui_cells_utf8(int on);
/* Append s[0, n): control characters, invalid bytes and characters the
 * terminal would not show as they are become \xNN or \uNNNN escapes;
 * widths are the terminal's (wcwidth), a wide character that would not
 * fit is left out. */
void tui_line_put(struct tui_line *l, const char *s, size_t n);
void tui_line_puts(struct tui_line *l, const char *s);
/* Spaces up to column `col` (or the end). */
void tui_line_pad(struct tui_line *l, int col);
/* Columns s[0, n) takes once escaped. */
int tui_text_width(const char *s, size_t n);

/* ---- term.c: the terminal ------------------------------------------------ */

/* A source of new data while the browser runs (--watch): poll() is called
 * about four times a second; it returns 1 with *d set when there is a new
 * load to show, 0 when nothing changed, <0 on an error (message in ctx). */
struct tui_source {
	int (*poll)(void *arg, struct tui_data **d, pv_ctx *ctx);
	void *arg;
};

/* Run the browser on the terminal (standard input and output) until q or
 * a signal.  0, or <0 with the message in ctx (the terminal restored).
 * *signo is set to SIGINT or SIGTERM when one ended it (the caller dies of
 * it after cleaning up), else 0. */
int tui_run(const struct tui_opts *o, struct tui_data *d, struct tui_source *src, int *signo,
	    pv_ctx *ctx);

#endif
