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

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import browser  # noqa: E402  (tests/lib/browser.py)


def main():
    path, runs = os.path.abspath(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 3
    tmp = tempfile.TemporaryDirectory(prefix="pv-open-")
    d = browser.chromium(tmp.name, "1400,1000")
    best, rows, frames, errors = None, 0, 0, []
    try:
        for _ in range(runs):
            d.get("about:blank")
            d.get("file://" + path)
            ms = d.execute_script(
                "var m = performance.getEntriesByName('pv-ready'); return m.length ? m[0].startTime : null;")
            rows = d.execute_script("return document.querySelectorAll('#functions tbody tr').length")
            frames = d.execute_script("return document.querySelectorAll('#flame .fr').length")
            errors += browser.console_errors(d)
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
