#!/usr/bin/env python3
"""Sorting with NaN times: profview's row order against CPython's pstats.

With NaN, pstats' comparison (TupleComp via cmp_to_key) is not a total
order, so the printed order depends on exactly which pairs list.sort
compares; profview reproduces CPython's timsort.  Random profiles (NaN in
about a third of the times, ties, mixed int/float times, 5 to 700 rows so
that runs, binary insertion, merges and galloping all occur) are sorted by
several keys with both and the rows compared.

Usage: python3 tests/oracle/nan_sort.py --profview PV [--cases N]
Exit 0 if every case agrees; the last line is `nan_sort: N passed, N failed`.
"""
import argparse, io, marshal, os, pstats, random, subprocess, sys, tempfile

ap = argparse.ArgumentParser()
ap.add_argument('--profview', required=True)
ap.add_argument('--cases', type=int, default=400)
args = ap.parse_args()
NAN = float('nan')
KEYS = ['time', 'cumulative', 'time,cumulative', 'calls,time', 'cumulative,name', 'pcalls,time']
ok = bad = 0
with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, 'n.prof')
    for seed in range(args.cases):
        r = random.Random(seed)
        n = r.choice([5, 20, 63, 64, 65, 150, 400, 700])
        sorted_share = r.random()

        def t(i):
            x = r.random()
            if x < 0.3:
                return NAN
            if x < 0.4:
                return r.randrange(3)  # ints compare with floats exactly
            if x < 0.6 + 0.4 * sorted_share:  # long ordered stretches: galloping
                return float(n - i) / 8
            return round(r.random() * r.choice([1, 0.01]), r.choice([1, 6]))
        st = {}
        for i in range(n):
            st[('f%d.py' % r.randrange(n), r.randrange(50), 'fn%d' % i)] = (
                r.randrange(1, 4), r.randrange(1, 9), t(i), t(i), {})
        with open(path, 'wb') as f:
            f.write(marshal.dumps(st))
        key = r.choice(KEYS)
        s = io.StringIO()
        pstats.Stats(path, stream=s).sort_stats(*key.split(',')).print_stats()
        want = [l for l in s.getvalue().splitlines() if '.py:' in l]
        out = subprocess.run([args.profview, path, '--sort', key], capture_output=True,
                             text=True).stdout
        got = [l for l in out.splitlines() if '.py:' in l]
        if want == got and want:
            ok += 1
        else:
            bad += 1
            print('FAIL seed %d: %d rows, --sort %s' % (seed, n, key))
print('nan_sort: %d passed, %d failed' % (ok, bad))
sys.exit(1 if bad or not ok else 0)
