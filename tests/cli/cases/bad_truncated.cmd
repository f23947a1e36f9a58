$PV testdata/bad/trunc_minus1.prof testdata/cprofile/py311/prog_recursion.prof -n 3
