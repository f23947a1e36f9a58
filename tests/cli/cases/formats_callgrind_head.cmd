$PV testdata/cprofile/py311/prog_recursion.prof -f callgrind | head -12
