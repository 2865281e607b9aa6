"""Replicas behind a real proxy: two app servers started exactly as the image starts
them, Debian's nginx in front with deploy/nginx.conf (tools/proxy.py), HANDGRID_PROXIES=1.
Round-robin over both, the client's own Host in the printed links, the client's own
address whatever it claims, the app's body limit kept, and one replica killed
halfway through a load (tools/failover.py): nginx routes around it, the few errors
are counted and reported, and the load ends on the other replica."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import wsgiref.simple_server

import pytest

from app.core import codes, presets
from tests.pages import soup
from tests.test_proxies import WORKSHEET, probed, seen
from tools import failover, proxy, serving

pytestmark = pytest.mark.system

CODE_BODY = {"preset": "classic", "seed": 31337}
CODE = codes.display(codes.generated_code(presets.DEFAULT, presets.DEFAULT.sizes, 31337))
CHECK = f"/api/problems/{CODE}/check"


@pytest.fixture(scope="module")
def cluster():
    with proxy.running(2, workers=1) as running:
        yield running


def request(url: str, method: str, path: str, body: bytes | None = None, headers: dict | None = None,
            source: str | None = None) -> tuple[int, dict, bytes]:
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10,
                                            source_address=(source, 0) if source else None)
    try:
        connection.request(method, path, body, headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def api_requests(cluster) -> list[int]:
    return [replica.requests("/api/problems") for replica in cluster.replicas]


def test_requests_go_round_robin_to_both_replicas(cluster):
    before = api_requests(cluster)
    body = json.dumps(CODE_BODY).encode()
    for _ in range(20):
        assert request(cluster.url, "POST", "/api/problems", body)[0] == 201
    proxy.wait_for(lambda: sum(api_requests(cluster)) - sum(before) == 20, 5)
    served = [after - earlier for after, earlier in zip(api_requests(cluster), before, strict=True)]
    assert sorted(served) in ([10, 10], [9, 11]), served  # nginx alternates (its two workers share the state)


def test_the_printed_links_carry_the_host_the_client_asked_for_not_what_it_claims(cluster):
    headers = {"Host": "grid.school.example:8443", "X-Forwarded-Host": "evil.example",
               "X-Forwarded-Proto": "https"}
    status, _, content = request(cluster.url, "GET", WORKSHEET, headers=headers)
    assert status == 200
    section = soup(content).select_one(".ws-problem")
    assert section.select_one(".ws-qr")["aria-label"] == (
        f"QR code of http://grid.school.example:8443/p/{section['data-code']}")


def test_the_apps_own_413_answers_a_body_just_over_its_limit_and_nginx_refuses_larger(cluster):
    status, headers, content = request(cluster.url, "POST", CHECK,
                                       b"[" + b" " * 100_000 + b"]", {"Content-Type": "application/json"})
    assert status == 413
    assert json.loads(content) == {"error": "The request is too large: bodies are limited to 64 KiB."}
    status, headers, content = request(cluster.url, "POST", CHECK,
                                       b"[" + b" " * 200_000 + b"]", {"Content-Type": "application/json"})
    assert status == 413 and b"nginx" in content  # nginx's own page: the body never reached a replica


class QuietHandler(wsgiref.simple_server.WSGIRequestHandler):
    def log_message(self, *args) -> None:
        pass


def echo_app(environ, start_response):
    """The request's headers and addresses as it arrived: what nginx sent on."""
    data = json.dumps({key: value for key, value in environ.items() if isinstance(value, str)}).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


def test_nginx_passes_the_clients_address_and_the_app_trusts_only_that():
    """What nginx sends upstream, seen by a WSGI app that echoes its environ, then given to
    Handgrid's app with and without HANDGRID_PROXIES: a client on 127.0.0.2 that claims
    to be 6.6.6.6 and to have come over https is taken for 127.0.0.2 over http."""
    echo = wsgiref.simple_server.make_server("127.0.0.1", 0, echo_app, handler_class=QuietHandler)
    thread = threading.Thread(target=echo.serve_forever, daemon=True)
    thread.start()
    try:
        with proxy.nginx_in_front([f"127.0.0.1:{echo.server_port}"]) as (_, url, _):
            claims = {"Host": "grid.school.example:8443", "X-Forwarded-For": "6.6.6.6",
                      "X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"}
            status, _, content = request(url, "GET", "/test-probe", headers=claims, source="127.0.0.2")
    finally:
        echo.shutdown()
        echo.server_close()
    assert status == 200
    environ = json.loads(content)
    assert (environ["HTTP_HOST"], environ["HTTP_X_FORWARDED_FOR"], environ["HTTP_X_FORWARDED_PROTO"],
            environ["HTTP_X_FORWARDED_HOST"]) == (
        "grid.school.example:8443", "6.6.6.6, 127.0.0.2", "http", "grid.school.example:8443")
    headers = {key[5:].replace("_", "-").title(): value for key, value in environ.items()
               if key.startswith("HTTP_") and key != "HTTP_CONNECTION"}
    assert seen(probed(1), environ["REMOTE_ADDR"], headers) == {
        "remote_addr": "127.0.0.2", "scheme": "http", "host_url": "http://grid.school.example:8443/"}
    assert seen(probed(0), environ["REMOTE_ADDR"], headers)["remote_addr"] == "127.0.0.1"  # nginx's own


class DyingReplica:
    """A replica that dies mid-request, every time: it takes a request whole, then
    closes the connection without a word, as a replica killed while working would."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.address = f"127.0.0.1:{self.listener.getsockname()[1]}"
        self.received: list[str] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:  # closed: the test is over
                return
            with connection:
                data = b""
                while b"\r\n\r\n" not in data and (chunk := connection.recv(65536)):
                    data += chunk
                if data:
                    self.received.append(data.split(b" ", 1)[0].decode())

    def close(self) -> None:
        self.listener.close()


@pytest.mark.parametrize("method, answered", [("GET", 200), ("POST", 502)])
def test_a_request_a_replica_dies_on_is_retried_on_another_only_if_idempotent(method, answered):
    """nginx passes a GET the dying replica took to the live one, and answers a POST it
    took with a 502 rather than risk doing it twice; the client sees which, at once."""
    dying = DyingReplica()
    try:
        with serving.running(1, {"HANDGRID_PROXIES": "1"}) as live, \
                proxy.nginx_in_front([dying.address, live.removeprefix("http://")]) as (_, url, _):
            path, body = ("/healthz", None) if method == "GET" else ("/api/problems", json.dumps(CODE_BODY))
            for _ in range(2):  # round-robin: one of the first two requests goes to the dying replica
                status = request(url, method, path, body and body.encode())[0]
                if dying.received:
                    break
                assert status in (200, 201)  # the live replica's answer
    finally:
        dying.close()
    assert dying.received == [method]  # nothing else went to it (nginx's start sends nothing)
    assert status == answered


def test_a_replica_killed_halfway_costs_at_most_the_requests_it_held(record_property):
    seconds, clients = 6.0, 8
    with proxy.running(2, workers=1) as cluster:
        run = failover.drive(cluster, seconds, clients, kill_after=seconds / 2)
    report = run.report(2, 1, clients, seconds)
    print(report)
    record_property("failover", report)
    killed = run.killed_at
    assert killed is not None
    before = [o for o in run.outcomes if o.at < killed]
    after = [o for o in run.outcomes if o.at >= killed]
    # Both replicas served the first half, in turn.
    first, second = run.served_before_kill
    assert min(first, second) > 0.4 * (first + second), report
    # The errors: only requests the killed replica held when it died, so at most one per
    # client; only POSTs (nginx retries a GET on the other replica); all within 2 s.
    errors = run.errors()
    assert len(errors) <= clients, report
    for error in errors:
        assert (error.status, error.method) == (502, "POST") and killed <= error.at < killed + 2, report
    # The second half ran on the remaining replica alone, and every check was marked right.
    assert len(after) > 0.25 * len(before), report
    grew = [total - earlier for total, earlier in zip(run.served_in_all, run.served_before_kill, strict=True)]
    # Only the survivor's share is a sound count: the killed replica's last lines can reach
    # its log after the count at the kill was read (24 of them once, on a busy machine).
    assert grew[1] >= len(after) - len(errors) - clients, report
    assert run.outcomes[-1].at > seconds - 1
    assert all(o.status in (200, 201) for o in after if o.at > killed + 2), report
    assert run.wrong_marks == 0
