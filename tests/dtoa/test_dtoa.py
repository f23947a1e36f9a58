#!/usr/bin/env python3
"""pv_double_repr (lib/dtoa.c) against Python's repr(float), bit for bit.

Values: the edge cases below (zeros, infinities, NaN, the smallest and
largest subnormals and normals, powers of two and of ten, the neighbours of
1e16 and of 1e-4 where repr switches to scientific notation, halfway cases),
then N random 64-bit patterns (default 1,000,000; every exponent equally
likely, subnormals included) and N/10 random doubles near small integers and
short decimals, where the shortest output is short and ties are common.

usage: test_dtoa.py REPR_BINARY [N] [SEED]
"""
import math
import random
import struct
import subprocess
import sys


def from_bits(b):
    return struct.unpack("<d", struct.pack("<Q", b))[0]


def bits(x):
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def neighbours(x, k=2):
    b = bits(x)
    return [from_bits(b + d) for d in range(-k, k + 1) if 0 <= b + d < 0x7ff0000000000000]


def edge_values():
    v = [0.0, -0.0, math.inf, -math.inf, math.nan, -math.nan,
         from_bits(1), from_bits(2), from_bits(0x000fffffffffffff),  # subnormals
         from_bits(0x0010000000000000), sys.float_info.min, sys.float_info.max,
         sys.float_info.epsilon, 1.0, -1.0, 0.1, 0.2, 0.3, 1 / 3, 2 / 3, 5e-324, 1e23,
         9007199254740992.0, 9007199254740993.0, 4503599627370496.0, 123456789012345680.0]
    for e in range(-1074, 1024):
        v += neighbours(2.0 ** e, 1)
    for e in range(-323, 309):
        v += neighbours(float("1e%d" % e), 2)
        v += neighbours(float("5e%d" % e), 1)
    for x in (1e16, 1e-4, 1e-5, 9999999999999998.0, 0.0001, 0.00009999999999999999):
        v += neighbours(x, 3)
    v += [float(i) for i in range(-1000, 1001)]
    v += [i / 1000 for i in range(0, 10001)]
    v += [-x for x in v]
    return v


def main():
    binary = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1000000
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 24
    rnd = random.Random(seed)
    vals = edge_values()
    nedge = len(vals)
    vals += [from_bits(rnd.getrandbits(64)) for _ in range(n)]
    vals += [round(rnd.uniform(-1e6, 1e6), rnd.randrange(0, 12)) * 10.0 ** rnd.randrange(-30, 30)
             for _ in range(n // 10)]
    data = struct.pack("=%dd" % len(vals), *vals)
    res = subprocess.run([binary], input=data, stdout=subprocess.PIPE, check=True)
    got = res.stdout.decode("ascii").split("\n")
    if got and got[-1] == "":
        got.pop()
    if len(got) != len(vals):
        print("FAIL: %d lines for %d values" % (len(got), len(vals)))
        return 1
    bad = 0
    for x, g in zip(vals, got):
        want = repr(x)
        if g != want:
            bad += 1
            if bad <= 10:
                print("FAIL: bits %016x: repr %s, profview %s" % (bits(x), want, g))
    print("dtoa: %d of %d doubles differ from repr (%d edge values, %d random bit patterns, "
          "%d short decimals; seed %d)" % (bad, len(vals), nedge, n, n // 10, seed))
    print("%d passed, %d failed" % (len(vals) - bad, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
