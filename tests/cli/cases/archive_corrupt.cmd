cd testdata && tar --sort=name -czf $TMPD/d.tar.gz flask && cd $TMPD && head -c 40000 d.tar.gz > cut.tar.gz && $PV cut.tar.gz -n 1 2>&1 >/dev/null; echo "exit $?"
