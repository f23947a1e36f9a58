/*
 * json.c - the merged stats as one JSON object, rows in view order:
 *
 *   {"total_calls": N, "primitive_calls": N, "total_time": F, "profiles": N,
 *    "functions": [{"file": S, "line": N, "name": S, "ncalls": N, "pcalls": N,
 *                   "tottime": F, "cumtime": F,
 *                   "callers": [{"file", "line", "name", "ncalls", "pcalls",
 *                                "tottime", "cumtime"}]}]}
 *
 * profile-module callers carry only a count: their pcalls, tottime and
 * cumtime are null.  Floats are written in the shortest form that reads back
 * to the same double; NaN and infinities (not JSON) are null.
 */
#include <math.h>
#include <string.h>

#include "../lib/pv.h"

static void j_str(FILE *fp, const char *s, size_t n)
{
	putc('"', fp);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			putc('\\', fp);
			putc(c, fp);
		} else if (c < 0x20) {
			switch (c) {
			case '\n': fputs("\\n", fp); break;
			case '\t': fputs("\\t", fp); break;
			case '\r': fputs("\\r", fp); break;
			default: fprintf(fp, "\\u%04x", c);
			}
		} else if (c == 0xed && i + 2 < n && (s[i + 1] & 0xe0) == 0xa0) {
			/* a lone surrogate (Python's surrogatepass): not UTF-8 */
			unsigned cp = 0xd000 | ((unsigned)(s[i + 1] & 0x3f) << 6) | (s[i + 2] & 0x3f);
			fprintf(fp, "\\u%04x", cp);
			i += 2;
		} else {
			putc(c, fp);
		}
	}
	putc('"', fp);
}

static void j_int(FILE *fp, pv_int v)
{
	char b[48];
	pv_int_format(b, v);
	fputs(b, fp);
}

static void j_num(FILE *fp, pv_num v)
{
	if (v.is_int) {
		j_int(fp, v.i);
		return;
	}
	if (!isfinite(v.f)) {
		fputs("null", fp);
		return;
	}
	char b[40];
	pv_double_repr(b, v.f);
	fputs(b, fp);
}

static void j_key(FILE *fp, pv_stats *st, uint32_t key)
{
	const pv_key *k = pv_stats_key(st, key);
	size_t n;
	const char *s = pv_stats_str(st, pv_stats_shown_file(st, k->file), &n);
	fputs("\"file\": ", fp);
	j_str(fp, s, n);
	fprintf(fp, ", \"line\": %lld, \"name\": ", (long long)k->line);
	s = pv_stats_str(st, k->name, &n);
	j_str(fp, s, n);
}

static int json_write(FILE *fp, const pv_views *vs, pv_write_opts *o, pv_ctx *ctx)
{
	pv_stats *st = vs->st;
	const pv_view *v = vs->view;
	(void)o;
	(void)ctx;
	fputs("{\"total_calls\": ", fp);
	j_int(fp, pv_stats_total_calls(st));
	fputs(", \"primitive_calls\": ", fp);
	j_int(fp, pv_stats_prim_calls(st));
	fputs(", \"total_time\": ", fp);
	j_num(fp, pv_stats_total_tt(st));
	fprintf(fp, ", \"profiles\": %zu, \"functions\": [", pv_stats_nprofiles(st));
	for (size_t r = 0; r < v->nrows; r++) {
		const pv_entry *e = pv_stats_entry(st, v->rows[r]);
		fputs(r ? ",\n  {" : "\n  {", fp);
		j_key(fp, st, e->key);
		fputs(", \"ncalls\": ", fp);
		j_int(fp, e->nc);
		fputs(", \"pcalls\": ", fp);
		j_int(fp, e->cc);
		fputs(", \"tottime\": ", fp);
		j_num(fp, e->tt);
		fputs(", \"cumtime\": ", fp);
		j_num(fp, e->ct);
		fputs(", \"callers\": [", fp);
		for (uint32_t id = e->first_edge; id; id = pv_stats_edge(st, id)->next) {
			const pv_edge *c = pv_stats_edge(st, id);
			fputs(id == e->first_edge ? "{" : ", {", fp);
			j_key(fp, st, c->caller);
			fputs(", \"ncalls\": ", fp);
			j_int(fp, c->nc);
			if (c->is_tuple) {
				fputs(", \"pcalls\": ", fp);
				j_int(fp, c->cc);
				fputs(", \"tottime\": ", fp);
				j_num(fp, c->tt);
				fputs(", \"cumtime\": ", fp);
				j_num(fp, c->ct);
			} else {
				fputs(", \"pcalls\": null, \"tottime\": null, \"cumtime\": null", fp);
			}
			putc('}', fp);
		}
		fputs("]}", fp);
	}
	fputs(v->nrows ? "\n]}\n" : "]}\n", fp);
	return 0;
}

const pv_writer pv_writer_json = {
	.name = "json",
	.modes = PV_MODE_STATS,
	.help = "one JSON object: totals and every function with its callers",
	.write = json_write,
};
