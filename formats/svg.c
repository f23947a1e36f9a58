/*
 * svg.c - one self-contained interactive flame graph (flamegraph.pl's
 * model): a <g> per frame with a <title> tooltip (name, time, % of total,
 * % of parent, calls, exact or estimated), a rect and a label; a script of
 * its own (no network, works from file://) zooms on click, resets, and
 * searches by regex showing the matched share of the width.  Estimated
 * frames are drawn in cool colours, exact ones in warm colours, with a
 * legend; the title says what was read and what share is estimated.
 *
 * With --diff BASE, a differential flame graph: widths from the current
 * set (--diff-widths base: from the base, so removed code stays visible),
 * each frame red where its self time per request grew and blue where it
 * shrank, the deeper the larger the change against the largest one;
 * estimated frames have a dashed outline; the tooltip gives the self time
 * per request before and after.
 *
 * Names are XML text, never markup: & < > escaped, and U+FFFD in place of
 * every character XML forbids or discourages (control characters,
 * noncharacters such as U+FFFE) and of the lone surrogates of Python's
 * surrogatepass.  The script
 * reads names back from the <title> text, so no name reaches the script
 * source.  Frame geometry is kept in integer ticks in one array (D), so
 * zooming into a frame of a millionth of the width is exact.
 */
#include <math.h>

#include "flame.h"
#include "flamediff.h"
#include "modes.h"
#include "out.h"

#define SVG_W 1200
#define PAD 10
#define FH 16
#define TOP 78
#define CHAR_W 7.0 /* Verdana 12px, a mean width */

static void xml(pv_out *o, const char *s, size_t n)
{
	size_t from = 0;
	for (size_t i = 0; i < n;) {
		size_t at = i;
		unsigned char c = (unsigned char)s[i];
		const char *rep = NULL;
		if (c == '&')
			rep = "&amp;";
		else if (c == '<')
			rep = "&lt;";
		else if (c == '>')
			rep = "&gt;";
		else if (c == '"')
			rep = "&quot;";
		if (rep || (c >= 0x20 && c < 0x7f)) {
			i++;
		} else if (pv_xml_forbidden(pv_utf8_get(s, n, &i))) {
			rep = "\xef\xbf\xbd"; /* and for what is not UTF-8 */
		}
		if (!rep)
			continue;
		out_put(o, s + from, at - from);
		out_s(o, rep);
		from = i;
	}
	out_put(o, s + from, n - from);
}

/* The label of a frame: the function's name (the report's
 * "file:line(name)" shows in the tooltip), cut to fit `px` with "..". */
static void label(pv_out *o, const char *s, size_t n, double px)
{
	if (n > 2 && s[n - 1] == ')') { /* FILE:LINE(NAME) -> NAME */
		size_t open = n - 1;
		while (open > 0 && s[open - 1] != '(')
			open--;
		if (open > 0) {
			s += open;
			n -= open + 1;
		}
	}
	size_t fit = px > 6 ? (size_t)((px - 6) / CHAR_W) : 0;
	if (fit < 3)
		return;
	size_t cp = pv_utf8_len(s, n);
	if (cp <= fit) {
		xml(o, s, n);
		return;
	}
	/* fit - 2 code points, then ".." */
	size_t k = 0, i = 0;
	while (i < n && k < fit - 2) {
		i++;
		while (i < n && ((unsigned char)s[i] & 0xc0) == 0x80)
			i++;
		k++;
	}
	xml(o, s, i);
	out_s(o, "..");
}

static uint32_t name_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static void colour(pv_out *o, const pv_frame *f, const char *s, size_t n)
{
	uint32_t h = name_hash(s, n);
	double v1 = (double)(h & 0xff) / 255, v2 = (double)((h >> 8) & 0xff) / 255;
	int r, g, b;
	if (f->flags & PV_FRAME_MERGED)
		r = g = b = 190;
	else if (f->flags & PV_FRAME_RECURSIVE)
		r = 185 + (int)(30 * v1), g = 140, b = 230;
	else if (f->flags & PV_FRAME_ESTIMATED) /* cool: flamegraph.pl's aqua */
		r = 50 + (int)(60 * v1), g = 165 + (int)(55 * v1), b = 165 + (int)(55 * v2);
	else if (f->key >= PV_FRAME_GROUP)
		r = 225, g = 225, b = 200;
	else /* warm: flamegraph.pl's hot */
		r = 205 + (int)(50 * v2), g = (int)(230 * v1), b = (int)(55 * v2);
	char buf[16];
	snprintf(buf, sizeof(buf), "#%02x%02x%02x", r, g, b);
	out_s(o, buf);
}

/* "12.345 ms" from ticks (microseconds) */
static void put_time(pv_out *o, uint64_t us)
{
	char b[64];
	if (us >= 10000000)
		snprintf(b, sizeof(b), "%.3f s", (double)us / 1e6);
	else
		snprintf(b, sizeof(b), "%.3f ms", (double)us / 1e3);
	out_s(o, b);
}

static void put_pct(pv_out *o, uint64_t a, uint64_t b)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%.2f%%", b ? 100.0 * (double)a / (double)b : 0.0);
	out_s(o, buf);
}

static const char script[] =
	"<script type=\"text/ecmascript\"><![CDATA[\n"
	"'use strict';\n"
	"var W = "
	"1180"
	", G, T, details, matchedtxt, zoomed = -1, searching = null;\n"
	"function init() {\n"
	"  G = document.getElementById('frames').children;\n"
	"  details = document.getElementById('details');\n"
	"  matchedtxt = document.getElementById('matched');\n"
	"  T = D[1];\n"
	"  for (var i = 0; i < G.length; i++) {\n"
	"    G[i].onclick = (function (k) { return function () { zoom(k); }; })(i);\n"
	"    G[i].onmouseover = (function (k) { return function () { details.textContent = info(k); }; })(i);\n"
	"    G[i].onmouseout = function () { details.textContent = ' '; };\n"
	"  }\n"
	"}\n"
	"function info(i) { return G[i].firstChild.textContent.replace(/\\n/g, ' \\u2014 '); }\n"
	"function fname(i) { return G[i].firstChild.textContent.split('\\n')[0]; }\n"
	"function lab(i, px) {\n"
	"  var s = fname(i), m = /\\(([^()]*)\\)$/.exec(s);\n"
	"  if (m && s.charAt(0) != '{') s = m[1];\n"
	"  var fit = Math.floor((px - 6) / "
	"7"
	");\n"
	"  if (fit < 3) return '';\n"
	"  return s.length <= fit ? s : s.substring(0, fit - 2) + '..';\n"
	"}\n"
	"function place(i, x, w, show) {\n"
	"  var g = G[i], r = g.children[1], t = g.children[2];\n"
	"  g.style.display = show ? '' : 'none';\n"
	"  if (!show) return;\n"
	"  r.setAttribute('x', (10 + x).toFixed(2));\n"
	"  r.setAttribute('width', Math.max(w, 0.1).toFixed(2));\n"
	"  t.setAttribute('x', (13 + x).toFixed(2));\n"
	"  t.textContent = lab(i, w);\n"
	"}\n"
	"function zoom(k) {\n"
	"  var zx = D[3 * k], zw = D[3 * k + 1], zd = D[3 * k + 2];\n"
	"  if (zw <= 0) return;\n"
	"  zoomed = k;\n"
	"  for (var i = 0; i < G.length; i++) {\n"
	"    var x = D[3 * i], w = D[3 * i + 1], d = D[3 * i + 2];\n"
	"    if (d >= zd && x >= zx && x + w <= zx + zw)\n"
	"      place(i, (x - zx) / zw * W, w / zw * W, true);\n"
	"    else if (d < zd && x <= zx && x + w >= zx + zw) {\n"
	"      place(i, 0, W, true); G[i].setAttribute('opacity', '0.6');\n"
	"    } else place(i, 0, 0, false);\n"
	"    if (!(d < zd && x <= zx && x + w >= zx + zw)) G[i].removeAttribute('opacity');\n"
	"  }\n"
	"  document.getElementById('reset').setAttribute('opacity', '1');\n"
	"  if (searching) search(searching);\n"
	"}\n"
	"function reset() {\n"
	"  zoomed = -1;\n"
	"  for (var i = 0; i < G.length; i++) {\n"
	"    G[i].removeAttribute('opacity');\n"
	"    place(i, D[3 * i] / T * W, D[3 * i + 1] / T * W, true);\n"
	"  }\n"
	"  document.getElementById('reset').setAttribute('opacity', '0.1');\n"
	"  if (searching) search(searching);\n"
	"}\n"
	/* the share of the width under matching frames: nested matches count once */
	"function search(re) {\n"
	"  var rx;\n"
	"  try { rx = new RegExp(re); } catch (e) { matchedtxt.textContent = 'bad regex: ' + e.message; return -1; }\n"
	"  searching = re;\n"
	"  var iv = [];\n"
	"  for (var i = 0; i < G.length; i++) {\n"
	"    var r = G[i].children[1];\n"
	"    if (!r.hasAttribute('data-fill')) r.setAttribute('data-fill', r.getAttribute('fill'));\n"
	"    if (i > 0 && rx.test(fname(i))) { r.setAttribute('fill', '#e600e6'); iv.push([D[3 * i], D[3 * i] + D[3 * i + 1]]); }\n"
	"    else r.setAttribute('fill', r.getAttribute('data-fill'));\n"
	"  }\n"
	"  iv.sort(function (a, b) { return a[0] - b[0]; });\n"
	"  var sum = 0, end = -1;\n"
	"  for (var j = 0; j < iv.length; j++) {\n"
	"    var a = Math.max(iv[j][0], end), b = iv[j][1];\n"
	"    if (b > a) { sum += b - a; end = b; }\n"
	"  }\n"
	"  var pct = T > 0 ? 100 * sum / T : 0;\n"
	"  matchedtxt.textContent = 'Matched: ' + pct.toFixed(2) + '% of the total';\n"
	"  document.getElementById('search').textContent = 'Clear search';\n"
	"  return pct;\n"
	"}\n"
	"function clearsearch() {\n"
	"  searching = null;\n"
	"  for (var i = 0; i < G.length; i++) {\n"
	"    var r = G[i].children[1];\n"
	"    if (r.hasAttribute('data-fill')) r.setAttribute('fill', r.getAttribute('data-fill'));\n"
	"  }\n"
	"  matchedtxt.textContent = ' ';\n"
	"  document.getElementById('search').textContent = 'Search';\n"
	"}\n"
	"function searchprompt() {\n"
	"  if (searching) { clearsearch(); return; }\n"
	"  var re = prompt('Search for a regular expression (JavaScript syntax) in the frame names:', '');\n"
	"  if (re) search(re);\n"
	"}\n"
	"]]></script>\n";

/* --diff: red for a rise of the self time per request, blue for a fall,
 * white for none; full colour at the largest change of the graph */
static void diff_colour(pv_out *o, double before, double after, double maxd)
{
	double k = maxd > 0 ? (after - before) / maxd : 0;
	if (k > 1)
		k = 1;
	if (k < -1)
		k = -1;
	int fade = 235 - (int)(190 * fabs(k));
	char buf[16];
	if (k > 0)
		snprintf(buf, sizeof(buf), "#ff%02x%02x", fade, fade);
	else if (k < 0)
		snprintf(buf, sizeof(buf), "#%02x%02xff", fade, fade);
	else
		snprintf(buf, sizeof(buf), "#ebebeb");
	out_s(o, buf);
}

static void put_us(pv_out *o, double us)
{
	char b[64];
	snprintf(b, sizeof(b), us >= 1e4 ? "%.1f ms" : "%.0f us", us >= 1e4 ? us / 1e3 : us);
	out_s(o, b);
}

static int svg_write(FILE *file, const pv_views *v, pv_write_opts *wo, pv_ctx *ctx)
{
	/* one frame per endpoint when the names carry requests */
	const pv_tree *t = v->group_tree ? v->group_tree : v->tree;
	int diff = v->mode == PV_MODE_DIFF, rc = PV_ENOMEM;
	flame_diff fd = {0};
	double maxdelta = 0;
	if (diff && wo->diff_base_widths)
		t = v->base_tree;
	uint64_t *x0 = pv_malloc((t->nframes + 1) * sizeof(*x0));
	pv_out *o = out_open(file);
	if (!x0 || !o)
		goto out;
	if (diff) {
		if (flame_diff_build(&fd, t, t == v->tree ? v->base_tree : v->tree) < 0)
			goto out;
		for (size_t i = 0; i < t->nframes; i++)
			if (fabs(fd.self[i] - fd.other[i]) > maxdelta)
				maxdelta = fabs(fd.self[i] - fd.other[i]);
	}
	uint32_t maxd = flame_max_depth(t);
	size_t height = TOP + ((size_t)maxd + 1) * FH + 30;
	const double W = SVG_W - 2 * PAD;
	uint64_t total = t->total;
	char buf[256];

	/* x offsets in ticks: a child starts where its parent starts plus
	 * the widths of its earlier siblings (parents come first) */
	x0[0] = 0;
	for (size_t i = 0; i < t->nframes; i++) {
		uint64_t at = x0[i];
		for (uint32_t c = t->frames[i].first_child; c != PV_NOFRAME; c = t->frames[c].next_sibling) {
			x0[c] = at;
			at += t->frames[c].weight;
		}
	}

	snprintf(buf, sizeof(buf),
		 "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
		 "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%d\" height=\"%zu\""
		 " viewBox=\"0 0 %d %zu\" onload=\"init()\">\n",
		 SVG_W, height, SVG_W, height);
	out_s(o, buf);
	out_s(o, "<style>\n"
		 "text { font-family: Verdana, sans-serif; font-size: 12px; fill: #000; }\n"
		 "#frames text { pointer-events: none; }\n"
		 "#frames g { cursor: pointer; }\n"
		 "#frames g:hover rect { stroke: #000; stroke-width: 0.5; }\n"
		 ".title { font-size: 17px; text-anchor: middle; }\n"
		 ".button { cursor: pointer; fill: #333; }\n"
		 "</style>\n"
		 "<defs><linearGradient id=\"bg\" y1=\"0\" y2=\"1\" x1=\"0\" x2=\"0\">"
		 "<stop stop-color=\"#eeeeee\" offset=\"5%\"/><stop stop-color=\"#eeeeb0\" offset=\"95%\"/>"
		 "</linearGradient></defs>\n");
	out_s(o, "<script type=\"text/ecmascript\">var D = [");
	for (size_t i = 0; i < t->nframes; i++) {
		if (i)
			out_c(o, ',');
		out_u64(o, x0[i]);
		out_c(o, ',');
		out_u64(o, t->frames[i].weight);
		out_c(o, ',');
		out_u64(o, t->frames[i].depth);
	}
	out_s(o, "];</script>\n");
	out_s(o, script);
	snprintf(buf, sizeof(buf), "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%zu\" fill=\"url(#bg)\"/>\n",
		 SVG_W, height);
	out_s(o, buf);

	/* title: what was read, the estimated share */
	snprintf(buf, sizeof(buf), "<text class=\"title\" x=\"%d\" y=\"24\">", SVG_W / 2);
	out_s(o, buf);
	if (diff)
		out_s(o, "Differential flame graph of ");
	else
		out_s(o, t->inverted ? "Inverted flame graph (callers above self time) of " : "Flame graph of ");
	const char *what = wo->summary ? wo->summary : "the profile";
	xml(o, what, strlen(what));
	if (diff) {
		const char *b = wo->base_summary ? wo->base_summary : "the base";
		out_s(o, " against ");
		xml(o, b, strlen(b));
		out_s(o, wo->diff_base_widths ? " (widths: the base)" : " (widths: current)");
	}
	if (t->group_names) {
		snprintf(buf, sizeof(buf), ", by endpoint (%zu)", t->ngroups);
		out_s(o, buf);
	}
	out_s(o, "</text>\n");
	snprintf(buf, sizeof(buf), "<text x=\"%d\" y=\"44\" style=\"text-anchor: middle\">", SVG_W / 2);
	out_s(o, buf);
	put_time(o, total);
	out_s(o, " in all; ");
	put_pct(o, t->estimated, total);
	out_s(o, " of the width is estimated (pstats keeps no stacks: time split by call-edge shares)");
	if (t->nmerged) {
		snprintf(buf, sizeof(buf), "; %zu frames under %.2g%% merged", t->nmerged,
			 100 * t->min_share);
		out_s(o, buf);
	}
	out_s(o, "</text>\n");
	/* controls and legend */
	out_s(o, "<text id=\"reset\" class=\"button\" x=\"10\" y=\"66\" opacity=\"0.1\" onclick=\"reset()\">"
		 "Reset Zoom</text>\n");
	snprintf(buf, sizeof(buf),
		 "<text id=\"search\" class=\"button\" x=\"%d\" y=\"66\" style=\"text-anchor: end\""
		 " onclick=\"searchprompt()\">Search</text>\n",
		 SVG_W - PAD);
	out_s(o, buf);
	static const struct legend_item {
		const char *fill, *text;
	} plain[] = {
		{"#f08a1c", "exact"},
		{"#52b7c8", "estimated"},
		{"#c88ce6", "recursive (not expanded)"},
		{"#bebebe", "[N smaller] (merged)"},
	},
	  dlegend[] = {
		  {"#ff2d2d", "self time per request grew"},
		  {"#2d2dff", "shrank"},
		  {"#ebebeb", "unchanged"},
		  {"none\" stroke=\"#000\" stroke-dasharray=\"2,1", "estimated (dashed)"},
	  };
	const struct legend_item *legend = diff ? dlegend : plain;
	int lx = 330;
	for (size_t k = 0; k < sizeof(plain) / sizeof(plain[0]); k++) {
		snprintf(buf, sizeof(buf),
			 "<g class=\"legend\"><rect x=\"%d\" y=\"56\" width=\"14\" height=\"12\" fill=\"%s\"/>"
			 "<text x=\"%d\" y=\"66\">%s</text></g>\n",
			 lx, legend[k].fill, lx + 18, legend[k].text);
		out_s(o, buf);
		lx += 22 + 7 * (int)strlen(legend[k].text) + 14;
	}

	out_s(o, "<g id=\"frames\">\n");
	char nb[PV_TREE_NAME_MAX];
	for (size_t i = 0; i < t->nframes; i++) {
		const pv_frame *f = &t->frames[i];
		size_t n;
		const char *s = pv_tree_name(t, i, nb, &n);
		if (!s)
			goto out;
		if (i == 0) {
			s = "all";
			n = 3;
		}
		double px = total ? W * (double)f->weight / (double)total : 0;
		double x = total ? W * (double)x0[i] / (double)total : 0;
		size_t y = wo->icicle ? TOP + (size_t)f->depth * FH
				      : TOP + (size_t)(maxd - f->depth) * FH;
		out_s(o, "<g><title>");
		xml(o, s, n);
		out_s(o, "\n");
		put_time(o, f->weight);
		out_s(o, ", ");
		put_pct(o, f->weight, total);
		out_s(o, " of total");
		if (i) {
			out_s(o, ", ");
			put_pct(o, f->weight, t->frames[f->parent].weight);
			out_s(o, " of parent");
		}
		if (f->self && f->first_child != PV_NOFRAME) {
			out_s(o, ", self ");
			put_time(o, f->self);
		}
		if (f->calls >= 0) {
			snprintf(buf, sizeof(buf), ", %s%.*f calls",
				 f->flags & PV_FRAME_ESTIMATED ? "about " : "",
				 f->calls < 10 && f->calls != floor(f->calls) ? 1 : 0, f->calls);
			out_s(o, buf);
		}
		out_s(o, f->flags & PV_FRAME_ESTIMATED ? ", estimated" : ", exact");
		if (f->flags & PV_FRAME_RECURSIVE)
			out_s(o, ", recursive: already on the path, not expanded");
		double before = 0, after = 0;
		if (diff) {
			int cur = t == v->tree;
			before = cur ? fd.other[i] : fd.self[i];
			after = cur ? fd.self[i] : fd.other[i];
			out_s(o, "\nself per request: before ");
			put_us(o, before);
			out_s(o, ", after ");
			put_us(o, after);
			if (fd.match[i] == PV_NOFRAME)
				out_s(o, cur ? " (new)" : " (gone)");
		}
		out_s(o, "</title><rect x=\"");
		snprintf(buf, sizeof(buf), "%.2f\" y=\"%zu\" width=\"%.2f\" height=\"%d\" fill=\"", PAD + x,
			 y, px < 0.1 ? 0.1 : px, FH - 1);
		out_s(o, buf);
		if (diff) {
			diff_colour(o, before, after, maxdelta);
			if (f->flags & PV_FRAME_ESTIMATED)
				out_s(o, "\" stroke=\"#000\" stroke-dasharray=\"2,1");
		} else {
			colour(o, f, s, n);
		}
		snprintf(buf, sizeof(buf), "\"/><text x=\"%.2f\" y=\"%zu\">", PAD + x + 3, y + 11);
		out_s(o, buf);
		label(o, s, n, px);
		out_s(o, "</text></g>\n");
	}
	out_s(o, "</g>\n");
	snprintf(buf, sizeof(buf), "<text id=\"details\" x=\"10\" y=\"%zu\"> </text>\n", height - 10);
	out_s(o, buf);
	snprintf(buf, sizeof(buf),
		 "<text id=\"matched\" x=\"%d\" y=\"%zu\" style=\"text-anchor: end\"> </text>\n",
		 SVG_W - PAD, height - 10);
	out_s(o, buf);
	out_s(o, "</svg>\n");
	rc = 0;
out:
	out_close(o);
	free(x0);
	flame_diff_free(&fd);
	return rc < 0 ? pv_fail(ctx, rc, PV_NOOFF, "out of memory") : 0;
}

const pv_writer pv_writer_svg = {
	.name = "svg",
	.flags = PV_W_TREE | PV_W_GROUPS | PV_W_OWN_ORDER,
	.modes = PV_MODE_STATS | PV_MODE_DIFF,
	.help = "an interactive flame graph, one self-contained SVG (a browser); with --diff, "
		"a differential one",
	.write = svg_write,
};
