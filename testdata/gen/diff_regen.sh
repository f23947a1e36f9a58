#!/bin/sh
# Regenerate testdata/diff/ (the --diff ground truth, tests/diff/):
#
#   sh testdata/gen/diff_regen.sh        (as a user who may write /srv/app)
#
# Runs testdata/gen/diff_app.py with Debian's /usr/bin/python3 (python3-flask,
# python3-werkzeug 2.2) from /srv/app, so the app's frames read
# /srv/app/diff_app.py and no path of this machine remains, and packs each set
# of dumps into testdata/diff/SET.tar.xz (profview reads archives as they are).
set -eu
GEN=$(cd "$(dirname "$0")" && pwd)
TD=$(dirname "$GEN")
FLASK_PY=${FLASK_PY:-/usr/bin/python3}
export LC_ALL=C.UTF-8 PYTHONHASHSEED=0 PYTHONDONTWRITEBYTECODE=1
mkdir -p /srv/app
cp "$GEN/diff_app.py" /srv/app/diff_app.py
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
(cd /srv/app && "$FLASK_PY" diff_app.py "$TMP/out")
mkdir -p "$TD/diff"
for set in base slow mix run; do
    (cd "$TMP/out/$set" && ls | LC_ALL=C sort | tar --owner=0 --group=0 --numeric-owner \
        --mtime=@0 -cf - -T - | xz -9e > "$TD/diff/$set.tar.xz")
done
ls -l "$TD/diff"
