#!/usr/bin/python3
"""The HTML report in a real browser: Debian's chromium, headless, driven by
chromium-driver through python3-selenium, the page opened from file://.

    /usr/bin/python3 tests/html/test_html.py --profview ./profview [--shots DIR]

Three reports are checked:
  flask  the sample dump directory, testdata/flask;
  xss    the same dumps plus testdata/edge/html_names.prof under a request
         name that is markup, so function, file and endpoint names are
         `</script><script>alert(1)</script>`, `<img src=x onerror=alert(1)>`;
  diff   the xss directory with --diff testdata/flask.
On each: no console error, no network request, the endpoints table has a row
per endpoint, a column header sorts, a regex filter narrows the functions
table, an endpoint scopes the functions table, a function shows its callers
and callees (counts checked against -f json), a flame-graph frame zooms to
full width, search reports a matched share; on xss and diff the markup names
show as text, nothing is parsed from them and no alert fires; on diff the
diff tables are there and coloured.  Exit status 0 when every check passes.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
import browser  # noqa: E402  (tests/lib/browser.py)

WARNINGS = ("SEVERE", "WARNING")  # a console warning fails a page too
SCRIPT_NAME = "</script><script>alert(1)</script>"
IMG_NAME = "<img src=x onerror=alert(1)>"
XSS_REQUEST = "GET.x" + IMG_NAME + ".4ms.1795541512.prof"  # no '/' in a file name

failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)
    return cond


def open_browser(tmp):
    d = browser.chromium(tmp, "1400,1800", logs=("browser", "performance"))
    # alert/confirm/prompt recorded instead of shown (CDP scripts run before
    # the page's own and are not subject to its CSP)
    d.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": """
        window.__alerts = [];
        for (const f of ['alert', 'confirm', 'prompt'])
            window[f] = (m) => { window.__alerts.push(f + ':' + String(m)); };
    """})
    return d


BROKEN = "broken.prof"  # testdata/bad/toplevel_int.prof: a marshal int, not a dict


def run(pv, *args, stderr=None):
    """profview's output; exit 1 is accepted when the inputs hold BROKEN,
    whose message is then appended to `stderr` (a list)."""
    r = subprocess.run([pv, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    broken = any(os.path.isdir(a) and os.path.exists(os.path.join(a, BROKEN)) for a in args)
    if stderr is not None:
        stderr.extend(r.stderr.decode(errors="replace").splitlines())
    if r.returncode != 0 and not (broken and r.returncode == 1):
        sys.exit("test_html: %s %s: exit %d\n%s" % (pv, " ".join(args), r.returncode,
                                                    r.stderr.decode(errors="replace")))
    return r.stdout.decode()


def endpoints_of(pv, inputs):
    """Endpoint names from the --requests table (the view the page shows)."""
    out = run(pv, *inputs, "--requests").splitlines()
    names = []
    for line in out[1:]:
        if not line.strip():
            break
        m = re.match(r"^(.*?)\s+\d+\s+[\d.]+\s", line)
        names.append(m.group(1) if m else line)
    return names


def rows(d, host):
    return d.find_elements(By.CSS_SELECTOR, "#%s tbody tr" % host)


def col_values(d, host, col):
    return [float(td.get_attribute("data-v")) for td in
            d.find_elements(By.CSS_SELECTOR, "#%s tbody tr td:nth-child(%d)" % (host, col + 1))]


def header(d, host, label):
    for i, th in enumerate(d.find_elements(By.CSS_SELECTOR, "#%s thead th" % host)):
        if th.text.strip() == label:
            return i, th
    raise AssertionError("no column %r in #%s" % (label, host))


def fn_names(d, host="functions"):
    return [td.text for td in d.find_elements(By.CSS_SELECTOR, "#%s tbody td.fn" % host)]


def type_into(d, el_id, text):
    e = d.find_element(By.ID, el_id)
    e.send_keys(Keys.CONTROL, "a")
    e.send_keys(Keys.DELETE)
    if text:
        e.send_keys(text)


def check_report(d, name, path, pv, inputs, shots, xss=False, diff=False, messages=()):
    print("== %s: %s" % (name, os.path.basename(path)))
    try:
        raw = open(path, "rb").read().decode("utf-8")
        check("\\u0000\\u0000\\u0000" not in raw, "%s: the page is UTF-8 with no run of NULs in its names" % name)
    except UnicodeDecodeError as e:
        check(False, "%s: the page is UTF-8 (%s)" % (name, e))
    url = "file://" + path
    d.get_log("performance")  # drop what the browser did before this page
    d.get_log("browser")
    t0 = time.time()
    d.get(url)
    ready = d.execute_script("var m = performance.getEntriesByName('pv-ready'); return m.length ? m[0].startTime : null;")
    check(ready is not None, "%s: the page finished drawing (performance mark pv-ready)" % name)
    if ready is not None:
        # a figure, not a pass/fail: the page's speed is bench/html.sh's (a timed
        # check here failed on a loaded machine)
        print("     tables and graph drawn %.0f ms after navigation start" % ready)
    print("     (driver saw the load after %.2f s)" % (time.time() - t0))
    data = json.loads(d.execute_script("return document.getElementById('pv-data').textContent"))
    if shots:
        d.save_screenshot(os.path.join(shots, name + "-1-open.png"))

    # the header: what was read, and the inputs skipped with their messages
    facts = d.find_element(By.ID, "facts").text
    check("Profiles" in facts and "Endpoints" in facts and "Time range" in facts and "Total calls" in facts
          and "Estimated share of the flame graph" in facts, "%s: the header has its facts" % name)
    if not diff:  # the estimated share is the SVG export's (the same tree)
        svg = run(pv, *inputs, "-f", "svg")
        m = re.search(r"([0-9.]+)% of the width is estimated", svg)
        est = re.search(r"Estimated share of the flame graph\n?\s*([0-9.]+)%", facts)
        check(m and est and abs(float(m.group(1)) - float(est.group(1))) < 0.051,
              "%s: estimated share %s%% as -f svg says (%s%%)" % (name, est and est.group(1), m and m.group(1)))
    skipped = [li.text for li in d.find_elements(By.CSS_SELECTOR, "#skipped li")]
    want_msgs = [m[len("profview: "):] for m in messages if BROKEN in m]
    check(skipped == want_msgs, "%s: the header lists the skipped inputs with their messages %r" % (name, skipped))

    # endpoints: a row per endpoint of the --requests view
    want = endpoints_of(pv, inputs)
    got = [td.text for td in d.find_elements(By.CSS_SELECTOR, "#endpoints tbody td.fn:first-child")]
    check(len(rows(d, "endpoints")) == len(want) and sorted(got) == sorted(want),
          "%s: endpoints table has a row per endpoint (%d rows, --requests has %d)" % (name, len(got), len(want)))

    # sorting by a column header
    i, th = header(d, "functions", "cumtime")
    th.click()
    v = col_values(d, "functions", i)
    th = header(d, "functions", "cumtime")[1]
    check(len(v) > 3 and v == sorted(v, reverse=True) and th.get_attribute("aria-sort") == "descending",
          "%s: clicking 'cumtime' sorts the functions by cumtime, descending" % name)
    th.click()
    v = col_values(d, "functions", i)
    check(v == sorted(v) and v != sorted(v, reverse=True), "%s: clicking it again sorts ascending" % name)
    i, th = header(d, "functions", "ncalls")
    th.click()
    v = col_values(d, "functions", i)
    check(v == sorted(v, reverse=True), "%s: clicking 'ncalls' sorts by call count" % name)

    # the regex filter
    before = len(data["scopes"][0]["rows"]) // 5
    type_into(d, "filter", r"^werkzeug/routing/")
    names = fn_names(d)
    check(0 < len(names) < before and all(n.startswith("werkzeug/routing/") for n in names),
          "%s: filter ^werkzeug/routing/ narrows the table from %d to %d rows, all matching" % (name, before, len(names)))
    type_into(d, "filter", "(")
    check("bad" in d.find_element(By.ID, "filter").get_attribute("class"),
          "%s: an invalid regex is marked, not thrown" % name)
    type_into(d, "filter", "")
    check(len(rows(d, "functions")) == min(before, 300), "%s: clearing the filter restores the table" % name)

    # an endpoint scopes the page
    all_count = d.find_element(By.ID, "fn-count").text
    all_top = fn_names(d)[:5]
    ep = next(tr for tr in rows(d, "endpoints") if tr.text.startswith("GET /compute/fib/{id}"))
    ep.click()
    scope_text = d.find_element(By.ID, "scope").text
    check("GET /compute/fib/{id}" in scope_text and "3 profiles" in scope_text,
          "%s: choosing GET /compute/fib/{id} scopes the page (%r)" % (name, scope_text.splitlines()[0]))
    fib_count = d.find_element(By.ID, "fn-count").text
    fib_scope = next(s for s in data["scopes"] if s["name"] == "GET /compute/fib/{id}")
    check(fib_count != all_count and fib_count == "%d functions" % (len(fib_scope["rows"]) // 5)
          and fn_names(d)[:5] != all_top,
          "%s: the functions table changes with the endpoint (%s -> %s)" % (name, all_count, fib_count))
    if shots:
        d.save_screenshot(os.path.join(shots, name + "-2-endpoint.png"))
    d.find_element(By.ID, "scope-all").click()
    check(d.find_element(By.ID, "fn-count").text == all_count, "%s: 'All profiles' restores the scope" % name)

    # callers and callees of a function, counts as -f json has them
    js = json.loads(run(pv, *inputs, "-f", "json"))
    target = next(f for f in js["functions"] if f["name"] == "dispatch_request" and f["file"].endswith("flask/app.py"))
    ncallers = len(target["callers"])
    ncallees = sum(1 for f in js["functions"] for c in f["callers"]
                   if (c["file"], c["line"], c["name"]) == (target["file"], target["line"], target["name"]))
    type_into(d, "filter", r"\(dispatch_request\)$")
    row = next(tr for tr in rows(d, "functions") if "flask/app.py" in tr.text)
    row.click()
    self_text = d.find_element(By.ID, "sandwich-self").text
    c1, c2 = len(rows(d, "callers")), len(rows(d, "callees"))
    check("dispatch_request" in self_text and c1 == ncallers and c2 == ncallees and c1 > 0 and c2 > 0,
          "%s: choosing flask/app.py(dispatch_request) shows %d callers and %d callees (-f json: %d, %d)"
          % (name, c1, c2, ncallers, ncallees))
    callee = rows(d, "callees")[0]
    callee_name = callee.find_element(By.CSS_SELECTOR, "td.fn").text
    callee.click()
    check(d.find_element(By.ID, "sandwich-self").text == callee_name,
          "%s: choosing a callee moves the view to it" % name)
    type_into(d, "filter", "")
    if shots:
        d.save_screenshot(os.path.join(shots, name + "-3-sandwich.png"))

    # the flame graph: a click zooms the frame to the full width
    frames = d.find_elements(By.CSS_SELECTOR, "#flame .fr")
    check(len(frames) > 10, "%s: the flame graph draws %d frames" % (name, len(frames)))
    fw = d.find_element(By.ID, "flame").size["width"]
    cand = [f for f in frames if 40 < f.size["width"] < fw * 0.5 and f.get_attribute("data-f") is not None]
    if check(bool(cand), "%s: a function's frame narrower than half the graph to click" % name):
        f = cand[0]
        idx, label = f.get_attribute("data-i"), f.get_attribute("title").split("\n")[0]
        f.click()
        z = d.find_element(By.CSS_SELECTOR, '#flame .fr[data-i="%s"]' % idx)
        check(z.size["width"] >= fw - 4, "%s: clicking frame %r zooms it to full width (%d of %d px)"
              % (name, label, z.size["width"], fw))
        check(d.find_element(By.ID, "sandwich-self").text == label,
              "%s: clicking a frame chooses its function for callers/callees" % name)
        if shots:
            d.save_screenshot(os.path.join(shots, name + "-4-zoom.png"))
        d.find_element(By.ID, "reset").click()
        z = d.find_element(By.CSS_SELECTOR, '#flame .fr[data-i="%s"]' % idx)
        check(z.size["width"] < fw * 0.5, "%s: reset zoom restores the width" % name)
    type_into(d, "search", "dispatch_request")
    m = d.find_element(By.ID, "matched").text
    hits = d.find_elements(By.CSS_SELECTOR, "#flame .fr.hit")
    check(m.startswith("Matched: ") and len(hits) > 0, "%s: search marks %d frames, %r" % (name, len(hits), m))
    type_into(d, "search", "")
    for mode in ("icicle", "inverted", "flame"):
        d.find_element(By.ID, "mode-" + mode).click()
        check(len(d.find_elements(By.CSS_SELECTOR, "#flame .fr")) > 3, "%s: %s view draws frames" % (name, mode))

    if xss:
        type_into(d, "filter", "alert")
        shown = fn_names(d)
        check(any(SCRIPT_NAME in n for n in shown) and any(IMG_NAME in n for n in shown),
              "%s: the markup names show as text in the functions table" % name)
        check(any(IMG_NAME in n for n in got), "%s: the markup endpoint shows as text in the endpoints table" % name)
        titles = [td.get_attribute("title") for td in d.find_elements(By.CSS_SELECTOR, "#functions tbody td.fn")]
        check(any("app/</script><script>alert(1)</script>.py:2" in t for t in titles),
              "%s: the full file name (markup) shows on hover" % name)
        type_into(d, "filter", "quote")
        other = d.execute_script(
            "return Array.from(document.querySelectorAll('#functions tbody td.fn')).map(e => e.textContent)")
        type_into(d, "filter", "alert")
        check(any('amp&amp; "quote" \'q\' \u2028line\u2029para\nnl <!-- -->' in n for n in other),
              "%s: &, quotes, U+2028/U+2029 and a newline come through unchanged" % name)
        row = next(tr for tr in rows(d, "functions") if IMG_NAME in tr.text)
        row.click()
        type_into(d, "search", "alert")
        if shots:
            d.save_screenshot(os.path.join(shots, name + "-5-xss.png"))
        type_into(d, "search", "")
        type_into(d, "filter", "")
        raw = open(path, encoding="utf-8").read()
        check(SCRIPT_NAME not in raw and IMG_NAME not in raw and "\u2028" not in raw,
              "%s: the file holds the names only escaped" % name)
    check(d.execute_script("return document.querySelectorAll('img, iframe, object, embed').length") == 0,
          "%s: no element was made from a name" % name)
    check(d.execute_script("return document.scripts.length") == 2, "%s: the page has its two scripts only" % name)

    if diff:
        check(d.find_element(By.ID, "diff-sec").is_displayed(), "%s: the diff section is shown" % name)
        check("Mean request time" in d.find_element(By.ID, "diff-overall").text, "%s: the overall before/after line" % name)
        check(len(rows(d, "diff-endpoints")) > 0, "%s: endpoints before and after" % name)
        ups = d.find_elements(By.CSS_SELECTOR, "#diff-functions td.up")
        downs = d.find_elements(By.CSS_SELECTOR, "#diff-functions td.down")
        check(len(ups) + len(downs) > 0, "%s: changes coloured (%d up, %d down)" % (name, len(ups), len(downs)))
        colour = ups[0].value_of_css_property("color") if ups else downs[0].value_of_css_property("color")
        check(colour not in ("rgba(29, 33, 38, 1)", "rgb(29, 33, 38)"), "%s: a change has its own colour (%s)" % (name, colour))
        i, th = header(d, "diff-functions", "after")
        th.click()
        v = col_values(d, "diff-functions", i)
        check(v == sorted(v, reverse=True), "%s: diff table sorts by 'after'" % name)
        if xss:
            ep = d.find_element(By.ID, "diff-endpoints").text
            check(IMG_NAME in ep, "%s: the markup endpoint name shows as text in the diff's endpoints" % name)
            fl = d.execute_script("return Array.from(document.querySelectorAll('#diff-flame .fr')).map(e => e.title).join('\\n')")
            check(fl and "self per request: before" in fl, "%s: the differential flame graph is drawn" % name)
        if shots:
            d.find_element(By.ID, "diff-sec").location_once_scrolled_into_view
            d.save_screenshot(os.path.join(shots, name + "-6-diff.png"))

    # what the browser saw: console and network
    d.execute_script("window.scrollTo(0, 0)")
    try:
        d.switch_to.alert.dismiss()
        check(False, "%s: no alert dialog" % name)
    except NoAlertPresentException:
        check(True, "%s: no alert dialog" % name)
    alerts = d.execute_script("return window.__alerts")
    check(alerts == [], "%s: no alert/confirm/prompt call (%r)" % (name, alerts))
    errors = browser.console_errors(d, WARNINGS)
    check(not errors, "%s: no console errors or warnings %s" % (name, errors[:3]))
    res = d.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    reqs = []
    for e in d.get_log("performance"):
        msg = json.loads(e["message"])["message"]
        if msg["method"] in ("Network.requestWillBeSent", "Network.webSocketCreated"):
            u = msg["params"].get("request", {}).get("url") or msg["params"].get("url", "")
            if u != url:
                reqs.append(u)
    check(res == [] and reqs == [], "%s: no network request (resources %r, requests %r)" % (name, res, reqs[:3]))


def check_diff_slow(d, pv, tmp, shots):
    """testdata/diff's slow case (search() made ~4x slower): the page's diff
    section gives the per-endpoint verdicts of -f json, scoped by endpoint,
    and a differential flame graph with search() red."""
    name = "diff-slow"
    print("== %s" % name)
    args = ["testdata/diff/slow.tar.xz", "--diff", "testdata/diff/base.tar.xz"]
    path = os.path.join(tmp, name + ".html")
    run(pv, *args, "-f", "html", "-o", path)
    want = {e["endpoint"]: e["verdict"] for e in json.loads(run(pv, *args, "-f", "json"))["endpoints"]}
    d.get_log("browser")
    d.get("file://" + path)
    check(d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "1", "%s: the page is drawn" % name)
    got = {}
    for tr in rows(d, "diff-endpoints"):
        tds = tr.find_elements(By.TAG_NAME, "td")
        got[tds[0].text] = tds[1].text
    check(got == want, "%s: the endpoints' verdicts are -f json's (%r)" % (name, got))
    check(got.get("GET /api/search") == "slower", "%s: GET /api/search is slower" % name)
    overall = d.find_element(By.ID, "diff-overall").text
    check("mix-adjusted: +91.0%" in overall, "%s: overall mix-adjusted +91.0%% as the text says (%s)" % (name, overall))

    def choose(endpoint):
        for tr in rows(d, "endpoints"):
            if tr.find_elements(By.TAG_NAME, "td")[0].text == endpoint:
                tr.click()
                return True
        return False

    check(choose("GET /api/search"), "%s: the search endpoint is in the endpoints table" % name)
    scope = d.find_element(By.ID, "scope").text
    verdict = d.find_element(By.ID, "diff-verdict").text
    check("GET /api/search" in scope and verdict.startswith("GET /api/search: slower"),
          "%s: scoped to search, the diff says slower (%s)" % (name, verdict))
    fns = rows(d, "diff-functions")
    eps = {tr.find_elements(By.TAG_NAME, "td")[0].text for tr in fns}
    first = fns[0].find_elements(By.CSS_SELECTOR, "td") if fns else []
    check(eps == {"GET /api/search"}, "%s: the functions table holds search's functions only" % name)
    check(first and first[1].text == "slower" and first[-1].text.endswith("(search)"),
          "%s: search() first, slower (%s)" % (name, [t.text for t in first]))
    frames = d.execute_script("""
        return Array.from(document.querySelectorAll('#diff-flame .fr')).map(e =>
            [e.textContent, e.title, getComputedStyle(e).backgroundColor, e.classList.contains('dest'),
             getComputedStyle(e).outlineStyle]);""")
    red = [f for f in frames if f[1].split("\n")[0].endswith("(search)")]
    check(red and red[0][2] == "rgb(255, 45, 45)", "%s: search()'s frame is the reddest (%s)" % (name, red and red[0][2]))
    m = re.search(r"before ([0-9.]+) (ms|\u00b5s), after ([0-9.]+) (ms|\u00b5s)", red[0][1] if red else "")
    check(m and m.group(1, 2) == ("6.18", "ms") and m.group(3, 4) == ("25.3", "ms"),
          "%s: hover gives before 6.18 ms, after 25.3 ms per request (%s)" % (name, red and red[0][1]))
    check(any(f[3] for f in frames) and all(f[3] == (f[4] == "dashed") for f in frames),
          "%s: estimated frames, and only they, are dashed" % name)
    check(all("/api/users" not in f[1].split("\n")[0] for f in frames),
          "%s: the graph shows the search endpoint's frames only" % name)
    if shots:
        d.find_element(By.ID, "diff-sec").location_once_scrolled_into_view
        d.save_screenshot(os.path.join(shots, name + "-search.png"))

    unchanged = next(e for e, v in want.items() if v == "unchanged")
    check(choose(unchanged), "%s: %s is in the endpoints table" % (name, unchanged))
    verdict = d.find_element(By.ID, "diff-verdict").text
    check(verdict.startswith(unchanged + ": unchanged"), "%s: scoped to %s, the diff says unchanged (%s)" % (name, unchanged, verdict))
    frames = d.execute_script("return Array.from(document.querySelectorAll('#diff-flame .fr')).map(e => getComputedStyle(e).backgroundColor)")
    check(frames and "rgb(255, 45, 45)" not in frames, "%s: no deep red frame in %s's graph" % (name, unchanged))
    d.find_element(By.ID, "scope-all").click()
    check(len(rows(d, "diff-functions")) > len(fns), "%s: all profiles: every endpoint's functions" % name)

    # the page's toggle: the base's widths (search() narrower: it took a
    # quarter of the time there), the same colours and hover; then back
    def search_frame():
        info = d.find_element(By.ID, "diff-flame-info").text
        f = d.execute_script("""
            var f = Array.from(document.querySelectorAll('#diff-flame .fr')).find(e =>
                e.title.split('\\n')[0].endsWith('(search)'));
            return f ? [f.title, getComputedStyle(f).backgroundColor, parseFloat(f.style.width)] : null;""")
        return info, f

    info_c, f_c = search_frame()
    d.find_element(By.ID, "diff-w-base").click()
    info_b, f_b = search_frame()
    on = [b.get_attribute("id") for b in d.find_elements(By.CSS_SELECTOR, "#diff-flame-sec button.on")]
    check("widths from the current set" in info_c and "widths from the base" in info_b and on == ["diff-w-base"],
          "%s: the toggle switches to the base's widths (%s -> %s, %s)" % (name, info_c, info_b, on))
    check(f_c and f_b and f_b[1] == "rgb(255, 45, 45)" and "before 6.18 ms, after 25.3 ms" in f_b[0] and
          f_b[2] < f_c[2] / 2,
          "%s: base widths: search() red, same hover, under half its current width (%s, %s)" % (name, f_c, f_b))
    d.find_element(By.ID, "diff-w-current").click()
    info_c2, f_c2 = search_frame()
    check("widths from the current set" in info_c2 and f_c2 and f_c2[2] == f_c[2],
          "%s: the toggle switches back to the current widths (%s)" % (name, info_c2))
    errors = browser.console_errors(d, WARNINGS)
    check(not errors, "%s: no console errors or warnings %s" % (name, errors[:3]))

    # --diff-widths base: the base's tree, the same colours and hover
    run(pv, *args, "-f", "html", "--diff-widths", "base", "-o", path)
    d.get("file://" + path)
    info = d.find_element(By.ID, "diff-flame-info").text
    frames = d.execute_script("""
        return Array.from(document.querySelectorAll('#diff-flame .fr')).map(e =>
            [e.title, getComputedStyle(e).backgroundColor]);""")
    red = [f for f in frames if f[0].split("\n")[0].endswith("(search)")]
    check("widths from the base" in info and red and red[0][1] == "rgb(255, 45, 45)" and
          "before 6.18 ms, after 25.3 ms" in red[0][0],
          "%s: --diff-widths base: the base's widths, search() red, same hover (%s)" % (name, info))
    d.find_element(By.ID, "diff-w-current").click()
    info = d.find_element(By.ID, "diff-flame-info").text
    check("widths from the current set" in info,
          "%s: --diff-widths base: the toggle switches to the current widths (%s)" % (name, info))
    errors = browser.console_errors(d, WARNINGS)
    check(not errors, "%s: --diff-widths base: no console errors or warnings %s" % (name, errors[:3]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--profview", default="./profview")
    ap.add_argument("--shots", help="save screenshots in this directory")
    a = ap.parse_args()
    pv = os.path.abspath(a.profview)
    os.chdir(ROOT)
    if a.shots:
        os.makedirs(a.shots, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="pv-html-")
    try:
        xdir = os.path.join(tmp, "xss")
        os.mkdir(xdir)
        for f in os.listdir("testdata/flask"):
            shutil.copy(os.path.join("testdata/flask", f), xdir)
        shutil.copy("testdata/edge/html_names.prof", os.path.join(xdir, XSS_REQUEST))
        shutil.copy("testdata/bad/toplevel_int.prof", os.path.join(xdir, BROKEN))
        reports = [
            ("flask", ["testdata/flask"], {}),
            ("xss", [xdir], {"xss": True}),
            ("diff", [xdir, "--diff", "testdata/flask"], {"xss": True, "diff": True}),
        ]
        d = open_browser(tmp)
        try:
            for name, inputs, kw in reports:
                path = os.path.join(tmp, name + ".html")
                messages = []
                run(pv, *inputs, "-f", "html", "-o", path, stderr=messages)
                check(any(BROKEN in m for m in messages) == (name != "flask"),
                      "%s: profview reports the broken input (%d lines on stderr)" % (name, len(messages)))
                base_inputs = [x for x in inputs if x != "--diff"][:1]
                check_report(d, name, path, pv, base_inputs, a.shots, messages=messages, **kw)
            check_diff_slow(d, pv, tmp, a.shots)
        finally:
            d.quit()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("test_html: %d failed" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
