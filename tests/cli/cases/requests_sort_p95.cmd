$PV testdata/flask --requests -s p95 -n 3
