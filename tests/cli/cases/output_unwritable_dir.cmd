$PV testdata/flask -o /nonexistent-dir/report.txt; echo "exit $?"
