#!/usr/bin/python3
"""Ground truth for --diff: one Flask app profiled per request by werkzeug's
ProfilerMiddleware, four sets of dumps made in ONE process with their
requests interleaved at random, so that every set sees the same machine
(load, CPU frequency, caches) and only what the set is meant to change
differs.  Run by testdata/gen/diff_regen.sh, from /srv/app:

    /usr/bin/python3 /srv/app/diff_app.py OUTDIR

OUTDIR receives:
  base/  the reference: 40 requests to each of 7 endpoints
  slow/  the same requests, with search() doing 4 times its work
         ("one view function made several times slower")
  mix/   the same code as base with a very different traffic mix
         (fib and the report 100 each, the cheap endpoints 8 each)
  run/   one larger run of base's code and mix (80 per endpoint), for the
         random half-splits of the false-positive test

Names use {time:.6f} so that no two requests collide (a werkzeug default
name is the same for requests with equal path, rounded ms and second), and
no path ends in a number, so that no name reads two ways ("fib.16.14ms":
/compute/fib/16 at 14 ms, or /compute/fib at 16.14 ms?).
"""
import cProfile
import json
import os
import random
import sqlite3
import sys
import time

from flask import Flask, jsonify, request
import werkzeug.middleware.profiler as wprofiler
from werkzeug.middleware.profiler import ProfilerMiddleware

app = Flask(__name__)
SEARCH_WORK = 1  # 4 while a request of slow/ runs

USERS = [{"id": i, "name": n, "email": "%s@example.org" % n.lower()}
         for i, n in enumerate(["Ada", "Brian", "Celine", "Dmitri", "Eve", "Fumiko", "Grace"], 1)]


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


@app.route("/")
def index():
    return "<h1>diff demo</h1>"


@app.route("/api/users")
def list_users():
    return jsonify(users=sorted(USERS, key=lambda u: u["name"]))


@app.route("/api/users/<int:user_id>/card")
def get_user(user_id):
    return jsonify([u for u in USERS if u["id"] == user_id])


@app.route("/api/search")
def search():
    q = request.args.get("q", "").lower()
    score = 0
    for i in range(3000 * SEARCH_WORK):  # the view's own work: its tottime
        score += (i * 7 + len(q)) % 13
    return jsonify(query=q, score=score)


@app.route("/api/users", methods=["POST"])
def create_user():
    data = request.get_json(force=True)
    return jsonify(id=len(USERS) + 1, name=data.get("name", "")), 201


@app.route("/api/report")
def report():
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE o (id INTEGER PRIMARY KEY, u INTEGER, t REAL)")
    db.executemany("INSERT INTO o (u, t) VALUES (?, ?)", [(i % 7, 1.5 * i) for i in range(400)])
    rows = db.execute("SELECT u, COUNT(*), SUM(t) FROM o GROUP BY u ORDER BY 3 DESC").fetchall()
    db.close()
    return app.response_class(json.dumps(rows), mimetype="application/json")


@app.route("/compute/fib/<int:n>/value")
def compute_fib(n):
    return jsonify(n=n, fib=fib(n))


ENDPOINTS = {
    "index": ("GET", lambda i: "/", None),
    "users": ("GET", lambda i: "/api/users", None),
    "user": ("GET", lambda i: "/api/users/%d/card" % (i % 7 + 1), None),
    "search": ("GET", lambda i: "/api/search?q=%s" % "abcdefg"[i % 7], None),
    "create": ("POST", lambda i: "/api/users", {"name": "Hedy"}),
    "report": ("GET", lambda i: "/api/report", None),
    "fib": ("GET", lambda i: "/compute/fib/%d/value" % (15 + i % 3), None),
}
MIX_BASE = {k: 40 for k in ENDPOINTS}
MIX_OTHER = dict(index=8, users=8, user=8, search=8, create=8, report=100, fib=100)
SETS = [("base", MIX_BASE, 1), ("slow", MIX_BASE, 4), ("mix", MIX_OTHER, 1),
        ("run", {k: 80 for k in ENDPOINTS}, 1)]


class CPUProfile(cProfile.Profile):
    """cProfile on the thread's CPU time: on a shared test machine other
    processes preempt requests for milliseconds, which wall time would
    count as this app's time (the middleware takes its Profile class from
    its module, where this one replaces it)."""

    def __init__(self):
        super().__init__(time.thread_time)


def main():
    global SEARCH_WORK
    wprofiler.Profile = CPUProfile
    out = os.path.abspath(sys.argv[1])
    fmt = "{method}.{path}.{elapsed:.0f}ms.{time:.6f}.prof"
    inner = app.wsgi_app
    mws = {}
    plan = []
    for name, mix, work in SETS:
        os.makedirs(os.path.join(out, name), exist_ok=True)
        mws[name] = ProfilerMiddleware(inner, profile_dir=os.path.join(out, name), stream=None,
                                       filename_format=fmt)
        for ep, count in mix.items():
            plan += [(name, work, ep, i) for i in range(count)]
    random.Random(20).shuffle(plan)
    current = {}
    app.wsgi_app = lambda environ, start: mws[current["set"]](environ, start)
    with app.test_client() as client:
        mws["warm"] = inner
        current["set"] = "warm"
        for ep, (method, url, body) in ENDPOINTS.items():  # imports, caches: in no set
            for i in range(5):
                client.open(url(i), method=method, json=body).close()
        for name, work, ep, i in plan:
            current["set"] = name
            SEARCH_WORK = work
            method, url, body = ENDPOINTS[ep]
            client.open(url(i), method=method, json=body).close()
    for name, _, _ in SETS:
        print(name, len(os.listdir(os.path.join(out, name))))


if __name__ == "__main__":
    main()
