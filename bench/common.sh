# Shared by the bench scripts (sourced, from the project's top folder): the
# binary, where corpora live, the timer and the corpora themselves.
PV=${PV:-./profview}
DIR=${BENCH_DIR:-/tmp/profview-bench}
PY=${PYTHON:-python3}
mkdir -p "$DIR"

secs() { # best wall time of N runs of a command, in seconds (bash's microsecond clock)
	local k=$1 best= s e
	shift
	for _ in $(seq "$k"); do
		s=$EPOCHREALTIME
		"$@" >/dev/null 2>&1 || true
		e=$EPOCHREALTIME
		best=$(awk -v a="$s" -v b="$e" -v c="$best" \
			'BEGIN { t = b - a; if (c == "" || t < c + 0) printf "%.3f", t; else print c }')
	done
	echo "$best"
}
min() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b + 0 < a + 0) ? b : a }'; }

corpus() { # the directory of $1 werkzeug dumps (the sample Flask app), made if missing
	local d=$DIR/werkzeug-$1
	if [ ! -d "$d" ] || [ "$(find "$d" -name '*.prof' | wc -l)" -ne "$1" ]; then
		rm -rf "$d"
		/usr/bin/python3 bench/gen_corpus.py "$d" "$1" >/dev/null
	fi
	echo "$d"
}

big_profile() { # the 25,000-function profile (python3 -m cProfile of a generated program)
	local f=$DIR/big-25000.prof
	[ -f "$f" ] || $PY bench/gen_big.py "$f" 25000 >/dev/null
	echo "$f"
}
