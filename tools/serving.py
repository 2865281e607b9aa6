"""Starting Handgrid the way `make run` and the Docker image do (`python -m
app.server`: granian, see app/server.py) on a free loopback port, and waiting
until it answers. The browser tests, the load test and the benchmark all start
their server through here, so they all test the real command."""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMAND = [sys.executable, "-m", "app.server"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def as_user(argv: list[str], user: str, on_parent_death: str) -> list[str]:
    """`argv` run as the unprivileged `user` when the tests run as root (as in CI), by
    setpriv, so that the caller still holds the server's own process; it gets the
    signal `on_parent_death` (e.g. "TERM") if whoever started it dies without stopping it."""
    if os.geteuid() != 0:
        return argv
    return ["setpriv", f"--reuid={user}", f"--regid={user}", "--init-groups",
            f"--pdeathsig={on_parent_death}", "--", *argv]


def start(workers: int, env: dict[str, str] | None = None, **popen) -> tuple[subprocess.Popen, str]:
    """(the server's main process, its base URL); `env` adds HANDGRID_* settings.
    Unless `env` or the environment names one, the classes' database is a new
    SQLite file in a temporary folder, not the instance folder's (removed when
    this process ends)."""
    port = free_port()
    settings = {"HANDGRID_DATABASE_URL": f"sqlite:///{_scratch()}/handgrid-{port}.db", **os.environ,
                "HANDGRID_BIND": f"127.0.0.1:{port}", "HANDGRID_WORKERS": str(workers), **(env or {})}
    return subprocess.Popen(COMMAND, cwd=ROOT, env=settings, **popen), f"http://127.0.0.1:{port}"


@functools.cache
def _scratch() -> str:
    folder = tempfile.mkdtemp(prefix="handgrid-serving-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def wait_until_up(url: str, process: subprocess.Popen, seconds: float = 20) -> None:
    """Until `url` answers 200; a RuntimeError if the server exits or stays silent."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server did not answer {url} within {seconds} s")


@contextmanager
def running(workers: int, env: dict[str, str] | None = None) -> Iterator[str]:
    """The server started, answering, and stopped at the end: its base URL."""
    process, url = start(workers, env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_until_up(url + "/healthz", process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
