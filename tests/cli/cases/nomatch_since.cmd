$PV testdata/flask --since 2099-01-01
