$PV testdata/flask --sort tottime --limit 30
