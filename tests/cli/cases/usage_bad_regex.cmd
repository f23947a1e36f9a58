$PV -m "(unclosed" testdata/flask
