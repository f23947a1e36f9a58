#!/usr/bin/env bash
# A directory being written while profview reads it, as a live werkzeug
# profile_dir is: a writer process keeps adding dumps (each written in two
# halves with a pause between, as a server mid-write leaves them) and
# deleting old ones, while profview reads the directory again and again.
# Every run must end with status 0 or 1, every stderr line must be one of
# profview's own ("profview: ..."), and no run may die from a signal.
#   usage: tests/live/test_live_dir.sh [PROFVIEW]
set -u
PV=$(readlink -f "${1:-./profview}")
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'kill $writer 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
dir=$tmp/dump
mkdir -p "$dir"
srcs=(testdata/flask/*.prof)
for f in "${srcs[@]:0:5}"; do cp "$f" "$dir/"; done

(   # the writer: bounded in count and time, stops by itself
	end=$((SECONDS + 6))
	i=0
	while [ $SECONDS -lt $end ] && [ $i -lt 3000 ]; do
		src=${srcs[$((i % ${#srcs[@]}))]}
		dst=$dir/GET.live.$i.${i}ms.1795541512.$i.prof
		size=$(stat -c %s "$src")
		head -c $((size / 2)) "$src" > "$dst"
		sleep 0.002
		tail -c +$((size / 2 + 1)) "$src" >> "$dst"
		[ $i -ge 20 ] && rm -f "$dir/GET.live.$((i - 20)).$((i - 20))ms.1795541512.$((i - 20)).prof"
		i=$((i + 1))
	done
) &
writer=$!

pass=0 fail=0 partial=0
for run in $(seq 1 40); do
	"$PV" "$dir" -n 5 >"$tmp/out" 2>"$tmp/err"
	rc=$?
	ok=1
	if [ $rc -ne 0 ] && [ $rc -ne 1 ]; then
		echo "FAIL run $run: exit status $rc"
		ok=0
	fi
	if grep -qv '^profview: ' "$tmp/err"; then
		echo "FAIL run $run: stderr lines not from profview:"
		grep -v '^profview: ' "$tmp/err" | head -3
		ok=0
	fi
	if [ $rc -eq 1 ] && grep -q 'truncated\|No such file' "$tmp/err"; then
		partial=$((partial + 1))
	fi
	if ! head -1 "$tmp/out" | grep -q 'profiles\? from'; then
		echo "FAIL run $run: no report (exit $rc): $(head -2 "$tmp/err")"
		ok=0
	fi
	if [ $ok = 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
	sleep 0.05
done
echo "live: runs that met a half-written or vanished file: $partial"
echo "live: $pass passed, $fail failed"
[ $fail -eq 0 ]
