/*
 * fuzz.h - what the fuzz targets share: a sink for writers and the check
 * that turns a broken property into a crash libFuzzer and replay report.
 */
#ifndef PV_FUZZ_H
#define PV_FUZZ_H

#include <stdio.h>
#include <stdlib.h>

static inline FILE *devnull(void)
{
	static FILE *fp;
	if (!fp && !(fp = fopen("/dev/null", "w")))
		abort();
	return fp;
}

#define CHECK(cond)                                                                          \
	do {                                                                                 \
		if (!(cond)) {                                                               \
			fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__,  \
				#cond);                                                      \
			abort();                                                             \
		}                                                                            \
	} while (0)

#endif
