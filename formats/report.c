/*
 * report.c - the pstats text report: print_stats, print_callers and
 * print_callees, byte for byte as CPython 3.11 prints them (see
 * shared/spec/pstats.md section 4).  Widths count code points; numbers use
 * printf's %8.3f, which rounds exactly as Python does.
 */
#define _GNU_SOURCE /* qsort_r */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "modes.h"
#include "out.h"

/* "%8.3f" % x into o (PV_F3_MAX bytes); Python prints a NaN of either
 * sign as "nan".  Returns the length. */
static size_t f8_text(char *o, double x, double scale)
{
	if (scale != 1)
		x *= scale;
	if (isnan(x)) {
		memcpy(o, "     nan", 8);
		return 8;
	}
	return pv_format_f3(o, PV_F3_MAX, x, 8);
}

static void f8(pv_out *fp, double x)
{
	char b[PV_F3_MAX];
	out_put(fp, b, f8_text(b, x, fp->scale));
}

static void spaces(pv_out *fp, size_t n)
{
	static const char blank[64] = "                                                               ";
	while (n > 0) {
		size_t k = n < sizeof(blank) - 1 ? n : sizeof(blank) - 1;
		out_put(fp, blank, k);
		n -= k;
	}
}

/* s.ljust(w) / s.rjust(w), w in code points */
static void ljust(pv_out *fp, const char *s, size_t n, size_t w)
{
	out_put(fp, s, n);
	size_t cp = pv_utf8_len(s, n);
	if (cp < w)
		spaces(fp, w - cp);
}

static void rjust(pv_out *fp, const char *s, size_t n, size_t w)
{
	size_t cp = pv_utf8_len(s, n);
	if (cp < w)
		spaces(fp, w - cp);
	out_put(fp, s, n);
}

/* str(nc) if nc == cc else "nc/cc" */
static size_t count_text(char *buf, pv_int nc, pv_int cc)
{
	size_t n = pv_int_format(buf, nc);
	if (nc != cc) {
		buf[n++] = '/';
		n += pv_int_format(buf + n, cc);
	}
	return n;
}

/* A display string and its width; when there is no memory for it, an
 * empty one, and fp->failed makes the writer fail with a message. */
static const char *display_w(pv_out *fp, pv_stats *st, uint32_t key, size_t *len, size_t *width)
{
	const char *s = pv_stats_display_w(st, key, len, width);
	if (!s) {
		fp->failed = 1;
		*len = *width = 0;
		return "";
	}
	return s;
}

static const char *display(pv_out *fp, pv_stats *st, uint32_t key, size_t *len)
{
	size_t width;
	return display_w(fp, st, key, len, &width);
}

static const char *unit_word(double scale)
{
	return scale == 1e3 ? "milliseconds" : scale == 1e6 ? "microseconds"
							    : "seconds";
}

static void times_in(pv_out *fp)
{
	out_s(fp, "  [times in ");
	out_s(fp, unit_word(fp->scale));
	out_c(fp, ']');
}

static void header(pv_out *fp, pv_stats *st, const pv_write_opts *o)
{
	char a[48], b[48];
	if (o->summary) {
		out_s(fp, o->summary);
		out_s(fp, "\n\n");
	}
	/* top_level: entries called by pstats' legacy ('jprofile', 0, 'profiler')
	 * marker (real profiles have none) */
	long jp = pv_stats_lookup_key(st, "jprofile", 8, 0, "profiler", 8);
	for (size_t i = 0; jp >= 0 && i < pv_stats_nentries(st); i++) {
		const pv_entry *e = pv_stats_entry(st, i);
		for (uint32_t id = e->first_edge; id; id = pv_stats_edge(st, id)->next) {
			if (pv_stats_edge(st, id)->caller == (uint32_t)jp) {
				size_t len;
				const char *name = pv_stats_str(st, pv_stats_key(st, e->key)->name, &len);
				out_s(fp, "         ");
				out_put(fp, name, len);
				out_c(fp, '\n');
				break;
			}
		}
	}
	pv_int calls = pv_stats_total_calls(st), prim = pv_stats_prim_calls(st);
	pv_int_format(a, calls);
	out_s(fp, "         ");
	out_s(fp, a);
	out_s(fp, " function calls ");
	if (calls != prim) {
		pv_int_format(b, prim);
		out_c(fp, '(');
		out_s(fp, b);
		out_s(fp, " primitive calls) ");
	}
	double tt = pv_num_to_double(pv_stats_total_tt(st)) * fp->scale;
	char t[PV_F3_MAX];
	if (isnan(tt)) /* Python prints a NaN of either sign as "nan" */
		strcpy(t, "nan");
	else
		pv_format_f3(t, sizeof(t), tt, 0);
	out_s(fp, "in ");
	out_s(fp, t);
	out_c(fp, ' ');
	out_s(fp, unit_word(fp->scale));
	out_s(fp, "\n\n");
}

/* get_print_list()'s message: the order line, the restriction notes, a
 * blank line. */
static void order_lines(pv_out *fp, const pv_view *v)
{
	if (v->ordered) {
		out_s(fp, "   Ordered by: ");
		out_s(fp, v->order);
		out_c(fp, '\n');
	} else
		out_s(fp, "   Random listing order was used\n");
	out_s(fp, v->notes ? v->notes : "");
	out_c(fp, '\n');
}

static void print_stats(pv_out *fp, pv_stats *st, const pv_view *v)
{
	out_s(fp, "   ncalls  tottime  percall  cumtime  percall filename:lineno(function)");
	if (fp->scale != 1) /* pstats' title, and the unit when it is not seconds */
		times_in(fp);
	out_c(fp, '\n');
	/* the numeric columns of a row are put together here and written at
	 * once: a row is about ten pieces, and stdio per piece was a third of
	 * the report's time */
	char line[96 + 4 * (PV_F3_MAX + 1)];
	char *name = NULL; /* each name is shown once here: not kept */
	size_t capname = 0;
	for (size_t r = 0; r < v->nrows; r++) {
		const pv_entry *e = pv_stats_entry(st, v->rows[r]);
		char c[96];
		size_t n = count_text(c, pv_entry_nc(e), pv_entry_cc(e)), len, m = 0;
		if (n < 9) { /* ASCII: bytes are code points */
			memset(line, ' ', 9 - n);
			m = 9 - n;
		}
		memcpy(line + m, c, n);
		m += n;
		line[m++] = ' ';
		m += f8_text(line + m, pv_num_to_double(pv_entry_tt(e)), fp->scale);
		line[m++] = ' ';
		if (pv_entry_nc(e) == 0) {
			memset(line + m, ' ', 8);
			m += 8;
		} else {
			m += f8_text(line + m, pv_num_div_int(pv_entry_tt(e), pv_entry_nc(e)), fp->scale);
		}
		line[m++] = ' ';
		m += f8_text(line + m, pv_num_to_double(pv_entry_ct(e)), fp->scale);
		line[m++] = ' ';
		if (pv_entry_cc(e) == 0) {
			memset(line + m, ' ', 8);
			m += 8;
		} else {
			m += f8_text(line + m, pv_num_div_int(pv_entry_ct(e), pv_entry_cc(e)), fp->scale);
		}
		line[m++] = ' ';
		out_put(fp, line, m);
		const char *s = pv_stats_display_tmp(st, e->key, &name, &capname, &len);
		if (!s) {
			fp->failed = 1;
			break;
		}
		out_put(fp, s, len);
		out_c(fp, '\n');
	}
	free(name);
}

/* One side of a call: the other function's key and the edge's value. */
struct call {
	uint32_t key;
	const pv_edge *edge;
};

/* sorted(call_dict.keys()): Python tuple order (file, line, name). */
static int cmp_call(const void *pa, const void *pb, void *st)
{
	return pv_stats_cmp_keys(st, ((const struct call *)pa)->key, ((const struct call *)pb)->key);
}

static void call_line(pv_out *fp, pv_stats *st, size_t width, uint32_t key, struct call *calls,
		      size_t n, const char *arrow)
{
	size_t len, cp;
	const char *s = display_w(fp, st, key, &len, &cp);
	out_put(fp, s, len);
	if (cp < width)
		spaces(fp, width - cp);
	out_s(fp, arrow);
	out_c(fp, ' ');
	if (!n) {
		out_c(fp, '\n');
		return;
	}
	if (n <= 16) { /* most functions have a caller or two: no qsort call */
		for (size_t i = 1; i < n; i++) {
			struct call x = calls[i];
			size_t j = i;
			for (; j > 0 && cmp_call(&calls[j - 1], &x, st) > 0; j--)
				calls[j] = calls[j - 1];
			calls[j] = x;
		}
	} else {
		qsort_r(calls, n, sizeof(*calls), cmp_call, st);
	}
	for (size_t i = 0; i < n; i++) {
		const pv_edge *e = calls[i].edge;
		const char *name = display(fp, st, calls[i].key, &len);
		char c[96];
		if (e->is_tuple) {
			if (i)
				spaces(fp, width + 1);
			size_t cn = count_text(c, pv_edge_nc(e), pv_edge_cc(e));
			rjust(fp, c, cn, i ? 9 : 7);
			out_c(fp, ' ');
			f8(fp, pv_num_to_double(pv_edge_tt(e)));
			out_c(fp, ' ');
			f8(fp, pv_num_to_double(pv_edge_ct(e)));
			out_s(fp, "  ");
			out_put(fp, name, len);
		} else {
			/* profile-module ints: the count, then the other
			 * function's own cumulative time */
			if (i)
				spaces(fp, width + 3);
			out_put(fp, name, len);
			pv_int_format(c, pv_edge_nc(e));
			out_c(fp, '(');
			out_s(fp, c);
			out_s(fp, ") ");
			long at = pv_stats_find(st, calls[i].key);
			if (at >= 0)
				f8(fp, pv_num_to_double(pv_entry_ct(pv_stats_entry(st, (size_t)at))));
			else
				out_s(fp, "       ?"); /* pstats raises KeyError here */
		}
		out_c(fp, '\n');
	}
}

/* print_call_heading(): the sub-header appears when the first non-empty
 * callers map in dict order holds tuples. */
static void call_heading(pv_out *fp, pv_stats *st, size_t width, const char *title)
{
	ljust(fp, "Function ", 9, width);
	out_s(fp, title);
	out_c(fp, '\n');
	for (size_t i = 0; i < pv_stats_nentries(st); i++) {
		const pv_entry *e = pv_stats_entry(st, i);
		if (!e->first_edge)
			continue;
		if (pv_stats_edge(st, e->first_edge)->is_tuple) {
			spaces(fp, width);
			out_s(fp, "    ncalls  tottime  cumtime");
			if (fp->scale != 1)
				times_in(fp);
			out_c(fp, '\n');
		}
		break;
	}
}

static int print_callers(pv_out *fp, pv_stats *st, const pv_view *v)
{
	struct call *calls = NULL;
	size_t cap = 0, width = pv_view_width(v, st);
	if (!width)
		return PV_ENOMEM;
	call_heading(fp, st, width, "was called by...");
	for (size_t r = 0; r < v->nrows; r++) {
		const pv_entry *e = pv_stats_entry(st, v->rows[r]);
		if (e->ncallers > cap) {
			free(calls);
			cap = e->ncallers;
			if (!(calls = pv_malloc(cap * sizeof(*calls))))
				return PV_ENOMEM;
		}
		size_t n = 0;
		for (uint32_t id = e->first_edge; id; id = pv_stats_edge(st, id)->next) {
			const pv_edge *ed = pv_stats_edge(st, id);
			calls[n].edge = ed;
			calls[n++].key = ed->caller;
		}
		call_line(fp, st, width, e->key, calls, n, "<-");
	}
	free(calls);
	return 0;
}

/* calc_callees(): the inverse of the callers maps, per caller entry. */
static int print_callees(pv_out *fp, pv_stats *st, const pv_view *v)
{
	size_t ne = pv_stats_nentries(st), total = 0, width = pv_view_width(v, st);
	if (!width)
		return PV_ENOMEM;
	size_t *start = pv_calloc(ne + 1, sizeof(*start));
	struct call *all = NULL, *tmp = NULL;
	int rc = PV_ENOMEM;
	if (!start)
		goto out;
	for (size_t i = 0; i < ne; i++) {
		const pv_entry *e = pv_stats_entry(st, i);
		for (uint32_t id = e->first_edge; id; id = pv_stats_edge(st, id)->next) {
			long c = pv_stats_find(st, pv_stats_edge(st, id)->caller);
			if (c >= 0)
				start[c + 1]++, total++;
		}
	}
	for (size_t i = 0; i < ne; i++)
		start[i + 1] += start[i];
	if (!(all = pv_malloc((total ? total : 1) * sizeof(*all))) ||
	    !(tmp = pv_malloc((total ? total : 1) * sizeof(*tmp))))
		goto out;
	size_t *fill = pv_calloc(ne + 1, sizeof(*fill));
	if (!fill)
		goto out;
	memcpy(fill, start, (ne + 1) * sizeof(*fill));
	for (size_t i = 0; i < ne; i++) {
		const pv_entry *e = pv_stats_entry(st, i);
		for (uint32_t id = e->first_edge; id; id = pv_stats_edge(st, id)->next) {
			long c = pv_stats_find(st, pv_stats_edge(st, id)->caller);
			if (c >= 0) {
				all[fill[c]].key = e->key;
				all[fill[c]++].edge = pv_stats_edge(st, id);
			}
		}
	}
	free(fill);
	call_heading(fp, st, width, "called...");
	for (size_t r = 0; r < v->nrows; r++) {
		uint32_t i = v->rows[r];
		size_t n = start[i + 1] - start[i];
		memcpy(tmp, all + start[i], n * sizeof(*tmp));
		call_line(fp, st, width, pv_stats_entry(st, i)->key, tmp, n, "->");
	}
	rc = 0;
out:
	free(start);
	free(all);
	free(tmp);
	return rc;
}

/* The largest cumulative time listed (what --unit auto goes by). */
static double max_cumtime(pv_stats *st, const pv_view *v)
{
	double mx = 0;
	for (size_t r = 0; r < v->nrows; r++) {
		double c = pv_num_to_double(pv_entry_ct(pv_stats_entry(st, v->rows[r])));
		if (c > mx)
			mx = c;
	}
	return mx;
}

static int report_body(pv_out *fp, pv_stats *st, const pv_view *v, pv_write_opts *o)
{
	int rc = 0;
	header(fp, st, o);
	if (!v->nrows) /* an empty list prints nothing, not even "Ordered by" */
		return 0;
	if (o->stats || (!o->callers && !o->callees)) {
		order_lines(fp, v);
		print_stats(fp, st, v);
		out_s(fp, "\n\n");
	}
	if (o->callers) {
		order_lines(fp, v);
		if ((rc = print_callers(fp, st, v)) < 0)
			return rc;
		out_s(fp, "\n\n");
	}
	if (o->callees) {
		order_lines(fp, v);
		if ((rc = print_callees(fp, st, v)) < 0)
			return rc;
		out_s(fp, "\n\n");
	}
	return 0;
}

static int report_write(FILE *file, const pv_views *vs, pv_write_opts *o, pv_ctx *ctx)
{
	if (vs->mode == PV_MODE_REQUESTS)
		return pv_requests_text(file, vs, o, ctx);
	if (vs->mode == PV_MODE_DIFF)
		return pv_diff_text(file, vs, o, ctx);
	pv_stats *st = vs->st;
	const pv_view *v = vs->view;
	pv_out *fp = out_open(file);
	const char *u;
	if (fp)
		fp->scale = pv_unit_scale(o->unit, "s",
					  o->unit && !strcmp(o->unit, "auto") ? max_cumtime(st, v) : 0, &u);
	int rc = fp ? report_body(fp, st, v, o) : PV_ENOMEM;
	if (rc == 0 && fp->failed)
		rc = PV_ENOMEM;
	out_close(fp);
	if (rc < 0)
		pv_fail(ctx, rc, PV_NOOFF, "out of memory writing the report");
	return rc;
}

const pv_writer pv_writer_text = {
	.name = "text",
	.modes = PV_MODE_STATS | PV_MODE_REQUESTS | PV_MODE_DIFF,
	.help = "the pstats report (default)",
	.write = report_write,
};
