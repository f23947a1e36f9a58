#!/usr/bin/env python3
"""The reference for the benchmark: what profview does, done with CPython's
pstats.  usage: pstats_report.py MODE FILE...   (MODE: stats, stdname, callers)"""
import io
import pstats
import sys

mode, files = sys.argv[1], sys.argv[2:]
out = io.StringIO()
st = pstats.Stats(*files, stream=out)
if mode == "stats":
    st.sort_stats("time", "calls").print_stats()
elif mode == "stdname":
    st.sort_stats("stdname").print_stats()
else:
    st.sort_stats("stdname").print_callers()
sys.stdout.write(out.getvalue()[-200:])
