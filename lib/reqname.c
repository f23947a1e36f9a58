/*
 * reqname.c - what a profile's file name says about its request, and the
 * selection by request (--endpoint, --since, --until).
 *
 * Names are parsed from the right (shared/spec/producers.md):
 *   werkzeug     {method}.{path}.{elapsed:.0f}ms.{time:.0f}.prof
 *   0.9-0.14     {method}.{path}.{elapsed:06d}ms.{time:d}.prof
 *   custom       ... .{time:.6f}.prof (fractional time avoids collisions)
 *   django-ext.  {path}.{elapsed:06d}ms.{time}.prof (no method)
 * The path had its slashes turned into dots ("root" for "/"), so the way
 * back is ambiguous where the path held dots itself (/static/app.js comes
 * back as /static/app/js).  Endpoints fold identifiers: a segment of digits,
 * a UUID or 16+ hex digits becomes {id}.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"

static int all(const char *s, size_t n, int (*pred)(int))
{
	if (!n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!pred((unsigned char)s[i]))
			return 0;
	return 1;
}

/* \d+(\.\d+)? */
static int number(const char *s, size_t n)
{
	const char *dot = memchr(s, '.', n);
	if (!dot)
		return all(s, n, isdigit);
	size_t a = (size_t)(dot - s);
	return all(s, a, isdigit) && all(dot + 1, n - a - 1, isdigit);
}

static int is_method(const char *s, size_t n)
{
	if (!n || n >= 32 || !isupper((unsigned char)s[0]))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isupper((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) && s[i] != '-' &&
		    s[i] != '_')
			return 0;
	return 1;
}

static int is_id(const char *s, size_t n)
{
	if (all(s, n, isdigit))
		return 1;
	if (n == 36 && s[8] == '-' && s[13] == '-' && s[18] == '-' && s[23] == '-') {
		for (size_t i = 0; i < n; i++)
			if (s[i] != '-' && !isxdigit((unsigned char)s[i]))
				return 0;
		return 1;
	}
	return n >= 16 && all(s, n, isxdigit);
}

/* Fill r from the parts of a name: prefix "METHOD.path" or "path",
 * elapsed and time as text.  1, or 0 if the parts do not fit. */
static int fill(pv_request *r, const char *p, size_t plen, const char *el, size_t eln,
		const char *t, size_t tn)
{
	memset(r, 0, sizeof(*r));
	const char *dot = memchr(p, '.', plen);
	size_t ml = dot ? (size_t)(dot - p) : 0;
	const char *path = p;
	size_t pathlen = plen;
	if (dot && is_method(p, ml)) {
		memcpy(r->method, p, ml);
		path = dot + 1;
		pathlen = plen - ml - 1;
	}
	if (!pathlen || pathlen >= sizeof(r->path) - 2)
		return 0;
	char tbuf[64], ebuf[64];
	if (tn >= sizeof(tbuf) || eln >= sizeof(ebuf))
		return 0;
	memcpy(tbuf, t, tn);
	tbuf[tn] = '\0';
	r->time = strtod(tbuf, NULL);
	r->int_time = memchr(t, '.', tn) == NULL;
	memcpy(ebuf, el, eln);
	ebuf[eln] = '\0';
	r->elapsed_ms = strtod(ebuf, NULL);
	/* path: dots back to slashes; endpoint: ids folded */
	size_t o = 0, eo = 0;
	char *ep = r->endpoint;
	if (r->method[0])
		eo = (size_t)snprintf(ep, sizeof(r->endpoint), "%s ", r->method);
	if (pathlen == 4 && !memcmp(path, "root", 4)) {
		strcpy(r->path, "/");
		ep[eo++] = '/';
		ep[eo] = '\0';
		return 1;
	}
	size_t s = 0;
	while (s <= pathlen) {
		const char *seg = path + s;
		const char *end = memchr(seg, '.', pathlen - s);
		size_t sl = end ? (size_t)(end - seg) : pathlen - s;
		if (eo + sl + 8 >= sizeof(r->endpoint))
			return 0; /* more than an endpoint can hold */
		r->path[o++] = '/';
		memcpy(r->path + o, seg, sl);
		o += sl;
		ep[eo++] = '/';
		if (is_id(seg, sl)) {
			memcpy(ep + eo, "{id}", 4);
			eo += 4;
		} else {
			memcpy(ep + eo, seg, sl);
			eo += sl;
		}
		s += sl + 1;
	}
	r->path[o] = '\0';
	ep[eo] = '\0';
	return 1;
}

/* The grammar (doc/requests.md, "Request names"), from the right:
 *   NAME    = PREFIX "." ELAPSED "ms." TIME ".prof"
 *   TIME    = DIGITS [ "." DIGITS ]        {time:.0f}, {time:.6f}, %d, ...
 *   ELAPSED = DIGITS [ "." DIGITS ]        {elapsed:.0f}, {elapsed:.3f}, %06d
 *   PREFIX  = METHOD "." PATH | PATH       METHOD: [A-Z][A-Z0-9_-]*
 * TIME is the text after the last "ms." that is a number; ELAPSED ends
 * before it.  One ambiguity remains: in "users.17.5ms" the 17 may be the
 * path's last segment (whole milliseconds, werkzeug's default) or the
 * elapsed time's whole part ({elapsed:.1f}).  Then cand[0] is the whole
 * reading and cand[1] the fractional one.  Returns how many readings (0-2). */
static int parse_all(const char *name, pv_request cand[2])
{
	size_t n = strlen(name);
	if (n < 5 || strcmp(name + n - 5, ".prof"))
		return 0;
	n -= 5;
	for (size_t i = n; i-- > 0;) {
		if (i + 3 > n || memcmp(name + i, "ms.", 3))
			continue;
		const char *t = name + i + 3;
		size_t tn = n - i - 3;
		if (!number(t, tn))
			continue;
		size_t e = i, b = e; /* the elapsed digits: [b, e) */
		while (b > 0 && isdigit((unsigned char)name[b - 1]))
			b--;
		if (b == e || b < 2 || name[b - 1] != '.')
			continue;
		int k = fill(&cand[0], name, b - 1, name + b, e - b, t, tn);
		/* DIGITS "." before: the fractional reading, if a path is left */
		size_t w = b - 1, wb = w;
		while (wb > 0 && isdigit((unsigned char)name[wb - 1]))
			wb--;
		if (wb < w && wb >= 2 && name[wb - 1] == '.' &&
		    fill(&cand[k], name, wb - 1, name + wb, e - wb, t, tn))
			k++;
		return k;
	}
	return 0;
}

int pv_request_parse(const char *name, pv_request *r)
{
	pv_request cand[2];
	int k = parse_all(name, cand);
	if (k)
		*r = cand[0];
	else
		memset(r, 0, sizeof(*r));
	return k > 0;
}

/* Whether a name's milliseconds fit a measured profile time: the profile
 * runs inside the request, so its time is at most the request's wall time
 * (rounded in the name) and rarely far below it. */
static int plausible(double name_ms, double duration)
{
	double d = duration * 1e3;
	return d <= name_ms * 1.05 + 0.6 && name_ms <= d * 3 + 2;
}

static double off_by(double name_ms, double duration)
{
	return fabs(log((name_ms + 0.5) / (duration * 1e3 + 0.5)));
}

int pv_request_parse_timed(const char *name, double duration, pv_request *r)
{
	pv_request cand[2];
	int k = parse_all(name, cand);
	if (!k) {
		memset(r, 0, sizeof(*r));
		return 0;
	}
	int pick = 0;
	/* the whole-millisecond reading (werkzeug's default) unless the
	 * profile's time rules it out and the fractional one fits better */
	if (k == 2 && isfinite(duration) && duration >= 0 &&
	    !plausible(cand[0].elapsed_ms, duration) &&
	    (plausible(cand[1].elapsed_ms, duration) ||
	     off_by(cand[1].elapsed_ms, duration) < off_by(cand[0].elapsed_ms, duration)))
		pick = 1;
	*r = cand[pick];
	return 1;
}

/* ---- selection ---------------------------------------------------------- */

struct pv_reqfilter {
	pv_regex **re;
	size_t nre;
	int has_since, has_until;
	double since, until;
	pv_ctx *err; /* the first match error (a bound hit); later names do not match */
};

int pv_reqfilter_new(pv_reqfilter **out)
{
	pv_reqfilter *f = calloc(1, sizeof(*f));
	if (f && !(f->err = calloc(1, sizeof(*f->err)))) {
		free(f);
		f = NULL;
	}
	*out = f;
	return f ? 0 : PV_ENOMEM;
}

void pv_reqfilter_free(pv_reqfilter *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->nre; i++)
		pv_regex_free(f->re[i]);
	free(f->re);
	free(f->err);
	free(f);
}

int pv_reqfilter_add_endpoint(pv_reqfilter *f, const char *regex, pv_ctx *ctx)
{
	pv_regex *re;
	int rc = pv_regex_compile(&re, "--endpoint", regex, ctx);
	if (rc < 0)
		return rc;
	pv_regex **v = realloc(f->re, (f->nre + 1) * sizeof(*v));
	if (!v) {
		pv_regex_free(re);
		return pv_fail(ctx, PV_ENOMEM, PV_NOOFF, "out of memory");
	}
	f->re = v;
	f->re[f->nre++] = re;
	return 0;
}

int pv_reqfilter_error(const pv_reqfilter *f, pv_ctx *ctx)
{
	if (!f || !f->err->code)
		return 0;
	*ctx = *f->err;
	return f->err->code;
}

/* n decimal digits at *p into *v, advancing *p; 0 or -1. */
static int digits(const char **p, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++, ++*p) {
		if (**p < '0' || **p > '9')
			return -1;
		*v = *v * 10 + (**p - '0');
	}
	return 0;
}

static int days_in(int y, int m)
{
	static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : d[m - 1];
}

/* Unix time ([-]digits[.digits][e[+-]digits]), or ISO 8601
 * YYYY-MM-DD[(T| )hh:mm[:ss[.fff]]][Z|+hh:mm|-hh:mm], every field in its
 * range (no 2026-02-31, no +99:99); nan, inf and hex floats are refused. */
static int parse_when(const char *s, double *out)
{
	const char *p = s + (*s == '-');
	const char *q = p;
	while (*q >= '0' && *q <= '9')
		q++;
	if (q > p && *q == '.')
		for (q++; *q >= '0' && *q <= '9'; q++)
			;
	if (q > p && (*q == 'e' || *q == 'E')) {
		const char *e = q + 1 + (q[1] == '+' || q[1] == '-');
		q = e;
		while (*q >= '0' && *q <= '9')
			q++;
		if (q == e)
			return -1;
	}
	if (q > p && !*q) {
		*out = strtod(s, NULL);
		return isfinite(*out) ? 0 : -1;
	}
	struct tm tm = {0};
	int y, mo, d, h = 0, mi = 0, isec = 0;
	double frac = 0;
	p = s;
	if (digits(&p, 4, &y) < 0 || *p++ != '-' || digits(&p, 2, &mo) < 0 || *p++ != '-' ||
	    digits(&p, 2, &d) < 0)
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > days_in(y, mo))
		return -1;
	if (*p == 'T' || *p == ' ') {
		p++;
		if (digits(&p, 2, &h) < 0 || *p++ != ':' || digits(&p, 2, &mi) < 0)
			return -1;
		if (*p == ':') {
			p++;
			if (digits(&p, 2, &isec) < 0)
				return -1;
			if (*p == '.') {
				const char *f = p;
				for (p++; *p >= '0' && *p <= '9'; p++)
					;
				if (p == f + 1)
					return -1;
				frac = strtod(f, NULL);
			}
		}
		if (h > 23 || mi > 59 || isec > 59)
			return -1;
	}
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = isec;
	time_t t;
	if (!*p) {
		tm.tm_isdst = -1;
		t = mktime(&tm); /* local time */
		if (t == (time_t)-1 && (tm.tm_year != 69 || tm.tm_mday != 31))
			return -1;
	} else {
		int oh = 0, om = 0, sign = 1;
		if (*p == 'Z' && !p[1]) {
		} else if (*p == '+' || *p == '-') {
			sign = *p++ == '-' ? -1 : 1;
			if (digits(&p, 2, &oh) < 0 || *p++ != ':' || digits(&p, 2, &om) < 0 || *p ||
			    oh > 23 || om > 59)
				return -1;
		} else {
			return -1;
		}
		t = timegm(&tm) - sign * (oh * 3600 + om * 60);
	}
	*out = (double)t + frac;
	return 0;
}

static int set_when(double *slot, int *has, const char *opt, const char *when, pv_ctx *ctx)
{
	if (parse_when(when, slot) < 0) {
		char q[256];
		pv_quote(q, sizeof(q), when, strlen(when), 1);
		return pv_fail(ctx, PV_EARG, PV_NOOFF,
			       "%s takes a Unix time or an ISO 8601 time (2026-11-20T14:30Z), not %s",
			       opt, q);
	}
	*has = 1;
	return 0;
}

int pv_reqfilter_set_since(pv_reqfilter *f, const char *when, pv_ctx *ctx)
{
	return set_when(&f->since, &f->has_since, "--since", when, ctx);
}

int pv_reqfilter_set_until(pv_reqfilter *f, const char *when, pv_ctx *ctx)
{
	return set_when(&f->until, &f->has_until, "--until", when, ctx);
}

int pv_reqfilter_active(const pv_reqfilter *f)
{
	return f && (f->nre || f->has_since || f->has_until);
}

static int match_one(const pv_reqfilter *f, const pv_request *r)
{
	if (f->has_since && r->time < f->since)
		return 0;
	if (f->has_until && r->time > f->until)
		return 0;
	if (!f->nre)
		return 1;
	if (f->err->code)
		return 0;
	for (size_t i = 0; i < f->nre; i++) {
		int m = pv_regex_match(f->re[i], r->endpoint, strlen(r->endpoint), f->err);
		if (m != 0)
			return m > 0;
	}
	return 0;
}

int pv_reqfilter_match(const pv_reqfilter *f, const char *name)
{
	if (!pv_reqfilter_active(f))
		return 1;
	pv_request cand[2];
	int k = parse_all(name, cand);
	for (int i = 0; i < k; i++)
		if (match_one(f, &cand[i]))
			return 1;
	return 0;
}

int pv_reqfilter_match_timed(const pv_reqfilter *f, const char *name, double duration)
{
	if (!pv_reqfilter_active(f))
		return 1;
	pv_request r;
	return pv_request_parse_timed(name, duration, &r) && match_one(f, &r);
}
