#!/bin/sh
# Regenerate every generated file under testdata/ (see testdata/README.md).
#
#   testdata/gen/regen.sh          or          make -C testdata
#
# Idempotent: deletes and rewrites cprofile/ profile/ marshal/ py27/ edge/ bad/
# flask/ slowprog/ and INVENTORY.txt.  Timings (and so the bytes of every real dump) vary
# from run to run; names and shapes do not.  Needs the pyenv interpreters below,
# Debian's /usr/bin/python3 with python3-flask, and nothing from the network.
# Interpreters are found on PATH as python2.7, python3.6 ... python3.13; set
# PYTHON_VERSIONS_DIR to a directory of VERSION/bin/python trees instead
# (pyenv's versions/ directory, for one), or PY3, PY2, FLASK_PY one by one.
set -eu

GEN=$(cd "$(dirname "$0")" && pwd)
TD=$(dirname "$GEN")
PYTHON_VERSIONS_DIR=${PYTHON_VERSIONS_DIR:-}
# interp VERSION: the interpreter of that version (3.11.7 -> python3.11 on PATH)
interp() {
    if [ -n "$PYTHON_VERSIONS_DIR" ]; then
        echo "$PYTHON_VERSIONS_DIR/$1/bin/python"
    else
        echo "python$(echo "$1" | cut -d. -f1-2)"
    fi
}
PY3=${PY3:-$(interp 3.11.7)}
PY2=${PY2:-$(interp 2.7.18)}
FLASK_PY=${FLASK_PY:-/usr/bin/python3}
# tag:version pairs for cprofile/ (every interpreter) and profile/ (three)
CPROFILE_VERSIONS="py27:2.7.18 py36:3.6.15 py37:3.7.16 py38:3.8.18 py39:3.9.18 py310:3.10.13 py311:3.11.7 py312:3.12.1 py313:3.13.0"
PROFILE_VERSIONS="py27:2.7.18 py311:3.11.7 py313:3.13.0"

# Reproducible environment: UTF-8 file names and stdio, fixed hash seed, no
# .pyc files written next to the programs, no user site/startup influence.
export LC_ALL=C.UTF-8 LANG=C.UTF-8 PYTHONHASHSEED=0 PYTHONDONTWRITEBYTECODE=1 PYTHONIOENCODING=utf-8
unset PYTHONPATH PYTHONSTARTUP PYTHONHOME 2>/dev/null || true

cd "$TD"
rm -rf cprofile profile marshal py27 edge bad flask slowprog INVENTORY.txt
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

is_py3_only() { grep -q '^# py3-only' "$1"; }

# neutral PY FILE...: no path of this machine in the dumps (testdata/README.md):
# the interpreter's own prefix becomes /usr/local, as a source install's is
neutral() {
    py=$1; shift
    prefix=$("$py" -c 'import sys; print(sys.prefix)')
    case $prefix in /usr | /usr/local) return ;; esac
    "$py" "$GEN/relocate.py" "$prefix/=/usr/local/" -- "$@"
}

echo "== cprofile/: python -m cProfile -o X.prof prog.py"
for tv in $CPROFILE_VERSIONS; do
    tag=${tv%%:*}; py=$(interp "${tv#*:}")
    mkdir -p "cprofile/$tag"
    for prog in "$GEN"/programs/*.py; do
        name=$(basename "$prog" .py)
        if [ "$tag" = py27 ] && is_py3_only "$prog"; then continue; fi
        # run from the programs dir with a bare name: co_filename is 'prog_x.py'
        (cd "$GEN/programs" && "$py" -m cProfile -o "$TD/cprofile/$tag/$name.prof" "$name.py" >/dev/null)
    done
    neutral "$py" cprofile/$tag/*.prof
done

echo "== profile/: python -m profile -o X.prof prog.py, and the runctx(string) variant"
for tv in $PROFILE_VERSIONS; do
    tag=${tv%%:*}; py=$(interp "${tv#*:}")
    mkdir -p "profile/$tag"
    for prog in "$GEN"/programs/*.py; do
        name=$(basename "$prog" .py)
        if [ "$tag" = py27 ] && is_py3_only "$prog"; then continue; fi
        (cd "$GEN/programs" && "$py" -m profile -o "$TD/profile/$tag/$name.prof" "$name.py" >/dev/null)
        (cd "$GEN/programs" && "$py" "$GEN/profile_runctx.py" "$name.py" "$TD/profile/$tag/$name.runctx.prof" >/dev/null)
    done
    neutral "$py" profile/$tag/*.prof
done

echo "== flask/: werkzeug ProfilerMiddleware under $FLASK_PY"
(cd "$TMP" && "$FLASK_PY" "$GEN/flask_app.py" "$TD/flask")
# the app as if it were installed under /srv/app
"$FLASK_PY" "$GEN/relocate.py" "$GEN/=/srv/app/" -- flask/*.prof

echo "== marshal/: one cProfile dict and one profile dict at marshal versions 0-5"
"$PY3" "$GEN/remarshal.py" cprofile/py311/prog_recursion.prof marshal "" 0,1,2,3,4,5
"$PY3" "$GEN/remarshal.py" profile/py311/prog_recursion.runctx.prof marshal profile_ 0,1,2,3,4

echo "== py27/: Python 2.7 originals + Python 3 re-saves"
mkdir -p py27
for f in cprofile/py27/*.prof; do cp "$f" "py27/cprofile_$(basename "$f")"; done
for f in profile/py27/*.runctx.prof; do
    b=$(basename "$f" .runctx.prof)
    [ "$b" = prog_stdlib ] && continue   # keep py27/ small
    cp "$f" "py27/profile_$b.prof"
done
for f in py27/*.prof; do
    b=${f%.prof}
    # keeps the file's entry order (Python 2's marshal.load would not)
    "$PY3" "$GEN/py27_resave.py" from-py2 "$f" "$b.py3.prof"
done
"$PY2" "$GEN/py27_resave.py" raw-v0 py27/cprofile_prog_recursion.prof py27/cprofile_prog_recursion.v0bytes.prof

echo "== edge/"
"$PY3" "$GEN/edge.py" edge
"$PY3" "$GEN/html_names.py" edge

echo "== bad/"
"$PY3" "$GEN/bad.py" bad flask

echo "== slowprog/: gen/slow_prog.py with render() 1x and 10x, for the --diff test"
mkdir -p slowprog
for f in 1 10; do
    (cd "$GEN" && "$FLASK_PY" -m cProfile -o "$TD/slowprog/f$f.prof" slow_prog.py "$f" >/dev/null)
done

echo "== INVENTORY.txt (marshal codes per file, from gen/mdump.py)"
{
    echo "# Generated by gen/regen.sh with gen/mdump.py --summary: size, top-level type,"
    echo "# type-code histogram, objects carrying FLAG_REF per code. Do not edit."
    find cprofile profile marshal py27 flask edge -name '*.prof' | LC_ALL=C sort |
        xargs "$PY3" "$GEN/mdump.py" --summary
} > INVENTORY.txt

echo "== check"
"$PY3" "$GEN/check.py" --py2 "$PY2" | tail -n 1
"$PY3" "$GEN/check.py" --py2 "$PY2" >/dev/null
find "$TD" -type f -printf '%s\n' | awk '{s += $1} END {print "testdata total:", s, "bytes in", NR, "files"}'
