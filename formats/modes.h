/*
 * modes.h - what the writers in formats/ share across files (not API):
 * the text tables of --requests and --diff (requests.c, diff.c), which the
 * text writer (report.c) prints for those modes, and small helpers
 * (common.c).
 */
#ifndef PV_MODES_H
#define PV_MODES_H

#include <stdint.h>
#include <stdio.h>

#include "writer.h"

struct pv_out; /* out.h */

int pv_requests_text(FILE *fp, const pv_views *v, pv_write_opts *o, pv_ctx *ctx);
int pv_diff_text(FILE *fp, const pv_views *v, pv_write_opts *o, pv_ctx *ctx);

/* --unit for a text table of times in seconds whose largest is `max`:
 * the factor to multiply by and the unit's name ("s", "ms" or "us").
 * unit NULL: deflt (the stats report's "s", pstats' own; "ms" for the
 * requests and diff tables); "auto": the unit in which max shows at least
 * 1, deflt when max is 0 or NaN. */
double pv_unit_scale(const char *unit, const char *deflt, double max, const char **name);
/* A function's stable id as 16 hex digits and a NUL into buf. */
void pv_func_id(char buf[17], const pv_stats *st, uint32_t key);
/* h as 16 lower-case hex digits and a NUL (the id of a hash at hand). */
void pv_hex16(char buf[17], uint64_t h);
/* The code point at s[*i], *i moved past it; PV_UTF8_BAD for a byte that
 * starts no UTF-8 sequence (one byte) and for a lone surrogate (CPython's
 * surrogatepass form of a non-UTF-8 byte in a name: three bytes). */
#define PV_UTF8_BAD 0xffffffffu
uint32_t pv_utf8_get(const char *s, size_t n, size_t *i);
/* 1 for what an XML document must not hold: outside XML 1.0's Char (C0 but
 * tab and line ends, U+FFFE, U+FFFF, PV_UTF8_BAD), and what it excludes as
 * discouraged (DEL, C1, the noncharacters U+FDD0..U+FDEF and U+nFFFE,
 * U+nFFFF of every plane): writers put U+FFFD in their place. */
int pv_xml_forbidden(uint32_t cp);
/* Print s as a CSV field (RFC 4180: quoted when it holds , " CR or LF).
 * A field a spreadsheet would run as a formula (starting with = + - @ tab
 * or CR, after any spaces) gets a leading ' (OWASP's CSV injection advice);
 * what is not UTF-8 (lone surrogates) becomes U+FFFD, so the file decodes. */
void pv_csv_str(struct pv_out *fp, const char *s, size_t n);
/* Print s for a text table: C0, DEL and C1 shown as \xNN, the line
 * separators and bidirectional controls as \uNNNN (as Python's repr). */
void pv_text_str(FILE *fp, const char *s, size_t n);
/* The terminal columns pv_text_str(s, n) takes (wide characters two,
 * combining marks none). */
size_t pv_text_width(const char *s, size_t n);

#endif
