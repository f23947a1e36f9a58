/*
 * fuzz_reqname.c - libFuzzer target: the request-name parser and the
 * request selection (--endpoint, --since, --until) on arbitrary file names.
 *
 * Properties: a parsed name gives a NUL-terminated path starting with "/"
 * and an endpoint that ends in the path's shape ("METHOD /..." or "/...");
 * the selection answers without failing.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/pv.h"
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
	return 0;
}
