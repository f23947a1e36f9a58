/*
 * writers.c - the output formats, in the order --help lists them.  A new
 * format is a pv_writer in its own file and one line here.
 */
#include <string.h>

#include "writer.h"

const pv_writer *const pv_writers[] = {
	&pv_writer_text,
	&pv_writer_callgrind,
	&pv_writer_pstats,
	&pv_writer_json,
	&pv_writer_dot,
	&pv_writer_csv,
	&pv_writer_svg,
	&pv_writer_speedscope,
	&pv_writer_folded,
	&pv_writer_html,
	&pv_writer_pprof,
	NULL,
};

const pv_writer *pv_writer_find(const char *name)
{
	for (const pv_writer *const *w = pv_writers; *w; w++)
		if (!strcmp((*w)->name, name))
			return *w;
	return NULL;
}
