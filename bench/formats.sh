#!/usr/bin/env bash
# Benchmark rows for the call-tree formats (svg, speedscope, folded): each
# against the text report of the same input, on the 25,000-function profile
# and on 20,000 werkzeug dumps (the corpora of bench/run.sh, under
# $BENCH_DIR, generated when missing), plus the SVG's size with the default
# pruning.  Goal (issue 13): every format at most 1.5x the text report, the
# large profile's SVG at most 3 MB.  pprof (issue 22): at most 1.5x on the
# dumps; on the large profile its row is printed, not held to the goal (it
# writes every frame of the unpruned tree, in nanoseconds, gzipped).
#
#   bench/formats.sh [N]        default 20000 dumps
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
n=${1:-20000}
mkdir -p "$DIR"


big=$(big_profile)
d=$(corpus "$n")

fail=0
printf '%-24s %-11s %8s %8s %7s %10s\n' input format "text s" "fmt s" ratio bytes
for input in "$big" "$d"; do
	case $input in
	"$big") what="25,000 functions" ;;
	*) what="$n dumps" ;;
	esac
	cat "$input" >/dev/null 2>&1 || cat "$input"/*.prof >/dev/null
	for f in svg speedscope folded pprof; do
		# text and the format alternate, so both meet the page cache alike
		tt= tf=
		for _ in 1 2 3; do
			a=$(secs 1 "$PV" "$input" -o "$DIR/out.txt")
			b=$(secs 1 "$PV" "$input" -f "$f" -o "$DIR/out.$f")
			tt=$(awk -v x="$tt" -v y="$a" 'BEGIN { print (x == "" || y + 0 < x + 0) ? y : x }')
			tf=$(awk -v x="$tf" -v y="$b" 'BEGIN { print (x == "" || y + 0 < x + 0) ? y : x }')
		done
		bytes=$(stat -c %s "$DIR/out.$f")
		r=$(awk -v a="$tf" -v b="$tt" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
		printf '%-24s %-11s %8s %8s %6sx %10s\n' "$what" "$f" "$tt" "$tf" "$r" "$bytes"
		# 10 ms of slack: runs this short are mostly process start
		if ! { [ "$f" = pprof ] && [ "$input" = "$big" ]; } &&
			awk -v a="$tf" -v b="$tt" 'BEGIN { exit !(a > 1.5 * b + 0.010) }'; then
			echo "  over 1.5x the text report" >&2
			fail=1
		fi
		if [ "$f" = svg ] && [ "$input" = "$big" ] && [ "$bytes" -gt 3145728 ]; then
			echo "  the large profile's SVG is over 3 MB" >&2
			fail=1
		fi
	done
done
exit $fail
