$PV -n ten testdata/flask
