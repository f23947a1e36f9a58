#!/usr/bin/env python3
"""Hostile dumps for tests/hostile (issue #23), made by CPython's cProfile:
every function below is a real Python function whose code object carries
the hostile name (code.replace(co_name=..., co_filename=...)), so the dumps
are what cProfile writes for such code.  Paths are under /srv/app.

    python3 tests/hostile/gen_hostile.py OUTDIR [KIND...]

KIND (default: all but `endpoints`):
  names       names.prof: a name per hostile class - NUL and other C0/C1
              controls, a 20,000-character name, XML's forbidden characters
              (U+FFFE, U+FFFF, U+1FFFE, U+FDD0..U+FDEF), lone surrogates
              (Python's form of a non-UTF-8 byte), CSV formula openers
              (= + - @ tab CR, also after spaces), U+0085, U+2028, bidi
              overrides, double-width characters, markup and quotes
  chain       chain.prof: N distinct functions, each calling the next
              (N from CHAIN_N, default 5000)
  cycles      cycles.prof: for each length L in 2..CYCLE_MAX (default 200) a
              ring of L functions that goes round twice
  requests    requests/: werkzeug-named dumps whose endpoints hold
              double-width characters, U+0085, U+2028 and a bidi override
  endpoints   endpoints/: ENDPOINTS (default 20000) werkzeug-named dumps,
              one per slug endpoint (/blog/post-N), each with its own
              functions, as a blog's profile_dir fills up
  zips        members.zip (café.prof and plain.prof, UTF-8 flag set by
              zipfile), only-utf8.zip (only café.prof), broken-utf8.zip
              (plain.prof and a bröken.prof that is no profile), and
              members.7z by 7-Zip (7zz, Debian's 7zip; or 7z)
"""
import cProfile
import marshal
import os
import shutil
import subprocess
import sys
import zipfile

OUT = sys.argv[1]
KINDS = sys.argv[2:] or ["names", "chain", "cycles", "requests", "zips"]


def named(fn, name, filename="/srv/app/hostile.py"):
    """fn with its code object renamed: cProfile keys it by these names."""
    fn.__code__ = fn.__code__.replace(co_name=name, co_filename=filename)
    return fn


def make_leaf(name, filename):
    def leaf():
        x = 0
        for i in range(20000):  # self time, so every name shows in every output
            x += i
        return x
    return named(leaf, name, filename)


def dump(prof, path):
    prof.create_stats()
    with open(path, "wb") as f:
        marshal.dump(prof.stats, f)


HOSTILE = [
    # (function name, file name)
    ("nul\x00inside", "/srv/app/nul.py"),
    ("ctl\x01\x02\x1b[31m\x7f", "/srv/app/ctl.py"),
    ("line\nbreak\rcr\ttab", "/srv/app/lines.py"),
    ("c1\x85\x9bnel", "/srv/app/c1.py"),
    ("ls\u2028ps\u2029", "/srv/app/ls.py"),
    ("bidi\u202eevil\u202c\u2066x\u2069", "/srv/app/bidi.py"),
    ("wide_日本語の関数", "/srv/app/日本.py"),
    ("nonchar\ufffe\uffff", "/srv/app/nonchar.py"),
    ("plane\U0001fffe\U0010ffff", "/srv/app/plane.py"),
    ("fdd0\ufdd0\ufdef", "/srv/app/fdd0.py"),
    ("surrogate\udce9", "/srv/app/caf\udce9.py"),
    ("=HYPERLINK(\"http://x/\")", "/srv/app/formula.py"),
    ("+1+cmd|' /C calc'!A0", "/srv/app/plus.py"),
    ("-2+3", "/srv/app/minus.py"),
    ("@SUM(A1)", "/srv/app/at.py"),
    ("\t=tab", "/srv/app/tab.py"),
    ("\r=cr", "/srv/app/cr.py"),
    ("   =spaces", "/srv/app/spaces.py"),
    ("<markup> & \"quotes\" 'q' \\back;semi", "/srv/app/markup.py"),
    ("L" * 20000, "/srv/app/long.py"),
    ("ok_name", "=/srv/app/formula_file.py"),
]


def gen_names():
    leaves = [make_leaf(n, f) for n, f in HOSTILE]

    def root():
        for f in leaves:
            f()
    named(root, "root", "/srv/app/main.py")
    prof = cProfile.Profile()
    prof.runcall(root)
    dump(prof, os.path.join(OUT, "names.prof"))


def ring(prefix, length, laps, filename):
    """length functions calling the next, round `laps` times."""
    fns = []
    for i in range(length):
        def step(k, fns=fns, total=length * laps):
            if k + 1 < total:
                fns[(k + 1) % len(fns)](k + 1)
        fns.append(named(step, "%s%d" % (prefix, i), filename))
    return fns


def gen_chain():
    n = int(os.environ.get("CHAIN_N", "5000"))
    sys.setrecursionlimit(n * 4 + 1000)
    fns = ring("level_", n, 1, "/srv/app/chain.py")
    prof = cProfile.Profile()
    prof.runcall(fns[0], 0)
    dump(prof, os.path.join(OUT, "chain.prof"))


def gen_cycles():
    top = int(os.environ.get("CYCLE_MAX", "200"))
    sys.setrecursionlimit(top * 8 + 1000)
    rings = [ring("c%d_" % n, n, 2, "/srv/app/cycle%d.py" % n) for n in range(2, top + 1)]

    def root():
        for r in rings:
            r[0](0)
    named(root, "root", "/srv/app/cycles.py")
    prof = cProfile.Profile()
    prof.runcall(root)
    dump(prof, os.path.join(OUT, "cycles.prof"))


def werkzeug(d, method, path, ms, t, fn):
    """A dump named as werkzeug's ProfilerMiddleware names it."""
    prof = cProfile.Profile()
    prof.runcall(fn)
    p = path.strip("/").replace("/", ".") or "root"
    dump(prof, os.path.join(d, "%s.%s.%dms.%d.prof" % (method, p, ms, t)))


def gen_requests():
    d = os.path.join(OUT, "requests")
    os.makedirs(d, exist_ok=True)
    for i, path in enumerate(["/日本語/記事", "/a\u0085b", "/x\u2028y", "/\u202eevil",
                              "/plain", "/=cmd"]):
        fn = make_leaf("view_%d" % i, "/srv/app/views.py")
        werkzeug(d, "GET", path, 10 + i, 1700000000 + i, fn)


def gen_endpoints():
    """One request profiled by cProfile, then its dump renamed per endpoint
    (each post's own view and module), as 20,000 runs would write it; a
    cProfile run per file took 100 s for 20,000."""
    n = int(os.environ.get("ENDPOINTS", "20000"))
    d = os.path.join(OUT, "endpoints")
    os.makedirs(d, exist_ok=True)
    shared = make_leaf("render", "/srv/app/templates.py")
    own = make_leaf("post_0", "/srv/app/blog/post_0.py")

    def view():
        own()
        shared()
    named(view, "view_post_0", "/srv/app/blog/views.py")
    prof = cProfile.Profile()
    prof.runcall(view)
    prof.create_stats()

    def rename(key, i):
        f, line, fn = key
        return (f.replace("post_0", "post_%d" % i), line, fn.replace("post_0", "post_%d" % i))
    for i in range(n):
        st = {rename(k, i): (cc, nc, tt, ct, {rename(c, i): v for c, v in callers.items()})
              for k, (cc, nc, tt, ct, callers) in prof.stats.items()}
        with open(os.path.join(d, "GET.blog.post-%d.3ms.%d.prof" % (i, 1700000000 + i)), "wb") as f:
            marshal.dump(st, f)


def gen_zips():
    src = os.path.join(OUT, "zsrc")
    os.makedirs(src, exist_ok=True)
    for name in ("café.prof", "plain.prof"):
        prof = cProfile.Profile()
        prof.runcall(make_leaf("in_" + name.split(".")[0], "/srv/app/z.py"))
        dump(prof, os.path.join(src, name))
    with zipfile.ZipFile(os.path.join(OUT, "members.zip"), "w") as z:
        for name in ("café.prof", "plain.prof"):
            z.write(os.path.join(src, name), name)  # non-ASCII: UTF-8 flag set
    with zipfile.ZipFile(os.path.join(OUT, "only-utf8.zip"), "w") as z:
        z.write(os.path.join(src, "café.prof"), "café.prof")
    with zipfile.ZipFile(os.path.join(OUT, "broken-utf8.zip"), "w") as z:
        z.write(os.path.join(src, "plain.prof"), "plain.prof")
        z.writestr("bröken.prof", b"not a profile")  # named in the error
    sz = shutil.which("7z") or shutil.which("7zz") or shutil.which("7za")
    if sz:
        dst = os.path.join(os.path.abspath(OUT), "members.7z")
        subprocess.run([sz, "a", "-bd", "-bso0", dst, "café.prof", "plain.prof"], cwd=src,
                       check=True, env=dict(os.environ, LC_ALL="C.UTF-8"))
    shutil.rmtree(src)


os.makedirs(OUT, exist_ok=True)
for k in KINDS:
    globals()["gen_" + k]()
