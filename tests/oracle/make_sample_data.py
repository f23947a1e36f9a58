#!/usr/bin/env python3
"""Write a small stand-in for testdata/ (same layout) into OUTDIR, for the oracle's self-test.

  python3 tests/oracle/make_sample_data.py OUTDIR

Uses every interpreter it finds (python2.7, python3.6-3.13 on PATH, or under $PYTHON_VERSIONS_DIR)
for cprofile/pyXY and py27/, and this
python3 for the rest. Nothing here is the project's real test data (that lives in testdata/).
"""

import glob
import shutil
import marshal
import os
import subprocess
import sys
import textwrap

sys.dont_write_bytecode = True  # importing fake_profview leaves no __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fake_profview import Py2Reader  # noqa: E402

PROG = textwrap.dedent('''\
    from __future__ import print_function
    import json, os, re, sys
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import common
    from a import mod as amod
    from b import mod as bmod
    try:
        import sqlite3
    except ImportError:
        sqlite3 = None

    def fib(n):
        return n if n < 2 else fib(n - 1) + fib(n - 2)

    def step_json(n, data):
        json.loads(json.dumps(data))

    def step_mods(n, data):
        for i in range(n):
            amod.f(i)
            bmod.f(i)

    def step_sql(n, data):
        if sqlite3:
            c = sqlite3.connect(":memory:")
            c.execute("create table t(x)")
            c.executemany("insert into t values (?)", [(i,) for i in range(n)])
            list(c.execute("select * from t"))

    def step_text(n, data):
        re.findall(r"\\d+", json.dumps(data))
        sorted(data, key=lambda d: d["v"])

    def step_fib(n, data):
        fib(10 + n % 5)

    STEPS = [step_json, step_mods, step_sql, step_text, step_fib]

    def work(n, variant=0):
        data = [{"k": i, "v": str(i) * 3} for i in range(n)]
        steps = STEPS[variant % 5:] + STEPS[:variant % 5]
        for step in steps[:5 - variant % 2]:
            step(n, data)
        return len(data)

    if __name__ == "__main__":
        work(int(sys.argv[1]) if len(sys.argv) > 1 else 40)
''')
MOD = "import common\n\ndef f(x):\n    return common.helper(x)\n"
COMMON = "def helper(x):\n    return x * 2\n"

FLASK_DRIVER = textwrap.dedent('''\
    import cProfile, os, sys
    sys.path.insert(0, sys.argv[1])
    import prog
    out = sys.argv[2]
    names = ["GET.root.3ms.1700000000.prof", "GET.api.users.12ms.1700000003.prof",
             "POST.api.login.7ms.1700000010.prof", "GET.static.app.js.1ms.1700000011.prof",
             "M-SEARCH.x.2ms.1700000020.prof", "old/GET.api.users.000123ms.1379000000.prof"]
    for i, name in enumerate(names):
        p = cProfile.Profile()
        p.runcall(prog.work, 10 + 7 * i, i)
        path = os.path.join(out, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        p.dump_stats(path)
''')

PROFILE_DRIVER = textwrap.dedent('''\
    import profile, sys
    sys.path.insert(0, sys.argv[1])
    import prog
    p = profile.Profile()
    p.runcall(prog.work, int(sys.argv[3]))
    p.dump_stats(sys.argv[2])
''')


def edge_cases():
    T = lambda nc, cc, tt, ct: (nc, cc, tt, ct)
    main = ("/srv/app/main.py", 15, "run")
    e = {}
    e["big"] = {("big.py", 1, "big"): (2 ** 40, 2 ** 40 + 5, 12345.6789, 123456789.5, {}),
                ("huge.py", 2 ** 33, "h"): (2 ** 70, 2 ** 70, 1, 3, {}),
                ("small.py", 1, "s"): (1, 1, 0.5, 0.5, {("big.py", 1, "big"): T(1, 1, 0.5, 0.5)})}
    e["zero_counts"] = {("profile", 0, "profiler"): (0, 0, 0, 0.0, {}),
                        ("zero.py", 9, "zc"): (0, 4, 0.1, 0.2, {}),
                        ("one.py", 1, "o"): (3, 3, 0.3, 0.3, {("zero.py", 9, "zc"): T(3, 3, .3, .3)})}
    e["tilde"] = {("~", 0, "plain"): (1, 1, 0.0, 0.0, {main: T(1, 1, 0.0, 0.0)}),
                  ("~", 0, "<>"): (2, 2, 0.0, 0.0, {main: T(2, 2, 0.0, 0.0)}),
                  ("~", 0, "<x"): (1, 1, 0.0, 0.0, {}),
                  ("~", 1, "<notbuiltin>"): (1, 1, 0.0, 0.0, {}),
                  ("~", 0.0, "<float zero>"): (1, 1, 0.0, 0.0, {}),
                  ("~", 0, "<built-in method builtins.len>"): (5, 5, 0.001, 0.001, {main: T(5, 5, .001, .001)}),
                  main: (1, 1, 0.01, 0.02, {})}
    e["unicode"] = {("/ünï/cödé.py", 3, "fünc"): (2, 2, 0.5, 1.0, {("/ünï/x.py", 1, "é"): T(2, 2, .5, 1.0)}),
                    ("/ünï/x.py", 1, "é"): (1, 1, 0.1, 1.1, {}),
                    ("/日本/語.py", 7, "名前"): (1, 1, 0.0, 0.0, {})}
    e["rounding"] = {("r.py", i, "f%d" % i): (1, 1, t, t, {})
                     for i, t in enumerate([0.0625, 0.0005, -0.0001, -0.0, 0.0015, 2.5e-4, 1e-9,
                                            float("inf"), 1234.5675], 1)}
    e["top_level"] = {("t.py", 1, "top"): (1, 1, 0.1, 0.2, {("jprofile", 0, "profiler"): T(1, 1, 0, 0)}),
                      ("t.py", 5, "sub"): (1, 1, 0.1, 0.1, {("t.py", 1, "top"): T(1, 1, .1, .1)})}
    e["int_callers"] = {("profile", 0, "profiler"): (0, 0, 0, 0.0, {}),
                        ("/q/a.py", 1, "a"): (1, 1, 0.5, 1.0, {("profile", 0, "profiler"): 1}),
                        ("/q/b.py", 2, "b"): (4, 4, 0.5, 0.5, {("/q/a.py", 1, "a"): 4}),
                        ("/r/b.py", 2, "b"): (1, 1, 0.25, 0.25, {("/q/a.py", 1, "a"): 1}),
                        ("", 0, "len"): (3, 3, 0, 0, {("/q/a.py", 1, "a"): 3})}
    e["top_level_several"] = {("t%d.py" % i, i, "top%d" % i): (1, 1, 0.1, 0.1, {("jprofile", 0, "profiler"): T(1, 1, 0, 0)})
                              for i in range(5)}
    e["int_callers_not_keys"] = {("/q/a.py", 1, "a"): (1, 1, 0.5, 1.0, {("nokey.py", 1, "x"): 1}),
                                 ("/q/b.py", 2, "b"): (2, 2, 0.5, 0.5, {("/q/a.py", 1, "a"): 2})}
    e["mixed_callers"] = {("m.py", 1, "f"): (1, 1, 0.1, 0.1, {}),
                          ("m.py", 2, "g"): (2, 2, 0.1, 0.1, {("m.py", 1, "f"): 2}),
                          ("m.py", 3, "h"): (1, 1, 0.1, 0.1, {("m.py", 1, "f"): T(1, 1, .1, .1)})}
    e["short"] = {("a", 1, "b"): (1, 1, 0.0, 0.0, {("c", 2, "d"): T(1, 1, 0, 0)}),
                  ("c", 2, "d"): (1, 1, 0.0, 0.0, {})}
    e["ties"] = {("t%d.py" % (i % 3), i % 2, "f"): (2, 2, 0.5, 1.0, {}) for i in range(6)}
    e["strip_collide"] = {
        ("/x/a/mod.py", 1, "f"): (5, 5, 0.1, 0.2, {}),
        ("/x/b/mod.py", 1, "f"): (5, 5, 0.1, 0.2, {}),
        ("/deep/dir/", 3, "trailing"): (1, 1, 0, 0, {}),
        ("/x/common.py", 1, "helper"): (10, 10, 0.1, 0.1, {("/x/a/mod.py", 1, "f"): T(5, 3, .05, .05),
                                                           ("/x/b/mod.py", 1, "f"): T(5, 5, .05, .05)})}
    e["recursion"] = {("rec.py", 1, "fib"): (1, 177, 0.01, 0.01, {("rec.py", 1, "fib"): T(176, 0, .009, .03),
                                                                   ("rec.py", 9, "main"): T(1, 1, .001, .01)}),
                      ("rec.py", 9, "main"): (1, 1, 0.0, 0.01, {})}
    e["int_times"] = {("it.py", 1, "f"): (2, 2, 2, 3, {}), ("it.py", 2, "g"): (3, 3, 1, 1, {})}
    e["sampled"] = {("s.py", 1, "f"): (3, 5, 0, 0, {}), ("__sampled__",): True}
    e["empty"] = {}
    return e


def run(cmd, **kw):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, **kw)


def main():
    out = os.path.abspath(sys.argv[1])
    os.makedirs(out, exist_ok=True)
    src = os.path.join(out, "_src")
    for rel, text in (("prog.py", PROG), ("common.py", COMMON), ("a/__init__.py", ""),
                      ("a/mod.py", MOD), ("b/__init__.py", ""), ("b/mod.py", MOD),
                      ("flask_driver.py", FLASK_DRIVER)):
        path = os.path.join(src, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
    prog = os.path.join(src, "prog.py")
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")

    run([sys.executable, os.path.join(src, "flask_driver.py"), src, os.path.join(out, "flask")],
        env=env)

    # interpreters: python2.7 ... python3.13 on PATH, or VERSION/bin/python
    # under $PYTHON_VERSIONS_DIR (a pyenv versions/ directory, for one)
    vdir = os.environ.get("PYTHON_VERSIONS_DIR")
    if vdir:
        exes = sorted(glob.glob(os.path.join(vdir, "*", "bin", "python")))
        vers = [os.path.basename(os.path.dirname(os.path.dirname(e))).split(".") for e in exes]
    else:
        names = ["python2.7"] + ["python3.%d" % m for m in range(6, 14)]
        found = [(shutil.which(n), n[6:].split(".")) for n in names]
        exes = [e for e, _ in found if e]
        vers = [v for e, v in found if e]
    for exe, ver in zip(exes, vers):
        tag = "py%s%s" % (ver[0], ver[1])
        d = os.path.join(out, "cprofile", tag)
        os.makedirs(d, exist_ok=True)
        for n in (15, 40):
            run([exe, "-m", "cProfile", "-o", os.path.join(d, "prog%d.prof" % n), prog, str(n)],
                env=env)
        if tag == "py27":
            d27 = os.path.join(out, "py27")
            os.makedirs(d27, exist_ok=True)
            for n in (15, 40):
                p2 = os.path.join(d27, "prog%d.prof" % n)
                run([exe, "-m", "cProfile", "-o", p2, prog, str(n)], env=env)
                # Python 2's marshal.load would lose the file's entry order (its dicts
                # are unordered) and so change sort ties: re-save with an ordered reader
                with open(p2, "rb") as f:
                    data = Py2Reader(f.read()).obj()
                with open(p2[:-5] + ".py3.prof", "wb") as f:
                    marshal.dump(data, f)
        if tag in ("py39", "py311", "py313"):
            # `python -m profile -o` would store a code object in a key: use runcall
            d = os.path.join(out, "profile", tag)
            os.makedirs(d, exist_ok=True)
            for n in (12, 30):
                run([exe, "-c", PROFILE_DRIVER, src, os.path.join(d, "prog%d.prof" % n), str(n)],
                    env=env)

    first = sorted(glob.glob(os.path.join(out, "cprofile", "py311", "*.prof")) or
                   glob.glob(os.path.join(out, "flask", "*.prof")))[0]
    with open(first, "rb") as f:
        data = marshal.load(f)
    os.makedirs(os.path.join(out, "marshal"), exist_ok=True)
    for v in range(5):
        with open(os.path.join(out, "marshal", "v%d.prof" % v), "wb") as f:
            marshal.dump(data, f, v)

    os.makedirs(os.path.join(out, "edge"), exist_ok=True)
    for name, d in edge_cases().items():
        with open(os.path.join(out, "edge", name + ".prof"), "wb") as f:
            marshal.dump(d, f)

    bad = os.path.join(out, "bad")
    os.makedirs(bad, exist_ok=True)
    with open(first, "rb") as f:
        raw = f.read()
    for name, blob in (("truncated.prof", raw[:len(raw) // 2]), ("garbage.prof", b"hello"),
                       ("empty.prof", b""), ("list.prof", marshal.dumps([1, 2])),
                       ("badentry.prof", marshal.dumps({("a", 1, "f"): (1, 2)})),
                       ("badcode.prof", b"{\xfa\x03\x00\x00\x00abc0")):
        with open(os.path.join(bad, name), "wb") as f:
            f.write(blob)
    print(out)


if __name__ == "__main__":
    main()
