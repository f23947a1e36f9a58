/*
 * test_marshal.c - the marshal reader (formats/marshal.c): every type code,
 * FLAG_REF and back-references, pstats' shapes, and every error with its
 * code and byte offset ("t.prof: byte N: what").
 */
#include "testutil.h"

#include "../../lib/internal.h"

/* marshal.dumps(STD, v) by CPython 3.11, v = 0..4, where STD =
 * {('a.py', 1, 'f'): (1, 2, 0.1, 0.30000000000000004,
 *                     {('b.py', 2, 'g'): (2, 1, 0.1, 0.2), ('a.py', 1, 'f'): (1, 0, 0.0, 0.05)}),
 *  ('b.py', 2, 'g'): (1, 1, 0.25, 0.5, {}),
 *  ('~', 0, '<built-in method builtins.len>'): (3, 3, 1e-06, 1e-06,
 *                                              {('a.py', 1, 'f'): (3, 3, 1e-06, 1e-06)})} */
static const unsigned char std_v0[490] =
	"\x7b\x28\x03\x00\x00\x00\x75\x04\x00\x00\x00\x61\x2e\x70\x79\x69\x01\x00\x00\x00\x75\x01\x00\x00"
	"\x00\x66\x28\x05\x00\x00\x00\x69\x01\x00\x00\x00\x69\x02\x00\x00\x00\x66\x13\x30\x2e\x31\x30\x30"
	"\x30\x30\x30\x30\x30\x30\x30\x30\x30\x30\x30\x30\x30\x31\x66\x13\x30\x2e\x33\x30\x30\x30\x30\x30"
	"\x30\x30\x30\x30\x30\x30\x30\x30\x30\x30\x34\x7b\x28\x03\x00\x00\x00\x75\x04\x00\x00\x00\x62\x2e"
	"\x70\x79\x69\x02\x00\x00\x00\x75\x01\x00\x00\x00\x67\x28\x04\x00\x00\x00\x69\x02\x00\x00\x00\x69"
	"\x01\x00\x00\x00\x66\x13\x30\x2e\x31\x30\x30\x30\x30\x30\x30\x30\x30\x30\x30\x30\x30\x30\x30\x30"
	"\x31\x66\x13\x30\x2e\x32\x30\x30\x30\x30\x30\x30\x30\x30\x30\x30\x30\x30\x30\x30\x30\x31\x28\x03"
	"\x00\x00\x00\x75\x04\x00\x00\x00\x61\x2e\x70\x79\x69\x01\x00\x00\x00\x75\x01\x00\x00\x00\x66\x28"
	"\x04\x00\x00\x00\x69\x01\x00\x00\x00\x69\x00\x00\x00\x00\x66\x01\x30\x66\x14\x30\x2e\x30\x35\x30"
	"\x30\x30\x30\x30\x30\x30\x30\x30\x30\x30\x30\x30\x30\x30\x33\x30\x28\x03\x00\x00\x00\x75\x04\x00"
	"\x00\x00\x62\x2e\x70\x79\x69\x02\x00\x00\x00\x75\x01\x00\x00\x00\x67\x28\x05\x00\x00\x00\x69\x01"
	"\x00\x00\x00\x69\x01\x00\x00\x00\x66\x04\x30\x2e\x32\x35\x66\x03\x30\x2e\x35\x7b\x30\x28\x03\x00"
	"\x00\x00\x75\x01\x00\x00\x00\x7e\x69\x00\x00\x00\x00\x75\x1e\x00\x00\x00\x3c\x62\x75\x69\x6c\x74"
	"\x2d\x69\x6e\x20\x6d\x65\x74\x68\x6f\x64\x20\x62\x75\x69\x6c\x74\x69\x6e\x73\x2e\x6c\x65\x6e\x3e"
	"\x28\x05\x00\x00\x00\x69\x03\x00\x00\x00\x69\x03\x00\x00\x00\x66\x16\x39\x2e\x39\x39\x39\x39\x39"
	"\x39\x39\x39\x39\x39\x39\x39\x39\x39\x39\x35\x65\x2d\x30\x37\x66\x16\x39\x2e\x39\x39\x39\x39\x39"
	"\x39\x39\x39\x39\x39\x39\x39\x39\x39\x39\x35\x65\x2d\x30\x37\x7b\x28\x03\x00\x00\x00\x75\x04\x00"
	"\x00\x00\x61\x2e\x70\x79\x69\x01\x00\x00\x00\x75\x01\x00\x00\x00\x66\x28\x04\x00\x00\x00\x69\x03"
	"\x00\x00\x00\x69\x03\x00\x00\x00\x66\x16\x39\x2e\x39\x39\x39\x39\x39\x39\x39\x39\x39\x39\x39\x39"
	"\x39\x39\x39\x35\x65\x2d\x30\x37\x66\x16\x39\x2e\x39\x39\x39\x39\x39\x39\x39\x39\x39\x39\x39\x39"
	"\x39\x39\x39\x35\x65\x2d\x30\x37\x30\x30";
static const unsigned char std_v1[490] =
	"\x7b\x28\x03\x00\x00\x00\x75\x04\x00\x00\x00\x61\x2e\x70\x79\x69\x01\x00\x00\x00\x75\x01\x00\x00"
	"\x00\x66\x28\x05\x00\x00\x00\x69\x01\x00\x00\x00\x69\x02\x00\x00\x00\x66\x13\x30\x2e\x31\x30\x30"
	"\x30\x30\x30\x30\x30\x30\x30\x30\x30\x30\x30\x30\x30\x31\x66\x13\x30\x2e\x33\x30\x30\x30\x30\x30"
	"\x30\x30\x30\x30\x30\x30\x30\x30\x30\x30\x34\x7b\x28\x03\x00\x00\x00\x75\x04\x00\x00\x00\x62\x2e"
	"\x70\x79\x69\x02\x00\x00\x00\x75\x01\x00\x00\x00\x67\x28\x04\x00\x00\x00\x69\x02\x00\x00\x00\x69"
	"\x01\x00\x00\x00\x66\x13\x30\x2e\x31\x30\x30\x30\x30\x30\x30\x30\x30\x30\x30\x30\x30\x30\x30\x30"
	"\x31\x66\x13\x30\x2e\x32\x30\x30\x30\x30\x30\x30\x30\x30\x30\x30\x30\x30\x30\x30\x30\x31\x28\x03"
	"\x00\x00\x00\x75\x04\x00\x00\x00\x61\x2e\x70\x79\x69\x01\x00\x00\x00\x75\x01\x00\x00\x00\x66\x28"
	"\x04\x00\x00\x00\x69\x01\x00\x00\x00\x69\x00\x00\x00\x00\x66\x01\x30\x66\x14\x30\x2e\x30\x35\x30"
	"\x30\x30\x30\x30\x30\x30\x30\x30\x30\x30\x30\x30\x30\x30\x33\x30\x28\x03\x00\x00\x00\x75\x04\x00"
	"\x00\x00\x62\x2e\x70\x79\x69\x02\x00\x00\x00\x75\x01\x00\x00\x00\x67\x28\x05\x00\x00\x00\x69\x01"
	"\x00\x00\x00\x69\x01\x00\x00\x00\x66\x04\x30\x2e\x32\x35\x66\x03\x30\x2e\x35\x7b\x30\x28\x03\x00"
	"\x00\x00\x75\x01\x00\x00\x00\x7e\x69\x00\x00\x00\x00\x75\x1e\x00\x00\x00\x3c\x62\x75\x69\x6c\x74"
	"\x2d\x69\x6e\x20\x6d\x65\x74\x68\x6f\x64\x20\x62\x75\x69\x6c\x74\x69\x6e\x73\x2e\x6c\x65\x6e\x3e"
	"\x28\x05\x00\x00\x00\x69\x03\x00\x00\x00\x69\x03\x00\x00\x00\x66\x16\x39\x2e\x39\x39\x39\x39\x39"
	"\x39\x39\x39\x39\x39\x39\x39\x39\x39\x39\x35\x65\x2d\x30\x37\x66\x16\x39\x2e\x39\x39\x39\x39\x39"
	"\x39\x39\x39\x39\x39\x39\x39\x39\x39\x39\x35\x65\x2d\x30\x37\x7b\x28\x03\x00\x00\x00\x75\x04\x00"
	"\x00\x00\x61\x2e\x70\x79\x69\x01\x00\x00\x00\x75\x01\x00\x00\x00\x66\x28\x04\x00\x00\x00\x69\x03"
	"\x00\x00\x00\x69\x03\x00\x00\x00\x66\x16\x39\x2e\x39\x39\x39\x39\x39\x39\x39\x39\x39\x39\x39\x39"
	"\x39\x39\x39\x35\x65\x2d\x30\x37\x66\x16\x39\x2e\x39\x39\x39\x39\x39\x39\x39\x39\x39\x39\x39\x39"
	"\x39\x39\x39\x35\x65\x2d\x30\x37\x30\x30";
static const unsigned char std_v2[382] =
	"\x7b\x28\x03\x00\x00\x00\x75\x04\x00\x00\x00\x61\x2e\x70\x79\x69\x01\x00\x00\x00\x75\x01\x00\x00"
	"\x00\x66\x28\x05\x00\x00\x00\x69\x01\x00\x00\x00\x69\x02\x00\x00\x00\x67\x9a\x99\x99\x99\x99\x99"
	"\xb9\x3f\x67\x34\x33\x33\x33\x33\x33\xd3\x3f\x7b\x28\x03\x00\x00\x00\x75\x04\x00\x00\x00\x62\x2e"
	"\x70\x79\x69\x02\x00\x00\x00\x75\x01\x00\x00\x00\x67\x28\x04\x00\x00\x00\x69\x02\x00\x00\x00\x69"
	"\x01\x00\x00\x00\x67\x9a\x99\x99\x99\x99\x99\xb9\x3f\x67\x9a\x99\x99\x99\x99\x99\xc9\x3f\x28\x03"
	"\x00\x00\x00\x75\x04\x00\x00\x00\x61\x2e\x70\x79\x69\x01\x00\x00\x00\x75\x01\x00\x00\x00\x66\x28"
	"\x04\x00\x00\x00\x69\x01\x00\x00\x00\x69\x00\x00\x00\x00\x67\x00\x00\x00\x00\x00\x00\x00\x00\x67"
	"\x9a\x99\x99\x99\x99\x99\xa9\x3f\x30\x28\x03\x00\x00\x00\x75\x04\x00\x00\x00\x62\x2e\x70\x79\x69"
	"\x02\x00\x00\x00\x75\x01\x00\x00\x00\x67\x28\x05\x00\x00\x00\x69\x01\x00\x00\x00\x69\x01\x00\x00"
	"\x00\x67\x00\x00\x00\x00\x00\x00\xd0\x3f\x67\x00\x00\x00\x00\x00\x00\xe0\x3f\x7b\x30\x28\x03\x00"
	"\x00\x00\x75\x01\x00\x00\x00\x7e\x69\x00\x00\x00\x00\x75\x1e\x00\x00\x00\x3c\x62\x75\x69\x6c\x74"
	"\x2d\x69\x6e\x20\x6d\x65\x74\x68\x6f\x64\x20\x62\x75\x69\x6c\x74\x69\x6e\x73\x2e\x6c\x65\x6e\x3e"
	"\x28\x05\x00\x00\x00\x69\x03\x00\x00\x00\x69\x03\x00\x00\x00\x67\x8d\xed\xb5\xa0\xf7\xc6\xb0\x3e"
	"\x67\x8d\xed\xb5\xa0\xf7\xc6\xb0\x3e\x7b\x28\x03\x00\x00\x00\x75\x04\x00\x00\x00\x61\x2e\x70\x79"
	"\x69\x01\x00\x00\x00\x75\x01\x00\x00\x00\x66\x28\x04\x00\x00\x00\x69\x03\x00\x00\x00\x69\x03\x00"
	"\x00\x00\x67\x8d\xed\xb5\xa0\xf7\xc6\xb0\x3e\x67\x8d\xed\xb5\xa0\xf7\xc6\xb0\x3e\x30\x30";
static const unsigned char std_v3[306] =
	"\xfb\xa8\x03\x00\x00\x00\xf5\x04\x00\x00\x00\x61\x2e\x70\x79\xe9\x01\x00\x00\x00\xf4\x01\x00\x00"
	"\x00\x66\x28\x05\x00\x00\x00\x72\x03\x00\x00\x00\xe9\x02\x00\x00\x00\xe7\x9a\x99\x99\x99\x99\x99"
	"\xb9\x3f\xe7\x34\x33\x33\x33\x33\x33\xd3\x3f\x7b\xa8\x03\x00\x00\x00\xf5\x04\x00\x00\x00\x62\x2e"
	"\x70\x79\x72\x05\x00\x00\x00\xf4\x01\x00\x00\x00\x67\xa8\x04\x00\x00\x00\x72\x05\x00\x00\x00\x72"
	"\x03\x00\x00\x00\x72\x06\x00\x00\x00\xe7\x9a\x99\x99\x99\x99\x99\xc9\x3f\x72\x01\x00\x00\x00\xa8"
	"\x04\x00\x00\x00\x72\x03\x00\x00\x00\xe9\x00\x00\x00\x00\xe7\x00\x00\x00\x00\x00\x00\x00\x00\xe7"
	"\x9a\x99\x99\x99\x99\x99\xa9\x3f\x30\x72\x08\x00\x00\x00\x28\x05\x00\x00\x00\x72\x03\x00\x00\x00"
	"\x72\x03\x00\x00\x00\xe7\x00\x00\x00\x00\x00\x00\xd0\x3f\xe7\x00\x00\x00\x00\x00\x00\xe0\x3f\x7b"
	"\x30\xa8\x03\x00\x00\x00\xf5\x01\x00\x00\x00\x7e\x72\x0e\x00\x00\x00\xf5\x1e\x00\x00\x00\x3c\x62"
	"\x75\x69\x6c\x74\x2d\x69\x6e\x20\x6d\x65\x74\x68\x6f\x64\x20\x62\x75\x69\x6c\x74\x69\x6e\x73\x2e"
	"\x6c\x65\x6e\x3e\x28\x05\x00\x00\x00\xe9\x03\x00\x00\x00\x72\x16\x00\x00\x00\xe7\x8d\xed\xb5\xa0"
	"\xf7\xc6\xb0\x3e\x72\x17\x00\x00\x00\x7b\x72\x01\x00\x00\x00\xa8\x04\x00\x00\x00\x72\x16\x00\x00"
	"\x00\x72\x16\x00\x00\x00\x72\x17\x00\x00\x00\x72\x17\x00\x00\x00\x30\x30";
static const unsigned char std_v4[261] =
	"\xfb\xa9\x03\xfa\x04\x61\x2e\x70\x79\xe9\x01\x00\x00\x00\xda\x01\x66\x29\x05\x72\x03\x00\x00\x00"
	"\xe9\x02\x00\x00\x00\xe7\x9a\x99\x99\x99\x99\x99\xb9\x3f\xe7\x34\x33\x33\x33\x33\x33\xd3\x3f\x7b"
	"\xa9\x03\xfa\x04\x62\x2e\x70\x79\x72\x05\x00\x00\x00\xda\x01\x67\xa9\x04\x72\x05\x00\x00\x00\x72"
	"\x03\x00\x00\x00\x72\x06\x00\x00\x00\xe7\x9a\x99\x99\x99\x99\x99\xc9\x3f\x72\x01\x00\x00\x00\xa9"
	"\x04\x72\x03\x00\x00\x00\xe9\x00\x00\x00\x00\xe7\x00\x00\x00\x00\x00\x00\x00\x00\xe7\x9a\x99\x99"
	"\x99\x99\x99\xa9\x3f\x30\x72\x08\x00\x00\x00\x29\x05\x72\x03\x00\x00\x00\x72\x03\x00\x00\x00\xe7"
	"\x00\x00\x00\x00\x00\x00\xd0\x3f\xe7\x00\x00\x00\x00\x00\x00\xe0\x3f\x7b\x30\xa9\x03\xfa\x01\x7e"
	"\x72\x0e\x00\x00\x00\xfa\x1e\x3c\x62\x75\x69\x6c\x74\x2d\x69\x6e\x20\x6d\x65\x74\x68\x6f\x64\x20"
	"\x62\x75\x69\x6c\x74\x69\x6e\x73\x2e\x6c\x65\x6e\x3e\x29\x05\xe9\x03\x00\x00\x00\x72\x16\x00\x00"
	"\x00\xe7\x8d\xed\xb5\xa0\xf7\xc6\xb0\x3e\x72\x17\x00\x00\x00\x7b\x72\x01\x00\x00\x00\xa9\x04\x72"
	"\x16\x00\x00\x00\x72\x16\x00\x00\x00\x72\x17\x00\x00\x00\x72\x17\x00\x00\x00\x30\x30";
/* marshal.dumps(compile('x=1', 'f.py', 'exec')) by CPython 3.11 */
static const unsigned char code_x1[105] =
	"\x63\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\xf3\x0a\x00"
	"\x00\x00\x97\x00\x64\x00\x5a\x00\x64\x01\x53\x00\x29\x02\xe9\x01\x00\x00\x00\x4e\x29\x01\xda\x01"
	"\x78\xa9\x00\xf3\x00\x00\x00\x00\xfa\x04\x66\x2e\x70\x79\xfa\x08\x3c\x6d\x6f\x64\x75\x6c\x65\x3e"
	"\x72\x06\x00\x00\x00\x01\x00\x00\x00\x73\x0e\x00\x00\x00\xf0\x03\x01\x01\x01\xd8\x02\x03\x80\x01"
	"\x80\x01\x80\x01\x72\x04\x00\x00\x00";
/* marshal.dumps(compile('x=2', 'f.py', 'exec')): the same co_code (and name, file,
 * line) as code_x1 but other co_consts, so Python says code_x1 != code_x2 */
static const unsigned char code_x2[105] =
	"\x63\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\xf3\x0a\x00"
	"\x00\x00\x97\x00\x64\x00\x5a\x00\x64\x01\x53\x00\x29\x02\xe9\x02\x00\x00\x00\x4e\x29\x01\xda\x01"
	"\x78\xa9\x00\xf3\x00\x00\x00\x00\xfa\x04\x66\x2e\x70\x79\xfa\x08\x3c\x6d\x6f\x64\x75\x6c\x65\x3e"
	"\x72\x06\x00\x00\x00\x01\x00\x00\x00\x73\x0e\x00\x00\x00\xf0\x03\x01\x01\x01\xd8\x02\x03\x80\x01"
	"\x80\x01\x80\x01\x72\x04\x00\x00\x00";

/* ---- helpers -------------------------------------------------------------- */

/* Read b, expect failure with this code and exact message. */
static void expect_fail(const tu_buf *b, int code, const char *msg)
{
	tu_load l;
	tu_read(&l, b->p, b->len);
	assert_int_equal(l.rc, code);
	assert_int_equal(l.ctx.code, code);
	assert_string_equal(l.ctx.msg, msg);
	tu_load_free(&l);
}

/* Read and merge b; it must succeed. */
static void load_ok(tu_load *l, const tu_buf *b)
{
	tu_read_merge(l, b->p, b->len);
	if (l->rc != 0)
		fail_msg("unexpected error %d: %s", l->rc, l->ctx.msg);
}

static void check_tuple_edge(pv_stats *st, const pv_edge *e, const char *caller, const char *nc,
			     const char *cc, double tt, double ct)
{
	assert_string_equal(tu_edge_name(st, e), caller);
	assert_int_equal(e->is_tuple, 1);
	assert_pvint(pv_edge_nc(e), nc);
	assert_pvint(pv_edge_cc(e), cc);
	assert_num_float(pv_edge_tt(e), tt);
	assert_num_float(pv_edge_ct(e), ct);
}

static void check_entry(const pv_entry *e, const char *cc, const char *nc, double tt, double ct)
{
	assert_pvint(pv_entry_cc(e), cc);
	assert_pvint(pv_entry_nc(e), nc);
	assert_num_float(pv_entry_tt(e), tt);
	assert_num_float(pv_entry_ct(e), ct);
}

/* The STD dict of std_v0..std_v4, as pstats holds it. */
static void check_std(pv_stats *st)
{
	assert_int_equal(pv_stats_nentries(st), 3);
	assert_string_equal(tu_entry_name(st, 0), "a.py:1(f)");
	assert_string_equal(tu_entry_name(st, 1), "b.py:2(g)");
	assert_string_equal(tu_entry_name(st, 2), "{built-in method builtins.len}");

	const pv_entry *a = pv_stats_entry(st, 0);
	check_entry(a, "1", "2", 0.1, 0.30000000000000004);
	assert_int_equal(a->ncallers, 2);
	check_tuple_edge(st, tu_edge_at(st, a, 0), "b.py:2(g)", "2", "1", 0.1, 0.2);
	check_tuple_edge(st, tu_edge_at(st, a, 1), "a.py:1(f)", "1", "0", 0.0, 0.05);

	const pv_entry *b = pv_stats_entry(st, 1);
	check_entry(b, "1", "1", 0.25, 0.5);
	assert_int_equal(b->ncallers, 0);
	assert_int_equal(b->first_edge, 0);

	const pv_entry *l = pv_stats_entry(st, 2);
	check_entry(l, "3", "3", 1e-06, 1e-06);
	assert_int_equal(l->ncallers, 1);
	check_tuple_edge(st, tu_edge_at(st, l, 0), "a.py:1(f)", "3", "3", 1e-06, 1e-06);

	assert_pvint(pv_stats_total_calls(st), "6");
	assert_pvint(pv_stats_prim_calls(st), "5");
	volatile double tt = 0.1;
	tt += 0.25;
	tt += 1e-06;
	assert_num_float(pv_stats_total_tt(st), tt);
}

static void check_std_bytes(const unsigned char *p, size_t n)
{
	tu_load l;
	tu_read_merge(&l, p, n);
	if (l.rc)
		fail_msg("%s", l.ctx.msg);
	check_std(l.st);
	tu_load_free(&l);
}

/* ---- what CPython writes ------------------------------------------------------ */

static void test_marshal_cpython_v0_text_floats(void **state)
{
	(void)state;
	check_std_bytes(std_v0, sizeof(std_v0));
}

static void test_marshal_cpython_v1(void **state)
{
	(void)state;
	check_std_bytes(std_v1, sizeof(std_v1));
}

static void test_marshal_cpython_v2_binary_floats(void **state)
{
	(void)state;
	check_std_bytes(std_v2, sizeof(std_v2));
}

static void test_marshal_cpython_v3_flags_and_refs(void **state)
{
	(void)state;
	check_std_bytes(std_v3, sizeof(std_v3));
}

static void test_marshal_cpython_v4_short_codes(void **state)
{
	(void)state;
	check_std_bytes(std_v4, sizeof(std_v4));
}

static void test_marshal_sniff(void **state)
{
	(void)state;
	assert_int_equal(pv_reader_marshal.sniff((const unsigned char *)"{0", 2), 1);
	assert_int_equal(pv_reader_marshal.sniff((const unsigned char *)"\xfb", 1), 1);
	assert_int_equal(pv_reader_marshal.sniff((const unsigned char *)"   ncalls", 9), 0);
	assert_int_equal(pv_reader_marshal.sniff((const unsigned char *)"", 0), 0);
	assert_string_equal(pv_reader_marshal.name, "marshal");
}

/* ---- scalars -------------------------------------------------------------------- */

static void test_marshal_small_dump(void **state)
{
	(void)state;
	tu_buf b = {0};
	tu_small_dump(&b);
	assert_int_equal(b.len, 96);
	tu_load l;
	load_ok(&l, &b);
	assert_int_equal(pv_stats_nentries(l.st), 1);
	assert_int_equal(pv_stats_nprofiles(l.st), 1);
	const pv_entry *e = tu_entry(l.st, "a.py:1(f)");
	check_entry(e, "1", "2", 0.5, 0.75);
	assert_int_equal(e->ncallers, 1);
	check_tuple_edge(l.st, tu_edge_at(l.st, e, 0), "b.py:2(g)", "2", "1", 0.25, 0.5);
	tu_load_free(&l);
	tu_free(&b);
}

/* i, I and l for counts, times and line numbers; l beyond 2^63. */
static void test_marshal_int_codes(void **state)
{
	(void)state;
	tu_buf b = {0};
	tu_dict(&b, '{');
	tu_tuple(&b, ')', 3);
	tu_str(&b, 'z', "a.py");
	tu_long(&b, 'l', (pv_int)1 << 31); /* line 2147483648 */
	tu_str(&b, 'z', "f");
	tu_tuple(&b, ')', 5);
	tu_i(&b, 'i', 7);
	tu_I(&b, 'I', 5000000000LL);
	tu_i(&b, 'i', 2);                  /* an int time */
	tu_long(&b, 'l', (pv_int)1 << 70); /* 2**70 */
	tu_dict(&b, '{');
	tu_key(&b, "b.py", 1, "g");
	tu_tuple(&b, ')', 4);
	tu_I(&b, 'I', -3);
	tu_long(&b, 'l', -(((pv_int)1 << 100) + 12345)); /* negative long */
	tu_i(&b, 'i', -1);
	tu_long(&b, 'l', (pv_int)32768);
	tu_end(&b);
	tu_end(&b);

	tu_load l;
	load_ok(&l, &b);
	const pv_entry *e = tu_entry(l.st, "a.py:2147483648(f)");
	assert_pvint(pv_entry_cc(e), "7");
	assert_pvint(pv_entry_nc(e), "5000000000");
	assert_num_int(pv_entry_tt(e), "2");
	assert_num_int(pv_entry_ct(e), "1180591620717411303424");
	const pv_edge *c = tu_edge_at(l.st, e, 0);
	assert_string_equal(tu_edge_name(l.st, c), "b.py:1(g)");
	assert_int_equal(c->is_tuple, 1);
	assert_pvint(pv_edge_nc(c), "-3");
	assert_pvint(pv_edge_cc(c), "-1267650600228229401496703217721");
	assert_num_int(pv_edge_tt(c), "-1");
	assert_num_int(pv_edge_ct(c), "32768");
	tu_load_free(&l);
	tu_free(&b);
}

/* Negative line numbers in i and l. */
static void test_marshal_negative_lines(void **state)
{
	(void)state;
	tu_buf b = {0};
	tu_dict(&b, '{');
	tu_key(&b, "a.py", -5, "f");
	tu_entry_head(&b, 1, 1, 0.5, 0.5);
	tu_dict(&b, '{');
	tu_end(&b);
	tu_tuple(&b, ')', 3);
	tu_str(&b, 'z', "a.py");
	tu_long(&b, 'l', -((pv_int)1 << 40));
	tu_str(&b, 'z', "g");
	tu_entry_head(&b, 1, 1, 0.5, 0.5);
	tu_dict(&b, '{');
	tu_end(&b);
	tu_end(&b);
	tu_load l;
	load_ok(&l, &b);
	assert_string_equal(tu_entry_name(l.st, 0), "a.py:-5(f)");
	assert_string_equal(tu_entry_name(l.st, 1), "a.py:-1099511627776(g)");
	assert_int_equal(pv_stats_key(l.st, pv_stats_entry(l.st, 1)->key)->line, -1099511627776LL);
	tu_load_free(&l);
	tu_free(&b);
}

/* T and F are the ints 1 and 0 (bool is an int subclass), also as an int
 * caller value. */
static void test_marshal_bools_are_ints(void **state)
{
	(void)state;
	tu_buf b = {0};
	tu_dict(&b, '{');
	tu_key(&b, "a.py", 1, "f");
	tu_tuple(&b, ')', 5);
	tu_byte(&b, 'T');
	tu_byte(&b, 'T');
	tu_byte(&b, 'F');
	tu_byte(&b, 'T' | TU_FLAG);
	tu_dict(&b, '{');
	tu_key(&b, "b.py", 2, "g");
	tu_byte(&b, 'T');
	tu_end(&b);
	tu_end(&b);
	tu_load l;
	load_ok(&l, &b);
	const pv_entry *e = tu_entry(l.st, "a.py:1(f)");
	assert_pvint(pv_entry_cc(e), "1");
	assert_pvint(pv_entry_nc(e), "1");
	assert_num_int(pv_entry_tt(e), "0");
	assert_num_int(pv_entry_ct(e), "1");
	const pv_edge *c = tu_edge_at(l.st, e, 0);
	assert_int_equal(c->is_tuple, 0);
	assert_pvint(pv_edge_nc(c), "1");
	tu_load_free(&l);
	tu_free(&b);
}

/* g (binary) and f (text, versions 0-1) floats, correctly rounded. */
static void test_marshal_float_codes(void **state)
{
	(void)state;
	tu_buf b = {0};
	tu_dict(&b, '{');
	tu_key(&b, "a.py", 1, "f");
	tu_tuple(&b, ')', 5);
	tu_int(&b, 1);
	tu_int(&b, 1);
	tu_f(&b, "0.10000000000000001");
	tu_f(&b, "-2.5e-3");
	tu_dict(&b, '{');
	tu_key(&b, "b.py", 2, "g");
	tu_tuple(&b, ')', 4);
	tu_int(&b, 1);
	tu_int(&b, 1);
	tu_f(&b, "1e+16");
	tu_f(&b, "0.30000000000000004");
	tu_end(&b);
	tu_end(&b);
	tu_load l;
	load_ok(&l, &b);
	const pv_entry *e = tu_entry(l.st, "a.py:1(f)");
	assert_num_float(pv_entry_tt(e), 0.1);
	assert_num_float(pv_entry_ct(e), -0.0025);
	const pv_edge *c = tu_edge_at(l.st, e, 0);
	assert_num_float(pv_edge_tt(c), 1e16);
	assert_num_float(pv_edge_ct(c), 0.1 + 0.2);
	tu_load_free(&l);
	tu_free(&b);
}

/* Every string code: u t a A z Z s are the same kind of value.  ASCII-coded
 * strings are Latin-1; bytes that are not UTF-8 are taken as Latin-1. */
static void test_marshal_string_codes(void **state)
{
	(void)state;
	tu_buf b = {0};
	char big[301];
	memset(big, 'x', 300);
	big[300] = '\0';
	tu_dict(&b, '{');
	const struct {
		unsigned fcode;
		const char *file;
		unsigned ncode;
		const char *name;
	} k[] = {
		{'u', "dir/\xc3\xa9.py", 't', "tname"},
		{'a', "a_file", 'A', "A_name"},
		{'Z', "Zf", 's', "sname"},
		{'z', "lat\xe9n", 's', "bad\xff"},
		{'a', big, 't' | TU_FLAG, "\xe2\x82\xac"},
	};
	for (int i = 0; i < 5; i++) {
		tu_tuple(&b, ')', 3);
		tu_str(&b, k[i].fcode, k[i].file);
		tu_int(&b, i + 1);
		tu_str(&b, k[i].ncode, k[i].name);
		tu_entry_head(&b, 1, 1, 0.5, 0.5);
		tu_dict(&b, '{');
		tu_end(&b);
	}
	tu_end(&b);
	tu_load l;
	load_ok(&l, &b);
	assert_int_equal(pv_stats_nentries(l.st), 5);
	assert_string_equal(tu_entry_name(l.st, 0), "dir/\xc3\xa9.py:1(tname)");
	assert_string_equal(tu_entry_name(l.st, 1), "a_file:2(A_name)");
	assert_string_equal(tu_entry_name(l.st, 2), "Zf:3(sname)");
	/* z 'lat\xe9n' is Latin-1 é; s 'bad\xff' is not UTF-8, so Latin-1 ÿ */
	assert_string_equal(tu_entry_name(l.st, 3), "lat\xc3\xa9n:4(bad\xc3\xbf)");
	char want[400];
	snprintf(want, sizeof(want), "%s:5(\xe2\x82\xac)", big);
	assert_string_equal(tu_entry_name(l.st, 4), want);
	/* the same text under different codes is one interned string */
	uint32_t x, y;
	assert_int_equal(pv_stats_intern_str(l.st, "a_file", 6, &x), 0);
	assert_int_equal(pv_stats_key(l.st, pv_stats_entry(l.st, 1)->key)->file, x);
	assert_int_equal(pv_stats_intern_str(l.st, "Zf", 2, &y), 0);
	assert_int_equal(pv_stats_key(l.st, pv_stats_entry(l.st, 2)->key)->file, y);
	tu_load_free(&l);
	tu_free(&b);
}

/* ( with an int32 count and ) with a count byte, for keys, entries and
 * caller values. */
static void test_marshal_tuple_codes(void **state)
{
	(void)state;
	tu_buf b = {0};
	tu_dict(&b, '{');
	tu_tuple(&b, '(', 3);
	tu_str(&b, 'u', "a.py");
	tu_int(&b, 1);
	tu_str(&b, 'u', "f");
	tu_tuple(&b, '(' | TU_FLAG, 5);
	tu_int(&b, 2);
	tu_int(&b, 3);
	tu_float(&b, 0.5);
	tu_float(&b, 1.5);
	tu_dict(&b, '{');
	tu_tuple(&b, '(', 3);
	tu_str(&b, 'u', "b.py");
	tu_int(&b, 9);
	tu_str(&b, 'u', "g");
	tu_tuple(&b, '(', 4);
	tu_int(&b, 3);
	tu_int(&b, 2);
	tu_float(&b, 0.5);
	tu_float(&b, 1.5);
	tu_end(&b);
	tu_end(&b);
	tu_load l;
	load_ok(&l, &b);
	const pv_entry *e = tu_entry(l.st, "a.py:1(f)");
	check_entry(e, "2", "3", 0.5, 1.5);
	check_tuple_edge(l.st, tu_edge_at(l.st, e, 0), "b.py:9(g)", "3", "2", 0.5, 1.5);
	tu_load_free(&l);
	tu_free(&b);
}

/* A line number that is a whole float is that int (1.0 == 1 as a dict
 * key); any other float is refused. */
static void test_marshal_float_line_number(void **state)
{
	(void)state;
	tu_buf b = {0};
	tu_dict(&b, '{');
	tu_tuple(&b, ')', 3);
	tu_str(&b, 'z', "a.py");
	tu_float(&b, 3.0);
	tu_str(&b, 'z', "f");
	tu_entry_head(&b, 1, 1, 0.5, 0.5);
	tu_dict(&b, '{');
	tu_end(&b);
	tu_end(&b);
	tu_load l;
	load_ok(&l, &b);
	assert_string_equal(tu_entry_name(l.st, 0), "a.py:3(f)");
	tu_load_free(&l);

	b.p[10 + 6] = 0x0c; /* 3.0 -> 3.5: 0x400c000000000000 */
	expect_fail(&b, PV_EFORMAT, "t.prof: byte 9: line number is not a whole number");
	tu_free(&b);
}

/* ---- FLAG_REF and r ---------------------------------------------------------- */

/* FLAG_REF on every kind of object (dict, tuple, str, int, float), and r to
 * strings, ints, floats and keys (answered from the table) and to a whole
 * entry tuple, a caller tuple and a callers dict (read again).  Slots, in
 * pre-order:
 *   0 outer dict, 1 key A, 2 'a.py', 3 int 1, 4 'f', 5 entry A, 6 cc 1,
 *   7 nc 2, 8 0.5, 9 0.75, 10 callers dict of A, 11 caller value, 12 int 0,
 *   13 0.125 */
static void test_marshal_flag_ref_everywhere(void **state)
{
	(void)state;
	tu_buf b = {0};
	tu_dict(&b, '{' | TU_FLAG);
	tu_tuple(&b, ')' | TU_FLAG, 3);
	tu_str(&b, 'z' | TU_FLAG, "a.py");
	tu_i(&b, 'i' | TU_FLAG, 1);
	tu_str(&b, 'Z' | TU_FLAG, "f");
	tu_tuple(&b, ')' | TU_FLAG, 5);
	tu_i(&b, 'i' | TU_FLAG, 1);
	tu_i(&b, 'i' | TU_FLAG, 2);
	tu_g(&b, 'g' | TU_FLAG, 0.5);
	tu_g(&b, 'g' | TU_FLAG, 0.75);
	tu_dict(&b, '{' | TU_FLAG);
	tu_ref(&b, 1); /* key A calls itself */
	tu_tuple(&b, ')' | TU_FLAG, 4);
	tu_ref(&b, 3); /* nc: int 1 */
	tu_i(&b, 'i' | TU_FLAG, 0);
	tu_g(&b, 'g' | TU_FLAG, 0.125);
	tu_ref(&b, 8); /* ct: float 0.5 */
	tu_end(&b);
	/* B = ('a.py', 7, 'f'): (1, 2, 0.125, 0.75, {A: r 11}) */
	tu_tuple(&b, ')', 3);
	tu_ref(&b, 2);
	tu_int(&b, 7);
	tu_ref(&b, 4);
	tu_tuple(&b, ')', 5);
	tu_ref(&b, 6);
	tu_ref(&b, 7);
	tu_ref(&b, 13);
	tu_ref(&b, 9);
	tu_dict(&b, '{');
	tu_ref(&b, 1);
	tu_ref(&b, 11);
	tu_end(&b);
	/* C = ('c.py', 1, 'h'): r 5, the whole entry of A */
	tu_tuple(&b, ')', 3);
	tu_str(&b, 'z', "c.py");
	tu_ref(&b, 3);
	tu_str(&b, 'z', "h");
	tu_ref(&b, 5);
	/* D = ('d.py', 1, 'k'): (3, 3, 1, 2.0, r 10), an int time from a ref */
	tu_key(&b, "d.py", 1, "k");
	tu_tuple(&b, ')', 5);
	tu_int(&b, 3);
	tu_int(&b, 3);
	tu_ref(&b, 3);
	tu_float(&b, 2.0);
	tu_ref(&b, 10);
	tu_end(&b);

	tu_load l;
	load_ok(&l, &b);
	pv_stats *st = l.st;
	assert_int_equal(pv_stats_nentries(st), 4);
	const char *names[] = {"a.py:1(f)", "a.py:7(f)", "c.py:1(h)", "d.py:1(k)"};
	for (size_t i = 0; i < 4; i++)
		assert_string_equal(tu_entry_name(st, i), names[i]);
	check_entry(pv_stats_entry(st, 0), "1", "2", 0.5, 0.75);
	check_entry(pv_stats_entry(st, 1), "1", "2", 0.125, 0.75);
	check_entry(pv_stats_entry(st, 2), "1", "2", 0.5, 0.75);
	const pv_entry *d = pv_stats_entry(st, 3);
	assert_pvint(pv_entry_cc(d), "3");
	assert_num_int(pv_entry_tt(d), "1");
	assert_num_float(pv_entry_ct(d), 2.0);
	for (size_t i = 0; i < 4; i++) {
		const pv_entry *e = pv_stats_entry(st, i);
		assert_int_equal(e->ncallers, 1);
		const pv_edge *c = tu_edge_at(st, e, 0);
		assert_string_equal(tu_edge_name(st, c), "a.py:1(f)");
		assert_int_equal(c->is_tuple, 1);
		assert_pvint(pv_edge_nc(c), "1");
		assert_pvint(pv_edge_cc(c), "0");
		assert_num_float(pv_edge_tt(c), 0.125);
		assert_num_float(pv_edge_ct(c), 0.5);
	}
	tu_load_free(&l);
	tu_free(&b);
}

/* Python 2 (marshal v1/v2): t strings are interned in order and R n names
 * the n-th of them. */
static void test_marshal_py2_interned_refs(void **state)
{
	(void)state;
	tu_buf b = {0};
	tu_dict(&b, '{');
	tu_tuple(&b, '(', 3);
	tu_str(&b, 't', "a.py"); /* R 0 */
	tu_int(&b, 1);
	tu_str(&b, 't', "f"); /* R 1 */
	tu_tuple(&b, '(', 5);
	tu_int(&b, 1);
	tu_int(&b, 1);
	tu_float(&b, 0.5);
	tu_float(&b, 0.5);
	tu_dict(&b, '{');
	tu_tuple(&b, '(', 3);
	tu_i(&b, 'R', 0);
	tu_int(&b, 3);
	tu_str(&b, 't', "g"); /* R 2 */
	tu_tuple(&b, '(', 4);
	tu_int(&b, 1);
	tu_int(&b, 1);
	tu_float(&b, 0.25);
	tu_float(&b, 0.5);
	tu_end(&b);
	tu_tuple(&b, '(', 3);
	tu_i(&b, 'R', 0);
	tu_int(&b, 3);
	tu_i(&b, 'R', 2);
	tu_tuple(&b, '(', 5);
	tu_int(&b, 1);
	tu_int(&b, 1);
	tu_float(&b, 0.25);
	tu_float(&b, 0.25);
	tu_dict(&b, '{');
	tu_end(&b);
	tu_end(&b);
	tu_load l;
	load_ok(&l, &b);
	assert_int_equal(pv_stats_nentries(l.st), 2);
	assert_string_equal(tu_entry_name(l.st, 0), "a.py:1(f)");
	assert_string_equal(tu_entry_name(l.st, 1), "a.py:3(g)");
	const pv_edge *c = tu_edge_at(l.st, pv_stats_entry(l.st, 0), 0);
	assert_string_equal(tu_edge_name(l.st, c), "a.py:3(g)");
	tu_load_free(&l);

	/* R past the interned strings so far */
	tu_free(&b);
	tu_dict(&b, '{');
	tu_tuple(&b, '(', 3);
	tu_str(&b, 't', "a.py");
	tu_int(&b, 1);
	assert_int_equal(tu_off(&b), 20);
	tu_i(&b, 'R', 5);
	expect_fail(&b, PV_EFORMAT,
		    "t.prof: byte 20: string reference 5 out of range (1 interned so far)");
	tu_free(&b);
}

/* The pure-Python profile module: callers map to int counts (i or l). */
static void test_marshal_profile_int_callers(void **state)
{
	(void)state;
	tu_buf b = {0};
	tu_dict(&b, '{');
	tu_key(&b, "a.py", 1, "f");
	tu_entry_head(&b, 0, 7, 0.5, 0.5);
	tu_dict(&b, '{');
	tu_key(&b, "b.py", 2, "g");
	tu_int(&b, 4);
	tu_key(&b, "profile", 0, "profiler");
	tu_long(&b, 'l', ((pv_int)1 << 40) + 3);
	tu_end(&b);
	tu_end(&b);
	tu_load l;
	load_ok(&l, &b);
	const pv_entry *e = tu_entry(l.st, "a.py:1(f)");
	assert_int_equal(e->ncallers, 2);
	const pv_edge *c0 = tu_edge_at(l.st, e, 0), *c1 = tu_edge_at(l.st, e, 1);
	assert_string_equal(tu_edge_name(l.st, c0), "b.py:2(g)");
	assert_int_equal(c0->is_tuple, 0);
	assert_pvint(pv_edge_nc(c0), "4");
	assert_string_equal(tu_edge_name(l.st, c1), "profile:0(profiler)");
	assert_int_equal(c1->is_tuple, 0);
	assert_pvint(pv_edge_nc(c1), "1099511627779");
	tu_load_free(&l);
	tu_free(&b);
}

/* A key seen twice keeps its first position and takes the last value
 * (callers included); the same for a caller key inside one callers dict. */
static void test_marshal_duplicate_keys(void **state)
{
	(void)state;
	tu_buf b = {0};
	tu_dict(&b, '{');
	tu_key(&b, "a.py", 1, "f");
	tu_entry_head(&b, 1, 1, 0.5, 0.5);
	tu_dict(&b, '{');
	tu_key(&b, "x.py", 1, "x");
	tu_cvalue(&b, 1, 1, 0.5, 0.5);
	tu_end(&b);
	tu_key(&b, "b.py", 2, "g");
	tu_entry_head(&b, 2, 2, 0.25, 0.25);
	tu_dict(&b, '{');
	tu_key(&b, "x.py", 1, "x");
	tu_cvalue(&b, 1, 1, 0.1, 0.1);
	tu_key(&b, "y.py", 1, "y");
	tu_cvalue(&b, 2, 2, 0.2, 0.2);
	tu_key(&b, "x.py", 1, "x");
	tu_cvalue(&b, 3, 3, 0.3, 0.3);
	tu_end(&b);
	tu_key(&b, "a.py", 1, "f");
	tu_entry_head(&b, 5, 6, 1.5, 2.5);
	tu_dict(&b, '{');
	tu_key(&b, "z.py", 1, "z");
	tu_cvalue(&b, 6, 5, 1.5, 2.5);
	tu_end(&b);
	tu_end(&b);
	tu_load l;
	load_ok(&l, &b);
	pv_stats *st = l.st;
	assert_int_equal(pv_stats_nentries(st), 2);
	assert_string_equal(tu_entry_name(st, 0), "a.py:1(f)");
	assert_string_equal(tu_entry_name(st, 1), "b.py:2(g)");
	const pv_entry *a = pv_stats_entry(st, 0);
	check_entry(a, "5", "6", 1.5, 2.5);
	assert_int_equal(a->ncallers, 1);
	check_tuple_edge(st, tu_edge_at(st, a, 0), "z.py:1(z)", "6", "5", 1.5, 2.5);
	const pv_entry *g = pv_stats_entry(st, 1);
	assert_int_equal(g->ncallers, 2);
	check_tuple_edge(st, tu_edge_at(st, g, 0), "x.py:1(x)", "3", "3", 0.3, 0.3);
	check_tuple_edge(st, tu_edge_at(st, g, 1), "y.py:1(y)", "2", "2", 0.2, 0.2);
	/* totals are summed over the dict as loaded: the last values */
	assert_pvint(pv_stats_total_calls(st), "8");
	assert_pvint(pv_stats_prim_calls(st), "7");
	volatile double tt = 1.5;
	tt += 0.25;
	assert_num_float(pv_stats_total_tt(st), tt);
	tu_load_free(&l);
	tu_free(&b);
}

/* The 3.15 sampling profiler's ('__sampled__',): True marker is skipped,
 * whatever its value and wherever it is; another 1-tuple key is refused. */
static void test_marshal_sampled_marker_skipped(void **state)
{
	(void)state;
	tu_buf b = {0};
	tu_dict(&b, '{' | TU_FLAG);
	tu_tuple(&b, ')', 1);
	tu_str(&b, 'Z' | TU_FLAG, "__sampled__");
	tu_byte(&b, 'T');
	tu_key(&b, "a.py", 1, "f");
	tu_entry_head(&b, 3, 5, 0.0, 0.0);
	tu_dict(&b, '{');
	tu_key(&b, "b.py", 1, "g");
	tu_int(&b, 5);
	tu_end(&b);
	tu_tuple(&b, ')', 1);
	tu_ref(&b, 1);        /* the marker's string again */
	tu_tuple(&b, ')', 2); /* any value */
	tu_byte(&b, 'N');
	tu_str(&b, 'u', "x");
	tu_end(&b);
	tu_load l;
	load_ok(&l, &b);
	assert_int_equal(pv_stats_nentries(l.st), 1);
	assert_string_equal(tu_entry_name(l.st, 0), "a.py:1(f)");
	assert_pvint(pv_stats_total_calls(l.st), "5");
	tu_load_free(&l);
	tu_free(&b);

	tu_dict(&b, '{');
	tu_tuple(&b, ')', 1);
	tu_str(&b, 'z', "__sampled_");
	tu_byte(&b, 'T');
	tu_end(&b);
	expect_fail(&b, PV_EFORMAT,
		    "t.prof: byte 3: function key is a 1-tuple (only ('__sampled__',) may be)");
	tu_free(&b);

	/* not as a caller key */
	tu_dict(&b, '{');
	tu_key(&b, "a.py", 1, "f");
	tu_entry_head(&b, 1, 1, 0.0, 0.0);
	tu_dict(&b, '{');
	tu_tuple(&b, ')', 1);
	tu_str(&b, 'z', "__sampled__");
	tu_byte(&b, 'T');
	tu_end(&b);
	tu_end(&b);
	expect_fail(&b, PV_EFORMAT,
		    "t.prof: byte 48: function key is a tuple of 1 items (expected 3)");
	tu_free(&b);
}

/* python -m profile keys the script by a code object: its repr is the name
 * (a hash of the bytecode stands for the address).  The refs inside the
 * code object take table slots like any others. */
static void test_marshal_code_object_key(void **state)
{
	(void)state;
	tu_buf b = {0};
	tu_dict(&b, '{');
	tu_tuple(&b, ')', 3);
	tu_str(&b, 'z', "profile");
	tu_int(&b, 0);
	tu_raw(&b, code_x1, sizeof(code_x1));
	tu_entry_head(&b, 1, 1, 0.5, 0.5);
	tu_dict(&b, '{');
	tu_end(&b);
	/* slot 5 is 'f.py' and slot 6 '<module>' inside the code object */
	tu_tuple(&b, ')', 3);
	tu_ref(&b, 5);
	tu_int(&b, 3);
	tu_ref(&b, 6);
	tu_entry_head(&b, 1, 1, 0.25, 0.25);
	tu_dict(&b, '{');
	tu_end(&b);
	tu_end(&b);
	tu_load l;
	load_ok(&l, &b);
	assert_int_equal(pv_stats_nentries(l.st), 2);
	/* the address is 12 hex digits of a hash of co_code, co_consts and
	 * co_names (the object's memory address is gone once reloaded) */
	const char *name = tu_entry_name(l.st, 0);
	const char *head = "profile:0(<code object <module> at 0x";
	const char *tail = ", file \"f.py\", line 1>)";
	assert_int_equal(strlen(name), strlen(head) + 12 + strlen(tail));
	assert_memory_equal(name, head, strlen(head));
	for (size_t i = 0; i < 12; i++)
		assert_non_null(strchr("0123456789abcdef", name[strlen(head) + i]));
	assert_string_equal(name + strlen(head) + 12, tail);
	assert_string_equal(tu_entry_name(l.st, 1), "f.py:3(<module>)");
	tu_load_free(&l);
	tu_free(&b);
}

/* Two code objects Python holds unequal (other co_consts, same co_code,
 * name, file and line) are two dict keys in pstats, so two rows. */
static void test_marshal_code_objects_unequal_stay_apart(void **state)
{
	(void)state;
	tu_buf b = {0};
	tu_dict(&b, '{');
	tu_tuple(&b, ')', 3);
	tu_str(&b, 'z', "profile");
	tu_int(&b, 0);
	tu_raw(&b, code_x1, sizeof(code_x1));
	tu_entry_head(&b, 1, 1, 0.5, 0.5);
	tu_dict(&b, '{');
	tu_end(&b);
	tu_end(&b);
	tu_load l1;
	load_ok(&l1, &b);
	tu_free(&b);

	tu_dict(&b, '{');
	tu_tuple(&b, ')', 3);
	tu_str(&b, 'z', "profile");
	tu_int(&b, 0);
	tu_raw(&b, code_x2, sizeof(code_x2));
	tu_entry_head(&b, 1, 1, 0.5, 0.5);
	tu_dict(&b, '{');
	tu_end(&b);
	tu_end(&b);
	/* read the second file into the first one's stats: pstats' add() */
	assert_int_equal(pv_reader_marshal.read(&l1.ctx, l1.st, l1.prof, b.p, b.len), 0);
	assert_int_equal(pv_stats_merge(l1.st, l1.prof, &l1.ctx), 0);
	/* compile('x=1') and compile('x=2') have the same co_code but unequal
	 * co_consts: Python keeps two keys, and so does profview, whose
	 * stand-in address hashes co_code, co_consts and co_names. */
	assert_int_equal(pv_stats_nentries(l1.st), 2);
	tu_load_free(&l1);
	tu_free(&b);
}

/* Bytes after the top-level dict are ignored, as marshal.load does. */
static void test_marshal_trailing_bytes_ignored(void **state)
{
	(void)state;
	tu_buf b = {0};
	tu_small_dump(&b);
	tu_raw(&b, "garbage\x01\xff", 9);
	tu_load l;
	load_ok(&l, &b);
	assert_int_equal(pv_stats_nentries(l.st), 1);
	tu_load_free(&l);
	tu_free(&b);
}

/* pstats refuses an empty stats dict ("Cannot create or construct"); so
 * does the reader, and a dict holding only the sampling marker is empty. */
static void test_marshal_empty_dict_refused(void **state)
{
	(void)state;
	tu_load l;
	assert_int_equal(tu_read(&l, "\xfb"
				     "0",
				 2),
			 PV_EFORMAT);
	assert_string_equal(l.ctx.msg, "t.prof: byte 0: no profile data (an empty stats dict)");
	tu_load_free(&l);
	tu_buf b = {0};
	tu_dict(&b, '{');
	tu_tuple(&b, ')', 1);
	tu_str(&b, 'z', "__sampled__");
	tu_byte(&b, 'T');
	tu_end(&b);
	expect_fail(&b, PV_EFORMAT, "t.prof: byte 0: no profile data (an empty stats dict)");
	tu_free(&b);
}

/* A count up to 2^127-1 reads (merging such counts: see test_stats). */
static void test_marshal_long_127_bits(void **state)
{
	(void)state;
	tu_buf b = {0};
	pv_int max = (pv_int)(((unsigned __int128)1 << 127) - 1);
	tu_dict(&b, '{');
	tu_key(&b, "a.py", 1, "f");
	tu_tuple(&b, ')', 5);
	tu_long(&b, 'l', max);
	tu_int(&b, 1);
	tu_float(&b, 0.0);
	tu_float(&b, 0.0);
	tu_dict(&b, '{');
	tu_end(&b);
	tu_end(&b);
	assert_int_equal(b.p[19], 'l');
	assert_int_equal(b.p[20], 9); /* 9 digits */
	tu_load l;
	assert_int_equal(tu_read(&l, b.p, b.len), 0);
	pv_int cc, nc;
	pv_profile_get(l.prof, 0, NULL, &cc, &nc, NULL, NULL);
	assert_pvint(cc, "170141183460469231731687303715884105727");
	assert_pvint(nc, "1");
	tu_load_free(&l);
	tu_free(&b);

	/* 2**100 merges and keeps every digit */
	tu_dict(&b, '{');
	tu_key(&b, "a.py", 1, "f");
	tu_tuple(&b, ')', 5);
	tu_long(&b, 'l', (pv_int)1 << 100);
	tu_long(&b, 'l', -((pv_int)1 << 100));
	tu_float(&b, 0.0);
	tu_float(&b, 0.0);
	tu_dict(&b, '{');
	tu_end(&b);
	tu_end(&b);
	load_ok(&l, &b);
	assert_pvint(pv_entry_cc(pv_stats_entry(l.st, 0)), "1267650600228229401496703205376");
	assert_pvint(pv_entry_nc(pv_stats_entry(l.st, 0)), "-1267650600228229401496703205376");
	tu_load_free(&l);
	tu_free(&b);
}

/* ---- errors: code and byte offset ------------------------------------------------ */

/* Filler after a cut-short object: a tuple's count is checked against the
 * bytes left (each item takes one at least), so errors inside it need some. */
static void pad(tu_buf *b)
{
	for (int i = 0; i < 64; i++)
		tu_byte(b, 'N');
}

/* { ('a.py', 1, 'f'): -- 17 bytes; the value starts at byte 17 */
static void prefix(tu_buf *b, unsigned dict_code)
{
	tu_dict(b, dict_code);
	tu_key(b, "a.py", 1, "f");
	assert_int_equal(tu_off(b), 17);
}

/* prefix + (1, 1, 0.5, 0.5, -- the callers start at byte 47 */
static void prefix_callers(tu_buf *b, unsigned dict_code, unsigned entry_code)
{
	prefix(b, dict_code);
	tu_tuple(b, entry_code, 5);
	tu_int(b, 1);
	tu_int(b, 1);
	tu_float(b, 0.5);
	tu_float(b, 0.5);
	assert_int_equal(tu_off(b), 47);
}

static void test_marshal_error_empty_input(void **state)
{
	(void)state;
	tu_load l;
	assert_int_equal(tu_read(&l, "", 0), PV_EFORMAT);
	assert_string_equal(l.ctx.msg, "t.prof: byte 0: empty file");
	tu_load_free(&l);
}

/* Every proper prefix of a valid dump fails with PV_EFORMAT, at the first
 * check that runs out of data: a cut type byte, count or fixed payload at
 * its first byte ("truncated"); a string body at its length field and a
 * tuple whose count exceeds the bytes left (each item needs one at least) at
 * its count field ("length N runs past the end"). */
enum { EV_FIELD,
       EV_STRING,
       EV_TUPLE };

static const struct event {
	int kind;
	size_t start, end; /* the bytes the field covers */
	size_t at;         /* where the error is reported */
} small_dump_events[] = {
	/* { */
	{EV_FIELD, 0, 1, 0},
	/* key ('a.py', 1, 'f'): ) 3, z 4 a.py, i 1, z 1 f */
	{EV_FIELD, 1, 2, 1},
	{EV_FIELD, 2, 3, 2},
	{EV_TUPLE, 3, 6, 2},
	{EV_FIELD, 3, 4, 3},
	{EV_FIELD, 4, 5, 4},
	{EV_STRING, 5, 9, 4},
	{EV_FIELD, 9, 10, 9},
	{EV_FIELD, 10, 14, 10},
	{EV_FIELD, 14, 15, 14},
	{EV_FIELD, 15, 16, 15},
	{EV_STRING, 16, 17, 15},
	/* entry ) 5: i 1, i 2, g 0.5, g 0.75, { */
	{EV_FIELD, 17, 18, 17},
	{EV_FIELD, 18, 19, 18},
	{EV_TUPLE, 19, 24, 18},
	{EV_FIELD, 19, 20, 19},
	{EV_FIELD, 20, 24, 20},
	{EV_FIELD, 24, 25, 24},
	{EV_FIELD, 25, 29, 25},
	{EV_FIELD, 29, 30, 29},
	{EV_FIELD, 30, 38, 30},
	{EV_FIELD, 38, 39, 38},
	{EV_FIELD, 39, 47, 39},
	{EV_FIELD, 47, 48, 47},
	/* caller key ('b.py', 2, 'g') */
	{EV_FIELD, 48, 49, 48},
	{EV_FIELD, 49, 50, 49},
	{EV_TUPLE, 50, 53, 49},
	{EV_FIELD, 50, 51, 50},
	{EV_FIELD, 51, 52, 51},
	{EV_STRING, 52, 56, 51},
	{EV_FIELD, 56, 57, 56},
	{EV_FIELD, 57, 61, 57},
	{EV_FIELD, 61, 62, 61},
	{EV_FIELD, 62, 63, 62},
	{EV_STRING, 63, 64, 62},
	/* caller value ) 4: i 2, i 1, g 0.25, g 0.5 */
	{EV_FIELD, 64, 65, 64},
	{EV_FIELD, 65, 66, 65},
	{EV_TUPLE, 66, 70, 65},
	{EV_FIELD, 66, 67, 66},
	{EV_FIELD, 67, 71, 67},
	{EV_FIELD, 71, 72, 71},
	{EV_FIELD, 72, 76, 72},
	{EV_FIELD, 76, 77, 76},
	{EV_FIELD, 77, 85, 77},
	{EV_FIELD, 85, 86, 85},
	{EV_FIELD, 86, 94, 86},
	/* the NULLs ending the callers and the outer dict */
	{EV_FIELD, 94, 95, 94},
	{EV_FIELD, 95, 96, 95},
};

static void truncation_message(size_t n, char *want, size_t cap)
{
	if (n == 0) {
		snprintf(want, cap, "t.prof: byte 0: empty file");
		return;
	}
	for (size_t i = 0; i < sizeof(small_dump_events) / sizeof(small_dump_events[0]); i++) {
		const struct event *e = &small_dump_events[i];
		if (n >= e->end)
			continue;
		if (e->kind == EV_FIELD)
			snprintf(want, cap, "t.prof: byte %zu: truncated marshal data", e->at);
		else
			snprintf(want, cap,
				 "t.prof: byte %zu: length %zu runs past the end of the data (%zu bytes left)",
				 e->at, e->end - e->start, n - e->start);
		return;
	}
	fail_msg("no event for %zu", n);
}

static void test_marshal_error_every_truncation(void **state)
{
	(void)state;
	tu_buf b = {0};
	tu_small_dump(&b);
	assert_int_equal(b.len, 96);
	for (size_t n = 0; n < b.len; n++) {
		/* a copy of exactly n bytes, so any over-read is caught by ASan */
		unsigned char *cut = malloc(n ? n : 1);
		assert_non_null(cut);
		memcpy(cut, b.p, n);
		tu_load l;
		tu_read(&l, cut, n);
		char want[128];
		truncation_message(n, want, sizeof(want));
		if (l.rc != PV_EFORMAT || strcmp(l.ctx.msg, want) != 0)
			fail_msg("prefix of %zu bytes: rc %d, \"%s\", want \"%s\"", n, l.rc, l.ctx.msg,
				 want);
		tu_load_free(&l);
		free(cut);
	}
	tu_free(&b);
}

/* A u string must be UTF-8 (CPython: UnicodeDecodeError), reported at the
 * first bad byte; a lone surrogate is what surrogatepass writes, so it
 * reads.  Python 2's t and s strings fall back to Latin-1. */
static void test_marshal_error_u_invalid_utf8(void **state)
{
	(void)state;
	tu_buf b = {0};
	tu_dict(&b, '{');
	tu_tuple(&b, ')', 3);
	tu_str(&b, 'u', "a\xff\xfe.");
	tu_int(&b, 1);
	tu_str(&b, 'z', "f");
	pad(&b);
	expect_fail(&b, PV_EFORMAT, "t.prof: byte 9: invalid UTF-8 in a str");
	tu_free(&b);

	tu_dict(&b, '{');
	tu_tuple(&b, ')', 3);
	tu_str(&b, 'u', "ok.py");
	tu_int(&b, 1);
	tu_str(&b, 'u', "\xc3\xa9\xc3"); /* cut sequence at the end */
	pad(&b);
	expect_fail(&b, PV_EFORMAT, "t.prof: byte 25: invalid UTF-8 in a str");
	tu_free(&b);

	tu_dict(&b, '{');
	tu_tuple(&b, ')', 3);
	tu_str(&b, 'u', "s\xed\xa0\x80.py"); /* U+D800 */
	tu_int(&b, 1);
	tu_str(&b, 't', "t\xe9");
	tu_entry_head(&b, 1, 1, 0.5, 0.5);
	tu_dict(&b, '{');
	tu_end(&b);
	tu_end(&b);
	tu_load l;
	load_ok(&l, &b);
	assert_string_equal(tu_entry_name(l.st, 0), "s\xed\xa0\x80.py:1(t\xc3\xa9)");
	tu_load_free(&l);
	tu_free(&b);
}

static void test_marshal_error_top_level_not_a_dict(void **state)
{
	(void)state;
	static const struct {
		const char *bytes;
		size_t n;
		const char *msg;
	} cases[] = {
		{")\x00", 2, "t.prof: byte 0: not a pstats dump (the marshal data is a tuple, not a dict)"},
		{"(\x00\x00\x00\x00", 5,
		 "t.prof: byte 0: not a pstats dump (the marshal data is a tuple, not a dict)"},
		{"N", 1, "t.prof: byte 0: not a pstats dump (the marshal data is a None, not a dict)"},
		{"T", 1, "t.prof: byte 0: not a pstats dump (the marshal data is a bool, not a dict)"},
		{"i\x2a\x00\x00\x00", 5,
		 "t.prof: byte 0: not a pstats dump (the marshal data is an int, not a dict)"},
		{"\xe9\x2a\x00\x00\x00", 5,
		 "t.prof: byte 0: not a pstats dump (the marshal data is an int, not a dict)"},
		{"[\x00\x00\x00\x00", 5,
		 "t.prof: byte 0: not a pstats dump (the marshal data is a list, not a dict)"},
		{"   ncalls", 9,
		 "t.prof: byte 0: not a pstats dump (starts with byte 0x20, not a marshal dict)"},
		{"r\x00\x00\x00\x00", 5, "t.prof: byte 0: reference 0 out of range (0 objects so far)"},
		{"\x1f\x8b\x08", 3,
		 "t.prof: byte 0: not a pstats dump (starts with byte 0x1f, not a marshal dict)"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tu_load l;
		tu_read(&l, cases[i].bytes, cases[i].n);
		assert_int_equal(l.rc, PV_EFORMAT);
		assert_string_equal(l.ctx.msg, cases[i].msg);
		tu_load_free(&l);
	}
}

static void test_marshal_error_unknown_type_code(void **state)
{
	(void)state;
	tu_buf b = {0};
	prefix(&b, '{');
	tu_tuple(&b, ')', 5);
	tu_byte(&b, 0x01);
	pad(&b);
	expect_fail(&b, PV_EFORMAT, "t.prof: byte 19: bad marshal type code 0x01");
	b.p[19] = 0x81; /* FLAG_REF does not make it known */
	expect_fail(&b, PV_EFORMAT, "t.prof: byte 19: bad marshal type code 0x81");
	b.p[19] = 'R'; /* Python 2's string reference, where an int belongs */
	tu_le32(&b, 0);
	expect_fail(&b, PV_EFORMAT, "t.prof: byte 19: bad marshal type code 0x52");
	tu_free(&b);
}

static void test_marshal_error_key_not_a_3_tuple(void **state)
{
	(void)state;
	tu_buf b = {0};
	tu_dict(&b, '{');
	tu_tuple(&b, ')', 2);
	tu_str(&b, 'z', "a.py");
	tu_int(&b, 1);
	expect_fail(&b, PV_EFORMAT, "t.prof: byte 1: function key is a tuple of 2 items (expected 3)");
	tu_free(&b);

	tu_dict(&b, '{');
	tu_tuple(&b, '(', 4);
	pad(&b);
	expect_fail(&b, PV_EFORMAT, "t.prof: byte 1: function key is a tuple of 4 items (expected 3)");
	tu_free(&b);

	tu_dict(&b, '{');
	tu_str(&b, 'z', "a.py:1(f)");
	expect_fail(&b, PV_EFORMAT,
		    "t.prof: byte 1: expected a function key (file, line, name), found a str");
	tu_free(&b);
}

static void test_marshal_error_key_field_types(void **state)
{
	(void)state;
	tu_buf b = {0};
	/* name is an int */
	tu_dict(&b, '{');
	tu_tuple(&b, ')', 3);
	tu_str(&b, 'z', "a.py");
	tu_int(&b, 1);
	tu_int(&b, 2);
	expect_fail(&b, PV_EFORMAT, "t.prof: byte 14: expected a string, found an int");
	tu_free(&b);
	/* line is a str */
	tu_dict(&b, '{');
	tu_tuple(&b, ')', 3);
	tu_str(&b, 'z', "a.py");
	tu_str(&b, 'z', "1");
	expect_fail(&b, PV_EFORMAT, "t.prof: byte 9: expected a number, found a str");
	tu_free(&b);
	/* line past 64 bits */
	tu_dict(&b, '{');
	tu_tuple(&b, ')', 3);
	tu_str(&b, 'z', "a.py");
	tu_long(&b, 'l', (pv_int)1 << 63);
	tu_str(&b, 'z', "f");
	expect_fail(&b, PV_EFORMAT, "t.prof: byte 9: line number out of range");
	tu_free(&b);
}

/* "a None", as the top-level message says it. */
static void test_marshal_error_found_none_wording(void **state)
{
	(void)state;
	tu_buf b = {0};
	tu_dict(&b, '{');
	tu_tuple(&b, ')', 3);
	tu_str(&b, 'z', "a.py");
	tu_int(&b, 1);
	tu_byte(&b, 'N');
	/* the article follows the word: "a None", "a NULL", "an int" */
	expect_fail(&b, PV_EFORMAT, "t.prof: byte 14: expected a string, found a None");
	tu_free(&b);
}

static void test_marshal_error_entry_not_a_5_tuple(void **state)
{
	(void)state;
	tu_buf b = {0};
	prefix(&b, '{');
	tu_tuple(&b, ')', 4);
	pad(&b);
	expect_fail(&b, PV_EFORMAT, "t.prof: byte 17: entry is a tuple of 4 items (expected 5)");
	tu_free(&b);

	prefix(&b, '{');
	tu_tuple(&b, '(', 6);
	pad(&b);
	expect_fail(&b, PV_EFORMAT, "t.prof: byte 17: entry is a tuple of 6 items (expected 5)");
	tu_free(&b);

	prefix(&b, '{');
	tu_int(&b, 7);
	expect_fail(&b, PV_EFORMAT,
		    "t.prof: byte 17: expected an entry (cc, nc, tt, ct, callers), found an int");
	tu_free(&b);
}

static void test_marshal_error_entry_field_types(void **state)
{
	(void)state;
	tu_buf b = {0};
	/* a float count */
	prefix(&b, '{');
	tu_tuple(&b, ')', 5);
	tu_float(&b, 1.0);
	expect_fail(&b, PV_EFORMAT, "t.prof: byte 19: expected an int, found a float");
	tu_free(&b);
	/* a str time */
	prefix(&b, '{');
	tu_tuple(&b, ')', 5);
	tu_int(&b, 1);
	tu_int(&b, 1);
	tu_str(&b, 'z', "0.001");
	expect_fail(&b, PV_EFORMAT, "t.prof: byte 29: expected a number, found a str");
	tu_free(&b);
	/* callers as a list */
	prefix_callers(&b, '{', ')');
	tu_tuple(&b, '[', 0);
	expect_fail(&b, PV_EFORMAT, "t.prof: byte 47: expected a callers dict, found a list");
	tu_free(&b);
}

static void test_marshal_error_caller_value_not_a_4_tuple(void **state)
{
	(void)state;
	tu_buf b = {0};
	tu_small_dump(&b);
	assert_int_equal(b.p[64], ')');
	b.p[65] = 3;
	expect_fail(&b, PV_EFORMAT, "t.prof: byte 64: caller value is a tuple of 3 items (expected 4)");
	b.p[65] = 5;
	expect_fail(&b, PV_EFORMAT, "t.prof: byte 64: caller value is a tuple of 5 items (expected 4)");
	b.p[64] = 'g';
	expect_fail(&b, PV_EFORMAT,
		    "t.prof: byte 64: expected a caller value (a 4-tuple or an int), found a float");
	tu_free(&b);
}

static void test_marshal_error_negative_length(void **state)
{
	(void)state;
	tu_buf b = {0};
	tu_dict(&b, '{');
	tu_tuple(&b, ')', 3);
	tu_i(&b, 'u', -1);
	tu_raw(&b, "abcdefgh", 8);
	expect_fail(&b, PV_EFORMAT, "t.prof: byte 4: negative length -1");
	tu_free(&b);

	tu_dict(&b, '{');
	tu_i(&b, '(', -5);
	tu_raw(&b, "abcdefgh", 8);
	expect_fail(&b, PV_EFORMAT, "t.prof: byte 2: negative length -5");
	tu_free(&b);
}

static void test_marshal_error_length_past_end(void **state)
{
	(void)state;
	tu_buf b = {0};
	tu_dict(&b, '{');
	tu_tuple(&b, ')', 3);
	tu_i(&b, 'u', 0x7ffffff0);
	tu_raw(&b, "abcdef", 6);
	expect_fail(&b, PV_EFORMAT,
		    "t.prof: byte 4: length 2147483632 runs past the end of the data (6 bytes left)");
	tu_free(&b);

	/* a tuple count is checked against the bytes left, too */
	tu_dict(&b, '{');
	tu_i(&b, '(', 1000);
	tu_raw(&b, "abc", 3);
	expect_fail(&b, PV_EFORMAT,
		    "t.prof: byte 2: length 1000 runs past the end of the data (3 bytes left)");
	tu_free(&b);

	tu_dict(&b, '{');
	tu_tuple(&b, ')', 3);
	tu_byte(&b, 'z');
	tu_byte(&b, 200);
	tu_raw(&b, "abc", 3);
	expect_fail(&b, PV_EFORMAT,
		    "t.prof: byte 4: length 200 runs past the end of the data (3 bytes left)");
	tu_free(&b);
}

static void test_marshal_error_long_digits(void **state)
{
	(void)state;
	tu_buf b = {0};
	const uint16_t bad_digit[] = {1, 0x8000};
	prefix(&b, '{');
	tu_tuple(&b, ')', 5);
	tu_long_raw(&b, 2, bad_digit, 2);
	expect_fail(&b, PV_EFORMAT, "t.prof: byte 26: digit out of range in long");
	tu_free(&b);

	const uint16_t unnorm[] = {1, 0};
	prefix(&b, '{');
	tu_tuple(&b, ')', 5);
	tu_long_raw(&b, -2, unnorm, 2);
	expect_fail(&b, PV_EFORMAT, "t.prof: byte 26: unnormalized long data");
	tu_free(&b);

	/* size 0 is the int 0 */
	prefix(&b, '{');
	tu_tuple(&b, ')', 5);
	tu_long_raw(&b, 0, NULL, 0);
	tu_int(&b, 1);
	tu_float(&b, 0.5);
	tu_float(&b, 0.5);
	tu_dict(&b, '{');
	tu_end(&b);
	tu_end(&b);
	tu_load l;
	load_ok(&l, &b);
	assert_pvint(pv_entry_cc(pv_stats_entry(l.st, 0)), "0");
	tu_load_free(&l);
	tu_free(&b);
}

static void test_marshal_error_long_over_127_bits(void **state)
{
	(void)state;
	tu_buf b = {0};
	const uint16_t d[9] = {0, 0, 0, 0, 0, 0, 0, 0, 128}; /* 2**127 */
	prefix(&b, '{');
	tu_tuple(&b, ')', 5);
	tu_long_raw(&b, 9, d, 9);
	expect_fail(&b, PV_ELIMIT, "t.prof: byte 19: int of 9 digits exceeds 127 bits");
	b.p[20] = (unsigned char)-9; /* -(2**127): still 128 bits of magnitude */
	b.p[21] = b.p[22] = b.p[23] = 0xff;
	expect_fail(&b, PV_ELIMIT, "t.prof: byte 19: int of 9 digits exceeds 127 bits");
	tu_free(&b);

	const uint16_t big[12] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
	prefix(&b, '{');
	tu_tuple(&b, ')', 5);
	tu_long_raw(&b, 12, big, 12);
	expect_fail(&b, PV_ELIMIT, "t.prof: byte 19: int of 12 digits exceeds 127 bits");
	tu_free(&b);
}

/* The digit count of an l is a length like a string's: an error in it is
 * reported at the count (as for u, (, ...), not at the type byte. */
static void test_marshal_error_long_size_offset(void **state)
{
	(void)state;
	tu_buf b = {0};
	const uint16_t d[2] = {1, 1};
	prefix(&b, '{');
	tu_tuple(&b, ')', 5);
	tu_long_raw(&b, 0x7fffffff, d, 2);
	expect_fail(&b, PV_EFORMAT, "t.prof: byte 20: long of 2147483647 digits runs past the end "
				    "of the data (4 bytes left)");
	tu_free(&b);
}

static void test_marshal_error_bad_text_float(void **state)
{
	(void)state;
	const char *texts[] = {"abc", "", "1.5x", "--1"};
	for (size_t i = 0; i < 4; i++) {
		tu_buf b = {0};
		prefix(&b, '{');
		tu_tuple(&b, ')', 5);
		tu_int(&b, 1);
		tu_int(&b, 1);
		tu_f(&b, texts[i]);
		tu_f(&b, "1");
		expect_fail(&b, PV_EFORMAT, "t.prof: byte 29: bad text float");
		tu_free(&b);
	}
}

static void test_marshal_error_ref_out_of_range(void **state)
{
	(void)state;
	tu_buf b = {0};
	prefix_callers(&b, '{' | TU_FLAG, ')');
	tu_ref(&b, 5);
	expect_fail(&b, PV_EFORMAT, "t.prof: byte 47: reference 5 out of range (1 objects so far)");
	b.p[48] = 0xff; /* r -1 */
	b.p[49] = b.p[50] = b.p[51] = 0xff;
	expect_fail(&b, PV_EFORMAT, "t.prof: byte 47: reference -1 out of range (1 objects so far)");
	tu_free(&b);

	tu_dict(&b, '{');
	tu_ref(&b, 0);
	expect_fail(&b, PV_EFORMAT, "t.prof: byte 1: reference 0 out of range (0 objects so far)");
	tu_free(&b);
}

/* r to an object whose slot is reserved but not filled yet: the entry
 * tuple or the outer dict from inside, a key from inside itself. */
static void test_marshal_error_ref_to_unfinished(void **state)
{
	(void)state;
	tu_buf b = {0};
	prefix_callers(&b, '{' | TU_FLAG, ')' | TU_FLAG);
	tu_ref(&b, 1);
	expect_fail(&b, PV_EFORMAT, "t.prof: byte 47: reference 1 to an object still being read");
	b.p[48] = 0;
	expect_fail(&b, PV_EFORMAT, "t.prof: byte 47: reference 0 to an object still being read");
	tu_free(&b);

	tu_dict(&b, '{');
	tu_tuple(&b, ')' | TU_FLAG, 3);
	tu_str(&b, 'z', "a.py");
	tu_int(&b, 1);
	tu_ref(&b, 0);
	expect_fail(&b, PV_EFORMAT, "t.prof: byte 14: reference 0 to an object still being read");
	tu_free(&b);
}

/* Nesting is capped at 64 levels: in the one place pstats' shape allows
 * anything (the sampling marker's value), 64 nested tuples read and 65
 * fail at the 65th. */
static void nested_marker(tu_buf *b, int levels)
{
	tu_dict(b, '{');
	tu_tuple(b, ')', 1);
	tu_str(b, 'z', "__sampled__");
	assert_int_equal(tu_off(b), 16);
	for (int i = 0; i < levels; i++)
		tu_tuple(b, ')', 1);
	tu_byte(b, 'N');
	tu_key(b, "a.py", 1, "f");
	tu_entry_head(b, 1, 1, 0.5, 0.5);
	tu_dict(b, '{');
	tu_end(b);
	tu_end(b);
}

static void test_marshal_error_nesting_limit(void **state)
{
	(void)state;
	tu_buf b = {0};
	nested_marker(&b, 64);
	tu_load l;
	load_ok(&l, &b);
	assert_int_equal(pv_stats_nentries(l.st), 1);
	tu_load_free(&l);
	tu_free(&b);

	nested_marker(&b, 65);
	expect_fail(&b, PV_ELIMIT, "t.prof: byte 144: objects nested too deeply (over 64 levels)");
	tu_free(&b);

	nested_marker(&b, 100000);
	expect_fail(&b, PV_ELIMIT, "t.prof: byte 144: objects nested too deeply (over 64 levels)");
	tu_free(&b);
}

/* References are read again where they are used, under a work budget
 * proportional to the file size: 200 entries whose callers are all `r` to
 * one dict of 100 callers would be 20,000 edges from 15 KB. */
static void test_marshal_error_reference_expansion(void **state)
{
	(void)state;
	tu_buf b = {0};
	tu_dict(&b, '{');
	tu_key(&b, "a.py", 1, "f");
	tu_entry_head(&b, 1, 1, 0.5, 0.5);
	size_t dict_at = tu_off(&b);
	tu_dict(&b, '{' | TU_FLAG); /* slot 0 */
	for (int k = 0; k < 100; k++) {
		tu_key(&b, "c.py", k, "h");
		tu_cvalue(&b, 1, 1, 0.125, 0.125);
	}
	tu_end(&b);
	size_t dict_end = tu_off(&b);
	for (int j = 0; j < 200; j++) {
		tu_key(&b, "e.py", j, "g");
		tu_tuple(&b, ')', 5);
		tu_int(&b, 1);
		tu_int(&b, 1);
		tu_float(&b, 0.5);
		tu_float(&b, 0.5);
		tu_ref(&b, 0);
	}
	tu_end(&b);
	tu_load l;
	tu_read(&l, b.p, b.len);
	assert_int_equal(l.rc, PV_ELIMIT);
	size_t at;
	char what[128];
	assert_int_equal(sscanf(l.ctx.msg, "t.prof: byte %zu: %127[^\n]", &at, what), 2);
	assert_string_equal(what, "too many objects for the file size (reference expansion)");
	/* found while reading the shared dict again */
	assert_true(at >= dict_at && at < dict_end);
	tu_load_free(&l);

	/* the same with 20 entries is within the budget */
	tu_free(&b);
	tu_dict(&b, '{');
	tu_key(&b, "a.py", 1, "f");
	tu_entry_head(&b, 1, 1, 0.5, 0.5);
	tu_dict(&b, '{' | TU_FLAG);
	for (int k = 0; k < 100; k++) {
		tu_key(&b, "c.py", k, "h");
		tu_cvalue(&b, 1, 1, 0.125, 0.125);
	}
	tu_end(&b);
	for (int j = 0; j < 20; j++) {
		tu_key(&b, "e.py", j, "g");
		tu_tuple(&b, ')', 5);
		tu_int(&b, 1);
		tu_int(&b, 1);
		tu_float(&b, 0.5);
		tu_float(&b, 0.5);
		tu_ref(&b, 0);
	}
	tu_end(&b);
	load_ok(&l, &b);
	assert_int_equal(pv_stats_nentries(l.st), 21);
	assert_int_equal(pv_stats_entry(l.st, 20)->ncallers, 100);
	tu_load_free(&l);
	tu_free(&b);
}

/* A chain of tuples each holding two references to the previous one (2^40
 * objects if expanded) costs nothing where the reader skips values. */
static void test_marshal_ref_chain_in_skipped_value_not_expanded(void **state)
{
	(void)state;
	tu_buf b = {0};
	tu_dict(&b, '{');
	tu_tuple(&b, ')', 1);
	tu_str(&b, 'z', "__sampled__");
	tu_tuple(&b, ')', 41);
	tu_tuple(&b, ')' | TU_FLAG, 2); /* slot 0 */
	tu_byte(&b, 'N');
	tu_byte(&b, 'N');
	for (int i = 1; i <= 40; i++) {
		tu_tuple(&b, ')' | TU_FLAG, 2); /* slot i */
		tu_ref(&b, i - 1);
		tu_ref(&b, i - 1);
	}
	tu_key(&b, "a.py", 1, "f");
	tu_entry_head(&b, 1, 1, 0.5, 0.5);
	tu_dict(&b, '{');
	tu_end(&b);
	tu_end(&b);
	tu_load l;
	load_ok(&l, &b);
	assert_int_equal(pv_stats_nentries(l.st), 1);
	tu_load_free(&l);
	tu_free(&b);
}

/* ---- testdata/bad: every corrupt file, its code and offset ------------------------- *
 *
 * Offsets agree with testdata/bad/README.md except where the README gives
 * CPython's point of failure and profview's shape-driven reader stops
 * earlier or elsewhere, by design:
 *  - trunc_in_string (README 38): reported at the length field of the
 *    string whose body is cut (12), as every length; trunc_half (9224) is
 *    cut between two objects and reported where the next one should start;
 *  - deep_nesting (2000): a key must be a tuple, so the nested dict is
 *    refused at byte 1; deep_tuples_2000 (4000): the top level must be a
 *    dict, refused at byte 0;
 *  - empty_dict: no object is wrong; reported at byte 0.
 * Accepted by CPython but refused here: callers_list, null_as_dict_value,
 * ref_to_unfinished_*, deep_tuples_1999 (not a dict). */

/* Read path with the marshal reader; `msg` is the exact message, or its
 * start when it ends in "found a" (the article is tested elsewhere). */
static void bad_file(const char *path, int code, const char *msg)
{
	tu_buf keep;
	tu_load l;
	tu_read_file(&l, path, &keep);
	assert_int_equal(l.rc, code);
	assert_int_equal(l.ctx.code, code);
	size_t n = strlen(msg);
	if (n > 7 && !strcmp(msg + n - 7, "found a"))
		assert_memory_equal(l.ctx.msg, msg, n);
	else
		assert_string_equal(l.ctx.msg, msg);
	tu_load_free(&l);
	tu_free(&keep);
}

#define BAD_FILE(name, code, msg)                                   \
	static void test_marshal_bad_##name(void **state)           \
	{                                                           \
		(void)state;                                        \
		bad_file("testdata/bad/" #name ".prof", code, msg); \
	}

BAD_FILE(empty, PV_EFORMAT,
	 "t.prof: byte 0: empty file")
BAD_FILE(trunc_1byte, PV_EFORMAT,
	 "t.prof: byte 1: truncated marshal data")
BAD_FILE(trunc_in_string, PV_EFORMAT,
	 "t.prof: byte 12: length 51 runs past the end of the data (25 bytes left)")
BAD_FILE(trunc_half, PV_EFORMAT,
	 "t.prof: byte 9224: truncated marshal data")
BAD_FILE(trunc_minus1, PV_EFORMAT,
	 "t.prof: byte 18447: truncated marshal data")
BAD_FILE(text_report, PV_EFORMAT,
	 "t.prof: byte 0: not a pstats dump (starts with byte 0x20, not a marshal dict)")
BAD_FILE(text_starts_with_T, PV_EFORMAT,
	 "t.prof: byte 0: not a pstats dump (the marshal data is a bool, not a dict)")
BAD_FILE(callgrind_text, PV_EFORMAT,
	 "t.prof: byte 0: not a pstats dump (starts with byte 0x23, not a marshal dict)")
BAD_FILE(gzip_garbage, PV_EFORMAT,
	 "t.prof: byte 0: not a pstats dump (starts with byte 0x1f, not a marshal dict)")
BAD_FILE(toplevel_list, PV_EFORMAT,
	 "t.prof: byte 0: not a pstats dump (the marshal data is a list, not a dict)")
BAD_FILE(toplevel_int, PV_EFORMAT,
	 "t.prof: byte 0: not a pstats dump (the marshal data is an int, not a dict)")
BAD_FILE(toplevel_none, PV_EFORMAT,
	 "t.prof: byte 0: not a pstats dump (the marshal data is a None, not a dict)")
BAD_FILE(empty_dict, PV_EFORMAT,
	 "t.prof: byte 0: no profile data (an empty stats dict)")
BAD_FILE(value_4tuple, PV_EFORMAT,
	 "t.prof: byte 22: entry is a tuple of 4 items (expected 5)")
BAD_FILE(value_int, PV_EFORMAT,
	 "t.prof: byte 22: expected an entry (cc, nc, tt, ct, callers), found an int")
BAD_FILE(key_2tuple, PV_EFORMAT,
	 "t.prof: byte 1: function key is a tuple of 2 items (expected 3)")
BAD_FILE(key_str, PV_EFORMAT,
	 "t.prof: byte 1: expected a function key (file, line, name), found a str")
BAD_FILE(time_str, PV_EFORMAT,
	 "t.prof: byte 34: expected a number, found a str")
BAD_FILE(callers_list, PV_EFORMAT,
	 "t.prof: byte 52: expected a callers dict, found a list")
BAD_FILE(key_unhashable_list, PV_EFORMAT,
	 "t.prof: byte 1: expected a function key (file, line, name), found a list")
BAD_FILE(unknown_code_0x01, PV_EFORMAT,
	 "t.prof: byte 24: bad marshal type code 0x01")
BAD_FILE(py2_R_code, PV_EFORMAT,
	 "t.prof: byte 16: string reference 0 out of range (0 interned so far)")
BAD_FILE(u_invalid_utf8, PV_EFORMAT,
	 "t.prof: byte 9: invalid UTF-8 in a str")
BAD_FILE(ref_out_of_range, PV_EFORMAT,
	 "t.prof: byte 103: reference 999 out of range (1 objects so far)")
BAD_FILE(ref_empty_table, PV_EFORMAT,
	 "t.prof: byte 1: reference 0 out of range (0 objects so far)")
BAD_FILE(ref_to_unfinished_dict, PV_EFORMAT,
	 "t.prof: byte 52: reference 0 to an object still being read")
BAD_FILE(ref_to_unfinished_tuple, PV_EFORMAT,
	 "t.prof: byte 52: reference 0 to an object still being read")
BAD_FILE(string_len_2g, PV_EFORMAT,
	 "t.prof: byte 4: length 2147483632 runs past the end of the data (6 bytes left)")
BAD_FILE(string_len_negative, PV_EFORMAT,
	 "t.prof: byte 4: negative length -1")
BAD_FILE(tuple_len_negative, PV_EFORMAT,
	 "t.prof: byte 23: negative length -5")
BAD_FILE(long_absurd_digits, PV_EFORMAT,
	 "t.prof: byte 25: long of 2147483647 digits runs past the end of the data (4 bytes left)")
BAD_FILE(long_size_int_min, PV_EFORMAT,
	 "t.prof: byte 25: long of 2147483648 digits runs past the end of the data (2 bytes left)")
BAD_FILE(long_digit_0x8000, PV_EFORMAT,
	 "t.prof: byte 31: digit out of range in long")
BAD_FILE(long_unnormalized, PV_EFORMAT,
	 "t.prof: byte 31: unnormalized long data")
BAD_FILE(deep_nesting, PV_EFORMAT,
	 "t.prof: byte 1: expected a function key (file, line, name), found a dict")
BAD_FILE(deep_tuples_2000, PV_EFORMAT,
	 "t.prof: byte 0: not a pstats dump (the marshal data is a tuple, not a dict)")
BAD_FILE(deep_tuples_1999, PV_EFORMAT,
	 "t.prof: byte 0: not a pstats dump (the marshal data is a tuple, not a dict)")
BAD_FILE(null_in_tuple, PV_EFORMAT,
	 "t.prof: byte 11: expected a number, found a")
BAD_FILE(null_as_dict_value, PV_EFORMAT,
	 "t.prof: byte 76: expected an entry (cc, nc, tt, ct, callers), found a")

/* CPython loads a lone surrogate (surrogatepass); so does profview, keeping
 * its bytes. */
static void test_marshal_bad_u_lone_surrogate(void **state)
{
	(void)state;
	tu_buf keep;
	tu_load l;
	tu_read_file(&l, "testdata/bad/u_lone_surrogate.prof", &keep);
	assert_int_equal(l.rc, 0);
	assert_int_equal(pv_stats_merge(l.st, l.prof, &l.ctx), 0);
	assert_int_equal(pv_stats_nentries(l.st), 1);
	const char *name = tu_entry_name(l.st, 0);
	assert_non_null(strstr(name, "\xed\xa0\x80"));
	tu_load_free(&l);
	tu_free(&keep);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_marshal_cpython_v0_text_floats),
		cmocka_unit_test(test_marshal_cpython_v1),
		cmocka_unit_test(test_marshal_cpython_v2_binary_floats),
		cmocka_unit_test(test_marshal_cpython_v3_flags_and_refs),
		cmocka_unit_test(test_marshal_cpython_v4_short_codes),
		cmocka_unit_test(test_marshal_sniff),
		cmocka_unit_test(test_marshal_small_dump),
		cmocka_unit_test(test_marshal_int_codes),
		cmocka_unit_test(test_marshal_negative_lines),
		cmocka_unit_test(test_marshal_bools_are_ints),
		cmocka_unit_test(test_marshal_float_codes),
		cmocka_unit_test(test_marshal_string_codes),
		cmocka_unit_test(test_marshal_tuple_codes),
		cmocka_unit_test(test_marshal_float_line_number),
		cmocka_unit_test(test_marshal_flag_ref_everywhere),
		cmocka_unit_test(test_marshal_py2_interned_refs),
		cmocka_unit_test(test_marshal_profile_int_callers),
		cmocka_unit_test(test_marshal_duplicate_keys),
		cmocka_unit_test(test_marshal_sampled_marker_skipped),
		cmocka_unit_test(test_marshal_code_object_key),
		cmocka_unit_test(test_marshal_code_objects_unequal_stay_apart),
		cmocka_unit_test(test_marshal_trailing_bytes_ignored),
		cmocka_unit_test(test_marshal_empty_dict_refused),
		cmocka_unit_test(test_marshal_long_127_bits),
		cmocka_unit_test(test_marshal_error_empty_input),
		cmocka_unit_test(test_marshal_error_every_truncation),
		cmocka_unit_test(test_marshal_error_u_invalid_utf8),
		cmocka_unit_test(test_marshal_error_top_level_not_a_dict),
		cmocka_unit_test(test_marshal_error_unknown_type_code),
		cmocka_unit_test(test_marshal_error_key_not_a_3_tuple),
		cmocka_unit_test(test_marshal_error_key_field_types),
		cmocka_unit_test(test_marshal_error_found_none_wording),
		cmocka_unit_test(test_marshal_error_entry_not_a_5_tuple),
		cmocka_unit_test(test_marshal_error_entry_field_types),
		cmocka_unit_test(test_marshal_error_caller_value_not_a_4_tuple),
		cmocka_unit_test(test_marshal_error_negative_length),
		cmocka_unit_test(test_marshal_error_length_past_end),
		cmocka_unit_test(test_marshal_error_long_digits),
		cmocka_unit_test(test_marshal_error_long_over_127_bits),
		cmocka_unit_test(test_marshal_error_long_size_offset),
		cmocka_unit_test(test_marshal_error_bad_text_float),
		cmocka_unit_test(test_marshal_error_ref_out_of_range),
		cmocka_unit_test(test_marshal_error_ref_to_unfinished),
		cmocka_unit_test(test_marshal_error_nesting_limit),
		cmocka_unit_test(test_marshal_error_reference_expansion),
		cmocka_unit_test(test_marshal_ref_chain_in_skipped_value_not_expanded),
		cmocka_unit_test(test_marshal_bad_empty),
		cmocka_unit_test(test_marshal_bad_trunc_1byte),
		cmocka_unit_test(test_marshal_bad_trunc_in_string),
		cmocka_unit_test(test_marshal_bad_trunc_half),
		cmocka_unit_test(test_marshal_bad_trunc_minus1),
		cmocka_unit_test(test_marshal_bad_text_report),
		cmocka_unit_test(test_marshal_bad_text_starts_with_T),
		cmocka_unit_test(test_marshal_bad_callgrind_text),
		cmocka_unit_test(test_marshal_bad_gzip_garbage),
		cmocka_unit_test(test_marshal_bad_toplevel_list),
		cmocka_unit_test(test_marshal_bad_toplevel_int),
		cmocka_unit_test(test_marshal_bad_toplevel_none),
		cmocka_unit_test(test_marshal_bad_empty_dict),
		cmocka_unit_test(test_marshal_bad_value_4tuple),
		cmocka_unit_test(test_marshal_bad_value_int),
		cmocka_unit_test(test_marshal_bad_key_2tuple),
		cmocka_unit_test(test_marshal_bad_key_str),
		cmocka_unit_test(test_marshal_bad_time_str),
		cmocka_unit_test(test_marshal_bad_callers_list),
		cmocka_unit_test(test_marshal_bad_key_unhashable_list),
		cmocka_unit_test(test_marshal_bad_unknown_code_0x01),
		cmocka_unit_test(test_marshal_bad_py2_R_code),
		cmocka_unit_test(test_marshal_bad_u_invalid_utf8),
		cmocka_unit_test(test_marshal_bad_ref_out_of_range),
		cmocka_unit_test(test_marshal_bad_ref_empty_table),
		cmocka_unit_test(test_marshal_bad_ref_to_unfinished_dict),
		cmocka_unit_test(test_marshal_bad_ref_to_unfinished_tuple),
		cmocka_unit_test(test_marshal_bad_string_len_2g),
		cmocka_unit_test(test_marshal_bad_string_len_negative),
		cmocka_unit_test(test_marshal_bad_tuple_len_negative),
		cmocka_unit_test(test_marshal_bad_long_absurd_digits),
		cmocka_unit_test(test_marshal_bad_long_size_int_min),
		cmocka_unit_test(test_marshal_bad_long_digit_0x8000),
		cmocka_unit_test(test_marshal_bad_long_unnormalized),
		cmocka_unit_test(test_marshal_bad_deep_nesting),
		cmocka_unit_test(test_marshal_bad_deep_tuples_2000),
		cmocka_unit_test(test_marshal_bad_deep_tuples_1999),
		cmocka_unit_test(test_marshal_bad_null_in_tuple),
		cmocka_unit_test(test_marshal_bad_null_as_dict_value),
		cmocka_unit_test(test_marshal_bad_u_lone_surrogate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
