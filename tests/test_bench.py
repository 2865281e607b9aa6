"""`make bench` works end to end: a very short run of tools/bench.py against
the real server prints every table and reports no failed request."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.system

ROOT = Path(__file__).resolve().parent.parent


def test_a_short_benchmark_run_prints_every_table():
    result = subprocess.run(
        [sys.executable, "tools/bench.py", "--seconds", "1", "--rounds", "1", "--seeds", "30",
         "--connections", "4", "--scale-students", "5,20"],
        cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    routes = ("GET /healthz", "practice page", "page check (htmx)", "API check", "worksheet, 30 versions")
    for route in routes:
        row = next(line for line in out.splitlines() if line.startswith(f"| {route} |"))
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert float(cells[1]) > 0 and cells[-1] == "0", row  # some throughput, no errors
        low, high = map(float, cells[5].split("–"))  # the ratio's range over the rounds
        assert low <= float(cells[4]) <= high, row
        low, high = map(float, cells[7].split("–"))  # over the old server, measured beside it
        assert 0 < low <= float(cells[6]) <= high, row
    assert "2 workers / 1 worker:" in out
    for way in ("1 server of 2 workers, direct", "1 server of 2 workers, behind nginx",
                "2 replicas of 1 worker, behind nginx"):
        row = next(line for line in out.splitlines() if line.startswith(f"| {way} |"))
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert float(cells[1]) > 0 and cells[-1] == "0", row
    assert re.search(r"2 replicas / 1 server, both behind nginx: \d+\.\d\d, rounds ", out), out
    for preset in ("gentle", "classic", "challenge"):
        for version in (1, 2):
            rows = [line for line in out.splitlines() if line.startswith(f"| {preset} | {version} |")]
            assert len(rows) == 2, (preset, version)  # its timing and its zeros
    assert "| all |" in out and "Worksheet render:" in out
    pdf = re.search(r"Worksheet PDF, 60 versions of 3 problems and the key \((\d+) pages\): "
                    r"first ([\d.]+) s, again ([\d.]+) s \(limit ≤ 2 s: (holds|exceeded)\)", out)
    assert pdf, out
    assert int(pdf[1]) == 60 * 2 + 9  # 2 pages a version, 180 key entries at 20 a page
    assert 0 < float(pdf[3]) <= float(pdf[2]) * 1.5 < 10  # generous: the machine is shared
    assert "Practice page throughput / /healthz:" in out
    recorded = re.search(r"Recorded check \(30 students of a class checking at once, each with their token, "
                         r"on SQLite; /healthz on as many connections\): ([\d.]+) requests/s, "
                         r"p50 [\d.]+ ms, p99 [\d.]+ ms; / /healthz: ([\d.]+), rounds [\d.]+–[\d.]+ "
                         r"\(budget ≥ 0.5: (holds|not met)\); (\d+) stored of (\d+) answered; "
                         r"/ the same check unrecorded: ([\d.]+), rounds [\d.]+–[\d.]+; the workers' CPU per "
                         r"request \(median of the rounds\): /healthz (\d+) µs, unrecorded (\d+) µs, "
                         r"recorded (\d+) µs", out)
    assert recorded, out
    assert float(recorded[1]) > 0 and float(recorded[2]) > 0 and float(recorded[6]) > 0
    assert int(recorded[4]) >= int(recorded[5]) > 0  # every check answered is stored
    assert all(int(recorded[n]) > 0 for n in (7, 8, 9))
    page = re.search(r"Recorded page Check \(the same students on their practice page, htmx, each with their "
                     r"cookie\): ([\d.]+) requests/s, p50 [\d.]+ ms, p99 [\d.]+ ms; / /healthz: ([\d.]+), "
                     r"rounds [\d.]+–[\d.]+; the workers' CPU per request (\d+) µs", out)
    assert page, out
    assert float(page[1]) > 0 and float(page[2]) > 0 and int(page[3]) > 0
    dashboard = re.search(r"Class dashboard, live part for 300 students of 3 problems, in process: "
                          r"best ([\d.]+) ms, median ([\d.]+) ms, (\d+) KiB "
                          r"\(budget ≤ 30 ms: (holds|exceeded)\)", out)
    assert dashboard, out
    assert 0 < float(dashboard[1]) <= float(dashboard[2]) and int(dashboard[3]) > 100  # 300 rows drawn
    for database in ("SQLite", "PostgreSQL"):  # tools/bench_scale.py: a check, then the dashboards
        check, dashboards = [[c.strip() for c in line.strip("|").split("|")[1:]]
                             for line in out.splitlines() if line.startswith(f"| {database} |")]
        assert len(check) == 4 and float(check[0]) > 0 and check[-1] == "0", check
        assert len(dashboards) == 3 and all(float(c) > 0 for c in dashboards), dashboards  # 5, 20, ratio
    assert re.search(r"PostgreSQL / SQLite, recorded checks: \d+\.\d\d, rounds [\d.]+–[\d.]+; "
                     r"0 answered checks not stored", out), out
