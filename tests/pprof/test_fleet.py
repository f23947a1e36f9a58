#!/usr/bin/env python3
"""doc/fleet.md's recipes on a multi-directory example (make pprof).

  tests/pprof/test_fleet.py --profview ./profview

The 19 dumps of testdata/flask are dealt to three "hosts" (folders).
- Without a server: each host merges its own dumps with -f pstats, the
  partials are merged centrally.  What doc/fleet.md promises:
  * the central merge is exactly pstats.Stats over the partials (same keys,
    call counts, callers and the same float bits);
  * against pstats.Stats over all 19 dumps at once: the same keys, call
    counts and callers, times equal up to float summation order;
  * profview's text report of the partials is the report of all dumps.
- With a profile store: each host's -f pprof export, merged as a store
  merges them (go tool pprof -proto over the three), has every function's
  flat equal to the central tottime, and every endpoint in -tags.
"""
import argparse
import glob
import os
import pstats
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FLASK = os.path.join(ROOT, "testdata", "flask")
failures = 0


def check(cond, what, detail=""):
    global failures
    if cond:
        print("ok   " + what)
    else:
        failures += 1
        print("FAIL " + what + ((": " + str(detail)[:800]) if detail else ""))


def run(args, **kw):
    p = subprocess.run(args, capture_output=True, **kw)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


def same_counts(a, b):
    """Keys, call counts and callers' counts equal; times within 1e-9 relative."""
    if set(a) != set(b):
        return "keys differ: %s" % sorted(set(a) ^ set(b))[:3]
    close = lambda x, y: abs(x - y) <= 1e-9 * max(abs(x), abs(y), 1e-9)
    for k in a:
        (cc, nc, tt, ct, callers), (cc2, nc2, tt2, ct2, callers2) = a[k], b[k]
        if (cc, nc) != (cc2, nc2) or not close(tt, tt2) or not close(ct, ct2):
            return "%s: %s vs %s" % (k, a[k][:4], b[k][:4])
        if set(callers) != set(callers2):
            return "%s: callers differ" % (k,)
        for c in callers:
            x, y = callers[c], callers2[c]
            if x[:2] != y[:2] or not all(close(p, q) for p, q in zip(x[2:], y[2:])):
                return "%s <- %s: %s vs %s" % (k, c, x, y)
    return None


def body(report):
    """The report from the column header down (the first lines name the inputs)."""
    lines = report.decode().splitlines()
    for i, l in enumerate(lines):
        if l.lstrip().startswith("ncalls"):
            return lines[i:]
    return lines


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--profview", default="./profview")
    a = ap.parse_args()
    pv = os.path.abspath(a.profview)
    dumps = sorted(glob.glob(os.path.join(FLASK, "*.prof")))
    with tempfile.TemporaryDirectory(prefix="profview-fleet.") as tmp:
        hosts = []
        for i in range(3):
            h = os.path.join(tmp, "hosts", "host%d" % (i + 1))
            os.makedirs(h)
            for d in dumps[i::3]:
                shutil.copy(d, h)
            hosts.append(h)
        partdir = os.path.join(tmp, "partials")
        os.makedirs(partdir)
        parts = []
        for h in hosts:  # on each host
            p = os.path.join(partdir, os.path.basename(h) + ".prof")
            rc, _, err = run([pv, h, "-f", "pstats", "-o", p])
            check(rc == 0, "%s: profview DIR -f pstats -o %s.prof" % (os.path.basename(h), os.path.basename(h)), err)
            parts.append(p)
        central = os.path.join(tmp, "central.prof")  # centrally
        rc, _, err = run([pv, partdir, "-f", "pstats", "-o", central])
        check(rc == 0, "central: profview partials/ -f pstats", err)
        got = pstats.Stats(central).stats
        want = pstats.Stats(*parts).stats
        check(got == want, "central merge == pstats.Stats(*partials), every number to the bit",
              same_counts(got, want))
        whole = pstats.Stats(*dumps).stats
        d = same_counts(got, whole)
        check(d is None, "central merge vs pstats.Stats over all %d dumps: same keys, calls, callers; "
              "times to float summation order" % len(dumps), d)
        rc1, r1, _ = run([pv, partdir, "--sort", "tottime"])
        rc2, r2, _ = run([pv, FLASK, "--sort", "tottime"])
        check(rc1 == 0 and rc2 == 0 and body(r1) == body(r2),
              "profview partials/ prints the report of all dumps (from the column header down)")

        if not shutil.which("go"):
            check(False, "go (Debian's golang-go) for the profile-store half: make deps")
        else:
            scratch = os.path.join(tmp, "go")
            env = dict(os.environ, GOPATH=scratch, GOCACHE=os.path.join(scratch, "cache"), HOME=scratch,
                       GOPROXY="off", GOTOOLCHAIN="local", GOTELEMETRY="off",
                       PPROF_TMPDIR=os.path.join(scratch, "pprof"))
            pbs = []
            for h in hosts:
                p = os.path.join(tmp, os.path.basename(h) + ".pb.gz")
                rc, _, err = run([pv, h, "-f", "pprof", "-o", p])
                check(rc == 0, "%s: profview DIR -f pprof" % os.path.basename(h), err)
                pbs.append(p)
            merged = os.path.join(tmp, "store.pb.gz")
            with open(merged, "wb") as fp:
                p = subprocess.run(["go", "tool", "pprof", "-proto", *pbs], stdout=fp,
                                   stderr=subprocess.PIPE, env=env)
            check(p.returncode == 0, "go tool pprof -proto merges the hosts' exports", p.stderr[-300:])
            rc, out, err = run(["go", "tool", "pprof", "-top", "-unit=ns", "-nodecount=1000000",
                                "-nodefraction=0", merged], env=env)
            rows = {}
            for line in out.decode().splitlines():
                m = re.match(r"\s*(\d+)ns\s+[\d.]+%\s+[\d.]+%\s+\d+ns\s+[\d.]+%\s+(.*)$", line)
                if m:
                    rows[m.group(2)] = int(m.group(1))
            st = pstats.Stats(central)
            bad = []
            for (f, line, name), v in st.stats.items():
                if v[2] <= 0.001 * st.total_tt:
                    continue
                key = ("{%s}" % name[1:-1] if name.startswith("<") else name) if f == "~" and line == 0 \
                    else "%s %s:%d" % (name, f, line)
                if abs(rows.get(key, -10**9) - round(v[2] * 1e9)) > 40:  # 3 hosts x 12 endpoints
                    bad.append((key, rows.get(key), round(v[2] * 1e9)))
            check(rc == 0 and not bad, "merged store: every function's flat = the central tottime", bad[:4] or err)
            rc, out, _ = run(["go", "tool", "pprof", "-tags", merged], env=env)
            eps = set(l.split("): ", 1)[1] for l in out.decode().split("requests:")[0].splitlines() if "): " in l)
            rc2, rq, _ = run([pv, FLASK, "--requests", "-f", "csv"])
            want_eps = set(l.split(",")[0].strip('"') for l in rq.decode().splitlines()[1:] if l)
            check(eps == want_eps, "merged store: -tags lists every endpoint of every host (%d)" % len(eps),
                  (sorted(eps), sorted(want_eps)))
    print("fleet: %s" % ("all passed" if not failures else "%d failed" % failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
