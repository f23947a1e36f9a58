#!/usr/bin/env python3
"""-f pprof read by the programs that read it (make pprof).

  tests/pprof/test_pprof.py --profview ./profview [--speedscope DIR]

- Debian's `go tool pprof` (golang-go), offline, as any user: GOPATH,
  GOCACHE, HOME and PPROF_TMPDIR point into a scratch folder, GOPROXY=off.
  * -top: the flat column of every function above 0.1% of the total equals
    its tottime from CPython's pstats over the same dumps (to the
    nanosecond: one per endpoint, each rounds its own sum), the total equals
    the merged total; -sample_index=calls: flat calls equal ncalls; the
    same with --merged, --strip-dirs (pstats' strip_dirs() names),
    --short-paths (no full path left, the same numbers), and on
    python -m cProfile dumps with recursion and generators;
  * -tags lists exactly the endpoints of --requests, and the request
    counts; -tagfocus=endpoint=X totals what profview --endpoint X totals;
    --since/--until select as they do for the stats table;
  * -traces parses; -diff_base of two exports runs;
  * a chain 12,000 deep: its quadratic stacks refused in one line;
    with --max-depth every flat still its tottime;
- speedscope (the npm package make visual uses) imports the .pb.gz in
  headless chromium without console errors and exports the same total;
- a terminal refuses the binary output, as for -f pstats.
"""
import argparse
import glob
import gzip
import os
import pstats
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FLASK = os.path.join(ROOT, "testdata", "flask")
CPROFILE = sorted(glob.glob(os.path.join(ROOT, "testdata", "cprofile", "py311", "prog_*.prof")))
failures = 0


def check(cond, what, detail=""):
    global failures
    if cond:
        print("ok   " + what)
    else:
        failures += 1
        print("FAIL " + what + ((": " + str(detail)[:800]) if detail else ""))


class Env:
    pv = None
    tmp = None
    go = None


def run(args, **kw):
    p = subprocess.run(args, capture_output=True, **kw)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


def export(name, *args):
    out = os.path.join(Env.tmp, name)
    rc, _, err = run([Env.pv, *args, "-f", "pprof", "-o", out])
    check(rc == 0 and open(out, "rb").read(2) == b"\x1f\x8b", "profview %s -f pprof: a gzip file" %
          " ".join(shlex.quote(os.path.relpath(a, ROOT) if a.startswith(ROOT) else a) for a in args), err)
    return out


def pprof(*args):
    rc, out, err = run(["go", "tool", "pprof", *args], env=Env.go)
    return rc, out.decode("utf-8", "replace"), err


def top(path, index="wall"):
    """{name: flat} and the total from -top in plain units."""
    unit = ["-unit=ns"] if index == "wall" else []
    rc, out, err = pprof("-top", "-nodecount=1000000", "-nodefraction=0", "-edgefraction=0",
                         "-sample_index=" + index, *unit, path)
    rows, total = {}, None
    for line in out.splitlines():
        m = re.match(r"Showing nodes accounting for \S+, [\d.]+% of (\d+)(ns)? total", line)
        if m:
            total = int(m.group(1))
        m = re.match(r"\s*(\d+)(?:ns)?\s+[\d.]+%\s+[\d.]+%\s+(\d+)(?:ns)?\s+[\d.]+%\s+(.*)$", line)
        if m:
            rows[m.group(3)] = rows.get(m.group(3), 0) + int(m.group(1))
    return rc, rows, total, err


def pprof_name(func):
    """The name -f pprof gives a pstats key (file, line, name)."""
    f, line, name = func
    if f == "~" and line == 0:
        return "{%s}" % name[1:-1] if name.startswith("<") and name.endswith(">") else name
    return "%s %s:%d" % (name, f, line)


def stats_of(paths, strip=False):
    s = pstats.Stats(*paths)
    if strip:
        s.strip_dirs()
    return s


def check_flat(label, path, st, slack, frac=0.001):
    """-top flat = tottime for functions over 0.1% of the total, calls = ncalls."""
    rc, rows, total, err = top(path)
    want_total = sum(round(tt * 1e9) for (_, _, tt, _, _) in st.stats.values())
    check(rc == 0 and total is not None and abs(total - want_total) <= slack,
          "%s: go tool pprof -top total %s ns = pstats' total %d ns" % (label, total, want_total), err)
    bad, n = [], 0
    for func, (cc, nc, tt, ct, callers) in st.stats.items():
        if tt <= frac * st.total_tt:
            continue
        n += 1
        name = pprof_name(func)
        got = rows.get(name)
        if got is None or abs(got - round(tt * 1e9)) > slack:
            bad.append((name, got, round(tt * 1e9)))
    check(n > 3 and not bad, "%s: -top flat = tottime for all %d functions over %g%%" % (label, n, frac * 100),
          bad[:5])
    rc, crow, _, err = top(path, "calls")
    bad = [(pprof_name(f), crow.get(pprof_name(f)), v[1]) for f, v in st.stats.items()
           if crow.get(pprof_name(f), 0) != v[1]]
    check(rc == 0 and not bad, "%s: -sample_index=calls flat = ncalls for all %d functions" %
          (label, len(st.stats)), bad[:5] or err)
    return rows


def endpoints(*args):
    import json
    rc, out, err = run([Env.pv, FLASK, "--requests", "-f", "json", *args])
    return {e["endpoint"]: e["profiles"] for e in json.loads(out)["endpoints"]}


def re_quote(s):
    return re.sub(r"([\\.+*?()|\[\]{}^$])", r"\\\1", s)


def pstats_export_total(*args):
    """profview's own total (ns) for the same selection, through -f pstats."""
    out = os.path.join(Env.tmp, "sel.prof")
    rc, _, err = run([Env.pv, FLASK, *args, "-f", "pstats", "-o", out])
    if rc:
        return None
    return sum(round(v[2] * 1e9) for v in pstats.Stats(out).stats.values())


def test_go(sscope):
    flask = sorted(glob.glob(os.path.join(FLASK, "*.prof")))
    eps = endpoints()
    slack = len(eps)  # one rounding per endpoint
    st = stats_of(flask)
    a = export("flask.pb.gz", FLASK)
    rows = check_flat("flask (per endpoint)", a, st, slack)
    m = export("merged.pb.gz", FLASK, "--merged")
    check_flat("flask --merged", m, st, 1)
    s = export("strip.pb.gz", FLASK, "--strip-dirs")
    check_flat("flask --strip-dirs", s, stats_of(flask, strip=True), slack)
    sp = export("short.pb.gz", FLASK, "--short-paths")
    rc, srows, stotal, err = top(sp)
    rc2, rows2, total2, _ = top(a)
    check(rc == 0 and not any("/dist-packages/" in n or "/srv/app/" in n for n in srows),
          "flask --short-paths: no full path in -top", [n for n in srows if "/dist-packages/" in n][:3])
    check(sorted(srows.values()) == sorted(rows2.values()) and stotal == total2,
          "flask --short-paths: the same flat values and total")
    for f in CPROFILE:
        p = export(os.path.basename(f) + ".pb.gz", f)
        check_flat("cProfile " + os.path.basename(f), p, stats_of([f]), 1)
    # names pprof would simplify as C++ survive: <listcomp>, <module>, <genexpr>, builtins
    rc, crows, _, _ = top(os.path.join(Env.tmp, "prog_generators.prof.pb.gz"))
    kept = [n for n in crows if re.match(r"<(genexpr|module|listcomp|lambda)> ", n)]
    check(kept and "<unknown>" not in crows, "<genexpr>/<module> names kept whole in -top", list(crows)[:8])

    # -tags: exactly the endpoints, with their request counts
    rc, out, err = pprof("-tags", a)
    tags, cur, counts = {}, None, set()
    for line in out.splitlines():
        m = re.match(r"\s*(\w+): Total ", line)
        if m:
            cur = m.group(1)
            tags[cur] = []
            continue
        m = re.match(r"\s+\S+ \(\s*[\d.]+%\): (.*)$", line)
        if m and cur:
            tags[cur].append(m.group(1))
    check(rc == 0 and sorted(tags.get("endpoint", [])) == sorted(eps),
          "-tags lists exactly the %d endpoints" % len(eps), (tags.get("endpoint"), sorted(eps), err))
    want_counts = sorted(set(str(n) for n in eps.values()))
    check(sorted(tags.get("requests", [])) == want_counts,
          "-tags: the requests label holds the request counts", (tags.get("requests"), want_counts))
    # -tagfocus=endpoint=X: that endpoint's total, as profview --endpoint X
    bad = []
    for ep in sorted(eps):
        pat = "^" + re_quote(ep) + "$"
        rc, out, err = pprof("-top", "-unit=ns", "-nodefraction=0", "-nodecount=1000000",
                             "-tagfocus=endpoint=" + pat, a)
        m = re.search(r"accounting for (\d+)ns, ", out)
        want = pstats_export_total("--endpoint", pat)
        if rc or not m or want is None or abs(int(m.group(1)) - want) > 1:
            bad.append((ep, m and m.group(1), want, err[-200:]))
    check(not bad, "-tagfocus=endpoint=X total = profview --endpoint X's total, all %d endpoints" % len(eps), bad)
    # --endpoint, --since/--until: the export holds what the selection holds
    e = export("ep.pb.gz", FLASK, "--endpoint", "^GET /api/users")
    rc, out, err = pprof("-tags", e)
    sel = sorted(k for k in eps if k.startswith("GET /api/users"))
    got = sorted(l.split("): ", 1)[1] for l in out.split("requests:")[0].splitlines() if "): " in l)
    check(rc == 0 and got == sel, "--endpoint: only the matching endpoints", (got, sel))
    times = sorted(int(os.path.basename(p).rsplit(".", 2)[-2]) for p in flask)
    mid = times[len(times) // 2]
    for opt in ("--since", "--until"):
        t = export("t%s.pb.gz" % opt, FLASK, opt, str(mid))
        rc, _, total, err = top(t)
        want = pstats_export_total(opt, str(mid))
        check(rc == 0 and want and abs(total - want) <= slack,
              "%s: the export's total = the selection's total (%s vs %s)" % (opt, total, want), err)

    # names without requests among them: no labels, nothing missing
    mix = export("mixed.pb.gz", FLASK, CPROFILE[0])
    rc, out, err = pprof("-tags", mix)
    check(rc == 0 and "endpoint" not in out, "a dump without a request among them: no endpoint labels", out[:200])
    check_flat("flask and a cProfile dump", mix, stats_of(flask + [CPROFILE[0]]), 1)
    # -traces parses; -diff_base runs
    rc, out, err = pprof("-traces", a)
    ntraces = out.count("-----------+-------------------------------------------------------")
    check(rc == 0 and ntraces > 10 and "endpoint:  GET /" in out and "fib /srv/app/flask_app.py:46" in out,
          "-traces: %d stacks with endpoint labels" % ntraces, err or out[:300])
    base = export("base.pb.gz", FLASK, "--endpoint", "^GET /compute")
    rc, out, err = pprof("-top", "-diff_base=" + base, a)
    check(rc == 0 and "Showing nodes accounting for" in out, "-diff_base of two exports runs", err or out[:300])
    rc, out, err = pprof("-raw", a)
    check(rc == 0 and "PeriodType" in out or "Samples:" in out, "-raw parses", err[:300])
    return a


def test_deep():
    """A chain 12,000 functions deep with self time all along: stacks that
    would hold 72 million frames are refused in one line; --max-depth cuts
    the tree and every flat stays the function's tottime."""
    import marshal
    n, chain = 12000, os.path.join(Env.tmp, "chain.prof")
    st = {}
    for i in range(n):
        callers = {("/srv/app/chain.py", i, "f%d" % (i - 1)): (1, 1, 1e-6, (n - i) * 1e-6)} if i else {}
        st[("/srv/app/chain.py", i + 1, "f%d" % i)] = (1, 1, 1e-6, (n - i) * 1e-6, callers)
    with open(chain, "wb") as fp:
        marshal.dump(st, fp)
    rc, _, err = run([Env.pv, chain, "-f", "pprof", "-o", os.path.join(Env.tmp, "deep.pb.gz")])
    check(rc == 1 and len(err.splitlines()) == 1 and "--max-depth" in err,
          "a 12,000-deep chain: refused in one line naming --max-depth", err)
    p = export("deep.pb.gz", chain, "--max-depth", "1000")
    check_flat("the chain with --max-depth 1000", p, pstats.Stats(chain), 1, frac=0)


def test_speedscope(pkg, path):
    sys.path.insert(0, os.path.join(ROOT, "tests", "visual"))
    import test_visual
    title, errs, exported, text = test_visual.speedscope_app(Env.tmp, pkg, path, "flask.pb.gz")
    check(errs == [], "speedscope app: imports the .pb.gz without console errors", errs[:3])
    check(title == "flask.pb.gz - speedscope", "speedscope app: loaded (title %r)" % title)
    rc, _, total, _ = top(path)
    if exported:
        p = exported.get("profiles", [{}])[0]
        check(p.get("unit") == "nanoseconds" and p.get("endValue") == total,
              "speedscope app: its export spans the profile's total %s ns (%s %s)" %
              (total, p.get("endValue"), p.get("unit")))
    else:
        check(False, "speedscope app: exports the profile it loaded")


def test_tty():
    if not shutil.which("script"):
        check(False, "script (util-linux) for the terminal test")
        return
    cmd = "%s %s -f pprof" % (shlex.quote(Env.pv), shlex.quote(FLASK))
    p = subprocess.run(["script", "-qec", cmd, "/dev/null"], capture_output=True, stdin=subprocess.DEVNULL)
    text = p.stdout.decode("utf-8", "replace")
    check(p.returncode == 2 and "-o" in text and "\x1f" not in text and "\ufffd" not in text,
          "-f pprof on a terminal: refused, exit 2, message naming -o", text[:200])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--profview", default="./profview")
    ap.add_argument("--speedscope", default=os.path.join(ROOT, "build", "npm", "node_modules", "speedscope"))
    a = ap.parse_args()
    Env.pv = os.path.abspath(a.profview)
    if not shutil.which("go"):
        print("FAIL go (Debian's golang-go) is not installed: make deps")
        return 1
    with tempfile.TemporaryDirectory(prefix="profview-pprof.") as tmp:
        Env.tmp = tmp
        scratch = os.path.join(tmp, "go")
        os.makedirs(scratch)
        Env.go = dict(os.environ, GOPATH=scratch, GOCACHE=os.path.join(scratch, "cache"),
                      GOMODCACHE=os.path.join(scratch, "mod"), HOME=scratch, GOFLAGS="-mod=mod",
                      GOPROXY="off", GOTOOLCHAIN="local", GOTELEMETRY="off",
                      PPROF_TMPDIR=os.path.join(scratch, "pprof"), PPROF_BINARY_PATH=scratch)
        path = test_go(a.speedscope)
        test_tty()
        test_deep()
        if os.path.isdir(a.speedscope):
            test_speedscope(os.path.abspath(a.speedscope), path)
        else:
            check(False, "speedscope npm package at %s (make pprof installs it)" % a.speedscope)
    print("pprof: %s" % ("all passed" if not failures else "%d failed" % failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
