#!/usr/bin/env bash
# Hostile-environment tests: what needs signals, process limits, closed
# standard descriptors, another user or a bind mount, so does not fit a
# golden (the goldens also run under valgrind).  Each case states what it
# expects; a case whose precondition the machine lacks (root for mount and
# setpriv; a binary without AddressSanitizer for memory limits) is SKIPPED
# and said so.  Every process started is bounded by `timeout`; every file
# lives in one temporary directory, removed on exit.
#   bash tests/hostile/run.sh ./profview
set -u
PV=$(readlink -f "${1:-./profview}")
cd "$(dirname "$0")/../.."
ROOT=$PWD
export TZ=UTC LC_ALL=C.UTF-8
tmp=$(mktemp -d)
mounted=
cleanup() {
	[ -n "$mounted" ] && umount "$mounted" 2>/dev/null
	chmod -R u+rwx "$tmp" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
chmod 755 "$tmp"
pass=0 fail=0 skip=0
ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1: $2"; fail=$((fail + 1)); }
skipped() { echo "SKIP $1: $2"; skip=$((skip + 1)); }
check() { if [ "$2" = "$3" ]; then ok "$1"; else bad "$1" "got '$2', want '$3'"; fi; }

asan=0
grep -qa __asan_init "$PV" && asan=1
root=0
[ "$(id -u)" = 0 ] && root=1

# A profile big enough that writing it takes a moment (about a second of
# JSON), made once.
big=$tmp/big.prof
python3 -c "
import marshal, sys
st = {('/some/long/path/to/module%d.py' % (i % 5000), i, 'function_%d' % i):
      (1, 2, 0.001, 0.002, {('/c.py', i % 100, 'caller%d' % (i % 100)): (1, 1, 0.001, 0.001)})
      for i in range(300000)}
open(sys.argv[1], 'wb').write(marshal.dumps(st))" "$big"

# ---- signals during -o: the temporary file never stays ------------------
# Start profview writing into an empty directory, wait until it holds an
# open file there (its output), send the signal, and look at what is left.
signal_case() { # NAME SIGNAL [ENV...]
	local name=$1 sig=$2
	shift 2
	local d=$tmp/sig-$name
	mkdir "$d"
	echo old >"$d/out.json"
	env "$@" env --default-signal=INT,TERM,HUP timeout 60 "$PV" "$big" -f json -o "$d/out.json" \
		2>/dev/null &
	local pid=$! found=0
	for _ in $(seq 2000); do
		# the timeout process's child is profview
		local child
		child=$(pgrep -P $pid | head -1)
		if [ -n "$child" ] && ls -l /proc/$child/fd 2>/dev/null | grep -q "$d/"; then
			found=1
			kill -s "$sig" "$child"
			break
		fi
		sleep 0.005
	done
	wait $pid
	local status=$?
	if [ $found = 0 ]; then
		bad "$name" "never saw the output file open"
		return
	fi
	check "$name: killed by SIG$sig" "$status" "$((128 + $(kill -l "$sig")))"
	check "$name: nothing left, target kept" "$(ls -A "$d" | tr '\n' ' ')$(cat "$d/out.json")" \
		"out.json old"
}
signal_case tmpfile-int INT
signal_case tmpfile-term TERM
signal_case tmpfile-hup HUP
signal_case tmpfile-kill KILL
signal_case named-int INT PROFVIEW_NO_TMPFILE=1
signal_case named-term TERM PROFVIEW_NO_TMPFILE=1
signal_case named-hup HUP PROFVIEW_NO_TMPFILE=1

# ---- closed standard descriptors (not a golden: valgrind cannot start so) -
d=$tmp/fds
mkdir "$d"
timeout 60 "$PV" testdata/edge/nan_inf_times.prof -f callgrind -o "$d/out" 2>&-
check "stderr closed: exit 0, the warning not in the -o file" "$? $(grep -c warning "$d/out")" "0 0"
out=$(timeout 60 "$PV" testdata/edge/nan_inf_times.prof -f callgrind -o "$d/out2" <&- 2>&1 >&-)
check "stdin and stdout closed: the warning on stderr, not in the file" \
	"$? $(grep -c warning "$d/out2") $out" \
	"0 0 profview: warning: 3 negative or NaN times written as 0"
out=$(timeout 60 "$PV" testdata/flask -n 1 2>&1 >&-)
check "stdout closed: a write error, exit 1" "$? $out" "1 profview: write error: Bad file descriptor"

# ---- memory: per input, and the header before the rest ------------------
if [ $asan = 1 ]; then
	skipped memory "AddressSanitizer reserves more address space than any limit allows"
else
	d=$tmp/mem
	mkdir "$d"
	cp testdata/edge/single_entry.prof "$d/a.prof"
	printf '\373' >"$d/b.prof" # a marshal dict code, then 1.5 GB of zeros (sparse)
	truncate -s 1500M "$d/b.prof"
	out=$( (ulimit -v 400000; timeout 60 "$PV" "$d" 2>&1 | sed "s|$d/||"; echo "exit ${PIPESTATUS[0]}"))
	check "out of memory in one input: that input's error, the rest reported" \
		"$(echo "$out" | grep -E 'out of memory|profile|exit' | tr '\n' '|')" \
		"profview: b.prof: out of memory|1 profile from $d (1 unreadable, skipped)|exit 1|"
	printf 'hello' >"$d/c.prof" # no profile: only its head is read
	truncate -s 1500M "$d/c.prof"
	out=$( (ulimit -v 200000; timeout 60 "$PV" "$d/c.prof" 2>&1 | head -1 | sed "s|$d/||"))
	check "a large file that is no profile costs its head" "$out" \
		"profview: c.prof: byte 0: not a pstats dump (starts with byte 0x68, not a marshal dict)"
fi

# ---- -o onto other users' files and mounts -------------------------------
if [ $root = 0 ]; then
	skipped "owner kept" "needs root (chown)"
	skipped "bind mount" "needs root (mount --bind)"
else
	d=$tmp/own
	mkdir "$d"
	chmod 777 "$d"
	echo old >"$d/theirs.txt"
	chown nobody:nogroup "$d/theirs.txt"
	chmod 640 "$d/theirs.txt"
	timeout 60 "$PV" testdata/flask -n 1 -o "$d/theirs.txt"
	check "root replacing another user's file keeps owner and mode" \
		"$(stat -c '%U:%G %a' "$d/theirs.txt") $(head -c 9 "$d/theirs.txt")" \
		"nobody:nogroup 640 19 profil"
	echo mine >"$d/mine.txt"
	chmod 666 "$d/mine.txt"
	timeout 60 setpriv --reuid=nobody --regid=nogroup --clear-groups \
		"$PV" testdata/flask -n 1 -o "$d/mine.txt"
	check "a user writing another's writable file writes it in place (owner kept)" \
		"$(stat -c '%U %a' "$d/mine.txt") $(head -c 9 "$d/mine.txt") $(ls -A "$d" | wc -l)" \
		"root 666 19 profil 2"
	echo old >"$d/src"
	: >"$d/target"
	if mount --bind "$d/src" "$d/target" 2>/dev/null; then
		mounted=$d/target
		timeout 60 "$PV" testdata/flask -n 1 -o "$d/target"
		check "a bind-mounted target is written in place" \
			"$? $(head -c 9 "$d/src") $(ls -A "$d" | wc -l)" "0 19 profil 4"
		umount "$d/target"
		mounted=
	else
		skipped "bind mount" "mount --bind is not permitted here"
	fi
fi

# ---- every input opened once (strace) -------------------------------------
# A directory of 38 dumps and a compressed one, and the same files named:
# with 1, 2 and 3 parsing threads each file is opened exactly once (the
# reader sniffs the bytes it read through that descriptor) and the output
# is the same bytes.  Files read ahead through io_uring (lib/uring.c) are
# opened by the ring, which strace does not see: the count is made with
# PROFVIEW_IO_URING=0, and with the ring no file is opened twice either.
if command -v strace >/dev/null; then
	d=$tmp/once
	mkdir "$d"
	i=0
	for f in testdata/flask/*.prof testdata/flask/*.prof; do
		i=$((i + 1))
		cp "$f" "$d/$(printf %02d $i).prof"
	done
	gzip -c testdata/flask/GET.root.1ms.1795541513.prof >"$d/zz.prof.gz"
	for t in 1 2 3; do
		for how in dir named; do
			if [ $how = dir ]; then set -- "$d"; else set -- "$d"/*.prof*; fi
			for ring in 0 1; do
				PROFVIEW_IO_URING=$ring PROFVIEW_THREADS=$t timeout 60 strace -f -qq -e trace=openat,open \
					-o "$tmp/once.trace" "$PV" "$@" -n 5 >"$tmp/once.out" 2>/dev/null
				most=$(grep -o '"[^"]*\.prof[^"]*"' "$tmp/once.trace" | sed 's,.*/,,; s,",,g' | sort |
					uniq -c | sort -rn | awk 'NR == 1 { print $1 } END { print NR }' | paste -sd' ')
				if [ $ring = 0 ]; then
					check "$how, $t thread(s): each of the 39 files opened once" "$most" "1 39"
				else
					check "$how, $t thread(s), io_uring: no file opened twice" "${most%% *}" \
						"$(echo "${most%% *}" | grep -x '[01]\?')"
				fi
				[ -f "$tmp/once.ref.$how" ] || cp "$tmp/once.out" "$tmp/once.ref.$how"
				check "$how, $t thread(s), io_uring=$ring: the same output" \
					"$(cmp -s "$tmp/once.ref.$how" "$tmp/once.out" && echo same)" same
			done
		done
	done
else
	skipped "opened once" "strace is not installed"
fi

# ---- issue #23: dumps made hostile on purpose (gen_hostile.py) ----------
# Each case fails on the binary before the fix (see doc/names.md for the
# names; tests/hostile/test_names.py runs the readers on them).
h=$tmp/h
CYCLE_MAX=400 python3 tests/hostile/gen_hostile.py "$h" cycles

# class 7: --inverted with every cap off on cycles of length 2..400 asks for
# 2 * 10^7 frames (1.1 GB and 8 s before); refused at PV_TREE_FRAMES_NOCAP
# in one line naming the options that bound the tree
/usr/bin/time -f %M -o "$tmp/rss" timeout 120 "$PV" "$h/cycles.prof" --inverted --max-frames 0 \
	--max-depth 0 --min-share 0 -f folded -o "$tmp/cyc.folded" 2>"$tmp/cyc.err"
status=$?
check "inverted cycles, caps off: refused (exit 1)" "$status" 1
check "inverted cycles: one line naming --max-frames, --max-depth, --min-share" \
	"$(wc -l <"$tmp/cyc.err") $(grep -c -- '--max-frames N, --max-depth N or --min-share P' "$tmp/cyc.err")" "1 1"
check "inverted cycles: no output file" "$(ls "$tmp/cyc.folded" 2>/dev/null)" ""
if [ $asan = 0 ]; then
	rss=$(tail -1 "$tmp/rss")
	check "inverted cycles: peak RSS under 600 MB" "$([ "$rss" -lt 600000 ] && echo yes || echo "$rss KB")" yes
fi
timeout 120 "$PV" "$h/cycles.prof" --inverted -f folded -o "$tmp/cyc.folded" 2>/dev/null
check "inverted cycles with the default caps: written" "$?$([ -s "$tmp/cyc.folded" ] && echo ' file')" "0 file"

# class 1: a chain of 5,000 distinct functions made -f folded write 202 MB
# (each frame's whole stack); now at most --max-output (64 MiB by default),
# the cut stacks' time in one last frame, so the total stays exact
python3 tests/hostile/gen_hostile.py "$h" chain
timeout 120 "$PV" "$h/chain.prof" -f folded -o "$tmp/chain.folded" 2>"$tmp/chain.err"
check "chain of 5,000: folded exit 0" "$?" 0
size=$(stat -c %s "$tmp/chain.folded")
check "chain of 5,000: folded within 64 MiB" "$([ "$size" -le $((64 << 20)) ] && echo yes || echo "$size bytes")" yes
check "chain of 5,000: one warning line naming --max-output" \
	"$(wc -l <"$tmp/chain.err") $(grep -c 'stacks cut.*--max-output SIZE raises the bound, 0 lifts it' "$tmp/chain.err")" "1 1"
check "chain of 5,000: the last line holds the cut stacks' time" \
	"$(tail -1 "$tmp/chain.folded" | grep -c '^\[[0-9]* stacks cut: the output reached 64 MiB, --max-output\] [0-9]*$')" 1
"$PV" "$h/chain.prof" -f folded --max-depth 1 -q -o "$tmp/chain1.folded"
check "chain of 5,000: the total equals the uncut tree's" \
	"$(awk '{ s += $NF } END { print s }' "$tmp/chain.folded")" \
	"$(awk '{ s += $NF } END { print s }' "$tmp/chain1.folded")"
timeout 120 "$PV" "$h/chain.prof" -f speedscope --max-output 1M -o "$tmp/chain.json" 2>"$tmp/chain.err"
check "chain: speedscope --max-output 1M: exit 0, one warning" "$? $(wc -l <"$tmp/chain.err")" "0 1"
check "chain: speedscope --max-output 1M: about 1 MiB, samples weigh the whole time" "$(python3 -c '
import json, os, sys
d = json.load(open(sys.argv[1]))
p = d["profiles"][0]
ok = (os.path.getsize(sys.argv[1]) < (1 << 20) + 400000 and len(p["samples"]) == len(p["weights"])
      and sum(p["weights"]) == p["endValue"]
      and d["shared"]["frames"][p["samples"][-1][0]]["name"].endswith("stacks cut: the output reached 1 MiB, --max-output]"))
print("yes" if ok else "no")' "$tmp/chain.json")" yes

# class 6: members with non-ASCII names (a zip by Python's zipfile, UTF-8
# flag set; a 7z by 7-Zip) vanished in the C locale without a word
python3 tests/hostile/gen_hostile.py "$h" zips
for z in members.zip only-utf8.zip members.7z; do
	[ -f "$h/$z" ] || {
		skipped "$z" "no 7-Zip (apt-get install 7zip)"
		continue
	}
	want=2
	[ $z = only-utf8.zip ] && want=1
	out=$(LC_ALL=C timeout 60 "$PV" "$h/$z" 2>"$tmp/z.err")
	check "C locale: $z: $want profile(s) read, nothing on stderr" \
		"$?|$(head -1 <<<"$out" | sed "s|$h/||")|$(cat "$tmp/z.err")" "0|$want profile$([ $want = 2 ] && echo s) from $z|"
	check "C locale: $z: café.prof's function in the report" "$(grep -c 'in_café' <<<"$out")" 1
done
LC_ALL=C timeout 60 "$PV" "$h/broken-utf8.zip" >/dev/null 2>"$tmp/z.err"
check "C locale: a member that is no profile is named in UTF-8 on stderr" \
	"$(sed "s|$h/||" "$tmp/z.err" | grep -c '^profview: broken-utf8.zip:bröken.prof: ')" 1

# class 2: a model per endpoint cost endpoints x functions (a dense key map
# per endpoint indexed by the whole model's ids): 10,000 slug endpoints took
# 750 MB for --requests, 1.4 GB for --diff -f html.  Now linear: each runs in
# a 500 MB address space (not under ASan, whose shadow memory is not the
# program's), and when memory does run out the message names the cause.
ENDPOINTS=10000 python3 tests/hostile/gen_hostile.py "$h" endpoints
for args in "--requests" "-f folded" "-f html" "--diff $h/endpoints -f html"; do
	if [ $asan = 1 ]; then
		out=$(timeout 300 "$PV" "$h/endpoints" $args -q -o "$tmp/ep.out" 2>&1)
	else
		out=$( (ulimit -v 500000; timeout 300 "$PV" "$h/endpoints" $args -q -o "$tmp/ep.out" 2>&1))
	fi
	rc=$?
	check "10,000 endpoints, $args: written$([ $asan = 0 ] && echo ' in 500 MB')" \
		"$rc|$(head -c 300 <<<"$out")|$([ -s "$tmp/ep.out" ] && echo file)" "0||file"
done
check "10,000 endpoints: --requests lists them all" \
	"$("$PV" "$h/endpoints" --requests -q | grep -c '^GET /blog/post-')" \
	"$("$PV" "$h/endpoints" --requests -q -n 10 | tail -1 | grep -o '^[0-9]* profiles with request names in [0-9]*' | awk '{print $NF}')"
if [ $asan = 0 ]; then
	out=$( (ulimit -v 130000; timeout 300 "$PV" "$h/endpoints" --requests -q -o /dev/null 2>&1))
	check "10,000 endpoints in 130 MB: out of memory, said so, no good dump blamed" \
		"$?|$(grep -c 'byte [0-9]*: out of memory\|cannot store' <<<"$out")|$(grep -c 'out of memory' <<<"$out")" \
		"1|0|$(grep -c . <<<"$out")"
	check "10,000 endpoints in 130 MB: at most three lines (not one per input)" \
		"$([ "$(grep -c . <<<"$out")" -le 3 ] && echo yes)" yes
fi

# ---- a large JSON export is written on two threads (formats/json.c) -------
check "300,000 functions: -f json on two threads, the same bytes as on one" \
	"$("$PV" "$big" -f json | md5sum)" "$(PROFVIEW_THREADS=1 "$PV" "$big" -f json | md5sum)"
check "300,000 functions: -f json --limit 40000 -s tottime, two threads as one" \
	"$("$PV" "$big" -f json --limit 40000 -s tottime | md5sum)" \
	"$(PROFVIEW_THREADS=1 "$PV" "$big" -f json --limit 40000 -s tottime | md5sum)"

# ---- a large file is mapped and unmapped behind the reader ----------------
# (lib/load.c, PV_MAP_MIN): a reference to its start, met at its end, is
# read again from the file; the result is the same as from a pipe, which
# is read whole.  Cut short, its error names the byte as the pipe's does.
bk=$tmp/backref.prof
python3 tests/hostile/gen_backref.py "$bk"
check "mapped profile, a reference back to its released start: same as from a pipe" \
	"$("$PV" "$bk" -f json | md5sum)" "$("$PV" - <"$bk" -f json | md5sum)"
check "mapped profile: the late reference's numbers" \
	"$("$PV" "$bk" --callers -q | grep -c '7    0.500    0.750  {built-in method zz}')" 2
head -c 35000000 "$bk" >"$tmp/cut.prof"
check "mapped profile cut short: the pipe's message, with the file's name" \
	"$("$PV" "$tmp/cut.prof" 2>&1 >/dev/null; echo "rc $?")" \
	"$("$PV" - <"$tmp/cut.prof" 2>&1 >/dev/null | sed "s|<stdin>|$tmp/cut.prof|"; echo "rc 1")"

# ---- cut short while it is mapped (a dump rewritten as it is read) ------
# shrink.c cuts the file when profview advises its mapping: to 0, or to a
# page boundary (the next page raises SIGBUS), or mid-page (zeros to the
# page's end, then SIGBUS).  One serial load (PROFVIEW_THREADS=1): the
# parsing threads read, they do not map.
if [ $asan = 0 ] && cc -shared -fPIC -o "$tmp/shrink.so" tests/hostile/shrink.c -ldl 2>/dev/null; then
	for to in 0 1048576 1000000; do
		cp "$bk" "$tmp/shrinking.prof"
		out=$(PV_SHRINK="$tmp/shrinking.prof" PV_SHRINK_TO=$to LD_PRELOAD="$tmp/shrink.so" \
			PROFVIEW_THREADS=1 timeout 60 "$PV" "$tmp/shrinking.prof" testdata/flask 2>&1 >"$tmp/shrink.out")
		check "mapped profile cut to $to bytes while read: exit 1, one line naming it, the rest read" \
			"$?|$(grep -c . <<<"$out")|$(grep -c "^profview: $tmp/shrinking.prof: " <<<"$out")|$(head -1 "$tmp/shrink.out")" \
			"1|1|1|19 profiles from 2 inputs (1 unreadable, skipped)"
	done
else
	skipped "mapped profile cut short while read" "AddressSanitizer build or no C compiler"
fi

echo "hostile: $pass passed, $fail failed, $skip skipped"
[ $fail = 0 ] && [ $pass -gt 0 ]
