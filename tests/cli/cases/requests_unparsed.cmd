$PV testdata/flask testdata/cprofile/py311/prog_recursion.prof testdata/cprofile/py312/prog_recursion.prof --requests -n 2
