#!/usr/bin/env python3
# -*- coding: utf-8 -*-
"""Prove that the committed test data is valid input for the pstats oracle.

    python3 testdata/gen/check.py [--py2 /path/to/python2.7] [FILE...]

Without FILE arguments it checks every .prof under cprofile/, profile/,
marshal/, py27/, edge/ and flask/ (not bad/, see bad/README.md).  For each
file it runs, with this interpreter's pstats:

    s = pstats.Stats(path); s.print_stats()
    s.sort_stats('stdname').print_stats()
    s.strip_dirs().sort_stats('cumulative').print_stats()
    s.print_callers(); s.print_callees()

and prints ``OK``, ``XFAIL`` (a documented, expected failure) or ``FAIL``.
Python 2 originals (``cprofile/py27/``, ``profile/py27/``, and the ``py27/``
files that are neither ``*.py3.prof`` nor ``*.v0bytes.prof``) cannot be read
by Python 3's marshal at all, so they are checked by re-running this script
under Python 2.7 (``--py2``, default python2.7 on PATH;
``SKIP`` if that does not exist).  Exit status 1 if anything FAILed.

``python -m profile -o`` dumps (profile/pyXY/NAME.prof) contain a marshalled
code object of the writing Python; on 3.6-3.10 the 3.11/3.13 ones cannot be
unmarshalled, which is reported as XFAIL.  All files pass on 3.11, 3.12, 3.13.

The script itself runs on Python 2.7 and 3.6+.
"""
from __future__ import print_function

import glob
import io
import os
import pstats
import subprocess
import sys

TD = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DIRS = ["cprofile", "profile", "marshal", "py27", "edge", "flask"]
DEFAULT_PY2 = "python2.7"

# file name -> (step that fails, exception name, why)
XFAIL = {
    "sampled_marker_315.prof": ("load", "TypeError",
                                "3.15 sampling marker ('__sampled__',): True; pstats <= 3.13 "
                                "prints 'Invalid timing data' and raises TypeError"),
    "int_callers_missing_key.prof": ("print_callers", "KeyError",
                                     "int caller that is not a stats key"),
}


def code_family(major, minor):
    """Python versions whose marshalled code objects can read each other's."""
    if (major, minor) >= (3, 11):
        return "3.11+"  # 3.11, 3.12 and 3.13 share the layout (checked)
    return "%d.%d" % (major, minor)


def foreign_code_object(rel):
    """`python -m profile -o` files (profile/pyXY/NAME.prof, not *.runctx.prof)
    hold a marshalled code object from Python X.Y in one key; an interpreter
    with another code-object layout cannot unmarshal the file at all."""
    parts = rel.split(os.sep)
    if parts[0] != "profile" or rel.endswith(".runctx.prof"):
        return None
    tag = parts[1][2:]
    made_by = code_family(int(tag[0]), int(tag[1:]))
    here = code_family(*sys.version_info[:2])
    return made_by if made_by != here else None


def is_py2_original(rel):
    parts = rel.split(os.sep)
    if parts[0] in ("cprofile", "profile") and parts[1] == "py27":
        return True
    if parts[0] == "py27":
        return not (rel.endswith(".py3.prof") or rel.endswith(".v0bytes.prof"))
    return False


def check_one(path):
    """Return (status, message)."""
    name = os.path.basename(path)
    step = "load"
    out = io.StringIO() if sys.version_info[0] >= 3 else io.BytesIO()
    try:
        st = pstats.Stats(path, stream=out)
        step = "print_stats"
        st.print_stats()
        st.sort_stats("stdname").print_stats()
        st.strip_dirs().sort_stats("cumulative").print_stats()
        step = "print_callers"
        st.print_callers()
        step = "print_callees"
        st.print_callees()
    except Exception as e:  # noqa: BLE001
        exp = XFAIL.get(name)
        if exp and exp[0] == step and exp[1] == type(e).__name__:
            return "XFAIL", "%s: %s (%s)" % (step, type(e).__name__, exp[2])
        return "FAIL", "%s: %s: %s" % (step, type(e).__name__, e)
    if name in XFAIL:
        return "FAIL", "expected %s to fail with %s" % XFAIL[name][:2]
    n = len(st.stats)
    return "OK", "%d functions" % n


def main(argv):
    py2 = DEFAULT_PY2
    if argv[:1] == ["--py2"]:
        py2, argv = argv[1], argv[2:]
    if argv:
        files = argv
    else:
        files = []
        for d in DIRS:
            for root, _, names in os.walk(os.path.join(TD, d)):
                files += [os.path.join(root, n) for n in names if n.endswith(".prof")]
        files.sort()
    counts = {}
    py2_files = []
    for path in files:
        rel = os.path.relpath(path, TD)
        if sys.version_info[0] >= 3 and is_py2_original(rel):
            py2_files.append(path)
            continue
        status, msg = check_one(path)
        foreign = foreign_code_object(rel)
        if foreign and status == "FAIL" and msg.startswith("load:"):
            status, msg = "XFAIL", "%s (holds a Python %s code object)" % (msg, foreign)
        counts[status] = counts.get(status, 0) + 1
        print("%-5s %s  [%s]" % (status, rel, msg))
    if py2_files:
        if os.path.exists(py2):
            p = subprocess.Popen([py2, os.path.abspath(__file__)] + py2_files,
                                 stdout=subprocess.PIPE)
            text = p.communicate()[0].decode("utf-8", "replace")
            for line in text.splitlines():
                if line.startswith(("OK", "FAIL", "XFAIL")):
                    status = line.split()[0]
                    counts[status] = counts.get(status, 0) + 1
                    print(line + "  (python2.7)")
            if p.returncode not in (0, 1):
                counts["FAIL"] = counts.get("FAIL", 0) + 1
                print("FAIL  python2.7 run exited with %d" % p.returncode)
        else:
            for path in py2_files:
                counts["SKIP"] = counts.get("SKIP", 0) + 1
                print("SKIP  %s  [needs Python 2.7: %s]" % (os.path.relpath(path, TD), py2))
    if not argv or py2_files:
        print("summary (python %s): %s" % (
            sys.version.split()[0], ", ".join("%s=%d" % kv for kv in sorted(counts.items()))))
    return 1 if counts.get("FAIL") else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
