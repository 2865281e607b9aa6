"""A class at work against the real server: students join and check at once.

    make loadtest                          # runs this after tools/loadtest.py
    .venv/bin/python tools/classload.py --help

Each simulated student is a thread with its own keep-alive connection: it
joins the class (POST /api/classes/<join code>/students), then sends its
checks (POST /api/problems/<code>/check with its Bearer token), round its
problems, some with a slip in them. Every answer is counted: an error is any
status but 200/201, any "recorded": false while the class is open, or a
connection that fails. Afterwards the teacher's results must hold, for every
student and problem, at least as many checks as were acknowledged (exactly as
many when nothing was interrupted).

With --kill, the server is killed with SIGKILL (main process and workers, as a
crash or a power cut would leave them) once a third of the checks have been
acknowledged, started again on the same database, and every acknowledged check
must be in its results: a 2xx is a promise that the check is on disk.

The server runs as `make run` runs it (tools/serving.py), with HANDGRID_WORKERS
workers (2), its logs kept in a file that must not say "database is locked" or
show a traceback. Traffic goes to 127.0.0.1 only; every loop is bounded.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.core import codes  # noqa: E402
from app.core.problem import ANSWER_NAMES, solve  # noqa: E402
from tools import serving  # noqa: E402

BAD_LOG_LINES = ("database is locked", "Traceback", "[ERROR]")


@dataclass
class Outcome:
    """What the students saw."""

    acknowledged: Counter = field(default_factory=Counter)  # (student_id, code) -> checks answered 200
    errors: list[str] = field(default_factory=list)
    interrupted: int = 0  # requests that got no answer (the server was killed)
    joined: int = 0
    seconds: float = 0.0

    @property
    def checks(self) -> int:
        return sum(self.acknowledged.values())


class Client:
    """One keep-alive connection to the server, JSON in and out."""

    def __init__(self, url: str, timeout: float = 30) -> None:
        parts = urlsplit(url)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)

    def send(self, method: str, path: str, body: object = None,
             token: str | None = None) -> tuple[int, object]:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.connection.request(method, path, None if body is None else json.dumps(body), headers)
        response = self.connection.getresponse()
        data = response.read()
        is_json = response.getheader("Content-Type", "").startswith("application/json")
        return response.status, json.loads(data) if is_json and data else data

    def close(self) -> None:
        self.connection.close()


def make_class(url: str, name: str = "Load test", problems: int = 2) -> dict:
    client = Client(url)
    try:
        status, made = client.send("POST", "/api/classes", {"name": name, "preset": "classic",
                                                            "problems": problems})
    finally:
        client.close()
    if status != 201:
        raise RuntimeError(f"making the class answered {status}: {made!r}")
    return made  # type: ignore[return-value]


def _answers(code: str, rng: random.Random) -> dict:
    """The solution, with a slip in one cell a third of the time."""
    rows = solve(codes.load(code).problem).as_lists()
    if rng.random() < 1 / 3:
        name = rng.choice(ANSWER_NAMES)
        i, j = rng.randrange(len(rows[name])), rng.randrange(len(rows[name][0]))
        rows[name][i][j] += rng.choice((-2, -1, 1, 2))
    return rows


def _student(url: str, join_code: str, number: int, checks: int, outcome: Outcome, lock: threading.Lock,
             students: dict, start: threading.Barrier) -> None:
    rng = random.Random(number)
    client = Client(url)
    try:
        start.wait()
        status, joined = client.send("POST", f"/api/classes/{join_code}/students",
                                     {"name": f"Student {number}"})
        if status != 201:
            with lock:
                outcome.errors.append(f"student {number}: joining answered {status}: {joined!r}"[:300])
            return
        with lock:
            outcome.joined += 1
            students[joined["student_id"]] = joined
        mine = [problem["code"] for problem in joined["problems"]]
        for k in range(checks):
            code = mine[k % len(mine)]
            status, answer = client.send("POST", f"/api/problems/{code}/check", _answers(code, rng),
                                         joined["student_token"])
            with lock:
                if status == 200 and isinstance(answer, dict) and answer.get("recorded") is True:
                    outcome.acknowledged[joined["student_id"], code] += 1
                else:
                    outcome.errors.append(f"student {number}, check {k}: {status}: {answer!r}"[:300])
    except (OSError, http.client.HTTPException):
        with lock:
            outcome.interrupted += 1
    finally:
        client.close()


def run(url: str, join_code: str, students: int, checks: int, known: dict | None = None) -> Outcome:
    """`students` threads, each joining and sending `checks` checks; `known`
    collects each joined student's answer (id, token, problems) by id."""
    outcome, lock, known = Outcome(), threading.Lock(), {} if known is None else known
    start = threading.Barrier(students)
    threads = [threading.Thread(target=_student, daemon=True,
                                args=(url, join_code, n, checks, outcome, lock, known, start))
               for n in range(1, students + 1)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    outcome.seconds = time.monotonic() - began
    return outcome


def results(url: str, made: dict) -> dict:
    client = Client(url)
    try:
        status, body = client.send("GET", f"/api/classes/{made['id']}/results", token=made["teacher_token"])
    finally:
        client.close()
    if status != 200:
        raise RuntimeError(f"results answered {status}")
    return body  # type: ignore[return-value]


def missing(found: dict, outcome: Outcome, exact: bool) -> list[str]:
    """Every (student, problem) whose stored checks fall short of those acknowledged
    (or, when `exact`, differ from them)."""
    stored = {(student["student_id"], problem["code"]): problem["checks"]
              for student in found["students"] for problem in student["problems"]}
    wrong = []
    for key, acknowledged in sorted(outcome.acknowledged.items()):
        have = stored.get(key, 0)
        if have < acknowledged or (exact and have != acknowledged):
            wrong.append(f"{key}: {acknowledged} acknowledged, {have} stored")
    if exact and sum(stored.values()) != outcome.checks:
        wrong.append(f"{sum(stored.values())} checks stored, {outcome.checks} acknowledged")
    return wrong


def bad_log_lines(log: Path) -> list[str]:
    return [line for line in log.read_text(errors="replace").splitlines()
            if any(bad in line for bad in BAD_LOG_LINES)]


class Server:
    """The real server on a database file, its output in `log`; killable as a crash."""

    def __init__(self, workers: int, database: Path, log: Path) -> None:
        self.workers, self.database, self.log = workers, database, log
        self.process: subprocess.Popen | None = None
        self.url = ""

    def start(self) -> str:
        with self.log.open("ab") as out:
            settings = {"HANDGRID_DATABASE_URL": f"sqlite:///{self.database}", "HANDGRID_ACCESS_LOG": "off"}
            self.process, self.url = serving.start(self.workers, settings, stdout=out,
                                                   stderr=subprocess.STDOUT, start_new_session=True)
        serving.wait_until_up(self.url + "/healthz", self.process, 60)
        return self.url

    def kill(self) -> None:
        """SIGKILL to the main process and every worker at once (its own session)."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)


def load(folder: Path, students: int, checks: int, workers: int = 2) -> tuple[Outcome, list[str]]:
    """The load alone: (what the students saw, every problem found)."""
    server = Server(workers, folder / "handgrid.db", folder / "server.log")
    url = server.start()
    try:
        made = make_class(url)
        outcome = run(url, made["join_code"], students, checks)
        problems = list(outcome.errors)
        if outcome.interrupted:
            problems.append(f"{outcome.interrupted} students lost their connection")
        if outcome.joined != students or outcome.checks != students * checks:
            problems.append(f"{outcome.joined} of {students} joined, {outcome.checks} of "
                            f"{students * checks} checks recorded")
        problems += missing(results(url, made), outcome, exact=True)
    finally:
        server.stop()
    return outcome, problems + bad_log_lines(server.log)


def kill_and_restart(folder: Path, students: int, checks: int, workers: int = 2) -> tuple[Outcome, list[str]]:
    """The load, SIGKILL once a third of the checks are in, a restart: every
    acknowledged check must be in the results."""
    server = Server(workers, folder / "handgrid.db", folder / "server.log")
    url = server.start()
    made = make_class(url)
    outcome_box: list[Outcome] = []
    known: dict = {}
    load_thread = threading.Thread(
        target=lambda: outcome_box.append(run(url, made["join_code"], students, checks, known)), daemon=True)
    try:
        load_thread.start()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and load_thread.is_alive():
            if _stored_checks(url, made) >= students * checks // 3:
                break
            time.sleep(0.05)
        server.kill()
        load_thread.join(120)
        outcome = outcome_box[0]
        url = server.start()
        problems = [error for error in outcome.errors if "check" not in error and "joining" not in error]
        found = results(url, made)
        problems += missing(found, outcome, exact=False)
        if outcome.interrupted == 0:
            problems.append("the kill interrupted no student: it came too late to test anything")
        if not outcome.checks:
            problems.append("no check was acknowledged before the kill")
        # The class goes on after the restart: one more check of a student who joined before.
        student = next((known[s["student_id"]] for s in found["students"] if s["student_id"] in known), None)
        if student is None:
            problems.append("no student who joined before the kill is in the results")
        else:
            code = student["problems"][0]["code"]
            client = Client(url)
            try:
                status, answer = client.send("POST", f"/api/problems/{code}/check",
                                             _answers(code, random.Random(0)), student["student_token"])
            finally:
                client.close()
            if status != 200 or not isinstance(answer, dict) or not answer.get("recorded"):
                problems.append(f"after the restart a check answered {status}: {answer!r}"[:300])
    finally:
        server.stop()
    return outcome, problems + [line for line in bad_log_lines(server.log) if "database is locked" in line]


def _stored_checks(url: str, made: dict) -> int:
    try:
        found = results(url, made)
    except (OSError, RuntimeError, http.client.HTTPException):
        return 0
    return sum(problem["checks"] for student in found["students"] for problem in student["problems"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=300, help="students who join at once (300)")
    parser.add_argument("--checks", type=int, default=20, help="checks each student sends (20)")
    parser.add_argument("--workers", type=int, default=2, help="server workers (2)")
    parser.add_argument("--kill", action="store_true", help="SIGKILL the server mid-load and restart it")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="handgrid-classload-") as folder:
        if args.kill:
            outcome, problems = kill_and_restart(Path(folder), args.students, args.checks, args.workers)
            what = "kill and restart"
        else:
            outcome, problems = load(Path(folder), args.students, args.checks, args.workers)
            what = "load"
    rate = outcome.checks / outcome.seconds if outcome.seconds else 0
    print(f"classes {what}: {outcome.joined} students joined, {outcome.checks} checks acknowledged "
          f"in {outcome.seconds:.1f} s ({rate:.0f} recorded checks/s), {outcome.interrupted} interrupted, "
          f"{len(problems)} problems")
    for problem in problems[:20]:
        print("  " + problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
