$PV --bogus testdata/flask
