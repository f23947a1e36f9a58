cp testdata/flask/GET.root.1ms.1795541511.prof $TMPD/x.prof && gzip -c $TMPD/x.prof > $TMPD/ok.prof && cd $TMPD && $PV ok.prof -n 1 | head -1
