"""Serve Handgrid in production: granian, with settings from HANDGRID_* variables.

    python -m app.server          # what the Docker image runs; `make run` too
    python -m app.server --help   # every setting, its default and what it does

Why granian, on its RSGI interface: granian does all the network I/O in Rust,
so idle connections, slow phones and half-sent requests cost a worker nothing,
and HTTP/1.1 keep-alive comes for free; the app still runs in one process per
core. docs/operations.md has the comparison with gunicorn (sync and gevent)
that chose it, and app/rsgi.py says why RSGI rather than granian's WSGI.

Every setting is an environment variable with a default and its own help
(`SETTINGS`); `--help` prints them and the README's table is tested against
them. Nothing here is imported by the app itself but `SETTINGS`. The app's own
settings (HANDGRID_DATABASE_URL, HANDGRID_CLASS_RETENTION_DAYS, ...) are read by
create_app; the classes' database is migrated here once, before the workers start.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str
    parse: Callable[[str], Any] = str

    def read(self, environ: dict[str, str]) -> Any:
        text = environ.get(self.name, self.default)
        try:
            return self.parse(text)
        except ValueError as error:
            raise SystemExit(f"{self.name}={text!r}: {error}") from None


def _count(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        value = int(text)
        if not low <= value <= high:
            raise ValueError(f"must be from {low} to {high}")
        return value
    return parse


def _bind(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError("must be host:port, e.g. 0.0.0.0:8000 or [::]:8000")
    return host.strip("[]") or "0.0.0.0", int(port)


def _switch(text: str) -> bool:
    if text.lower() not in ("on", "off", "1", "0", "true", "false"):
        raise ValueError("must be on or off")
    return text.lower() in ("on", "1", "true")


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


SETTINGS = (
    Setting("HANDGRID_BIND", "0.0.0.0:8000", "address and port to listen on", _bind),
    Setting("HANDGRID_WORKERS", str(_cores()),
            "worker processes: one per core the server may use (about 60 MiB each)", _count(1, 64)),
    Setting("HANDGRID_THREADS", "4",
            "threads per worker for the few long requests (worksheets), so that they do not hold "
            "up the quick ones; 0 runs every request on the worker's own thread", _count(0, 64)),
    Setting("HANDGRID_MAX_CONNECTIONS", "1000",
            "open connections a worker holds at once; more wait in the listen queue", _count(1, 100_000)),
    Setting("HANDGRID_CLIENT_TIMEOUT", "15",
            "seconds a client has to send a request's headers; also how long an idle "
            "keep-alive connection stays open", _count(1, 60)),
    Setting("HANDGRID_BODY_TIMEOUT", "15",
            "seconds a client has to send a request's body once its headers are in (408 after)",
            _count(1, 60)),
    Setting("HANDGRID_TIMEOUT", "30",
            "seconds one request may run in the app before its worker is taken for hung "
            "and replaced", _count(1, 3600)),
    Setting("HANDGRID_SHUTDOWN_TIMEOUT", "8",
            "seconds requests in flight get to finish on SIGTERM (docker stop waits 10)", _count(1, 60)),
    Setting("HANDGRID_WORKER_MAX_MEMORY", "0",
            "MiB of memory after which a worker is replaced gracefully, as a safety net; 0 is off",
            _count(0, 1 << 20)),
    Setting("HANDGRID_LOG_LEVEL", "info", "server log level: debug, info, warning or error",
            lambda text: {"debug": "debug", "info": "info", "warning": "warning",
                          "error": "error"}[text.lower()]),
    Setting("HANDGRID_ACCESS_LOG", "on", "one line per request on stdout (on or off)", _switch),
)

# What one connection may make hyper buffer while it reads a request's head (request
# line and headers); more is a 431. No request of Handgrid's comes near it, and
# hyper's default (408 KiB) would let 1000 slow connections hold 400 MiB of a worker.
MAX_HEADER_BYTES = 64 * 1024

# Apache's combined log format, which log tools read; the bytes sent are not
# known here ("-"). app/accesslog.py fills in the time and the path with its query.
ACCESS_FORMAT = ('%(addr)s - - [%(time)s] "%(method)s %(path)s %(protocol)s" %(status)d - '
                 '"%(header{referer})s" "%(header{user-agent})s"')


def read_settings(environ: dict[str, str] | None = None) -> dict[str, Any]:
    environ = dict(os.environ if environ is None else environ)
    return {setting.name: setting.read(environ) for setting in SETTINGS}


def logging_config(level: str) -> dict:
    """Server and access logs on stdout, errors of the app on stderr (Flask's own)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"access": {"()": "app.accesslog.AccessLogFilter"}},
        "formatters": {
            "generic": {"format": "[%(asctime)s] [%(process)d] [%(levelname)s] %(message)s",
                        "datefmt": "%Y-%m-%d %H:%M:%S %z"},
            "access": {"format": "%(message)s"},
        },
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "generic",
                        "stream": "ext://sys.stdout"},
            "access": {"class": "logging.StreamHandler", "formatter": "access",
                       "filters": ["access"], "stream": "ext://sys.stdout"},
        },
        "loggers": {
            "_granian": {"handlers": ["console"], "level": level.upper(), "propagate": False},
            "handgrid.server": {"handlers": ["console"], "level": level.upper(), "propagate": False},
            "granian.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
        },
    }


def server(settings: dict[str, Any]):
    from granian.constants import HTTPModes, Interfaces, Loops
    from granian.http import HTTP1Settings
    from granian.server import Server

    host, port = settings["HANDGRID_BIND"]
    workers = settings["HANDGRID_WORKERS"]
    connections = settings["HANDGRID_MAX_CONNECTIONS"]
    return Server(
        "app.rsgi:application",
        factory=True,
        interface=Interfaces.RSGI,
        address=host,
        port=port,
        workers=workers,
        http=HTTPModes.http1,
        loop=Loops.uvloop,  # the event loop that hands requests to the app: a third faster than asyncio's
        websockets=False,
        backlog=max(128, min(4096, connections * workers)),
        backpressure=connections,
        http1_settings=HTTP1Settings(header_read_timeout=settings["HANDGRID_CLIENT_TIMEOUT"] * 1000,
                                     keep_alive=True, max_buffer_size=MAX_HEADER_BYTES),
        respawn_failed_workers=True,
        respawn_interval=1.0,
        workers_kill_timeout=settings["HANDGRID_SHUTDOWN_TIMEOUT"],
        workers_max_rss=settings["HANDGRID_WORKER_MAX_MEMORY"] or None,
        log_level=settings["HANDGRID_LOG_LEVEL"],
        log_dictconfig=logging_config(settings["HANDGRID_LOG_LEVEL"]),
        log_access=settings["HANDGRID_ACCESS_LOG"],
        log_access_format=ACCESS_FORMAT,
    )


def prepare_classes(log: logging.Logger) -> None:
    """Migrate the classes' database (HANDGRID_DATABASE_URL) once, here, before the
    workers start, and delete the classes past their retention. A database that
    cannot be set up is logged and the server starts all the same: practice needs
    none, and each worker tries again on its first class request (app/classroom/db.py)."""
    from sqlalchemy.engine import make_url

    from . import create_app
    from .classroom import EXTENSION, db, store

    try:
        app = create_app()
    except ValueError as error:  # a setting the app reads itself, e.g. HANDGRID_CLASS_RETENTION_DAYS
        raise SystemExit(str(error)) from None
    url = db.url_of(app)
    shown = make_url(url).render_as_string(hide_password=True)
    try:
        before, after = db.migrate(url)
        if before != after:  # one line per migration that ran: replicas starting together show one
            log.info("Classes database %s migrated from %s to %s", shown, before or "empty", after)
        with app.app_context():
            gone = store.purge_expired()
            app.extensions[EXTENSION].dispose()
    except Exception as error:
        log.error("classes are unavailable (practice works without them): %s", error)
        return
    log.info("Classes database %s is up to date%s", shown,
             f"; {gone} classes past their retention deleted" if gone else "")


def main(argv: list[str]) -> None:
    if argv[1:2] in (["-h"], ["--help"]):
        print(__doc__)
        for setting in SETTINGS:
            print(f"{setting.name} (default {setting.default}): {setting.help}")
        return
    settings = read_settings()
    instance = server(settings)  # sets up logging
    log = logging.getLogger("handgrid.server")
    prepare_classes(log)
    log.info("Handgrid on http://%s:%s/ with %s workers", *settings["HANDGRID_BIND"],
             settings["HANDGRID_WORKERS"])
    instance.serve()


if __name__ == "__main__":
    main(sys.argv)
