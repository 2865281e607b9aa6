"""Rate limits on failures: wrong join codes and wrong tokens, per client address.

A join code is 7 symbols and a token 128 bits, so guessing is hopeless unless
it is fast; this makes it slow. What is counted is failures only: a request
that presents a code or a secret (`presents_secret`: a join code, a teacher or
personal link, a Bearer token, a class cookie) answered 401, 403 or 404. A
whole class behind one school address (NAT) joins and works without ever being
counted, and a student who opens "My problems" before joining is not taken for
a guesser; only after `FAILURES` (config RATE_LIMIT_FAILURES, default 30 per
minute) failures from an address do its requests that present a secret get a
429, until the window moves on. Practice pages are never limited. A check with
a student's token looks the limit up only when its token opens nothing
(LIMITED_ON_FAILURE): a token is 128 random bits, so one that works is no guess,
and the class's checks cost no read of the failures.

The counts live in the classes' database (app/classroom/failures.py), so that
every worker of every replica behind a proxy sees every failure: a guesser meets
one limit however the proxy spreads their requests. When that database cannot
be reached, nothing is counted or refused: the class routes say it is unavailable.
"""

from __future__ import annotations

import math
import re
from contextlib import suppress
from datetime import timedelta

from flask import Flask, Response, abort, current_app, make_response, request
from sqlalchemy.exc import SQLAlchemyError

from . import errors
from .classroom import EXTENSION as DATABASE
from .classroom import failures
from .classroom.db import Database, Unavailable

FAILURES = "30/minute"
# Addresses whose path holds a join code or a token: a join link, the API's class
# routes, a personal link, a teacher link.
SECRET_PATHS = re.compile(r"^/(c/|api/classes|me/r/|classes/[^/]+/t/)")
# Where a class cookie (app/classes.py's, all named handgrid_...) stands for a token.
COOKIE_PATHS = ("/classes/", "/me")
CLASS_COOKIES = ("handgrid_teacher", "handgrid_student")
FAILED = frozenset((401, 403, 404))
# Routes that look the limit up themselves, and only when their secret fails: a check
# with a student's token (app/classes_api.py student_of_request says why).
LIMITED_ON_FAILURE = frozenset(("api.check",))
EXTENSION = "handgrid.ratelimit"
MESSAGE = ("Too many wrong codes or links from this address: wait a minute, then try again "
           "(check the code with your teacher).")


class FailureLimiter:
    """The limit, and the database where every replica counts the failures against it."""

    def __init__(self, limit: str) -> None:
        self.limit = failures.parse(limit)

    @staticmethod
    def _database() -> Database:
        return current_app.extensions[DATABASE]

    def retry_after(self, address: str) -> int | None:
        """Seconds until `address` may try again; None when it may now (or the database is away)."""
        try:
            count, oldest = failures.window(self._database(), self.limit, address)
        except (Unavailable, SQLAlchemyError):
            return None
        if count < self.limit.count or oldest is None:
            return None
        left = (oldest + timedelta(seconds=self.limit.seconds) - failures.now()).total_seconds()
        return max(1, math.ceil(left))

    def failed(self, address: str) -> None:
        with suppress(Unavailable, SQLAlchemyError):
            failures.record(self._database(), self.limit, address)


def presents_secret(path: str) -> bool:
    """Whether this request stakes a code or a token, and so may be a guess."""
    if SECRET_PATHS.match(path) or (path.startswith("/api/") and "Authorization" in request.headers):
        return True
    return path.startswith(COOKIE_PATHS) and any(
        name.startswith(CLASS_COOKIES) for name in request.cookies)


def _refusal() -> tuple | None:
    wait = current_app.extensions[EXTENSION].retry_after(_address())
    if wait is None:
        return None
    body, status = errors.respond(429, MESSAGE)
    return body, status, {"Retry-After": str(wait)}


def refuse_if_limited() -> None:
    """For a route in LIMITED_ON_FAILURE, once its secret has failed: a 429 (raised)
    when this address has failed too often, else nothing."""
    refused = _refusal()
    if refused is not None:
        abort(make_response(*refused))


def _address() -> str:
    return request.remote_addr or "unknown"


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = FailureLimiter(app.config.get("RATE_LIMIT_FAILURES", FAILURES))

    @app.before_request
    def refuse_after_failures() -> Response | tuple | None:
        if request.endpoint in LIMITED_ON_FAILURE or not presents_secret(request.path):
            return None
        return _refusal()

    @app.after_request
    def count_failures(response: Response) -> Response:
        if response.status_code in FAILED and presents_secret(request.path):
            current_app.extensions[EXTENSION].failed(_address())
        return response
