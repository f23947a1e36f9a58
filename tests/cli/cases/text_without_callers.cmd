# the text report reads no callers, and reads them again when pstats' report depends on them (both caller shapes: files refused; the legacy top-level marker): same bytes, messages and exit status as reading them always
for a in "testdata/profile testdata/bad testdata/cprofile -n 5" "testdata/cprofile testdata/profile --strip-dirs -n 5" "testdata/edge/jprofile_toplevel.prof testdata/edge/merge_a.prof" "testdata/edge/int_callers_mixed.prof testdata/bad testdata/edge/merge_b.prof" "testdata/flask testdata/bad/key_2tuple.prof -s tottime -n 8"; do
	$PV $a >$TMPD/a.out 2>$TMPD/a.err; x=$?
	PROFVIEW_KEEP_CALLERS=1 $PV $a >$TMPD/b.out 2>$TMPD/b.err; y=$?
	if cmp -s $TMPD/a.out $TMPD/b.out && cmp -s $TMPD/a.err $TMPD/b.err && [ $x = $y ]; then
		echo "same: $a (exit $x, $(wc -l <$TMPD/a.err) messages, $(grep -c 'cannot merge' $TMPD/a.err) refused for their caller shapes)"
	else
		echo "DIFFERENT: $a"; diff $TMPD/a.err $TMPD/b.err | head -5
	fi
done
