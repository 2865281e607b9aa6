"""Load test: the real server on loopback, under wrk, with a mix of requests.

    make loadtest                      # the full run whose figures are in the README
    .venv/bin/python tools/loadtest.py --help

It starts the server exactly as `make run` does (`python -m app.server`) on a
free 127.0.0.1 port, then:

1. the timed phase: wrk with --connections clients (64) for --duration seconds
   (30), reporting requests/s, p50/p90/p99 latency and errors, while a siege of
   slow and idle clients (--siege, 100 idle and 20 slowloris connections, each
   opened again whenever the server drops it) presses on the server;
2. the long phase: wrk again until the server has answered --total requests
   (100k) in all, or --max-seconds have passed, whichever comes first.

Throughout, it counts the server's access-log lines, and when the count crosses
each checkpoint (10k and 100k) it reads the resident memory (VmRSS in
/proc/<pid>/status) of every worker. Workers are not recycled during the run
(HANDGRID_WORKER_MAX_MEMORY=0), so the two figures are the same processes' and
their difference is real growth. The run fails (exit status 1) on any error: a socket
error or timeout in wrk, a response of 400 or above seen by wrk or in the access
log, a worker that died or was replaced, or memory growth of --max-growth (10 %)
or more between the first and the last checkpoint.

The mix (--mix, weights by kind) covers page loads (grid and NumPy views, new
problems, static files), checks (htmx fragment, whole page without JavaScript,
JSON API), API reads and creations, and worksheets when the server has a
/worksheet route (--worksheet PATH to name its addresses; left out, with a
notice, when they answer 404). Every request of the plan is sent once before
the load, and must succeed.

Traffic goes to 127.0.0.1 only, and every loop is bounded in count and time.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.core import codes, presets  # noqa: E402
from app.core.problem import ANSWER_NAMES, Sizes, solve  # noqa: E402
from tools import serving  # noqa: E402
from tools.siege import Siege  # noqa: E402

LUA = Path(__file__).with_name("loadtest.lua")
# Weights: students load pages and check far more often than teachers print worksheets.
DEFAULT_MIX = ("page=32,numpy=6,new=5,static=5,check_htmx=22,check_page=9,api_check=10,"
               "api_get=5,api_create=3,worksheet=3")
# An access-log line (app/server.py's format): the request line, then the status.
ACCESS_STATUS = re.compile(r'^\S+ - - \[[^]]+\] "[^"]*" (\d{3}) ')
# A class set (30 versions of 2 problems, with the key: ~0.7 MB), a short quiz in NumPy
# notation, and one sheet of the gentle preset. Each gets a fixed seed from its redirect.
WORKSHEETS = ("/worksheet", "/worksheet?versions=8&problems=3&notation=numpy&key=none",
              "/worksheet?preset=gentle&versions=1&problems=4")


# --- the plan: which requests, in which proportions ---------------------------------------

def _problems(count: int, rng: random.Random) -> list[tuple[str, object]]:
    """(display code, problem) for generated problems of every preset and some custom sizes,
    and custom (C-code) problems."""
    found = []
    for i in range(count):
        if i % 4 == 3:
            sizes = Sizes(*(rng.randint(1, 6) for _ in range(4)))
            code = codes.generated_code(presets.CUSTOM_SIZES_PROFILE, sizes, rng.randrange(1 << 20))
        else:
            profile = presets.PROFILES[i % len(presets.PROFILES)]
            code = codes.generated_code(profile, profile.sizes, rng.randrange(1 << 20))
        _, problem, _ = codes.load(code)
        if i % 5 == 4:
            code = codes.custom_code(problem)
        found.append((codes.display(code), problem))
    return found


def _answers(problem, rng: random.Random) -> dict[str, list[list[str]]]:
    """Answers as a student might type them: mostly right, some wrong, blank or invalid."""
    solution = solve(problem).as_lists()
    typed = {}
    for name in ANSWER_NAMES:
        typed[name] = [[str(value) for value in row] for row in solution[name]]
        for row in typed[name]:
            for j in range(len(row)):
                roll = rng.random()
                if roll < 0.15:
                    row[j] = str(int(row[j]) + rng.choice((-2, -1, 1, 2)))
                elif roll < 0.25:
                    row[j] = ""
                elif roll < 0.28:
                    row[j] = rng.choice(["3.5", "x", "\u22122", " 4 "])
    return typed


def _form(answers: dict) -> dict[str, str]:
    return {f"{name}-{i}-{j}": value for name, grid in answers.items()
            for i, row in enumerate(grid) for j, value in enumerate(row)}


FORM = {"Content-Type": "application/x-www-form-urlencoded"}
JSON = {"Content-Type": "application/json"}


def requests_by_kind(worksheets: list[str], rng: random.Random) -> dict[str, list[dict]]:
    """Every kind of request, several of each (different problems and answers)."""
    kinds: dict[str, list[dict]] = {kind: [] for kind in (
        "page", "numpy", "new", "static", "check_htmx", "check_page", "api_check", "api_get",
        "api_create", "worksheet")}
    for code, problem in _problems(24, rng):
        form = urllib.parse.urlencode(_form(_answers(problem, rng)) | {"action": "check"})
        kinds["page"].append({"method": "GET", "path": f"/p/{code}"})
        kinds["numpy"].append({"method": "GET", "path": f"/p/{code}?view=numpy"})
        kinds["check_htmx"].append({"method": "POST", "path": f"/p/{code}", "body": form,
                                    "headers": FORM | {"HX-Request": "true"}})
        kinds["check_page"].append({"method": "POST", "path": f"/p/{code}", "body": form,
                                    "headers": FORM})
        kinds["api_check"].append({"method": "POST", "path": f"/api/problems/{code}/check",
                                   "body": json.dumps(_answers(problem, rng)), "headers": JSON})
        kinds["api_get"].append({"method": "GET", "path": f"/api/problems/{code}"})
    for name in ("gentle", "classic", "challenge"):
        kinds["new"].append({"method": "GET", "path": f"/new?preset={name}"})
        kinds["api_create"].append({"method": "POST", "path": "/api/problems", "headers": JSON,
                                    "body": json.dumps({"preset": name})})
    kinds["new"].append({"method": "GET", "path": "/new?inputs=2&hidden=5&outputs=3&batch=4"})
    sizes = {"inputs": 3, "hidden": 3, "outputs": 2, "batch": 2}
    kinds["api_create"].append({"method": "POST", "path": "/api/problems", "headers": JSON,
                                "body": json.dumps({"sizes": sizes, "seed": 7})})
    for name in ("handgrid.css", "handgrid.js", "vendor/htmx.min.js", "favicon.svg"):
        kinds["static"].append({"method": "GET", "path": f"/static/{name}"})
    kinds["worksheet"] = [{"method": "GET", "path": path} for path in worksheets]
    return kinds


def parse_mix(text: str) -> dict[str, int]:
    mix = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        kind, _, weight = part.partition("=")
        mix[kind.strip()] = int(weight)
    return mix


def build_plan(kinds: dict[str, list[dict]], mix: dict[str, int], rng: random.Random,
               length: int = 2000) -> list[dict]:
    """`length` requests drawn by weight, each kind cycling through its requests."""
    unknown = set(mix) - set(kinds)
    if unknown:
        raise SystemExit(f"unknown kinds in --mix: {', '.join(sorted(unknown))}; "
                         f"known: {', '.join(kinds)}")
    usable = {kind: weight for kind, weight in mix.items() if weight > 0 and kinds[kind]}
    counters = dict.fromkeys(usable, 0)
    plan = []
    for kind in rng.choices(list(usable), weights=list(usable.values()), k=length):
        plan.append(kinds[kind][counters[kind] % len(kinds[kind])] | {"kind": kind})
        counters[kind] += 1
    return plan


def _lua_string(text: str) -> str:
    return '"' + "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\' else f"\\{ord(ch):03d}"
                         for ch in text) + '"'


def write_lua_plan(plan: list[dict], path: Path) -> None:
    lines = ["return {"]
    for item in plan:
        headers = ", ".join(f"[{_lua_string(k)}] = {_lua_string(v)}"
                            for k, v in item.get("headers", {}).items())
        body = _lua_string(item["body"]) if item.get("body") else "nil"
        lines.append(f"  {{method = {_lua_string(item['method'])}, path = {_lua_string(item['path'])}, "
                     f"headers = {{{headers}}}, body = {body}}},")
    lines.append("}")
    path.write_text("\n".join(lines) + "\n", encoding="ascii")


# --- the server --------------------------------------------------------------------------

def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # The command name (field 2) is in parentheses and may hold spaces.
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return sorted(found)


class Server:
    """The server as `make run` starts it, on a free loopback port, with its access
    log counted line by line and worker memory read at the checkpoints; its other
    lines (the server's own log) are kept with its error output."""

    def __init__(self, workers: int, checkpoints: list[int], log: Path) -> None:
        self.checkpoints = sorted(checkpoints)
        self.samples: dict[int, dict[int, int]] = {}
        self.served = 0
        self.statuses: dict[str, int] = {}
        self.reached = threading.Condition()
        self.errlog = log.open("wb")
        self.process, self.url = serving.start(
            workers, {"HANDGRID_WORKER_MAX_MEMORY": "0"}, stdout=subprocess.PIPE, stderr=self.errlog)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for raw in self.process.stdout:
            line = raw.decode("latin-1")
            match = ACCESS_STATUS.search(line)
            if not match:
                self.errlog.write(raw)
                continue
            status = match.group(1)
            with self.reached:
                self.served += 1
                # Statuses of wrk's requests only: the health probe and the preflight
                # (urllib, which names itself in the log's user-agent field) may 404.
                if "Python-urllib" not in line:
                    self.statuses[status] = self.statuses.get(status, 0) + 1
                if self.served in self.checkpoints:
                    self.samples[self.served] = self.worker_rss()
                self.reached.notify_all()

    def workers(self) -> list[int]:
        return children(self.process.pid)

    def worker_rss(self) -> dict[int, int]:
        found = {}
        for pid in self.workers():
            try:
                found[pid] = rss_kib(pid)
            except (OSError, RuntimeError):
                pass  # a worker that just ended: the same-workers check reports it
        return found

    def wait_up(self, seconds: float = 30) -> None:
        try:
            serving.wait_until_up(self.url + "/healthz", self.process, seconds)
        except RuntimeError as error:
            raise SystemExit(f"the server: {error}") from None

    def wait_served(self, count: int, seconds: float) -> bool:
        """Until `count` requests are answered, `seconds` pass, or the server is gone."""
        deadline = time.monotonic() + seconds
        with self.reached:
            while self.served < count and self.process.poll() is None:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.reached.wait(timeout=min(left, 1.0))
            return self.served >= count

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.reader.join(timeout=5)
        self.errlog.close()


def _send_once(url: str, item: dict) -> tuple[int, str | None]:
    request = urllib.request.Request(
        url + item["path"], method=item["method"], headers=item.get("headers", {}),
        data=item["body"].encode() if item.get("body") else None)
    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=30) as response:
            return response.status, response.headers.get("Location")
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Location")


def preflight(url: str, kinds: dict[str, list[dict]]) -> list[str]:
    """Send every request once; return the problems. A worksheet address that redirects
    (to its canonical form, with a seed) is replaced by where it leads, so the load asks
    for the sheets themselves; worksheets that answer 404 are left out, with a notice."""
    problems = []
    for kind, items in kinds.items():
        for item in items:
            status, location = _send_once(url, item)
            if kind == "worksheet" and status == 404:
                print(f"notice: {item['path']} answers 404, so worksheets are left out of the mix")
                kinds["worksheet"] = []
                break
            if kind == "worksheet" and status in (301, 302, 303, 307, 308) and location:
                item["path"] = urllib.parse.urlsplit(location)._replace(scheme="", netloc="").geturl()
                status, _ = _send_once(url, item)
            if status >= 400:
                problems.append(f"{item['method']} {item['path']} -> {status}")
    return problems


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None

    def http_error_302(self, request, response, code, message, headers):
        return response

    http_error_301 = http_error_303 = http_error_307 = http_error_302


# --- wrk ---------------------------------------------------------------------------------

def run_wrk(url: str, plan: Path, connections: int, threads: int, seconds: float,
            stop: threading.Event | None = None) -> dict:
    """wrk for at most `seconds`; interrupted (it then still reports) when `stop` is set."""
    argv = [shutil.which("wrk") or "wrk", f"--connections={connections}", f"--threads={threads}",
            f"--duration={max(1, round(seconds))}s", "--timeout=10s", f"--script={LUA}", url]
    process = subprocess.Popen(argv, env={**os.environ, "LOADTEST_PLAN": str(plan)},
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if stop is not None:
        def interrupt():
            stop.wait(seconds + 5)
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        threading.Thread(target=interrupt, daemon=True).start()
    output, _ = process.communicate(timeout=seconds + 60)
    for line in output.splitlines():
        if line.startswith("LOADTEST "):
            figures = json.loads(line.removeprefix("LOADTEST "))
            figures["errors"] = sum(figures[key] for key in (
                "connect_errors", "read_errors", "write_errors", "status_errors", "timeouts"))
            figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
            return figures
    raise SystemExit(f"wrk gave no figures:\n{output}")


# --- the run -----------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connections", type=int, default=64, help="concurrent clients (64)")
    parser.add_argument("--duration", type=float, default=30, help="seconds of the timed phase (30)")
    parser.add_argument("--total", type=int, default=100_000,
                        help="requests the server answers in all, both phases (100000)")
    parser.add_argument("--max-seconds", type=float, default=600,
                        help="time limit of the long phase (600)")
    parser.add_argument("--checkpoints", default="10000,25000,50000,75000,100000",
                        help="request counts at which worker memory is read; growth is measured "
                             "from the first to the last (10000,25000,50000,75000,100000)")
    parser.add_argument("--max-growth", type=float, default=10.0,
                        help="largest allowed memory growth between first and last checkpoint, %% (10)")
    parser.add_argument("--workers", type=int, default=2, help="server workers (2, as the image)")
    parser.add_argument("--siege", default="100,20",
                        help="idle and slowloris connections held during the timed phase (100,20); "
                             "0,0 for none")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (2)")
    parser.add_argument("--mix", default=DEFAULT_MIX, help=f"weights by kind ({DEFAULT_MIX})")
    parser.add_argument("--worksheet", action="append", dest="worksheets",
                        help="a worksheet address to load, repeatable (default: "
                             + ", ".join(WORKSHEETS) + ")")
    parser.add_argument("--seed", type=int, default=2024, help="seed of the plan (2024)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)

    checkpoints = sorted(int(c) for c in args.checkpoints.split(","))
    if checkpoints[-1] > args.total:
        parser.error("the last checkpoint must not exceed --total")
    if not shutil.which("wrk"):
        parser.error("wrk is missing: `make loadtest` installs it (Debian's package wrk)")

    rng = random.Random(args.seed)
    kinds = requests_by_kind(args.worksheets or list(WORKSHEETS), rng)
    with tempfile.TemporaryDirectory(prefix="handgrid-load-") as tmp:
        server = Server(args.workers, checkpoints, Path(tmp) / "server.log")
        try:
            server.wait_up()
            problems = preflight(server.url, kinds)
            if problems:
                print("these requests of the plan fail on their own:\n  " + "\n  ".join(problems))
                return 1
            plan = build_plan(kinds, parse_mix(args.mix), rng)
            plan_path = Path(tmp) / "plan.lua"
            write_lua_plan(plan, plan_path)
            workers_before = server.workers()
            started = time.monotonic()

            idle, slow = (int(n) for n in args.siege.split(","))
            siege = Siege(int(server.url.rsplit(":", 1)[1]), idle, slow, reopen=True)
            try:
                timed = run_wrk(server.url, plan_path, args.connections, args.threads, args.duration)
            finally:
                siege.close()
            timed["siege"] = {"idle": idle, "slow": slow, "dropped_by_server": siege.dropped}
            done = threading.Event()
            watcher = threading.Thread(
                target=lambda: (server.wait_served(args.total, args.max_seconds), done.set()), daemon=True)
            watcher.start()
            long = None
            if server.served < args.total:
                long = run_wrk(server.url, plan_path, args.connections, args.threads,
                               args.max_seconds, stop=done)
            server.wait_served(args.total, 5)
            elapsed = time.monotonic() - started
            workers_after = server.workers()
        finally:
            server.stop()
        errlog = (Path(tmp) / "server.log").read_text(errors="replace")

    kinds_used = sorted({item["kind"] for item in plan})
    report = summarize(args, timed, long, server, checkpoints, workers_before, workers_after,
                       elapsed, kinds_used, errlog)
    print(report["text"])
    if not report["ok"]:
        print("the end of the server's log:\n" + "\n".join(errlog.splitlines()[-15:]))
    if args.json:
        args.json.write_text(json.dumps(report["figures"], indent=2) + "\n")
    return 0 if report["ok"] else 1


def summarize(args, timed, long, server, checkpoints, workers_before, workers_after,
              elapsed, kinds_used, errlog) -> dict:
    server_errors = sum(count for status, count in server.statuses.items()
                        if not status.isdigit() or int(status) >= 400)
    wrk_errors = timed["errors"] + (long["errors"] if long else 0)
    tracebacks = errlog.count("Traceback") + errlog.count("[ERROR]")
    memory = {count: sum(sample.values()) for count, sample in sorted(server.samples.items())}
    first, last = checkpoints[0], checkpoints[-1]
    growth = None
    if first in memory and last in memory:
        growth = 100.0 * (memory[last] - memory[first]) / memory[first]
    same_workers = workers_before == workers_after and all(
        sorted(sample) == workers_before for sample in server.samples.values())
    failures = []
    if wrk_errors or server_errors or tracebacks:
        failures.append(f"errors: wrk {wrk_errors}, access log {server_errors}, tracebacks {tracebacks}")
    if len(memory) < len(checkpoints):
        failures.append(f"the server answered {server.served} requests; checkpoints not reached: "
                        f"{[c for c in checkpoints if c not in memory]}")
    elif growth is not None and growth >= args.max_growth:
        failures.append(f"worker memory grew {growth:.1f} % (limit {args.max_growth} %)")
    if not same_workers:
        failures.append(f"workers changed during the run: {workers_before} -> {workers_after}")

    def mib(kib: int) -> str:
        return f"{kib / 1024:.1f} MiB"

    lines = [
        f"Handgrid load test, {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, "
        f"{args.workers} server workers, wrk {args.threads} threads",
        f"mix: {', '.join(kinds_used)}",
        f"timed phase: {args.connections} clients for {timed['duration_us'] / 1e6:.1f} s: "
        f"{timed['requests']} requests, {timed['rps']:.0f} requests/s, "
        f"latency p50 {timed['p50_us'] / 1000:.1f} ms, p90 {timed['p90_us'] / 1000:.1f} ms, "
        f"p99 {timed['p99_us'] / 1000:.1f} ms, max {timed['max_us'] / 1000:.1f} ms, "
        f"errors {timed['errors']}",
        f"  beside it, a siege of {timed['siege']['idle']} idle and {timed['siege']['slow']} slowloris "
        f"connections (dropped by the server and opened again: {timed['siege']['dropped_by_server']})",
    ]
    if long:
        lines.append(f"long phase: {long['requests']} requests in {long['duration_us'] / 1e6:.1f} s, "
                     f"{long['rps']:.0f} requests/s, p99 {long['p99_us'] / 1000:.1f} ms, "
                     f"errors {long['errors']}")
    lines.append(f"server: {server.served} requests answered in {elapsed:.1f} s, statuses "
                 + ", ".join(f"{s}: {n}" for s, n in sorted(server.statuses.items()))
                 + f"; errors {server_errors + wrk_errors + tracebacks}")
    for count, sample in sorted(server.samples.items()):
        lines.append(f"worker memory (RSS) at {count} requests: {mib(sum(sample.values()))} "
                     f"({', '.join(mib(v) for v in sample.values())})")
    if growth is not None:
        lines.append(f"growth from {first} to {last} requests: {growth:+.2f} % "
                     f"(same worker processes: {'yes' if same_workers else 'NO'})")
    lines.append("PASS" if not failures else "FAIL: " + "; ".join(failures))
    figures = {
        "date": time.strftime("%Y-%m-%d"), "cores": os.cpu_count(), "workers": args.workers,
        "connections": args.connections, "mix": kinds_used,
        "timed": timed, "long": long, "served": server.served, "statuses": server.statuses,
        "errors": server_errors + wrk_errors + tracebacks,
        "memory_kib": {str(count): sample_total for count, sample_total in memory.items()},
        "growth_percent": growth, "same_workers": same_workers, "failures": failures,
    }
    return {"text": "\n".join(lines), "figures": figures, "ok": not failures}


if __name__ == "__main__":
    sys.exit(main())
