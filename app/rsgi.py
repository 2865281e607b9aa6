"""Handgrid on granian's RSGI interface: the WSGI app, behind limits for slow clients.

Why not granian's own WSGI interface: it hands the request to a Python thread
as soon as the headers are in and lets the app read the body from the socket,
with no time limit (granian's maintainers declined one: emmett-framework/granian
issue 728). A phone that stalls halfway through a Check would hold a thread and
a connection for as long as it stays connected. Here the body is read first,
in granian's Rust I/O, for at most `body_timeout` seconds and at most one byte
past `max_body`; only a request that has fully arrived reaches Flask, the way
a buffering proxy such as nginx would pass it on. A body that stalls gets a 408
and its connection is closed; headers that stall are granian's to drop
(`HANDGRID_CLIENT_TIMEOUT`, see server.py).

Every slow part of a request (reading, writing, idle keep-alive connections)
happens in granian's Rust runtime, so the app's own work is all that is left,
and nearly all of it is short (a check takes well under a millisecond): it runs
right on the worker's event loop thread, one request at a time, as in a
gunicorn sync worker, which costs nothing to hand over. The few requests known
to be long (`is_long`: a 60-version worksheet takes a second or two) run in a
pool of `threads` instead, so that they do not hold up the quick ones queued
behind them on the same worker: Python hands its lock between the two every
few milliseconds. A request that runs longer than `request_timeout` seconds is
taken for a hung worker: the watchdog ends the process and granian starts a
new one (as gunicorn's worker timeout did). A view may also hand back an
answer that waits for a write (app/deferred.py: a recorded check waits for its
group commit); the loop serves other requests while it waits.

The environ follows PEP 3333 as granian's WSGI interface builds it (a test
compares the two on the same requests).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import io
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from .accesslog import redact
from .deferred import CAN_DEFER, DEFERRED, PLACEHOLDER, Deferred
from .security import BODY_TIMED_OUT  # the app answers 408 (security.py), like any error

log = logging.getLogger("handgrid.server")
_CLOSE = ("connection", "close")
_PLACEHOLDER = PLACEHOLDER.lower()
_REPLACED = frozenset(("content-length", _PLACEHOLDER))  # by a deferred answer's own
_REPLACED_ON_FAILURE = _REPLACED | {"content-type"}
_PLAIN = [("content-type", "text/plain; charset=utf-8")]  # the last resort's, when the app cannot answer
_ERROR = b"Internal server error\n"


class Bridge:
    """An RSGI application that serves a WSGI app (see the module docstring)."""

    def __init__(self, wsgi_app: Callable, *, body_timeout: float, max_body: int, threads: int = 0,
                 is_long: Callable[[dict], bool] = lambda environ: False,
                 request_timeout: float = 0, on_hung: Callable[[], None] | None = None) -> None:
        self.wsgi_app = wsgi_app
        self.body_timeout = body_timeout
        self.max_body = max_body
        self.is_long = is_long
        self.pool = (concurrent.futures.ThreadPoolExecutor(threads, thread_name_prefix="handgrid")
                     if threads > 0 else None)
        self.watchdog = Watchdog(request_timeout, on_hung or _exit_worker) if request_timeout > 0 else None

    async def __rsgi__(self, scope: Any, protocol: Any) -> None:
        if scope.proto != "http":  # websockets are off (serve.py); nothing else is served
            return
        headers = scope.headers
        environ = _environ(scope)
        close = False
        declared = environ.get("CONTENT_LENGTH", "")
        chunked = "chunked" in headers.get("transfer-encoding", "").lower()
        body = b""
        if declared.isdigit() and int(declared) > self.max_body:
            close = True  # Flask answers 413 from the declared length; the body is never read
        elif chunked or (declared.isdigit() and int(declared) > 0):
            try:
                async with asyncio.timeout(self.body_timeout):
                    # granian holds a body to its declared length; a chunked one is read up to the cap.
                    body = await (self._read(protocol) if chunked else protocol())
            except TimeoutError:
                environ[BODY_TIMED_OUT] = True
                close = True
            except Exception:  # the client went away mid-body: nobody to answer
                return
        environ["wsgi.input"] = io.BytesIO(body)
        environ["wsgi.input_terminated"] = True  # read to its end, chunked or not (Werkzeug asks)
        if self.pool is None or not self.is_long(environ):
            environ[CAN_DEFER] = True  # on this loop's thread: a view may leave an answer to finish
            status, response_headers, content = self._call(environ)
        else:
            status, response_headers, content = await asyncio.get_running_loop().run_in_executor(
                self.pool, self._call, environ)
        deferred: Deferred | None = environ.get(DEFERRED)
        if deferred is not None and any(name.lower() == _PLACEHOLDER for name, _ in response_headers):
            status, content, failed = await self._settle(deferred)
            dropped = _REPLACED_ON_FAILURE if failed else _REPLACED
            response_headers = [h for h in response_headers if h[0].lower() not in dropped]
            response_headers += [*(_PLAIN if failed else []), ("content-length", str(len(content)))]
        if close:
            response_headers = [h for h in response_headers if h[0].lower() != "connection"] + [_CLOSE]
        protocol.response_bytes(status, response_headers, content)

    @staticmethod
    async def _settle(deferred: Deferred) -> tuple[int, bytes, bool]:
        """Wait for a deferred answer (app/deferred.py) while this loop serves others:
        (status, body, whether finishing it failed)."""
        try:
            async with asyncio.timeout(deferred.timeout):
                result = await deferred.future
        except TimeoutError:  # the future is cancelled: app/classroom/recorder.py drops its check
            result = deferred.on_timeout
        try:
            status, body = deferred.finish(result)
            return status, body, False
        except Exception:
            log.exception("a deferred answer could not be finished")
            return 500, _ERROR, True

    async def _read(self, protocol: Any) -> bytes:
        """The body, or its first max_body + 1 bytes: enough for the app to say it is too long."""
        chunks, size = [], 0
        async for chunk in protocol:
            chunks.append(chunk)
            size += len(chunk)
            if size > self.max_body:
                break
        return b"".join(chunks)

    def _call(self, environ: dict) -> tuple[int, list[tuple[str, str]], bytes]:
        started: list = []

        def start_response(status: str, headers: list, exc_info: Any = None) -> Callable:
            started[:] = [int(status[:3]), headers]
            return lambda data: None  # the legacy write(); Flask never calls it

        if self.watchdog:
            self.watchdog.begin(environ)
        try:
            result: Iterable[bytes] = self.wsgi_app(environ, start_response)
            try:
                content = b"".join(result)
            finally:
                close = getattr(result, "close", None)
                if close:
                    close()
        except Exception:  # Flask answers every error itself; this is a last resort
            log.exception("unhandled error serving %s", redact(str(environ.get("PATH_INFO"))))
            return 500, list(_PLAIN), _ERROR
        finally:
            if self.watchdog:
                self.watchdog.end()
        return started[0], started[1], content


def _environ(scope: Any) -> dict:
    host, _, port = scope.server.rpartition(":")
    client, _, client_port = scope.client.rpartition(":")
    environ = {
        "REQUEST_METHOD": scope.method,
        "SCRIPT_NAME": "",
        # RSGI gives the path percent-decoded as UTF-8; PEP 3333 wants its bytes as latin-1.
        "PATH_INFO": scope.path.encode("utf-8", "surrogateescape").decode("latin-1"),
        "QUERY_STRING": scope.query_string,
        "SERVER_NAME": host.strip("[]"),
        "SERVER_PORT": port,
        "SERVER_PROTOCOL": "HTTP/1.0" if scope.http_version == "1" else f"HTTP/{scope.http_version}",
        "REMOTE_ADDR": client.strip("[]"),
        "REMOTE_PORT": client_port,
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope.scheme,
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    for name, value in scope.headers.items():
        if name == "content-type":
            environ["CONTENT_TYPE"] = value
        elif name == "content-length":
            environ["CONTENT_LENGTH"] = value
        else:
            key = "HTTP_" + name.upper().replace("-", "_")
            if key in environ:  # repeated headers are joined, cookies with ";" (as granian's WSGI does)
                value = environ[key] + (";" if key == "HTTP_COOKIE" else ",") + value
            environ[key] = value
    return environ


class Watchdog:
    """Ends the worker when one request has run for `seconds`: a hung worker
    serves nobody, and granian replaces a worker that exits."""

    def __init__(self, seconds: float, on_hung: Callable[[], None]) -> None:
        self.seconds = seconds
        self.on_hung = on_hung
        self._started: dict[int, float] = {}  # thread id -> when its request began
        thread = threading.Thread(target=self._watch, name="handgrid-watchdog", daemon=True)
        thread.start()

    def begin(self, environ: dict) -> None:
        self._started[threading.get_ident()] = time.monotonic()

    def end(self) -> None:
        self._started.pop(threading.get_ident(), None)

    def _watch(self) -> None:
        while True:
            time.sleep(min(1.0, self.seconds / 4))
            oldest = min(list(self._started.values()), default=None)  # a copy: threads change it
            if oldest is not None and time.monotonic() - oldest > self.seconds:
                log.error("a request ran for over %s s: ending this worker (pid %s)",
                          self.seconds, os.getpid())
                self.on_hung()
                return


def _end_with_parent() -> None:
    """Ask Linux to send this worker SIGTERM when the server's main process dies
    (a SIGKILL, the OOM killer): granian's workers would otherwise live on as
    orphans, still serving the port on their own sockets (SO_REUSEPORT)."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    parent = os.getppid()
    libc = ctypes.CDLL(None, use_errno=True)
    pr_set_pdeathsig = 1
    libc.prctl(pr_set_pdeathsig, signal.SIGTERM)
    if os.getppid() != parent:  # the parent died before the request took hold
        os.kill(os.getpid(), signal.SIGTERM)


def _exit_worker() -> None:
    logging.shutdown()
    os._exit(70)  # EX_SOFTWARE; granian starts a new worker in its place


def application() -> Bridge:
    """The factory granian calls in each worker (app/server.py): Handgrid behind the bridge."""
    from . import create_app
    from .server import read_settings

    _end_with_parent()
    settings = read_settings()
    flask_app = create_app()
    return Bridge(flask_app, body_timeout=settings["HANDGRID_BODY_TIMEOUT"],
                  max_body=flask_app.config["MAX_CONTENT_LENGTH"], threads=settings["HANDGRID_THREADS"],
                  is_long=_is_long, request_timeout=settings["HANDGRID_TIMEOUT"])


LONG_PATHS = ("/worksheet",)  # every other page or API call takes a few milliseconds at most


def _is_long(environ: dict) -> bool:
    return environ["PATH_INFO"].startswith(LONG_PATHS)
