#!/usr/bin/python3
# -*- coding: utf-8 -*-
"""A small Flask app profiled per request by werkzeug's ProfilerMiddleware.

Run with Debian's /usr/bin/python3 (python3-flask / python3-werkzeug 2.2.2):

    /usr/bin/python3 testdata/gen/flask_app.py OUTDIR

Every request made through app.test_client() goes through the real
``werkzeug.middleware.profiler.ProfilerMiddleware`` with its DEFAULT
``filename_format`` ("{method}.{path}.{elapsed:.0f}ms.{time:.0f}.prof"),
so OUTDIR receives files such as ``GET.api.users.3ms.1700000000.prof``.
Only ``stream=None`` is passed, to keep the per-request report off stdout
(it does not change the dump files).

Requests that end up with the same method, path, rounded ms and second
overwrite each other exactly as in production (werkzeug issue 1561): the
driver sleeps (1.1 s) only between a few requests, so some names are distinct
and some repeated requests collide - the number of files varies a little from
run to run (typically 17-20 for the 25 requests).
"""
import json
import os
import sqlite3
import sys
import time

from flask import Flask, abort, jsonify, request
from werkzeug.middleware.profiler import ProfilerMiddleware

app = Flask(__name__)

USERS = [
    {"id": i, "name": name, "email": "%s@example.org" % name.lower(), "age": 20 + 3 * i}
    for i, name in enumerate(["Ada", "Brian", "Céline", "Dmitri", "Eve", "Fumiko", "Grace"], 1)
]


def find_user(user_id):
    for user in USERS:
        if user["id"] == user_id:
            return user
    return None


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def walk(tree, depth=0):
    total = depth
    for child in tree.get("children", []):
        total += walk(child, depth + 1)
    return total


def make_tree(depth):
    if depth == 0:
        return {}
    return {"children": [make_tree(depth - 1), make_tree(depth - 1)]}


def open_db():
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, age INTEGER)")
    db.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER, total REAL)")
    db.executemany("INSERT INTO users VALUES (?, ?, ?)",
                   [(u["id"], u["name"], u["age"]) for u in USERS])
    db.executemany("INSERT INTO orders (user_id, total) VALUES (?, ?)",
                   [((i % 7) + 1, 10.5 * i) for i in range(40)])
    return db


@app.route("/")
def index():
    return "<h1>profview demo</h1><p>%d users</p>" % len(USERS)


@app.route("/api/users")
def list_users():
    limit = request.args.get("limit", default=len(USERS), type=int)
    users = sorted(USERS, key=lambda u: u["name"])[:limit]
    return jsonify(users=users, count=len(users))


@app.route("/api/users/<int:user_id>")
def get_user(user_id):
    user = find_user(user_id)
    if user is None:
        abort(404)
    return jsonify(user)


@app.route("/api/search")
def search():
    q = request.args.get("q", "").lower()
    hits = [u for u in USERS if q in u["name"].lower() or q in u["email"]]
    return jsonify(query=q, hits=[h["id"] for h in hits])


@app.route("/api/users", methods=["POST"])
def create_user():
    data = request.get_json(force=True)
    if not data or "name" not in data:
        return jsonify(error="name required"), 400
    user = {"id": len(USERS) + 1, "name": data["name"],
            "email": data.get("email", ""), "age": int(data.get("age", 0))}
    return jsonify(user), 201


@app.route("/api/report")
def report():
    db = open_db()
    rows = db.execute(
        "SELECT u.name, COUNT(o.id), SUM(o.total) FROM users u "
        "JOIN orders o ON o.user_id = u.id GROUP BY u.id ORDER BY 3 DESC").fetchall()
    top = db.execute("SELECT name FROM users WHERE age > ? ORDER BY age", (30,)).fetchall()
    db.close()
    payload = json.dumps({"rows": rows, "top": [t[0] for t in top]}, sort_keys=True)
    doc = json.loads(payload)
    return app.response_class(json.dumps(doc, indent=1), mimetype="application/json")


@app.route("/compute/fib/<int:n>")
def compute_fib(n):
    return jsonify(n=n, fib=fib(min(n, 16)), tree=walk(make_tree(4)))


@app.route("/files/<path:name>")
def serve_file(name):
    return "/* %s */" % name, 200, {"Content-Type": "text/plain"}


def drive(client):
    """The ~25 requests; (method, url, json body, pause after)."""
    plan = [
        ("GET", "/", None, 0),
        ("GET", "/api/users", None, 0),
        ("GET", "/api/users?limit=3", None, 1.1),   # same name as above: pause
        ("GET", "/api/users/1", None, 0),
        ("GET", "/api/users/2", None, 0),
        ("GET", "/api/users/3", None, 0),
        ("GET", "/api/users/99", None, 0),          # 404 from abort()
        ("GET", "/api/search?q=ce", None, 0),
        ("GET", "/api/search?q=example", None, 0),   # may collide with ?q=ce
        ("GET", "/api/search?q=zzz", None, 0),
        ("POST", "/api/users", {"name": "Hedy", "age": 41}, 0),
        ("POST", "/api/users", {"email": "x@example.org"}, 0),  # 400, may collide
        ("POST", "/api/users", {"name": "Ida", "email": "ida@example.org"}, 0),
        ("GET", "/api/report", None, 0),
        ("GET", "/api/report", None, 0),
        ("GET", "/compute/fib/10", None, 0),
        ("GET", "/compute/fib/15", None, 0),
        ("GET", "/compute/fib/20", None, 0),
        ("GET", "/files/app.js", None, 0),               # dots in the path survive
        ("GET", "/files/css/site.min.css", None, 0),
        ("GET", "/no/such/page", None, 0),          # 404 from routing
        ("PUT", "/api/users/1", {"name": "x"}, 0),    # 405 method not allowed
        ("DELETE", "/api/users/2", None, 1.1),
        ("GET", "/", None, 0),
        ("GET", "/api/users/4", None, 0),
    ]
    statuses = []
    for method, url, body, pause in plan:
        resp = client.open(url, method=method, json=body)
        statuses.append(resp.status_code)
        resp.close()
        if pause:
            time.sleep(pause)
    return statuses


def main():
    out = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "flask")
    os.makedirs(out, exist_ok=True)
    app.wsgi_app = ProfilerMiddleware(app.wsgi_app, profile_dir=out, stream=None)
    with app.test_client() as client:
        statuses = drive(client)
    print("statuses:", " ".join(map(str, statuses)))
    print("files:", len(os.listdir(out)))


if __name__ == "__main__":
    main()
