"""A real PostgreSQL for the tests: Debian's `postgresql` (installed by `make test`),
started in a temporary directory on a free loopback port, and stopped afterwards.

Why a server of our own rather than the package's cluster: CI starts nothing before
the tests, and a developer's own PostgreSQL (if any) is theirs. initdb and start take
about half a second here (tests/test_realpg.py holds it to a budget), so each pytest
worker starts one for the session and every test that asks gets a database of its
own in it (`Postgres.new_database`), which is gone when the test ends.

PostgreSQL refuses to run as root, and CI runs as root: the server then runs as the
`postgres` user the package creates (setpriv, which execs, so the process we hold is
the postmaster itself), in a directory chowned to it. It listens on 127.0.0.1 only
(no Unix socket), with a random password (SCRAM), and without fsync, which only
guards against a crash of the machine: the data dies with the test anyway.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tools.serving import as_user, free_port

USER = "handgrid"  # the superuser initdb makes: the app connects as it in the tests
SYSTEM_USER = "postgres"  # who runs the server when the tests run as root (Debian's package makes it)


def bindir() -> Path:
    """The newest Debian PostgreSQL's programs (bookworm has 15, trixie 17); HANDGRID_PG_BIN overrides."""
    if os.environ.get("HANDGRID_PG_BIN"):
        return Path(os.environ["HANDGRID_PG_BIN"])
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    if not found:
        raise RuntimeError("no PostgreSQL in /usr/lib/postgresql: `make test` installs Debian's postgresql")
    return found[-1].parent


class Postgres:
    """A running server: `url(database)` for SQLAlchemy, `new_database()` for a test."""

    def __init__(self, process: subprocess.Popen, port: int, password: str, root: Path,
                 startup_seconds: float) -> None:
        self.process, self.port, self.password, self.root = process, port, password, root
        self.startup_seconds = startup_seconds  # initdb to the first accepted connection
        self._databases = 0

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{USER}:{self.password}@127.0.0.1:{self.port}/{database}"

    def connect(self, database: str = "postgres"):
        import psycopg

        return psycopg.connect(host="127.0.0.1", port=self.port, user=USER, password=self.password,
                               dbname=database, autocommit=True, connect_timeout=5)

    def new_database(self, template: str | None = None) -> str:
        """A new database's name: a copy of `template` (a file copy, far quicker than
        migrating again), by default of template1, an empty one, as CREATE DATABASE does."""
        self._databases += 1
        name = f"test_{os.getpid()}_{self._databases}"
        with self.connect() as connection:
            connection.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return name

    def drop_database(self, name: str) -> None:
        with self.connect() as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # FORCE: pools left open

    @contextmanager
    def database(self, template: str | None = None) -> Iterator[str]:
        """A fresh database's SQLAlchemy URL (a copy of `template`, if named), dropped afterwards."""
        name = self.new_database(template)
        try:
            yield self.url(name)
        finally:
            self.drop_database(name)

    def log(self) -> str:
        return (self.root / "server.log").read_text(errors="replace")


def _as_server_user(argv: list[str]) -> list[str]:
    # SIGINT, PostgreSQL's fast shutdown, if the tests die without stopping it: no orphan.
    return as_user(argv, SYSTEM_USER, "INT")


@contextmanager
def running(durable: bool = False) -> Iterator[Postgres]:
    """initdb, start, wait for a connection; at the end a fast shutdown and the directory removed.
    `durable`: with PostgreSQL's own fsync and synchronous commits, as a production server runs
    (make bench compares it with SQLite, which syncs every commit); the tests go without."""
    started = time.monotonic()
    programs = bindir()
    root = Path(tempfile.mkdtemp(prefix="handgrid-pg-"))
    password = secrets.token_urlsafe(18)
    (root / "password").write_text(password + "\n")
    if os.geteuid() == 0:
        account = pwd.getpwnam(SYSTEM_USER)
        for path in (root, root / "password"):
            os.chown(path, account.pw_uid, account.pw_gid)
    data = root / "data"
    initdb = [str(programs / "initdb"), "-D", str(data), "-U", USER, f"--pwfile={root / 'password'}",
              "--auth=scram-sha-256", "-E", "UTF8", "--no-locale", "--no-sync", "--no-instructions"]
    subprocess.run(_as_server_user(initdb), cwd=root, check=True, capture_output=True, timeout=60)
    port = free_port()
    settings = {"listen_addresses": "127.0.0.1", "port": str(port), "unix_socket_directories": "",
                "max_connections": "200"}  # the replica tests open pools from several processes
    if not durable:
        settings |= {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}
    argv = [str(programs / "postgres"), "-D", str(data)]
    for name, value in settings.items():
        argv += ["-c", f"{name}={value}"]
    with (root / "server.log").open("w") as log:
        process = subprocess.Popen(_as_server_user(argv), cwd=root, stdout=log, stderr=subprocess.STDOUT)
    server = Postgres(process, port, password, root, 0.0)
    try:
        _wait_until_up(server)
        server.startup_seconds = time.monotonic() - started
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)  # "fast" shutdown: ends sessions, no waiting for clients
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        shutil.rmtree(root, ignore_errors=True)


def _wait_until_up(server: Postgres, seconds: float = 20) -> None:
    import psycopg

    deadline = time.monotonic() + seconds
    while True:
        if server.process.poll() is not None:
            raise RuntimeError(f"postgres exited with {server.process.returncode}:\n{server.log()}")
        try:
            server.connect().close()
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"postgres did not answer within {seconds} s:\n{server.log()}") from None
            time.sleep(0.02)
