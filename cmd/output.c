/*
 * output.c - the -o FILE output of the command line.
 *
 * A regular file (or a new one) is written beside the target, unnamed
 * (O_TMPFILE) where the file system allows, and put in place when
 * complete: linked under a short temporary name and renamed over the
 * target, with SIGINT, SIGTERM and SIGHUP held off for those two calls.
 * Interrupted, even by SIGKILL, it leaves nothing behind.  Where O_TMPFILE
 * is not supported a named temporary file (".pvXXXXXX", short enough for
 * a target of NAME_MAX bytes) is used and removed on those signals.
 *
 * What the shell would refuse is refused (a target we may not write); the
 * target keeps its mode, and its owner and group where they can be kept.
 * Where replacing cannot keep them (another user's file), or renaming
 * cannot work (a bind-mounted target: EBUSY, EXDEV), the target is written
 * in place, as `>` would.  A path naming one of our open descriptors
 * (/dev/stdout, /dev/stderr, /dev/fd/N, /proc/self/fd/N) is written
 * through that descriptor, so `-o /dev/stdout >> log` appends.  Other
 * devices and pipes (/dev/full, a FIFO) are written in place.  A symbolic
 * link is followed, so the link stays.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../lib/pv.h"
#include "output.h"

/* The named temporary file to remove if a signal ends the run (set only
 * while one exists).  A signal handler can reach nothing else. */
static char pending_tmp[PATH_MAX];
static volatile sig_atomic_t have_pending;

static void on_signal(int sig)
{
	if (have_pending)
		unlink(pending_tmp);
	signal(sig, SIG_DFL);
	raise(sig);
}

static const int held[] = {SIGINT, SIGTERM, SIGHUP};

static void catch_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(held) / sizeof(held[0]); i++) {
		struct sigaction old;
		/* a signal ignored by whoever started us stays ignored */
		if (sigaction(held[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
			sigaction(held[i], &sa, NULL);
	}
}

static void hold_signals(sigset_t *old)
{
	sigset_t set;
	sigemptyset(&set);
	for (size_t i = 0; i < sizeof(held) / sizeof(held[0]); i++)
		sigaddset(&set, held[i]);
	sigprocmask(SIG_BLOCK, &set, old);
}

static void quoted(char *buf, size_t cap, const char *path)
{
	pv_quote(buf, cap, path, strlen(path), 0);
}

static int fail(const struct output *o, const char *what, int err)
{
	char q[1024];
	quoted(q, sizeof(q), o->path);
	if (what)
		fprintf(stderr, "profview: %s: %s: %s\n", q, what, strerror(err));
	else
		fprintf(stderr, "profview: %s: %s\n", q, strerror(err));
	return -1;
}

/* The descriptor a path names (/dev/stdout, /dev/stderr, /dev/stdin,
 * /dev/fd/N, /proc/self/fd/N, /proc/PID/fd/N for our PID), or -1. */
static int named_fd(const char *path)
{
	if (!strcmp(path, "/dev/stdin"))
		return 0;
	if (!strcmp(path, "/dev/stdout"))
		return 1;
	if (!strcmp(path, "/dev/stderr"))
		return 2;
	const char *n = NULL;
	char self[64];
	snprintf(self, sizeof(self), "/proc/%ld/fd/", (long)getpid());
	if (!strncmp(path, "/dev/fd/", 8))
		n = path + 8;
	else if (!strncmp(path, "/proc/self/fd/", 14))
		n = path + 14;
	else if (!strncmp(path, self, strlen(self)))
		n = path + strlen(self);
	if (!n || *n < '0' || *n > '9')
		return -1;
	char *end;
	long fd = strtol(n, &end, 10);
	return *end || fd > INT_MAX ? -1 : (int)fd;
}

/* The temporary file that replaces a target: its bytes start on their way
 * to the disk as they are written (sync_file_range every WRITEBACK_STEP),
 * so the fsync that makes the replace durable waits for the last part,
 * not for the whole file (a 150 MB JSON export waited 0.25 s there). */
#define WRITEBACK_STEP ((off_t)16 << 20)

struct wstream {
	int fd;
	off_t done, started;
};

static ssize_t wstream_write(void *cookie, const char *buf, size_t n)
{
	struct wstream *w = cookie;
	size_t left = n;
	while (left) {
		ssize_t k = write(w->fd, buf, left);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return n - left ? (ssize_t)(n - left) : -1;
		buf += k;
		left -= (size_t)k;
		w->done += k;
	}
	if (w->done - w->started >= WRITEBACK_STEP) {
		(void)sync_file_range(w->fd, w->started, w->done - w->started, SYNC_FILE_RANGE_WRITE);
		w->started = w->done;
	}
	return (ssize_t)n;
}

static int wstream_close(void *cookie)
{
	struct wstream *w = cookie;
	int rc = close(w->fd);
	free(w);
	return rc;
}

/* A stream writing o's temporary file fd as above (fdopen's where that
 * cannot be made); o->fd is its descriptor when it is ours (no fileno). */
static FILE *stream_for(struct output *o, int fd)
{
	struct wstream *w = malloc(sizeof(*w));
	if (w) {
		*w = (struct wstream){.fd = fd};
		FILE *fp = fopencookie(w, "w", (cookie_io_functions_t){.write = wstream_write, .close = wstream_close});
		if (fp) {
			o->fd = fd;
			return fp;
		}
		free(w);
	}
	return fdopen(fd, "w");
}

/* Write in place: the target opened as the shell's `>` opens it. */
static int open_in_place(struct output *o)
{
	int fd = open(o->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0 || !(o->fp = fdopen(fd, "w"))) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return fail(o, "cannot open", e);
	}
	return 0;
}

/* dir and base name of the target (symbolic links followed), dirfd open;
 * the directory's path, for the signal handler, into pending_tmp */
static int locate(struct output *o)
{
	char *real = realpath(o->path, NULL);
	const char *p = real ? real : o->path;
	const char *slash = strrchr(p, '/');
	char *dir = slash ? strndup(p, slash == p ? 1 : (size_t)(slash - p)) : strdup(".");
	o->base = strdup(slash ? slash + 1 : p);
	free(real);
	if (!dir || !o->base) {
		free(dir);
		free(o->base);
		o->base = NULL;
		fputs("profview: out of memory\n", stderr);
		return -1;
	}
	o->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int e = errno;
	snprintf(pending_tmp, sizeof(pending_tmp), "%s", dir);
	free(dir);
	if (o->dirfd < 0) {
		free(o->base);
		o->base = NULL;
		return fail(o, "cannot create", e);
	}
	return 0;
}

/* A short name not yet in the directory: ".pv" and six random characters. */
static void tmp_name(char *buf, unsigned *seed)
{
	static const char set[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	memcpy(buf, ".pv", 3);
	for (int i = 0; i < 6; i++) {
		*seed = *seed * 1103515245u + 12345u;
		buf[3 + i] = set[(*seed >> 16) % (sizeof(set) - 1)];
	}
	buf[9] = '\0';
}

int output_open(struct output *o, const char *path)
{
	memset(o, 0, sizeof(*o));
	o->path = path;
	o->dirfd = -1;
	o->fd = -1;
	if (!path || !strcmp(path, "-")) {
		o->fp = stdout;
		return 0;
	}
	int nfd = named_fd(path);
	if (nfd >= 0) { /* our own descriptor: write through it, as it is */
		fflush(stdout);
		int fd = fcntl(nfd, F_DUPFD_CLOEXEC, 3);
		if (fd < 0 || !(o->fp = fdopen(fd, "w"))) {
			int e = errno;
			if (fd >= 0)
				close(fd);
			return fail(o, "cannot open", e);
		}
		o->inplace = 1;
		return 0;
	}
	struct stat st;
	int exists = stat(path, &st) == 0;
	if (exists && !S_ISREG(st.st_mode)) {
		o->inplace = 1;
		return open_in_place(o);
	}
	/* what the shell's `>` would refuse */
	if (exists && faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) < 0)
		return fail(o, "cannot open", errno);
	/* another user's file: replacing it would change its owner */
	if (exists && (st.st_uid != geteuid() || st.st_gid != getegid()) && geteuid() != 0) {
		o->inplace = 1;
		return open_in_place(o);
	}
	if (locate(o) < 0)
		return -1;
	mode_t mask = umask(0);
	umask(mask);
	mode_t mode = exists ? st.st_mode & 07777 : 0666 & ~mask;
	int fd = -1;
	/* linking an unnamed file needs /proc (or a capability) */
	if (!getenv("PROFVIEW_NO_TMPFILE") && access("/proc/self/fd", X_OK) == 0)
		fd = openat(o->dirfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0) {
		o->unnamed = 1;
	} else {
		catch_signals();
		char dir[PATH_MAX];
		snprintf(dir, sizeof(dir), "%s", pending_tmp);
		unsigned seed = (unsigned)getpid() ^ (unsigned)(uintptr_t)o;
		for (int tries = 0; fd < 0 && tries < 100; tries++) {
			tmp_name(o->tmp, &seed);
			sigset_t old;
			hold_signals(&old);
			fd = openat(o->dirfd, o->tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
			/* the handler unlinks by the full path: the cwd may not be
			 * the target's directory */
			int w = snprintf(pending_tmp, sizeof(pending_tmp), "%s/%s", dir, o->tmp);
			if (fd >= 0 && w > 0 && (size_t)w < sizeof(pending_tmp))
				have_pending = 1;
			sigprocmask(SIG_SETMASK, &old, NULL);
			if (fd < 0 && errno != EEXIST)
				break;
		}
	}
	if (fd >= 0 && (fchmod(fd, mode) < 0 ||
			(exists && fchown(fd, st.st_uid, st.st_gid) < 0 && geteuid() == 0))) {
		/* mode or owner cannot be kept: write in place instead */
		close(fd);
		if (!o->unnamed) {
			unlinkat(o->dirfd, o->tmp, 0);
			have_pending = 0;
		}
		o->unnamed = 0;
		o->tmp[0] = '\0';
		o->inplace = 1;
		/* nothing to replace now: output_close must not install */
		close(o->dirfd);
		free(o->base);
		o->dirfd = -1;
		o->base = NULL;
		return open_in_place(o);
	}
	if (fd < 0 || !(o->fp = stream_for(o, fd))) {
		int e = errno;
		if (fd >= 0) {
			close(fd);
			if (!o->unnamed)
				unlinkat(o->dirfd, o->tmp, 0);
		}
		have_pending = 0;
		close(o->dirfd);
		free(o->base);
		o->dirfd = -1;
		o->base = NULL;
		o->unnamed = 0;
		o->tmp[0] = '\0';
		return fail(o, "cannot create", e);
	}
	return 0;
}

/* Copy the finished temporary file (fd) into the target, in place. */
static int copy_in_place(struct output *o, int fd)
{
	int out = open(o->path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (out < 0)
		return fail(o, NULL, errno);
	char buf[65536];
	ssize_t got;
	int rc = 0;
	if (lseek(fd, 0, SEEK_SET) < 0)
		rc = -1;
	while (rc == 0 && (got = read(fd, buf, sizeof(buf))) != 0) {
		if (got < 0) {
			if (errno == EINTR)
				continue;
			rc = -1;
			break;
		}
		for (ssize_t w, off = 0; off < got; off += w)
			if ((w = write(out, buf + off, (size_t)(got - off))) < 0) {
				if (errno == EINTR) {
					w = 0;
					continue;
				}
				rc = -1;
				break;
			}
	}
	int e = errno;
	if (close(out) < 0 && rc == 0)
		rc = -1, e = errno;
	return rc < 0 ? fail(o, "write error", e) : 0;
}

/* Put the finished file in place (signals held): link the unnamed file
 * under a temporary name, rename that over the target. */
static int install(struct output *o, int fd)
{
	if (o->unnamed) {
		char proc[64];
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
		unsigned seed = (unsigned)getpid() ^ (unsigned)fd;
		int rc = -1;
		for (int tries = 0; rc < 0 && tries < 100; tries++) {
			tmp_name(o->tmp, &seed);
			rc = linkat(AT_FDCWD, proc, o->dirfd, o->tmp, AT_SYMLINK_FOLLOW);
			if (rc < 0 && errno != EEXIST)
				break;
		}
		if (rc < 0) {
			o->tmp[0] = '\0';
			return fail(o, NULL, errno);
		}
	}
	if (renameat(o->dirfd, o->tmp, o->dirfd, o->base) == 0)
		return 0;
	int e = errno;
	unlinkat(o->dirfd, o->tmp, 0);
	if (e == EBUSY || e == EXDEV) /* a bind-mounted target: write it in place */
		return copy_in_place(o, fd);
	return fail(o, NULL, e);
}

int output_close(struct output *o, int ok)
{
	char q[1024];
	int err = ferror(o->fp);
	if (o->fp == stdout) {
		if (fflush(stdout) == EOF || err) {
			fprintf(stderr, "profview: write error: %s\n", strerror(errno));
			return -1;
		}
		return 0;
	}
	quoted(q, sizeof(q), o->path);
	int replacing = o->dirfd >= 0;
	int fd = o->fd >= 0 ? o->fd : fileno(o->fp); /* a stream_for stream has no fileno */
	if (fflush(o->fp) == EOF || err || (replacing && fsync(fd) < 0)) {
		fprintf(stderr, "profview: %s: write error: %s\n", q, strerror(errno));
		ok = 0;
	}
	if (replacing) {
		sigset_t old;
		hold_signals(&old);
		if (ok && install(o, fd) < 0)
			ok = 0;
		else if (!ok && !o->unnamed)
			unlinkat(o->dirfd, o->tmp, 0);
		have_pending = 0;
		sigprocmask(SIG_SETMASK, &old, NULL);
	}
	if (fclose(o->fp) == EOF && ok) {
		fprintf(stderr, "profview: %s: write error: %s\n", q, strerror(errno));
		ok = 0;
	}
	if (o->dirfd >= 0)
		close(o->dirfd);
	free(o->base);
	return ok ? 0 : -1;
}

void output_std_fds(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		/* fd 1 read-only: output to a closed stdout still fails with
		 * EBADF, as it would have; 0 and 2 simply lead nowhere */
		int n = open("/dev/null", fd == 2 ? O_WRONLY : O_RDONLY);
		if (n >= 0 && n != fd) { /* not the lowest free: move it */
			dup2(n, fd);
			close(n);
		}
	}
}
