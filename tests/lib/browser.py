"""Headless Chromium for the suites that check pages in a real browser
(tests/html, tests/visual, tests/pprof through it, tests/hostile,
tests/diff): Debian's chromium driven by chromium-driver through
python3-selenium, set up one way for all of them.

    sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
    import browser
    d = browser.chromium(tmp, "1400,1200")
    try: ... finally: d.quit()

CHROMIUM and CHROMEDRIVER in the environment name other binaries.
selenium is imported when a browser is started, so a suite that can run
without one (--no-browser) does not need it installed.
"""
import os
import shutil
import tempfile

# no network, updates, sync or first-run pages: a page's console shows
# only what the page itself did
QUIET = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--disable-default-apps")


def chromium(tmp, size, logs=("browser",)):
    """A new headless chromium with a window of `size` ("W,H"), its
    profile in a fresh folder under `tmp`, keeping the logs named in
    `logs` for get_log().  The caller quits it."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    o = webdriver.ChromeOptions()
    o.binary_location = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    for a in QUIET + ("--window-size=" + size, "--user-data-dir=" + tempfile.mkdtemp(dir=tmp)):
        o.add_argument(a)
    if logs:
        o.set_capability("goog:loggingPrefs", {k: "ALL" for k in logs})
    driver = os.environ.get("CHROMEDRIVER") or shutil.which("chromedriver") or "/usr/bin/chromedriver"
    return webdriver.Chrome(service=Service(driver), options=o)


def console_errors(d, levels=("SEVERE",)):
    """The browser log's entries at `levels` since the last call."""
    return [e for e in d.get_log("browser") if e["level"] in levels]
