"""Rewrite the file names in pstats dumps so that no path of the machine
that made them remains (testdata/README.md, "Neutral paths").

    python relocate.py OLD=NEW [OLD=NEW ...] -- FILE...

Every file name (in keys and caller keys) that starts with OLD starts with
NEW instead; nothing else changes.  Run it with the interpreter that wrote
the files: it loads them with marshal and dumps them again with that
interpreter's default marshal version (2 for Python 2.7, 4 for 3.4-3.13),
as Profile.dump_stats would.  Python 2.7 and 3.x.
"""
import marshal
import sys


def main(argv):
    sep = argv.index("--")
    maps = [tuple(a.split("=", 1)) for a in argv[:sep]]
    files = argv[sep + 1:]
    text = (str,) if sys.version_info[0] >= 3 else (str, unicode)  # noqa: F821

    def fix(key):
        if isinstance(key, tuple) and len(key) == 3 and isinstance(key[0], text):
            for old, new in maps:
                if key[0].startswith(old):
                    return (new + key[0][len(old):],) + key[1:]
        return key

    for path in files:
        with open(path, "rb") as f:
            stats = marshal.load(f)
        out = {}
        for k, v in stats.items():
            if isinstance(v, tuple) and len(v) == 5 and isinstance(v[4], dict):
                callers = {}
                for ck, cv in v[4].items():
                    callers[fix(ck)] = cv
                v = v[:4] + (callers,)
            out[fix(k)] = v
        with open(path, "wb") as f:
            marshal.dump(out, f)


if __name__ == "__main__":
    main(sys.argv[1:])
