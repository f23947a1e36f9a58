/*
 * output.h - the -o FILE output of the command line (cmd/output.c).
 */
#ifndef PV_CMD_OUTPUT_H
#define PV_CMD_OUTPUT_H

#include <stdio.h>

/* -o FILE (output.c says how each kind of target is written). */
struct output {
	FILE *fp;
	const char *path;
	int dirfd;    /* the target's directory when it is replaced, else -1 */
	char *base;   /* the target's name in dirfd */
	char tmp[16]; /* the temporary name (once linked, or the fallback's) */
	int unnamed;  /* the file is O_TMPFILE's, linked only when complete */
	int inplace;  /* written in place (a descriptor, device, or fallback) */
	int fd;       /* fp's descriptor when fp is a stream_for stream, else -1 */
};

/* Open path (NULL or "-": standard output); 0, or -1 with a message printed. */
int output_open(struct output *o, const char *path);
/* Flush and close; with ok the temporary file replaces the final one.
 * 0, or -1 with a message printed. */
int output_close(struct output *o, int ok);
/* Open /dev/null on whichever of descriptors 0-2 is closed, so that no file
 * opened later becomes standard output or error.  Call first thing. */
void output_std_fds(void);

#endif
