/*
 * display.c - how a key is shown: pstats' func_std_string, kept per key
 * with its width in code points, and --short-paths' file names.
 *
 * Every writer prints a function through pv_stats_display (or a file name
 * through pv_stats_shown_file), so --short-paths, which only swaps the
 * string a file is shown as, reaches every format.
 */
#include <stdlib.h>
#include <string.h>

#include "stats_impl.h"

/* ---- display strings ----------------------------------------------------- */

/* Code points = bytes that are not continuation bytes (10xxxxxx), counted
 * eight at a time. */
size_t pv_utf8_len(const char *s, size_t n)
{
	const uint64_t ones = 0x0101010101010101ULL;
	size_t cont = 0, i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, s + i, 8);
		cont += (size_t)((((w >> 7) & ~(w >> 6) & ones) * ones) >> 56);
	}
	for (; i < n; i++)
		cont += ((unsigned char)s[i] & 0xc0) == 0x80;
	return n - cont;
}

/* n bytes for a display string, in blocks that never move, so the pointers
 * pv_stats_display returned stay valid as more are made. */
static char *arena_alloc(pv_stats *st, size_t n)
{
	if (!st->nblocks || st->blockused + n > st->blocksize) {
		/* 4 KiB, 64 KiB, then 2 MiB blocks (one huge page each, see
		 * pv_malloc): an endpoint's model shows a few names, and
		 * 20,000 of them took 1.3 GB of address space at 64 KiB */
		size_t bs = st->nblocks > 1 ? (size_t)2 << 20 : st->nblocks ? 65536
									    : 4096;
		if (bs < n)
			bs = n;
		if (pv_grow(&st->blocks, &st->capblocks, st->nblocks + 1, sizeof(char *)) < 0)
			return NULL;
		char *b = pv_malloc(bs);
		if (!b)
			return NULL;
		st->blocks[st->nblocks++] = b;
		st->blockused = 0;
		st->blocksize = bs;
	}
	char *p = st->blocks[st->nblocks - 1] + st->blockused;
	st->blockused += n;
	return p;
}

static size_t display_room(const pv_stats *st, uint32_t key);
static size_t display_format(const pv_stats *st, uint32_t key, char *o);

const char *pv_stats_display(pv_stats *st, uint32_t key, size_t *len)
{
	size_t w;
	return pv_stats_display_w(st, key, len, &w);
}

/* func_std_string: "{label}" for ('~', 0, '<label>'), the bare name for
 * other ('~', 0, name) keys, "file:line(name)" for everything else. */
const char *pv_stats_display_w(pv_stats *st, uint32_t key, size_t *len, size_t *width)
{
	if (key >= st->capdispk) {
		/* three arrays, one capacity: it moves on only when all three
		 * have grown (each array's own block may be larger) */
		size_t old = st->capdispk, c1 = old, c2 = old, c3 = old;
		if (pv_grow(&st->disp, &c1, st->nkeys, sizeof(*st->disp)) < 0 ||
		    pv_grow(&st->disp_len, &c2, c1, sizeof(*st->disp_len)) < 0 ||
		    pv_grow(&st->disp_cp, &c3, c1, sizeof(*st->disp_cp)) < 0)
			return NULL;
		memset(st->disp + old, 0, (c1 - old) * sizeof(*st->disp));
		st->capdispk = c1;
	}
	if (st->disp[key]) {
		*len = st->disp_len[key];
		*width = st->disp_cp[key];
		return st->disp[key];
	}
	size_t room = display_room(st, key);
	char *o = arena_alloc(st, room);
	if (!o)
		return NULL;
	size_t m = display_format(st, key, o);
	st->blockused -= room - (m + 1); /* give back the slack */
	st->disp[key] = o;
	st->disp_len[key] = (uint32_t)m;
	st->disp_cp[key] = (uint32_t)pv_utf8_len(o, m);
	*width = st->disp_cp[key];
	*len = m;
	return o;
}

const char *pv_stats_display_tmp(pv_stats *st, uint32_t key, char **buf, size_t *cap, size_t *len)
{
	if (key < st->capdispk && st->disp[key]) {
		*len = st->disp_len[key];
		return st->disp[key];
	}
	if (pv_grow(buf, cap, display_room(st, key), 1) < 0)
		return NULL;
	*len = display_format(st, key, *buf);
	return *buf;
}

/* Bytes display_format needs for key (the NUL included). */
static size_t display_room(const pv_stats *st, uint32_t key)
{
	size_t flen, nlen;
	(void)pv_stats_str(st, pv_stats_shown_file(st, st->keys[key].file), &flen);
	(void)pv_stats_str(st, st->keys[key].name, &nlen);
	return flen + nlen + 32;
}

/* The display string of key into o (display_room bytes); its length. */
static size_t display_format(const pv_stats *st, uint32_t key, char *o)
{
	const pv_key *k = &st->keys[key];
	size_t flen, nlen;
	uint32_t fid = pv_stats_shown_file(st, k->file);
	const char *f = pv_stats_str(st, fid, &flen);
	const char *n = pv_stats_str(st, k->name, &nlen);
	size_t m;
	if (flen == 1 && f[0] == '~' && k->line == 0) {
		if (nlen >= 2 && n[0] == '<' && n[nlen - 1] == '>') {
			o[0] = '{';
			memcpy(o + 1, n + 1, nlen - 2);
			o[nlen - 1] = '}';
			m = nlen;
		} else {
			memcpy(o, n, nlen);
			m = nlen;
		}
	} else {
		memcpy(o, f, flen);
		m = flen;
		o[m++] = ':';
		m += pv_int_format(o + m, k->line);
		o[m++] = '(';
		memcpy(o + m, n, nlen);
		m += nlen;
		o[m++] = ')';
	}
	o[m] = '\0';
	return m;
}

/* ---- --short-paths ------------------------------------------------------- */

struct shortf {
	uint32_t file;    /* string id */
	const char *tag;  /* "", or "<stdlib>/" */
	const char *rest; /* the path after site-packages/, lib/pythonX.Y/, or all */
	size_t restlen;
	int level; /* trailing components shown; 0 = all of rest */
	int full;  /* show the original */
	char *form;
};

/* The last "/site-packages/" (d) in a path: *after is the offset past it. */
static int has_dir(const char *s, size_t n, const char *d, size_t *after)
{
	size_t dl = strlen(d);
	for (size_t i = n; i-- > 0;)
		if (i + dl <= n && !memcmp(s + i, d, dl)) {
			*after = i + dl;
			return 1;
		}
	return 0;
}

/* ".../lib/python3.11/json/x.py": the part after "/lib/pythonX[.Y]/" */
static int stdlib_dir(const char *s, size_t n, size_t *after)
{
	for (size_t i = n; i-- > 0;) {
		if (i + 12 > n || memcmp(s + i, "/lib/python", 11))
			continue;
		size_t j = i + 11;
		while (j < n && ((s[j] >= '0' && s[j] <= '9') || s[j] == '.'))
			j++;
		if (j > i + 11 && j < n && s[j] == '/') {
			*after = j + 1;
			return 1;
		}
	}
	return 0;
}

static char *make_form(const pv_stats *st, const struct shortf *f)
{
	size_t n;
	const char *full = pv_stats_str(st, f->file, &n);
	const char *r = f->rest;
	size_t rl = f->restlen;
	if (f->full)
		r = full, rl = n;
	else if (f->level > 0) { /* the last `level` components of rest */
		int seen = 0;
		size_t i = rl;
		while (i > 0) {
			if (r[i - 1] == '/' && ++seen == f->level)
				break;
			i--;
		}
		r += i;
		rl -= i;
	}
	size_t tl = f->full ? 0 : strlen(f->tag);
	char *s = malloc(tl + rl + 1);
	if (!s)
		return NULL;
	memcpy(s, f->tag, tl);
	memcpy(s + tl, r, rl);
	s[tl + rl] = '\0';
	return s;
}

static int cmp_form(const void *a, const void *b)
{
	return strcmp((*(const struct shortf *const *)a)->form, (*(const struct shortf *const *)b)->form);
}

uint32_t pv_stats_shown_file(const pv_stats *st, uint32_t file)
{
	return file < st->capalias && st->alias[file] ? st->alias[file] - 1 : file;
}

int pv_stats_short_paths(pv_stats *st)
{
	size_t nstr = st->str.n, nf = 0;
	int rc = PV_ENOMEM;
	char *used = calloc(nstr ? nstr : 1, 1);
	struct shortf *fs = NULL;
	struct shortf **ix = NULL;
	if (!used)
		return PV_ENOMEM;
	for (size_t k = 0; k < st->nkeys; k++)
		if (!used[st->keys[k].file]++)
			nf++;
	fs = calloc(nf ? nf : 1, sizeof(*fs));
	ix = calloc(nf ? nf : 1, sizeof(*ix));
	if (!fs || !ix)
		goto out;
	nf = 0;
	for (size_t i = 0; i < nstr; i++) {
		if (!used[i])
			continue;
		struct shortf *f = &fs[nf++];
		size_t n, after;
		const char *p = pv_stats_str(st, (uint32_t)i, &n);
		f->file = (uint32_t)i;
		f->tag = "";
		f->rest = p;
		f->restlen = n;
		if (!memchr(p, '/', n)) { /* "~", "<string>", a bare name: as is */
			f->full = 1;
		} else if (has_dir(p, n, "/site-packages/", &after) ||
			   has_dir(p, n, "/dist-packages/", &after)) {
			f->rest = p + after, f->restlen = n - after; /* the package path */
		} else if (stdlib_dir(p, n, &after)) {
			f->tag = "<stdlib>/";
			f->rest = p + after, f->restlen = n - after;
		} else {
			f->level = 1; /* application code: from the basename up */
		}
	}
	/* lengthen colliding names until every file shows differently */
	for (int round = 0; round < 256; round++) {
		for (size_t i = 0; i < nf; i++) {
			free(fs[i].form);
			if (!(fs[i].form = make_form(st, &fs[i])))
				goto out;
			ix[i] = &fs[i];
		}
		qsort(ix, nf, sizeof(*ix), cmp_form);
		int clash = 0;
		for (size_t i = 0; i + 1 < nf;) {
			size_t j = i + 1;
			while (j < nf && !strcmp(ix[i]->form, ix[j]->form))
				j++;
			for (size_t k = i; j - i > 1 && k < j; k++) {
				struct shortf *f = ix[k];
				if (f->full)
					continue;
				clash = 1;
				int comps = 1;
				for (size_t c = 0; c < f->restlen; c++)
					comps += f->rest[c] == '/';
				if (f->level > 0 && f->level < comps)
					f->level++;
				else
					f->full = 1;
			}
			i = j;
		}
		if (!clash)
			break;
	}
	size_t old = st->capalias;
	if (pv_grow(&st->alias, &st->capalias, nstr, sizeof(*st->alias)) < 0)
		goto out;
	memset(st->alias + old, 0, (st->capalias - old) * sizeof(*st->alias));
	for (size_t i = 0; i < nf; i++) {
		uint32_t id;
		if ((rc = pv_stats_intern_str(st, fs[i].form, strlen(fs[i].form), &id)) < 0)
			goto out;
		st->alias[fs[i].file] = id + 1;
	}
	/* every display string is computed again */
	if (st->disp)
		memset(st->disp, 0, st->capdispk * sizeof(*st->disp));
	rc = 0;
out:
	for (size_t i = 0; fs && i < nf; i++)
		free(fs[i].form);
	free(fs);
	free(ix);
	free(used);
	return rc;
}

void pv_display_free(pv_stats *st)
{
	for (size_t i = 0; i < st->nblocks; i++)
		free(st->blocks[i]);
	free(st->blocks);
	free(st->disp);
	free(st->disp_len);
	free(st->disp_cp);
	free(st->alias);
}
