$PV testdata/flask -f json --inverted
