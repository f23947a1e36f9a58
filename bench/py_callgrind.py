#!/usr/bin/env python3
"""A pyprof2calltree-style conversion in Python, the reference the callgrind
export is timed against: the same mapping (shared/spec/callgrind.md section 4),
names compressed, costs in rounded ns.  usage: py_callgrind.py IN.prof OUT"""
import math
import pstats
import sys


def ns(x):
    return int(math.floor(x * 1e9 + 0.5)) if x > 0 else 0


st = pstats.Stats(sys.argv[1]).stats
keys = set(st)
for v in st.values():
    keys.update(v[4])
order = sorted(keys)
callees = {k: [] for k in order}
for k, v in st.items():
    for c, e in v[4].items():
        callees[c].append((k, e))
files, fns = {}, {}


def ref(table, spec, name, key):
    if key in table:
        return "%s=(%d)\n" % (spec, table[key])
    table[key] = len(table) + 1
    return "%s=(%d) %s\n" % (spec, table[key], name)


total = sum(ns(v[2]) for v in st.values())
out = ["# callgrind format\nversion: 1\ncreator: py_callgrind\ncmd: %s\npart: 1\n"
       "positions: line\nevent: ns : Time (nanoseconds)\nevents: ns\nsummary: %d\n" % (sys.argv[1], total)]
for k in order:
    f, line, name = k
    out.append("\n" + ref(files, "fl", f or "~", f) + ref(fns, "fn", name, k))
    out.append("%d %d\n" % (max(line, 0), ns(st[k][2]) if k in st else 0))
    for c, e in sorted(callees[k]):
        cost = ns(e[3]) if isinstance(e, tuple) else 0
        n = e[0] if isinstance(e, tuple) else e
        if n <= 0 and cost == 0:
            continue
        out.append(ref(files, "cfi", c[0] or "~", c[0]) + ref(fns, "cfn", c[2], c))
        out.append("calls=%d %d\n%d %d\n" % (max(n, 1), max(c[1], 0), max(line, 0), cost))
out.append("\ntotals: %d\n" % total)
open(sys.argv[2], "w").write("".join(out))
