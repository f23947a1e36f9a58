#!/usr/bin/env python3
"""Every output format and mode against its contract.

    python3 tests/formats/test_formats.py --profview ./profview

- the format list: formats/writers.c (the writers table) against --help, the
  man page and both completions;
- json of the stats, --requests and --diff validates against doc/schema/
  (python3-jsonschema) and agrees with the text table; csv parses with
  Python's csv module and agrees with the text table;
- --diff of a real program (tests/formats/slow_prog.py) with one function
  made ten times slower lists that function first; identical inputs give
  zero changes and a 0.0% overall line;
- every format in every mode it writes, with --short-paths, prints no full
  site-packages or dist-packages path; with --strip-dirs no directory;
- a format that does not write a mode is refused with exit 2 and one line.
"""
import argparse
import csv
import glob
import io
import json
import os
import re
import subprocess
import sys
import tempfile

import jsonschema

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
results = []


def check(what, ok, detail=""):
    results.append(bool(ok))
    print(("ok   " if ok else "FAIL ") + what + ("" if ok else "\n     " + str(detail)[:600]))


def run(pv, *args, binary=False):
    r = subprocess.run([pv, *args], capture_output=True, cwd=ROOT,
                       env=dict(os.environ, TZ="UTC", LC_ALL="C.UTF-8"))
    if binary:
        return r.returncode, r.stdout, r.stderr.decode("utf-8", "replace")
    return r.returncode, r.stdout.decode("utf-8", "replace"), r.stderr.decode("utf-8", "replace")


def writers_table():
    """(name, modes) of every writer listed in formats/writers.c."""
    src = open(os.path.join(ROOT, "formats/writers.c")).read()
    table = re.search(r"pv_writers\[\]\s*=\s*\{(.*?)\};", src, re.S).group(1)
    out = []
    for sym in re.findall(r"&(pv_writer_\w+)", table):
        for f in glob.glob(os.path.join(ROOT, "formats/*.c")):
            m = re.search(r"const pv_writer %s = \{(.*?)\n\};" % sym, open(f).read(), re.S)
            if m:
                name = re.search(r'\.name = "([^"]+)"', m.group(1)).group(1)
                modes = re.search(r"\.modes = ([^,]+),", m.group(1)).group(1)
                out.append((name, {k for k in ("STATS", "REQUESTS", "DIFF") if "PV_MODE_" + k in modes}))
                break
        else:
            out.append((sym, set()))
    return out


def test_format_list(pv):
    table = [n for n, _ in writers_table()]
    check("writers table read from formats/writers.c", len(table) >= 6, table)
    code, out, _ = run(pv, "--help")
    helpfmt = re.findall(r"^  (\S+)\s", out.split("\nFormats:\n", 1)[1], re.M)
    check("--help lists the writers table, in order", helpfmt == table, "%s vs %s" % (helpfmt, table))
    man = open(os.path.join(ROOT, "doc/profview.1")).read()
    line = re.search(r'^\.BR text " \(the default\), "(.*)$', man, re.M).group(1)
    manlist = ["text"] + [w for w in re.sub(r'"[^"]*"', " ", line).split() if w != ";"]
    check("man page -f list is the writers table", manlist == table, "%s vs %s" % (manlist, table))
    section = man.split('.SH "OUTPUT FORMATS"')[1].split(".SH ")[0] if '.SH "OUTPUT FORMATS"' in man \
        else man.split(".SH OUTPUT FORMATS")[1].split("\n.SH ")[0]
    described = re.findall(r"^\.TP\n\.B (\S+)$", section, re.M)
    check("man page OUTPUT FORMATS describes every writer, in order", described == table,
          "%s vs %s" % (described, table))
    bash = open(os.path.join(ROOT, "completion/profview.bash")).read()
    bl = re.search(r"_profview_formats='([^']*)'", bash).group(1).split()
    check("bash completion formats are the writers table", bl == table, "%s vs %s" % (bl, table))
    zsh = open(os.path.join(ROOT, "completion/_profview")).read()
    zblock = re.search(r"_profview_formats\(\) \{.*?formats=\(\n(.*?)\n  \)", zsh, re.S).group(1)
    zl = re.findall(r"'([a-z]+):", zblock)
    check("zsh completion formats are the writers table", zl == table, "%s vs %s" % (zl, table))


def load_schema(name):
    with open(os.path.join(ROOT, "doc/schema/%s.schema.json" % name)) as f:
        return json.load(f)


def validate(what, doc, name):
    try:
        jsonschema.Draft202012Validator(load_schema(name)).validate(doc)
        check(what + " validates against doc/schema/%s.schema.json" % name, True)
    except jsonschema.ValidationError as e:
        check(what + " validates against doc/schema/%s.schema.json" % name, False, e.message)


def text_requests(out):
    rows = []
    for line in out.splitlines()[1:]:
        if not line.strip():
            break
        m = re.match(r"^(.*?)\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+(\d+)  (.*)$", line)
        if m:
            rows.append(m.groups())
    return rows


def test_requests(pv):
    _, text, _ = run(pv, "testdata/flask", "--requests", "--sort", "p95")
    trows = text_requests(text)
    code, out, err = run(pv, "testdata/flask", "--requests", "--sort", "p95", "-f", "json")
    check("--requests -f json exits 0", code == 0, err)
    doc = json.loads(out)
    validate("--requests -f json", doc, "requests")
    got = [(e["endpoint"], e["profiles"], e["total_time"] * 1e3, e["p95"] * 1e3, e["calls"]) for e in doc["endpoints"]]
    want = [(r[0], int(r[1]), float(r[2]), float(r[5]), int(r[7])) for r in trows]
    check("--requests json agrees with the text table (order, profiles, total, p95, calls)",
          len(got) == len(want) and all(g[0] == w[0] and g[1] == w[1] and abs(g[2] - w[2]) < 0.051 and
                                        abs(g[3] - w[3]) < 0.051 and g[4] == w[4] for g, w in zip(got, want)),
          "%s\n%s" % (got[:3], want[:3]))
    check("--requests json: top function is the text's last column",
          all(doc["endpoints"][i]["top"][0]["file"] in trows[i][8] + "~" and
              doc["endpoints"][i]["top"][0]["name"].strip("<>") in trows[i][8] for i in range(len(trows))),
          [(e["top"][0], t[8]) for e, t in zip(doc["endpoints"], trows)][:3])
    code, out, err = run(pv, "testdata/flask", "--requests", "--sort", "p95", "-f", "csv")
    rows = list(csv.reader(io.StringIO(out, newline="")))
    check("--requests -f csv parses, header + one line per endpoint",
          code == 0 and rows[0][:3] == ["endpoint", "profiles", "total_s"] and len(rows) == len(trows) + 1,
          out[:300])
    check("--requests csv agrees with the text table",
          all(r[0] == t[0] and int(r[1]) == int(t[1]) and abs(float(r[2]) * 1e3 - float(t[2])) < 0.051 and
              r[9] == t[8] for r, t in zip(rows[1:], trows)), "%s vs %s" % (rows[1:2], trows[:1]))


def text_diff(out):
    rows = []
    for line in out.splitlines():
        f = line.split()
        if len(f) >= 9 and re.match(r"^[-\d.]+$", f[0]) and re.match(r"^[-+\d.]+$", f[4]):
            name = re.sub(r"^(new|gone)\s+", "", re.split(r"\s{2,}", line.strip())[-1])
            rows.append((name, f[4], f[5]))
    return rows


def profile_prog(tmp, factor):
    out = os.path.join(tmp, "f%d.prof" % factor)
    subprocess.run([sys.executable, "-m", "cProfile", "-o", out, "slow_prog.py", str(factor)],
                   cwd=os.path.join(ROOT, "tests/formats"), check=True)
    return out


def test_diff(pv, tmp):
    base = profile_prog(tmp, 1)
    slow = profile_prog(tmp, 10)
    code, text, err = run(pv, slow, "--diff", base, "-n", "5")
    rows = text_diff(text)
    check("--diff: the function made 10x slower is listed first",
          code == 0 and rows and rows[0][0].endswith("slow_prog.py:14(render)"), text)
    m = re.search(r"^Overall \(mix-adjusted\): .*\(\+(\d+\.\d)%\)\.$", text, re.M)
    check("--diff: an overall line with a percentage", m and float(m.group(1)) > 50, text[:400])
    code, out, err = run(pv, slow, "--diff", base, "-n", "5", "-f", "json")
    doc = json.loads(out)
    validate("--diff -f json", doc, "diff")
    check("--diff json agrees with the text (order, change)",
          len(doc["functions"]) == len(rows) and
          all(f["name"].strip("<>") in r[0] for f, r in zip(doc["functions"], rows)) and
          all(abs(f["change"] * 1e3 - float(r[1])) < 0.0006 for f, r in zip(doc["functions"], rows)),
          "%s vs %s" % ([f["name"] for f in doc["functions"]], rows))
    check("--diff json: render's relative change is large (+900% without timing noise)",
          doc["functions"][0]["name"] == "render" and doc["functions"][0]["relative"] > 4,
          doc["functions"][0])
    code, out, err = run(pv, slow, "--diff", base, "-n", "5", "-f", "csv")
    crows = list(csv.reader(io.StringIO(out, newline="")))
    frows = [r for r in crows[1:] if r[1] == "function"]
    check("--diff -f csv parses and agrees with the text (order, change)",
          code == 0 and crows[0][:3] == ["endpoint", "row", "verdict"] and
          [r[1] for r in crows[1:]][:1] == ["endpoint"] and
          [r[23] for r in frows] == [r[0] for r in rows] and
          all(abs(float(c[16]) * 1e3 - float(r[1])) < 0.0006 for c, r in zip(frows, rows)) and
          all(len(r) == len(crows[0]) for r in crows), out[:400])
    for key in ("change", "relative", "base", "current", "name", "abs"):
        code, out, err = run(pv, slow, "--diff", base, "--sort", key, "-f", "json")
        fs = json.loads(out)["functions"] if code == 0 else []
        val = {"change": lambda f: -f["change"], "relative": lambda f: -abs(f["relative"] if f["relative"] is not None else 1e300),
               "base": lambda f: -(f["base"]["tottime"] if f["base"] else 0),
               "current": lambda f: -(f["current"]["tottime"] if f["current"] else 0),
               "name": lambda f: 0, "abs": lambda f: -abs(f["change"])}[key]
        vals = [val(f) for f in fs]
        check("--diff --sort %s orders the rows" % key, code == 0 and vals == sorted(vals), err or vals[:5])
    code, out, err = run(pv, "--diff", base, base, "--sort", "bogus", "/nonexistent")
    check("--diff --sort bogus: exit 2 before reading", code == 2 and "bogus" in err and len(err.splitlines()) == 1, err)
    # the header: every label over its column, separated by two spaces or more
    code, text, err = run(pv, slow, "--diff", base, "-n", "3")
    head = [l for l in text.splitlines() if "function" in l and "tottime" in l][0]
    labels = re.split(r"\s{2,}", head.strip())
    check("--diff header labels are separate",
          labels == ["base calls", "calls", "base tottime", "tottime", "change", "change%",
                     "base cumtime", "cumtime", "verdict", "p", "function"], labels)
    row = [l for l in text.splitlines() if l.endswith("(render)")][0]
    ends = [m.end() for m in re.finditer(r"\S+(?: \S+)*", head)][:8]
    rends = [m.end() for m in re.finditer(r"\S+", row)][:8]
    check("--diff header labels end where their numbers end", ends == rends, "%s vs %s" % (ends, rends))
    for unit, scale in (("us", 1e6), ("s", 1), ("ms", 1e3)):
        code, text, err = run(pv, slow, "--diff", base, "-n", "1", "--unit", unit)
        m = re.search(r"^Overall \(mix-adjusted\): ([\d.]+) (\w+) -> ", text, re.M)
        check("--diff --unit %s: times in %s" % (unit, unit),
              code == 0 and m and m.group(2) == unit and "times in %s;" % unit in text and
              abs(float(m.group(1)) - doc["base"]["mean_time"] * scale) <= 0.0005 * max(1, scale / 1e3),
              text[:300])
    # identical inputs
    code, text, err = run(pv, base, "--diff", base)
    rows = text_diff(text)
    check("--diff of identical inputs: every change is zero",
          code == 0 and rows and all(float(r[1]) == 0 for r in rows), text[:500])
    check("--diff of identical inputs: a 0.0% overall line",
          re.search(r"^Overall \(mix-adjusted\): .*\(\+0\.0%\)\.$", text, re.M), text[:300])
    code, out, err = run(pv, base, "--diff", base, "-f", "json")
    doc = json.loads(out)
    check("--diff json of identical inputs: overall relative 0, every change 0",
          doc["overall"]["relative"] == 0 and all(f["change"] == 0 for f in doc["functions"]), doc["overall"])


def test_stats(pv):
    code, out, err = run(pv, "testdata/flask", "-f", "json", "-n", "20")
    doc = json.loads(out)
    validate("stats -f json", doc, "stats")
    check("stats json lists callees", any(f["callees"] for f in doc["functions"]))
    code, text, _ = run(pv, "testdata/flask", "-n", "20")
    trows = [l.split(None, 5) for l in text.splitlines() if re.match(r"^\s+\d+(/\d+)?\s+[\d.]+\s", l)]
    code, out, err = run(pv, "testdata/flask", "-f", "csv", "-n", "20")
    rows = list(csv.reader(io.StringIO(out, newline="")))
    check("stats -f csv parses: pstats columns and the full key",
          code == 0 and rows[0] == ["ncalls", "pcalls", "tottime_s", "tottime_percall_s", "cumtime_s",
                                    "cumtime_percall_s", "file", "line", "name", "function", "id"], rows[:1])
    check("stats csv agrees with the text report (order, calls, name)",
          len(rows) == len(trows) + 1 and all(
              r[9] == t[5] and (r[0] == t[0] if r[0] == r[1] else t[0] == r[0] + "/" + r[1])
              for r, t in zip(rows[1:], trows)), "%s vs %s" % (rows[1:3], trows[:2]))


def test_paths(pv):
    inputs = ["testdata/flask", "testdata/cprofile/py311/prog_\u00fcn\u00ef.prof"]
    full = re.compile(rb"/(site|dist)-packages/")
    _, plain, _ = run(pv, *inputs, binary=True)
    check("the inputs have full site-packages paths (the test can fail)", full.search(plain))
    for name, modes in writers_table():
        for mode in sorted(modes):
            args = {"STATS": [], "REQUESTS": ["--requests"], "DIFF": ["--diff", "testdata/flask"]}[mode]
            extra = ["--node-threshold", "0", "--edge-threshold", "0"] if name == "dot" else []
            code, out, err = run(pv, *inputs, *args, *extra, "-f", name, "--short-paths", binary=True)
            hit = full.search(out)
            check("-f %s (%s) --short-paths: no full site-packages path" % (name, mode.lower()),
                  code == 0 and not hit, err or out[max(0, hit.start() - 80):hit.end() + 40] if hit else err)
    code, out, err = run(pv, *inputs, "-f", "json", "--strip-dirs")
    check("-f json --strip-dirs: no directory in any file",
          code == 0 and all("/" not in f["file"] for f in json.loads(out)["functions"]), err)
    code, out, err = run(pv, *inputs, "-f", "csv", "--strip-dirs")
    check("-f csv --strip-dirs: no directory in any file",
          code == 0 and all("/" not in r[6] for r in list(csv.reader(io.StringIO(out, newline="")))[1:]), err)


def test_refusals(pv):
    for name, modes in writers_table():
        for mode, args in (("REQUESTS", ["--requests"]), ("DIFF", ["--diff", "x"])):
            if mode in modes:
                continue
            code, out, err = run(pv, "/nonexistent", *args, "-f", name)
            check("-f %s with %s: exit 2, one line, nothing read" % (name, args[0]),
                  code == 2 and len(err.splitlines()) == 1 and "does not write" in err and not out, err)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--profview", default="./profview")
    pv = os.path.join(ROOT, ap.parse_args().profview)
    with tempfile.TemporaryDirectory() as tmp:
        test_format_list(pv)
        test_stats(pv)
        test_requests(pv)
        test_diff(pv, tmp)
        test_paths(pv)
        test_refusals(pv)
    passed = sum(results)
    print("formats: %d passed, %d failed" % (passed, len(results) - passed))
    sys.exit(0 if results and passed == len(results) else 1)


if __name__ == "__main__":
    main()
