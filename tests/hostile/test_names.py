#!/usr/bin/env python3
"""Every consumer accepts every output of a dump full of hostile names
(issue #23, classes 3, 4, 5 and 8), the dumps made by gen_hostile.py:

    python3 tests/hostile/test_names.py --profview ./profview

- dot: `dot -Tsvg` reads -f dot (NUL, a 20,000-character name, controls)
  and its SVG passes xmllint; labels are cut, the tooltip is bounded;
- svg: every variant (flame, --inverted, --icicle, grouped by endpoint)
  passes xmllint, and chromium renders it (no parsererror); the HTML page
  loads in chromium without errors and each of its <svg> elements
  serialises to XML that parses back;
- csv: Python's csv module reads every csv (stats, --requests) opened as
  UTF-8, and no cell starts (after spaces) with = + - @ tab or CR;
- json, speedscope: Python's json reads them;
- folded: UTF-8, one "stack count" per line;
- text: the report equals CPython's pstats byte for byte (names stay raw:
  pstats is the reference); the --requests table escapes U+0085, U+2028
  and bidi controls and keeps its columns in line with double-width names.
"""
import argparse
import csv
import io
import json
import os
import pstats
import re
import subprocess
import sys
import tempfile
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
import browser  # noqa: E402  (tests/lib/browser.py)

failures = []


def check(what, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + what + ("" if ok else "\n     " + str(detail)[:600]))
    if not ok:
        failures.append(what)
    return ok


def run(*args, stdin=None):
    return subprocess.run(list(args), capture_output=True, timeout=300, input=stdin,
                          env=dict(os.environ, TZ="UTC", LC_ALL="C.UTF-8"))


def xmllint(what, data):
    r = run("xmllint", "--noout", "-", stdin=data)
    return check(what + ": xmllint accepts it", r.returncode == 0 and not r.stderr,
                 r.stderr.decode(errors="replace"))


def width(s):
    """Terminal columns, as a terminal draws them."""
    w = 0
    for ch in s:
        if unicodedata.east_asian_width(ch) in "WF":
            w += 2
        elif unicodedata.category(ch) not in ("Mn", "Me", "Cf"):
            w += 1
    return w


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--profview", default="./profview")
    ap.add_argument("--no-browser", action="store_true")
    a = ap.parse_args()
    pv = os.path.abspath(a.profview)
    with tempfile.TemporaryDirectory() as tmp:
        d = os.path.join(tmp, "d")
        subprocess.run([sys.executable, os.path.join(HERE, "gen_hostile.py"), d, "names", "requests"],
                       check=True)
        names, reqs = os.path.join(d, "names.prof"), os.path.join(d, "requests")

        def out(*args):
            r = run(pv, *args, "-q")
            check("profview %s: exit 0, nothing on stderr" % " ".join(args[1:]),
                  r.returncode == 0 and not r.stderr, r.stderr)
            return r.stdout

        # ---- class 3: Graphviz
        dot = out(names, "-f", "dot", "--node-threshold", "0", "--edge-threshold", "0")
        check("dot: no NUL or other C0 control in the file",
              not re.search(rb"[\x00-\x08\x0b-\x1f\x7f]", dot))
        check("dot: every quoted string under Graphviz's 16,384 bytes",
              max(len(x) for x in re.findall(rb'"(?:[^"\\]|\\.)*"', dot)) < 16384)
        r = run("dot", "-Tsvg", stdin=dot)
        if check("dot -Tsvg reads -f dot of the hostile names", r.returncode == 0 and not r.stderr,
                 r.stderr.decode(errors="replace")):
            xmllint("dot -Tsvg's SVG", r.stdout)
            check("dot: the 20,000-character name is cut in the label, whole up to the bound in "
                  "the tooltip", b"L" * 150 in r.stdout and b"L" * 2500 not in r.stdout)

        # ---- class 4: every SVG variant is XML
        svgs = {"svg": out(names, "-f", "svg"),
                "svg --inverted": out(names, "-f", "svg", "--inverted"),
                "svg --icicle": out(names, "-f", "svg", "--icicle"),
                "svg by endpoint": out(reqs, "-f", "svg")}
        for k, v in svgs.items():
            xmllint(k, v)
            check(k + ": no noncharacter or lone surrogate left",
                  not re.search("[\ufffe\uffff\ufdd0-\ufdef\U0001fffe\U0010ffff\x00-\x08\x85]",
                                v.decode("utf-8", errors="surrogateescape")))

        # ---- class 5: CSV
        for what, args in (("stats", (names, "-f", "csv")), ("requests", (reqs, "--requests", "-f", "csv"))):
            data = out(*args)
            p = os.path.join(tmp, what + ".csv")
            with open(p, "wb") as f:
                f.write(data)
            try:
                with open(p, encoding="utf-8", newline="") as f:
                    rows = list(csv.reader(f))
                check("csv %s: Python's csv reads it as UTF-8" % what, True)
            except UnicodeDecodeError as e:
                check("csv %s: Python's csv reads it as UTF-8" % what, False, e)
                continue
            bad = [c for row in rows[1:] for c in row if c.lstrip(" ")[:1] in ("=", "+", "-", "@", "\t", "\r")]
            check("csv %s: no cell a spreadsheet runs as a formula" % what, not bad, bad)
            if what == "stats":
                fns = {row[8] for row in rows[1:]}
                check("csv: formula cells kept, after an apostrophe",
                      "'=HYPERLINK(\"http://x/\")" in fns and "'   =spaces" in fns and "'\t=tab" in fns)
                check("csv: the lone surrogate is U+FFFD", "surrogate\ufffd" in fns)

        # ---- json, speedscope, folded
        for f in ("json", "speedscope"):
            try:
                json.loads(out(names, "-f", f))
                check(f + ": Python's json reads it", True)
            except ValueError as e:
                check(f + ": Python's json reads it", False, e)
        lines = out(names, "-f", "folded").decode("utf-8").rstrip("\n").split("\n")
        check("folded: UTF-8, every line 'stack count'",
              lines and all(re.fullmatch(r"[^\n]+ \d+", x) for x in lines))

        # ---- text: pstats is the reference
        s = io.StringIO()
        pstats.Stats(names, stream=s).sort_stats("time", "calls").print_stats()
        mine = out(names)  # the oracle's convention: pstats' str as UTF-8, surrogatepass
        ref = s.getvalue().encode("utf-8", "surrogatepass")
        check("text: the report of the hostile names equals pstats' (body)",
              mine.split(b"\n", 2)[2] == ref.split(b"\n", 2)[2])

        # ---- class 8: the --requests table
        table = out(reqs, "--requests").decode("utf-8").split("\n\n")[0].splitlines()
        check("requests: U+0085, U+2028 and U+202E escaped",
              "GET /a\\x85b" in "\n".join(table) and "GET /x\\u2028y" in "\n".join(table)
              and "GET /\\u202eevil" in "\n".join(table) and not re.search("[\x85\u2028\u202e]", "\n".join(table)))
        cols = set()
        for x in table:  # the endpoint, its padding and the right-aligned profiles column
            m = re.match(r"(.*?)( {2,}\S+)", x)
            cols.add(width(m.group(1)) + len(m.group(2)) if m else -1)
        check("requests: the profiles column in line on every row (display width)", len(cols) == 1,
              "\n".join(table))

        # ---- chromium: the SVG renders, the HTML page loads
        if not a.no_browser:
            drv = browser.chromium(tmp, "1400,1800")
            try:
                for k, v in svgs.items():
                    p = os.path.join(tmp, re.sub(r"\W+", "_", k) + ".svg")
                    with open(p, "wb") as f:
                        f.write(v)
                    drv.get("file://" + p)
                    ok = drv.execute_script(
                        "return document.documentElement.localName === 'svg' && "
                        "!document.querySelector('parsererror') && "
                        "document.querySelectorAll('#frames g').length")
                    check("chromium renders " + k, bool(ok), drv.page_source[:300])
                for what, args in (("stats", (names,)), ("requests", (reqs,))):
                    p = os.path.join(tmp, what + ".html")
                    with open(p, "wb") as f:
                        f.write(out(*args, "-f", "html"))
                    drv.get("file://" + p)
                    errs = browser.console_errors(drv)
                    check("chromium: the %s page loads without errors" % what, not errs, errs)
                    bad = drv.execute_script("""
                        var bad = [];
                        document.querySelectorAll('svg').forEach(function (s) {
                          var x = new XMLSerializer().serializeToString(s);
                          var d = new DOMParser().parseFromString(x, 'image/svg+xml');
                          if (d.querySelector('parsererror')) bad.push(x.slice(0, 200));
                        });
                        return bad;""")
                    check("chromium: every <svg> of the %s page is XML" % what, not bad, bad)
            finally:
                drv.quit()
    print("%d failure(s)" % len(failures) if failures else "all passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
