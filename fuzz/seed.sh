#!/bin/sh
# seed.sh - build the seed corpora from testdata/.
#
#   sh fuzz/seed.sh [CORPUS_DIR]      (default: fuzz/corpus)
#
# CORPUS_DIR/fuzz_reader/  every testdata .prof of at most MAX_SEED bytes
#                          (default 65536, libFuzzer's -max_len), plus the
#                          edge cases again with a trailing 0x07 byte (the
#                          last byte picks the target's options: the other
#                          sort key, callers/callees, dot thresholds 0)
# CORPUS_DIR/fuzz_merge/   the small dumps alone, and pairs and triples
#                          joined with the target's separator "\0SPLIT\0":
#                          the merge_* cases, strip-dirs collisions, int vs
#                          tuple callers, Python 2 against 3, each edge case
#                          with its neighbour
#
# Seeds are named after their testdata path; existing files are kept, so
# rerunning adds what is missing and never removes what the fuzzer found.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
td="$root/testdata"
out=${1:-"$here/corpus"}
max=${MAX_SEED:-65536}
mmax=${MAX_MERGE_PART:-16384}

mkdir -p "$out/fuzz_reader" "$out/fuzz_merge" "$out/fuzz_archive" "$out/fuzz_reqname"
out=$(cd "$out" && pwd)

size() { wc -c <"$1" | tr -d ' '; }
name() { # testdata/edge/merge_a.prof -> edge_merge_a.prof
	printf '%s' "${1#"$td"/}" | tr '/' '_'
}
sep() { printf '\000SPLIT\000'; }

n_reader=0
n_merge=0
# every .prof except the crash reproducers (testdata/fuzz/, which crash on purpose)
find "$td" -name '*.prof' -type f ! -path "$td/fuzz/*" | LC_ALL=C sort >"$out/.list"
while read -r f; do
	s=$(size "$f")
	[ "$s" -le "$max" ] || continue
	cp "$f" "$out/fuzz_reader/$(name "$f")"
	n_reader=$((n_reader + 1))
	if [ "$s" -le "$mmax" ]; then
		cp "$f" "$out/fuzz_merge/$(name "$f")"
		n_merge=$((n_merge + 1))
	fi
done <"$out/.list"

for f in "$td"/edge/*.prof; do
	{ cat "$f"; printf '\007'; } >"$out/fuzz_reader/opt7_$(name "$f")"
	n_reader=$((n_reader + 1))
done

join() { # join OUT FILE... : the files separated by the separator
	o=$1
	shift
	first=1
	for f in "$@"; do
		[ -f "$f" ] || return 0
		[ $first = 1 ] || sep
		cat "$f"
		first=0
	done >"$out/fuzz_merge/$o"
	n_merge=$((n_merge + 1))
}

e=$td/edge
join merge_abc "$e/merge_a.prof" "$e/merge_b.prof" "$e/merge_c.prof"
join merge_cba "$e/merge_c.prof" "$e/merge_b.prof" "$e/merge_a.prof"
join strip_twice "$e/strip_collisions.prof" "$e/strip_collisions.prof"
join int_vs_tuple "$e/int_callers_mixed.prof" "$td/marshal/v4.prof"
join profile_vs_cprofile "$td/marshal/profile_v4.prof" "$td/marshal/v4.prof"
join py27_vs_py3 "$td/py27/cprofile_prog_recursion.prof" "$td/cprofile/py311/prog_recursion.prof"
join py27_bytes_vs_py3 "$td/py27/cprofile_prog_recursion.v0bytes.prof" \
	"$td/py27/cprofile_prog_recursion.py3.prof"
join dup_huge "$e/huge_counts_long.prof" "$e/huge_counts_long.prof" "$e/huge_int_times.prof"
join nan_neg "$e/nan_inf_times.prof" "$e/zero_negative_times.prof" \
	"$e/negative_counts_pyinstrument.prof"
join marshal_v0_v5 "$td/marshal/v0.prof" "$td/marshal/v5.prof"
join flask_two "$td/flask/GET.root.1ms.1795541511.prof" \
	"$td/flask/GET.api.search.0ms.1795541512.prof"

# every edge case with the next one, in name order
prev=
for f in "$e"/*.prof; do
	if [ -n "$prev" ]; then
		join "pair_$(basename "$prev" .prof)__$(basename "$f" .prof)" "$prev" "$f"
	fi
	prev=$f
done

# archives: small tar (plain and compressed), zip, cpio and single
# compressed dumps, made here from a few small dumps
tmpa=$(mktemp -d)
cp "$td/cprofile/py311/prog_recursion.prof" "$td/edge/"*merge*.prof "$tmpa/" 2>/dev/null || true
(
	cd "$tmpa"
	set -- *.prof
	tar cf "$out/fuzz_archive/seed_tar.tar" "$@"
	# read in place (located, then pread): GNU and POSIX (pax) headers
	tar --format=posix -cf "$out/fuzz_archive/seed_pax.tar" "$@"
	gzip -c "$out/fuzz_archive/seed_tar.tar" >"$out/fuzz_archive/seed_tgz.tar.gz"
	xz -c "$out/fuzz_archive/seed_tar.tar" >"$out/fuzz_archive/seed_txz.tar.xz" 2>/dev/null || true
	bzip2 -c "$out/fuzz_archive/seed_tar.tar" >"$out/fuzz_archive/seed_tbz.tar.bz2" 2>/dev/null || true
	zstd -q -c "$out/fuzz_archive/seed_tar.tar" >"$out/fuzz_archive/seed_tzst.tar.zst" 2>/dev/null || true
	zip -q -X "$out/fuzz_archive/seed_zip.zip" "$@" 2>/dev/null || true
	printf '%s\n' "$@" | cpio -o --quiet >"$out/fuzz_archive/seed_cpio.cpio" 2>/dev/null || true
	gzip -c "$1" >"$out/fuzz_archive/seed_one.prof.gz"
)
rm -rf "$tmpa"
# request names: every file name under testdata, and the other producers' forms
find "$td" -name '*.prof' -type f | while read -r f; do
	b=$(basename "$f")
	printf '%s' "$b" >"$out/fuzz_reqname/seed_$(printf '%s' "$b" | cksum | cut -d' ' -f1)"
done
for n in GET.api.users.000123ms.1379000000.prof api.users.000123ms.1379000000.prof \
	GET.api.users.3.23ms.1700000000.123456.prof M-SEARCH.root.1ms.1700000000.prof \
	GET.api.items.0d4f1c2e-9a8b-4c3d-8e7f-112233445566.2ms.1700000000.prof \
	GET.static.app.js.1ms.1700000000.prof GET..ms.1.prof; do
	printf '%s' "$n" >"$out/fuzz_reqname/seed_$(printf '%s' "$n" | cksum | cut -d' ' -f1)"
done
# hostile text (issue 15): impossible --since values, patterns that hit the
# regex bounds or meet lone surrogates ("PATTERN\nSUBJECT"), control
# characters in names
hostile() { printf "$2" >"$out/fuzz_reqname/hostile_$1"; }
hostile since_feb31 '2026-02-31'
hostile since_offset '2026-11-24T17:31:52+99:99'
hostile since_nan 'nan'
hostile regex_backtrack '^(a+)+[!;]\naaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'
hostile regex_deep '^(.(?1)?)[xy]\nabababababababababababababababababababababab'
hostile regex_surrogate 'caf\351\ncaf\355\263\251.py:1(f)'
hostile regex_bsux '\\udcff|\\u0378\n\355\263\277'
hostile name_controls 'GET.api.x\n\033[31m.0ms.1795541512.prof'

rm -f "$out/.list"
echo "seed: $n_reader inputs in $out/fuzz_reader, $n_merge in $out/fuzz_merge" \
	"($(du -sh "$out" | cut -f1) in all)"
