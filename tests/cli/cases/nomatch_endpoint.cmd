$PV testdata/flask --endpoint 'GET /nope' --requests
