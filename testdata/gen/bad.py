#!/usr/bin/env python3
# -*- coding: utf-8 -*-
"""Write the corrupt / hostile inputs into testdata/bad/ (Python 3).

    python3 bad.py OUTDIR FLASKDIR

FLASKDIR must hold the werkzeug dumps made by flask_app.py: the smallest one
(ties broken by name) is the source of the truncated and gzipped copies.

For every file the offset of the problem is known from how it was built: the
offset of the wrong type byte / length field, or for a truncation the file
length (where the reader runs out of bytes).  The script then records what
CPython does with the file:

  * ``marshal.loads(data)``                (bytes in memory)
  * ``pstats.Stats(path).print_stats()``   in a subprocess limited to 1 GiB of
    address space (marshal.load on a *file* allocates a declared length before
    reading it, so huge declared lengths give MemoryError there)

and writes OUTDIR/README.md with the table.  Offsets are also cross-checked
against mdump.py's independent reader where it reports one.
"""
import glob
import gzip
import io
import marshal
import os
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mdump  # noqa: E402
from mwrite import D, I, T, Writer  # noqa: E402

CASES = []  # (name, data, offset, what)


def add(name, data, offset, what):
    CASES.append((name, bytes(data), offset, what))


def E(cc, nc, tt, ct, callers=()):
    return T([cc, nc, tt, ct, D(list(callers))])


GOOD_KEY = ("app.py", 1, "main")


def main():
    outdir, flaskdir = sys.argv[1], sys.argv[2]
    os.makedirs(outdir, exist_ok=True)
    flask_files = sorted(glob.glob(os.path.join(flaskdir, "*.prof")),
                         key=lambda p: (os.path.getsize(p), p))
    src_path = flask_files[0]
    src = open(src_path, "rb").read()
    src_name = os.path.basename(src_path)
    n = len(src)

    # -- empty and truncated -------------------------------------------------
    add("empty.prof", b"", 0, "0-byte file: EOF where the first type byte is expected")
    add("trunc_1byte.prof", src[:1], 1,
        "first byte of %s only (the dict's type byte); EOF at its first key" % src_name)
    # cut inside the first key's file-name string
    listing = []
    mdump.load(src, listing, 400)
    for line in listing:
        s_off, code = int(line.split()[0]), chr(src[int(line.split()[0])] & 0x7F)
        if code not in "zZaAut":
            continue
        if code in "zZ":
            s_len, body = src[s_off + 1], s_off + 2
        else:
            s_len, body = struct.unpack("<i", src[s_off + 1:s_off + 5])[0], s_off + 5
        if s_len >= 8:
            break
    cut = body + s_len // 2
    add("trunc_in_string.prof", src[:cut], cut,
        "%s cut in the middle of its first string of 8+ bytes (type byte at %d, %d-byte body "
        "starts at %d)" % (src_name, s_off, s_len, body))
    add("trunc_half.prof", src[:n // 2], n // 2, "first half (%d of %d bytes) of %s" % (n // 2, n, src_name))
    add("trunc_minus1.prof", src[:-1], n - 1,
        "%s without its last byte (the outer dict's terminating NULL `0`)" % src_name)

    # -- not marshal at all ---------------------------------------------------
    import pstats
    buf = io.StringIO()
    st = pstats.Stats(src_path, stream=buf)
    st.files = []  # drop the date/path label
    st.sort_stats("cumulative").print_stats(8)
    report = buf.getvalue()
    add("text_report.prof", report.encode("utf-8"), 0,
        "a pstats text report saved as .prof: first byte 0x20 (space) is no type code")
    add("text_starts_with_T.prof",
        ("Thu Jan  1 00:00:00 1970    GET.root.1ms.1700000000.prof\n\n" + report).encode("utf-8"),
        0, "a text report whose first line is the date label: `T` is marshal True, so a "
           "reader gets True (not a dict) and ignores the rest")
    callgrind = ("# callgrind format\nversion: 1\ncreator: django-extensions runprofileserver "
                 "--kcachegrind\nevent: ns : Nanoseconds\nevents: ns\nsummary: 1234\n\n"
                 "fl=/srv/app/views.py\nfn=index:12\n12 1234\ncfl=/srv/app/db.py\ncfn=query:40\n"
                 "calls=1 40\n12 1000\n")
    add("callgrind_text.prof", callgrind.encode("ascii"), 0,
        "callgrind text under a .prof name (django-extensions --kcachegrind): `#` (0x23) "
        "is no type code")
    gz = io.BytesIO()
    with gzip.GzipFile(fileobj=gz, mode="wb", mtime=0, filename="") as g:
        g.write(src)
    # a gzip stream whose deflate data is garbage (a valid one is read as a
    # compressed profile); libarchive finds the damage in the first block
    data = bytearray(gz.getvalue())
    for i in range(12, min(len(data) - 8, 400)):
        data[i] = (data[i] * 7 + 13) & 0xff
    add("gzip_garbage.prof", bytes(data), 0,
        "gzip of %s with its deflate data scrambled from byte 12" % src_name)

    # -- wrong top-level object -----------------------------------------------
    add("toplevel_list.prof", marshal.dumps([GOOD_KEY, (1, 1, 0.001, 0.002, {})], 4), 0,
        "top-level object is a list `[` (not a dict)")
    add("toplevel_int.prof", marshal.dumps(42, 4), 0, "top-level object is the int 42")
    add("toplevel_none.prof", marshal.dumps(None, 4), 0,
        "top-level object is None (falsy: pstats says 'Cannot create or construct')")
    add("empty_dict.prof", marshal.dumps({}, 4), 0,
        "valid marshal `{` + NULL: an empty dict; pstats refuses it ('Cannot create or construct')")

    # -- dict entries of the wrong shape ---------------------------------------
    w = Writer()
    w.buf.append(ord("{"))
    w.w(GOOD_KEY)
    off = w.pos()
    w.w((1, 1, 0.001, 0.002))
    w.buf.append(ord("0"))
    add("value_4tuple.prof", w.buf, off,
        "an entry value is a 4-tuple (a cProfile caller shape), not (cc, nc, tt, ct, callers)")

    w = Writer()
    w.buf.append(ord("{"))
    w.w(GOOD_KEY)
    off = w.pos()
    w.w(7)
    w.buf.append(ord("0"))
    add("value_int.prof", w.buf, off, "an entry value is the int 7")

    w = Writer()
    w.buf.append(ord("{"))
    off = w.pos()
    w.w(("app.py", 1))
    w.w((1, 1, 0.001, 0.002, {}))
    w.buf.append(ord("0"))
    add("key_2tuple.prof", w.buf, off, "a key is a 2-tuple ('app.py', 1), not (file, line, name)")

    w = Writer()
    w.buf.append(ord("{"))
    off = w.pos()
    w.w("app.py:1(main)")
    w.w((1, 1, 0.001, 0.002, {}))
    w.buf.append(ord("0"))
    add("key_str.prof", w.buf, off, "a key is the str 'app.py:1(main)'")

    w = Writer()
    w.buf.append(ord("{"))
    w.w(GOOD_KEY)
    w.buf += b")\x05"
    w.w(1)
    w.w(1)
    off = w.pos()
    w.w("0.001")
    w.w(0.002)
    w.w({})
    w.buf.append(ord("0"))
    add("time_str.prof", w.buf, off, "tt is the str '0.001' (total_tt += str fails)")

    w = Writer()
    w.buf.append(ord("{"))
    w.w(GOOD_KEY)
    w.buf += b")\x05"
    for x in (1, 1, 0.001, 0.002):
        w.w(x)
    off = w.pos()
    w.buf += b"[" + struct.pack("<i", 1)
    w.w(("app.py", 9, "caller"))
    w.buf.append(ord("0"))
    add("callers_list.prof", w.buf, off,
        "callers is a list `[` of keys, not a dict (pstats loads it; print_callers fails)")

    w = Writer()
    w.buf.append(ord("{"))
    off = w.pos()
    w.buf += b"[" + struct.pack("<i", 0)
    w.w((1, 1, 0.001, 0.002, {}))
    w.buf.append(ord("0"))
    add("key_unhashable_list.prof", w.buf, off, "a key is a list: unhashable, the dict cannot be built")

    # -- bad type codes ---------------------------------------------------------
    w = Writer()
    w.buf.append(ord("{"))
    w.w(GOOD_KEY)
    w.buf += b")\x05"
    off = w.pos()
    w.buf += b"\x01"
    add("unknown_code_0x01.prof", w.buf + b"\x00" * 8, off,
        "type byte 0x01 where cc should start")

    w = Writer()
    w.buf.append(ord("{"))
    w.buf += b")\x03"
    w.w("app.py")
    w.w(1)
    off = w.pos()
    w.buf += b"R" + struct.pack("<i", 0)
    w.w((1, 1, 0.001, 0.002, {}))
    w.buf.append(ord("0"))
    add("py2_R_code.prof", w.buf, off,
        "Python 2 string-reference code `R` (0x52) in a key: Python 3 has no such type code")

    w = Writer()
    w.buf.append(ord("{"))
    w.buf += b")\x03"
    off = w.pos() + 6
    w.buf += b"u" + struct.pack("<i", 4) + b"a\xff\xfe."
    w.w(1)
    w.w("main")
    w.w((1, 1, 0.001, 0.002, {}))
    w.buf.append(ord("0"))
    add("u_invalid_utf8.prof", w.buf, off, "`u` string 'a\\xff\\xfe.': offset of the first byte that is not UTF-8 (0xff)")

    w = Writer()
    w.buf.append(ord("{"))
    w.buf += b")\x03"
    off = w.pos() + 6
    w.buf += b"u" + struct.pack("<i", 6) + b"a\xed\xa0\x80.p"
    w.w(1)
    w.w("main")
    w.w((1, 1, 0.001, 0.002, {}))
    w.buf.append(ord("0"))
    add("u_lone_surrogate.prof", w.buf, off,
        "`u` string holding a UTF-8-encoded lone surrogate U+D800 (ED A0 80, offset of ED): "
        "CPython's surrogatepass loads it; the report cannot be encoded as UTF-8")

    # -- refs ---------------------------------------------------------------------
    w = Writer()
    w.buf.append(ord("{"))
    w.w(T(["app.py", 1, "main"], ref=True, label="k"))
    w.w(E(1, 1, 0.001, 0.002))
    w.w(("app.py", 2, "g"))
    w.buf += b")\x05"
    for x in (1, 1, 0.0, 0.0):
        w.w(x)
    w.buf.append(ord("{"))
    off = w.pos()
    w.buf += b"r" + struct.pack("<I", 999)
    w.w((1, 1, 0.0, 0.0))
    w.buf += b"00"
    add("ref_out_of_range.prof", w.buf, off,
        "`r` 999 while the ref table has 1 slot (only the first key tuple is flagged)")

    w = Writer()
    w.buf.append(ord("{"))
    off = w.pos()
    w.buf += b"r" + struct.pack("<I", 0)
    w.w((1, 1, 0.001, 0.002, {}))
    w.buf.append(ord("0"))
    add("ref_empty_table.prof", w.buf, off, "`r` 0 as the first key: nothing is flagged, the table is empty")

    w = Writer()
    w.buf.append(ord("{") | 0x80)            # outer dict takes slot 0
    w.w(GOOD_KEY)
    w.buf += b")\x05"
    for x in (1, 1, 0.001, 0.002):
        w.w(x)
    off = w.pos()
    w.buf += b"r" + struct.pack("<I", 0)     # callers = the outer dict itself
    w.buf.append(ord("0"))
    add("ref_to_unfinished_dict.prof", w.buf, off,
        "callers = `r` 0 = the outer dict that is still being read (flagged 0xFB). CPython "
        "accepts it and builds a dict that contains itself")

    w = Writer()
    w.buf.append(ord("{"))
    w.w(GOOD_KEY)
    w.buf += bytes([ord(")") | 0x80, 5])     # value tuple takes slot 0
    for x in (1, 1, 0.001, 0.002):
        w.w(x)
    off = w.pos()
    w.buf += b"r" + struct.pack("<I", 0)     # callers = the value tuple itself
    w.buf.append(ord("0"))
    add("ref_to_unfinished_tuple.prof", w.buf, off,
        "callers = `r` 0 = the 5-tuple that is still being read. CPython accepts it "
        "(a tuple containing itself)")

    # -- sizes ------------------------------------------------------------------------
    w = Writer()
    w.buf.append(ord("{"))
    w.buf += b")\x03"
    off = w.pos()
    w.buf += b"u" + struct.pack("<i", 0x7FFFFFF0) + b"app.py"
    add("string_len_2g.prof", w.buf, off + 1,
        "`u` declares 0x7FFFFFF0 bytes (offset = its length field) with only 6 bytes left "
        "(marshal.load on a file tries to allocate the buffer first: MemoryError under the limit)")

    w = Writer()
    w.buf.append(ord("{"))
    w.buf += b")\x03"
    off = w.pos()
    w.buf += b"u" + struct.pack("<i", -1) + b"app.py"
    w.w(1)
    w.w("main")
    w.w((1, 1, 0.001, 0.002, {}))
    w.buf.append(ord("0"))
    add("string_len_negative.prof", w.buf, off + 1, "`u` with length -1 (offset = the length field)")

    w = Writer()
    w.buf.append(ord("{"))
    w.w(GOOD_KEY)
    off = w.pos()
    w.buf += b"(" + struct.pack("<i", -5)
    for x in (1, 1, 0.001, 0.002, {}):
        w.w(x)
    w.buf.append(ord("0"))
    add("tuple_len_negative.prof", w.buf, off + 1, "`(` tuple with count -5 (offset = the count field)")

    w = Writer()
    w.buf.append(ord("{"))
    w.w(GOOD_KEY)
    w.buf += b")\x05"
    off = w.pos()
    w.buf += b"l" + struct.pack("<i", 0x7FFFFFFF) + b"\x01\x00\x02\x00"
    add("long_absurd_digits.prof", w.buf, off + 1,
        "`l` declares 2**31-1 digits (offset = its size field) with 2 digits left (CPython "
        "allocates the digits first: MemoryError under the limit)")

    w = Writer()
    w.buf.append(ord("{"))
    w.w(GOOD_KEY)
    w.buf += b")\x05"
    off = w.pos()
    w.buf += b"l" + struct.pack("<i", -0x80000000) + b"\x01\x00"
    add("long_size_int_min.prof", w.buf, off + 1, "`l` size field = -2**31 (its magnitude overflows int32); offset = the size field")

    w = Writer()
    w.buf.append(ord("{"))
    w.w(GOOD_KEY)
    w.buf += b")\x05"
    off = w.pos()
    w.w(I(2**40, "l", digits=[0, 0x8000, 1]))
    for x in (1, 0.001, 0.002, {}):
        w.w(x)
    w.buf.append(ord("0"))
    add("long_digit_0x8000.prof", w.buf, off + 7, "`l` whose 2nd digit is 0x8000 (digits must be < 2**15); offset = that digit")

    w = Writer()
    w.buf.append(ord("{"))
    w.w(GOOD_KEY)
    w.buf += b")\x05"
    off = w.pos()
    w.w(I(5, "l", digits=[5, 0]))
    for x in (1, 0.001, 0.002, {}):
        w.w(x)
    w.buf.append(ord("0"))
    add("long_unnormalized.prof", w.buf, off + 7,
        "`l` with 2 digits whose top digit is 0 (CPython: 'unnormalized long data'); offset = "
        "that digit")

    # -- structure ----------------------------------------------------------------------
    depth = 100000
    add("deep_nesting.prof", b"{" * depth, 2000,
        "%d bytes of `{`: each dict's first key is the next dict, 100000 levels deep in 1 byte "
        "per level (no terminators follow; a reader must stop on depth, not on EOF). CPython "
        "stops at depth 2000: the 2001st nested object starts at offset 2000" % depth)
    add("deep_tuples_2000.prof", b")\x01" * 2000 + b"N", 4000,
        "2000 nested 1-tuples `)` 0x01 then None: the None is the 2001st nesting level "
        "(offset 4000) and exceeds CPython's limit of 2000")
    add("deep_tuples_1999.prof", b")\x01" * 1999 + b"N", 0,
        "1999 nested 1-tuples then None: exactly at CPython's depth limit, so marshal loads it; "
        "only the top-level type (a tuple, offset 0) is wrong")

    w = Writer()
    w.buf.append(ord("{"))
    w.buf += b")\x03"
    w.w("app.py")
    off = w.pos()
    w.buf += b"0"
    w.w("main")
    w.w((1, 1, 0.001, 0.002, {}))
    w.buf.append(ord("0"))
    add("null_in_tuple.prof", w.buf, off, "a NULL `0` as the line number inside a key tuple")

    w = Writer()
    w.buf.append(ord("{"))
    w.w(("app.py", 0, "first"))
    w.w((1, 1, 0.001, 0.002, {}))
    w.w(GOOD_KEY)
    off = w.pos()
    w.buf += b"0"
    w.w((1, 1, 0.001, 0.002, {}))
    w.buf.append(ord("0"))
    add("null_as_dict_value.prof", w.buf, off,
        "a NULL `0` in place of the 2nd entry's value. CPython quirk: a NULL value silently "
        "ends the dict, so it loads 1 entry and ignores the rest as trailing bytes")

    # -- write, and record CPython's behaviour ----------------------------------------
    rows = []
    for name, data, offset, what in CASES:
        path = os.path.join(outdir, name)
        with open(path, "wb") as f:
            f.write(data)
        rows.append((name, len(data), offset, what, loads_outcome(data), pstats_outcome(path),
                     mdump_outcome(data)))
        print("%-30s %7d bytes  off %-6d %s" % (name, len(data), offset, rows[-1][4]))
    write_readme(outdir, rows, src_name, n)


def loads_outcome(data):
    try:
        v = marshal.loads(data)
    except Exception as e:  # noqa: BLE001
        return "%s: %s" % (type(e).__name__, e)
    r = repr(v)
    return "loads %s" % (r if len(r) < 40 else type(v).__name__)


CHILD = r"""
import io, pstats, re, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
sys.setrecursionlimit(10000)
out = io.StringIO()
try:
    st = pstats.Stats(sys.argv[1], stream=out)
    st.print_stats()
    res = "print_stats OK"
    try:
        out.getvalue().encode("utf-8")
    except UnicodeEncodeError as e:
        res += " (but the text is not UTF-8-encodable: %s)" % e.reason
    try:
        st.print_callers()
    except Exception as e:
        res += "; print_callers %s" % type(e).__name__
except BaseException as e:
    msg = re.sub(r"'\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}    ", "'<date>    ", str(e))
    res = "%s: %s" % (type(e).__name__, msg.replace(sys.argv[1], "<path>")[:120])
    if "Invalid timing data" in out.getvalue():
        res = "'Invalid timing data' + " + res
sys.stdout.write(res)
"""


def pstats_outcome(path):
    try:
        p = subprocess.run([sys.executable, "-c", CHILD, path], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=60)
    except subprocess.TimeoutExpired:
        return "timeout"
    out = p.stdout.decode("utf-8", "replace").strip()
    if p.returncode:
        return "crash rc=%d %s" % (p.returncode, p.stderr.decode("utf-8", "replace")[-80:])
    return out.replace("|", "/")


def mdump_outcome(data):
    try:
        v, rd = mdump.load(data)
    except mdump.MarshalError as e:
        return "error @%d" % e.offset
    except RecursionError:
        return "recursion"
    return "ok (%s)" % type(v).__name__


def write_readme(outdir, rows, src_name, n):
    lines = [
        "# bad/ - corrupt and hostile inputs",
        "",
        "Generated by `gen/bad.py` (run by `gen/regen.sh`); do not edit by hand.",
        "Truncated and gzipped copies come from `flask/%s` (%d bytes)." % (src_name, n),
        "",
        "* **offset**: byte offset of the problem, known from construction: the wrong type byte,",
        "  the wrong length/size field or digit, or for truncations the file length (where a",
        "  reader runs out of data).",
        "* **marshal.loads**: CPython 3.11 `marshal.loads(data)`.",
        "* **pstats**: CPython 3.11 `pstats.Stats(path).print_stats()` in a subprocess with a",
        "  1 GiB address-space limit (then `print_callers()` if that worked).",
        "* **mdump**: `gen/mdump.py`'s independent reader (offset of the first error it sees).",
        "",
        "Some files are *accepted* by CPython (a self-referencing dict or tuple, a NULL dict",
        "value, a lone surrogate, a list of callers, a `T` at the start of a text file): they are",
        "listed here because a careful reader should reject or at least survive them.",
        "",
        "| file | size | offset | what is wrong | marshal.loads | pstats | mdump |",
        "|---|---:|---:|---|---|---|---|",
    ]
    for name, size, offset, what, lo, po, mo in rows:
        lines.append("| `%s` | %d | %d | %s | %s | %s | %s |" % (
            name, size, offset, what.replace("|", "/"), lo.replace("|", "/"), po, mo))
    with open(os.path.join(outdir, "README.md"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
