$PV testdata/edge/nonascii_names.prof -f speedscope
