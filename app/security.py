"""Security headers on every response.

The policy allows scripts and styles from our own origin only: no inline code,
no eval. htmx is configured (in base.html's htmx-config meta tag) not to inject
its indicator styles and not to evaluate anything, so it runs under this policy.

A request whose body stalled (app/rsgi.py) gets a 408 here, so that its answer
has these headers and a message like any other error. It also holds a body
sent without a length (chunked) to MAX_CONTENT_LENGTH:
Werkzeug would silently cut such a body at the limit, where one with a length
gets a 413; now both get the 413.
"""

from __future__ import annotations

import io

from flask import Flask, Response, abort, current_app, request

# Set in the environ by the server (app/rsgi.py) when a body did not arrive in time.
BODY_TIMED_OUT = "handgrid.body_timed_out"

CSP = "; ".join([
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "font-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
])

HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def body_in_time() -> None:
    """A 408 for a request whose body did not arrive in time (app/rsgi.py reads
    it before the app sees the request)."""
    if request.environ.get(BODY_TIMED_OUT):
        abort(408)


def cap_chunked_body() -> None:
    """Read a chunked body up to one byte past the limit: over it, a 413; within it,
    the body is handed on with its length, like any other. A body whose length is
    over the limit gets its 413 here too, before any route looks at the address
    (a route that answers 404 first would otherwise never read it)."""
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if request.content_length is not None and limit is not None and request.content_length > limit:
        abort(413)
    chunked = "chunked" in request.headers.get("Transfer-Encoding", "").lower()
    if request.content_length is not None or not chunked:
        return
    data = request.environ["wsgi.input"].read(limit + 1)
    if len(data) > limit:
        abort(413)
    request.environ["wsgi.input"] = io.BytesIO(data)
    request.environ["CONTENT_LENGTH"] = str(len(data))


def init_app(app: Flask) -> None:
    app.before_request(body_in_time)
    app.before_request(cap_chunked_body)

    @app.after_request
    def add_headers(response: Response) -> Response:
        # One pass over the headers already set, not one per header we add.
        present = {name.lower() for name in response.headers.keys()}
        for name, value in HEADERS.items():
            if name.lower() not in present:
                response.headers.add(name, value)
        return response
