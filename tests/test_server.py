"""The production server as a school runs it: started exactly as the Docker image
starts it (`python -m app.server`, through tools/serving.py), then held to what a
classroom does to it. Idle and half-sent connections must not stall anyone,
stalled requests are dropped in bounded time, connections are capped per worker,
keep-alive works, SIGTERM lets requests in flight finish, a killed worker is
replaced, and the access log has one line per request."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from app import server as server_settings
from app.core import codes, presets
from app.core.problem import solve
from tools import serving
from tools.siege import Siege, is_open

pytestmark = pytest.mark.system

ROOT = Path(__file__).resolve().parent.parent
CODE = codes.display(codes.generated_code(presets.DEFAULT, presets.DEFAULT.sizes, 31337))
ANSWERS = json.dumps(solve(codes.load(CODE)[1]).as_lists()).encode()


class Server:
    def __init__(self, process: subprocess.Popen, url: str, log: Path) -> None:
        self.process, self.url, self.log = process, url, log
        self.port = int(url.rsplit(":", 1)[1])

    def access_lines(self) -> list[str]:
        return [line for line in self.log.read_text(errors="replace").splitlines() if ' HTTP/1.1" ' in line]

    def workers(self) -> list[int]:
        return children(self.process.pid)


@contextmanager
def running(tmp_path: Path, workers: int = 2, **settings: str):
    """The server with HANDGRID_* `settings` (names without the prefix), its
    stdout and stderr in a file; stopped (and reaped) afterwards."""
    log = tmp_path / f"server-{time.monotonic_ns()}.log"
    env = {f"HANDGRID_{name.upper()}": str(value) for name, value in settings.items()}
    with log.open("w") as out:
        process, url = serving.start(workers, env, stdout=out, stderr=subprocess.STDOUT)
    try:
        serving.wait_until_up(url + "/healthz", process)
        port = int(url.rsplit(":", 1)[1])
        # Each worker listens on a socket of its own (SO_REUSEPORT): wait for all of them.
        wait_for(lambda: len(children(process.pid)) == workers == listening(port), 10)
        yield Server(process, url, log)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return sorted(found)


def listening(port: int) -> int:
    """How many sockets listen on `port` (state 0A in /proc/net/tcp)."""
    lines = Path("/proc/net/tcp").read_text().splitlines()[1:]
    return sum(int(line.split()[1].split(":")[1], 16) == port and line.split()[3] == "0A" for line in lines)


def wait_for(condition, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.05)


# --- plain HTTP over a socket, so that a test controls every byte and every wait ------------

def request_bytes(method: str, path: str, body: bytes = b"", headers: dict | None = None) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if body or method == "POST":
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class Unanswered(ConnectionError):
    """The connection ended before a whole response; `received` bytes of it had come."""

    def __init__(self, received: int, why: str) -> None:
        super().__init__(f"closed after {received} bytes of a response ({why})")
        self.received = received


def _recv(sock: socket.socket, received: int) -> bytes:
    try:
        chunk = sock.recv(65536)
    except TimeoutError:
        raise
    except OSError as error:
        raise Unanswered(received, repr(error)) from None
    if not chunk:
        raise Unanswered(received, "end of stream")
    return chunk


def read_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """One whole response (status, headers, body), read by its Content-Length."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += _recv(sock, len(data))
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", 0))
    while len(body) < length:
        body += _recv(sock, len(head) + 4 + len(body))
    return int(status_line.split()[1]), headers, body


def closed_within(sock: socket.socket, seconds: float) -> float | None:
    """Seconds until the server closed `sock` (whatever it sent first), or None if still open."""
    start = time.monotonic()
    sock.settimeout(seconds)
    try:
        while sock.recv(65536):
            pass
    except TimeoutError:
        return None
    except ConnectionError:
        pass
    return time.monotonic() - start


def get(url: str, timeout: float = 10) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status, response.read()


def api_create_and_check(url: str) -> dict:
    """A problem made and checked through the API, all answers right."""
    created = urllib.request.Request(url + "/api/problems", data=b'{"preset": "classic", "seed": 99}',
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(created, timeout=10) as response:
        problem = json.loads(response.read())
    answers = json.dumps(solve(codes.load(problem["code"])[1]).as_lists()).encode()
    check = urllib.request.Request(f"{url}/api/problems/{problem['code']}/check", data=answers,
                                   headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(check, timeout=10) as response:
        return json.loads(response.read())


# --- slow and idle clients -------------------------------------------------------------------

@pytest.mark.alone  # a latency budget: measured with nothing else running (make test)
def test_idle_and_slowloris_connections_do_not_stall_the_server(tmp_path):
    with running(tmp_path, workers=2) as server:
        siege = Siege(server.port, idle=100, slow=20, interval=1.0)
        try:
            latencies = []
            deadline = time.monotonic() + 6
            while time.monotonic() < deadline:
                start = time.monotonic()
                assert get(server.url + "/healthz")[0] == 200
                latencies.append(time.monotonic() - start)
                time.sleep(0.01)
            checked = api_create_and_check(server.url)
            # The siege really held on throughout: every connection is still open.
            assert all(is_open(sock) for sock in siege.idle + siege.slow)
            assert siege.sent_lines >= 20 * 4 and siege.dropped == 0
        finally:
            siege.close()
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99)]
    assert len(latencies) > 100 and p99 < 0.100, f"p99 {p99 * 1000:.1f} ms over {len(latencies)} requests"
    assert checked["score"]["correct"] == checked["score"]["total"] == 36


def test_stalled_headers_and_bodies_are_dropped_in_bounded_time(tmp_path):
    with running(tmp_path, workers=1, client_timeout=2, body_timeout=2) as server:
        siege = Siege(server.port, idle=1, slow=1, interval=0.4)
        body = socket.create_connection(("127.0.0.1", server.port))
        body.sendall(request_bytes("POST", "/api/problems", b'{"preset": "classic"}',
                                   {"Content-Type": "application/json"})[:-10])
        started = time.monotonic()
        try:
            status, headers, message = read_response(body)
            answered = time.monotonic() - started
            assert get(server.url + "/healthz")[0] == 200  # the worker was never held
            idle_closed = closed_within(siege.idle[0], 5)
            slow_closed = closed_within(siege.slow[0], 5)
            body_closed = closed_within(body, 5)
        finally:
            siege.close()
            body.close()
    assert status == 408 and headers["connection"] == "close"
    assert json.loads(message) == {"error": "The request took too long to arrive; please try again."}
    assert 1.5 < answered < 3.5, answered
    assert body_closed is not None and body_closed < 1, "closed right after the 408"
    # Both were opened about when the body stalled; the server gave each about 2 s.
    assert idle_closed is not None and slow_closed is not None, "a stalled connection stayed open"
    assert answered + idle_closed < 4 and answered + slow_closed < 4


def status_of(port: int, head: bytes, pause: float = 0) -> int:
    """The status the server answers `head` with, sent in 16 KiB pieces `pause` s
    apart (a slow client growing a request head) until the server answers."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        try:
            for start in range(0, len(head), 16 * 1024):
                sock.sendall(head[start:start + 16 * 1024])
                time.sleep(pause)
        except ConnectionError:
            pass  # it answered and closed before the rest was sent
        return read_response(sock)[0]


def test_oversized_request_heads_are_refused_before_they_are_read_whole(tmp_path):
    """A request line over 64 KiB is refused, more than 100 headers is a 431, and so
    is a head (request line and headers) that grows past server.MAX_HEADER_BYTES,
    however slowly it comes: hyper checks on each read, so at most one more read's
    worth comes in first."""
    cap = server_settings.MAX_HEADER_BYTES
    with running(tmp_path, workers=1) as server:
        long_line = request_bytes("GET", "/healthz?" + "a" * 70_000)
        many = request_bytes("GET", "/healthz", headers={f"X-{n}": "1" for n in range(101)})
        # 4 × the cap: under hyper's own default (408 KiB), so only our cap refuses it.
        huge = request_bytes("GET", "/healthz", headers={"X-Big": "a" * (4 * cap)})
        statuses = [status_of(server.port, long_line), status_of(server.port, many),
                    status_of(server.port, huge, pause=0.02)]
        fine = status_of(server.port, request_bytes("GET", "/healthz", headers={"X-Big": "a" * 8000}))
    # The long request line is refused as too long (414) or as too big a head (431),
    # by whether it was whole or still coming in when hyper looked.
    assert statuses[0] in (414, 431) and statuses[1:] == [431, 431] and fine == 200, statuses


@pytest.mark.parametrize("cap, held", [(3, True), (4, False)])
def test_open_connections_per_worker_are_capped(tmp_path, cap, held):
    """With HANDGRID_MAX_CONNECTIONS=3 and 3 idle connections, a 4th waits in the
    listen queue until an idle one is dropped; with a cap of 4 it is served at once."""
    with running(tmp_path, workers=1, max_connections=cap, client_timeout=3) as server:
        time.sleep(3.5)  # wait_until_up's own connections are gone
        idle = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(3)]
        try:
            time.sleep(0.3)
            start = time.monotonic()
            assert get(server.url + "/healthz")[0] == 200
            waited = time.monotonic() - start
        finally:
            for sock in idle:
                sock.close()
    assert (waited > 2) == held, f"served after {waited:.2f} s with a cap of {cap}"


def test_keep_alive_serves_two_requests_on_one_connection_then_closes_when_idle(tmp_path):
    with running(tmp_path, workers=1, client_timeout=2) as server:
        sock = socket.create_connection(("127.0.0.1", server.port))
        try:
            sock.sendall(request_bytes("GET", "/healthz"))
            first = read_response(sock)
            sock.sendall(request_bytes("POST", f"/api/problems/{CODE}/check", ANSWERS,
                                       {"Content-Type": "application/json"}))
            second = read_response(sock)
            idle_closed = closed_within(sock, 5)
        finally:
            sock.close()
    assert first[0] == 200 and json.loads(first[2]) == {"status": "ok"}
    assert "close" not in first[1].get("connection", "")
    assert second[0] == 200 and json.loads(second[2])["score"]["correct"] == 36
    assert idle_closed is not None and 1.5 < idle_closed < 3.5, idle_closed


# --- stopping and dying ----------------------------------------------------------------------

class Load:
    """Clients checking answers in a loop over keep-alive connections, each
    recording what happened to every request it sent."""

    def __init__(self, port: int, clients: int) -> None:
        self.port, self.stop = port, threading.Event()
        self.outcomes: list[list[str]] = [[] for _ in range(clients)]
        self.ports: list[int | None] = [None] * clients  # each client's current local port
        self.threads = [threading.Thread(target=self._run, args=(n,), daemon=True) for n in range(clients)]
        for thread in self.threads:
            thread.start()

    def _run(self, n: int) -> None:
        sock = None
        while not self.stop.is_set():
            try:
                if sock is None:
                    sock = socket.create_connection(("127.0.0.1", self.port), timeout=10)
                    self.ports[n] = sock.getsockname()[1]
                sock.sendall(request_bytes("POST", f"/api/problems/{CODE}/check", ANSWERS,
                                           {"Content-Type": "application/json"}))
            except ConnectionRefusedError:
                self.outcomes[n].append("refused")
                sock = None
                time.sleep(0.05)
                continue
            except OSError:
                self.outcomes[n].append("not sent")
                sock = None
                continue
            try:
                status, _, body = read_response(sock)
            except Unanswered as error:
                # Nothing of a response at all: the server had not begun it (see the tests).
                self.outcomes[n].append("cut" if error.received else "no answer")
                sock.close()
                sock = None
                continue
            except TimeoutError:
                self.outcomes[n].append("timeout")
                sock.close()
                sock = None
                continue
            ok = status == 200 and json.loads(body)["score"]["correct"] == 36
            self.outcomes[n].append("ok" if ok else f"status {status}")
        if sock is not None:
            sock.close()

    def finish(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=15)

    def count(self, outcome: str, clients=None) -> int:
        chosen = range(len(self.outcomes)) if clients is None else clients
        return sum(self.outcomes[n].count(outcome) for n in chosen)


def test_sigterm_finishes_the_requests_in_flight_and_exits_within_10_seconds(tmp_path):
    with running(tmp_path, workers=2) as server:
        worksheets, results = 3, []

        def fetch_worksheet(seed: int) -> None:
            path = (f"/worksheet?preset=classic&problems=6&versions=30&notation=grid&title=&instructions="
                    f"&paper=a4&key=end&duplex=off&gen=1&seed={seed}")  # canonical: no redirect
            try:
                status, page = get(server.url + path, timeout=30)
                results.append((status, page.rstrip().endswith(b"</html>")))
            except OSError as error:
                results.append((repr(error), False))

        load = Load(server.port, clients=8)
        time.sleep(1.0)
        slow = [threading.Thread(target=fetch_worksheet, args=(seed,)) for seed in range(worksheets)]
        for thread in slow:
            thread.start()
        time.sleep(0.3)  # the worksheets are being drawn (each takes most of a second)
        stopped = time.monotonic()
        server.process.send_signal(signal.SIGTERM)
        server.process.wait(timeout=15)
        took = time.monotonic() - stopped
        load.finish()
        for thread in slow:
            thread.join()
        answered = len([line for line in server.access_lines() if "/healthz" not in line])
    exit_code = server.process.returncode
    assert exit_code == 0 and took < 10, f"exit {exit_code} after {took:.1f} s"
    assert results == [(200, True)] * worksheets, results
    # Every request the server began was answered in full: as many complete, right
    # answers reached the clients as the server logged (a request cut off midway, or
    # begun and dropped, would break the equality). Requests refused or closed
    # unanswered after the stop were never begun, and are only reported.
    assert load.count("cut") == load.count("timeout") == 0
    assert not any(outcome.startswith("status") for outcomes in load.outcomes for outcome in outcomes)
    received = load.count("ok") + worksheets
    assert received == answered, (received, answered)
    assert load.count("ok") > 100
    print(f"SIGTERM: exit after {took:.2f} s; {load.count('ok')} checks answered, "
          f"{load.count('no answer')} closed unanswered, {load.count('refused')} refused")


def server_sockets(pid: int) -> set[int]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(int(target[8:-1]))
    return inodes


def connection_inode(server_port: int, client_port: int) -> int | None:
    """The inode of the server's end of the loopback connection from `client_port`."""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote = fields[1], fields[2]
        if int(local.split(":")[1], 16) == server_port and int(remote.split(":")[1], 16) == client_port:
            return int(fields[9])
    return None


MIGRATE = Path("/proc/sys/net/ipv4/tcp_migrate_req")


@contextmanager
def tcp_migrate_req(value: str):
    """Linux's net.ipv4.tcp_migrate_req, set for the test and restored after (root only)."""
    before = MIGRATE.read_text().strip()
    try:
        MIGRATE.write_text(value)
    except OSError as error:
        pytest.fail(f"run the tests as root (as `make test` does): setting {MIGRATE} failed: {error}")
    try:
        yield
    finally:
        MIGRATE.write_text(before)


@pytest.mark.parametrize("migrate, most", [("1", 1), ("0", 2)])
def test_a_killed_worker_is_replaced_and_only_its_requests_fail(tmp_path, migrate, most):
    """Each worker has its own listening socket (SO_REUSEPORT). A client of the
    killed worker loses the request it had in flight; with tcp_migrate_req on (as
    the README advises) that is all, since connections queued to the dead socket
    move to a live one; with it off, a client that reconnects at once may land in
    the dead socket's queue and lose one more. Clients of the other worker lose nothing."""
    with tcp_migrate_req(migrate), running(tmp_path, workers=2) as server:
        load = Load(server.port, clients=8)
        time.sleep(1.5)
        workers = server.workers()
        # Which worker holds each client's connection, read from /proc.
        owner = {}
        for n, port in enumerate(load.ports):
            inode = connection_inode(server.port, port)
            owner[n] = next((pid for pid in workers if inode in server_sockets(pid)), None)
        victim = workers[0]
        before = [len(outcomes) for outcomes in load.outcomes]
        os.kill(victim, signal.SIGKILL)
        wait_for(lambda: len(server.workers()) == 2 and victim not in server.workers(), 10)
        time.sleep(1.5)
        load.finish()
        assert get(server.url + "/healthz")[0] == 200
    assert None not in owner.values(), owner
    victims = [n for n in owner if owner[n] == victim]
    survivors = [n for n in owner if owner[n] != victim]
    assert victims and survivors, f"the clients all went to one worker: {owner}"
    after = [load.outcomes[n][before[n]:] for n in range(len(load.outcomes))]
    for n in survivors:
        assert set(after[n]) == {"ok"}, f"client {n} on the surviving worker: {after[n][:10]}"
    for n in victims:
        failures = [outcome for outcome in after[n] if outcome != "ok"]
        assert len(failures) <= most and set(failures) <= {"no answer", "not sent"}, f"client {n}: {failures}"
        assert after[n][-1] == "ok", f"client {n} was not served again: {after[n][-5:]}"


# --- the access log and the settings ----------------------------------------------------------

ACCESS_LINE = re.compile(
    r'^127\.0\.0\.1 - - \[\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\] '
    r'"(?P<method>[A-Z]+) (?P<target>\S+) HTTP/1\.1" (?P<status>\d{3}) - '
    r'"(?P<referer>[^"]*)" "(?P<agent>[^"]*)"$')


def test_the_access_log_has_one_combined_format_line_per_request_on_stdout(tmp_path):
    requests = [("GET", "/healthz", 200), ("GET", f"/p/{CODE}?view=numpy", 200), ("GET", "/nowhere", 404),
                ("POST", f"/api/problems/{CODE}/check", 200), ("GET", "/static/handgrid.css", 200),
                ("POST", "/api/problems", 400)]
    with running(tmp_path, workers=2) as server:
        sock = socket.create_connection(("127.0.0.1", server.port))
        for method, path, _ in requests:
            body = ANSWERS if path.endswith("/check") else (b"[]" if method == "POST" else b"")
            sock.sendall(request_bytes(method, path, body, {"Referer": "http://school.example/",
                                                            "User-Agent": "pytest"}))
            read_response(sock)
        sock.close()
        wait_for(lambda: len(server.access_lines()) >= len(requests) + 1, 5)
        lines = server.access_lines()
    assert len(lines) == len(requests) + 1  # and wait_until_up's /healthz
    for line, (method, path, status) in zip(lines[1:], requests, strict=True):
        match = ACCESS_LINE.match(line)
        assert match, line
        assert (match["method"], match["target"], int(match["status"])) == (method, path, status)
        assert (match["referer"], match["agent"]) == ("http://school.example/", "pytest")


def test_every_server_setting_is_in_the_readme_table_and_in_help():
    readme = (ROOT / "README.md").read_text()
    rows = dict(re.findall(r"^\| `(HANDGRID_[A-Z_]+)` \| .*? \| (.*) \|$", readme, re.M))
    help_text = subprocess.run([serving.COMMAND[0], "-m", "app.server", "--help"], cwd=ROOT,
                               capture_output=True, text=True, timeout=30).stdout
    for setting in server_settings.SETTINGS:
        documented = rows.get(setting.name)
        assert documented == setting.help, f"{setting.name}: the README says {documented!r}"
        assert f"{setting.name} (default {setting.default}): {setting.help}" in help_text
        if setting.name != "HANDGRID_WORKERS":  # its default is the machine's
            assert f"| `{setting.name}` | `{setting.default}` |" in readme


def test_a_bad_setting_stops_the_server_with_a_message(tmp_path):
    env = {**os.environ, "HANDGRID_CLIENT_TIMEOUT": "600", "HANDGRID_BIND": "127.0.0.1:1"}
    result = subprocess.run(serving.COMMAND, cwd=ROOT, env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode != 0
    assert "HANDGRID_CLIENT_TIMEOUT='600': must be from 1 to 60" in result.stderr


def test_workers_end_when_the_main_process_is_killed(tmp_path):
    """A SIGKILLed main process (the OOM killer, say) takes its workers with it,
    instead of leaving orphans that keep serving the port."""
    with running(tmp_path, workers=2) as server:
        workers = server.workers()
        server.process.kill()
        server.process.wait(timeout=10)
        wait_for(lambda: not any(Path(f"/proc/{pid}").exists() and not zombie(pid) for pid in workers), 10)
        with pytest.raises(OSError):
            get(server.url + "/healthz", timeout=2)


def zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return False
