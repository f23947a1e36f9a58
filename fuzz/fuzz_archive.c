/*
 * fuzz_archive.c - libFuzzer target: the archive input.
 *
 *   bytes -> pv_container_archive (libarchive, from memory, small limits)
 *         -> every *.prof member -> pv_reader_marshal.read -> pv_stats_merge
 *
 * Properties: a member never exceeds the member limit, the members read
 * never exceed the archive limit, and everything is freed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "../lib/pv.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pv_stats *st = NULL;
	pv_profile *p = NULL;
	pv_ctx ctx = {.input = "fuzz.tar"};
	pv_limits lim = {.max_member = 1 << 20, .max_archive = 4 << 20};
	void *h = NULL;
	if (pv_stats_new(&st) < 0 || pv_profile_new(&p) < 0)
		abort();
	if (pv_container_archive.open(&h, "fuzz.tar", -1, data, size, &lim, &ctx) == 0) {
		const char *name;
		unsigned char *buf = NULL;
		size_t cap = 0, len = 0, total = 0;
		for (int n = 0; n < 256 && pv_container_archive.next(h, &name, &ctx) == 1; n++) {
			ctx.member = name;
			int rc = pv_container_archive.read(h, &buf, &cap, &len, &ctx);
			CHECK(len <= lim.max_member + (1 << 17)); /* one read past the check at most */
			total += len;
			if (rc < 0)
				continue;
			if (pv_reader_marshal.read(&ctx, st, p, buf, len) == 0)
				pv_stats_merge(st, p, &ctx);
		}
		CHECK(total <= lim.max_archive + lim.max_member + (1 << 17));
		free(buf);
		pv_container_archive.close(h);
	}
	pv_profile_free(p);
	pv_stats_free(st);
	return 0;
}
