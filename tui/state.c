/*
 * state.c - the browser without a terminal: its views, the history of
 * them, what a key does, and the screen drawn as lines of text.
 *
 * Views: the functions table (pv_view: the report's order, columns and
 * restrictions), one function with its callers and callees (pv_calls: the
 * numbers print_callers/print_callees print per edge), the endpoints (the
 * requests view), the call tree (pv_tree: shares and the estimated marks
 * the flame graph uses) and the help.  Every view computed from the model
 * is cached for the scope (all profiles, or one endpoint's) and dropped
 * when the data, scope, sort or filter change; a keystroke that only moves
 * draws the visible rows and nothing else.
 *
 * A history entry names its function by key hash (pv_stats_key_hash), the
 * same in every model: going back after a scope change or a new load (a
 * watch) finds the function again, or says it is not there.
 */
#define _GNU_SOURCE /* localtime_r, strftime */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tui.h"

/* one view in the history */
struct hist {
	enum tui_view view;
	size_t scope;  /* endpoint (group index), or PV_GROUPS_ALL */
	uint64_t fn;   /* TUI_FUNC: the function's key hash */
	size_t cur;    /* the selected row */
	size_t top;    /* the first row shown */
	int tree_keep; /* TUI_TREE: its expansion is kept while it is shown */
};

/* a row of the function view: the function itself, a caller, a callee */
enum { ITEM_SELF,
       ITEM_CALLER,
       ITEM_CALLEE };
struct item {
	int kind;
	pv_call call; /* ITEM_SELF: call.key only */
};

struct tui_state {
	struct tui_opts o;
	struct tui_data *d;
	pv_sort *sort;
	const char *sortspec;
	pv_select *filter; /* the / pattern, as --match; NULL: none */
	char pattern[256];
	struct hist *h; /* h[nh - 1] is shown */
	size_t nh, caph;
	int page; /* body rows of the last screen */

	/* the scope's views, computed when first needed */
	int valid;
	size_t scope;
	pv_stats *sst;
	pv_view view;
	uint32_t *rows; /* the functions table: view rows the filter keeps */
	size_t nrows;
	pv_calls *calls;
	long entry;         /* the function view's entry, -1: not in this model */
	struct item *items; /* the function view's rows */
	size_t nitems, capitems, ncallers;
	uint64_t items_fn;
	int items_ok;
	pv_tree *tree;
	unsigned char *open; /* per frame: expanded */
	uint32_t *vis;       /* the frames shown, in order */
	size_t nvis;

	int prompting; /* reading a / pattern */
	char prompt[256];
	size_t plen;
	char msg[1024]; /* shown on the bottom line until the next key */
	double scale;   /* functions: seconds to the unit */
	const char *unit_word;
};

/* The sort keys s cycles through (pstats' keys); the column keys pick one. */
static const char *const sorts[] = {"time,calls", "cumulative", "calls", "stdname", NULL};

/* ---- the screen ---------------------------------------------------------- */

int tui_screen_init(struct tui_screen *scr, int rows, int cols)
{
	memset(scr, 0, sizeof(*scr));
	if (rows < 1 || cols < 1)
		return PV_EARG;
	scr->rows = rows;
	scr->cols = cols;
	scr->line = calloc((size_t)rows, sizeof(*scr->line));
	scr->attr = calloc((size_t)rows, 1);
	if (!scr->line || !scr->attr)
		goto fail;
	for (int i = 0; i < rows; i++)
		if (!(scr->line[i] = malloc(4 * (size_t)cols + 1)))
			goto fail;
	return 0;
fail:
	tui_screen_free(scr);
	return PV_ENOMEM;
}

void tui_screen_free(struct tui_screen *scr)
{
	for (int i = 0; scr->line && i < scr->rows; i++)
		free(scr->line[i]);
	free(scr->line);
	free(scr->attr);
	memset(scr, 0, sizeof(*scr));
}

/* Line y of scr, to be filled (cleared, attribute a). */
static struct tui_line line_at(struct tui_screen *scr, int y, int a)
{
	struct tui_line l = {.buf = scr->line[y], .len = 0, .cols = 0, .max = scr->cols};
	l.buf[0] = '\0';
	scr->attr[y] = (unsigned char)a;
	return l;
}

static void done(struct tui_line *l)
{
	tui_line_pad(l, l->max);
}

/* ---- life ---------------------------------------------------------------- */

static void drop_views(tui_state *s)
{
	pv_view_clear(&s->view);
	memset(&s->view, 0, sizeof(s->view));
	free(s->rows);
	s->rows = NULL;
	s->nrows = 0;
	pv_calls_free(s->calls);
	s->calls = NULL;
	pv_tree_free(s->tree);
	s->tree = NULL;
	free(s->open);
	s->open = NULL;
	free(s->vis);
	s->vis = NULL;
	s->nvis = 0;
	s->items_ok = 0;
	s->valid = 0;
}

static int push(tui_state *s, enum tui_view v, size_t scope, uint64_t fn)
{
	if (s->nh == s->caph) {
		size_t cap = s->caph ? 2 * s->caph : 16;
		struct hist *n = realloc(s->h, cap * sizeof(*n));
		if (!n)
			return PV_ENOMEM;
		s->h = n;
		s->caph = cap;
	}
	s->h[s->nh++] = (struct hist){.view = v, .scope = scope, .fn = fn};
	return 0;
}

static struct hist *top(tui_state *s)
{
	return &s->h[s->nh - 1];
}

int tui_state_new(tui_state **out, const struct tui_opts *o, pv_ctx *ctx)
{
	tui_state *s = calloc(1, sizeof(*s));
	*out = NULL;
	if (!s)
		return PV_ENOMEM;
	s->o = *o;
	s->sortspec = o->sortspec ? o->sortspec : sorts[0];
	s->page = 10;
	int rc = pv_sort_parse(&s->sort, s->sortspec, ctx);
	if (rc == 0)
		rc = push(s, TUI_FUNCS, PV_GROUPS_ALL, 0);
	if (rc < 0) {
		tui_state_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

void tui_state_free(tui_state *s)
{
	if (!s)
		return;
	drop_views(s);
	free(s->items);
	pv_sort_free(s->sort);
	pv_select_free(s->filter);
	free(s->h);
	free(s);
}

int tui_state_set_data(tui_state *s, struct tui_data *d)
{
	drop_views(s);
	s->d = d;
	return 0;
}

enum tui_view tui_state_view(const tui_state *s)
{
	return s->h[s->nh - 1].view;
}

/* ---- the scope's views --------------------------------------------------- */

static pv_stats *scope_stats(const tui_state *s, size_t scope)
{
	if (scope == PV_GROUPS_ALL || !s->d->groups || scope >= pv_groups_count(s->d->groups))
		return s->d->st;
	pv_stats *st = pv_groups_stats(s->d->groups, scope);
	return st ? st : s->d->st;
}

/* --unit for the functions: as the text report (auto: by the largest
 * cumulative time listed) */
static void set_scale(tui_state *s)
{
	const char *u = s->o.unit ? s->o.unit : "s";
	double k = 1;
	if (!strcmp(u, "ms"))
		k = 1e3;
	else if (!strcmp(u, "us"))
		k = 1e6;
	else if (!strcmp(u, "auto")) {
		double mx = 0;
		for (size_t r = 0; r < s->view.nrows; r++) {
			double c = pv_num_to_double(pv_entry_ct(pv_stats_entry(s->sst, s->view.rows[r])));
			mx = c > mx ? c : mx;
		}
		k = mx >= 1 || mx == 0 ? 1 : mx >= 1e-3 ? 1e3
							: 1e6;
	}
	s->scale = k;
	s->unit_word = k == 1e3 ? "milliseconds" : k == 1e6 ? "microseconds"
							    : "seconds";
}

/* The rows of the functions table: the view's that the filter keeps (a
 * new filter does not sort again). */
static int filter_rows(tui_state *s)
{
	pv_ctx ctx = {0};
	free(s->rows);
	if (!(s->rows = malloc((s->view.nrows ? s->view.nrows : 1) * sizeof(*s->rows))))
		return PV_ENOMEM;
	s->nrows = 0;
	for (size_t r = 0; r < s->view.nrows; r++) {
		uint32_t i = s->view.rows[r];
		if (s->filter) {
			size_t len;
			const char *name = pv_stats_display(s->sst, pv_stats_entry(s->sst, i)->key, &len);
			if (!name)
				return PV_ENOMEM;
			int k = pv_select_keeps(s->filter, name, len, &ctx);
			if (k < 0) { /* the pattern hit a bound: say so, show all */
				snprintf(s->msg, sizeof(s->msg), "%s", ctx.msg);
				k = 1;
			}
			if (!k)
				continue;
		}
		s->rows[s->nrows++] = i;
	}
	return 0;
}

/* The functions table of the scope: the report's view, then the filter. */
static int build_rows(tui_state *s)
{
	pv_ctx ctx = {0};
	pv_view_clear(&s->view);
	memset(&s->view, 0, sizeof(s->view));
	int rc = pv_view_build(&s->view, s->sst, s->sort, s->o.sel, &ctx);
	if (rc < 0) {
		snprintf(s->msg, sizeof(s->msg), "%s", ctx.msg);
		memset(&s->view, 0, sizeof(s->view));
		if (rc == PV_ENOMEM)
			return rc;
	}
	set_scale(s);
	return filter_rows(s);
}

static int ensure(tui_state *s)
{
	size_t scope = top(s)->scope;
	if (s->valid && s->scope == scope)
		return 0;
	drop_views(s);
	s->scope = scope;
	s->sst = scope_stats(s, scope);
	int rc = build_rows(s);
	if (rc == 0 && pv_calls_new(&s->calls, s->sst) < 0)
		rc = PV_ENOMEM;
	s->valid = rc == 0;
	return rc;
}

static long find_hash(pv_stats *st, uint64_t h)
{
	for (size_t i = 0; i < pv_stats_nentries(st); i++)
		if (pv_stats_key_hash(st, pv_stats_entry(st, i)->key) == h)
			return (long)i;
	return -1;
}

/* The function view's rows: the function, its callers, its callees. */
static int build_items(tui_state *s)
{
	struct hist *t = top(s);
	if (s->items_ok && s->items_fn == t->fn)
		return 0;
	s->nitems = s->ncallers = 0;
	s->entry = find_hash(s->sst, t->fn);
	s->items_fn = t->fn;
	if (s->entry >= 0) {
		const pv_call *cr, *ce;
		size_t ncr, nce;
		if (pv_calls_callers(s->calls, (size_t)s->entry, &cr, &ncr) < 0)
			return PV_ENOMEM;
		pv_calls_callees(s->calls, (size_t)s->entry, &ce, &nce);
		size_t need = 1 + ncr + nce;
		if (need > s->capitems) {
			struct item *n = realloc(s->items, need * sizeof(*n));
			if (!n)
				return PV_ENOMEM;
			s->items = n;
			s->capitems = need;
		}
		s->items[s->nitems++] = (struct item){.kind = ITEM_SELF, .call = {.key = pv_stats_entry(s->sst, (size_t)s->entry)->key}};
		for (size_t i = 0; i < ncr; i++)
			s->items[s->nitems++] = (struct item){.kind = ITEM_CALLER, .call = cr[i]};
		for (size_t i = 0; i < nce; i++)
			s->items[s->nitems++] = (struct item){.kind = ITEM_CALLEE, .call = ce[i]};
		s->ncallers = ncr;
	}
	s->items_ok = 1;
	return 0;
}

/* The frames shown: a walk of the open ones, in the tree's order. */
static int build_vis(tui_state *s)
{
	pv_tree *t = s->tree;
	size_t n = 0;
	uint32_t f = 0;
	while (f != PV_NOFRAME) {
		s->vis[n++] = f;
		const pv_frame *fr = &t->frames[f];
		if (s->open[f] && fr->first_child != PV_NOFRAME) {
			f = fr->first_child;
			continue;
		}
		/* next sibling of f or of the nearest ancestor */
		while (f != PV_NOFRAME && t->frames[f].next_sibling == PV_NOFRAME)
			f = t->frames[f].parent;
		if (f != PV_NOFRAME)
			f = t->frames[f].next_sibling;
	}
	s->nvis = n;
	return 0;
}

static int ensure_tree(tui_state *s)
{
	if (s->tree)
		return 0;
	pv_ctx ctx = {0};
	int rc = pv_tree_build(&s->tree, s->sst, &s->o.tree, &ctx);
	if (rc < 0) {
		snprintf(s->msg, sizeof(s->msg), "%s", ctx.msg);
		return rc;
	}
	size_t n = s->tree->nframes;
	if (!(s->open = calloc(n, 1)) || !(s->vis = malloc(n * sizeof(*s->vis))))
		return PV_ENOMEM;
	/* open: the root and the roots under it */
	for (size_t i = 0; i < n; i++)
		s->open[i] = s->tree->frames[i].depth < 2;
	return build_vis(s);
}

int tui_state_idle(tui_state *s)
{
	if (s->valid && s->tree)
		return 0;
	int rc = ensure(s);
	if (rc == 0 && !s->tree)
		rc = ensure_tree(s);
	return rc < 0 ? rc : 1;
}

/* Rows of the shown view. */
static size_t nrows_of(tui_state *s)
{
	switch (top(s)->view) {
	case TUI_FUNCS: return s->nrows;
	case TUI_FUNC: return s->nitems;
	case TUI_ENDPOINTS: return s->d->requests ? s->d->requests->nrows : 0;
	case TUI_TREE: return s->nvis;
	case TUI_HELP: return 0;
	}
	return 0;
}

static int prepare(tui_state *s)
{
	int rc = ensure(s);
	if (rc == 0 && top(s)->view == TUI_FUNC)
		rc = build_items(s);
	if (rc == 0 && top(s)->view == TUI_TREE)
		rc = ensure_tree(s);
	struct hist *t = top(s);
	size_t n = nrows_of(s);
	if (t->cur >= n)
		t->cur = n ? n - 1 : 0;
	return rc;
}

/* ---- keys ---------------------------------------------------------------- */

/* The name a row shows, for / and n: display text, or NULL (buf holds
 * the text of a merged tree frame). */
static const char *row_name(tui_state *s, size_t r, char buf[PV_TREE_NAME_MAX], size_t *len)
{
	switch (top(s)->view) {
	case TUI_FUNCS: return pv_stats_display(s->sst, pv_stats_entry(s->sst, s->rows[r])->key, len);
	case TUI_FUNC: return pv_stats_display(s->sst, s->items[r].call.key, len);
	case TUI_ENDPOINTS: {
		const char *e = s->d->requests->rows[r].endpoint;
		*len = strlen(e);
		return e;
	}
	case TUI_TREE: return pv_tree_name(s->tree, s->vis[r], buf, len);
	case TUI_HELP: break;
	}
	return NULL;
}

/* n / N: the next row (dir 1) or previous (-1) whose name the pattern
 * finds, wrapping around. */
static void next_match(tui_state *s, int dir)
{
	size_t n = nrows_of(s);
	if (!s->filter) {
		snprintf(s->msg, sizeof(s->msg), "no pattern: / REGEX Enter sets one");
		return;
	}
	struct hist *t = top(s);
	for (size_t k = 1; k <= n; k++) {
		size_t r = dir > 0 ? (t->cur + k) % n : (t->cur + n - k % n) % n;
		size_t len;
		char buf[PV_TREE_NAME_MAX];
		const char *name = row_name(s, r, buf, &len);
		pv_ctx ctx = {0};
		if (name && pv_select_keeps(s->filter, name, len, &ctx) == 1) {
			t->cur = r;
			return;
		}
	}
	snprintf(s->msg, sizeof(s->msg), "no row matches /%s/", s->pattern);
}

/* The / pattern: a filter on the functions table, a search elsewhere. */
static int set_pattern(tui_state *s, const char *pat)
{
	pv_select *sel = NULL;
	pv_ctx ctx = {0};
	if (*pat) {
		int rc = pv_select_new(&sel);
		if (rc == 0)
			rc = pv_select_add(sel, PV_SEL_MATCH, pat, &ctx);
		if (rc < 0) {
			pv_select_free(sel);
			if (rc == PV_ENOMEM)
				return rc;
			snprintf(s->msg, sizeof(s->msg), "%s", ctx.msg);
			return 0;
		}
	}
	pv_select_free(s->filter);
	s->filter = sel;
	snprintf(s->pattern, sizeof(s->pattern), "%s", pat);
	top(s)->cur = top(s)->top = 0;
	int rc = s->valid ? filter_rows(s) : 0;
	if (rc == 0)
		rc = prepare(s);
	if (rc == 0 && sel && top(s)->view != TUI_FUNCS) {
		top(s)->cur = nrows_of(s) ? nrows_of(s) - 1 : 0;
		next_match(s, 1);
	}
	return rc;
}

/* A new sort keeps the selected function selected. */
static int set_sort(tui_state *s, const char *spec)
{
	pv_sort *ns;
	pv_ctx ctx = {0};
	int rc = pv_sort_parse(&ns, spec, &ctx);
	if (rc < 0)
		return rc;
	uint32_t was = s->nrows && top(s)->cur < s->nrows ? s->rows[top(s)->cur] : UINT32_MAX;
	pv_sort_free(s->sort);
	s->sort = ns;
	s->sortspec = spec;
	if ((rc = s->valid ? build_rows(s) : 0) < 0 || (rc = prepare(s)) < 0)
		return rc;
	top(s)->cur = top(s)->top = 0;
	for (size_t r = 0; r < s->nrows; r++)
		if (s->rows[r] == was)
			top(s)->cur = r;
	return 0;
}

static int open_function(tui_state *s, uint32_t key)
{
	if (key >= PV_FRAME_GROUP)
		return 0;
	int rc = push(s, TUI_FUNC, top(s)->scope, pv_stats_key_hash(s->sst, key));
	if (rc == 0)
		top(s)->cur = 0;
	return rc;
}

static int enter(tui_state *s)
{
	struct hist *t = top(s);
	size_t n = nrows_of(s);
	if (!n)
		return 0;
	switch (t->view) {
	case TUI_FUNCS: return open_function(s, pv_stats_entry(s->sst, s->rows[t->cur])->key);
	case TUI_FUNC:
		if (s->items[t->cur].kind == ITEM_SELF)
			return 0;
		return open_function(s, s->items[t->cur].call.key);
	case TUI_ENDPOINTS: return push(s, TUI_FUNCS, s->d->requests->rows[t->cur].group, 0);
	case TUI_TREE: return open_function(s, s->tree->frames[s->vis[t->cur]].key);
	case TUI_HELP: break;
	}
	return 0;
}

static void back(tui_state *s)
{
	if (s->nh > 1)
		s->nh--;
	else if (s->filter)
		set_pattern(s, "");
}

/* + / -: open or close the selected frame (* opens all below it) */
static void tree_open(tui_state *s, int how)
{
	struct hist *t = top(s);
	if (!s->nvis)
		return;
	uint32_t f = s->vis[t->cur];
	const pv_frame *fr = &s->tree->frames[f];
	if (how < 0 && (!s->open[f] || fr->first_child == PV_NOFRAME) && fr->parent != PV_NOFRAME) {
		/* closing a closed frame closes its parent, selected */
		f = fr->parent;
		for (size_t r = 0; r < s->nvis; r++)
			if (s->vis[r] == f)
				t->cur = r;
	}
	s->open[f] = how > 0;
	if (how == 2) { /* the frames below f come after it, before the next at its depth */
		for (size_t i = f + 1; i < s->tree->nframes && s->tree->frames[i].depth > fr->depth; i++)
			s->open[i] = 1;
	}
	build_vis(s);
}

static int key_prompt(tui_state *s, int key)
{
	if (key == TUI_KEY_ENTER) {
		s->prompting = 0;
		s->prompt[s->plen] = '\0';
		return set_pattern(s, s->prompt);
	}
	if (key == TUI_KEY_ESC) {
		s->prompting = 0;
		return 0;
	}
	if (key == TUI_KEY_BACKSPACE) {
		/* drop a whole UTF-8 character */
		while (s->plen && ((unsigned char)s->prompt[s->plen - 1] & 0xc0) == 0x80)
			s->plen--;
		if (s->plen)
			s->plen--;
		return 0;
	}
	if (key >= 0x20 && key < 0x100 && key != 0x7f && s->plen + 1 < sizeof(s->prompt))
		s->prompt[s->plen++] = (char)key;
	return 0;
}

int tui_state_key(tui_state *s, int key)
{
	int rc;
	s->msg[0] = '\0';
	if (s->prompting)
		return key_prompt(s, key);
	if ((rc = prepare(s)) < 0)
		return rc;
	struct hist *t = top(s);
	size_t n = nrows_of(s), page = s->page > 1 ? (size_t)s->page - 1 : 1;
	switch (key) {
	case 'q': return TUI_QUIT;
	case TUI_KEY_UP:
	case 'k':
		if (t->cur)
			t->cur--;
		break;
	case TUI_KEY_DOWN:
	case 'j':
		if (t->cur + 1 < n)
			t->cur++;
		break;
	case TUI_KEY_PGUP: t->cur = t->cur > page ? t->cur - page : 0; break;
	case TUI_KEY_PGDN:
		t->cur = n && t->cur + page < n ? t->cur + page : n ? n - 1
								    : 0;
		break;
	case TUI_KEY_HOME:
	case 'g': t->cur = 0; break;
	case TUI_KEY_END:
	case 'G': t->cur = n ? n - 1 : 0; break;
	case TUI_KEY_ENTER: rc = enter(s); break;
	case TUI_KEY_ESC:
	case TUI_KEY_BACKSPACE:
	case 'h': back(s); break;
	case '/':
		s->prompting = 1;
		s->plen = 0;
		break;
	case 'n': next_match(s, 1); break;
	case 'N': next_match(s, -1); break;
	case '?':
		if (t->view != TUI_HELP)
			rc = push(s, TUI_HELP, t->scope, 0);
		else
			back(s);
		break;
	case 'e':
		if (!s->d->requests || !s->d->requests->nrows)
			snprintf(s->msg, sizeof(s->msg), "no endpoints: the file names carry no requests");
		else if (t->view != TUI_ENDPOINTS)
			rc = push(s, TUI_ENDPOINTS, PV_GROUPS_ALL, 0);
		break;
	case 't':
		if (t->view != TUI_TREE)
			rc = push(s, TUI_TREE, t->scope, 0);
		break;
	case 'f': /* the functions table of the scope */
		if (t->view != TUI_FUNCS)
			rc = push(s, TUI_FUNCS, t->scope, 0);
		break;
	case 's':
	case 'T':
	case 'U':
	case 'C':
	case 'F':
		if (t->view != TUI_FUNCS)
			break;
		if (key == 's') {
			size_t i = 0;
			while (sorts[i] && strcmp(sorts[i], s->sortspec))
				i++;
			rc = set_sort(s, sorts[i] && sorts[i + 1] ? sorts[i + 1] : sorts[0]);
		} else {
			rc = set_sort(s, key == 'T' ? "tottime" : key == 'U' ? "cumulative"
							  : key == 'C'       ? "calls"
									     : "stdname");
		}
		break;
	case '+':
	case '=':
	case TUI_KEY_RIGHT:
		if (t->view == TUI_TREE)
			tree_open(s, 1);
		break;
	case '*':
		if (t->view == TUI_TREE)
			tree_open(s, 2);
		break;
	case '-':
	case TUI_KEY_LEFT:
		if (t->view == TUI_TREE)
			tree_open(s, -1);
		break;
	}
	if (rc < 0)
		return rc;
	return prepare(s);
}

/* ---- drawing ------------------------------------------------------------- */

/* "%8.3f" of x seconds in the unit; NaN as Python prints it */
static void f8(char *b, double x, double scale)
{
	if (isnan(x))
		strcpy(b, "     nan");
	else
		pv_format_f3(b, PV_F3_MAX, x * scale, 8);
}

static void put_f8(struct tui_line *l, double x, double scale)
{
	char b[PV_F3_MAX];
	f8(b, x, scale);
	tui_line_puts(l, b);
}

/* str(nc) if nc == cc else "nc/cc", right-aligned in w */
static void put_count(struct tui_line *l, pv_int nc, pv_int cc, int w)
{
	char c[96];
	size_t n = pv_int_format(c, nc);
	if (nc != cc) {
		c[n++] = '/';
		n += pv_int_format(c + n, cc);
	}
	for (int i = (int)n; i < w; i++)
		tui_line_puts(l, " ");
	tui_line_put(l, c, n);
}

static void put_name(tui_state *s, struct tui_line *l, uint32_t key)
{
	size_t len;
	const char *name = pv_stats_display(s->sst, key, &len);
	if (name)
		tui_line_put(l, name, len);
}

/* A report row: "   ncalls  tottime  percall  cumtime  percall name" */
static void put_entry(tui_state *s, struct tui_line *l, const pv_entry *e)
{
	char b[PV_F3_MAX];
	put_count(l, pv_entry_nc(e), pv_entry_cc(e), 9);
	tui_line_puts(l, " ");
	put_f8(l, pv_num_to_double(pv_entry_tt(e)), s->scale);
	tui_line_puts(l, " ");
	if (pv_entry_nc(e) == 0)
		tui_line_puts(l, "        ");
	else
		put_f8(l, pv_num_div_int(pv_entry_tt(e), pv_entry_nc(e)), s->scale);
	tui_line_puts(l, " ");
	put_f8(l, pv_num_to_double(pv_entry_ct(e)), s->scale);
	tui_line_puts(l, " ");
	if (pv_entry_cc(e) == 0)
		tui_line_puts(l, "        ");
	else {
		f8(b, pv_num_div_int(pv_entry_ct(e), pv_entry_cc(e)), s->scale);
		tui_line_puts(l, b);
	}
	tui_line_puts(l, " ");
	put_name(s, l, e->key);
}

static const char stats_head[] = "   ncalls  tottime  percall  cumtime  percall filename:lineno(function)";

static void put_head(tui_state *s, struct tui_line *l, const char *text)
{
	tui_line_puts(l, text);
	if (s->scale != 1) {
		tui_line_puts(l, "  [times in ");
		tui_line_puts(l, s->unit_word);
		tui_line_puts(l, "]");
	}
}

/* Rows [top, top + h) of a view of n rows keep cur in sight. */
static void scroll(struct hist *t, size_t n, int h)
{
	size_t hh = h > 0 ? (size_t)h : 1;
	if (t->cur < t->top)
		t->top = t->cur;
	if (t->cur >= t->top + hh)
		t->top = t->cur - hh + 1;
	if (t->top + hh > n)
		t->top = n > hh ? n - hh : 0;
}

static void draw_funcs(tui_state *s, struct tui_screen *scr, int y0, int h)
{
	struct hist *t = top(s);
	struct tui_line l = line_at(scr, y0 - 1, TUI_A_HEAD);
	put_head(s, &l, stats_head);
	done(&l);
	scroll(t, s->nrows, h);
	for (int y = 0; y < h && t->top + (size_t)y < s->nrows; y++) {
		size_t r = t->top + (size_t)y;
		l = line_at(scr, y0 + y, r == t->cur ? TUI_A_CURSOR : TUI_A_NORMAL);
		put_entry(s, &l, pv_stats_entry(s->sst, s->rows[r]));
		done(&l);
	}
	if (!s->nrows) {
		l = line_at(scr, y0, TUI_A_NORMAL);
		tui_line_puts(&l, s->filter ? "   no function matches the filter (Esc clears it)"
					    : "   no function");
		done(&l);
	}
}

/* A caller or callee row: "   ncalls  tottime  cumtime  name", as
 * print_callers prints an edge (the profile module's int edges: the count
 * and the other function's cumulative time). */
static void put_call(tui_state *s, struct tui_line *l, const pv_call *c)
{
	pv_int nc, cc;
	double tt, ct;
	pv_call_numbers(s->sst, c, &nc, &cc, &tt, &ct);
	tui_line_puts(l, "  ");
	put_count(l, nc, cc, 9);
	tui_line_puts(l, " ");
	if (c->edge->is_tuple)
		put_f8(l, tt, s->scale);
	else
		tui_line_puts(l, "        ");
	tui_line_puts(l, " ");
	put_f8(l, ct, s->scale);
	tui_line_puts(l, "  ");
	put_name(s, l, c->key);
}

static void draw_func(tui_state *s, struct tui_screen *scr, int y0, int h)
{
	struct hist *t = top(s);
	struct tui_line l = line_at(scr, y0 - 1, TUI_A_HEAD);
	if (s->entry < 0) {
		tui_line_puts(&l, "   this function is not in the profiles shown (Esc goes back)");
		done(&l);
		return;
	}
	put_head(s, &l, stats_head);
	done(&l);
	/* lines: the function, "called by", callers, "calls", callees */
	size_t nlines = s->nitems + 2, cur_line = t->cur + (t->cur ? 1 : 0) +
						  (t->cur > s->ncallers ? 1 : 0);
	struct hist v = {.cur = cur_line, .top = t->top};
	scroll(&v, nlines, h);
	t->top = v.top;
	for (int y = 0; y < h && v.top + (size_t)y < nlines; y++) {
		size_t ln = v.top + (size_t)y;
		if (ln == 1 || ln == s->ncallers + 2) {
			int callers = ln == 1;
			size_t k = callers ? s->ncallers : s->nitems - 1 - s->ncallers;
			l = line_at(scr, y0 + y, TUI_A_HEAD);
			char b[160];
			snprintf(b, sizeof(b), "     ncalls  tottime  cumtime  %s (%zu)",
				 callers ? "called by" : "calls", k);
			tui_line_puts(&l, b);
			done(&l);
			continue;
		}
		size_t it = ln == 0 ? 0 : ln <= s->ncallers + 1 ? ln - 1
								: ln - 2;
		l = line_at(scr, y0 + y, it == t->cur ? TUI_A_CURSOR : TUI_A_NORMAL);
		if (s->items[it].kind == ITEM_SELF)
			put_entry(s, &l, pv_stats_entry(s->sst, (size_t)s->entry));
		else
			put_call(s, &l, &s->items[it].call);
		done(&l);
	}
}

static void draw_endpoints(tui_state *s, struct tui_screen *scr, int y0, int h)
{
	struct hist *t = top(s);
	const pv_reqview *v = s->d->requests;
	double max = 0;
	int w = 8;
	for (size_t i = 0; i < v->nrows; i++) {
		max = v->rows[i].max > max ? v->rows[i].max : max;
		int tw = tui_text_width(v->rows[i].endpoint, strlen(v->rows[i].endpoint));
		w = tw > w ? tw : w;
	}
	/* --unit as --requests reads it: ms unless asked */
	const char *u = s->o.unit ? s->o.unit : "ms";
	if (!strcmp(u, "auto"))
		u = max >= 1 ? "s" : max >= 1e-3 || max == 0 || max != max ? "ms"
									   : "us";
	double k = !strcmp(u, "s") ? 1 : !strcmp(u, "us") ? 1e6
							  : 1e3;
	char b[512];
	struct tui_line l = line_at(scr, y0 - 1, TUI_A_HEAD);
	char h1[16], h2[16], h3[16], h4[16], h5[16];
	snprintf(h1, sizeof(h1), "total %s", u);
	snprintf(h2, sizeof(h2), "mean %s", u);
	snprintf(h3, sizeof(h3), "p50 %s", u);
	snprintf(h4, sizeof(h4), "p95 %s", u);
	snprintf(h5, sizeof(h5), "max %s", u);
	tui_line_puts(&l, "endpoint");
	tui_line_pad(&l, w);
	snprintf(b, sizeof(b), " %8s %10s %9s %9s %9s %9s %10s", "profiles", h1, h2, h3, h4, h5,
		 "calls");
	tui_line_puts(&l, b);
	done(&l);
	scroll(t, v->nrows, h);
	for (int y = 0; y < h && t->top + (size_t)y < v->nrows; y++) {
		size_t r = t->top + (size_t)y;
		const pv_reqrow *row = &v->rows[r];
		l = line_at(scr, y0 + y, r == t->cur ? TUI_A_CURSOR : TUI_A_NORMAL);
		tui_line_puts(&l, row->endpoint);
		tui_line_pad(&l, w);
		char calls[48];
		pv_int_format(calls, row->calls);
		snprintf(b, sizeof(b), " %8zu %10.1f %9.1f %9.1f %9.1f %9.1f %10s", row->profiles,
			 row->total * k, row->mean * k, row->p50 * k, row->p95 * k, row->max * k, calls);
		tui_line_puts(&l, b);
		done(&l);
	}
}

static void draw_tree(tui_state *s, struct tui_screen *scr, int y0, int h)
{
	struct hist *t = top(s);
	pv_tree *tr = s->tree;
	struct tui_line l = line_at(scr, y0 - 1, TUI_A_HEAD);
	char b[PV_F3_MAX + 160];
	double est = tr->total ? 100.0 * (double)tr->estimated / (double)tr->total : 0;
	snprintf(b, sizeof(b), "  share  %s  (~ estimated: %.1f%% of the width; @ recursive)",
		 s->scale == 1e3 ? "     ms" : s->scale == 1e6 ? "     us"
							       : "      s",
		 est);
	tui_line_puts(&l, b);
	done(&l);
	scroll(t, s->nvis, h);
	for (int y = 0; y < h && t->top + (size_t)y < s->nvis; y++) {
		size_t r = t->top + (size_t)y;
		uint32_t f = s->vis[r];
		const pv_frame *fr = &tr->frames[f];
		l = line_at(scr, y0 + y, r == t->cur ? TUI_A_CURSOR : fr->flags & PV_FRAME_ESTIMATED ? TUI_A_MARK
												     : TUI_A_NORMAL);
		double share = tr->total ? 100.0 * (double)fr->weight / (double)tr->total : 0;
		double secs = (double)fr->weight * (double)tr->tick_ns / 1e9;
		char num[PV_F3_MAX];
		pv_format_f3(num, sizeof(num), secs * s->scale, 7);
		snprintf(b, sizeof(b), "%6.1f%% %s %c", share, num,
			 fr->flags & PV_FRAME_RECURSIVE ? '@' : fr->flags & PV_FRAME_ESTIMATED ? '~'
											       : ' ');
		tui_line_puts(&l, b);
		for (uint32_t d = 0; d < fr->depth; d++)
			tui_line_puts(&l, "  ");
		tui_line_puts(&l, fr->first_child == PV_NOFRAME ? "  " : s->open[f] ? "- "
										    : "+ ");
		char nb[PV_TREE_NAME_MAX];
		size_t len;
		const char *name = pv_tree_name(tr, f, nb, &len);
		if (name)
			tui_line_put(&l, name, len);
		done(&l);
	}
}

static const char *const help[] = {
	"Keys",
	"",
	"  Up/Down, k/j        move",
	"  PgUp/PgDn           a page up or down",
	"  Home/End, g/G       first or last row",
	"  Enter               open: a function (its callers and callees), an",
	"                      endpoint (everything scoped to it)",
	"  Esc, Backspace, h   back (the history, as a web browser's)",
	"  s                   next sort: time,calls  cumulative  calls  stdname",
	"  T U C F             sort by tottime, cumtime (U), ncalls, file:line(name)",
	"  / REGEX Enter       filter the functions (a search in the other views)",
	"  n, N                next, previous row the pattern matches",
	"  Esc                 (in the functions table) clear the filter",
	"  f                   the functions table",
	"  e                   the endpoints (--requests table); Enter scopes to one",
	"  t                   the call tree; + or Right opens, - or Left closes,",
	"                      * opens everything below",
	"                      ~ marks estimated widths, @ recursion (not expanded)",
	"  ?                   this help (? or Esc leaves it)",
	"  q                   quit",
	NULL,
};

static void draw_help(struct tui_screen *scr, int y0, int h)
{
	for (int y = 0; y < h + 1 && help[y]; y++) {
		struct tui_line l = line_at(scr, y0 - 1 + y, y ? TUI_A_NORMAL : TUI_A_HEAD);
		tui_line_puts(&l, help[y]);
		done(&l);
	}
}

static const char *view_name(enum tui_view v)
{
	static const char *const names[] = {"functions", "function", "endpoints", "call tree",
					    "help"};
	return names[v];
}

/* The first and last request time of the scope (NAN: no names with times). */
static void time_range(tui_state *s, double *first, double *last)
{
	size_t n = 0;
	const pv_reqinfo *r = NULL;
	if (s->d->groups)
		r = pv_groups_requests(s->d->groups, top(s)->scope, &n);
	for (size_t i = 0; i < n; i++) {
		if (isnan(r[i].time))
			continue;
		if (isnan(*first) || r[i].time < *first)
			*first = r[i].time;
		if (isnan(*last) || r[i].time > *last)
			*last = r[i].time;
	}
}

static void draw_header(tui_state *s, struct tui_screen *scr)
{
	char b[512], a[48], p[48], tt[PV_F3_MAX];
	struct tui_line l = line_at(scr, 0, TUI_A_TITLE);
	tui_line_puts(&l, "profview: ");
	tui_line_puts(&l, s->d->summary ? s->d->summary : "");
	done(&l);
	if (scr->rows < 2)
		return;
	l = line_at(scr, 1, TUI_A_TITLE);
	pv_int calls = pv_stats_total_calls(s->sst), prim = pv_stats_prim_calls(s->sst);
	pv_int_format(a, calls);
	pv_int_format(p, prim);
	pv_format_f3(tt, sizeof(tt), pv_num_to_double(pv_stats_total_tt(s->sst)), 0);
	snprintf(b, sizeof(b), "%s function calls (%s primitive) in %s seconds", a, p, tt);
	tui_line_puts(&l, b);
	double first = NAN, last = NAN;
	time_range(s, &first, &last);
	if (!isnan(first)) {
		char t0[32], t1[32];
		struct tm tm;
		time_t x = (time_t)first, y = (time_t)last;
		strftime(t0, sizeof(t0), "%Y-%m-%d %H:%M:%S", localtime_r(&x, &tm));
		strftime(t1, sizeof(t1), "%Y-%m-%d %H:%M:%S", localtime_r(&y, &tm));
		snprintf(b, sizeof(b), ", %s to %s", t0, t1);
		tui_line_puts(&l, b);
	}
	done(&l);
	if (scr->rows < 3)
		return;
	l = line_at(scr, 2, TUI_A_TITLE);
	struct hist *t = top(s);
	tui_line_puts(&l, "[");
	tui_line_puts(&l, view_name(t->view));
	tui_line_puts(&l, "] sort: ");
	const char *d = pv_sort_description(s->sort);
	tui_line_puts(&l, d ? d : "none (file order)");
	if (s->filter) {
		tui_line_puts(&l, "  filter: /");
		tui_line_puts(&l, s->pattern);
		tui_line_puts(&l, "/");
	}
	if (t->scope != PV_GROUPS_ALL && s->d->groups) {
		tui_line_puts(&l, "  endpoint: ");
		tui_line_puts(&l, pv_groups_name(s->d->groups, t->scope));
	}
	if (t->view == TUI_FUNCS && s->view.nrows != s->nrows) {
		snprintf(b, sizeof(b), "  (%zu of %zu)", s->nrows, s->view.nrows);
		tui_line_puts(&l, b);
	}
	done(&l);
}

static const char keys_line[] =
	"Enter open  Esc back  s sort  / filter  n next  e endpoints  t tree  ? help  q quit";

int tui_state_render(tui_state *s, struct tui_screen *scr)
{
	int rc = prepare(s);
	if (rc < 0)
		return rc;
	for (int y = 0; y < scr->rows; y++) {
		struct tui_line l = line_at(scr, y, TUI_A_NORMAL);
		done(&l);
	}
	/* header 3 lines, column titles, body, key line */
	int y0 = 4, h = scr->rows - y0 - 1;
	s->page = h > 1 ? h : 1;
	draw_header(s, scr);
	if (h > 0) {
		switch (top(s)->view) {
		case TUI_FUNCS: draw_funcs(s, scr, y0, h); break;
		case TUI_FUNC: draw_func(s, scr, y0, h); break;
		case TUI_ENDPOINTS: draw_endpoints(s, scr, y0, h); break;
		case TUI_TREE:
			if (s->tree)
				draw_tree(s, scr, y0, h);
			break;
		case TUI_HELP: draw_help(scr, y0, h); break;
		}
	}
	if (scr->rows >= 2) {
		int y = scr->rows - 1;
		struct tui_line l = line_at(scr, y, s->msg[0] ? TUI_A_ERROR : TUI_A_KEYS);
		if (s->prompting) {
			tui_line_puts(&l, "/");
			tui_line_put(&l, s->prompt, s->plen);
			tui_line_puts(&l, "_");
		} else {
			tui_line_puts(&l, s->msg[0] ? s->msg : keys_line);
		}
		done(&l);
	}
	return 0;
}
