#!/usr/bin/python3
"""Write N small dumps (copies of the committed cProfile samples under
werkzeug-style names) into OUTDIR, 1,000 to a directory: the bench's
large-count corpus (never committed).

    bench/gen_tree.py OUTDIR N
"""
import os
import sys

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "testdata", "cprofile", "py311")
data = [open(os.path.join(root, f), "rb").read()
        for f in ("prog_recursion.prof", "prog_generators.prof", "prog_py3_ñämes.prof")]
out, n = sys.argv[1], int(sys.argv[2])
for d in range((n + 999) // 1000):
    sub = os.path.join(out, "d%04d" % d)
    os.makedirs(sub, exist_ok=True)
    for i in range(d * 1000, min(n, d * 1000 + 1000)):
        with open(os.path.join(sub, "GET.api.item.%d.1ms.%d.prof" % (i, 1795000000 + i)), "wb") as f:
            f.write(data[i % len(data)])
