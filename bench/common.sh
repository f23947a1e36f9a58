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

wall() { # wall seconds of one run of a command, output thrown away
	local s e
	s=$EPOCHREALTIME
	"$@" >/dev/null 2>&1 || true
	e=$EPOCHREALTIME
	awk -v a="$s" -v b="$e" 'BEGIN { printf "%.3f", b - a }'
}
cpu() { # user + system seconds of one run of a command (GNU time), output thrown away
	/usr/bin/time -f "%U %S" -o "$DIR/.cpu" "$@" >/dev/null 2>&1 || true
	awk '{ printf "%.3f", $1 + $2 }' "$DIR/.cpu"
}
stat3() { # "median min max" of numbers
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.3f %.3f %.3f", m, v[1], v[NR] }'
}
# pairs N 'A' 'B': the shell commands A and B alternately, N times each (A B
# A B ..., so both meet the page cache and the machine's load alike), and
# prints "A_median B_median ratio_median ratio_min ratio_max", the ratio
# A/B taken pair by pair: on a shared machine the typical pair, not the
# best run, is the figure.
pairs() {
	local n=$1 a=$2 b=$3 ta tb xa=() xb=() r=()
	for _ in $(seq "$n"); do
		ta=$(wall sh -c "$a")
		tb=$(wall sh -c "$b")
		xa+=("$ta")
		xb+=("$tb")
		r+=("$(awk -v a="$ta" -v b="$tb" 'BEGIN { printf "%.4f", (b > 0 ? a / b : 0) }')")
	done
	local sa sb sr
	sa=$(stat3 "${xa[@]}")
	sb=$(stat3 "${xb[@]}")
	sr=$(stat3 "${r[@]}")
	echo "${sa%% *} ${sb%% *} $sr"
}

corpus() { # the directory of $1 werkzeug dumps (the sample Flask app), made if missing
	local d=$DIR/werkzeug-$1
	if [ ! -d "$d" ] || [ "$(find "$d" -name '*.prof' | wc -l)" -ne "$1" ]; then
		rm -rf "$d"
		/usr/bin/python3 bench/gen_corpus.py "$d" "$1" >/dev/null
	fi
	echo "$d"
}

corpus_b() { # a second directory of $1 dumps of the same app (other timings): the base of --diff
	local d=$DIR/werkzeug-$1b
	if [ ! -d "$d" ] || [ "$(find "$d" -name '*.prof' | wc -l)" -ne "$1" ]; then
		rm -rf "$d"
		/usr/bin/python3 bench/gen_corpus.py "$d" "$1" >/dev/null
	fi
	echo "$d"
}

big_profile() { # the profile of ${1:-25000} functions (cProfile of a generated program)
	local n=${1:-25000}
	local f=$DIR/big-$n.prof
	[ -f "$f" ] || { $PY bench/gen_big.py "$f.tmp" "$n" >/dev/null && mv "$f.tmp" "$f"; }
	echo "$f"
}
