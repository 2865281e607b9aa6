"""Load through nginx onto two replicas, one of them killed halfway (SIGKILL to its
whole process group, as a crashed container goes): does the proxy route around it,
how many requests fail, and does the load end on the remaining replica?

    python tools/failover.py [--seconds 8] [--clients 8]

Each client keeps one keep-alive connection to nginx and loops over today's
stateless API: create a problem (POST), read its solution (GET), check the
solution (POST: every cell must come back correct), and every tenth turn a
worksheet page (GET). tests/test_replicas.py runs a short run and holds it to
its bounds; this prints the same report.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

if __name__ == "__main__":  # run as a script: the repository's root on the path
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tools import proxy

WORKSHEET = ("/worksheet?preset=gentle&problems=2&versions=2&notation=grid&title=&instructions="
             "&paper=a4&key=end&duplex=off&gen=1&seed={seed}")


SHOWN = 20  # errors listed one by one in the report


@dataclass
class Outcome:
    at: float  # seconds from the start, when the answer (or the failure) came
    method: str
    kind: str
    status: int  # 0: no HTTP answer at all
    detail: str = ""


@dataclass
class Run:
    outcomes: list[Outcome] = field(default_factory=list)
    killed_at: float | None = None
    served_before_kill: list[int] = field(default_factory=list)  # per replica, from their access logs
    served_in_all: list[int] = field(default_factory=list)
    wrong_marks: int = 0  # checks of a right answer that came back with a cell not correct
    lock: threading.Lock = field(default_factory=threading.Lock)

    def errors(self) -> list[Outcome]:
        expected = {"create": 201}
        return [o for o in self.outcomes if o.status != expected.get(o.kind, 200)]

    def report(self, replicas: int, workers: int, clients: int, seconds: float) -> str:
        killed = self.killed_at or 0
        before = sum(o.at < killed for o in self.outcomes)
        lines = [f"{replicas} replicas of {workers} worker(s) behind nginx, {clients} clients, "
                 f"{seconds:.1f} s, replica 1 killed at {killed:.1f} s",
                 f"requests answered: {len(self.outcomes)} ({before} before the kill, "
                 f"{len(self.outcomes) - before} after)",
                 "served by each replica (access logs): before the kill "
                 + ", ".join(map(str, self.served_before_kill))
                 + "; in all " + ", ".join(map(str, self.served_in_all)),
                 f"errors: {len(self.errors())}"]
        for error in self.errors()[:SHOWN]:
            lines.append(f"  {error.at - killed:+.3f} s from the kill: {error.method} {error.kind} -> "
                         f"{error.status or 'no answer'} {error.detail}")
        if len(self.errors()) > SHOWN:
            lines.append(f"  and {len(self.errors()) - SHOWN} more")
        lines.append(f"checks with a wrong mark: {self.wrong_marks}")
        return "\n".join(lines)


class Client(threading.Thread):
    def __init__(self, run: Run, host: str, port: int, start: float, until: float, seed: int) -> None:
        super().__init__(daemon=True)
        self.run_, self.host, self.port, self.start_, self.until = run, host, port, start, until
        self.random = random.Random(seed)
        self.connection: http.client.HTTPConnection | None = None

    def request(self, method: str, kind: str, path: str, body: object = None) -> tuple[int, bytes]:
        data = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"} if data is not None else {}
        try:
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=15)
            self.connection.request(method, path, data, headers)
            response = self.connection.getresponse()
            status, content = response.status, response.read()
            if response.will_close:
                self.connection.close()
                self.connection = None
        except (OSError, http.client.HTTPException) as error:
            if self.connection is not None:
                self.connection.close()
            self.connection = None
            status, content = 0, repr(error).encode()
        with self.run_.lock:
            detail = "" if status in (200, 201) else " ".join(content.decode(errors="replace").split())[:90]
            self.run_.outcomes.append(Outcome(time.monotonic() - self.start_, method, kind, status, detail))
        return status, content

    def run(self) -> None:
        turn = 0
        while time.monotonic() < self.until:
            turn += 1
            seed = self.random.randrange(1 << 20)  # within every code's range
            if turn % 10 == 0:
                self.request("GET", "worksheet", WORKSHEET.format(seed=seed))
                continue
            preset = self.random.choice(["gentle", "classic"])
            body = {"preset": preset, "seed": seed}
            status, content = self.request("POST", "create", "/api/problems", body)
            if status != 201:
                continue
            code = json.loads(content)["code"]
            status, content = self.request("GET", "solution", f"/api/problems/{code}/solution")
            if status != 200:
                continue
            answers = json.loads(content)
            status, content = self.request("POST", "check", f"/api/problems/{code}/check", answers)
            if status == 200:
                score = json.loads(content)["score"]
                if score["correct"] != score["total"]:
                    with self.run_.lock:
                        self.run_.wrong_marks += 1
        if self.connection is not None:
            self.connection.close()


def drive(cluster: proxy.Cluster, seconds: float, clients: int, kill_after: float) -> Run:
    """`clients` threads for `seconds` through the proxy; replica 1 killed after `kill_after` s."""
    run = Run()
    host, port = cluster.url.removeprefix("http://").split(":")
    start = time.monotonic()
    threads = [Client(run, host, int(port), start, start + seconds, seed) for seed in range(clients)]
    for thread in threads:
        thread.start()
    time.sleep(max(0.0, start + kill_after - time.monotonic()))
    run.served_before_kill = [replica.requests("/api/") + replica.requests("/worksheet")
                              for replica in cluster.replicas]
    run.killed_at = time.monotonic() - start
    cluster.replicas[0].kill()
    for thread in threads:
        thread.join(timeout=seconds + 30)
    time.sleep(0.3)  # the survivor's access log is written as each answer goes out
    run.served_in_all = [replica.requests("/api/") + replica.requests("/worksheet")
                         for replica in cluster.replicas]
    return run


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=1, help="worker processes per replica")
    options = parser.parse_args(argv)
    with proxy.running(2, options.workers) as cluster:
        run = drive(cluster, options.seconds, options.clients, options.seconds / 2)
    print(run.report(2, options.workers, options.clients, options.seconds))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
