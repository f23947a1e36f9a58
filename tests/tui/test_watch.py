#!/usr/bin/env python3
"""--watch: dumps arriving while profview runs.

    python3 tests/tui/test_watch.py --profview ./profview

The dumps are the sample's real werkzeug dumps (testdata/flask) copied
under new request names, so every file is a distinct request.

- -i --watch under strace in tmux: 100 dumps, then 50 more written
  non-atomically (a part, a pause, the rest; ten of them closed half
  written and completed 0.5 s later): the header shows 150 profiles within
  2 s of the last write, its totals equal a fresh run's, the 100 first
  files were opened once, every new one once (the ten closed half written
  at most twice: read, found incomplete, read again when complete);
- text --watch with inotify and with PROFVIEW_WATCH_POLL=1 (polling): the
  last report printed equals, byte for byte, a fresh run's over the files;
  --requests --watch the same;
- a file that stays broken is reported once, after about 3 s, in one line,
  and the others are still read.
"""
import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_tui import Tmux, check, results  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FLASK = sorted(os.path.join(ROOT, "testdata/flask", f)
               for f in os.listdir(os.path.join(ROOT, "testdata/flask")) if f.endswith(".prof"))
NAME = re.compile(r"^([^.]+)\.(.*)\.(\d+)ms\.(\d+)\.prof$")


def dump_name(i):
    """A request name for copy i: the source dump's method and path, a
    time of its own (one a second, so no two names collide)."""
    src = FLASK[i % len(FLASK)]
    m = NAME.match(os.path.basename(src))
    return src, "%s.%s.%sms.%d.prof" % (m.group(1), m.group(2), m.group(3), 1795541000 + i)


def write(d, i, how="atomic"):
    src, name = dump_name(i)
    data = open(src, "rb").read()
    path = os.path.join(d, name)
    if how == "atomic":
        with open(path, "wb") as f:
            f.write(data)
    elif how == "slow":  # a part, a pause, the rest, in one open
        with open(path, "wb") as f:
            f.write(data[:len(data) // 2])
            f.flush()
            time.sleep(0.02)
            f.write(data[len(data) // 2:])
    else:  # "reopen": closed half written, completed later
        with open(path, "wb") as f:
            f.write(data[:len(data) // 2])
    return path, data


def totals(line):
    m = re.search(r"(\d+) function calls \((\d+) primitive(?: calls)?\) in (\S+) seconds", line)
    return m.groups() if m else None


def fresh(pv, *args):
    return subprocess.run([pv] + list(args), cwd=ROOT, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, env=dict(os.environ, TZ="UTC")).stdout.decode()


def test_interactive(pv, tmp):
    d = os.path.join(tmp, "dumps")
    os.mkdir(d)
    for i in range(100):
        write(d, i)
    log = os.path.join(tmp, "strace.log")
    env = {"TERM": "xterm-256color", "TZ": "UTC", "LC_ALL": "C.UTF-8"}
    cmd = "strace -f -e trace=open,openat -o %s %s -i --watch %s" % (log, shlex.quote(pv), d)
    t = Tmux(cmd, env)
    try:
        s = t.wait(lambda s: "100 profiles from" in s[0], "100 profiles", timeout=10)
        check("watch -i: 100 profiles at the start", "100 profiles from" in s[0], s[0])
        reopen = []
        for i in range(100, 150):
            if i % 5 == 0:
                reopen.append((i,) + write(d, i, "reopen"))
            else:
                write(d, i, "slow")
        time.sleep(0.5)
        for i, path, data in reopen:
            with open(path, "wb") as f:
                f.write(data)
        last = time.time()
        s = t.wait(lambda s: "150 profiles from" in s[0], "150 profiles", timeout=4)
        took = time.time() - last
        check("watch -i: 150 profiles within 2 s of the last write (%.2f s)" % took,
              "150 profiles from" in s[0] and took <= 2, s[0])
        want = totals(fresh(pv, d).split("\n")[2])
        # tmux may capture a redraw half done (the header's row written,
        # the totals' not yet): compare once two captures 0.2 s apart agree
        prev = s
        for _ in range(20):
            time.sleep(0.2)
            s = t.screen()
            if s[:2] == prev[:2]:
                break
            prev = s
        check("watch -i: totals equal a fresh run's", "150 profiles from" in s[0] and totals(s[1]) == want,
              "%r != %r" % (s[1], want))
        t.keys("q")
        t.wait(lambda s: any("EXIT=" in l for l in s), "exit")
    finally:
        t.close()
    opens = {}
    for line in open(log):
        m = re.search(r'open(?:at)?\(.*?"([^"]+\.prof)"', line)
        if m and "ENOENT" not in line:
            opens[os.path.basename(m.group(1))] = opens.get(os.path.basename(m.group(1)), 0) + 1
    old = [dump_name(i)[1] for i in range(100)]
    new = [dump_name(i)[1] for i in range(100, 150)]
    twice = set(dump_name(i)[1] for i, _, _ in reopen)
    check("strace: each of the first 100 files opened once",
          all(opens.get(n) == 1 for n in old), repr([(n, opens.get(n)) for n in old if opens.get(n) != 1][:5]))
    check("strace: each new file opened once (closed half written: at most twice)",
          all(opens.get(n) == 1 or (n in twice and opens.get(n) == 2) for n in new),
          repr([(n, opens.get(n)) for n in new if opens.get(n) != 1][:5]))


def last_report(out):
    """The last report of a text --watch output (a form feed between two)."""
    return out.split("\f")[-1]


def test_text(pv, tmp, poll, args, label):
    d = os.path.join(tmp, "text%d%s" % (poll, "".join(args).replace("-", "")))
    os.mkdir(d)
    for i in range(20):
        write(d, i)
    env = dict(os.environ, TZ="UTC")
    if poll:
        env["PROFVIEW_WATCH_POLL"] = "1"
    out = open(os.path.join(tmp, "out"), "w+")
    err = open(os.path.join(tmp, "err"), "w+")
    p = subprocess.Popen([pv, "--watch", d] + args, stdout=out, stderr=err, env=env, cwd=ROOT)
    try:
        time.sleep(0.8)
        for i in range(20, 40):
            write(d, i, "slow")
        # one that stays broken: half a dump
        src, _ = dump_name(0)
        with open(os.path.join(d, "GET.broken.1ms.1795549999.prof"), "wb") as f:
            f.write(open(src, "rb").read()[:100])
        end = time.time() + 6
        want = fresh(pv, d, *args)
        while time.time() < end:
            out.seek(0)
            got = last_report(out.read())
            err.seek(0)
            if got == want and "broken" in err.read():
                break
            time.sleep(0.1)
    finally:
        p.terminate()
        p.wait()
    out.seek(0)
    got = last_report(out.read())
    # the fresh run reads the broken file too (and says so the same way)
    check("%s: the last report equals a fresh run's" % label, got == want,
          "got:\n%s\nwant:\n%s" % (got[:600], want[:600]))
    err.seek(0)
    e = err.read()
    check("%s: the broken file reported once, in one line" % label,
          e.count("GET.broken.1ms.1795549999.prof") == 1 and e.count("\n") == 1, repr(e))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--profview", default="./profview")
    a = ap.parse_args()
    pv = os.path.abspath(a.profview)
    tmp = tempfile.mkdtemp(prefix="pvwatch")
    try:
        if shutil.which("strace"):
            test_interactive(pv, tmp)
        else:
            check("strace installed (TEST_PKGS)", False)
        test_text(pv, tmp, 0, [], "--watch (inotify)")
        test_text(pv, tmp, 1, [], "--watch (PROFVIEW_WATCH_POLL=1)")
        test_text(pv, tmp, 0, ["--requests"], "--requests --watch")
    finally:
        shutil.rmtree(tmp)
    print("watch: %d passed, %d failed" % (sum(results), len(results) - sum(results)))
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
