#!/usr/bin/env python3
"""--diff against ground truth from real werkzeug runs (testdata/diff/, made
by testdata/gen/diff_app.py: one Flask app behind ProfilerMiddleware, four
sets of dumps with their requests interleaved in one process).

    python3 tests/diff/test_diff.py --profview ./profview

(a) slow/ vs base/: the same requests with search() doing four times its
    work -> only GET /api/search is slower, search() first among its
    slower functions;
(b) mix/ vs base/: the same code, a very different traffic mix -> every
    endpoint unchanged, the mix-adjusted overall within +-3%, the
    unadjusted one large, both labelled;
(c) base/ vs base/ -> every endpoint and function unchanged, 0%;
(d) 20 random half-splits of run/ (one run, 80 requests per endpoint)
    -> the false-positive rate of the verdicts, printed; at most one
    changed verdict (endpoint or function) in all of them.
Every JSON output validates against doc/schema/diff.schema.json; --fail-if
exits 4 naming the offender in (a) only.
"""
import argparse
import csv
import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile

import jsonschema

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
import browser  # noqa: E402  (tests/lib/browser.py)

TD = os.path.join(ROOT, "testdata", "diff")
SCHEMA = json.load(open(os.path.join(ROOT, "doc", "schema", "diff.schema.json")))
results = []


def check(what, ok, detail=""):
    results.append(bool(ok))
    print(("ok   " if ok else "FAIL ") + what + ("" if ok else "\n     " + str(detail)[:800]))


def run(pv, *args):
    r = subprocess.run([pv, *args], capture_output=True, cwd=ROOT,
                       env=dict(os.environ, TZ="UTC", LC_ALL="C.UTF-8"))
    return r.returncode, r.stdout.decode("utf-8", "replace"), r.stderr.decode("utf-8", "replace")


def diff_json(pv, cur, base, *extra):
    code, out, err = run(pv, cur, "--diff", base, "-f", "json", *extra)
    doc = json.loads(out) if code == 0 else None
    if doc is not None:
        jsonschema.validate(doc, SCHEMA)
    return code, doc, err


def changed(doc):
    """(endpoint, function or None, verdict) of every verdict but unchanged."""
    out = []
    for e in doc["endpoints"]:
        if e["verdict"] != "unchanged":
            out.append((e["endpoint"], None, e["verdict"]))
        for f in e["functions"]:
            if f["verdict"] != "unchanged" and e["verdict"] not in ("new", "gone"):
                out.append((e["endpoint"], "%s:%d(%s)" % (f["file"], f["line"], f["name"]), f["verdict"]))
    return out


def set_path(name):
    return os.path.join(TD, name + ".tar.xz")


def test_slowdown(pv):
    code, doc, err = diff_json(pv, set_path("slow"), set_path("base"))
    check("(a) slow vs base: json validates", code == 0, err)
    if not doc:
        return
    verdicts = {e["endpoint"]: e["verdict"] for e in doc["endpoints"]}
    check("(a) only GET /api/search is slower",
          verdicts.get("GET /api/search") == "slower" and
          all(v == "unchanged" for k, v in verdicts.items() if k != "GET /api/search"), verdicts)
    ep = [e for e in doc["endpoints"] if e["endpoint"] == "GET /api/search"][0]
    slower = [f for f in ep["functions"] if f["verdict"] == "slower"]
    check("(a) search() is first among the endpoint's slower functions",
          slower and slower[0]["name"] == "search" and slower[0]["file"] == "/srv/app/diff_app.py",
          [(f["name"], f["change"]) for f in slower])
    check("(a) the changed endpoint comes first, with its p-value",
          doc["endpoints"][0]["endpoint"] == "GET /api/search" and doc["endpoints"][0]["p"] < 0.05,
          doc["endpoints"][0])
    rel = (ep["current"]["p50"] / ep["base"]["p50"] - 1) * 100
    print("     (a) GET /api/search p50 %.3f -> %.3f ms (%+.1f%%), p = %.2g; overall %+.1f%%" % (
        ep["base"]["p50"] * 1e3, ep["current"]["p50"] * 1e3, rel, ep["p"], doc["overall"]["relative"] * 100))
    code, out, err = run(pv, set_path("slow"), "--diff", set_path("base"), "-f", "csv")
    rows = list(csv.reader(io.StringIO(out, newline="")))
    eps = [(r[0], r[2]) for r in rows[1:] if r[1] == "endpoint"]
    check("(a) csv: the endpoint rows agree with the json (order, verdict), every row complete",
          code == 0 and eps == [(e["endpoint"], e["verdict"]) for e in doc["endpoints"]] and
          all(len(r) == len(rows[0]) for r in rows), out[:500])
    code, text, err = run(pv, set_path("slow"), "--diff", set_path("base"), "-n", "3")
    row = [l for l in text.splitlines() if l.startswith("GET /api/search ")]
    check("(a) text: the endpoint row says slower with a p-value",
          row and re.search(r"\bslower\s+\d(\.\d+)?(e-\d+)?$", row[0]), row or text[:600])
    fn = [l for l in text.splitlines() if l.endswith("diff_app.py:62(search)")]
    check("(a) text: search()'s row says slower with a p-value",
          fn and re.search(r"\sslower\s+\S+\s+/srv/app/diff_app.py:62\(search\)$", fn[0]), fn or text[:900])
    code, text, err = run(pv, set_path("slow"), "--diff", set_path("base"), "-n", "3", "--strip-dirs")
    fn = [l for l in text.splitlines() if l.endswith("(search)")]
    check("(a) --strip-dirs: the endpoint tables name search() stripped, with the same verdict",
          code == 0 and fn and re.search(r"\sslower\s+\S+\s+diff_app.py:62\(search\)$", fn[0]) and
          "/srv/app/" not in text and "/usr/lib/" not in text, fn or text[:900])


def test_gate(pv):
    code, out, err = run(pv, set_path("slow"), "--diff", set_path("base"), "--fail-if", "p50:10%")
    check("(a) --fail-if p50:10%: exit 4 naming GET /api/search, and only it",
          code == 4 and "GET /api/search: p50" in err and len(err.strip().splitlines()) == 1 and
          out.startswith("Comparing "), "%d %s" % (code, err))
    code, out, err = run(pv, set_path("slow"), "--diff", set_path("base"), "--fail-if", "tottime:0.5ms")
    check("(a) --fail-if tottime:0.5ms: exit 4 naming search()",
          code == 4 and "GET /api/search: /srv/app/diff_app.py:62(search) tottime" in err, "%d %s" % (code, err))
    code, out, err = run(pv, set_path("slow"), "--diff", set_path("base"), "--fail-if", "p50:400%")
    check("(a) --fail-if p50:400%: a +258% rise is within the bound, exit 0", code == 0 and not err,
          "%d %s" % (code, err))
    for name in ("mix", "base"):
        code, out, err = run(pv, set_path(name), "--diff", set_path("base"), "--fail-if", "p50:10%",
                             "--fail-if", "p95:20%", "--fail-if", "mean:5%", "--fail-if", "tottime:0.5ms")
        check("(%s) every --fail-if rule: exit 0, nothing on stderr" % ("b" if name == "mix" else "c"),
              code == 0 and not err, "%d %s" % (code, err))
    for bad in ("p50", "p99:10%", "p50:10", "tottime:x", "mean:%"):
        code, out, err = run(pv, set_path("base"), "--diff", set_path("base"), "--fail-if", bad)
        check("--fail-if %s: usage error (exit 2, one line)" % bad,
              code == 2 and len(err.splitlines()) == 1 and not out, "%d %s" % (code, err))


FOLDED = re.compile(r"^(.*)\s+?(\d+(?:\.\d*)?)$")  # flamegraph.pl's split, applied twice


def test_flame(pv, tmp):
    code, out, err = run(pv, set_path("slow"), "--diff", set_path("base"), "-f", "folded")
    lines = out.splitlines()
    parsed = []
    for line in lines:  # as flamegraph.pl reads a difffolded line: the last two numbers
        m = FOLDED.match(line)
        m2 = m and FOLDED.match(m.group(1))
        parsed.append((m2.group(1), int(m2.group(2)), int(m.group(2))) if m2 else None)
    check("-f folded --diff: every line is 'stack int int' (flamegraph.pl's difffolded)",
          code == 0 and lines and all(parsed) and
          all(re.fullmatch(r".+ \d+ \d+", l) for l in lines), err or out[:300])
    stacks = {p[0]: p[1:] for p in parsed if p}
    search = [(k, v) for k, v in stacks.items() if k.startswith("GET /api/search;") and k.endswith(";/srv/app/diff_app.py:62(search)")]
    check("-f folded --diff: search()'s stack rose about fourfold (us per request)",
          len(search) == 1 and 3 * search[0][1][0] < search[0][1][1] < 6 * search[0][1][0], search)
    code, out, err = run(pv, set_path("base"), "--diff", set_path("base"), "-f", "folded")
    check("-f folded --diff of identical sets: before == after on every line",
          code == 0 and out and all(l.split()[-1] == l.split()[-2] for l in out.splitlines()), out[:300])
    svg = os.path.join(tmp, "diff.svg")
    code, out, err = run(pv, set_path("slow"), "--diff", set_path("base"), "-f", "svg", "-o", svg)
    lint = subprocess.run(["xmllint", "--noout", svg], capture_output=True, text=True)
    check("-f svg --diff: written, xmllint finds it well-formed", code == 0 and lint.returncode == 0,
          err + lint.stderr)
    svgb = os.path.join(tmp, "diffb.svg")
    code, out, err = run(pv, set_path("slow"), "--diff", set_path("base"), "-f", "svg", "--diff-widths",
                         "base", "-o", svgb)
    check("-f svg --diff --diff-widths base: written", code == 0 and "(widths: the base)" in open(svgb).read(), err)
    try:
        from selenium.webdriver.common.by import By
        from selenium.webdriver.common.action_chains import ActionChains
    except ImportError as e:
        check("selenium for the chromium check", False, e)
        return
    d = browser.chromium(tmp, "1400,1200")
    try:
        d.get("file://" + svg)
        info = d.execute_script("""
            var out = [];
            document.querySelectorAll('#frames g').forEach(function (g) {
              var t = g.querySelector('title').textContent, r = g.querySelector('rect');
              out.push([t, getComputedStyle(r).fill, r.getAttribute('stroke-dasharray')]);
            });
            return out;""")
        frame = [x for x in info if x[0].startswith("/srv/app/diff_app.py:62(search)")]
        check("chromium: search()'s frame is drawn red (its self time per request grew)",
              frame and re.match(r"rgb\(255, (\d+), \1\)", frame[0][1]) and
              int(re.match(r"rgb\(255, (\d+)", frame[0][1]).group(1)) < 120, frame[:1])
        m = frame and re.search(r"self per request: before (\d+) us, after ([\d.]+) ms", frame[0][0])
        check("chromium: its tooltip gives the self time before and after",
              m and 3 < float(m.group(2)) * 1e3 / float(m.group(1)) < 6, frame[:1])
        el = [g for g in d.find_elements(By.CSS_SELECTOR, "#frames g")
              if g.find_element(By.TAG_NAME, "title").get_attribute("textContent").startswith("/srv/app/diff_app.py:62(search)")]
        ActionChains(d).move_to_element(el[0]).perform()
        shown = d.find_element(By.ID, "details").text
        check("chromium: hovering the frame shows it in the details line", "search" in shown, shown)
        others = [x for x in info if x[0].startswith("GET /api/users ") or x[0].startswith("GET /\n")]
        check("chromium: an endpoint that did not change is not deep red",
              others and all(not re.match(r"rgb\(255, ([0-9]|[0-9][0-9]), ", x[1]) for x in others), others[:2])
        check("chromium: estimated frames carry a dashed outline",
              any(x[2] for x in info if ", estimated" in x[0]) and
              not any(x[2] for x in info if ", exact" in x[0]), [x for x in info if x[2]][:1])
    finally:
        d.quit()


def test_mix(pv):
    code, doc, err = diff_json(pv, set_path("mix"), set_path("base"))
    check("(b) mix vs base: json validates", code == 0, err)
    if not doc:
        return
    check("(b) every endpoint unchanged", all(e["verdict"] == "unchanged" for e in doc["endpoints"]),
          [(e["endpoint"], e["verdict"]) for e in doc["endpoints"]])
    o = doc["overall"]
    check("(b) mix-adjusted overall within +-3%", abs(o["relative"]) <= 0.03, o)
    check("(b) unadjusted overall large (over 20%) and the mix shift with it",
          o["unadjusted"]["relative"] > 0.2 and o["mix"] > 0.2, o)
    print("     (b) mix-adjusted %+.1f%%, unadjusted %+.1f%%, traffic mix alone %+.1f%%" % (
        o["relative"] * 100, o["unadjusted"]["relative"] * 100, o["mix"] * 100))
    code, text, err = run(pv, set_path("mix"), "--diff", set_path("base"))
    check("(b) text: both overall lines, labelled",
          re.search(r"^Overall \(mix-adjusted\): .*\([-+]\d+\.\d%\)\.$", text, re.M) and
          re.search(r"^Unadjusted: .*\(\+\d+\.\d%\); traffic mix alone: \+\d+\.\d%\.$", text, re.M),
          text[:700])


def test_identical(pv):
    code, doc, err = diff_json(pv, set_path("base"), set_path("base"))
    check("(c) identical sets: json validates", code == 0, err)
    if not doc:
        return
    check("(c) identical sets: nothing changed", not changed(doc), changed(doc)[:5])
    check("(c) identical sets: overall 0%",
          doc["overall"]["relative"] == 0 and doc["overall"]["unadjusted"]["relative"] == 0, doc["overall"])


def test_splits(pv, tmp, n=20):
    src = os.path.join(tmp, "run")
    with tarfile.open(set_path("run")) as t:
        t.extractall(src)
    names = sorted(os.listdir(src))
    rng = random.Random(2026)
    total_changes, compared = [], 0
    for k in range(n):
        a, b = os.path.join(tmp, "a%d" % k), os.path.join(tmp, "b%d" % k)
        os.makedirs(a)
        os.makedirs(b)
        pick = set(rng.sample(range(len(names)), len(names) // 2))
        for i, name in enumerate(names):
            os.link(os.path.join(src, name), os.path.join(a if i in pick else b, name))
        code, doc, err = diff_json(pv, a, b)
        if code != 0:
            check("(d) split %d: diff runs" % k, False, err)
            return
        compared += doc["test"]["endpoints_compared"] + doc["test"]["functions_compared"]
        total_changes += changed(doc)
        shutil.rmtree(a)
        shutil.rmtree(b)
    rate = len(total_changes) / compared if compared else 0
    print("     (d) %d random half-splits of %d requests: %d changed verdicts in %d comparisons "
          "(false-positive rate %.5f%%)" % (n, len(names), len(total_changes), compared, rate * 100))
    check("(d) at most one changed verdict in %d random half-splits" % n, len(total_changes) <= 1,
          total_changes)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--profview", default="./profview")
    args = ap.parse_args()
    pv = os.path.abspath(args.profview)
    with tempfile.TemporaryDirectory() as tmp:
        test_slowdown(pv)
        test_gate(pv)
        test_flame(pv, tmp)
        test_mix(pv)
        test_identical(pv)
        test_splits(pv, tmp)
    print("diff: %d passed, %d failed" % (results.count(True), results.count(False)))
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
