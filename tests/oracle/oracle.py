#!/usr/bin/env python3
"""Oracle test: profview's text report against CPython's own pstats, byte for byte.

For every case of the matrix below, the same inputs and options are given to
  * CPython's `pstats` (the `python3` running this script; in-process), and
  * profview (a subprocess; `--profview` may be a command string, split with shlex),
and the outputs are compared byte for byte.

What is compared (profview's CLI contract):
  * stats mode: profview's line 1 is a free-text summary, line 2 is empty, and the rest is
    exactly what `print_stats` prints after its file label lines and the blank line after
    them, i.e. from the totals line on (legacy 'jprofile' data has top-level lines first;
    pstats prints several in set order, so their order is not compared).
  * --callers / --callees: summary, blank, the totals line as print_stats prints it (after
    any top-level lines), blank, then exactly print_callers and/or print_callees (callers
    first when both are given).
  * --exclude has no pstats analog; it is emulated by OracleStats.eval_print_amount.
  * usage errors (exit 2, one `profview: ...` line on stderr, empty stdout) and bad inputs
    (exit 1, one `profview: PATH: byte N: MESSAGE` line per bad input; the report of the
    good inputs, if any, is still compared).
Which cases are usage errors is stated in the table and cross-checked against pstats
(KeyError from sort_stats, re.error, int()/float() failures).

Usage:
  python3 tests/oracle/oracle.py [--profview CMD] [--testdata DIR] [-k SUBSTR] [-v]
                                 [-j N] [--list] [--strict]
Exit status: 0 if no case failed and at least one ran; 1 otherwise; 2 on a harness error.
The last line is always `oracle: N passed, N failed, N skipped`.
"""

import argparse
import concurrent.futures
import difflib
import glob
import io
import marshal
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

import pstats

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.dont_write_bytecode = True  # importing fake_profview leaves no __pycache__
sys.path.insert(0, HERE)

ENV_FIXED = {"TZ": "UTC", "LC_ALL": "C.UTF-8"}
os.environ.update(ENV_FIXED)
time.tzset()

DEFAULT_SORT = ("time", "calls")

# Matrix rows: every row must get at least one case once the test data is there
# (warning by default, failure with --strict).
ROWS = [
    "sort", "abbrev", "multisort", "restrict", "order", "exclude", "callers",
    "strip", "merge", "marshal", "cprofile", "profile", "edge", "py27", "io",
    "usage", "bad",
]


# ---------------------------------------------------------------------------------------
# pstats side
# ---------------------------------------------------------------------------------------

class Exclude:
    """Restriction marker for -x/--exclude (no pstats analog)."""

    def __init__(self, pattern):
        self.pattern = pattern


class OracleStats(pstats.Stats):
    def eval_print_amount(self, sel, list, msg):
        if not isinstance(sel, Exclude):
            return super().eval_print_amount(sel, list, msg)
        rex = re.compile(sel.pattern)
        new_list = [f for f in list if not rex.search(pstats.func_std_string(f))]
        if len(new_list) != len(list):
            msg += "   List reduced from %d to %d due to exclusion <%r>\n" % (
                len(list), len(new_list), sel.pattern)
        return new_list, msg


class UsageError(Exception):
    pass


def expand_inputs(inputs):
    """The contract's directory expansion: every *.prof below a directory, recursively,
    paths joined with '/', sorted by the UTF-8 bytes of the whole path."""
    out = []
    for inp in inputs:
        if inp != "-" and os.path.isdir(inp):
            found = []
            for root, dirs, files in os.walk(inp):
                for name in files:
                    if name.endswith(".prof"):
                        rel = os.path.relpath(os.path.join(root, name), inp)
                        found.append(inp + "/" + rel.replace(os.sep, "/"))
            found.sort(key=lambda p: p.encode("utf-8", "surrogateescape"))
            out.extend(found)
        else:
            out.append(inp)
    return out


def parse_options(args):
    """Interpret a case's profview option list into what pstats is asked to do.
    Raises UsageError where the contract says exit 2."""
    opt = {"sort": None, "strip": False, "restr": [], "callers": False,
           "callees": False, "out": None, "inputs": []}
    i = 0
    only_inputs = False
    while i < len(args):
        a = args[i]
        i += 1
        if only_inputs or a == "-" or not a.startswith("-"):
            opt["inputs"].append(a)
            continue
        if a == "--":
            only_inputs = True
            continue
        if a in ("--strip-dirs", "--callers", "--callees"):
            opt[a[2:].replace("-dirs", "")] = True
            continue
        if a not in ("-s", "--sort", "-n", "--limit", "--fraction", "-m", "--match",
                     "-x", "--exclude", "-o"):
            raise UsageError("unknown option %s" % a)
        if i >= len(args):
            raise UsageError("%s needs an argument" % a)
        v = args[i]
        i += 1
        if a in ("-s", "--sort"):
            keys = tuple(v.split(","))
            try:
                OracleStats(stream=io.StringIO()).sort_stats(*keys)
            except (KeyError, TypeError) as e:
                raise UsageError("bad sort key %r: %r" % (v, e))
            opt["sort"] = keys
        elif a in ("-n", "--limit"):
            try:
                opt["restr"].append(int(v))
            except ValueError:
                raise UsageError("bad limit %r" % v)
        elif a == "--fraction":
            try:
                f = float(v)
            except ValueError:
                raise UsageError("bad fraction %r" % v)
            if not 0.0 <= f <= 1.0:
                raise UsageError("fraction out of range %r" % v)
            opt["restr"].append(f)
        elif a in ("-m", "--match", "-x", "--exclude"):
            try:
                re.compile(v)
            except re.error as e:
                raise UsageError("bad regex %r: %s" % (v, e))
            opt["restr"].append(v if a in ("-m", "--match") else Exclude(v))
        elif a == "-o":
            opt["out"] = v
    if not opt["inputs"]:
        raise UsageError("no input")
    return opt


def after_labels(st, *restr):
    """print_stats(*restr) without the file label lines and the blank line after them:
    the top-level lines (legacy 'jprofile' data only), the totals line and the rest."""
    buf = io.StringIO()
    saved, st.stream = st.stream, buf
    try:
        st.print_stats(*restr)
    finally:
        st.stream = saved
    lines = buf.getvalue().splitlines(True)
    lines = lines[len(st.files) + 1:] if st.files else lines
    totals = lines[len(st.top_level)]
    assert re.fullmatch(r" {9}-?\d+ function calls .*seconds\n", totals), totals
    return lines


def pstats_report(opt, files):
    """Everything profview prints after its summary line, computed with pstats, and the
    number of top-level lines before the totals line. May raise whatever pstats raises."""
    buf = io.StringIO()
    st = OracleStats(*files, stream=buf)
    check_plain_keys(st)
    if opt["strip"]:
        st.strip_dirs()
    st.sort_stats(*(opt["sort"] or DEFAULT_SORT))
    ntop = len(st.top_level)
    if not (opt["callers"] or opt["callees"]):
        return "\n" + "".join(after_labels(st, *opt["restr"])), ntop
    head = "\n" + "".join(after_labels(st, 0)[:ntop + 1]) + "\n"
    if opt["callers"]:
        st.print_callers(*opt["restr"])
    if opt["callees"]:
        st.print_callees(*opt["restr"])
    return head + buf.getvalue(), ntop


class Unfit(Exception):
    """The data can't be compared byte for byte (the case is skipped)."""


PLAIN = (str, int, float, bytes)


CODE = type(compile("", "", "exec"))
ADDR = re.compile(rb"(<code object .*? at )0x[0-9a-f]+(, file )")

# Inputs where profview differs from pstats by decision (doc/formats.md, "Where
# profview knowingly differs"): the case is skipped with the reason.
DEVIATIONS = {
    "nonint_lineno.prof": "a line number that is not a whole number is refused",
    "cprofile_prog_recursion.v0bytes.prof": "Python 2 byte strings are shown as text, not b'...'",
}


def normalize(b):
    """`python -m profile` stores the code object it ran in the fake root's key
    (`('profile', 0, <code object>)`); pstats prints its repr with a memory address
    that changes on every load, profview a hash of the bytecode of the same width.
    Both become 0xADDRESS before comparing."""
    lines = ADDR.sub(rb"\g<1>0xADDRESS\g<2>", b).split(b"\n")
    # sorted by standard name, such rows are ordered by the address: any order
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and b"0xADDRESS" in lines[j]:
            j += 1
        lines[i:j] = sorted(lines[i:j])
        i = j + 1
    return b"\n".join(lines)


def check_plain_keys(st):
    """Keys hold strings and numbers, or the code object of `python -m profile`
    (compared after normalize()); anything else can't be compared."""
    for key, (_, _, _, _, callers) in st.stats.items():
        for k in [key, *callers]:
            bad = [x for x in k if not isinstance(x, PLAIN + (CODE,))]
            if bad:
                raise Unfit("a key holds a %s object (pstats prints its address)"
                            % type(bad[0]).__name__)


def pstats_loads(path, plain=False):
    """True if pstats can load the file on its own (and, with plain, if its keys hold
    only strings and numbers)."""
    try:
        st = pstats.Stats(path, stream=io.StringIO())
        if plain:
            check_plain_keys(st)
        return True
    except Exception:
        return False


# ---------------------------------------------------------------------------------------
# cases
# ---------------------------------------------------------------------------------------

def has_int_callers(path):
    with open(path, "rb") as f:
        stats = marshal.load(f)
    return any(isinstance(v, int) for e in stats.values() for v in e[4].values())


class Case:
    def __init__(self, row, cid, args, expect="report", ps_inputs=None, stdin=None,
                 bad=(), why=""):
        self.row = row
        self.id = row + "/" + cid
        self.args = list(args)        # profview argv (options and inputs)
        self.expect = expect          # report | usage | bad
        self.ps_inputs = ps_inputs    # pstats files if not those of args (py27, stdin, bad)
        self.stdin = stdin            # file fed to profview's stdin
        self.bad = list(bad)          # inputs expected to be reported as bad
        self.why = why

    def command(self, profview):
        cmd = " ".join(shlex.quote(a) for a in profview + self.args)
        if self.stdin:
            cmd += " < " + shlex.quote(self.stdin)
        return cmd


class Data:
    """The test data found under testdata/ (any part may be missing)."""

    def __init__(self, root):
        self.root = root

        def g(pattern):
            return sorted(glob.glob(os.path.join(root, pattern)),
                          key=lambda p: p.encode("utf-8", "surrogateescape"))

        self.flask_dir = os.path.join(root, "flask")
        self.flask = g("flask/*.prof")
        self.cprofile = {}
        for d in g("cprofile/py*"):
            ver = os.path.basename(d)
            if ver != "py27" and os.path.isdir(d):
                files = g("cprofile/%s/*.prof" % ver)
                if files:
                    self.cprofile[ver] = files
        self.profile = g("profile/*/*.prof")
        # v0..v5 hold the same data; other files there (e.g. profile_v*.prof) are alone-only
        self.marshal = [p for p in (os.path.join(root, "marshal", "v%d.prof" % v)
                                    for v in range(6)) if os.path.exists(p)]
        self.marshal_other = [p for p in g("marshal/*.prof") if p not in self.marshal]
        self.py27 = []
        for p in g("py27/*.prof"):
            if not p.endswith(".py3.prof"):
                twin = p[:-len(".prof")] + ".py3.prof"
                if os.path.exists(twin):
                    self.py27.append((p, twin))
        # other py27/ files that Python 3 reads as they are (e.g. v0 dumps: bytes names)
        paired = {x for pair in self.py27 for x in pair}
        self.py27_alone = [p for p in g("py27/*.prof") if p not in paired and pstats_loads(p)]
        self.edge = [p for p in g("edge/*.prof") if "sampled" not in os.path.basename(p)]
        self.bad = [p for p in g("bad/*") if os.path.isfile(p)]

        by_size = lambda files: sorted(files, key=lambda p: (-os.path.getsize(p), p))
        cprof_all = [p for v in sorted(self.cprofile) for p in self.cprofile[v]]
        good = [p for p in by_size(self.flask) + by_size(cprof_all) if pstats_loads(p, True)]
        # primary: the biggest real cProfile dump (flask first); secondary/tertiary for merges
        self.primary = good[0] if good else None
        self.others = good[1:3]
        # profile-module (int callers) data: a real dump, else a hand-made edge file
        self.prof_primary = next((p for p in by_size(self.profile) + by_size(self.edge)
                                  if pstats_loads(p, True) and has_int_callers(p)), None)


SORT_KEYS = ["calls", "ncalls", "cumtime", "cumulative", "filename", "line", "module",
             "name", "nfl", "pcalls", "stdname", "time", "tottime"]
ABBREVS = ["cu", "cumu", "f", "fi", "s", "p", "ti", "to", "na", "nf", "ca", "nc",
           "file", "fil", "li", "mo", "std", "tot", "cumt", "ncall", "pc"]
MULTI_SORTS = ["file,line", "calls,time", "pcalls,pcalls", "stdname,time", "name,file,line",
               "module,name", "cumulative,tottime", "line,name,stdname", "nfl,calls",
               "time,calls", "cu,f"]
MATCHES = ["len", r"\(", "^/", "json|sqlite", "zzz_no_such_function_zzz", "of 'list'",
           "'|\"", r"\d{2}", r"\{built-in", "__init__"]
EXCLUDES = [r"\{", "^/", "zzz_no_such_function_zzz", ".", "'", r"\.py:\d+\("]
RESTRICTIONS = [
    ("limit0", ["--limit", "0"]),
    ("limit3", ["--limit", "3"]),
    ("limit1000", ["--limit", "1000"]),
    ("n1", ["-n", "1"]),
    ("frac0.0", ["--fraction", "0.0"]),
    ("frac0", ["--fraction", "0"]),
    ("frac0.1", ["--fraction", "0.1"]),
    ("frac0.5", ["--fraction", "0.5"]),
    ("frac0.50", ["--fraction", "0.50"]),
    ("frac0.33", ["--fraction", "0.33"]),
    ("frac1.0", ["--fraction", "1.0"]),
    ("frac1", ["--fraction", "1"]),
]
ORDERS = [
    ("limit-then-match", ["-n", "10", "-m", "len"]),
    ("match-then-limit", ["-m", "len", "-n", "10"]),
    ("limit-then-match-paren", ["--limit", "20", "--match", r"\("]),
    ("match-paren-then-limit", ["--match", r"\(", "--limit", "20"]),
    ("fraction-then-limit", ["--fraction", "0.5", "--limit", "5"]),
    ("limit-then-fraction", ["--limit", "5", "--fraction", "0.5"]),
    ("match-match", ["-m", r"\(", "-m", "^/"]),
    ("match-exclude-limit", ["-m", r"\(", "-x", "len", "-n", "4"]),
    ("exclude-then-limit", ["-x", r"\{", "-n", "3"]),
    ("limit-then-exclude", ["-n", "3", "-x", r"\{"]),
    ("fraction-exclude-match", ["--fraction", "0.9", "-x", "^/", "-m", "o"]),
    ("limit0-then-match", ["-n", "0", "-m", "len"]),
    ("match-empty-then-limit", ["-m", "zzz_none", "-n", "3"]),
]


def build_matrix(d):
    cases = []

    def add(row, cid, args, **kw):
        cases.append(Case(row, cid, args, **kw))

    P, P2 = d.primary, (d.others[0] if d.others else None)
    P3 = d.others[1] if len(d.others) > 1 else None
    Q = d.prof_primary
    flask = d.flask_dir if d.flask else None

    # sort keys, abbreviations, multi-key sorts
    for k in SORT_KEYS:
        if P:
            add("sort", "%s/primary" % k, ["-s", k, P])
        if flask:
            add("sort", "%s/flask-n40" % k, ["--sort", k, "-n", "40", flask])
        if Q:
            add("sort", "%s/profile" % k, ["--sort", k, Q])
    if P:
        add("sort", "default/primary", [P])
        for k in ABBREVS:
            add("abbrev", k, ["-s", k, P])
        for k in MULTI_SORTS:
            add("multisort", k, ["-s", k, P])
    if flask:
        for k in ["file,line", "stdname,time", "pcalls,pcalls", "calls,time"]:
            add("multisort", "%s/flask-strip" % k, ["-s", k, "--strip-dirs", "-n", "60", flask])

    # restrictions
    for target, inp in (("primary", P), ("profile", Q)):
        if not inp:
            continue
        for name, r in RESTRICTIONS:
            add("restrict", "%s/%s" % (name, target), r + [inp])
        for pat in MATCHES:
            add("restrict", "match=%s/%s" % (pat, target), ["-m", pat, inp])
        add("restrict", "match-long/%s" % target, ["--match", "json|sqlite", inp])
        for pat in EXCLUDES:
            add("exclude", "%s/%s" % (pat, target), ["-x", pat, inp])
        add("exclude", "long/%s" % target, ["--exclude", r"\{", inp])
        for name, r in ORDERS:
            add("order", "%s/%s" % (name, target), r + [inp])
    if flask:
        for name, r in RESTRICTIONS[:4] + [("frac0.1", ["--fraction", "0.1"])]:
            add("restrict", "%s/flask" % name, r + [flask])
        add("restrict", "match=sqlite/flask", ["-m", "sqlite", flask])
        add("exclude", "builtins/flask-strip", ["--strip-dirs", "-x", r"\{", "-n", "25", flask])

    # callers / callees
    calls_sets = [
        ("plain", []), ("limit5", ["-n", "5"]), ("limit0", ["-n", "0"]),
        ("match-len", ["-m", "len"]), ("frac0.2", ["--fraction", "0.2"]),
        ("exclude", ["-x", r"\{", "-n", "8"]), ("match-none", ["-m", "zzz_none"]),
        ("stdname", ["-s", "stdname"]), ("strip-stdname", ["--strip-dirs", "-s", "stdname"]),
        ("strip-cum-limit", ["-s", "cumulative", "--strip-dirs", "-n", "12"]),
    ]
    for target, inp in (("primary", P), ("profile", Q), ("flask", flask)):
        if not inp:
            continue
        for mode, flags in (("callers", ["--callers"]), ("callees", ["--callees"]),
                            ("both", ["--callers", "--callees"])):
            for name, r in calls_sets:
                if target == "flask" and name not in ("limit5", "strip-cum-limit", "match-len"):
                    continue
                if mode == "both" and name not in ("plain", "limit5", "strip-stdname"):
                    continue
                add("callers", "%s/%s/%s" % (mode, name, target), flags + r + [inp])
        add("callers", "both-reversed/%s" % target, ["--callees", "--callers", "-n", "4", inp])

    # strip-dirs
    strip_sorts = ["stdname", "time,calls", "cumulative", "file,line", "name", "calls", "nfl"]
    for target, inp in (("primary", [P] if P else None), ("profile", [Q] if Q else None),
                        ("flask", [flask] if flask else None),
                        ("merge3", [P, P2, P3] if P3 else None)):
        if not inp:
            continue
        for k in strip_sorts:
            add("strip", "%s/%s" % (k, target), ["--strip-dirs", "-s", k] + inp)
        add("strip", "after-sort-flag/%s" % target, ["-s", "stdname", "--strip-dirs"] + inp)
        add("strip", "default/%s" % target, ["--strip-dirs"] + inp)

    # merges
    if flask:
        add("merge", "flask-dir", [flask])
        add("merge", "flask-dir/stdname", ["-s", "stdname", flask])
        # ties keep the merged dict order, so this one sees the file order
        add("merge", "flask-dir/filename", ["-s", "filename", flask])
        add("merge", "flask-dir/line-strip", ["-s", "line", "--strip-dirs", flask])
        add("merge", "flask-dir/callees-strip", ["--callees", "--strip-dirs", "-n", "30", flask])
        add("merge", "flask-dir-vs-explicit", expand_inputs([flask]))
        add("merge", "flask-explicit-reversed", list(reversed(expand_inputs([flask]))))
        add("merge", "flask-dir-twice", ["-n", "30", flask, flask])
        if len(d.flask) >= 3:
            add("merge", "flask-3-files", d.flask[:3])
            add("merge", "flask-3-files-rev", d.flask[2::-1])
            add("merge", "flask-3-files-rot", [d.flask[1], d.flask[2], d.flask[0]])
            add("merge", "flask-2-files", d.flask[:2])
            add("merge", "flask-2-files-rev", [d.flask[1], d.flask[0]])
            add("merge", "flask-file-plus-dir", ["-n", "30", d.flask[0], flask])
    if P and P2:
        add("merge", "two", [P, P2])
        add("merge", "two-rev", [P2, P])
        add("merge", "two/callers", ["--callers", "-n", "10", P, P2])
    if P3:
        add("merge", "three", [P, P2, P3])
        add("merge", "three-acb", [P, P3, P2])
        add("merge", "three-cba", [P3, P2, P])
        add("merge", "three/strip-stdname", ["--strip-dirs", "-s", "stdname", P, P2, P3])
    vers = sorted(d.cprofile)
    if len(vers) >= 2:
        mix = [d.cprofile[v][0] for v in vers]
        add("merge", "versions-all", mix)
        add("merge", "versions-all/strip-stdname", ["--strip-dirs", "-s", "stdname"] + mix)
        add("merge", "versions-all/callers-strip", ["--callers", "--strip-dirs"] + mix)
        add("merge", "versions-all-rev", list(reversed(mix)))
        add("merge", "versions-first-last", [mix[0], mix[-1]])
        for v in vers:
            vdir = os.path.join(d.root, "cprofile", v)
            add("merge", "dir-%s" % v, [vdir])
            add("merge", "dir-%s/explicit" % v, expand_inputs([vdir]))
    if Q and P:
        add("merge", "profile+cprofile", [P, Q])
        add("merge", "cprofile+profile", [Q, P])
    prof_ok = [p for p in d.profile if pstats_loads(p, True)]
    if len(prof_ok) >= 2:
        add("merge", "profile-all", prof_ok)
        add("merge", "profile-all/strip-stdname", ["--strip-dirs", "-s", "stdname"] + prof_ok)
        add("merge", "profile-all/callees", ["--callees", "-n", "20"] + prof_ok)

    # marshal versions
    for p in d.marshal:
        v = os.path.basename(p)[:-5]
        add("marshal", v, [p])
        add("marshal", v + "/stdname", ["-s", "stdname", p])
        add("marshal", v + "/callees", ["--callees", p])
    if len(d.marshal) >= 2:
        add("marshal", "all", d.marshal)
        add("marshal", "all-rev", list(reversed(d.marshal)))
        add("marshal", "all/strip-stdname", ["--strip-dirs", "-s", "stdname"] + d.marshal)
        add("marshal", "all/callers", ["--callers", "-n", "10"] + d.marshal)
    for p in d.marshal_other:
        v = os.path.basename(p)[:-5]
        add("marshal", v, [p])
        add("marshal", v + "/stdname", ["-s", "stdname", p])
    if len(d.marshal_other) >= 2:
        add("marshal", "others-all", d.marshal_other)

    # every file alone
    for v in vers:
        for p in d.cprofile[v]:
            n = "%s/%s" % (v, os.path.basename(p))
            add("cprofile", n, [p])
            add("cprofile", n + "/stdname", ["--sort", "stdname", p])
    for p in d.profile:
        n = os.path.relpath(p, os.path.join(d.root, "profile"))
        add("profile", n, [p])
        add("profile", n + "/stdname", ["--sort", "stdname", p])
        add("profile", n + "/callees", ["--callees", p])
        add("profile", n + "/callers", ["--callers", p])
    for p in d.edge:
        n = os.path.basename(p)
        add("edge", n, [p])
        add("edge", n + "/stdname", ["--sort", "stdname", p])
        add("edge", n + "/callers", ["--callers", "-s", "stdname", p])
        add("edge", n + "/callees", ["--callees", "--strip-dirs", p])

    # Python 2.7 dumps: profview reads the original, pstats the re-saved twin
    for p2, p3 in d.py27:
        n = os.path.basename(p2)
        for name, r in (("default", []), ("stdname", ["-s", "stdname"]),
                        ("strip-cum", ["--strip-dirs", "-s", "cumulative"]),
                        ("callers", ["--callers"]), ("callees", ["--callees", "-n", "5"]),
                        ("match-len", ["-m", "len"])):
            add("py27", "%s/%s" % (n, name), r + [p2], ps_inputs=[p3])
    for p in d.py27_alone:
        n = os.path.basename(p)
        add("py27", n, [p])
        add("py27", n + "/stdname", ["-s", "stdname", p])
        add("py27", n + "/callers-strip", ["--callers", "--strip-dirs", p])
    # merged per caller shape: cProfile (tuple) and profile (int) callers don't add up
    for shape in (False, True):
        pairs = [(a, b) for a, b in d.py27 if pstats_loads(b) and has_int_callers(b) == shape]
        if len(pairs) >= 2:
            add("py27", "merge-all-%s" % ("profile" if shape else "cprofile"),
                [a for a, _ in pairs], ps_inputs=[b for _, b in pairs])
    if d.py27 and P:
        add("py27", "merge-with-py3", [d.py27[0][0], P], ps_inputs=[d.py27[0][1], P])

    # input forms and -o
    if P:
        add("io", "stdin", ["-"], ps_inputs=[P], stdin=P)
        add("io", "stdin/callers", ["--callers", "-n", "3", "-"], ps_inputs=[P], stdin=P)
        if P2:
            add("io", "file-stdin-file", [P2, "-", P], ps_inputs=[P2, P, P], stdin=P)
        add("io", "double-dash", ["-n", "5", "--", P])
        add("io", "out-file", ["-o", "@OUT@", P])
        add("io", "out-file/callees", ["--callees", "-n", "3", "-o", "@OUT@", P])

    # usage errors (exit 2); expectation cross-checked with pstats / re / int / float
    if P:
        for k in ["c", "cum", "n", "t", "bogus", "Time", "", "time,", "time,bogus"]:
            add("usage", "sort=%r" % k, ["-s", k, P], expect="usage")
        for name, r in [("limit-abc", ["-n", "abc"]), ("limit-3x", ["--limit", "3x"]),
                        ("limit-float", ["--limit", "2.5"]),
                        ("fraction-x", ["--fraction", "x"]),
                        ("fraction-1.5", ["--fraction", "1.5"]),
                        ("fraction-neg", ["--fraction", "-0.5"]),
                        ("match-paren", ["-m", "("]), ("match-bracket", ["--match", "[a-"]),
                        ("exclude-paren", ["-x", "("]), ("unknown-option", ["--bogus"]),
                        ("missing-arg", ["-s"])]:
            args = r + [P] if name != "missing-arg" else [P] + r
            add("usage", name, args, expect="usage")
    add("usage", "no-input", [], expect="usage")

    # bad inputs (exit 1); compared only for pstats-unloadable files
    for p in d.bad:
        add("bad", os.path.basename(p), [p], expect="bad", bad=[p])
    if d.bad and P:
        add("bad", "mixed", ["-n", "20", P, d.bad[0], P], expect="bad", bad=[d.bad[0]],
            ps_inputs=[P, P])
    missing = os.path.join(d.root, "no-such-file.prof")
    add("bad", "missing-file", [missing], expect="bad", bad=[missing])
    if P:
        add("bad", "missing-plus-good", [missing, P], expect="bad", bad=[missing],
            ps_inputs=[P])
    add("bad", "empty-dir", ["@EMPTYDIR@"], expect="bad")

    ids = [c.id for c in cases]
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        raise SystemExit("oracle: duplicate case ids: %s" % sorted(dup))
    return cases


# ---------------------------------------------------------------------------------------
# running and checking
# ---------------------------------------------------------------------------------------

def subst(args, tmp, cid):
    out = os.path.join(tmp, re.sub(r"[^A-Za-z0-9_.-]", "_", cid) + ".out")
    emptydir = os.path.join(tmp, "empty-dir")
    os.makedirs(emptydir, exist_ok=True)
    return [out if a == "@OUT@" else emptydir if a == "@EMPTYDIR@" else a for a in args]


def expected_for(case):
    """(kind, report bytes or None, message, number of top-level lines), kind being
    'report', 'usage', 'bad' or 'skip'. For 'bad', the bytes (or None when there is no good
    input) are the report of the good inputs."""
    for a in case.args:
        if os.path.basename(a) in DEVIATIONS:
            return ("skip", None, "known deviation: " + DEVIATIONS[os.path.basename(a)], 0)
    try:
        opt = parse_options(case.args)
    except UsageError as e:
        return ("usage", None, str(e), 0)
    if case.expect == "bad":
        if any(p != "-" and os.path.isfile(p) and pstats_loads(p) for p in case.bad):
            return ("skip", None, "pstats loads this 'bad' file", 0)
        files = case.ps_inputs
        if not files:
            return ("bad", None, None, 0)
    else:
        files = case.ps_inputs or expand_inputs(opt["inputs"])
    if not files:
        return ("skip", None, "no inputs after directory expansion", 0)
    try:
        rep, ntop = pstats_report(opt, files)
    except Unfit as e:
        return ("skip", None, str(e), 0)
    except Exception as e:
        return ("skip", None, "pstats raises %s: %s" % (type(e).__name__, str(e)[:80]), 0)
    return (case.expect if case.expect == "bad" else "report",
            rep.encode("utf-8", "surrogatepass"), None, ntop)


def run_profview(profview, case, args, timeout):
    stdin = open(case.stdin, "rb") if case.stdin else subprocess.DEVNULL
    try:
        t0 = time.monotonic()
        p = subprocess.run(profview + args, stdin=stdin, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, cwd=REPO, timeout=timeout,
                           env=dict(os.environ, **ENV_FIXED))
        return p.returncode, p.stdout, p.stderr, time.monotonic() - t0
    except subprocess.TimeoutExpired:
        return None, b"", b"timeout", timeout
    except OSError as e:
        return None, b"", str(e).encode(), 0.0
    finally:
        if case.stdin:
            stdin.close()


def printable(b):
    """Text for the terminal: invalid UTF-8 and control characters escaped."""
    t = b.decode("utf-8", "backslashreplace")
    return re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", lambda m: "\\x%02x" % ord(m.group()), t)


def udiff(expected, actual, limit=30):
    a = printable(expected).splitlines(True)
    b = printable(actual).splitlines(True)
    lines = list(difflib.unified_diff(a, b, "pstats", "profview", n=2))
    if not lines:
        off = next((i for i, (x, y) in enumerate(zip(expected, actual)) if x != y),
                   min(len(expected), len(actual)))
        lines = ["(no line diff; bytes differ at offset %d: expected %r, got %r)\n" % (
            off, expected[off:off + 20], actual[off:off + 20])]
    shown = [l if l.endswith("\n") else l + "\\ (no newline)\n" for l in lines[:limit]]
    if len(lines) > limit:
        shown.append("... (%d more diff lines)\n" % (len(lines) - limit))
    return "".join("    " + l for l in shown)


def check(case, exp, res, out_path):
    """Returns a list of problems (empty = pass)."""
    kind, want, _, ntop = exp
    rc, out, err, _ = res
    errl = printable(err).splitlines()
    probs = []
    if rc is None:
        return ["profview did not run: %s" % err.decode(errors="replace")]
    if kind == "usage":
        if rc != 2:
            probs.append("exit status %d, want 2 (usage error)" % rc)
        if len(errl) != 1 or not errl[0].startswith("profview: "):
            probs.append("stderr must be one 'profview: ...' line, got %r" % err[:300])
        if out:
            probs.append("stdout must be empty on a usage error, got %r" % out[:200])
        return probs
    if kind == "bad":
        if rc != 1:
            probs.append("exit status %d, want 1 (bad input)" % rc)
        for p in case.bad:
            exists = os.path.exists(p)
            rx = re.compile(r"profview: %s: %s\S" % (
                re.escape(p), r"byte \d+: " if exists else ""))
            if not any(rx.match(l) for l in errl):
                probs.append("no stderr line 'profview: %s: %s...' in %r" % (
                    p, "byte N: MESSAGE" if exists else "MESSAGE", err[:300]))
        if not errl:
            probs.append("no message on stderr")
        bad_lines = [l for l in errl if not l.startswith("profview: ")]
        if bad_lines:
            probs.append("stderr lines not starting with 'profview: ': %r" % bad_lines[:3])
        if want is None:
            return probs
    else:
        if rc != 0:
            probs.append("exit status %d, want 0" % rc)
        if err:
            probs.append("stderr not empty: %r" % err[:300])
    if out_path:
        if out:
            probs.append("stdout must be empty with -o, got %r" % out[:200])
        try:
            with open(out_path, "rb") as f:
                out = f.read()
        except OSError as e:
            probs.append("-o file not written: %s" % e)
            return probs
    nl = out.find(b"\n")
    if nl <= 0:
        probs.append("no summary line (output starts %r)" % out[:80])
        return probs
    rest = out[nl + 1:]
    if not rest.startswith(b"\n"):
        probs.append("line 2 is not empty: %r" % rest[:80])
    if ntop > 1:
        # several top-level lines come out in set (hash) order
        def top_sorted(b):
            lines = b.split(b"\n")
            return b"\n".join(lines[:1] + sorted(lines[1:1 + ntop]) + lines[1 + ntop:])
        rest, want = top_sorted(rest), top_sorted(want)
    if "--callers" in case.args or "--callees" in case.args:
        got, exp = rest.split(b"\n", ntop + 3), want.split(b"\n", ntop + 3)
        n = ntop + 1
        if got[n:n + 1] != exp[n:n + 1]:
            probs.append("line %d is not the totals line %r: %r" % (n + 2, exp[n], got[n:n + 1]))
        if got[n + 1:n + 2] != [b""]:
            probs.append("line %d (after the totals line) is not empty: %r" % (
                n + 3, got[n + 1:n + 2]))
    rest, want = normalize(rest), normalize(want)
    if rest != want:
        probs.append("report differs from pstats:\n" + udiff(want, rest))
    return probs


def py27_order_note(case):
    """On a failing py27 case: say whether the Python 3 twin lost the Python 2 file's entry
    order (a re-save through Python 2's marshal.load does). Sort ties keep dict order, so
    then the twin, not profview, is wrong. Uses the fake's Py2 reader, for this hint only."""
    from fake_profview import Py2Reader
    notes = []
    for p2, p3 in zip([a for a in case.args if a.endswith(".prof")], case.ps_inputs or []):
        if p2 == p3:
            continue
        try:
            with open(p2, "rb") as f:
                order2 = list(Py2Reader(f.read()).obj())
            with open(p3, "rb") as f:
                order3 = list(marshal.load(f))
        except Exception:
            continue
        if order2 != order3:
            moved = sum(a != b for a, b in zip(order2, order3))
            notes.append("note: %s lists its entries in another order than %s (%d of %d "
                         "positions differ); ties sort in dict order, so the twin must keep "
                         "the Python 2 file's order" % (p3, p2, moved, len(order2)))
    return notes


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--profview", default="./profview",
                    help="profview command (split with shlex; relative to the repo root)")
    ap.add_argument("--testdata", default=os.path.join(REPO, "testdata"))
    ap.add_argument("-k", dest="filter", action="append", default=[],
                    help="only cases whose id contains SUBSTR (repeatable: any)")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--list", action="store_true", help="list the case ids and exit")
    ap.add_argument("--strict", action="store_true",
                    help="a matrix row without any case is a failure "
                         "(use once testdata/ is complete)")
    ap.add_argument("--update-none", action="store_true",
                    help="accepted for symmetry with the golden tests: the oracle stores no "
                         "expected output, so there is nothing to update")
    a = ap.parse_args()

    os.chdir(REPO)
    testdata = os.path.relpath(a.testdata) if os.path.abspath(a.testdata).startswith(
        REPO + os.sep) else os.path.abspath(a.testdata)
    profview = shlex.split(a.profview)
    if not profview:
        print("oracle: empty --profview", file=sys.stderr)
        return 2
    if not a.list:
        exe = profview[0]
        if os.sep in exe and not os.path.exists(exe) or os.sep not in exe and not any(
                os.access(os.path.join(d, exe), os.X_OK)
                for d in os.environ.get("PATH", "").split(os.pathsep)):
            print("oracle: profview not found: %s (build it or pass --profview)" % exe)
            print("oracle: 0 passed, 0 failed, 0 skipped")
            return 2

    data = Data(testdata)
    cases = build_matrix(data)
    rows_with_cases = {c.row for c in cases}
    missing_rows = [r for r in ROWS if r not in rows_with_cases]
    if a.filter:
        cases = [c for c in cases if any(s in c.id for s in a.filter)]
    if a.list:
        for c in cases:
            print(c.id)
        print("oracle: %d cases" % len(cases))
        return 0

    t0 = time.monotonic()
    tmp = tempfile.mkdtemp(prefix="profview-oracle-")
    passed = failed = skipped = 0
    try:
        jobs = []
        for c in cases:
            exp = expected_for(c)
            if exp[0] == "skip":
                skipped += 1
                if a.verbose:
                    print("SKIP %s: %s" % (c.id, exp[2]))
                continue
            want_kind = {"report": "report", "bad": "bad", "usage": "usage"}[c.expect]
            if exp[0] != want_kind:
                failed += 1
                print("FAIL %s: the table expects %s but pstats says %s (%s)\n    cmd: %s" % (
                    c.id, c.expect, exp[0], exp[2], c.command(profview)))
                continue
            args = subst(c.args, tmp, c.id)
            out_path = args[args.index("-o") + 1] if "-o" in args else None
            jobs.append((c, exp, args, out_path))

        with concurrent.futures.ThreadPoolExecutor(max(1, a.jobs)) as pool:
            futs = [pool.submit(run_profview, profview, c, args, a.timeout)
                    for c, _, args, _ in jobs]
            for (c, exp, args, out_path), fut in zip(jobs, futs):
                res = fut.result()
                probs = check(c, exp, res, out_path)
                shown = " ".join(shlex.quote(x) for x in profview + args) + (
                    " < " + shlex.quote(c.stdin) if c.stdin else "")
                if probs and c.row == "py27":
                    probs += py27_order_note(c)
                if probs:
                    failed += 1
                    print("FAIL %s\n    cmd: %s" % (c.id, shown))
                    for p in probs:
                        print("    " + p.rstrip("\n"))
                else:
                    passed += 1
                    if a.verbose:
                        print("ok   %s (%.0f ms)" % (c.id, res[3] * 1000))
    finally:
        shutil.rmtree(tmp)

    if missing_rows and not a.filter:
        for r in missing_rows:
            print("oracle: %s: matrix row %r has no case (no test data under %s)" % (
                "FAIL" if a.strict else "warning", r, testdata))
        if a.strict:
            failed += len(missing_rows)
    if a.verbose:
        print("oracle: %.1f s" % (time.monotonic() - t0))
    print("oracle: %d passed, %d failed, %d skipped" % (passed, failed, skipped))
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
