#!/usr/bin/env python3
"""profview -i in a real terminal: Debian's tmux runs it in a detached
session, keys go in with send-keys and the screen comes back with
capture-pane, walking the session a person would have on the sample dumps:

    python3 tests/tui/test_tui.py --profview ./profview

- open: the header says 19 profiles, the first rows equal the text report's;
- s: the sort changes (rows equal `--sort cumulative`'s);
- / REGEX Enter: only matching rows; Enter on one: its callers and callees
  equal `profview --callers` / `--callees` (numbers and names, in order);
  Backspace back, Esc clears the filter;
- e: the endpoints equal `--requests` (p50 and p95 included); Enter scopes;
- t: the call tree, + opens a frame; ?: the help;
- a resize to 80x24 draws every line within 80 columns with the key line
  at the bottom; q exits 0 with the terminal restored (alternate screen
  left, cursor shown, the shell's lines back);
- names from dumps: wide characters within 80 columns, a newline and
  U+2028 in a name shown escaped;
- NO_COLOR: no colour escape on the screen (and some without it);
- SIGTERM: the terminal restored, the process killed by the signal;
- no terminal: exit 2 with one line.
"""
import argparse
import os
import re
import shlex
import subprocess
import sys
import time
import unicodedata

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = "testdata/flask"
results = []


def check(name, ok, detail=""):
    results.append(bool(ok))
    print(("PASS " if ok else "FAIL ") + name + ("" if ok else ": " + detail))


class Tmux:
    """One detached tmux session on a private server."""

    def __init__(self, cmd, env, cols=200, rows=50):
        self.sock = "pvtui%d_%d" % (os.getpid(), len(results))
        envs = " ".join("%s=%s" % (k, shlex.quote(v)) for k, v in env.items())
        # a marker line, then profview, then its exit status
        shell = "printf 'BEFORE-MARK\\n'; env %s %s; echo EXIT=$?; sleep 600" % (envs, cmd)
        self.tmux("-f", "/dev/null", "new-session", "-d", "-x", str(cols), "-y", str(rows),
                  "sh", "-c", shell)

    def tmux(self, *args):
        return subprocess.run(["tmux", "-L", self.sock] + list(args), check=True,
                              stdout=subprocess.PIPE, cwd=ROOT).stdout.decode()

    def keys(self, *keys):
        self.tmux("send-keys", *keys)

    def literal(self, text):
        self.tmux("send-keys", "-l", text)

    def screen(self, escapes=False):
        args = ["capture-pane", "-p"] + (["-e"] if escapes else [])
        return self.tmux(*args).split("\n")

    def fmt(self, f):
        return self.tmux("display-message", "-p", f).strip()

    def wait(self, pred, what, timeout=5):
        end = time.time() + timeout
        while True:
            s = self.screen()
            if pred(s):
                return s
            if time.time() > end:
                print("screen while waiting for %s:\n%s" % (what, "\n".join(s)))
                return s
            time.sleep(0.05)

    def close(self):
        subprocess.run(["tmux", "-L", self.sock, "kill-server"], stderr=subprocess.DEVNULL)


def width(line):
    """Terminal columns of a captured line: wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 0 if unicodedata.combining(c) else 1
               for c in line)


def run(pv, *args):
    return subprocess.run([pv] + list(args), cwd=ROOT, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, env=dict(os.environ, TZ="UTC")).stdout.decode()


def table_rows(text):
    """The stats table of a text report: the title line and the rows."""
    lines = text.split("\n")
    i = next(k for k, l in enumerate(lines) if l.startswith("   ncalls"))
    out = []
    for l in lines[i:]:
        if not l:
            break
        out.append(l)
    return out


CALL = re.compile(r"^\s*(\S+)\s+(\S+)\s+(\S+)\s+(\S.*)$")


def report_calls(text, arrow):
    """(ncalls, tottime, cumtime, name) of the listed function's edges in a
    --callers (arrow '<-') or --callees ('->') report of one function."""
    out = []
    lines = text.split("\n")
    start = next(k for k, l in enumerate(lines) if (" %s " % arrow) in l or l.endswith(arrow))
    first = lines[start].split(arrow, 1)[1]
    for l in [first] + lines[start + 1:]:
        if not l.strip():
            break
        m = CALL.match(l)
        out.append(m.groups())
    return out


def screen_calls(screen, title):
    """The same from the function view: the rows under 'called by (N)' or
    'calls (N)'."""
    i = next(k for k, l in enumerate(screen) if re.search(r"ncalls  tottime  cumtime  %s \(\d+\)" % title, l))
    out = []
    for l in screen[i + 1:]:
        if not l.strip() or "ncalls  tottime  cumtime" in l:
            break
        out.append(CALL.match(l).groups())
    return out


def body(screen):
    """The rows under the column titles (line 3), above the key line."""
    rows = screen[4:]
    while rows and not rows[-1].strip():
        rows.pop()
    rows = rows[:-1]  # the key line
    while rows and not rows[-1].strip():
        rows.pop()
    return [r.rstrip() for r in rows]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--profview", default="./profview")
    a = ap.parse_args()
    pv = os.path.abspath(a.profview)
    env = {"TERM": "xterm-256color", "TZ": "UTC", "LC_ALL": "C.UTF-8"}
    opts = "--short-paths"

    # no terminal: exit 2, one line
    p = subprocess.run([pv, "-i", DATA], cwd=ROOT, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    err = p.stderr.decode()
    check("no terminal: exit 2 with one line", p.returncode == 2 and err.count("\n") == 1 and
          "terminal" in err and not p.stdout, "rc=%d err=%r" % (p.returncode, err))

    t = Tmux("%s -i %s %s" % (shlex.quote(pv), DATA, opts), env)
    try:
        s = t.wait(lambda s: "19 profiles from testdata/flask" in s[0], "the header")
        check("open: header names 19 profiles", "19 profiles from testdata/flask" in s[0], s[0])
        check("open: the alternate screen is on", t.fmt("#{alternate_on}") == "1")
        want = table_rows(run(pv, DATA, opts))
        got = [l.rstrip() for l in s[3:3 + 30]]
        check("open: the first rows equal the text report's", got == want[:30],
              "\n".join(got[:5]) + "\n---\n" + "\n".join(want[:5]))

        t.keys("s")
        s = t.wait(lambda s: "sort: cumulative time" in s[2], "the sort")
        want = table_rows(run(pv, DATA, opts, "--sort", "cumulative"))
        check("s: sort by cumulative time, rows as --sort cumulative",
              [l.rstrip() for l in s[3:3 + 20]] == want[:20], "\n".join(s[3:8]))
        t.keys("T")
        t.wait(lambda s: "sort: internal time" in s[2], "the sort")

        t.keys("/")
        t.literal("wsgi")
        t.keys("Enter")
        s = t.wait(lambda s: "filter: /wsgi/" in s[2], "the filter")
        rows = body(s)
        check("/wsgi Enter: only matching rows", rows and all("wsgi" in r for r in rows),
              "\n".join(rows))
        want = [r for r in table_rows(run(pv, DATA, opts, "--match", "wsgi"))[1:]]
        check("/wsgi Enter: the rows of --match wsgi", rows == want, "\n".join(rows))

        target = next(r for r in rows if "wsgi_app" in r)
        for _ in range(rows.index(target)):
            t.keys("Down")
        t.keys("Enter")
        s = t.wait(lambda s: "[function]" in s[2], "the function view")
        check("Enter: the function view of wsgi_app", "(wsgi_app)" in s[4], s[4])
        pat = r"app\.py:\d+\(wsgi_app\)"
        callers = report_calls(run(pv, DATA, opts, "--callers", "--match", pat), "<-")
        callees = report_calls(run(pv, DATA, opts, "--callees", "--match", pat), "->")
        check("callers equal --callers", screen_calls(s, "called by") == callers,
              "%r != %r" % (screen_calls(s, "called by"), callers))
        check("callees equal --callees", screen_calls(s, "calls") == callees and len(callees) > 1,
              "%r != %r" % (screen_calls(s, "calls"), callees))

        # Enter on a callee goes there; Backspace comes back
        callee = callees[0][3]
        for _ in range(len(callers) + 1):
            t.keys("Down")
        t.keys("Enter")
        s = t.wait(lambda s: s[4].rstrip().endswith(callee), "the callee")
        check("Enter on a callee opens it", s[4].rstrip().endswith(callee), s[4])
        t.keys("BSpace")
        s = t.wait(lambda s: "(wsgi_app)" in s[4], "back")
        check("Backspace: back to wsgi_app", "(wsgi_app)" in s[4], s[4])
        t.keys("Escape")
        s = t.wait(lambda s: "[functions]" in s[2], "back to the table")
        check("Esc: back to the filtered table", "filter: /wsgi/" in s[2], s[2])
        t.keys("Escape")
        s = t.wait(lambda s: "filter:" not in s[2], "the filter cleared")
        check("Esc: the filter cleared", len(body(s)) > 30 and "filter" not in s[2], s[2])

        t.keys("e")
        s = t.wait(lambda s: "[endpoints]" in s[2], "the endpoints")
        req = run(pv, DATA, opts, "--requests").split("\n")
        want = []
        for l in req[1:]:
            if not l.strip():
                break
            # the table without its last column (the top function)
            cols = re.split(r"\s{2,}", l.strip())
            want.append(cols[:8])
        got = [re.split(r"\s{2,}", l.strip())[:8] for l in body(s)]
        check("e: the endpoints equal --requests (p50, p95 included)", got == want and
              "p50 ms" in s[3] and "p95 ms" in s[3], "%r != %r" % (got, want))
        t.keys("Down", "Enter")
        s = t.wait(lambda s: "endpoint: " + want[1][0] in s[2], "the scope")
        check("Enter on an endpoint scopes to it", "endpoint: " + want[1][0] in s[2] and
              ("%s function calls" % want[1][7]) in s[1], s[1] + "\n" + s[2])

        t.keys("t")
        s = t.wait(lambda s: "[call tree]" in s[2], "the tree")
        check("t: the call tree with shares", "100.0%" in s[4] and "- all" in s[4], s[4])
        n0 = len(body(s))
        row = next(k for k, l in enumerate(body(s)) if " + " in l)
        for _ in range(row):
            t.keys("Down")
        t.keys("+")
        s = t.wait(lambda s: len(body(s)) > n0, "a frame opened")
        check("+: a frame opens", len(body(s)) > n0, "%d rows" % len(body(s)))
        t.keys("-")
        s = t.wait(lambda s: len(body(s)) == n0, "a frame closed")
        check("-: it closes", len(body(s)) == n0, "%d rows" % len(body(s)))

        t.keys("?")
        s = t.wait(lambda s: "[help]" in s[2], "the help")
        check("?: the help lists q", any("q                   quit" in l for l in s), "\n".join(s))
        t.keys("?")

        t.tmux("resize-window", "-x", "80", "-y", "24")
        s = t.wait(lambda s: len(s) <= 25 and "Enter open" in s[23], "80x24")
        check("resize to 80x24: redrawn, key line at the bottom",
              "Enter open" in s[23] and all(len(l) <= 80 for l in s), "\n".join(s))

        t.keys("q")
        s = t.wait(lambda s: any("EXIT=" in l for l in s), "the exit")
        check("q: exit 0", any(l.strip() == "EXIT=0" for l in s), "\n".join(s))
        check("q: the terminal restored (alternate screen left, cursor shown)",
              t.fmt("#{alternate_on}") == "0" and t.fmt("#{cursor_flag}") == "1" and
              s[0] == "BEFORE-MARK", "%s %s %r" % (t.fmt("#{alternate_on}"),
                                                   t.fmt("#{cursor_flag}"), s[0]))
    finally:
        t.close()

    # names from dumps: wide characters keep the columns, control characters
    # are escaped (html_names.prof has a newline and U+2028 in a name)
    for prof in ("nonascii_names.prof", "html_names.prof"):
        t = Tmux("%s -i testdata/edge/%s" % (shlex.quote(pv), prof), env, cols=80, rows=24)
        try:
            s = t.wait(lambda s: "Enter open" in s[23], "the screen")
            wide = [l for l in s if any(unicodedata.east_asian_width(c) in "WF" for c in l)]
            check("%s at 80x24: the key line at the bottom, every row within 80 columns" % prof,
                  "Enter open" in s[23] and all(width(l) <= 80 for l in s) and
                  (prof != "nonascii_names.prof" or wide), "\n".join(s))
            if prof == "html_names.prof":
                t.tmux("resize-window", "-x", "200", "-y", "24")
                s = t.wait(lambda s: any("\\x0a" in l for l in s), "the escaped newline")
                check("html_names.prof: the newline shown as \\x0a, U+2028 as \\u2028",
                      any("\\x0a" in l and "\\u2028" in l for l in s), "\n".join(s))
            t.keys("q")
        finally:
            t.close()

    # colours, and none with NO_COLOR
    sgr = re.compile(r"\x1b\[[0-9;]*(3[0-7]|4[0-7]|38;5;\d+|48;5;\d+)[;m]")
    for no_color in (False, True):
        e = dict(env, NO_COLOR="1") if no_color else env
        t = Tmux("%s -i %s" % (shlex.quote(pv), DATA), e)
        try:
            t.wait(lambda s: "19 profiles" in s[0], "the header")
            esc = "\n".join(t.screen(escapes=True))
            coloured = bool(sgr.search(esc))
            if no_color:
                check("NO_COLOR: no colour on the screen", not coloured, repr(esc[:300]))
            else:
                check("colours without NO_COLOR", coloured, repr(esc[:300]))
        finally:
            t.close()

    # SIGTERM: the terminal back, then the process dies of the signal
    t = Tmux("%s -i %s" % (shlex.quote(pv), DATA), env)
    try:
        t.wait(lambda s: "19 profiles" in s[0], "the header")
        pid = subprocess.run(["pgrep", "-f", "^%s -i %s$" % (re.escape(pv), DATA)],
                             stdout=subprocess.PIPE).stdout.decode().split()
        check("SIGTERM: the process found", len(pid) == 1, repr(pid))
        if pid:
            os.kill(int(pid[0]), 15)
        s = t.wait(lambda s: any("EXIT=" in l for l in s), "the exit")
        check("SIGTERM: killed by the signal (143), terminal restored",
              any(l.strip() == "EXIT=143" for l in s) and t.fmt("#{alternate_on}") == "0" and
              t.fmt("#{cursor_flag}") == "1" and s[0] == "BEFORE-MARK", "\n".join(s[:3]))
    finally:
        t.close()

    print("tui: %d passed, %d failed" % (sum(results), len(results) - sum(results)))
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
