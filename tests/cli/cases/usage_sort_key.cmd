$PV -s cum testdata/flask
