/*
 * gate.c - --fail-if: the CI gate of --diff (modelled on pytest-benchmark's
 * --benchmark-compare-fail).  Each rule names a figure and a bound:
 *
 *   p50:10%  p95:20%  mean:5%   an endpoint's request time rose by more
 *   p50:2ms                     (relative to the base, or absolute)
 *   tottime:0.5ms  tottime:50%  a function's internal time per request
 *                               within an endpoint rose by more
 *
 * A rise counts only when it is also significant: the endpoint's (or the
 * function's) Holm-corrected p from --diff's Mann-Whitney U test is below
 * its alpha, in the direction of the rise; so request-to-request noise
 * never fails a build.  Every offender is printed on standard error.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char *const metrics[] = {"p50", "p95", "mean", "tottime", NULL};

void gate_parse(struct gate_rule *r, const char *arg)
{
	const char *colon = strchr(arg, ':');
	int m = -1;
	for (int i = 0; colon && metrics[i]; i++)
		if (strlen(metrics[i]) == (size_t)(colon - arg) && !strncmp(arg, metrics[i], (size_t)(colon - arg)))
			m = i;
	if (m < 0)
		die_usage("--fail-if takes p50:BOUND, p95:BOUND, mean:BOUND or tottime:BOUND "
			  "(BOUND 10%% or 0.5ms), not '%s'",
			  arg);
	const char *v = colon + 1;
	size_t n = strlen(v);
	r->metric = m;
	r->text = arg;
	if (n && v[n - 1] == '%') {
		char *end;
		r->bound = strtod(v, &end) / 100;
		r->relative = 1;
		if (end != v + n - 1 || end == v || !(r->bound >= 0 && r->bound < 1e6))
			die_usage("--fail-if: '%s' is not a percentage", v);
	} else {
		r->bound = parse_time("--fail-if", v);
	}
}

static double rel(double now, double before)
{
	double d = now - before;
	return before != 0 ? d / fabs(before) : d > 0 ? INFINITY
						      : 0;
}

static int beyond(const struct gate_rule *r, double now, double before)
{
	double rise = r->relative ? rel(now, before) : now - before;
	return rise > r->bound;
}

static void offender(const struct gate_rule *r, const char *ep, const char *what, double before,
		     double now, double p)
{
	char rb[32];
	double x = rel(now, before);
	if (isfinite(x))
		snprintf(rb, sizeof(rb), "%+.1f%%", x * 100);
	else
		snprintf(rb, sizeof(rb), "new");
	fprintf(stderr, "profview: --fail-if %s: %s: %s %.3f ms -> %.3f ms (%s), p = %.2g\n", r->text,
		ep, what, before * 1e3, now * 1e3, rb, p);
}

int gate_check(const struct gate_rule *rules, size_t n, const pv_epdiff *d)
{
	size_t hits = 0;
	for (size_t k = 0; k < n; k++) {
		const struct gate_rule *r = &rules[k];
		for (size_t i = 0; i < d->n; i++) {
			const pv_eprow *e = &d->rows[i];
			if (!e->nb || !e->nc)
				continue;
			if (r->metric != GATE_TOTTIME) {
				if (!(e->p < d->alpha && e->effect > 0.5))
					continue;
				double b = r->metric == GATE_P50 ? e->p50_b : r->metric == GATE_P95 ? e->p95_b
												    : e->mean_b;
				double c = r->metric == GATE_P50 ? e->p50_c : r->metric == GATE_P95 ? e->p95_c
												    : e->mean_c;
				if (beyond(r, c, b)) {
					offender(r, e->endpoint, metrics[r->metric], b, c, e->p);
					hits++;
				}
				continue;
			}
			for (size_t j = 0; j < e->nfn; j++) {
				const pv_epfunc *f = &e->fn[j];
				if (!(f->p < d->alpha && f->change > 0 && beyond(r, f->tt_c, f->tt_b)))
					continue;
				size_t len;
				const char *name = pv_stats_display(f->from, f->key, &len);
				char what[512];
				snprintf(what, sizeof(what), "%.*s tottime", name ? (int)(len < 400 ? len : 400) : 1,
					 name ? name : "?");
				offender(r, e->endpoint, what, f->tt_b, f->tt_c, f->p);
				hits++;
			}
		}
	}
	return hits ? 1 : 0;
}
