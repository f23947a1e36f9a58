/*
 * repr.c - pv_double_repr over stdin: 8-byte doubles (native order) in,
 * one repr a line out.  test_dtoa.py compares the lines with Python's repr.
 */
#include <stdio.h>

#include "../../lib/pv.h"

int main(void)
{
	static double in[4096];
	static char out[4096 * 32];
	size_t n;
	while ((n = fread(in, sizeof(in[0]), sizeof(in) / sizeof(in[0]), stdin)) > 0) {
		size_t o = 0;
		for (size_t i = 0; i < n; i++) {
			o += pv_double_repr(out + o, in[i]);
			out[o++] = '\n';
		}
		fwrite(out, 1, o, stdout);
	}
	return ferror(stdin) || fflush(stdout) ? 1 : 0;
}
