#!/usr/bin/env bash
# Benchmark: profview against `cat` of the same files and against CPython's
# pstats, in one run, reported as ratios.  Corpora are written under
# $BENCH_DIR (default /tmp/profview-bench), never committed.
#
#   bench/run.sh [N ...]        default: 1000 5000 20000 werkzeug dumps
#
# Needs Debian's python3-flask (the corpus is the sample Flask app behind
# werkzeug's ProfilerMiddleware) and GNU time (peak RSS).  Times are wall
# clock, the best of 3 runs with the page cache warm (cat and profview
# alternating; pstats on the corpus: one run, it is slow); on the large
# profile the best of 5 (profview) and 3 (Python) runs.
set -euo pipefail
cd "$(dirname "$0")/.."
PV=${PV:-./profview}
DIR=${BENCH_DIR:-/tmp/profview-bench}
PY=${PYTHON:-python3}
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 5000 20000)
mkdir -p "$DIR"

secs() { # best wall time of N runs of a command, in seconds (bash's microsecond clock)
	local n=$1 best= s e
	shift
	for _ in $(seq "$n"); do
		s=$EPOCHREALTIME
		"$@" >/dev/null 2>&1 || true
		e=$EPOCHREALTIME
		best=$(awk -v a="$s" -v b="$e" -v c="$best" \
			'BEGIN { t = b - a; if (c == "" || t < c + 0) printf "%.3f", t; else print c }')
	done
	echo "$best"
}
min() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b + 0 < a + 0) ? b : a }'; }
rss() { # peak RSS in MB
	/usr/bin/time -o "$DIR/.time" -f %M "$@" >/dev/null 2>&1 || true
	tail -1 "$DIR/.time" | awk '{ printf "%.1f", $1 / 1024 }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf (b > 0 ? "%.1f" : "-"), a / b }'; }

printf '%-7s %7s %8s %9s %9s %9s %10s %9s %8s %8s %9s\n' files MB "cat s" "profview" "pstats" \
	"pv/cat" "pstats/pv" "files/s" "MB/s" "RSS MB" "us/file"
for n in "${sizes[@]}"; do
	d=$DIR/werkzeug-$n
	if [ ! -d "$d" ] || [ "$(find "$d" -name '*.prof' | wc -l)" -ne "$n" ]; then
		rm -rf "$d"
		/usr/bin/python3 bench/gen_corpus.py "$d" "$n" >/dev/null
	fi
	mb=$(du -sm "$d" | cut -f1)
	cat "$d"/*.prof >/dev/null
	# cat and profview alternate, so that both meet the page cache in the
	# same state (this VM's memory manager evicts cold file pages)
	tc= tp=
	for _ in 1 2 3; do
		tc=$(min "$tc" "$(secs 1 sh -c "cat '$d'/*.prof")")
		tp=$(min "$tp" "$(secs 1 "$PV" "$d")")
	done
	ty=$(secs 1 sh -c "$PY bench/pstats_report.py stats '$d'/*.prof")
	m=$(rss "$PV" "$d")
	printf '%-7s %7s %8s %9s %9s %9s %10s %9s %8s %8s %9s\n' "$n" "$mb" "$tc" "$tp" "$ty" \
		"$(ratio "$tp" "$tc")" "$(ratio "$ty" "$tp")" \
		"$(awk -v n="$n" -v t="$tp" 'BEGIN { printf "%.0f", n / t }')" \
		"$(awk -v m="$mb" -v t="$tp" 'BEGIN { printf "%.0f", m / t }')" "$m" \
		"$(awk -v n="$n" -v t="$tp" 'BEGIN { printf "%.3f", t / n * 1e6 }')"
done

big=$DIR/big-25000.prof
[ -f "$big" ] || $PY bench/gen_big.py "$big" 25000
echo
echo "one large profile: $(du -h "$big" | cut -f1), 25,000 functions"
printf '%-22s %9s %9s %9s\n' task profview python ratio
# callgrind: profview writes the file as the Python script does (open, write,
# close); "callgrind -o" is the same export through -o, which also fsyncs
# the temporary file and renames it over the old one (a durable replace the
# Python script does not do), against the same Python time.
for task in stdname callers callgrind "callgrind -o"; do
	case $task in
	stdname) a=(sh -c "'$PV' '$big' -s stdname"); b=(sh -c "$PY bench/pstats_report.py stdname '$big'");;
	callers) a=(sh -c "'$PV' '$big' -s stdname --callers"); b=(sh -c "$PY bench/pstats_report.py callers '$big'");;
	callgrind) a=(sh -c "'$PV' '$big' -f callgrind > '$DIR/cg.pv'"); b=(sh -c "$PY bench/py_callgrind.py '$big' '$DIR/cg.py'");;
	"callgrind -o") a=(sh -c "'$PV' '$big' -f callgrind -o '$DIR/cg.pv'");;
	esac
	ta=$(secs 5 "${a[@]}")
	[ "$task" = "callgrind -o" ] || tb=$(secs 3 "${b[@]}")
	printf '%-22s %9s %9s %9s\n' "$task" "$ta" "$tb" "$(ratio "$tb" "$ta")x"
done
