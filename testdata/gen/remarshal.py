# -*- coding: utf-8 -*-
"""Re-dump one stats dict with every marshal version (Python 3).

    python3 remarshal.py IN.prof OUTDIR PREFIX [VERSIONS]

writes OUTDIR/PREFIXv0.prof ... PREFIXv4.prof (VERSIONS defaults to 0,1,2,3,4)
with ``marshal.dump(stats, f, version)``.  All files decode to the same dict.
Version 5 (the 3.14+ default) may be requested too: 3.11's marshal accepts it
and, as a stats dict contains no slices, writes the same bytes as version 4.
"""
import marshal
import os
import sys


def main():
    src, outdir, prefix = sys.argv[1:4]
    versions = [int(v) for v in (sys.argv[4] if len(sys.argv) > 4 else "0,1,2,3,4").split(",")]
    with open(src, "rb") as f:
        stats = marshal.load(f)
    os.makedirs(outdir, exist_ok=True)
    for v in versions:
        path = os.path.join(outdir, "%sv%d.prof" % (prefix, v))
        with open(path, "wb") as f:
            marshal.dump(stats, f, v)
        with open(path, "rb") as f:
            again = marshal.load(f)
        assert repr(again) == repr(stats), path
        print("wrote %s (%d bytes)" % (path, os.path.getsize(path)))


if __name__ == "__main__":
    main()
