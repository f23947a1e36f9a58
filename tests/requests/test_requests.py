#!/usr/bin/env python3
"""Checks of the request-name features against values computed here, from
the file names and with CPython's pstats, independently of profview.

    python3 tests/requests/test_requests.py --profview ./profview

- --requests: per endpoint, the number of profiles and total / mean / p50 /
  p95 / max request time, recomputed with pstats (each request's time is its
  file's total_tt; nearest-rank percentiles), the endpoints from werkzeug's
  file names, and the calls column from pstats' totals per endpoint; the
  same for a directory of the same dumps under fractional names
  ({elapsed:.3f}ms.{time:.6f});
- --endpoint: the report equals pstats' on exactly the selected files;
- --diff: every row equals the per-profile means computed with pstats.
"""
import argparse
import glob
import io
import math
import os
import pstats
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NAME = re.compile(r"^([^.]+)\.(.*)\.(\d+)ms\.(\d+(?:\.\d+)?)\.prof$")
results = []


def check(what, ok, detail=""):
    results.append(ok)
    print(("ok   " if ok else "FAIL ") + what + ("" if ok else "\n     " + detail))


def endpoint(method, path):
    if path == "root":
        return method + " /"
    segs = []
    for s in path.split("."):
        is_id = (s.isdigit() or re.fullmatch(r"[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}", s)
                 or re.fullmatch(r"[0-9a-fA-F]{16,}", s))
        segs.append("{id}" if is_id else s)
    return method + " /" + "/".join(segs)


def nearest_rank(values, p):
    v = sorted(values)
    return v[max(math.ceil(p / 100 * len(v)), 1) - 1]


def run(pv, *args):
    r = subprocess.run([pv, *args], capture_output=True, text=True, cwd=ROOT,
                       env=dict(os.environ, TZ="UTC", LC_ALL="C.UTF-8"))
    return r.returncode, r.stdout, r.stderr


def pstats_body(files, sort=("time", "calls"), restrictions=()):
    s = io.StringIO()
    p = pstats.Stats(*files, stream=s)
    p.sort_stats(*sort).print_stats(*restrictions)
    out = s.getvalue()
    i = out.index("function calls")
    return out[out.rfind("\n", 0, i) + 1:]


def requests_rows(out):
    rows = {}
    for line in out.splitlines()[1:]:
        if not line.strip():
            break
        m = re.match(r"^(.*?)\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+(\d+)\s", line)
        if m:
            rows[m.group(1)] = m.groups()[1:]
    return rows


def test_requests(pv, fractional=False):
    files = sorted(glob.glob(os.path.join(ROOT, "testdata/flask/*.prof")))
    groups = {}
    tmp = tempfile.mkdtemp()
    src = "testdata/flask"
    for i, f in enumerate(files):
        m = NAME.match(os.path.basename(f))
        ep = endpoint(m.group(1), m.group(2))
        tt = pstats.Stats(f).total_tt
        if fractional:
            # what filename_format="{method}.{path}.{elapsed:.3f}ms.{time:.6f}.prof" writes
            name = "%s.%s.%.3fms.%d.%06d.prof" % (m.group(1), m.group(2), tt * 1e3 * 1.07 + 0.05,
                                                  int(m.group(4)), 1000 * i + 17)
            shutil.copy(f, os.path.join(tmp, name))
            f = os.path.join(tmp, name)
        groups.setdefault(ep, []).append((tt * 1e3, f))
    if fractional:
        src = tmp
    what = "--requests (fractional names)" if fractional else "--requests"
    code, out, err = run(pv, src, "--requests")
    check(what + " exits 0", code == 0, err)
    rows = requests_rows(out)
    check(what + " has one row per endpoint", set(rows) == set(groups),
          "%s vs %s" % (sorted(rows), sorted(groups)))
    for ep, items in groups.items():
        ms = [x for x, _ in items]
        want = (len(ms), sum(ms), sum(ms) / len(ms), nearest_rank(ms, 50), nearest_rank(ms, 95), max(ms))
        got = rows.get(ep)
        ok = got is not None and int(got[0]) == want[0] and all(
            abs(float(g) - w) < 0.051 for g, w in zip(got[1:6], want[1:]))
        check(what + " %s: profiles, total, mean, p50, p95, max" % ep, ok, "%s vs %s" % (got, want))
        calls = pstats.Stats(*[f for _, f in items]).total_calls
        check(what + " %s: calls" % ep, got is not None and int(got[6]) == calls, "%s vs %s" % (got, calls))
        # the total is the sum of pstats' total_tt, exactly: compare with --unit us
    code, out, err = run(pv, src, "--requests", "--unit", "us")
    rows = requests_rows(out)
    for ep, items in groups.items():
        tot = sum(pstats.Stats(f).total_tt for _, f in items) * 1e6
        got = rows.get(ep)
        check(what + " %s: total equals the sum of total_tt" % ep,
              got is not None and abs(float(got[1]) - tot) < 0.051, "%s vs %.1f" % (got, tot))
    totals = [float(r[1]) for r in rows.values()]
    check(what + " sorted by total time", totals == sorted(totals, reverse=True), str(totals))
    shutil.rmtree(tmp)


def test_endpoint(pv):
    files = sorted(glob.glob(os.path.join(ROOT, "testdata/flask/*.prof")))
    for rx in (r"^GET /api/users", r"\{id\}$", r"^(POST|PUT|DELETE) "):
        sel = [f for f in files if re.search(rx, endpoint(*NAME.match(os.path.basename(f)).group(1, 2)))]
        code, out, err = run(pv, "testdata/flask", "--endpoint", rx, "--sort", "stdname")
        want = pstats_body([os.path.relpath(f, ROOT) for f in sel], ("stdname",))
        got = out.split("\n", 2)[2]
        check("--endpoint %r equals pstats on the %d selected files" % (rx, len(sel)),
              code == 0 and got == want, out[:300])


def test_diff(pv):
    base = ["testdata/cprofile/py36/prog_recursion.prof", "testdata/cprofile/py37/prog_recursion.prof"]
    cur = ["testdata/cprofile/py313/prog_recursion.prof"]
    code, out, err = run(pv, *cur, "--diff", base[0], "--diff", base[1], "-n", "1000")
    check("--diff exits 0", code == 0, err)
    b = pstats.Stats(*[os.path.join(ROOT, f) for f in base]).stats
    c = pstats.Stats(*[os.path.join(ROOT, f) for f in cur]).stats
    def std(k):
        return pstats.func_std_string(k)
    expect = {}
    for k in set(b) | set(c):
        eb, ec = b.get(k), c.get(k)
        tb = eb[2] / 2 * 1e3 if eb else 0.0
        tc = ec[2] / 1 * 1e3 if ec else 0.0
        expect[std(k)] = (eb[1] / 2 if eb else None, ec[1] if ec else None, tb if eb else None,
                          tc if ec else None, tc - tb)
    rows = 0
    order = []
    for line in out.splitlines()[4:]:
        f = line.split()
        if len(f) < 9 or not re.match(r"^[-\d.]+$", f[0]):
            continue
        name = re.split(r"\s{2,}", line.strip())[-1]
        name = re.sub(r"^(new|gone)\s+", "", name)
        e = expect.get(name)
        vals = [None if x == "-" else float(x) for x in f[:5]]
        ok = e is not None and all(
            (w is None and g is None) or (w is not None and g is not None and abs(g - w) < 0.0006)
            for g, w in zip(vals, e))
        check("--diff row %s" % name, ok, "%s vs %s" % (vals, e))
        order.append(e[4] if e else 0)
        rows += 1
    check("--diff lists every function once", rows == len(expect), "%d vs %d" % (rows, len(expect)))
    check("--diff sorted by the absolute change in internal time",
          all(abs(order[i]) >= abs(order[i + 1]) - 0.001 for i in range(len(order) - 1)), str(order[:10]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--profview", default="./profview")
    pv = os.path.join(ROOT, ap.parse_args().profview)
    test_requests(pv)
    test_requests(pv, fractional=True)
    test_endpoint(pv)
    test_diff(pv)
    passed = sum(results)
    print("requests: %d passed, %d failed" % (passed, len(results) - passed))
    sys.exit(0 if results and passed == len(results) else 1)


if __name__ == "__main__":
    main()
