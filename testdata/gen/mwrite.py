# -*- coding: utf-8 -*-
"""A tiny hand-written marshal WRITER (Python 3) for building test .prof files.

It exists so that the edge/ and bad/ files control every byte: which type code
a value uses, which objects carry FLAG_REF (0x80), where `r` back-references
point, and so on.  It does not use the `marshal` module.

Build a tree of nodes and call ``Writer().write(node)``:

    S(text, code)      str: code in 'u t a A z Z' (default: z/a for ASCII, u otherwise),
                       's' writes the UTF-8 bytes as a Py3 `bytes` object
    I(value, code)     int: 'i' (int32), 'I' (int64), 'l' (base 2**15 long);
                       default 'i' if it fits, else 'l'.  ``digits=`` / ``size=``
                       force the raw `l` digits / digit count (bad longs).
    F(value, code)     float: 'g' (binary) or 'f' (text; ``text=`` overrides the text)
    T(items, code)     tuple: ')' (1-byte count) or '(' (int32 count)
    D(pairs)           dict: a list of (key, value) pairs; duplicates allowed
    C(code)            constant: 'N' None, 'T' True, 'F' False, '.' Ellipsis
    R(label)           an `r` back-reference to the flagged node named ``label``
    Raw(bytes, value)  raw bytes spliced in (``value`` = what Python should load)
    Mark(name)         records the current offset in ``writer.marks[name]``

Every node but R/Raw/Mark takes ``ref=True`` (set FLAG_REF and take the next
ref-table slot, in pre-order, exactly like CPython's reader) and ``label=``
(a name for R).  Plain Python values are converted automatically
(str, int, float, bool, None, bytes, tuple, dict).

``Writer.write`` returns the bytes; ``writer.value`` is the Python object that
``marshal.loads`` must return for them (dict semantics included: for a
duplicate key the first key object and position are kept, the last value wins).
"""
import struct

FLAG_REF = 0x80


class Node(object):
    def __init__(self, ref=False, label=None):
        self.ref = ref
        self.label = label


class S(Node):
    def __init__(self, text, code=None, ref=False, label=None):
        Node.__init__(self, ref, label)
        self.text, self.code = text, code


class I(Node):
    def __init__(self, value, code=None, ref=False, label=None, digits=None, size=None):
        Node.__init__(self, ref, label)
        self.v, self.code, self.digits, self.size = value, code, digits, size


class F(Node):
    def __init__(self, value, code="g", ref=False, label=None, text=None):
        Node.__init__(self, ref, label)
        self.v, self.code, self.text = value, code, text


class T(Node):
    def __init__(self, items, code=")", ref=False, label=None):
        Node.__init__(self, ref, label)
        self.items, self.code = list(items), code


class D(Node):
    def __init__(self, pairs, ref=False, label=None):
        Node.__init__(self, ref, label)
        self.pairs = list(pairs)


class C(Node):
    def __init__(self, code, ref=False, label=None):
        Node.__init__(self, ref, label)
        self.code = code


class R(Node):
    def __init__(self, label):
        Node.__init__(self)
        self.target = label


class Raw(Node):
    def __init__(self, data, value=None):
        Node.__init__(self)
        self.data, self.v = bytes(data), value


class Mark(Node):
    def __init__(self, name):
        Node.__init__(self)
        self.name = name


_CONSTS = {"N": None, "T": True, "F": False, ".": Ellipsis}
_BUILDING = object()  # placeholder value of a node whose value is not complete yet


def long_digits(v):
    n, digits = abs(v), []
    while n:
        digits.append(n & 0x7FFF)
        n >>= 15
    return digits


def float_text(v):
    """The text CPython's marshal v0/v1 writes for a float (repr-style %.17g)."""
    if v != v:
        return "nan"
    if v in (float("inf"), float("-inf")):
        return "inf" if v > 0 else "-inf"
    return "%.17g" % v


class Writer(object):
    def __init__(self):
        self.buf = bytearray()
        self.nrefs = 0
        self.refs = {}      # label -> ref index
        self.values = {}    # label -> python value
        self.marks = {}     # name -> offset
        self.value = None

    # -- helpers -------------------------------------------------------------
    def pos(self):
        return len(self.buf)

    def _type(self, code, node):
        b = ord(code)
        idx = None
        if node is not None and node.ref:
            b |= FLAG_REF
            idx = self.nrefs
            self.nrefs += 1
            if node.label is not None:
                self.refs[node.label] = idx
        self.buf.append(b)
        if node is not None and node.label is not None:
            self.values[node.label] = _BUILDING
        return idx

    def _done(self, node, value):
        if node.label is not None:
            self.values[node.label] = value
        return value

    def i32(self, v):
        self.buf += struct.pack("<i", v)

    def u32(self, v):
        self.buf += struct.pack("<I", v & 0xFFFFFFFF)

    # -- conversion of plain values -----------------------------------------
    @staticmethod
    def node(x):
        if isinstance(x, Node):
            return x
        if isinstance(x, bool):
            return C("T" if x else "F")
        if x is None:
            return C("N")
        if isinstance(x, int):
            return I(x)
        if isinstance(x, float):
            return F(x)
        if isinstance(x, str):
            return S(x)
        if isinstance(x, bytes):
            return S(x, "s")
        if isinstance(x, tuple):
            return T(x, ")" if len(x) < 256 else "(")
        if isinstance(x, dict):
            return D(x.items())
        raise TypeError("cannot encode %r" % (x,))

    # -- writer --------------------------------------------------------------
    def write(self, x):
        self.value = self.w(x)
        return bytes(self.buf)

    def w(self, x):
        n = self.node(x)
        if isinstance(n, Mark):
            self.marks[n.name] = self.pos()
            return None
        if isinstance(n, Raw):
            self.buf += n.data
            return n.v
        if isinstance(n, R):
            self.buf.append(ord("r"))
            idx = self.refs[n.target] if isinstance(n.target, str) else n.target
            self.u32(idx)
            return self.values.get(n.target, _BUILDING)
        if isinstance(n, C):
            self._type(n.code, n)
            return self._done(n, _CONSTS[n.code])
        if isinstance(n, I):
            return self._int(n)
        if isinstance(n, F):
            return self._float(n)
        if isinstance(n, S):
            return self._str(n)
        if isinstance(n, T):
            return self._tuple(n)
        if isinstance(n, D):
            return self._dict(n)
        raise TypeError(n)

    def _int(self, n):
        v, code = n.v, n.code
        if code is None:
            code = "i" if -2**31 <= v < 2**31 else "l"
        self._type(code, n)
        if code == "i":
            self.i32(v)
        elif code == "I":
            self.buf += struct.pack("<q", v)
        elif code == "l":
            digits = n.digits if n.digits is not None else long_digits(v)
            size = n.size if n.size is not None else (-len(digits) if v < 0 else len(digits))
            self.i32(size)
            for d in digits:
                self.buf += struct.pack("<H", d & 0xFFFF)
        else:
            raise ValueError(code)
        return self._done(n, v)

    def _float(self, n):
        self._type(n.code, n)
        if n.code == "g":
            self.buf += struct.pack("<d", n.v)
        elif n.code == "f":
            text = (n.text if n.text is not None else float_text(n.v)).encode("ascii")
            self.buf.append(len(text))
            self.buf += text
        else:
            raise ValueError(n.code)
        return self._done(n, n.v)

    def _str(self, n):
        code = n.code
        raw = n.text.encode("utf-8", "surrogatepass")
        ascii_ok = all(ord(c) < 128 for c in n.text)
        if code is None:
            if not ascii_ok:
                code = "u"
            else:
                code = "z" if len(raw) < 256 else "a"
        if code in "zZaA" and not ascii_ok:
            raise ValueError("code %s needs ASCII text" % code)
        self._type(code, n)
        if code in "zZ":
            if len(raw) > 255:
                raise ValueError("short string too long")
            self.buf.append(len(raw))
        else:
            self.i32(len(raw))
        self.buf += raw
        return self._done(n, raw if code == "s" else n.text)

    def _tuple(self, n):
        self._type(n.code, n)
        if n.code == ")":
            self.buf.append(len(n.items))
        else:
            self.i32(len(n.items))
        vals = [self.w(item) for item in n.items]
        return self._done(n, tuple(vals))

    def _dict(self, n):
        self._type("{", n)
        d = {}
        if n.label is not None:
            self.values[n.label] = d  # a dict can be referenced while being built
        for k, v in n.pairs:
            kv = self.w(k)
            vv = self.w(v)
            d[kv] = vv
        self.buf.append(ord("0"))
        return self._done(n, d)


def dumps(x):
    """Encode ``x`` (nodes or plain values); return (bytes, expected_value, writer)."""
    wr = Writer()
    data = wr.write(x)
    return data, wr.value, wr
