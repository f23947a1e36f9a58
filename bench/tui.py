#!/usr/bin/env python3
"""The browser's and the watch's speed (issue 21's goals), on corpora
written under $BENCH_DIR (default /tmp/profview-bench), never committed.

    python3 bench/tui.py [--profview ./profview] [--old N] [--new N]

- redraw latency: profview -i on a 25,000-function profile (gen_big.py) in
  a tmux session; keys go in with send-keys and profview's own
  PROFVIEW_TUI_LOG gives, per key, the milliseconds from the key read to
  the screen updated.  Medians and maxima per kind of key: moves (Down,
  PgDn, End, Home), sorts (s: the 25,000 rows sorted again), the filter,
  Enter (a function's callers and callees), t (the call tree built), Esc.
  Goal: every keystroke <= 50 ms.
- watch throughput: profview --watch (the text report, --limit 1, into a
  pipe) on a directory of --old dumps (copies of the sample's werkzeug
  dumps under new request names), then --new more renamed in (written
  beside first); the time from the first new file to the report that
  counts them all, and dumps per second.  Goal: >= 1,000 dumps/s.
"""
import argparse
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.environ.get("BENCH_DIR", "/tmp/profview-bench")
sys.path.insert(0, os.path.join(ROOT, "tests", "tui"))
from test_tui import Tmux  # noqa: E402
from test_watch import dump_name  # noqa: E402


def big_profile():
    path = os.path.join(BENCH, "big25k.prof")
    if not os.path.exists(path):
        os.makedirs(BENCH, exist_ok=True)
        subprocess.run([sys.executable, os.path.join(ROOT, "bench", "gen_big.py"), path, "25000"],
                       check=True)
    return path


def redraw(pv):
    big = big_profile()
    log = os.path.join(BENCH, "tui-keys.log")
    if os.path.exists(log):
        os.unlink(log)
    env = {"TERM": "xterm-256color", "LC_ALL": "C.UTF-8", "PROFVIEW_TUI_LOG": log}
    t = Tmux("%s -i %s" % (shlex.quote(pv), big), env, cols=160, rows=50)
    plan = [("move", ["Down"] * 100 + ["PgDn"] * 20 + ["End", "Home"] + ["PgUp"] * 5),
            ("sort", ["s", "s", "s", "s", "T", "U", "C", "F"]),
            ("filter", ["/", "f", "1", "2", "3", "4", "Enter"]),
            ("open", ["Enter"]), ("back", ["Escape", "Escape"]),
            ("tree", ["t"]), ("tree move", ["Down"] * 50 + ["+", "-", "*"] * 3),
            ("help", ["?", "?"])]
    kinds = {}
    try:
        t.wait(lambda s: "25000 function calls" in "\n".join(s) or "1 profile" in s[0],
               "the browser", timeout=60)
        done = 0
        for kind, keys in plan:
            for k in keys:
                t.keys(k)
                # one key at a time: each is timed on its own
                end = time.time() + 5
                while time.time() < end:
                    n = sum(1 for _ in open(log)) if os.path.exists(log) else 0
                    if n > done or k in ("/", "f", "1", "2", "3", "4"):
                        break
                    time.sleep(0.005)
                done = sum(1 for _ in open(log)) if os.path.exists(log) else 0
            kinds[kind] = done
        t.keys("q")
    finally:
        t.close()
    ms = [float(l.split()[1]) for l in open(log)]
    print("redraw latency, 25,000-function profile, %d keys (ms from key to screen):" % len(ms))
    prev = 0
    for kind, _ in plan:
        part = ms[prev:kinds[kind]]
        prev = kinds[kind]
        if part:
            print("  %-10s %4d keys  median %7.2f  max %7.2f" % (kind, len(part),
                                                               statistics.median(part), max(part)))
    print("  %-10s %4d keys  median %7.2f  max %7.2f   goal: <= 50 ms  %s" % (
        "all", len(ms), statistics.median(ms), max(ms), "MET" if max(ms) <= 50 else "NOT MET"))


def watch(pv, old, new):
    d = os.path.join(BENCH, "watch-%d" % old)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    for i in range(old):
        src, name = dump_name(i)
        shutil.copyfile(src, os.path.join(d, name))
    p = subprocess.Popen([pv, "--watch", d, "--limit", "1"], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, bufsize=0)
    want_old, want_all = "%d profiles" % old, "%d profiles" % (old + new)
    refreshes = 0

    def wait_for(text, timeout):
        nonlocal refreshes
        end, buf = time.time() + timeout, b""
        os.set_blocking(p.stdout.fileno(), False)
        while time.time() < end:
            chunk = p.stdout.read(65536)
            if chunk:
                buf = (buf + chunk)[-4096:]
                refreshes += chunk.count(b"\f")
                if text.encode() in buf:
                    return True
            else:
                time.sleep(0.002)
        return False

    t0 = time.time()
    ok = wait_for(want_old, 300)
    start = time.time() - t0
    # written beside, then renamed in (IN_MOVED_TO): they arrive as fast as
    # rename(2) goes, not as fast as a Python copy loop competing with
    # profview for the CPU
    stage = d + ".stage"
    shutil.rmtree(stage, ignore_errors=True)
    os.makedirs(stage)
    names = []
    for i in range(old, old + new):
        src, name = dump_name(i)
        shutil.copyfile(src, os.path.join(stage, name))
        names.append(name)
    t1 = time.time()
    for name in names:
        os.rename(os.path.join(stage, name), os.path.join(d, name))
    wrote = time.time() - t1
    refreshes = 0
    ok = ok and wait_for(want_all, 300)
    took = time.time() - t1
    p.terminate()
    p.wait()
    rate = new / took
    shutil.rmtree(stage, ignore_errors=True)
    print("watch: %d old dumps (first report in %.2f s), %d new renamed in %.2f s (%.0f/s):"
          % (old, start, new, wrote, new / wrote))
    print("  all %d shown %.2f s after the first new one: %.0f dumps/s, %d refreshes   "
          "goal: >= 1,000/s  %s" % (old + new, took, rate, refreshes,
                                    "MET" if ok and rate >= 1000 else "NOT MET"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--profview", default=os.path.join(ROOT, "profview"))
    ap.add_argument("--old", type=int, default=10000)
    ap.add_argument("--new", type=int, default=5000)
    a = ap.parse_args()
    pv = os.path.abspath(a.profview)
    redraw(pv)
    watch(pv, a.old, a.new)


if __name__ == "__main__":
    main()
