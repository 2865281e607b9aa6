"""Rate limits on failures: wrong join codes and wrong tokens, per client address.

A join code is 7 symbols and a token 128 bits, so guessing is hopeless unless
it is fast; this makes it slow. What is counted is failures only: a request to
a class address (`GUARDED`, or a check that carries a token) answered 401, 403
or 404. A whole class behind one school address (NAT) joins and works without
ever being counted; only after `FAILURES` (config RATE_LIMIT_FAILURES, default
30 per minute) failures from an address does it get a 429 on class addresses,
until the window moves on. Practice pages are never limited.

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
GUARDED = ("/api/classes", "/c/", "/classes/", "/me/")
FAILED = frozenset((401, 403, 404))
_CHECK = re.compile(r"^/api/problems/[^/]+/check$")
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


def guarded(path: str) -> bool:
    return path.startswith(GUARDED) or path == "/me" or (
        "Authorization" in request.headers and _CHECK.match(path) is not None)


def _address() -> str:
    return request.remote_addr or "unknown"


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = FailureLimiter(app.config.get("RATE_LIMIT_FAILURES", FAILURES))

    @app.before_request
    def refuse_after_failures() -> Response | tuple | None:
        if not guarded(request.path):
            return None
        limiter: FailureLimiter = current_app.extensions[EXTENSION]
        address = _address()
        if limiter.allowed(address):
            return None
        body, status = errors.respond(429, MESSAGE)
        return body, status, {"Retry-After": str(limiter.retry_after(address))}

    @app.after_request
    def count_failures(response: Response) -> Response:
        if response.status_code in FAILED and guarded(request.path):
            current_app.extensions[EXTENSION].failed(_address())
        return response
