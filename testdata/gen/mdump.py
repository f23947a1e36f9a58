#!/usr/bin/env python3
# -*- coding: utf-8 -*-
"""Independent marshal disassembler for .prof files (does not use `marshal`).

    mdump.py FILE                 annotated listing: offset, type code, flags, value
    mdump.py --summary FILE...    one line per file: size, type-code histogram,
                                  how many objects carry FLAG_REF (per code),
                                  number of `r` (py3) and `R` (py2) references
    mdump.py --max N FILE         stop the listing after N lines (default 400)

Understands the Python 3 codes (v0-v5) and the Python 2 ones (`s`, `t` with
the interned-string list, `R`, `I`), and the marshalled code objects (`c`)
that `python -m profile -o` puts in one key, in the 2.7, 3.0-3.7, 3.8-3.10
and 3.11-3.13 layouts (the file does not say which: each is tried in turn).  On corrupt input it prints the offset
and reason of the first problem, which is how the offsets in README.md's bad/
table were double-checked.
"""
import struct
import sys
from collections import Counter

MAX_DEPTH = 2000  # same limit as CPython's MAX_MARSHAL_STACK_DEPTH
sys.setrecursionlimit(max(sys.getrecursionlimit(), 3 * MAX_DEPTH + 100))
NAMES = {
    "0": "NULL", "N": "None", "F": "False", "T": "True", ".": "Ellipsis",
    "S": "StopIteration", "i": "int32", "I": "int64", "l": "long", "f": "float-text",
    "g": "float", "x": "complex-text", "y": "complex", "s": "bytes", "u": "str",
    "t": "str-interned", "a": "ascii", "A": "ascii-interned", "z": "short-ascii",
    "Z": "short-ascii-interned", "(": "tuple", ")": "small-tuple", "[": "list",
    "{": "dict", "<": "set", ">": "frozenset", "r": "ref", "R": "py2-stringref",
    "c": "code", ":": "slice", "?": "unknown",
}


# Marshalled code objects ('c') only occur in stats files as the key
# ('profile', 0, <code object>) that `python -m profile -o` writes.  Their
# layout depends on the writing Python and the file does not say which, so
# load() tries each layout on the whole file.  'i' = raw int32 field,
# 'o' = nested object; (filename, name) are the indexes of those objects.
CODE_LAYOUTS = [
    ("3.11+", "iiiiiooooooooioo", (5, 6)),   # 3.11-3.13: localsplus*, qualname, exceptiontable
    ("3.8-3.10", "iiiiiiooooooooio", (6, 7)),  # + posonlyargcount
    ("3.0-3.7", "iiiiiooooooooio", (6, 7)),   # + kwonlyargcount
    ("2.7", "iiiiooooooooio", (6, 7)),
]


class Code(object):
    def __init__(self, name, filename, line, layout):
        self.name, self.filename, self.line, self.layout = name, filename, line, layout

    def __repr__(self):
        return "<code object %s, file %r, line %s (layout %s)>" % (
            self.name, self.filename, self.line, self.layout)


class NeedCodeLayout(Exception):
    pass


class MarshalError(Exception):
    def __init__(self, offset, msg):
        Exception.__init__(self, "offset %d: %s" % (offset, msg))
        self.offset, self.msg = offset, msg


class Reader(object):
    def __init__(self, data, listing=None, max_lines=400, layout=None):
        self.data = data
        self.layout = layout
        self.p = 0
        self.refs = []        # FLAG_REF table (py3)
        self.interned = []    # py2 't' list, target of 'R'
        self.codes = Counter()
        self.flagged = Counter()
        self.listing = listing
        self.max_lines = max_lines
        self.lines = 0

    def need(self, n, what):
        if n < 0 or self.p + n > len(self.data):
            raise MarshalError(self.p, "EOF: %s needs %d bytes, %d left"
                               % (what, n, len(self.data) - self.p))
        b = self.data[self.p:self.p + n]
        self.p += n
        return b

    def i32(self, what="int32"):
        return struct.unpack("<i", self.need(4, what))[0]

    def emit(self, depth, off, text):
        if self.listing is not None and self.lines < self.max_lines:
            self.listing.append("%8d  %s%s" % (off, "  " * depth, text))
            self.lines += 1

    def read(self, depth=0):
        if depth >= MAX_DEPTH:  # depth counts from 0: this is nesting level depth+1
            raise MarshalError(self.p, "nesting deeper than %d" % MAX_DEPTH)
        off = self.p
        b = self.need(1, "type byte")[0]
        flag, code = b & 0x80, chr(b & 0x7F)
        self.codes[code] += 1
        idx = None
        if flag:
            self.flagged[code] += 1
            idx = len(self.refs)
            self.refs.append(None)
        tag = "%s%s" % (code, "+ref%d" % idx if flag else "")

        def done(v, desc):
            if idx is not None:
                self.refs[idx] = v
            self.emit(depth, off, "%-10s %s" % (tag, desc))
            return v

        if code == "0":
            self.emit(depth, off, "0          NULL")
            return NULL
        if code in "NFT.S":
            return done({"N": None, "F": False, "T": True, ".": Ellipsis,
                         "S": StopIteration}[code], NAMES[code])
        if code == "i":
            v = self.i32()
            return done(v, str(v))
        if code == "I":
            v = struct.unpack("<q", self.need(8, "int64"))[0]
            return done(v, str(v))
        if code == "l":
            n = self.i32("long size")
            if n < -0x7FFFFFFF:
                raise MarshalError(off + 1, "long size out of range (%d)" % n)
            v = 0
            digs = self.need(2 * abs(n), "long digits (%d)" % abs(n))
            for k in range(abs(n)):
                d = struct.unpack("<H", digs[2 * k:2 * k + 2])[0]
                if d >= 0x8000:
                    raise MarshalError(off + 5 + 2 * k, "long digit out of range (%d)" % d)
                v |= d << (15 * k)
            if n and struct.unpack("<H", digs[-2:])[0] == 0:
                raise MarshalError(off + 5 + 2 * (abs(n) - 1), "unnormalized long (top digit 0)")
            if n < 0:
                v = -v
            return done(v, "%d  (%d digits)" % (v, n))
        if code in "fx":
            parts = []
            for _ in range(2 if code == "x" else 1):
                ln = self.need(1, "float text length")[0]
                txt = self.need(ln, "float text").decode("ascii", "replace")
                parts.append(float(txt))
            v = parts[0] if code == "f" else complex(*parts)
            return done(v, "%r  (text)" % (v,))
        if code in "gy":
            parts = [struct.unpack("<d", self.need(8, "double"))[0]
                     for _ in range(2 if code == "y" else 1)]
            v = parts[0] if code == "g" else complex(*parts)
            return done(v, repr(v))
        if code in "sutaAzZ":
            if code in "zZ":
                n = self.need(1, "short string length")[0]
            else:
                n = self.i32("string length")
                if n < 0:
                    raise MarshalError(off + 1, "negative string length %d" % n)
            raw = self.need(n, "string body (%d)" % n)
            if code == "s":
                v = raw
            elif code in "aAzZ":
                v = raw.decode("latin-1")  # CPython builds a 1-byte-kind str: Latin-1
            else:
                try:
                    v = raw.decode("utf-8", "surrogatepass")
                except UnicodeDecodeError as e:
                    if code == "u":
                        body = off + 5
                        raise MarshalError(body + e.start, "invalid UTF-8 in `u` string")
                    v = raw  # a py2 't' holds bytes
                if code == "t":
                    self.interned.append(v)
            return done(v, repr(v))
        if code in "()[<>":
            n = self.need(1, "small tuple count")[0] if code == ")" else self.i32("count")
            if n < 0:
                raise MarshalError(off + 1, "negative size %d" % n)
            self.emit(depth, off, "%-10s %s of %d" % (tag, NAMES[code], n))
            items = []
            for _ in range(n):
                item_off = self.p
                v = self.read(depth + 1)
                if v is NULL:
                    raise MarshalError(item_off, "NULL inside a %s" % NAMES[code])
                items.append(v)
            v = tuple(items) if code in "()" else items
            if idx is not None:
                self.refs[idx] = v
            return v
        if code == "{":
            self.emit(depth, off, "%-10s dict" % tag)
            d = {}
            if idx is not None:
                self.refs[idx] = d
            while True:
                key_off = self.p
                k = self.read(depth + 1)
                if k is NULL:
                    break
                v = self.read(depth + 1)
                if v is NULL:
                    break  # CPython quirk: a NULL value silently ends the dict
                try:
                    d[k] = v
                except TypeError:
                    raise MarshalError(key_off, "unhashable dict key %r" % (k,))
            return d
        if code == "c":
            if self.layout is None:
                raise NeedCodeLayout()
            lname, fields, (fi, ni) = self.layout
            self.emit(depth, off, "%-10s code object (layout %s)" % (tag, lname))
            objs, ints = [], []
            for fld in fields:
                if fld == "i":
                    ints.append(self.i32("code field"))
                else:
                    objs.append(self.read(depth + 1))
            v = Code(objs[ni], objs[fi], ints[-1], lname)
            if idx is not None:
                self.refs[idx] = v
            return v
        if code == "r":
            n = struct.unpack("<I", self.need(4, "ref index"))[0]
            if n >= len(self.refs):
                raise MarshalError(off, "ref index %d out of range (table has %d)"
                                   % (n, len(self.refs)))
            v = self.refs[n]
            self.emit(depth, off, "r          -> ref%d %s" % (n, short(v)))
            return v
        if code == "R":
            n = self.i32("py2 string ref")
            if not 0 <= n < len(self.interned):
                raise MarshalError(off, "py2 R index %d out of range" % n)
            v = self.interned[n]
            self.emit(depth, off, "R          -> interned[%d] %r" % (n, v))
            return v
        raise MarshalError(off, "unknown type code 0x%02x (%r)" % (b, chr(b)))


class _Null(object):
    def __repr__(self):
        return "NULL"


NULL = _Null()


def short(v, n=60):
    r = repr(v)
    return r if len(r) <= n else r[:n] + "..."


def load(data, listing=None, max_lines=400):
    """Read one object.  If it holds code objects, retry with each layout."""
    try:
        rd = Reader(data, listing, max_lines)
        return rd.read(), rd
    except NeedCodeLayout:
        pass
    last = None
    for layout in CODE_LAYOUTS:
        lst = [] if listing is not None else None
        try:
            rd = Reader(data, lst, max_lines, layout)
            v = rd.read()
            if isinstance(v, dict) and not all(isinstance(k, tuple) and len(k) == 3
                                               for k in v):
                raise MarshalError(0, "code layout %s gives a malformed stats dict" % layout[0])
        except (MarshalError, RecursionError, TypeError, IndexError, UnicodeDecodeError) as e:
            last = e
            continue
        if listing is not None:
            listing.extend(lst)
        rd.code_layout = layout[0]
        return v, rd
    raise last if isinstance(last, MarshalError) else MarshalError(0, "no code layout fits")


def summary(path):
    data = open(path, "rb").read()
    try:
        v, rd = load(data)
        err = ""
        top = type(v).__name__
        if rd.p < len(data):
            err = " trailing=%d" % (len(data) - rd.p)
    except MarshalError as e:
        rd, top, err = None, "-", " ERROR(%s)" % e
    except RecursionError:
        rd, top, err = None, "-", " ERROR(recursion)"
    if rd is None:
        return "%s size=%d%s" % (path, len(data), err)
    if getattr(rd, "code_layout", None):
        err += " code-objects=%s-layout" % rd.code_layout
    codes = " ".join("%s:%d" % (c, n) for c, n in sorted(rd.codes.items()))
    flagged = " ".join("%s:%d" % (c, n) for c, n in sorted(rd.flagged.items()))
    return "%s size=%d top=%s codes[%s] flagged[%s]%s" % (
        path, len(data), top, codes, flagged or "-", err)


def main(argv):
    max_lines = 400
    if argv[:1] == ["--max"]:
        max_lines = int(argv[1])
        argv = argv[2:]
    if argv[:1] == ["--summary"]:
        for p in argv[1:]:
            print(summary(p))
        return 0
    if len(argv) != 1:
        print(__doc__)
        return 2
    data = open(argv[0], "rb").read()
    listing = []
    rc = 0
    try:
        load(data, listing, max_lines)
    except MarshalError as e:
        listing.append("ERROR at %s" % e)
        rc = 1
    sys.stdout.write("\n".join(listing) + "\n")
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
