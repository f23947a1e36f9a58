/*
 * pprof.c - pprof's profile.proto, gzipped (google/pprof, proto/profile.proto),
 * read by `go tool pprof`, speedscope, Grafana Pyroscope and Parca.
 *
 *   Profile {sample_type [1]: calls/count, wall/nanoseconds;
 *            sample [2]: {location_id [1] leaf first, value [2] {calls, ns},
 *                         label [3] {key [1], str [2], num [3], num_unit [4]}};
 *            location [4]: {id [1], line [4] {function_id [1], line [2]}};
 *            function [5]: {id [1], name [2], system_name [3], filename [4],
 *                           start_line [5]};
 *            string_table [6] (index 0 ""), comment [13], default_sample_type [14]}
 *
 * pstats keeps no stacks, so the samples are the frames of the call tree
 * the flame graphs draw, built with pv_tree_opts.exact (the CLI asks for
 * it through PV_W_SAMPLES): a frame with self time is a sample whose stack
 * is its path, its values the frame's calls and self nanoseconds.  pprof's
 * "flat" of a function, the sum over the samples it is the leaf of, is
 * then its tottime, and the total pstats' total; "cum" is the tree's
 * estimate.  When the names carry requests the grouped tree is used: every
 * sample carries its `endpoint` and the endpoint's request count.
 *
 * Names: pprof simplifies a function name as if it were C++ ("(...)" and
 * "<...>" dropped, so <listcomp> would vanish) unless the name differs from
 * the system name.  The name is "funcname file:line" (the file as shown:
 * --short-paths), the system name pstats' "file:line(funcname)" as dumped;
 * a builtin is named as pstats prints it, "{built-in method builtins.len}".
 */
#include <zlib.h>

#include "protobuf.h"
#include "writer.h"

enum {
	P_SAMPLE_TYPE = 1,
	P_SAMPLE = 2,
	P_LOCATION = 4,
	P_FUNCTION = 5,
	P_STRINGS = 6,
	P_COMMENT = 13,
	P_DEFAULT_TYPE = 14,
};

/* Every sample repeats its whole stack: a deep tree with self time all
 * along it would make the stacks quadratic in its depth.  This bounds them
 * (64 M ids, a few hundred MB at most). */
#define PP_MAX_STACKS (1u << 26)

struct pp {
	pv_ctx *ctx;
	pb_buf head, samples, funcs;
	pb_strtab strs;
	pv_map fids; /* hash of a function's system name and shown file -> id */
	uint32_t nfunc;
	char *tmp;
	size_t captmp;
};

static int str_fmt(struct pp *p, size_t *n, const char *a, size_t na, const char *b, size_t nb,
		   const char *c, size_t nc, const char *d, size_t nd)
{
	if (pv_grow(&p->tmp, &p->captmp, na + nb + nc + nd + 1, 1) < 0)
		return PV_ENOMEM;
	memcpy(p->tmp, a, na);
	memcpy(p->tmp + na, b, nb);
	memcpy(p->tmp + na + nb, c, nc);
	memcpy(p->tmp + na + nb + nc, d, nd);
	*n = na + nb + nc + nd;
	return 0;
}

/* The function (and location, same id) of tree frame i: written the first
 * time; 0 when out of memory. */
static uint32_t func_id(struct pp *p, const pv_tree *t, uint32_t i)
{
	pv_stats *st = pv_tree_stats(t, i);
	const pv_key *k = pv_stats_key(st, t->frames[i].key);
	size_t nn, fn, sn, dn, n;
	const char *name = pv_stats_str(st, k->name, &nn);
	const char *file = pv_stats_str(st, k->file, &fn);
	char line[24];
	int ln = snprintf(line, sizeof(line), ":%lld", (long long)k->line);
	int builtin = fn == 1 && file[0] == '~' && k->line == 0;
	/* the system name: file:line(name) as dumped */
	if (str_fmt(p, &n, file, fn, line, (size_t)ln, "(", 1, name, nn) < 0 ||
	    pv_grow(&p->tmp, &p->captmp, n + 2, 1) < 0)
		return 0;
	p->tmp[n++] = ')';
	uint32_t sys = pb_str(&p->strs, p->tmp, n);
	uint64_t h = pv_hash_bytes(p->tmp, n);
	const char *shown = pv_stats_str(st, pv_stats_shown_file(st, k->file), &sn);
	h = pv_hash_u64(h ^ pv_hash_bytes(shown, sn));
	uint32_t id = pv_map_get(&p->fids, h);
	if (id)
		return id;
	uint32_t nm;
	if (builtin) {
		const char *d = pv_stats_display(st, t->frames[i].key, &dn);
		if (!d)
			return 0;
		nm = pb_str(&p->strs, d, dn);
	} else {
		if (str_fmt(p, &n, name, nn, " ", 1, shown, sn, line, (size_t)ln) < 0)
			return 0;
		nm = pb_str(&p->strs, p->tmp, n);
	}
	uint32_t fs = builtin ? 0 : pb_str(&p->strs, shown, sn);
	if (p->strs.failed || pv_map_put(&p->fids, h, p->nfunc + 1) < 0)
		return 0;
	id = ++p->nfunc;
	pb_buf *b = &p->funcs;
	size_t at = pb_begin(b, P_FUNCTION);
	pb_uint(b, 1, id);
	pb_uint(b, 2, nm);
	pb_uint(b, 3, sys);
	if (fs)
		pb_uint(b, 4, fs);
	if (k->line > 0)
		pb_int(b, 5, k->line);
	pb_end(b, at);
	at = pb_begin(b, P_LOCATION);
	pb_uint(b, 1, id);
	size_t l = pb_begin(b, 4);
	pb_uint(b, 1, id);
	if (k->line > 0)
		pb_int(b, 2, k->line);
	pb_end(b, l);
	pb_end(b, at);
	return b->failed ? 0 : id;
}

static void value_type(struct pp *p, uint32_t field, const char *type, const char *unit)
{
	size_t at = pb_begin(&p->head, field);
	pb_uint(&p->head, 1, pb_str(&p->strs, type, strlen(type)));
	pb_uint(&p->head, 2, pb_str(&p->strs, unit, strlen(unit)));
	pb_end(&p->head, at);
}

static void comment(struct pp *p, const char *s, size_t n)
{
	pb_uint(&p->head, P_COMMENT, pb_str(&p->strs, s, n));
}

/* The request count of endpoint `name` in g (0 when not found). */
static uint64_t requests_of(const pv_groups *g, const char *name)
{
	for (size_t i = 0; g && i < pv_groups_count(g); i++)
		if (!strcmp(pv_groups_name(g, i), name)) {
			size_t n = 0;
			pv_groups_requests(g, i, &n);
			return n;
		}
	return 0;
}

static int samples(struct pp *p, const pv_tree *t, const pv_groups *groups)
{
	int rc = PV_ENOMEM;
	uint32_t *fid = pv_calloc(t->nframes + 1, sizeof(*fid));
	uint64_t *stack = NULL;
	uint32_t *epname = NULL;
	uint64_t *epreq = NULL;
	size_t capstack = 0, nstack = 0;
	uint32_t k_ep = 0, k_req = 0, u_req = 0;
	uint32_t **byk = pv_calloc(t->ngroups + 1, sizeof(*byk)); /* per group: key -> id */
	if (!fid || !byk)
		goto out;
	for (size_t g = 0; g < t->ngroups; g++)
		if (!(byk[g] = pv_calloc(pv_stats_nkeys(t->stats[g]) + 1, sizeof(**byk))))
			goto out;
	if (t->group_names) {
		k_ep = pb_str(&p->strs, "endpoint", 8);
		k_req = pb_str(&p->strs, "requests", 8);
		u_req = pb_str(&p->strs, "requests", 8);
		epname = pv_calloc(t->ngroups + 1, sizeof(*epname));
		epreq = pv_calloc(t->ngroups + 1, sizeof(*epreq));
		if (!epname || !epreq)
			goto out;
		for (size_t g = 0; g < t->ngroups; g++) {
			const char *nm = t->group_names[g];
			epname[g] = pb_str(&p->strs, nm, strlen(nm));
			epreq[g] = requests_of(groups, nm);
			char c[64];
			int cn = snprintf(c, sizeof(c), ": %llu request%s", (unsigned long long)epreq[g],
					  epreq[g] == 1 ? "" : "s");
			size_t n;
			if (str_fmt(p, &n, "endpoint ", 9, nm, strlen(nm), c, (size_t)cn, "", 0) < 0)
				goto out;
			comment(p, p->tmp, n);
		}
	}
	for (uint32_t i = 1; i < t->nframes; i++) {
		const pv_frame *f = &t->frames[i];
		if (f->key >= PV_FRAME_GROUP)
			continue;
		uint32_t *cached = &byk[f->group][f->key];
		if (!*cached && !(*cached = func_id(p, t, i)))
			goto out;
		fid[i] = *cached;
		if (!f->self && !(f->calls >= 0.5))
			continue;
		size_t d = 0;
		if (t->frames[i].depth > PP_MAX_STACKS - nstack) {
			rc = pv_fail(p->ctx, PV_ELIMIT, PV_NOOFF,
				     "pprof: the samples' stacks hold over %u frames: give --max-depth "
				     "or --max-frames",
				     (unsigned)PP_MAX_STACKS);
			goto out;
		}
		nstack += t->frames[i].depth;
		for (uint32_t j = i; j != PV_NOFRAME && t->frames[j].key < PV_FRAME_GROUP;
		     j = t->frames[j].parent) {
			if (pv_grow(&stack, &capstack, d + 1, sizeof(*stack)) < 0)
				goto out;
			stack[d++] = fid[j]; /* parents come first: set already */
		}
		pb_buf *b = &p->samples;
		size_t at = pb_begin(b, P_SAMPLE);
		pb_packed(b, 1, stack, d);
		uint64_t v[2] = {f->calls >= 0.5 ? (uint64_t)(f->calls + 0.5) : 0, f->self};
		pb_packed(b, 2, v, 2);
		if (t->group_names) {
			size_t l = pb_begin(b, 3);
			pb_uint(b, 1, k_ep);
			pb_uint(b, 2, epname[f->group]);
			pb_end(b, l);
			l = pb_begin(b, 3);
			pb_uint(b, 1, k_req);
			pb_uint(b, 3, epreq[f->group]);
			pb_uint(b, 4, u_req);
			pb_end(b, l);
		}
		pb_end(b, at);
		if (b->failed)
			goto out;
	}
	rc = 0;
out:
	for (size_t g = 0; byk && g < t->ngroups; g++)
		free(byk[g]);
	free(byk);
	free(fid);
	free(stack);
	free(epname);
	free(epreq);
	return rc;
}

/* Deflate the pieces into fp as one gzip member. */
static int gzip_out(FILE *fp, const pb_buf *const *parts, size_t n, pv_ctx *ctx)
{
	z_stream z;
	memset(&z, 0, sizeof(z));
	/* 15 + 16: a gzip header and trailer around the deflate stream */
	if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return pv_fail(ctx, PV_ENOMEM, PV_NOOFF, "out of memory (zlib)");
	unsigned char out[65536];
	int rc = 0;
	for (size_t i = 0; i <= n; i++) {
		int flush = i == n ? Z_FINISH : Z_NO_FLUSH;
		const uint8_t *src = i < n ? parts[i]->b : NULL;
		size_t left = i < n ? parts[i]->n : 0;
		do {
			uInt take = left > (1u << 30) ? 1u << 30 : (uInt)left;
			z.next_in = (Bytef *)(uintptr_t)src;
			z.avail_in = take;
			int last = left == take ? flush : Z_NO_FLUSH;
			int zr;
			do {
				z.next_out = out;
				z.avail_out = sizeof(out);
				zr = deflate(&z, last);
				if (zr == Z_STREAM_ERROR) {
					rc = pv_fail(ctx, PV_ENOMEM, PV_NOOFF, "zlib: deflate failed");
					goto out;
				}
				fwrite(out, 1, sizeof(out) - z.avail_out, fp);
			} while (z.avail_out == 0);
			src = src ? src + take : NULL;
			left -= take;
		} while (left);
	}
out:
	deflateEnd(&z);
	return rc;
}

static int pprof_write(FILE *fp, const pv_views *v, pv_write_opts *wo, pv_ctx *ctx)
{
	struct pp p = {.ctx = ctx};
	int rc = PV_ENOMEM;
	/* the grouped tree when every profile is in a group (else time would
	 * be missing from the total) */
	const pv_tree *t = v->group_tree && !(v->groups && pv_groups_unparsed(v->groups)) ? v->group_tree
											  : v->tree;
	if (!t)
		return pv_fail(ctx, PV_EARG, PV_NOOFF, "pprof: no call tree");
	if (pb_strtab_init(&p.strs, P_STRINGS) < 0)
		goto out;
	value_type(&p, P_SAMPLE_TYPE, "calls", "count");
	value_type(&p, P_SAMPLE_TYPE, "wall", "nanoseconds");
	pb_int(&p.head, P_DEFAULT_TYPE, pb_str(&p.strs, "wall", 4));
	static const char by[] = "profview " PV_VERSION;
	comment(&p, by, sizeof(by) - 1);
	if (wo->summary)
		comment(&p, wo->summary, strlen(wo->summary));
	if ((rc = samples(&p, t, v->groups)) < 0)
		goto out;
	rc = PV_ENOMEM;
	if (p.head.failed || p.samples.failed || p.funcs.failed || p.strs.failed)
		goto out;
	const pb_buf *parts[] = {&p.head, &p.samples, &p.funcs, &p.strs.enc};
	rc = gzip_out(fp, parts, 4, ctx);
out:
	pb_free(&p.head);
	pb_free(&p.samples);
	pb_free(&p.funcs);
	pb_strtab_free(&p.strs);
	pv_map_free(&p.fids);
	free(p.tmp);
	return rc == PV_ENOMEM ? pv_fail(ctx, rc, PV_NOOFF, "out of memory") : rc;
}

const pv_writer pv_writer_pprof = {
	.name = "pprof",
	.flags = PV_W_BINARY | PV_W_TREE | PV_W_GROUPS | PV_W_OWN_ORDER | PV_W_SAMPLES,
	.modes = PV_MODE_STATS,
	.help = "pprof profile.proto, gzipped: go tool pprof, speedscope, Pyroscope, Parca",
	.write = pprof_write,
};
