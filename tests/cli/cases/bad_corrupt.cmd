$PV testdata/bad/unknown_code_0x01.prof
