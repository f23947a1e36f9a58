$PV testdata/flask -f svg -n 10
