/*
 * spill.c - the spill, where parsed archive members wait for their turn
 * in pstats' merge order.
 *
 * Data path of one input: an archive's scan (arscan.c) parses each member
 * as it is decompressed and hands its profile, packed (pv_profile_pack),
 * or its error to pv_spill_put / pv_spill_copy as a record, in archive
 * order; each record becomes a source.  When the merge (load.c) or a
 * parsing thread (pool.c) reaches that source, pv_member_get finds the
 * record (in memory, or read back from the file) and unpacks it.
 *
 * A record: a kind byte (0 a profile, 1 an error), the member name (a
 * varint length and the bytes), then pv_profile_pack's bytes, or the
 * error's code (one byte) and message.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loader.h"

static int write_all(int fd, const unsigned char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The temporary file: unlinked from the start (O_TMPFILE), or just after
 * it is made where the file system cannot. */
static int spill_file(pv_ctx *ctx)
{
	const char *dir = getenv("TMPDIR");
	if (!dir || !*dir)
		dir = "/tmp";
	int fd;
#ifdef O_TMPFILE
	if ((fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600)) >= 0)
		return fd;
#endif
	char *t = pv_path_join(dir, "profview-spill-XXXXXX");
	if (!t)
		return pv_fail(ctx, PV_ENOMEM, PV_NOOFF, "out of memory");
	fd = mkstemp(t);
	if (fd >= 0) {
		unlink(t);
		fcntl(fd, F_SETFD, FD_CLOEXEC);
	}
	int e = errno;
	free(t);
	if (fd < 0)
		return pv_fail(ctx, PV_EIO, PV_NOOFF, "cannot make a temporary file in %s: %s", dir,
			       strerror(e));
	return fd;
}

/* Move the oldest segment to the file (made when first needed); its
 * storage is kept for the next segment. */
static int spill_flush(struct loader *L, pv_ctx *ctx)
{
	struct spill *sp = &L->sp;
	if (sp->fd < 0) {
		int fd = spill_file(ctx);
		if (fd < 0)
			return fd;
		sp->fd = fd;
	}
	struct buf *old = &sp->seg[0];
	if (write_all(sp->fd, old->p, old->len) < 0)
		return pv_fail(ctx, PV_EIO, PV_NOOFF, "cannot write the temporary file: %s",
			       strerror(errno));
	sp->flen += old->len;
	sp->held -= old->len;
	struct buf keep = *old;
	keep.len = 0;
	memmove(&sp->seg[0], &sp->seg[1], (sp->nseg - 1) * sizeof(sp->seg[0]));
	sp->nseg--;
	if (keep.cap > sp->spare.cap) { /* keep the larger block */
		free(sp->spare.p);
		sp->spare = keep;
	} else {
		free(keep.p);
	}
	return 0;
}

/* A record appended to b: the member's profile p (rc 0) or its error
 * (rc < 0, the message in ctx). */
int pv_rec_put(struct buf *b, const char *name, int rc, const pv_profile *p,
	       const pv_ctx *ctx)
{
	size_t n = strlen(name), m = rc < 0 ? strlen(ctx->msg) : 0;
	if (pv_grow(&b->p, &b->cap, b->len + n + m + 16, 1) < 0)
		return PV_ENOMEM;
	unsigned char *o = b->p + b->len;
	*o++ = rc < 0;
	for (size_t v = n;; v >>= 7) {
		*o++ = (unsigned char)(v < 0x80 ? v : (v & 0x7f) | 0x80);
		if (v < 0x80)
			break;
	}
	memcpy(o, name, n);
	o += n;
	if (rc < 0) {
		*o++ = (unsigned char)(signed char)rc;
		memcpy(o, ctx->msg, m);
		o += m;
	}
	b->len = (size_t)(o - b->p);
	return rc < 0 ? 0 : pv_profile_pack(p, &b->p, &b->len, &b->cap);
}

/* Room for a record of up to n bytes in the newest segment: the oldest
 * segments go to the file first while the record would take what memory
 * holds past the budget (so it never grows past it, beyond one record
 * larger than it is), and a new segment starts when the newest is full.
 * Returns the segment, NULL with ctx set on failure. */
static struct buf *spill_room(struct loader *L, size_t n, pv_ctx *ctx)
{
	struct spill *sp = &L->sp;
	size_t segsize = L->budget / SPILL_SEGS ? L->budget / SPILL_SEGS : 1;
	while (sp->held && sp->held + n > L->budget)
		if (spill_flush(L, ctx) < 0)
			return NULL;
	struct buf *cur = sp->nseg ? &sp->seg[sp->nseg - 1] : NULL;
	if (!cur || (cur->len && cur->len + n > segsize)) {
		if (sp->nseg == SPILL_SEGS + 2 && spill_flush(L, ctx) < 0)
			return NULL;
		cur = &sp->seg[sp->nseg++];
		*cur = sp->spare;
		memset(&sp->spare, 0, sizeof(sp->spare));
	}
	if (pv_grow(&cur->p, &cur->cap, cur->len + n, 1) < 0) {
		pv_fail(ctx, PV_ENOMEM, PV_NOOFF, "out of memory");
		return NULL;
	}
	return cur;
}

/* A record into the spill, as the next source of archive `arch`. */
int pv_spill_put(struct loader *L, uint32_t arch, const char *name, int rc,
		 const pv_profile *p, pv_ctx *ctx)
{
	struct spill *sp = &L->sp;
	size_t need = strlen(name) + 16 + (rc == 0 ? pv_profile_pack_bound(p) : strlen(ctx->msg));
	struct buf *cur = spill_room(L, need, ctx);
	if (!cur)
		return ctx->code;
	size_t start = cur->len;
	uint64_t at = sp->flen + sp->held;
	int r = pv_rec_put(cur, name, rc, p, ctx);
	sp->held += cur->len - start;
	if (r < 0)
		return r;
	if (cur->len - start >= INPLACE)
		return pv_fail(ctx, PV_ELIMIT, PV_NOOFF, "member too large");
	return pv_add_source(L, at, (uint32_t)(cur->len - start), arch);
}

/* A record built elsewhere into the spill, at *at. */
int pv_spill_append(struct loader *L, const struct buf *rec, uint64_t *at, pv_ctx *ctx)
{
	struct spill *sp = &L->sp;
	if (rec->len >= INPLACE)
		return pv_fail(ctx, PV_ELIMIT, PV_NOOFF, "member too large");
	struct buf *cur = spill_room(L, rec->len, ctx);
	if (!cur)
		return ctx->code;
	*at = sp->flen + sp->held;
	memcpy(cur->p + cur->len, rec->p, rec->len);
	cur->len += rec->len;
	sp->held += rec->len;
	return 0;
}

/* A record built elsewhere (a parsing thread) into the spill, as the next
 * source of archive `arch`. */
int pv_spill_copy(struct loader *L, uint32_t arch, const struct buf *rec, pv_ctx *ctx)
{
	uint64_t at = 0;
	int r = pv_spill_append(L, rec, &at, ctx);
	return r < 0 ? r : pv_add_source(L, at, (uint32_t)rec->len, arch);
}

/* n bytes at off into p: how many there were (fewer at the end of the
 * file), or -1 with errno. */
ssize_t pv_pread_full(int fd, unsigned char *p, size_t n, uint64_t off)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = pread(fd, p + got, n - got, (off_t)(off + got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/* The record of source s: its bytes (in a segment, or read from the file into
 * *b). */
int pv_rec_get(const struct loader *L, const struct source *s, struct buf *b,
	       const unsigned char **out, pv_ctx *ctx)
{
	const struct spill *sp = &L->sp;
	if (s->at >= sp->flen) {
		uint64_t pos = s->at - sp->flen;
		for (size_t i = 0; i < sp->nseg; pos -= sp->seg[i++].len)
			if (pos < sp->seg[i].len) {
				*out = sp->seg[i].p + pos;
				return 0;
			}
		return pv_fail(ctx, PV_EIO, PV_NOOFF, "internal: record beyond the spill");
	}
	if (pv_grow(&b->p, &b->cap, s->len, 1) < 0)
		return PV_ENOMEM;
	ssize_t got = pv_pread_full(sp->fd, b->p, s->len, s->at);
	if (got < (ssize_t)s->len)
		return pv_fail(ctx, PV_EIO, PV_NOOFF, "cannot read the temporary file: %s",
			       got < 0 ? strerror(errno) : "end of file");
	*out = b->p;
	return 0;
}

int pv_rec_parse(const unsigned char *r, size_t len, struct recview *v)
{
	if (len == 0)
		return -1;
	const unsigned char *end = r + len, *q = r + 1;
	size_t n = 0;
	for (unsigned sh = 0; q < end && sh < 64; sh += 7) {
		n |= (size_t)(*q & 0x7f) << sh;
		if (!(*q++ & 0x80))
			break;
	}
	if (n > (size_t)(end - q))
		return -1;
	v->kind = r[0];
	v->name = (const char *)q;
	v->n = n;
	v->rest = q + n;
	v->nrest = (size_t)(end - q - n);
	return 0;
}

/* An archive member (or standard input's profile) from its record: its
 * name into *name, its profile unpacked into p, or its error in ctx.  Reads
 * only the spill (and b), so parsing threads run it beside the merge. */
int pv_member_get(const struct loader *L, const struct source *s, struct buf *b,
		  char **name, size_t *capname, pv_profile *p, pv_ctx *ctx)
{
	const struct arch *a = L->archs[s->arch - 1];
	ctx->input = a->path;
	ctx->member = NULL;
	pv_ctx_clear(ctx);
	const unsigned char *r = NULL;
	int rc = pv_rec_get(L, s, b, &r, ctx);
	if (rc < 0)
		return rc;
	struct recview v;
	if (pv_rec_parse(r, s->len, &v) < 0)
		return pv_fail(ctx, PV_EIO, PV_NOOFF, "internal: bad spill record");
	const unsigned char *end = r + s->len, *q = (const unsigned char *)v.name;
	size_t n = v.n;
	if (pv_grow(name, capname, n + 1, 1) < 0)
		return pv_fail(ctx, PV_ENOMEM, PV_NOOFF, "out of memory");
	memcpy(*name, q, n);
	(*name)[n] = '\0';
	q += n;
	if (!a->single && n)
		ctx->member = *name;
	if (r[0] == 1) { /* an error, reported in merge order */
		int code = q < end ? (signed char)*q++ : PV_EFORMAT;
		size_t m = (size_t)(end - q);
		if (m >= sizeof(ctx->msg))
			m = sizeof(ctx->msg) - 1;
		memcpy(ctx->msg, q, m);
		ctx->msg[m] = '\0';
		ctx->code = code;
		return code < 0 ? code : PV_EFORMAT;
	}
	rc = pv_profile_unpack(p, q, (size_t)(end - q));
	if (rc == PV_ENOMEM)
		return pv_fail(ctx, PV_ENOMEM, PV_NOOFF, "out of memory");
	if (rc < 0)
		return pv_fail(ctx, PV_EIO, PV_NOOFF, "internal: bad spill record");
	return 0;
}
