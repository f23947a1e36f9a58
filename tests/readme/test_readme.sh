#!/usr/bin/env bash
# The README's output sample is what `make demo` prints.
#   tests/readme/test_readme.sh PROFVIEW "DEMO_CMD"
# The README holds the command after "<!-- make demo -->" in a fenced block:
# the line "$ COMMAND" and then its exact output (the command as DEMO_CMD
# in the Makefile, ./profview replaced by PROFVIEW); a block marked
# "<!-- profview sample -->" holds "$ profview ARGS" and what those print.
# Also checks that no README sample or document names a path of the
# machine that made it.
set -u
PV=$(readlink -f "${1:-./profview}")
cmd=${2:?the demo command}
cd "$(dirname "$0")/../.."
export TZ=UTC LC_ALL=C.UTF-8
fail=0
block=$(awk '/^<!-- make demo -->$/ {on = 1; next} on && /^```$/ {if (in_block) exit; in_block = 1; next} in_block {print}' README.md)
first=$(printf '%s\n' "$block" | head -1)
if [ "$first" != "\$ make demo" ] && [ "$first" != "\$ ${cmd}" ]; then
	echo "FAIL README sample starts with '$first', not '\$ $cmd'"
	fail=1
fi
want=$(printf '%s\n' "$block" | tail -n +2)
got=$(${cmd/.\/profview/$PV} 2>&1)
if [ "$want" != "$got" ]; then
	echo "FAIL the README's output sample differs from what '$cmd' prints:"
	diff <(printf '%s\n' "$want") <(printf '%s\n' "$got") | head -20
	fail=1
else
	echo "ok   the README's output sample is what '$cmd' prints"
fi
# every README sample marked "<!-- profview sample -->" (the line before its
# fence), "$ profview ARGS" and then the output, is what those ARGS print
# (run from the repository root; unmarked samples, such as -i's screen, are
# not run)
n=0 sfail=0
while IFS= read -r -d '' sample; do
	n=$((n + 1))
	args=$(printf '%s\n' "$sample" | head -1 | sed 's/^\$ profview //')
	want=$(printf '%s\n' "$sample" | tail -n +2)
	got=$(eval "\"\$PV\" $args" 2>&1)
	if [ "$want" != "$got" ]; then
		echo "FAIL the README's sample of 'profview $args' differs from what it prints:"
		diff <(printf '%s\n' "$want") <(printf '%s\n' "$got") | head -20
		sfail=1 fail=1
	fi
done < <(awk '/^<!-- profview sample -->$/ { marked = 1; next }
	/^```/ { if (in_block) { if (keep) printf "%s", buf "\0"; in_block = 0; next } in_block = 1; buf = ""; keep = marked; marked = 0; first = 1; next }
	{ marked = marked && /^$/ }
	in_block { if (first && !/^\$ profview /) keep = 0; first = 0; buf = buf $0 "\n" }' README.md)
if [ $sfail = 0 ]; then echo "ok   the README's $n marked 'profview' samples are what they print"; fi
# no document points at files outside the repository or names this machine's paths
bad=$(grep -nE '/work/|/root/|\.pyenv|/home/[a-z]' README.md doc/*.md bench/README.md doc/profview.1 testdata/README.md tests/*/README.md fuzz/README.md 2>/dev/null)
if [ -n "$bad" ]; then
	echo "FAIL documents name paths outside the repository:"
	echo "$bad" | head -10
	fail=1
else
	echo "ok   no document names a path outside the repository"
fi
if [ $fail = 0 ]; then echo "readme: 3 passed, 0 failed"; else echo "readme: failed"; fi
exit $fail
