$PV testdata/flask -f folded --merged --min-share 20 --short-paths
