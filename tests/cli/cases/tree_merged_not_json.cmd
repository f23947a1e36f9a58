$PV testdata/flask -f json --merged
