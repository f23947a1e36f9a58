/*
 * regex.c - every user-supplied pattern (--match, --exclude, --endpoint) is
 * compiled and matched here, with bounds.
 *
 * Python's `re` matches str, a sequence of code points in which a lone
 * surrogate is a character like any other: os.fsdecode() turns a byte that
 * is not UTF-8 into U+DC80..U+DCFF, and the model keeps such surrogates in
 * their 3-byte form (CPython's surrogatepass).  PCRE2's UTF modes refuse
 * surrogates, so patterns and subjects are decoded to code points and
 * matched with the 32-bit library in non-UTF mode, where every code unit is
 * one character; PCRE2_UCP still gives \w, \d, \b and case folding their
 * Unicode meaning, as Python's str patterns have it.  The pattern is decoded
 * the way Python decodes argv (a byte that is not UTF-8 becomes U+DC80+b).
 *
 * Bounds: JIT when the machine has it, a match limit (steps), a depth limit
 * and a heap limit (the interpreter), and a bounded JIT stack.  Hitting one
 * is an error that names the option and the pattern, never a silent "no
 * match".
 */
#define PCRE2_CODE_UNIT_WIDTH 32
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "utf8.h"

#define MATCH_LIMIT 1000000u /* backtracking steps per subject */
#define DEPTH_LIMIT 10000u   /* nested backtracking points (interpreter) */
#define HEAP_LIMIT 65536u    /* KiB of backtracking frames (interpreter) */
#define JIT_STACK_MIN (32u << 10)
#define JIT_STACK_MAX (1u << 20)

struct pv_regex {
	char *opt;
	char *pattern;
	pcre2_code *code;
	pcre2_match_data *md;
	pcre2_match_context *mctx;
	pcre2_jit_stack *jstack;
	uint32_t *subj; /* the subject as code points */
	size_t capsubj;
};

/* s as code points (utf8.h: surrogates kept, a stray byte is U+DC00 + byte). */
static size_t decode(const unsigned char *s, size_t n, uint32_t *out)
{
	size_t o = 0;
	for (size_t i = 0, k; i < n; i += k)
		out[o++] = pv_utf8_decode(s + i, n - i, &k);
	return o;
}

void pv_regex_free(pv_regex *re)
{
	if (!re)
		return;
	pcre2_code_free(re->code);
	pcre2_match_data_free(re->md);
	pcre2_match_context_free(re->mctx);
	pcre2_jit_stack_free(re->jstack);
	free(re->opt);
	free(re->pattern);
	free(re->subj);
	free(re);
}

int pv_regex_compile(pv_regex **out, const char *opt, const char *pattern, pv_ctx *ctx)
{
	*out = NULL;
	pv_regex *re = calloc(1, sizeof(*re));
	size_t n = strlen(pattern);
	uint32_t *pat = malloc((n ? n : 1) * sizeof(*pat));
	if (!re || !pat || !(re->opt = strdup(opt)) || !(re->pattern = strdup(pattern))) {
		free(pat);
		pv_regex_free(re);
		return pv_fail(ctx, PV_ENOMEM, PV_NOOFF, "out of memory");
	}
	size_t m = decode((const unsigned char *)pattern, n, pat);
	int err = PCRE2_ERROR_NOMEMORY;
	PCRE2_SIZE off = 0;
	/* \xhh, \uhhhh and \x{h...} as Python writes code points */
	pcre2_compile_context *cc = pcre2_compile_context_create(NULL);
	if (cc) {
		pcre2_set_compile_extra_options(cc, PCRE2_EXTRA_ALT_BSUX);
		re->code = pcre2_compile(pat, m, PCRE2_UCP | PCRE2_ALT_BSUX, &err, &off, cc);
		pcre2_compile_context_free(cc);
	}
	free(pat);
	if (!re->code) {
		PCRE2_UCHAR msg[256];
		char text[256];
		pcre2_get_error_message(err, msg, sizeof(msg) / sizeof(msg[0]));
		size_t i = 0;
		for (; msg[i] && i + 1 < sizeof(text); i++)
			text[i] = msg[i] < 0x80 ? (char)msg[i] : '?';
		text[i] = '\0';
		char q[512];
		pv_quote(q, sizeof(q), pattern, n, 1);
		int rc = pv_fail(ctx, PV_EARG, PV_NOOFF, "%s: invalid regular expression %s: %s at offset %zu",
				 opt, q, text, (size_t)off);
		pv_regex_free(re);
		return rc;
	}
	re->md = pcre2_match_data_create(1, NULL);
	re->mctx = pcre2_match_context_create(NULL);
	if (!re->md || !re->mctx) {
		pv_regex_free(re);
		return pv_fail(ctx, PV_ENOMEM, PV_NOOFF, "out of memory");
	}
	pcre2_set_match_limit(re->mctx, MATCH_LIMIT);
	pcre2_set_depth_limit(re->mctx, DEPTH_LIMIT);
	pcre2_set_heap_limit(re->mctx, HEAP_LIMIT);
	/* JIT is optional (PCRE2 falls back to the interpreter, bounded the
	 * same way); PROFVIEW_NO_JIT turns it off for valgrind, which cannot
	 * follow generated code */
	if (!getenv("PROFVIEW_NO_JIT") && pcre2_jit_compile(re->code, PCRE2_JIT_COMPLETE) == 0) {
		re->jstack = pcre2_jit_stack_create(JIT_STACK_MIN, JIT_STACK_MAX, NULL);
		if (re->jstack)
			pcre2_jit_stack_assign(re->mctx, NULL, re->jstack);
	}
	*out = re;
	return 0;
}

/* The subject quoted for a message, cut to a readable length. */
static void subject_note(char *buf, size_t cap, const char *text, size_t len)
{
	char q[200];
	pv_quote(q, sizeof(q), text, len > 120 ? 120 : len, 1);
	snprintf(buf, cap, "%s%s", q, len > 120 ? "..." : "");
}

int pv_regex_match(pv_regex *re, const char *text, size_t len, pv_ctx *ctx)
{
	if (pv_grow(&re->subj, &re->capsubj, len ? len : 1, sizeof(*re->subj)) < 0)
		return pv_fail(ctx, PV_ENOMEM, PV_NOOFF, "out of memory");
	size_t m = decode((const unsigned char *)text, len, re->subj);
	int rc = pcre2_match(re->code, re->subj, m, 0, 0, re->md, re->mctx);
	if (rc >= 0)
		return 1;
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	const char *why;
	char other[64];
	int code = PV_ELIMIT;
	switch (rc) {
	case PCRE2_ERROR_MATCHLIMIT:
		why = "takes too many steps (match limit)";
		break;
	case PCRE2_ERROR_DEPTHLIMIT:
		why = "nests too deeply (depth limit)";
		break;
	case PCRE2_ERROR_HEAPLIMIT:
	case PCRE2_ERROR_JIT_STACKLIMIT:
		why = "needs too much memory (heap limit)";
		break;
	case PCRE2_ERROR_NOMEMORY:
		return pv_fail(ctx, PV_ENOMEM, PV_NOOFF, "out of memory");
	default:
		snprintf(other, sizeof(other), "failed (PCRE2 error %d)", rc);
		why = other;
		code = PV_EARG;
		break;
	}
	char q[512], s[256];
	pv_quote(q, sizeof(q), re->pattern, strlen(re->pattern), 1);
	subject_note(s, sizeof(s), text, len);
	const char *in = ctx ? ctx->input : NULL;
	if (ctx)
		ctx->input = NULL; /* the message names the option, not an input */
	pv_fail(ctx, code, PV_NOOFF, "%s: regular expression %s %s on %s", re->opt, q, why, s);
	if (ctx)
		ctx->input = in;
	return code;
}
