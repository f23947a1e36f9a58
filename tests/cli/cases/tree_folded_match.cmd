$PV testdata/flask -f folded --merged --min-share 5 --short-paths -m compute_fib -x '\(fib\)'
