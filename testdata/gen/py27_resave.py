# -*- coding: utf-8 -*-
"""Convert Python 2.7 stats dumps into files Python 3 can read.

Python 2.7 dumps with marshal version 2, which uses the `R` string-reference
code that Python 3's marshal rejects ("bad marshal data (unknown type code)").
The conversion is two steps, run by two interpreters:

    python2.7 py27_resave.py to-v0  IN.prof TMP.prof   # str -> unicode, marshal v0
    python3   py27_resave.py to-v4  TMP.prof OUT.prof  # marshal.load, dump v4

`to-v0` decodes every byte string in the keys and caller keys (filename and
function name) as UTF-8 and dumps with version 0 (no `R`, no `t`; unicode is
`u`, floats are text `f`).  `to-v4` loads that in Python 3 and dumps it with
version 4, the Python 3.4-3.13 default.

    python3   py27_resave.py from-py2 IN.prof OUT.prof

does both steps in Python 3 with mdump.py's reader, which keeps the
file's entry order: Python 2's marshal.load builds an unordered dict, and
pstats breaks sort ties by dict order, so the twin must keep the order the
Python 2 file has.  regen.sh uses this mode.

    python2.7 py27_resave.py raw-v0 IN.prof OUT.prof

re-dumps with version 0 *without* converting: Python 3 then loads the names as
`bytes` and pstats prints them as b'...' (the "Python 2 v0 file" case).
"""
import marshal
import sys


def fix(x):
    if isinstance(x, bytes) and not isinstance(x, type(u"")):
        try:
            return x.decode("utf-8")
        except UnicodeDecodeError:
            return x.decode("latin-1")
    if isinstance(x, tuple):
        return tuple(fix(i) for i in x)
    return x


def convert(stats):
    out = {}
    for key, (cc, nc, tt, ct, callers) in stats.items():
        out[fix(key)] = (cc, nc, tt, ct,
                         dict((fix(k), v) for k, v in callers.items()))
    return out


def main():
    mode, src, dst = sys.argv[1:4]
    if mode == "from-py2":
        import mdump
        with open(src, "rb") as f:
            stats, _ = mdump.load(f.read())
        with open(dst, "wb") as f:
            marshal.dump(convert(stats), f, 4)
        return
    with open(src, "rb") as f:
        stats = marshal.load(f)
    if mode == "to-v0":
        stats, version = convert(stats), 0
    elif mode == "raw-v0":
        version = 0
    elif mode == "to-v4":
        if sys.version_info[0] < 3:
            raise SystemExit("to-v4 must run under Python 3")
        version = 4
    else:
        raise SystemExit(__doc__)
    with open(dst, "wb") as f:
        marshal.dump(stats, f, version)


if __name__ == "__main__":
    main()
