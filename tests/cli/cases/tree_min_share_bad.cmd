$PV testdata/flask -f folded --min-share 100
