/* LD_PRELOAD for tests/hostile/run.sh: when profview advises its mapping
 * of a large input (MADV_SEQUENTIAL, lib/load.c), the file named by
 * PV_SHRINK is cut to PV_SHRINK_TO bytes, as a dump rewritten while it is
 * read would be. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int madvise(void *addr, size_t len, int advice)
{
	static int (*real)(void *, size_t, int);
	if (!real)
		real = (int (*)(void *, size_t, int))dlsym(RTLD_NEXT, "madvise");
	const char *f = getenv("PV_SHRINK");
	if (advice == MADV_SEQUENTIAL && f) {
		const char *to = getenv("PV_SHRINK_TO");
		(void)truncate(f, to ? atol(to) : 0);
	}
	return real(addr, len, advice);
}
