$PV --fraction 1.5 testdata/flask
