$PV testdata/edge/nonascii_names.prof -f folded --inverted
