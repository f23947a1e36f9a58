$PV testdata/flask -f pprof --inverted
