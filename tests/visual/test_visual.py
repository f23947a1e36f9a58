#!/usr/bin/python3
"""The call-tree formats checked by the programs that read them.

  tests/visual/test_visual.py --profview ./profview --speedscope build/npm/node_modules/speedscope

- folded: every line is "frames count" with an integer count; the counts add
  up to the tree's total (the SVG's root width, speedscope's endValue) and to
  pstats' total time within 1%; ';' and line breaks inside names escaped;
- svg: `xmllint --noout` (default, --icicle, --inverted, hostile names);
  in headless Chromium (selenium): a click on a frame zooms it to the full
  width, the Search button's regex reports the matched share (checked
  against the folded stacks), Reset Zoom restores every frame; a screenshot
  is left in build/visual/flame.png;
- speedscope JSON: valid against the npm package's file-format-schema.json;
  the speedscope app (npm, from file://) loads it and the folded export with
  no console errors, shows the expected profile names, and the profile it
  exports back has the tree's total as its end value;
- dot: the bundled sample renders at most 2,000 px wide with `dot -Tpng`.

Needs Debian's chromium, chromium-driver, python3-selenium,
python3-jsonschema, libxml2-utils, graphviz, and the speedscope npm package
(the Makefile's `visual` target installs it under build/npm).
"""
import argparse
import base64
import json
import marshal
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
import browser  # noqa: E402  (tests/lib/browser.py)

SAMPLE = os.path.join(ROOT, "testdata", "flask")
failures = []
passes = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if cond:
        passes.append(what)
    if not cond:
        failures.append(what)


def run(pv, *args):
    r = subprocess.run([pv] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if r.returncode != 0:
        raise SystemExit("profview %s failed: %s" % (" ".join(args), r.stderr.decode()))
    return r.stdout


def folded_total(text):
    total = 0
    for line in text.decode().split("\n"):
        if line:
            total += int(line.rsplit(" ", 1)[1])
    return total


def pstats_total_us(pv):
    return json.loads(run(pv, SAMPLE, "-f", "json"))["total_time"] * 1e6


def hostile_dump(path):
    """A dump whose names hold ; newlines, markup and a quote."""
    f = ("a;b.py", 1, "semi;colon")
    g = ("<script>alert(1)</script>.py", 2, 'new\nline"&')
    stats = {
        f: (1, 1, 0.001, 0.003, {}),
        g: (1, 1, 0.002, 0.002, {f: (1, 1, 0.002, 0.002)}),
    }
    with open(path, "wb") as fp:
        marshal.dump(stats, fp)


def chrome(tmp):
    return browser.chromium(tmp, "1300,900")


def console_errors(d):
    return [e["message"] for e in browser.console_errors(d)]


def geometry(d):
    return d.execute_script(
        "var G = document.getElementById('frames').children, out = [];"
        "for (var i = 0; i < G.length; i++) { var r = G[i].children[1];"
        " out.push([G[i].style.display, r.getAttribute('x'), r.getAttribute('width')]); }"
        "return out;")


def test_svg_browser(pv, tmp, folded_text, total, outdir):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    svg = os.path.join(tmp, "flask.svg")
    with open(svg, "wb") as fp:
        fp.write(run(pv, SAMPLE, "-f", "svg"))
    d = chrome(tmp)
    try:
        d.get("file://" + svg)
        time.sleep(1)
        check(d.execute_script("return D[1]") == total, "svg: root width (D[1]) = folded total %d" % total)
        before = geometry(d)
        # the frame of compute_fib (a function with one caller)
        idx = d.execute_script(
            "var G = document.getElementById('frames').children;"
            "for (var i = 0; i < G.length; i++) if (/\\(compute_fib\\)$/.test(fname(i))) return i;"
            "return -1;")
        check(idx > 0, "svg: a compute_fib frame exists")
        g = d.find_elements(By.CSS_SELECTOR, "#frames > g")[idx]
        rect = g.find_elements(By.TAG_NAME, "rect")[0]
        w0 = float(rect.get_attribute("width"))
        ActionChains(d).move_to_element(rect).click().perform()
        time.sleep(0.3)
        w1 = float(rect.get_attribute("width"))
        check(w0 < 1000 and abs(w1 - 1180) < 0.01,
              "svg: click zooms compute_fib from %.2f px to the full width (%.2f px)" % (w0, w1))
        details = d.find_element(By.ID, "details").text
        check("compute_fib" in details and "% of total" in details and "% of parent" in details
              and "calls" in details and ("exact" in details or "estimated" in details),
              "svg: hover details show name, %% of total, %% of parent, calls, exact/estimated: %r"
              % details[:160])
        hidden = sum(1 for s, _, _ in geometry(d) if s == "none")
        check(hidden > 0, "svg: frames outside the zoomed one are hidden (%d)" % hidden)
        d.save_screenshot(os.path.join(outdir, "flame-zoomed.png"))

        # search by regex through the Search button's prompt
        d.find_element(By.ID, "search").click()
        alert = d.switch_to.alert
        alert.send_keys("json")
        alert.accept()
        time.sleep(0.3)
        got = d.find_element(By.ID, "matched").text
        m = 0
        for line in folded_text.decode().split("\n"):
            if line and any(re.search("json", fr) for fr in line.rsplit(" ", 1)[0].split(";")):
                m += int(line.rsplit(" ", 1)[1])
        want = 100.0 * m / total
        gm = re.search(r"Matched: ([0-9.]+)%", got)
        check(gm is not None and abs(float(gm.group(1)) - want) <= 0.011 and m > 0,
              "svg: search 'json' reports %r, the folded stacks say %.2f%%" % (got, want))
        magenta = d.execute_script(
            "return document.querySelectorAll('#frames rect[fill=\"#e600e6\"]').length")
        check(magenta > 0, "svg: matching frames highlighted (%d)" % magenta)

        # reset restores the view
        d.find_element(By.ID, "reset").click()
        time.sleep(0.3)
        after = geometry(d)
        same = all(a[0] == "" and abs(float(a[1]) - float(b[1])) < 0.011
                   and abs(float(a[2]) - float(b[2])) < 0.011 for a, b in zip(after, before))
        check(len(after) == len(before) and same, "svg: Reset Zoom restores all %d frames" % len(after))
        check(console_errors(d) == [], "svg: no console errors")
        d.save_screenshot(os.path.join(outdir, "flame.png"))
    finally:
        d.quit()


def speedscope_app(tmp, pkg, path, name):
    """Load `path` in the speedscope app from file:// as its CLI does;
    returns (title, console errors, the profile it exports, page text)."""
    js = os.path.join(tmp, "load-%s.js" % name)
    with open(path, "rb") as fp:
        b64 = base64.b64encode(fp.read()).decode()
    with open(js, "w") as fp:
        fp.write("speedscope.loadFileFromBase64(%s, %s)\n" % (json.dumps(name), json.dumps(b64)))
    dl = tempfile.mkdtemp(dir=tmp)
    d = chrome(tmp)
    try:
        d.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": dl})
        d.get("file://" + os.path.join(pkg, "dist", "release", "index.html") + "#localProfilePath=" + js)
        for _ in range(50):
            time.sleep(0.2)
            if "speedscope" in d.title and d.title != "speedscope":
                break
        time.sleep(1)
        title = d.title
        text = d.find_element("tag name", "body").text
        for e in d.find_elements("xpath", "//div[contains(text(),'Export')]"):
            e.click()
            break
        exported = None
        for _ in range(50):
            time.sleep(0.2)
            files = [f for f in os.listdir(dl) if f.endswith(".json")]
            if files:
                time.sleep(0.3)
                with open(os.path.join(dl, files[0])) as fp:
                    exported = json.load(fp)
                break
        return title, console_errors(d), exported, text
    finally:
        d.quit()


def end_of(p):
    if p["type"] == "evented":
        return max(e["at"] for e in p["events"]) - p["startValue"]
    return sum(p["weights"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--profview", default="./profview")
    ap.add_argument("--speedscope", default=os.path.join(ROOT, "build", "npm", "node_modules", "speedscope"))
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "visual"))
    a = ap.parse_args()
    pv = os.path.abspath(a.profview)
    a.speedscope = os.path.abspath(a.speedscope)
    os.makedirs(a.out, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="pv-visual-")
    try:
        # ---- folded -----------------------------------------------------
        folded = run(pv, SAMPLE, "-f", "folded")
        lines = folded.decode().split("\n")
        check(lines[-1] == "" and all(re.fullmatch(r"[^\n]+ [0-9]+", l) for l in lines[:-1]),
              "folded: %d lines 'frames count' with integer counts" % (len(lines) - 1))
        total = folded_total(folded)
        merged = folded_total(run(pv, SAMPLE, "-f", "folded", "--merged"))
        # per endpoint: the lines under each endpoint's frame
        per_group = {}
        for line in folded.decode().split("\n"):
            if line:
                stack, count = line.rsplit(" ", 1)
                group = stack.split(";", 1)[0]
                per_group[group] = per_group.get(group, 0) + int(count)
        check(len(per_group) == 12 and "GET /api/users/{id}" in per_group,
              "folded: one first frame per endpoint (%d)" % len(per_group))
        pst = pstats_total_us(pv)
        check(abs(total - pst) <= 0.01 * pst and abs(merged - pst) <= 0.01 * pst,
              "folded: totals %d us (by endpoint), %d us (--merged) within 1%% of pstats' %.0f us"
              % (total, merged, pst))
        short = run(pv, SAMPLE, "-f", "folded", "--short-paths").decode()
        check("flask/app.py:" in short and "/usr/lib" not in short, "folded: --short-paths honoured")
        hostile = os.path.join(tmp, "hostile.prof")
        hostile_dump(hostile)
        h = run(pv, hostile, "-f", "folded").decode()
        check(h.count("\n") == 2 and "a\\x3bb.py:1(semi\\x3bcolon)" in h and "new\\nline" in h,
              "folded: ';' and newlines in names escaped: %r" % h)

        # ---- svg: xmllint -----------------------------------------------
        for args in ([], ["--icicle"], ["--inverted"], ["--min-share", "0"]):
            p = os.path.join(tmp, "x.svg")
            with open(p, "wb") as fp:
                fp.write(run(pv, SAMPLE, "-f", "svg", *args))
            r = subprocess.run(["xmllint", "--noout", p], stderr=subprocess.PIPE)
            check(r.returncode == 0 and not r.stderr, "svg %s: xmllint --noout" % " ".join(args))
        p = os.path.join(tmp, "hostile.svg")
        with open(p, "wb") as fp:
            fp.write(run(pv, hostile, "-f", "svg"))
        r = subprocess.run(["xmllint", "--noout", p], stderr=subprocess.PIPE)
        body = open(p, "rb").read()
        check(r.returncode == 0 and b"<script>alert" not in body and b"&lt;script&gt;alert" in body,
              "svg: names with markup are XML text (xmllint passes, no <script> from a name)")
        check(b"http://" not in body.replace(b"http://www.w3.org/2000/svg", b"")
              and b"https://" not in body, "svg: no network reference")

        # ---- svg in Chromium ----------------------------------------------
        test_svg_browser(pv, tmp, folded, total, a.out)

        # ---- speedscope ---------------------------------------------------
        ss = os.path.join(tmp, "flask.speedscope.json")
        with open(ss, "wb") as fp:
            fp.write(run(pv, SAMPLE, "-f", "speedscope"))
        doc = json.load(open(ss))
        import jsonschema
        schema = json.load(open(os.path.join(a.speedscope, "dist", "release", "file-format-schema.json")))
        try:
            jsonschema.validate(doc, schema)
            ok = True
        except jsonschema.ValidationError as e:
            ok = False
            print(e)
        check(ok, "speedscope: valid against the package's file-format-schema.json")
        names = [p["name"] for p in doc["profiles"]]
        check(names[0] == "all" and "GET /api/users/{id}" in names and "GET /compute/fib/{id}" in names,
              "speedscope: profiles 'all' and one per endpoint (%d)" % len(names))
        check(doc["profiles"][0]["unit"] == "microseconds" and doc["profiles"][0]["endValue"] == merged
              and sum(doc["profiles"][0]["weights"]) == merged,
              "speedscope: unit stated, 'all' weighs the merged tree's total %d" % merged)
        check(all(p["endValue"] == sum(p["weights"]) == per_group[p["name"]] for p in doc["profiles"][1:]),
              "speedscope: each endpoint's profile weighs its tree's total (as the folded stacks)")
        check(any("file" in f and "line" in f for f in doc["shared"]["frames"]),
              "speedscope: frames with file and line")
        fd = os.path.join(tmp, "flask.folded")
        with open(fd, "wb") as fp:
            fp.write(folded)
        for path, name, want in ((ss, "flask.speedscope.json", names), (fd, "flask.folded", None)):
            title, errs, exported, text = speedscope_app(tmp, a.speedscope, path, name)
            want_title = doc["name"] if want else name
            check(title == want_title + " - speedscope",
                  "speedscope app, %s: loaded from file:// (title %r)" % (name, title))
            check(errs == [], "speedscope app, %s: no console errors %s" % (name, errs[:3]))
            check(exported is not None, "speedscope app, %s: exports the profile it loaded" % name)
            if exported is None:
                continue
            enames = [p["name"] for p in exported["profiles"]]
            if want:
                check(enames == want and all(w in text for w in ("all",)),
                      "speedscope app, %s: profile names %s..." % (name, enames[:3]))
                ends = [end_of(p) for p in exported["profiles"]]
                wends = [p["endValue"] for p in doc["profiles"]]
                check(ends == wends, "speedscope app, %s: every profile's total as written" % name)
            want_total = merged if want else total
            check(end_of(exported["profiles"][0]) == want_total,
                  "speedscope app, %s: total weight %s = the tree's total %d"
                  % (name, end_of(exported["profiles"][0]), want_total))

        # ---- dot -------------------------------------------------------------
        dot = os.path.join(tmp, "flask.dot")
        with open(dot, "wb") as fp:
            fp.write(run(pv, SAMPLE, "-f", "dot"))
        png = os.path.join(a.out, "flask-dot.png")
        subprocess.run(["dot", "-Tpng", dot, "-o", png], check=True)
        with open(png, "rb") as fp:
            head = fp.read(24)
        w, hgt = struct.unpack(">II", head[16:24])
        check(w <= 2000, "dot: the bundled sample renders %d x %d px (at most 2,000 wide)" % (w, hgt))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("visual: %d passed, %d failed" % (len(passes), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
