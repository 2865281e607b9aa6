"""The classes' database: one engine per process, made on first use, and its migrations.

Where: `HANDGRID_DATABASE_URL` (config DATABASE_URL), any SQLAlchemy URL; by
default a SQLite file, handgrid.db, in the app's instance folder (the image
sets /data/handgrid.db, on its volume), or PostgreSQL (below). Nothing outside
this module knows which database it talks to.

Why the engine is made lazily: practice without a class never touches the
database, and keeps working when it is missing or broken. The first class
request of each process makes the engine and brings the schema up to date
(`migrate`, a no-op once done); the server also migrates once at start-up,
before its workers start (app/server.py), so a broken database shows at once.

SQLite, tuned for a class of students checking at once from several worker
processes:

* WAL, so that reading results never waits for a check being written, and
  `synchronous=FULL`, so that a check acknowledged is on disk (not only in
  the OS's cache) before its answer leaves.
* Every write transaction starts with BEGIN IMMEDIATE: it takes the write lock
  first, and waits for it (the busy timeout) instead of failing with
  "database is locked" when two workers upgrade a read to a write at once.
  Reads use a plain BEGIN. `store` says which it needs (`write=True`).
* A busy timeout long enough for a queue of short writes.

One write bypasses SQLAlchemy's execution (not its SQL, types or pool): a
class's checks, stored in batches by the group commit (recorder.py), run as
`DriverStatement`s in a `driver_transaction`, because SQLAlchemy's work per
statement was most of a batch's cost.

Migrations (Alembic, in migrations/) run under a lock, so several processes
starting at once migrate once: a file lock beside a SQLite file, an advisory
lock on PostgreSQL (several replicas starting together).

PostgreSQL (`postgresql+psycopg://user:password@host/db`, psycopg 3), shared by
any number of replicas: nothing of the SQLite list above applies (no pragmas, a
plain BEGIN, no write file lock: PostgreSQL's row locks order the writers). Each
worker process keeps a pool of `pool_size()` connections, one per request it can
run at once (its own thread and its HANDGRID_THREADS), plus `MAX_OVERFLOW` for the
migration's lock connection and a spare; connections are checked before use
(pool_pre_ping), so a restarted database costs no failed request. A replica of W
workers holds at most W × (1 + HANDGRID_THREADS + 2) connections: 14 with the
defaults of a 2-core machine, which PostgreSQL's default max_connections (100)
takes seven times over.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any, TextIO

import orjson
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

MIGRATIONS = Path(__file__).with_name("migrations")
FILE_NAME = "handgrid.db"
BUSY_TIMEOUT = 30  # seconds a write waits for the lock: far longer than a queue of checks takes
# A writer that must not wait (driver_transaction(wait=False)) on PostgreSQL: seconds it waits
# for row locks, and seconds each of its statements may take.
SHORT_LOCK_WAIT, SHORT_STATEMENT = 2, 10
# A fixed key for PostgreSQL's advisory lock around migrations ("HGRD").
_ADVISORY_KEY = 0x48475244
DEFAULT_THREADS = "4"  # HANDGRID_THREADS' default (app/server.py SETTINGS, tested equal)


class Unavailable(RuntimeError):
    """The database cannot be reached or set up; the message is for the log."""


class Busy(RuntimeError):
    """Another process is writing, and the caller asked not to wait (`driver_transaction(wait=False)`)."""


def default_url(instance_path: str) -> str:
    return f"sqlite:///{Path(instance_path) / FILE_NAME}"


def url_of(app) -> str:
    """The database URL of a Flask app: HANDGRID_DATABASE_URL, else the instance folder's file."""
    return app.config.get("DATABASE_URL") or default_url(app.instance_path)


def _is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


MAX_OVERFLOW = 2  # beyond pool_size(): the migration's lock connection, and a spare
POOL_TIMEOUT = 10  # seconds a request waits for a connection before it fails


def _json_text(value: object) -> str:
    return orjson.dumps(value).decode()


# The JSON columns (a check's marks and answers) through orjson, as the API's answers are
# (app/jsonprovider.py): several times faster than the standard library's, in every check's write.
JSON_CODEC = {"json_serializer": _json_text, "json_deserializer": orjson.loads}


def pool_size(environ: Mapping[str, str] = os.environ) -> int:
    """Connections a worker keeps: one per request it can run at once, its own thread's
    and its HANDGRID_THREADS' (app/rsgi.py). app/server.py has checked the setting."""
    try:
        threads = int(environ.get("HANDGRID_THREADS", DEFAULT_THREADS))
    except ValueError:
        threads = int(DEFAULT_THREADS)
    return 1 + max(0, threads)


def make_engine(url: str) -> Engine:
    """A new engine for `url`, with the settings above; a SQLite file's folder is made."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, **JSON_CODEC, pool_pre_ping=True, pool_size=pool_size(),
                             max_overflow=MAX_OVERFLOW, pool_timeout=POOL_TIMEOUT)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, **JSON_CODEC, connect_args={"timeout": BUSY_TIMEOUT})

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, record) -> None:
        dbapi_connection.isolation_level = None  # transactions begin as `on_begin` says
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT * 1000}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Connection) -> None:
        write = connection.get_execution_options().get("handgrid_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def _short_waits() -> tuple[str, str]:
    """A writer that must not wait, on PostgreSQL: row locks are its turn-taking, and one
    that waits long fails (and is answered "not recorded") instead of holding its
    worker's event loop behind a transaction that does not end."""
    return (f"SET LOCAL lock_timeout = '{SHORT_LOCK_WAIT}s'",
            f"SET LOCAL statement_timeout = '{SHORT_STATEMENT}s'")


class DriverStatement:
    """A statement compiled once for a dialect and run straight on the driver's cursor,
    for the one write that runs thousands of times a second (a class's checks, stored
    by app/classroom/recorder.py): SQLAlchemy's execution of a statement costs several
    times what SQLite takes to run it. What SQLAlchemy does to each parameter and
    column on the way (JSON through JSON_CODEC, SQLite's dates as text) is done here
    by the same type's own processors, so rows written here read back through
    SQLAlchemy as any other, and the other way round."""

    def __init__(self, statement: Any, dialect: Any) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql = str(compiled)
        self._order = tuple(compiled.positiontup) if compiled.positional else None
        self._binds = [(name, processor) for name, bind in compiled.binds.items()
                       if (processor := bind.type.dialect_impl(dialect).bind_processor(dialect))]
        columns = list(getattr(statement, "selected_columns", ()))
        self._keys = tuple(column.key for column in columns)
        self._columns = [(index, processor) for index, column in enumerate(columns)
                         if (processor := column.type.dialect_impl(dialect).result_processor(dialect, None))]

    def _parameters(self, values: Mapping[str, Any]) -> Any:
        values = dict(values)
        for name, processor in self._binds:
            values[name] = processor(values[name])
        return values if self._order is None else tuple(values[name] for name in self._order)

    def rows(self, cursor: Any, values: Mapping[str, Any]) -> list[dict[str, Any]]:
        cursor.execute(self.sql, self._parameters(values))
        found = []
        for row in cursor.fetchall():
            row = list(row)
            for index, processor in self._columns:
                row[index] = processor(row[index])
            found.append(dict(zip(self._keys, row, strict=True)))
        return found

    def execute_many(self, cursor: Any, many: Iterable[Mapping[str, Any]]) -> None:
        cursor.executemany(self.sql, [self._parameters(values) for values in many])


class Database:
    """One process's engine for one URL, made (and migrated) on first use; made
    again in a forked child, which must not share its parent's connections."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine: Engine | None = None
        self._writer: Engine | None = None
        self._pid = 0
        self._lock = threading.RLock()
        self._write_lock: TextIO | None = None
        self._write_lock_pid = 0
        # What the store and the group commit keep per database in this process: students
        # by their token's hash (store.student_for_token), and the Recorder (recorder.py).
        self.remembered: dict[str, Any] = {}
        self.recorder: Any = None
        self._prepared: dict[Any, DriverStatement] = {}  # for this process's engine

    @property
    def engine(self) -> Engine:
        if self._engine is None or self._pid != os.getpid():
            with self._lock:
                if self._engine is None or self._pid != os.getpid():
                    try:
                        engine = make_engine(self.url)
                    except Exception as error:
                        raise Unavailable(f"the classes database cannot be opened: {error}") from error
                    migrate_engine(engine)
                    self._engine, self._pid = engine, os.getpid()
                    self._prepared = {}
                    self._writer = engine.execution_options(handgrid_write=True)  # the same pool
        return self._engine

    @contextmanager
    def begin(self, write: bool = False) -> Iterator[Connection]:
        """A connection in a transaction, committed at the end (rolled back on an error)."""
        engine = self.engine
        with self._writing(engine) if write else nullcontext():
            with (self._writer if write else engine).connect() as connection:
                with connection.begin():
                    yield connection

    @contextmanager
    def driver_transaction(self, wait: bool = True) -> Iterator[Any]:
        """A write transaction as `begin(write=True)` makes one, on the driver's own
        connection: its cursor, for `prepared` statements. Committed at the end; on an
        error rolled back, and the connection dropped when even that fails. A writer
        that must not wait for another process's write (`wait=False`: the group commit,
        app/classroom/recorder.py, has requests to take in meanwhile) gets Busy instead
        on SQLite, and on PostgreSQL waits for row locks only so long."""
        engine = self.engine
        backend = engine.url.get_backend_name()
        with self._writing(engine, wait):
            connection = engine.raw_connection()  # from the pool, set up as `make_engine` says
            try:
                cursor = connection.cursor()
                if backend == "sqlite":  # the driver's own transactions are off (make_engine)
                    cursor.execute("BEGIN IMMEDIATE")
                elif backend == "postgresql" and not wait:
                    for statement in _short_waits():
                        cursor.execute(statement)
                yield cursor
                connection.commit()
            except BaseException as error:
                try:
                    connection.rollback()
                except Exception:
                    connection.invalidate()
                base = engine.dialect.loaded_dbapi.Error
                if isinstance(error, base):  # raised as SQLAlchemy's own errors, as `begin` raises them
                    raise DBAPIError.instance(None, None, error, base, dialect=engine.dialect) from error
                raise
            finally:
                connection.close()

    def prepared(self, statement: Any) -> DriverStatement:
        """`statement` compiled once for this process's engine (see DriverStatement)."""
        engine = self.engine
        found = self._prepared.get(statement)
        if found is None:
            found = self._prepared[statement] = DriverStatement(statement, engine.dialect)
        return found

    @contextmanager
    def _writing(self, engine: Engine, wait: bool = True) -> Iterator[None]:
        """Writers to a SQLite file take turns on a file lock first (and the threads of
        one process on a lock of their own, since a file lock is the process's). SQLite's
        own lock would do, but a writer that finds it taken sleeps in steps of up to
        100 ms before trying again; a file lock wakes the next writer as soon as
        the last one is done, which makes a class's checks several times faster."""
        path = engine.url.database if engine.url.get_backend_name() == "sqlite" else None
        if not path or path == ":memory:":
            yield
            return
        if not self._lock.acquire(blocking=wait):
            raise Busy("another thread is writing")
        try:
            if self._write_lock is None or self._write_lock_pid != os.getpid():
                self._write_lock, self._write_lock_pid = open(f"{path}.write-lock", "a"), os.getpid()  # noqa: SIM115
            handle = self._write_lock
            try:
                fcntl.flock(handle, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise Busy("another process is writing") from None
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
        finally:
            self._lock.release()

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = self._writer = None


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    url = engine.url
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            yield
            return
        with open(f"{url.database}.lock", "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
    elif url.get_backend_name() == "postgresql":
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _ADVISORY_KEY})
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _ADVISORY_KEY})
    else:
        yield


def _revision(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def migrate_engine(engine: Engine) -> tuple[str | None, str | None]:
    """Bring the schema up to date (Alembic's upgrade to head), once across processes:
    (the revision before, the revision after); equal when there was nothing to do."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    try:
        with _migration_lock(engine), engine.connect().execution_options(handgrid_write=True) as connection:
            before = _revision(connection)
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            after = _revision(connection)
            connection.commit()
    except Exception as error:
        shown = engine.url.render_as_string(hide_password=True)
        raise Unavailable(f"the classes database ({shown}) cannot be set up: {error}") from error
    return before, after


def migrate(url: str) -> tuple[str | None, str | None]:
    """Migrate the database at `url` (app/server.py, before the workers start):
    (the revision before, the revision after)."""
    engine = make_engine(url)
    try:
        return migrate_engine(engine)
    finally:
        engine.dispose()
