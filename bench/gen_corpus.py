#!/usr/bin/python3
"""Write a benchmark corpus: N werkzeug ProfilerMiddleware dumps of the test
Flask app (testdata/gen/flask_app.py), under OUTDIR (never committed).

    /usr/bin/python3 bench/gen_corpus.py OUTDIR N

Uses Debian's python3-flask.  filename_format carries a fractional time, so
no two requests collide (werkzeug's own advice); requests cycle through the app's
endpoints, so the dumps have the real mix of sizes (~20-30 KB each).
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "testdata", "gen"))
import flask_app  # noqa: E402  (the committed sample app)
from werkzeug.middleware.profiler import ProfilerMiddleware  # noqa: E402

out, n = sys.argv[1], int(sys.argv[2])
os.makedirs(out, exist_ok=True)
app = flask_app.app
app.wsgi_app = ProfilerMiddleware(
    app.wsgi_app, stream=None, profile_dir=out,
    filename_format="{method}.{path}.{elapsed:.0f}ms.{time:.6f}.prof")
client = app.test_client()
paths = ["/", "/api/users", "/api/users/3", "/api/search?q=a", "/api/report", "/compute/fib/12"]
for i in range(n):
    p = paths[i % len(paths)]
    client.get(p)
