/*
 * dot.c - a Graphviz call graph in the spirit of gprof2dot: a node per
 * selected function whose cumulative time reaches --node-threshold percent
 * of the total (default 2), an edge per call between two nodes that
 * reaches --edge-threshold percent (default 0.1).  Nodes are labelled
 * gprof2dot's short way, module:line:function (a builtin by its name), with
 * cumulative and self share and the call count, and carry the full key
 * (file:line(function)) as their tooltip; colour and edge width grow with
 * the share (names cut to fit Graphviz's limits, see d_str).  With these defaults and 10-point text the bundled sample
 * renders about 1,700 px wide (full paths made it 9,669).  `dot -Tsvg`
 * renders it.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/util.h"
#include "writer.h"
#include "modes.h"

/* A name in a label is cut to LABEL_MAX code points, the tooltip (the full
 * key) to TOOLTIP_MAX: Graphviz refuses a quoted string past 16,384 bytes,
 * and a code point takes at most 4. */
#define LABEL_MAX 200
#define TOOLTIP_MAX 2000

/* A quoted string's text, at most max code points (then "…"): quotes and
 * backslashes escaped, line breaks as \n, and U+FFFD for NUL (which ends a
 * string for Graphviz), other control characters and what XML forbids
 * (dot -Tsvg copies them into its SVG), and for the lone surrogates
 * Python's surrogatepass lets into names (not UTF-8, which Graphviz
 * requires). */
static void d_str(FILE *fp, const char *s, size_t n, size_t max)
{
	for (size_t i = 0, k = 0; i < n; k++) {
		if (k == max) {
			fputs("\xe2\x80\xa6", fp);
			return;
		}
		size_t at = i;
		uint32_t cp = pv_utf8_get(s, n, &i);
		if (cp == '"' || cp == '\\')
			putc('\\', fp);
		if (cp == '\n' || cp == '\r')
			fputs("\\n", fp);
		else if (pv_xml_forbidden(cp))
			fputs("\xef\xbf\xbd", fp);
		else
			fwrite(s + at, 1, i - at, fp);
	}
}

/* gprof2dot's temperature scale: blue (cold) to red (hot). */
static void colour(FILE *fp, double f)
{
	if (!(f >= 0))
		f = 0;
	if (f > 1)
		f = 1;
	double h = (1.0 - sqrt(f)) * 0.66, s = 0.85, v = 0.55 + 0.4 * sqrt(f);
	fprintf(fp, "\"%.3f %.3f %.3f\"", h, s, v);
}

static double share(pv_num t, double total)
{
	double x = pv_num_to_double(t);
	return total > 0 && isfinite(x) ? x / total : 0;
}

static int dot_write(FILE *fp, const pv_views *vs, pv_write_opts *o, pv_ctx *ctx)
{
	pv_stats *st = vs->st;
	const pv_view *v = vs->view;
	double total = pv_num_to_double(pv_stats_total_tt(st));
	double nt = o->node_threshold / 100.0, et = o->edge_threshold / 100.0;
	if (!(total > 0)) /* no self time recorded: scale by the largest cumulative */
		for (size_t r = 0; r < v->nrows; r++) {
			double c = pv_num_to_double(pv_entry_ct(pv_stats_entry(st, v->rows[r])));
			if (c > total)
				total = c;
		}
	size_t ne = pv_stats_nentries(st);
	char *node = pv_calloc(ne ? ne : 1, 1);
	if (!node)
		return pv_fail(ctx, PV_ENOMEM, PV_NOOFF, "out of memory writing the dot graph");
	fputs("digraph profview {\n"
	      "  graph [fontname=\"Helvetica\", fontsize=10, nodesep=0.125, ranksep=0.25];\n"
	      "  node [fontcolor=white, fontname=\"Helvetica\", fontsize=10, shape=box, style=filled];\n"
	      "  edge [fontname=\"Helvetica\", fontsize=10];\n",
	      fp);
	for (size_t r = 0; r < v->nrows; r++) {
		uint32_t i = v->rows[r];
		const pv_entry *e = pv_stats_entry(st, i);
		double cf = share(pv_entry_ct(e), total), sf = share(pv_entry_tt(e), total);
		if (cf < nt)
			continue;
		node[i] = 1;
		const pv_key *k = pv_stats_key(st, e->key);
		size_t n, fn;
		const char *s = pv_stats_str(st, k->name, &n);
		const char *file = pv_stats_str(st, pv_stats_shown_file(st, k->file), &fn);
		char cnt[96];
		pv_int_format(cnt, pv_entry_nc(e));
		fprintf(fp, "  n%u [label=\"", i);
		if (fn == 1 && file[0] == '~' && k->line == 0) { /* a builtin: its name */
			d_str(fp, s, n, LABEL_MAX);
		} else { /* module:line:function, gprof2dot's short form */
			size_t b = fn, end = fn;
			while (b > 0 && file[b - 1] != '/' && file[b - 1] != '\\')
				b--;
			if (end - b > 3 && !memcmp(file + end - 3, ".py", 3))
				end -= 3;
			d_str(fp, file + b, end - b, LABEL_MAX);
			fprintf(fp, ":%lld:", (long long)k->line);
			d_str(fp, s, n, LABEL_MAX);
		}
		fprintf(fp, "\\n%.2f%%\\n(%.2f%%)\\n%s×\", tooltip=\"", 100 * cf, 100 * sf, cnt);
		s = pv_stats_display(st, e->key, &n); /* the full key */
		if (!s) {
			free(node);
			return pv_fail(ctx, PV_ENOMEM, PV_NOOFF, "out of memory writing the dot graph");
		}
		d_str(fp, s, n, TOOLTIP_MAX);
		fputs("\", color=", fp);
		colour(fp, cf);
		fputs(", fillcolor=", fp);
		colour(fp, cf);
		fputs("];\n", fp);
	}
	for (size_t r = 0; r < v->nrows; r++) {
		uint32_t i = v->rows[r];
		if (!node[i])
			continue;
		const pv_entry *e = pv_stats_entry(st, i);
		for (uint32_t id = e->first_edge; id; id = pv_stats_edge(st, id)->next) {
			const pv_edge *c = pv_stats_edge(st, id);
			long from = pv_stats_find(st, c->caller);
			if (from < 0 || !node[from])
				continue;
			double f;
			if (c->is_tuple)
				f = share(pv_edge_ct(c), total);
			else /* profile module: the callee's time shared by calls */
				f = pv_entry_nc(e) > 0 ? share(pv_entry_ct(e), total) * (double)pv_edge_nc(c) / (double)pv_entry_nc(e) : 0;
			if (f < et)
				continue;
			char cnt[48];
			pv_int_format(cnt, pv_edge_nc(c));
			fprintf(fp, "  n%ld -> n%u [label=\"%.2f%%\\n%s×\", color=", from, i, 100 * f, cnt);
			colour(fp, f);
			fprintf(fp, ", arrowsize=%.2f, penwidth=%.2f];\n", 0.5 + sqrt(f > 1 ? 1 : f),
				1.0 + 4.0 * (f > 1 ? 1 : f));
		}
	}
	fputs("}\n", fp);
	free(node);
	return 0;
}

const pv_writer pv_writer_dot = {
	.name = "dot",
	.flags = PV_W_OWN_ORDER,
	.modes = PV_MODE_STATS,
	.help = "a Graphviz call graph (dot -Tsvg)",
	.write = dot_write,
};
