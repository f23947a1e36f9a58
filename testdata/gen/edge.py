#!/usr/bin/env python3
# -*- coding: utf-8 -*-
"""Write the hand-made edge-case .prof files into testdata/edge/ (Python 3).

    python3 edge.py OUTDIR

Every file is built with the hand-written marshal writer in mwrite.py, so the
type codes, FLAG_REF bits and `r` references are exactly what is described
below.  After writing, each file is checked:

  * marshal.loads(bytes) must equal the intended Python value (compared by
    repr, so int/float/bool, -0.0 and NaN are told apart);
  * pstats.Stats(path) + print_stats() must work, except for
    sampled_marker_315.prof, which Python <= 3.13 pstats cannot load
    ("Invalid timing data" + TypeError) - that is the point of that file.

The one-line description of every file is printed and also written to
OUTDIR/INDEX (file name, description).
"""
import io
import marshal
import os
import pstats
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mwrite import C, D, F, I, R, Raw, S, T, dumps  # noqa: E402

CASES = []


def case(name, desc):
    def deco(fn):
        CASES.append((name, desc, fn))
        return fn
    return deco


def E(cc, nc, tt, ct, callers=None, code=")"):
    """A stats value (cc, nc, tt, ct, callers)."""
    if callers is None:
        callers = D([])
    elif isinstance(callers, dict):
        callers = D(callers.items())
    elif isinstance(callers, list):
        callers = D(callers)
    return T([cc, nc, tt, ct, callers], code)


LEN = ("~", 0, "<built-in method builtins.len>")
APPEND = ("~", 0, "<method 'append' of 'list' objects>")


# ---------------------------------------------------------------------------
@case("huge_counts_long.prof",
      "counts and line numbers written as `l` longs: 2**70, 1099511627781/1099511627776, "
      "2**63 and 2**64 neighbours, lines 2**31 and 2**40+7, small values and 0 written as `l`")
def huge_counts():
    big = ("big.py", 1, "big")
    return D([
        (big, E(1099511627776, 1099511627781, 12345.6789, 123456789.5)),
        (("huge.py", 2, "h70"), E(2**70, 2**70, 1.0, 2.0, {big: (2**70, 2**70, 0.5, 1.0)})),
        (("huge.py", 3, "near63"), E(2**63 - 1, 2**63, 0.25, 0.5,
                                     {big: (2**63, 2**63 - 1, 0.25, 0.5)})),
        (("huge.py", 4, "u64"), E(2**64 - 1, 2**64 + 1, 0.125, 0.125)),
        (("huge.py", 2**31, "line_2_31"), E(1, 1, 0.0, 0.0)),
        (("huge.py", I(2**40 + 7, "l"), "line_2_40"), E(I(3, "l"), I(3, "l"), 0.0, 0.0)),
        (("huge.py", 5, "zero_as_long"), E(I(0, "l"), I(0, "l"), 0.0, 0.0)),
        (("huge.py", 6, "int32_edges"), E(2**31 - 1, 2**31, 0.001, 0.002,
                                          {("huge.py", 2, "h70"): (2**31, 2**31 - 1, 0.001, 0.002)})),
    ])


@case("ints_I_int64.prof",
      "ints written with the old 64-bit `I` code (Py2 / early Py3 writers): counts, "
      "line numbers and caller counts, including values above 2**32 and -1")
def ints_I():
    k1 = ("i64.py", I(10, "I"), "small")
    return D([
        (k1, E(I(5, "I"), I(7, "I"), 0.5, 0.75)),
        (("i64.py", I(20, "I"), "big"), E(I(2**33, "I"), I(2**33 + 5, "I"), 1.5, 2.5,
                                          {k1: T([I(2**33 + 5, "I"), I(2**33, "I"), 1.5, 2.5])})),
        (("i64.py", I(30, "I"), "minus_one"), E(I(-1, "I"), I(-1, "I"), 0.25, 0.25)),
        (("i64.py", I(2**40, "I"), "line_2_40"), E(I(1, "I"), I(1, "I"), 0.0, 0.0)),
    ])


@case("zero_negative_times.prof",
      "tt/ct equal to 0.0, -0.0, tiny negatives (-0.000), -0.0005 (rounds to -0.001), "
      "-1.5 with percall; int zeros like profile's fake root; total time negative")
def zero_neg():
    return D([
        (("profile", 0, "profiler"), E(0, 0, 0, 0)),
        (("neg.py", 1, "zero"), E(1, 1, 0.0, 0.0, {("profile", 0, "profiler"): 1})),
        (("neg.py", 2, "negzero"), E(1, 1, -0.0, -0.0, {("neg.py", 1, "zero"): 1})),
        (("neg.py", 3, "tiny_neg"), E(2, 2, -1e-9, -0.0004, {("neg.py", 1, "zero"): 2})),
        (("neg.py", 4, "half_neg"), E(1, 1, -0.0005, -0.0015, {("neg.py", 1, "zero"): 1})),
        (("neg.py", 5, "big_neg"), E(3, 3, -1.5, -2.25, {("neg.py", 1, "zero"): 3})),
    ])


@case("zero_counts.prof",
      "nc=0 and cc=0 rows (blank percall columns), cc=0 with nc>0 (`4/0`), cc>nc with nc=0 (`0/3`)")
def zero_counts():
    nc0 = ("zero.py", 1, "nc0")
    return D([
        (nc0, E(0, 0, 0.0, 0.0)),
        (("zero.py", 9, "zc"), E(0, 4, 0.1, 0.2, {nc0: (4, 0, 0.1, 0.2)})),
        (("zero.py", 5, "cc_gt_nc"), E(3, 0, 0.3, 0.3, {nc0: (0, 3, 0.3, 0.3)})),
        (("zero.py", 7, "zero_calls_with_time"), E(0, 0, 1.0, 2.0, {nc0: (0, 0, 0.0, 0.0)})),
    ])


@case("nonascii_names.prof",
      "non-ASCII file and function names: Latin (é ü), combining marks, CJK, Greek, RTL, "
      "emoji (4-byte UTF-8, ZWJ sequence), fullwidth; `u` and `t` codes; a `~` builtin "
      "with a non-ASCII label")
def nonascii():
    f1 = (S("/ünï/cödé.py", "u"), 3, S("fünc", "t"))
    f2 = (S("/srv/日本/処理.py", "t"), 10, S("計算", "u"))
    f3 = (S("🐍/emoji_😀.py", "u"), 1, S("🚀launch", "u"))
    return D([
        (f1, E(2, 2, 0.001, 0.004)),
        (f2, E(1, 1, 0.002, 0.003, [(f1, T([1, 1, 0.001, 0.002]))])),
        (f3, E(3, 5, 0.0005, 0.0025, [(f1, T([1, 1, 0.0001, 0.0002])),
                                     (f2, T([4, 2, 0.0004, 0.0023]))])),
        (("combining/e\u0301te\u0301.py", 2, "cafe\u0301"), E(1, 1, 0.0, 0.0)),
        (("rtl/שלום.py", 4, "مرحبا"), E(1, 1, 0.0, 0.0)),
        (("zwj/👨\u200d👩\u200d👧.py", 5, "família"), E(1, 1, 0.0, 0.0)),
        (("ελληνικά.py", 6, "συνάρτηση"), E(1, 1, 0.0, 0.0)),
        (("fullwidth/ＡＢＣ.py", 7, "ｆｕｎｃ"), E(1, 1, 0.0, 0.0)),
        (("~", 0, "<built-in method ünï.größe>"), E(7, 7, 0.0001, 0.0001, [(f3, T([7, 7, 0.0001, 0.0001]))])),
        (("ascii.py", 8, "plain"), E(1, 1, 0.0, 0.0, [(f2, T([1, 1, 0.0, 0.0]))])),
    ])


@case("tilde_builtins.prof",
      "`~` keys: <...> labels become {...}; `plain` (no <>), `<>` -> {}, lone `<`/`>`, `<x`, `x>`, "
      "`<<nested>>`, empty label; `~` with line 1 (not a builtin); profile-style ('', 0, 'len')")
def tilde():
    main = ("main.py", 1, "main")
    calls = lambda n: T([n, n, 0.0, 0.0])
    pairs = [(main, E(1, 1, 0.001, 0.002))]
    for label in ["<built-in method builtins.len>", "<method 'append' of 'list' objects>",
                  "plain", "<>", "<", ">", "<x", "x>", "<<nested>>", ""]:
        pairs.append((("~", 0, label), E(2, 2, 0.0, 0.0, [(main, calls(2))])))
    pairs.append((("~", 1, "<notbuiltin>"), E(1, 1, 0.0, 0.0, [(main, calls(1))])))
    pairs.append((("", 0, "len"), E(3, 3, 0.0, 0.0, [(main, calls(3))])))
    return D(pairs)


@case("nonint_lineno.prof",
      "ESOTERIC: line numbers that are not ints: False and 0.0 on `~` keys (still builtins), "
      "1.0, 2.7 (%d prints 2) and True on normal keys")
def nonint_lineno():
    return D([
        (("~", False, "<bool line>"), E(1, 1, 0.0, 0.0)),
        (("~", 0.0, "<float line>"), E(1, 1, 0.0, 0.0)),
        (("f.py", 1.0, "float_line"), E(1, 1, 0.0, 0.0)),
        (("f.py", 2.7, "frac_line"), E(1, 1, 0.0, 0.0)),
        (("f.py", True, "bool_line"), E(1, 1, 0.0, 0.0)),
        (("f.py", 3, "int_line"), E(1, 1, 0.0, 0.0)),
    ])


@case("int_times.prof",
      "int (not float) tt/ct, in entries and in caller tuples: %8.3f of an int, int/int "
      "true division in percall (2/3 -> 0.667), int and float mixed; total_tt stays an int")
def int_times():
    a = ("int.py", 1, "two_thirds")
    return D([
        (a, E(3, 3, 2, 3)),
        (("int.py", 2, "mixed"), E(2, 2, 1, 1.5, {a: (2, 2, 1, 1)})),
        (("int.py", 3, "zero_int"), E(1, 1, 0, 0, {a: (1, 1, 0, 0)})),
        (("int.py", 4, "seven"), E(7, 7, 7, 7, {a: (7, 7, 7, 7)})),
    ])


@case("huge_int_times.prof",
      "ESOTERIC: huge int times (`l`): 10**22+1 and 2**70 print through float(); "
      "(10**22+1)/3 is Python's correctly-rounded int true division")
def huge_int_times():
    return D([
        (("hit.py", 1, "e22"), E(3, 3, 10**22 + 1, 2**70)),
        (("hit.py", 2, "small"), E(1, 1, 3, 5)),
    ])


@case("tie_rounding.prof",
      "times on %.3f rounding ties: 0.0625->0.062, 0.0005->0.001, 1.0005->1.000, 0.0015, 0.0025, "
      "2.675, 0.9995, 123456789.0005, and percalls that land on ties (0.125/2, 0.003/2, 2/3)")
def ties():
    pairs = []
    values = [0.0625, 0.0005, 1.0005, 0.0015, 0.0025, 0.0035, 2.675, 1.0625, 0.1875,
              0.9995, 0.9994999999999999, 9.9995, 123456789.0005, 1e-07, 0.3000000000000000444]
    for i, v in enumerate(values):
        pairs.append((("tie.py", i + 1, "t_%r" % v), E(1, 1, v, v)))
    pairs.append((("tie.py", 100, "pc_0125_2"), E(2, 2, 0.125, 0.125)))
    pairs.append((("tie.py", 101, "pc_0001_2"), E(2, 2, 0.001, 0.001)))
    pairs.append((("tie.py", 102, "pc_0003_2"), E(2, 2, 0.003, 0.003)))
    pairs.append((("tie.py", 103, "pc_2_3"), E(3, 3, 2.0, 2.0)))
    pairs.append((("tie.py", 104, "pc_00025_5"), E(5, 5, 0.0025, 0.0025)))
    pairs.append((("tie.py", 105, "pc_recursive"), E(2, 4, 0.0025, 0.0025)))
    return D(pairs)


@case("extreme_floats.prof",
      "ESOTERIC: 5e-324, DBL_MIN, 1e16, 1e22, 1.7976931348623157e308 (a 313-character %8.3f "
      "field), -1e300")
def extreme():
    pairs = []
    for i, v in enumerate([5e-324, 2.2250738585072014e-308, 1e16, 1e22,
                           1.7976931348623157e308, -1e300, 123456789012345678.0]):
        pairs.append((("x.py", i + 1, "v%d" % i), E(1, 1, v, v)))
    return D(pairs)


@case("nan_inf_times.prof",
      "OPTIONAL: NaN, -NaN (sign bit set; Python prints nan, glibc -nan), inf and -inf "
      "times; total_tt is nan. Sorting by time with NaN depends on the sort algorithm")
def nan_inf():
    nan = float("nan")
    return D([
        (("nan.py", 1, "nan_tt"), E(1, 1, nan, 1.0)),
        (("nan.py", 2, "negnan_tt"), E(1, 1, -nan, 2.0)),
        (("nan.py", 3, "inf_ct"), E(1, 1, 0.5, float("inf"))),
        (("nan.py", 4, "neginf_tt"), E(2, 2, float("-inf"), 0.25)),
    ])


@case("duplicate_keys.prof",
      "the same key written twice (A B A' C B'): first position kept, last value wins; the "
      "duplicates use other codes (`u` vs `z`, `(` vs `)`); a callers dict with a duplicate key")
def dups():
    A, B, Cc = ("dup.py", 1, "a"), ("dup.py", 2, "b"), ("dup.py", 3, "c")
    A2 = T([S("dup.py", "u"), 1, S("a", "u")], "(")
    B2 = T([S("dup.py", "Z"), I(2, "l"), S("b", "t")])
    return D([
        (A, E(1, 1, 0.1, 0.1)),
        (B, E(2, 2, 0.2, 0.2)),
        (A2, E(11, 11, 1.1, 1.1, [(B, T([1, 1, 0.01, 0.01])), (Cc, T([5, 5, 0.5, 0.5])),
                                  (B, T([10, 10, 1.0, 1.0]))])),
        (Cc, E(3, 3, 0.3, 0.3)),
        (B2, E(22, 22, 2.2, 2.2)),
    ])


@case("equal_keys_numeric.prof",
      "ESOTERIC: keys equal under Python ==: ('n.py', 1, 'f') == ('n.py', 1.0, 'f') == "
      "('n.py', True, 'f'); ('n.py', 0, 'g') == ('n.py', False, 'g') == ('n.py', -0.0, 'g'). "
      "One entry each, first key object kept, last value wins")
def equal_keys():
    return D([
        (("n.py", 1, "f"), E(1, 1, 0.1, 0.1)),
        (("n.py", 0, "g"), E(2, 2, 0.2, 0.2)),
        (("n.py", 1.0, "f"), E(3, 3, 0.3, 0.3)),
        (("n.py", False, "g"), E(4, 4, 0.4, 0.4)),
        (("n.py", True, "f"), E(5, 5, 0.5, 0.5)),
        (("n.py", -0.0, "g"), E(6, 6, 0.6, 0.6)),
    ])


@case("refs_everywhere.prof",
      "FLAG_REF on the outer dict, tuples, strings (z Z u t), ints and floats; `r` back-refs to key "
      "tuples reused as caller keys, to shared floats/ints/strings, to a whole value tuple "
      "shared by two keys, to a callers dict shared by two entries and to a shared empty dict")
def refs():
    def key(fname, line, name, label, fcode="z", ncode="Z"):
        return T([S(fname, fcode, ref=True, label="f_" + label) if isinstance(fname, str) else fname,
                  line, S(name, ncode, ref=True)], ref=True, label="k_" + label)

    pairs = []
    pairs.append((key("/srv/app/main.py", I(1, ref=True, label="one"), "main", "main"),
                  T([R("one"), R("one"), F(0.5, ref=True, label="half"),
                     F(1.25, ref=True, label="f125"), D([], ref=True, label="empty")], ref=True)))
    pairs.append((T([R("f_main"), I(20, ref=True, label="twenty"), S("helper", "Z", ref=True)],
                    ref=True, label="k_helper"),
                  T([I(5, ref=True, label="five"), R("five"), R("half"),
                     F(0.75, ref=True, label="f075"),
                     D([(R("k_main"), T([R("five"), R("five"), R("half"), R("f075")],
                                        ref=True, label="cv_mh"))],
                       ref=True, label="callers_helper")])))
    pairs.append((T([S("/srv/app/ütil.py", "u", ref=True, label="f_util"), R("twenty"),
                     S("util", "t", ref=True, label="n_util")], ref=True, label="k_util"),
                  T([I(6, ref=True, label="six"), R("six"), F(0.125, ref=True, label="f0125"),
                     R("half"),
                     D([(R("k_main"), R("cv_mh")),
                        (R("k_helper"), T([1, 1, R("f0125"), R("f0125")]))])],
                    ref=True, label="val_util")))
    # a different key whose whole value tuple is the same object as util's
    pairs.append((T([R("f_util"), I(40), R("n_util")]), R("val_util")))
    # an entry sharing helper's callers dict, one sharing main's empty dict
    pairs.append((T([R("f_main"), R("one"), S("one_line_twin", "z")]),
                  T([R("five"), R("five"), R("f075"), R("f075"), R("callers_helper")])))
    pairs.append((T([S("~", "Z", ref=True, label="tilde"), I(0, ref=True, label="zero"),
                     S("<built-in method builtins.len>", "z", ref=True)], ref=True, label="k_len"),
                  T([11, 11, F(0.0, ref=True, label="fzero"), R("fzero"),
                     D([(R("k_helper"), T([5, 5, R("fzero"), R("fzero")])),
                        (R("k_util"), T([R("six"), R("six"), R("fzero"), R("fzero")]))])])))
    pairs.append((T([R("tilde"), R("zero"), S("<built-in method builtins.sorted>", "z")]),
                  T([1, 1, R("fzero"), R("fzero"), R("empty")])))
    return D(pairs, ref=True, label="top")


@case("mixed_codes.prof",
      "one file mixing every string code (u t a A z Z), both tuple codes ( and ), both float "
      "codes (g f) and all int codes (i I l)")
def mixed():
    long_a = "a" * 300
    k1 = T([S("/m/short_z.py", "z"), I(1, "i"), S("z_code", "z")], ")")
    k2 = T([S("/m/short_Z.py", "Z"), I(2, "I"), S("Z_code", "Z")], "(")
    k3 = T([S("/m/ascii_a.py", "a"), I(3, "l"), S("a_code", "a")], ")")
    k4 = T([S("/m/" + long_a + ".py", "A"), 4, S("A_code_" + "b" * 260, "A")], "(")
    k5 = T([S("/m/ünï_u.py", "u"), 5, S("u_code", "u")], ")")
    k6 = T([S("/m/ünï_t.py", "t"), 6, S("t_code", "t")], "(")
    k7 = T([S("/m/ascii_as_u.py", "u"), 7, S("ascii_as_t", "t")], ")")
    return D([
        (k1, T([1, 1, F(0.001, "g"), F(0.002, "f"), D([])], "(")),
        (k2, T([I(2, "I"), I(2, "l"), F(0.25, "f"), F(0.5, "g"),
                D([(k1, T([I(2, "l"), I(2, "I"), F(0.25, "f"), F(0.5, "g")], "("))])], ")")),
        (k3, E(3, 3, F(0.1, "f"), 0.1, [(k2, T([3, 3, F(0.1, "f"), 0.1], "("))])),
        (k4, E(4, 4, 0.4, F(0.4, "f"), [(k3, T([4, 4, 0.4, F(0.4, "f")]))], "(")),
        (k5, E(5, 5, 0.5, 0.5, [(k4, (5, 5, 0.5, 0.5))])),
        (k6, E(6, 6, 0.6, 0.6, [(k5, (6, 6, 0.6, 0.6))])),
        (k7, E(7, 7, 0.7, 0.7, [(k6, (7, 7, 0.7, 0.7))])),
    ])


@case("text_floats_f.prof",
      "all times as text floats `f` (v0/v1 style) in spellings Python accepts: "
      "0.10000000000000001, 0.1, 1e-05, 1.0000000000000001e-05, -0, 0, 5e-324, "
      "1.7976931348623157e+308, 123456789.5, 2.5E-3, .5, 5., +1.5, 100")
def text_floats():
    texts = ["0.10000000000000001", "0.1", "1e-05", "1.0000000000000001e-05", "-0", "0",
             "5e-324", "1.7976931348623157e+308", "123456789.5", "2.5E-3", ".5", "5.", "+1.5", "100"]
    pairs = []
    prev = None
    for i, t in enumerate(texts):
        v = float(t)
        k = ("tf.py", i + 1, "f_%d" % i)
        callers = [] if prev is None else [(prev, T([1, 1, F(v, "f", text=t), F(v, "f", text=t)]))]
        pairs.append((k, E(1, 1, F(v, "f", text=t), F(v, "f", text=t), callers)))
        prev = k
    return D(pairs)


@case("ascii_codes_latin1_bytes.prof",
      "`z`, `Z` and `a` strings containing bytes >= 0x80 (writers must not do this, but CPython "
      "builds these strings as Latin-1 without complaint): caf\\xe9 -> café, \\xfc -> ü")
def ascii_latin1():
    k1 = (Raw(b"z\x07caf\xe9.py", "caf\xe9.py"), 1, Raw(b"Z\x03g\xfcn", "g\xfcn"))
    k2 = (Raw(b"a\x06\x00\x00\x00\xe9t\xe9.py", "\xe9t\xe9.py"), 2, "plain")
    return D([
        (k1, E(1, 1, 0.001, 0.001)),
        (k2, E(2, 2, 0.002, 0.002, [(k1, T([2, 2, 0.002, 0.002]))])),
    ])


@case("long_tuple_form.prof",
      "every tuple (keys, values, caller values) written with the int32-count `(` code "
      "in an otherwise v4-looking file (z/Z strings, g floats)")
def long_tuples():
    def k(f, l, n):
        return T([S(f, "z"), l, S(n, "Z")], "(")
    a, b = k("lt.py", 1, "a"), k("lt.py", 2, "b")
    return D([
        (a, T([1, 1, 0.5, 1.0, D([])], "(")),
        (b, T([2, 3, 0.25, 0.5, D([(k("lt.py", 1, "a"), T([3, 2, 0.25, 0.5], "("))])], "(")),
        (k("~", 0, "<built-in method builtins.len>"),
         T([4, 4, 0.0, 0.0, D([(k("lt.py", 2, "b"), T([4, 4, 0.0, 0.0], "("))])], "(")),
    ])


@case("sort_ties.prof",
      "48 entries in a shuffled (seed 42) order with heavy ties: 4 groups of identical "
      "(cc, nc, tt, ct), repeated function names across files, repeated files and line numbers; "
      "only a stable sort reproduces pstats' order")
def sort_ties():
    rng = random.Random(42)
    entries = []
    groups = [(1, 1, 0.001, 0.002), (3, 3, 0.001, 0.002), (3, 5, 0.004, 0.004), (2, 2, 0.0, 0.0)]
    n = 0
    for g, vals in enumerate(groups):
        for j in range(12):
            fname = ["a.py", "b.py", "c.py"][j % 3]
            func = ["f", "g", "h", "k"][j % 4]
            line = 10 + (j % 2)
            entries.append(((fname, line + 100 * g + (j // 4), "%s" % func if j % 5 else "same"),
                            vals))
            n += 1
    rng.shuffle(entries)
    seen, pairs = set(), []
    for k, (cc, nc, tt, ct) in entries:
        assert k not in seen, k
        seen.add(k)
        pairs.append((k, E(cc, nc, tt, ct)))
    return D(pairs)


@case("long_names.prof",
      "very long names widen the callers/callees columns: a 300+ char file name (`A` code), "
      "a 260-char function name, a 200-char non-ASCII name (code points != bytes)")
def long_names():
    lf = ("/" + "/".join(["very_long_directory_name_%02d" % i for i in range(11)]) + "/m.py", 1,
          "f")
    lfn = ("l.py", 2, "function_" + "x" * 251)
    lu = ("ü.py", 3, "é" * 200)
    short = ("s.py", 4, "s")
    return D([
        (short, E(1, 1, 0.001, 0.004)),
        (lf, E(2, 2, 0.001, 0.002, [(short, T([2, 2, 0.001, 0.002]))])),
        (lfn, E(3, 3, 0.001, 0.001, [(lf, T([3, 3, 0.001, 0.001])), (short, T([1, 1, 0.0, 0.0]))])),
        (lu, E(1, 1, 0.0, 0.0, [(lfn, T([1, 1, 0.0, 0.0]))])),
    ])


@case("jprofile_toplevel.prof",
      "one entry has ('jprofile', 0, 'profiler') among its callers: the legacy top_level marker, "
      "printed as an extra line above the totals")
def jprofile():
    mod = ("main.py", 1, "<module>")
    return D([
        (mod, E(1, 1, 0.001, 0.01, {("jprofile", 0, "profiler"): (1, 1, 0.001, 0.01)})),
        (("main.py", 5, "work"), E(4, 4, 0.009, 0.009, {mod: (4, 4, 0.009, 0.009)})),
    ])


@case("sort_order_traps.prof",
      "std-name/file/name sort traps: x:10(f) < x:100(f) < x:9(f), upper before lower, "
      "`{` and `~` after letters, ':0(len)', space/underscore, é, fullwidth, emoji, line -1 and 0")
def sort_traps():
    keys = [("x", 9, "f"), ("x", 10, "f"), ("x", 100, "f"), ("x", 9, "F"), ("X", 1, "f"),
            ("{brace}.py", 1, "f"), ("~", 0, "<built-in method zz>"), ("~", 0, "plain"),
            ("~", 1, "tilde_line1"), ("", 0, "len"), ("_u.py", 1, "f"), ("a b.py", 1, "f"),
            ("é.py", 1, "f"), ("Ａ.py", 1, "f"), ("😀.py", 1, "f"), ("x", -1, "neg_line"),
            ("x", 0, "f"), ("x.py", 1, "f"), ("x", 9, "f(")]
    pairs = []
    for i, k in enumerate(keys):
        pairs.append((k, E(i % 4 + 1, i % 4 + 1, 0.001 * (i % 5), 0.002 * (i % 3))))
    return D(pairs)


@case("int_callers_mixed.prof",
      "profile-module shape (int caller counts, ('', 0, name) builtins, fake root "
      "profile:0(profiler) with int zeros) with one cProfile-style tuple caller mixed in; the "
      "first non-empty callers map holds an int, so callers/callees print no sub-header")
def int_callers_mixed():
    root = ("profile", 0, "profiler")
    mod = ("prog.py", 1, "<module>")
    work = ("prog.py", 5, "work")
    return D([
        (root, E(0, 0, 0, 0)),
        (mod, E(1, 1, 0.001, 0.01, {root: 1})),
        (work, E(3, 3, 0.004, 0.008, {mod: 3})),
        (("", 0, "len"), E(6, 6, 0.0001, 0.0001, {work: 6})),
        (("prog.py", 9, "tuple_style"), E(2, 2, 0.001, 0.001, {work: (2, 2, 0.001, 0.001)})),
        (("prog.py", 12, "rec"), E(1, 4, 0.002, 0.003, {work: 1, ("prog.py", 12, "rec"): 3})),
    ])


@case("int_callers_missing_key.prof",
      "profile-style int callers where one caller is not a stats key: print_stats works, "
      "print_callers raises KeyError in the middle of its output (pstats behaviour)")
def int_callers_missing():
    return D([
        (("p.py", 1, "main"), E(1, 1, 0.001, 0.002, {})),
        (("p.py", 3, "f"), E(2, 2, 0.001, 0.001, {("p.py", 1, "main"): 1,
                                                  ("gone.py", 3, "vanished"): 1})),
    ])


@case("sampled_marker_315.prof",
      "CPython 3.15 sampling-profiler export shape: cc=direct samples, nc=cumulative samples, "
      "tt/ct = samples*100us, int callers, plus the marker key ('__sampled__',): True last. "
      "Python <= 3.13 pstats CANNOT load it (Invalid timing data + TypeError) - expected")
def sampled():
    iv = 100 / 1_000_000
    mod = ("app.py", 1, "<module>")
    main = ("app.py", 10, "main")
    hot = ("app.py", 20, "hot_loop")
    lib = ("/usr/lib/python3.15/json/encoder.py", 200, "encode")
    stats = [
        (mod, (0, 120, 0 * iv, 120 * iv, {})),
        (main, (3, 120, 3 * iv, 120 * iv, {mod: 120})),
        (hot, (90, 95, 90 * iv, 95 * iv, {main: 95})),
        (lib, (22, 22, 22 * iv, 22 * iv, {main: 17, hot: 5})),
    ]
    pairs = [(k, E(a, b, c, d, cl)) for k, (a, b, c, d, cl) in stats]
    pairs.append((("__sampled__",), C("T")))
    return D(pairs)


@case("no_callers.prof",
      "no entry has any callers: print_callers/print_callees print no sub-header, every line "
      "ends in the trailing space after the arrow")
def no_callers():
    return D([(("nc.py", i, "f%d" % i), E(i, i, 0.001 * i, 0.002 * i)) for i in (1, 2, 3)])


@case("short_names.prof",
      "names shorter than 'Function ' (a:1(f), 6 chars): the callers header becomes "
      "'Function was called by...' and the sub-header is misaligned")
def short_names():
    a = ("a", 1, "f")
    return D([
        (a, E(1, 1, 0.0, 0.0)),
        (("b", 2, "g"), E(2, 2, 0.0, 0.0, {a: (2, 2, 0.0, 0.0)})),
    ])


@case("strip_collisions.prof",
      "strip_dirs traps: a/mod.py:1(f) and b/mod.py:1(f) merge (caller tuples 5/3 + 2/2 = 7/5); "
      "helper called 5x from each f -> within-entry caller collision keeps the LAST (5, not 10); "
      "'/deep/dir/' strips to ''; a Windows path is not split on POSIX")
def strip_collisions():
    main = ("/abs/path/main.py", 15, "run")
    fa, fb = ("a/mod.py", 1, "f"), ("b/mod.py", 1, "f")
    return D([
        (main, E(1, 1, 0.001, 0.05)),
        (fa, E(3, 5, 0.01, 0.02, {main: (5, 3, 0.01, 0.02)})),
        (fb, E(2, 2, 0.004, 0.008, {main: (2, 2, 0.004, 0.008)})),
        (("common.py", 1, "helper"), E(310, 310, 0.003, 0.003,
                                       {fa: (5, 5, 0.0001, 0.0001), fb: (5, 5, 0.0002, 0.0002),
                                        main: (300, 300, 0.0027, 0.0027)})),
        (("/deep/dir/", 3, "trailing"), E(1, 1, 0.0, 0.0, {main: (1, 1, 0.0, 0.0)})),
        (("C:\\proj\\win.py", 4, "windows"), E(1, 1, 0.0, 0.0, {main: (1, 1, 0.0, 0.0)})),
        (("mod.py", 1, "f"), E(1, 1, 0.001, 0.001, {main: (1, 1, 0.001, 0.001)})),
        (LEN, E(7, 7, 0.0, 0.0, {fa: (4, 4, 0.0, 0.0), fb: (3, 3, 0.0, 0.0)})),
    ])


@case("negative_counts_pyinstrument.prof",
      "pyinstrument `-r pstats` shape: every count is -1 (entries and caller tuples), the root "
      "has no callers, tt starts as int 0 for some frames; guard every division")
def pyinstrument():
    root = ("/app/run.py", 1, "<module>")
    main = ("/app/run.py", 12, "main")
    work = ("/app/work.py", 3, "crunch")
    return D([
        (root, E(-1, -1, 0, 0.35)),
        (main, E(-1, -1, 0.05, 0.35, {root: (-1, -1, 0.05, 0.35)})),
        (work, E(-1, -1, 0.3, 0.3, {main: (-1, -1, 0.3, 0.3)})),
        (("", 0, "<unknown>"), E(-1, -1, 0.0, 0.0, {work: (-1, -1, 0.0, 0.0)})),
    ])


@case("yappi_swapped.prof",
      "yappi-style count slots swapped: cc (primitive) > nc (total), e.g. `3/5`; "
      "the same in caller tuples")
def yappi():
    a = ("y.py", 1, "a")
    return D([
        (a, E(5, 3, 0.003, 0.006)),
        (("y.py", 2, "b"), E(4, 1, 0.001, 0.002, {a: (1, 4, 0.001, 0.002)})),
    ])


@case("trailing_garbage.prof",
      "a valid stats dict followed by 24 junk bytes (and a second marshal object): "
      "marshal.load ignores everything after the first object")
def trailing():
    junk = b"GARBAGE\x00\xff\xfe" + marshal.dumps({"x": 1}, 4) + b"\n"
    return D([(("tg.py", 1, "f"), E(1, 1, 0.001, 0.001))]), junk


@case("single_entry.prof", "the smallest useful file: one function, no callers")
def single():
    return D([(("one.py", 1, "only"), E(1, 1, 0.001, 0.001))])


@case("merge_a.prof",
      "merge set, file A (use with merge_b/merge_c: Stats(a, b, c) lists a, c, b). Holds "
      "tt = 2**53 so (A + C) + B != (A + B) + C in the totals line; callers summed on merge")
def merge_a():
    k0, k1, k2 = ("m.py", 1, "main"), ("m.py", 5, "work"), ("m.py", 9, "negzero")
    return D([
        (k0, E(1, 1, 2.0**53, 2.0**53)),
        (k1, E(5, 5, 0.1, 0.2, {k0: (5, 5, 0.1, 0.2)})),
        (k2, E(1, 1, -0.0, -0.0, {k0: (1, 1, -0.0, -0.0)})),
    ])


@case("merge_b.prof",
      "merge set, file B: total tt exactly 1.0; overlaps work and negzero (-0.0 + -0.0 stays "
      "-0.000), adds helper; recursion 3/2 in a caller tuple")
def merge_b():
    k0, k1, k2, k3 = (("m.py", 1, "main"), ("m.py", 5, "work"), ("m.py", 9, "negzero"),
                      ("m.py", 12, "helper"))
    return D([
        (k1, E(2, 3, 0.25, 0.5, {k0: (3, 2, 0.25, 0.5), k3: (1, 1, 0.0, 0.0)})),
        (k3, E(1, 1, 0.75, 0.75, {k1: (1, 1, 0.75, 0.75)})),
        (k2, E(1, 1, -0.0, -0.0, {k0: (1, 1, -0.0, -0.0)})),
    ])


@case("merge_c.prof",
      "merge set, file C: total tt exactly 2.0; a key only C has, with tt -0.0: added as a new "
      "key it is incoming + 0 = +0.0 (prints 0.000) while its caller tuple keeps -0.000")
def merge_c():
    k0, k1 = ("m.py", 1, "main"), ("m.py", 5, "work")
    return D([
        (("m.py", 20, "only_c"), E(1, 1, -0.0, -0.0, {k1: (1, 1, -0.0, -0.0)})),
        (k1, E(1, 1, 0.5, 0.5, {k0: (1, 1, 0.5, 0.5)})),
        (k0, E(1, 1, 1.5, 2.0)),
    ])


# ---------------------------------------------------------------------------
def check_pstats(path, expect_fail):
    out = io.StringIO()
    try:
        st = pstats.Stats(path, stream=out)
        st.print_stats()
        st.sort_stats("stdname").print_stats()
    except Exception as e:  # noqa: BLE001
        if expect_fail:
            return "expected failure: %s: %s" % (type(e).__name__, e)
        raise
    if expect_fail:
        raise AssertionError("%s: expected pstats to fail" % path)
    return "pstats OK"


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else "edge"
    os.makedirs(outdir, exist_ok=True)
    index = []
    for name, desc, fn in CASES:
        node, trailing = fn(), b""
        if isinstance(node, tuple):  # (node, bytes appended after the object)
            node, trailing = node
        data, expected, _ = dumps(node)
        data += trailing
        got = marshal.loads(data)
        if repr(got) != repr(expected):
            raise AssertionError("%s: marshal.loads gave\n%r\nexpected\n%r" % (name, got, expected))
        path = os.path.join(outdir, name)
        with open(path, "wb") as f:
            f.write(data)
        status = check_pstats(path, name == "sampled_marker_315.prof")
        print("%-36s %6d bytes  %s" % (name, len(data), status))
        index.append("%s\t%s" % (name, desc))
    with open(os.path.join(outdir, "INDEX"), "w", encoding="utf-8") as f:
        f.write("# file<TAB>what it tests (generated by gen/edge.py)\n")
        f.write("\n".join(index) + "\n")


if __name__ == "__main__":
    main()
