$PV testdata/bad/empty.prof
