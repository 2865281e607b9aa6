"""app/rsgi.py, the bridge that serves the WSGI app on granian's RSGI interface.

It must hand the app what granian's own WSGI interface would (PEP 3333), which
is checked by serving one echo app both ways and comparing; and it must hold
the body to its limits: read in full before the app runs, cut one byte past the
cap, given up after the timeout, and a hung request ends its worker."""

from __future__ import annotations

import asyncio
import http.client
import json
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from app import deferred
from app.rsgi import BODY_TIMED_OUT, Bridge
from tests.aio import run
from tools.serving import free_port, wait_until_up

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def granian(interface: str, target: str, *flags: str):
    port = free_port()
    argv = [sys.executable, "-m", "granian", "--interface", interface, "--port", str(port),
            "--http", "1", "--no-ws", "--log-level", "warning", *flags, target]
    process = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/", process)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


REQUESTS = [
    ("GET", "/", b"", {}),
    ("GET", "/p/G1A2B-3C4DX?view=numpy&x=%20y+z&q=%E2%88%92", b"", {}),
    ("GET", "/caf%C3%A9/%E2%88%923/a%2Fb", b"", {"Accept-Language": "fr"}),
    ("GET", "/bad%FFbyte", b"", {}),
    ("POST", "/p/X", b"h_z-0-0=3&action=check", {"Content-Type": "application/x-www-form-urlencoded",
                                                "HX-Request": "true", "HX-Target": "work"}),
    ("POST", "/api/problems", json.dumps({"preset": "gentle"}).encode(),
     {"Content-Type": "application/json"}),
    ("GET", "/cookies", b"", {"Cookie": "a=1; b=2", "X-Many": "one"}),
    ("HEAD", "/head", b"", {}),
    ("DELETE", "/nothing", b"", {"If-None-Match": '"abc"'}),
]
COMPARED = ("REQUEST_METHOD", "SCRIPT_NAME", "QUERY_STRING", "CONTENT_TYPE", "CONTENT_LENGTH",
            "SERVER_PROTOCOL", "REMOTE_ADDR", "SERVER_NAME", "wsgi.url_scheme", "body")


def ask(port: int, method: str, path: str, body: bytes, headers: dict) -> tuple[int, list, dict | None]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
    connection.putheader("Host", "grid.school.example")
    for name, value in headers.items():
        connection.putheader(name, value)
    if body:
        connection.putheader("Content-Length", str(len(body)))
    connection.endheaders(body or None)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, response.getheader("Set-Cookie"), (json.loads(data) if data else None)


def werkzeug_path(environ: dict) -> str:
    return environ["PATH_INFO"].encode("latin-1").decode("utf-8", "replace")


@pytest.mark.system
def test_the_bridge_gives_the_app_the_environ_granians_wsgi_gives():
    with granian("wsgi", "tests.wsgi_echo:app") as wsgi_port, \
            granian("rsgi", "tests.wsgi_echo:bridged", "--factory") as rsgi_port:
        for method, path, body, headers in REQUESTS:
            ours = ask(rsgi_port, method, path, body, headers)
            theirs = ask(wsgi_port, method, path, body, headers)
            assert ours[:2] == theirs[:2], (method, path)
            if method == "HEAD":
                assert ours[2] is theirs[2] is None
                continue
            for key in COMPARED:
                assert ours[2].get(key) == theirs[2].get(key), (method, path, key)
            # The path as Werkzeug reads it: RSGI hands it over decoded as UTF-8, so bytes
            # that are not UTF-8 (%FF) are U+FFFD already, as Werkzeug would make them.
            assert werkzeug_path(ours[2]) == werkzeug_path(theirs[2]), (method, path)
            if path.isascii() and "%FF" not in path:
                assert ours[2]["PATH_INFO"] == theirs[2]["PATH_INFO"]
            ours_http = {k: v for k, v in ours[2].items() if k.startswith("HTTP_")}
            theirs_http = {k: v for k, v in theirs[2].items() if k.startswith("HTTP_")}
            assert ours_http == theirs_http, (method, path)
            assert ours[2]["SERVER_PORT"] == str(rsgi_port) and theirs[2]["SERVER_PORT"] == str(wsgi_port)


# --- the bridge in process, with a stand-in for granian's protocol object -------------------

class Scope:
    proto, http_version, scheme = "http", "1.1", "http"
    server, client = "127.0.0.1:8000", "127.0.0.1:50000"

    def __init__(self, method: str, path: str, headers: dict[str, str]) -> None:
        self.method, self.path, self.query_string = method, path, ""
        self.headers = Headers(headers)


class Headers(dict):
    def items(self):
        return list(super().items())


class Protocol:
    """Body chunks arrive as given, `pause` seconds before each; the response is kept."""

    def __init__(self, chunks: list[bytes], pause: float = 0) -> None:
        self.chunks, self.pause, self.read = chunks, pause, 0
        self.response = None

    def __aiter__(self):
        return self._chunks()

    async def __call__(self) -> bytes:  # the whole body at once, as granian's protocol gives it
        return b"".join([chunk async for chunk in self._chunks()])

    async def _chunks(self):
        for chunk in self.chunks:
            await asyncio.sleep(self.pause)
            self.read += len(chunk)
            yield chunk

    def response_bytes(self, status, headers, body):
        self.response = (status, dict(headers), body)


def serve(bridge: Bridge, scope: Scope, protocol: Protocol) -> tuple[int, dict, bytes]:
    run(bridge.__rsgi__(scope, protocol))
    return protocol.response


def recorder():
    seen = {}

    def app(environ, start_response):
        seen.update(environ, body=environ["wsgi.input"].read())
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    return app, seen


def test_a_chunked_body_is_read_only_one_byte_past_the_cap():
    app, seen = recorder()
    bridge = Bridge(app, body_timeout=5, max_body=10)
    protocol = Protocol([b"12345", b"67890", b"abcde", b"fghij"])
    status, headers, _ = serve(bridge, Scope("POST", "/", {"transfer-encoding": "chunked"}), protocol)
    assert status == 200 and protocol.read == 15 and seen["body"] == b"1234567890abcde"
    assert "connection" not in headers


def test_a_declared_length_over_the_cap_is_never_read_and_the_connection_closes():
    app, seen = recorder()
    bridge = Bridge(app, body_timeout=5, max_body=10)
    protocol = Protocol([b"x" * 11])
    status, headers, _ = serve(bridge, Scope("POST", "/", {"content-length": "11"}), protocol)
    assert protocol.read == 0 and seen["body"] == b"" and seen["CONTENT_LENGTH"] == "11"
    assert headers["connection"] == "close"


def test_a_body_that_stalls_is_given_up_after_the_timeout_and_the_app_is_told():
    app, seen = recorder()
    bridge = Bridge(app, body_timeout=0.3, max_body=100)
    protocol = Protocol([b"12", b"34"], pause=0.2)
    start = time.monotonic()
    status, headers, _ = serve(bridge, Scope("POST", "/", {"content-length": "4"}), protocol)
    assert 0.25 < time.monotonic() - start < 1
    assert seen[BODY_TIMED_OUT] is True and seen["body"] == b"" and headers["connection"] == "close"


def test_a_request_without_a_body_does_not_wait_for_one():
    app, seen = recorder()
    bridge = Bridge(app, body_timeout=5, max_body=100)
    protocol = Protocol([b"never read"], pause=10)
    status, _, body = serve(bridge, Scope("GET", "/", {}), protocol)
    assert (status, body, seen["body"], protocol.read) == (200, b"ok", b"", 0)


def test_an_exception_that_escapes_the_app_is_a_500_not_a_dead_worker():
    def app(environ, start_response):
        raise RuntimeError("boom")

    bridge = Bridge(app, body_timeout=5, max_body=100)
    status, headers, body = serve(bridge, Scope("GET", "/", {}), Protocol([]))
    assert status == 500 and body == b"Internal server error\n"


def test_the_watchdog_ends_a_worker_whose_request_hangs():
    hung = threading.Event()

    def slow(environ, start_response):
        hung.wait(3)
        start_response("200 OK", [])
        return [b""]

    bridge = Bridge(slow, body_timeout=5, max_body=100, request_timeout=0.5, on_hung=hung.set)
    start = time.monotonic()
    serve(bridge, Scope("GET", "/", {}), Protocol([]))
    assert hung.is_set() and 0.5 < time.monotonic() - start < 2


@pytest.mark.parametrize("seconds", [0.2])
def test_the_watchdog_leaves_quick_requests_alone(seconds):
    hung = threading.Event()
    app, _ = recorder()
    bridge = Bridge(app, body_timeout=5, max_body=100, request_timeout=seconds, on_hung=hung.set)
    for _ in range(20):
        serve(bridge, Scope("GET", "/", {}), Protocol([]))
    time.sleep(seconds * 2)
    assert not hung.is_set()


@pytest.mark.parametrize("threads", [0, 2])
def test_a_long_request_holds_up_quick_ones_only_without_threads(threads):
    """Worksheets (`is_long`) run in the pool when there is one, and a quick request
    that arrives meanwhile is answered first; with no threads it waits its turn."""
    finished = []

    def app(environ, start_response):
        if environ["PATH_INFO"] == "/long":
            time.sleep(0.4)
        finished.append(environ["PATH_INFO"])
        start_response("200 OK", [])
        return [b""]

    bridge = Bridge(app, body_timeout=5, max_body=100, threads=threads,
                    is_long=lambda environ: environ["PATH_INFO"] == "/long")

    async def both():
        long = asyncio.ensure_future(bridge.__rsgi__(Scope("GET", "/long", {}), Protocol([])))
        await asyncio.sleep(0.05)
        await bridge.__rsgi__(Scope("GET", "/quick", {}), Protocol([]))
        await long

    run(both())
    assert finished == (["/quick", "/long"] if threads else ["/long", "/quick"])


def test_a_deferred_answer_is_sent_once_its_write_is_done_and_others_are_served_meanwhile():
    """A view may hand the bridge an answer that waits for a write (app/deferred.py, a
    recorded check): the loop serves the next request while it waits, and the answer
    keeps the view's headers with the status, body and length `finish` gives."""
    waiting: list[asyncio.Future] = []
    finished = []

    def app(environ, start_response):
        if environ["PATH_INFO"] == "/wait":
            assert deferred.can_defer(environ)
            future = asyncio.get_running_loop().create_future()
            waiting.append(future)
            marker = deferred.defer(environ, deferred.Deferred(
                future, lambda result: (201, b"stored: " + result), timeout=5, on_timeout=b"never"))
            start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "0"),
                                      ("X-From-The-View", "kept"), *marker.items()])
            return [b""]
        waiting[0].set_result(b"yes")  # what the write would do, between requests
        finished.append("/quick")
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"quick"]

    bridge = Bridge(app, body_timeout=5, max_body=100)
    slow, quick = Protocol([]), Protocol([])

    async def both():
        first = asyncio.ensure_future(bridge.__rsgi__(Scope("GET", "/wait", {}), slow))
        await asyncio.sleep(0.05)
        assert slow.response is None  # still waiting for its write
        await bridge.__rsgi__(Scope("GET", "/quick", {}), quick)
        await first

    run(both())
    status, headers, body = slow.response
    assert (status, body, finished) == (201, b"stored: yes", ["/quick"])
    assert headers["content-length"] == str(len(body)) and "Content-Length" not in headers
    assert headers["X-From-The-View"] == "kept" and headers["Content-Type"] == "text/plain"
    assert deferred.PLACEHOLDER not in headers


def test_a_deferred_answer_whose_write_never_ends_is_finished_after_its_timeout():
    never: list[asyncio.Future] = []

    def app(environ, start_response):
        never.append(asyncio.get_running_loop().create_future())
        waiting = deferred.Deferred(never[0], lambda result: (200, result), timeout=0.2,
                                    on_timeout=b"not stored")
        marker = deferred.defer(environ, waiting)
        start_response("200 OK", list(marker.items()))
        return [b""]

    start = time.monotonic()
    status, _, body = serve(Bridge(app, body_timeout=5, max_body=100), Scope("GET", "/", {}), Protocol([]))
    assert (status, body) == (200, b"not stored") and 0.2 <= time.monotonic() - start < 2
    assert never[0].cancelled()  # what waits on it (a check's write) knows to drop it


def test_an_error_page_that_took_a_deferred_answers_place_goes_out_as_it_is():
    """A hook that fails after the view deferred: Flask answers with an error page, which
    has no placeholder mark, and the bridge must not put the view's body under it."""
    def app(environ, start_response):
        done = asyncio.get_running_loop().create_future()
        done.set_result(b"never sent")
        deferred.defer(environ, deferred.Deferred(done, lambda result: (200, result), timeout=5,
                                                  on_timeout=b""))
        start_response("500 INTERNAL SERVER ERROR", [("Content-Type", "text/html")])
        return [b"<p>error page</p>"]

    status, headers, body = serve(Bridge(app, body_timeout=5, max_body=100), Scope("GET", "/", {}),
                                  Protocol([]))
    assert (status, body, headers["Content-Type"]) == (500, b"<p>error page</p>", "text/html")


def test_a_deferred_answer_that_cannot_be_finished_is_a_plain_500():
    def app(environ, start_response):
        done = asyncio.get_running_loop().create_future()
        done.set_result(None)
        marker = deferred.defer(environ, deferred.Deferred(done, lambda result: 1 / 0, timeout=5,
                                                           on_timeout=None))
        start_response("200 OK", [("Content-Type", "application/json"), *marker.items()])
        return [b""]

    status, headers, body = serve(Bridge(app, body_timeout=5, max_body=100), Scope("GET", "/", {}),
                                  Protocol([]))
    assert (status, body) == (500, b"Internal server error\n")
    assert headers["content-type"] == "text/plain; charset=utf-8" and "Content-Type" not in headers
