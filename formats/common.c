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
	snprintf(buf, 17, "%016" PRIx64, pv_stats_key_hash(st, key));
}

void pv_csv_str(FILE *fp, const char *s, size_t n)
{
	int quote = 0;
	for (size_t i = 0; i < n && !quote; i++)
		quote = s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
	if (!quote) {
		fwrite(s, 1, n, fp);
		return;
	}
	putc('"', fp);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			putc('"', fp);
		putc(s[i], fp);
	}
	putc('"', fp);
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
