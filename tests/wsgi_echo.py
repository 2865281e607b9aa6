"""A WSGI app that answers with the environ it was given (its strings) and the
body it read: tests/test_rsgi.py serves it through granian's own WSGI interface
and through app/rsgi.py's bridge, and compares what the two hand an app."""

from __future__ import annotations

import json

from app.rsgi import Bridge


def app(environ, start_response):
    body = environ["wsgi.input"].read()
    seen = {key: value for key, value in environ.items() if isinstance(value, str)}
    seen["body"] = body.decode("latin-1")
    data = json.dumps(seen).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(data))),
                              ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")])
    return [data]


def bridged() -> Bridge:
    return Bridge(app, body_timeout=5, max_body=1 << 20)
