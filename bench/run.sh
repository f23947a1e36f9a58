#!/usr/bin/env bash
# Benchmark: profview against `cat` of the same files and against CPython's
# pstats, in one run, reported as ratios.  Corpora are written under
# $BENCH_DIR (default /tmp/profview-bench), never committed.
#
#   bench/run.sh [--quick] [--pairs N] [--base BINARY] [--100k] [--million] [N ...]
#                                                default N: 1000 5000 20000
#
# Every time is the median of N alternating pairs (profview, cat, profview,
# cat, ...; default 9 pairs), printed with the pair-by-pair ratio's median,
# min and max: on a machine shared with other work the typical pair is the
# figure, the spread says how noisy the run was.  The page cache is warm.
#
# Tables: directories of N werkzeug dumps (cat, profview; pstats once per
# size, it is slow); 1 and 2 parsing threads (PROFVIEW_THREADS) on 20,000
# dumps; --diff of two sets of 20,000 dumps (two runs of the app) against
# the text report of one; the JSON and CSV exports of a 200,000-function
# profile against its text report; one 1,200,000-function profile's peak
# RSS and peak address space (VmPeak, through bench/vmpeak.c preloaded)
# against its size, and a run under `ulimit -v` of 1 GiB; the same 20,000
# dumps as tar, tar.gz, tar.zst and zip against the directory plus
# `bsdtar -xOf ARCHIVE`; the 25,000-function profile against Python.
# Last, the goals of issues 24 and 20 with the figures of this run.
# --100k adds 100,000 dumps to the archive and thread tables (2.2 GB of
# corpus); --million times 10^4 and 10^6 small dumps in directories of
# 1,000 (about 5 GB of disk).
#
# --base BINARY: an earlier build, whose one-thread CPU on the 20,000 dumps
# alternates with this one's (pairs, medians, the ratio's min and max):
# what a change saved a dump, whatever the load (issue 24 asks a third
# less than the build it was filed against).
#
# --quick, for the edit loop: 5,000 dumps, 3 pairs, the thread and diff
# rows on them, the exports on a 50,000-function profile; no pstats,
# archives, large profiles or goals.
#
# Needs Debian's python3-flask (the corpus is the sample Flask app behind
# werkzeug's ProfilerMiddleware), GNU time (peak RSS), a C compiler
# (vmpeak.c), bsdtar, zstd and zip.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
arch_sizes=(20000)
million=0 quick=0 npairs=9 base_pv=
while [ $# -gt 0 ]; do
	case $1 in
	--100k) arch_sizes+=(100000); shift;;
	--million) million=1; shift;;
	--quick) quick=1; shift;;
	--pairs) npairs=$2; shift 2;;
	--base) base_pv=$(readlink -f "$2"); shift 2;;
	*) break;;
	esac
done
sizes=("$@")
if [ "$quick" = 1 ]; then
	[ ${#sizes[@]} -gt 0 ] || sizes=(5000)
	[ "$npairs" != 9 ] || npairs=3
	thread_n=${sizes[-1]} export_funcs=50000
else
	[ ${#sizes[@]} -gt 0 ] || sizes=(1000 5000 20000)
	thread_n=20000 export_funcs=200000
fi
mkdir -p "$DIR"
echo "machine: $(nproc) cores; load average at the start: $(cut -d' ' -f1-3 /proc/loadavg);" \
	"$npairs alternating pairs a figure"

rss() { # peak RSS in MB
	/usr/bin/time -o "$DIR/.time" -f %M "$@" >/dev/null 2>&1 || true
	tail -1 "$DIR/.time" | awk '{ printf "%.1f", $1 / 1024 }'
}
# cat of a corpus: the shell's glob, or find | xargs past what one command
# line holds (100,000 names)
catcmd() {
	if [ "$2" -le 50000 ]; then
		echo "cat '$1'/*.prof"
	else
		echo "find '$1' -name '*.prof' -print0 | xargs -0 cat"
	fi
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf (b > 0 ? "%.1f" : "-"), a / b }'; }
# "median (min-max)" of a ratio, from pairs' last three fields
spread() { echo "$1" | awk '{ printf "%.2f (%.2f-%.2f)", $3, $4, $5 }'; }

declare -A goal_now
printf '%-7s %7s %8s %9s %9s %-19s %10s %9s %8s %8s\n' files MB "cat s" "profview" "pstats" \
	"pv/cat (min-max)" "pstats/pv" "files/s" "MB/s" "RSS MB"
for n in "${sizes[@]}"; do
	d=$(corpus "$n")
	mb=$(du -sm "$d" | cut -f1)
	c=$(catcmd "$d" "$n")
	sh -c "$c" >/dev/null
	p=$(pairs "$npairs" "'$PV' '$d'" "$c")
	read -r tp tc _ <<<"$p"
	ty=-
	[ "$quick" = 1 ] || ty=$(secs 1 sh -c "$PY bench/pstats_report.py stats '$d'/*.prof")
	printf '%-7s %7s %8s %9s %9s %-19s %10s %9s %8s %8s\n' "$n" "$mb" "$tc" "$tp" "$ty" \
		"$(spread "$p")" "$(ratio "$ty" "$tp")" \
		"$(awk -v n="$n" -v t="$tp" 'BEGIN { printf "%.0f", n / t }')" \
		"$(awk -v m="$mb" -v t="$tp" 'BEGIN { printf "%.0f", m / t }')" "$(rss "$PV" "$d")"
done

# ---- parsing threads: each against cat of the same files, pair by pair
echo
echo "parsing threads (PROFVIEW_THREADS), each paired with cat of the same directory"
printf '%-7s %-8s %8s %9s %-19s %9s %-19s\n' files input "cat s" "1 thread" "1t/cat (min-max)" \
	"2 threads" "2t/cat (min-max)"
tn=("$thread_n")
[ "$quick" = 1 ] || tn=("${arch_sizes[@]}")
for n in "${tn[@]}"; do
	d=$(corpus "$n")
	c=$(catcmd "$d" "$n")
	p1=$(pairs "$npairs" "PROFVIEW_THREADS=1 '$PV' '$d'" "$c")
	p2=$(pairs "$npairs" "PROFVIEW_THREADS=2 '$PV' '$d'" "$c")
	printf '%-7s %-8s %8s %9s %-19s %9s %-19s\n' "$n" dir "$(echo "$p2" | cut -d' ' -f2)" \
		"${p1%% *}" "$(spread "$p1")" "${p2%% *}" "$(spread "$p2")"
	if [ "$n" = 20000 ]; then
		goal_now[t2]=$(spread "$p2")
		goal_now[t1]=$(spread "$p1")
	fi
done
# CPU, not wall time: what a dump costs whatever the machine's load (a
# loaded VM makes cat's per-file munmap slow, which flatters the ratios)
d=$(corpus "$thread_n")
c1=() c2=() cc=()
for _ in $(seq "$npairs"); do
	c1+=("$(cpu env PROFVIEW_THREADS=1 "$PV" "$d")")
	c2+=("$(cpu env PROFVIEW_THREADS=2 "$PV" "$d")")
	cc+=("$(cpu sh -c "$(catcmd "$d" "$thread_n")")")
done
read -r m1 _ <<<"$(stat3 "${c1[@]}")"
read -r m2 _ <<<"$(stat3 "${c2[@]}")"
read -r mc _ <<<"$(stat3 "${cc[@]}")"
echo "CPU s (user + system, median of $npairs) for $thread_n dumps: 1 thread $m1" \
	"($(awk -v t="$m1" -v n="$thread_n" 'BEGIN { printf "%.1f", t * 1e6 / n }') us a dump)," \
	"2 threads $m2, cat $mc"
goal_now[cpu]="$m1 s ($(awk -v t="$m1" -v n="$thread_n" 'BEGIN { printf "%.1f", t * 1e6 / n }') us a dump)"
if [ -n "$base_pv" ]; then
	cb=() cn=() cr=()
	for _ in $(seq "$npairs"); do
		b=$(cpu env PROFVIEW_THREADS=1 "$base_pv" "$d")
		n=$(cpu env PROFVIEW_THREADS=1 "$PV" "$d")
		cb+=("$b") cn+=("$n") cr+=("$(awk -v a="$n" -v b="$b" 'BEGIN { printf "%.3f", a / b }')")
	done
	read -r mb _ <<<"$(stat3 "${cb[@]}")"
	read -r mn _ <<<"$(stat3 "${cn[@]}")"
	read -r mr rmin rmax <<<"$(stat3 "${cr[@]}")"
	echo "CPU s, 1 thread, paired with $base_pv: base $mb, this $mn, ratio $mr ($rmin-$rmax)"
	goal_now[cpu]+="; paired with the base build: $mn s against $mb s, ratio $mr ($rmin-$rmax)"
fi

# ---- --diff of two sets against the text report of one (issue 20)
dn=$thread_n
dc=$(corpus "$dn")
db=$(corpus_b "$dn")
echo
echo "--diff of two $dn-dump sets (CUR --diff BASE: two runs of the app), each paired with the" \
	"text report of CUR; goal <= 2.5 at 20,000"
printf '%-7s %8s %8s %-19s\n' files "text s" "diff s" "diff/text (min-max)"
"$PV" "$db" >/dev/null 2>&1 # the page cache
p=$(pairs "$npairs" "'$PV' '$dc' --diff '$db'" "'$PV' '$dc'")
read -r tf tt _ <<<"$p"
printf '%-7s %8s %8s %-19s\n' "$dn" "$tt" "$tf" "$(spread "$p")"
goal_now[diff]=$(spread "$p")

# ---- exports against the text report of the same profile
ef=$(big_profile "$export_funcs")
echo
echo "exports of one profile of $export_funcs functions ($(du -hL "$ef" | cut -f1)), each paired" \
	"with the text report"
printf '%-8s %8s %8s %-19s %10s\n' format "text s" "fmt s" "fmt/text (min-max)" bytes
for f in json csv; do
	p=$(pairs "$npairs" "'$PV' '$ef' -f $f -o '$DIR/out.$f'" "'$PV' '$ef' -o '$DIR/out.txt'")
	read -r tf tt _ <<<"$p"
	printf '%-8s %8s %8s %-19s %10s\n' "$f" "$tt" "$tf" "$(spread "$p")" "$(stat -c %s "$DIR/out.$f")"
	goal_now[$f]=$(spread "$p")
done
[ "$quick" = 0 ] || exit 0

# ---- one very large profile: memory against its size
huge=$(big_profile 1200000)
hb=$(stat -L -c %s "$huge")
cc -shared -fPIC -O2 -o "$DIR/vmpeak.so" bench/vmpeak.c
echo
echo "one profile of 1,200,000 functions ($(awk -v b="$hb" 'BEGIN { printf "%.0f", b / 1048576 }') MB): peak memory" \
	"of the text report, median of $npairs runs"
printf '%-10s %9s %9s %9s %10s %11s %9s\n' program "time s" "RSS MB" "VmPeak MB" "RSS/size" \
	"VmPeak/RSS" "1 GiB -v"
for prog in profview pstats; do
	ts=() rs=() vs=()
	runs=$npairs
	[ "$prog" = profview ] || runs=1
	for _ in $(seq "$runs"); do
		rm -f "$DIR/.peak"
		if [ "$prog" = profview ]; then
			ts+=("$(wall env PV_VMPEAK_OUT="$DIR/.peak" LD_PRELOAD="$DIR/vmpeak.so" "$PV" "$huge")")
		else
			ts+=("$(wall env PV_VMPEAK_OUT="$DIR/.peak" LD_PRELOAD="$DIR/vmpeak.so" $PY \
				bench/pstats_report.py stats "$huge")")
		fi
		# the largest process (python3 may be a wrapper that runs python)
		read -r vp hwm < <(sort -n "$DIR/.peak" | tail -1)
		rs+=("$hwm")
		vs+=("$vp")
	done
	t=$(stat3 "${ts[@]}")
	r=$(stat3 "${rs[@]}")
	v=$(stat3 "${vs[@]}")
	ok=-
	if [ "$prog" = profview ]; then
		ok=no
		(ulimit -v 1048576 && "$PV" "$huge" >/dev/null 2>&1) && ok=yes
	fi
	rr=$(awk -v r="${r%% *}" -v b="$hb" 'BEGIN { printf "%.2f", r * 1024 / b }')
	vr=$(awk -v r="${r%% *}" -v v="${v%% *}" 'BEGIN { printf "%.2f", v / r }')
	printf '%-10s %9s %9.0f %9.0f %10s %11s %9s\n' "$prog" "${t%% *}" \
		"$(awk -v r="${r%% *}" 'BEGIN { print r / 1024 }')" \
		"$(awk -v r="${v%% *}" 'BEGIN { print r / 1024 }')" "${rr}x" "${vr}x" "$ok"
	if [ "$prog" = profview ]; then
		goal_now[rss]="${rr}x ($(awk -v r="${r%% *}" 'BEGIN { printf "%.0f", r / 1024 }') MB)"
		goal_now[vm]="${vr}x ($(awk -v r="${v%% *}" 'BEGIN { printf "%.0f", r / 1024 }') MB); ulimit -v 1 GiB: $ok"
	fi
done

# ---- archives: one pass, against the directory plus decompression alone
echo
echo "archives of N werkzeug dumps (tar --sort=name; gzip, zstd, zip at their default levels):"
echo "ratio = profview ARCHIVE / (profview DIR + bsdtar -xOf ARCHIVE), medians; goal <= 1.2"
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
		td=() tb=() ta=()
		for _ in $(seq "$(((npairs + 1) / 2))"); do
			td+=("$(wall "$PV" "$d")")
			tb+=("$(wall bsdtar -xOf "$a")")
			ta+=("$(wall "$PV" "$a")")
		done
		md=$(stat3 "${td[@]}") mb=$(stat3 "${tb[@]}") ma=$(stat3 "${ta[@]}")
		printf '%-7s %-8s %7s %7s %8s %10s %7s %8s %5s\n' "$n" "$fmt" "$(du -m "$a" | cut -f1)" \
			"${md%% *}" "${mb%% *}" "${ma%% *}" \
			"$(awk -v a="${ma%% *}" -v b="${md%% *}" -v c="${mb%% *}" 'BEGIN { printf "%.2f", a / (b + c) }')" \
			"$(rss "$PV" "$a")" "$same"
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
echo "one large profile: $(du -hL "$big" | cut -f1), 25,000 functions (medians: profview of 5 runs, python of 3)"
printf '%-22s %9s %9s %9s\n' task profview python ratio
# callgrind: profview writes the file as the Python script does (open, write,
# close); "callgrind -o" is the same export through -o, which also fsyncs
# the temporary file and renames it over the old one (a durable replace the
# Python script does not do), against the same Python time.
for task in stdname callers callgrind "callgrind -o"; do
	case $task in
	stdname) a="'$PV' '$big' -s stdname"; b="$PY bench/pstats_report.py stdname '$big'";;
	callers) a="'$PV' '$big' -s stdname --callers"; b="$PY bench/pstats_report.py callers '$big'";;
	callgrind) a="'$PV' '$big' -f callgrind > '$DIR/cg.pv'"; b="$PY bench/py_callgrind.py '$big' '$DIR/cg.py'";;
	"callgrind -o") a="'$PV' '$big' -f callgrind -o '$DIR/cg.pv'";;
	esac
	xa=()
	for _ in 1 2 3 4 5; do xa+=("$(wall sh -c "$a")"); done
	ta=$(stat3 "${xa[@]}")
	if [ "$task" != "callgrind -o" ]; then
		xb=()
		for _ in 1 2 3; do xb+=("$(wall sh -c "$b")"); done
		tb=$(stat3 "${xb[@]}")
	fi
	printf '%-22s %9s %9s %9s\n' "$task" "${ta%% *}" "${tb%% *}" "$(ratio "${tb%% *}" "${ta%% *}")x"
done

echo
echo "issues 24 and 20's goals, this run (load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)):"
printf '| %s | %s | %s |\n' figure "now: median (min-max)" goal '---' '---' '---'
printf '| %s | %s | %s |\n' \
	"20k dumps, 2 threads, / cat of the same files" "${goal_now[t2]:--}x" "<= 0.8x median" \
	"20k dumps, 1 thread (PROFVIEW_THREADS=1), / cat" "${goal_now[t1]:--}x" "<= 1.2x" \
	"-f json of a $export_funcs-function profile, / the text report" "${goal_now[json]:--}x" "<= 3x" \
	"-f csv of the same, / the text report" "${goal_now[csv]:--}x" "<= 3x" \
	"one 1,200,000-function profile: peak RSS / file size" "${goal_now[rss]:--}" "<= 2.5x" \
	"same: peak address space (VmPeak) / RSS" "${goal_now[vm]:--}" "<= 1.3x; runs under ulimit -v of 1 GiB" \
	"--diff of two 20k-dump sets (issue 20), / the text report of one" "${goal_now[diff]:--}x" "<= 2.5x" \
	"CPU of 20k dumps, 1 thread (user + system)" "${goal_now[cpu]:--}" "a third less (ratio <= 0.67 with --base)"
