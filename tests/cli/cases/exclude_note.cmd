$PV testdata/cprofile/py311/prog_recursion.prof -x "^\{" -s stdname
