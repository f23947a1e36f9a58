/*
 * replay.c - run a fuzz target on saved inputs without libFuzzer.
 *
 *   replay [-t SECONDS] [-b N] [-q] PATH...
 *
 * Link it with one target (fuzz_*.c) and the library, with or without
 * sanitizers.  Every file named, and every regular file below a directory
 * named (recursively, in sorted order), is one input.  Inputs run in child
 * processes, N at a time (-b, default 64: a fork and LeakSanitizer's exit
 * scan per input cost more than most inputs), so a crash, a sanitizer
 * report (leaks included: the child exits normally, so LeakSanitizer runs)
 * or a hang of one input longer than -t seconds (default 10) fails its
 * batch; the batch then runs again one input per child to name every
 * failing input, and the replay goes on.  Prints "replay: N inputs,
 * K crashes" and exits 1 if K > 0.
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
static size_t batch = 64;
static int quiet;
static char **inputs;
static size_t ninputs, cap_inputs, ncrashes, nerrors;

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

#define EXIT_UNREADABLE 3

/* Runs inputs [lo, hi) of the list in one child.  Returns 0 when the
 * child exited normally with status 0, -2 when a single input could no
 * longer be read, -1 otherwise, reporting what happened when the batch
 * holds only one input. */
static int run_batch(size_t lo, size_t hi)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		perror("replay: fork");
		exit(2);
	}
	if (pid == 0) {
		for (size_t i = lo; i < hi; i++) {
			uint8_t *buf;
			size_t len;
			if (read_file(inputs[i], &buf, &len) < 0) {
				/* listed a moment ago: removed or replaced since */
				fprintf(stderr, "replay: %s: %s\n", inputs[i], strerror(errno));
				exit(EXIT_UNREADABLE);
			}
			if (!quiet)
				fprintf(stderr, "replay: %s (%zu bytes)\n", inputs[i], len);
			alarm(timeout_s); /* SIGALRM kills the child: a hang */
			LLVMFuzzerTestOneInput(buf, len);
			alarm(0);
			free(buf);
		}
		exit(0);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			perror("replay: waitpid");
			exit(2);
		}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (hi - lo > 1)
		return -1;
	if (WIFEXITED(status) && WEXITSTATUS(status) == EXIT_UNREADABLE)
		return -2;
	if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);
		fprintf(stderr, "replay: CRASH %s: %s\n", inputs[lo],
			sig == SIGALRM ? "timeout (hang)" : strsignal(sig));
	} else {
		fprintf(stderr, "replay: CRASH %s: exit status %d (sanitizer report above)\n",
			inputs[lo], WEXITSTATUS(status));
	}
	return -1;
}

/* A batch that fails is run again one input per child, so every failing
 * input is named (and a leak is pinned to the input that caused it). */
static void run_all(void)
{
	for (size_t lo = 0; lo < ninputs; lo += batch) {
		size_t hi = lo + batch < ninputs ? lo + batch : ninputs;
		int rc = run_batch(lo, hi);
		if (rc == 0)
			continue;
		if (hi - lo == 1) {
			*(rc == -2 ? &nerrors : &ncrashes) += 1;
			continue;
		}
		fprintf(stderr, "replay: a batch of %zu inputs failed; running each alone\n",
			hi - lo);
		for (size_t i = lo; i < hi; i++) {
			rc = run_batch(i, i + 1);
			if (rc < 0)
				*(rc == -2 ? &nerrors : &ncrashes) += 1;
		}
	}
}

static void add_input(const char *path)
{
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		nerrors++;
		return;
	}
	fclose(fp);
	if (ninputs == cap_inputs) {
		size_t nc = cap_inputs ? cap_inputs * 2 : 256;
		char **ni = realloc(inputs, nc * sizeof(*ni));
		if (!ni)
			abort();
		inputs = ni;
		cap_inputs = nc;
	}
	if (!(inputs[ninputs] = strdup(path)))
		abort();
	ninputs++;
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
			add_input(path);
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
	if (n)
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
	while ((c = getopt(argc, argv, "t:b:q")) != -1) {
		switch (c) {
		case 't':
			timeout_s = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'b':
			batch = (size_t)strtoul(optarg, NULL, 10);
			if (!batch)
				batch = 1;
			break;
		case 'q':
			quiet = 1;
			break;
		default:
			fprintf(stderr, "usage: %s [-t SECONDS] [-b N] [-q] FILE|DIR...\n", argv[0]);
			return 2;
		}
	}
	if (optind == argc) {
		fprintf(stderr, "usage: %s [-t SECONDS] [-b N] [-q] FILE|DIR...\n", argv[0]);
		return 2;
	}
	for (int i = optind; i < argc; i++)
		walk(argv[i]);
	run_all();
	for (size_t i = 0; i < ninputs; i++)
		free(inputs[i]);
	free(inputs);
	printf("replay: %zu inputs, %zu crashes\n", ninputs, ncrashes);
	if (nerrors)
		fprintf(stderr, "replay: %zu paths could not be read\n", nerrors);
	return ncrashes || nerrors ? 1 : 0;
}
