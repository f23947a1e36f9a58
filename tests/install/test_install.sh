#!/usr/bin/env bash
# tests/install/test_install.sh - `make install` into a staging directory, then
# check what it installed: the binary runs, the man page renders without groff
# warnings and documents every option, the bash and zsh completions load and
# complete, and a program built against the installed library (uselib.c,
# through pkg-config --static with its sysroot in the staging directory) reads
# dumps as CPython's pstats and the installed profview do.
#
# usage: tests/install/test_install.sh [MAKE [ARGS...]]
#   MAKE defaults to `make`; `make installtest` passes `$(MAKE) -f Makefile`,
#   and a copy of the Makefile can be tested with
#   tests/install/test_install.sh make -f /tmp/Makefile.test
#
# Runs `MAKE install DESTDIR=$tmp PREFIX=/usr`.  Needs bash, man-db and groff
# (groff-base), a C compiler ($CC, else cc), pkg-config, readelf, tar and
# python3; zsh is optional (its checks are skipped without it).
# The last line is `install: N passed, N failed`; the exit status is 1 if any
# check failed.

set -u
cd "$(dirname "$0")/../.." || exit 2
if (($#)); then MAKECMD=("$@"); else MAKECMD=(make); fi

pass=0 fail=0
ok() {
	pass=$((pass + 1))
	printf 'ok   %s\n' "$1"
}
bad() {
	fail=$((fail + 1))
	printf 'FAIL %s\n' "$1"
	if [[ ${2-} ]]; then printf '%s\n' "$2" | head -40 | sed 's/^/     /'; fi
}
# check DESCRIPTION COMMAND...: passes if COMMAND succeeds; shows its output if not
check() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then ok "$desc"; else bad "$desc" "$out"; fi
}
finish() {
	echo "install: $pass passed, $fail failed"
	((fail == 0))
	exit
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/profview-install.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
dest=$tmp/dest
prefix=/usr
root=$dest$prefix
bin=$root/bin/profview
man1=$root/share/man/man1/profview.1
bashcomp=$root/share/bash-completion/completions/profview
zshcomp=$root/share/zsh/site-functions/_profview
liba=$root/lib/libprofview.a
hdr=$root/include/profview.h
pc=$root/lib/pkgconfig/profview.pc

# --- make install ------------------------------------------------------------
echo "running: ${MAKECMD[*]} install DESTDIR=$dest PREFIX=$prefix"
if log=$("${MAKECMD[@]}" install DESTDIR="$dest" PREFIX="$prefix" 2>&1); then
	ok "make install DESTDIR=... PREFIX=$prefix"
else
	bad "make install DESTDIR=... PREFIX=$prefix" "$log"
	finish
fi

# --- the installed files -----------------------------------------------------
# mode_is FILE OCTAL-MASK WANT: (mode & MASK) == WANT
# shellcheck disable=SC2317 # called through check
mode_is() {
	local m
	m=$(stat -c %a "$1") || return 1
	(((8#$m & $2) == $3)) || { echo "$1: mode $m"; return 1; }
}
check "binary installed at \$PREFIX/bin/profview" test -f "$bin"
check "binary is executable and readable by all (mode 755)" mode_is "$bin" 8#777 8#755
check "binary is the one built" cmp "$bin" profview
for f in "$man1" "$bashcomp" "$zshcomp" "$liba" "$hdr" "$pc"; do
	rel=${f#"$root"/}
	check "$rel installed" test -f "$f"
	check "$rel is readable by all, not executable (mode 644)" mode_is "$f" 8#777 8#644
done
check "man page is doc/profview.1" cmp "$man1" doc/profview.1
check "bash completion is completion/profview.bash" cmp "$bashcomp" completion/profview.bash
check "zsh completion is completion/_profview" cmp "$zshcomp" completion/_profview
check "include/profview.h is lib/pv.h" cmp "$hdr" lib/pv.h
# every object of the library (lib/ and formats/), nothing from cmd/
want_objs=$(for f in lib/*.c formats/*.c; do f=${f##*/}; echo "${f%.c}.o"; done | sort)
if got_objs=$(ar t "$liba" 2>&1 | sort) && [[ $got_objs == "$want_objs" ]]; then
	ok "lib/libprofview.a holds every object of lib/ and formats/ ($(wc -l <<<"$got_objs"))"
else
	bad "lib/libprofview.a holds every object of lib/ and formats/" "$(diff <(echo "$want_objs") <(echo "$got_objs"))"
fi
expected=$(printf '%s\n' "$bin" "$man1" "$bashcomp" "$zshcomp" "$liba" "$hdr" "$pc" | sort)
got=$(find "$dest" -type f -o -type l | sort)
if [[ $got == "$expected" ]]; then
	ok "nothing else installed, nothing outside DESTDIR/PREFIX"
else
	bad "nothing else installed, nothing outside DESTDIR/PREFIX" "$(diff <(echo "$expected") <(echo "$got"))"
fi

# --- the library -----------------------------------------------------------------
# tests/install/uselib.c built as a user would, against the staging copy:
# pkg-config finds profview.pc in DESTDIR and prefixes its paths with the
# sysroot, as a distribution's staging build does.
export PKG_CONFIG_PATH=$root/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$dest
version=$("$bin" --version 2>&1 | awk '{ print $2; exit }')
if ! command -v pkg-config >/dev/null; then
	bad "pkg-config is installed (apt-get install pkg-config)"
else
	out=$(pkg-config --modversion profview 2>&1)
	if [[ $out == "$version" ]]; then ok "pkg-config --modversion profview: $out"; else bad "pkg-config --modversion profview is $version" "$out"; fi
	out=$(pkg-config --print-requires-private profview 2>&1)
	if [[ $out == *libpcre2-32* && $out == *zlib* && $out != *libarchive* ]]; then
		ok "profview.pc requires libpcre2-32 and zlib privately, not libarchive (dlopened)"
	else
		bad "profview.pc requires libpcre2-32 and zlib privately, not libarchive (dlopened)" "$out"
	fi
	uselib=$tmp/uselib
	if flags=$(pkg-config --cflags --libs --static profview 2>&1) &&
		out=$(${CC:-cc} -std=c11 -Wall -Wextra -Werror -o "$uselib" tests/install/uselib.c $flags 2>&1); then
		ok "cc uselib.c \$(pkg-config --cflags --libs --static profview): $flags"
	else
		bad "cc uselib.c \$(pkg-config --cflags --libs --static profview)" "$flags $out"
	fi
fi
if [[ -x ${uselib-} ]]; then
	if needed=$(readelf -d "$uselib" 2>&1) && ! grep -q 'NEEDED.*libarchive' <<<"$needed"; then
		ok "uselib is not linked with libarchive (formats/archive.c loads it when needed)"
	else
		bad "uselib is not linked with libarchive" "$needed"
	fi
	# one dump: what CPython's pstats says of it
	dump=testdata/flask/GET.api.search.0ms.1795541512.prof
	want=$(python3 -c '
import pstats, sys
s = pstats.Stats(sys.argv[1], stream=sys.stderr)
print("profiles 1 failed 0")
print("functions %d" % len(s.stats))
print("%d function calls (%d primitive calls) in %.3f seconds" % (s.total_calls, s.prim_calls, s.total_tt))
s.sort_stats("tottime")
print("most internal time: %s" % pstats.func_std_string(s.fcn_list[0]))
' "$dump" 2>&1)
	got=$("$uselib" "$dump" 2>&1)
	if [[ $got == "$want" ]]; then ok "uselib on one dump prints what pstats.Stats says"; else bad "uselib on one dump prints what pstats.Stats says" "$(diff <(echo "$want") <(echo "$got"))"; fi
	# a directory, merged in pstats' order: the installed profview's totals
	got=$("$uselib" testdata/flask 2>&1)
	rc=$?
	line=$("$bin" testdata/flask -n 1 2>&1 | grep -m1 ' function calls' | sed 's/^ *//')
	if ((rc == 0)) && [[ -n $line && $got == "profiles 19 failed 0"$'\n'*$'\n'"$line"$'\n'* ]]; then
		ok "uselib on testdata/flask: 19 profiles, profview's line: $line"
	else
		bad "uselib on testdata/flask: 19 profiles, profview's line" "status $rc; want: $line; got: $got"
	fi
	# a restriction through PCRE2 (which the static link needs from
	# profview.pc): print_stats' "List reduced" line, as profview prints it
	got_m=$("$uselib" -m fib testdata/flask 2>&1)
	line=$("$bin" testdata/flask --match fib 2>&1 | grep -m1 'List reduced' | sed 's/^ *//')
	if [[ -n $line ]] && grep -qxF -- "$line" <<<"$got_m"; then
		ok "uselib -m fib: $line"
	else
		bad "uselib -m fib prints profview's 'List reduced' line" "want: $line; got: $got_m"
	fi
	# the same dumps in a tar: libarchive comes through dlopen
	tar -C testdata -cf "$tmp/flask.tar" flask
	out=$("$uselib" "$tmp/flask.tar" 2>&1)
	if [[ $out == "$got" ]]; then ok "uselib on a tar of testdata/flask prints the same"; else bad "uselib on a tar of testdata/flask prints the same" "$(diff <(echo "$got") <(echo "$out"))"; fi
	# a bad input is reported with the library's message, the rest is read
	bad_in=testdata/bad/key_2tuple.prof
	"$uselib" "$bad_in" "$dump" >"$tmp/use.out" 2>"$tmp/use.err"
	rc=$?
	want_err=$("$bin" "$bad_in" "$dump" 2>&1 >/dev/null | sed 's/^profview: /uselib: /')
	if ((rc == 1)) && [[ $(head -1 "$tmp/use.out") == "profiles 1 failed 1" && $(cat "$tmp/use.err") == "$want_err" ]]; then
		ok "uselib reports a bad input as profview does and reads the rest: $want_err"
	else
		bad "uselib reports a bad input as profview does and reads the rest" "status $rc; want: $want_err; got: $(cat "$tmp/use.out" "$tmp/use.err")"
	fi
fi
unset PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR

# --- the binary ----------------------------------------------------------------
if out=$("$bin" --version 2>&1) && [[ $out == "profview "[0-9]* ]]; then
	ok "profview --version: $out"
else
	bad "profview --version" "$out"
fi
help=$("$bin" --help 2>&1)
check "profview --help" test -n "$help"
mapfile -t help_opts < <(printf '%s\n' "$help" | grep -oE '(^|[ ,])--?[a-z][a-z-]*' | sed 's/^[ ,]//' | sort -u)
check "--help lists options (found ${#help_opts[@]})" test "${#help_opts[@]}" -ge 20
mapfile -t sort_keys < <(printf '%s\n' "$help" | sed -n '/^Sort keys/,/^$/p' | awk 'NR > 1 && NF { print $1 }')
mapfile -t formats < <(printf '%s\n' "$help" | sed -n '/^Formats:/,/^$/p' | awk 'NR > 1 && NF { print $1 }')

# --- the man page --------------------------------------------------------------
if ! command -v man >/dev/null || ! command -v groff >/dev/null; then
	bad "man and groff are installed (apt-get install man-db groff-base)"
else
	warn=$(groff -man -Tutf8 -ww -z "$man1" 2>&1)
	if [[ -z $warn ]]; then ok "groff -man -ww: no warnings"; else bad "groff -man -ww: no warnings" "$warn"; fi
	page=$(MANWIDTH=80 man --warnings -P cat -l "$man1" 2>"$tmp/man.err")
	rc=$?
	if ((rc == 0)) && [[ ! -s $tmp/man.err && $page == *"PROFVIEW(1)"* ]]; then
		ok "man -l renders, no warnings ($(wc -l <<<"$page") lines)"
	else
		bad "man -l renders, no warnings (status $rc)" "$(cat "$tmp/man.err")"
	fi
	# the content checks read a page rendered on long lines (nothing hyphenated)
	page=$(MANWIDTH=1000 man -P cat -l "$man1" 2>/dev/null)
	missing_sections=
	for s in NAME SYNOPSIS DESCRIPTION OPTIONS "SORT KEYS" "OUTPUT FORMATS" INPUTS \
		"REQUEST NAMES" "EXIT STATUS" ENVIRONMENT FILES EXAMPLES "SEE ALSO"; do
		grep -q "^$s\$" <<<"$page" || missing_sections+=" [$s]"
	done
	if [[ -z ${missing_sections-} ]]; then ok "man page has every section"; else bad "man page has every section" "missing:$missing_sections"; fi
	flat=$(tr -s ' \n' '  ' <<<"$page")
	missing=
	for o in "${help_opts[@]}" "${sort_keys[@]}" "${formats[@]}" PROFVIEW_ARCHIVE_CACHE; do
		grep -qF -- " $o" <<<"$flat" || missing+=" $o"
	done
	if [[ -z $missing ]]; then
		ok "man page documents every option, sort key and format of --help"
	else
		bad "man page documents every option, sort key and format of --help" "missing:$missing"
	fi
fi

# --- bash completion ---------------------------------------------------------
# complete WORD...: COMPREPLY, one per line, for the command line WORD... (the
# last word is the one being completed), in a non-interactive bash that has
# sourced only the installed completion file.
complete_bash() {
	bash --norc --noprofile -c '
		source "$1" || exit 3
		spec=$(complete -p profview) || exit 4
		fn=${spec#*-F }; fn=${fn%% *}
		shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		COMPREPLY=()
		"$fn" profview "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}" || exit 5
		printf "%s\n" "${COMPREPLY[@]}"
	' complete_bash "$bashcomp" "$@"
}
# expect DESCRIPTION WANT... -- WORD...: the completion of WORD... has every WANT
expect() {
	local desc=$1 want=() reply w missing=
	shift
	while [[ $1 != -- ]]; do want+=("$1"); shift; done
	shift
	if ! reply=$(complete_bash "$@" 2>"$tmp/comp.err") || [[ -s $tmp/comp.err ]]; then
		bad "bash: $desc" "status $?; $(cat "$tmp/comp.err")"
		return
	fi
	for w in "${want[@]}"; do
		grep -qxF -- "$w" <<<"$reply" || missing+=" $w"
	done
	if [[ -z $missing ]]; then ok "bash: $desc"; else bad "bash: $desc" "missing:$missing; got: $(tr '\n' ' ' <<<"$reply")"; fi
}
# expect_none DESCRIPTION WORD...: the completion of WORD... is empty
expect_none() {
	local desc=$1 reply
	shift
	reply=$(complete_bash "$@" 2>&1)
	if [[ -z $reply ]]; then ok "bash: $desc"; else bad "bash: $desc" "got: $(tr '\n' ' ' <<<"$reply")"; fi
}

# shellcheck disable=SC2016 # $1 is expanded by the inner bash
check "bash: completion file loads and registers profview" \
	bash --norc --noprofile -c 'source "$1" && complete -p profview' x "$bashcomp"
expect "profview --sort cu -> cumulative cumtime" cumulative cumtime -- profview --sort cu
expect "profview -s time,p -> time,pcalls" time,pcalls -- profview -s time,p
expect "profview -s cumtime,calls,n -> ...,name ...,ncalls ...,nfl" \
	cumtime,calls,name cumtime,calls,ncalls cumtime,calls,nfl -- profview -s cumtime,calls,n
expect "profview --sort '' (every sort key of --help)" "${sort_keys[@]}" -- profview --sort ''
expect "profview --requests -s p -> p50 p95 profiles" p50 p95 profiles -- profview --requests -s p
expect "profview new --diff old -s c -> change current (the --diff orders)" change current -- \
	profview new --diff old -s c
expect "profview new --dif old -s c -> calls cumulative (--dif is ambiguous, not --diff)" calls \
	cumulative -- profview new --dif old -s c
expect "profview new --di=old -s c -> calls cumulative (--di is ambiguous, not --diff)" calls \
	cumulative -- profview new --di=old -s c
expect "profview -f c -> callgrind" callgrind -- profview -f c
expect "profview --format '' (every format of --help)" "${formats[@]}" -- profview --format ''
expect "profview --str -> --strip-dirs" --strip-dirs -- profview --str
expect "profview - (every option of --help)" "${help_opts[@]}" -- profview -
expect "profview -o doc/profview. -> doc/profview.1 (files)" doc/profview.1 -- profview -o doc/profview.
expect "profview --diff test -> tests (directories)" tests -- profview --diff test
expect "profview compl -> completion (inputs)" completion -- profview compl
expect_none "profview --match <nothing for a regex>" profview --match ''
expect_none "profview -x c <nothing for a regex>" profview -x c

# With the bash-completion package, the installed file must be found where
# bash-completion looks for it (XDG_DATA_DIRS/bash-completion/completions).
bc=/usr/share/bash-completion/bash_completion
if [[ -r $bc ]]; then
	out=$(XDG_DATA_DIRS="$root/share" bash --norc --noprofile -c '
		source "$1" >/dev/null 2>&1
		declare -F __load_completion >/dev/null || { echo "no __load_completion"; exit 1; }
		__load_completion profview || { echo "profview completion not found"; exit 1; }
		complete -p profview
		COMP_WORDS=(profview --sort cu); COMP_CWORD=2; COMPREPLY=()
		_profview profview cu --sort
		printf "%s\n" "${COMPREPLY[@]}"
	' x "$bc" 2>&1)
	if grep -qx cumulative <<<"$out"; then
		ok "bash-completion loads the installed file on demand"
	else
		bad "bash-completion loads the installed file on demand" "$out"
	fi
else
	echo "skip bash-completion on-demand loading (package bash-completion not installed)"
fi

# --- zsh completion ------------------------------------------------------------
if command -v zsh >/dev/null; then
	check "zsh: _profview parses (zsh -n)" zsh -n "$zshcomp"
	check "zsh: _profview starts with #compdef profview" grep -qx '#compdef profview' <(head -1 "$zshcomp")
	out=$(zsh -f -c 'fpath=("$1" $fpath); autoload -Uz compinit; compinit -u -D; print -r -- ${_comps[profview]-}' x \
		"$root/share/zsh/site-functions" 2>&1)
	if [[ $out == _profview ]]; then
		ok "zsh: compinit finds _profview in share/zsh/site-functions"
	else
		bad "zsh: compinit finds _profview in share/zsh/site-functions" "$out"
	fi
	missing=
	for o in "${help_opts[@]}" "${sort_keys[@]}" "${formats[@]}"; do
		grep -qF -- "$o" "$zshcomp" || missing+=" $o"
	done
	if [[ -z $missing ]]; then
		ok "zsh: _profview knows every option, sort key and format of --help"
	else
		bad "zsh: _profview knows every option, sort key and format of --help" "missing:$missing"
	fi
else
	echo "skip zsh checks (zsh not installed)"
fi

finish
