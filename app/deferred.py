"""Answers that wait for a write without holding up the worker.

A recorded check is answered only once it is on disk (app/classroom/recorder.py
commits the checks that wait together, between requests). A view that waited for
that itself would hold the worker's event loop: no other request would come in,
so none could join the commit. Instead, under the server's bridge (app/rsgi.py), which says it can
(`CAN_DEFER` in the environ), the view hands over a `Deferred`: the future it
waits for and how to finish the answer from its result. The bridge serves other
requests while it waits, then sends the view's response with the status and
body `finish` gives (its headers, security headers included, as the app made
them). Elsewhere (Flask's test client, any other WSGI server) there is no
one to wait for it, and the view does its write itself.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

CAN_DEFER = "handgrid.can_defer"  # set by the bridge
DEFERRED = "handgrid.deferred"  # set by a view: a Deferred
# On the view's own response, which the bridge finishes (and takes off): an error page
# that took the response's place (a hook that failed after the view) goes out as it is.
PLACEHOLDER = "X-Handgrid-Deferred"


@dataclass(frozen=True)
class Deferred:
    future: Awaitable[Any]  # on the bridge's event loop
    finish: Callable[[Any], tuple[int, bytes]]  # the future's result -> (status, body); no request context
    timeout: float  # seconds to wait; then `finish(on_timeout)`
    on_timeout: Any


def can_defer(environ: dict) -> bool:
    return bool(environ.get(CAN_DEFER))


def defer(environ: dict, deferred: Deferred) -> dict[str, str]:
    """Have the bridge finish this request's answer (only where `can_defer`): the
    headers the view's response must carry for it."""
    environ[DEFERRED] = deferred
    return {PLACEHOLDER: "1"}
