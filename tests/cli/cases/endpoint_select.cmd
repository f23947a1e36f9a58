$PV testdata/flask --endpoint "^GET /api/users" --endpoint "^DELETE" -n 5
