mkdir -p $TMPD/empty && cd $TMPD && $PV empty; echo "exit $?"
