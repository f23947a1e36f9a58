#!/usr/bin/env bash
# Benchmark: profview against `cat` of the same files and against CPython's
# pstats, in one run, reported as ratios.  Corpora are written under
# $BENCH_DIR (default /tmp/profview-bench), never committed.
#
#   bench/run.sh [--100k] [--million] [N ...]   default N: 1000 5000 20000
#
# Tables: directories of N werkzeug dumps (cat, profview, pstats); the same
# 20,000 dumps as tar, tar.gz, tar.zst and zip against the directory plus
# `bsdtar -xOf ARCHIVE >/dev/null` (the time to decompress), with peak RSS
# and whether the report is the directory's; 1 and 2 parsing threads
# (PROFVIEW_THREADS); one large profile.  --100k adds 100,000 dumps to the
# archive and thread tables (2.2 GB of corpus, some minutes to generate);
# --million times 10^4 and 10^6 small dumps in directories of 1,000 (about
# 5 GB of disk): per-file cost and bytes of memory per path.
#
# Needs Debian's python3-flask (the corpus is the sample Flask app behind
# werkzeug's ProfilerMiddleware), GNU time (peak RSS), bsdtar, zstd and zip.
# Times are wall clock, the best of 3 runs with the page cache warm (cat and
# profview alternating; pstats on the corpus: one run, it is slow); on the
# large profile the best of 5 (profview) and 3 (Python) runs.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
arch_sizes=(20000)
million=0
while [ $# -gt 0 ]; do
	case $1 in
	--100k) arch_sizes+=(100000); shift;;
	--million) million=1; shift;;
	*) break;;
	esac
done
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 5000 20000)
mkdir -p "$DIR"

rss() { # peak RSS in MB
	/usr/bin/time -o "$DIR/.time" -f %M "$@" >/dev/null 2>&1 || true
	tail -1 "$DIR/.time" | awk '{ printf "%.1f", $1 / 1024 }'
}
# cat of a corpus: the shell's glob, or find | xargs past what one command
# line holds (100,000 names)
catall() {
	if [ "$2" -le 50000 ]; then
		sh -c "cat '$1'/*.prof"
	else
		find "$1" -name '*.prof' -print0 | xargs -0 cat
	fi
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf (b > 0 ? "%.1f" : "-"), a / b }'; }

printf '%-7s %7s %8s %9s %9s %9s %10s %9s %8s %8s %9s\n' files MB "cat s" "profview" "pstats" \
	"pv/cat" "pstats/pv" "files/s" "MB/s" "RSS MB" "us/file"
for n in "${sizes[@]}"; do
	d=$(corpus "$n")
	mb=$(du -sm "$d" | cut -f1)
	catall "$d" "$n" >/dev/null
	# cat and profview alternate, so that both meet the page cache in the
	# same state (this VM's memory manager evicts cold file pages)
	tc= tp=
	for _ in 1 2 3; do
		tc=$(min "$tc" "$(secs 1 catall "$d" "$n")")
		tp=$(min "$tp" "$(secs 1 "$PV" "$d")")
	done
	ty=$(secs 1 sh -c "$PY bench/pstats_report.py stats '$d'/*.prof")
	m=$(rss "$PV" "$d")
	printf '%-7s %7s %8s %9s %9s %9s %10s %9s %8s %8s %9s\n' "$n" "$mb" "$tc" "$tp" "$ty" \
		"$(awk -v a="$tp" -v b="$tc" 'BEGIN { printf "%.2f", a / b }')" "$(ratio "$ty" "$tp")" \
		"$(awk -v n="$n" -v t="$tp" 'BEGIN { printf "%.0f", n / t }')" \
		"$(awk -v m="$mb" -v t="$tp" 'BEGIN { printf "%.0f", m / t }')" "$m" \
		"$(awk -v n="$n" -v t="$tp" 'BEGIN { printf "%.3f", t / n * 1e6 }')"
done

# ---- archives: one pass, against the directory plus decompression alone
echo
echo "archives of N werkzeug dumps (tar --sort=name; gzip, zstd, zip at their default levels):"
echo "ratio = profview ARCHIVE / (profview DIR + bsdtar -xOf ARCHIVE); goal <= 1.2"
printf '%-7s %-8s %7s %7s %8s %10s %7s %8s %5s\n' files format MB "dir s" "bsdtar s" "archive s" ratio \
	"RSS MB" same
for n in "${arch_sizes[@]}"; do
	d=$(corpus "$n")
	base=$(basename "$d")
	for fmt in tar tar.gz tar.zst zip; do
		a=$DIR/$base.$fmt
		if [ ! -s "$a" ]; then
			case $fmt in
			tar) tar --sort=name -C "$DIR" -cf "$a.tmp" "$base";;
			tar.gz) tar --sort=name -C "$DIR" -czf "$a.tmp" "$base";;
			tar.zst) tar --sort=name -C "$DIR" --zstd -cf "$a.tmp" "$base";;
			zip) (cd "$DIR" && find "$base" -name '*.prof' | LC_ALL=C sort | zip -q -X -@ "$a.tmp.zip" &&
				mv "$a.tmp.zip" "$a.tmp");;
			esac
			mv "$a.tmp" "$a"
		fi
		cat "$a" >/dev/null
		"$PV" "$d" | tail -n +2 >"$DIR/.dir.txt"
		same=yes
		"$PV" "$a" | tail -n +2 | cmp -s - "$DIR/.dir.txt" || same=NO
		td= tb= ta=
		for _ in 1 2 3; do
			td=$(min "$td" "$(secs 1 "$PV" "$d")")
			tb=$(min "$tb" "$(secs 1 bsdtar -xOf "$a")")
			ta=$(min "$ta" "$(secs 1 "$PV" "$a")")
		done
		printf '%-7s %-8s %7s %7s %8s %10s %7s %8s %5s\n' "$n" "$fmt" "$(du -m "$a" | cut -f1)" "$td" \
			"$tb" "$ta" "$(awk -v a="$ta" -v b="$td" -v c="$tb" 'BEGIN { printf "%.2f", a / (b + c) }')" \
			"$(rss "$PV" "$a")" "$same"
	done
done

# ---- parsing threads: 1 and 2 (PROFVIEW_THREADS), same run, same files
echo
echo "parsing threads (PROFVIEW_THREADS): the directory and its tar.gz"
printf '%-7s %-8s %8s %9s %9s %8s %8s\n' files input "cat s" "1 thread" "2 threads" speedup "2t/cat"
for n in "${arch_sizes[@]}"; do
	d=$(corpus "$n")
	for input in dir tar.gz; do
		x=$d
		[ "$input" = dir ] || x=$DIR/$(basename "$d").$input
		[ -e "$x" ] || continue
		tc= t1= t2=
		for _ in 1 2 3; do
			tc=$(min "$tc" "$(secs 1 catall "$d" "$n")")
			t1=$(min "$t1" "$(secs 1 env PROFVIEW_THREADS=1 "$PV" "$x")")
			t2=$(min "$t2" "$(secs 1 env PROFVIEW_THREADS=2 "$PV" "$x")")
		done
		printf '%-7s %-8s %8s %9s %9s %8s %8s\n' "$n" "$input" "$tc" "$t1" "$t2" \
			"$(ratio "$t1" "$t2")x" "$(awk -v a="$t2" -v b="$tc" 'BEGIN { printf "%.2f", a / b }')"
	done
done

# ---- a million dumps: per-file cost and memory per path
if [ "$million" = 1 ]; then
	echo
	echo "small dumps (2-4 KB) in directories of 1,000: per-file cost and memory"
	printf '%-8s %7s %10s %9s %8s %9s\n' files MB "profview s" "us/file" "RSS MB" "vs 10^4"
	u4= r4=
	for n in 10000 1000000; do
		t=$DIR/tree-$n
		if [ ! -d "$t" ] || [ "$(find "$t" -name '*.prof' | wc -l)" -ne "$n" ]; then
			rm -rf "$t"
			/usr/bin/python3 bench/gen_tree.py "$t" "$n"
		fi
		"$PV" "$t" >/dev/null 2>&1 # warm the page cache
		tp=$(secs 2 "$PV" "$t")
		m=$(rss "$PV" "$t")
		us=$(awk -v n="$n" -v t="$tp" 'BEGIN { printf "%.2f", t / n * 1e6 }')
		[ -n "$u4" ] || { u4=$us; r4=$m; }
		printf '%-8s %7s %10s %9s %8s %9s\n' "$n" "$(du -sm "$t" | cut -f1)" "$tp" "$us" "$m" \
			"$(awk -v a="$us" -v b="$u4" 'BEGIN { printf "%.2fx", a / b }')"
	done
	echo "memory per path: $(awk -v a="$m" -v b="$r4" 'BEGIN { printf "%.0f", (a - b) * 1048576 / 990000 }') bytes (RSS growth from 10^4 to 10^6 / 990,000)"
fi

big=$(big_profile)
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
