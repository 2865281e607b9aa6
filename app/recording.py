"""A class check's answer, sent once the check is stored: what the API's check
(app/classes_api.py) and the practice page's Check (app/classes.py) share.

A recorded check must be on disk before its answer says so. Under the server's
bridge the check joins its worker's next group commit (app/classroom/recorder.py)
and the bridge sends the answer once that is over, serving other requests
meanwhile (app/deferred.py); elsewhere (Flask's test client, another WSGI
server) it is stored here, in its request. Either way the answer is made by the
caller's `finish` from what became of the check, outside the request.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, request

from . import deferred
from .classroom import recorder, store
from .classroom.db import BUSY_TIMEOUT

RECORD_TIMEOUT = BUSY_TIMEOUT + 5  # seconds a check's answer waits for its write; then "not recorded"


def answer_when_stored(check: store.CheckToStore, finish: Callable[[store.Outcome], tuple[int, bytes]],
                       mimetype: str) -> Response:
    """The response to a request that stores `check`: `finish(outcome)` gives its
    status and body (it runs outside the request: no request context); the
    headers are the ones the view sets on what this returns."""
    database = store.database()
    if deferred.can_defer(request.environ):
        future = recorder.for_database(database).submit(check)
        waiting = deferred.Deferred(future, finish, timeout=RECORD_TIMEOUT, on_timeout=store.Outcome.FAILED)
        return Response(b"", mimetype=mimetype, headers=deferred.defer(request.environ, waiting))
    [outcome] = recorder.store_now(database, [check])
    status, body = finish(outcome)
    return Response(body, status=status, mimetype=mimetype)
