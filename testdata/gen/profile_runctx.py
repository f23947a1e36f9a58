# -*- coding: utf-8 -*-
"""Profile a program with the pure-Python `profile` module through a *string*
command, so that the dump has no marshalled code object in it.

    python profile_runctx.py PROGRAM.py OUT.prof      (python 2.7 and 3.x)

`python -m profile -o OUT PROGRAM.py` passes a code object to runctx(), and
profile.py then stores that code object inside a stats key:
``('profile', 0, <code object <module> ...>)``.  Such files embed marshalled
code objects (version-specific format).  This driver runs the same program via
``Profile.runctx("exec(_code, _globs)", ...)`` instead, which gives the key
``('profile', 0, 'exec(_code, _globs)')`` plus ``('<string>', 1, '<module>')``.
Run it from the program's directory with a bare file name so the recorded
co_filename is just ``PROGRAM.py``.
"""
import os
import profile
import sys


def main():
    progname, out = sys.argv[1], sys.argv[2]
    with open(progname, "rb") as fp:
        code = compile(fp.read(), progname, "exec")
    globs = {"__file__": progname, "__name__": "__main__", "__package__": None}
    sys.argv[:] = [progname]
    sys.path.insert(0, os.path.dirname(os.path.abspath(progname)))
    prof = profile.Profile()
    env = {"_code": code, "_globs": globs}
    if sys.version_info[0] == 2:
        cmd = "exec _code in _globs"
    else:
        cmd = "exec(_code, _globs)"
    prof.runctx(cmd, env, env)
    prof.dump_stats(out)


if __name__ == "__main__":
    main()
