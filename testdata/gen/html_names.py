#!/usr/bin/env python3
"""Write testdata/edge/html_names.prof: a hand-made profile whose names are
markup, for the HTML report's tests (tests/html/).  A page that shows them as
text displays these characters; a page that inserts them as markup runs them.

    python3 html_names.py OUTDIR

main() calls the two functions the HTML issue names,
`</script><script>alert(1)</script>` (in a file of that name too) and
`<img src=x onerror=alert(1)>`, and a third whose name holds the other
characters a <script> element's JSON must escape: & " ' U+2028 U+2029 and a
newline.  Plain marshal of a pstats dict (version 4), checked by loading it
with pstats.
"""
import marshal
import os
import pstats
import sys

MAIN = ("app/main.py", 1, "main")
SCRIPT = ("app/</script><script>alert(1)</script>.py", 2, "</script><script>alert(1)</script>")
IMG = ("app/views.py", 3, "<img src=x onerror=alert(1)>")
OTHER = ("app/views.py", 4, "amp&amp; \"quote\" 'q' \u2028line\u2029para\nnl <!-- -->")

STATS = {
    MAIN: (1, 1, 0.001, 0.010, {}),
    SCRIPT: (2, 2, 0.004, 0.004, {MAIN: (2, 2, 0.004, 0.004)}),
    IMG: (3, 3, 0.003, 0.003, {MAIN: (3, 3, 0.003, 0.003)}),
    OTHER: (1, 1, 0.002, 0.002, {MAIN: (1, 1, 0.002, 0.002)}),
}

out = os.path.join(sys.argv[1], "html_names.prof")
with open(out, "wb") as f:
    marshal.dump(STATS, f, 4)
st = pstats.Stats(out)
assert st.total_calls == 7 and SCRIPT in st.stats and IMG in st.stats
print("html_names.prof: function and file names that are markup (the HTML report's XSS test)")
