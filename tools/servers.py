"""`make compare-servers`: the production servers Handgrid could run on, side by side.

    make compare-servers             # the run whose table is in docs/operations.md
    .venv/bin/python tools/servers.py --help

Each candidate serves the same app with 2 workers on its own loopback port, all
of them started at once and measured in turn, in interleaved rounds, so that a
noisy moment of this shared machine hits them alike:

1. throughput with wrk (16 keep-alive connections; a server that closes each
   connection makes wrk reconnect): /healthz, an API check, a practice page;
2. a class at work: API checks (8 connections) while 60-version worksheets
   (a second or two each) are drawn one after another beside them: the checks'
   throughput and p99 show whether one long request holds up the quick ones;
3. the siege: 100 idle connections and 20 slowloris ones (a header line every
   second, never finished) held open while /healthz is asked in a loop over
   fresh connections: its p99 and how many asks failed (2 s timeout);
4. a stalled body: a POST whose body stops halfway; how long until the server
   drops it (up to --stall seconds).

Candidates: gunicorn with sync workers (Handgrid's server until 2026-12), gunicorn
with gevent workers, granian's own WSGI interface, granian's ASGI interface with
a2wsgi, and what Handgrid runs: granian's RSGI interface with app/rsgi.py's
bridge, with every request on the worker's own thread, and with the long ones
(worksheets) in 4 threads per worker (the default).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools import bench, serving  # noqa: E402
from tools.siege import Siege  # noqa: E402

BIN = Path(sys.executable).parent
# The same limits for every candidate where it has them: 15 s for a request's
# headers (and an idle keep-alive connection), 30 s for a worker's request.
GUNICORN = [str(BIN / "gunicorn"), "--workers", "2", "--access-logfile", "-", "--timeout", "30",
            "--worker-tmp-dir", "/dev/shm", "--no-control-socket"]
GRANIAN = [sys.executable, "-m", "granian", "--workers", "2", "--http", "1", "--no-ws", "--access-log",
           "--http1-header-read-timeout", "15000", "--respawn-failed-workers"]


@dataclass
class Candidate:
    name: str
    argv: list[str]  # "{port}" is replaced by the candidate's port
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen | None = None
    url: str = ""

    def start(self) -> None:
        port = serving.free_port()
        argv = [arg.replace("{port}", str(port)) for arg in self.argv]
        env = {**os.environ, **{k: v.replace("{port}", str(port)) for k, v in self.env.items()}}
        # A session of its own, so that stop() can end every process of it, however it behaves.
        self.process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, start_new_session=True)
        self.url = f"http://127.0.0.1:{port}"
        serving.wait_until_up(self.url + "/healthz", self.process, 30)

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)  # workers left behind, if any
        except ProcessLookupError:
            pass
        self.process.wait()


CANDIDATES = {
    "sync": Candidate("gunicorn sync", [*GUNICORN, "--bind", "127.0.0.1:{port}", "app:create_app()"]),
    "gevent": Candidate("gunicorn gevent", [
        *GUNICORN, "--worker-class", "gevent", "--worker-connections", "1000", "--keep-alive", "15",
        "--bind", "127.0.0.1:{port}", "app:create_app()"]),
    "wsgi": Candidate("granian WSGI", [
        *GRANIAN, "--interface", "wsgi", "--factory", "--port", "{port}", "app:create_app"]),
    "asgi": Candidate("granian ASGI + a2wsgi", [
        *GRANIAN, "--interface", "asginl", "--factory", "--port", "{port}", "tools.servers:a2wsgi_app"]),
    "rsgi-0": Candidate("granian RSGI, no threads", serving.COMMAND, {
        "HANDGRID_BIND": "127.0.0.1:{port}", "HANDGRID_WORKERS": "2", "HANDGRID_THREADS": "0"}),
    "rsgi": Candidate("granian RSGI, 4 threads for long requests (Handgrid)", serving.COMMAND, {
        "HANDGRID_BIND": "127.0.0.1:{port}", "HANDGRID_WORKERS": "2", "HANDGRID_THREADS": "4"}),
}


def a2wsgi_app():
    """The app under a2wsgi's WSGI-in-ASGI adapter (the ASGI candidate)."""
    from a2wsgi import WSGIMiddleware

    from app import create_app
    return WSGIMiddleware(create_app())


def worksheets_beside(url: str, stop: threading.Event, drawn: list[float]) -> None:
    path = bench.WORKSHEET.format(versions=60)
    while not stop.is_set():
        start = time.monotonic()
        try:
            with urllib.request.urlopen(url + path, timeout=60) as response:
                response.read()
            drawn.append(time.monotonic() - start)
        except OSError:
            drawn.append(float("nan"))


def class_at_work(url: str, seconds: float) -> dict:
    check = bench.requests_to_measure()["API check"]
    stop, drawn = threading.Event(), []
    thread = threading.Thread(target=worksheets_beside, args=(url, stop, drawn), daemon=True)
    thread.start()
    time.sleep(0.2)
    try:
        found = bench.wrk(url, check, seconds, 8)
    finally:
        stop.set()
        thread.join()
    found["worksheets"] = len(drawn)
    return found


def siege(url: str, seconds: float) -> dict:
    port = int(url.rsplit(":", 1)[1])
    held = Siege(port, idle=100, slow=20, interval=1.0)
    times, failed = [], 0
    try:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            start = time.monotonic()
            try:
                with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                    response.read()
                times.append(time.monotonic() - start)
            except OSError:
                failed += 1
            time.sleep(0.01)
    finally:
        held.close()
    times.sort()
    p99 = times[int(len(times) * 0.99)] * 1000 if times else float("nan")
    return {"asked": len(times) + failed, "failed": failed, "p99_ms": p99}


def stalled_body(url: str, limit: float) -> float | None:
    """Seconds until the server answers or drops a POST whose body stops halfway, or None."""
    port = int(url.rsplit(":", 1)[1])
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(b"POST /api/problems HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                 b"Content-Length: 40\r\n\r\n{\"preset\": ")
    start = time.monotonic()
    sock.settimeout(limit)
    try:
        sock.recv(1024)
        return time.monotonic() - start
    except TimeoutError:
        return None
    except OSError:
        return time.monotonic() - start
    finally:
        sock.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=3, help="length of one wrk round (3)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (3)")
    parser.add_argument("--siege-seconds", type=float, default=5, help="length of the siege (5)")
    parser.add_argument("--stall", type=float, default=40, help="longest wait for a stalled body (40)")
    parser.add_argument("--only", help=f"candidates to run, comma-separated: {','.join(CANDIDATES)} (all)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    names = args.only.split(",") if args.only else list(CANDIDATES)
    chosen = [CANDIDATES[name] for name in names]
    print(f"Handgrid's server candidates, {time.strftime('%Y-%m-%d')}, {bench.machine()}")
    plan = bench.requests_to_measure()
    routes = {"/healthz": plan["GET /healthz"], "API check": plan["API check"],
              "practice page": plan["practice page"]}
    rps: dict[str, dict[str, list[float]]] = {c.name: {r: [] for r in routes} for c in chosen}
    mixed: dict[str, list[dict]] = {c.name: [] for c in chosen}
    errors = {c.name: 0 for c in chosen}
    try:
        for candidate in chosen:
            candidate.start()
            for request in routes.values():  # warm every worker's caches
                bench.wrk(candidate.url, request, 1, 16)
        for _ in range(args.rounds):
            for candidate in chosen:
                for route, request in routes.items():
                    found = bench.wrk(candidate.url, request, args.seconds, 16)
                    rps[candidate.name][route].append(found["rps"])
                    errors[candidate.name] += found["errors"]
                busy = class_at_work(candidate.url, args.seconds)
                mixed[candidate.name].append(busy)
                errors[candidate.name] += busy["errors"]
        sieges = {c.name: siege(c.url, args.siege_seconds) for c in chosen}
        stalls = {c.name: stalled_body(c.url, args.stall) for c in chosen}
        alive = {c.name: c.process.poll() is None for c in chosen}
    finally:
        for candidate in chosen:
            candidate.stop()

    rows = []
    figures = {}
    for candidate in chosen:
        name = candidate.name
        medians = {route: statistics.median(values) for route, values in rps[name].items()}
        busy = max(mixed[name], key=lambda r: r["rps"])
        held = sieges[name]
        stall = stalls[name]
        figures[name] = {"rps": medians, "class_at_work": busy, "siege": held, "stalled_body_s": stall,
                         "alive": alive[name]}
        rows.append([name, *(f"{medians[r]:.0f}" for r in routes),
                     f"{busy['rps']:.0f}", f"{busy['p99_us'] / 1000:.0f}",
                     f"{held['p99_ms']:.0f}", f"{held['failed']} of {held['asked']}",
                     f"{stall:.0f} s" if stall is not None else f"> {args.stall:.0f} s", errors[name]])
    bench.table(["server", *(f"{r} req/s" for r in routes), "checks beside worksheets req/s", "their p99 ms",
                 "/healthz under siege p99 ms", "failed", "stalled body dropped after", "wrk errors"], rows)
    print("\n(throughput: median of the rounds; beside worksheets: the best round)")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, default=str) + "\n")
    # A candidate's own errors are its figures (the table shows them); only Handgrid's fail the run.
    ours = [c.name for c in chosen if c.argv == serving.COMMAND]
    return 0 if all(errors[name] == 0 and alive[name] for name in ours) else 1


if __name__ == "__main__":
    sys.exit(main())
