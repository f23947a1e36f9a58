$PV testdata/flask -o /dev/full; echo "exit $?"
