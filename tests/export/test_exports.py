#!/usr/bin/env python3
"""Export tests: profview's -f callgrind / pstats / json / dot writers and -o.

Run from the repository root:

    python3 tests/export/test_exports.py --profview ./profview [-v] [--keep]

CPython's own pstats (the python3 running this script) is the oracle for every
number.  External tools: callgrind_annotate (Debian package valgrind), dot
(graphviz) and script (bsdutils).  A missing tool is a failure, not a skip.

Prints one line per check (PASS/FAIL/SKIP name[: detail]) and ends with exactly
one line `exports: N passed, N failed`.  Exit status 1 if a check failed or
none ran.  Python 3 stdlib only; about 10 s.

Checks (see tests/export/README.md for the details and the reasons):
  1. callgrind: structure lint (callgrind.md 6(a) invariants 1, 6, 7, 8),
     callgrind_annotate (empty stderr, PROGRAM TOTALS, every exclusive row),
     invariant 4 (sum of calls= into a function == pstats nc) for cProfile
     data, and the clamping warning for negative times.
  2. pstats: merged .prof == pstats.Stats(*same files) (order, types, float
     bits); profview on the merged file prints the same report; Python 2 dumps
     become Python 3 readable; refusal to write binary to a terminal.
  3. json: json.tool parses it; the schema; every number equals pstats';
     escaping of control characters, quotes, non-ASCII and lone surrogates.
  4. dot: dot -Tsvg renders it without a word on stderr; node/edge thresholds.
  5. -o: write errors, missing directories, failed runs leave an existing file
     untouched, no temporary files left, file mode.
"""

import argparse
import glob
import json
import marshal
import math
import os
import pstats
import re
import shlex
import shutil
import signal
import stat
import struct
import subprocess
import sys
import tempfile
import traceback

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
TD = os.path.join(REPO, "testdata")
ENV = dict(os.environ, TZ="UTC", LC_ALL="C.UTF-8")
U64 = (1 << 64) - 1


# ---------------------------------------------------------------------------
# harness

class Results:
    def __init__(self, verbose):
        self.passed = self.failed = self.skipped = 0
        self.verbose = verbose

    def check(self, name, fn, *args):
        """fn returns None/"" on success, or a string (or list of strings) saying
        what is wrong.  An exception is a failure."""
        try:
            r = fn(*args)
        except Exception as e:  # noqa: BLE001 - a crash in a check is a failure
            r = "%s: %s" % (type(e).__name__, e)
            if self.verbose:
                traceback.print_exc()
        if isinstance(r, Skip):
            self.skipped += 1
            print("SKIP %s: %s" % (name, r.why), flush=True)
            return
        if isinstance(r, (list, tuple)):
            r = "; ".join(str(x) for x in r[:6]) + (" (+%d more)" % (len(r) - 6) if len(r) > 6 else "")
        if r:
            self.failed += 1
            print("FAIL %s: %s" % (name, r), flush=True)
        else:
            self.passed += 1
            print("PASS %s" % name, flush=True)


class Skip:
    def __init__(self, why):
        self.why = why


class Ctx:
    profview = None  # argv list
    tmp = None
    verbose = False


def run(args, stdin=None, stdout=subprocess.PIPE, cwd=REPO, preexec_fn=None, timeout=60):
    p = subprocess.run(args, stdin=stdin, stdout=stdout, stderr=subprocess.PIPE, cwd=cwd,
                       env=ENV, preexec_fn=preexec_fn, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def pv(*args, **kw):
    return run(Ctx.profview + list(args), **kw)


def td(*parts):
    return os.path.join(TD, *parts)


def tmp(name):
    return os.path.join(Ctx.tmp, name)


def dec(b):
    # profview writes UTF-8; Python's surrogatepass strings come back as
    # encoded surrogates, which this decodes to the same str.
    return b.decode("utf-8", "surrogatepass")


def need_tool(name):
    if shutil.which(name) is None:
        raise RuntimeError("%s is not installed (Debian: %s)" % (
            name, {"callgrind_annotate": "valgrind", "dot": "graphviz", "script": "bsdutils"}.get(name, name)))


def flask_files():
    return sorted(glob.glob(td("flask", "**", "*.prof"), recursive=True))


def load_stats(files):
    return pstats.Stats(*files)


def write_weird(path):
    """A dump with names that exercise every writer's escaping."""
    root = ('weird/"quoted"\\back.py', 1, 'f"q"\\b')
    stats = {
        root: (1, 1, 0.001, 0.004, {}),
        ("ctl.py", 2, "tab\there\nnl\rcr\x01\x1f\x7f"): (2, 2, 0.0005, 0.0005, {root: (2, 2, 0.0005, 0.0005)}),
        ("ünï/файл.py", 3, "計算 😀 \u2028 x"): (1, 1, 0.00025, 0.00025, {root: (1, 1, 0.00025, 0.00025)}),
        ("sp.py", 4, "  leading blanks"): (1, 1, 0.000125, 0.000125, {root: (1, 1, 0.000125, 0.000125)}),
        ("(1) paren.py", 5, "(2) paren"): (3, 3, 3e-05, 3e-05, {root: (3, 3, 3e-05, 3e-05)}),
        ("~", 0, "<method 'a, b' of 'x' objects>"): (1, 1, 1e-06, 1e-06, {root: (1, 1, 1e-06, 1e-06)}),
    }
    with open(path, "wb") as f:
        marshal.dump(stats, f)


def write_surrogate(path):
    """A file under a non-UTF-8 directory: Python keeps the byte as a lone
    surrogate (surrogateescape) and marshal writes it with surrogatepass."""
    root = ("/srv/caf\udce9/app.py", 1, "main")
    stats = {
        root: (1, 1, 0.001, 0.002, {}),
        ("/srv/caf\udce9/app.py", 7, "lone\ud800name"): (1, 1, 0.001, 0.001, {root: (1, 1, 0.001, 0.001)}),
    }
    with open(path, "wb") as f:
        marshal.dump(stats, f)


# ---------------------------------------------------------------------------
# numbers as the writers must compute them

def ns(t):
    """round(t * 1e9) half away from zero (C llround), clamped to [0, 2**64-1];
    returns (value, clamped?) -- clamped for negative or NaN."""
    x = float(t) * 1e9
    if not x >= 0:
        return 0, True
    if x >= 2.0 ** 64:
        return U64, False
    f = math.floor(x)
    return int(f) + (1 if x - f >= 0.5 else 0), False


def bits(x):
    return struct.pack("<d", x)


def same(a, b, path="stats"):
    """None if a and b are equal with the same types, float bits and dict order;
    otherwise where they differ."""
    if type(a) is not type(b):
        return "%s: %s %r vs %s %r" % (path, type(a).__name__, a, type(b).__name__, b)
    if isinstance(a, float):
        return None if bits(a) == bits(b) else "%s: %r (%s) vs %r (%s)" % (path, a, a.hex(), b, b.hex())
    if isinstance(a, tuple):
        if len(a) != len(b):
            return "%s: tuple of %d vs %d" % (path, len(a), len(b))
        for i, (x, y) in enumerate(zip(a, b)):
            d = same(x, y, "%s[%d]" % (path, i))
            if d:
                return d
        return None
    if isinstance(a, dict):
        ka, kb = list(a), list(b)
        if len(ka) != len(kb):
            return "%s: %d keys vs %d (missing %r, extra %r)" % (
                path, len(ka), len(kb), [k for k in kb if k not in a][:3], [k for k in ka if k not in b][:3])
        for i, (x, y) in enumerate(zip(ka, kb)):
            d = same(x, y, "%s key #%d" % (path, i))
            if d:
                if set(ka) == set(kb):
                    return "%s: same keys in another order (first difference at #%d: %r vs %r)" % (path, i, x, y)
                return d
        for k in ka:
            d = same(a[k], b[k], "%s[%r]" % (path, k))
            if d:
                return d
        return None
    return None if a == b else "%s: %r vs %r" % (path, a, b)


# ---------------------------------------------------------------------------
# 1. callgrind

SPEC_RE = re.compile(r"^(ob|fl|fi|fe|fn|cob|cfi|cfl|cfn)=(.*)$")
KIND = {"ob": "ob", "cob": "ob", "fl": "file", "fi": "file", "fe": "file", "cfi": "file",
        "cfl": "file", "fn": "fn", "cfn": "fn"}
HEADER_RE = re.compile(r"^(version|creator|pid|cmd|part|thread|desc|positions|event|events|summary|totals): (.*)$")
POS_RE = re.compile(r"^(?:[0-9]+|0x[0-9a-fA-F]+|[+-][0-9]+|[+-]0x[0-9a-fA-F]+|\*)$")
COST_RE = re.compile(r"^(?:[0-9]+|0x[0-9a-fA-F]+)$")


def lint_callgrind(text):
    """callgrind.md 6(a): invariants 1 (file-internal part), 6, 7 and 8, and
    the header order readers depend on.  Returns (errors, info) where info has
    self costs and incoming call counts per (file name, function name)."""
    errs = []
    names = {"file": {}, "fn": {}, "ob": {}}
    cur = {"file": None, "fn": None, "cfile": None, "cfn": None}
    events = None
    npos = 1
    summary = totals = None
    self_sum = 0
    self_cost = {}
    calls_in = {}
    expect_cost = None  # line number of the calls= line waiting for its cost line
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines or lines[0] != "# callgrind format":
        errs.append("line 1 is not '# callgrind format'")

    def resolve(kind, val, ln):
        m = re.match(r"^\((\d+)\)(.*)$", val)
        if not m:
            if val.strip() == "":
                errs.append("line %d: empty name" % ln)
            return val
        i, rest = int(m.group(1)), m.group(2).lstrip(" \t")
        if rest == "":  # a reference
            if i not in names[kind]:
                errs.append("line %d: %s id (%d) used before it is defined" % (ln, kind, i))
                return None
            return names[kind][i]
        if i in names[kind]:
            errs.append("line %d: %s id (%d) defined again (first as %r)" % (ln, kind, i, names[kind][i]))
        names[kind][i] = rest
        return rest

    for ln, line in enumerate(lines, 1):
        costs_line = None
        if expect_cost is not None:
            if not line or not (POS_RE.match(line.split(" ")[0]) or line[0].isdigit()):
                errs.append("line %d: calls= is not followed by a cost line (%r)" % (expect_cost, line[:60]))
                expect_cost = None
            else:
                costs_line = "call"
        if costs_line is None:
            if line == "" or line.startswith("#"):
                continue
            m = HEADER_RE.match(line)
            if m:
                key, val = m.groups()
                if key == "events":
                    if events is not None:
                        errs.append("line %d: second events: line" % ln)
                    events = val.split()
                elif key == "positions":
                    if events is not None:
                        errs.append("line %d: positions: after events: starts a new part" % ln)
                    npos = len(val.split())
                elif key in ("summary", "totals"):
                    if events is None:
                        errs.append("line %d: %s: before events:" % (ln, key))
                    if not re.match(r"^[0-9]+$", val):
                        errs.append("line %d: %s: %r is not a non-negative integer" % (ln, key, val))
                    elif key == "summary":
                        summary = int(val)
                    else:
                        totals = int(val)
                elif key in ("part", "pid", "thread") and events is not None:
                    errs.append("line %d: %s: after events: starts a new part" % (ln, key))
                elif key == "event" and events is not None:
                    errs.append("line %d: event: after events: (callgrind_annotate warns)" % ln)
                continue
            m = SPEC_RE.match(line)
            if m:
                spec, val = m.groups()
                name = resolve(KIND[spec], val, ln)
                if spec in ("fl", "fi", "fe"):
                    cur["file"] = name
                elif spec == "fn":
                    cur["fn"] = name
                elif spec in ("cfi", "cfl"):
                    cur["cfile"] = name
                elif spec == "cfn":
                    cur["cfn"] = name
                continue
            m = re.match(r"^calls=(\S+)((?: \S+)*)$", line)
            if m:
                cnt = m.group(1)
                if not re.match(r"^[0-9]+$", cnt):
                    errs.append("line %d: calls count %r is not an integer" % (ln, cnt))
                elif int(cnt) == 0:
                    errs.append("line %d: calls=0" % ln)
                if cur["cfn"] is None:
                    errs.append("line %d: calls= without cfn=" % ln)
                callee = (cur["cfile"] if cur["cfile"] is not None else cur["file"], cur["cfn"])
                if re.match(r"^[0-9]+$", cnt):
                    calls_in[callee] = calls_in.get(callee, 0) + int(cnt)
                cur["cfile"] = cur["cfn"] = None
                expect_cost = ln
                continue
            if re.match(r"^(jump|jcnd)=", line):
                continue
            if line[0].isdigit() or line[0] in "+-*":
                costs_line = "self"
            else:
                errs.append("line %d: unrecognised line %r" % (ln, line[:60]))
                continue
        # a cost line
        tok = line.split(" ")
        if events is None:
            errs.append("line %d: cost line before events:" % ln)
        pos, costs = tok[:npos], tok[npos:]
        for p in pos:
            if not POS_RE.match(p):
                errs.append("line %d: bad position %r" % (ln, p))
        for c in costs:
            if not COST_RE.match(c):
                errs.append("line %d: cost %r is not a non-negative integer" % (ln, c))
        if events is not None and len(costs) > len(events):
            errs.append("line %d: more costs than events" % ln)
        if re.match(r"^[0-9]+ .*[.-]", line):
            errs.append("line %d: float or negative cost %r" % (ln, line[:60]))
        if costs_line == "call":
            expect_cost = None
            continue
        if cur["fn"] is None:
            errs.append("line %d: cost line before any fn=" % ln)
        v = int(costs[0], 0) if costs and COST_RE.match(costs[0]) else 0
        self_sum += v
        k = (cur["file"], cur["fn"])
        self_cost[k] = self_cost.get(k, 0) + v
    if expect_cost is not None:
        errs.append("line %d: calls= at the end of the file" % expect_cost)
    if events is None:
        errs.append("no events: line")
    if summary is None or totals is None:
        errs.append("summary: or totals: missing")
    if summary is not None and summary != self_sum:
        errs.append("summary: %d != sum of self cost lines %d" % (summary, self_sum))
    if totals is not None and totals != self_sum:
        errs.append("totals: %d != sum of self cost lines %d" % (totals, self_sum))
    return errs, {"self": self_cost, "calls_in": calls_in, "summary": summary, "self_sum": self_sum}


LINT_SELFTEST = """# callgrind format
version: 1
creator: x
positions: line
events: ns
summary: 10

fl=(1) a.py
fn=(1) f
1 5.5
cfi=(2)
cfn=(2) g
calls=0 2
1 7
fn=(1) f2
fl=(3) b.py
calls=2 1
fn=(4) h
3 -1

totals: 12
"""


SPEC_EXAMPLE = """# callgrind format
version: 1
creator: prototype
cmd: python3 sample.py
part: 1
positions: line
event: ns : Time (nanoseconds)
events: ns
summary: 44000

fl=(1) /home/u/sample.py
fn=(1) fib
1 26000
cfi=(1)
cfn=(1)
calls=12 1
1 20000

fl=(1)
fn=(2) helper
6 6000
cfi=(2) ~
cfn=(3) <built-in method builtins.len>
calls=3 0
6 3000

fl=(1)
fn=(4) work
9 5000
cfi=(1)
cfn=(1)
calls=1 1
9 17000
cfi=(1)
cfn=(2)
calls=3 6
9 9000

fl=(1)
fn=(5) main
16 3000
cfi=(1)
cfn=(1)
calls=1 1
16 9000
cfi=(1)
cfn=(4)
calls=1 9
16 31000

fl=(2)
fn=(3)
0 3000

fl=(2)
fn=(6) <method 'disable' of '_lsprof.Profiler' objects>
0 1000

totals: 44000
"""


def check_lint_selftest():
    errs, _ = lint_callgrind(LINT_SELFTEST)
    want = ["float or negative", "(2) used before", "calls=0", "defined again", "not followed by a cost",
            "summary: 10 !="]
    missing = [w for w in want if not any(w in e for e in errs)]
    if missing:
        return "lint misses %s (got %s)" % (missing, errs)
    # and the worked example of callgrind.md section 5 is clean
    errs, info = lint_callgrind(SPEC_EXAMPLE)
    if errs or info["calls_in"].get(("/home/u/sample.py", "fib")) != 14:
        return "lint on the callgrind.md example: %s, fib calls %r" % (errs, info["calls_in"])
    return None


def cg_put_name(s):
    s = s.lstrip(" \t")
    if not s:
        return "(no name)"
    return s.replace("\n", "?").replace("\r", "?")


def cg_file(f):
    return cg_put_name(f) if f else "~"


def cg_names(st):
    """(file shown, function shown) for every function the export writes: the
    pstats keys and the keys that only appear as callers (callgrind.md 4.2)."""
    keys = list(st.stats)
    seen = set(keys)
    for v in st.stats.values():
        for c in v[4]:
            if c not in seen:
                seen.add(c)
                keys.append(c)
    groups = {}
    for k in keys:
        groups.setdefault((k[2], k[0].rsplit("/", 1)[-1]), []).append(k)
    out = {}
    for grp in groups.values():
        for k in grp:
            name = cg_put_name(k[2])
            if len(grp) > 1:
                name += ":%d" % k[1]
                if sum(1 for o in grp if o[1] == k[1]) > 1:
                    name += " [%s]" % cg_put_name(k[0])
            out[k] = (cg_file(k[0]), name)
    return out


def annotate(path):
    """Run callgrind_annotate as callgrind.md 6(a) says; (rc, stderr, total, rows)."""
    need_tool("callgrind_annotate")
    rc, out, err = run(["callgrind_annotate", "--auto=no", "--threshold=100", os.path.abspath(path)], cwd="/")
    total, rows, dup = None, {}, []
    for line in dec(out).split("\n"):
        m = re.match(r"^ *([0-9,]+)(?: \( *-?[0-9.]+%\))? +(\S.*)$", line)
        if not m:
            continue
        v, key = int(m.group(1).replace(",", "")), m.group(2)
        if key in ("PROGRAM TOTALS", "PROGRAM TOTALS (calculated)"):
            total = v
        elif key in rows:
            dup.append(key)
        else:
            rows[key] = v
    return rc, dec(err), total, rows, dup


def callgrind_case(name, inputs, cprofile, expect_warning=False):
    out = tmp("cg.%s.out" % name)
    rc, _, err = pv(*inputs, "-f", "callgrind", "-o", out)
    err = dec(err)
    problems = []
    st = load_stats([p for i in inputs for p in (sorted(glob.glob(os.path.join(i, "**", "*.prof"), recursive=True))
                                                  if os.path.isdir(i) else [i])])
    names = cg_names(st)
    # the clamping warning: one per negative or NaN time written as 0
    nclamped = 0
    for k, v in st.stats.items():
        nclamped += ns(v[2])[1]
        for c, e in v[4].items():
            if isinstance(e, tuple):
                cost, cl = ns(e[3])
                n = e[0]
            else:
                n = e
                cl = v[1] > 0 and ns(float(v[3]) * n / v[1])[1]
                cost = 0
            if n > 0 or cost > 0:
                nclamped += bool(cl)
    if rc != 0:
        problems.append("exit %d" % rc)
    want_err = ("profview: warning: %d negative or NaN times written as 0\n" % nclamped) if nclamped else ""
    if expect_warning and not nclamped:
        problems.append("test data has no negative time")
    if err != want_err:
        problems.append("stderr %r, expected %r" % (err[:200], want_err))
    if problems:
        return problems
    text = dec(open(out, "rb").read())
    errs, info = lint_callgrind(text)
    problems += ["lint: " + e for e in errs]
    want_total = sum(ns(v[2])[0] for v in st.stats.values())
    if info["summary"] != want_total:
        problems.append("summary: %s, expected sum of round(tt*1e9) = %d" % (info["summary"], want_total))
    # callgrind_annotate
    arc, aerr, atotal, rows, dup = annotate(out)
    if arc != 0:
        problems.append("callgrind_annotate exit %d" % arc)
    if aerr:
        problems.append("callgrind_annotate stderr: %r" % aerr[:300])
    if atotal != want_total:
        problems.append("PROGRAM TOTALS %s, expected %d" % (atotal, want_total))
    if dup:
        problems.append("callgrind_annotate rows twice: %r" % dup[:3])
    want_rows = {}
    for k, (f, n) in names.items():
        key = "%s:%s" % (f, n)
        if key in want_rows:
            problems.append("two functions shown as %r" % key)
        want_rows[key] = want_rows.get(key, 0) + (ns(st.stats[k][2])[0] if k in st.stats else 0)
    for key, v in want_rows.items():
        if rows.get(key, 0) != v:
            problems.append("row %r: %s, expected %d" % (key, rows.get(key), v))
    for key, v in rows.items():
        if key not in want_rows and v:
            problems.append("unexpected row %r: %d" % (key, v))
    # invariant 4: calls= into each function == pstats nc (cProfile data)
    if cprofile:
        for k, v in st.stats.items():
            if not any(isinstance(e, tuple) and e[0] > 0 for e in v[4].values()):
                continue
            got = info["calls_in"].get(names[k], 0)
            if got != v[1]:
                problems.append("invariant 4: %s: calls= sum %d, pstats nc %d" % (names[k], got, v[1]))
    return problems


# ---------------------------------------------------------------------------
# 2. pstats

def totals_down(text):
    lines = text.split("\n")
    for i, l in enumerate(lines):
        if "function calls" in l and " in " in l:
            return "\n".join(lines[i:])
    return None


def pstats_case(name, inputs, files=None):
    files = files or [p for i in inputs for p in (sorted(glob.glob(os.path.join(i, "**", "*.prof"), recursive=True))
                                                    if os.path.isdir(i) else [i])]
    out = tmp("merged.%s.prof" % name)
    rc, _, err = pv(*inputs, "-f", "pstats", "-o", out)
    if rc != 0 or err:
        return "exit %d, stderr %r" % (rc, dec(err)[:200])
    got = pstats.Stats(out).stats
    want = pstats.Stats(*files).stats
    d = same(got, want)
    if d:
        return "merged.prof differs from pstats.Stats(%d files): %s" % (len(files), d)
    merged_tt, orig_tt = pstats.Stats(out).total_tt, pstats.Stats(*files).total_tt
    for opts in ([], ["--sort", "cumulative", "--callers"]):
        rc1, a, e1 = pv(out, *opts)
        rc2, b, e2 = pv(*inputs, *opts)
        if rc1 or rc2 or e1 or e2:
            return "report %s: exit %d/%d, stderr %r %r" % (opts, rc1, rc2, e1[:100], e2[:100])
        ta, tb = totals_down(dec(a)), totals_down(dec(b))
        if ta is not None and tb is not None and bits(float(merged_tt)) != bits(float(orig_tt)):
            # pstats sums the per-file totals in add() order, a single file
            # entry by entry: the merged file's own total may round apart
            # (edge/merge_*: 2**53 + 2 + 2 vs 2**53 + 4).  Its totals line
            # must then show pstats' total of merged.prof; the rest is equal.
            want = re.sub(r" in -?[0-9.a-z]+ seconds$", " in %.3f seconds" % merged_tt,
                          tb.split("\n", 1)[0])
            if ta.split("\n", 1)[0] != want:
                return "report %s: totals line %r, expected %r" % (opts, ta.split("\n", 1)[0], want)
            ta, tb = ta.split("\n", 1)[1], tb.split("\n", 1)[1]
        if ta is None or ta != tb:
            la, lb = (ta or "").split("\n"), (tb or "").split("\n")
            i = next((i for i in range(min(len(la), len(lb))) if la[i] != lb[i]), min(len(la), len(lb)))
            return "report %s differs at line %d: %r vs %r" % (
                opts, i, la[i] if i < len(la) else None, lb[i] if i < len(lb) else None)
    return None


def py2_decoded(x):
    if isinstance(x, bytes):
        return x.decode("utf-8")
    if isinstance(x, tuple):
        return tuple(py2_decoded(i) for i in x)
    if isinstance(x, dict):
        return {py2_decoded(k): py2_decoded(v) for k, v in x.items()}
    return x


def py27_case():
    srcs = sorted(p for p in glob.glob(td("py27", "*.prof")) if not p.endswith(".py3.prof"))
    if not srcs:
        return "no Python 2.7 dumps in testdata/py27"
    problems = []
    for src in srcs:
        ref = re.sub(r"(\.v0bytes)?\.prof$", ".py3.prof", src)
        if not os.path.exists(ref):
            problems.append("%s: no %s" % (src, ref))
            continue
        out = tmp("py27.%s" % os.path.basename(src))
        rc, _, err = pv(src, "-f", "pstats", "-o", out)
        if rc != 0 or err:
            problems.append("%s: exit %d, stderr %r" % (src, rc, dec(err)[:100]))
            continue
        got, want = pstats.Stats(out).stats, pstats.Stats(ref).stats
        if src.endswith(".v0bytes.prof"):
            # the same data re-dumped by Python 2 (v0, no conversion): its own
            # dict order, names as bytes in Python 3.  Same dict as the
            # .py3.prof; order, types and floats as the file itself, decoded.
            if got != want:
                problems.append("%s: not the same dict as %s" % (os.path.basename(src), os.path.basename(ref)))
            want = py2_decoded(pstats.Stats(src).stats)
        d = same(got, want)
        if d:
            problems.append("%s: %s" % (os.path.basename(src), d))
    return problems


def tty_refusal():
    need_tool("script")
    f = td("edge", "merge_a.prof")
    problems = []
    for extra in ("", " -o -"):
        cmd = "%s %s -f pstats%s" % (" ".join(shlex.quote(a) for a in Ctx.profview), shlex.quote(f), extra)
        rc, out, _ = run(["script", "-qec", cmd, "/dev/null"], stdin=subprocess.DEVNULL)
        text = out.decode("utf-8", "replace")
        if rc != 2:
            problems.append("%r: exit %d, expected 2" % (extra or "stdout", rc))
        if "profview:" not in text or "-o" not in text:
            problems.append("%r: no message naming -o (got %r)" % (extra or "stdout", text[:200]))
        if "\x00" in text or "\ufffd" in text:
            problems.append("%r: binary data reached the terminal" % extra)
    return problems


# ---------------------------------------------------------------------------
# 3. json

def num_ok(got, want):
    """JSON value vs the pstats value: ints exact, floats the same double,
    NaN and infinities null."""
    if isinstance(want, bool) or isinstance(got, bool):
        return got == want and type(got) is type(want)
    if isinstance(want, float):
        if not math.isfinite(want):
            return got is None
        return isinstance(got, float) and bits(got) == bits(want)
    return type(got) is int and got == want


def json_case(name, inputs, files=None):
    files = files or [p for i in inputs for p in (sorted(glob.glob(os.path.join(i, "**", "*.prof"), recursive=True))
                                                    if os.path.isdir(i) else [i])]
    out = tmp("json.%s.json" % name)
    rc, _, err = pv(*inputs, "-f", "json", "-o", out)
    if rc != 0 or err:
        return "exit %d, stderr %r" % (rc, dec(err)[:200])
    trc, _, terr = run([sys.executable, "-m", "json.tool", out], stdout=subprocess.DEVNULL)
    if trc != 0:
        return "python3 -m json.tool: %s" % dec(terr).strip()[:300]
    with open(out, "rb") as f:
        doc = json.loads(f.read().decode("utf-8"))  # strict UTF-8: JSON text must be
    st = pstats.Stats(*files)
    p = []
    if not isinstance(doc, dict) or list(doc) != ["schema", "units", "total_calls", "primitive_calls",
                                                   "total_time", "profiles", "functions"]:
        return "top-level keys %r" % (list(doc) if isinstance(doc, dict) else type(doc).__name__)
    if doc["schema"] != "profview-stats/1" or doc["units"] != {"time": "s"}:
        p.append("schema %r units %r" % (doc["schema"], doc["units"]))
    st.calc_callees()
    if not num_ok(doc["total_calls"], st.total_calls):
        p.append("total_calls %r != %r" % (doc["total_calls"], st.total_calls))
    if not num_ok(doc["primitive_calls"], st.prim_calls):
        p.append("primitive_calls %r != %r" % (doc["primitive_calls"], st.prim_calls))
    if not num_ok(doc["total_time"], st.total_tt):
        p.append("total_time %r != %r" % (doc["total_time"], st.total_tt))
    if not num_ok(doc["profiles"], len(files)):
        p.append("profiles %r != %d" % (doc["profiles"], len(files)))
    fns = doc["functions"]
    if not isinstance(fns, list):
        return p + ["functions is %s" % type(fns).__name__]
    fkeys = ["id", "file", "line", "name", "ncalls", "pcalls", "tottime", "cumtime", "callers", "callees"]
    ckeys = fkeys[:-2]
    ids = {}
    seen = []
    for i, fn in enumerate(fns):
        if not isinstance(fn, dict) or list(fn) != fkeys:
            p.append("functions[%d] keys %r" % (i, list(fn) if isinstance(fn, dict) else fn))
            continue
        if not (isinstance(fn["file"], str) and type(fn["line"]) is int and isinstance(fn["name"], str)):
            p.append("functions[%d]: file/line/name types" % i)
            continue
        k = (fn["file"], fn["line"], fn["name"])
        seen.append(k)
        if not re.fullmatch(r"[0-9a-f]{16}", fn["id"]) or ids.setdefault(fn["id"], k) != k:
            p.append("functions[%d]: id %r not 16 hex digits or not unique" % (i, fn["id"]))
        if k not in st.stats:
            p.append("functions[%d]: %r is not a pstats key" % (i, k))
            continue
        cc, nc, tt, ct, callers = st.stats[k]
        for field, want in (("ncalls", nc), ("pcalls", cc), ("tottime", tt), ("cumtime", ct)):
            if not num_ok(fn[field], want):
                p.append("%r %s: %r != pstats %r" % (k, field, fn[field], want))
        if not isinstance(fn["callers"], list):
            p.append("%r callers is %s" % (k, type(fn["callers"]).__name__))
            continue
        ck = []
        for j, c in enumerate(fn["callers"]):
            if not isinstance(c, dict) or list(c) != ckeys:
                p.append("%r callers[%d] keys %r" % (k, j, list(c) if isinstance(c, dict) else c))
                continue
            kk = (c["file"], c["line"], c["name"])
            ck.append(kk)
            if kk not in callers:
                p.append("%r: caller %r not in pstats" % (k, kk))
                continue
            e = callers[kk]
            if isinstance(e, tuple):
                want = (("ncalls", e[0]), ("pcalls", e[1]), ("tottime", e[2]), ("cumtime", e[3]))
            else:
                want = (("ncalls", e),)
                for field in ("pcalls", "tottime", "cumtime"):
                    if c[field] is not None:
                        p.append("%r <- %r: int caller with %s %r (expected null)" % (k, kk, field, c[field]))
            for field, w in want:
                if not num_ok(c[field], w):
                    p.append("%r <- %r %s: %r != pstats %r" % (k, kk, field, c[field], w))
        if ck != list(callers):
            p.append("%r: callers %r, pstats has %r (in this order)" % (k, ck[:4], list(callers)[:4]))
        callees = st.all_callees.get(k, {})
        got = [(c["file"], c["line"], c["name"]) for c in fn["callees"]]
        if got != list(callees):
            p.append("%r: callees %r, pstats has %r (in this order)" % (k, got[:4], list(callees)[:4]))
        for c in fn["callees"]:
            e = callees.get((c["file"], c["line"], c["name"]))
            if e is None:
                continue
            w = e if isinstance(e, tuple) else (e, None, None, None)
            for field, x in zip(("ncalls", "pcalls", "tottime", "cumtime"), w):
                if x is None and c[field] is not None or x is not None and not num_ok(c[field], x):
                    p.append("%r -> %r %s: %r != pstats %r" % (k, c["name"], field, c[field], x))
    order = [k for k in st.sort_stats("time", "calls").fcn_list]
    if seen != order:
        if sorted(map(repr, seen)) != sorted(map(repr, order)):
            p.append("functions: %d listed, pstats has %d keys" % (len(seen), len(order)))
        else:
            p.append("functions are not in the report order (time, calls)")
    return p


# ---------------------------------------------------------------------------
# 4. dot

NODE_RE = re.compile(r'^  n(\d+) \[label="((?:[^"\\]|\\.)*)", tooltip="((?:[^"\\]|\\.)*)", ')
EDGE_RE = re.compile(r"^  n(\d+) -> n(\d+) \[")


def dot_unescape(s):
    return re.sub(r"\\(.)", lambda m: m.group(1), s)


def dot_parse(text):
    """Nodes by the full key of their tooltip (pstats' func_std_string);
    the label is the short module:line:function."""
    nodes, edges = {}, set()
    for line in text.split("\n"):
        m = EDGE_RE.match(line)
        if m:
            edges.add((int(m.group(1)), int(m.group(2))))
            continue
        m = NODE_RE.match(line)
        if m:
            key = dot_unescape(m.group(3))
            if key.startswith("{") and key.endswith("}"):
                nodes[int(m.group(1))] = ("~", 0, "<" + key[1:-1] + ">")
                continue
            fl, rest = key.rsplit(":", 1)
            line_no, name = rest.split("(", 1)
            nodes[int(m.group(1))] = (fl, int(line_no), name[:-1])
    return nodes, edges


def dot_render(text):
    need_tool("dot")
    p = subprocess.run(["dot", "-Tsvg"], input=text, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV)
    return p.returncode, p.stdout, dec(p.stderr)


def dot_render_case(inputs, extra=()):
    rc, out, err = pv(*inputs, "-f", "dot", *extra)
    if rc or err:
        return "profview exit %d, stderr %r" % (rc, dec(err)[:200])
    drc, svg, derr = dot_render(out)
    if drc != 0 or derr:
        return "dot -Tsvg exit %d, stderr %r" % (drc, derr.strip()[:300])
    if b"<svg" not in svg:
        return "no <svg> in dot's output"
    return None


def dot_share(t, total):
    x = float(t)
    return x / total if total > 0 and math.isfinite(x) else 0.0


def dot_thresholds():
    files = flask_files()
    st = pstats.Stats(*files)
    total = float(st.total_tt)
    p = []
    prev = None
    counts = []
    for nt in ("0", "0.5", "2", "10", "50"):
        rc, out, err = pv(td("flask"), "-f", "dot", "--node-threshold", nt)
        if rc or err:
            return "--node-threshold %s: exit %d, stderr %r" % (nt, rc, dec(err)[:200])
        nodes, edges = dot_parse(dec(out))
        got = set(nodes.values())
        if len(got) != len(nodes):
            p.append("--node-threshold %s: two nodes with the same label" % nt)
        thr = float(nt) / 100
        want, border = set(), set()
        for k, v in st.stats.items():
            s = dot_share(v[3], total)
            if abs(s - thr) <= 1e-12:
                border.add(k)
            elif s >= thr:
                want.add(k)
        if (got - border) != want:
            p.append("--node-threshold %s: %d nodes; below threshold: %r; missing: %r" % (
                nt, len(got), sorted(got - border - want)[:2], sorted(want - got)[:2]))
        if prev is not None and not got <= prev:
            p.append("--node-threshold %s: nodes that were not there at a lower threshold" % nt)
        prev = got
        counts.append(len(got))
    if not counts[0] > counts[2] > counts[3] >= counts[4]:
        p.append("node counts do not shrink with the threshold: %r" % counts)
    # edges: both ends are nodes and the call's share reaches the threshold
    ecounts = []
    for et in ("0", "0.1", "1", "5"):
        rc, out, err = pv(td("flask"), "-f", "dot", "--node-threshold", "0", "--edge-threshold", et)
        if rc or err:
            return "--edge-threshold %s: exit %d" % (et, rc)
        nodes, edges = dot_parse(dec(out))
        got = {(nodes[a], nodes[b]) for a, b in edges}
        thr = float(et) / 100
        want, border = set(), set()
        for k, v in st.stats.items():
            for c, e in v[4].items():
                if c not in st.stats:
                    continue
                s = dot_share(e[3], total) if isinstance(e, tuple) else \
                    (dot_share(v[3], total) * e / v[1] if v[1] > 0 else 0.0)
                if abs(s - thr) <= 1e-12:
                    border.add((c, k))
                elif s >= thr:
                    want.add((c, k))
        if (got - border) != want:
            p.append("--edge-threshold %s: %d edges; unexpected %r; missing %r" % (
                et, len(got), sorted(got - border - want)[:1], sorted(want - got)[:1]))
        ecounts.append(len(got))
    if not ecounts[0] > ecounts[2] > ecounts[3]:
        p.append("edge counts do not shrink with the threshold: %r" % ecounts)
    if Ctx.verbose:
        print("     nodes by threshold %r, edges by threshold %r" % (counts, ecounts))
    return p


# ---------------------------------------------------------------------------
# 5. -o

def tmp_leftovers(d):
    return sorted(n for n in os.listdir(d) if ".tmp." in n)


def snapshot(path):
    s = os.lstat(path)
    with open(path, "rb") as f:
        return (s.st_ino, s.st_mode, s.st_mtime_ns, s.st_size, f.read())


def out_devfull_probe():
    """-o PATH where PATH is a symlink to /dev/full: a device path given by
    name.  Safe to run as root (only the link in our own directory is at
    stake); a writer that replaces the path instead of writing to it shows
    here without touching the real /dev/full."""
    d = tmp("probe")
    os.makedirs(d, exist_ok=True)
    link = os.path.join(d, "full")
    os.symlink("/dev/full", link)
    rc, _, err = pv(td("flask"), "-f", "json", "-o", link)
    p = []
    if rc == 0:
        p.append("exit 0 writing to /dev/full (through %s)" % link)
    if not dec(err).startswith("profview: "):
        p.append("no message on stderr (%r)" % dec(err)[:100])
    if not os.path.islink(link):
        s = os.lstat(link)
        p.append("the symlink to /dev/full was replaced by a %s file of mode %o "
                 "(as root, -o /dev/full would replace the device node)" % (
                     "regular" if stat.S_ISREG(s.st_mode) else "other", stat.S_IMODE(s.st_mode)))
    left = tmp_leftovers(d)
    if left:
        p.append("left behind %r" % left)
    Ctx.probe_ok = not p
    return p


def out_devfull():
    if not getattr(Ctx, "probe_ok", False) and os.access("/dev", os.W_OK):
        return Skip("not run: /dev is writable and the probe shows profview would replace /dev/full")
    before = set(os.listdir("/dev"))
    rc, _, err = pv(td("flask"), "-f", "json", "-o", "/dev/full")
    p = []
    try:
        s = os.lstat("/dev/full")
        if not stat.S_ISCHR(s.st_mode):
            p.append("/dev/full is no longer a character device")
            if os.geteuid() == 0:  # put it back
                os.unlink("/dev/full")
                os.mknod("/dev/full", 0o666 | stat.S_IFCHR, os.makedev(1, 7))
                os.chmod("/dev/full", 0o666)
    except FileNotFoundError:
        p.append("/dev/full is gone")
    if rc == 0:
        p.append("exit 0")
    if not dec(err).startswith("profview: "):
        p.append("no message on stderr (%r)" % dec(err)[:100])
    left = sorted(n for n in set(os.listdir("/dev")) - before if ".tmp." in n)
    if left:
        p.append("left behind /dev/%s" % left)
    return p


def out_stdout_full():
    with open("/dev/full", "wb") as full:
        rc, _, err = pv(td("flask"), "-f", "json", stdout=full)
    p = []
    if rc == 0:
        p.append("exit 0 with standard output on /dev/full")
    if not dec(err).startswith("profview: "):
        p.append("no message on stderr (%r)" % dec(err)[:100])
    return p


def out_nodir():
    d = "/nonexistent-dir"
    if os.path.exists(d):
        d = tempfile.mktemp(prefix="/nonexistent-dir-")
    target = d + "/x"
    rc, out, err = pv(td("flask"), "-f", "callgrind", "-o", target)
    p = []
    if rc == 0:
        p.append("exit 0")
    e = dec(err)
    if not (e.startswith("profview: ") and target in e and "No such file or directory" in e):
        p.append("message does not name %s and the reason: %r" % (target, e[:200]))
    if e.count("\n") != 1:
        p.append("expected one line on stderr, got %r" % e[:300])
    if out:
        p.append("wrote %d bytes to stdout" % len(out))
    if os.path.exists(d):
        p.append("%s was created" % d)
    return p


def out_failed_run_keeps_file():
    d = tmp("keep")
    os.makedirs(d, exist_ok=True)
    p = []
    for fmt in ("callgrind", "pstats", "json", "dot", "text"):
        target = os.path.join(d, "existing.%s" % fmt)
        with open(target, "wb") as f:
            f.write(b"precious\n")
        os.utime(target, ns=(1_000_000_000, 1_000_000_000))
        snap = snapshot(target)
        rc, _, err = pv(td("bad", "empty.prof"), td("bad", "trunc_half.prof"), "-f", fmt, "-o", target)
        if rc == 0:
            p.append("%s: exit 0 although no input could be read" % fmt)
        if not dec(err).startswith("profview: "):
            p.append("%s: no message" % fmt)
        if snapshot(target) != snap:
            p.append("%s: the existing file was changed" % fmt)
    left = tmp_leftovers(d)
    if left:
        p.append("left behind %r" % left)
    return p


def out_write_error_keeps_file():
    """A write error on a regular file (EFBIG via RLIMIT_FSIZE): non-zero exit,
    a message, the old file intact, no temporary file."""
    import resource
    d = tmp("efbig")
    os.makedirs(d, exist_ok=True)
    target = os.path.join(d, "out.json")
    with open(target, "wb") as f:
        f.write(b"precious\n")
    snap = snapshot(target)

    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))

    rc, _, err = pv(td("flask"), "-f", "json", "-o", target, preexec_fn=limit)
    p = []
    if rc == 0:
        p.append("exit 0 although the write failed")
    if not (dec(err).startswith("profview: ") and "File too large" in dec(err)):
        p.append("no write-error message (%r)" % dec(err)[:200])
    if snapshot(target) != snap:
        p.append("the existing file was changed")
    left = tmp_leftovers(d)
    if left:
        p.append("left behind %r" % left)
    return p


def out_success():
    """-o writes what stdout would get, replaces an existing file, leaves no
    temporary file; -o - is standard output."""
    d = tmp("ok")
    os.makedirs(d, exist_ok=True)
    p = []
    for fmt in ("callgrind", "json", "dot", "text", "pstats"):
        target = os.path.join(d, "out.%s" % fmt)
        with open(target, "wb") as f:
            f.write(b"old contents\n")
        rc, out, err = pv(td("cprofile", "py311", "prog_recursion.prof"), "-f", fmt, "-o", target)
        rc2, ref, err2 = pv(td("cprofile", "py311", "prog_recursion.prof"), "-f", fmt)
        rc3, dash, _ = pv(td("cprofile", "py311", "prog_recursion.prof"), "-f", fmt, "-o", "-")
        if rc or err or out:
            p.append("%s: exit %d, stderr %r, %d bytes on stdout" % (fmt, rc, dec(err)[:100], len(out)))
        if open(target, "rb").read() != ref:
            p.append("%s: -o FILE differs from standard output" % fmt)
        if dash != ref:
            p.append("%s: -o - differs from standard output" % fmt)
    left = tmp_leftovers(d)
    if left:
        p.append("left behind %r" % left)
    return p


def out_mode():
    """A new output file gets 0666 & ~umask, like any shell redirection or
    cc -o; not mkstemp's 0600."""
    d = tmp("mode")
    os.makedirs(d, exist_ok=True)
    target = os.path.join(d, "callgrind.out.app")
    rc, _, err = pv(td("cprofile", "py311", "prog_recursion.prof"), "-f", "callgrind", "-o", target,
                    preexec_fn=lambda: os.umask(0o022))
    if rc or err:
        return "exit %d, stderr %r" % (rc, dec(err)[:100])
    mode = stat.S_IMODE(os.stat(target).st_mode)
    if mode != 0o644:
        return "new file has mode %o, expected 644 (umask 022)" % mode
    return None


def no_tmp_anywhere():
    left = []
    for root, _, files in os.walk(Ctx.tmp):
        left += [os.path.join(root, f) for f in files if ".tmp." in f]
    return ("left behind %r" % left) if left else None


# ---------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--profview", default="./profview", help="command string, split with shlex (default ./profview)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()
    Ctx.profview = shlex.split(a.profview)
    if not os.path.isabs(Ctx.profview[0]) and os.sep in Ctx.profview[0]:
        Ctx.profview[0] = os.path.abspath(Ctx.profview[0])
    Ctx.verbose = a.verbose
    Ctx.tmp = tempfile.mkdtemp(prefix="pv-export-")
    os.chdir(REPO)
    R = Results(a.verbose)
    c = R.check
    try:
        weird = tmp("weird.prof")
        write_weird(weird)
        surr = tmp("surrogate.prof")
        write_surrogate(surr)

        # 1. callgrind
        c("callgrind: lint self-test flags float cost, undefined id, calls=0, redefinition, missing cost",
          check_lint_selftest)
        c("callgrind: flask dir (merged werkzeug dumps)", callgrind_case, "flask", [td("flask")], True)
        c("callgrind: cprofile/py311/prog_recursion.prof (recursion)", callgrind_case, "rec",
          [td("cprofile", "py311", "prog_recursion.prof")], True)
        c("callgrind: cprofile/py313/prog_py3_ñämes.prof (non-ASCII names)", callgrind_case, "names",
          [td("cprofile", "py313", "prog_py3_ñämes.prof")], True)
        c("callgrind: profile/py311/prog_recursion.runctx.prof (int callers)", callgrind_case, "profile",
          [td("profile", "py311", "prog_recursion.runctx.prof")], False)
        c("callgrind: edge/zero_negative_times.prof (clamping warning)", callgrind_case, "neg",
          [td("edge", "zero_negative_times.prof")], False, True)
        c("callgrind: edge/zero_counts.prof (edges with nc 0: never calls=0)", callgrind_case, "zero",
          [td("edge", "zero_counts.prof")], False)
        c("callgrind: edge/negative_counts_pyinstrument.prof (counts -1)", callgrind_case, "pyinstr",
          [td("edge", "negative_counts_pyinstrument.prof")], False)
        c("callgrind: edge/nan_inf_times.prof (NaN and infinities)", callgrind_case, "naninf",
          [td("edge", "nan_inf_times.prof")], False, True)
        c("callgrind: edge/int_callers_mixed.prof (int and tuple callers)", callgrind_case, "mixed",
          [td("edge", "int_callers_mixed.prof")], False)
        c("callgrind: edge/strip_collisions.prof (same name, same basename)", callgrind_case, "coll",
          [td("edge", "strip_collisions.prof")], False)
        c("callgrind: odd names (quotes, control characters, leading blanks, '(1) ')", callgrind_case, "weird",
          [weird], True)

        # 2. pstats
        c("pstats: flask dir merged == pstats.Stats(*files)", pstats_case, "flask", [td("flask")])
        c("pstats: edge merge_a + merge_b + merge_c", pstats_case, "abc",
          [td("edge", "merge_a.prof"), td("edge", "merge_b.prof"), td("edge", "merge_c.prof")])
        c("pstats: cprofile py311 + py313 prog_recursion", pstats_case, "rec2",
          [td("cprofile", "py311", "prog_recursion.prof"), td("cprofile", "py313", "prog_recursion.prof")])
        c("pstats: profile-module runctx py311 + py313 (int callers)", pstats_case, "prof2",
          [td("profile", "py311", "prog_stdlib.runctx.prof"), td("profile", "py313", "prog_stdlib.runctx.prof")])
        c("pstats: odd names and lone surrogates", pstats_case, "weird", [weird, surr])
        c("pstats: Python 2.7 dumps == their *.py3.prof", py27_case)
        c("pstats: refuses to write to a terminal (exit 2, message)", tty_refusal)

        # 3. json
        c("json: flask dir", json_case, "flask", [td("flask")])
        c("json: prog_recursion (cProfile)", json_case, "rec", [td("cprofile", "py311", "prog_recursion.prof")])
        c("json: profile-module int callers are null", json_case, "prof",
          [td("profile", "py311", "prog_recursion.runctx.prof")])
        c("json: edge/int_callers_mixed.prof", json_case, "mixed", [td("edge", "int_callers_mixed.prof")])
        c("json: edge/nonascii_names.prof", json_case, "nonascii", [td("edge", "nonascii_names.prof")])
        c("json: edge/tilde_builtins.prof (odd and empty names)", json_case, "tilde",
          [td("edge", "tilde_builtins.prof")])
        c("json: edge/ascii_codes_latin1_bytes.prof", json_case, "latin1",
          [td("edge", "ascii_codes_latin1_bytes.prof")])
        c("json: edge/nan_inf_times.prof (null)", json_case, "nan", [td("edge", "nan_inf_times.prof")])
        c("json: edge/huge_counts_long.prof (big ints)", json_case, "huge", [td("edge", "huge_counts_long.prof")])
        c("json: edge/int_times.prof (int times)", json_case, "inttimes", [td("edge", "int_times.prof")])
        c("json: edge merge_a + merge_b + merge_c", json_case, "abc",
          [td("edge", "merge_a.prof"), td("edge", "merge_b.prof"), td("edge", "merge_c.prof")])
        c("json: control characters, quotes, backslashes, U+2028", json_case, "weird", [weird])
        c("json: lone surrogates", json_case, "surr", [surr])

        # 4. dot
        c("dot: flask dir renders with dot -Tsvg, empty stderr", dot_render_case, [td("flask")])
        c("dot: prog_recursion, every node", dot_render_case, [td("cprofile", "py311", "prog_recursion.prof")],
          ("--node-threshold", "0", "--edge-threshold", "0"))
        c("dot: profile-module int callers, every node", dot_render_case,
          [td("profile", "py311", "prog_recursion.runctx.prof")], ("--node-threshold", "0", "--edge-threshold", "0"))
        c("dot: non-ASCII names", dot_render_case, [td("edge", "nonascii_names.prof")], ("--node-threshold", "0"))
        c("dot: odd names (quotes, backslashes, control characters)", dot_render_case, [weird],
          ("--node-threshold", "0"))
        c("dot: edge/nan_inf_times.prof", dot_render_case, [td("edge", "nan_inf_times.prof")],
          ("--node-threshold", "0"))
        c("dot: lone surrogates in names still give valid UTF-8", dot_render_case, [surr],
          ("--node-threshold", "0"))
        c("dot: --node-threshold / --edge-threshold keep exactly the functions and calls at or above P%",
          dot_thresholds)

        # 5. -o
        c("-o: successful writes equal standard output, -o - is stdout", out_success)
        c("-o: new file mode follows the umask (0644), not 0600", out_mode)
        c("-o: a failed run (no readable input) leaves an existing file untouched", out_failed_run_keeps_file)
        c("-o: write error (file size limit) keeps the old file, exits non-zero", out_write_error_keeps_file)
        c("-o: /nonexistent-dir/x fails with a clear message, creates nothing", out_nodir)
        c("-o: symlink to /dev/full (probe) fails with a message and stays a symlink", out_devfull_probe)
        c("-o: /dev/full fails with a message", out_devfull)
        c("stdout on /dev/full fails with a message", out_stdout_full)
        c("-o: no *.tmp.* files left behind", no_tmp_anywhere)
    finally:
        if a.keep:
            print("kept %s" % Ctx.tmp)
        else:
            shutil.rmtree(Ctx.tmp, ignore_errors=True)
    print("exports: %d passed, %d failed" % (R.passed, R.failed))
    return 1 if R.failed or not R.passed else 0


if __name__ == "__main__":
    sys.exit(main())
