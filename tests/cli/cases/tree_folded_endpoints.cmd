$PV testdata/flask -f folded --min-share 20 --short-paths
