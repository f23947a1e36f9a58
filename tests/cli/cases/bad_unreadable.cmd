$PV testdata/no-such-file.prof testdata/cprofile/py311/prog_recursion.prof -n 2
