$PV testdata/cprofile/py311/prog_stdlib.prof --strip-dirs --sort cumulative --fraction 0.05
