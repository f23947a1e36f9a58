echo old > $TMPD/r.txt; $PV testdata/bad/empty.prof -o $TMPD/r.txt 2>/dev/null; cat $TMPD/r.txt; $PV testdata/flask -n 1 -o $TMPD/r.txt && head -1 $TMPD/r.txt && ls $TMPD
