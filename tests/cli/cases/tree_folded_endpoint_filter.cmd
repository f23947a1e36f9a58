$PV testdata/flask -f folded --endpoint '^GET /compute' --min-share 5 --short-paths
