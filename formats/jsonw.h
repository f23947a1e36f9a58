/*
 * jsonw.h - the one JSON emitter of the writers in formats/ (json,
 * speedscope, html): strings, numbers and the commas between items, into
 * a pv_out buffer.  Keys and punctuation are the writers' own literals
 * (constant ASCII: nothing to escape), so each format keeps its layout.
 */
#ifndef PV_JSONW_H
#define PV_JSONW_H

#include <math.h>

#include "out.h"

/* jw_str flags */
enum {
	/* safe inside an HTML <script> element: <, > and & are written as
	 * \u003c, \u003e, \u0026 (no name can end the element or be read as
	 * markup), U+2028 and U+2029 as \u2028, \u2029 (line ends to old
	 * JavaScript), and every control character as \u00XX */
	JW_HTML = 1,
};

/* s[0, n) as a JSON string: ", \ and control characters escaped (\n, \t
 * and, without JW_HTML, \r by name), a lone surrogate (ED A0..BF xx, which
 * CPython's surrogatepass lets into names; not UTF-8) as \udXXX; every
 * other byte as it is. */
void jw_str(pv_out *o, const char *s, size_t n, unsigned flags);

/* A NUL-terminated string, or null for NULL. */
static inline void jw_cstr(pv_out *o, const char *s, unsigned flags)
{
	if (s)
		jw_str(o, s, strlen(s), flags);
	else
		out_s(o, "null");
}

/* A double in the shortest form that reads back to it (Python's repr);
 * NaN and the infinities, which JSON has not, as null. */
void jw_double(pv_out *o, double x);

/* A Python int in decimal (any of 128 bits). */
static inline void jw_int(pv_out *o, pv_int v)
{
	out_int(o, v);
}

/* A time as pstats keeps it: an int, or a double as jw_double writes it. */
static inline void jw_num(pv_out *o, pv_num v)
{
	if (v.is_int)
		jw_int(o, v.i);
	else
		jw_double(o, v.f);
}

/* Before an item of an array or object: sep ("," or ", ") unless it is
 * the first; *n counts the items. */
static inline void jw_item(pv_out *o, size_t *n, const char *sep)
{
	if ((*n)++)
		out_s(o, sep);
}

#endif
