/*
 * modes.h - what the writers in formats/ share across files (not API):
 * the text tables of --requests and --diff (requests.c, diff.c), which the
 * text writer (report.c) prints for those modes, and small helpers
 * (common.c).
 */
#ifndef PV_MODES_H
#define PV_MODES_H

#include <stdio.h>

#include "../lib/pv.h"

int pv_requests_text(FILE *fp, const pv_views *v, pv_write_opts *o, pv_ctx *ctx);
int pv_diff_text(FILE *fp, const pv_views *v, pv_write_opts *o, pv_ctx *ctx);

/* --unit for a text table of times in seconds whose largest is `max`:
 * the factor to multiply by and the unit's name (ms unless asked). */
double pv_unit_scale(const char *unit, double max, const char **name);
/* A function's stable id as 16 hex digits and a NUL into buf. */
void pv_func_id(char buf[17], const pv_stats *st, uint32_t key);
/* h as 16 lower-case hex digits and a NUL (the id of a hash at hand). */
void pv_hex16(char buf[17], uint64_t h);
/* Print s with control characters shown as \xNN (a text table's names). */
void pv_text_str(FILE *fp, const char *s, size_t n);

#endif
