#!/usr/bin/env python3
"""usage: gen_backref.py OUT.prof [N]: a pstats dump (about 36 MB at the
default N) whose last entry names, by marshal reference, a caller value
first written at its start.  profview maps a file this large and unmaps
what it has read behind it, so it must read that start again."""
import marshal
import sys
n = int(sys.argv[2]) if len(sys.argv) > 2 else 400000
shared = (7, 7, 0.5, 0.75)
d = {}
keys = [("/srv/app/m%d.py" % (i % 97), i, "f%d" % i) for i in range(n)]
for i, k in enumerate(keys):
    callers = {keys[i - 1]: (1, 1, 0.001 * i, 0.002 * i)} if i else {}
    if i == 0 or i == n - 1:
        callers[("~", 0, "<built-in method zz>")] = shared
    d[k] = (1, 1, 0.001, 0.002, callers)
d[("~", 0, "<built-in method zz>")] = (1, 1, 0.0, 0.0, {})
data = marshal.dumps(d)
open(sys.argv[1], "wb").write(data)

