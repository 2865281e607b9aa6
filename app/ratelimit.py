"""Rate limits on failures: wrong join codes and wrong tokens, per client address.

A join code is 7 symbols and a token 128 bits, so guessing is hopeless unless
it is fast; this makes it slow. What is counted is failures only: a request
that presents a code or a secret (`presents_secret`: a join code, a teacher or
personal link, a Bearer token, a class cookie) answered 401, 403 or 404. A
whole class behind one school address (NAT) joins and works without ever being
counted, and a student who opens "My problems" before joining is not taken for
a guesser; only after `FAILURES` (config RATE_LIMIT_FAILURES, default 30 per
minute) failures from an address do its requests that present a secret get a
429, until the window moves on. Practice pages are never limited.

The counting is the `limits` library's moving window (the one Flask-Limiter is
built on), in each worker's memory: nothing to set up, and a guesser spread
over N workers gets at most N times the limit, still far too slow to matter.
"""

from __future__ import annotations

import re

from flask import Flask, Response, current_app, request
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from . import errors

FAILURES = "30/minute"
# Addresses whose path holds a join code or a token: a join link, the API's class
# routes, a personal link, a teacher link.
SECRET_PATHS = re.compile(r"^/(c/|api/classes|me/r/|classes/[^/]+/t/)")
# Where a class cookie (app/classes.py's, all named handgrid_...) stands for a token.
COOKIE_PATHS = ("/classes/", "/me")
CLASS_COOKIES = ("handgrid_teacher", "handgrid_student")
FAILED = frozenset((401, 403, 404))
EXTENSION = "handgrid.ratelimit"
MESSAGE = ("Too many wrong codes or links from this address: wait a minute, then try again "
           "(check the code with your teacher).")


class FailureLimiter:
    def __init__(self, limit: str) -> None:
        self.limit = parse(limit)
        self.window = MovingWindowRateLimiter(MemoryStorage())

    def allowed(self, address: str) -> bool:
        return self.window.test(self.limit, address)

    def failed(self, address: str) -> None:
        self.window.hit(self.limit, address)

    def retry_after(self, address: str) -> int:
        reset = self.window.get_window_stats(self.limit, address).reset_time
        import time

        return max(1, int(reset - time.time()) + 1)


def presents_secret(path: str) -> bool:
    """Whether this request stakes a code or a token, and so may be a guess."""
    if SECRET_PATHS.match(path) or (path.startswith("/api/") and "Authorization" in request.headers):
        return True
    return path.startswith(COOKIE_PATHS) and any(
        name.startswith(CLASS_COOKIES) for name in request.cookies)


def _address() -> str:
    return request.remote_addr or "unknown"


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = FailureLimiter(app.config.get("RATE_LIMIT_FAILURES", FAILURES))

    @app.before_request
    def refuse_after_failures() -> Response | tuple | None:
        if not presents_secret(request.path):
            return None
        limiter: FailureLimiter = current_app.extensions[EXTENSION]
        address = _address()
        if limiter.allowed(address):
            return None
        body, status = errors.respond(429, MESSAGE)
        return body, status, {"Retry-After": str(limiter.retry_after(address))}

    @app.after_request
    def count_failures(response: Response) -> Response:
        if response.status_code in FAILED and presents_secret(request.path):
            current_app.extensions[EXTENSION].failed(_address())
        return response
