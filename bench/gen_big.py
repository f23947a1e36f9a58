#!/usr/bin/env python3
"""Write a program with N distinct functions (default 25,000) that call each
other in a tree, and profile it with cProfile: one large profile (~4 MB).
usage: gen_big.py OUT.prof [N]"""
import cProfile
import sys
import types

n = int(sys.argv[2]) if len(sys.argv) > 2 else 25000
src = []
for i in range(n):
    kids = [c for c in (2 * i + 1, 2 * i + 2) if c < n]
    body = "".join("    f%d(x)\n" % c for c in kids) or "    len(str(x))\n"
    src.append("def f%d(x):\n%s" % (i, body))
mod = types.ModuleType("big")
exec(compile("\n".join(src), "/srv/app/big_generated.py", "exec"), mod.__dict__)
cProfile.runctx("f0(1); f0(2)", {"f0": mod.f0}, {}, sys.argv[1])
