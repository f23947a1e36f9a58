/*
 * replay.c - run a fuzz target on saved inputs without libFuzzer.
 *
 *   replay [-t SECONDS] [-q] PATH...
 *
 * Link it with one target (fuzz_reader.c or fuzz_merge.c) and the library,
 * with or without sanitizers.  Every file named, and every regular file
 * below a directory named (recursively, in sorted order), is one input.
 * Each input runs in a child process, so a crash, a sanitizer report
 * (leaks included: the child exits normally, so LeakSanitizer runs) or a
 * hang longer than -t seconds (default 10) is counted and the replay goes
 * on.  Prints "replay: N inputs, K crashes" and exits 1 if K > 0.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned timeout_s = 10;
static int quiet;
static size_t ninputs, ncrashes, nerrors;

static int read_file(const char *path, uint8_t **buf, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return -1;
	size_t cap = 4096, n = 0;
	uint8_t *b = malloc(cap);
	while (b) {
		n += fread(b + n, 1, cap - n, fp);
		if (n < cap)
			break;
		uint8_t *nb = realloc(b, cap * 2);
		if (!nb) {
			free(b);
			b = NULL;
			break;
		}
		b = nb;
		cap *= 2;
	}
	int bad = !b || ferror(fp);
	fclose(fp);
	if (bad) {
		free(b);
		return -1;
	}
	*buf = b;
	*len = n;
	return 0;
}

static void run_one(const char *path)
{
	uint8_t *buf;
	size_t len;
	if (read_file(path, &buf, &len) < 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		nerrors++;
		return;
	}
	ninputs++;
	if (!quiet)
		fprintf(stderr, "replay: %s (%zu bytes)\n", path, len);
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		perror("replay: fork");
		exit(2);
	}
	if (pid == 0) {
		alarm(timeout_s); /* SIGALRM kills the child: a hang */
		LLVMFuzzerTestOneInput(buf, len);
		free(buf);
		exit(0);
	}
	free(buf);
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			perror("replay: waitpid");
			exit(2);
		}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return;
	ncrashes++;
	if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);
		fprintf(stderr, "replay: CRASH %s: %s\n", path,
			sig == SIGALRM ? "timeout (hang)" : strsignal(sig));
	} else {
		fprintf(stderr, "replay: CRASH %s: exit status %d (sanitizer report above)\n", path,
			WEXITSTATUS(status));
	}
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void walk(const char *path)
{
	struct stat sb;
	if (stat(path, &sb) < 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		nerrors++;
		return;
	}
	if (!S_ISDIR(sb.st_mode)) {
		if (S_ISREG(sb.st_mode))
			run_one(path);
		return;
	}
	DIR *d = opendir(path);
	if (!d) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		nerrors++;
		return;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			char **nn = realloc(names, cap * sizeof(*nn));
			if (!nn)
				abort();
			names = nn;
		}
		size_t len = strlen(path) + strlen(de->d_name) + 2;
		if (!(names[n] = malloc(len)))
			abort();
		snprintf(names[n++], len, "%s/%s", path, de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; i < n; i++) {
		walk(names[i]);
		free(names[i]);
	}
	free(names);
}

int main(int argc, char **argv)
{
	int c;
	while ((c = getopt(argc, argv, "t:q")) != -1) {
		switch (c) {
		case 't':
			timeout_s = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'q':
			quiet = 1;
			break;
		default:
			fprintf(stderr, "usage: %s [-t SECONDS] [-q] FILE|DIR...\n", argv[0]);
			return 2;
		}
	}
	if (optind == argc) {
		fprintf(stderr, "usage: %s [-t SECONDS] [-q] FILE|DIR...\n", argv[0]);
		return 2;
	}
	for (int i = optind; i < argc; i++)
		walk(argv[i]);
	printf("replay: %zu inputs, %zu crashes\n", ninputs, ncrashes);
	if (nerrors)
		fprintf(stderr, "replay: %zu paths could not be read\n", nerrors);
	return ncrashes || nerrors ? 1 : 0;
}
