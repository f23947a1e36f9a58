$PV testdata/flask --icicle
