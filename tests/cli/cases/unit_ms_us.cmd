$PV testdata/cprofile/py311/prog_recursion.prof -n 3 -s stdname --unit ms; $PV testdata/cprofile/py311/prog_recursion.prof -n 2 --callers -s stdname --unit us | tail -n +5
