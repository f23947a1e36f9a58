$PV -f xml testdata/flask
