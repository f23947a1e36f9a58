#!/usr/bin/env bash
# Benchmark of the HTML report (-f html) against the text report of the same
# input, on the corpora of bench/run.sh: 20,000 werkzeug dumps and the
# 25,000-function profile.  Per input: the best wall time of 5 runs of each,
# their ratio (the issue's bound: at most 2x), the page's size (bound: under
# 10 MB) and the time Debian's headless Chromium takes from navigation start
# to the page's tables and flame graph (bound: 2 s; tests/html/open_time.py).
#
#   bench/html.sh [N]        N werkzeug dumps, default 20000
#
# Corpora are written under $BENCH_DIR (default /tmp/profview-bench), never
# committed, made as bench/run.sh makes them.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
n=${1:-20000}
mkdir -p "$DIR"


d=$(corpus "$n")
big=$(big_profile)

printf '%-26s %8s %8s %7s %8s %9s %s\n' input "text s" "html s" ratio "html MB" "open ms" "rows/frames drawn"
for in in "$d" "$big"; do
	out=$DIR/report.html
	tt= th=
	for _ in 1 2 3 4 5; do # alternate, so both meet the page cache alike
		t=$(secs 1 "$PV" "$in" -o "$DIR/report.txt")
		tt=$(awk -v a="$tt" -v b="$t" 'BEGIN { print (a == "" || b + 0 < a + 0) ? b : a }')
		t=$(secs 1 "$PV" "$in" -f html -o "$out")
		th=$(awk -v a="$th" -v b="$t" 'BEGIN { print (a == "" || b + 0 < a + 0) ? b : a }')
	done
	mb=$(awk -v s="$(stat -c %s "$out")" 'BEGIN { printf "%.2f", s / 1e6 }')
	read -r ms rows frames < <(/usr/bin/python3 tests/html/open_time.py "$out" 3 || true)
	printf '%-26s %8s %8s %7s %8s %9s %s\n' "$(basename "$in")" "$tt" "$th" \
		"$(awk -v a="$th" -v b="$tt" 'BEGIN { printf "%.2fx", a / b }')" "$mb" "$ms" "$rows/$frames"
done
