#!/usr/bin/env python3
"""Checks of the request-name features against values computed here, from
the file names and with CPython's pstats, independently of profview.

    python3 tests/requests/test_requests.py --profview ./profview

- --requests: per endpoint, the number of profiles and total / mean / p50 /
  p95 / max elapsed ms, recomputed from werkzeug's file names (nearest-rank
  percentiles), and the calls column from pstats' totals per endpoint;
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
import subprocess
import sys

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


def test_requests(pv):
    files = sorted(glob.glob(os.path.join(ROOT, "testdata/flask/*.prof")))
    groups = {}
    for f in files:
        m = NAME.match(os.path.basename(f))
        ep = endpoint(m.group(1), m.group(2))
        groups.setdefault(ep, []).append((float(m.group(3)), f))
    code, out, err = run(pv, "testdata/flask", "--requests")
    check("--requests exits 0", code == 0, err)
    rows = {}
    for line in out.splitlines()[1:]:
        if not line.strip():
            break
        m = re.match(r"^(.*?)\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+(\d+)\s", line)
        if m:
            rows[m.group(1)] = m.groups()[1:]
    check("--requests has one row per endpoint", set(rows) == set(groups),
          "%s vs %s" % (sorted(rows), sorted(groups)))
    for ep, items in groups.items():
        ms = [x for x, _ in items]
        want = (len(ms), sum(ms), sum(ms) / len(ms), nearest_rank(ms, 50), nearest_rank(ms, 95), max(ms))
        got = rows.get(ep)
        ok = got is not None and int(got[0]) == want[0] and all(
            abs(float(g) - w) < 0.051 for g, w in zip(got[1:6], want[1:]))
        check("--requests %s: profiles, total, mean, p50, p95, max" % ep, ok, "%s vs %s" % (got, want))
        calls = pstats.Stats(*[f for _, f in items]).total_calls
        check("--requests %s: calls" % ep, got is not None and int(got[6]) == calls, "%s vs %s" % (got, calls))
    totals = [float(r[1]) for r in rows.values()]
    check("--requests sorted by total elapsed", totals == sorted(totals, reverse=True), str(totals))


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
    check("--diff sorted by the change in internal time",
          all(order[i] >= order[i + 1] - 0.001 for i in range(len(order) - 1)), str(order[:10]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--profview", default="./profview")
    pv = os.path.join(ROOT, ap.parse_args().profview)
    test_requests(pv)
    test_endpoint(pv)
    test_diff(pv)
    passed = sum(results)
    print("requests: %d passed, %d failed" % (passed, len(results) - passed))
    sys.exit(0 if results and passed == len(results) else 1)


if __name__ == "__main__":
    main()
