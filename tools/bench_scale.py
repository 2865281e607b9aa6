"""`make bench`'s figures for running at scale (tools/bench.py calls `report`):

1. A recorded check (a class's, each with the next of its students' tokens) on PostgreSQL against
   SQLite, on one server of 2 workers each: both servers up at once, wrk rounds
   interleaved (SQLite, PostgreSQL, SQLite, ...), and the figure is the median over
   the rounds of PostgreSQL's throughput over SQLite's in the same round. Both
   durable: SQLite syncs each commit (synchronous=FULL) and the PostgreSQL, Debian's
   started by tests/realpg.py, runs with its own fsync and synchronous commits, as
   a production server does. Every check wrk saw answered must be stored.
2. The teacher's dashboard (its live part, what htmx polls) for 100, 300 and 1,000
   students in one class, in process, on SQLite and on PostgreSQL: how its cost
   grows. A class takes 300 students; the limit is lifted here to see past it.

    .venv/bin/python tools/bench_scale.py     # these figures alone (about a minute)
"""

from __future__ import annotations

import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import realpg  # noqa: E402
from tools import bench, serving  # noqa: E402

DASHBOARD_SIZES = (100, 300, 1000)


class Server(bench.Server):
    """The server as the image starts it, on the database at `url`."""

    def __init__(self, workers: int, url: str) -> None:
        self.process, self.url = serving.start(
            workers, {"HANDGRID_LOG_LEVEL": "warning", "HANDGRID_DATABASE_URL": url},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            serving.wait_until_up(self.url + "/healthz", self.process)
        except RuntimeError:
            self.stop()
            raise


@contextmanager
def _sqlite_url():
    import shutil
    import tempfile

    folder = tempfile.mkdtemp(prefix="handgrid-bench-")
    try:
        yield f"sqlite:///{folder}/bench.db"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def databases(postgres: realpg.Postgres, seconds: float, rounds: int,
              connections: int) -> tuple[dict[str, dict], list[float], int]:
    """Each database's best round, PostgreSQL's throughput over SQLite's round by round,
    and the checks answered but not stored (0, or something is wrong)."""
    with _sqlite_url() as sqlite, postgres.database() as pg:
        servers = {"SQLite": Server(2, sqlite), "PostgreSQL": Server(2, pg)}
        try:
            plans = {name: bench.class_checks(server.url) for name, server in servers.items()}
            answered = {name: bench.wrk(servers[name].url, plans[name][0], 1, connections)["requests"]
                        for name in servers}  # warm up: pools filled, statements prepared
            found: dict[str, list[dict]] = {name: [] for name in servers}
            for _ in range(rounds):
                for name, server in servers.items():
                    found[name].append(bench.wrk(server.url, plans[name][0], seconds, connections))
            lost = 0
            for name, server in servers.items():
                answered[name] += sum(r["requests"] - r["errors"] for r in found[name])
                lost += max(0, answered[name] - bench.stored_checks(server.url, plans[name][1]))
        finally:
            for server in servers.values():
                server.stop()
    best = {name: bench.best_of(rounds) for name, rounds in found.items()}
    return best, bench.paired(found["PostgreSQL"], found["SQLite"]), lost


def dashboards(postgres: realpg.Postgres,
               sizes: tuple[int, ...] = DASHBOARD_SIZES) -> dict[tuple[str, int], tuple[float, float, int]]:
    """The dashboard's live part for each class size on each database: (best ms, median ms, bytes)."""
    from app.classroom import store
    from app.core import classroom

    kept = store.MAX_STUDENTS
    store.MAX_STUDENTS = classroom.MAX_STUDENTS = max(max(sizes), kept)  # the store's and the versions'
    try:
        found = {}
        for students in sizes:
            found["SQLite", students] = bench.class_dashboard(students)
            with postgres.database() as url:
                found["PostgreSQL", students] = bench.class_dashboard(students, url=url)
        return found
    finally:
        store.MAX_STUDENTS = classroom.MAX_STUDENTS = kept


def report(seconds: float, rounds: int, connections: int, sizes: tuple[int, ...] = DASHBOARD_SIZES) -> int:
    """Print the figures as Markdown tables; the number of errors (failed or lost checks)."""
    with realpg.running(durable=True) as postgres:
        best, ratios, lost = databases(postgres, seconds, rounds, connections)
        bench.table([f"recorded check, {connections} students at once, 1 server of 2 workers", "requests/s",
                     "p50 ms", "p99 ms", "errors"],
                    [[name, f"{r['rps']:.0f}", *bench.latencies(r), r["errors"]] for name, r in best.items()])
        print(f"\nPostgreSQL / SQLite, recorded checks: {median(ratios):.2f}, rounds {bench.spread(ratios)}; "
              f"{lost} answered checks not stored", flush=True)
        found = dashboards(postgres, sizes)
    small, large = min(sizes), max(sizes)
    bench.table(["dashboard's live part, in process", *(f"{n:,} students, ms" for n in sizes),
                 f"{large:,} / {small:,}"],
                [[database, *(f"{found[database, n][0]:.1f}" for n in sizes),
                  f"{found[database, large][0] / found[database, small][0]:.1f}"]
                 for database in ("SQLite", "PostgreSQL")])
    print(f"(best of 20 requests each; {found['SQLite', large][2] // 1024} KiB for {large:,} students)")
    return sum(r["errors"] for r in best.values()) + lost


if __name__ == "__main__":
    print(f"Handgrid at scale, {bench.date.today()}, {bench.machine()}")
    sys.exit(1 if report(3, 5, bench.CLASS_SIZE) else 0)
