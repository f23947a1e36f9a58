$PV testdata/cprofile/py313/prog_recursion.prof --diff testdata/cprofile/py36/prog_recursion.prof -n 8
