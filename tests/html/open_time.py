#!/usr/bin/python3
"""How long an HTML report takes to show its tables and graph in headless
Chromium: milliseconds from navigation start to the page's 'pv-ready'
performance mark (set once the header, the tables and the flame graph are
drawn), and what was drawn.

    /usr/bin/python3 tests/html/open_time.py REPORT.html [RUNS]

Prints "ms rows frames" for the best of RUNS (default 3) fresh loads; exits
1 if the page drew no table rows or no frames, or logged a console error.
"""
import os
import sys
import tempfile

from selenium import webdriver
from selenium.webdriver.chrome.service import Service


def main():
    path, runs = os.path.abspath(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 3
    tmp = tempfile.TemporaryDirectory(prefix="pv-open-")
    o = webdriver.ChromeOptions()
    o.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for a in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
              "--disable-component-update", "--disable-sync", "--no-first-run",
              "--window-size=1400,1000", "--user-data-dir=" + tmp.name):
        o.add_argument(a)
    o.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    d = webdriver.Chrome(service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")),
                         options=o)
    best, rows, frames, errors = None, 0, 0, []
    try:
        for _ in range(runs):
            d.get("about:blank")
            d.get("file://" + path)
            ms = d.execute_script(
                "var m = performance.getEntriesByName('pv-ready'); return m.length ? m[0].startTime : null;")
            rows = d.execute_script("return document.querySelectorAll('#functions tbody tr').length")
            frames = d.execute_script("return document.querySelectorAll('#flame .fr').length")
            errors += [e for e in d.get_log("browser") if e["level"] == "SEVERE"]
            if ms is not None and (best is None or ms < best):
                best = ms
    finally:
        d.quit()
    print("%s %d %d" % ("-" if best is None else "%.0f" % best, rows, frames))
    if errors:
        print(errors[:3], file=sys.stderr)
    return 0 if best is not None and rows and frames and not errors else 1


if __name__ == "__main__":
    sys.exit(main())
