/*
 * output.h - the -o FILE output of the command line (cmd/output.c).
 */
#ifndef PV_CMD_OUTPUT_H
#define PV_CMD_OUTPUT_H

#include <stdio.h>

/* -o FILE: a regular file (or a new one) is written beside it under a
 * temporary name and renamed when complete, so it is never left
 * half-written; a device or pipe (/dev/stdout, /dev/full, a FIFO) is written
 * in place.  A symbolic link is followed, so the link stays. */
struct output {
	FILE *fp;
	const char *path;
	char *tmp;   /* temporary file, renamed to `final` */
	char *final;
};

/* Open path (NULL or "-": standard output); 0, or -1 with a message printed. */
int output_open(struct output *o, const char *path);
/* Flush and close; with ok the temporary file replaces the final one.
 * 0, or -1 with a message printed. */
int output_close(struct output *o, int ok);

#endif
