/*
 * common.c - helpers shared by the writers (modes.h).
 */
#include <inttypes.h>
#include <string.h>

#include "modes.h"

double pv_unit_scale(const char *unit, double max, const char **name)
{
	if (!unit)
		unit = "ms";
	if (!strcmp(unit, "auto"))
		unit = max >= 1 ? "s" : max >= 1e-3 || max == 0 || max != max ? "ms"
									      : "us";
	*name = !strcmp(unit, "s") ? "s" : !strcmp(unit, "us") ? "us"
							       : "ms";
	return !strcmp(*name, "s") ? 1 : !strcmp(*name, "us") ? 1e6
							      : 1e3;
}

void pv_func_id(char buf[17], const pv_stats *st, uint32_t key)
{
	pv_hex16(buf, pv_stats_key_hash(st, key));
}

void pv_hex16(char buf[17], uint64_t h)
{
	for (int i = 15; i >= 0; i--, h >>= 4)
		buf[i] = "0123456789abcdef"[h & 15];
	buf[16] = '\0';
}

void pv_text_str(FILE *fp, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f)
			fprintf(fp, "\\x%02x", c);
		else
			putc(c, fp);
	}
}
