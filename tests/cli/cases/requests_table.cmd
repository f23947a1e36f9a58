$PV testdata/flask --requests
