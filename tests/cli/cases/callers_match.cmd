$PV testdata/flask --callers --match "sqlite3" --limit 5
