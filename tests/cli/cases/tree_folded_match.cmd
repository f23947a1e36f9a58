$PV testdata/flask -f folded --min-share 5 --short-paths -m compute_fib -x '\(fib\)'
