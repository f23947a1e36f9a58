/*
 * fuzz_reqname.c - libFuzzer target: the request-name parser and the
 * request selection (--endpoint, --since, --until) on arbitrary file names.
 *
 * Properties: a parsed name gives a NUL-terminated path starting with "/"
 * and an endpoint that ends in the path's shape ("METHOD /..." or "/...");
 * the selection answers without failing.
 *
 * The same bytes also go through what reads user text around names: as a
 * --since value (accepted or refused, never a crash); split at the first
 * newline into a pattern and a subject for the bounded regex helper (a
 * match, no match, or an error with a message naming the option - never
 * a hang); and through pv_quote (no control character comes out).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/internal.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static pv_reqfilter *filter(void)
{
	static pv_reqfilter *f;
	if (!f) {
		pv_ctx ctx = {0};
		if (pv_reqfilter_new(&f) < 0 || pv_reqfilter_add_endpoint(f, "^GET /api", &ctx) < 0 ||
		    pv_reqfilter_add_endpoint(f, "\\{id\\}$", &ctx) < 0 ||
		    pv_reqfilter_set_since(f, "2020-01-01T00:00Z", &ctx) < 0 ||
		    pv_reqfilter_set_until(f, "4102444800", &ctx) < 0)
			abort();
	}
	return f;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char name[1024];
	if (size >= sizeof(name))
		size = sizeof(name) - 1;
	memcpy(name, data, size);
	name[size] = '\0';
	pv_request r;
	if (pv_request_parse(name, &r)) {
		CHECK(r.path[0] == '/');
		CHECK(strnlen(r.path, sizeof(r.path)) < sizeof(r.path));
		CHECK(strnlen(r.endpoint, sizeof(r.endpoint)) < sizeof(r.endpoint));
		CHECK(strnlen(r.method, sizeof(r.method)) < sizeof(r.method));
		CHECK(strchr(r.endpoint, '/') != NULL);
		CHECK(!r.method[0] || strncmp(r.endpoint, r.method, strlen(r.method)) == 0);
	}
	/* the fractional reading, chosen by a profile time that rules out the whole one */
	if (pv_request_parse_timed(name, 1e6, &r)) {
		CHECK(r.path[0] == '/');
		CHECK(strnlen(r.endpoint, sizeof(r.endpoint)) < sizeof(r.endpoint));
	}
	pv_reqfilter_match(filter(), name);
	pv_reqfilter_match_timed(filter(), name, 0.001);

	pv_reqfilter *f;
	pv_ctx ctx = {0};
	if (pv_reqfilter_new(&f) == 0) {
		int rc = pv_reqfilter_set_since(f, name, &ctx);
		CHECK(rc == 0 || (rc == PV_EARG && ctx.msg[0]));
		pv_reqfilter_free(f);
	}

	char *nl = memchr(name, '\n', size);
	if (nl) {
		*nl = '\0';
		pv_regex *re;
		memset(&ctx, 0, sizeof(ctx));
		int rc = pv_regex_compile(&re, "--match", name, &ctx);
		CHECK(rc == 0 || ((rc == PV_EARG || rc == PV_ENOMEM) && ctx.msg[0]));
		if (rc == 0) {
			const char *subj = nl + 1;
			rc = pv_regex_match(re, subj, size - (size_t)(subj - name), &ctx);
			CHECK(rc == 0 || rc == 1 || rc == PV_ENOMEM ||
			      (rc == PV_ELIMIT && !strncmp(ctx.msg, "--match: ", 9)));
			pv_regex_free(re);
		}
		*nl = '\n';
	}

	char q[512];
	size_t n = pv_quote(q, sizeof(q), name, size, 0);
	CHECK(n < sizeof(q) && q[n] == '\0');
	for (size_t i = 0; i < n; i++)
		CHECK((unsigned char)q[i] >= 0x20 && q[i] != 0x7f);
	return 0;
}
