#!/usr/bin/env python3
"""A pure-Python stand-in for profview's text-report CLI, built on pstats itself.

It exists only to check the oracle harness end to end before (or besides) the C binary:
  python3 tests/oracle/oracle.py --profview "python3 tests/oracle/fake_profview.py"

  profview [OPTIONS] INPUT...      INPUT = FILE.prof | DIRECTORY | -
    -s/--sort KEY[,KEY...]   --strip-dirs   -n/--limit N   --fraction F
    -m/--match REGEX   -x/--exclude REGEX   --callers   --callees   -o FILE

Python 2.7 dumps (marshal `s`/`t`/`R` codes) are read by a small reader of its own; their
byte strings are decoded as UTF-8, as a re-save under Python 3 would have them.

Deliberate breakage, to prove the harness can fail: FAKE_PROFVIEW_BREAK=KIND[:SUBSTR]
breaks the runs whose command line contains SUBSTR (all runs if it is missing):
  byte   change one byte of the report      blank  drop the blank second line
  totals add a space to the totals line of --callers/--callees reports
  exit   exit 0 even after a bad input      usage  exit 1 instead of 2 on usage errors
  order  use the opposite merge order for directory contents
"""

import io
import marshal
import os
import re
import struct
import sys

import pstats


class Usage(Exception):
    pass


class BadInput(Exception):
    def __init__(self, offset, msg):
        super().__init__(msg)
        self.offset = offset


BREAK_KIND, _, BREAK_WHERE = os.environ.get("FAKE_PROFVIEW_BREAK", "").partition(":")


def broken(kind):
    return BREAK_KIND == kind and BREAK_WHERE in " ".join(sys.argv[1:])


class Exclude:
    def __init__(self, pattern):
        self.pattern = pattern


class FakeStats(pstats.Stats):
    def eval_print_amount(self, sel, list, msg):
        if not isinstance(sel, Exclude):
            return super().eval_print_amount(sel, list, msg)
        rex = re.compile(sel.pattern)
        kept = [f for f in list if not rex.search(pstats.func_std_string(f))]
        if len(kept) != len(list):
            msg += "   List reduced from %d to %d due to exclusion <%r>\n" % (
                len(list), len(kept), sel.pattern)
        return kept, msg


class Loaded:
    """What pstats.Stats accepts besides a path: an object with create_stats()."""

    def __init__(self, stats):
        self.stats = stats

    def create_stats(self):
        pass


# --------------------------------------------------------------------------- Python 2 marshal

class Py2Reader:
    def __init__(self, data):
        self.d = data
        self.off = 0
        self.interned = []

    def take(self, n):
        if n < 0 or n > len(self.d) - self.off:
            raise BadInput(self.off, "truncated data")
        b = self.d[self.off:self.off + n]
        self.off += n
        return b

    def i32(self):
        return struct.unpack("<i", self.take(4))[0]

    def obj(self, depth=0):
        if depth > 200:
            raise BadInput(self.off, "nesting too deep")
        at = self.off
        c = self.take(1)
        if c == b"0":
            return _NULL
        simple = {b"N": None, b"F": False, b"T": True, b".": Ellipsis, b"S": StopIteration}
        if c in simple:
            return simple[c]
        if c == b"i":
            return self.i32()
        if c == b"I":
            return struct.unpack("<q", self.take(8))[0]
        if c == b"l":
            n = self.i32()
            v = 0
            for k in range(abs(n)):
                v |= struct.unpack("<H", self.take(2))[0] << (15 * k)
            return -v if n < 0 else v
        if c == b"f":
            return float(self.take(self.take(1)[0]).decode("ascii"))
        if c == b"g":
            return struct.unpack("<d", self.take(8))[0]
        if c in (b"s", b"t", b"u"):
            s = self.take(self.i32())
            s = s.decode("utf-8", "surrogatepass" if c == b"u" else "surrogateescape")
            if c == b"t":
                self.interned.append(s)
            return s
        if c == b"R":
            k = self.i32()
            if not 0 <= k < len(self.interned):
                raise BadInput(at, "bad string reference %d" % k)
            return self.interned[k]
        if c in (b"(", b"["):
            items = [self.obj(depth + 1) for _ in range(self.i32())]
            return tuple(items) if c == b"(" else items
        if c == b"{":
            d = {}
            while True:
                k = self.obj(depth + 1)
                if k is _NULL:
                    return d
                d[k] = self.obj(depth + 1)
        raise BadInput(at, "bad marshal type code 0x%02x" % c[0])


_NULL = object()


def load_bytes(data):
    try:
        stats = marshal.loads(data)
    except (ValueError, EOFError, TypeError):
        r = Py2Reader(data)
        stats = r.obj()
    if not isinstance(stats, dict):
        raise BadInput(0, "not a stats dict")
    if not stats:
        raise BadInput(0, "empty stats dict")
    # the 3.15 sampling profiler's marker entry (key length != 3) is skipped
    stats = {k: v for k, v in stats.items() if not (isinstance(k, tuple) and len(k) != 3)}
    for k, v in stats.items():
        if not (isinstance(k, tuple) and len(k) == 3 and isinstance(v, tuple)
                and len(v) == 5 and isinstance(v[4], dict)):
            raise BadInput(0, "bad stats entry")
    # mimic pstats' own checks (summing, name lengths) on a throw-away object
    try:
        pstats.Stats(Loaded(dict(stats)), stream=io.StringIO())
    except Exception as e:
        raise BadInput(0, "bad stats data: %s" % e)
    return stats


# --------------------------------------------------------------------------- CLI

def parse(argv):
    o = {"sort": ("time", "calls"), "strip": False, "restr": [], "callers": False,
         "callees": False, "out": None, "inputs": []}
    i = 0
    only_inputs = False
    while i < len(argv):
        a = argv[i]
        i += 1
        if only_inputs or a == "-" or not a.startswith("-"):
            o["inputs"].append(a)
            continue
        if a == "--":
            only_inputs = True
            continue
        if a == "--strip-dirs":
            o["strip"] = True
            continue
        if a in ("--callers", "--callees"):
            o[a[2:]] = True
            continue
        takes = ("-s", "--sort", "-n", "--limit", "--fraction", "-m", "--match",
                 "-x", "--exclude", "-o")
        if a not in takes:
            raise Usage("unknown option '%s'" % a)
        if i >= len(argv):
            raise Usage("option '%s' needs an argument" % a)
        v = argv[i]
        i += 1
        if a in ("-s", "--sort"):
            keys = tuple(v.split(","))
            try:
                pstats.Stats(stream=io.StringIO()).sort_stats(*keys)
            except (KeyError, TypeError):
                raise Usage("unknown sort key in '%s'" % v)
            o["sort"] = keys
        elif a in ("-n", "--limit"):
            if not re.fullmatch(r"[+-]?[0-9]+", v):
                raise Usage("bad number for %s: '%s'" % (a, v))
            o["restr"].append(int(v))
        elif a == "--fraction":
            try:
                f = float(v)
            except ValueError:
                raise Usage("bad number for --fraction: '%s'" % v)
            if not 0.0 <= f <= 1.0:
                raise Usage("--fraction must be in [0, 1]: '%s'" % v)
            o["restr"].append(f)
        elif a in ("-m", "--match", "-x", "--exclude"):
            try:
                re.compile(v)
            except re.error as e:
                raise Usage("invalid regular expression '%s': %s" % (v, e))
            o["restr"].append(v if a in ("-m", "--match") else Exclude(v))
        else:
            o["out"] = v
    if not o["inputs"]:
        raise Usage("no input (usage: profview [OPTIONS] INPUT...)")
    return o


def expand(inputs):
    paths = []
    for inp in inputs:
        if inp != "-" and os.path.isdir(inp):
            found = []
            for root, _, files in os.walk(inp):
                for name in files:
                    if name.endswith(".prof"):
                        rel = os.path.relpath(os.path.join(root, name), inp)
                        found.append(inp + "/" + rel)
            found.sort(key=lambda p: p.encode("utf-8", "surrogateescape"),
                       reverse=broken("order"))
            paths += found
        else:
            paths.append(inp)
    return paths


def main(argv):
    try:
        o = parse(argv)
    except Usage as e:
        sys.stderr.write("profview: %s\n" % e)
        return 1 if broken("usage") else 2

    loaded, bad = [], False
    for p in expand(o["inputs"]):
        try:
            if p == "-":
                data = sys.stdin.buffer.read()
            else:
                with open(p, "rb") as f:
                    data = f.read()
        except OSError as e:
            sys.stderr.write("profview: %s: %s\n" % (p, e.strerror))
            bad = True
            continue
        try:
            loaded.append(load_bytes(data))
        except BadInput as e:
            sys.stderr.write("profview: %s: byte %d: %s\n" % (p, e.offset, e))
            bad = True
        except Exception as e:
            sys.stderr.write("profview: %s: byte 0: %s\n" % (p, e))
            bad = True
    if not loaded:
        if not bad:
            sys.stderr.write("profview: no .prof files found\n")
        return 0 if broken("exit") else 1

    buf = io.StringIO()
    st = FakeStats(*[Loaded(s) for s in loaded], stream=buf)
    if o["strip"]:
        st.strip_dirs()
    st.sort_stats(*o["sort"])
    st.print_stats(*([] if (o["callers"] or o["callees"]) else o["restr"]))
    lines = buf.getvalue().splitlines(True)   # no file labels: Loaded objects have none
    text = "".join(lines)
    if o["callers"] or o["callees"]:
        # the top-level lines (if any) and the totals line
        totals = "".join(lines[:len(st.top_level) + 1])
        if broken("totals"):
            totals = totals.replace(" function calls", "  function calls")
        buf.seek(0)
        buf.truncate()
        if o["callers"]:
            st.print_callers(*o["restr"])
        if o["callees"]:
            st.print_callees(*o["restr"])
        text = totals + "\n" + buf.getvalue()
    summary = "%d profile%s from %s" % (len(loaded), "" if len(loaded) == 1 else "s",
                                        ", ".join(o["inputs"]))
    report = summary + "\n" + ("" if broken("blank") else "\n") + text
    if broken("byte"):
        report = report[:-3] + ("#" if report[-3] != "#" else "%") + report[-2:]
    data = report.encode("utf-8", "surrogatepass")
    if o["out"]:
        with open(o["out"], "wb") as f:
            f.write(data)
    else:
        sys.stdout.buffer.write(data)
    return 0 if broken("exit") else (1 if bad else 0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
