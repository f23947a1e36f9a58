/*
 * folded.c - Brendan Gregg's folded stacks: one line per frame with self
 * time, "root;child;leaf 123", the frames named as the report shows them,
 * the count in integer microseconds (flamegraph.pl, inferno and speedscope
 * read it).  The synthetic root is left out (flamegraph.pl draws its own
 * "all"); endpoint groups, "[N smaller]" frames are ordinary frames.
 *
 * A ';' inside a name would split the frame and a line break would end the
 * line: they are written \x3b, \n, \r (other control characters \xHH), and
 * a backslash \\, so every name reads back unambiguously.
 *
 * With --diff BASE, flamegraph.pl's difffolded format: "stack before
 * after", both in integer microseconds per request (of the stack's
 * endpoint, when the names carry requests), the current set's stacks
 * first, then those only the base has (after 0); flamegraph.pl and
 * inferno draw the widths from the second column and the colours from
 * the difference.
 *
 * The lines stop at --max-output bytes (64 MiB by default; flame.h says
 * why): the time of the stacks not written goes to one last line,
 * "[N stacks cut: ...] TIME".
 */
#include <math.h>

#include "flame.h"
#include "flamediff.h"
#include "out.h"

static int put_name(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
	/* at most 4 bytes per input byte */
	if (pv_grow(buf, cap, *len + 4 * n + 2, 1) < 0)
		return PV_ENOMEM;
	char *p = *buf + *len;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (flame_surrogate(s, i, n)) {
			memcpy(p, "\xef\xbf\xbd", 3);
			p += 3;
			i += 2;
		} else if (c == ';') {
			memcpy(p, "\\x3b", 4);
			p += 4;
		} else if (c == '\\') {
			*p++ = '\\';
			*p++ = '\\';
		} else if (c == '\n') {
			*p++ = '\\';
			*p++ = 'n';
		} else if (c == '\r') {
			*p++ = '\\';
			*p++ = 'r';
		} else if (c < 0x20 || c == 0x7f) {
			static const char hex[] = "0123456789abcdef";
			*p++ = '\\';
			*p++ = 'x';
			*p++ = hex[c >> 4];
			*p++ = hex[c & 15];
		} else {
			*p++ = (char)c;
		}
	}
	*len = (size_t)(p - *buf);
	return 0;
}

/* The stack path "root;child;leaf" of the frame a walk in flame_next order
 * is at: at[d] is the path's length at depth d, so a frame's path is its
 * parent's with ";name" after it. */
typedef struct {
	char *buf;
	size_t len, cap;
	size_t *at;
} stack_path;

static int path_init(stack_path *p, const pv_tree *t)
{
	*p = (stack_path){0};
	p->at = pv_malloc(((size_t)flame_max_depth(t) + 2) * sizeof(*p->at));
	if (!p->at)
		return PV_ENOMEM;
	p->at[0] = 0;
	return 0;
}

static void path_free(stack_path *p)
{
	free(p->at);
	free(p->buf);
}

/* p->buf[0..p->len): the path of frame i (whose parent's path p holds). */
static int push_frame(stack_path *p, const pv_tree *t, uint32_t i)
{
	const pv_frame *f = &t->frames[i];
	char nb[PV_TREE_NAME_MAX];
	size_t n;
	const char *s = pv_tree_name(t, i, nb, &n);
	if (!s)
		return PV_ENOMEM;
	p->len = p->at[f->depth - 1];
	if (f->depth > 1) {
		if (pv_grow(&p->buf, &p->cap, p->len + 1, 1) < 0)
			return PV_ENOMEM;
		p->buf[p->len++] = ';';
	}
	if (put_name(&p->buf, &p->len, &p->cap, s, n) < 0)
		return PV_ENOMEM;
	p->at[f->depth] = p->len;
	return 0;
}

/* The stacks of t with "before after" (d matched t to the other tree);
 * gone: only the frames of t without a match, t being the base. */
static int diff_lines(pv_out *out, const pv_tree *t, const flame_diff *d, int gone)
{
	int rc = PV_ENOMEM;
	stack_path p;
	if (path_init(&p, t) < 0)
		goto out;
	for (uint32_t i = t->frames[0].first_child; i != PV_NOFRAME; i = flame_next(t, i)) {
		if (push_frame(&p, t, i) < 0)
			goto out;
		if (gone && d->match[i] != PV_NOFRAME)
			continue;
		uint64_t self = (uint64_t)llround(d->self[i]), other = (uint64_t)llround(d->other[i]);
		if (!self && !other)
			continue;
		out_put(out, p.buf, p.len);
		out_c(out, ' ');
		out_u64(out, gone ? self : other);
		out_c(out, ' ');
		out_u64(out, gone ? 0 : self);
		out_c(out, '\n');
	}
	rc = 0;
out:
	path_free(&p);
	return rc;
}

static int folded_diff(FILE *file, const pv_views *v, pv_ctx *ctx)
{
	flame_diff dc = {0}, db = {0};
	pv_out *out = out_open(file);
	int rc = PV_ENOMEM;
	if (out && flame_diff_build(&dc, v->tree, v->base_tree) == 0 &&
	    flame_diff_build(&db, v->base_tree, v->tree) == 0 && diff_lines(out, v->tree, &dc, 0) == 0)
		rc = diff_lines(out, v->base_tree, &db, 1);
	out_close(out);
	flame_diff_free(&dc);
	flame_diff_free(&db);
	return rc < 0 ? pv_fail(ctx, rc, PV_NOOFF, "out of memory") : 0;
}

static int folded_write(FILE *file, const pv_views *v, pv_write_opts *o, pv_ctx *ctx)
{
	if (v->mode == PV_MODE_DIFF)
		return folded_diff(file, v, ctx);
	/* one frame per endpoint when the names carry requests */
	const pv_tree *t = v->group_tree ? v->group_tree : v->tree;
	int rc = PV_ENOMEM;
	stack_path p;
	pv_out *out = out_open(file);
	flame_budget bud;
	flame_budget_init(&bud, o->max_output);
	if (path_init(&p, t) < 0 || !out)
		goto out;
	for (uint32_t i = t->frames[0].first_child; i != PV_NOFRAME; i = flame_next(t, i)) {
		const pv_frame *f = &t->frames[i];
		if (bud.cutting) { /* no more lines: only the time they held */
			if (f->self)
				flame_budget_take(&bud, 0, f->self);
			continue;
		}
		if (push_frame(&p, t, i) < 0)
			goto out;
		if (f->self && flame_budget_take(&bud, p.len + 2 + flame_digits(f->self), f->self)) {
			out_put(out, p.buf, p.len);
			out_c(out, ' ');
			out_u64(out, f->self);
			out_c(out, '\n');
		}
	}
	if (bud.ncut) { /* the cut stacks' time, so the total stays exact */
		char name[128];
		flame_cut_name(name, sizeof(name), &bud, o->max_output);
		out_s(out, name);
		out_c(out, ' ');
		out_u64(out, bud.cut_ticks);
		out_c(out, '\n');
	}
	flame_budget_report(&bud, o, t->frames[0].weight);
	rc = 0;
out:
	out_close(out);
	path_free(&p);
	return rc < 0 ? pv_fail(ctx, rc, PV_NOOFF, "out of memory") : 0;
}

const pv_writer pv_writer_folded = {
	.name = "folded",
	.flags = PV_W_TREE | PV_W_GROUPS | PV_W_OWN_ORDER,
	.modes = PV_MODE_STATS | PV_MODE_DIFF,
	.help = "folded stacks, microseconds (flamegraph.pl, inferno, speedscope); with --diff, "
		"\"stack before after\" per request (difffolded)",
	.write = folded_write,
};
