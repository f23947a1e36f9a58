#!/usr/bin/env python3
"""Self-test of the oracle harness, without profview: against fake_profview.py on generated
sample data it must pass every case, and every deliberate breakage of the fake must fail.

  python3 tests/oracle/selftest.py
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
FAKE = "%s %s" % (sys.executable, os.path.join(HERE, "fake_profview.py"))

# (FAKE_PROFVIEW_BREAK value, -k filter or None, what must happen)
BREAKS = [
    ("byte", "sort/stdname", "one altered byte in the stats report"),
    ("byte:--callees", "callers/callees", "one altered byte in the callees report"),
    ("blank", "restrict/limit3", "no blank second line"),
    ("totals", "callers/callers/plain", "a changed totals line in callers mode"),
    ("exit", "bad/", "exit 0 after a bad input"),
    ("usage", "usage/", "exit 1 on a usage error"),
    ("order", "merge/flask-dir", "directory contents merged in reverse order"),
]


def oracle(testdata, env_break=None, k=None):
    env = dict(os.environ)
    env.pop("FAKE_PROFVIEW_BREAK", None)
    if env_break:
        env["FAKE_PROFVIEW_BREAK"] = env_break
    cmd = [sys.executable, os.path.join(HERE, "oracle.py"), "--profview", FAKE,
           "--testdata", testdata, "--strict"] + (["-k", k] if k else [])
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    out = p.stdout.decode("utf-8", "replace")
    m = re.search(r"^oracle: (\d+) passed, (\d+) failed, (\d+) skipped$", out, re.M)
    if not m or out.rstrip("\n").splitlines()[-1] != m.group(0):
        raise SystemExit("selftest: no summary as the last line:\n" + out[-2000:])
    return p.returncode, tuple(int(x) for x in m.groups()), out


def main():
    tmp = tempfile.mkdtemp(prefix="profview-oracle-selftest-")
    ok = True
    try:
        data = os.path.join(tmp, "testdata")
        subprocess.run([sys.executable, os.path.join(HERE, "make_sample_data.py"), data],
                       check=True, stdout=subprocess.DEVNULL)
        rc, (p, f, s), out = oracle(data)
        print("selftest: clean fake: rc=%d, %d passed, %d failed, %d skipped" % (rc, p, f, s))
        if rc != 0 or f or not p:
            ok = False
            print(out[-4000:])
        for brk, k, what in BREAKS:
            rc, (p, f, s), out = oracle(data, brk, k)
            caught = rc == 1 and f > 0
            print("selftest: %-6s FAKE_PROFVIEW_BREAK=%-16s -k %-18s %d failed of %d (%s)" % (
                "ok" if caught else "MISSED", brk, k, f, p + f, what))
            ok &= caught
    finally:
        shutil.rmtree(tmp)
    print("selftest: %s" % ("ok" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
