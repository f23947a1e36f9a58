$PV testdata/bad/empty.prof testdata/bad/trunc_1byte.prof
