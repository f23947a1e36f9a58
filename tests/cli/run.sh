#!/usr/bin/env bash
# Golden CLI tests: each tests/cli/cases/NAME.cmd is one shell command line
# (run from the repo root with $PV set to the binary, TZ=UTC, LC_ALL=C.UTF-8);
# NAME.out, NAME.err and NAME.code hold its exact stdout, stderr and exit
# status.  `run.sh PROFVIEW --update` rewrites the goldens after an intended
# change (review the diff before committing).
set -u
PV=$(readlink -f "${1:-./profview}")
update=${2:-}
cd "$(dirname "$0")/../.."
export PV TZ=UTC LC_ALL=C.UTF-8
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
for cmd in tests/cli/cases/*.cmd; do
	name=${cmd%.cmd}
	export TMPD="$tmp/$(basename "$name")"
	mkdir -p "$TMPD"
	# descriptors 3-9 closed: a case that names one (-o /dev/fd/9) must not
	# meet whatever the caller left open (a lock held by a wrapper script)
	bash -c "$(cat "$cmd")" >"$tmp/out" 2>"$tmp/err" </dev/null 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-
	echo $? >"$tmp/code"
	if [ "$update" = --update ]; then
		cp "$tmp/out" "$name.out"; cp "$tmp/err" "$name.err"; cp "$tmp/code" "$name.code"
	fi
	ok=1
	for k in out err code; do
		if ! cmp -s "$tmp/$k" "$name.$k"; then
			ok=0
			echo "FAIL $(basename "$name") ($k): $(cat "$cmd")"
			diff -u "$name.$k" "$tmp/$k" | head -20
		fi
	done
	if [ $ok = 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done
echo "cli: $pass passed, $fail failed"
[ $fail = 0 ] && [ $pass -gt 0 ]
