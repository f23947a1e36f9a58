/*
 * output.c - the -o FILE output of the command line.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output.h"

/* -o FILE: a regular file (or a new one) is written beside it under a
 * temporary name and renamed when complete, so it is never left
 * half-written; a device or pipe (/dev/stdout, /dev/full, a FIFO) is written
 * in place.  A symbolic link is followed, so the link stays. */
int output_open(struct output *o, const char *path)
{
	memset(o, 0, sizeof(*o));
	o->path = path;
	if (!path || !strcmp(path, "-")) {
		o->fp = stdout;
		return 0;
	}
	struct stat st;
	int exists = stat(path, &st) == 0;
	if (exists && !S_ISREG(st.st_mode)) {
		if (!(o->fp = fopen(path, "w"))) {
			fprintf(stderr, "profview: %s: cannot open: %s\n", path, strerror(errno));
			return -1;
		}
		return 0;
	}
	o->final = realpath(path, NULL);
	if (!o->final && !(o->final = strdup(path)))
		return -1;
	size_t n = strlen(o->final);
	o->tmp = malloc(n + 16);
	if (!o->tmp)
		return -1;
	snprintf(o->tmp, n + 16, "%s.tmp.XXXXXX", o->final);
	int fd = mkstemp(o->tmp);
	if (fd >= 0) {
		mode_t mask = umask(0);
		umask(mask);
		fchmod(fd, exists ? st.st_mode & 07777 : 0666 & ~mask);
	}
	if (fd < 0 || !(o->fp = fdopen(fd, "w"))) {
		fprintf(stderr, "profview: %s: cannot create: %s\n", path, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(o->tmp);
		}
		free(o->tmp);
		free(o->final);
		o->tmp = o->final = NULL;
		return -1;
	}
	return 0;
}

int output_close(struct output *o, int ok)
{
	int err = ferror(o->fp);
	if (o->fp == stdout) {
		if (fflush(stdout) == EOF || err) {
			fprintf(stderr, "profview: write error: %s\n", strerror(errno));
			return -1;
		}
		return 0;
	}
	if (fflush(o->fp) == EOF || err || (o->tmp && fsync(fileno(o->fp)) < 0)) {
		fprintf(stderr, "profview: %s: write error: %s\n", o->path, strerror(errno));
		ok = 0;
	}
	if (fclose(o->fp) == EOF && ok) {
		fprintf(stderr, "profview: %s: write error: %s\n", o->path, strerror(errno));
		ok = 0;
	}
	if (o->tmp) {
		if (ok && rename(o->tmp, o->final) < 0) {
			fprintf(stderr, "profview: %s: %s\n", o->path, strerror(errno));
			ok = 0;
		}
		if (!ok)
			unlink(o->tmp);
	}
	free(o->tmp);
	free(o->final);
	return ok ? 0 : -1;
}

