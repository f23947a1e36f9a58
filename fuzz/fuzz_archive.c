/*
 * fuzz_archive.c - libFuzzer target: the archive input.
 *
 *   bytes -> pv_container_archive (libarchive, from memory, small limits)
 *         -> every *.prof member -> pv_reader_marshal.read -> pv_stats_merge
 *
 *   the same bytes as a regular file (a memfd) -> members located in place
 *         (locate) -> their bytes read with pread -> the same reader
 *
 * Properties: a member never exceeds the member limit, the members read
 * or located never exceed the archive limit, and everything is freed.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../formats/reader.h"
#include "../formats/writer.h"
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
	/* a regular file: an uncompressed tar's members are located, not read */
	int fd = memfd_create("fuzz.tar", MFD_CLOEXEC);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	size_t head = size < 4096 ? size : 4096;
	h = NULL;
	ctx.member = NULL;
	if (pv_container_archive.open(&h, "fuzz.tar", fd, data, head, &lim, &ctx) == 0) {
		const char *name;
		uint64_t off, len, total = 0;
		unsigned char *buf = NULL;
		if (pv_container_archive.locate(h, NULL, NULL))
			for (int n = 0; n < 256 && pv_container_archive.next(h, &name, &ctx) == 1; n++) {
				if (!pv_container_archive.locate(h, &off, &len))
					break; /* the loader reads the archive again, as above */
				CHECK(len <= lim.max_member);
				total += len;
				CHECK(total <= lim.max_archive);
				unsigned char *nb = realloc(buf, len ? len : 1);
				if (!nb)
					abort();
				buf = nb;
				ssize_t got = pread(fd, buf, len, (off_t)off); /* past the end: short */
				if (got > 0 && pv_reader_marshal.read(&ctx, st, p, buf, (size_t)got) == 0)
					pv_stats_merge(st, p, &ctx);
			}
		free(buf);
		pv_container_archive.close(h);
	}
	close(fd);
	pv_profile_free(p);
	pv_stats_free(st);
	return 0;
}
