/*
 * requests.c - the --requests table as text, from the requests view
 * (lib/reqview.c):
 *
 *   endpoint  profiles  total ms  mean ms  p50 ms  p95 ms  max ms  calls  most internal time
 *
 * Times are the requests' durations (each profile's total time) in the
 * --unit (ms unless asked).  Under the table: how many names carried no
 * request data, and the endpoints whose requests share a second on the
 * same path - where werkzeug's default names (whole ms, whole seconds)
 * collide and one dump overwrites the other.
 */
#include <string.h>

#include "modes.h"

/* Columns a name takes in the table (escapes as printed, wide characters
 * two). */
static size_t text_width(const char *s)
{
	return pv_text_width(s, strlen(s));
}

int pv_requests_text(FILE *fp, const pv_views *vs, pv_write_opts *o, pv_ctx *ctx)
{
	(void)ctx;
	const pv_reqview *v = vs->requests;
	double max = 0;
	size_t w = 8;
	for (size_t i = 0; i < v->nrows; i++) {
		if (v->rows[i].max > max)
			max = v->rows[i].max;
		size_t l = text_width(v->rows[i].endpoint);
		if (i < v->shown && l > w)
			w = l;
	}
	const char *u;
	double k = pv_unit_scale(o->unit, "ms", max, &u);
	char h[5][16];
	snprintf(h[0], sizeof(h[0]), "total %s", u);
	snprintf(h[1], sizeof(h[1]), "mean %s", u);
	snprintf(h[2], sizeof(h[2]), "p50 %s", u);
	snprintf(h[3], sizeof(h[3]), "p95 %s", u);
	snprintf(h[4], sizeof(h[4]), "max %s", u);
	fprintf(fp, "%-*s %8s %10s %9s %9s %9s %9s %10s  %s\n", (int)w, "endpoint", "profiles", h[0],
		h[1], h[2], h[3], h[4], "calls", "most internal time");
	for (size_t i = 0; i < v->shown; i++) {
		const pv_reqrow *r = &v->rows[i];
		char calls[48];
		pv_int_format(calls, r->calls);
		pv_text_str(fp, r->endpoint, strlen(r->endpoint));
		for (size_t pad = text_width(r->endpoint); pad < w; pad++)
			putc(' ', fp);
		fprintf(fp, " %8zu %10.1f %9.1f %9.1f %9.1f %9.1f %10s  ", r->profiles, r->total * k,
			r->mean * k, r->p50 * k, r->p95 * k, r->max * k, calls);
		if (r->ntop) {
			size_t dl;
			pv_stats *st = pv_groups_stats(v->groups, r->group);
			const char *d = pv_stats_display(st, r->top[0], &dl);
			if (!d)
				return pv_fail(ctx, PV_ENOMEM, PV_NOOFF, "out of memory writing the table");
			pv_text_str(fp, d, dl);
		}
		putc('\n', fp);
	}
	if (v->shown < v->nrows)
		fprintf(fp, "(%zu more endpoints; --limit shows more)\n", v->nrows - v->shown);
	fprintf(fp, "\n%zu profiles with request names in %zu endpoints; %.1f %s in all.\n",
		v->parsed, v->nrows, v->total * k, u);
	if (v->unparsed)
		fprintf(fp, "%zu profile%s ha%s names that carry no request (method, path, time) "
			    "and %s not in the table.\n",
			v->unparsed, v->unparsed == 1 ? "" : "s", v->unparsed == 1 ? "s a" : "ve",
			v->unparsed == 1 ? "is" : "are");
	int warned = 0;
	for (size_t i = 0; i < v->nrows; i++) {
		const pv_reqrow *r = &v->rows[i];
		if (!r->collided_seconds)
			continue;
		if (!warned++)
			fputs("Names may have collided (several requests to one path in one second):\n",
			      fp);
		fputs("  ", fp);
		pv_text_str(fp, r->endpoint, strlen(r->endpoint));
		fprintf(fp, ": %zu second%s\n", r->collided_seconds, r->collided_seconds == 1 ? "" : "s");
	}
	if (warned)
		fputs("werkzeug's default name {method}.{path}.{elapsed:.0f}ms.{time:.0f}.prof is the\n"
		      "same for requests with equal method, path, rounded ms and second, and the later\n"
		      "dump overwrites the earlier, so those endpoints have lost profiles.  Fix:\n"
		      "  ProfilerMiddleware(app, profile_dir=...,\n"
		      "      filename_format=\"{method}.{path}.{elapsed:.0f}ms.{time:.6f}.prof\")\n",
		      fp);
	return 0;
}
